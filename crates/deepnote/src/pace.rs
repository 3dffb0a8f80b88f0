//! One pace for every request of a fan-out (today `run_many`'s workers): a 429 pauses them
//! all, then requests are spaced to just under the rate the server took.

use crate::lock::lock;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// One pace for all workers. A 429 stops every worker until its `Retry-After` has passed; then
/// requests are spaced to just under the rate the server took in the second before it refused
/// (counted once the pause is over, when every answer of that second is in), and the spacing
/// shrinks a little after each long quiet stretch, to find room that opens up.
#[derive(Default)]
pub(crate) struct Pacer {
    state: Mutex<PaceState>,
}

#[derive(Default)]
struct PaceState {
    /// No request starts before this.
    not_before: Option<Instant>,
    /// The next free slot when requests are spaced.
    next_slot: Option<Instant>,
    /// The spacing between requests, once a 429 has been seen.
    spacing: Option<Duration>,
    /// When each request the server took was sent, over the last few seconds (bounded).
    taken: VecDeque<Instant>,
    /// A refusal whose rate is still to be worked out.
    unmeasured: Option<Instant>,
    last_refusal: Option<Instant>,
    last_probe: Option<Instant>,
}

/// The pause after a 429 that gave no `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_millis(500);
const WINDOW: Duration = Duration::from_secs(1);
/// How much of the send history is kept.
const HISTORY: Duration = Duration::from_secs(5);
/// Room kept under the rate the server took before it refused.
const HEADROOM: f64 = 0.98;
/// After this long without a 429, try 1% faster.
const PROBE_AFTER: Duration = Duration::from_secs(10);
const MAX_TAKEN: usize = 50_000;

impl Pacer {
    /// Wait for this request's turn; returns when it was given, the request's send time.
    pub(crate) async fn ready(&self) -> Instant {
        loop {
            let at = {
                let mut s = lock(&self.state);
                let now = Instant::now();
                match s.not_before {
                    // Paused: take no slot yet, the pace is not known until the pause ends.
                    Some(nb) if nb > now => Err(nb),
                    _ => {
                        if let Some(refused_at) = s.unmeasured.take() {
                            s.measure(refused_at);
                        }
                        let mut at = now;
                        if let Some(spacing) = s.spacing {
                            if let Some(slot) = s.next_slot {
                                at = at.max(slot);
                            }
                            s.next_slot = Some(at + spacing);
                        }
                        Ok(at)
                    }
                }
            };
            match at {
                Err(pause_end) => tokio::time::sleep_until(pause_end).await,
                Ok(at) => {
                    if at > Instant::now() {
                        tokio::time::sleep_until(at).await;
                    }
                    return at;
                }
            }
        }
    }

    /// The server took a request sent at `sent`.
    pub(crate) fn accepted(&self, sent: Instant) {
        let mut s = lock(&self.state);
        let now = Instant::now();
        s.taken.push_back(sent);
        while s.taken.len() > MAX_TAKEN
            || s.taken
                .front()
                .is_some_and(|t| now.duration_since(*t) > HISTORY)
        {
            s.taken.pop_front();
        }
        let quiet_since = s.last_refusal.max(s.last_probe);
        if let (Some(spacing), Some(since)) = (s.spacing, quiet_since)
            && now.duration_since(since) >= PROBE_AFTER
        {
            s.spacing = Some(spacing.mul_f64(0.99));
            s.last_probe = Some(now);
        }
    }

    pub(crate) fn refused(&self, retry_after: Option<Duration>) {
        let mut s = lock(&self.state);
        let now = Instant::now();
        let until = now + retry_after.unwrap_or(DEFAULT_PAUSE);
        s.not_before = Some(s.not_before.map_or(until, |nb| nb.max(until)));
        // The workers in flight meet the same limit at once: one measurement per burst.
        if s.last_refusal
            .is_some_and(|r| now.duration_since(r) < WINDOW / 2)
        {
            return;
        }
        s.last_refusal = Some(now);
        s.unmeasured = Some(now);
    }
}

impl PaceState {
    /// Space requests to just under what the server took in the second before `refused_at`.
    fn measure(&mut self, refused_at: Instant) {
        let took = self
            .taken
            .iter()
            .filter(|t| **t <= refused_at && refused_at.duration_since(**t) < WINDOW)
            .count();
        let rate = (took as f64 * HEADROOM).max(1.0);
        let spacing = Duration::from_secs_f64(1.0 / rate);
        self.spacing = Some(match self.spacing {
            // Refused even at this pace: slow down from there.
            Some(old) if old >= spacing => old.mul_f64(1.1),
            _ => spacing,
        });
        tracing::debug!(rate, "rate limited: pacing requests");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn after_a_429_all_wait_then_go_at_just_under_the_rate_taken() {
        let pacer = Pacer::default();
        let t0 = Instant::now();
        // A burst: the server took 200 requests in a tenth of a second, then refused.
        for _ in 0..200 {
            let sent = pacer.ready().await;
            assert_eq!(sent, t0, "no pacing before any 429");
            pacer.accepted(sent);
        }
        tokio::time::advance(Duration::from_millis(100)).await;
        pacer.refused(Some(Duration::from_secs(1)));
        pacer.refused(Some(Duration::from_secs(1)));
        let slots: Vec<Instant> =
            futures_util::future::join_all((0..50).map(|_| pacer.ready())).await;
        let first = *slots.iter().min().unwrap();
        assert!(
            first >= t0 + Duration::from_millis(1100),
            "{:?}",
            first - t0
        );
        let mut sorted = slots.clone();
        sorted.sort();
        let spacing = sorted[1] - sorted[0];
        let rate = 1.0 / spacing.as_secs_f64();
        assert!((190.0..200.0).contains(&rate), "{rate}");
        let span = *sorted.last().unwrap() - first;
        assert!(span >= spacing * 49 - Duration::from_millis(1), "{span:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_at_the_pace_slows_down_further() {
        let pacer = Pacer::default();
        for _ in 0..100 {
            let sent = pacer.ready().await;
            pacer.accepted(sent);
        }
        pacer.refused(None);
        let _ = pacer.ready().await;
        let first = lock(&pacer.state).spacing.unwrap();
        tokio::time::advance(Duration::from_secs(1)).await;
        pacer.refused(None);
        let _ = pacer.ready().await;
        let second = lock(&pacer.state).spacing.unwrap();
        assert!(second > first, "{first:?} then {second:?}");
    }
}
