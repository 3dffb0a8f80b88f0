//! Waiting for a run: the [`Wait`] builder, which polls under a [`WaitPolicy`] on the shared
//! run poller until the run ends, and its stream of status changes.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::pagination::BoxStream;
use crate::runs::Run;
use crate::runs::policy::WaitPolicy;
use crate::runs::poll::{Plan, Poller, Seen};
use crate::runs::snapshot::SnapshotDelivery;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use std::fmt;
use std::time::Duration;

type Progress = Box<dyn FnMut(&Run) + Send>;

/// A wait for one run; from [`crate::runs::RunsApi::wait`] or [`crate::runs::RunHandle::wait`]. Await it
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
    history: bool,
    notebook: Option<NotebookId>,
    delivery: Option<SnapshotDelivery>,
    /// The run was just started: its status is known, and so (maybe) when it was created.
    started: Option<Option<DateTime<Utc>>>,
    progress: Option<Progress>,
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("id", &self.id)
            .field("policy", &self.policy)
            .field("history", &self.history)
            .field("notebook", &self.notebook)
            .field("delivery", &self.delivery)
            .finish_non_exhaustive()
    }
}

impl Wait {
    pub(crate) fn new(client: Client, id: RunId, policy: WaitPolicy) -> Self {
        Wait {
            client,
            id,
            policy,
            history: true,
            notebook: None,
            delivery: None,
            started: None,
            progress: None,
        }
    }

    /// A wait for a run the server has just accepted: its answer said how the run stands, so
    /// the first read comes when a second one would.
    pub(crate) fn just_started(mut self, created_at: Option<DateTime<Utc>>) -> Self {
        self.started = Some(created_at);
        self
    }

    /// Read the notebook's recent runs first (one request, `listNotebookRuns`' first page) to
    /// learn how long its runs take, then sleep to just before the expected end and poll
    /// densely from there (see [`WaitPolicy`]). On by default; without history, or when the
    /// read fails, the wait polls on the schedule for runs of unknown length.
    pub fn history(mut self, yes: bool) -> Self {
        self.history = yes;
        self
    }

    /// The notebook whose history to read, when the server's answer may not name it (a
    /// [`crate::runs::RunHandle`]'s wait knows it already).
    pub fn notebook(mut self, notebook: impl Into<NotebookId>) -> Self {
        self.notebook = Some(notebook.into());
        self
    }

    /// Ask every read for the run's snapshot this way, so that the finished run carries it
    /// ([`crate::runs::RunsApi::snapshot_of`] then needs no request when it came inline). Inline
    /// costs one request fewer than reading the snapshot after the wait, as Deepnote's CLI
    /// polls; by default the reads leave the delivery to the server.
    pub fn snapshot_delivery(mut self, delivery: SnapshotDelivery) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// The run waited for.
    pub fn run_id(&self) -> RunId {
        self.id
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
        let (changes, mut progress) = self.into_changes();
        let waiting = async move {
            let mut changes = changes;
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
        self.into_changes().0
    }

    fn into_changes(self) -> (BoxStream<Run>, Option<Progress>) {
        let Wait {
            client,
            id,
            policy,
            history,
            notebook,
            delivery,
            started,
            progress,
        } = self;
        let poller = Poller::new(client, id, &policy, policy.max_failed_polls)
            .snapshot_delivery(delivery)
            .created_at(started.flatten());
        let plan = match started {
            Some(_) => Plan::known(policy, history, notebook),
            None => Plan::new(policy, history, notebook),
        };
        (poll_changes(poller, plan), progress)
    }
}

/// The run each time its status changes, then the outcome.
fn poll_changes(poller: Poller, plan: Plan) -> BoxStream<Run> {
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

crate::into_future::send_on_await!(Wait => Run);
