//! A schedule's time zone, checked against the IANA time-zone database (compiled in through
//! chrono-tz) before anything is sent: a mistyped zone (`Europe/Prag`) would otherwise be
//! stored and fire at the wrong hour, or never.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// How many of the nearest valid names an unknown zone's error lists.
const NEAREST: usize = 3;

/// An IANA time zone name known to the time-zone database (`Europe/Prague`, `UTC`,
/// `America/New_York`), spelled as the database spells it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    /// Check `name`. An unknown one is an [`Error::InvalidArgument`] naming it and the nearest
    /// valid names; a name that differs from a known one only in case is refused the same way
    /// (Deepnote stores the name as given), with the right spelling first among them.
    pub fn parse(name: &str) -> Result<TimeZone> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(Error::InvalidArgument("the time zone is empty".into()));
        }
        match chrono_tz::Tz::from_str(trimmed) {
            Ok(tz) => Ok(TimeZone(tz)),
            Err(_) => {
                let shown: String = trimmed.chars().take(64).collect();
                Err(Error::InvalidArgument(format!(
                    "unknown time zone {shown:?} (not in the IANA time-zone database); \
                     the nearest valid names: {}",
                    nearest(trimmed).join(", ")
                )))
            }
        }
    }

    /// The zone's name, as the database spells it.
    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    /// The `NEAREST` valid names closest to `name` by edit distance, ignoring case.
    pub fn nearest(name: &str) -> Vec<&'static str> {
        nearest(name)
    }
}

/// The database's names ranked by their edit distance to `name` (case ignored); a bare city
/// (`Prague`) is also compared with each name's last part, so it finds `Europe/Prague`.
fn nearest(name: &str) -> Vec<&'static str> {
    let wanted = name.to_lowercase();
    let wanted_city = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
    let mut ranked: Vec<(usize, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            let candidate = tz.name().to_lowercase();
            let city = candidate.rsplit('/').next().unwrap_or(&candidate);
            let whole = strsim::levenshtein(&wanted, &candidate);
            // A matching city with another region is near, but not nearer than a whole match.
            let by_city = strsim::levenshtein(&wanted_city, city) + 1;
            (whole.min(by_city), tz.name())
        })
        .collect();
    ranked.sort();
    ranked.into_iter().take(NEAREST).map(|(_, n)| n).collect()
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({:?})", self.as_str())
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimeZone {
    type Err = Error;
    fn from_str(s: &str) -> Result<TimeZone> {
        TimeZone::parse(s)
    }
}

impl TryFrom<&str> for TimeZone {
    type Error = Error;
    fn try_from(s: &str) -> Result<TimeZone> {
        TimeZone::parse(s)
    }
}

impl TryFrom<String> for TimeZone {
    type Error = Error;
    fn try_from(s: String) -> Result<TimeZone> {
        TimeZone::parse(&s)
    }
}

impl From<TimeZone> for String {
    fn from(tz: TimeZone) -> String {
        tz.as_str().to_string()
    }
}

impl AsRef<str> for TimeZone {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zones_pass_as_the_database_spells_them() {
        for ok in [
            "Europe/Prague",
            "UTC",
            "America/New_York",
            "Etc/GMT+1",
            " Asia/Tokyo ",
        ] {
            let tz = TimeZone::parse(ok).unwrap();
            assert_eq!(tz.as_str(), ok.trim());
        }
    }

    #[test]
    fn an_unknown_zone_names_itself_and_the_nearest_valid_names() {
        for (bad, first) in [
            ("Europe/Prag", "Europe/Prague"),
            ("europe/prague", "Europe/Prague"),
            ("Prague", "Europe/Prague"),
            ("America/NewYork", "America/New_York"),
            ("Utc", "UTC"),
        ] {
            let e = TimeZone::parse(bad).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
            assert!(text.contains(&format!("{bad:?}")), "{text}");
            assert_eq!(TimeZone::nearest(bad)[0], first, "{bad}: {text}");
            assert!(text.contains(first), "{text}");
        }
        assert!(TimeZone::parse("  ").is_err());
    }
}
