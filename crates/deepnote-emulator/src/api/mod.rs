//! The Deepnote Public API: the 12 operations of `deepnote-openapi.yml`, answered in the
//! emulator's [`Dialect`] (see [`crate::shapes`] for the answer shapes). Projects, notebooks
//! and `/me` here; runs in [`runs`].

use crate::auth::KeySpec;
use crate::dialect::Dialect;
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, QueryMap, RawBody, access, check_uuid};
use crate::pagination::{DEFAULT_PAGE_SIZE, LIVE_PROJECTS_PAGE_SIZE};
use crate::shapes;
use crate::shared::Shared;
use crate::state::{Change, NotebookRecord, ProjectRecord, Store};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type S = axum::extract::State<Arc<Shared>>;

mod apps;
mod blocks;
mod files;
mod runs;
mod schedules;
mod sessions;
mod workspace;
pub use apps::{
    create_streamlit_app, get_streamlit_app_status, list_streamlit_apps, update_project,
};
pub(crate) use files::clean_path;
pub use files::{FILE_LIMIT, copy_file, create_file, delete_file, download_file};
pub use sessions::{create_session, execute_in_session};
pub use workspace::{
    get_integration, get_project_machine, list_integrations, list_machine_types, search,
    update_project_machine,
};
mod transfer;
pub use blocks::{
    create_block, delete_block, get_block, reorder_blocks, update_block, update_notebook,
};
pub use runs::{create_run, execute_v1, get_run, list_notebook_runs};
pub use schedules::{create_schedule, list_schedules, upsert_notebook_schedule};
pub use transfer::{export_project, import_project};

/// Marks a response whose request changed the state, with what it created if anything.
#[derive(Debug, Clone)]
pub struct Changed(pub Option<String>);

pub(crate) fn changed(mut resp: Response, created: Option<String>) -> Response {
    resp.extensions_mut().insert(Changed(created));
    resp
}

/// Commit `changes` (see [`Shared::commit`]), then answer `answer`, marked as a change that
/// created `created`: the ending of every handler that writes.
pub(crate) fn committed(
    s: &Shared,
    store: &mut Store,
    changes: Vec<Change>,
    answer: impl IntoResponse,
    created: Option<String>,
) -> Result<Response, Refusal> {
    s.commit(store, changes)?;
    Ok(changed(answer.into_response(), created))
}

/// The name of the first notebook of a project created through the API.
pub const FIRST_NOTEBOOK_NAME: &str = "Notebook 1";
/// The name of a notebook created without one.
pub const DEFAULT_NOTEBOOK_NAME: &str = "Untitled notebook";

/// The project `id`, if the caller's workspace owns it; 404 otherwise (never a hint).
pub(crate) fn visible_project<'a>(
    store: &'a Store,
    caller: &KeySpec,
    id: &str,
) -> Result<&'a ProjectRecord, Refusal> {
    store
        .project(id)
        .filter(|p| p.workspace_id == caller.workspace_id)
        .ok_or_else(|| Refusal::NotFound(format!("project {id} not found")))
}

pub(crate) fn visible_notebook<'a>(
    store: &'a Store,
    caller: &KeySpec,
    id: &str,
) -> Result<&'a NotebookRecord, Refusal> {
    store
        .notebook(id)
        .filter(|n| {
            store
                .project(&n.project_id)
                .is_some_and(|p| p.workspace_id == caller.workspace_id)
        })
        .ok_or_else(|| Refusal::NotFound(format!("notebook {id} not found")))
}

/// 409 when the project is suspended.
pub(crate) fn check_not_suspended(store: &Store, project: &str) -> Result<(), Refusal> {
    if store.project(project).is_some_and(|p| p.suspended) {
        Err(Refusal::Conflict(format!("project {project} is suspended")))
    } else {
        Ok(())
    }
}

/// A notebook id in a path: the spec types it a UUID (400 otherwise); the live API takes
/// opaque ids ("Opaque notebook identifier", no format), as Deepnote's own files carry them
/// (`notebook-1`, `inline-notebook-001`), so only an empty one is not found.
pub(crate) fn check_notebook_id(d: Dialect, id: &str) -> Result<(), Refusal> {
    match d {
        Dialect::Spec => check_uuid("notebookId", id),
        Dialect::Live if id.trim().is_empty() => {
            Err(Refusal::NotFound(format!("notebook {id} not found")))
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

pub async fn get_me(Authorized(s, key, _): Authorized<access::GetMe>) -> Result<Response, Refusal> {
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

pub(crate) fn slug(name: &str) -> String {
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
    Authorized(s, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
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
    let (items, next) = page.take(
        store
            .projects_after(&key.workspace_id, page.cursor.unwrap_or(0))
            .filter(|p| {
                filter
                    .as_deref()
                    .is_none_or(|f| p.name.to_lowercase().contains(f))
            }),
        |p: &ProjectRecord| p.seq,
    );
    let next = next.map(|seq| s.pages.token(&list, store.epoch, seq));
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
    Authorized(s, key, _): Authorized<access::Create>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: CreateProject = body.api_json()?;
    let project_type = match (s.dialect, req.project_type) {
        (Dialect::Spec, Some(t)) => serde_json::from_value::<ProjectType>(t)
            .map_err(|e| Refusal::bad(format!("invalid body: projectType: {e}")))?,
        _ => ProjectType::Standard,
    };
    if let (Dialect::Live, Some(folder)) = (s.dialect, &req.folder_id) {
        // The live reference types it a UUID; the spec leaves it a string.
        check_uuid("folderId", folder)?;
    }
    let mut store = s.store.write().expect("store lock");
    let now = s.clock.now_ms();
    let project = ProjectRecord {
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
        modified_at: now,
        machine_type: None,
        static_files: None,
        machine_started_at: None,
    };
    let notebook = NotebookRecord {
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
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let store = s.store.read().expect("store lock");
    let project = visible_project(&store, &key, &id)?;
    let mut body = shapes::project_answer(s.dialect, &store, project, true);
    if s.dialect.is_live() && project.static_files.is_some() {
        let base = crate::apps::public_base(&s, &headers);
        body["project"]["staticFiles"] = crate::apps::static_files_json(&base, project);
    }
    Ok(Json(body).into_response())
}

pub async fn delete_project(
    Authorized(s, key, _): Authorized<access::Delete>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, &key, &id)?;
    committed(
        &s,
        &mut store,
        vec![Change::DeleteProject(id)],
        StatusCode::NO_CONTENT,
        None,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateNotebook {
    project_id: String,
    name: Option<String>,
}

pub async fn create_notebook(
    Authorized(s, key, _): Authorized<access::Create>,
    body: RawBody,
) -> Result<Response, Refusal> {
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
    let notebook = NotebookRecord {
        id: s.new_id(),
        project_id: req.project_id,
        name,
        blocks: Vec::new(),
        seq: store.take_seq(),
    };
    let body = json!({ "notebook": shapes::notebook(s.dialect, &notebook, false) });
    let id = notebook.id.clone();
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(notebook)],
        (created(s.dialect), Json(body)),
        Some(id),
    )
}

/// The live service's rules for a new notebook's name: single-notebook and agent projects take
/// none (409), and names are unique within a project, case-sensitively (409). Without a name,
/// the first free "Untitled notebook", "Untitled notebook 2", ...
fn live_notebook_name(
    store: &Store,
    project: &ProjectRecord,
    name: Option<String>,
) -> Result<String, Refusal> {
    if matches!(project.project_type.as_str(), "notebook" | "agent") {
        return Err(Refusal::Conflict(format!(
            "{} projects cannot have more notebooks",
            project.project_type
        )));
    }
    let taken = |n: &str| store.notebooks_of(&project.id).any(|nb| nb.name == n);
    match name {
        Some(n) if taken(&n) => Err(Refusal::Conflict(format!(
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
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_notebook_id(s.dialect, &id)?;
    let store = s.store.read().expect("store lock");
    let n = visible_notebook(&store, &key, &id)?;
    if s.dialect.is_live() && store.project(&n.project_id).is_some_and(|p| p.suspended) {
        // The live reference: "a suspended project is reported as 400 here, not 409".
        return Err(Refusal::bad("Project is suspended"));
    }
    Ok(Json(json!({ "notebook": shapes::notebook(s.dialect, n, true) })).into_response())
}

pub async fn delete_notebook(
    Authorized(s, key, _): Authorized<access::Delete>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_notebook_id(s.dialect, &id)?;
    let mut store = s.store.write().expect("store lock");
    let project = visible_notebook(&store, &key, &id)?.project_id.clone();
    if s.dialect.is_live() {
        check_not_suspended(&store, &project)?;
        if store.notebooks_of(&project).count() < 2 {
            // Deepnote's client: "a project must keep at least one" notebook.
            return Err(Refusal::Conflict(
                "A project must keep at least one notebook".into(),
            ));
        }
    }
    committed(
        &s,
        &mut store,
        vec![Change::DeleteNotebook(id)],
        StatusCode::NO_CONTENT,
        None,
    )
}

/// 404 for any path the API does not have.
pub async fn not_found() -> Refusal {
    Refusal::NotFound("no such API path".into())
}

/// 405 for a known path with the wrong method.
pub async fn method_not_allowed() -> Refusal {
    Refusal::MethodNotAllowed
}
