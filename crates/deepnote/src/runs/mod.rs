//! Runs: start one, read one, wait for one, read its snapshot.

pub(crate) mod document;
pub(crate) mod list;
pub(crate) mod many;
pub(crate) mod poll;
pub(crate) mod snapshot;
pub(crate) mod wait;

pub use deepnote_api::RunStatus;
pub use document::{
    MAX_SNAPSHOT_BYTES, SnapshotBlock, SnapshotDocument, SnapshotNotebook, SnapshotProject,
};
pub use list::{ListRuns, NotebookRunsQuery};
pub use many::{OutcomeStream, RunMany, RunOutcome};
pub use snapshot::{Snapshot, SnapshotDelivery};
pub use wait::{Wait, WaitPolicy};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::inputs::InputValue;
use crate::list::List;
use chrono::{DateTime, Utc};
use deepnote_api::types;
use std::collections::BTreeMap;

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
        let id = run_id(r.run_id.or(r.id), asked)?;
        let error = r.error.and_then(error_text);
        let nested = r.snapshot.unwrap_or_default();
        let snapshot = snapshot_ref(
            r.snapshot_content.or(nested.snapshot_content),
            r.snapshot_download_url.or(nested.download_url),
        );
        Ok(Run {
            id,
            notebook_id: r.notebook_id.map(NotebookId::new),
            status: r
                .status
                .unwrap_or_else(|| RunStatus::Unknown(String::new())),
            created_at: r.created_at,
            finished_at: r.completed_at.or(r.finished_at),
            error,
            snapshot,
        })
    }

    /// From a run of a notebook's history (no snapshot, no error).
    pub(crate) fn from_summary(r: types::RunSummary) -> Result<Run> {
        Ok(Run {
            id: run_id(r.run_id, None)?,
            notebook_id: r.notebook_id.map(NotebookId::new),
            status: r
                .status
                .unwrap_or_else(|| RunStatus::Unknown(String::new())),
            created_at: r.created_at,
            finished_at: r.completed_at.or(r.finished_at),
            error: r.error.and_then(error_text),
            snapshot: None,
        })
    }

    /// Why a failed run failed when Deepnote's `error` says nothing: the first error output
    /// of its snapshot, else that no reason was given.
    fn reason_from(&self, snapshot: Option<&str>) -> String {
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
    fn outcome_with(self, message: Option<String>) -> Result<Run> {
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

/// How a detached run or a session may use the project's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageMode {
    /// It may read and write them.
    ReadWrite,
    /// It may only read them.
    ReadOnly,
}

impl StorageMode {
    /// The mode as the generated client sends it.
    fn to_api(self) -> types::CreateRunRequestDetachedRunStorageMode {
        match self {
            StorageMode::ReadWrite => types::CreateRunRequestDetachedRunStorageMode::ReadWrite,
            StorageMode::ReadOnly => types::CreateRunRequestDetachedRunStorageMode::Readonly,
        }
    }
}

/// The mode as the API spells it: `read_write`, `readonly`.
impl std::fmt::Display for StorageMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_api().fmt(f)
    }
}

/// What to run: a notebook, and optionally inputs, blocks and a run mode. The same value
/// serves [`RunsApi::create`] and [`RunsApi::run_many`].
///
/// # Run modes
///
/// Deepnote runs a whole notebook *detached* (on a machine of its own, without touching the
/// live editor session) unless told otherwise, and runs chosen blocks only *live*. So a
/// request with blocks is sent `detached: false`, and one without is sent `detached: true`
/// unless [`RunRequest::live`] (or `.detached(false)`) asks for a live run. A storage mode
/// applies to detached runs only: it implies detached, and blocks with a storage mode, or
/// blocks with `.detached(true)`, are refused before sending.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunRequest {
    /// The notebook to run.
    pub notebook: NotebookId,
    /// Values for the notebook's input blocks, by input name.
    pub inputs: BTreeMap<String, InputValue>,
    /// Only these blocks (all of them when `None`).
    pub blocks: Option<Vec<String>>,
    /// Also run the blocks that depend on the chosen ones.
    pub run_dependent_blocks: Option<bool>,
    /// The mode the caller asked for: `None` lets the rules above choose.
    pub detached: Option<bool>,
    /// How a detached run may use the project's files.
    pub storage_mode: Option<StorageMode>,
}

impl RunRequest {
    /// Run the whole notebook, with no inputs.
    pub fn new(notebook: impl Into<NotebookId>) -> Self {
        RunRequest {
            notebook: notebook.into(),
            inputs: BTreeMap::new(),
            blocks: None,
            run_dependent_blocks: None,
            detached: None,
            storage_mode: None,
        }
    }

    /// Set one input block's value: a string, a boolean, a list of strings, or a number (sent
    /// as its text, as Deepnote wants a slider's value).
    pub fn input(mut self, name: impl Into<String>, value: impl Into<InputValue>) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// Set several input values at once.
    pub fn inputs<K, V>(mut self, inputs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<InputValue>,
    {
        self.inputs
            .extend(inputs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Run only these blocks (at least one); such a run is always live.
    pub fn blocks<S: Into<String>>(mut self, blocks: impl IntoIterator<Item = S>) -> Self {
        self.blocks = Some(blocks.into_iter().map(Into::into).collect());
        self
    }

    /// Also run the blocks that depend on the chosen ones.
    pub fn run_dependent_blocks(mut self, yes: bool) -> Self {
        self.run_dependent_blocks = Some(yes);
        self
    }

    /// Run detached (`true`, the default for a whole notebook) or live in the project's
    /// session (`false`).
    pub fn detached(mut self, yes: bool) -> Self {
        self.detached = Some(yes);
        self
    }

    /// Run the whole notebook live, in the project's session, rather than detached.
    pub fn live(self) -> Self {
        self.detached(false)
    }

    /// How a detached run may use the project's files (this makes the run detached).
    pub fn storage_mode(mut self, mode: StorageMode) -> Self {
        self.storage_mode = Some(mode);
        self
    }

    /// Whether the run is sent detached, by the rules of [`RunRequest`]; refuses the
    /// combinations Deepnote refuses.
    fn mode(&self) -> Result<bool> {
        match (&self.blocks, self.detached, self.storage_mode) {
            (Some(_), _, Some(_)) => Err(Error::InvalidArgument(
                "a storage mode applies to detached runs, and a run of chosen blocks is live: \
                 drop the block list or the storage mode"
                    .into(),
            )),
            (Some(_), Some(true), None) => Err(Error::InvalidArgument(
                "a detached run always runs every block: drop the block list".into(),
            )),
            (Some(_), _, None) => Ok(false),
            (None, Some(false), Some(_)) => Err(Error::InvalidArgument(
                "a storage mode applies to detached runs only, and this one is live".into(),
            )),
            (None, detached, _) => Ok(detached.unwrap_or(true)),
        }
    }

    /// The request body, refusing what Deepnote refuses (an empty block list, blocks on a
    /// detached run, a storage mode on a live run) before anything is sent.
    pub(crate) fn to_body(&self) -> Result<types::CreateRunRequest> {
        let notebook_id = self.notebook.checked()?.to_string();
        if self.blocks.as_ref().is_some_and(Vec::is_empty) {
            // Sent as is, an empty list would vanish from the body and run every block.
            return Err(Error::InvalidArgument(
                "an empty block list: name at least one block, or none to run all".into(),
            ));
        }
        let detached = self.mode()?;
        let inputs = self
            .inputs
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    InputValue::Text(s) => types::RunInputValue::String(s.clone()),
                    InputValue::Bool(b) => types::RunInputValue::Boolean(*b),
                    InputValue::List(l) => types::RunInputValue::Array(l.clone()),
                };
                (name.clone(), value)
            })
            .collect();
        Ok(types::CreateRunRequest {
            notebook_id,
            inputs,
            block_ids: self.blocks.clone(),
            run_dependent_blocks: self.run_dependent_blocks,
            detached: Some(detached),
            detached_run_storage_mode: self.storage_mode.map(StorageMode::to_api),
        })
    }
}

/// The run operations; from [`Client::runs`].
#[derive(Clone, Copy, Debug)]
pub struct RunsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> RunsApi<'a> {
    /// Start a run of a notebook; set options on the builder, then `.send()` (or await it) for
    /// a [`RunHandle`].
    pub fn create(&self, notebook: impl Into<NotebookId>) -> CreateRun {
        CreateRun {
            client: self.client.clone(),
            request: RunRequest::new(notebook),
        }
    }

    /// Start a run from a prepared request.
    pub async fn start(&self, request: &RunRequest) -> Result<RunHandle> {
        start(self.client, request).await
    }

    /// One run as it is now; `.snapshot_delivery(..)` asks for its snapshot too.
    pub fn get(&self, id: impl Into<RunId>) -> GetRun {
        GetRun {
            client: self.client.clone(),
            id: id.into(),
            delivery: None,
        }
    }

    /// A notebook's past runs, newest first as the server orders them.
    pub fn list(&self, notebook: impl Into<NotebookId>) -> ListRuns {
        List::new(
            self.client.clone(),
            NotebookRunsQuery {
                notebook: notebook.into(),
            },
        )
    }

    /// Wait until the run finishes; see [`Wait`] for the policy and progress reports.
    pub fn wait(&self, id: impl Into<RunId>) -> Wait {
        Wait::new(self.client.clone(), id.into(), WaitPolicy::default())
    }

    /// The run's execution snapshot, inline or downloaded (see [`Snapshot`]).
    pub async fn snapshot(&self, id: impl Into<RunId>) -> Result<Snapshot> {
        self.snapshot_with(id, SnapshotDelivery::Inline).await
    }

    /// The snapshot of a run already read: the one it carries inline (a [`Wait`] with
    /// [`Wait::snapshot_delivery`] inline leaves it there) without a request, the one behind
    /// its download URL, or else read as [`RunsApi::snapshot`] does.
    pub async fn snapshot_of(&self, run: &Run) -> Result<Snapshot> {
        crate::runs::snapshot::of_run(self.client, run).await
    }

    /// The run's execution snapshot, asking the server to deliver it this way (a download
    /// URL is followed; the key goes with it only to the API's own origin).
    pub async fn snapshot_with(
        &self,
        id: impl Into<RunId>,
        delivery: SnapshotDelivery,
    ) -> Result<Snapshot> {
        crate::runs::snapshot::fetch(self.client, id.into(), delivery).await
    }

    /// The inputs each of several notebooks' runs gets: each notebook's input blocks are read
    /// (once per notebook) and every input goes only to the notebooks that define it, its
    /// value checked against each. An input none of them defines is an
    /// [`Error::InvalidInput`]. A notebook whose inputs cannot be read gets every input (the
    /// server checks them).
    pub async fn route_inputs(
        &self,
        notebooks: &[NotebookId],
        inputs: &std::collections::BTreeMap<String, InputValue>,
    ) -> Result<Vec<std::collections::BTreeMap<String, InputValue>>> {
        if inputs.is_empty() {
            return Ok(vec![inputs.clone(); notebooks.len()]);
        }
        let mut read: std::collections::HashMap<
            &NotebookId,
            Option<Vec<crate::inputs::NotebookInput>>,
        > = std::collections::HashMap::new();
        let mut known = Vec::with_capacity(notebooks.len());
        for notebook in notebooks {
            if !read.contains_key(notebook) {
                let inputs = known_inputs(self.client, notebook).await;
                read.insert(notebook, inputs);
            }
            known.push(read[notebook].clone());
        }
        crate::inputs::route(inputs, &known)
    }

    /// Start and wait for many runs with bounded concurrency; see [`RunMany`].
    pub fn run_many(&self, requests: impl IntoIterator<Item = RunRequest>) -> RunMany {
        RunMany::new(self.client.clone(), requests.into_iter().collect())
    }
}

/// The outcome of a finished run; a failure that Deepnote gave no reason for gets one from
/// the snapshot's first error output (one more read of the run, with its snapshot inline).
pub(crate) async fn outcome(client: &Client, run: Run) -> Result<Run> {
    if run.is_success() || run.error.is_some() {
        return run.into_outcome();
    }
    let inline = match &run.snapshot {
        Some(SnapshotRef::Inline(text)) => Some(text.clone()),
        _ => get_run(client, run.id, Some(SnapshotDelivery::Inline))
            .await
            .ok()
            .and_then(|again| match again.snapshot {
                Some(SnapshotRef::Inline(text)) => Some(text),
                _ => None,
            }),
    };
    let reason = run.reason_from(inline.as_deref());
    run.outcome_with(Some(reason))
}

/// Starts a run, first checking its inputs against the notebook's when there are any.
pub(crate) async fn start(client: &Client, request: &RunRequest) -> Result<RunHandle> {
    // What the request itself breaks is refused before any call.
    request.to_body()?;
    if !request.inputs.is_empty() {
        let known = known_inputs(client, &request.notebook).await;
        check_inputs(request, known.as_deref())?;
    }
    send_create(client, request).await
}

/// The notebook's inputs for the pre-send check, `None` when they cannot be known. The check
/// only gives a clearer error sooner (the server checks too), so a failed read skips it
/// rather than failing the run.
pub(crate) async fn known_inputs(
    client: &Client,
    notebook: &NotebookId,
) -> Option<Vec<crate::inputs::NotebookInput>> {
    match client.notebooks().inputs(notebook.clone()).await {
        Ok(known) => known,
        Err(e) => {
            tracing::debug!(error = %e, "cannot read the notebook's inputs: not checking them");
            None
        }
    }
}

/// Refuses the request's inputs the notebook's (when known) do not allow.
pub(crate) fn check_inputs(
    request: &RunRequest,
    known: Option<&[crate::inputs::NotebookInput]>,
) -> Result<()> {
    match known {
        Some(known) => crate::inputs::check(&request.inputs, known),
        None => Ok(()),
    }
}

/// Sends the create, once: the API has no idempotency key, so a create is never repeated here.
pub(crate) async fn send_create(client: &Client, request: &RunRequest) -> Result<RunHandle> {
    let body = request.to_body()?;
    let call = client.api().create_run().body(body).send();
    let (id, started) = client
        .create("run", call, |started| {
            let started = started.ok_or("the answer is empty")?;
            // `runId` (the references) or `id` (Deepnote's `{run: {id}}` answer, unwrapped).
            let id = match (started.run_id, started.id.as_deref().map(RunId::parse)) {
                (Some(id), _) => RunId::from(id),
                (None, Some(Ok(id))) => id,
                (None, Some(Err(_))) => return Err("the run id is not a UUID".to_string()),
                (None, None) => return Err("the answer holds no run id".to_string()),
            };
            Ok((id, started.clone()))
        })
        .await
        .map_err(missing_notebook)?;
    Ok(RunHandle {
        client: client.clone(),
        id,
        notebook: request.notebook.clone(),
        status: started
            .status
            .unwrap_or_else(|| RunStatus::Unknown(String::new())),
        created_at: started.created_at,
    })
}

/// The live API answers a run of a notebook that does not exist with 400 `Notebook not found`
/// (its 404 there means the key's owner left the workspace); the original spec's servers
/// answer 404. Both are [`Error::NotFound`], so callers see one error for one cause; its
/// status stays the one the server sent.
fn missing_notebook(error: Error) -> Error {
    match error {
        Error::Api { status, message }
            if status == reqwest::StatusCode::BAD_REQUEST
                && message.to_ascii_lowercase().contains("notebook not found") =>
        {
            Error::NotFound { message, status }
        }
        other => other,
    }
}

/// The options of a new run; from [`RunsApi::create`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateRun {
    client: Client,
    request: RunRequest,
}

impl CreateRun {
    /// Set one input block's value (see [`RunRequest::input`]).
    pub fn input(mut self, name: impl Into<String>, value: impl Into<InputValue>) -> Self {
        self.request = self.request.input(name, value);
        self
    }

    /// Set several input values at once.
    pub fn inputs<K, V>(mut self, inputs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<InputValue>,
    {
        self.request = self.request.inputs(inputs);
        self
    }

    /// Run only these blocks (at least one); such a run is always live.
    pub fn blocks<S: Into<String>>(mut self, blocks: impl IntoIterator<Item = S>) -> Self {
        self.request = self.request.blocks(blocks);
        self
    }

    /// Also run the blocks that depend on the chosen ones.
    pub fn run_dependent_blocks(mut self, yes: bool) -> Self {
        self.request = self.request.run_dependent_blocks(yes);
        self
    }

    /// Run detached (the default for a whole notebook) or live (see [`RunRequest`]).
    pub fn detached(mut self, yes: bool) -> Self {
        self.request = self.request.detached(yes);
        self
    }

    /// Run the whole notebook live, in the project's session, rather than detached.
    pub fn live(mut self) -> Self {
        self.request = self.request.live();
        self
    }

    /// How a detached run may use the project's files (this makes the run detached).
    pub fn storage_mode(mut self, mode: StorageMode) -> Self {
        self.request = self.request.storage_mode(mode);
        self
    }

    /// Start the run. A create is never repeated once it may have reached the server, so
    /// an error here means no run or at most the one the server may have started.
    pub async fn send(self) -> Result<RunHandle> {
        start(&self.client, &self.request).await
    }
}

/// A started run. It serializes as `POST /runs` answers: `runId`, `status`, `createdAt`.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunHandle {
    #[serde(skip)]
    client: Client,
    #[serde(rename = "runId")]
    id: RunId,
    // Known from the request, not part of the answer: the wait reads its history from it.
    #[serde(skip)]
    notebook: NotebookId,
    status: RunStatus,
    created_at: Option<DateTime<Utc>>,
}

impl RunHandle {
    /// The run's ID.
    pub fn id(&self) -> RunId {
        self.id
    }

    /// The status the server gave when it accepted the run.
    pub fn initial_status(&self) -> &RunStatus {
        &self.status
    }

    /// When the server created the run.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.created_at
    }

    /// The run as it is now.
    pub async fn get(&self) -> Result<Run> {
        self.client.runs().get(self.id).send().await
    }

    /// Wait until the run finishes (see [`Wait`]); the wait reads this notebook's history,
    /// and its first read comes when a second one would (the answer to starting the run was
    /// the first).
    pub fn wait(&self) -> Wait {
        self.client
            .runs()
            .wait(self.id)
            .notebook(self.notebook.clone())
            .just_started(self.created_at)
    }

    /// The run's execution snapshot.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        self.client.runs().snapshot(self.id).await
    }
}

/// The options of reading one run; from [`RunsApi::get`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetRun {
    client: Client,
    id: RunId,
    delivery: Option<SnapshotDelivery>,
}

impl GetRun {
    /// Ask for the run's snapshot, inline or as a download URL.
    pub fn snapshot_delivery(mut self, delivery: SnapshotDelivery) -> Self {
        self.delivery = Some(delivery);
        self
    }

    /// Read the run.
    pub async fn send(self) -> Result<Run> {
        get_run(&self.client, self.id, self.delivery).await
    }
}

pub(crate) async fn get_run(
    client: &Client,
    id: RunId,
    delivery: Option<SnapshotDelivery>,
) -> Result<Run> {
    let mut call = client.api().get_run().run_id(*id.as_uuid());
    if let Some(delivery) = delivery {
        call = call.snapshot_delivery(match delivery {
            SnapshotDelivery::Inline => types::GetRunSnapshotDelivery::Inline,
            SnapshotDelivery::DownloadUrl => types::GetRunSnapshotDelivery::DownloadUrl,
        });
    }
    let envelope = client.send(call.send()).await?;
    let run = envelope
        .run
        .ok_or_else(|| Error::Decode("the answer holds no run".into()))?;
    Run::from_api(run, Some(id))
}

crate::into_future::send_on_await!(CreateRun => RunHandle, GetRun => Run);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_run_requests_are_refused_before_sending() {
        let empty = RunRequest::new("nb").blocks(Vec::<String>::new());
        assert!(matches!(empty.to_body(), Err(Error::InvalidArgument(_))));
        let detached = RunRequest::new("nb").blocks(["b1"]).detached(true);
        assert!(matches!(detached.to_body(), Err(Error::InvalidArgument(_))));
        assert!(matches!(
            RunRequest::new("").to_body(),
            Err(Error::InvalidArgument(_))
        ));
        // An object cannot even be given: `InputValue` holds a string, a boolean or a list of
        // strings only (its own tests check what reads into it).
        let body = RunRequest::new("nb")
            .input("x", 1)
            .blocks(["b1"])
            .run_dependent_blocks(true)
            .to_body()
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        // A number goes as its text, and a block run says it is live.
        assert_eq!(
            json,
            serde_json::json!({"notebookId": "nb", "inputs": {"x": "1"}, "blockIds": ["b1"],
                "runDependentBlocks": true, "detached": false})
        );
    }

    fn body(request: RunRequest) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(request.to_body()?).unwrap())
    }

    #[test]
    fn every_storage_mode_is_sent_as_its_api_name() {
        let mut seen = std::collections::HashSet::new();
        for mode in [StorageMode::ReadWrite, StorageMode::ReadOnly] {
            assert!(seen.insert(mode.to_string()), "{mode:?} shares its name");
            let sent = body(RunRequest::new("nb").storage_mode(mode)).unwrap();
            assert_eq!(sent["detachedRunStorageMode"], mode.to_string().as_str());
        }
        // The spec's two modes, as its enum spells them.
        assert_eq!(seen.len(), 2);
        assert!(seen.contains("read_write") && seen.contains("readonly"));
    }

    #[test]
    fn run_modes_are_what_deepnote_accepts() {
        use serde_json::json;
        let nb = || RunRequest::new("nb");
        // A whole notebook runs detached unless asked to run live.
        assert_eq!(body(nb()).unwrap()["detached"], json!(true));
        assert_eq!(body(nb().live()).unwrap()["detached"], json!(false));
        assert_eq!(
            body(nb().detached(false)).unwrap()["detached"],
            json!(false)
        );
        assert_eq!(body(nb().detached(true)).unwrap()["detached"], json!(true));
        // A storage mode implies detached.
        let stored = body(nb().storage_mode(StorageMode::ReadOnly)).unwrap();
        assert_eq!(stored["detached"], json!(true));
        assert_eq!(stored["detachedRunStorageMode"], json!("readonly"));
        // Blocks run live, whatever else is unsaid.
        let blocks = body(nb().blocks(["b"])).unwrap();
        assert_eq!(blocks["detached"], json!(false));
        assert_eq!(blocks["blockIds"], json!(["b"]));
        assert_eq!(
            body(nb().blocks(["b"]).live()).unwrap()["detached"],
            json!(false)
        );
        // What Deepnote refuses is refused here.
        for refused in [
            nb().blocks(["b"]).detached(true),
            nb().blocks(["b"]).storage_mode(StorageMode::ReadWrite),
            nb().live().storage_mode(StorageMode::ReadWrite),
        ] {
            assert!(
                matches!(body(refused.clone()), Err(Error::InvalidArgument(_))),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn outcomes_follow_the_status() {
        let run = |status: &str| Run {
            id: RunId::from(uuid::Uuid::nil()),
            notebook_id: None,
            status: RunStatus::from(status),
            created_at: None,
            finished_at: None,
            error: Some("boom".into()),
            snapshot: None,
        };
        assert!(run("success").into_outcome().is_ok());
        for failed in ["error", "internal_error", "stopped"] {
            match run(failed).into_outcome() {
                Err(Error::RunFailed { run, message }) => {
                    assert_eq!(run.status.as_str(), failed);
                    assert_eq!(message.as_deref(), Some("boom"));
                }
                other => panic!("{failed}: {other:?}"),
            }
        }
        assert!(!run("queued_somewhere_new").is_finished());
    }
}
