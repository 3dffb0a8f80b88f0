//! The one polling engine for a run: the deadline (the last sleep trimmed to it, for one last
//! look), the failure budget (failed reads in a row), the shared pace when there is one, and
//! cancellation (dropping the future stops it between two awaits, with nothing left behind).
//! [`crate::runs::Wait`], its `status_changes()` stream and `run_many`'s workers all drive it; what
//! differs between them is only their [`Plan`], the schedule of delays.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::polling::Polling;
use crate::runs::Run;
use crate::runs::handle::get_run;
use crate::runs::policy::WaitPolicy;
use crate::runs::snapshot::SnapshotDelivery;
use chrono::{DateTime, Utc};
use deepnote_api::RunStatus;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::Instant;

/// When to look at the run next: the one pluggable piece of a poll.
pub(crate) struct Plan {
    policy: WaitPolicy,
    first: First,
    /// How long the notebook's runs take, once its history said.
    expected: Option<Duration>,
    history: History,
}

/// When the first look happens.
#[derive(Clone, Copy, Debug)]
enum First {
    /// At once (a single wait: the caller wants the run's status now).
    Now,
    /// By the policy, as if a look had just been made (the run was just started, and the
    /// answer to starting it said how it stands).
    Known,
    /// After this long, then by the policy (a batch that knows how long its runs take).
    After(Duration),
}

/// Where the plan is with the notebook's run history.
enum History {
    /// Not to be read.
    Off,
    /// To be read once the notebook is known (from the caller, or the first look).
    Wanted(Option<NotebookId>),
    /// Being read, while the wait sleeps.
    Reading(Pin<Box<dyn Future<Output = Option<Duration>> + Send>>),
    /// Read (or found not readable).
    Done,
}

impl Plan {
    /// Look at once, then by the policy; with `history`, read the notebook's recent runs
    /// (`notebook`, else the one the first look names) to know when the run should end.
    pub(crate) fn new(policy: WaitPolicy, history: bool, notebook: Option<NotebookId>) -> Self {
        Plan {
            policy,
            first: First::Now,
            expected: None,
            history: if history {
                History::Wanted(notebook)
            } else {
                History::Off
            },
        }
    }

    /// As [`Plan::new`], for a run whose status is known now (just started): the first look
    /// waits as a second one would, and the history is read meanwhile.
    pub(crate) fn known(policy: WaitPolicy, history: bool, notebook: Option<NotebookId>) -> Self {
        Plan {
            first: First::Known,
            ..Plan::new(policy, history, notebook)
        }
    }

    /// First look after `first`, then by the policy (no history: the batch has its own).
    pub(crate) fn first_after(policy: WaitPolicy, first: Duration) -> Self {
        Plan {
            policy,
            first: First::After(first),
            expected: None,
            history: History::Off,
        }
    }

    /// The delay before the next read, `reads` reads (answered or failed) into the wait.
    fn delay(&self, reads: u32, elapsed: Duration, age: Duration) -> Duration {
        match (self.first, reads) {
            (First::Now, 0) => Duration::ZERO,
            (First::Now, n) => self.policy.delay(self.expected, n, elapsed, age),
            (First::Known, n) => self.policy.delay(self.expected, n + 1, elapsed, age),
            (First::After(first), 0) => first,
            (First::After(_), n) => self.policy.nominal_delay(n + 1, elapsed),
        }
    }

    /// Before any look: start reading the history if it is wanted and the notebook known, so
    /// that it is read while the wait sleeps.
    fn begin(&mut self, client: &Client, id: RunId) {
        if matches!(self.history, History::Wanted(Some(_))) {
            self.read_history(client, id, None);
        }
    }

    /// A look answered: start reading the history if it is still wanted (the run names its
    /// notebook).
    fn saw(&mut self, client: &Client, run: &Run) {
        self.read_history(client, run.id, run.notebook_id.clone());
    }

    fn read_history(&mut self, client: &Client, id: RunId, named: Option<NotebookId>) {
        if let History::Wanted(notebook) = &mut self.history {
            self.history = match notebook.take().or(named) {
                Some(notebook) => {
                    History::Reading(Box::pin(crate::runs::policy::expected_from_history(
                        client.clone(),
                        notebook,
                        id,
                        self.policy.clone(),
                    )))
                }
                None => History::Done,
            };
        }
    }
}

/// What one look at the run found.
pub(crate) enum Seen {
    /// Still going; `changed` when the status differs from the last look's (or it is the
    /// first look).
    Going { run: Run, changed: bool },
    /// The wait is over: the finished run ([`Error::RunFailed`] for a failure), the deadline
    /// ([`Error::Timeout`]), or an error that more reads will not cure.
    Over(Result<Run>),
}

/// One run being polled.
pub(crate) struct Poller {
    client: Client,
    id: RunId,
    /// The deadline and the failure budget, shared with every wait of this crate.
    polling: Polling,
    /// A 429 is asked again rather than counted as a failure (the client's pace waits it out).
    paced: bool,
    /// How every read asks for the snapshot (`None`: the server's default).
    delivery: Option<SnapshotDelivery>,
    last_status: Option<RunStatus>,
    /// When the server created the run, in its clock.
    created_at: Option<DateTime<Utc>>,
    done: bool,
}

impl Poller {
    /// Poll `id` under `policy`'s deadline, allowing `failures_allowed` failed reads in a row
    /// that may succeed if tried again.
    pub(crate) fn new(
        client: Client,
        id: RunId,
        policy: &WaitPolicy,
        failures_allowed: u32,
    ) -> Self {
        Poller {
            client,
            id,
            polling: Polling::new(policy.deadline, failures_allowed),
            paced: false,
            delivery: None,
            last_status: None,
            created_at: None,
            done: false,
        }
    }

    /// On a 429, ask again once the client's pace allows (a read changes nothing, so it is
    /// not a failure); every read takes its turn from the client's pace in any case.
    pub(crate) fn paced(mut self) -> Self {
        self.paced = true;
        self
    }

    /// Ask every read for the snapshot this way, so that the read that sees the end carries it.
    pub(crate) fn snapshot_delivery(mut self, delivery: Option<SnapshotDelivery>) -> Self {
        self.delivery = delivery;
        self
    }

    /// The run's creation time, when known before the first read (it makes the run's age).
    pub(crate) fn created_at(mut self, created_at: Option<DateTime<Utc>>) -> Self {
        self.created_at = created_at;
        self
    }

    /// How old the run is: the time waited, or more when the server's clock says so. Only
    /// ever too high (the wait then looks sooner), unless the server's clock is ahead of ours
    /// and the run older than the wait.
    fn age(&self, elapsed: Duration) -> Duration {
        let by_server = self.created_at.and_then(|created| {
            (DateTime::<Utc>::from(std::time::SystemTime::now()) - created)
                .to_std()
                .ok()
        });
        by_server.map_or(elapsed, |a| a.max(elapsed))
    }

    /// The moment the next read may start (see [`Polling::wake_at`]); the timeout error once
    /// the deadline has passed.
    fn wake_at(&mut self, from: Instant, delay: Duration) -> std::result::Result<Instant, Error> {
        self.polling
            .wake_at(from, delay)
            .map_err(|waited| self.timeout(waited))
    }

    /// Sleep as the plan says; while the history is being read, a plan it changes is
    /// followed from the same start.
    async fn sleep(&mut self, plan: &mut Plan, at_once: bool) -> std::result::Result<(), Error> {
        let from = Instant::now();
        let elapsed = self.polling.elapsed(from);
        let age = self.age(elapsed);
        let delay = |plan: &Plan| {
            if at_once {
                Duration::ZERO
            } else {
                plan.delay(self.polling.reads(), elapsed, age)
            }
        };
        let mut until = self.wake_at(from, delay(plan))?;
        loop {
            if until <= Instant::now() {
                return Ok(());
            }
            let History::Reading(history) = &mut plan.history else {
                tokio::time::sleep_until(until).await;
                return Ok(());
            };
            tokio::select! {
                () = tokio::time::sleep_until(until) => return Ok(()),
                expected = history => {
                    plan.expected = expected;
                    plan.history = History::Done;
                    let next = plan.delay(self.polling.reads(), elapsed, age);
                    until = self.wake_at(from, next)?;
                }
            }
        }
    }

    /// The error of a wait that ran out of time.
    fn timeout(&mut self, waited: Duration) -> Error {
        self.done = true;
        Error::Timeout {
            run_id: self.id,
            last_status: self
                .last_status
                .clone()
                .unwrap_or_else(|| RunStatus::Unknown(String::new())),
            waited,
        }
    }

    /// Sleep as the plan says (the last sleep ends at the deadline), then read the run until
    /// one read answers or the wait is over; `None` once it is over.
    pub(crate) async fn next(&mut self, plan: &mut Plan) -> Option<Seen> {
        let mut at_once = false;
        loop {
            if self.done {
                return None;
            }
            plan.begin(&self.client, self.id);
            if let Err(timeout) = self.sleep(plan, at_once).await {
                return Some(Seen::Over(Err(timeout)));
            }
            at_once = false;
            match get_run(&self.client, self.id, self.delivery).await {
                Ok(run) => {
                    self.polling.answered();
                    if self.created_at.is_none() {
                        self.created_at = run.created_at;
                    }
                    plan.saw(&self.client, &run);
                    tracing::debug!(run_id = %self.id, status = %run.status, reads = self.polling.reads(), "polled");
                    if run.status.is_terminal() {
                        self.done = true;
                        return Some(Seen::Over(
                            crate::runs::start::outcome(&self.client, run).await,
                        ));
                    }
                    let changed = self.last_status.as_ref() != Some(&run.status);
                    self.last_status = Some(run.status.clone());
                    return Some(Seen::Going { run, changed });
                }
                // Sent and refused: the pace now waits it out before the next read. (One the
                // pace held back past the deadline ends the wait, below.)
                Err(Error::RateLimited { sent: true, .. }) if self.paced => at_once = true,
                Err(e) if self.polling.failed(&e) => {
                    tracing::debug!(run_id = %self.id, error = %e, "poll failed; polling on");
                }
                Err(e) => {
                    self.done = true;
                    return Some(Seen::Over(Err(e)));
                }
            }
        }
    }
}
