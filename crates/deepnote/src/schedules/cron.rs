//! A five-field cron expression, checked before anything is sent.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// Longest cron expression accepted: far beyond any real one, short enough to check cheaply.
const MAX_CRON_LEN: usize = 256;

/// A five-field cron expression (minute, hour, day of month, month, day of week), checked:
/// each field is `*`, a number, a range `a-b`, any of those with a step `/n`, or a
/// comma-separated list of them, within the field's bounds (day of week 0-7, 0 and 7 both
/// Sunday). Names (`MON`, `JAN`) and the `@daily` shorthands are refused, since nothing
/// Deepnote publishes shows it accepting them.
///
/// ```
/// use deepnote::schedules::Cron;
///
/// let weekdays = Cron::parse("0 9 * * 1-5")?;
/// assert_eq!(weekdays.as_str(), "0 9 * * 1-5");
/// // A bad field is refused, named, before anything is sent.
/// let e = Cron::parse("0 25 * * *").unwrap_err();
/// assert!(e.to_string().contains("hour"), "{e}");
/// # Ok::<(), deepnote::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cron(String);

/// The bounds of the five fields, in order.
const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

impl Cron {
    /// Check `expression`; a bad one is an [`Error::InvalidArgument`] naming the field.
    pub fn parse(expression: &str) -> Result<Cron> {
        if expression.len() > MAX_CRON_LEN {
            return Err(invalid(expression, "it is too long"));
        }
        let fields: Vec<&str> = expression.split_whitespace().collect();
        if fields.len() != FIELDS.len() {
            return Err(invalid(
                expression,
                &format!("it has {} fields, not 5", fields.len()),
            ));
        }
        for (field, (name, low, high)) in fields.iter().zip(FIELDS) {
            check_field(field, low, high)
                .map_err(|why| invalid(expression, &format!("its {name} field {field:?} {why}")))?;
        }
        Ok(Cron(fields.join(" ")))
    }

    /// Every day at `at`, a 24-hour `HH:MM` time (`"09:00"`, `"17:30"`), in the schedule's
    /// time zone.
    pub fn daily_at(at: &str) -> Result<Cron> {
        let bad = || Error::InvalidArgument(format!("{at:?} is not a time of day (HH:MM)"));
        let (hour, minute) = at.trim().split_once(':').ok_or_else(bad)?;
        let digits = |s: &str, max_len: usize| {
            (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let hour = digits(hour, 2).filter(|h| *h <= 23).ok_or_else(bad)?;
        let minute = digits(minute, 2)
            .filter(|m| *m <= 59 && minute.len() == 2)
            .ok_or_else(bad)?;
        Ok(Cron(format!("{minute} {hour} * * *")))
    }

    /// The expression, its fields separated by one space.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cron({:?})", self.0)
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cron {
    type Err = Error;
    fn from_str(s: &str) -> Result<Cron> {
        Cron::parse(s)
    }
}

impl TryFrom<&str> for Cron {
    type Error = Error;
    fn try_from(s: &str) -> Result<Cron> {
        Cron::parse(s)
    }
}

impl TryFrom<String> for Cron {
    type Error = Error;
    fn try_from(s: String) -> Result<Cron> {
        Cron::parse(&s)
    }
}

impl AsRef<str> for Cron {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

pub(super) fn invalid(expression: &str, why: &str) -> Error {
    let shown: String = expression.chars().take(64).collect();
    Error::InvalidArgument(format!("cron expression {shown:?}: {why}"))
}

/// One field: a comma-separated list of `*`, `n` or `a-b`, each with an optional `/step`.
fn check_field(field: &str, low: u32, high: u32) -> std::result::Result<(), String> {
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            let step = number(step).ok_or_else(|| format!("has a bad step in {item:?}"))?;
            if step == 0 || step > high {
                return Err(format!("has a step out of 1..={high} in {item:?}"));
            }
        }
        if base == "*" {
            continue;
        }
        let (from, to) = match base.split_once('-') {
            Some((from, to)) => (from, to),
            None => (base, base),
        };
        let from = number(from).ok_or_else(|| format!("has a bad value in {item:?}"))?;
        let to = number(to).ok_or_else(|| format!("has a bad value in {item:?}"))?;
        for v in [from, to] {
            if v < low || v > high {
                return Err(format!("has {v}, out of {low}..={high}"));
            }
        }
        if from > to {
            return Err(format!("has a backwards range {item:?}"));
        }
    }
    Ok(())
}

/// A plain decimal of at most three digits (no sign, no spaces).
fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_expressions_pass() {
        for ok in [
            "* * * * *",
            "0 9 * * 1-5",
            "*/15 0-23/2 1,15,31 1-12 0,7",
            "59 23 31 12 7",
            " 0  9 * * * ",
        ] {
            assert!(Cron::parse(ok).is_ok(), "{ok:?}");
        }
        assert_eq!(Cron::parse(" 0  9 * * * ").unwrap().as_str(), "0 9 * * *");
    }

    #[test]
    fn bad_expressions_name_their_field() {
        for (bad, says) in [
            ("* * * *", "4 fields"),
            ("* * * * * *", "6 fields"),
            ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day of week"),
            ("*/0 * * * *", "step"),
            ("5-1 * * * *", "backwards"),
            ("MON * * * *", "bad value"),
            ("1,,2 * * * *", "bad value"),
            ("-1 * * * *", "bad value"),
            ("@daily", "1 fields"),
        ] {
            let e = Cron::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn daily_at_builds_the_cron() {
        assert_eq!(Cron::daily_at("09:00").unwrap().as_str(), "0 9 * * *");
        assert_eq!(Cron::daily_at("23:59").unwrap().as_str(), "59 23 * * *");
        assert_eq!(Cron::daily_at("7:05").unwrap().as_str(), "5 7 * * *");
        for bad in [
            "24:00", "09:60", "9", "09:5", "", "a:b", "-1:00", "09:00:00",
        ] {
            assert!(Cron::daily_at(bad).is_err(), "{bad:?}");
        }
    }
}
