//! How projects, notebooks, runs and pages look on the wire, in each [`Dialect`].

use crate::clock::{Millis, rfc3339};
use crate::dialect::Dialect;
use crate::runs::Phase;
use crate::state::{NotebookRecord, ProjectRecord, RunRecord, Store};
use serde_json::{Value, json};

/// A project as `GET /projects` lists it (and, in the spec dialect, as every answer shows it).
pub fn project(d: Dialect, store: &Store, p: &ProjectRecord) -> Value {
    let mut v = json!({ "id": p.id, "name": p.name, "projectType": p.project_type });
    if let Some(f) = &p.folder_id {
        v["folderId"] = json!(f);
    }
    if d.is_live() {
        // The live shape of the folder. The sample folder is a root folder the emulator knows
        // fully; any other is known by its id alone, so its path is not known to be complete
        // (Deepnote's CLI then files it apart, as it should).
        v["folder"] = match &p.folder_id {
            Some(f) => {
                let (name, complete) = match f.as_str() {
                    crate::seed::SAMPLE_FOLDER_ID => {
                        (crate::seed::SAMPLE_FOLDER_NAME.to_string(), true)
                    }
                    other => (other.to_string(), false),
                };
                json!({
                    "id": f,
                    "name": name,
                    "path": [{ "id": f, "name": name }],
                    "isPathComplete": complete,
                })
            }
            None => Value::Null,
        };
        v["createdAt"] = json!(rfc3339(p.created_at));
        // The only way the live API exposes notebook ids.
        v["notebooks"] = store
            .notebooks_of(&p.id)
            .map(|n| json!({ "id": n.id, "name": n.name }))
            .collect();
    }
    v
}

/// A project as create and get answer it: flat in the spec dialect, `{"project": ...}` in the
/// live one (with the file inventory on get).
pub fn project_answer(d: Dialect, store: &Store, p: &ProjectRecord, with_files: bool) -> Value {
    let mut v = project(d, store, p);
    match d {
        Dialect::Spec => v,
        Dialect::Live => {
            if with_files {
                v["files"] = store
                    .files_of(&p.id)
                    .map(|f| {
                        json!({
                            "path": f.path,
                            "size": f.bytes.len(),
                            "updatedAt": rfc3339(f.updated_at),
                        })
                    })
                    .collect();
            }
            json!({ "project": v })
        }
    }
}

/// A notebook; `full` adds the live dialect's `blocks` and `inputs` (GET only).
pub fn notebook(d: Dialect, n: &NotebookRecord, full: bool) -> Value {
    let mut v = json!({ "id": n.id, "name": n.name, "projectId": n.project_id });
    if d.is_live() && full {
        v["blocks"] = n
            .blocks
            .iter()
            .map(|b| json!({ "id": b.id, "type": b.kind, "content": b.content }))
            .collect();
        let inputs = crate::inputs::listing(n);
        if !inputs.is_empty() {
            v["inputs"] = json!(inputs);
        }
    }
    v
}

/// A run as lists show it, and the base of `GET /runs/{id}`.
pub fn run(d: Dialect, r: &RunRecord, now: Millis) -> Value {
    let (status, finished) = r.status_at(now);
    let mut v = json!({
        "runId": r.id,
        "notebookId": r.notebook_id,
        "status": status.as_str(),
        "createdAt": rfc3339(r.created_at),
    });
    match d {
        Dialect::Spec => {
            if let Some(f) = finished {
                v["finishedAt"] = json!(rfc3339(f));
            }
        }
        Dialect::Live => v["completedAt"] = json!(finished.map(rfc3339)),
    }
    v
}

/// The run's `error`, added to `GET /runs/{id}` when it failed.
pub fn add_error(d: Dialect, v: &mut Value, r: &RunRecord, status: Phase) {
    if !matches!(status, Phase::Error | Phase::InternalError) {
        return;
    }
    let report = r.behaviour.report_error.unwrap_or(d == Dialect::Spec);
    let Some(msg) = r.behaviour.error_message().filter(|_| report) else {
        if d.is_live() {
            v["error"] = Value::Null;
        }
        return;
    };
    // Deepnote sends either shape; the emulator sends a string for `error` and an object for
    // `internal_error`, so clients meet both.
    v["error"] = match status {
        Phase::Error => json!(msg),
        _ => json!({ "message": msg }),
    };
}

/// The `pagination` of a list answer: `next` is the token of the next page, if any.
pub fn pagination(d: Dialect, next: Option<String>, size: usize) -> Value {
    match d {
        Dialect::Spec => match next {
            Some(t) => json!({ "nextPageToken": t }),
            None => json!({}),
        },
        Dialect::Live => json!({
            "hasMore": next.is_some(),
            "nextPageToken": next,
            "pageSize": size,
        }),
    }
}

/// A block as the live block operations answer it (with `metadata`, which GET notebook omits).
pub fn block(b: &crate::state::BlockRecord, notebook_id: &str) -> Value {
    json!({
        "id": b.id,
        "notebookId": notebook_id,
        "type": b.kind,
        "content": b.content,
        "metadata": b.metadata,
        "integrationId": b.integration_id,
        "version": b.version,
    })
}
