//! Integrations, machines, sessions (and waiting for a session's first run) and search: the
//! exact requests sent, each answer decoded, errors mapped.

use crate::surface_support;

use deepnote::{
    Error,
    error::StatusCode,
    runs::{RunStatus, WaitPolicy},
    search::SearchType,
};
use serde_json::json;
use std::time::Duration;
use surface_support::{PROJECT, UUID, q, stub};

#[tokio::test]
async fn integrations_are_listed_with_their_filters_and_got_by_id() {
    let s = stub(|r| match r.path.as_str() {
        "/v2/integrations" => (
            200,
            json!({"integrations": [
                {"id": UUID, "name": "Warehouse", "type": "snowflake", "is_public": true,
                 "created_at": "2026-01-01", "updated_at": null, "metadata": {"account": "x"}}
            ]})
            .to_string(),
        ),
        _ => (
            200,
            json!({"integration": {"id": UUID}, "tables": [{"name": "t"}]}).to_string(),
        ),
    })
    .await;
    let c = s.client();
    let all = c.integrations().list().send().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (
            all[0].id.as_str(),
            all[0].name.as_str(),
            all[0].integration_type.as_str()
        ),
        (UUID, "Warehouse", "snowflake")
    );
    assert_eq!(all[0].is_public, Some(true));
    c.integrations()
        .list()
        .ids([UUID])
        .name_contains("ware")
        .types(["big-query", "snowflake"])
        .has_schema(true)
        .include_metadata(true)
        .send()
        .await
        .unwrap();
    let got = c
        .integrations()
        .get(UUID)
        .database("DB")
        .schema("PUBLIC")
        .await
        .unwrap();
    assert_eq!(got["tables"][0]["name"], json!("t"));
    let seen = s.requests();
    assert!(seen[0].query.is_empty());
    assert_eq!(
        seen[1].query,
        q(&[
            ("integrationIds", UUID),
            ("nameContains", "ware"),
            ("types", "big-query,snowflake"),
            ("hasSchema", "true"),
            ("includeMetadata", "true"),
        ])
    );
    assert_eq!(seen[2].path, format!("/v2/integrations/{UUID}"));
    assert_eq!(
        seen[2].query,
        q(&[("databaseName", "DB"), ("schemaName", "PUBLIC")])
    );
    // A non-UUID id and a type with a comma are refused before sending.
    assert!(matches!(
        c.integrations().get("warehouse").await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        c.integrations().list().types(["a,b"]).send().await,
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(s.requests().len(), 3);
}

#[tokio::test]
async fn machines_types_get_and_update() {
    let machine = json!({"machine": {"status": "running", "error": null, "startingPhase": null,
        "type": {"id": "fjord", "name": "CPU (Plus)", "type": "deepnote", "vCpus": 4,
                 "memoryGiB": 16, "gpuCount": 0}}});
    let m = machine.clone();
    let s = stub(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v2/machine-types") => (
            200,
            json!({"machineTypes": [{"id": "basic", "name": "Basic", "vCpus": 2, "memoryGiB": 5}]})
                .to_string(),
        ),
        ("PATCH", _) if r.json()["machineTypeId"] == json!("busy") => {
            (409, json!({"message": "Machine is restarting"}).to_string())
        }
        _ => (200, m.to_string()),
    })
    .await;
    let c = s.client();
    let types = c.machines().types().await.unwrap();
    assert_eq!(types[0].id.as_deref(), Some("basic"));
    assert_eq!(types[0].memory_gib, Some(5.0));
    let got = c.machines().get(PROJECT).await.unwrap();
    assert_eq!(got.status.as_deref(), Some("running"));
    let t = got.machine_type.unwrap();
    assert_eq!(
        (t.vcpus, t.gpu_count, t.kind.as_deref()),
        (Some(4.0), Some(0), Some("deepnote"))
    );
    let mut settings = serde_json::Map::new();
    settings.insert("machineTypeId".into(), json!("fjord"));
    c.machines().update(PROJECT, settings).await.unwrap();
    let mut busy = serde_json::Map::new();
    busy.insert("machineTypeId".into(), json!("busy"));
    let e = c.machines().update(PROJECT, busy).await.unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::CONFLICT));
    let seen = s.requests();
    assert_eq!(seen[1].path, format!("/v2/projects/{PROJECT}/machine"));
    assert_eq!(
        (seen[2].method.as_str(), seen[2].json()),
        ("PATCH", json!({"machineTypeId": "fjord"}))
    );
    assert!(matches!(
        c.machines().update(PROJECT, serde_json::Map::new()).await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        c.machines().get("p1").await,
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(s.requests().len(), 4);
}

const RUN: &str = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

#[tokio::test]
async fn a_session_is_created_its_run_followed_and_code_run_in_it() {
    let s = stub(|r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v2/sessions") => (
            202,
            json!({"session": {"id": UUID, "sessionNotebookId": "nb-copy", "status": "starting"},
                   "run": {"id": RUN, "status": "queued"}})
            .to_string(),
        ),
        ("GET", p) if p == format!("/v2/runs/{RUN}") => (
            200,
            json!({"run": {"runId": RUN, "notebookId": "nb-copy", "status": "success"}})
                .to_string(),
        ),
        ("POST", p) if p == format!("/v2/sessions/{UUID}/execute") => (
            200,
            json!({"outputs": [{"output_type": "stream", "text": "2\n"}]}).to_string(),
        ),
        _ => (404, json!({"message": "no"}).to_string()),
    })
    .await;
    let c = s.client();
    let session = c
        .sessions()
        .create("nb1")
        .input("region", "EMEA")
        .input("full", true)
        .storage_mode(deepnote::runs::StorageMode::ReadOnly)
        .idle_shutdown(std::time::Duration::from_secs(1800))
        .await
        .unwrap();
    assert_eq!(session.id.as_str(), UUID);
    assert_eq!(
        session.session_notebook_id.as_ref().map(|n| n.as_str()),
        Some("nb-copy")
    );
    assert_eq!(session.raw["status"], json!("starting"));
    let mut policy = WaitPolicy::default();
    policy.first_delay = Duration::from_millis(1);
    policy.deadline = Some(Duration::from_secs(5));
    let run = c.runs().wait(session.run_id).policy(policy).await.unwrap();
    assert_eq!(run.status, RunStatus::Success);
    let out = c
        .sessions()
        .execute(&session.id, "nb-copy", "print(1 + 1)")
        .timeout(std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(out["outputs"][0]["text"], json!("2\n"));
    let seen = s.requests();
    assert_eq!(
        seen[0].json(),
        json!({"notebookId": "nb1", "inputs": {"region": "EMEA", "full": true},
               "storageMode": "readonly", "idleShutdownSeconds": 1800})
    );
    let last = seen.last().unwrap();
    assert_eq!(
        last.json(),
        json!({"notebookId": "nb-copy", "code": "print(1 + 1)", "timeoutMs": 5000})
    );
    // Inputs are a run's: a number is sent as its text, as Deepnote wants a slider's value.
    c.sessions().create("nb1").input("n", 3).await.unwrap();
    let seen = s.requests();
    assert_eq!(seen.last().unwrap().json()["inputs"], json!({"n": "3"}));
    // Refused before sending: a zero timeout, a session id not a UUID.
    let before = seen.len();
    assert!(matches!(
        c.sessions()
            .execute(UUID, "nb1", "1")
            .timeout(std::time::Duration::ZERO)
            .await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        c.sessions().execute("s-1", "nb1", "1").await,
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(s.requests().len(), before);
}

#[tokio::test]
async fn session_answers_without_ids_and_errors_are_typed() {
    let s = stub(|r| match r.json()["notebookId"].as_str() {
        Some("no-id") => (202, json!({"session": {}, "run": {"id": RUN}}).to_string()),
        Some("bad-run") => (
            202,
            json!({"session": {"id": UUID}, "run": {"id": "r1"}}).to_string(),
        ),
        _ => (
            403,
            json!({"message": "sessions are not enabled for this workspace"}).to_string(),
        ),
    })
    .await;
    let c = s.client();
    // The session was started (202): an answer missing what the SDK needs says so, with the
    // status, rather than a plain decode failure.
    for notebook in ["no-id", "bad-run"] {
        let e = c.sessions().create(notebook).await.unwrap_err();
        assert!(
            matches!(
                &e,
                Error::CreatedButUnreadable { what: "session", status: Some(s), .. }
                    if s.as_u16() == 202
            ),
            "{notebook}: {e}"
        );
    }
    let e = c.sessions().create("nb1").await.unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
}

#[tokio::test]
async fn search_sends_the_query_and_types_and_sorts_the_hits() {
    let s = stub(|_| {
        (
            200,
            json!({"results": {
                "projects": [{"id": PROJECT, "name": "Sales"}],
                "notebooks": [{"id": "nb1", "name": "Sales report", "projectId": PROJECT}],
                "blocks": [{"id": "b1", "content": "select * from sales", "notebookId": "nb1"}],
                "integrations": [],
                "apps": [{"id": "a1"}]
            }, "partialFailure": {"integrations": "unavailable"}})
            .to_string(),
        )
    })
    .await;
    let c = s.client();
    let found = c
        .search()
        .query("sales")
        .types([
            SearchType::Projects,
            SearchType::Blocks,
            SearchType::Projects,
        ])
        .await
        .unwrap();
    assert_eq!(found.projects[0].name.as_deref(), Some("Sales"));
    assert_eq!(
        found.notebooks[0].project_id.as_ref().map(|p| p.as_str()),
        Some(PROJECT)
    );
    assert_eq!(
        found.blocks[0].notebook_id.as_ref().map(|n| n.as_str()),
        Some("nb1")
    );
    assert_eq!(found.blocks[0].name.as_deref(), Some("select * from sales"));
    assert!(found.integrations.is_empty());
    assert!(found.other.contains_key("apps"));
    assert!(found.is_partial());
    let r = s.only();
    assert_eq!(r.path, "/v2/search");
    assert_eq!(r.query, q(&[("q", "sales"), ("types", "projects,blocks")]));
    assert!(matches!(
        c.search().query("  ").await,
        Err(Error::InvalidArgument(_))
    ));
    let s = stub(|_| {
        (
            200,
            json!({"results": {"projects": {"not": "a list"}}}).to_string(),
        )
    })
    .await;
    assert!(matches!(
        s.client().search().query("x").await,
        Err(Error::Decode(_))
    ));
}
