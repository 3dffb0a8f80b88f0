//! The one polling engine for a run: the deadline (the last sleep trimmed to it, for one last
//! look), the failure budget (failed reads in a row), the shared pace when there is one, and
//! cancellation (dropping the future stops it between two awaits, with nothing left behind).
//! [`crate::Wait`], its `status_changes()` stream and `run_many`'s workers all drive it; what
//! differs between them is only their [`Plan`], the schedule of delays.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::RunId;
use crate::pace::Pacer;
use crate::runs::{Run, get_run};
use crate::wait::WaitPolicy;
use deepnote_api::RunStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// When to look at the run next: the one pluggable piece of a poll.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    policy: WaitPolicy,
    first: First,
}

/// When the first look happens.
#[derive(Clone, Copy, Debug)]
enum First {
    /// At once (a single wait: the caller wants the run's status now).
    Now,
    /// After this long, then by the policy (a batch that knows how long its runs take).
    After(Duration),
}

impl Plan {
    /// Look at once, then by the policy.
    pub(crate) fn new(policy: WaitPolicy) -> Self {
        Plan {
            policy,
            first: First::Now,
        }
    }

    /// First look after `first`, then by the policy.
    pub(crate) fn first_after(policy: WaitPolicy, first: Duration) -> Self {
        Plan {
            policy,
            first: First::After(first),
        }
    }

    /// The delay before the next read, `reads` reads (answered or failed) into the wait.
    fn delay(&self, reads: u32, elapsed: Duration) -> Duration {
        match (self.first, reads) {
            (First::Now, 0) => Duration::ZERO,
            (First::Now, n) => self.policy.delay(n, elapsed),
            (First::After(first), 0) => first,
            (First::After(_), n) => self.policy.nominal_delay(n + 1, elapsed),
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
    deadline: Option<Duration>,
    failures_allowed: u32,
    pacer: Option<Arc<Pacer>>,
    started: Instant,
    reads: u32,
    failures: u32,
    last_status: Option<RunStatus>,
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
            deadline: policy.deadline,
            failures_allowed,
            pacer: None,
            started: Instant::now(),
            reads: 0,
            failures: 0,
            last_status: None,
            done: false,
        }
    }

    /// Take every read's turn from `pacer`, and on a 429 let it pause and ask again (a read
    /// changes nothing, so it is not a failure).
    pub(crate) fn paced(mut self, pacer: Arc<Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    /// How long the wait has gone on.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
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
            let elapsed = self.elapsed();
            let mut delay = if at_once {
                Duration::ZERO
            } else {
                plan.delay(self.reads, elapsed)
            };
            at_once = false;
            if let Some(deadline) = self.deadline
                && (self.reads > 0 || !delay.is_zero())
            {
                if elapsed >= deadline {
                    return Some(Seen::Over(Err(self.timeout(elapsed))));
                }
                delay = delay.min(deadline - elapsed);
            }
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let sent = match &self.pacer {
                Some(pacer) => Some(pacer.ready().await),
                None => None,
            };
            match get_run(&self.client, self.id, None).await {
                Ok(run) => {
                    self.reads += 1;
                    if let (Some(pacer), Some(sent)) = (&self.pacer, sent) {
                        pacer.accepted(sent);
                    }
                    self.failures = 0;
                    tracing::debug!(run_id = %self.id, status = %run.status, reads = self.reads, "polled");
                    if run.status.is_terminal() {
                        self.done = true;
                        return Some(Seen::Over(crate::runs::outcome(&self.client, run).await));
                    }
                    let changed = self.last_status.as_ref() != Some(&run.status);
                    self.last_status = Some(run.status.clone());
                    return Some(Seen::Going { run, changed });
                }
                Err(Error::RateLimited { retry_after, .. }) if self.pacer.is_some() => {
                    if let Some(pacer) = &self.pacer {
                        pacer.refused(retry_after);
                    }
                    at_once = true;
                }
                Err(e) if e.is_retryable() && self.failures < self.failures_allowed => {
                    self.reads += 1;
                    self.failures += 1;
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
