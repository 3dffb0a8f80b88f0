//! Publishing a local folder as a project's static site: its files uploaded below
//! `_deepnote_static/` (each streamed from disk), with `prune` the remote files the folder no
//! longer has removed, then sharing turned on, as Deepnote's `deepnote publish` does. A plan
//! shows all of it before anything is sent.
//!
//! What it touches is only what the caller named: files below the target folder. A file there
//! is replaced by the local one of the same path; without `prune` nothing is removed; with it,
//! only files below the target that the folder does not have, and only once every upload
//! succeeded.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::files::{FileRef, io_error};
use crate::ids::ProjectId;
use crate::projects::settings::StaticFiles;
use crate::projects::{Project, ProjectsApi};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder of a project's files that Deepnote serves as its static-file app.
pub const STATIC_ROOT: &str = "_deepnote_static";

impl ProjectsApi<'_> {
    /// Publish the folder `dir` as the project's static site: `.plan()` shows what would be
    /// done, `.apply()` does it.
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
    /// # let site = std::env::temp_dir().join(format!("deepnote-doc-site-{}", std::process::id()));
    /// # std::fs::create_dir_all(&site).unwrap();
    /// std::fs::write(site.join("index.html"), "<h1>Q3</h1>").unwrap();
    ///
    /// let plan = client.projects().publish(project, &site).plan().await?;
    /// assert_eq!(plan.uploads[0].path, "_deepnote_static/index.html");
    ///
    /// let report = client.projects().publish(project, &site).prune(true).apply().await?;
    /// assert!(report.is_complete());
    /// println!("served at {}", report.url.unwrap());
    /// # std::fs::remove_dir_all(&site).unwrap();
    /// # Ok(())
    /// # }
    /// ```
    pub fn publish(&self, project: impl Into<ProjectId>, dir: impl Into<PathBuf>) -> Publish {
        Publish {
            client: self.client.clone(),
            project: project.into(),
            dir: dir.into(),
            target: STATIC_ROOT.to_string(),
            prune: false,
            api_access: None,
            progress: None,
        }
    }
}

/// What happened to one file during [`Publish::apply`], as it happens. The plan, the report
/// and their parts serialize with camel-case field names, as the API's models do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublishEvent {
    /// Uploaded, `bytes` long.
    Uploaded {
        /// Its path in the project.
        path: String,
        /// Its size.
        bytes: u64,
    },
    /// Removed (pruned).
    Removed {
        /// Its path in the project.
        path: String,
    },
    /// Failed; the report says why.
    Failed {
        /// Its path in the project.
        path: String,
    },
}

type Progress = Arc<dyn Fn(&PublishEvent) + Send + Sync>;

/// A publish to make; from [`ProjectsApi::publish`].
#[must_use = "a publish does nothing until it is planned or applied"]
#[derive(Clone)]
pub struct Publish {
    client: Client,
    project: ProjectId,
    dir: PathBuf,
    target: String,
    prune: bool,
    api_access: Option<bool>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for Publish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publish")
            .field("project", &self.project)
            .field("dir", &self.dir)
            .field("target", &self.target)
            .field("prune", &self.prune)
            .field("api_access", &self.api_access)
            .finish_non_exhaustive()
    }
}

/// One file to upload.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlannedUpload {
    /// The local file.
    pub local: PathBuf,
    /// Where it goes in the project.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// True when the project has a file at that path, which the upload replaces.
    pub replaces: bool,
}

/// What a publish would do; from [`Publish::plan`], and part of every report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublishPlan {
    /// The project.
    pub project_id: ProjectId,
    /// The folder of the project the site goes to (`_deepnote_static` or below).
    pub target: String,
    /// Every file of the local folder, in path order.
    pub uploads: Vec<PlannedUpload>,
    /// With `prune`, the project's files below the target that the folder does not have.
    pub removals: Vec<String>,
    /// The app settings before the publish, when the project said.
    pub static_files: Option<StaticFiles>,
    /// True when the settings will be changed (sharing off, or API access not as asked).
    pub changes_settings: bool,
}

/// A file that could not be published or removed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublishFailure {
    /// Its path in the project (or `project settings`).
    pub path: String,
    /// What went wrong.
    pub message: String,
    /// True when the call may have succeeded all the same (its success answer was
    /// unreadable): look at the project's files before publishing it again.
    pub may_have_succeeded: bool,
}

/// What a publish did; from [`Publish::apply`]. Whatever finished is in it, failures or not.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublishReport {
    /// What it set out to do.
    pub plan: PublishPlan,
    /// The files uploaded, as the server stored them.
    pub uploaded: Vec<FileRef>,
    /// The files removed.
    pub removed: Vec<String>,
    /// What failed. Pruning and the settings are left alone after a failed upload.
    pub failures: Vec<PublishFailure>,
    /// The settings after the publish, when it got that far.
    pub static_files: Option<StaticFiles>,
    /// The address the published folder is served at, when it got that far.
    pub url: Option<String>,
}

impl PublishReport {
    /// True when every upload, removal and the settings change succeeded.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.url.is_some()
    }
}

impl Publish {
    /// The folder of the project to publish to: `_deepnote_static` (the default) or a folder
    /// below it, served at the app's address + the part below.
    pub fn target(mut self, folder: impl Into<String>) -> Self {
        self.target = folder.into();
        self
    }

    /// Remove the project's files below the target that the local folder does not have
    /// (after every upload succeeded). Off by default.
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Also turn the app's API access on or off (it stays as it is by default).
    pub fn api_access(mut self, enabled: bool) -> Self {
        self.api_access = Some(enabled);
        self
    }

    /// Call this as each file is uploaded, removed or fails.
    pub fn on_event(mut self, progress: impl Fn(&PublishEvent) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// What [`Publish::apply`] would do, changing nothing (one request: the project).
    pub async fn plan(&self) -> Result<PublishPlan> {
        let target = target_folder(&self.target)?;
        let local = local_files(&self.dir).await?;
        let project = self.project_detail().await?;
        Ok(self.plan_with(target, local, &project))
    }

    /// Publish: upload every file, then prune (if asked) and turn sharing on, both only once
    /// every upload succeeded. An error before the first upload (the folder, the project) is
    /// an `Err`; after it, failures are in the report with what finished.
    pub async fn apply(self) -> Result<PublishReport> {
        let plan = self.plan().await?;
        self.apply_plan(plan).await
    }

    /// [`Publish::apply`] of a plan this publish made earlier with [`Publish::plan`] (shown to
    /// someone, or sized a progress bar), without reading the folder and the project again.
    /// A plan of another project or target is refused before anything is sent. What changed
    /// since the plan shows as failures (a file gone from the folder, one replaced meanwhile).
    pub async fn apply_plan(self, plan: PublishPlan) -> Result<PublishReport> {
        let target = target_folder(&self.target)?;
        if plan.project_id != self.project || plan.target != target {
            return Err(Error::InvalidArgument(format!(
                "the plan is for {} in project {}, this publish for {target} in project {}",
                plan.target, plan.project_id, self.project
            )));
        }
        let emit = |event: PublishEvent| {
            if let Some(progress) = &self.progress {
                progress(&event);
            }
        };
        let mut report = PublishReport {
            plan,
            uploaded: Vec::new(),
            removed: Vec::new(),
            failures: Vec::new(),
            static_files: None,
            url: None,
        };
        let files = self.client.files();
        let planned_removals: BTreeSet<&str> =
            report.plan.removals.iter().map(String::as_str).collect();
        // A remote file where the folder has a directory would block its files: it goes first.
        let blocking: Vec<String> = planned_removals
            .iter()
            .filter(|r| {
                let dir = format!("{r}/");
                report.plan.uploads.iter().any(|u| u.path.starts_with(&dir))
            })
            .map(|r| r.to_string())
            .collect();
        for path in &blocking {
            self.remove(path, &mut report, &emit).await;
        }
        for upload in report.plan.uploads.clone() {
            if upload.replaces
                && let Err(e) = files.delete(&self.project, &upload.path).await
                && e.status() != Some(reqwest::StatusCode::NOT_FOUND)
            {
                fail(&mut report, &emit, &upload.path, &e);
                continue;
            }
            match files
                .upload(&self.project, &upload.path)
                .from_path(&upload.local)
                .await
            {
                Ok(stored) if stored.path == upload.path => {
                    emit(PublishEvent::Uploaded {
                        path: upload.path.clone(),
                        bytes: upload.bytes,
                    });
                    report.uploaded.push(stored);
                }
                Ok(stored) => {
                    // Stored elsewhere (the path was taken meanwhile): a stray copy would be
                    // served by nobody, so it goes, and the file counts as failed.
                    let _ = files.delete(&self.project, &stored.path).await;
                    let e = Error::Decode(format!(
                        "Deepnote stored the file at {:?} instead of {:?}",
                        stored.path, upload.path
                    ));
                    fail(&mut report, &emit, &upload.path, &e);
                }
                Err(e) => fail(&mut report, &emit, &upload.path, &e),
            }
        }
        if !report.failures.is_empty() {
            return Ok(report);
        }
        let rest: Vec<String> = report
            .plan
            .removals
            .iter()
            .filter(|r| !blocking.contains(r))
            .cloned()
            .collect();
        for path in &rest {
            self.remove(path, &mut report, &emit).await;
        }
        self.share(&mut report).await;
        Ok(report)
    }

    async fn project_detail(&self) -> Result<Project> {
        self.client.projects().get(&self.project).await
    }

    fn plan_with(
        &self,
        target: String,
        local: Vec<(String, PathBuf, u64)>,
        project: &Project,
    ) -> PublishPlan {
        let remote: BTreeSet<&str> = project
            .files
            .iter()
            .flatten()
            .map(|f| f.path.as_str())
            .collect();
        let uploads: Vec<PlannedUpload> = local
            .into_iter()
            .map(|(relative, local, bytes)| {
                let path = format!("{target}/{relative}");
                PlannedUpload {
                    replaces: remote.contains(path.as_str()),
                    local,
                    path,
                    bytes,
                }
            })
            .collect();
        let published: BTreeSet<&str> = uploads.iter().map(|u| u.path.as_str()).collect();
        let inside = format!("{target}/");
        let removals = if self.prune {
            remote
                .iter()
                .filter(|p| (**p == target || p.starts_with(&inside)) && !published.contains(*p))
                .map(|p| p.to_string())
                .collect()
        } else {
            Vec::new()
        };
        let settings = project.static_files.clone();
        let changes_settings = match &settings {
            None => true,
            Some(s) => {
                !s.sharing_enabled
                    || self
                        .api_access
                        .is_some_and(|want| want != s.api_access_enabled)
            }
        };
        PublishPlan {
            project_id: self.project.clone(),
            target,
            uploads,
            removals,
            static_files: settings,
            changes_settings,
        }
    }

    async fn remove(&self, path: &str, report: &mut PublishReport, emit: &impl Fn(PublishEvent)) {
        match self.client.files().delete(&self.project, path).await {
            Ok(()) => {
                emit(PublishEvent::Removed {
                    path: path.to_string(),
                });
                report.removed.push(path.to_string());
            }
            Err(e) => fail(report, emit, path, &e),
        }
    }

    /// Turn sharing on (and API access as asked) unless it is so already, then give the
    /// address the target is served at.
    async fn share(&self, report: &mut PublishReport) {
        let settings = if report.plan.changes_settings {
            let mut update = self.client.projects().update(&self.project).sharing(true);
            if let Some(api_access) = self.api_access {
                update = update.api_access(api_access);
            }
            match update.await {
                Ok(project) => project.static_files,
                Err(e) => {
                    report.failures.push(failure("project settings", &e));
                    return;
                }
            }
        } else {
            report.plan.static_files.clone()
        };
        if let Some(settings) = settings {
            report.url = Some(served_at(&settings.url, &report.plan.target));
            report.static_files = Some(settings);
        }
    }
}

fn failure(path: &str, e: &Error) -> PublishFailure {
    PublishFailure {
        path: path.to_string(),
        message: e.to_string(),
        may_have_succeeded: matches!(e, Error::CreatedButUnreadable { .. }),
    }
}

fn fail(report: &mut PublishReport, emit: &impl Fn(PublishEvent), path: &str, e: &Error) {
    emit(PublishEvent::Failed {
        path: path.to_string(),
    });
    report.failures.push(failure(path, e));
}

/// The address a target folder is served at: the app's, plus the part below the root.
fn served_at(url: &str, target: &str) -> String {
    let below = target
        .strip_prefix(STATIC_ROOT)
        .unwrap_or_default()
        .trim_start_matches('/');
    let base = if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    };
    if below.is_empty() {
        base
    } else {
        format!("{base}{below}/")
    }
}

/// The target folder, checked: `_deepnote_static` or a folder below it, no `.` or `..`.
fn target_folder(target: &str) -> Result<String> {
    let t = target.replace('\\', "/");
    let t = t.trim_matches('/');
    let ok = (t == STATIC_ROOT || t.starts_with(&format!("{STATIC_ROOT}/")))
        && t.split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\0'));
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::InvalidArgument(format!(
            "publish target {target:?} must be {STATIC_ROOT} or a folder below it"
        )))
    }
}

/// Every file below `dir` (path relative to it with `/`, the file, its size), in path order.
/// Environment files are refused: every published file is readable by anyone who can view
/// the site, and those hold secrets.
async fn local_files(dir: &Path) -> Result<Vec<(String, PathBuf, u64)>> {
    let dir = dir.to_path_buf();
    let walked = tokio::task::spawn_blocking(move || walk(&dir))
        .await
        .map_err(|e| Error::Filesystem(format!("reading the folder failed: {e}")))??;
    Ok(walked)
}

fn walk(dir: &Path) -> Result<Vec<(String, PathBuf, u64)>> {
    let meta = std::fs::metadata(dir).map_err(|e| io_error("cannot read", dir, e))?;
    if !meta.is_dir() {
        return Err(Error::InvalidArgument(format!(
            "{} is not a folder",
            dir.display()
        )));
    }
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries =
            std::fs::read_dir(&folder).map_err(|e| io_error("cannot read", &folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error("cannot read", &folder, e))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| io_error("cannot read", &path, e))?;
            if kind.is_dir() {
                pending.push(path);
                continue;
            }
            // A symlink is followed to what it names, as a browser would be served it.
            let meta = std::fs::metadata(&path).map_err(|e| io_error("cannot read", &path, e))?;
            if meta.is_dir() {
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .expect("walked below dir")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            found.push((relative, path, meta.len()));
        }
    }
    if found.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{} holds no files to publish",
            dir.display()
        )));
    }
    let secrets: Vec<&str> = found
        .iter()
        .map(|(relative, _, _)| relative.as_str())
        .filter(|r| {
            let name = r.rsplit('/').next().unwrap_or(r);
            name == ".env" || name.starts_with(".env.")
        })
        .collect();
    if !secrets.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "refusing to publish {} from {}: environment files may hold secrets, and every \
             published file is readable by anyone who can view the site",
            secrets.join(", "),
            dir.display()
        )));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_the_static_root_or_below_it() {
        assert_eq!(
            target_folder("_deepnote_static").unwrap(),
            "_deepnote_static"
        );
        assert_eq!(
            target_folder("/_deepnote_static/docs/").unwrap(),
            "_deepnote_static/docs"
        );
        for bad in [
            "",
            "static",
            "_deepnote_static/../x",
            "_deepnote_staticx",
            "_deepnote_static//a",
        ] {
            let e = target_folder(bad).unwrap_err().to_string();
            assert!(e.contains("_deepnote_static"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn a_folder_below_the_root_is_served_below_the_apps_address() {
        assert_eq!(
            served_at("https://a.example/s", "_deepnote_static"),
            "https://a.example/s/"
        );
        assert_eq!(
            served_at("https://a.example/s/", "_deepnote_static/docs/v1"),
            "https://a.example/s/docs/v1/"
        );
    }

    #[test]
    fn environment_files_and_empty_folders_are_refused_naming_them() {
        let dir =
            std::env::temp_dir().join(format!("deepnote-publish-unit-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("conf")).unwrap();
        let e = walk(&dir).unwrap_err().to_string();
        assert!(e.contains("holds no files"), "{e}");
        std::fs::write(dir.join("index.html"), "x").unwrap();
        std::fs::write(dir.join("conf/.env.local"), "KEY=1").unwrap();
        let e = walk(&dir).unwrap_err().to_string();
        assert!(
            e.contains("conf/.env.local") && e.contains("secrets"),
            "{e}"
        );
        std::fs::remove_file(dir.join("conf/.env.local")).unwrap();
        std::fs::write(dir.join("conf/site.json"), "{}").unwrap();
        let found: Vec<String> = walk(&dir).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(found, ["conf/site.json", "index.html"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
