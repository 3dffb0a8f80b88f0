//! The SDK's values as the JSON the CLI prints: the API's own field names (camelCase), every
//! field present (null when unknown), so `jq .status` works on any of them and a script written
//! against the API's JSON reads the CLI's too.

use crate::output::{Column, col};
use deepnote::{Me, Notebook, Project, Run, SnapshotRef};
use serde_json::{Value, json};

/// A project.
pub fn project(p: &Project) -> Value {
    json!({
        "id": p.id.as_str(),
        "name": p.name,
        "projectType": p.project_type.as_ref().map(|t| t.as_str()),
        "folderId": p.folder_id,
    })
}

/// The table columns of a project list.
pub const PROJECT_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("TYPE", "/projectType"),
    col("FOLDER", "/folderId"),
];

/// A notebook.
pub fn notebook(n: &Notebook) -> Value {
    json!({
        "id": n.id.as_str(),
        "name": n.name,
        "projectId": n.project_id.as_ref().map(|p| p.as_str()),
    })
}

/// A run. Its snapshot, when attached, keeps the API's shape.
pub fn run(r: &Run) -> Value {
    let mut value = json!({
        "runId": r.id.to_string(),
        "notebookId": r.notebook_id.as_ref().map(|n| n.as_str()),
        "status": r.status.as_str(),
        "createdAt": r.created_at.map(|t| json!(t)),
        "finishedAt": r.finished_at.map(|t| json!(t)),
        "error": r.error,
    });
    let snapshot = match &r.snapshot {
        Some(SnapshotRef::Inline(text)) => Some(json!({ "snapshotContent": text })),
        Some(SnapshotRef::DownloadUrl(url)) => Some(json!({ "downloadUrl": url })),
        _ => None,
    };
    if let Some(snapshot) = snapshot {
        value["snapshot"] = snapshot;
    }
    value
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
pub fn started(handle: &deepnote::RunHandle) -> Value {
    json!({
        "runId": handle.id().to_string(),
        "status": handle.initial_status().as_str(),
        "createdAt": handle.created_at().map(|t| json!(t)),
    })
}

/// The caller's identity.
pub fn me(m: &Me) -> Value {
    json!({
        "apiKey": m.api_key,
        "user": m.user,
        "workspace": m.workspace,
        "accessLevel": m.access_level.as_ref().map(|a| a.as_str()),
    })
}
