//! The Deepnote Public API: every operation of `deepnote-openapi.yml`.

use crate::auth::{KeySpec, Op, authorize};
use crate::clock::{Millis, rfc3339};
use crate::error::ApiError;
use crate::extract::{Caller, PathParams, QueryMap, RawBody, check_uuid};
use crate::runs::RunStatus;
use crate::server::Shared;
use crate::state::{Change, Notebook, Project, Run, Store};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type S = axum::extract::State<Arc<Shared>>;

/// Marks a response whose request changed the state, with what it created if anything.
#[derive(Debug, Clone)]
pub struct Changed(pub Option<String>);

fn changed(mut resp: Response, created: Option<String>) -> Response {
    resp.extensions_mut().insert(Changed(created));
    resp
}

/// The name of the first notebook of a project created through the API.
pub const FIRST_NOTEBOOK_NAME: &str = "Notebook 1";
/// The name of a notebook created without one.
pub const DEFAULT_NOTEBOOK_NAME: &str = "Untitled notebook";

pub fn project_json(p: &Project) -> Value {
    let mut v = json!({ "id": p.id, "name": p.name, "projectType": p.project_type });
    if let Some(f) = &p.folder_id {
        v["folderId"] = json!(f);
    }
    v
}

pub fn notebook_json(n: &Notebook) -> Value {
    json!({ "id": n.id, "name": n.name, "projectId": n.project_id })
}

/// A run as the API shows it; `snapshot` is added by `GET /runs/{id}` only.
pub fn run_json(r: &Run, now: Millis) -> Value {
    let (status, finished) = r.status_at(now);
    let mut v = json!({
        "runId": r.id,
        "notebookId": r.notebook_id,
        "status": status.as_str(),
        "createdAt": rfc3339(r.created_at),
    });
    if let Some(f) = finished {
        v["finishedAt"] = json!(rfc3339(f));
    }
    if let Some(msg) = r.behaviour.error_message() {
        // Deepnote sends either shape; the emulator sends a string for `error` and an object
        // for `internal_error`, so clients meet both.
        match status {
            RunStatus::Error => v["error"] = json!(msg),
            RunStatus::InternalError => v["error"] = json!({ "message": msg }),
            _ => {}
        }
    }
    v
}

/// The project `id`, if the caller's workspace owns it; 404 otherwise (never a hint).
fn visible_project<'a>(
    store: &'a Store,
    caller: &KeySpec,
    id: &str,
) -> Result<&'a Project, ApiError> {
    store
        .project(id)
        .filter(|p| p.workspace_id == caller.workspace_id)
        .ok_or_else(|| ApiError::NotFound(format!("project {id} not found")))
}

fn visible_notebook<'a>(
    store: &'a Store,
    caller: &KeySpec,
    id: &str,
) -> Result<&'a Notebook, ApiError> {
    store
        .notebook(id)
        .filter(|n| {
            store
                .project(&n.project_id)
                .is_some_and(|p| p.workspace_id == caller.workspace_id)
        })
        .ok_or_else(|| ApiError::NotFound(format!("notebook {id} not found")))
}

/// 409 when the project is suspended.
fn check_not_suspended(store: &Store, project: &str) -> Result<(), ApiError> {
    if store.project(project).is_some_and(|p| p.suspended) {
        Err(ApiError::Conflict(format!(
            "project {project} is suspended"
        )))
    } else {
        Ok(())
    }
}

pub async fn get_me(
    axum::extract::State(_s): S,
    Caller(key): Caller,
) -> Result<Response, ApiError> {
    authorize(&key, Op::GetMe)?;
    Ok(Json(json!({
        "apiKey": { "id": key.key_id(), "name": format!("API key {}", &key.key_id()[..6]) },
        "user": { "id": key.user_id },
        "workspace": { "id": key.workspace_id, "name": key.workspace_name },
        "accessLevel": key.access.as_str(),
    }))
    .into_response())
}

pub async fn list_projects(
    axum::extract::State(s): S,
    Caller(key): Caller,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    let filter = q.get("nameContains").map(|f| f.to_lowercase());
    let store = s.store.read().expect("store lock");
    let list = format!(
        "projects\0{}\0{}",
        key.workspace_id,
        filter.as_deref().unwrap_or("\u{1}")
    );
    let page = s.pages.page(
        &list,
        store.epoch,
        q.get("pageSize").map(String::as_str),
        q.get("pageToken").map(String::as_str),
    )?;
    let mut items: Vec<&Project> = store
        .projects_after(&key.workspace_id, page.cursor.unwrap_or(0))
        .filter(|p| {
            filter
                .as_deref()
                .is_none_or(|f| p.name.to_lowercase().contains(f))
        })
        .take(page.size + 1)
        .collect();
    let more = items.len() > page.size;
    items.truncate(page.size);
    let mut pagination = json!({});
    if more && let Some(last) = items.last() {
        pagination["nextPageToken"] = json!(s.pages.token(&list, store.epoch, last.seq));
    }
    let projects: Vec<Value> = items.into_iter().map(project_json).collect();
    Ok(Json(json!({ "projects": projects, "pagination": pagination })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateProject {
    name: String,
    folder_id: Option<String>,
    project_type: Option<ProjectType>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum ProjectType {
    Standard,
    Agent,
}

pub async fn create_project(
    axum::extract::State(s): S,
    Caller(key): Caller,
    body: RawBody,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Create)?;
    let req: CreateProject = body.json()?;
    let mut store = s.store.write().expect("store lock");
    let now = s.clock.now_ms();
    let project = Project {
        id: s.new_id(),
        workspace_id: key.workspace_id.clone(),
        name: req.name,
        project_type: match req.project_type.unwrap_or(ProjectType::Standard) {
            ProjectType::Standard => "standard".into(),
            ProjectType::Agent => "agent".into(),
        },
        folder_id: req.folder_id,
        seq: store.take_seq(),
        created_at: now,
        suspended: false,
    };
    let notebook = Notebook {
        id: s.new_id(),
        project_id: project.id.clone(),
        name: FIRST_NOTEBOOK_NAME.into(),
        blocks: Vec::new(),
        seq: store.take_seq(),
    };
    let body = project_json(&project);
    let id = project.id.clone();
    s.commit(
        &mut store,
        vec![Change::PutProject(project), Change::PutNotebook(notebook)],
    )?;
    Ok(changed(Json(body).into_response(), Some(id)))
}

pub async fn get_project(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_uuid("projectId", &id)?;
    let store = s.store.read().expect("store lock");
    Ok(Json(project_json(visible_project(&store, &key, &id)?)).into_response())
}

pub async fn delete_project(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Delete)?;
    check_uuid("projectId", &id)?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, &key, &id)?;
    s.commit(&mut store, vec![Change::DeleteProject(id)])?;
    Ok(changed(StatusCode::NO_CONTENT.into_response(), None))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateNotebook {
    project_id: String,
    name: Option<String>,
}

pub async fn create_notebook(
    axum::extract::State(s): S,
    Caller(key): Caller,
    body: RawBody,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Create)?;
    let req: CreateNotebook = body.json()?;
    check_uuid("projectId", &req.project_id)?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, &key, &req.project_id)?;
    let notebook = Notebook {
        id: s.new_id(),
        project_id: req.project_id,
        name: req.name.unwrap_or_else(|| DEFAULT_NOTEBOOK_NAME.into()),
        blocks: Vec::new(),
        seq: store.take_seq(),
    };
    let body = json!({ "notebook": notebook_json(&notebook) });
    let id = notebook.id.clone();
    s.commit(&mut store, vec![Change::PutNotebook(notebook)])?;
    Ok(changed(Json(body).into_response(), Some(id)))
}

pub async fn get_notebook(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_uuid("notebookId", &id)?;
    let store = s.store.read().expect("store lock");
    let n = visible_notebook(&store, &key, &id)?;
    Ok(Json(json!({ "notebook": notebook_json(n) })).into_response())
}

pub async fn delete_notebook(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Delete)?;
    check_uuid("notebookId", &id)?;
    let mut store = s.store.write().expect("store lock");
    visible_notebook(&store, &key, &id)?;
    s.commit(&mut store, vec![Change::DeleteNotebook(id)])?;
    Ok(changed(StatusCode::NO_CONTENT.into_response(), None))
}

pub async fn list_notebook_runs(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_uuid("notebookId", &id)?;
    let store = s.store.read().expect("store lock");
    visible_notebook(&store, &key, &id)?;
    let list = format!("runs\0{id}");
    let page = s.pages.page(
        &list,
        store.epoch,
        q.get("pageSize").map(String::as_str),
        q.get("pageToken").map(String::as_str),
    )?;
    let now = s.clock.now_ms();
    let mut items: Vec<&Run> = store
        .runs_before(&id, page.cursor.unwrap_or(u64::MAX))
        .take(page.size + 1)
        .collect();
    let more = items.len() > page.size;
    items.truncate(page.size);
    let mut pagination = json!({});
    if more && let Some(last) = items.last() {
        pagination["nextPageToken"] = json!(s.pages.token(&list, store.epoch, last.seq));
    }
    let runs: Vec<Value> = items.into_iter().map(|r| run_json(r, now)).collect();
    Ok(Json(json!({ "runs": runs, "pagination": pagination })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateRun {
    notebook_id: String,
    detached: Option<bool>,
    detached_run_storage_mode: Option<StorageMode>,
    block_ids: Option<Vec<String>>,
    run_dependent_blocks: Option<bool>,
    inputs: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum StorageMode {
    ReadWrite,
    Readonly,
}

pub async fn create_run(
    axum::extract::State(s): S,
    Caller(key): Caller,
    body: RawBody,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Run)?;
    let req: CreateRun = body.json()?;
    check_uuid("notebookId", &req.notebook_id)?;
    let detached = req.detached.unwrap_or(false);
    if detached && req.block_ids.is_some() {
        return Err(ApiError::bad("blockIds cannot be used with a detached run"));
    }
    if req.block_ids.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::bad("blockIds must not be empty"));
    }
    let mut store = s.store.write().expect("store lock");
    let notebook = visible_notebook(&store, &key, &req.notebook_id)?;
    let project_id = notebook.project_id.clone();
    check_not_suspended(&store, &project_id)?;
    let behaviour = s.behaviour_for(&store, &req.notebook_id);
    let now = s.clock.now_ms();
    let run = Run {
        id: s.new_id(),
        notebook_id: req.notebook_id,
        project_id,
        seq: store.take_seq(),
        created_at: now,
        behaviour,
        inputs: req.inputs.unwrap_or_default(),
        block_ids: req.block_ids,
        run_dependent_blocks: req.run_dependent_blocks.unwrap_or(false),
        detached,
        detached_run_storage_mode: req.detached_run_storage_mode.map(|m| {
            match m {
                StorageMode::ReadWrite => "read_write",
                StorageMode::Readonly => "readonly",
            }
            .to_string()
        }),
        trigger: "api".into(),
    };
    let (status, _) = run.status_at(now);
    let body = json!({
        "runId": run.id,
        "status": status.as_str(),
        "createdAt": rfc3339(run.created_at),
    });
    let id = run.id.clone();
    s.commit(&mut store, vec![Change::PutRun(run)])?;
    Ok(changed(
        (StatusCode::ACCEPTED, Json(body)).into_response(),
        Some(id),
    ))
}

pub async fn get_run(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_uuid("runId", &id)?;
    let inline = match q.get("snapshotDelivery").map(String::as_str) {
        None | Some("downloadUrl") => false,
        Some("inline") => true,
        Some(other) => {
            return Err(ApiError::bad(format!(
                "snapshotDelivery must be `inline` or `downloadUrl`, got `{other}`"
            )));
        }
    };
    let store = s.store.read().expect("store lock");
    let run = store
        .run(&id)
        .filter(|r| {
            store
                .project(&r.project_id)
                .is_some_and(|p| p.workspace_id == key.workspace_id)
        })
        .ok_or_else(|| ApiError::NotFound(format!("run {id} not found")))?;
    check_not_suspended(&store, &run.project_id)?;
    let now = s.clock.now_ms();
    let mut v = run_json(run, now);
    if let Some(finished) = s.snapshot_ready(run.status_at(now).1, now) {
        v["snapshot"] = if inline {
            let project = store.project(&run.project_id);
            let notebook = store.notebook(&run.notebook_id);
            match (project, notebook) {
                (Some(p), Some(n)) => {
                    json!({ "snapshotContent": crate::snapshot::render(p, n, run, finished) })
                }
                _ => json!({}),
            }
        } else {
            json!({ "downloadUrl": crate::control::snapshot_url(&s, &headers, &run.id) })
        };
    }
    Ok(Json(json!({ "run": v })).into_response())
}

pub async fn execute_v1(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams((project_id, notebook_id)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Run)?;
    check_uuid("projectId", &project_id)?;
    check_uuid("notebookId", &notebook_id)?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, &key, &project_id)?;
    let notebook = visible_notebook(&store, &key, &notebook_id)?;
    if notebook.project_id != project_id {
        return Err(ApiError::NotFound(format!(
            "notebook {notebook_id} not found in project {project_id}"
        )));
    }
    check_not_suspended(&store, &project_id)?;
    let now = s.clock.now_ms();
    let busy = store
        .runs_before(&notebook_id, u64::MAX)
        .any(|r| !r.status_at(now).0.is_terminal());
    if busy {
        return Ok(StatusCode::OK.into_response());
    }
    let run = Run {
        id: s.new_id(),
        notebook_id: notebook_id.clone(),
        project_id,
        seq: store.take_seq(),
        created_at: now,
        behaviour: s.behaviour_for(&store, &notebook_id),
        inputs: Default::default(),
        block_ids: None,
        run_dependent_blocks: false,
        detached: false,
        detached_run_storage_mode: None,
        trigger: "v1".into(),
    };
    let id = run.id.clone();
    s.commit(&mut store, vec![Change::PutRun(run)])?;
    Ok(changed(StatusCode::OK.into_response(), Some(id)))
}

/// 404 for any path the API does not have.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such API path".into())
}

/// 405 for a known path with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
