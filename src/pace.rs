//! One pace for every request of a client and its clones, so that a rate limit one call meets
//! slows the others instead of each discovering it on its own.
//!
//! The pace is learned from what the server says. When its answers carry
//! `RateLimit-Remaining` and `RateLimit-Reset`, the requests left are spread evenly over the
//! time left in the window (`reset / (remaining + 1)` apart, the next window's first being the
//! `+ 1`), and none is sent while the window is spent. Without those headers the pace is
//! learned from the 429s: a 429 pauses every request until the wait it asked for is over,
//! and from then on requests go `window / taken` apart,
//! where `taken` is how many the server took before it refused and `window` the time from the
//! first of them to the end of the pause (the reset, when the server said when that is).
//! Spending the budget evenly rather than in bursts meets at most one 429 per window.
//!
//! `RateLimit-Limit` and `-Remaining` without a reset say how much is left but not for how
//! long. The current window began, at the latest, when its first answer came back; a spent
//! window (`Remaining: 0`, or a 429) pauses every request until one window after that, or
//! for one whole window when that moment has passed, so a spent window costs one 429 at most.
//! The window is taken to be Deepnote's (60 s) until it is seen: a request that opened a
//! window (`Remaining` one below `Limit`) and the next that opened one bound it from above,
//! and confirm it after a spent window was waited out; a request refused right after one
//! whole window was waited out doubles it. Once seen, what is left of the window is spent
//! evenly over the time left in it; before that, requests go as they come (a guessed window
//! would hold them back from showing a shorter one).
//!
//! A pace learned from the headers is a lesson about the server's current limit, not a fact
//! for ever: when no answer has carried a `RateLimit-*` header for two windows, the
//! spacing it set is dropped (the limit was lifted, or a proxy strips the headers), and a 429
//! would teach it again.

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
/// Deepnote's rate-limit window (its own client's `retry.ts` says so): the window taken when
/// the answers say how many requests are left but not when the window resets.
const DEEPNOTE_WINDOW: Duration = Duration::from_secs(60);
/// The longest window a run of 429s can teach: doubling stops here.
const LONGEST_WINDOW: Duration = Duration::from_secs(3600);
/// A pace learned from the headers is dropped after this many windows without an answer that
/// carries them.
const FORGET_AFTER_WINDOWS: u32 = 2;

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
    /// The window learned from the 429s, or from `RateLimit-Remaining` renewing.
    window: Option<Duration>,
    /// The last answer that carried `RateLimit-Limit`, `-Remaining` or `-Reset`.
    headers_seen: Option<Instant>,
    /// The longest `RateLimit-Reset` seen: the window is at least this long.
    longest_reset: Option<Duration>,
    /// With `Limit`/`-Remaining` alone: when the first answer of the current window came back
    /// (the window began before), and when the last request that opened a window was sent.
    window_since: Option<Instant>,
    opened: Option<Instant>,
    /// A pause for a spent window (`Limit`/`-Remaining` alone) was set, and no answer has come
    /// since: a 429 to the first request after it means the window is longer than thought.
    after_pause: bool,
    /// The window opened last was spent (`Remaining: 0`).
    spent: bool,
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
            s.forget_stale(now);
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
        s.learn_from_headers(sent, now, headers, false);
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
        // The pause the server's limit headers imply is decided before this one is added:
        // a request refused right after a pause ended is judged against that pause.
        s.learn_from_headers(now, now, headers, true);
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
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
    /// Spread what is left of the window over the time left in it, when the answer says both
    /// (or says what is left, and the window is known or taken to be Deepnote's). `sent` is
    /// when the request went out, `now` when its answer came back; `refused` for a 429.
    fn learn_from_headers(
        &mut self,
        sent: Instant,
        now: Instant,
        headers: &HeaderMap,
        refused: bool,
    ) {
        let remaining = count_header(headers, "ratelimit-remaining");
        let reset = rate_limit_reset(headers, SystemTime::now());
        let limit = count_header(headers, "ratelimit-limit");
        if remaining.is_some() || reset.is_some() || limit.is_some() {
            self.headers_seen = Some(now);
        }
        if let Some(reset) = reset {
            self.longest_reset = Some(self.longest_reset.map_or(reset, |l| l.max(reset)));
        }
        let spacing = match (remaining, reset, limit) {
            (Some(0), Some(reset), _) => {
                self.pause_until(now + reset);
                return;
            }
            // What is left plus the next window's first, so the last of this window goes one
            // spacing before the reset rather than on it (a sliding window frees its oldest
            // request then: the pace holds at the limit's rate instead of drifting below it).
            (Some(left), Some(reset), _) => {
                reset / u32::try_from(left.saturating_add(1)).unwrap_or(u32::MAX)
            }
            (Some(left), None, Some(limit)) if limit > 0 => {
                // The headers speak of the limit: the 429s need not teach it.
                self.from_headers = true;
                match self.learn_from_limit(sent, now, left, limit, refused) {
                    Some(spacing) => spacing,
                    None => return,
                }
            }
            // A limit alone, with the window the 429s showed.
            (None, None, Some(limit)) if limit > 0 => match self.window {
                Some(w) => w / u32::try_from(limit).unwrap_or(u32::MAX),
                None => return,
            },
            _ => return,
        };
        // The next free slot moves with the spacing: one spacing after the last slot taken
        // (or, for the first spacing, after the request just answered).
        self.next_slot = Some(match (self.spacing, self.next_slot) {
            (Some(old), Some(next)) => next.checked_sub(old).map_or(next, |last| last + spacing),
            _ => sent + spacing,
        });
        self.spacing = Some(spacing);
        self.from_headers = true;
    }

    /// `RateLimit-Limit` and `-Remaining` without a reset: once the window's length is known,
    /// the spacing that spends what is left evenly until one window after the current
    /// window's first answer; `None` while it is not (the requests go as they come, and the
    /// spent window is waited out) or when the window is spent (every request is paused until
    /// it ends).
    fn learn_from_limit(
        &mut self,
        sent: Instant,
        now: Instant,
        left: u64,
        limit: u64,
        refused: bool,
    ) -> Option<Duration> {
        let mut window = self.window.unwrap_or(DEEPNOTE_WINDOW);
        let paused = self.paused_until.is_some_and(|p| p > now);
        if refused && self.after_pause && !paused {
            // Refused right after a whole window was waited out: the window is longer.
            window = (window * 2).min(LONGEST_WINDOW);
            self.window = Some(window);
            tracing::debug!(
                window_ms = window.as_millis() as u64,
                "rate limited again after a window: the window is longer"
            );
        }
        if !paused {
            self.after_pause = false;
        }
        if !refused && !paused && left + 1 == limit {
            // The first request of its window. The last one that opened a window was sent at
            // least one window earlier (the window starts with a request, fixed or sliding),
            // so the time between them bounds the window; after a spent window was waited
            // out, it confirms the window taken (an idle hour in between confirms nothing).
            if let Some(seen) = self.opened.map(|o| now.duration_since(o))
                && !seen.is_zero()
                && (seen < window || self.spent && seen <= window.mul_f64(1.5))
            {
                window = seen.min(window);
                self.window = Some(window);
            }
            self.opened = Some(sent);
            self.spent = false;
            self.window_since = Some(now);
        }
        if left == 0 {
            // The window ends one window after its first answer at the latest. With no such
            // answer, or this request sent after that (the window is longer, or sliding), one
            // whole window from now is the first moment the server surely takes one again.
            let end = self
                .window_since
                .map(|since| since + window)
                .filter(|end| sent < *end)
                .unwrap_or(now + window);
            self.pause_until(end);
            self.after_pause = true;
            self.spent = true;
            // The next window's first answer comes after the pause.
            self.window_since = None;
            return None;
        }
        if paused {
            // An answer of the spent window, come back late: it says nothing of the next one.
            return None;
        }
        let since = *self.window_since.get_or_insert(now);
        // Deepnote's window, taken but not seen, sets the pauses but not the pace: a shorter
        // window is learned only from requests that are not held back by a guess.
        self.window?;
        let end = since + window;
        // What is left plus the next window's first: the last of this window goes one
        // spacing before the window ends.
        let slots = u32::try_from(left.saturating_add(1)).unwrap_or(u32::MAX);
        Some(if end > now {
            (end - now) / slots
        } else {
            window / u32::try_from(limit).unwrap_or(u32::MAX)
        })
    }

    /// No request starts before `until`.
    fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
    }

    /// The window the header lessons are measured against: learned, else the longest reset
    /// the server gave, else Deepnote's.
    fn window_estimate(&self) -> Duration {
        self.window
            .or(self.longest_reset)
            .unwrap_or(DEEPNOTE_WINDOW)
    }

    /// Drop the pace the headers set once no answer has carried them for
    /// [`FORGET_AFTER_WINDOWS`] windows: it described a limit the server no longer reports.
    fn forget_stale(&mut self, now: Instant) {
        if !self.from_headers {
            return;
        }
        let stale_after = self.window_estimate() * FORGET_AFTER_WINDOWS;
        if self
            .headers_seen
            .is_some_and(|seen| now.duration_since(seen) < stale_after)
        {
            return;
        }
        tracing::debug!("no rate-limit headers for two windows: pace forgotten");
        self.spacing = None;
        self.next_slot = None;
        self.from_headers = false;
        self.window_since = None;
        self.opened = None;
        self.spent = false;
        self.longest_reset = None;
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
            &headers(&[("ratelimit-remaining", "9"), ("ratelimit-reset", "30")]),
        );
        let second = take(&pacer).await;
        let third = take(&pacer).await;
        assert_eq!(
            second - t0,
            Duration::from_secs(3),
            "one spacing after the first"
        );
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

    fn limit_left(limit: u32, left: u32) -> HeaderMap {
        headers(&[
            ("ratelimit-limit", &limit.to_string()),
            ("ratelimit-remaining", &left.to_string()),
        ])
    }

    #[tokio::test(start_paused = true)]
    async fn limit_and_remaining_alone_a_first_429_waits_one_deepnote_window() {
        // Nothing known but that the window is spent: one whole window (Deepnote's 60 s) from
        // the 429 is the first moment the server surely takes a request, fixed or sliding.
        let pacer = Pacer::default();
        let t0 = Instant::now();
        pacer.refused(Duration::from_secs(1), &limit_left(5, 0));
        // A request in flight with it meets the same spent window: no second window added.
        tokio::time::advance(Duration::from_millis(5)).await;
        pacer.refused(Duration::from_secs(1), &limit_left(5, 0));
        let next = take(&pacer).await;
        assert_eq!(next - t0, Duration::from_millis(60_005));
        assert_eq!(lock(&pacer.state).window, None, "not a longer window");
        // That retry opens the next window: no second 429, and the pace goes on from there.
        pacer.answered(next, &limit_left(5, 4));
        assert_eq!(lock(&pacer.state).window, None, "nothing to learn yet");
    }

    #[tokio::test(start_paused = true)]
    async fn limit_and_remaining_alone_a_window_waited_out_is_then_spent_evenly() {
        let pacer = Pacer::default();
        // The first window: its length unknown, requests go as they come; the answer that
        // spends it pauses everyone until one window (Deepnote's) after its first answer.
        let t0 = take(&pacer).await;
        pacer.answered(t0, &limit_left(20, 19));
        for left in (0..19).rev() {
            let at = take(&pacer).await;
            assert_eq!(at, t0, "no pace from a guessed window");
            pacer.answered(at, &limit_left(20, left));
        }
        // The next opens a window 60 s after the last one opened: the window is confirmed.
        let t1 = take(&pacer).await;
        assert_eq!(t1 - t0, Duration::from_secs(60));
        pacer.answered(t1, &limit_left(20, 19));
        assert_eq!(lock(&pacer.state).window, Some(Duration::from_secs(60)));
        let mut sent = vec![t1];
        for left in (0..19).rev() {
            let at = take(&pacer).await;
            pacer.answered(at, &limit_left(20, left));
            sent.push(at);
        }
        // 20 a window of 60 s: 3 s apart, the last of the window 3 s before its end.
        let gaps: Vec<_> = sent.windows(2).map(|w| w[1] - w[0]).collect();
        for g in &gaps {
            assert!(
                (Duration::from_millis(2999)..=Duration::from_millis(3001)).contains(g),
                "{gaps:?}"
            );
        }
        let next = take(&pacer).await;
        assert_eq!(
            next - t1,
            Duration::from_secs(60),
            "paused to the window's end"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_seen_to_renew_sooner_than_deepnotes_is_learned() {
        let pacer = Pacer::default();
        let t0 = take(&pacer).await;
        pacer.answered(t0, &limit_left(3, 2));
        tokio::time::advance(Duration::from_secs(2)).await;
        // Another request opens a window 2 s after the last one opened: windows are 2 s long
        // at most, and what is left (2, and the next window's first) is spread over them.
        let t1 = take(&pacer).await;
        pacer.answered(t1, &limit_left(3, 2));
        assert_eq!(lock(&pacer.state).window, Some(Duration::from_secs(2)));
        let t2 = take(&pacer).await;
        // (Tokio's timers round up to the millisecond.)
        let third = Duration::from_secs(2) / 3;
        assert!(
            (third..third + Duration::from_millis(1)).contains(&(t2 - t1)),
            "{:?}",
            t2 - t1
        );
        // Someone else of the key took one too: spent, paused to the learned end.
        pacer.answered(t2, &limit_left(3, 0));
        let t3 = take(&pacer).await;
        assert_eq!(t3 - t1, Duration::from_secs(2));
        // A longer gap between openings (an idle minute and a half) does not lengthen it.
        pacer.answered(t3, &limit_left(3, 2));
        tokio::time::advance(Duration::from_secs(90)).await;
        let t4 = take(&pacer).await;
        pacer.answered(t4, &limit_left(3, 2));
        assert_eq!(lock(&pacer.state).window, Some(Duration::from_secs(2)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_right_after_a_window_was_waited_out_doubles_the_window() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        pacer.refused(Duration::from_secs(1), &limit_left(5, 0));
        let retry = take(&pacer).await;
        assert_eq!(retry - t0, Duration::from_secs(60));
        // Still spent after 60 s: the window is longer than Deepnote's; wait two.
        pacer.refused(Duration::from_secs(1), &limit_left(5, 0));
        assert_eq!(lock(&pacer.state).window, Some(Duration::from_secs(120)));
        let again = take(&pacer).await;
        assert_eq!(again - retry, Duration::from_secs(120));
        // An answer in between ends that: a later spent window is a new one, not a longer one.
        pacer.answered(again, &limit_left(5, 4));
        pacer.refused(Duration::from_secs(1), &limit_left(5, 0));
        assert_eq!(lock(&pacer.state).window, Some(Duration::from_secs(120)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pace_from_headers_is_forgotten_after_two_windows_without_them() {
        let pacer = Pacer::default();
        let none = HeaderMap::new();
        let t0 = take(&pacer).await;
        pacer.answered(
            t0,
            &headers(&[("ratelimit-remaining", "9"), ("ratelimit-reset", "30")]),
        );
        // The window is at least 30 s (the longest reset seen); answers stop carrying headers.
        let a = take(&pacer).await;
        pacer.answered(a, &none);
        let b = take(&pacer).await;
        assert_eq!(
            b - a,
            Duration::from_secs(3),
            "still paced within two windows"
        );
        pacer.answered(b, &none);
        tokio::time::advance(Duration::from_secs(50)).await;
        let c = take(&pacer).await;
        pacer.answered(c, &none);
        let d = take(&pacer).await;
        assert_eq!(
            d - c,
            Duration::from_secs(3),
            "59 s without headers: still paced"
        );
        pacer.answered(d, &none);
        tokio::time::advance(Duration::from_secs(1)).await;
        // Two windows (60 s) since the last answer that carried them: the pace is dropped.
        let e = take(&pacer).await;
        let f = take(&pacer).await;
        assert_eq!(f, e, "no pace once the headers are gone for two windows");
        assert!(!lock(&pacer.state).from_headers);
    }

    #[tokio::test(start_paused = true)]
    async fn an_answer_with_the_headers_keeps_the_pace_alive() {
        let pacer = Pacer::default();
        let paced = headers(&[("ratelimit-remaining", "9"), ("ratelimit-reset", "30")]);
        let t0 = take(&pacer).await;
        pacer.answered(t0, &paced);
        for _ in 0..3 {
            // Confirmed every 50 s: never two windows of 30 s without them.
            tokio::time::advance(Duration::from_secs(50)).await;
            let a = take(&pacer).await;
            pacer.answered(a, &paced);
            let b = take(&pacer).await;
            assert_eq!(b - a, Duration::from_secs(3));
            pacer.answered(b, &paced);
        }
    }
}
