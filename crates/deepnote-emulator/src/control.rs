//! The control API under `/_emulator/`, outside the spec, for tests and demos.
//!
//! It needs no API key. When the emulator is started with an admin token, every control
//! endpoint except snapshot downloads needs `Authorization: Bearer <admin token>` (401
//! otherwise). Snapshot downloads are never authenticated: their URL carries an unguessable
//! token, like a signed URL, and the journal records whether an `Authorization` header came
//! with the download (never its value).
//!
//! | Method and path                         | Does                                              |
//! |-----------------------------------------|---------------------------------------------------|
//! | `GET /_emulator/health`                 | `{"status":"ok"}`                                 |
//! | `GET /_emulator/state`                  | counts, clock, sample key                         |
//! | `POST /_emulator/seed`                  | load the sample workspace and accept its key      |
//! | `POST /_emulator/reset`                 | forget projects, notebooks, runs, behaviours      |
//! | `PUT /_emulator/behaviours/{notebookId}`| `{"durationMs","outcome","message","reportError"}` for new runs |
//! | `DELETE /_emulator/behaviours/{id}`     | back to the default behaviour                     |
//! | `GET /_emulator/clock`                  | `{"now","offsetMs","frozen"}`                     |
//! | `POST /_emulator/clock/advance`         | `{"ms": N}` moves the clock forward               |
//! | `POST /_emulator/clock/freeze`          | `{"frozen": bool}`                                |
//! | `GET`/`PUT /_emulator/faults`           | the injected faults (see [`Faults`])              |
//! | `GET`/`DELETE /_emulator/journal`       | what happened to each API request                 |
//! | `POST /_emulator/keys`                  | accept another key (a [`KeySpec`] as JSON)       |
//! | `GET /_emulator/runs/{runId}`           | everything a run recorded (inputs, blockIds, ...) |
//! | `POST /_emulator/projects/{id}/suspend` | `{"suspended": bool}`: its runs answer 409        |
//! | `POST /_emulator/shutdown`              | stop gracefully (202; the binary then exits)      |
//! | `GET /_emulator/snapshots/{token}`      | a run's snapshot YAML (the `downloadUrl`)         |
//! | `POST /_emulator/viewer-tokens`         | mint an app viewer token (see `crate::viewer`)    |
//! | `PUT /_emulator/streamlit-apps/{id}/status` | `{"status": "unavailable"}` forces a status; `null` clears it |
//! | `GET /_emulator/static/{projectId}/...` | the project's static-file app, while sharing is on |

use crate::auth::KeySpec;
use crate::error::Refusal;
use crate::extract::{PathParams, RawBody};
use crate::faults::Faults;
use crate::journal::JournalEntry;
use crate::runs::Behaviour;
use crate::shared::Shared;
use crate::state::Change;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

type St = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let admin = Router::new()
        .route("/health", get(health))
        .route("/state", get(state))
        .route("/seed", post(seed))
        .route("/reset", post(reset))
        .route(
            "/behaviours/{notebookId}",
            put(set_behaviour).delete(clear_behaviour),
        )
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance))
        .route("/clock/freeze", post(freeze))
        .route("/faults", get(get_faults).put(set_faults))
        .route("/journal", get(journal).delete(clear_journal))
        .route("/keys", post(add_key))
        .route("/runs/{runId}", get(run_record))
        .route("/projects/{projectId}/suspend", post(suspend))
        .route("/shutdown", post(shutdown))
        .route("/viewer-tokens", post(viewer_token))
        .route(
            "/streamlit-apps/{appId}/status",
            put(force_streamlit_status),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), admin_only));
    Router::new()
        .merge(admin)
        .route("/snapshots/{token}", get(download_snapshot))
        // An app's address is public, like a signed URL: no admin token.
        .route("/static/{projectId}/", get(static_app_index))
        .route("/static/{projectId}/{*path}", get(static_app_file))
        .method_not_allowed_fallback(crate::api::method_not_allowed)
        .with_state(shared)
}

async fn admin_only(State(s): St, req: Request, next: Next) -> Response {
    if let Some(token) = &s.admin_token {
        let presented = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        let ok: bool = subtle::ConstantTimeEq::ct_eq(presented.as_bytes(), token.as_bytes()).into();
        if !ok {
            return Refusal::Unauthorized.into_response();
        }
    }
    next.run(req).await
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn state(State(s): St) -> Json<serde_json::Value> {
    let (projects, notebooks, runs) = s.store.read().expect("store lock").counts();
    Json(json!({
        "projects": projects,
        "notebooks": notebooks,
        "runs": runs,
        "clock": clock_json(&s),
        "sampleKey": crate::seed::SAMPLE_KEY,
        "persistent": s.persist.is_some(),
    }))
}

async fn seed(State(s): St) -> Result<Json<serde_json::Value>, Refusal> {
    s.keys
        .write()
        .expect("keys lock")
        .add(crate::seed::sample_key_spec());
    crate::seed::seed_sample(&s)?;
    Ok(Json(json!({
        "sampleKey": crate::seed::SAMPLE_KEY,
        "workspaceId": crate::seed::SAMPLE_WORKSPACE_ID,
    })))
}

async fn reset(State(s): St) -> Result<StatusCode, Refusal> {
    let mut store = s.store.write().expect("store lock");
    s.commit(&mut store, vec![Change::Reset])?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_behaviour(
    State(s): St,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<StatusCode, Refusal> {
    let b: Behaviour = body.json()?;
    let mut store = s.store.write().expect("store lock");
    s.commit(&mut store, vec![Change::SetBehaviour(id, Some(b))])?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_behaviour(
    State(s): St,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, Refusal> {
    let mut store = s.store.write().expect("store lock");
    s.commit(&mut store, vec![Change::SetBehaviour(id, None)])?;
    Ok(StatusCode::NO_CONTENT)
}

fn clock_json(s: &Shared) -> serde_json::Value {
    let st = s.clock.state();
    json!({
        "now": crate::clock::rfc3339(s.clock.now_ms()),
        "offsetMs": st.offset_ms,
        "frozen": st.frozen_at.is_some(),
    })
}

async fn clock(State(s): St) -> Json<serde_json::Value> {
    Json(clock_json(&s))
}

#[derive(Deserialize)]
struct Advance {
    ms: u64,
}

async fn advance(State(s): St, body: RawBody) -> Result<Json<serde_json::Value>, Refusal> {
    let a: Advance = body.json()?;
    s.clock.advance(Duration::from_millis(a.ms));
    s.save_clock();
    Ok(Json(clock_json(&s)))
}

#[derive(Deserialize)]
struct Freeze {
    frozen: bool,
}

async fn freeze(State(s): St, body: RawBody) -> Result<Json<serde_json::Value>, Refusal> {
    let f: Freeze = body.json()?;
    s.clock.freeze(f.frozen);
    s.save_clock();
    Ok(Json(clock_json(&s)))
}

async fn get_faults(State(s): St) -> Json<Faults> {
    Json(s.faults.get())
}

async fn set_faults(State(s): St, body: RawBody) -> Result<Json<Faults>, Refusal> {
    let f: Faults = body.json()?;
    f.validate().map_err(Refusal::BadRequest)?;
    s.faults.set(f.clone());
    Ok(Json(f))
}

async fn journal(State(s): St) -> Json<Vec<JournalEntry>> {
    Json(s.journal.entries())
}

async fn clear_journal(State(s): St) -> StatusCode {
    s.journal.clear();
    StatusCode::NO_CONTENT
}

async fn add_key(State(s): St, body: RawBody) -> Result<StatusCode, Refusal> {
    let k: KeySpec = body.json()?;
    if k.key.is_empty() {
        return Err(Refusal::bad("key must not be empty"));
    }
    s.keys.write().expect("keys lock").add(k);
    Ok(StatusCode::NO_CONTENT)
}

async fn run_record(State(s): St, PathParams(id): PathParams<String>) -> Result<Response, Refusal> {
    let store = s.store.read().expect("store lock");
    let run = store
        .run(&id)
        .ok_or_else(|| Refusal::NotFound(format!("run {id} not found")))?;
    let (status, _) = run.status_at(s.clock.now_ms());
    let mut v = serde_json::to_value(run).unwrap_or_default();
    v["status"] = json!(status.as_str());
    Ok(Json(v).into_response())
}

async fn shutdown(State(s): St) -> StatusCode {
    s.stop.send_replace(true);
    StatusCode::ACCEPTED
}

#[derive(Deserialize)]
struct Suspend {
    suspended: bool,
}

async fn suspend(
    State(s): St,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<StatusCode, Refusal> {
    let req: Suspend = body.json()?;
    if s.set_suspended(&id, req.suspended)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Refusal::NotFound(format!("project {id} not found")))
    }
}

async fn download_snapshot(
    State(s): St,
    PathParams(token): PathParams<String>,
    headers: HeaderMap,
) -> Response {
    let resp = match serve_snapshot(&s, &token) {
        Ok(yaml) => {
            let mut r = yaml.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-yaml"),
            );
            r
        }
        Err(e) => e.into_response(),
    };
    s.journal.record(JournalEntry {
        seq: 0,
        at: crate::clock::rfc3339(s.clock.now_ms()),
        method: "GET".into(),
        path: "/_emulator/snapshots/{token}".into(),
        status: resp.status().as_u16(),
        fault: None,
        applied: true,
        changed_state: false,
        authorization: headers.contains_key(header::AUTHORIZATION),
        created: None,
    });
    resp
}

fn serve_snapshot(s: &Shared, token: &str) -> Result<String, Refusal> {
    let not_found = || Refusal::NotFound("no such snapshot".into());
    let run_id = s.downloads.verify(token).ok_or_else(not_found)?;
    let store = s.store.read().expect("store lock");
    let run = store.run(run_id).ok_or_else(not_found)?;
    let now = s.clock.now_ms();
    let finished = s
        .snapshot_ready(run.status_at(now).1, now)
        .ok_or_else(not_found)?;
    let project = store.project(&run.project_id).ok_or_else(not_found)?;
    let notebook = store.notebook(&run.notebook_id).ok_or_else(not_found)?;
    Ok(crate::snapshot::render(project, notebook, run, finished))
}

async fn viewer_token(State(s): St, body: RawBody) -> Result<Response, Refusal> {
    let req: crate::viewer::MintRequest = body.json()?;
    let minted = crate::viewer::mint(&s, req)?;
    Ok((StatusCode::CREATED, Json(minted)).into_response())
}

#[derive(Deserialize)]
struct ForceStatus {
    status: Option<String>,
}

async fn force_streamlit_status(
    State(s): St,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<StatusCode, Refusal> {
    let req: ForceStatus = body.json()?;
    let mut store = s.store.write().expect("store lock");
    let mut app = store
        .streamlit_app(&id)
        .cloned()
        .ok_or_else(|| Refusal::NotFound(format!("Streamlit app {id} not found")))?;
    app.forced_status = req.status;
    s.commit(&mut store, vec![Change::PutStreamlitApp(app)])?;
    Ok(StatusCode::NO_CONTENT)
}

async fn static_app_index(
    State(s): St,
    PathParams(project): PathParams<String>,
) -> Result<Response, Refusal> {
    serve_static(&s, &project, "")
}

async fn static_app_file(
    State(s): St,
    PathParams((project, path)): PathParams<(String, String)>,
) -> Result<Response, Refusal> {
    serve_static(&s, &project, &path)
}

/// A file of a project's static-file app (`index.html` for a directory), while its sharing
/// is on; 404 otherwise, as a page nobody may view.
fn serve_static(s: &Shared, project: &str, path: &str) -> Result<Response, Refusal> {
    let store = s.store.read().expect("store lock");
    let not_found = || Refusal::NotFound(format!("no shared app file `{path}`"));
    let sharing = store
        .project(project)
        .and_then(|p| p.static_files)
        .is_some_and(|f| f.sharing_enabled);
    if !sharing {
        return Err(not_found());
    }
    let root = crate::apps::STATIC_ROOT;
    let path = path.trim_end_matches('/');
    let file = [
        format!("{root}/{path}"),
        format!("{root}/{path}/index.html"),
    ]
    .into_iter()
    .map(|p| p.replace("//", "/"))
    .find_map(|p| store.file(project, p.trim_end_matches('/')).cloned())
    .ok_or_else(not_found)?;
    let kind = match file.path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let mut r = file.bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(r)
}
