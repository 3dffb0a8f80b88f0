//! Streamlit apps: a project's Python file served as a web app. Create one (which restarts
//! the project's machine), list a project's, read an app's status, and wait until it runs.
//!
//! Deepnote documents these operations only through its own CLI (0.10.0), which calls them:
//! the success status of a create is not shown there, so any 2xx is taken; a create the
//! server refuses with 409 "already exists" is answered by [`AppsApi::ensure`] with the app
//! that serves the file.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{AppId, ProjectId, project_uuid};
use crate::into_future::send_on_await;
use crate::list::{List, ListQuery, Page, sealed};
use crate::polling::Polling;
use crate::runs::WaitPolicy;
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::time::Duration;
use tokio::time::Instant;

/// Where an app is: `running`, `starting` or `unavailable` (which can pass while the
/// project's machine restarts), or a status this version does not know.
pub use deepnote_api::StreamlitAppStatus as AppStatus;

/// How long [`AppsApi::wait_running`] waits by default: Deepnote's CLI's 10 minutes.
pub const DEFAULT_START_DEADLINE: Duration = Duration::from_secs(600);

/// A Streamlit app. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct App {
    /// Its ID.
    pub id: AppId,
    /// The project whose file it serves.
    pub project_id: ProjectId,
    /// The served file, relative to the project's files (no leading `/`).
    pub entrypoint: String,
    /// Its address.
    pub url: String,
    /// When it was created, as the server spells it.
    pub created_at: String,
}

impl App {
    fn from_api(a: &types::StreamlitApp) -> App {
        App {
            id: AppId::new(a.id.to_string()),
            project_id: ProjectId::new(a.project_id.to_string()),
            entrypoint: a.entrypoint.trim_start_matches('/').to_string(),
            url: a.url.clone(),
            created_at: a.created_at.clone(),
        }
    }
}

/// What [`AppsApi::ensure`] found or made.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct EnsuredApp {
    /// The app serving the file.
    pub app: App,
    /// True when this call created it (and so restarted the project's machine); false when
    /// the file was served already and nothing changed.
    pub created: bool,
}

/// The Streamlit app operations; from [`Client::apps`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder()
/// #     .seed_sample()
/// #     .streamlit_start_delay(std::time::Duration::from_millis(200))
/// #     .start()
/// #     .await
/// #     .unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// let code: &'static [u8] = b"import streamlit as st\nst.write('hello')\n";
/// client.files().upload(project, "app.py").from_reader(code, None).await?;
///
/// let app = client.apps().create(project, "app.py").await?;
/// client.apps().wait_running(&app.id).await?;
/// assert!(client.apps().status(&app.id).await?.is_running());
///
/// let apps = client.apps().list(project).await?;
/// assert_eq!(apps[0].url, app.url);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AppsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> AppsApi<'a> {
    /// A project's Streamlit apps. The API has no pages: the first page holds them all.
    pub fn list(&self, project: impl Into<ProjectId>) -> List<AppsQuery> {
        List::new(
            self.client.clone(),
            AppsQuery {
                project: project.into(),
            },
        )
    }

    /// Serve `entrypoint`, a Python file already in the project's files (`apps/dash.py`), as
    /// a Streamlit app. This restarts the project's machine, interrupting whoever works in
    /// it. The path is checked as Deepnote's client checks it (relative, no `..`, no trailing
    /// `/`) before anything is sent. A file served already is refused with 409
    /// (an [`Error::Api`] with status 409); [`AppsApi::ensure`] takes that as success.
    pub async fn create(
        &self,
        project: impl Into<ProjectId>,
        entrypoint: impl AsRef<str>,
    ) -> Result<App> {
        let body = types::CreateStreamlitAppRequest {
            project_id: project_uuid(&project.into())?,
            entrypoint: entrypoint_of(entrypoint.as_ref())?
                .parse()
                .map_err(|e| Error::InvalidArgument(format!("entrypoint: {e}")))?,
        };
        let call = self.client.api().create_streamlit_app().body(body).send();
        self.client
            .create("app", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Ok(App::from_api(&answer.streamlit_app))
            })
            .await
    }

    /// The app serving `entrypoint`: created when there is none, else the existing one found
    /// in the project's list (as Deepnote's `streamlit publish` does).
    pub async fn ensure(
        &self,
        project: impl Into<ProjectId>,
        entrypoint: impl AsRef<str>,
    ) -> Result<EnsuredApp> {
        let project = project.into();
        let entrypoint = entrypoint_of(entrypoint.as_ref())?;
        match self.create(&project, &entrypoint).await {
            Ok(app) => Ok(EnsuredApp { app, created: true }),
            Err(conflict) if already_served(&conflict) => {
                let apps = self.list(&project).await?;
                apps.into_iter()
                    .find(|a| a.entrypoint == entrypoint)
                    .map(|app| EnsuredApp {
                        app,
                        created: false,
                    })
                    .ok_or(conflict)
            }
            Err(e) => Err(e),
        }
    }

    /// Where the app is now (one request, cheap enough to poll).
    pub async fn status(&self, app: impl Into<AppId>) -> Result<AppStatus> {
        let id = app.into().uuid()?;
        let answer = self
            .client
            .send(
                self.client
                    .api()
                    .get_streamlit_app_status()
                    .streamlit_app_id(id)
                    .send(),
            )
            .await?;
        Ok(answer.status)
    }

    /// Wait until the app is `running`; await it or call `send`. By default it gives up after
    /// Deepnote's 10 minutes with [`Error::AppTimeout`]; `starting` and `unavailable` (a
    /// restart passing) are waited through alike.
    pub fn wait_running(&self, app: impl Into<AppId>) -> WaitRunning {
        WaitRunning {
            client: self.client.clone(),
            id: app.into(),
            policy: start_policy(),
            progress: None,
        }
    }
}

/// A create refused because the file is served already (Deepnote's client matches the same).
fn already_served(error: &Error) -> bool {
    matches!(error, Error::Api { status, message }
        if *status == reqwest::StatusCode::CONFLICT
            && message.to_ascii_lowercase().contains("already exists"))
}

/// The polling of an app's start: a second, growing to 5 s (Deepnote's CLI reads every 5 s),
/// for at most 10 minutes. An app takes tens of seconds to start, so the first reads come
/// sooner than Deepnote's and the later ones as often.
fn start_policy() -> WaitPolicy {
    WaitPolicy::default()
        .first_delay(Duration::from_secs(1))
        .max_delay(Duration::from_secs(5))
        .deadline(DEFAULT_START_DEADLINE)
}

/// A path in a project's files as Deepnote's client sends an entrypoint: no surrounding
/// spaces, no NUL, no `..` segment, no trailing `/`, and the leading `/` dropped.
fn entrypoint_of(path: &str) -> Result<String> {
    let refused = |why: &str| {
        Err(Error::InvalidArgument(format!(
            "entrypoint {path:?} {why}: it must be the path of a file in the project, such as apps/dash.py"
        )))
    };
    if path.trim() != path || path.contains('\0') {
        return refused("has surrounding spaces or a NUL");
    }
    if path.ends_with('/') {
        return refused("ends with /");
    }
    if path.split('/').any(|s| s == "..") {
        return refused("has a .. segment");
    }
    let relative: Vec<&str> = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if relative.is_empty() {
        return refused("names no file");
    }
    Ok(relative.join("/"))
}

type Progress = Box<dyn FnMut(&AppStatus) + Send>;

/// A wait for an app to run; from [`AppsApi::wait_running`]. Await it or call `send`.
#[must_use = "a wait does nothing until it is awaited"]
pub struct WaitRunning {
    client: Client,
    id: AppId,
    policy: WaitPolicy,
    progress: Option<Progress>,
}

impl std::fmt::Debug for WaitRunning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitRunning")
            .field("id", &self.id)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl WaitRunning {
    /// Give up after this long instead of 10 minutes.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.policy.deadline = Some(deadline);
        self
    }

    /// Poll under this policy (its growth, delays, deadline and failure budget; history is
    /// a run's and does not apply).
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Call this with each status read.
    pub fn on_status(mut self, progress: impl FnMut(&AppStatus) + Send + 'static) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Wait until the app runs.
    pub async fn send(self) -> Result<()> {
        let WaitRunning {
            client,
            id,
            policy,
            mut progress,
        } = self;
        let apps = AppsApi { client: &client };
        let mut polling = Polling::new(policy.deadline, policy.max_failed_polls);
        let mut last = None;
        let timeout = |waited, last: Option<AppStatus>| Error::AppTimeout {
            app_id: id.clone(),
            last_status: last,
            waited,
        };
        loop {
            let from = Instant::now();
            let delay = match polling.reads() {
                0 => Duration::ZERO,
                n => policy.nominal_delay(n, polling.elapsed(from)),
            };
            let until = polling
                .wake_at(from, delay)
                .map_err(|waited| timeout(waited, last.clone()))?;
            tokio::time::sleep_until(until).await;
            match apps.status(&id).await {
                Ok(status) => {
                    polling.answered();
                    tracing::debug!(app_id = %id, %status, reads = polling.reads(), "polled");
                    if let Some(progress) = progress.as_mut() {
                        progress(&status);
                    }
                    if status.is_running() {
                        return Ok(());
                    }
                    last = Some(status);
                }
                Err(e) if polling.failed(&e) => {
                    tracing::debug!(app_id = %id, error = %e, "app status failed; polling on");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

send_on_await!(WaitRunning => ());

/// The query of [`AppsApi::list`].
#[derive(Clone, Debug)]
pub struct AppsQuery {
    project: ProjectId,
}

impl sealed::Sealed for AppsQuery {}

impl ListQuery for AppsQuery {
    type Item = App;

    fn fetch(
        self,
        client: Client,
        _size: Option<u32>,
        _token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<App>>> {
        async move {
            let project = project_uuid(&self.project)?;
            let answer = client
                .send(
                    client
                        .api()
                        .list_streamlit_apps()
                        .project_id(project)
                        .send(),
                )
                .await?;
            let items = answer.streamlit_apps.iter().map(App::from_api).collect();
            Ok(Page::new(items, None))
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entrypoints_are_checked_as_deepnotes_client_checks_them() {
        assert_eq!(entrypoint_of("apps/dash.py").unwrap(), "apps/dash.py");
        assert_eq!(entrypoint_of("/app.py").unwrap(), "app.py");
        assert_eq!(entrypoint_of("./a//b.py").unwrap(), "a/b.py");
        for bad in [
            "",
            "/",
            "apps/",
            "../x.py",
            "a/../b.py",
            " app.py",
            "a\0.py",
        ] {
            let e = entrypoint_of(bad).unwrap_err().to_string();
            assert!(e.contains("entrypoint"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn the_start_wait_reads_every_5_s_at_most_for_10_minutes() {
        let p = start_policy();
        assert_eq!(p.deadline, Some(Duration::from_secs(600)));
        let late = p.nominal_delay(40, Duration::from_secs(300));
        assert_eq!(late, Duration::from_secs(5));
    }
}
