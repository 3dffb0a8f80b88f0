//! Live-dialect workspace reads and machine settings: integrations (seeded in the sample
//! workspace, read-only), machine types, a project's machine, and search.
//!
//! Weak evidence: `getIntegration`'s answer, `updateProjectMachine`'s path and body, and the
//! inner shape of search results are not visible in Deepnote's reference; the emulator answers
//! `{integration: {..., tables}}`, takes `{machineType}` (unknown fields ignored), and lists
//! `results.{projects, notebooks, blocks, integrations}` of `{id, name, ...}` items.

use super::{committed, visible_project};
use crate::auth::{KeySpec, Role};
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, QueryMap, RawBody, access, check_uuid};
use crate::seed::SAMPLE_WORKSPACE_ID;
use crate::state::Change;
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A seeded integration: id, name, type, whether its type has a schema, its tables.
struct Integration {
    id: &'static str,
    name: &'static str,
    kind: &'static str,
    has_schema: bool,
    metadata: fn() -> Value,
    tables: &'static [(&'static str, &'static str, &'static str)],
}

/// The sample workspace's integrations.
const INTEGRATIONS: &[Integration] = &[
    Integration {
        id: "00000000-5a3e-4000-8000-000000000301",
        name: "Sales warehouse",
        kind: "pgsql",
        has_schema: true,
        metadata: || json!({"host": "warehouse.internal", "port": "5432", "database": "sales", "user": "analyst"}),
        tables: &[
            ("sales", "public", "sales"),
            ("sales", "public", "customers"),
        ],
    },
    Integration {
        id: "00000000-5a3e-4000-8000-000000000302",
        name: "Marketing BigQuery",
        kind: "big-query",
        has_schema: true,
        metadata: || json!({"project": "marketing-analytics"}),
        tables: &[
            ("marketing-analytics", "campaigns", "events"),
            ("marketing-analytics", "web", "sessions"),
        ],
    },
    Integration {
        id: "00000000-5a3e-4000-8000-000000000303",
        name: "Exports bucket",
        kind: "s3",
        has_schema: false,
        metadata: || json!({"bucket": "exports"}),
        tables: &[],
    },
];

/// The integrations a workspace has (only the sample workspace has any).
fn integrations_of(key: &KeySpec) -> &'static [Integration] {
    if key.workspace_id == SAMPLE_WORKSPACE_ID {
        INTEGRATIONS
    } else {
        &[]
    }
}

fn integration_value(i: &Integration, with_metadata: bool) -> Value {
    let mut v = json!({
        "id": i.id,
        "name": i.name,
        "type": i.kind,
        "is_public": false,
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z",
        "federated_auth_method": null,
    });
    if with_metadata {
        v["metadata"] = (i.metadata)();
    }
    v
}

fn true_false(q: &HashMap<String, String>, name: &str) -> Result<Option<bool>, Refusal> {
    match q.get(name).map(String::as_str) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(Refusal::bad(format!("{name} must be `true` or `false`"))),
    }
}

fn comma_list(q: &HashMap<String, String>, name: &str) -> Option<Vec<String>> {
    q.get(name).map(|v| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}

pub async fn list_integrations(
    Authorized(_, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    let ids = comma_list(&q, "integrationIds");
    for id in ids.iter().flatten() {
        check_uuid("integrationIds", id)?;
    }
    let types = comma_list(&q, "types");
    let has_schema = true_false(&q, "hasSchema")?;
    let with_metadata = true_false(&q, "includeMetadata")?.unwrap_or(false);
    if with_metadata && key.access < Role::Admin {
        return Err(Refusal::Forbidden(
            "includeMetadata needs an admin key".into(),
        ));
    }
    let name = q.get("nameContains").map(|n| n.to_lowercase());
    let list: Vec<Value> = integrations_of(&key)
        .iter()
        .filter(|i| ids.as_ref().is_none_or(|ids| ids.iter().any(|x| x == i.id)))
        .filter(|i| types.as_ref().is_none_or(|t| t.iter().any(|x| x == i.kind)))
        .filter(|i| has_schema.is_none_or(|h| h == i.has_schema))
        .filter(|i| {
            name.as_deref()
                .is_none_or(|n| i.name.to_lowercase().contains(n))
        })
        .map(|i| integration_value(i, with_metadata))
        .collect();
    Ok(Json(json!({ "integrations": list })).into_response())
}

pub async fn get_integration(
    Authorized(_, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    // The reference documents only a 200 here; every refusal is the usual not-found.
    let i = integrations_of(&key)
        .iter()
        .find(|i| i.id == id)
        .ok_or_else(|| Refusal::NotFound(format!("integration {id} not found")))?;
    let tables: Vec<Value> = i
        .tables
        .iter()
        .filter(|(db, _, _)| q.get("databaseName").is_none_or(|d| d == db))
        .filter(|(_, schema, _)| q.get("schemaName").is_none_or(|s| s == schema))
        .map(|(db, schema, name)| json!({"databaseName": db, "schemaName": schema, "name": name}))
        .collect();
    let mut v = integration_value(i, false);
    v["tables"] = json!(tables);
    Ok(Json(json!({ "integration": v })).into_response())
}

/// Deepnote's machine types, in the editor's order: id, name, vCPUs, memory (GiB), GPUs.
const MACHINE_TYPES: &[(&str, &str, f64, f64, u32)] = &[
    ("basic", "Basic", 2.0, 5.0, 0),
    ("fjord", "CPU (Plus)", 4.0, 16.0, 0),
    ("delta", "CPU (Performance)", 8.0, 32.0, 0),
    ("gpu-t4", "GPU (T4)", 4.0, 16.0, 1),
];

/// The machine type a project starts on.
const DEFAULT_MACHINE_TYPE: &str = "basic";

fn machine_type(id: &str) -> Option<Value> {
    MACHINE_TYPES
        .iter()
        .find(|m| m.0 == id)
        .map(|(id, name, cpus, mem, gpus)| {
            json!({"id": id, "name": name, "type": "deepnote", "vCpus": cpus, "memoryGiB": mem, "gpuCount": gpus})
        })
}

pub async fn list_machine_types(_: Authorized<access::Read>) -> Result<Response, Refusal> {
    let list: Vec<Value> = MACHINE_TYPES
        .iter()
        .filter_map(|m| machine_type(m.0))
        .collect();
    Ok(Json(json!({ "machineTypes": list })).into_response())
}

fn machine_answer(kind: Option<&str>, restarting: bool) -> Value {
    // Nothing runs in the emulator: the machine is up, except while it restarts to serve a
    // new Streamlit app.
    let (status, phase) = match restarting {
        true => ("starting", json!("restarting to serve a Streamlit app")),
        false => ("running", Value::Null),
    };
    json!({ "machine": {
        "status": status,
        "error": null,
        "startingPhase": phase,
        "type": machine_type(kind.unwrap_or(DEFAULT_MACHINE_TYPE)),
    }})
}

pub async fn get_project_machine(
    Authorized(s, key, _): Authorized<access::Read>,
    PathParams(id): PathParams<String>,
) -> Result<Response, Refusal> {
    check_uuid("projectId", &id)?;
    let store = s.store.read().expect("store lock");
    let p = visible_project(&store, &key, &id)?;
    let restarting = crate::apps::machine_restarting(&s, p, s.clock.now_ms());
    Ok(Json(machine_answer(p.machine_type.as_deref(), restarting)).into_response())
}

pub async fn update_project_machine(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: serde_json::Map<String, Value> = body.json()?;
    check_uuid("projectId", &id)?;
    let mut store = s.store.write().expect("store lock");
    let mut p = visible_project(&store, &key, &id)?.clone();
    if p.suspended {
        return Err(Refusal::Conflict("Project is suspended".into()));
    }
    let Some(kind) = req.get("machineType").and_then(Value::as_str) else {
        // Other settings (idle shutdown, restart) change nothing the emulator shows.
        let restarting = crate::apps::machine_restarting(&s, &p, s.clock.now_ms());
        return Ok(Json(machine_answer(p.machine_type.as_deref(), restarting)).into_response());
    };
    if machine_type(kind).is_none() {
        // The reference documents 409 as this operation's only refusal of a setting.
        return Err(Refusal::Conflict(format!(
            "unknown machine type `{}`",
            kind.chars().take(64).collect::<String>()
        )));
    }
    p.machine_type = Some(kind.to_string());
    let answer = machine_answer(
        Some(kind),
        crate::apps::machine_restarting(&s, &p, s.clock.now_ms()),
    );
    committed(
        &s,
        &mut store,
        vec![Change::PutProject(p)],
        Json(answer),
        None,
    )
}

/// The most results of one kind a search answers (blocks: this many text and as many code).
const SEARCH_LIMIT: usize = 100;
const SEARCH_TYPES: &[&str] = &["projects", "notebooks", "blocks", "integrations"];

pub async fn search(
    Authorized(s, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    let needle = q
        .get("q")
        .map(|v| v.trim().to_lowercase())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Refusal::bad("the q query parameter is required"))?;
    let types = comma_list(&q, "types")
        .unwrap_or_else(|| SEARCH_TYPES.iter().map(|t| t.to_string()).collect());
    if let Some(bad) = types.iter().find(|t| !SEARCH_TYPES.contains(&t.as_str())) {
        return Err(Refusal::bad(format!(
            "unknown search type `{}` (expected projects, notebooks, blocks, integrations)",
            bad.chars().take(64).collect::<String>()
        )));
    }
    let hit = |text: &str| text.to_lowercase().contains(&needle);
    let wants = |t: &str| types.iter().any(|x| x == t);
    let store = s.store.read().expect("store lock");
    let projects: Vec<_> = store.projects_of(&key.workspace_id).collect();
    let mut results = serde_json::Map::new();
    if wants("projects") {
        let list: Vec<Value> = projects
            .iter()
            .filter(|p| hit(&p.name))
            .take(SEARCH_LIMIT)
            .map(|p| json!({"id": p.id, "name": p.name}))
            .collect();
        results.insert("projects".into(), json!(list));
    }
    if wants("notebooks") {
        let list: Vec<Value> = projects
            .iter()
            .flat_map(|p| store.notebooks_of(&p.id))
            .filter(|n| hit(&n.name))
            .take(SEARCH_LIMIT)
            .map(|n| json!({"id": n.id, "name": n.name, "projectId": n.project_id}))
            .collect();
        results.insert("notebooks".into(), json!(list));
    }
    if wants("blocks") {
        let (mut text, mut code) = (0, 0);
        let mut list = Vec::new();
        for n in projects.iter().flat_map(|p| store.notebooks_of(&p.id)) {
            for b in n.blocks.iter().filter(|b| hit(&b.content)) {
                let count = if matches!(b.kind.as_str(), "code" | "sql") {
                    &mut code
                } else {
                    &mut text
                };
                if *count < SEARCH_LIMIT {
                    *count += 1;
                    list.push(json!({
                        "id": b.id, "type": b.kind, "content": b.content,
                        "notebookId": n.id, "projectId": n.project_id,
                    }));
                }
            }
        }
        results.insert("blocks".into(), json!(list));
    }
    if wants("integrations") {
        let list: Vec<Value> = integrations_of(&key)
            .iter()
            .filter(|i| hit(i.name) || hit(i.kind))
            .map(|i| json!({"id": i.id, "name": i.name, "type": i.kind}))
            .collect();
        results.insert("integrations".into(), json!(list));
    }
    Ok(Json(json!({ "results": results })).into_response())
}
