//! Run behaviours and the run lifecycle.
//!
//! A run's status is a function of the virtual clock: it is `pending` for the first fifth of
//! its behaviour's duration, `running` for the rest, then its outcome. Nothing runs in the
//! background, so a frozen clock gives the same answer forever and a restarted emulator
//! "resumes" unfinished runs simply by reading the clock again.
//!
//! Without a behaviour set for its notebook, a run lasts [`DEFAULT_RUN_DURATION`] (100 ms
//! pending, then 400 ms running) and succeeds.

use crate::clock::Millis;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How long a run lasts when its notebook has no behaviour set: 100 ms pending, 400 ms running.
pub const DEFAULT_RUN_DURATION: Duration = Duration::from_millis(500);

/// How a run of a notebook ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// `success`
    #[default]
    Success,
    /// `error`: the notebook raised; the run carries the behaviour's message.
    Error,
    /// `internal_error`: Deepnote failed.
    InternalError,
    /// `stopped`: someone stopped it.
    Stopped,
}

impl Outcome {
    /// The status a run ends with.
    pub fn status(self) -> Phase {
        match self {
            Outcome::Success => Phase::Success,
            Outcome::Error => Phase::Error,
            Outcome::InternalError => Phase::InternalError,
            Outcome::Stopped => Phase::Stopped,
        }
    }
}

/// What runs of a notebook do: how long they take and how they end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Behaviour {
    /// From creation to the terminal status; the first fifth of it is `pending`.
    #[serde(with = "crate::codec::duration_ms", rename = "durationMs")]
    pub duration: Duration,
    /// The terminal status.
    pub outcome: Outcome,
    /// The run's `error` message for `error` and `internal_error` outcomes.
    #[serde(default)]
    pub message: Option<String>,
    /// Whether a failed run's `error` carries the message. `None` follows the dialect: the
    /// spec dialect reports it; the live dialect answers `error: null`, as the service often
    /// does on genuine failures (Deepnote's client then reads the reason from the snapshot's
    /// error output, which always carries the message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_error: Option<bool>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            duration: DEFAULT_RUN_DURATION,
            outcome: Outcome::Success,
            message: None,
            report_error: None,
        }
    }
}

impl Behaviour {
    /// A behaviour ending with `outcome` after `duration`.
    pub fn new(duration: Duration, outcome: Outcome) -> Self {
        Behaviour {
            duration,
            outcome,
            message: None,
            report_error: None,
        }
    }

    /// The same behaviour, reporting (`true`) or nulling (`false`) a failed run's `error`
    /// whatever the dialect.
    pub fn report_error(mut self, report: bool) -> Self {
        self.report_error = Some(report);
        self
    }

    /// The same behaviour with an error message.
    pub fn message(mut self, msg: impl Into<String>) -> Self {
        self.message = Some(msg.into());
        self
    }

    /// The status of a run with this behaviour created at `created`, at time `now`, and when
    /// it finished if it has.
    pub fn status_at(&self, created: Millis, now: Millis) -> (Phase, Option<Millis>) {
        let total = i64::try_from(self.duration.as_millis()).unwrap_or(i64::MAX / 4);
        let pending = total / 5;
        let elapsed = now.saturating_sub(created);
        if elapsed >= total {
            (self.outcome.status(), Some(created.saturating_add(total)))
        } else if elapsed >= pending {
            (Phase::Running, None)
        } else {
            (Phase::Pending, None)
        }
    }

    /// The error message a failed run reports.
    pub fn error_message(&self) -> Option<String> {
        match self.outcome {
            Outcome::Error => Some(
                self.message
                    .clone()
                    .unwrap_or_else(|| "Execution failed with an error".into()),
            ),
            Outcome::InternalError => Some(
                self.message
                    .clone()
                    .unwrap_or_else(|| "Internal error while running the notebook".into()),
            ),
            Outcome::Success | Outcome::Stopped => self.message.clone(),
        }
    }
}

/// A run's status, as the spec's `Phase` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Queued; the machine is starting.
    Pending,
    /// Executing blocks.
    Running,
    /// Finished without error.
    Success,
    /// A block raised.
    Error,
    /// Deepnote failed.
    InternalError,
    /// Stopped before finishing.
    Stopped,
}

impl Phase {
    /// True once the run will not change any more.
    pub fn is_terminal(self) -> bool {
        !matches!(self, Phase::Pending | Phase::Running)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Running => "running",
            Phase::Success => "success",
            Phase::Error => "error",
            Phase::InternalError => "internal_error",
            Phase::Stopped => "stopped",
        }
    }
}
