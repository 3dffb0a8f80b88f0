//! A project's settings: today, those of the app Deepnote hosts from its `_deepnote_static/`
//! files (`PATCH /projects/{id}` with `staticFiles`, the one body Deepnote's 0.10.0 client
//! sends; other fields the call may take are not known, so none are sent).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::into_future::send_on_await;
use crate::projects::{Project, ProjectsApi};
use deepnote_api::types;

/// The settings of a project's static-file app. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StaticFiles {
    /// Whether the project's viewers can open the app.
    pub sharing_enabled: bool,
    /// Whether the app, embedded in Deepnote, can call the API with a viewer-scoped token.
    /// Turning sharing off turns it off too.
    pub api_access_enabled: bool,
    /// The app's address (given even while sharing is off). Files published below
    /// `_deepnote_static/<dir>` are served at this address + `<dir>/`.
    pub url: String,
}

impl StaticFiles {
    pub(crate) fn from_api(s: types::ProjectStaticFiles) -> StaticFiles {
        StaticFiles {
            sharing_enabled: s.sharing_enabled,
            api_access_enabled: s.api_access_enabled,
            url: s.url,
        }
    }
}

impl ProjectsApi<'_> {
    /// Change a project's settings: await it or call `send`. Settings left unset keep their
    /// value; at least one must be set.
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
    /// let updated = client.projects().update(project).sharing(true).api_access(true).await?;
    /// let site = updated.static_files.expect("the answer carries the settings");
    /// assert!(site.sharing_enabled && site.api_access_enabled);
    ///
    /// // API access without sharing is refused before anything is sent.
    /// let refused = client.projects().update(project).sharing(false).api_access(true).await;
    /// assert!(matches!(refused, Err(deepnote::Error::InvalidArgument(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(&self, project: impl Into<ProjectId>) -> UpdateProject {
        UpdateProject {
            client: self.client.clone(),
            project: project.into(),
            sharing: None,
            api_access: None,
        }
    }
}

/// A change to a project's settings; from [`ProjectsApi::update`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateProject {
    client: Client,
    project: ProjectId,
    sharing: Option<bool>,
    api_access: Option<bool>,
}

impl UpdateProject {
    /// Let the project's viewers open its static-file app, or not. Turning it off turns API
    /// access off as well.
    pub fn sharing(mut self, enabled: bool) -> Self {
        self.sharing = Some(enabled);
        self
    }

    /// Let the static-file app call the API with a viewer-scoped token, or not. It needs
    /// sharing: API access on with sharing off is refused before sending.
    pub fn api_access(mut self, enabled: bool) -> Self {
        self.api_access = Some(enabled);
        self
    }

    /// Send the change; the project as the answer gives it (its id, name and settings).
    pub async fn send(self) -> Result<Project> {
        let project = self.project.uuid()?;
        if self.sharing.is_none() && self.api_access.is_none() {
            return Err(Error::InvalidArgument(format!(
                "no setting of project {} to change",
                self.project
            )));
        }
        if self.sharing == Some(false) && self.api_access == Some(true) {
            return Err(Error::InvalidArgument(format!(
                "project {}: API access needs sharing, so it cannot be turned on while sharing \
                 is turned off",
                self.project
            )));
        }
        let body = types::UpdateProjectRequest {
            static_files: Some(types::UpdateProjectRequestStaticFiles {
                sharing_enabled: self.sharing,
                api_access_enabled: self.api_access,
            }),
        };
        let answer = self
            .client
            .send(
                self.client
                    .api()
                    .update_project()
                    .project_id(project)
                    .body(body)
                    .send(),
            )
            .await?;
        let p = answer.project;
        let mut updated = Project::from_parts(Some(p.id), Some(p.name), None, None, Vec::new())?;
        updated.static_files = Some(StaticFiles::from_api(p.static_files));
        Ok(updated)
    }
}

send_on_await!(UpdateProject => Project);
