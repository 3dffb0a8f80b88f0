//! Runs: start one, read one, wait for one, read its snapshot.

pub(crate) mod document;
pub(crate) mod handle;
pub(crate) mod list;
pub(crate) mod many;
pub(crate) mod model;
pub(crate) mod policy;
pub(crate) mod poll;
pub(crate) mod request;
pub(crate) mod snapshot;
pub(crate) mod start;
pub(crate) mod wait;

pub use deepnote_api::RunStatus;
pub use document::{
    MAX_SNAPSHOT_BYTES, SnapshotBlock, SnapshotDocument, SnapshotNotebook, SnapshotProject,
};
pub use handle::{GetRun, RunHandle};
pub use list::{ListRuns, NotebookRunsQuery};
pub use many::{OutcomeStream, RunMany, RunOutcome};
pub use model::{BlockOutputs, Run, SnapshotRef};
pub use policy::WaitPolicy;
pub use request::{CreateRun, RunRequest, StorageMode};
pub use snapshot::{Snapshot, SnapshotDelivery};
pub use wait::Wait;

use crate::client::Client;
use crate::error::Result;
use crate::ids::{NotebookId, RunId};
use crate::inputs::InputValue;
use crate::list::List;

/// The run operations; from [`Client::runs`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// // Start a run, wait for its end, and read what it printed.
/// let run = client.runs().create(notebook).input("region", "EMEA").await?.wait().await?;
/// assert!(run.is_success());
/// let snapshot = client.runs().snapshot(run.id).await?.parse()?;
/// assert!(!snapshot.project.notebooks.is_empty());
/// // The notebook's runs, newest first.
/// let runs = client.runs().list(notebook).await?;
/// assert_eq!(runs[0].id, run.id);
/// # Ok(())
/// # }
/// ```
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
        start::start(self.client, request).await
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
    /// [`Error::InvalidInput`](crate::Error::InvalidInput). A notebook whose inputs cannot be read gets every input (the
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
                let inputs = start::known_inputs(self.client, notebook).await;
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
