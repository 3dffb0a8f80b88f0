//! A workspace kept as files: [`SyncApi::pull`] writes every project into a folder of its own
//! (one `.deepnote` file per notebook, laid out as Deepnote's CLI lays it out) and
//! [`SyncApi::push`] sends local edits back with Deepnote's lost-update check.
//!
//! Each project is decided from three content hashes: the local files', a fresh export's,
//! and the base's recorded at the last sync (see [`SYNC_STATE_FILE`]). Local-only changes
//! push, remote-only changes pull, both is a conflict, settled by [`OnConflict`]. A
//! [`SyncPlan`] says what a sync does ([`SyncRequest::plan`], nothing written) or did
//! ([`SyncRequest::apply`]).
//!
//! Projects are streamed from the list and handled one at a time: what a sync holds is one
//! project's documents plus the state file's records, whatever the workspace's size.

pub(crate) mod plan;
pub(crate) mod state;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::projects::compare::{check_project_names, remote_edits};
use crate::projects::dir::{Kept, ProjectFiles, read_project, write_documents};
use crate::projects::push::is_lost_update;
use crate::projects::{DeepnoteDocument, ImportOptions, ProjectExport, content_hash};
use crate::sync::state::{ProjectRecord, SyncState};
use futures_util::StreamExt;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use crate::sync::plan::{
    Change, NotebookChange, OnConflict, ProjectAction, ProjectPlan, SyncDirection, SyncPlan,
};
pub use crate::sync::state::SYNC_STATE_FILE;

/// Projects listed per request. A page (and the next, fetched ahead) is held while its
/// projects are synced: at 100 a page of projects with their notebooks outweighs the rest of
/// a sync, at 20 it costs one list request per 20 exports (BENCHMARKS.md, "sync pull").
const PAGE_SIZE: u32 = 20;

/// Sync operations; from [`Client::sync`].
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
/// let dir = std::env::temp_dir().join(format!("deepnote-sync-doc-{}", std::process::id()));
/// // What a pull would write, nothing written yet; `.apply()` writes it.
/// let plan = client.sync().pull(&dir).plan().await?;
/// assert!(plan.failures().next().is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SyncApi<'a> {
    pub(crate) client: &'a Client,
}

impl SyncApi<'_> {
    /// Bring remote changes into `dir`: new projects get a folder, projects changed only in
    /// Deepnote are rewritten (notebooks deleted there lose their file), local edits are left.
    pub fn pull(&self, dir: impl Into<PathBuf>) -> SyncRequest {
        SyncRequest::new(self.client, dir.into(), SyncDirection::Pull)
    }

    /// Send local edits under `dir` back: each project edited only locally is imported with
    /// its base, then pulled again (an import may give new notebooks their ids). Projects
    /// without a local folder are left alone, never deleted.
    pub fn push(&self, dir: impl Into<PathBuf>) -> SyncRequest {
        SyncRequest::new(self.client, dir.into(), SyncDirection::Push)
    }
}

/// A pull or a push, to plan or to apply; from [`SyncApi::pull`] / [`SyncApi::push`].
#[derive(Clone, Debug)]
#[must_use]
pub struct SyncRequest {
    client: Client,
    root: PathBuf,
    direction: SyncDirection,
    on_conflict: OnConflict,
    delete_missing: bool,
    page_size: u32,
}

/// How a project stands against its base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    NoLocal,
    Same,
    LocalAhead,
    RemoteAhead,
    /// Changed on both sides, or a local folder without a base that differs.
    Both,
}

fn standing(local: Option<&str>, remote: &str, base: Option<&str>) -> Standing {
    match (local, base) {
        (None, _) => Standing::NoLocal,
        (Some(l), _) if l == remote => Standing::Same,
        (Some(_), None) => Standing::Both,
        (Some(l), Some(b)) => match (l != b, remote != b) {
            (true, true) => Standing::Both,
            (true, false) => Standing::LocalAhead,
            _ => Standing::RemoteAhead,
        },
    }
}

/// The notebooks that change when `to` replaces `from` (deletions only when `deletes`).
fn diff(from: &[DeepnoteDocument], to: &[DeepnoteDocument], deletes: bool) -> Vec<NotebookChange> {
    let mut changes: Vec<NotebookChange> = to
        .iter()
        .filter_map(|t| {
            let change = match from.iter().find(|f| f.file_name == t.file_name) {
                None => Change::Created,
                Some(f) if f.content != t.content => Change::Updated,
                Some(_) => return None,
            };
            Some(NotebookChange {
                file_name: t.file_name.clone(),
                change,
            })
        })
        .collect();
    if deletes {
        changes.extend(
            from.iter()
                .filter(|f| !to.iter().any(|t| t.file_name == f.file_name))
                .map(|f| NotebookChange {
                    file_name: f.file_name.clone(),
                    change: Change::Deleted,
                }),
        );
    }
    changes
}

/// The record of a project now matching `export`, keeping what else the base recorded (the
/// `files` Deepnote's CLI tracks for `--all-files`, which this sync does not touch).
fn record(
    dir: &str,
    export: &ProjectExport,
    base: Option<&ProjectRecord>,
) -> Result<ProjectRecord> {
    let mut notebooks: Vec<String> = export
        .documents
        .iter()
        .map(|d| d.file_name.clone())
        .collect();
    notebooks.sort();
    Ok(ProjectRecord {
        dir: dir.to_string(),
        notebooks,
        modified_at: export.modified_at()?,
        content_hash: export.content_hash(),
        other: base.map(|b| b.other.clone()).unwrap_or_default(),
    })
}

/// The files a write kept, into the plan: the others' names, and a note for edited ones.
fn note_kept(plan: &mut ProjectPlan, kept: Kept) {
    plan.kept = kept.others;
    if !kept.edited.is_empty() {
        let note = format!(
            "kept {}: edited here, and gone from Deepnote's version",
            kept.edited.join(", ")
        );
        plan.note = Some(match plan.note.take() {
            Some(n) => format!("{n}; {note}"),
            None => note,
        });
    }
}

/// `subject: ` before the message of an error that has one, so it names the project.
fn naming(error: Error, subject: &str) -> Error {
    match error {
        Error::Api { status, message } => Error::Api {
            status,
            message: format!("{subject}: {message}"),
        },
        Error::NotFound { message, status } => Error::NotFound {
            message: format!("{subject}: {message}"),
            status,
        },
        Error::InvalidArgument(m) => Error::InvalidArgument(format!("{subject}: {m}")),
        Error::Decode(m) => Error::Decode(format!("{subject}: {m}")),
        other => other,
    }
}

/// A refusal of one project's push that leaves the others worth pushing: a 4xx answer about
/// its documents (not a key or rate problem) or a local file that cannot be sent.
fn fails_only_this_project(error: &Error) -> bool {
    match error {
        Error::Api { status, .. } => status.is_client_error(),
        Error::InvalidArgument(_) => true,
        _ => false,
    }
}

impl SyncRequest {
    fn new(client: &Client, root: PathBuf, direction: SyncDirection) -> SyncRequest {
        SyncRequest {
            client: client.clone(),
            root,
            direction,
            on_conflict: OnConflict::Fail,
            delete_missing: false,
            page_size: PAGE_SIZE,
        }
    }

    /// How a project changed on both sides is settled ([`OnConflict::Fail`] by default).
    pub fn on_conflict(mut self, mode: OnConflict) -> Self {
        self.on_conflict = mode;
        self
    }

    /// On push, delete the notebooks of a project whose local folder no longer has their
    /// file (off by default: a file missing locally leaves its notebook in Deepnote).
    pub fn delete_missing_notebooks(mut self, delete: bool) -> Self {
        self.delete_missing = delete;
        self
    }

    /// Projects listed per request (1..=100; 20 by default). A page is held while its
    /// projects are synced, so a smaller one holds less at the cost of more list requests.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// What the sync would do, with nothing written on either side (a dry run). Each
    /// project is exported to compare it.
    pub async fn plan(self) -> Result<SyncPlan> {
        self.collect(false).await
    }

    /// Carry the sync out, and say what it did. The state file is written when the sync
    /// ends, an error included, so one stopped by an error keeps the base of what it finished.
    pub async fn apply(self) -> Result<SyncPlan> {
        self.collect(true).await
    }

    /// [`SyncRequest::apply`] (or, with `apply` false, [`SyncRequest::plan`]) handing each
    /// project's outcome to `each` as it is done, instead of collecting them.
    pub async fn each(self, apply: bool, mut each: impl FnMut(ProjectPlan)) -> Result<()> {
        let mut state = SyncState::load(&self.root).await?;
        let mut seen = HashSet::new();
        let result = self.walk(&mut state, &mut seen, apply, &mut each).await;
        if apply && (result.is_ok() || !seen.is_empty()) {
            state.save(&self.root).await?;
        }
        result?;
        for (id, record) in &state.projects {
            if !seen.contains(id) {
                each(ProjectPlan {
                    project_id: ProjectId::new(id.clone()),
                    name: record.dir.clone(),
                    dir: SyncState::path_of(Path::new(""), &record.dir),
                    action: ProjectAction::Skip,
                    conflict_resolved: false,
                    note: Some("not in the workspace any more; its folder is kept".into()),
                    notebooks: Vec::new(),
                    kept: Vec::new(),
                    remote_edits: Vec::new(),
                });
            }
        }
        Ok(())
    }

    async fn collect(self, apply: bool) -> Result<SyncPlan> {
        let direction = self.direction;
        let mut projects = Vec::new();
        self.each(apply, |p| projects.push(p)).await?;
        Ok(SyncPlan {
            direction,
            applied: apply,
            projects,
        })
    }

    async fn walk(
        &self,
        state: &mut SyncState,
        seen: &mut HashSet<String>,
        apply: bool,
        each: &mut impl FnMut(ProjectPlan),
    ) -> Result<()> {
        let mut list =
            crate::list::List::new(self.client.clone(), crate::projects::FolderedProjectsQuery)
                .page_size(self.page_size)
                .stream();
        while let Some(project) = list.next().await {
            let listed = project?;
            let id = listed.project.id.to_string();
            if !seen.insert(id.clone()) {
                continue;
            }
            let subject = format!("project {:?} ({})", listed.project.name, listed.project.id);
            let plan = self
                .project(state, &listed, apply)
                .await
                .map_err(|e| naming(e, &subject))?;
            each(plan);
        }
        Ok(())
    }

    async fn project(
        &self,
        state: &mut SyncState,
        listed: &crate::projects::FolderedProject,
        apply: bool,
    ) -> Result<ProjectPlan> {
        let (id, name) = (listed.project.id.as_str(), listed.project.name.as_str());
        let base = state.projects.get(id).cloned();
        let dir = base.as_ref().map_or_else(
            || state.new_dir(id, name, &listed.folders),
            |r| r.dir.clone(),
        );
        let path = SyncState::path_of(&self.root, &dir);
        let mut plan = ProjectPlan {
            project_id: ProjectId::new(id),
            name: name.to_string(),
            dir: SyncState::path_of(Path::new(""), &dir),
            action: ProjectAction::Unchanged,
            conflict_resolved: false,
            note: None,
            notebooks: Vec::new(),
            kept: Vec::new(),
            remote_edits: Vec::new(),
        };
        let written = base.as_ref().map_or(&[][..], |b| b.notebooks.as_slice());
        let found = read_project(&path, id, written).await?;
        if let Some(found) = &found {
            plan.kept = found.others.clone();
        }
        let local = found.as_ref().map(|f| f.ours.clone());
        if self.direction == SyncDirection::Push {
            // A folder emptied by accident must not empty the project (nor, with deletions,
            // delete its every notebook): there is nothing to send.
            let why = match &local {
                None => Some("no local folder (pull it first)"),
                Some(docs) if docs.is_empty() => {
                    Some("the folder holds no .deepnote files of this project")
                }
                Some(_) => None,
            };
            if let Some(why) = why {
                plan.action = ProjectAction::Skip;
                plan.note = Some(why.into());
                return Ok(plan);
            }
        }
        let export = self.client.projects().export(id).await?;
        let remote_hash = export.content_hash();
        let local_hash = local.as_deref().map(content_hash);
        let standing = standing(
            local_hash.as_deref(),
            &remote_hash,
            base.as_ref().map(|r| r.content_hash.as_str()),
        );
        let local = local.unwrap_or_default();
        let conflict = standing == Standing::Both;
        plan.conflict_resolved = conflict && self.on_conflict != OnConflict::Fail;
        let pull = |plan: &mut ProjectPlan| {
            plan.action = ProjectAction::Pull;
            plan.notebooks = diff(&local, &export.documents, true);
        };
        match (self.direction, standing, self.on_conflict) {
            (_, Standing::Same, _) => {}
            (SyncDirection::Pull, Standing::NoLocal, _) => {
                pull(&mut plan);
                plan.note = Some("new folder".into());
            }
            (SyncDirection::Pull, Standing::RemoteAhead, _)
            | (_, Standing::Both, OnConflict::KeepRemote) => pull(&mut plan),
            (SyncDirection::Pull, Standing::LocalAhead, _) => {
                plan.action = ProjectAction::Skip;
                plan.note = Some("local edits not pushed yet (`sync push` sends them)".into());
            }
            (SyncDirection::Pull, Standing::Both, OnConflict::KeepLocal) => {
                plan.action = ProjectAction::Skip;
                plan.note = Some("changed on both sides; the local files are kept".into());
            }
            (SyncDirection::Push, Standing::LocalAhead, _)
            | (SyncDirection::Push, Standing::Both, OnConflict::KeepLocal) => {
                plan.action = ProjectAction::Push;
                plan.notebooks = diff(&export.documents, &local, self.delete_missing);
            }
            (SyncDirection::Push, Standing::RemoteAhead, _) => {
                plan.action = ProjectAction::Skip;
                plan.note =
                    Some("changed in Deepnote since the last sync (`sync pull` first)".into());
            }
            (_, Standing::Both, OnConflict::Fail) => {
                plan.action = ProjectAction::Conflict;
                plan.remote_edits = remote_edits(&local, &export.documents, true)?;
                plan.note = Some(if base.is_some() {
                    "changed both locally and in Deepnote since the last sync".into()
                } else {
                    "the local folder is not from a sync and differs from the project".into()
                });
            }
            (SyncDirection::Push, Standing::NoLocal, _) => unreachable!("returned above"),
        }
        if !apply {
            return Ok(plan);
        }
        match plan.action {
            ProjectAction::Pull => {
                let mut found = found.unwrap_or_default();
                // With a record, only the files the last sync wrote are replaced or removed: a
                // notebook file made here and not pushed yet stays.
                if let Some(base) = &base {
                    found.ours.retain(|d| base.notebooks.contains(&d.file_name));
                }
                let kept = write_documents(&path, &export.documents, &found).await?;
                note_kept(&mut plan, kept);
                state
                    .projects
                    .insert(id.to_string(), record(&dir, &export, base.as_ref())?);
            }
            ProjectAction::Push => {
                let forced = conflict && self.on_conflict == OnConflict::KeepLocal;
                let mut options = ImportOptions::new()
                    .delete_missing_notebooks(self.delete_missing)
                    .force(forced);
                if let Some(base) = base.as_ref().filter(|_| !forced) {
                    options = options.base_content_hash(base.content_hash.clone());
                    if let Some(at) = &base.modified_at {
                        options = options.base_modified_at(at.clone());
                    }
                }
                let imported = match check_project_names(&local) {
                    Ok(()) => self.client.projects().import(id, &local, &options).await,
                    Err(e) => Err(e),
                };
                match imported {
                    Ok(_) => {
                        let fresh = self.client.projects().export(id).await?;
                        let found = ProjectFiles {
                            ours: local,
                            others: plan.kept.clone(),
                        };
                        let kept = write_documents(&path, &fresh.documents, &found).await?;
                        note_kept(&mut plan, kept);
                        state
                            .projects
                            .insert(id.to_string(), record(&dir, &fresh, base.as_ref())?);
                    }
                    // Changed in Deepnote between the export above and the import.
                    Err(e) if is_lost_update(&e) => {
                        plan.action = ProjectAction::Conflict;
                        plan.notebooks.clear();
                        plan.note = Some("changed in Deepnote while this push ran".into());
                    }
                    Err(e) if fails_only_this_project(&e) => {
                        plan.action = ProjectAction::Failed;
                        plan.notebooks.clear();
                        plan.note = Some(e.to_string());
                    }
                    Err(e) => return Err(e),
                }
            }
            ProjectAction::Unchanged => {
                // A folder that matches adopts the project (also after a lost state file).
                state
                    .projects
                    .insert(id.to_string(), record(&dir, &export, base.as_ref())?);
            }
            ProjectAction::Conflict | ProjectAction::Skip | ProjectAction::Failed => {}
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_is_told_apart_by_its_hash() {
        use Standing::*;
        assert_eq!(standing(None, "r", Some("b")), NoLocal);
        assert_eq!(standing(Some("r"), "r", None), Same);
        assert_eq!(standing(Some("l"), "r", None), Both);
        assert_eq!(standing(Some("l"), "b", Some("b")), LocalAhead);
        assert_eq!(standing(Some("b"), "r", Some("b")), RemoteAhead);
        assert_eq!(standing(Some("l"), "r", Some("b")), Both);
    }

    #[test]
    fn the_diff_names_each_notebook_once() {
        let doc = DeepnoteDocument::new;
        let from = [
            doc("a.deepnote", "1"),
            doc("b.deepnote", "1"),
            doc("c.deepnote", "1"),
        ];
        let to = [
            doc("a.deepnote", "1"),
            doc("b.deepnote", "2"),
            doc("d.deepnote", "1"),
        ];
        let names = |d: Vec<NotebookChange>| -> Vec<(String, Change)> {
            d.into_iter().map(|c| (c.file_name, c.change)).collect()
        };
        assert_eq!(
            names(diff(&from, &to, true)),
            [
                ("b.deepnote".to_string(), Change::Updated),
                ("d.deepnote".to_string(), Change::Created),
                ("c.deepnote".to_string(), Change::Deleted),
            ]
        );
        assert_eq!(
            diff(&from, &to, false).len(),
            2,
            "no deletions unless asked"
        );
    }
}
