//! Projects: list, create, get, delete.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::pagination::{self, BoxStream, FetchPage, Page};
use deepnote_api::{ProjectType, types};
use futures_util::FutureExt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

/// A project.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Project {
    /// Its ID.
    pub id: ProjectId,
    /// Its name (empty when the server sent none).
    pub name: String,
    /// Its kind, when the server said.
    pub project_type: Option<ProjectType>,
    /// The folder it sits in, if any.
    pub folder_id: Option<String>,
}

impl Project {
    pub(crate) fn from_api(p: types::Project) -> Result<Project> {
        let id =
            p.id.filter(|id| !id.is_empty())
                .ok_or_else(|| Error::Decode("a project without an id".into()))?;
        Ok(Project {
            id: ProjectId::new(id),
            name: p.name.unwrap_or_default(),
            project_type: p.project_type,
            folder_id: p.folder_id,
        })
    }
}

/// The project operations; from [`Client::projects`].
#[derive(Clone, Copy, Debug)]
pub struct ProjectsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> ProjectsApi<'a> {
    /// List projects: `.stream()` for every project, `.pages()` page by page, `.send()` for one.
    pub fn list(&self) -> ListProjects {
        ListProjects {
            client: self.client.clone(),
            page_size: None,
            page_token: None,
            name_contains: None,
        }
    }

    /// One project.
    pub async fn get(&self, id: impl Into<ProjectId>) -> Result<Project> {
        let id = id.into();
        let answer = self
            .client
            .api()
            .get_project()
            .project_id(id.checked()?)
            .send()
            .await
            .map_err(|e| self.client.api_error(e))?;
        Project::from_api(answer.into_inner())
    }

    /// Create a project (Deepnote adds a first, empty notebook to it).
    pub fn create(&self, name: impl Into<String>) -> CreateProject {
        CreateProject {
            client: self.client.clone(),
            name: name.into(),
            folder_id: None,
            project_type: None,
        }
    }

    /// Delete a project.
    pub async fn delete(&self, id: impl Into<ProjectId>) -> Result<()> {
        let id = id.into();
        self.client
            .api()
            .delete_project()
            .project_id(id.checked()?)
            .send()
            .await
            .map_err(|e| self.client.api_error(e))?;
        Ok(())
    }
}

/// The options of a project list; from [`ProjectsApi::list`].
#[derive(Clone, Debug)]
#[must_use = "a list does nothing until it is sent or streamed"]
pub struct ListProjects {
    client: Client,
    page_size: Option<u32>,
    page_token: Option<String>,
    name_contains: Option<String>,
}

impl ListProjects {
    /// Items per page, 1 to 100 (checked before anything is sent); the server's default if unset.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Start at this page token instead of the first page.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Only projects whose name contains this text.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    fn fetcher(&self) -> FetchPage<Project> {
        let (client, size, filter) = (
            self.client.clone(),
            self.page_size,
            self.name_contains.clone(),
        );
        Arc::new(move |token: Option<String>| {
            let (client, filter) = (client.clone(), filter.clone());
            async move {
                pagination::check_page_size(size)?;
                let mut call = client.api().list_projects();
                if let Some(size) = size {
                    call = call.page_size(i64::from(size));
                }
                if let Some(token) = token {
                    call = call.page_token(token);
                }
                if let Some(filter) = filter {
                    call = call.name_contains(filter);
                }
                let answer = call.send().await.map_err(|e| client.api_error(e))?;
                let answer = answer.into_inner();
                let items = answer
                    .projects
                    .into_iter()
                    .map(Project::from_api)
                    .collect::<Result<Vec<_>>>()?;
                Ok(Page::new(
                    items,
                    answer.pagination.and_then(|p| p.next_page_token),
                ))
            }
            .boxed()
        })
    }

    /// The one page this list names (the first, or the one at [`ListProjects::page_token`]).
    pub async fn send(self) -> Result<Page<Project>> {
        (self.fetcher())(self.page_token).await
    }

    /// Every page, fetching each next page while the caller works on the current one.
    pub fn pages(self) -> BoxStream<Page<Project>> {
        pagination::pages(self.fetcher(), self.page_token)
    }

    /// Every project across all pages, holding at most two pages at a time.
    pub fn stream(self) -> BoxStream<Project> {
        pagination::items(self.pages())
    }
}

/// The options of a new project; from [`ProjectsApi::create`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateProject {
    client: Client,
    name: String,
    folder_id: Option<String>,
    project_type: Option<ProjectType>,
}

impl CreateProject {
    /// Put it in this folder.
    pub fn folder_id(mut self, folder: impl Into<String>) -> Self {
        self.folder_id = Some(folder.into());
        self
    }

    /// Its kind.
    pub fn project_type(mut self, kind: ProjectType) -> Self {
        self.project_type = Some(kind);
        self
    }

    /// Create it.
    pub async fn send(self) -> Result<Project> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidArgument("a project needs a name".into()));
        }
        let body = types::CreateProjectBody {
            name: self.name,
            folder_id: self.folder_id,
            project_type: self.project_type,
        };
        let answer = self
            .client
            .api()
            .create_project()
            .body(body)
            .send()
            .await
            .map_err(|e| self.client.api_error(e))?;
        Project::from_api(answer.into_inner())
    }
}

impl IntoFuture for CreateProject {
    type Output = Result<Project>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Project>> + Send>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
