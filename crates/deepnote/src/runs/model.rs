//! A run as the API describes it, read from the answers' several shapes.

use crate::error::{Error, Result};
use crate::ids::{BlockId, NotebookId, RunId};
use crate::runs::RunStatus;
use chrono::{DateTime, Utc};
use deepnote_api::types;

/// A run of a notebook. It serializes as the live API spells a run (`runId`, `completedAt`,
/// the snapshot flat as `snapshotContent` or `snapshotDownloadUrl`): every field present
/// (`null` when the server did not say) but the snapshot, which is left out until attached,
/// as a run list leaves it out.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Run {
    /// Its ID.
    #[serde(rename = "runId")]
    pub id: RunId,
    /// The notebook it runs, when the server said.
    pub notebook_id: Option<NotebookId>,
    /// Where it is in its life. A status this crate does not know is kept as
    /// `RunStatus::Unknown` and counts as still running.
    pub status: RunStatus,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it finished (the live `completedAt`, or the original spec's `finishedAt`).
    #[serde(rename = "completedAt")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed, when it did and the server said.
    pub error: Option<String>,
    /// Its execution snapshot, when the server attached one.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotRef>,
    /// The executed blocks with their outputs, which a run read with an app viewer token
    /// carries instead of a snapshot (such a token never gets the snapshot itself); `None`
    /// when the server sent none, and then not serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_blocks: Option<Vec<BlockOutputs>>,
}

/// A block of a run as an app viewer reads it: its id and its outputs (Jupyter-style output
/// objects, kept as the server sent them).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct BlockOutputs {
    /// The block's id, when the server said.
    pub id: Option<BlockId>,
    /// Its outputs.
    pub outputs: Vec<serde_json::Value>,
}

/// Where a run's snapshot is: in the answer, or behind a URL. It serializes as the live run's
/// field for it: `{"snapshotContent": ...}` or `{"snapshotDownloadUrl": ...}`.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum SnapshotRef {
    /// The snapshot's YAML text.
    #[serde(rename = "snapshotContent")]
    Inline(String),
    /// Where to download it.
    #[serde(rename = "snapshotDownloadUrl")]
    DownloadUrl(String),
}

impl std::fmt::Debug for SnapshotRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A snapshot can be megabytes; a Debug of a run should stay readable.
        match self {
            SnapshotRef::Inline(text) => write!(f, "Inline({} bytes)", text.len()),
            SnapshotRef::DownloadUrl(url) => f.debug_tuple("DownloadUrl").field(url).finish(),
        }
    }
}

impl Run {
    /// True once the run will not change any more (`success`, `error`, `internal_error`,
    /// `stopped`).
    pub fn is_finished(&self) -> bool {
        self.status.is_terminal()
    }

    /// True for a run that finished with success.
    pub fn is_success(&self) -> bool {
        self.status == RunStatus::Success
    }

    /// The run's time from creation to finish, when both are known.
    pub fn duration(&self) -> Option<std::time::Duration> {
        (self.finished_at? - self.created_at?).to_std().ok()
    }

    /// From the API's run; `asked` is the ID the caller asked for, used when the answer omits it.
    /// Either reference's fields are read: the id from `runId` or `id`, the finish from
    /// `completedAt` (live) or `finishedAt` (original), the snapshot flat on the run (live) or
    /// nested under `snapshot`.
    pub(crate) fn from_api(r: types::Run, asked: Option<RunId>) -> Result<Run> {
        let mut run = Run::from_fields(
            run_id(r.run_id.or(r.id), asked)?,
            r.notebook_id,
            r.status,
            r.created_at,
            r.completed_at.or(r.finished_at),
            r.error,
        );
        let nested = r.snapshot.unwrap_or_default();
        run.snapshot = snapshot_ref(
            r.snapshot_content.or(nested.snapshot_content),
            r.snapshot_download_url.or(nested.download_url),
        );
        run.snapshot_blocks = r.snapshot_blocks.map(|blocks| {
            blocks
                .into_iter()
                .map(|b| BlockOutputs {
                    id: b.id.map(BlockId::new),
                    outputs: b
                        .outputs
                        .into_iter()
                        .map(serde_json::Value::Object)
                        .collect(),
                })
                .collect()
        });
        Ok(run)
    }

    /// From a run of a notebook's history (no snapshot).
    pub(crate) fn from_summary(r: types::RunSummary) -> Result<Run> {
        Ok(Run::from_fields(
            run_id(r.run_id, None)?,
            r.notebook_id,
            r.status,
            r.created_at,
            r.completed_at.or(r.finished_at),
            r.error,
        ))
    }

    /// The fields every shape of a run shares, the snapshot left for the caller.
    fn from_fields(
        id: RunId,
        notebook_id: Option<String>,
        status: Option<RunStatus>,
        created_at: Option<DateTime<Utc>>,
        finished_at: Option<DateTime<Utc>>,
        error: Option<types::RunError>,
    ) -> Run {
        Run {
            id,
            notebook_id: notebook_id.map(NotebookId::new),
            status: status.unwrap_or_else(|| RunStatus::Unknown(String::new())),
            created_at,
            finished_at,
            error: error.and_then(error_text),
            snapshot: None,
            snapshot_blocks: None,
        }
    }

    /// Why a failed run failed when Deepnote's `error` says nothing: the first error output
    /// of its snapshot, else that no reason was given.
    pub(crate) fn reason_from(&self, snapshot: Option<&str>) -> String {
        snapshot
            .and_then(|text| crate::runs::document::parse(text).ok())
            .and_then(|doc| doc.first_error())
            .unwrap_or_else(|| {
                format!(
                    "the run finished with status {} and Deepnote reported no reason",
                    self.status
                )
            })
    }

    /// `Ok` for a success, [`Error::RunFailed`] with the run's own error for any other
    /// terminal status.
    pub(crate) fn into_outcome(self) -> Result<Run> {
        let message = self.error.clone();
        self.outcome_with(message)
    }

    /// The one place a [`Error::RunFailed`] is made: `Ok` for a success, else the failure
    /// with this message.
    pub(crate) fn outcome_with(self, message: Option<String>) -> Result<Run> {
        match self.status {
            RunStatus::Success => Ok(self),
            _ => Err(Error::RunFailed {
                message,
                run: Box::new(self),
            }),
        }
    }
}

/// A run's `error`, a string or `{message}` as Deepnote sends it.
fn error_text(error: types::RunError) -> Option<String> {
    match error {
        types::RunError::String(s) => Some(s),
        types::RunError::Object { message } => message,
    }
}

/// The run id the answer gives (`runId` or `id`, both UUIDs), or else the one asked for.
fn run_id(given: Option<uuid::Uuid>, asked: Option<RunId>) -> Result<RunId> {
    given
        .map(RunId::from)
        .or(asked)
        .ok_or_else(|| Error::Decode("a run without a runId".into()))
}

/// Where the snapshot is, if anywhere: empty content or an empty URL is "not attached yet".
fn snapshot_ref(content: Option<String>, url: Option<String>) -> Option<SnapshotRef> {
    match (
        content.filter(|c| !c.trim().is_empty()),
        url.filter(|u| !u.is_empty()),
    ) {
        (Some(text), _) => Some(SnapshotRef::Inline(text)),
        (None, Some(url)) => Some(SnapshotRef::DownloadUrl(url)),
        _ => None,
    }
}
