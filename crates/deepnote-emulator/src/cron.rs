//! Five-field cron expressions (`minute hour day-of-month month day-of-week`), as Deepnote's
//! schedules take them: parsed to refuse bad ones with 400, and stepped to a schedule's
//! `nextRunAt`.
//!
//! Each field is `*`, a value, a range `a-b`, any of those with a step `/n`, or a comma list of
//! them; months and weekdays also take three-letter English names; weekday 7 is Sunday. As in
//! Vixie cron, a day matches when day-of-month or day-of-week matches if both are restricted.
//!
//! An expression is read in its schedule's IANA time zone (the compiled-in database of
//! `chrono-tz`), with the daylight-saving rules of Vixie cron and cronie:
//! - a local time that does not exist (in the spring gap, e.g. 02:30 in Prague on 29 March
//!   2026) fires at the first valid instant after the gap (03:00 local), once;
//! - a local time that occurs twice (the autumn repeat, e.g. 02:30 in Prague on 25 October
//!   2026) fires once, at its first occurrence;
//! - both when the expression names its hours; one whose hour field is `*` (hourly, every n
//!   minutes) follows elapsed time instead: it fires in both occurrences of a repeated minute
//!   and has no minute in the gap.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, TimeZone, Timelike, Utc};

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
    hours_restricted: bool,
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
        let (hours, hours_restricted) = named("hour", field(h, 0, 23, &[], 0))?;
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
            hours_restricted,
        };
        // 31 February and the like: never due.
        if cron.next_after(Utc.timestamp_opt(0, 0).unwrap()).is_none() {
            return Err(format!("`{expr}` never runs"));
        }
        Ok(cron)
    }

    fn day_matches(&self, t: NaiveDateTime) -> bool {
        let dom = self.days & (1 << t.day()) != 0;
        let dow = self.weekdays & (1 << t.weekday().num_days_from_sunday()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => dom || dow,
            _ => dom && dow,
        }
    }

    /// The first wall-clock minute at or after `at` (a whole minute) the expression is due,
    /// before `limit`.
    fn next_wall(&self, mut at: NaiveDateTime, limit: NaiveDateTime) -> Option<NaiveDateTime> {
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

    /// The first minute strictly after `t` the expression is due in UTC, within eight years;
    /// `None` if there is none.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.next_after_in(&Utc, t)
    }

    /// The first instant strictly after `t` the expression is due, read on the wall clock of
    /// `tz` (daylight saving as the module says), within eight years; `None` if there is none.
    pub fn next_after_in<Z: TimeZone>(&self, tz: &Z, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = t.with_timezone(tz).naive_local();
        let mut at = local.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        // After the autumn change the wall clock reads earlier times again: start a few hours
        // back so the second occurrence of a due minute is seen (earlier instants are skipped).
        at -= Duration::hours(3);
        let limit = local + Duration::days(8 * 366);
        while let Some(wall) = self.next_wall(at, limit) {
            let fires = match tz.from_local_datetime(&wall) {
                LocalResult::Single(d) => Some(d.with_timezone(&Utc)),
                LocalResult::Ambiguous(first, second) => {
                    let (first, second) = (first.with_timezone(&Utc), second.with_timezone(&Utc));
                    if first > t || self.hours_restricted {
                        Some(first)
                    } else {
                        Some(second)
                    }
                }
                // In the spring gap: a named hour fires at the first instant after the gap;
                // an hourly expression has simply no such minute.
                LocalResult::None if self.hours_restricted => first_after_gap(tz, wall),
                LocalResult::None => None,
            };
            if let Some(f) = fires.filter(|f| *f > t) {
                return Some(f);
            }
            at = wall + Duration::minutes(1);
        }
        None
    }
}

/// The first instant after the daylight-saving gap that swallows wall-clock time `wall`.
fn first_after_gap<Z: TimeZone>(tz: &Z, wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    // Gaps are whole minutes and at most a few hours (one day at the date line).
    (1..=26 * 60).find_map(|m| {
        tz.from_local_datetime(&(wall + Duration::minutes(m)))
            .earliest()
            .map(|d| d.with_timezone(&Utc))
    })
}

/// The IANA time zone `name`, or why not: the error names the zone and, when there are any,
/// the nearest valid names (a typo such as `Europe/Prag`, or another case).
pub fn zone(name: &str) -> Result<chrono_tz::Tz, String> {
    if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
        return Ok(tz);
    }
    let shown: String = name.chars().take(64).collect();
    let near = nearest_zones(name);
    Err(if near.is_empty() {
        format!("unknown time zone `{shown}`: not an IANA time zone name such as Europe/Prague")
    } else {
        format!(
            "unknown time zone `{shown}`: not an IANA time zone name; did you mean {}?",
            near.join(", ")
        )
    })
}

/// Up to three zone names within two edits of `name` (ignoring case), nearest first.
fn nearest_zones(name: &str) -> Vec<&'static str> {
    if name.len() > 64 {
        return Vec::new();
    }
    let lower = name.to_ascii_lowercase();
    let mut near: Vec<(usize, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.len().abs_diff(name.len()) <= 2)
        .map(|n| (edits(&lower, &n.to_ascii_lowercase()), n))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance over bytes (zone names are ASCII).
fn edits(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
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
    fn knows_zones_from_the_iana_database() {
        for good in [
            "UTC",
            "Etc/UTC",
            "Europe/Prague",
            "America/New_York",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+1",
        ] {
            assert!(zone(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "utc",
            "Europe",
            "Europe/",
            "/Prague",
            "Mars/Olympus Mons",
            "Europe/Prague/x/y",
            "Europe/Atlantis",
        ] {
            let e = zone(bad).unwrap_err();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
        let e = zone("Europe/Prag").unwrap_err();
        assert!(
            e.contains("`Europe/Prag`") && e.contains("Europe/Prague"),
            "{e}"
        );
        assert!(zone("europe/prague").unwrap_err().contains("Europe/Prague"));
    }

    /// `cron` read in `tz`, next after `t` (UTC, RFC 3339), as UTC.
    fn next_in(cron: &str, tz: &str, t: &str) -> String {
        Cron::parse(cron)
            .unwrap()
            .next_after_in(&zone(tz).unwrap(), at(t))
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn reads_the_expression_on_the_zones_wall_clock() {
        // 09:00 in Prague is 08:00Z in winter (CET) and 07:00Z in summer (CEST).
        assert_eq!(
            next_in("0 9 * * *", "Europe/Prague", "2026-12-07T12:00:00Z"),
            "2026-12-08T08:00:00+00:00"
        );
        assert_eq!(
            next_in("0 9 * * *", "Europe/Prague", "2026-07-01T12:00:00Z"),
            "2026-07-02T07:00:00+00:00"
        );
        assert_eq!(
            next_in("0 9 * * 1-5", "America/New_York", "2026-12-04T15:00:00Z"),
            "2026-12-07T14:00:00+00:00"
        );
        // A day boundary that differs from UTC's: 23:30 in New York is 04:30Z the next day.
        assert_eq!(
            next_in("30 23 * * 5", "America/New_York", "2026-12-04T12:00:00Z"),
            "2026-12-05T04:30:00+00:00"
        );
    }

    /// Both changes of 2026 and 2027 in Prague (last Sundays of March and October, 02:00 and
    /// 03:00 local) and New York (second Sunday of March, first of November, 02:00 local).
    #[test]
    fn daylight_saving_changes_fire_at_the_right_instant() {
        let cases = [
            // Spring: 02:30 does not exist; it fires at the first instant after the gap.
            (
                "30 2 * * *",
                "Europe/Prague",
                "2026-03-28T12:00:00Z",
                "2026-03-29T01:00:00+00:00",
            ),
            (
                "30 2 * * *",
                "Europe/Prague",
                "2027-03-27T12:00:00Z",
                "2027-03-28T01:00:00+00:00",
            ),
            (
                "30 2 * * *",
                "America/New_York",
                "2026-03-07T12:00:00Z",
                "2026-03-08T07:00:00+00:00",
            ),
            (
                "30 2 * * *",
                "America/New_York",
                "2027-03-13T12:00:00Z",
                "2027-03-14T07:00:00+00:00",
            ),
            // ...and the day after, at 02:30 again (now an hour less from UTC).
            (
                "30 2 * * *",
                "Europe/Prague",
                "2026-03-29T01:00:00Z",
                "2026-03-30T00:30:00+00:00",
            ),
            // Times around the gap are unaffected: 09:00 in the new offset the same day.
            (
                "0 9 * * *",
                "Europe/Prague",
                "2026-03-28T12:00:00Z",
                "2026-03-29T07:00:00+00:00",
            ),
            (
                "0 9 * * *",
                "America/New_York",
                "2027-03-13T15:00:00Z",
                "2027-03-14T13:00:00+00:00",
            ),
            // Autumn: 02:30 occurs twice in Prague (CEST then CET), 01:30 in New York (EDT then
            // EST); a fixed time fires once, at the first.
            (
                "30 2 * * *",
                "Europe/Prague",
                "2026-10-24T12:00:00Z",
                "2026-10-25T00:30:00+00:00",
            ),
            (
                "30 2 * * *",
                "Europe/Prague",
                "2026-10-25T00:30:00Z",
                "2026-10-26T01:30:00+00:00",
            ),
            (
                "30 2 * * *",
                "Europe/Prague",
                "2027-10-30T12:00:00Z",
                "2027-10-31T00:30:00+00:00",
            ),
            (
                "30 2 * * *",
                "Europe/Prague",
                "2027-10-31T00:30:00Z",
                "2027-11-01T01:30:00+00:00",
            ),
            (
                "30 1 * * *",
                "America/New_York",
                "2026-10-31T12:00:00Z",
                "2026-11-01T05:30:00+00:00",
            ),
            (
                "30 1 * * *",
                "America/New_York",
                "2026-11-01T05:30:00Z",
                "2026-11-02T06:30:00+00:00",
            ),
            (
                "30 1 * * *",
                "America/New_York",
                "2027-11-06T12:00:00Z",
                "2027-11-07T05:30:00+00:00",
            ),
            (
                "30 1 * * *",
                "America/New_York",
                "2027-11-07T05:30:00Z",
                "2027-11-08T06:30:00+00:00",
            ),
            // An hourly expression follows elapsed time: it fires in both occurrences.
            (
                "30 * * * *",
                "Europe/Prague",
                "2026-10-25T00:30:00Z",
                "2026-10-25T01:30:00+00:00",
            ),
            (
                "30 * * * *",
                "America/New_York",
                "2027-11-07T05:30:00Z",
                "2027-11-07T06:30:00+00:00",
            ),
            // ...and has no minute in the spring gap: 01:30 CET, then 03:30 CEST, an hour on.
            (
                "30 * * * *",
                "Europe/Prague",
                "2026-03-29T00:30:00Z",
                "2026-03-29T01:30:00+00:00",
            ),
            (
                "30 * * * *",
                "America/New_York",
                "2026-03-08T06:30:00Z",
                "2026-03-08T07:30:00+00:00",
            ),
        ];
        for (cron, tz, after, want) in cases {
            assert_eq!(
                next_in(cron, tz, after),
                want,
                "{cron} in {tz} after {after}"
            );
        }
    }
}
