//! App viewer tokens (live dialect): what an app embedded in Deepnote calls the API with.
//!
//! Deepnote's shell hands an embedded app a viewer-scoped token that expires after 15 minutes
//! (`bearerAuth` in the live reference; EVIDENCE.md, "Viewer-token scope"). With it an app may
//! read a notebook's inputs and block metadata (no source), start detached runs in the
//! hosting project (a static-file app also in the other projects its viewer was given), and
//! poll the viewer's own runs, which carry `snapshotBlocks` (`[{id, outputs}]`) instead of the
//! raw snapshot. Every other endpoint answers 403. A Streamlit app's token reaches only its
//! hosting project. The emulator mints such tokens through its control API
//! (`POST /_emulator/viewer-tokens`); they live in memory, as long as the process.
//!
//! [`gate`] sits in front of every API handler: a request carrying a viewer token is held to
//! that scope there, and its answers are cut to what a viewer sees, so no handler needs to know.

use crate::auth::{KeySpec, Role};
use crate::clock::{Millis, rfc3339};
use crate::error::Refusal;
use crate::extract::BODY_LIMIT;
use crate::shared::Shared;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long a viewer token lasts, on the emulator's clock.
pub(crate) const VIEWER_TOKEN_LIFETIME_MS: Millis = 15 * 60 * 1000;

/// The app a viewer token was handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AppKind {
    /// The app served from the project's `_deepnote_static/` files (needs API access on).
    Static,
    /// A Streamlit app of the project.
    Streamlit,
}

/// What one viewer token may do.
#[derive(Debug)]
pub(crate) struct Grant {
    /// Who the API sees: the viewer, in the hosting project's workspace.
    pub key: Arc<KeySpec>,
    /// The project hosting the app.
    pub project_id: String,
    pub app: AppKind,
    /// Other projects where the viewer has direct access with execute permission.
    pub reach: Vec<String>,
    pub expires_at: Millis,
}

impl Grant {
    fn reaches(&self, project: &str) -> bool {
        self.project_id == project || self.reach.iter().any(|p| p == project)
    }
}

/// The viewer tokens minted, and which viewer started which run.
#[derive(Debug, Default)]
pub(crate) struct Viewers {
    tokens: Mutex<HashMap<[u8; 32], Arc<Grant>>>,
    /// Run id to (workspace, user) of the viewer who started it.
    runs: Mutex<HashMap<String, (String, String)>>,
}

impl Viewers {
    fn lookup(&self, token: &str) -> Option<Arc<Grant>> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.tokens
            .lock()
            .expect("viewer lock")
            .get(&digest)
            .cloned()
    }

    fn owns(&self, g: &Grant, run: &str) -> bool {
        self.runs
            .lock()
            .expect("viewer lock")
            .get(run)
            .is_some_and(|(ws, user)| *ws == g.key.workspace_id && *user == g.key.user_id)
    }
}

/// The control API's request for a viewer token.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MintRequest {
    project_id: String,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    app: Option<AppKind>,
    /// Other projects of the workspace the viewer has direct access to (with execute
    /// permission); static-file apps only.
    #[serde(default)]
    projects: Vec<String>,
}

/// Mint a viewer token as Deepnote's shell would hand it to the app: the answer carries the
/// token (shown once), its expiry and its scope.
pub(crate) fn mint(s: &Shared, req: MintRequest) -> Result<Value, Refusal> {
    let app = req.app.unwrap_or(AppKind::Static);
    let store = s.store.read().expect("store lock");
    let project = store
        .project(&req.project_id)
        .ok_or_else(|| Refusal::NotFound(format!("project {} not found", req.project_id)))?;
    match app {
        AppKind::Static if !project.static_files.is_some_and(|f| f.api_access_enabled) => {
            return Err(Refusal::Conflict(format!(
                "API access is not enabled for the app of project {}",
                project.id
            )));
        }
        AppKind::Streamlit if store.streamlit_apps_of(&project.id).next().is_none() => {
            return Err(Refusal::Conflict(format!(
                "project {} has no Streamlit app",
                project.id
            )));
        }
        AppKind::Streamlit if !req.projects.is_empty() => {
            return Err(Refusal::bad(
                "a Streamlit app's viewer token reaches only its hosting project",
            ));
        }
        _ => {}
    }
    for other in &req.projects {
        if store
            .project(other)
            .is_none_or(|p| p.workspace_id != project.workspace_id)
        {
            return Err(Refusal::NotFound(format!(
                "project {other} not found in the hosting project's workspace"
            )));
        }
    }
    let user = req.user_id.unwrap_or_else(|| "app-viewer".into());
    let key = KeySpec::new("")
        .workspace(project.workspace_id.clone())
        .user(user.clone())
        .access(Role::Viewer);
    let token = format!(
        "dnviewer_{}",
        crate::codec::hex(&crate::codec::random_secret())
    );
    let expires_at = s.clock.now_ms() + VIEWER_TOKEN_LIFETIME_MS;
    let grant = Grant {
        key: Arc::new(key),
        project_id: project.id.clone(),
        app,
        reach: req.projects.clone(),
        expires_at,
    };
    let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    s.viewers
        .tokens
        .lock()
        .expect("viewer lock")
        .insert(digest, Arc::new(grant));
    Ok(json!({
        "token": token,
        "expiresAt": rfc3339(expires_at),
        "projectId": project.id,
        "userId": user,
        "app": match app { AppKind::Static => "static", AppKind::Streamlit => "streamlit" },
        "projects": req.projects,
    }))
}

/// The viewer grant of a request the gate let through, if it carries a viewer token.
pub(crate) fn grant_of(ext: &axum::http::Extensions) -> Option<&Arc<Grant>> {
    ext.get::<Arc<Grant>>()
}

/// Hold requests carrying a viewer token to the token's scope, and cut their answers to what
/// a viewer sees; other requests pass untouched (their key decides).
pub(crate) async fn gate(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let grant = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, token)| s.viewers.lookup(token.trim()));
    let Some(grant) = grant else {
        return next.run(req).await;
    };
    admit(&s, grant, req, next)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// The three things a viewer token may do.
enum Allowed {
    GetNotebook(String),
    CreateRun,
    GetRun(String),
}

fn allowed(method: &Method, path: &str) -> Option<Allowed> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match (method, segments.as_slice()) {
        (&Method::GET, ["v2", "notebooks", id]) => Some(Allowed::GetNotebook(id.to_string())),
        (&Method::POST, ["v2", "runs"]) => Some(Allowed::CreateRun),
        (&Method::GET, ["v2", "runs", id]) => Some(Allowed::GetRun(id.to_string())),
        _ => None,
    }
}

async fn admit(
    s: &Arc<Shared>,
    grant: Arc<Grant>,
    mut req: Request,
    next: Next,
) -> Result<Response, Refusal> {
    if s.clock.now_ms() >= grant.expires_at {
        return Err(Refusal::Denied("the app viewer token has expired".into()));
    }
    if grant.app == AppKind::Static && !static_api_access(s, &grant.project_id) {
        return Err(Refusal::Forbidden(
            "API access is disabled for this app".into(),
        ));
    }
    let Some(what) = allowed(req.method(), req.uri().path()) else {
        return Err(Refusal::Forbidden(format!(
            "an app viewer token may not call {} {}",
            req.method(),
            req.uri().path()
        )));
    };
    req.extensions_mut().insert(grant.clone());
    match what {
        Allowed::GetNotebook(id) => {
            let project = {
                let store = s.store.read().expect("store lock");
                store.notebook(&id).map(|n| n.project_id.clone())
            };
            if let Some(p) = project {
                check_reach(&grant, &p)?;
            }
            let resp = next.run(req).await;
            Ok(rewrite(resp, |v| {
                // Block metadata, not source.
                if let Some(blocks) = v["notebook"]["blocks"].as_array_mut() {
                    for b in blocks.iter_mut().filter_map(Value::as_object_mut) {
                        b.remove("content");
                    }
                }
            })
            .await)
        }
        Allowed::CreateRun => {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, BODY_LIMIT)
                .await
                .map_err(|_| Refusal::PayloadTooLarge(BODY_LIMIT))?;
            let asked: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if asked.get("detached") == Some(&Value::Bool(false)) || asked.get("blockIds").is_some()
            {
                return Err(Refusal::Forbidden(
                    "an app viewer token may only start detached runs of whole notebooks".into(),
                ));
            }
            let project = asked["notebookId"].as_str().and_then(|nb| {
                let store = s.store.read().expect("store lock");
                store.notebook(nb).map(|n| n.project_id.clone())
            });
            if let Some(p) = project {
                check_reach(&grant, &p)?;
            }
            let resp = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            if !resp.status().is_success() {
                return Ok(resp);
            }
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let started: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let run = started["runId"]
                .as_str()
                .or_else(|| started["run"]["id"].as_str());
            if let Some(run) = run {
                s.viewers.runs.lock().expect("viewer lock").insert(
                    run.to_string(),
                    (grant.key.workspace_id.clone(), grant.key.user_id.clone()),
                );
            }
            Ok(Response::from_parts(parts, Body::from(bytes)))
        }
        Allowed::GetRun(id) => {
            if !s.viewers.owns(&grant, &id) {
                return Err(Refusal::Forbidden(
                    "an app viewer token may only read the runs its viewer started".into(),
                ));
            }
            let resp = next.run(req).await;
            let blocks = snapshot_blocks(s, &id);
            Ok(rewrite(resp, |v| {
                let run = &mut v["run"];
                if let Some(m) = run.as_object_mut() {
                    m.remove("snapshot");
                    m.remove("snapshotContent");
                    m.remove("snapshotDownloadUrl");
                    m.insert("snapshotBlocks".into(), blocks);
                }
            })
            .await)
        }
    }
}

fn check_reach(grant: &Grant, project: &str) -> Result<(), Refusal> {
    if grant.reaches(project) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(format!(
            "the app viewer has no access to project {project}"
        )))
    }
}

fn static_api_access(s: &Shared, project: &str) -> bool {
    let store = s.store.read().expect("store lock");
    store
        .project(project)
        .and_then(|p| p.static_files)
        .is_some_and(|f| f.api_access_enabled)
}

/// A successful JSON answer with `edit` applied; anything else as it was.
async fn rewrite(resp: Response, edit: impl FnOnce(&mut Value)) -> Response {
    if !resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    edit(&mut v);
    parts.headers.remove(header::CONTENT_LENGTH);
    let out = serde_json::to_vec(&v).map(Bytes::from).unwrap_or(bytes);
    Response::from_parts(parts, Body::from(out))
}

/// The executed blocks of a run's snapshot with their outputs, once it is attached (null
/// before): what a viewer gets instead of the snapshot. Read from the very snapshot the run
/// answers to a key, so the two never disagree.
fn snapshot_blocks(s: &Shared, run_id: &str) -> Value {
    let store = s.store.read().expect("store lock");
    let Some(run) = store.run(run_id) else {
        return Value::Null;
    };
    let now = s.clock.now_ms();
    let Some(finished) = s.snapshot_ready(run.status_at(now).1, now) else {
        return Value::Null;
    };
    let (Some(project), Some(notebook)) = (
        store.project(&run.project_id),
        store.notebook(&run.notebook_id),
    ) else {
        return Value::Null;
    };
    let yaml = crate::snapshot::render(project, notebook, run, finished);
    let doc: Value = serde_saphyr::from_str(&yaml).unwrap_or(Value::Null);
    let blocks = doc["project"]["notebooks"][0]["blocks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    blocks
        .into_iter()
        .filter(|b| b["executionCount"].is_number())
        .map(|b| json!({ "id": b["id"], "outputs": b["outputs"] }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_notebook_reads_runs_and_own_run_reads_are_in_scope() {
        assert!(matches!(
            allowed(&Method::GET, "/v2/notebooks/nb"),
            Some(Allowed::GetNotebook(id)) if id == "nb"
        ));
        assert!(matches!(
            allowed(&Method::POST, "/v2/runs"),
            Some(Allowed::CreateRun)
        ));
        assert!(matches!(
            allowed(&Method::GET, "/v2/runs/r"),
            Some(Allowed::GetRun(id)) if id == "r"
        ));
        for (m, p) in [
            (Method::GET, "/v2/projects"),
            (Method::GET, "/v2/notebooks/nb/runs"),
            (Method::DELETE, "/v2/notebooks/nb"),
            (Method::GET, "/v2/me"),
            (Method::GET, "/v2/blocks/b"),
            (Method::POST, "/v1/projects/p/notebooks/n/execute"),
        ] {
            assert!(allowed(&m, p).is_none(), "{m} {p}");
        }
    }
}
