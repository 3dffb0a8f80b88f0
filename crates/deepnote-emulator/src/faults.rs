//! Injected faults: rate limits, server errors, connection resets and latency.
//!
//! Rate limits and server errors are decided before the handler runs, so a request answered
//! 429 or 5xx by a fault changed nothing. A reset is decided after the handler committed: the
//! client sees half a response and a dropped connection, but the request fully happened. The
//! journal says which was which.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A rate limit per API key, as the service limits each workspace token: `requests` per
/// `window` of wall-clock time, fixed (counted from the key's first request of the window) or
/// sliding (the last `window` of time). Every answer to a limited key carries the headers
/// `headers` switches on; a 429 answers the request past the limit, before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length in wall-clock milliseconds.
    #[serde(rename = "windowMs", with = "crate::codec::duration_ms")]
    pub window: Duration,
    /// A sliding window (the last `window` of time) rather than a fixed one.
    #[serde(default)]
    pub sliding: bool,
    /// Which rate-limit headers the answers carry, and in which form.
    #[serde(default)]
    pub headers: RateLimitHeaders,
}

impl RateLimit {
    /// `requests` per fixed `window`, with every header in its usual form.
    pub fn new(requests: u32, window: Duration) -> Self {
        RateLimit {
            requests,
            window,
            sliding: false,
            headers: RateLimitHeaders::default(),
        }
    }
}

/// The rate-limit headers of the answers, each switchable so a client can be tested on each
/// alone. All on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RateLimitHeaders {
    /// `Retry-After` on a 429.
    pub retry_after: RetryAfterForm,
    /// `RateLimit-Reset` on every answer: when the window frees a request.
    pub reset: ResetForm,
    /// `RateLimit-Limit` and `RateLimit-Remaining` on every answer.
    pub limit: bool,
}

impl Default for RateLimitHeaders {
    fn default() -> Self {
        RateLimitHeaders {
            retry_after: RetryAfterForm::Seconds,
            reset: ResetForm::Seconds,
            limit: true,
        }
    }
}

impl RateLimitHeaders {
    /// None of the headers: a bare 429.
    pub fn none() -> Self {
        RateLimitHeaders {
            retry_after: RetryAfterForm::Off,
            reset: ResetForm::Off,
            limit: false,
        }
    }

    /// Read a comma-separated list: `retry-after`, `retry-after-date`, `reset`,
    /// `reset-epoch`, `limit`, or `none` (the command line's `--rate-limit-headers`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut h = RateLimitHeaders::none();
        for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match item {
                "retry-after" => h.retry_after = RetryAfterForm::Seconds,
                "retry-after-date" => h.retry_after = RetryAfterForm::Date,
                "reset" => h.reset = ResetForm::Seconds,
                "reset-epoch" => h.reset = ResetForm::Epoch,
                "limit" => h.limit = true,
                "none" => {}
                other => {
                    return Err(format!(
                        "unknown rate-limit header {other:?} (retry-after, retry-after-date, \
                         reset, reset-epoch, limit, none)"
                    ));
                }
            }
        }
        Ok(h)
    }
}

/// How a 429's `Retry-After` says the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RetryAfterForm {
    /// Whole seconds, rounded up.
    Seconds,
    /// An HTTP date (IMF-fixdate), rounded up to the second.
    Date,
    /// Not sent.
    Off,
}

/// How `RateLimit-Reset` says when the window frees a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ResetForm {
    /// Whole seconds from now, rounded up.
    Seconds,
    /// A Unix time in whole seconds, rounded up.
    Epoch,
    /// Not sent.
    Off,
}

/// What the rate limit says of one answer: the limit, what is left of it, when the window
/// frees a request, and which headers say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateAnswer {
    pub limit: u32,
    pub remaining: u32,
    pub reset: Duration,
    pub headers: RateLimitHeaders,
}

impl RateAnswer {
    /// The headers this answer carries; `Retry-After` only on a 429 (`refused`).
    pub(crate) fn headers(&self, refused: bool) -> Vec<(&'static str, String)> {
        let secs = self.reset.as_millis().div_ceil(1000) as u64;
        let at = SystemTime::now() + self.reset;
        let epoch = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .div_ceil(1000) as u64;
        let mut out = Vec::new();
        if refused {
            match self.headers.retry_after {
                RetryAfterForm::Seconds => out.push(("retry-after", secs.max(1).to_string())),
                RetryAfterForm::Date => {
                    let when =
                        chrono::DateTime::from_timestamp(epoch as i64, 0).unwrap_or_default();
                    out.push((
                        "retry-after",
                        when.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
                    ));
                }
                RetryAfterForm::Off => {}
            }
        }
        if self.headers.limit {
            out.push(("ratelimit-limit", self.limit.to_string()));
            out.push(("ratelimit-remaining", self.remaining.to_string()));
        }
        match self.headers.reset {
            ResetForm::Seconds => out.push(("ratelimit-reset", secs.to_string())),
            ResetForm::Epoch => out.push(("ratelimit-reset", epoch.to_string())),
            ResetForm::Off => {}
        }
        out
    }
}

/// The faults to inject into API requests (`/v1`, `/v2`; never the control API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Answer 429 past this many requests per window, per API key.
    pub rate_limit: Option<RateLimit>,
    /// Share of requests (0.0..=1.0) answered with a server error before the handler runs.
    pub error_rate: f64,
    /// The statuses server errors are drawn from (default 500, 502, 503).
    pub error_statuses: Vec<u16>,
    /// Share of requests (0.0..=1.0) whose connection is reset after the handler ran.
    pub reset_rate: f64,
    /// Where a reset cuts: `false` (default) drops the connection before any byte of the
    /// answer; `true` sends the status, headers and half the body first.
    pub reset_mid_body: bool,
    /// Added before a request, in wall-clock milliseconds.
    #[serde(rename = "latencyMs", with = "crate::codec::duration_ms")]
    pub latency: Duration,
    /// Share of requests (0.0..=1.0) that get `latency` (default 1.0: every one). A slow
    /// minority is what a real network looks like; a uniform delay hides ordering bugs.
    pub latency_rate: f64,
    /// Seed of the fault dice; the same seed gives the same faults for the same requests.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate_limit: None,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            reset_rate: 0.0,
            reset_mid_body: false,
            latency: Duration::ZERO,
            latency_rate: 1.0,
            seed: None,
        }
    }
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Self {
        Faults::default()
    }

    /// True if no fault can fire.
    pub fn is_quiet(&self) -> bool {
        self.rate_limit.is_none()
            && self.error_rate <= 0.0
            && self.reset_rate <= 0.0
            && (self.latency.is_zero() || self.latency_rate <= 0.0)
    }

    /// Refuse rates outside 0..=1, statuses that are not 5xx, and an empty window.
    pub fn validate(&self) -> Result<(), String> {
        for (name, r) in [
            ("errorRate", self.error_rate),
            ("resetRate", self.reset_rate),
            ("latencyRate", self.latency_rate),
        ] {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("{name} must be between 0 and 1"));
            }
        }
        if self.error_statuses.iter().any(|s| !(500..=599).contains(s)) {
            return Err("errorStatuses must be 5xx".into());
        }
        if self.error_rate > 0.0 && self.error_statuses.is_empty() {
            return Err("errorStatuses is empty".into());
        }
        if let Some(rl) = self.rate_limit
            && rl.window.is_zero()
        {
            return Err("rateLimit.windowMs must be positive".into());
        }
        Ok(())
    }
}

/// What the dice decided for one request, before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Let it through; reset the connection afterwards if `reset`.
    Pass {
        /// Reset the connection after the handler ran.
        reset: bool,
        /// The rate limit's headers for the answer, when one is set.
        rate: Option<RateAnswer>,
    },
    /// Answer 429 with these headers.
    RateLimited(RateAnswer),
    /// Answer with this 5xx status.
    ServerError(u16),
}

#[derive(Debug)]
struct Dice {
    faults: Faults,
    rng: fastrand::Rng,
    /// Each API key's window (keyed by a hash of its `Authorization` header).
    windows: HashMap<u64, Window>,
}

/// One key's use of its rate limit.
#[derive(Debug, Default)]
struct Window {
    /// A fixed window's start, and how many it took since.
    start: Option<Instant>,
    count: u32,
    /// A sliding window's requests taken, oldest first.
    taken: VecDeque<Instant>,
}

impl Window {
    /// Take one request if the limit allows; either way, what the answer says of the limit.
    fn take(&mut self, rl: &RateLimit, now: Instant) -> Result<RateAnswer, RateAnswer> {
        let answer = |remaining: u32, reset: Duration| RateAnswer {
            limit: rl.requests,
            remaining,
            reset,
            headers: rl.headers,
        };
        if rl.sliding {
            while self
                .taken
                .front()
                .is_some_and(|t| now.duration_since(*t) >= rl.window)
            {
                self.taken.pop_front();
            }
            let frees = |taken: &VecDeque<Instant>| {
                taken.front().map_or(rl.window, |t| {
                    (*t + rl.window).saturating_duration_since(now)
                })
            };
            let used = u32::try_from(self.taken.len()).unwrap_or(u32::MAX);
            if used >= rl.requests {
                return Err(answer(0, frees(&self.taken)));
            }
            self.taken.push_back(now);
            return Ok(answer(rl.requests - used - 1, frees(&self.taken)));
        }
        let start = match self.start {
            Some(s) if now.duration_since(s) < rl.window => s,
            _ => {
                self.count = 0;
                *self.start.insert(now)
            }
        };
        let reset = rl.window.saturating_sub(now.duration_since(start));
        if self.count >= rl.requests {
            return Err(answer(0, reset));
        }
        self.count += 1;
        Ok(answer(rl.requests - self.count, reset))
    }
}

/// The current faults and their dice.
#[derive(Debug)]
pub(crate) struct FaultState {
    inner: Mutex<Dice>,
}

impl FaultState {
    /// Start with these faults.
    pub fn new(faults: Faults) -> Self {
        FaultState {
            inner: Mutex::new(Self::dice(faults)),
        }
    }

    fn dice(faults: Faults) -> Dice {
        let rng = faults
            .seed
            .map(fastrand::Rng::with_seed)
            .unwrap_or_default();
        Dice {
            faults,
            rng,
            windows: HashMap::new(),
        }
    }

    /// Replace the faults (the dice restart from the seed, the rate window from now).
    pub fn set(&self, faults: Faults) {
        *self.inner.lock().expect("faults lock") = Self::dice(faults);
    }

    /// The current faults.
    pub fn get(&self) -> Faults {
        self.inner.lock().expect("faults lock").faults.clone()
    }

    /// Whether resets cut mid-body.
    pub fn reset_mid_body(&self) -> bool {
        self.inner
            .lock()
            .expect("faults lock")
            .faults
            .reset_mid_body
    }

    /// Roll the dice for one request of the key whose `Authorization` header hashes to `key`;
    /// returns the latency to add too.
    pub fn decide(&self, key: u64) -> (Decision, Duration) {
        let mut d = self.inner.lock().expect("faults lock");
        if d.faults.is_quiet() {
            return (
                Decision::Pass {
                    reset: false,
                    rate: None,
                },
                Duration::ZERO,
            );
        }
        let latency_rate = d.faults.latency_rate;
        // Drawn only for a partial share, so a seed gives the same faults as it did before
        // the share existed.
        let slow = latency_rate >= 1.0 || (latency_rate > 0.0 && d.rng.f64() < latency_rate);
        let latency = if slow {
            d.faults.latency
        } else {
            Duration::ZERO
        };
        let mut rate = None;
        if let Some(rl) = d.faults.rate_limit {
            match d.windows.entry(key).or_default().take(&rl, Instant::now()) {
                Ok(answer) => rate = Some(answer),
                Err(refused) => return (Decision::RateLimited(refused), latency),
            }
        }
        let error_rate = d.faults.error_rate;
        if error_rate > 0.0 && d.rng.f64() < error_rate {
            let n = d.faults.error_statuses.len();
            let pick = d.rng.usize(..n);
            let status = d.faults.error_statuses[pick];
            return (Decision::ServerError(status), latency);
        }
        let reset_rate = d.faults.reset_rate;
        let reset = reset_rate > 0.0 && d.rng.f64() < reset_rate;
        (Decision::Pass { reset, rate }, latency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_fixed_window_counts_from_its_first_request_and_says_when_it_resets() {
        let rl = RateLimit::new(2, 1000 * MS);
        let mut w = Window::default();
        let t0 = Instant::now();
        let a = w.take(&rl, t0).unwrap();
        assert_eq!((a.limit, a.remaining, a.reset), (2, 1, 1000 * MS));
        let b = w.take(&rl, t0 + 100 * MS).unwrap();
        assert_eq!((b.remaining, b.reset), (0, 900 * MS));
        let refused = w.take(&rl, t0 + 400 * MS).unwrap_err();
        assert_eq!((refused.remaining, refused.reset), (0, 600 * MS));
        let next = w.take(&rl, t0 + 1000 * MS).unwrap();
        assert_eq!((next.remaining, next.reset), (1, 1000 * MS), "a new window");
    }

    #[test]
    fn a_sliding_window_frees_a_request_as_the_oldest_leaves_it() {
        let rl = RateLimit {
            sliding: true,
            ..RateLimit::new(2, 1000 * MS)
        };
        let mut w = Window::default();
        let t0 = Instant::now();
        w.take(&rl, t0).unwrap();
        w.take(&rl, t0 + 600 * MS).unwrap();
        let refused = w.take(&rl, t0 + 800 * MS).unwrap_err();
        assert_eq!(refused.reset, 200 * MS, "the first leaves at 1000 ms");
        let ok = w.take(&rl, t0 + 1000 * MS).unwrap();
        assert_eq!((ok.remaining, ok.reset), (0, 600 * MS));
        assert!(
            w.take(&rl, t0 + 1500 * MS).is_err(),
            "two in the last second"
        );
    }

    #[test]
    fn each_header_is_switchable_and_each_form_is_right() {
        let answer = |headers| RateAnswer {
            limit: 60,
            remaining: 0,
            reset: 38_200 * MS,
            headers,
        };
        let names =
            |h: Vec<(&'static str, String)>| h.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        let all = answer(RateLimitHeaders::default());
        assert_eq!(
            names(all.headers(true)),
            [
                "retry-after",
                "ratelimit-limit",
                "ratelimit-remaining",
                "ratelimit-reset"
            ]
        );
        assert_eq!(all.headers(true)[0].1, "39", "rounded up");
        assert!(
            !names(all.headers(false)).contains(&"retry-after"),
            "only on a 429"
        );
        for (list, only) in [
            ("retry-after", vec!["retry-after"]),
            ("reset", vec!["ratelimit-reset"]),
            ("limit", vec!["ratelimit-limit", "ratelimit-remaining"]),
            ("none", vec![]),
        ] {
            let h = RateLimitHeaders::parse(list).unwrap();
            assert_eq!(names(answer(h).headers(true)), only, "{list}");
        }
        let date = answer(RateLimitHeaders::parse("retry-after-date").unwrap()).headers(true);
        assert!(date[0].1.ends_with(" GMT"), "{date:?}");
        let epoch = answer(RateLimitHeaders::parse("reset-epoch").unwrap()).headers(true);
        let at: u64 = epoch[0].1.parse().unwrap();
        assert!(at > 1_700_000_000, "{epoch:?}");
        assert!(RateLimitHeaders::parse("ratelimit").is_err());
    }

    #[test]
    fn each_key_has_its_own_window() {
        let faults = FaultState::new(Faults {
            rate_limit: Some(RateLimit::new(1, Duration::from_secs(60))),
            ..Faults::default()
        });
        assert!(matches!(faults.decide(1).0, Decision::Pass { .. }));
        assert!(matches!(faults.decide(1).0, Decision::RateLimited(_)));
        assert!(
            matches!(faults.decide(2).0, Decision::Pass { .. }),
            "another key"
        );
    }
}
