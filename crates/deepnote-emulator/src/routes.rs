//! The router, and the layer every API request passes: faults, journal and request logs.

use crate::api;
use crate::error::Refusal;
use crate::faults::Decision;
use crate::journal::{FaultKind, JournalEntry};
use crate::shared::Shared;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Instant;

/// The whole app: the API under `/v2` and `/v1`, the control API under `/_emulator`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/v2/me", get(api::get_me))
        .route(
            "/v2/projects",
            get(api::list_projects).post(api::create_project),
        )
        .route("/v2/projects/{projectId}", {
            let project = get(api::get_project).delete(api::delete_project);
            if shared.dialect.is_live() {
                project.patch(api::update_project)
            } else {
                project
            }
        })
        .route("/v2/notebooks", post(api::create_notebook))
        .route("/v2/notebooks/{notebookId}", {
            let nb = get(api::get_notebook).delete(api::delete_notebook);
            if shared.dialect.is_live() {
                nb.patch(api::update_notebook)
            } else {
                nb
            }
        })
        .route(
            "/v2/notebooks/{notebookId}/runs",
            get(api::list_notebook_runs),
        )
        .route("/v2/runs", post(api::create_run))
        .route("/v2/runs/{runId}", get(api::get_run))
        .route(
            "/v1/projects/{projectId}/notebooks/{notebookId}/execute",
            post(api::execute_v1),
        )
        .merge(live_only(&shared))
        .method_not_allowed_fallback(api::method_not_allowed)
        // Unknown paths pass the layer too, so the journal shows what a client asked for
        // (an operation the emulator does not have yet, say).
        .fallback(api::not_found)
        // Inside the API layer, so faults and the journal see app viewer tokens' requests too.
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            crate::viewer::gate,
        ))
        .layer(middleware::from_fn_with_state(shared.clone(), api_layer))
        .with_state(shared.clone());
    Router::new()
        .nest("/_emulator", crate::control::router(shared.clone()))
        .merge(api)
}

/// The operations the live reference added to the original spec: in the spec dialect they
/// are not there (404), as the original spec has none of them.
fn live_only(shared: &Arc<Shared>) -> Router<Arc<Shared>> {
    if !shared.dialect.is_live() {
        return Router::new();
    }
    Router::new()
        .route("/v2/blocks", post(api::create_block))
        .route(
            "/v2/blocks/{blockId}",
            get(api::get_block)
                .patch(api::update_block)
                .delete(api::delete_block),
        )
        .route(
            "/v2/notebooks/{notebookId}/reorder-blocks",
            post(api::reorder_blocks),
        )
        .route(
            "/v2/notebooks/{notebookId}/schedule",
            post(api::upsert_notebook_schedule),
        )
        .route(
            "/v2/files",
            post(api::create_file)
                .delete(api::delete_file)
                // Multipart reads take their limit from this layer (axum's default is 2 MB).
                .layer(axum::extract::DefaultBodyLimit::max(
                    api::FILE_LIMIT + 64 * 1024,
                )),
        )
        .route("/v2/files/copy", post(api::copy_file))
        .route("/v2/files/download", get(api::download_file))
        .route("/v2/integrations", get(api::list_integrations))
        .route(
            "/v2/integrations/{integrationId}",
            get(api::get_integration),
        )
        .route("/v2/machine-types", get(api::list_machine_types))
        .route(
            "/v2/projects/{projectId}/machine",
            get(api::get_project_machine).patch(api::update_project_machine),
        )
        .route("/v2/search", get(api::search))
        .route("/v2/sessions", post(api::create_session))
        .route(
            "/v2/sessions/{sessionId}/execute",
            post(api::execute_in_session),
        )
        .route("/v2/projects/{projectId}/export", get(api::export_project))
        .route("/v2/projects/{projectId}/import", post(api::import_project))
        .route(
            "/v2/schedules",
            get(api::list_schedules).post(api::create_schedule),
        )
        .route(
            "/v2/streamlit-apps",
            get(api::list_streamlit_apps).post(api::create_streamlit_app),
        )
        .route(
            "/v2/streamlit-apps/{streamlitAppId}/status",
            get(api::get_streamlit_app_status),
        )
}

/// Apply faults around an API request, journal it, and log it (never its key).
async fn api_layer(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let authorization = req.headers().contains_key(header::AUTHORIZATION);
    let at = crate::clock::rfc3339(s.clock.now_ms());
    // The rate limit counts per key; only a hash of the header is kept, never the key.
    let key = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        req.headers().get(header::AUTHORIZATION).hash(&mut h);
        h.finish()
    };
    let (decision, latency) = s.faults.decide(key);
    let mid_body = s.faults.reset_mid_body();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut entry = JournalEntry {
        seq: 0,
        at,
        method,
        path,
        status: 0,
        fault: None,
        applied: false,
        changed_state: false,
        authorization,
        created: None,
    };
    let resp = match decision {
        Decision::RateLimited(rate) => {
            entry.fault = Some(FaultKind::RateLimit);
            let secs = rate.reset.as_millis().div_ceil(1000).max(1) as u64;
            let mut resp = Refusal::TooManyRequests(secs).into_response();
            resp.headers_mut().remove(header::RETRY_AFTER);
            with_rate_headers(&mut resp, rate.headers(true));
            resp
        }
        Decision::ServerError(code) => {
            entry.fault = Some(FaultKind::ServerError);
            Refusal::Server(code, "injected server error (emulator fault)".into()).into_response()
        }
        Decision::Pass { reset, rate } => {
            let mut resp = next.run(req).await;
            if let Some(rate) = rate {
                with_rate_headers(&mut resp, rate.headers(false));
            }
            entry.applied = true;
            if let Some(api::Changed(created)) = resp.extensions().get::<api::Changed>() {
                entry.changed_state = true;
                entry.created = created.clone();
            }
            if reset {
                entry.fault = Some(FaultKind::ConnectionReset);
                entry.status = resp.status().as_u16();
                s.journal.record(entry.clone());
                log(&entry, started);
                return reset_midway(resp, mid_body).await;
            }
            resp
        }
    };
    entry.status = resp.status().as_u16();
    log(&entry, started);
    s.journal.record(entry);
    resp
}

fn with_rate_headers(resp: &mut Response, headers: Vec<(&'static str, String)>) {
    for (name, value) in headers {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            resp.headers_mut().insert(name, value);
        }
    }
}

fn log(entry: &JournalEntry, started: Instant) {
    tracing::info!(
        method = %entry.method,
        path = %entry.path,
        status = entry.status,
        fault = ?entry.fault,
        changed = entry.changed_state,
        elapsed_us = started.elapsed().as_micros() as u64,
        "request"
    );
}

/// Fail the response after the handler committed, so the server drops the connection: the
/// client sees a reset although the request took effect. With `mid_body`, the head and half
/// the body go out first; otherwise the connection drops before any byte of the answer.
async fn reset_midway(resp: Response, mid_body: bool) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    if parts.status == StatusCode::NO_CONTENT {
        // hyper never polls a 204's body, so the failure below would never fire.
        parts.status = StatusCode::OK;
    }
    let reset = || {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "emulator fault: connection reset",
        ))
    };
    if !mid_body {
        // Failing on the first poll, before hyper flushes the head.
        return Response::from_parts(
            parts,
            Body::from_stream(futures_util::stream::iter([reset()])),
        );
    }
    let half = bytes.slice(..bytes.len() / 2);
    // The pause lets hyper flush the head and the first half before the failure.
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
    let failure = futures_util::stream::once(async move {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        reset()
    });
    Response::from_parts(parts, Body::from_stream(first.chain(failure)))
}
