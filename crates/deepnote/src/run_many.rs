//! Many runs at once: bounded concurrency, one pace for all workers set by the server's rate
//! limit, and each outcome as soon as it is known. A create is repeated only when the server
//! refused it (429) or the connection never opened, so no run is started twice.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::RunId;
use crate::runs::{Run, RunRequest, get_run, start};
use crate::wait::WaitPolicy;
use futures_core::Stream;
use futures_util::StreamExt;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The result of one request of [`RunMany`].
#[derive(Debug)]
#[non_exhaustive]
pub struct RunOutcome {
    /// The request's position in the list given to `run_many`.
    pub index: usize,
    /// The run's ID, once the server started it.
    pub run_id: Option<RunId>,
    /// The finished run, or why there is none (as [`crate::Wait`] reports it, or the error
    /// that kept the run from starting).
    pub result: Result<Run>,
}

/// A stream of outcomes, in the order the runs finish.
pub type OutcomeStream = Pin<Box<dyn Stream<Item = RunOutcome> + Send + 'static>>;

/// Many runs; from [`crate::RunsApi::run_many`]. Take [`RunMany::stream`] for outcomes as they
/// come, or await [`RunMany::collect`] for all of them in request order.
#[derive(Clone, Debug)]
#[must_use = "nothing runs until the stream is polled"]
pub struct RunMany {
    client: Client,
    requests: Vec<RunRequest>,
    concurrency: usize,
    policy: WaitPolicy,
    give_up_after: Duration,
}

impl RunMany {
    pub(crate) fn new(client: Client, requests: Vec<RunRequest>) -> Self {
        RunMany {
            client,
            requests,
            concurrency: 16,
            policy: WaitPolicy::default(),
            give_up_after: Duration::from_secs(300),
        }
    }

    /// How many runs may be started and not yet finished at a time (default 16, at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// How each run is polled. The first poll of a run waits about as long as the runs
    /// finished so far took, so a batch of similar runs costs about one poll each.
    pub fn wait_policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long one request may keep meeting rate limits before its outcome is the
    /// [`Error::RateLimited`] (default 5 minutes).
    pub fn give_up_after(mut self, limit: Duration) -> Self {
        self.give_up_after = limit;
        self
    }

    /// Each outcome as its run finishes. Dropping the stream stops the work in flight.
    pub fn stream(self) -> OutcomeStream {
        let shared = Arc::new(Shared {
            client: self.client.unretried(),
            policy: self.policy,
            pacer: Pacer::default(),
            typical: Mutex::new(Typical::default()),
            give_up_after: self.give_up_after,
        });
        let span = tracing::info_span!("deepnote.run_many", runs = self.requests.len());
        let outcomes = futures_util::stream::iter(self.requests.into_iter().enumerate())
            .map(move |(index, request)| {
                let shared = shared.clone();
                let task = tokio::spawn(tracing::Instrument::instrument(
                    async move { shared.run_one(index, request).await },
                    span.clone(),
                ));
                Task { index, task }
            })
            .buffer_unordered(self.concurrency);
        Box::pin(outcomes)
    }

    /// Every outcome, in the order of the requests.
    pub async fn collect(self) -> Vec<RunOutcome> {
        let mut all: Vec<RunOutcome> = self.stream().collect().await;
        all.sort_by_key(|o| o.index);
        all
    }
}

/// A worker's task, aborted if the stream is dropped before it ends.
struct Task {
    index: usize,
    task: tokio::task::JoinHandle<RunOutcome>,
}

impl Drop for Task {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::future::Future for Task {
    type Output = RunOutcome;
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<RunOutcome> {
        let index = self.index;
        Pin::new(&mut self.task).poll(cx).map(|joined| {
            joined.unwrap_or_else(|e| RunOutcome {
                index,
                run_id: None,
                result: Err(Error::Decode(format!("the run's worker stopped: {e}"))),
            })
        })
    }
}

struct Shared {
    client: Client,
    policy: WaitPolicy,
    pacer: Pacer,
    /// How long runs take: the first poll of a run waits about this long.
    typical: Mutex<Typical>,
    give_up_after: Duration,
}

/// What the runs so far say about how long a run takes.
#[derive(Default)]
struct Typical {
    /// The smoothed duration of finished runs.
    finished: Option<Duration>,
    /// Until one finishes: the age of the oldest run seen still going.
    at_least: Duration,
}

impl Typical {
    fn first_poll(&self, floor: Duration) -> Duration {
        // A little past the typical end, so that one poll usually finds the run finished.
        self.finished
            .map_or(self.at_least, |t| t.mul_f64(1.05))
            .max(floor)
    }
}

impl Shared {
    async fn run_one(&self, index: usize, request: RunRequest) -> RunOutcome {
        let started = match self.create(&request).await {
            Ok(handle) => handle,
            Err(e) => {
                return RunOutcome {
                    index,
                    run_id: None,
                    result: Err(e),
                };
            }
        };
        let (id, accepted) = (started.id(), Instant::now());
        let result = self.wait(id, accepted).await;
        if let Ok(run) = &result {
            self.learn(run.duration().unwrap_or_else(|| accepted.elapsed()));
        }
        RunOutcome {
            index,
            run_id: Some(id),
            result,
        }
    }

    async fn create(&self, request: &RunRequest) -> Result<crate::RunHandle> {
        let since = Instant::now();
        let mut connect_failures = 0;
        loop {
            let sent = self.pacer.ready().await;
            match start(&self.client, request).await {
                Ok(handle) => {
                    self.pacer.accepted(sent);
                    return Ok(handle);
                }
                // Refused by the server: nothing was created, so asking again is safe.
                Err(Error::RateLimited { retry_after, .. })
                    if since.elapsed() < self.give_up_after =>
                {
                    self.pacer.refused(retry_after);
                }
                // The connection never opened: the server never saw the request.
                Err(Error::Transport(e)) if e.is_connect() && connect_failures < 3 => {
                    connect_failures += 1;
                    tokio::time::sleep(Duration::from_millis(200 * connect_failures)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn wait(&self, id: RunId, accepted: Instant) -> Result<Run> {
        let first = self.typical.lock().map_or(self.policy.first_delay, |t| {
            t.first_poll(self.policy.first_delay)
        });
        let (mut polls, mut failures) = (1u32, 0u32);
        let mut last_status = None;
        let mut sleep = first;
        loop {
            let elapsed = accepted.elapsed();
            if let Some(deadline) = self.policy.deadline {
                if elapsed >= deadline {
                    return Err(Error::Timeout {
                        run_id: id,
                        last_status: last_status
                            .unwrap_or_else(|| deepnote_api::RunStatus::Unknown(String::new())),
                        waited: elapsed,
                    });
                }
                sleep = sleep.min(deadline - elapsed);
            }
            tokio::time::sleep(sleep).await;
            let sent = self.pacer.ready().await;
            match get_run(&self.client, id, None).await {
                Ok(run) => {
                    self.pacer.accepted(sent);
                    failures = 0;
                    if run.status.is_terminal() {
                        return run.into_outcome();
                    }
                    self.still_going(accepted.elapsed());
                    last_status = Some(run.status);
                }
                Err(Error::RateLimited { retry_after, .. }) => {
                    // A read changes nothing: ask again after the pause, without a poll's delay.
                    self.pacer.refused(retry_after);
                    sleep = Duration::ZERO;
                    continue;
                }
                Err(e) if e.is_retryable() && failures < self.policy.max_failed_polls => {
                    failures += 1;
                }
                Err(e) => return Err(e),
            }
            polls += 1;
            sleep = self.policy.nominal_delay(polls, accepted.elapsed());
        }
    }

    fn learn(&self, took: Duration) {
        if let Ok(mut typical) = self.typical.lock() {
            typical.finished = Some(match typical.finished {
                None => took,
                Some(t) => t.mul_f64(0.8) + took.mul_f64(0.2),
            });
        }
    }

    fn still_going(&self, age: Duration) {
        if let Ok(mut typical) = self.typical.lock() {
            typical.at_least = typical.at_least.max(age);
        }
    }
}

/// One pace for all workers. A 429 stops every worker until its `Retry-After` has passed; then
/// requests are spaced to just under the rate the server took in the second before it refused
/// (counted once the pause is over, when every answer of that second is in), and the spacing
/// shrinks a little after each long quiet stretch, to find room that opens up.
#[derive(Default)]
struct Pacer {
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
    async fn ready(&self) -> Instant {
        loop {
            let at = {
                let Ok(mut s) = self.state.lock() else {
                    return Instant::now();
                };
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
    fn accepted(&self, sent: Instant) {
        let Ok(mut s) = self.state.lock() else { return };
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

    fn refused(&self, retry_after: Option<Duration>) {
        let Ok(mut s) = self.state.lock() else { return };
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
        let first = pacer.state.lock().unwrap().spacing.unwrap();
        tokio::time::advance(Duration::from_secs(1)).await;
        pacer.refused(None);
        let _ = pacer.ready().await;
        let second = pacer.state.lock().unwrap().spacing.unwrap();
        assert!(second > first, "{first:?} then {second:?}");
    }

    #[test]
    fn the_first_poll_follows_what_runs_took() {
        let floor = Duration::from_millis(200);
        let mut t = Typical::default();
        assert_eq!(t.first_poll(floor), floor);
        t.at_least = Duration::from_millis(700);
        assert_eq!(t.first_poll(floor), Duration::from_millis(700));
        t.finished = Some(Duration::from_secs(1));
        assert_eq!(t.first_poll(floor), Duration::from_millis(1050));
    }
}
