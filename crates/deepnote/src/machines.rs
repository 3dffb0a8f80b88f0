//! Machines: the machine types of the workspace, and a project's editor machine. Deepnote's
//! reference shows the list and the get; the update is inferred from one sentence of its
//! machines guide, which shows neither its path nor its fields.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::ids::project_uuid;
use crate::list::{List, ListQuery, Page, sealed};
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// A machine type (size) a project can run on. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct MachineType {
    /// Its ID, as [`MachinesApi::update`] would name it.
    pub id: Option<String>,
    /// Its name (`CPU (Plus)`).
    pub name: Option<String>,
    /// `deepnote` for Deepnote's own, else a custom machine's kind.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its vCPUs.
    #[serde(rename = "vCpus")]
    pub vcpus: Option<f64>,
    /// Its memory in GiB.
    #[serde(rename = "memoryGiB")]
    pub memory_gib: Option<f64>,
    /// Its GPUs.
    #[serde(rename = "gpuCount")]
    pub gpu_count: Option<i64>,
}

impl MachineType {
    fn from_api(t: types::MachineType) -> MachineType {
        MachineType {
            id: t.id,
            name: t.name,
            kind: t.type_,
            vcpus: t.v_cpus,
            memory_gib: t.memory_gi_b,
            gpu_count: t.gpu_count,
        }
    }
}

/// The state of a project's editor machine. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Machine {
    /// `running`, `starting`, `stopped`, ... as the server spells it.
    pub status: Option<String>,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// The step it is at while starting.
    pub starting_phase: Option<String>,
    /// Its machine type.
    #[serde(rename = "type")]
    pub machine_type: Option<MachineType>,
}

impl Machine {
    fn from_api(m: types::Machine) -> Machine {
        Machine {
            status: m.status,
            error: m.error,
            starting_phase: m.starting_phase,
            machine_type: m.type_.map(MachineType::from_api),
        }
    }
}

/// The machine operations; from [`Client::machines`].
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
/// let types = client.machines().types().await?;
/// assert!(!types.is_empty());
/// let machine = client.machines().get(project).await?;
/// println!("{:?}", machine.status);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MachinesApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> MachinesApi<'a> {
    /// The machine types projects of the workspace can run on: Deepnote's first, then the
    /// workspace's custom ones. The API has no pages: the first page holds them all.
    pub fn types(&self) -> List<MachineTypesQuery> {
        List::new(self.client.clone(), MachineTypesQuery)
    }

    /// The state of a project's editor machine (cheap enough to poll).
    pub async fn get(&self, project: impl Into<ProjectId>) -> Result<Machine> {
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .get_project_machine()
                    .project_id(project_uuid(&project.into())?)
                    .send(),
            )
            .await?;
        Ok(Machine::from_api(answer.into_inner().machine))
    }

    /// Move a project's machine to another machine type (an ID from [`MachinesApi::types`]),
    /// through [`MachinesApi::update`] with `{"machineType": ID}`, a field name inferred from
    /// Deepnote's machines guide, so the live API may refuse it.
    pub async fn set_type(
        &self,
        project: impl Into<ProjectId>,
        machine_type: impl Into<String>,
    ) -> Result<Machine> {
        let machine_type = machine_type.into();
        if machine_type.trim().is_empty() {
            return Err(Error::InvalidArgument("the machine type is empty".into()));
        }
        let mut settings = serde_json::Map::new();
        settings.insert("machineType".into(), machine_type.into());
        self.update(project, settings).await
    }

    /// Change a project's machine settings. Uncertain: Deepnote's machines guide says a
    /// `PATCH` changes the machine's hardware and idle shutdown and can answer 409, but neither
    /// the path nor the field names are visible, so `settings` is sent as given (for instance
    /// `{"machineTypeId": "fjord"}`, a guess) and the call may fail on the live API.
    pub async fn update(
        &self,
        project: impl Into<ProjectId>,
        settings: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Machine> {
        if settings.is_empty() {
            return Err(Error::InvalidArgument(
                "no machine settings to change".into(),
            ));
        }
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .update_project_machine()
                    .project_id(project_uuid(&project.into())?)
                    .body(settings)
                    .send(),
            )
            .await?;
        Ok(Machine::from_api(answer.into_inner().machine))
    }
}

/// The query of [`MachinesApi::types`].
#[derive(Clone, Copy, Debug)]
pub struct MachineTypesQuery;

impl sealed::Sealed for MachineTypesQuery {}

impl ListQuery for MachineTypesQuery {
    type Item = MachineType;

    fn fetch(
        self,
        client: Client,
        _size: Option<u32>,
        _token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<MachineType>>> {
        async move {
            let answer = client
                .send(client.api().list_machine_types().send())
                .await?;
            let items = answer
                .machine_types
                .into_iter()
                .map(MachineType::from_api)
                .collect();
            Ok(Page::new(items, None))
        }
        .boxed()
    }
}
