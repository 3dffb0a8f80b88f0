//! The emulator's state: projects, notebooks, runs and per-notebook run behaviours.
//!
//! Every mutation is a list of [`Change`]s, so the same value is written to SQLite (when
//! persistence is on) and applied in memory: what is acknowledged is what is stored.
//! Everything carries a sequence number from one counter, which is the listing order and what
//! page tokens point at.

use crate::clock::Millis;
use crate::runs::{Behaviour, Phase};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectRecord {
    /// Its id (a UUID).
    pub id: String,
    /// The workspace that owns it.
    pub workspace_id: String,
    /// Display name.
    pub name: String,
    /// `standard`, `notebook` (single-notebook) or `agent`.
    pub project_type: String,
    /// The folder it sits in, if any.
    pub folder_id: Option<String>,
    /// Creation order.
    pub seq: u64,
    /// Creation time.
    pub created_at: Millis,
    /// A suspended project's runs answer 409 (Deepnote: "project suspended").
    #[serde(default)]
    pub suspended: bool,
    /// When a notebook of it last changed (created, edited, renamed, deleted, imported): the
    /// export's `metadata.modifiedAt`. 0 (stored before it was kept) reads as `created_at`.
    #[serde(default)]
    pub modified_at: Millis,
    /// The machine type its editor machine runs on (live `PATCH /projects/{id}/machine`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_type: Option<String>,
    /// The settings of the app hosted from its `_deepnote_static/` files, once set through
    /// `PATCH /projects/{id}` (absent before, as Deepnote's client allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_files: Option<StaticFiles>,
    /// When its machine last (re)started for a Streamlit app: it is `starting` for the
    /// Streamlit start delay after this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_started_at: Option<Millis>,
}

/// A project's static-file app settings (live `staticFiles`, without the derived `url`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticFiles {
    /// The project's viewers can open the app.
    pub sharing_enabled: bool,
    /// The embedded app may call the API with a viewer-scoped token.
    pub api_access_enabled: bool,
}

/// A Streamlit app serving one project file (live dialect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamlitAppRecord {
    /// Its id (a UUID).
    pub id: String,
    /// The project whose file it serves.
    pub project_id: String,
    /// The served file's project-relative path.
    pub entrypoint: String,
    /// Creation order.
    pub seq: u64,
    /// Creation time: it is `starting` for the Streamlit start delay after this.
    pub created_at: Millis,
    /// A status forced through the control API (`unavailable`, say), until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_status: Option<String>,
}

/// A block of a notebook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockRecord {
    /// Its id.
    pub id: String,
    /// `code`, `markdown`, `input-text`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Source text.
    pub content: String,
    /// For input blocks, the variable it sets: the input's `name` in `POST /runs`.
    #[serde(default)]
    pub variable: Option<String>,
    /// The block's `.deepnote` metadata (for inputs: `deepnote_variable_value`,
    /// `deepnote_input_label`, `deepnote_variable_options`, `deepnote_allow_multiple_values`,
    /// `deepnote_slider_min_value`, ...), copied into snapshots.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// What the block prints when a run executes it; `{name}` is replaced by the run's value
    /// of input `name` (or the input block's own value). Without one, code blocks print
    /// `output of block ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// A SQL block's integration (live `integrationId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_id: Option<String>,
    /// Incremented by every update through the API.
    #[serde(default)]
    pub version: u64,
}

impl BlockRecord {
    /// A block of `kind` with `content` and nothing else.
    pub fn new(id: impl Into<String>, kind: impl Into<String>, content: impl Into<String>) -> Self {
        BlockRecord {
            id: id.into(),
            kind: kind.into(),
            content: content.into(),
            variable: None,
            metadata: serde_json::Map::new(),
            output: None,
            integration_id: None,
            version: 0,
        }
    }

    /// An input block of `kind` (`input-text`, `input-slider`, ...) setting variable `name`,
    /// with `value` as its current value (`deepnote_variable_value`).
    pub fn input(
        id: impl Into<String>,
        kind: impl Into<String>,
        name: impl Into<String>,
        value: serde_json::Value,
    ) -> Self {
        let name = name.into();
        let mut b = BlockRecord::new(id, kind, "");
        b.metadata
            .insert("deepnote_variable_name".into(), name.clone().into());
        b.metadata.insert("deepnote_variable_value".into(), value);
        b.variable = Some(name);
        b
    }

    /// True for input blocks (`input-text`, `input-slider`, ...) that set a variable.
    pub fn is_input(&self) -> bool {
        self.kind.starts_with("input-") && self.input_name().is_some()
    }

    /// The variable an input block sets.
    pub fn input_name(&self) -> Option<&str> {
        self.variable.as_deref().or_else(|| {
            self.metadata
                .get("deepnote_variable_name")
                .and_then(|v| v.as_str())
        })
    }
}

/// A notebook in a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotebookRecord {
    /// Its id (a UUID).
    pub id: String,
    /// The project it belongs to.
    pub project_id: String,
    /// Display name.
    pub name: String,
    /// Its blocks (empty for notebooks created through the API).
    pub blocks: Vec<BlockRecord>,
    /// Creation order.
    pub seq: u64,
}

/// A run of a notebook, with everything its request asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// Its id (a UUID).
    pub id: String,
    /// The notebook run.
    pub notebook_id: String,
    /// The notebook's project.
    pub project_id: String,
    /// Creation order.
    pub seq: u64,
    /// Creation time.
    pub created_at: Millis,
    /// How it proceeds, fixed when it was created.
    pub behaviour: Behaviour,
    /// The request's `inputs`.
    pub inputs: serde_json::Map<String, serde_json::Value>,
    /// The request's `blockIds`, if any.
    pub block_ids: Option<Vec<String>>,
    /// The request's `runDependentBlocks`.
    pub run_dependent_blocks: bool,
    /// The request's `detached`.
    pub detached: bool,
    /// The request's `detachedRunStorageMode`.
    pub detached_run_storage_mode: Option<String>,
    /// `api` for `POST /v2/runs`, `v1` for the legacy execute.
    pub trigger: String,
    /// The notebook as it was when the run started; its snapshot is built from this, so a
    /// later edit, import or restart changes no earlier run's snapshot. `None` only for runs
    /// stored before it was kept (their snapshots read the notebook as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ran: Option<RanNotebook>,
}

/// What a run ran: its project's and notebook's names and the notebook's blocks at its start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RanNotebook {
    /// The project's name then.
    pub project_name: String,
    /// The notebook's name then.
    pub notebook_name: String,
    /// The notebook's blocks then.
    pub blocks: Vec<BlockRecord>,
}

impl RunRecord {
    /// Status and finish time at `now`.
    pub fn status_at(&self, now: Millis) -> (Phase, Option<Millis>) {
        self.behaviour.status_at(self.created_at, now)
    }
}

/// A notebook's schedule (live dialect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRecord {
    /// Its id (a UUID).
    pub id: String,
    /// The notebook it runs.
    pub notebook_id: String,
    /// The notebook's project.
    pub project_id: String,
    /// Five-field cron expression.
    pub cron: String,
    /// IANA timezone the expression is read in.
    pub timezone: String,
    /// The inputs its runs get (`POST /schedules` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<serde_json::Map<String, serde_json::Value>>,
    /// True for the one schedule `POST /notebooks/{id}/schedule` creates and replaces.
    pub legacy: bool,
    /// Creation order.
    pub seq: u64,
    /// Creation time.
    pub created_at: Millis,
    /// Last replacement time.
    pub updated_at: Millis,
}

/// A file in a project's working directory (live dialect).
#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    /// The project holding it.
    pub project_id: String,
    /// Its path in the project (no leading `/`).
    pub path: String,
    /// Its bytes (cheap to clone and slice).
    pub bytes: bytes::Bytes,
    /// Last write time.
    pub updated_at: Millis,
}

/// An interactive session (live dialect): its notebook and initial run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Its id (a UUID).
    pub id: String,
    /// The source notebook.
    pub notebook_id: String,
    /// The notebook's project.
    pub project_id: String,
    /// The session's own copy of the notebook (an id only: the emulator keeps no copy).
    pub session_notebook_id: String,
    /// The initial run.
    pub run_id: String,
    /// `read_write` or `readonly`.
    pub storage_mode: String,
    /// Idle time before it ends, if given.
    pub idle_shutdown_seconds: Option<u64>,
    /// Creation time.
    pub created_at: Millis,
    /// How many `execute` calls it answered (numbers the canned outputs).
    pub executions: u64,
}

/// One step of a mutation.
#[derive(Debug, Clone)]
pub enum Change {
    /// Insert or replace a project.
    PutProject(ProjectRecord),
    /// Insert or replace a notebook.
    PutNotebook(NotebookRecord),
    /// Insert a run.
    PutRun(RunRecord),
    /// Insert or replace a schedule.
    PutSchedule(ScheduleRecord),
    /// Insert or replace a project file.
    PutFile(FileRecord),
    /// Insert or replace a session.
    PutSession(Session),
    /// Insert or replace a Streamlit app.
    PutStreamlitApp(StreamlitAppRecord),
    /// Remove a project's file: project id, path.
    DeleteFile(String, String),
    /// Remove a project with its notebooks and their runs.
    DeleteProject(String),
    /// Remove a notebook with its runs.
    DeleteNotebook(String),
    /// Set or clear a notebook's run behaviour.
    SetBehaviour(String, Option<Behaviour>),
    /// Forget everything and start a new page-token epoch.
    Reset,
}

/// All entities, indexed for the API's lookups.
#[derive(Debug, Default)]
pub struct Store {
    /// Incremented by every reset, so page tokens from before a reset are refused.
    pub epoch: u64,
    next_seq: u64,
    // B-trees rather than hash maps: growing one never rehashes (moves) every entry under
    // the write lock, which showed up as 100+ ms stalls at hundreds of thousands of runs.
    projects: BTreeMap<String, ProjectRecord>,
    /// Per workspace, sequence number to project id: the listing order.
    project_order: HashMap<String, BTreeMap<u64, String>>,
    notebooks: BTreeMap<String, NotebookRecord>,
    /// Per project, its notebooks in creation order.
    project_notebooks: HashMap<String, BTreeMap<u64, String>>,
    runs: BTreeMap<String, RunRecord>,
    /// Per notebook, sequence number to run id.
    notebook_runs: HashMap<String, BTreeMap<u64, String>>,
    behaviours: HashMap<String, Behaviour>,
    schedules: BTreeMap<String, ScheduleRecord>,
    sessions: BTreeMap<String, Session>,
    /// Per project, sequence number to Streamlit app (creation order).
    streamlit_apps: HashMap<String, BTreeMap<u64, StreamlitAppRecord>>,
    /// Streamlit app id to its project.
    streamlit_index: HashMap<String, String>,
    /// Per project, path to file (so a listing is in path order).
    files: HashMap<String, BTreeMap<String, FileRecord>>,
    /// Per notebook, sequence number to schedule id.
    notebook_schedules: HashMap<String, BTreeMap<u64, String>>,
    /// Block id to the notebook holding it.
    block_index: HashMap<String, String>,
}

impl Store {
    /// The next sequence number (not yet used).
    pub fn take_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Apply a committed change in memory.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::PutProject(p) => {
                self.next_seq = self.next_seq.max(p.seq);
                self.project_order
                    .entry(p.workspace_id.clone())
                    .or_default()
                    .insert(p.seq, p.id.clone());
                self.projects.insert(p.id.clone(), p);
            }
            Change::PutNotebook(n) => {
                self.next_seq = self.next_seq.max(n.seq);
                if let Some(old) = self.notebooks.get(&n.id) {
                    for b in &old.blocks {
                        self.block_index.remove(&b.id);
                    }
                }
                for b in &n.blocks {
                    self.block_index.insert(b.id.clone(), n.id.clone());
                }
                self.project_notebooks
                    .entry(n.project_id.clone())
                    .or_default()
                    .insert(n.seq, n.id.clone());
                self.notebooks.insert(n.id.clone(), n);
            }
            Change::PutRun(r) => {
                self.next_seq = self.next_seq.max(r.seq);
                self.notebook_runs
                    .entry(r.notebook_id.clone())
                    .or_default()
                    .insert(r.seq, r.id.clone());
                self.runs.insert(r.id.clone(), r);
            }
            Change::PutSchedule(sc) => {
                self.next_seq = self.next_seq.max(sc.seq);
                self.notebook_schedules
                    .entry(sc.notebook_id.clone())
                    .or_default()
                    .insert(sc.seq, sc.id.clone());
                self.schedules.insert(sc.id.clone(), sc);
            }
            Change::PutFile(f) => {
                self.files
                    .entry(f.project_id.clone())
                    .or_default()
                    .insert(f.path.clone(), f);
            }
            Change::DeleteFile(project, path) => {
                if let Some(files) = self.files.get_mut(&project) {
                    files.remove(&path);
                }
            }
            Change::PutSession(se) => {
                self.sessions.insert(se.id.clone(), se);
            }
            Change::PutStreamlitApp(app) => {
                self.next_seq = self.next_seq.max(app.seq);
                self.streamlit_index
                    .insert(app.id.clone(), app.project_id.clone());
                self.streamlit_apps
                    .entry(app.project_id.clone())
                    .or_default()
                    .insert(app.seq, app);
            }
            Change::DeleteProject(id) => {
                self.files.remove(&id);
                for app in self.streamlit_apps.remove(&id).unwrap_or_default().values() {
                    self.streamlit_index.remove(&app.id);
                }
                self.sessions.retain(|_, se| se.project_id != id);
                if let Some(p) = self.projects.remove(&id) {
                    if let Some(order) = self.project_order.get_mut(&p.workspace_id) {
                        order.remove(&p.seq);
                    }
                    for nb in self
                        .project_notebooks
                        .remove(&id)
                        .unwrap_or_default()
                        .into_values()
                    {
                        self.remove_notebook(&nb);
                    }
                }
            }
            Change::DeleteNotebook(id) => {
                if let Some(n) = self.notebooks.get(&id)
                    && let Some(order) = self.project_notebooks.get_mut(&n.project_id)
                {
                    order.remove(&n.seq);
                }
                self.remove_notebook(&id);
            }
            Change::SetBehaviour(nb, Some(b)) => {
                self.behaviours.insert(nb, b);
            }
            Change::SetBehaviour(nb, None) => {
                self.behaviours.remove(&nb);
            }
            Change::Reset => {
                let epoch = self.epoch + 1;
                let next_seq = self.next_seq;
                *self = Store::default();
                self.epoch = epoch;
                // Sequence numbers keep growing, so nothing after a reset reuses one.
                self.next_seq = next_seq;
            }
        }
    }

    fn remove_notebook(&mut self, id: &str) {
        if let Some(n) = self.notebooks.remove(id) {
            for b in &n.blocks {
                self.block_index.remove(&b.id);
            }
        }
        self.behaviours.remove(id);
        for sc in self
            .notebook_schedules
            .remove(id)
            .unwrap_or_default()
            .into_values()
        {
            self.schedules.remove(&sc);
        }
        for run in self
            .notebook_runs
            .remove(id)
            .unwrap_or_default()
            .into_values()
        {
            self.runs.remove(&run);
        }
    }

    /// A project, if it exists.
    pub fn project(&self, id: &str) -> Option<&ProjectRecord> {
        self.projects.get(id)
    }

    /// A notebook, if it exists.
    pub fn notebook(&self, id: &str) -> Option<&NotebookRecord> {
        self.notebooks.get(id)
    }

    /// The notebook holding block `id`, if any.
    pub fn block_notebook(&self, id: &str) -> Option<&NotebookRecord> {
        self.block_index
            .get(id)
            .and_then(|nb| self.notebooks.get(nb))
    }

    /// A project's notebooks in creation order.
    pub fn notebooks_of(&self, project: &str) -> impl Iterator<Item = &NotebookRecord> {
        self.project_notebooks
            .get(project)
            .into_iter()
            .flat_map(|o| o.values())
            .filter_map(|id| self.notebooks.get(id))
    }

    /// A session, if it exists.
    pub fn session(&self, id: &str) -> Option<&Session> {
        self.sessions.get(id)
    }

    /// Every project of a workspace, in creation order.
    pub fn projects_of(&self, workspace: &str) -> impl Iterator<Item = &ProjectRecord> {
        self.projects_after(workspace, 0)
    }

    /// A project's files in path order.
    pub fn files_of(&self, project: &str) -> impl Iterator<Item = &FileRecord> {
        self.files.get(project).into_iter().flat_map(|f| f.values())
    }

    /// A project's file at `path`.
    pub fn file(&self, project: &str, path: &str) -> Option<&FileRecord> {
        self.files.get(project).and_then(|f| f.get(path))
    }

    /// A notebook's schedules, oldest first.
    pub fn schedules_of(&self, notebook: &str) -> impl Iterator<Item = &ScheduleRecord> {
        self.notebook_schedules
            .get(notebook)
            .into_iter()
            .flat_map(|o| o.values())
            .filter_map(|id| self.schedules.get(id))
    }

    /// A project's Streamlit apps, oldest first.
    pub fn streamlit_apps_of(&self, project: &str) -> impl Iterator<Item = &StreamlitAppRecord> {
        self.streamlit_apps
            .get(project)
            .into_iter()
            .flat_map(|a| a.values())
    }

    /// A Streamlit app, if it exists.
    pub fn streamlit_app(&self, id: &str) -> Option<&StreamlitAppRecord> {
        let project = self.streamlit_index.get(id)?;
        self.streamlit_apps_of(project).find(|a| a.id == id)
    }

    /// A run, if it exists.
    pub fn run(&self, id: &str) -> Option<&RunRecord> {
        self.runs.get(id)
    }

    /// The run behaviour set for a notebook.
    pub fn behaviour(&self, notebook: &str) -> Option<&Behaviour> {
        self.behaviours.get(notebook)
    }

    /// A workspace's projects in creation order, starting after sequence number `after`.
    pub fn projects_after(
        &self,
        workspace: &str,
        after: u64,
    ) -> impl Iterator<Item = &ProjectRecord> {
        self.project_order
            .get(workspace)
            .into_iter()
            .flat_map(move |o| o.range(after.saturating_add(1)..))
            .filter_map(|(_, id)| self.projects.get(id))
    }

    /// A notebook's runs newest first, starting before sequence number `before`.
    pub fn runs_before(&self, notebook: &str, before: u64) -> impl Iterator<Item = &RunRecord> {
        self.notebook_runs
            .get(notebook)
            .into_iter()
            .flat_map(move |o| o.range(..before).rev())
            .filter_map(|(_, id)| self.runs.get(id))
    }

    /// How many projects, notebooks and runs are stored, for `GET /_emulator/state`.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.projects.len(), self.notebooks.len(), self.runs.len())
    }

    /// Set the epoch (on load).
    pub fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
    }
}
