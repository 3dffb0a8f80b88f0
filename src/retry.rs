//! When and how long to wait before trying a request again.
//!
//! GET and DELETE are retried on 429, 502, 503, 504 and transport failures. POST is retried
//! only where the request provably changed nothing: a connection that never opened, or a 429
//! (the server refused it). Waits are capped exponential backoff with full jitter, or the
//! server's `Retry-After`; attempts and total time are both bounded.

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// How the client retries a failed request. `RetryPolicy::default()` is on; `none()` is off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 means no retry).
    pub max_attempts: u32,
    /// The backoff cap of the first retry; it doubles with each retry.
    pub initial_backoff: Duration,
    /// The largest backoff cap.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt, and no wait (not even a
    /// server's `Retry-After`) runs past it: the last answer is returned instead.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1-based): uniformly random in
    /// `[0, min(max_backoff, initial_backoff * 2^(retry-1))]` ("full jitter").
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(uniform(nanos))
    }
}

/// A number in `0..=max`, for jitter only. Each `RandomState` is keyed afresh (random per
/// thread, then stepped per instance), so hashing nothing with one is a cheap unpredictable
/// u64; the 128-bit multiply maps it onto the range with a bias below 2^-64 per value. This
/// stands in for the `fastrand` crate because a clean build of this crate is measured against
/// another generator's client (BENCHMARKS.md) and jitter needs no more than this.
fn uniform(max: u64) -> u64 {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let span = u128::from(max) + 1;
    ((u128::from(random) * span) >> 64) as u64
}

/// Whether an answer may be retried, and after how long at the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Final: hand it to the caller.
    Done,
    /// Retry, after the server's `Retry-After` if it gave one, else after a backoff.
    Retry(Option<Duration>),
}

/// Judge an HTTP answer. `idempotent` is true for methods that may be repeated (GET, DELETE).
pub(crate) fn judge_status(status: StatusCode, headers: &HeaderMap, idempotent: bool) -> Verdict {
    match status.as_u16() {
        429 => Verdict::Retry(retry_after(headers)),
        502..=504 if idempotent => Verdict::Retry(retry_after(headers)),
        _ => Verdict::Done,
    }
}

/// Judge a transport failure. A POST is repeated only when the connection never opened.
pub(crate) fn judge_transport(error: &reqwest::Error, idempotent: bool) -> Verdict {
    if error.is_connect() || (idempotent && !error.is_builder() && !error.is_redirect()) {
        Verdict::Retry(None)
    } else {
        Verdict::Done
    }
}

/// The `Retry-After` header as a duration: delay-seconds or an HTTP date (RFC 9110 10.2.3).
/// A date in the past is zero; anything unparsable is ignored.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let now = SystemTime::now();
    let when = crate::http_date::parse(value, now)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn http_date(t: SystemTime) -> String {
        chrono::DateTime::<chrono::Utc>::from(t)
            .format(crate::http_date::IMF_FIXDATE)
            .to_string()
    }

    fn headers(retry_after: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        let d = retry_after(&headers(&http_date(later))).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        let past = http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(retry_after(&headers(&past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn only_safe_answers_are_retried() {
        let none = HeaderMap::new();
        for idempotent in [true, false] {
            assert_eq!(
                judge_status(StatusCode::TOO_MANY_REQUESTS, &headers("3"), idempotent),
                Verdict::Retry(Some(Duration::from_secs(3)))
            );
            assert_eq!(
                judge_status(StatusCode::INTERNAL_SERVER_ERROR, &none, idempotent),
                Verdict::Done
            );
            assert_eq!(
                judge_status(StatusCode::NOT_FOUND, &none, idempotent),
                Verdict::Done
            );
        }
        for code in [502, 503, 504] {
            let s = StatusCode::from_u16(code).unwrap();
            assert_eq!(judge_status(s, &none, true), Verdict::Retry(None));
            assert_eq!(judge_status(s, &none, false), Verdict::Done, "POST {code}");
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..RetryPolicy::default()
        };
        for retry in 1..=40 {
            let cap = Duration::from_millis(100 * 2u64.pow((retry - 1).min(2)));
            for _ in 0..50 {
                assert!(p.backoff(retry) <= cap);
            }
        }
        // Full jitter: across many draws, both small and large waits occur.
        let draws: Vec<_> = (0..200).map(|_| p.backoff(3)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(300)));
    }

    #[test]
    fn uniform_stays_in_range_and_spreads() {
        for max in [0, 1, 2, 1000, u64::MAX] {
            for _ in 0..200 {
                assert!(uniform(max) <= max);
            }
        }
        assert_eq!(uniform(0), 0);
        // Ten buckets of 0..=9 over 10,000 draws: each expects 1,000; a fair source falls
        // outside 700..1300 with a probability far below 1e-20.
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[uniform(9) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|n| (700..1300).contains(n)),
            "{buckets:?}"
        );
    }
}
