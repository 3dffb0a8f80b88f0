//! What a sync does or did: per project an action and its notebooks' changes ([`SyncPlan`]),
//! and the choices that steer it ([`SyncDirection`], [`OnConflict`]).

use crate::ids::ProjectId;
use crate::projects::RemoteEdit;
use std::path::PathBuf;

/// Which way a sync goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncDirection {
    /// From Deepnote to the folder.
    Pull,
    /// From the folder to Deepnote.
    Push,
}

/// What to do with a project changed on both sides since the last sync (or a local folder
/// the state does not know, whose files differ from the project's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnConflict {
    /// Leave it as it is on both sides and report it ([`ProjectAction::Conflict`]).
    #[default]
    Fail,
    /// The local files win: a push overwrites the project (`force`), a pull leaves the files.
    KeepLocal,
    /// Deepnote's version wins: the local files are overwritten with it.
    KeepRemote,
}

/// What a sync does (or did) to one project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectAction {
    /// Both sides already match.
    Unchanged,
    /// The local folder is written from Deepnote.
    Pull,
    /// The project in Deepnote is updated from the local folder.
    Push,
    /// Changed on both sides; nothing is written (see [`OnConflict`]).
    Conflict,
    /// Nothing to do in this direction; [`ProjectPlan::note`] says why.
    Skip,
    /// The push of this project was refused or failed ([`ProjectPlan::note`] says why);
    /// the sync went on with the other projects.
    Failed,
}

/// What happens to one notebook file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// It appears on the receiving side.
    Created,
    /// Its content changes.
    Updated,
    /// It goes from the receiving side.
    Deleted,
}

/// One notebook of a [`ProjectPlan`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotebookChange {
    /// Its `.deepnote` file name.
    pub file_name: String,
    /// What happens to it.
    pub change: Change,
}

/// One project of a [`SyncPlan`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProjectPlan {
    /// The project.
    pub project_id: ProjectId,
    /// Its name (the folder's, for a project gone from the workspace).
    pub name: String,
    /// Its folder, relative to the synced folder.
    pub dir: PathBuf,
    /// What is done.
    pub action: ProjectAction,
    /// The project had changed on both sides, and [`OnConflict`] settled it.
    pub conflict_resolved: bool,
    /// Why, when the action alone does not say.
    pub note: Option<String>,
    /// The notebooks that change (empty when none do).
    pub notebooks: Vec<NotebookChange>,
    /// The `.deepnote` files of its folder that are not this project's: never pushed,
    /// replaced or removed.
    pub kept: Vec<String>,
    /// For a conflict: what changed in Deepnote since the last sync, which a push would
    /// overwrite (or a pull would bring over the local edits).
    pub remote_edits: Vec<RemoteEdit>,
}

/// What a sync does ([`SyncRequest::plan`](crate::sync::SyncRequest::plan)) or did ([`SyncRequest::apply`](crate::sync::SyncRequest::apply)), project by
/// project, in the list's order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SyncPlan {
    /// Which way.
    pub direction: SyncDirection,
    /// Whether it was carried out (false for a dry run).
    pub applied: bool,
    /// Every project met, changed or not.
    pub projects: Vec<ProjectPlan>,
}

impl SyncPlan {
    /// The projects left unsynced because they changed on both sides.
    pub fn conflicts(&self) -> impl Iterator<Item = &ProjectPlan> {
        self.projects
            .iter()
            .filter(|p| p.action == ProjectAction::Conflict)
    }

    /// The notebooks deleted on the receiving side, as `(project, file name)`.
    pub fn deletions(&self) -> impl Iterator<Item = (&ProjectPlan, &NotebookChange)> {
        self.projects.iter().flat_map(|p| {
            p.notebooks
                .iter()
                .filter(|n| n.change == Change::Deleted)
                .map(move |n| (p, n))
        })
    }

    /// The projects whose push was refused or failed.
    pub fn failures(&self) -> impl Iterator<Item = &ProjectPlan> {
        self.projects
            .iter()
            .filter(|p| p.action == ProjectAction::Failed)
    }

    /// The projects that change (pulled or pushed).
    pub fn changed(&self) -> impl Iterator<Item = &ProjectPlan> {
        self.projects
            .iter()
            .filter(|p| matches!(p.action, ProjectAction::Pull | ProjectAction::Push))
    }
}
