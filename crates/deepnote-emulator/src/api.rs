//! The Deepnote Public API: the 12 operations of `deepnote-openapi.yml`, answered in the
//! emulator's [`Dialect`] (see [`crate::shapes`] for the answer shapes).

use crate::auth::{KeySpec, Op, authorize};
use crate::clock::rfc3339;
use crate::dialect::Dialect;
use crate::error::ApiError;
use crate::extract::{Caller, PathParams, QueryMap, RawBody, check_uuid};
use crate::pagination::{DEFAULT_PAGE_SIZE, LIVE_PROJECTS_PAGE_SIZE};
use crate::server::Shared;
use crate::shapes;
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

/// A notebook id in a path: the spec types it a UUID (400 otherwise); the live API takes
/// opaque ids, so anything else is simply not found.
fn check_notebook_id(d: Dialect, id: &str) -> Result<(), ApiError> {
    match d {
        Dialect::Spec => check_uuid("notebookId", id),
        Dialect::Live if uuid::Uuid::try_parse(id).is_err() => {
            Err(ApiError::NotFound(format!("notebook {id} not found")))
        }
        Dialect::Live => Ok(()),
    }
}

/// The status of a successful create: 200 in the spec, 201 on the live service.
fn created(d: Dialect) -> StatusCode {
    match d {
        Dialect::Spec => StatusCode::OK,
        Dialect::Live => StatusCode::CREATED,
    }
}

pub async fn get_me(axum::extract::State(s): S, Caller(key): Caller) -> Result<Response, ApiError> {
    authorize(&key, Op::GetMe)?;
    let mut me = json!({
        "apiKey": { "id": key.key_id(), "name": format!("API key {}", &key.key_id()[..6]) },
        "user": { "id": key.user_id },
        "workspace": { "id": key.workspace_id, "name": key.workspace_name },
        "accessLevel": key.access.as_str(),
    });
    if s.dialect.is_live() {
        // Deepnote's client builds notebook URLs from the slug.
        me["workspace"]["slug"] = json!(slug(&key.workspace_name));
    }
    Ok(Json(me).into_response())
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
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
    let default = match s.dialect {
        Dialect::Spec => DEFAULT_PAGE_SIZE,
        Dialect::Live => LIVE_PROJECTS_PAGE_SIZE,
    };
    let page = s.pages.page(
        &list,
        store.epoch,
        q.get("pageSize").map(String::as_str),
        q.get("pageToken").map(String::as_str),
        default,
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
    let next = items
        .last()
        .filter(|_| more)
        .map(|last| s.pages.token(&list, store.epoch, last.seq));
    let pagination = shapes::pagination(s.dialect, next, page.size);
    let projects: Vec<Value> = items
        .into_iter()
        .map(|p| shapes::project(s.dialect, &store, p))
        .collect();
    Ok(Json(json!({ "projects": projects, "pagination": pagination })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateProject {
    name: String,
    folder_id: Option<String>,
    /// Checked in the spec dialect only: the live create body has no `projectType`.
    project_type: Option<Value>,
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
    let req: CreateProject = body.api_json()?;
    let project_type = match (s.dialect, req.project_type) {
        (Dialect::Spec, Some(t)) => serde_json::from_value::<ProjectType>(t)
            .map_err(|e| ApiError::bad(format!("invalid body: projectType: {e}")))?,
        _ => ProjectType::Standard,
    };
    if let (Dialect::Live, Some(folder)) = (s.dialect, &req.folder_id) {
        // The live reference types it a UUID; the spec leaves it a string.
        check_uuid("folderId", folder)?;
    }
    let mut store = s.store.write().expect("store lock");
    let now = s.clock.now_ms();
    let project = Project {
        id: s.new_id(),
        workspace_id: key.workspace_id.clone(),
        name: req.name,
        project_type: match project_type {
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
    let id = project.id.clone();
    s.commit(
        &mut store,
        vec![Change::PutProject(project), Change::PutNotebook(notebook)],
    )?;
    let project = store.project(&id).expect("just stored");
    let body = shapes::project_answer(s.dialect, &store, project, false);
    Ok(changed(
        (created(s.dialect), Json(body)).into_response(),
        Some(id),
    ))
}

pub async fn get_project(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_uuid("projectId", &id)?;
    let store = s.store.read().expect("store lock");
    let project = visible_project(&store, &key, &id)?;
    Ok(Json(shapes::project_answer(s.dialect, &store, project, true)).into_response())
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
    let req: CreateNotebook = body.api_json()?;
    check_uuid("projectId", &req.project_id)?;
    let mut store = s.store.write().expect("store lock");
    let project = visible_project(&store, &key, &req.project_id)?;
    if s.dialect.is_live() {
        check_not_suspended(&store, &project.id)?;
    }
    let name = match s.dialect {
        Dialect::Spec => req.name.unwrap_or_else(|| DEFAULT_NOTEBOOK_NAME.into()),
        Dialect::Live => live_notebook_name(&store, project, req.name)?,
    };
    let notebook = Notebook {
        id: s.new_id(),
        project_id: req.project_id,
        name,
        blocks: Vec::new(),
        seq: store.take_seq(),
    };
    let body = json!({ "notebook": shapes::notebook(s.dialect, &notebook, false) });
    let id = notebook.id.clone();
    s.commit(&mut store, vec![Change::PutNotebook(notebook)])?;
    Ok(changed(
        (created(s.dialect), Json(body)).into_response(),
        Some(id),
    ))
}

/// The live service's rules for a new notebook's name: single-notebook and agent projects take
/// none (409), and names are unique within a project, case-sensitively (409). Without a name,
/// the first free "Untitled notebook", "Untitled notebook 2", ...
fn live_notebook_name(
    store: &Store,
    project: &Project,
    name: Option<String>,
) -> Result<String, ApiError> {
    if matches!(project.project_type.as_str(), "notebook" | "agent") {
        return Err(ApiError::Conflict(format!(
            "{} projects cannot have more notebooks",
            project.project_type
        )));
    }
    let taken = |n: &str| store.notebooks_of(&project.id).any(|nb| nb.name == n);
    match name {
        Some(n) if taken(&n) => Err(ApiError::Conflict(format!(
            "A notebook named \"{n}\" already exists in this project"
        ))),
        Some(n) => Ok(n),
        None => Ok((1..)
            .map(|i| match i {
                1 => DEFAULT_NOTEBOOK_NAME.to_string(),
                i => format!("{DEFAULT_NOTEBOOK_NAME} {i}"),
            })
            .find(|n| !taken(n))
            .expect("an unbounded range has a free name")),
    }
}

pub async fn get_notebook(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Read)?;
    check_notebook_id(s.dialect, &id)?;
    let store = s.store.read().expect("store lock");
    let n = visible_notebook(&store, &key, &id)?;
    if s.dialect.is_live() && store.project(&n.project_id).is_some_and(|p| p.suspended) {
        // The live reference: "a suspended project is reported as 400 here, not 409".
        return Err(ApiError::bad("Project is suspended"));
    }
    Ok(Json(json!({ "notebook": shapes::notebook(s.dialect, n, true) })).into_response())
}

pub async fn delete_notebook(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    authorize(&key, Op::Delete)?;
    check_notebook_id(s.dialect, &id)?;
    let mut store = s.store.write().expect("store lock");
    let project = visible_notebook(&store, &key, &id)?.project_id.clone();
    if s.dialect.is_live() {
        check_not_suspended(&store, &project)?;
        if store.notebooks_of(&project).count() < 2 {
            // Deepnote's client: "a project must keep at least one" notebook.
            return Err(ApiError::Conflict(
                "A project must keep at least one notebook".into(),
            ));
        }
    }
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
    check_notebook_id(s.dialect, &id)?;
    let store = s.store.read().expect("store lock");
    visible_notebook(&store, &key, &id)?;
    let list = format!("runs\0{id}");
    let page = s.pages.page(
        &list,
        store.epoch,
        q.get("pageSize").map(String::as_str),
        q.get("pageToken").map(String::as_str),
        DEFAULT_PAGE_SIZE,
    )?;
    let now = s.clock.now_ms();
    let mut items: Vec<&Run> = store
        .runs_before(&id, page.cursor.unwrap_or(u64::MAX))
        .take(page.size + 1)
        .collect();
    let more = items.len() > page.size;
    items.truncate(page.size);
    let next = items
        .last()
        .filter(|_| more)
        .map(|last| s.pages.token(&list, store.epoch, last.seq));
    let pagination = shapes::pagination(s.dialect, next, page.size);
    let runs: Vec<Value> = items
        .into_iter()
        .map(|r| {
            let mut v = shapes::run(s.dialect, r, now);
            if s.dialect == Dialect::Spec {
                shapes::add_error(s.dialect, &mut v, r, r.status_at(now).0);
            }
            v
        })
        .collect();
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
    let req: CreateRun = body.api_json()?;
    let live = s.dialect.is_live();
    let detached = match s.dialect {
        Dialect::Spec => {
            check_uuid("notebookId", &req.notebook_id)?;
            let detached = req.detached.unwrap_or(false);
            if detached && req.block_ids.is_some() {
                return Err(ApiError::bad("blockIds cannot be used with a detached run"));
            }
            if req.block_ids.as_ref().is_some_and(Vec::is_empty) {
                return Err(ApiError::bad("blockIds must not be empty"));
            }
            detached
        }
        Dialect::Live => check_live_run_request(&req)?,
    };
    let mut store = s.store.write().expect("store lock");
    let notebook = if live {
        // A 404 from the service means the key's owner left the workspace; a missing
        // notebook is a 400.
        uuid::Uuid::try_parse(&req.notebook_id)
            .ok()
            .and_then(|_| visible_notebook(&store, &key, &req.notebook_id).ok())
            .ok_or_else(|| ApiError::bad("Notebook not found"))?
    } else {
        visible_notebook(&store, &key, &req.notebook_id)?
    };
    let project_id = notebook.project_id.clone();
    let inputs = req.inputs.unwrap_or_default();
    if live {
        if store.project(&project_id).is_some_and(|p| p.suspended) {
            // The live reference documents no 409 here; a project issue is a 400.
            return Err(ApiError::bad("Project is suspended"));
        }
        if let Some(ids) = &req.block_ids
            && ids
                .iter()
                .any(|id| !notebook.blocks.iter().any(|b| &b.id == id))
        {
            return Err(ApiError::bad("Block not found in notebook"));
        }
        crate::inputs::check(notebook, &inputs)?;
    } else {
        check_not_suspended(&store, &project_id)?;
    }
    let behaviour = s.behaviour_for(&store, &req.notebook_id);
    let now = s.clock.now_ms();
    let run = Run {
        id: s.new_id(),
        notebook_id: req.notebook_id,
        project_id,
        seq: store.take_seq(),
        created_at: now,
        behaviour,
        inputs,
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
    let body = if s.alternate() {
        // Deepnote's client also meets the GET endpoint's envelope, with `id`.
        json!({ "run": {
            "id": run.id,
            "status": status.as_str(),
            "createdAt": rfc3339(run.created_at),
        }})
    } else {
        json!({
            "runId": run.id,
            "status": status.as_str(),
            "createdAt": rfc3339(run.created_at),
        })
    };
    let id = run.id.clone();
    s.commit(&mut store, vec![Change::PutRun(run)])?;
    Ok(changed(
        (StatusCode::ACCEPTED, Json(body)).into_response(),
        Some(id),
    ))
}

/// The live service's rules for a run request's shape, before the notebook is looked at;
/// the run's `detached`.
fn check_live_run_request(req: &CreateRun) -> Result<bool, ApiError> {
    // Every run is detached unless it says otherwise.
    let detached = req.detached.unwrap_or(true);
    let Some(ids) = &req.block_ids else {
        return Ok(detached);
    };
    if ids.is_empty() {
        return Err(ApiError::bad("blockIds must not be empty"));
    }
    if detached {
        return Err(ApiError::bad("blockIds is not supported for detached runs"));
    }
    if req.detached_run_storage_mode.is_some() {
        return Err(ApiError::bad(
            "detachedRunStorageMode is not supported with blockIds (block runs are not detached)",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(ApiError::bad(format!(
            "blockIds must be unique; \"{dup}\" is repeated"
        )));
    }
    Ok(false)
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
    let (status, finished) = run.status_at(now);
    let mut v = shapes::run(s.dialect, run, now);
    shapes::add_error(s.dialect, &mut v, run, status);
    let ready = s.snapshot_ready(finished, now);
    // Terminal, but the snapshot is not attached yet: the live service answers empty content.
    let lagging = finished.is_some() && ready.is_none();
    let content = |finished| {
        let project = store.project(&run.project_id)?;
        let notebook = store.notebook(&run.notebook_id)?;
        Some(crate::snapshot::render(project, notebook, run, finished))
    };
    let url = || crate::control::snapshot_url(&s, &headers, &run.id);
    let nested = match s.dialect {
        Dialect::Spec => true,
        Dialect::Live => {
            v["projectId"] = json!(run.project_id);
            let alternate = s.alternate();
            if alternate {
                // The other spelling of the id Deepnote's client accepts.
                let id = v
                    .as_object_mut()
                    .and_then(|m| m.remove("runId"))
                    .unwrap_or_default();
                v["id"] = id;
            }
            alternate
        }
    };
    if nested {
        match (ready, inline) {
            (Some(f), true) => {
                v["snapshot"] = content(f)
                    .map(|c| json!({ "snapshotContent": c }))
                    .unwrap_or_else(|| json!({}));
            }
            (Some(_), false) => v["snapshot"] = json!({ "downloadUrl": url() }),
            (None, true) if lagging && s.dialect.is_live() => {
                v["snapshot"] = json!({ "snapshotContent": "" });
            }
            (None, _) => {}
        }
    } else {
        let (text, link) = match (ready, inline) {
            (Some(f), true) => (content(f).map(Value::String), None),
            (Some(_), false) => (None, Some(url())),
            (None, true) if lagging => (Some(Value::String(String::new())), None),
            (None, _) => (None, None),
        };
        v["snapshotContent"] = text.unwrap_or(Value::Null);
        v["snapshotDownloadUrl"] = json!(link);
    }
    Ok(Json(json!({ "run": v })).into_response())
}

pub async fn execute_v1(
    axum::extract::State(s): S,
    Caller(key): Caller,
    PathParams((project_id, notebook_id)): PathParams<(String, String)>,
) -> Result<Response, ApiError> {
    match execute_v1_inner(&s, &key, &project_id, &notebook_id) {
        // The legacy endpoint last answered 202 (documented); the spec says 200.
        Ok(resp) if s.dialect.is_live() => {
            let (mut parts, body) = resp.into_parts();
            parts.status = StatusCode::ACCEPTED;
            Ok(Response::from_parts(parts, body))
        }
        Ok(resp) => Ok(resp),
        // Its documentation names 401 for every refusal: no key, a key of another workspace,
        // or a plan without API access.
        Err(e) if s.dialect.is_live() && !matches!(e, ApiError::Server(..)) => {
            Err(ApiError::Denied(format!(
                "this API key cannot execute notebook {notebook_id} of project {project_id}: {e}"
            )))
        }
        Err(e) => Err(e),
    }
}

fn execute_v1_inner(
    s: &Shared,
    key: &KeySpec,
    project_id: &str,
    notebook_id: &str,
) -> Result<Response, ApiError> {
    authorize(key, Op::Run)?;
    check_uuid("projectId", project_id)?;
    // The legacy docs give notebook ids without dashes.
    let notebook_id = uuid::Uuid::try_parse(notebook_id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::bad(format!("notebookId must be a UUID, got `{notebook_id}`")))?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, key, project_id)?;
    let notebook = visible_notebook(&store, key, &notebook_id)?;
    if notebook.project_id != project_id {
        return Err(ApiError::NotFound(format!(
            "notebook {notebook_id} not found in project {project_id}"
        )));
    }
    check_not_suspended(&store, project_id)?;
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
        project_id: project_id.to_string(),
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
