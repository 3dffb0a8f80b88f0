//! A started run, and one run read by its id.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::runs::{Run, RunStatus, Snapshot, SnapshotDelivery, Wait};
use chrono::{DateTime, Utc};
use deepnote_api::types;

/// A started run. It serializes as `POST /runs` answers: `runId`, `status`, `createdAt`.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunHandle {
    #[serde(skip)]
    pub(crate) client: Client,
    #[serde(rename = "runId")]
    pub(crate) id: RunId,
    // Known from the request, not part of the answer: the wait reads its history from it.
    #[serde(skip)]
    pub(crate) notebook: NotebookId,
    pub(crate) status: RunStatus,
    pub(crate) created_at: Option<DateTime<Utc>>,
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

/// The options of reading one run; from [`RunsApi::get`](crate::runs::RunsApi::get). Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetRun {
    pub(crate) client: Client,
    pub(crate) id: RunId,
    pub(crate) delivery: Option<SnapshotDelivery>,
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

crate::into_future::send_on_await!(GetRun => Run);
