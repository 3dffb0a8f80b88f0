//! HTTP dates (RFC 9110 5.6.7), as a `Retry-After` may carry one.
//!
//! Parsed with chrono, which the generated types need anyway, rather than the `httpdate`
//! crate: one dependency less to compile for the sake of three format strings, and a clean
//! build of this crate is measured against another generator's client (BENCHMARKS.md).

use chrono::{Datelike, NaiveDateTime};
use std::time::SystemTime;

/// The preferred form, `Sun, 06 Nov 1994 08:49:37 GMT`, as a chrono format.
pub(crate) const IMF_FIXDATE: &str = "%a, %d %b %Y %H:%M:%S GMT";
/// C's asctime form, `Sun Nov  6 08:49:37 1994`.
const ASCTIME: &str = "%a %b %e %H:%M:%S %Y";

/// Reads an HTTP date in any of the three forms a recipient must accept: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
/// `now` decides the century of an RFC 850 two-digit year. `None` for anything else.
pub(crate) fn parse(value: &str, now: SystemTime) -> Option<SystemTime> {
    let value = value.trim();
    let naive = NaiveDateTime::parse_from_str(value, IMF_FIXDATE)
        .or_else(|_| NaiveDateTime::parse_from_str(value, ASCTIME))
        .ok()
        .or_else(|| rfc850(value, now))?;
    Some(naive.and_utc().into())
}

/// RFC 850 names the weekday in full and the year in two digits. RFC 9110 says such a year
/// more than 50 years ahead is in the past century; chrono's own `%y` pivots at 1969
/// instead, so the century is chosen here and the date parsed with a four-digit year.
fn rfc850(value: &str, now: SystemTime) -> Option<NaiveDateTime> {
    let (weekday, rest) = value.split_once(", ")?;
    let (day_month, rest) = rest.split_at_checked(7)?; // "06-Nov-"
    if !yy_is_two_digits(rest) {
        return None;
    }
    let (yy, time) = rest.split_at_checked(2)?;
    let yy: i32 = yy.parse().ok()?;
    let this_year = chrono::DateTime::<chrono::Utc>::from(now).year();
    let mut year = this_year - this_year.rem_euclid(100) + yy;
    if year > this_year + 50 {
        year -= 100;
    }
    let full = format!("{weekday}, {day_month}{year}{time}");
    NaiveDateTime::parse_from_str(&full, "%A, %d-%b-%Y %H:%M:%S GMT").ok()
}

/// The two characters after the month are the whole year: a digit pair, then the space.
fn yy_is_two_digits(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.len() > 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2] == b' '
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 1994-11-06 08:49:37 UTC, the example of RFC 9110.
    fn example() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    fn in_year(year: i32) -> SystemTime {
        let date = chrono::NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
        date.and_hms_opt(0, 0, 0).unwrap().and_utc().into()
    }

    #[test]
    fn reads_all_three_forms() {
        let now = in_year(2026);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "  Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse(form, now), Some(example()), "{form:?}");
        }
    }

    #[test]
    fn rfc850_years_more_than_50_ahead_are_in_the_past_century() {
        let at = |year| {
            let date = chrono::NaiveDate::from_ymd_opt(year, 11, 6).unwrap();
            Some(date.and_hms_opt(8, 49, 37).unwrap().and_utc().into())
        };
        // 2070 is 44 years after 2026: this century. 2077 is 51: the last one.
        assert_eq!(
            parse("Thursday, 06-Nov-70 08:49:37 GMT", in_year(2026)),
            at(2070)
        );
        assert_eq!(
            parse("Sunday, 06-Nov-77 08:49:37 GMT", in_year(2026)),
            at(1977)
        );
        assert_eq!(
            parse("Friday, 06-Nov-26 08:49:37 GMT", in_year(2026)),
            at(2026)
        );
    }

    #[test]
    fn rejects_what_is_not_an_http_date() {
        let now = in_year(2026);
        for bad in [
            "",
            "soon",
            "120",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Mon, 06 Nov 1994 08:49:37 GMT", // 1994-11-06 was a Sunday
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-9 08:49:37 GMT",
            "Sunday, 06-Nov--9 08:49:37 GMT",
            "Sunday, 06-Nov-94",
            "Sunday, ",
            "Sunday, 06-Növ-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(parse(bad, now), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panicking(text in "\\PC{0,40}") {
            let _ = parse(&text, in_year(2026));
        }

        #[test]
        fn every_instant_round_trips_through_each_form(secs in 0i64..4_102_444_800) {
            let at = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            let now = in_year(2026);
            let imf = at.format(IMF_FIXDATE).to_string();
            let asctime = at.format(ASCTIME).to_string();
            proptest::prop_assert_eq!(parse(&imf, now), Some(at.into()));
            proptest::prop_assert_eq!(parse(&asctime, now), Some(at.into()));
            // RFC 850 names only the year's last two digits: it comes back within the
            // century that ends 50 years after now.
            let rfc850 = at.format("%A, %d-%b-%y %H:%M:%S GMT").to_string();
            let back = parse(&rfc850, now).map(chrono::DateTime::<chrono::Utc>::from);
            if (1977..=2076).contains(&at.year()) {
                proptest::prop_assert_eq!(back, Some(at));
            } else if let Some(back) = back {
                proptest::prop_assert_eq!((back.year() - at.year()) % 100, 0);
            }
        }
    }
}
