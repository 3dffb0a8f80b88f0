//! Five-field cron expressions (`minute hour day-of-month month day-of-week`), as Deepnote's
//! schedules take them: parsed to refuse bad ones with 400, and stepped to a schedule's
//! `nextRunAt`.
//!
//! Each field is `*`, a value, a range `a-b`, any of those with a step `/n`, or a comma list of
//! them; months and weekdays also take three-letter English names; weekday 7 is Sunday. As in
//! Vixie cron, a day matches when day-of-month or day-of-week matches if both are restricted.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    days_restricted: bool,
    weekdays_restricted: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn value(s: &str, lo: u32, hi: u32, names: &[&str], name_base: u32) -> Result<u32, String> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + name_base);
    }
    let v: u32 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v < lo || v > hi {
        return Err(format!("{v} is outside {lo}-{hi}"));
    }
    Ok(v)
}

/// The set of values a field allows, as bits, and whether it restricts anything.
fn field(s: &str, lo: u32, hi: u32, names: &[&str], name_base: u32) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    let mut restricted = false;
    for part in s.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, st)) => {
                let st: u32 = st.parse().map_err(|_| format!("bad step `{st}`"))?;
                if st == 0 {
                    return Err("a step of 0".into());
                }
                (r, st)
            }
            None => (part, 1),
        };
        let (a, b) = if range == "*" {
            if step == 1 && s.split(',').count() == 1 {
                return Ok(((lo..=hi).fold(0, |m, v| m | 1 << v), false));
            }
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (
                value(a, lo, hi, names, name_base)?,
                value(b, lo, hi, names, name_base)?,
            );
            if a > b {
                return Err(format!("range {a}-{b} runs backwards"));
            }
            (a, b)
        } else {
            let a = value(range, lo, hi, names, name_base)?;
            (a, if step > 1 { hi } else { a })
        };
        restricted = true;
        for v in (a..=b).step_by(step as usize) {
            bits |= 1 << v;
        }
    }
    Ok((bits, restricted))
}

impl Cron {
    /// Parse an expression; the error says which field is wrong and why.
    pub fn parse(expr: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let [mi, h, d, mo, w] = fields[..] else {
            return Err(format!(
                "a cron expression has 5 fields (minute hour day month weekday), got {}",
                fields.len()
            ));
        };
        let named = |what: &str, r: Result<(u64, bool), String>| {
            r.map_err(|e| format!("invalid {what} field: {e}"))
        };
        let (minutes, _) = named("minute", field(mi, 0, 59, &[], 0))?;
        let (hours, _) = named("hour", field(h, 0, 23, &[], 0))?;
        let (days, days_restricted) = named("day-of-month", field(d, 1, 31, &[], 0))?;
        let (months, _) = named("month", field(mo, 1, 12, &MONTHS, 1))?;
        let (mut weekdays, weekdays_restricted) =
            named("day-of-week", field(w, 0, 7, &WEEKDAYS, 0))?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        let cron = Cron {
            minutes,
            hours,
            days,
            months,
            weekdays,
            days_restricted,
            weekdays_restricted,
        };
        // 31 February and the like: never due.
        if cron.next_after(Utc.timestamp_opt(0, 0).unwrap()).is_none() {
            return Err(format!("`{expr}` never runs"));
        }
        Ok(cron)
    }

    fn day_matches(&self, t: DateTime<Utc>) -> bool {
        let dom = self.days & (1 << t.day()) != 0;
        let dow = self.weekdays & (1 << t.weekday().num_days_from_sunday()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => dom || dow,
            _ => dom && dow,
        }
    }

    /// The first minute strictly after `t` the expression is due (in the clock it is read in),
    /// within eight years; `None` if there is none.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut at = t.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let limit = t + Duration::days(8 * 366);
        while at < limit {
            if self.months & (1 << at.month()) == 0 || !self.day_matches(at) {
                // To the start of the next day.
                at = (at + Duration::days(1)).with_hour(0)?.with_minute(0)?;
                continue;
            }
            if self.hours & (1 << at.hour()) == 0 {
                at = (at + Duration::hours(1)).with_minute(0)?;
                continue;
            }
            if self.minutes & (1 << at.minute()) != 0 {
                return Some(at);
            }
            at += Duration::minutes(1);
        }
        None
    }
}

/// True for a timezone name the emulator accepts: `UTC` or an IANA-style `Area/Location`
/// (the emulator carries no timezone database, so it checks the form, not the zone).
pub fn valid_timezone(tz: &str) -> bool {
    if matches!(tz, "UTC" | "GMT" | "Etc/UTC") {
        return true;
    }
    let mut parts = tz.split('/');
    let area_ok = parts.next().is_some_and(|a| {
        a.len() >= 2
            && a.starts_with(|c: char| c.is_ascii_uppercase())
            && a.chars().all(|c| c.is_ascii_alphabetic())
    });
    let rest: Vec<&str> = parts.collect();
    area_ok
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_alphanumeric())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn refuses_bad_expressions() {
        for bad in [
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "5-1 * * * *",
            "a * * * *",
            "0 0 31 2 *",
            "0 0 30 feb *",
        ] {
            assert!(Cron::parse(bad).is_err(), "{bad:?}");
        }
        for good in [
            "* * * * *",
            "0 9 * * 1-5",
            "*/15 * * * *",
            "0 9 * * mon,FRI",
            "0 0 1 jan *",
            "0 12 * * 7",
        ] {
            assert!(Cron::parse(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn steps_to_the_next_due_minute() {
        let next = |c: &str, t: &str| {
            Cron::parse(c)
                .unwrap()
                .next_after(at(t))
                .unwrap()
                .to_rfc3339()
        };
        assert_eq!(
            next("0 9 * * *", "2026-12-01T22:30:00Z"),
            "2026-12-02T09:00:00+00:00"
        );
        assert_eq!(
            next("0 9 * * *", "2026-12-01T08:59:30Z"),
            "2026-12-01T09:00:00+00:00"
        );
        // 2026-12-05 is a Saturday: weekdays skip to Monday the 7th.
        assert_eq!(
            next("30 8 * * 1-5", "2026-12-04T09:00:00Z"),
            "2026-12-07T08:30:00+00:00"
        );
        assert_eq!(
            next("*/20 * * * *", "2026-12-01T10:41:00Z"),
            "2026-12-01T11:00:00+00:00"
        );
        // Both day fields restricted: either matches (the 1st, or any Sunday).
        assert_eq!(
            next("0 0 1 * 0", "2026-12-01T00:00:00Z"),
            "2026-12-06T00:00:00+00:00"
        );
        assert_eq!(
            next("0 0 29 2 *", "2026-03-01T00:00:00Z"),
            "2028-02-29T00:00:00+00:00"
        );
    }

    #[test]
    fn checks_timezone_names_by_form() {
        for good in [
            "UTC",
            "Europe/Prague",
            "America/New_York",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+1",
        ] {
            assert!(valid_timezone(good), "{good}");
        }
        for bad in [
            "",
            "utc",
            "Europe",
            "Europe/",
            "/Prague",
            "Mars/Olympus Mons",
            "Europe/Prague/x/y",
        ] {
            assert!(!valid_timezone(bad), "{bad}");
        }
    }
}
