//! Runs: list a notebook's runs, start one (`POST /v2/runs`, and the legacy v1 execute), get one.

use super::{
    S, check_not_suspended, check_notebook_id, committed, visible_notebook, visible_project,
};
use crate::auth::{KeySpec, Op, authorize};
use crate::clock::rfc3339;
use crate::dialect::Dialect;
use crate::error::Refusal;
use crate::extract::{Authorized, Caller, PathParams, QueryMap, RawBody, access, check_uuid};
use crate::pagination::DEFAULT_PAGE_SIZE;
use crate::shapes;
use crate::shared::Shared;
use crate::state::{Change, RunRecord};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub async fn list_notebook_runs(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
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
    let (items, next) = page.take(
        store.runs_before(&id, page.cursor.unwrap_or(u64::MAX)),
        |r: &RunRecord| r.seq,
    );
    let next = next.map(|seq| s.pages.token(&list, store.epoch, seq));
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
    Authorized(s, key, _): Authorized<access::Run>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: CreateRun = body.api_json()?;
    let live = s.dialect.is_live();
    let detached = match s.dialect {
        Dialect::Spec => {
            check_uuid("notebookId", &req.notebook_id)?;
            let detached = req.detached.unwrap_or(false);
            if detached && req.block_ids.is_some() {
                return Err(Refusal::bad("blockIds cannot be used with a detached run"));
            }
            if req.block_ids.as_ref().is_some_and(Vec::is_empty) {
                return Err(Refusal::bad("blockIds must not be empty"));
            }
            detached
        }
        Dialect::Live => check_live_run_request(&req)?,
    };
    let mut store = s.store.write().expect("store lock");
    let notebook = if live {
        // A 404 from the service means the key's owner left the workspace; a missing
        // notebook is a 400. Notebook ids are opaque: any imported id is reachable.
        visible_notebook(&store, &key, &req.notebook_id)
            .map_err(|_| Refusal::bad("Notebook not found"))?
    } else {
        visible_notebook(&store, &key, &req.notebook_id)?
    };
    let project_id = notebook.project_id.clone();
    let inputs = req.inputs.unwrap_or_default();
    if live {
        if store.project(&project_id).is_some_and(|p| p.suspended) {
            // The live reference documents no 409 here; a project issue is a 400.
            return Err(Refusal::bad("Project is suspended"));
        }
        if let Some(ids) = &req.block_ids
            && ids
                .iter()
                .any(|id| !notebook.blocks.iter().any(|b| &b.id == id))
        {
            return Err(Refusal::bad("Block not found in notebook"));
        }
        crate::inputs::check(notebook, &inputs)?;
    } else {
        check_not_suspended(&store, &project_id)?;
    }
    let behaviour = s.behaviour_for(&store, &req.notebook_id);
    let now = s.clock.now_ms();
    let run = RunRecord {
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
        ran: None,
    };
    let project = store
        .project(&run.project_id)
        .ok_or_else(|| Refusal::NotFound(format!("project {} not found", run.project_id)))?;
    let notebook = store
        .notebook(&run.notebook_id)
        .ok_or_else(|| Refusal::bad("Notebook not found"))?;
    let run = crate::ran::started(run, project, notebook);
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
    committed(
        &s,
        &mut store,
        vec![Change::PutRun(run)],
        (StatusCode::ACCEPTED, Json(body)),
        Some(id),
    )
}

/// The live service's rules for a run request's shape, before the notebook is looked at;
/// the run's `detached`.
fn check_live_run_request(req: &CreateRun) -> Result<bool, Refusal> {
    // Every run is detached unless it says otherwise.
    let detached = req.detached.unwrap_or(true);
    let Some(ids) = &req.block_ids else {
        return Ok(detached);
    };
    if ids.is_empty() {
        return Err(Refusal::bad("blockIds must not be empty"));
    }
    if detached {
        return Err(Refusal::bad("blockIds is not supported for detached runs"));
    }
    if req.detached_run_storage_mode.is_some() {
        return Err(Refusal::bad(
            "detachedRunStorageMode is not supported with blockIds (block runs are not detached)",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(Refusal::bad(format!(
            "blockIds must be unique; \"{dup}\" is repeated"
        )));
    }
    Ok(false)
}

pub async fn get_run(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_uuid("runId", &id)?;
    let inline = match q.get("snapshotDelivery").map(String::as_str) {
        None | Some("downloadUrl") => false,
        Some("inline") => true,
        Some(other) => {
            return Err(Refusal::bad(format!(
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
        .ok_or_else(|| Refusal::NotFound(format!("run {id} not found")))?;
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
    let url = || s.downloads.url(&headers, s.addr, &run.id);
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
) -> Result<Response, Refusal> {
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
        Err(e) if s.dialect.is_live() && !matches!(e, Refusal::Server(..)) => {
            Err(Refusal::Denied(format!(
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
) -> Result<Response, Refusal> {
    authorize(key, Op::Run)?;
    check_uuid("projectId", project_id)?;
    // The legacy docs give notebook ids without dashes.
    let notebook_id = uuid::Uuid::try_parse(notebook_id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| Refusal::bad(format!("notebookId must be a UUID, got `{notebook_id}`")))?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, key, project_id)?;
    let notebook = visible_notebook(&store, key, &notebook_id)?;
    if notebook.project_id != project_id {
        return Err(Refusal::NotFound(format!(
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
    let run = RunRecord {
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
        ran: None,
    };
    let project = visible_project(&store, key, project_id)?;
    let notebook = visible_notebook(&store, key, &notebook_id)?;
    let run = crate::ran::started(run, project, notebook);
    let id = run.id.clone();
    committed(
        s,
        &mut store,
        vec![Change::PutRun(run)],
        StatusCode::OK,
        Some(id),
    )
}
