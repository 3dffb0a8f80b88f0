//! Live-dialect block editing and notebook renames; every answer is validated against
//! `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{BlockRecord, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use serde_json::{Value, json};

async fn sample() -> (deepnote_emulator::Emulator, Api) {
    let emu = live_builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    (emu, api)
}

fn block_ids(notebook: &Value) -> Vec<String> {
    notebook["notebook"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn add_input_block_shows_in_the_notebook_and_its_inputs_are_checked() {
    let (emu, api) = sample().await;
    let id = emu
        .add_input_block(SAMPLE_NOTEBOOK_ID, "year", "input-text", json!("2026"))
        .expect("the sample notebook exists");
    assert!(
        emu.add_input_block("no-such-notebook", "x", "input-text", json!(""))
            .is_none()
    );
    let nb = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(block_ids(&nb.body).last(), Some(&id));
    let input = nb.body["notebook"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "year")
        .expect("the new input is listed")
        .clone();
    assert_eq!(
        (input["value"].clone(), input["blockId"].clone()),
        (json!("2026"), json!(id))
    );
    // A run may now set it, and a non-string value is refused as for any text input.
    let ok = api
        .post(
            "/v2/runs",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": {"year": "2027"}}),
        )
        .await;
    assert_eq!(ok.status, 202, "{:?}", ok.body);
    let bad = api
        .post(
            "/v2/runs",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": {"year": 2027}}),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    // add_block replaces a block with the same id.
    let mut b = BlockRecord::new(id.clone(), "code", "print(2)");
    b.output = Some("2".into());
    assert!(emu.add_block(SAMPLE_NOTEBOOK_ID, b));
    let rec = emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap();
    assert_eq!(rec.blocks.iter().filter(|b| b.id == id).count(), 1);
    assert_eq!(rec.blocks.last().unwrap().content, "print(2)");
}

#[tokio::test]
async fn add_input_block_takes_short_kinds_on_api_created_notebooks() {
    let (emu, api) = sample().await;
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    let run = |inputs: Value| api.post("/v2/runs", json!({"notebookId": nb, "inputs": inputs}));
    assert_eq!(
        run(json!({"threshold": "7"})).await.status,
        400,
        "not defined yet"
    );
    let id = emu
        .add_input_block(&nb, "threshold", "slider", json!("5"))
        .unwrap();
    let rec = emu.notebook_record(&nb).unwrap();
    assert_eq!(
        (rec.blocks[0].id.as_str(), rec.blocks[0].kind.as_str()),
        (id.as_str(), "input-slider")
    );
    assert_eq!(run(json!({"threshold": "7"})).await.status, 202);
    assert_eq!(
        run(json!({"threshold": "many"})).await.status,
        400,
        "a slider takes numbers"
    );
    emu.add_input_block(&nb, "flag", "input-checkbox", json!(false))
        .unwrap();
    assert_eq!(run(json!({"flag": true})).await.status, 202);
}

#[tokio::test]
async fn blocks_are_created_read_updated_and_deleted() {
    let (_emu, api) = sample().await;
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    let first = api
        .post(
            "/v2/blocks",
            json!({"notebookId": nb, "type": "code", "content": "x = 1"}),
        )
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let first_id = first.body["block"]["id"].as_str().unwrap().to_string();
    assert_eq!(first.body["block"]["notebookId"], json!(nb));
    assert!(first.body.get("notebookBlockIds").is_none());
    let second = api
        .post(
            "/v2/blocks",
            json!({"notebookId": nb, "type": "markdown", "content": "# Title", "position": 0,
                   "includeNotebookBlockIds": true}),
        )
        .await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    let second_id = second.body["block"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        second.body["notebookBlockIds"],
        json!([second_id, first_id])
    );

    let got = api.get(&format!("/v2/blocks/{first_id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        (
            got.body["block"]["content"].clone(),
            got.body["block"]["version"].clone()
        ),
        (json!("x = 1"), json!(0))
    );

    let upd = api
        .patch(
            &format!("/v2/blocks/{first_id}"),
            json!({"content": "x = 2"}),
        )
        .await;
    assert_eq!(upd.status, 200, "{:?}", upd.body);
    assert_eq!(upd.body["block"]["version"], json!(1));
    let notebook = api.get(&format!("/v2/notebooks/{nb}")).await;
    assert_eq!(
        notebook.body["notebook"]["blocks"][1]["content"],
        json!("x = 2")
    );
    let empty = api
        .patch(&format!("/v2/blocks/{first_id}"), json!({}))
        .await;
    assert_eq!(empty.status, 400);

    assert_eq!(
        api.delete(&format!("/v2/blocks/{second_id}")).await.status,
        204
    );
    assert_eq!(
        api.get(&format!("/v2/blocks/{second_id}")).await.status,
        404
    );
    assert_eq!(
        block_ids(&api.get(&format!("/v2/notebooks/{nb}")).await.body),
        vec![first_id]
    );
}

#[tokio::test]
async fn block_creation_refuses_bad_input_and_changes_nothing() {
    let (emu, api) = sample().await;
    let before = emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap();
    for body in [
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "spreadsheet"}),
        json!({"notebookId": SAMPLE_NOTEBOOK_ID}),
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code", "position": -1}),
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "sql", "integrationId": "nope"}),
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "sql", "metadata": {"sql_integration_id": "x"}}),
    ] {
        let r = api.post("/v2/blocks", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {:?}", r.body);
    }
    let missing = api
        .post(
            "/v2/blocks",
            json!({"notebookId": "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11", "type": "code"}),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap(), before);
}

#[tokio::test]
async fn blocks_follow_access_levels_and_workspaces() {
    let emu = live_builder().start().await.unwrap();
    let admin = Api::new(&emu, ADMIN);
    let project = admin.project("p").await;
    let nb = admin.notebook(&project).await;
    let b = admin
        .post("/v2/blocks", json!({"notebookId": nb, "type": "code"}))
        .await;
    let id = b.body["block"]["id"].as_str().unwrap().to_string();
    let viewer = admin.with_key(VIEWER);
    assert_eq!(viewer.get(&format!("/v2/blocks/{id}")).await.status, 200);
    assert_eq!(
        viewer
            .post("/v2/blocks", json!({"notebookId": nb, "type": "code"}))
            .await
            .status,
        403
    );
    assert_eq!(
        viewer
            .patch(&format!("/v2/blocks/{id}"), json!({"content": "y"}))
            .await
            .status,
        403
    );
    assert_eq!(viewer.delete(&format!("/v2/blocks/{id}")).await.status, 403);
    assert_eq!(
        admin
            .with_key(GUEST)
            .get(&format!("/v2/blocks/{id}"))
            .await
            .status,
        403
    );
    let other = admin.with_key(OTHER);
    assert_eq!(other.get(&format!("/v2/blocks/{id}")).await.status, 404);
    assert_eq!(other.delete(&format!("/v2/blocks/{id}")).await.status, 404);
    assert_eq!(
        other
            .post("/v2/blocks", json!({"notebookId": nb, "type": "code"}))
            .await
            .status,
        404
    );
    assert_eq!(admin.get(&format!("/v2/blocks/{id}")).await.status, 200);
}

#[tokio::test]
async fn reorder_moves_a_group() {
    let (emu, api) = sample().await;
    let before: Vec<String> = emu
        .notebook_record(SAMPLE_NOTEBOOK_ID)
        .unwrap()
        .blocks
        .iter()
        .map(|b| b.id.clone())
        .collect();
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/reorder-blocks");
    let last = before.last().unwrap().clone();
    let r = api
        .post(
            &path,
            json!({"blockIds": [last], "placement": {"type": "after", "blockId": before[0]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut expected = before.clone();
    let moved = expected.pop().unwrap();
    expected.insert(1, moved);
    assert_eq!(r.body["blockIds"], json!(expected));
    assert_eq!(
        block_ids(
            &api.get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
                .await
                .body
        ),
        expected
    );
    for bad in [
        json!({"blockIds": [], "placement": {"type": "start"}}),
        json!({"blockIds": ["nope"], "placement": {"type": "start"}}),
        json!({"blockIds": [before[0]], "placement": {"type": "after"}}),
        json!({"blockIds": [before[0]], "placement": {"type": "middle"}}),
    ] {
        assert_eq!(api.post(&path, bad.clone()).await.status, 400, "{bad}");
    }
    assert_eq!(
        api.with_key(VIEWER)
            .post(
                &path,
                json!({"blockIds": [before[0]], "placement": {"type": "end"}})
            )
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_created_block_is_in_the_run_snapshot() {
    let (emu, api) = sample().await;
    let r = api
        .post("/v2/blocks", json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code", "content": "print('new block')"}))
        .await;
    let id = r.body["block"]["id"].as_str().unwrap().to_string();
    let run = api.run(SAMPLE_NOTEBOOK_ID).await;
    emu.advance_clock(std::time::Duration::from_secs(5));
    let got = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    let content = got.body["run"]["snapshotContent"]
        .as_str()
        .expect("inline snapshot");
    assert!(content.contains(&id), "the snapshot has the new block");
    assert!(content.contains("print('new block')"));
}

#[tokio::test]
async fn rename_follows_the_409_rules() {
    let (emu, api) = sample().await;
    let nb2 = api.notebook(SAMPLE_PROJECT_ID).await;
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}");
    let r = api.patch(&path, json!({"name": "Q3 report"})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        api.get(&path).await.body["notebook"]["name"],
        json!("Q3 report")
    );
    // Its own name again is no conflict; another notebook's is.
    assert_eq!(
        api.patch(&path, json!({"name": "Q3 report"})).await.status,
        200
    );
    assert_eq!(
        api.patch(
            &format!("/v2/notebooks/{nb2}"),
            json!({"name": "Q3 report"})
        )
        .await
        .status,
        409
    );
    assert_eq!(api.patch(&path, json!({"name": ""})).await.status, 400);
    assert_eq!(
        api.with_key(VIEWER)
            .patch(&path, json!({"name": "x"}))
            .await
            .status,
        403
    );
    emu.suspend_project(SAMPLE_PROJECT_ID, true);
    assert_eq!(api.patch(&path, json!({"name": "Other"})).await.status, 409);
    emu.suspend_project(SAMPLE_PROJECT_ID, false);
    emu.set_project_type(SAMPLE_PROJECT_ID, "notebook");
    assert_eq!(api.patch(&path, json!({"name": "Other"})).await.status, 409);
}

#[tokio::test]
async fn the_spec_dialect_has_no_block_operations() {
    let emu = builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let r = api
        .post(
            "/v2/blocks",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code"}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(api.get("/v2/blocks/b-intro").await.status, 404);
}

#[tokio::test]
async fn blocks_renames_and_machines_persist() {
    let dir = tempfile::tempdir().unwrap();
    let start = || live_builder().seed_sample().data_dir(dir.path()).start();
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let b = api
        .post(
            "/v2/blocks",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "type": "code", "content": "kept = True"}),
        )
        .await;
    let id = b.body["block"]["id"].as_str().unwrap().to_string();
    api.patch(
        &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"),
        json!({"name": "Renamed"}),
    )
    .await;
    api.patch(
        &format!("/v2/projects/{SAMPLE_PROJECT_ID}/machine"),
        json!({"machineType": "fjord"}),
    )
    .await;
    let export = api
        .get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/export"))
        .await
        .bytes;
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let got = api.get(&format!("/v2/blocks/{id}")).await;
    assert_eq!(got.body["block"]["content"], json!("kept = True"));
    let nb = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(nb.body["notebook"]["name"], json!("Renamed"));
    let m = api
        .get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/machine"))
        .await;
    assert_eq!(m.body["machine"]["type"]["id"], json!("fjord"));
    // modifiedAt survives too: the export is the same bytes.
    assert_eq!(
        api.get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/export"))
            .await
            .bytes,
        export
    );
}

#[tokio::test]
async fn an_input_block_created_through_the_api_is_an_input_of_the_notebook() {
    let (_emu, api) = sample().await;
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    let r = api
        .post(
            "/v2/blocks",
            json!({"notebookId": nb, "type": "input-select", "metadata": {
                "deepnote_variable_name": "country",
                "deepnote_variable_value": "CZ",
                "deepnote_variable_options": ["CZ", "DE"],
            }}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let got = api.get(&format!("/v2/notebooks/{nb}")).await;
    let input = &got.body["notebook"]["inputs"][0];
    assert_eq!(
        (input["name"].clone(), input["value"].clone()),
        (json!("country"), json!("CZ"))
    );
    assert_eq!(input["blockId"], r.body["block"]["id"]);
    let run = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "inputs": {"country": "DE"}}),
        )
        .await;
    assert_eq!(run.status, 202, "{:?}", run.body);
}
