//! Live-dialect project export (`GET /projects/{id}/export`) and import
//! (`POST /projects/{id}/import`): the ZIP of `.deepnote` documents of [`crate::documents`],
//! with Deepnote's conflict checks (`baseModifiedAt`, `baseContentHash`, `force`) and
//! `deleteMissingNotebooks`, per Deepnote's import contract.

use super::{changed, visible_project};
use crate::documents::{self, IMPORT_LIMIT, Imported};
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, QueryMap, access, check_uuid};
use crate::state::{BlockRecord, Change, NotebookRecord, Store};
use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

pub async fn export_project(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let store = s.store.read().expect("store lock");
    let project = visible_project(&store, &key, &id)?;
    let zip = documents::zip(&documents::export(&store, project));
    let mut resp = zip.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    Ok(resp)
}

fn flag(q: &HashMap<String, String>, name: &str) -> Result<bool, Refusal> {
    match q.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Refusal::bad(format!(
            "{name} must be true or false, got `{}`",
            other.chars().take(64).collect::<String>()
        ))),
    }
}

pub async fn import_project(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    req: Request,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let delete_missing = flag(&q, "deleteMissingNotebooks")?;
    let force = flag(&q, "force")?;
    let zip_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.split(';').next().unwrap_or_default().trim() == "application/zip");
    if !zip_type {
        return Err(Refusal::bad("the body must be application/zip"));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > IMPORT_LIMIT) {
        return Err(Refusal::PayloadTooLarge(IMPORT_LIMIT));
    }
    let body = axum::body::to_bytes(req.into_body(), IMPORT_LIMIT)
        .await
        .map_err(|_| Refusal::PayloadTooLarge(IMPORT_LIMIT))?;
    {
        let store = s.store.read().expect("store lock");
        let p = visible_project(&store, &key, &id)?;
        if p.suspended {
            return Err(Refusal::Conflict("Project is suspended".into()));
        }
    }
    let docs = documents::unzip(&body)?;
    let mut store = s.store.write().expect("store lock");
    let project = visible_project(&store, &key, &id)?.clone();
    check_documents(&project.id, &docs)?;
    if !force {
        if let Some(base) = q.get("baseModifiedAt")
            && *base != documents::modified_at(&project)
        {
            return Err(Refusal::Conflict(
                "The project changed since baseModifiedAt".into(),
            ));
        }
        if let Some(base) = q.get("baseContentHash")
            && *base != documents::content_hash(&documents::export(&store, &project))
        {
            return Err(Refusal::Conflict(
                "The project's content changed since baseContentHash".into(),
            ));
        }
    }
    let (changes, actions) = reconcile(&s, &mut store, &project.id, docs, delete_missing)?;
    s.commit(&mut store, changes)?;
    let project = store.project(&id).expect("still there");
    let hash = documents::content_hash(&documents::export(&store, project));
    let body = json!({
        "project": {
            "id": project.id,
            "modifiedAt": documents::modified_at(project),
            "contentHash": hash,
        },
        "notebooks": actions,
    });
    Ok(changed(Json(body).into_response(), None))
}

/// Every document belongs to the project, they share one project name, and no notebook
/// comes twice; 422 otherwise.
fn check_documents(project: &str, docs: &[Imported]) -> Result<(), Refusal> {
    for (i, d) in docs.iter().enumerate() {
        if d.project_id != project {
            return Err(Refusal::Unprocessable(format!(
                "a document belongs to project {}, not {project}",
                d.project_id
            )));
        }
        if d.project_name != docs[0].project_name {
            return Err(Refusal::Unprocessable(
                "the documents carry different project names".into(),
            ));
        }
        if docs[..i].iter().any(|o| o.id == d.id) {
            return Err(Refusal::Unprocessable(format!(
                "notebook {} comes in two documents",
                d.id
            )));
        }
        if docs[..i].iter().any(|o| o.name == d.name) {
            return Err(Refusal::Unprocessable(format!(
                "two notebooks are named \"{}\"",
                d.name
            )));
        }
    }
    Ok(())
}

/// The changes an import makes, and what it did to each notebook.
fn reconcile(
    s: &crate::shared::Shared,
    store: &mut Store,
    project: &str,
    docs: Vec<Imported>,
    delete_missing: bool,
) -> Result<(Vec<Change>, Vec<Value>), Refusal> {
    let mut changes = Vec::new();
    let mut actions = Vec::new();
    if let Some(first) = docs.first() {
        let mut p = store.project(project).expect("checked").clone();
        if p.name != first.project_name {
            p.name = first.project_name.clone();
            changes.push(Change::PutProject(p));
        }
    }
    let existing: Vec<NotebookRecord> = store.notebooks_of(project).cloned().collect();
    for d in &docs {
        let old = existing.iter().find(|n| n.id == d.id);
        let action = if old.is_some() {
            "overwritten"
        } else {
            "created"
        };
        if store.notebook(&d.id).is_some() && old.is_none() {
            return Err(Refusal::Unprocessable(format!(
                "notebook {} belongs to another project",
                d.id
            )));
        }
        let nb_id = d.id.clone();
        let blocks = d
            .blocks
            .iter()
            .map(|b| keep_identity(store, &nb_id, old, b.clone(), s))
            .collect();
        let seq = match old {
            Some(o) => o.seq,
            None => store.take_seq(),
        };
        let n = NotebookRecord {
            id: nb_id,
            project_id: project.to_string(),
            name: d.name.clone(),
            blocks,
            seq,
        };
        actions.push(json!({ "id": n.id, "name": n.name, "action": action }));
        changes.push(Change::PutNotebook(n));
    }
    if delete_missing {
        for n in existing
            .iter()
            .filter(|n| docs.iter().all(|d| d.id != n.id))
        {
            actions.push(json!({ "id": n.id, "name": n.name, "action": "deleted" }));
            changes.push(Change::DeleteNotebook(n.id.clone()));
        }
    }
    Ok((changes, actions))
}

/// An imported block keeps what the emulator knows of the block with its id (its canned
/// output, its version, bumped when the content changed); a block id another notebook holds
/// gets a new id, so ids stay unique.
fn keep_identity(
    store: &Store,
    notebook: &str,
    old: Option<&NotebookRecord>,
    mut b: BlockRecord,
    s: &crate::shared::Shared,
) -> BlockRecord {
    if let Some(prev) = old.and_then(|o| o.blocks.iter().find(|x| x.id == b.id)) {
        b.output = prev.output.clone();
        b.variable = prev.variable.clone().filter(|_| prev.kind == b.kind);
        b.version = prev.version + u64::from(prev.content != b.content);
    } else if store
        .block_notebook(&b.id)
        .is_some_and(|n| n.id != notebook)
    {
        b.id = s.new_id();
    }
    b
}
