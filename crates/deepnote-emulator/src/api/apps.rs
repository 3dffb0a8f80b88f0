//! Live-dialect apps: `PATCH /projects/{id}` (the static-file app settings, `staticFiles`),
//! and Streamlit apps (`POST`/`GET /streamlit-apps`, `GET /streamlit-apps/{id}/status`).
//! The rules live in [`crate::apps`].

use super::{committed, visible_project};
use crate::apps;
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, QueryMap, RawBody, access, check_uuid};
use crate::state::{Change, StreamlitAppRecord};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// The body of `PATCH /projects/{id}`. Only `staticFiles` is known; other fields are ignored
/// (the reference does not know which others the service takes).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateProject {
    static_files: Option<StaticFilesUpdate>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StaticFilesUpdate {
    sharing_enabled: Option<bool>,
    api_access_enabled: Option<bool>,
}

/// 400 for an explicit `null` in one of the `known` fields of `v`. These operations document
/// no 400, and their schemas allow any other field, so a `null` elsewhere is ignored rather
/// than refused as the API's other operations do ([`RawBody::api_json`]).
fn refuse_nulls(v: &Value, known: &[&str]) -> Result<(), Refusal> {
    match known
        .iter()
        .find(|k| v.get(**k).is_some_and(Value::is_null))
    {
        Some(k) => Err(Refusal::bad(format!(
            "invalid body: `{k}` must not be null"
        ))),
        None => Ok(()),
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Refusal> {
    serde_json::from_value(v).map_err(|e| Refusal::bad(format!("invalid body: {e}")))
}

pub async fn update_project(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: RawBody,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let raw: Value = body.json()?;
    refuse_nulls(&raw, &["staticFiles"])?;
    refuse_nulls(&raw["staticFiles"], &["sharingEnabled", "apiAccessEnabled"])?;
    let req: UpdateProject = parse(raw)?;
    let mut store = s.store.write().expect("store lock");
    let mut p = visible_project(&store, &key, &id)?.clone();
    let base = apps::public_base(&s, &headers);
    let answer = |p: &crate::state::ProjectRecord, store: &crate::state::Store| {
        let mut v = crate::shapes::project(s.dialect, store, p);
        v["staticFiles"] = apps::static_files_json(&base, p);
        Json(json!({ "project": v }))
    };
    let Some(update) = req.static_files else {
        return Ok(answer(&p, &store).into_response());
    };
    let next = apps::updated_static_files(
        p.static_files.unwrap_or_default(),
        update.sharing_enabled,
        update.api_access_enabled,
    )?;
    p.static_files = Some(next);
    let body = answer(&p, &store);
    committed(&s, &mut store, vec![Change::PutProject(p)], body, None)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateStreamlitApp {
    project_id: String,
    entrypoint: String,
}

pub async fn create_streamlit_app(
    Authorized(s, key, _): Authorized<access::Create>,
    headers: HeaderMap,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: CreateStreamlitApp = parse(body.json()?)?;
    check_uuid("projectId", &req.project_id)?;
    let mut store = s.store.write().expect("store lock");
    let mut project = visible_project(&store, &key, &req.project_id)?.clone();
    if project.suspended {
        return Err(Refusal::Conflict("Project is suspended".into()));
    }
    let shown: String = req.entrypoint.chars().take(256).collect();
    let entrypoint = apps::normalized_entrypoint(&req.entrypoint)
        .filter(|path| store.file(&project.id, path).is_some())
        .ok_or_else(|| {
            // Deepnote's CLI recognises this refusal by a message naming the entrypoint.
            Refusal::NotFound(format!(
                "Entrypoint \"{shown}\" is not a file in project {}",
                project.id
            ))
        })?;
    if store
        .streamlit_apps_of(&project.id)
        .any(|a| a.entrypoint == entrypoint)
    {
        // Deepnote's CLI matches "already exists" and then finds the app in the list.
        return Err(Refusal::Conflict(format!(
            "A Streamlit app for entrypoint \"{entrypoint}\" already exists"
        )));
    }
    let now = s.clock.now_ms();
    let app = StreamlitAppRecord {
        id: s.new_id(),
        project_id: project.id.clone(),
        entrypoint,
        seq: store.take_seq(),
        created_at: now,
        forced_status: None,
    };
    // Serving a new app restarts the project's machine.
    project.machine_started_at = Some(now);
    let base = apps::public_base(&s, &headers);
    let body = json!({ "streamlitApp": apps::streamlit_app_json(&base, &app) });
    let id = app.id.clone();
    committed(
        &s,
        &mut store,
        vec![Change::PutProject(project), Change::PutStreamlitApp(app)],
        (StatusCode::CREATED, Json(body)),
        Some(id),
    )
}

pub async fn list_streamlit_apps(
    Authorized(s, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let project = q
        .get("projectId")
        .ok_or_else(|| Refusal::bad("the projectId query parameter is required"))?;
    check_uuid("projectId", project)?;
    let store = s.store.read().expect("store lock");
    let project = visible_project(&store, &key, project)?;
    let base = apps::public_base(&s, &headers);
    let list: Vec<Value> = store
        .streamlit_apps_of(&project.id)
        .map(|a| apps::streamlit_app_json(&base, a))
        .collect();
    Ok(Json(json!({ "streamlitApps": list })).into_response())
}

pub async fn get_streamlit_app_status(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_uuid("streamlitAppId", &id)?;
    let store = s.store.read().expect("store lock");
    let not_found = || Refusal::NotFound(format!("Streamlit app {id} not found"));
    let app = store.streamlit_app(&id).ok_or_else(not_found)?;
    visible_project(&store, &key, &app.project_id).map_err(|_| not_found())?;
    let status = apps::streamlit_status(&s, &store, app, s.clock.now_ms());
    Ok(Json(json!({ "status": status })).into_response())
}
