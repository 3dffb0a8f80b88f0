//! Live-dialect integrations, machines, sessions and search; every answer validated against
//! `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use serde_json::{Value, json};
use std::time::Duration;

async fn q(api: &Api, query: &str) -> Resp {
    api.get(&format!("/v2/integrations?{query}")).await
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn integrations_are_listed_filtered_and_read() {
    let (_emu, api) = frozen_sample().await;
    let all = api.get("/v2/integrations").await;
    assert_eq!(all.status, 200);
    let list = &all.body["integrations"];
    assert_eq!(
        names(list),
        ["Sales warehouse", "Marketing BigQuery", "Exports bucket"]
    );
    assert!(
        list[0].get("metadata").is_none(),
        "no metadata unless asked"
    );
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        names(&q(&api, "types=big-query,s3").await.body["integrations"]),
        ["Marketing BigQuery", "Exports bucket"]
    );
    assert_eq!(
        names(&q(&api, "nameContains=WAREHOUSE").await.body["integrations"]),
        ["Sales warehouse"]
    );
    assert_eq!(
        names(&q(&api, "hasSchema=false").await.body["integrations"]),
        ["Exports bucket"]
    );
    assert_eq!(
        names(&q(&api, &format!("integrationIds={id}")).await.body["integrations"]),
        ["Sales warehouse"]
    );
    assert!(q(&api, "includeMetadata=true").await.body["integrations"][0]["metadata"].is_object());
    assert_eq!(q(&api, "hasSchema=maybe").await.status, 400);
    assert_eq!(q(&api, "integrationIds=nope").await.status, 400);
    assert_eq!(
        api.with_key(VIEWER)
            .get("/v2/integrations?includeMetadata=true")
            .await
            .status,
        403
    );
    // Another workspace has none.
    assert_eq!(
        names(&api.with_key(ADMIN).get("/v2/integrations").await.body["integrations"]).len(),
        0
    );

    let one = api
        .get(&format!("/v2/integrations/{id}?schemaName=public"))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(
        one.body["integration"]["tables"].as_array().unwrap().len(),
        2
    );
    let none = api
        .get(&format!("/v2/integrations/{id}?schemaName=other"))
        .await;
    assert_eq!(none.body["integration"]["tables"], json!([]));
}

#[tokio::test]
async fn a_project_machine_can_be_read_and_changed() {
    let (_emu, api) = frozen_sample().await;
    let types = api.get("/v2/machine-types").await;
    assert_eq!(types.status, 200);
    let ids: Vec<&str> = types.body["machineTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"fjord"));
    let path = format!("/v2/projects/{SAMPLE_PROJECT_ID}/machine");
    assert_eq!(
        api.get(&path).await.body["machine"]["type"]["id"],
        json!("basic")
    );
    let r = api
        .patch(
            &path,
            json!({"machineType": "fjord", "idleShutdownSeconds": 600}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        api.get(&path).await.body["machine"]["type"]["id"],
        json!("fjord")
    );
    assert_eq!(
        api.patch(&path, json!({"machineType": "warp-drive"}))
            .await
            .status,
        409
    );
    assert_eq!(
        api.with_key(VIEWER)
            .patch(&path, json!({"machineType": "basic"}))
            .await
            .status,
        403
    );
    assert_eq!(
        api.get(&path).await.body["machine"]["type"]["id"],
        json!("fjord")
    );
}

#[tokio::test]
async fn a_session_runs_the_notebook_and_answers_canned_outputs() {
    let (emu, api) = frozen_sample().await;
    let r = api
        .post("/v2/sessions", json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": {"region": "APAC"}, "storageMode": "readonly"}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let session = r.body["session"]["id"].as_str().unwrap().to_string();
    let run = r.body["run"]["runId"].as_str().unwrap().to_string();
    assert!(r.body["session"]["sessionNotebookId"].is_string());
    emu.advance_clock(Duration::from_secs(5));
    assert_eq!(api.status(&run).await, "success");
    assert_eq!(
        emu.run_record(&run).unwrap().inputs["region"],
        json!("APAC")
    );

    let exec = format!("/v2/sessions/{session}/execute");
    let out = api
        .post(
            &exec,
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": "print('hi')"}),
        )
        .await;
    assert_eq!(out.status, 200, "{:?}", out.body);
    assert_eq!(out.body["outputs"][0]["text"], json!("hi\n"));
    let again = api
        .post(
            &exec,
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": "print('hi')"}),
        )
        .await;
    assert_eq!(
        again.body["outputs"], out.body["outputs"],
        "the same code answers the same"
    );
    let err = api
        .post(
            &exec,
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": "raise KeyError('k')"}),
        )
        .await;
    assert_eq!(
        (err.status, err.body["outputs"][0]["ename"].clone()),
        (200, json!("KeyError"))
    );
    assert_eq!(
        api.post_unjudged(&exec, json!({"notebookId": SAMPLE_PROJECT_ID, "code": "1"}))
            .await,
        400
    );
    assert_eq!(
        api.with_key(VIEWER)
            .post_unjudged(
                &exec,
                json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": "1"})
            )
            .await,
        403
    );
    // Sessions check inputs as runs do.
    let bad = api
        .post(
            "/v2/sessions",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": {"nope": "x"}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        api.post(
            "/v2/sessions",
            json!({"notebookId": "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11"})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn search_finds_projects_notebooks_blocks_and_integrations() {
    let (_emu, api) = frozen_sample().await;
    let r = api.get("/v2/search?q=sales").await;
    assert_eq!(r.status, 200);
    let res = &r.body["results"];
    assert!(names(&res["projects"]).contains(&"Sales analysis".to_string()));
    assert!(
        res["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == "b-top"),
        "SQL mentioning sales"
    );
    assert_eq!(names(&res["integrations"]), ["Sales warehouse"]);
    let nb = api.get("/v2/search?q=quarterly&types=notebooks").await;
    let keys: Vec<&String> = nb.body["results"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["notebooks"]);
    assert_eq!(
        names(&nb.body["results"]["notebooks"]),
        ["Quarterly report"]
    );
    // A new block's content is found.
    api.post(
        "/v2/blocks",
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code", "content": "zebra_count = 3"}),
    )
    .await;
    let z = api.get("/v2/search?q=ZEBRA&types=blocks").await;
    assert_eq!(z.body["results"]["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/v2/search").await.status, 400);
    assert_eq!(api.get("/v2/search?q=x&types=widgets").await.status, 400);
    // Another workspace finds nothing of the sample.
    let other = api.with_key(ADMIN).get("/v2/search?q=sales").await;
    assert_eq!(other.body["results"]["projects"], json!([]));
}

#[tokio::test]
async fn faults_apply_to_the_live_only_operations() {
    let (emu, api) = frozen_sample().await;
    let before = emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap();
    emu.set_faults(deepnote_emulator::Faults {
        error_rate: 1.0,
        ..deepnote_emulator::Faults::default()
    });
    for path in ["/v2/blocks", "/v2/sessions", "/v2/schedules"] {
        let status = api
            .post_unjudged(
                path,
                json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code", "cron": "0 9 * * *"}),
            )
            .await;
        assert!(status >= 500, "{path}: {status}");
    }
    let journal = emu.journal();
    assert!(
        journal
            .iter()
            .rev()
            .take(3)
            .all(|e| e.fault.is_some() && !e.applied)
    );
    emu.set_faults(deepnote_emulator::Faults::none());
    assert_eq!(
        emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap(),
        before,
        "nothing was applied"
    );
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(list.body["schedules"], json!([]));
}
