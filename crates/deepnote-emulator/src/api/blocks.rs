//! Live-dialect block editing: `POST /blocks`, `GET/PATCH/DELETE /blocks/{id}`,
//! `POST /notebooks/{id}/reorder-blocks` and `PATCH /notebooks/{id}` (rename).
//!
//! Blocks live inside their notebook, so every change is a whole-notebook write: what GET
//! notebook, run input checks and snapshots see is the same stored value.

use super::{check_notebook_id, committed, visible_notebook, visible_project};
use crate::auth::KeySpec;
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, RawBody, access, check_uuid};
use crate::shapes;
use crate::state::{BlockRecord, Change, NotebookRecord, Store};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The block types of the live reference's `BlockType`.
pub(crate) const BLOCK_TYPES: &[&str] = &[
    "code",
    "sql",
    "markdown",
    "notebook-function",
    "input-text",
    "input-textarea",
    "input-select",
    "input-date",
    "input-date-range",
    "input-slider",
    "input-file",
    "input-checkbox",
    "text-cell-h1",
    "text-cell-h2",
    "text-cell-h3",
    "text-cell-p",
    "text-cell-bullet",
    "text-cell-todo",
    "text-cell-callout",
    "visualization",
    "pivot-table",
    "image",
    "button",
    "separator",
    "big-number",
    "agent",
];

/// The notebook holding block `id`, if the caller's workspace owns it; 404 otherwise.
fn visible_block_notebook<'a>(
    store: &'a Store,
    caller: &KeySpec,
    id: &str,
) -> Result<&'a NotebookRecord, Refusal> {
    store
        .block_notebook(id)
        .filter(|n| visible_project(store, caller, &n.project_id).is_ok())
        .ok_or_else(|| Refusal::NotFound(format!("block {id} not found")))
}

/// A notebook the caller may edit: visible, and (live rules) its project not suspended. The
/// block operations document no 409, so a suspended project is a 400 here.
fn editable_notebook(store: &Store, caller: &KeySpec, id: &str) -> Result<NotebookRecord, Refusal> {
    let n = visible_notebook(store, caller, id)?;
    if store.project(&n.project_id).is_some_and(|p| p.suspended) {
        return Err(Refusal::bad("Project is suspended"));
    }
    Ok(n.clone())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBlock {
    notebook_id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    content: String,
    metadata: Option<Map<String, Value>>,
    integration_id: Option<String>,
    position: Option<u64>,
    #[serde(default)]
    include_notebook_block_ids: bool,
}

pub async fn create_block(
    Authorized(s, key, _): Authorized<access::Create>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: CreateBlock = body.api_json()?;
    if !BLOCK_TYPES.contains(&req.kind.as_str()) {
        return Err(Refusal::bad(format!(
            "invalid body: type: unknown block type `{}`",
            req.kind.chars().take(64).collect::<String>()
        )));
    }
    let metadata = req.metadata.unwrap_or_default();
    if metadata.contains_key("sql_integration_id") {
        // Deepnote's client: the connection goes in the top-level `integrationId`.
        return Err(Refusal::bad(
            "metadata.sql_integration_id is not accepted; send integrationId",
        ));
    }
    if let Some(i) = &req.integration_id {
        check_uuid("integrationId", i)?;
    }
    let mut store = s.store.write().expect("store lock");
    let mut n = editable_notebook(&store, &key, &req.notebook_id)?;
    let mut block = BlockRecord::new(s.new_id(), req.kind, req.content);
    block.metadata = metadata;
    block.integration_id = req.integration_id;
    // An index past the end appends, as omitting it does.
    let at = req
        .position
        .map_or(n.blocks.len(), |p| (p as usize).min(n.blocks.len()));
    n.blocks.insert(at, block.clone());
    let ids: Vec<&str> = n.blocks.iter().map(|b| b.id.as_str()).collect();
    let mut answer = json!({ "block": shapes::block(&block, &n.id) });
    if req.include_notebook_block_ids {
        answer["notebookBlockIds"] = json!(ids);
    }
    let id = block.id.clone();
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(n)],
        (StatusCode::CREATED, Json(answer)),
        Some(id),
    )
}

pub async fn get_block(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    let store = s.store.read().expect("store lock");
    let n = visible_block_notebook(&store, &key, &id)?;
    let b = n.blocks.iter().find(|b| b.id == id).expect("indexed");
    Ok(Json(json!({ "block": shapes::block(b, &n.id) })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBlock {
    content: Option<String>,
    integration_id: Option<String>,
}

pub async fn update_block(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: UpdateBlock = body.api_json()?;
    if req.content.is_none() && req.integration_id.is_none() {
        return Err(Refusal::bad(
            "invalid body: set content or integrationId (type and metadata cannot change)",
        ));
    }
    if let Some(i) = &req.integration_id {
        check_uuid("integrationId", i)?;
    }
    let mut store = s.store.write().expect("store lock");
    let nb = visible_block_notebook(&store, &key, &id)?.id.clone();
    let mut n = editable_notebook(&store, &key, &nb)?;
    let b = n.blocks.iter_mut().find(|b| b.id == id).expect("indexed");
    if let Some(c) = req.content {
        b.content = c;
    }
    if let Some(i) = req.integration_id {
        b.integration_id = Some(i);
    }
    b.version += 1;
    let answer = json!({ "block": shapes::block(b, &n.id) });
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(n)],
        Json(answer),
        None,
    )
}

pub async fn delete_block(
    Authorized(s, key, _): Authorized<access::Delete>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    let mut store = s.store.write().expect("store lock");
    let nb = visible_block_notebook(&store, &key, &id)?.id.clone();
    let mut n = editable_notebook(&store, &key, &nb)?;
    n.blocks.retain(|b| b.id != id);
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(n)],
        StatusCode::NO_CONTENT,
        None,
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reorder {
    block_ids: Vec<String>,
    placement: Placement,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Placement {
    #[serde(rename = "type")]
    kind: PlacementKind,
    block_id: Option<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase")]
enum PlacementKind {
    Start,
    End,
    After,
}

pub async fn reorder_blocks(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: Reorder = body.api_json()?;
    check_notebook_id(s.dialect, &id)?;
    let mut store = s.store.write().expect("store lock");
    let mut n = editable_notebook(&store, &key, &id)?;
    let order = reordered(&n.blocks, &req)?;
    n.blocks = order;
    let ids: Vec<&str> = n.blocks.iter().map(|b| b.id.as_str()).collect();
    let answer = json!({ "blockIds": ids });
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(n)],
        Json(answer),
        None,
    )
}

/// The blocks with `req.block_ids` moved, as a group in the order given, to the placement;
/// the others keep their relative order.
fn reordered(blocks: &[BlockRecord], req: &Reorder) -> Result<Vec<BlockRecord>, Refusal> {
    if req.block_ids.is_empty() {
        return Err(Refusal::bad("invalid body: blockIds must not be empty"));
    }
    let mut moved = Vec::new();
    for id in &req.block_ids {
        if moved.iter().any(|b: &BlockRecord| &b.id == id) {
            return Err(Refusal::bad(format!("blockIds repeats block {id}")));
        }
        let b = blocks
            .iter()
            .find(|b| &b.id == id)
            .ok_or_else(|| Refusal::bad(format!("Block not found in notebook: {id}")))?;
        moved.push(b.clone());
    }
    let mut rest: Vec<BlockRecord> = blocks
        .iter()
        .filter(|b| !req.block_ids.contains(&b.id))
        .cloned()
        .collect();
    let at = match (req.placement.kind, &req.placement.block_id) {
        (PlacementKind::Start, _) => 0,
        (PlacementKind::End, _) => rest.len(),
        (PlacementKind::After, None) => {
            return Err(Refusal::bad("placement.blockId is required with `after`"));
        }
        (PlacementKind::After, Some(anchor)) => {
            rest.iter().position(|b| &b.id == anchor).ok_or_else(|| {
                Refusal::bad(format!(
                    "placement.blockId {anchor} is not a block of the notebook outside blockIds"
                ))
            })? + 1
        }
    };
    rest.splice(at..at, moved);
    Ok(rest)
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

pub async fn update_notebook(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: Rename = body.api_json()?;
    if req.name.is_empty() {
        return Err(Refusal::bad("invalid body: name must not be empty"));
    }
    check_notebook_id(s.dialect, &id)?;
    let mut store = s.store.write().expect("store lock");
    let mut n = visible_notebook(&store, &key, &id)?.clone();
    let project = store.project(&n.project_id).expect("visible").clone();
    if project.suspended {
        return Err(Refusal::Conflict(format!(
            "project {} is suspended",
            project.id
        )));
    }
    if matches!(project.project_type.as_str(), "notebook" | "agent") {
        return Err(Refusal::Conflict(format!(
            "notebooks of {} projects cannot be renamed",
            project.project_type
        )));
    }
    if store
        .notebooks_of(&project.id)
        .any(|o| o.id != n.id && o.name == req.name)
    {
        return Err(Refusal::Conflict(format!(
            "A notebook named \"{}\" already exists in this project",
            req.name
        )));
    }
    n.name = req.name;
    let answer = json!({ "notebook": shapes::notebook(s.dialect, &n, true) });
    committed(
        &s,
        &mut store,
        vec![Change::PutNotebook(n)],
        Json(answer),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(ids: &[&str]) -> Vec<BlockRecord> {
        ids.iter()
            .map(|i| BlockRecord::new(*i, "code", ""))
            .collect()
    }

    fn order(ids: &[&str], moved: &[&str], kind: PlacementKind, anchor: Option<&str>) -> String {
        let req = Reorder {
            block_ids: moved.iter().map(|s| s.to_string()).collect(),
            placement: Placement {
                kind,
                block_id: anchor.map(str::to_string),
            },
        };
        match reordered(&blocks(ids), &req) {
            Ok(v) => v.iter().map(|b| b.id.as_str()).collect::<Vec<_>>().join(""),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn moves_a_group_keeping_the_others_in_order() {
        use PlacementKind::*;
        assert_eq!(
            order(&["a", "b", "c", "d"], &["d", "b"], Start, None),
            "dbac"
        );
        assert_eq!(order(&["a", "b", "c", "d"], &["a"], End, None), "bcda");
        assert_eq!(
            order(&["a", "b", "c", "d"], &["a", "b"], After, Some("c")),
            "cabd"
        );
        assert!(order(&["a", "b"], &["a"], After, Some("a")).starts_with("error"));
        assert!(order(&["a", "b"], &["a"], After, None).starts_with("error"));
        assert!(order(&["a", "b"], &["x"], Start, None).starts_with("error"));
        assert!(order(&["a", "b"], &["a", "a"], Start, None).starts_with("error"));
        assert!(order(&["a", "b"], &[], Start, None).starts_with("error"));
    }
}
