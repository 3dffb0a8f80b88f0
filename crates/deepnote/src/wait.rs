//! Waiting for a run: poll until a terminal status, with delays that grow with the time
//! already waited (so requests grow with the log of a run's length) yet never exceed a tenth
//! of it (so a wait returns soon after the run ends).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::RunId;
use crate::pagination::BoxStream;
use crate::poll::{Plan, Poller, Seen};
use crate::runs::Run;
use futures_util::StreamExt;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

/// How often to poll a run, and for how long.
///
/// The delay before poll `n` (from 0) is `first_delay * growth^n`, but never more than
/// `elapsed_fraction` of the time waited so far nor more than `max_delay`, and never less than
/// `first_delay`; then `jitter` spreads it by up to that fraction either way, and the last
/// delay is trimmed to the deadline.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WaitPolicy {
    /// The delay before the second poll (the first is immediate).
    pub first_delay: Duration,
    /// How much each delay may grow over the one before.
    pub growth: f64,
    /// The largest fraction of the time waited so far that one delay may take.
    pub elapsed_fraction: f64,
    /// The longest delay.
    pub max_delay: Duration,
    /// Random spread of each delay, as a fraction (0.1: ±10%).
    pub jitter: f64,
    /// Give up with [`Error::Timeout`] after this long; `None` waits as long as it takes.
    pub deadline: Option<Duration>,
    /// Give up after this many failed polls in a row that may succeed if tried again (after
    /// the client's own retries); other errors end the wait at once.
    pub max_failed_polls: u32,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        // 200 ms with 10% jitter stays under 250 ms for short runs; 9% of the elapsed time
        // with 10% jitter stays under 10% for long ones.
        WaitPolicy {
            first_delay: Duration::from_millis(200),
            growth: 1.5,
            elapsed_fraction: 0.09,
            max_delay: Duration::from_secs(30),
            jitter: 0.1,
            deadline: None,
            max_failed_polls: 5,
        }
    }
}

impl WaitPolicy {
    /// Set the delay before the second poll.
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// Set how much each delay may grow over the one before.
    pub fn growth(mut self, growth: f64) -> Self {
        self.growth = growth;
        self
    }

    /// Set the largest fraction of the time waited so far that one delay may take.
    pub fn elapsed_fraction(mut self, fraction: f64) -> Self {
        self.elapsed_fraction = fraction;
        self
    }

    /// Set the longest delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Set the random spread of each delay (0 for none).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The delay before poll `poll` (0-based, counting the immediate first one) after
    /// `elapsed`, without jitter or deadline.
    pub fn nominal_delay(&self, poll: u32, elapsed: Duration) -> Duration {
        let first = self.first_delay.as_secs_f64();
        let grown = first
            * self
                .growth
                .max(1.0)
                .powi(poll.saturating_sub(1).min(1000) as i32);
        let share = (elapsed.as_secs_f64() * self.elapsed_fraction.max(0.0)).max(first);
        let secs = grown.min(share).min(self.max_delay.as_secs_f64()).max(0.0);
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_delay)
    }

    pub(crate) fn delay(&self, poll: u32, elapsed: Duration) -> Duration {
        let nominal = self.nominal_delay(poll, elapsed).as_secs_f64();
        let jitter = self.jitter.clamp(0.0, 1.0);
        let spread = 1.0 + jitter * (2.0 * fastrand::f64() - 1.0);
        Duration::try_from_secs_f64(nominal * spread).unwrap_or(self.max_delay)
    }
}

type Progress = Box<dyn FnMut(&Run) + Send>;

/// A wait for one run; from [`crate::RunsApi::wait`] or [`crate::RunHandle::wait`]. Await it
/// (or call `send`) for the finished run, or take [`Wait::status_changes`] as a stream.
///
/// Success gives the finished run; `error`, `internal_error` or `stopped` give
/// [`Error::RunFailed`]; the deadline gives [`Error::Timeout`]. Statuses this crate does not
/// know count as still running.
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait {
    client: Client,
    id: RunId,
    policy: WaitPolicy,
    progress: Option<Progress>,
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("id", &self.id)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Wait {
    pub(crate) fn new(client: Client, id: RunId, policy: WaitPolicy) -> Self {
        Wait {
            client,
            id,
            policy,
            progress: None,
        }
    }

    /// Use this polling policy.
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Give up after this long (keeping the rest of the policy).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.policy.deadline = Some(deadline);
        self
    }

    /// Call this with the run each time its status changes (the first poll included).
    pub fn on_progress(mut self, progress: impl FnMut(&Run) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Wait for the run to finish.
    pub async fn send(self) -> Result<Run> {
        let span = tracing::info_span!("deepnote.wait", run_id = %self.id);
        let Wait {
            client,
            id,
            policy,
            mut progress,
        } = self;
        let waiting = async move {
            let mut changes = poll_changes(client, id, policy);
            let mut last = None;
            while let Some(item) = changes.next().await {
                match item {
                    Ok(run) => {
                        if let Some(progress) = progress.as_mut() {
                            progress(&run);
                        }
                        last = Some(run);
                    }
                    Err(e) => {
                        if let (Error::RunFailed { run, .. }, Some(progress)) =
                            (&e, progress.as_mut())
                        {
                            progress(run);
                        }
                        return Err(e);
                    }
                }
            }
            last.ok_or_else(|| Error::Decode("the wait ended without a run".into()))
        };
        tracing::Instrument::instrument(waiting, span).await
    }

    /// The run each time its status changes; the last item is the outcome (the finished run,
    /// or the error [`Wait::send`] would give). A progress callback is not called.
    pub fn status_changes(self) -> BoxStream<Run> {
        poll_changes(self.client, self.id, self.policy)
    }
}

impl IntoFuture for Wait {
    type Output = Result<Run>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Run>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The run each time its status changes, then the outcome.
fn poll_changes(client: Client, id: RunId, policy: WaitPolicy) -> BoxStream<Run> {
    let failures_allowed = policy.max_failed_polls;
    let poller = Poller::new(client, id, &policy, failures_allowed);
    let plan = Plan::new(policy);
    Box::pin(futures_util::stream::unfold(
        (poller, plan),
        |(mut poller, mut plan)| async move {
            loop {
                match poller.next(&mut plan).await? {
                    Seen::Going { run, changed: true } => return Some((Ok(run), (poller, plan))),
                    Seen::Going { .. } => {}
                    Seen::Over(outcome) => return Some((outcome, (poller, plan))),
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_track_a_tenth_of_the_elapsed_time() {
        let p = WaitPolicy::default();
        let ms = |d: Duration| d.as_millis();
        assert_eq!(ms(p.nominal_delay(1, Duration::ZERO)), 200);
        // Early on, the elapsed share (floored at the first delay) holds growth back.
        assert_eq!(ms(p.nominal_delay(5, Duration::from_millis(500))), 200);
        assert_eq!(ms(p.nominal_delay(5, Duration::from_secs(10))), 900);
        assert_eq!(ms(p.nominal_delay(3, Duration::from_secs(10))), 450);
        assert_eq!(ms(p.nominal_delay(50, Duration::from_secs(3600))), 30_000);
        // With jitter, a delay never passes a tenth of the time waited (past the first delay).
        for poll in 1..200 {
            for secs in [1u64, 5, 30, 120, 299] {
                let elapsed = Duration::from_secs(secs);
                let d = p.delay(poll, elapsed);
                assert!(
                    d <= elapsed / 10 || d <= Duration::from_millis(220),
                    "{d:?} at {elapsed:?}"
                );
            }
        }
    }

    #[test]
    fn polls_grow_with_the_log_of_the_wait() {
        let p = WaitPolicy::default();
        let polls_for = |run: Duration| {
            let (mut t, mut n) = (Duration::ZERO, 1u32);
            while t < run {
                t += p.nominal_delay(n, t);
                n += 1;
            }
            n
        };
        let (a, b, c) = (
            polls_for(Duration::from_secs(10)),
            polls_for(Duration::from_secs(100)),
            polls_for(Duration::from_secs(250)),
        );
        // Ten times longer costs a constant number more polls, not ten times as many.
        assert!(b - a < 30 && b < 2 * a + 10, "{a} {b} {c}");
        assert!(c - b < 15, "{a} {b} {c}");
    }
}
