//! Injected faults: rate limits, server errors, connection resets and latency.
//!
//! Rate limits and server errors are decided before the handler runs, so a request answered
//! 429 or 5xx by a fault changed nothing. A reset is decided after the handler committed: the
//! client sees half a response and a dropped connection, but the request fully happened. The
//! journal says which was which.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A fixed-window rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Window length in wall-clock milliseconds.
    #[serde(rename = "windowMs", with = "crate::codec::duration_ms")]
    pub window: Duration,
}

/// The faults to inject into API requests (`/v1`, `/v2`; never the control API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Answer 429 with `Retry-After` past this many requests per window.
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
    },
    /// Answer 429, retry after this many seconds.
    RateLimited(u64),
    /// Answer with this 5xx status.
    ServerError(u16),
}

#[derive(Debug)]
struct Dice {
    faults: Faults,
    rng: fastrand::Rng,
    window_start: Instant,
    window_count: u32,
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
            window_start: Instant::now(),
            window_count: 0,
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

    /// Roll the dice for one request; returns the latency to add too.
    pub fn decide(&self) -> (Decision, Duration) {
        let mut d = self.inner.lock().expect("faults lock");
        if d.faults.is_quiet() {
            return (Decision::Pass { reset: false }, Duration::ZERO);
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
        if let Some(rl) = d.faults.rate_limit {
            let now = Instant::now();
            if now.duration_since(d.window_start) >= rl.window {
                d.window_start = now;
                d.window_count = 0;
            }
            if d.window_count >= rl.requests {
                let left = rl.window.saturating_sub(now.duration_since(d.window_start));
                let secs = left.as_millis().div_ceil(1000).max(1) as u64;
                return (Decision::RateLimited(secs), latency);
            }
            d.window_count += 1;
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
        (Decision::Pass { reset }, latency)
    }
}
