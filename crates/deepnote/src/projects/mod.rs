//! Projects: list, create, get, update, delete; export and import, push; publish a static
//! site.

pub(crate) mod archive;
pub(crate) mod compare;
pub(crate) mod dir;
pub(crate) mod document;
pub(crate) mod export;
pub(crate) mod from_file;
pub(crate) mod publish;
pub(crate) mod push;
pub(crate) mod settings;

pub use compare::{RemoteChange, RemoteEdit, check_project_names, rebased, remote_edits};
pub use deepnote_api::ProjectType;
pub use document::{DeepnoteDocument, ProjectExport, content_hash, slug};
pub use export::{ImportOptions, ImportResult, ImportedNotebook};
pub use from_file::{CreateFromDocumentError, CreatedNotebook, CreatedProject};
pub use publish::{
    PlannedUpload, Publish, PublishEvent, PublishFailure, PublishPlan, PublishReport, STATIC_ROOT,
};
pub use push::{PushBase, PushConflict, PushOptions};
pub use settings::{StaticFiles, UpdateProject};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::list::{List, ListQuery, read_page, sealed};
use crate::pagination::Page;
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// A project. It serializes with the API's field names (`projectType`, `folderId`), every
/// field present (`null` when the server did not say).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Project {
    /// Its ID.
    pub id: ProjectId,
    /// Its name (empty when the server sent none).
    pub name: String,
    /// Its kind, when the server said.
    pub project_type: Option<ProjectType>,
    /// The folder it sits in, if any (the original spec's `folderId`, or the live `folder`).
    pub folder_id: Option<String>,
    /// Its notebooks, as the answer listed them (creating a project seeds one; the original
    /// spec's answers list none).
    pub notebooks: Vec<ProjectNotebook>,
    /// The files of its working directory (path, size, last change), as
    /// [`ProjectsApi::get`] answers them; `None` where the answer does not list files (project
    /// lists, create), and then not serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<ProjectFile>>,
    /// The settings of the app Deepnote hosts from the project's `_deepnote_static/` files,
    /// as [`ProjectsApi::get`] and [`ProjectsApi::update`] answer them; `None` where the
    /// answer does not say, and then not serialized.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_files: Option<StaticFiles>,
}

/// A file of a project's working directory, as `GET /projects/{id}` lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProjectFile {
    /// Its path in the project.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A notebook as a project lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ProjectNotebook {
    /// Its ID.
    pub id: crate::ids::NotebookId,
    /// Its name (empty when the server sent none).
    pub name: String,
}

impl ProjectNotebook {
    /// The same notebook as a [`Notebook`](crate::notebooks::Notebook) of `project`, the project whose
    /// answer listed it (a project's list does not repeat its own id on each notebook).
    pub fn to_notebook(&self, project: &ProjectId) -> crate::notebooks::Notebook {
        crate::notebooks::Notebook {
            id: self.id.clone(),
            name: self.name.clone(),
            project_id: Some(project.clone()),
        }
    }

    fn from_api(n: types::ProjectNotebookRef) -> ProjectNotebook {
        ProjectNotebook {
            id: crate::ids::NotebookId::new(n.id),
            name: n.name.unwrap_or_default(),
        }
    }
}

impl Project {
    fn from_parts(
        id: Option<String>,
        name: Option<String>,
        project_type: Option<ProjectType>,
        folder_id: Option<String>,
        notebooks: Vec<types::ProjectNotebookRef>,
    ) -> Result<Project> {
        let id = id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::Decode("a project without an id".into()))?;
        Ok(Project {
            id: ProjectId::new(id),
            name: name.unwrap_or_default(),
            project_type,
            folder_id,
            notebooks: notebooks
                .into_iter()
                .map(ProjectNotebook::from_api)
                .collect(),
            files: None,
            static_files: None,
        })
    }

    pub(crate) fn from_list(p: types::ListProjectsItem) -> Result<Project> {
        let folder = p.folder.map(|f| f.id).or(p.folder_id);
        Project::from_parts(p.id, p.name, p.project_type, folder, p.notebooks)
    }

    pub(crate) fn from_detail(p: types::ProjectDetail) -> Result<Project> {
        let folder = p.folder.map(|f| f.id).or(p.folder_id);
        let mut project = Project::from_parts(p.id, p.name, p.project_type, folder, p.notebooks)?;
        let files = p
            .files
            .into_iter()
            .map(|f| ProjectFile {
                path: f.path,
                size: u64::try_from(f.size).unwrap_or_default(),
                updated_at: f.updated_at,
            })
            .collect();
        project.files = Some(files);
        project.static_files = p.static_files.map(StaticFiles::from_api);
        Ok(project)
    }

    pub(crate) fn from_created(p: types::CreateProjectResponseProject) -> Result<Project> {
        Project::from_parts(p.id, p.name, p.project_type, p.folder_id, p.notebooks)
    }
}

/// The project operations; from [`Client::projects`].
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
/// let created = client.projects().create("Q3 forecast").await?;
/// let read = client.projects().get(&created.id).await?;
/// assert_eq!(read.name, "Q3 forecast");
/// // The first page; `.stream()` would give every project.
/// let page = client.projects().list().page_size(10).await?;
/// assert!(!page.is_empty());
/// client.projects().delete(&created.id).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ProjectsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> ProjectsApi<'a> {
    /// List projects: `.stream()` for every project, `.pages()` page by page, `.send()` for one.
    pub fn list(&self) -> ListProjects {
        List::new(self.client.clone(), ProjectsQuery::default())
    }

    /// One project.
    pub async fn get(&self, id: impl Into<ProjectId>) -> Result<Project> {
        let id = id.into();
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .get_project()
                    .project_id(id.checked()?)
                    .send(),
            )
            .await?;
        Project::from_detail(answer.into_inner().project)
    }

    /// Create a project (Deepnote adds a first, empty notebook to it).
    pub fn create(&self, name: impl Into<String>) -> CreateProject {
        CreateProject {
            client: self.client.clone(),
            name: name.into(),
            folder_id: None,
        }
    }

    /// Delete a project.
    pub async fn delete(&self, id: impl Into<ProjectId>) -> Result<()> {
        let id = id.into();
        self.client
            .answer(
                self.client
                    .api()
                    .delete_project()
                    .project_id(id.checked()?)
                    .send(),
            )
            .await?;
        Ok(())
    }
}

/// A project list; from [`ProjectsApi::list`].
pub type ListProjects = List<ProjectsQuery>;

/// What a project list asks for beyond paging; set through [`ListProjects`].
#[derive(Clone, Debug, Default)]
pub struct ProjectsQuery {
    name_contains: Option<String>,
}

impl List<ProjectsQuery> {
    /// Only projects whose name contains this text.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.query.name_contains = Some(text.into());
        self
    }
}

impl sealed::Sealed for ProjectsQuery {}

impl ListQuery for ProjectsQuery {
    type Item = Project;

    fn fetch(
        self,
        client: Client,
        size: Option<u32>,
        token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Project>>> {
        async move {
            let answer = list_page(&client, size, token, self.name_contains).await?;
            read_page(answer.projects, Project::from_list, answer.pagination)
        }
        .boxed()
    }
}

/// One page of `listProjects`, as the API answers it.
async fn list_page(
    client: &Client,
    size: Option<u32>,
    token: Option<String>,
    name_contains: Option<String>,
) -> Result<types::ListProjectsResponse> {
    let mut call = client.api().list_projects();
    if let Some(size) = size {
        call = call.page_size(crate::pagination::non_zero(size));
    }
    if let Some(token) = token {
        call = call.page_token(token);
    }
    if let Some(filter) = name_contains {
        call = call.name_contains(filter);
    }
    let answer = client.answer(call.send()).await?;
    Ok(answer.into_inner())
}

/// A listed project with the names of the folders from the workspace's root down to its own
/// (empty at the root, or when the answer did not say), as `sync` lays projects out.
pub(crate) struct FolderedProject {
    pub(crate) project: Project,
    pub(crate) folders: Vec<String>,
}

/// `listProjects` read as [`FolderedProject`]s.
#[derive(Clone, Debug, Default)]
pub(crate) struct FolderedProjectsQuery;

impl sealed::Sealed for FolderedProjectsQuery {}

impl ListQuery for FolderedProjectsQuery {
    type Item = FolderedProject;

    fn fetch(
        self,
        client: Client,
        size: Option<u32>,
        token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<FolderedProject>>> {
        async move {
            let answer = list_page(&client, size, token, None).await?;
            let read = |p: types::ListProjectsItem| {
                let folders = p
                    .folder
                    .as_ref()
                    .map(|f| f.path.iter().map(|s| s.name.clone()).collect())
                    .unwrap_or_default();
                Ok(FolderedProject {
                    project: Project::from_list(p)?,
                    folders,
                })
            };
            read_page(answer.projects, read, answer.pagination)
        }
        .boxed()
    }
}

/// The options of a new project; from [`ProjectsApi::create`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateProject {
    client: Client,
    name: String,
    folder_id: Option<String>,
}

impl CreateProject {
    /// Put it in this folder (a folder ID, a UUID).
    pub fn folder_id(mut self, folder: impl Into<String>) -> Self {
        self.folder_id = Some(folder.into());
        self
    }

    /// Create it.
    pub async fn send(self) -> Result<Project> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidArgument("a project needs a name".into()));
        }
        let folder_id = self
            .folder_id
            .map(|f| {
                f.parse()
                    .map_err(|_| Error::InvalidArgument(format!("folder id {f:?} is not a UUID")))
            })
            .transpose()?;
        // The live body has no project type: a project is created standard.
        let body = types::CreateProjectBody {
            name: self.name,
            folder_id,
        };
        let call = self.client.api().create_project().body(body).send();
        self.client
            .create("project", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Project::from_created(answer.project.clone()).map_err(|e| e.to_string())
            })
            .await
    }
}

crate::into_future::send_on_await!(CreateProject => Project);
