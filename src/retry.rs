//! When and how long to wait before trying a request again.
//!
//! GET and DELETE are retried on 429, 502, 503, 504 and transport failures. POST is retried
//! only where the request provably changed nothing: a connection that never opened, or a 429
//! (the server refused it). Waits come from one [`Backoff`] (capped exponential with full
//! jitter), unless the server said how long: `Retry-After` (seconds or an HTTP date), else on a
//! 429 `RateLimit-Reset` (seconds until the window resets; a value larger than a day is read as
//! a Unix time instead, as some servers send it). A server's wait is capped per wait
//! ([`RetryPolicy::with_max_wait`]); attempts and total time are both bounded. One call can run
//! under another policy with [`with_retry_policy`].

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// The future a [`Backoff`]'s sleep function returns.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How a [`Backoff`] spreads each delay at random.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Jitter {
    /// No spread: every delay is the nominal one.
    None,
    /// Uniform in `[0, nominal]` ("full jitter"): callers that back off at once spread out
    /// the most.
    Full,
    /// Uniform in `[nominal * (1 - f), nominal * (1 + f)]`, `f` clamped to `[0, 1]`: a
    /// schedule that must stay near its nominal delays (a poller) still desynchronises.
    Spread(f64),
}

/// A schedule of delays between attempts: the delay before retry `n` (1-based) is at most
/// `min(max, first * factor^(n-1))`, spread by the [`Jitter`] (full by default), unless the
/// server said how long to wait (`Retry-After`), which wins.
///
/// The random source and the sleep are plain functions, so a test can make both
/// deterministic ([`Backoff::with_random`], [`Backoff::with_sleep`]) without a runtime clock.
#[derive(Clone, Copy)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    factor: f64,
    jitter: Jitter,
    random: fn() -> u64,
    sleep: fn(Duration) -> Sleep,
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("first", &self.first)
            .field("max", &self.max)
            .field("factor", &self.factor)
            .field("jitter", &self.jitter)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Backoff {
    /// Equal schedules: the same numbers, jitter, random source and sleep.
    fn eq(&self, other: &Self) -> bool {
        self.first == other.first
            && self.max == other.max
            && self.factor == other.factor
            && self.jitter == other.jitter
            && std::ptr::fn_addr_eq(self.random, other.random)
            && std::ptr::fn_addr_eq(self.sleep, other.sleep)
    }
}

impl Default for Backoff {
    /// The request retries' schedule: 100 ms, doubling, capped at 5 s, full jitter.
    fn default() -> Self {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(5))
    }
}

impl Backoff {
    /// Delays from `first`, doubling up to `max`, with full jitter.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff {
            first,
            max,
            factor: 2.0,
            jitter: Jitter::Full,
            random: random_u64,
            sleep: tokio_sleep,
        }
    }

    /// Grow each nominal delay by this factor (default 2; below 1 counts as 1, so delays
    /// never shrink).
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Spread delays this way (default [`Jitter::Full`]).
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Draw randomness from this function (uniform over `u64`); for deterministic tests.
    pub fn with_random(mut self, random: fn() -> u64) -> Self {
        self.random = random;
        self
    }

    /// Sleep with this function instead of `tokio::time::sleep`; for tests that record or
    /// skip the waits.
    pub fn with_sleep(mut self, sleep: fn(Duration) -> Sleep) -> Self {
        self.sleep = sleep;
        self
    }

    /// The nominal delay before the first retry.
    pub fn first(&self) -> Duration {
        self.first
    }

    /// The largest nominal delay.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// How much each nominal delay grows over the one before.
    pub fn factor(&self) -> f64 {
        self.factor
    }

    /// How delays are spread.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The nominal delay before retry `retry` (1-based; 0 counts as 1), before jitter:
    /// `min(max, first * factor^(retry-1))`.
    pub fn nominal(&self, retry: u32) -> Duration {
        if self.first.is_zero() {
            return Duration::ZERO;
        }
        let exponent = retry.saturating_sub(1).min(1024) as i32;
        // `max` ignores a NaN factor, so `grown` is a number (perhaps infinite).
        let grown = self.first.as_secs_f64() * self.factor.max(1.0).powi(exponent);
        if grown >= self.max.as_secs_f64() {
            return self.max;
        }
        Duration::try_from_secs_f64(grown).unwrap_or(self.max)
    }

    /// The delay before retry `retry` (1-based): the server's `retry_after` when it gave one,
    /// else the nominal delay spread by the jitter.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after,
            None => self.jittered(self.nominal(retry)),
        }
    }

    /// `nominal` spread by this schedule's jitter, for callers whose nominal delay is their
    /// own (a poller's, shaped by the time already waited).
    pub fn jittered(&self, nominal: Duration) -> Duration {
        match self.jitter {
            Jitter::None => nominal,
            Jitter::Full => {
                let nanos = u64::try_from(nominal.as_nanos()).unwrap_or(u64::MAX);
                Duration::from_nanos(scale((self.random)(), nanos))
            }
            Jitter::Spread(fraction) => {
                let fraction = if fraction.is_nan() {
                    0.0
                } else {
                    fraction.clamp(0.0, 1.0)
                };
                // In [0, 1]: the draw's top 53 bits, as many as an f64 holds exactly.
                let unit = ((self.random)() >> 11) as f64 / ((1u64 << 53) - 1) as f64;
                let spread = 1.0 + fraction * (2.0 * unit - 1.0);
                Duration::try_from_secs_f64(nominal.as_secs_f64() * spread).unwrap_or(Duration::MAX)
            }
        }
    }

    /// Sleep for `delay` with this schedule's sleep function.
    pub fn sleep(&self, delay: Duration) -> Sleep {
        (self.sleep)(delay)
    }
}

fn tokio_sleep(delay: Duration) -> Sleep {
    Box::pin(tokio::time::sleep(delay))
}

/// Map a uniform `u64` onto `0..=max`; the 128-bit multiply's bias is below 2^-64 per value.
fn scale(random: u64, max: u64) -> u64 {
    let span = u128::from(max) + 1;
    ((u128::from(random) * span) >> 64) as u64
}

/// A uniform `u64`, for jitter only. Each `RandomState` is keyed afresh (random per thread,
/// then stepped per instance), so hashing nothing with one is a cheap unpredictable u64. This
/// stands in for the `fastrand` crate because a clean build of this crate is measured against
/// another generator's client (BENCHMARKS.md) and jitter needs no more than this.
fn random_u64() -> u64 {
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The longest one wait the server asks for is honoured by default: Deepnote's rate-limit
/// window is 60 seconds, so no honest `Retry-After` is longer than that; the 2 seconds on top
/// cover a whole-second header rounded down and clocks a second apart (an HTTP date, a reset
/// given as a Unix time). Deepnote's own client caps at 60 s.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(62);

/// How long one call may take in all by default, its waits included: five windows of 60 s, the
/// most Deepnote's own client waits out (5 retries of at most 60 s).
pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(300);

/// How the client retries a failed request. `RetryPolicy::default()` is on (7 attempts: a 429
/// that says no wait is retried after 1, 2, 4, 8, 16 and 32 s, as Deepnote's own client does,
/// which covers a whole 60 s window; [`Backoff::default`] for other failures; each wait the
/// server asks for honoured up to [`DEFAULT_MAX_WAIT`]; [`DEFAULT_MAX_ELAPSED`] in all);
/// [`RetryPolicy::none`] is off.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_attempts: u32,
    backoff: Backoff,
    max_elapsed: Duration,
    max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 7,
            backoff: Backoff::default(),
            max_elapsed: DEFAULT_MAX_ELAPSED,
            max_wait: DEFAULT_MAX_WAIT,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Attempts in all, the first included (1 means no retry; 0 counts as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff cap of the first retry (it grows with each retry).
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.backoff.first = backoff;
        self
    }

    /// The largest backoff cap.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.backoff.max = backoff;
        self
    }

    /// The whole schedule of waits between attempts.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The call's deadline: no retry starts after this much time since the call began, and no
    /// wait (not even one the server asked for, nor one for the rate limit's next free slot)
    /// runs past it. A wait it cannot afford ends the call at once: the last answer is
    /// returned, or, when the client itself held the request back, a 429 that says it was
    /// not sent ([`crate::ApiErrorExt::rate_limit`] tells which).
    pub fn with_max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// The longest wait honoured of those the server asks for (`Retry-After`,
    /// `RateLimit-Reset`); a longer one is cut to this (default [`DEFAULT_MAX_WAIT`]).
    pub fn with_max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The longest wait honoured of those the server asks for.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The schedule of waits between attempts.
    pub fn backoff(&self) -> &Backoff {
        &self.backoff
    }

    /// The call's deadline, after which no retry starts and no wait runs.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The wait before retry `retry` (1-based): what the server asked for, capped at
    /// [`RetryPolicy::max_wait`], else the backoff's.
    pub(crate) fn delay(&self, retry: u32, asked: Option<Duration>) -> Duration {
        self.backoff
            .delay(retry, asked.map(|a| a.min(self.max_wait)))
    }
}

tokio::task_local! {
    static OVERRIDE: RetryPolicy;
}

/// Run `call` with every request of this crate's clients made while it runs retried per
/// `policy` rather than per each client's own: `RetryPolicy::none()` for a create that must
/// be sent at most once, or a caller that paces and retries across many requests itself.
/// The innermost override wins. It covers the future `call`, not tasks it spawns.
///
/// ```no_run
/// # async fn f(client: &deepnote_api::Client) -> Result<(), deepnote_api::ApiError> {
/// use deepnote_api::{RetryPolicy, with_retry_policy};
/// let started = with_retry_policy(
///     RetryPolicy::none(),
///     client.create_run().body_map(|b| b.notebook_id("n")).send(),
/// )
/// .await?;
/// # Ok(()) }
/// ```
pub fn with_retry_policy<F: Future>(
    policy: RetryPolicy,
    call: F,
) -> impl Future<Output = F::Output> {
    OVERRIDE.scope(policy, call)
}

/// The policy in force for a request of a client whose own policy is `own`.
pub(crate) fn in_force(own: &RetryPolicy) -> RetryPolicy {
    OVERRIDE.try_with(|p| *p).unwrap_or(*own)
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
        429 => Verdict::Retry(rate_limit_wait(headers)),
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
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let now = SystemTime::now();
    let when = crate::http_date::parse(value, now)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait before retry `retry` (1-based) of a 429 that said no wait: 1 s doubling, as
/// Deepnote's own client waits (a rate limit's window is seconds long, not milliseconds).
pub(crate) fn unsaid_rate_limit_wait(retry: u32) -> Duration {
    Duration::from_secs(1u64 << retry.saturating_sub(1).min(16))
}

/// `RateLimit-Reset`: read as a Unix time (seconds) above this, as seconds to wait below.
/// No window is a day long, and no Unix time since 1970-01-02 is this small.
pub const RESET_EPOCH_ABOVE: u64 = 86_400;

/// The wait a 429 asks for: `Retry-After` (seconds, else an HTTP date), else `RateLimit-Reset`
/// (seconds until the window resets, or a Unix time when larger than a day), as Deepnote's own
/// client reads them. `None` when neither says.
pub(crate) fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    retry_after(headers).or_else(|| rate_limit_reset(headers, SystemTime::now()))
}

/// `RateLimit-Reset` as the time left until the window resets. A value larger than
/// [`RESET_EPOCH_ABOVE`] is a Unix time (one in the past is zero); fractions are allowed.
pub(crate) fn rate_limit_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get("ratelimit-reset")?.to_str().ok()?.trim();
    let seconds: f64 = value
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite() && *s >= 0.0)?;
    if seconds > RESET_EPOCH_ABOVE as f64 {
        let at = SystemTime::UNIX_EPOCH + Duration::try_from_secs_f64(seconds).ok()?;
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    Duration::try_from_secs_f64(seconds).ok()
}

/// A whole-number header (`RateLimit-Limit`, `RateLimit-Remaining`).
pub(crate) fn count_header(headers: &HeaderMap, name: &str) -> Option<u64> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    // A structured-field form (`10;w=60`) names the count first.
    value.split([';', ',']).next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn rate_limit_reset_reads_seconds_and_unix_times() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let reset = |v: &str| rate_limit_reset(&with("ratelimit-reset", v), now);
        assert_eq!(reset("40"), Some(Duration::from_secs(40)));
        assert_eq!(reset("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            reset("86400"),
            Some(Duration::from_secs(86_400)),
            "a day: seconds"
        );
        assert_eq!(
            reset("1800000038"),
            Some(Duration::from_secs(38)),
            "a Unix time"
        );
        assert_eq!(
            reset("1700000000"),
            Some(Duration::ZERO),
            "a Unix time gone by"
        );
        for bad in ["-3", "soon", "", "NaN", "inf"] {
            assert_eq!(reset(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_429_waits_as_retry_after_says_else_as_rate_limit_reset() {
        let mut both = with("ratelimit-reset", "40");
        both.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(rate_limit_wait(&both), Some(Duration::from_secs(3)));
        let reset = with("ratelimit-reset", "40");
        assert_eq!(rate_limit_wait(&reset), Some(Duration::from_secs(40)));
        assert_eq!(
            judge_status(StatusCode::TOO_MANY_REQUESTS, &reset, false),
            Verdict::Retry(Some(Duration::from_secs(40)))
        );
        assert_eq!(
            judge_status(StatusCode::SERVICE_UNAVAILABLE, &reset, true),
            Verdict::Retry(None),
            "the reset speaks of the rate limit only"
        );
        assert_eq!(
            count_header(&with("ratelimit-limit", "20"), "ratelimit-limit"),
            Some(20)
        );
        assert_eq!(
            count_header(&with("ratelimit-limit", "20;w=60"), "ratelimit-limit"),
            Some(20)
        );
    }

    #[test]
    fn a_wait_the_server_asks_for_is_capped_per_wait() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_wait(), DEFAULT_MAX_WAIT);
        assert!(
            p.max_wait() >= Duration::from_secs(60),
            "a whole 60 s window"
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(40))),
            Duration::from_secs(40)
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(600))), DEFAULT_MAX_WAIT);
        let short = p.with_max_wait(Duration::from_secs(5));
        assert_eq!(
            short.delay(1, Some(Duration::from_secs(40))),
            Duration::from_secs(5)
        );
    }

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

    fn lowest() -> u64 {
        0
    }

    fn highest() -> u64 {
        u64::MAX
    }

    fn middle() -> u64 {
        1 << 63
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn backoff_grows_to_its_cap() {
        let b = Backoff::new(100 * MS, 400 * MS).with_jitter(Jitter::None);
        let caps: Vec<_> = (1..=5).map(|n| b.nominal(n)).collect();
        assert_eq!(caps, [100 * MS, 200 * MS, 400 * MS, 400 * MS, 400 * MS]);
        assert_eq!(b.nominal(0), 100 * MS, "0 counts as the first retry");
        assert_eq!(b.nominal(u32::MAX), 400 * MS, "no overflow far out");
        assert_eq!(b.delay(3, None), 400 * MS);
        let slow = b.with_factor(1.5);
        assert_eq!(slow.nominal(2), 150 * MS);
        assert_eq!(slow.nominal(3), 225 * MS);
        assert_eq!(b.with_factor(0.5).nominal(4), 100 * MS, "never shrinks");
        assert_eq!(b.with_factor(f64::NAN).nominal(4), 100 * MS);
        assert_eq!(b.with_factor(f64::INFINITY).nominal(2), 400 * MS);
        let zero = Backoff::new(Duration::ZERO, 400 * MS).with_factor(f64::INFINITY);
        assert_eq!(zero.nominal(9), Duration::ZERO);
        let inverted = Backoff::new(900 * MS, 400 * MS).with_jitter(Jitter::None);
        assert_eq!(
            inverted.nominal(1),
            400 * MS,
            "the cap holds from the start"
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_cap() {
        let b = Backoff::new(100 * MS, 400 * MS);
        assert_eq!(b.jitter(), Jitter::Full, "full jitter is the default");
        for retry in 1..=5 {
            let cap = b.nominal(retry);
            assert_eq!(b.with_random(lowest).delay(retry, None), Duration::ZERO);
            assert_eq!(b.with_random(highest).delay(retry, None), cap);
            let mid = b.with_random(middle).delay(retry, None);
            assert!(mid.abs_diff(cap / 2) <= Duration::from_nanos(1), "{mid:?}");
        }
        // With the real source: always within bounds, and both ends of the range occur.
        for retry in 1..=40 {
            for _ in 0..50 {
                assert!(b.delay(retry, None) <= b.nominal(retry));
            }
        }
        let draws: Vec<_> = (0..200).map(|_| b.delay(3, None)).collect();
        assert!(draws.iter().any(|d| *d < 100 * MS));
        assert!(draws.iter().any(|d| *d > 300 * MS));
    }

    #[test]
    fn spread_jitter_stays_near_the_nominal_delay() {
        let b = Backoff::new(200 * MS, 30_000 * MS).with_jitter(Jitter::Spread(0.1));
        assert_eq!(b.with_random(lowest).delay(1, None), 180 * MS);
        assert_eq!(b.with_random(highest).delay(1, None), 220 * MS);
        assert_eq!(b.with_random(middle).delayed_ms(1), 200);
        assert_eq!(b.with_random(highest).jittered(1000 * MS), 1100 * MS);
        let wild = b.with_jitter(Jitter::Spread(7.0)).with_random(lowest);
        assert_eq!(
            wild.delay(1, None),
            Duration::ZERO,
            "the fraction is clamped to 1"
        );
        let nan = b.with_jitter(Jitter::Spread(f64::NAN)).with_random(highest);
        assert_eq!(nan.delay(1, None), 200 * MS);
    }

    impl Backoff {
        fn delayed_ms(&self, retry: u32) -> u128 {
            self.delay(retry, None).as_millis()
        }
    }

    #[test]
    fn retry_after_wins_over_the_schedule() {
        let b = Backoff::new(100 * MS, 400 * MS).with_random(highest);
        assert_eq!(b.delay(1, Some(7000 * MS)), 7000 * MS, "not capped");
        assert_eq!(b.delay(5, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(b.delay(5, None), 400 * MS);
    }

    static SLEPT: std::sync::Mutex<Vec<Duration>> = std::sync::Mutex::new(Vec::new());

    fn record(delay: Duration) -> Sleep {
        SLEPT.lock().unwrap().push(delay);
        Box::pin(std::future::ready(()))
    }

    #[test]
    fn the_sleep_is_injectable() {
        let b = Backoff::default().with_sleep(record);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut sleep = b.sleep(Duration::from_secs(3600));
        assert!(
            sleep.as_mut().poll(&mut cx).is_ready(),
            "no real hour passes"
        );
        assert_eq!(*SLEPT.lock().unwrap(), [Duration::from_secs(3600)]);
        assert_ne!(b, Backoff::default(), "another sleep is another schedule");
        assert_eq!(b, Backoff::default().with_sleep(record));
    }

    #[test]
    fn policy_setters_and_getters_agree() {
        let p = RetryPolicy::default()
            .with_max_attempts(7)
            .with_initial_backoff(MS)
            .with_max_backoff(3 * MS)
            .with_max_elapsed(9 * MS);
        assert_eq!(p.max_attempts(), 7);
        assert_eq!((p.backoff().first(), p.backoff().max()), (MS, 3 * MS));
        assert_eq!(p.max_elapsed(), 9 * MS);
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(
            RetryPolicy::default().with_max_attempts(0).max_attempts(),
            1
        );
        assert_eq!(RetryPolicy::default().backoff(), &Backoff::default());
        let b = Backoff::new(MS, MS).with_jitter(Jitter::None);
        assert_eq!(p.with_backoff(b).backoff(), &b);
    }

    #[tokio::test]
    async fn the_innermost_override_is_in_force() {
        let own = RetryPolicy::default();
        assert_eq!(in_force(&own), own);
        let three = RetryPolicy::default().with_max_attempts(3);
        let seen = with_retry_policy(three, async {
            let outer = in_force(&own);
            let inner = with_retry_policy(RetryPolicy::none(), async { in_force(&own) }).await;
            (outer, inner, in_force(&own))
        })
        .await;
        assert_eq!(seen, (three, RetryPolicy::none(), three));
        assert_eq!(in_force(&own), own, "the override ends with its call");
    }

    #[test]
    fn scale_stays_in_range_and_spreads() {
        for max in [0, 1, 2, 1000, u64::MAX] {
            for _ in 0..200 {
                assert!(scale(random_u64(), max) <= max);
            }
            assert_eq!(scale(u64::MAX, max), max);
            assert_eq!(scale(0, max), 0);
        }
        // Ten buckets of 0..=9 over 10,000 draws: each expects 1,000; a fair source falls
        // outside 700..1300 with a probability far below 1e-20.
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[scale(random_u64(), 9) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|n| (700..1300).contains(n)),
            "{buckets:?}"
        );
    }
}
