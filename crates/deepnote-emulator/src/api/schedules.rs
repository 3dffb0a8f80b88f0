//! Live-dialect schedules, in both shapes the evidence shows: one per notebook through
//! `POST /notebooks/{id}/schedule` (what Deepnote's CLI uses; created or replaced), several
//! through `POST /schedules`; `GET /schedules?notebookId=` lists them all, oldest first.
//!
//! Nothing runs on a schedule: the emulator keeps them, validates their cron expressions and
//! time zones (an unknown zone is 400, naming it) and answers `nextRunAt` from its clock, the
//! expression read on the zone's wall clock (see [`crate::cron`] for daylight saving).

use super::{check_notebook_id, committed, visible_notebook};
use crate::auth::KeySpec;
use crate::clock::{Millis, rfc3339};
use crate::cron::{Cron, zone};
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, QueryMap, RawBody, access};
use crate::shared::Shared;
use crate::state::{Change, NotebookRecord, ScheduleRecord, Store};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The timezone of a schedule created without one, as Deepnote defaults.
const DEFAULT_TIMEZONE: &str = "UTC";

fn checked(cron: &str, timezone: &str) -> Result<(), Refusal> {
    Cron::parse(cron).map_err(|e| Refusal::bad(format!("invalid cron expression: {e}")))?;
    zone(timezone).map_err(Refusal::bad)?;
    Ok(())
}

fn answer(sc: &ScheduleRecord, now: Millis) -> Value {
    let now = Utc.timestamp_millis_opt(now).single().unwrap_or_default();
    // Zones are checked when a schedule is stored; one stored before that, which the database
    // does not know, answers no next run rather than a wrong one.
    let next = Cron::parse(&sc.cron)
        .ok()
        .zip(zone(&sc.timezone).ok())
        .and_then(|(c, tz)| c.next_after_in(&tz, now))
        .map(|t| rfc3339(t.timestamp_millis()));
    let mut v = json!({
        "id": sc.id,
        "notebookId": sc.notebook_id,
        "projectId": sc.project_id,
        "cron": sc.cron,
        "timezone": sc.timezone,
        "nextRunAt": next,
        "createdAt": rfc3339(sc.created_at),
        "updatedAt": rfc3339(sc.updated_at),
    });
    if let Some(i) = &sc.inputs {
        v["inputs"] = json!(i);
    }
    v
}

/// The notebook a schedule call names, visible and its project not suspended (`conflict`:
/// answer a suspended project with 409, where the operation documents it; 400 otherwise).
fn schedulable<'a>(
    store: &'a Store,
    key: &KeySpec,
    id: &str,
    conflict: bool,
) -> Result<&'a NotebookRecord, Refusal> {
    let n = visible_notebook(store, key, id)?;
    if store.project(&n.project_id).is_some_and(|p| p.suspended) {
        let msg = format!("project {} is suspended", n.project_id);
        return Err(if conflict {
            Refusal::Conflict(msg)
        } else {
            Refusal::bad(msg)
        });
    }
    Ok(n)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Upsert {
    cron: String,
    timezone: Option<String>,
}

pub async fn upsert_notebook_schedule(
    Authorized(s, key, _): Authorized<access::Update>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    // The legacy contract is `additionalProperties: false`.
    let req: Upsert = body.api_json()?;
    let timezone = req.timezone.unwrap_or_else(|| DEFAULT_TIMEZONE.into());
    checked(&req.cron, &timezone)?;
    check_notebook_id(s.dialect, &id)?;
    let mut store = s.store.write().expect("store lock");
    let n = schedulable(&store, &key, &id, false)?.clone();
    let now = s.clock.now_ms();
    let legacy = store.schedules_of(&n.id).find(|sc| sc.legacy).cloned();
    let sc = match legacy {
        Some(old) => ScheduleRecord {
            cron: req.cron,
            timezone,
            updated_at: now,
            ..old
        },
        None => new_schedule(&s, &mut store, &n, req.cron, timezone, None, true),
    };
    put(&s, &mut store, sc, StatusCode::OK)
}

/// A new schedule of notebook `n`, created now.
fn new_schedule(
    s: &Shared,
    store: &mut Store,
    n: &NotebookRecord,
    cron: String,
    timezone: String,
    inputs: Option<Map<String, Value>>,
    legacy: bool,
) -> ScheduleRecord {
    let now = s.clock.now_ms();
    ScheduleRecord {
        id: s.new_id(),
        notebook_id: n.id.clone(),
        project_id: n.project_id.clone(),
        cron,
        timezone,
        inputs,
        legacy,
        seq: store.take_seq(),
        created_at: now,
        updated_at: now,
    }
}

/// Store `sc` and answer it with `status`.
fn put(
    s: &Shared,
    store: &mut Store,
    sc: ScheduleRecord,
    status: StatusCode,
) -> Result<Response, Refusal> {
    let body = json!({ "schedule": answer(&sc, s.clock.now_ms()) });
    let id = sc.id.clone();
    committed(
        s,
        store,
        vec![Change::PutSchedule(sc)],
        (status, Json(body)),
        Some(id),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Create {
    notebook_id: String,
    cron: String,
    timezone: Option<String>,
    inputs: Option<Map<String, Value>>,
}

pub async fn create_schedule(
    Authorized(s, key, _): Authorized<access::Update>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: Create = body.api_json()?;
    let timezone = req.timezone.unwrap_or_else(|| DEFAULT_TIMEZONE.into());
    checked(&req.cron, &timezone)?;
    let mut store = s.store.write().expect("store lock");
    let n = schedulable(&store, &key, &req.notebook_id, true)?.clone();
    let sc = new_schedule(&s, &mut store, &n, req.cron, timezone, req.inputs, false);
    put(&s, &mut store, sc, StatusCode::CREATED)
}

pub async fn list_schedules(
    Authorized(s, key, _): Authorized<access::Read>,
    QueryMap(q): QueryMap,
) -> Result<Response, Refusal> {
    let nb = q
        .get("notebookId")
        .ok_or_else(|| Refusal::bad("the notebookId query parameter is required"))?;
    let store = s.store.read().expect("store lock");
    let n = schedulable(&store, &key, nb, true)?;
    let now = s.clock.now_ms();
    let list: Vec<Value> = store
        .schedules_of(&n.id)
        .map(|sc| answer(sc, now))
        .collect();
    Ok(Json(json!({ "schedules": list })).into_response())
}
