//! Notebooks: create, get, delete, read their inputs, and the legacy v1 execute trigger.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, ProjectId};
use crate::inputs::NotebookInput;
use deepnote_api::types;

/// A notebook. It serializes with the API's field names (`projectId`), every field present
/// (`null` when the server did not say).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Notebook {
    /// Its ID.
    pub id: NotebookId,
    /// Its name (empty when the server sent none).
    pub name: String,
    /// The project it belongs to, when the server said.
    pub project_id: Option<ProjectId>,
}

impl Notebook {
    pub(crate) fn from_envelope(notebook: Option<types::Notebook>) -> Result<Notebook> {
        let n = notebook.ok_or_else(|| Error::Decode("the answer holds no notebook".into()))?;
        let id =
            n.id.filter(|id| !id.is_empty())
                .ok_or_else(|| Error::Decode("a notebook without an id".into()))?;
        Ok(Notebook {
            id: NotebookId::new(id),
            name: n.name.unwrap_or_default(),
            project_id: n.project_id.map(ProjectId::new),
        })
    }
}

/// The notebook operations; from [`Client::notebooks`].
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
/// let created = client.notebooks().create(project).name("Forecast").await?;
/// let read = client.notebooks().get(&created.id).await?;
/// assert_eq!(read.name, "Forecast");
/// // The notebook's input blocks, when Deepnote describes them.
/// if let Some(inputs) = client.notebooks().inputs(notebook).await? {
///     println!("{} inputs", inputs.len());
/// }
/// client.notebooks().delete(&created.id).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct NotebooksApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> NotebooksApi<'a> {
    /// One notebook.
    pub async fn get(&self, id: impl Into<NotebookId>) -> Result<Notebook> {
        Notebook::from_envelope(self.read(id.into()).await?.notebook)
    }

    /// GET /notebooks/{id}, the answer as the generated client reads it.
    async fn read(&self, id: NotebookId) -> Result<types::GetNotebookResponse> {
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .get_notebook()
                    .notebook_id(id.checked()?)
                    .send(),
            )
            .await?;
        Ok(answer.into_inner())
    }

    /// The notebook's input blocks: what a run's inputs may name, and what each takes.
    /// `None` when the server does not say (the original API answers no inputs); an empty list
    /// when it lists the notebook's blocks and none is an input block.
    pub async fn inputs(&self, id: impl Into<NotebookId>) -> Result<Option<Vec<NotebookInput>>> {
        let answer = self.read(id.into()).await?;
        // Read through JSON, so the inputs are found under whatever type the generated
        // client gives the notebook.
        let json = serde_json::to_value(&answer)
            .map_err(|e| Error::Decode(format!("the notebook cannot be read: {e}")))?;
        let notebook = json.get("notebook").unwrap_or(&json);
        let Some(list) = notebook.get("inputs").and_then(serde_json::Value::as_array) else {
            // The live API lists `inputs` only when there are some: blocks without an input
            // block mean none, so a run's inputs can be routed away from this notebook. An
            // empty notebook (no blocks listed) says nothing either way.
            let blocks = notebook.get("blocks").and_then(serde_json::Value::as_array);
            let no_inputs = blocks.is_some_and(|blocks| {
                !blocks.iter().any(|b| {
                    b.get("type")
                        .and_then(serde_json::Value::as_str)
                        .is_some_and(|t| t.starts_with("input-"))
                })
            });
            return Ok(no_inputs.then(Vec::new));
        };
        Ok(Some(
            list.iter().filter_map(NotebookInput::from_json).collect(),
        ))
    }

    /// Create an empty notebook in a project.
    pub fn create(&self, project: impl Into<ProjectId>) -> CreateNotebook {
        CreateNotebook {
            client: self.client.clone(),
            project: project.into(),
            name: None,
        }
    }

    /// Delete a notebook.
    pub async fn delete(&self, id: impl Into<NotebookId>) -> Result<()> {
        let id = id.into();
        self.client
            .answer(
                self.client
                    .api()
                    .delete_notebook()
                    .notebook_id(id.checked()?)
                    .send(),
            )
            .await?;
        Ok(())
    }

    /// Change a notebook: its name ([`UpdateNotebook::name`]). Known only from Deepnote's
    /// client code on a branch not yet released (its released client says there is no such
    /// call), so the live API may answer 404 or 405. 409: the name is taken in the project, or
    /// the project is a single-notebook, agent or suspended one. Naming a notebook `Init`
    /// makes it the project's init notebook.
    pub fn update(&self, id: impl Into<NotebookId>) -> UpdateNotebook {
        UpdateNotebook {
            client: self.client.clone(),
            id: id.into(),
            name: None,
        }
    }

    /// The legacy v1 trigger: start the notebook's machine if it is offline and run the
    /// notebook (nothing happens if it is already running). It returns no run; prefer
    /// [`crate::runs::RunsApi::create`].
    pub async fn execute_v1(
        &self,
        project: impl Into<ProjectId>,
        notebook: impl Into<NotebookId>,
    ) -> Result<()> {
        let (project, notebook) = (project.into(), notebook.into());
        self.client
            .answer(
                self.client
                    .api()
                    .execute_notebook_v1()
                    .project_id(project.checked()?)
                    .notebook_id(notebook.checked()?)
                    .send(),
            )
            .await?;
        Ok(())
    }
}

/// The options of a new notebook; from [`NotebooksApi::create`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateNotebook {
    client: Client,
    project: ProjectId,
    name: Option<String>,
}

impl CreateNotebook {
    /// Its name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Create it.
    pub async fn send(self) -> Result<Notebook> {
        let body = types::CreateNotebookBody {
            project_id: self.project.uuid()?,
            name: self.name,
        };
        let call = self.client.api().create_notebook().body(body).send();
        self.client
            .create("notebook", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Notebook::from_envelope(answer.notebook.clone()).map_err(|e| e.to_string())
            })
            .await
    }
}

/// A change to a notebook; from [`NotebooksApi::update`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateNotebook {
    client: Client,
    id: NotebookId,
    name: Option<String>,
}

impl UpdateNotebook {
    /// Its new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Change it.
    pub async fn send(self) -> Result<Notebook> {
        let name = self
            .name
            .ok_or_else(|| Error::InvalidArgument("nothing to change: give a name".into()))?;
        let name = types::UpdateNotebookBodyName::try_from(name.as_str())
            .map_err(|_| Error::InvalidArgument("a notebook name cannot be empty".into()))?;
        let call = self
            .client
            .api()
            .update_notebook()
            .notebook_id(self.id.checked()?)
            .body(types::UpdateNotebookBody { name })
            .send();
        Notebook::from_envelope(Some(self.client.send(call).await?.notebook))
    }
}

crate::into_future::send_on_await!(CreateNotebook => Notebook, UpdateNotebook => Notebook);
