//! One pace for every request of a client and its clones, so that a rate limit one call meets
//! slows the others instead of each discovering it on its own.
//!
//! The pace is learned from what the server says. When its answers carry
//! `RateLimit-Remaining` and `RateLimit-Reset`, the requests left are spread evenly over the
//! time left in the window (`reset / remaining` apart), and none is sent while the window is
//! spent. Without those headers the pace is learned from the 429s: a 429 pauses every request
//! until the wait it asked for is over, and from then on requests go `window / taken` apart,
//! where `taken` is how many the server took before it refused and `window` the time from the
//! first of them to the end of the pause (the reset, when the server said when that is).
//! Spending the budget evenly rather than in bursts meets at most one 429 per window.

use crate::retry::{count_header, rate_limit_reset};
use reqwest::header::HeaderMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// A wait for the server's rate limit that is about to begin, as reported to the function
/// given to [`ClientBuilder::on_rate_limit_wait`](crate::ClientBuilder::on_rate_limit_wait).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitWait {
    /// How long the wait will last.
    pub wait: Duration,
}

/// What is told of each rate-limit wait: a progress line, a log, a metric.
pub(crate) type Observer = Arc<dyn Fn(&RateLimitWait) + Send + Sync>;

/// Waits shorter than this are pacing, not worth telling anyone about.
const REPORT_FROM: Duration = Duration::from_secs(1);
/// Room kept under the rate the server took before it refused.
const HEADROOM: f64 = 0.98;
/// A 429 within this of the last one is the same burst meeting the same limit.
const SAME_BURST: Duration = Duration::from_millis(500);
/// Without headers, after this long (or a learned window, if longer) without a 429, requests
/// go 1% faster, to find room that opened up.
const PROBE_AFTER: Duration = Duration::from_secs(10);

/// The pace of one client (shared by its clones through an `Arc`).
#[derive(Default)]
pub(crate) struct Pacer {
    state: Mutex<State>,
    observer: Option<Observer>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("observed", &self.observer.is_some())
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    /// No request starts before this: the window is spent.
    paused_until: Option<Instant>,
    /// The next free slot when requests are spaced.
    next_slot: Option<Instant>,
    /// The time between requests, once the server's limit is known.
    spacing: Option<Duration>,
    /// Whether the spacing came from the headers (exact) rather than from the 429s (learned).
    from_headers: bool,
    /// Requests the server took since the last pause ended, and when the first was sent.
    taken: u32,
    first_taken: Option<Instant>,
    /// The window learned from the 429s.
    window: Option<Duration>,
    last_refusal: Option<Instant>,
    last_probe: Option<Instant>,
    /// The end of the last pause reported to the observer.
    reported: Option<Instant>,
}

/// Poison is survived: the state is a pace, and a stale one is still a pace.
fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pacer {
    /// A pacer that tells `observer` of each rate-limit wait as it begins.
    pub(crate) fn observed(observer: Option<Observer>) -> Self {
        Pacer {
            state: Mutex::default(),
            observer,
        }
    }

    /// Take the next free slot if it comes within `left`, and say how long to wait for it;
    /// else take nothing and say how long the wait would have been.
    pub(crate) fn slot(&self, left: Duration) -> Result<Duration, Duration> {
        let now = Instant::now();
        let (wait, report) = {
            let mut s = lock(&self.state);
            let mut at = now;
            if let Some(p) = s.paused_until {
                at = at.max(p);
            }
            if let (Some(_), Some(slot)) = (s.spacing, s.next_slot) {
                at = at.max(slot);
            }
            let wait = at - now;
            if wait > left {
                return Err(wait);
            }
            if let Some(spacing) = s.spacing {
                s.next_slot = Some(at + spacing);
            }
            // Each pause is told once, by the first request that meets it.
            let pause = s.paused_until.filter(|p| *p > now);
            let report = match pause {
                Some(p) if wait >= REPORT_FROM && s.reported.is_none_or(|r| r < p) => {
                    s.reported = Some(p);
                    true
                }
                _ => false,
            };
            (wait, report)
        };
        if report {
            tracing::info!(
                wait_s = wait.as_secs_f64().round() as u64,
                "rate limited by Deepnote: waiting"
            );
            if let Some(observer) = &self.observer {
                observer(&RateLimitWait { wait });
            }
        }
        Ok(wait)
    }

    /// The server answered a request sent at `sent` with something other than a 429.
    pub(crate) fn answered(&self, sent: Instant, headers: &HeaderMap) {
        let now = Instant::now();
        let mut s = lock(&self.state);
        s.taken = s.taken.saturating_add(1);
        s.first_taken.get_or_insert(sent);
        s.learn_from_headers(now, headers);
        if !s.from_headers
            && let Some(spacing) = s.spacing
        {
            let quiet_since = s.last_refusal.max(s.last_probe);
            let probe_after = s.window.map_or(PROBE_AFTER, |w| w.max(PROBE_AFTER));
            if quiet_since.is_some_and(|q| now.duration_since(q) >= probe_after) {
                s.spacing = Some(spacing.mul_f64(0.99));
                s.last_probe = Some(now);
            }
        }
    }

    /// The server refused a request (429); no request starts for `wait`.
    pub(crate) fn refused(&self, wait: Duration, headers: &HeaderMap) {
        let now = Instant::now();
        let mut s = lock(&self.state);
        let until = now + wait;
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
        s.learn_from_headers(now, headers);
        // The requests in flight meet the same limit at once: one lesson per burst.
        if s.last_refusal
            .is_some_and(|r| now.duration_since(r) < SAME_BURST)
        {
            return;
        }
        s.last_refusal = Some(now);
        if !s.from_headers {
            s.learn_from_refusal(until);
        }
        s.taken = 0;
        s.first_taken = None;
    }
}

impl State {
    /// Spread what is left of the window over the time left in it, when the answer says both.
    fn learn_from_headers(&mut self, now: Instant, headers: &HeaderMap) {
        let remaining = count_header(headers, "ratelimit-remaining");
        let reset = rate_limit_reset(headers, SystemTime::now());
        let limit = count_header(headers, "ratelimit-limit");
        let spacing = match (remaining, reset, limit) {
            (Some(0), Some(reset), _) => {
                let until = now + reset;
                self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
                return;
            }
            (Some(left), Some(reset), _) => reset / u32::try_from(left).unwrap_or(u32::MAX),
            // A limit alone, with the window the 429s showed.
            (None, None, Some(limit)) if limit > 0 => match self.window {
                Some(w) => w / u32::try_from(limit).unwrap_or(u32::MAX),
                None => return,
            },
            _ => return,
        };
        self.spacing = Some(spacing);
        self.from_headers = true;
    }

    /// Without headers: the server took `taken` requests from `first_taken` until it refused,
    /// and the window frees again at `until`: space requests to fit that many in that long.
    fn learn_from_refusal(&mut self, until: Instant) {
        let Some(first) = self.first_taken else {
            return;
        };
        if self.taken == 0 {
            return;
        }
        let window = until.duration_since(first);
        if window.is_zero() {
            return;
        }
        self.window = Some(window);
        let learned = (window / self.taken).div_f64(HEADROOM);
        self.spacing = Some(match self.spacing {
            // Refused even at this pace: slow down from there.
            Some(old) if old >= learned => old.mul_f64(1.1),
            _ => learned,
        });
        tracing::debug!(
            taken = self.taken,
            window_ms = window.as_millis() as u64,
            "rate limited: pacing requests"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    const FOREVER: Duration = Duration::from_secs(3600);

    async fn take(pacer: &Pacer) -> Instant {
        let wait = pacer.slot(FOREVER).unwrap();
        tokio::time::sleep(wait).await;
        Instant::now()
    }

    #[tokio::test(start_paused = true)]
    async fn without_headers_a_burst_then_a_429_spreads_the_next_window_evenly() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        for _ in 0..20 {
            let sent = take(&pacer).await;
            assert_eq!(sent, t0, "no pace before the limit is known");
            pacer.answered(sent, &HeaderMap::new());
        }
        tokio::time::advance(Duration::from_millis(100)).await;
        let none = HeaderMap::new();
        pacer.refused(Duration::from_secs(60), &none);
        pacer.refused(Duration::from_secs(60), &none);
        let mut sent = Vec::new();
        for _ in 0..20 {
            let at = take(&pacer).await;
            pacer.answered(at, &none);
            sent.push(at - t0);
        }
        assert!(sent[0] >= Duration::from_millis(60_100), "{:?}", sent[0]);
        // 20 a window of 60 s: 3 s apart (a little more, for headroom), never a burst.
        let gaps: Vec<_> = sent.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            gaps.iter().all(|g| *g >= Duration::from_secs(3)),
            "{gaps:?}"
        );
        assert!(
            gaps.iter().all(|g| *g < Duration::from_millis(3200)),
            "{gaps:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn headers_spread_the_remaining_requests_over_the_time_left() {
        let pacer = Pacer::default();
        let t0 = take(&pacer).await;
        pacer.answered(
            t0,
            &headers(&[("ratelimit-remaining", "10"), ("ratelimit-reset", "30")]),
        );
        let second = take(&pacer).await;
        let third = take(&pacer).await;
        assert_eq!(second - t0, Duration::ZERO, "the first slot is free");
        assert_eq!(third - second, Duration::from_secs(3));
        // The window spent: nobody goes until it resets, and the first to wait says so.
        pacer.answered(
            third,
            &headers(&[("ratelimit-remaining", "0"), ("ratelimit-reset", "20")]),
        );
        let after = take(&pacer).await;
        assert!(
            after - third >= Duration::from_secs(20),
            "{:?}",
            after - third
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_the_deadline_cannot_afford_takes_no_slot() {
        let pacer = Pacer::default();
        pacer.refused(Duration::from_secs(40), &HeaderMap::new());
        assert_eq!(
            pacer.slot(Duration::from_secs(5)),
            Err(Duration::from_secs(40))
        );
        assert_eq!(
            pacer.slot(Duration::from_secs(50)),
            Ok(Duration::from_secs(40))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn each_pause_is_told_once() {
        let told = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = told.clone();
        let pacer = Pacer::observed(Some(Arc::new(move |w: &RateLimitWait| {
            sink.lock().unwrap().push(w.wait)
        })));
        pacer.refused(Duration::from_secs(38), &HeaderMap::new());
        let _ = pacer.slot(FOREVER);
        let _ = pacer.slot(FOREVER);
        assert_eq!(*told.lock().unwrap(), [Duration::from_secs(38)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_at_the_pace_slows_down_further() {
        let pacer = Pacer::default();
        let none = HeaderMap::new();
        for _ in 0..10 {
            let sent = take(&pacer).await;
            pacer.answered(sent, &none);
        }
        pacer.refused(Duration::from_secs(1), &none);
        let first = lock(&pacer.state).spacing.unwrap();
        for _ in 0..5 {
            let sent = take(&pacer).await;
            pacer.answered(sent, &none);
        }
        pacer.refused(Duration::from_millis(10), &none);
        let second = lock(&pacer.state).spacing.unwrap();
        assert!(second > first, "{first:?} then {second:?}");
    }
}
