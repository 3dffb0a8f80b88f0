//! Durations as people read them, one way everywhere: `250ms`, `2s`, `1m 30s`, `2h 5m`.
//! Also how `--timeout` reads them.

use std::time::Duration;

/// The default deadline of `deepnote run` and `runs wait`: a stuck run must not hang a CI job
/// that forgot `--timeout`. (Deepnote's own CLI stops at 10 minutes; notebooks run longer.)
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3600);

/// `250ms` under a second, `2s` under a minute, `1m 30s` under an hour, `2h 5m` above; the
/// smaller parts are cut, not rounded, and a zero part is left out (`1m`, `2h`).
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.subsec_millis());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = if h > 0 {
        [(h, "h"), (m, "m")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, u)| format!("{n}{u}"))
            .collect()
    } else {
        [(m, "m"), (s, "s")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, u)| format!("{n}{u}"))
            .collect()
    };
    parts.join(" ")
}

/// How long a wait may last: `None` waits forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline(pub Option<Duration>);

/// As `--timeout` takes it back: [`human`]'s text, or `none`.
impl std::fmt::Display for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(d) => f.write_str(&human(d)),
            None => f.write_str("none"),
        }
    }
}

/// `--timeout`: a humantime duration (`90s`, `10m`, `1h30m`), a bare number of seconds, or
/// `none` to wait forever. Zero is refused: it would give up before the first look.
pub fn parse_timeout(text: &str) -> Result<Deadline, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(Deadline(None));
    }
    let duration = match text.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(text).map_err(|e| {
            format!("`{text}` is not a duration such as 90s, 10m or 1h30m, nor `none` ({e})")
        })?,
    };
    if duration.is_zero() {
        return Err("a timeout of zero would never wait; give a duration, or `none`".into());
    }
    Ok(Deadline(Some(duration)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_as_people_write_it() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(2_003)), "2s");
        assert_eq!(human(Duration::from_secs(60)), "1m");
        assert_eq!(human(Duration::from_secs(90)), "1m 30s");
        assert_eq!(human(Duration::from_secs(3600)), "1h");
        assert_eq!(human(Duration::from_secs(7_530)), "2h 5m");
    }

    #[test]
    fn timeouts() {
        let secs = |n| Ok(Deadline(Some(Duration::from_secs(n))));
        assert_eq!(parse_timeout("10m"), secs(600));
        assert_eq!(parse_timeout("1h30m"), secs(5400));
        assert_eq!(parse_timeout("45"), secs(45));
        assert_eq!(parse_timeout("none"), Ok(Deadline(None)));
        assert_eq!(
            parse_timeout("250ms"),
            Ok(Deadline(Some(Duration::from_millis(250))))
        );
        assert!(
            parse_timeout("soon")
                .unwrap_err()
                .contains("not a duration")
        );
        for zero in ["0", "0s", "0m"] {
            assert!(parse_timeout(zero).unwrap_err().contains("zero"), "{zero}");
        }
    }

    proptest! {
        #[test]
        fn human_never_panics_and_is_never_empty(ms in 0u64..10_000_000_000) {
            let text = human(Duration::from_millis(ms));
            prop_assert!(!text.is_empty());
            prop_assert!(!text.contains("  "));
        }
    }
}
