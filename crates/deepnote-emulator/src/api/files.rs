//! Live-dialect project files: upload (`POST /files`, multipart; never overwrites), delete,
//! copy between projects, and download (raw bytes, chunked). Files show in
//! `GET /projects/{id}` under `files`.
//!
//! `POST /files/copy` rests on weak evidence (only `sourceProjectId` is visible): the emulator
//! takes `{sourceProjectId, targetProjectId, path}`, keeps the source path in the target, and
//! like an upload never overwrites.

use super::{committed, visible_project};
use crate::auth::KeySpec;
use crate::clock::rfc3339;
use crate::error::Refusal;
use crate::extract::{Authorized, QueryMap, RawBody, access, check_uuid};
use crate::shared::Shared;
use crate::state::{Change, FileRecord, ProjectRecord, Store};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The largest file an upload takes; past it, 413.
pub const FILE_LIMIT: usize = 64 * 1024 * 1024;

/// Downloads go out in chunks this large, with no `Content-Length`.
const CHUNK: usize = 64 * 1024;

/// A project path: no leading `/`, no empty, `.` or `..` segment, no backslash or NUL.
pub(crate) fn clean_path(path: &str) -> Result<String, Refusal> {
    let p = path.trim_start_matches('/');
    let ok = !p.is_empty()
        && !p.contains(['\\', '\0'])
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
    if ok {
        Ok(p.to_string())
    } else {
        Err(Refusal::bad(format!(
            "invalid file path `{}`",
            path.chars().take(128).collect::<String>()
        )))
    }
}

/// `path` if free in the project, else the first free `stem-1.ext`, `stem-2.ext`, ...
fn unique_path(store: &Store, project: &str, path: &str) -> String {
    if store.file(project, path).is_none() {
        return path.to_string();
    }
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), path),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|i| format!("{dir}{stem}-{i}{ext}"))
        .find(|p| store.file(project, p).is_none())
        .expect("an unbounded range has a free path")
}

fn file_answer(f: &FileRecord) -> Value {
    json!({
        "file": {
            "projectId": f.project_id,
            "path": f.path,
            "size": f.bytes.len(),
            "updatedAt": rfc3339(f.updated_at),
        }
    })
}

/// The project, visible and writable (not suspended: 409).
fn writable<'a>(store: &'a Store, key: &KeySpec, id: &str) -> Result<&'a ProjectRecord, Refusal> {
    let p = visible_project(store, key, id)?;
    if p.suspended {
        return Err(Refusal::Conflict("Project is suspended".into()));
    }
    Ok(p)
}

/// Store a new file and answer it, 201.
fn put_file(s: &Shared, store: &mut Store, f: FileRecord) -> Result<Response, Refusal> {
    let body = file_answer(&f);
    committed(
        s,
        store,
        vec![Change::PutFile(f)],
        (StatusCode::CREATED, Json(body)),
        None,
    )
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> Refusal {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Refusal::PayloadTooLarge(FILE_LIMIT)
    } else {
        Refusal::bad(format!("malformed multipart body: {}", e.body_text()))
    }
}

pub async fn create_file(
    Authorized(s, key, _): Authorized<access::Create>,
    req: Request,
) -> Result<Response, Refusal> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > FILE_LIMIT + CHUNK) {
        return Err(Refusal::PayloadTooLarge(FILE_LIMIT));
    }
    let mut form = Multipart::from_request(req, &()).await.map_err(|e| {
        Refusal::bad(format!(
            "a multipart/form-data body is required: {}",
            e.body_text()
        ))
    })?;
    let (mut project, mut path, mut file) = (None, None, None::<Bytes>);
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "projectId" => project = Some(field.text().await.map_err(multipart_error)?),
            "path" => path = Some(field.text().await.map_err(multipart_error)?),
            "file" => {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if bytes.len() > FILE_LIMIT {
                    return Err(Refusal::PayloadTooLarge(FILE_LIMIT));
                }
                file = Some(bytes);
            }
            // Unknown parts are ignored, as unknown JSON fields are.
            _ => {}
        }
    }
    let project = project.ok_or_else(|| Refusal::bad("the projectId part is required"))?;
    let path = path.ok_or_else(|| Refusal::bad("the path part is required"))?;
    let bytes = file.ok_or_else(|| Refusal::bad("the file part is required"))?;
    check_uuid("projectId", &project)?;
    let path = clean_path(&path)?;
    let mut store = s.store.write().expect("store lock");
    writable(&store, &key, &project)?;
    let f = FileRecord {
        path: unique_path(&store, &project, &path),
        project_id: project,
        bytes,
        updated_at: s.clock.now_ms(),
    };
    put_file(&s, &mut store, f)
}

/// The `projectId` and `path` query parameters; `missing` is the refusal for absent or bad
/// ones (downloads document no 400, so theirs is a 404).
fn file_query(
    q: &HashMap<String, String>,
    missing: fn(String) -> Refusal,
) -> Result<(String, String), Refusal> {
    let project = q
        .get("projectId")
        .ok_or_else(|| missing("the projectId query parameter is required".into()))?;
    let path = q
        .get("path")
        .ok_or_else(|| missing("the path query parameter is required".into()))?;
    check_uuid("projectId", project).map_err(|e| missing(e.to_string()))?;
    let path = clean_path(path).map_err(|e| missing(e.to_string()))?;
    Ok((project.clone(), path))
}

pub async fn delete_file(
    Authorized(s, key, _): Authorized<access::Delete>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    let (project, path) = file_query(&q, Refusal::BadRequest)?;
    let mut store = s.store.write().expect("store lock");
    writable(&store, &key, &project)?;
    if store.file(&project, &path).is_none() {
        return Err(Refusal::NotFound(format!("file {path} not found")));
    }
    committed(
        &s,
        &mut store,
        vec![Change::DeleteFile(project, path)],
        StatusCode::NO_CONTENT,
        None,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Copy {
    source_project_id: String,
    target_project_id: Option<String>,
    path: Option<String>,
}

pub async fn copy_file(
    Authorized(s, key, _): Authorized<access::Create>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: Copy = body.api_json()?;
    let target = req
        .target_project_id
        .ok_or_else(|| Refusal::bad("invalid body: targetProjectId is required"))?;
    let path = req
        .path
        .ok_or_else(|| Refusal::bad("invalid body: path is required"))?;
    check_uuid("sourceProjectId", &req.source_project_id)?;
    check_uuid("targetProjectId", &target)?;
    let path = clean_path(&path)?;
    let mut store = s.store.write().expect("store lock");
    visible_project(&store, &key, &req.source_project_id)?;
    writable(&store, &key, &target)?;
    let source = store
        .file(&req.source_project_id, &path)
        .ok_or_else(|| Refusal::NotFound(format!("file {path} not found")))?;
    let f = FileRecord {
        project_id: target.clone(),
        path: unique_path(&store, &target, &path),
        bytes: source.bytes.clone(),
        updated_at: s.clock.now_ms(),
    };
    put_file(&s, &mut store, f)
}

pub async fn download_file(
    Authorized(s, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    let (project, path) = file_query(&q, Refusal::NotFound)?;
    let store = s.store.read().expect("store lock");
    visible_project(&store, &key, &project)?;
    let bytes = store
        .file(&project, &path)
        .ok_or_else(|| Refusal::NotFound(format!("file {path} not found")))?
        .bytes
        .clone();
    drop(store);
    // Slices of the stored bytes, streamed: chunked, as the live API sends it.
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..bytes.len())
        .step_by(CHUNK)
        .map(|i| Ok(bytes.slice(i..(i + CHUNK).min(bytes.len()))))
        .collect();
    let mut resp = Body::from_stream(futures_util::stream::iter(chunks)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    Ok(resp)
}
