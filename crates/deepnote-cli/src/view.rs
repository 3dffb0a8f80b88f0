//! The SDK's values as the CLI prints them: the API's own field names (camelCase), in the
//! API's order, every field present (null when unknown), so `jq .status` works on any of them
//! and a script written against the API's JSON reads the CLI's too.

use crate::output::{Column, col};
use chrono::{DateTime, Utc};
use deepnote::{Me, Notebook, Project, Run, SnapshotRef};
use serde::Serialize;
use serde_json::{Map, Value};

/// A project.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectView<'a> {
    id: &'a str,
    name: &'a str,
    project_type: Option<&'a str>,
    folder_id: Option<&'a str>,
}

/// A project, as printed.
pub fn project(p: &Project) -> ProjectView<'_> {
    ProjectView {
        id: p.id.as_str(),
        name: &p.name,
        project_type: p.project_type.as_ref().map(|t| t.as_str()),
        folder_id: p.folder_id.as_deref(),
    }
}

/// The table columns of a project list.
pub const PROJECT_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("TYPE", "/projectType"),
    col("FOLDER", "/folderId"),
];

/// A notebook.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotebookView<'a> {
    id: &'a str,
    name: &'a str,
    project_id: Option<&'a str>,
}

/// A notebook, as printed.
pub fn notebook(n: &Notebook) -> NotebookView<'_> {
    NotebookView {
        id: n.id.as_str(),
        name: &n.name,
        project_id: n.project_id.as_ref().map(|p| p.as_str()),
    }
}

/// A notebook as its project lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectNotebookView<'a> {
    id: &'a str,
    name: &'a str,
    project_id: &'a str,
}

/// A notebook of a project, as printed: the same fields as [`notebook`]. (It takes the
/// fields: the SDK does not export the type of `Project::notebooks`' items.)
pub fn project_notebook<'a>(
    project_id: &'a str,
    id: &'a str,
    name: &'a str,
) -> ProjectNotebookView<'a> {
    ProjectNotebookView {
        id,
        name,
        project_id,
    }
}

/// The table columns of a notebook list.
pub const NOTEBOOK_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("PROJECT", "/projectId"),
];

/// A project just created, with the notebook Deepnote made in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedProjectView<'a> {
    #[serde(flatten)]
    project: ProjectView<'a>,
    first_notebook_id: Option<&'a str>,
}

/// A created project, as printed; `first_notebook_id` is null when the API did not say.
pub fn created_project<'a>(
    p: &'a Project,
    first_notebook_id: Option<&'a str>,
) -> CreatedProjectView<'a> {
    CreatedProjectView {
        project: project(p),
        first_notebook_id,
    }
}

/// A run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunView<'a> {
    run_id: String,
    notebook_id: Option<&'a str>,
    status: &'a str,
    created_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot: Option<SnapshotView<'a>>,
}

/// A run's snapshot, in the API's shape: one of the two fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    snapshot_content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    download_url: Option<&'a str>,
}

/// A run, as printed; its snapshot, when attached, keeps the API's shape.
pub fn run(r: &Run) -> RunView<'_> {
    RunView {
        run_id: r.id.to_string(),
        notebook_id: r.notebook_id.as_ref().map(|n| n.as_str()),
        status: r.status.as_str(),
        created_at: r.created_at,
        finished_at: r.finished_at,
        error: r.error.as_deref(),
        snapshot: match &r.snapshot {
            Some(SnapshotRef::Inline(text)) => Some(SnapshotView {
                snapshot_content: Some(text),
                download_url: None,
            }),
            Some(SnapshotRef::DownloadUrl(url)) => Some(SnapshotView {
                snapshot_content: None,
                download_url: Some(url),
            }),
            _ => None,
        },
    }
}

/// The table columns of a run list.
pub const RUN_COLUMNS: &[Column] = &[
    col("RUN", "/runId"),
    col("STATUS", "/status"),
    col("CREATED", "/createdAt"),
    col("FINISHED", "/finishedAt"),
    col("ERROR", "/error"),
];

/// A run as `POST /runs` answers it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartedView<'a> {
    run_id: String,
    status: &'a str,
    created_at: Option<DateTime<Utc>>,
}

/// A started run, as printed.
pub fn started(handle: &deepnote::RunHandle) -> StartedView<'_> {
    StartedView {
        run_id: handle.id().to_string(),
        status: handle.initial_status().as_str(),
        created_at: handle.created_at(),
    }
}

/// The caller's identity.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeView<'a> {
    api_key: &'a Map<String, Value>,
    user: &'a Map<String, Value>,
    workspace: &'a Map<String, Value>,
    access_level: Option<&'a str>,
}

/// The caller's identity, as printed.
pub fn me(m: &Me) -> MeView<'_> {
    MeView {
        api_key: &m.api_key,
        user: &m.user,
        workspace: &m.workspace,
        access_level: m.access_level.as_ref().map(|a| a.as_str()),
    }
}
