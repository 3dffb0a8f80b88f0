//! Many runs at once: bounded concurrency, every request taking its turn from the client's one
//! rate-limit pace, and each outcome as soon as it is known.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::inputs::NotebookInput;
use crate::lock::lock;
use crate::pagination::Page;
use crate::runs::policy::WaitPolicy;
use crate::runs::poll::{Plan, Poller, Seen};
use crate::runs::start::{check_inputs, send_create};
use crate::runs::{Run, RunRequest};
use chrono::{DateTime, TimeDelta, Utc};
use deepnote_api::Backoff;
use futures_core::Stream;
use futures_util::StreamExt;
use std::collections::{HashMap, HashSet};
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
    /// The finished run, or why there is none (as [`crate::runs::Wait`] reports it, or the error
    /// that kept the run from starting).
    pub result: Result<Run>,
}

/// A stream of outcomes, in the order the runs finish.
pub type OutcomeStream = Pin<Box<dyn Stream<Item = RunOutcome> + Send + 'static>>;

/// Many runs; from [`crate::runs::RunsApi::run_many`]. Take [`RunMany::stream`] for outcomes as they
/// come, or await [`RunMany::collect`] for all of them in request order.
///
/// # No run started twice, none lost
///
/// A create is repeated at once when the server refused it (429) or the connection never
/// opened: the server never acted on it. Other failures of a create are ambiguous: a connection
/// cut after the request went out, a 502/503/504 from the server or a proxy in front of it, or
/// a 2xx whose body could not be read may each come after the run was started. The API has no
/// idempotency key, so repeating the create could start the run twice, and giving up would lose
/// a run that is going. So after an ambiguous failure the batch *reconciles*: it lists the
/// notebook's runs (newest first) for a run created at or after the attempt was sent that the
/// batch has not already taken as one of its own. If there is one, it is this request's run and
/// the batch waits for it; only if there is none is the create sent again (at most
/// five times).
///
/// To make that match unambiguous, the batch sends at most one create per notebook at a time
/// (runs of different notebooks still start concurrently), and every run it gets, from an
/// answer or a reconciliation, is marked as taken. "At or after" is judged in the server's
/// clock: each accepted create tells the batch how far the server's clock is from its own, and
/// the comparison allows one second on top (before any create was accepted, the local
/// clock is used with five seconds).
///
/// Limits: the batch knows only its own runs. A run of the same notebook started by another
/// client (or another batch) within the margin of an ambiguous attempt can be taken for this
/// request's run: the request then reports that run's outcome, and the run this request may
/// have started goes unreported. If the reconciliation's own listing keeps failing, the
/// original error is reported, and a run may have started without being reported. The runs
/// of one notebook start one after another (a round trip each); they are still waited for
/// concurrently.
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
            client: self.client.clone(),
            policy: self.policy,
            typical: Mutex::new(Typical::default()),
            give_up_after: self.give_up_after,
            creating: Mutex::default(),
            taken: Mutex::default(),
            inputs: Mutex::default(),
            server_offset: Mutex::default(),
        });
        let span = tracing::info_span!("deepnote.run_many", runs = self.requests.len());
        let outcomes = futures_util::stream::iter(self.requests.into_iter().enumerate())
            .map(move |(index, request)| {
                let shared = shared.clone();
                // Unretried by the low-level client: the workers retry across all the runs,
                // paced by the client's one pace, which a request's own retries would crowd.
                let task = tokio::spawn(tracing::Instrument::instrument(
                    deepnote_api::with_retry_policy(
                        deepnote_api::RetryPolicy::none(),
                        async move { shared.run_one(index, request).await },
                    ),
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
    /// How long runs take: the first poll of a run waits about this long.
    typical: Mutex<Typical>,
    give_up_after: Duration,
    /// One gate per notebook: at most one create of it in flight, so that a run found by a
    /// reconciliation can only be the one this create may have started.
    creating: Mutex<HashMap<NotebookId, Arc<tokio::sync::Mutex<()>>>>,
    /// Every run this batch has taken as its own.
    taken: Mutex<HashSet<RunId>>,
    /// Each notebook's inputs, read once for the batch (`None`: not known, not checked).
    inputs: Mutex<HashMap<NotebookId, Option<Arc<[NotebookInput]>>>>,
    /// The server's clock minus ours, as the last accepted create showed it.
    server_offset: Mutex<Option<TimeDelta>>,
}

/// How many times a create whose outcome was unknown (and found not to have started a run)
/// is sent again.
const MAX_UNSURE_CREATES: u32 = 5;
/// Allowed on top of the measured clock difference when matching a run to an attempt.
const CLOCK_MARGIN: Duration = Duration::from_secs(1);
/// Allowed when the clock difference is not known yet.
const CLOCK_MARGIN_UNKNOWN: Duration = Duration::from_secs(5);
/// How many times each page of a reconciliation's listing is tried, in the client's requests
/// (times its attempts per request).
const LOOKUP_TRIES: u32 = 5;

/// Before a create whose connection never opened is sent again: 200, 400, 600 ms at most,
/// jittered so that the workers that met the same outage do not return together.
fn reconnect() -> Backoff {
    Backoff::new(Duration::from_millis(200), Duration::from_millis(600))
}

/// Before an unsure create is sent again, or a failed reconciliation listed again: 40 ms
/// doubling to 640 ms at most, jittered.
fn ask_again() -> Backoff {
    Backoff::new(Duration::from_millis(40), Duration::from_millis(640))
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
        let id = match self.create(&request).await {
            Ok(id) => id,
            Err(e) => {
                return RunOutcome {
                    index,
                    run_id: None,
                    result: Err(e),
                };
            }
        };
        let accepted = Instant::now();
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

    async fn create(&self, request: &RunRequest) -> Result<RunId> {
        // Refused before anything is sent, as a single create would be.
        request.to_body()?;
        let gate = self.gate(&request.notebook);
        let _turn = gate.lock().await;
        if !request.inputs.is_empty() {
            let known = self.inputs_of(&request.notebook).await;
            check_inputs(request, known.as_deref())?;
        }
        let since = Instant::now();
        let mut connect_failures = 0u32;
        let mut unsure = 0;
        loop {
            let sent_at = now_utc();
            match send_create(&self.client, request).await {
                Ok(handle) => {
                    self.take(handle.id());
                    if let Some(created) = handle.created_at() {
                        self.learn_offset(created - now_utc());
                    }
                    return Ok(handle.id());
                }
                // Refused by the server: nothing was created, so asking again is safe; the
                // client's pace waits out what the server asked for first. (One the pace held
                // back past the deadline was not sent: that ends it, below.)
                Err(Error::RateLimited { sent: true, .. })
                    if since.elapsed() < self.give_up_after => {}
                // The connection never opened: the server never saw the request.
                Err(Error::Transport(e)) if e.is_connect() && connect_failures < 3 => {
                    connect_failures += 1;
                    let again = reconnect();
                    again.sleep(again.delay(connect_failures, None)).await;
                }
                Err(e) if may_have_started(&e) && unsure < MAX_UNSURE_CREATES => {
                    unsure += 1;
                    match self.reconcile(&request.notebook, sent_at).await {
                        Ok(Some(id)) => {
                            tracing::debug!(run_id = %id, error = %e,
                                "the create's answer was lost, but its run started");
                            return Ok(id);
                        }
                        Ok(None) => {
                            tracing::debug!(error = %e, "the create started no run: sending it again");
                            let again = ask_again();
                            again.sleep(again.delay(unsure, None)).await;
                        }
                        // Whether the run started cannot be known: say what went wrong first.
                        Err(_) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The notebook's inputs, read on the first request of it; called with its gate held, so
    /// the batch reads each notebook once.
    async fn inputs_of(&self, notebook: &NotebookId) -> Option<Arc<[NotebookInput]>> {
        let cached = lock(&self.inputs).get(notebook).cloned();
        if let Some(known) = cached {
            return known;
        }
        let known: Option<Arc<[NotebookInput]>> = match self
            .client
            .notebooks()
            .inputs(notebook.clone())
            .await
        {
            Ok(known) => known.map(Into::into),
            // Not known this time: the server checks the inputs; a later request asks again.
            Err(e) => {
                tracing::debug!(error = %e, "cannot read the notebook's inputs: not checking them");
                return None;
            }
        };
        lock(&self.inputs).insert(notebook.clone(), known.clone());
        known
    }

    fn gate(&self, notebook: &NotebookId) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = lock(&self.creating);
        gates.entry(notebook.clone()).or_default().clone()
    }

    fn take(&self, id: RunId) -> bool {
        lock(&self.taken).insert(id)
    }

    fn learn_offset(&self, offset: TimeDelta) {
        *lock(&self.server_offset) = Some(offset);
    }

    /// The run an ambiguous create sent at `sent` started, if it started one. Called with the
    /// notebook's gate held.
    async fn reconcile(&self, notebook: &NotebookId, sent: DateTime<Utc>) -> Result<Option<RunId>> {
        let offset = *lock(&self.server_offset);
        let (offset, margin) = match offset {
            Some(o) => (o, CLOCK_MARGIN),
            None => (TimeDelta::zero(), CLOCK_MARGIN_UNKNOWN),
        };
        let margin = TimeDelta::from_std(margin).unwrap_or(TimeDelta::zero());
        let not_before = sent + offset - margin;
        let found = self.unclaimed_since(notebook, not_before).await?;
        if let Some(id) = found {
            self.take(id);
        }
        Ok(found)
    }

    /// One page of `notebook`'s runs for a reconciliation, asked for again while that may
    /// help: a page that cannot be read leaves a run that may have started unreported. Each
    /// try is one attempt (the batch's requests are not retried by the client), so the budget
    /// is counted in the client's attempts, as a wait's failure budget is.
    async fn runs_page(&self, notebook: &NotebookId, token: Option<String>) -> Result<Page<Run>> {
        let allowed = LOOKUP_TRIES.saturating_mul(self.client.attempts_per_request());
        let mut tries = 0;
        loop {
            tries += 1;
            // Page by page, not the prefetching stream: the walk usually ends on the first.
            let mut list = self
                .client
                .runs()
                .list(notebook.clone())
                .page_size(crate::pagination::MAX_PAGE_SIZE);
            if let Some(t) = &token {
                list = list.page_token(t.clone());
            }
            match list.send().await {
                Ok(page) => return Ok(page),
                Err(Error::RateLimited { sent: true, .. }) if tries < allowed * 4 => {}
                Err(e) if e.is_retryable() && tries < allowed => {
                    let again = ask_again();
                    again.sleep(again.delay(tries, None)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The oldest run of `notebook` created at or after `not_before` that no request of this
    /// batch has taken.
    async fn unclaimed_since(
        &self,
        notebook: &NotebookId,
        not_before: DateTime<Utc>,
    ) -> Result<Option<RunId>> {
        let mut found = None;
        let mut token = None;
        let mut guard = crate::pagination::LoopGuard::default();
        loop {
            let page = self.runs_page(notebook, token.take()).await?;
            for run in &page.items {
                // Newest first: everything past the first older run is older still.
                if run.created_at.is_some_and(|c| c < not_before) {
                    return Ok(found);
                }
                let taken = lock(&self.taken).contains(&run.id);
                if !taken {
                    found = Some(run.id);
                }
            }
            match page.next_page_token {
                // A server that repeats its page token would keep this walk going for ever.
                Some(t) if guard.repeats(&t) => {
                    return Err(Error::Decode(format!(
                        "the server repeated the page token {t:?} while listing runs"
                    )));
                }
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(found)
    }

    async fn wait(&self, id: RunId, accepted: Instant) -> Result<Run> {
        let first = lock(&self.typical).first_poll(self.policy.first_delay);
        // A wait's poll is retried by the client before it counts as failed; here each poll is
        // one attempt (the batch paces its own requests), so the same budget is counted in
        // attempts. Counting polls gave a batch a quarter of a single wait's resilience.
        let failures_allowed = self
            .policy
            .max_failed_polls
            .saturating_mul(self.client.attempts_per_request());
        let mut poller =
            Poller::new(self.client.clone(), id, &self.policy, failures_allowed).paced();
        let mut plan = Plan::first_after(self.policy.clone(), first);
        loop {
            match poller.next(&mut plan).await {
                Some(Seen::Going { .. }) => self.still_going(accepted.elapsed()),
                Some(Seen::Over(outcome)) => return outcome,
                None => return Err(Error::Decode("the wait ended without a run".into())),
            }
        }
    }

    fn learn(&self, took: Duration) {
        let mut typical = lock(&self.typical);
        typical.finished = Some(match typical.finished {
            None => took,
            Some(t) => t.mul_f64(0.8) + took.mul_f64(0.2),
        });
    }

    fn still_going(&self, age: Duration) {
        let mut typical = lock(&self.typical);
        typical.at_least = typical.at_least.max(age);
    }
}

fn now_utc() -> DateTime<Utc> {
    DateTime::from(std::time::SystemTime::now())
}

/// Whether a failed create may still have started its run.
fn may_have_started(e: &Error) -> bool {
    match e {
        Error::Transport(e) => !e.is_connect() && !e.is_builder(),
        Error::Decode(_) | Error::CreatedButUnreadable { .. } => true,
        Error::Api { status, .. } => matches!(status.as_u16(), 502..=504),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
