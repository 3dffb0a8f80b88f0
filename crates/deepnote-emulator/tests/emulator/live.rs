//! The live dialect: the emulator answers as the live Deepnote service does (every answer is
//! validated against `openapi/live.yml` by the shared client).

use crate::common;

use common::*;
use deepnote_emulator::{
    Behaviour, LIVE_PROJECTS_PAGE_SIZE, Outcome, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID,
};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const MISSING: &str = "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11";

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("snapshot is YAML")
}

async fn run_count(api: &Api) -> u64 {
    api.emulator_state().await["runs"].as_u64().unwrap()
}

#[tokio::test]
async fn live_is_the_default_dialect() {
    let emu = deepnote_emulator::Emulator::builder()
        .start()
        .await
        .unwrap();
    assert_eq!(emu.dialect(), Dialect::Live);
    assert_eq!(
        deepnote_emulator::EmulatorConfig::default().dialect,
        Dialect::Live
    );
    assert_eq!("spec".parse::<Dialect>(), Ok(Dialect::Spec));
    assert!("both".parse::<Dialect>().is_err());
}

#[tokio::test]
async fn creates_answer_201_and_projects_come_in_an_envelope() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let r = api.post("/v2/projects", json!({"name": "P"})).await;
    assert_eq!(r.status, 201);
    let project = r.body["project"]["id"].as_str().unwrap().to_string();
    assert!(r.body.get("id").is_none(), "not flat: {}", r.body);
    let seeded = r.body["project"]["notebooks"].as_array().unwrap();
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0]["name"], "Notebook 1");
    let placeholder = seeded[0]["id"].as_str().unwrap().to_string();

    let r = api
        .post(
            "/v2/notebooks",
            json!({"projectId": project, "name": "Second"}),
        )
        .await;
    assert_eq!(r.status, 201);
    let second = r.body["notebook"]["id"].as_str().unwrap().to_string();

    let r = api.get(&format!("/v2/projects/{project}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["project"]["id"], project.as_str());
    assert_eq!(r.body["project"]["files"], json!([]));
    let ids: Vec<&str> = r.body["project"]["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [placeholder.as_str(), second.as_str()]);

    // Listings carry the notebooks too: the only way the API names notebook ids.
    let r = api.get("/v2/projects").await;
    assert_eq!(
        r.body["projects"][0]["notebooks"].as_array().unwrap().len(),
        2
    );
    assert!(r.body["projects"][0]["createdAt"].is_string());

    assert_eq!(
        api.delete(&format!("/v2/notebooks/{second}")).await.status,
        204
    );
    assert_eq!(
        api.delete(&format!("/v2/projects/{project}")).await.status,
        204
    );
    assert_eq!(
        api.get(&format!("/v2/projects/{project}")).await.status,
        404
    );
}

#[tokio::test]
async fn the_live_create_body_has_no_project_type() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    for t in [json!("agent"), json!("quantum"), json!(7)] {
        let r = api
            .post("/v2/projects", json!({"name": "P", "projectType": t}))
            .await;
        assert_eq!(r.status, 201, "{t}");
        assert_eq!(r.body["project"]["projectType"], "standard");
    }
}

#[tokio::test]
async fn notebook_names_are_unique_and_closed_projects_take_none() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let create = |name: Option<&str>| {
        let mut body = json!({"projectId": project});
        if let Some(n) = name {
            body["name"] = json!(n);
        }
        let api = api.clone();
        async move { api.post("/v2/notebooks", body).await }
    };
    assert_eq!(create(Some("Report")).await.status, 201);
    let r = create(Some("Report")).await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("already exists"), "{}", r.message());
    // Case-sensitive, and the placeholder's name is taken too.
    assert_eq!(create(Some("report")).await.status, 201);
    assert_eq!(create(Some("Notebook 1")).await.status, 409);
    // Without a name: the first free default.
    let a = create(None).await;
    let b = create(None).await;
    assert_eq!(a.body["notebook"]["name"], "Untitled notebook");
    assert_eq!(b.body["notebook"]["name"], "Untitled notebook 2");

    for kind in ["notebook", "agent"] {
        assert!(emu.set_project_type(&project, kind));
        let r = create(Some("Another")).await;
        assert_eq!(r.status, 409, "{kind}");
        assert!(r.message().contains(kind), "{}", r.message());
    }
    assert!(emu.set_project_type(&project, "standard"));
    assert_eq!(create(Some("Another")).await.status, 201);
    assert!(!emu.set_project_type(MISSING, "notebook"));
    let r = api.get("/v2/projects").await;
    assert_eq!(r.body["projects"][0]["projectType"], "standard");
}

#[tokio::test]
async fn get_notebook_lists_blocks_and_inputs() {
    let (_emu, api) = frozen_sample().await;
    let r = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(r.status, 200);
    let nb = &r.body["notebook"];
    let blocks = nb["blocks"].as_array().unwrap();
    assert!(blocks.iter().all(|b| b.as_object().unwrap().len() == 3));
    let kinds: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "markdown",
            "input-text",
            "input-slider",
            "input-checkbox",
            "code",
            "sql",
            "code"
        ]
    );
    let inputs = nb["inputs"].as_array().unwrap();
    let names: Vec<&str> = inputs.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["region", "limit", "include_returns"]);
    assert_eq!(inputs[0]["value"], "EMEA");
    assert_eq!(inputs[0]["label"], "Region");
    assert_eq!(inputs[0]["blockId"], "b-region");
    assert_eq!(inputs[1]["type"], "input-slider");
    assert_eq!(inputs[1]["value"], "10");
    assert_eq!(
        (inputs[1]["min"].clone(), inputs[1]["max"].clone()),
        (json!(1), json!(100))
    );
    assert_eq!(inputs[1]["step"], 1);
    assert_eq!(inputs[2]["value"], false);
    // A notebook without input blocks lists none; opaque ids that name nothing are 404.
    let r = api
        .get("/v2/notebooks/00000000-5a3e-4000-8000-000000000202")
        .await;
    assert!(r.body["notebook"].get("inputs").is_none());
    assert_eq!(r.body["notebook"]["blocks"], json!([]));
    assert_eq!(api.get("/v2/notebooks/not-a-uuid").await.status, 404);
    assert_eq!(api.get("/v2/notebooks/not-a-uuid/runs").await.status, 404);
    assert_eq!(api.delete("/v2/notebooks/not-a-uuid").await.status, 404);
}

#[tokio::test]
async fn run_requests_follow_the_services_rules() {
    let (emu, api) = frozen_sample().await;
    let nb = SAMPLE_NOTEBOOK_ID;
    // Detached unless told otherwise.
    let r = api.post("/v2/runs", json!({"notebookId": nb})).await;
    assert_eq!(r.status, 202);
    assert!(
        emu.run_record(r.body["runId"].as_str().unwrap())
            .unwrap()
            .detached
    );
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "detached": false, "blockIds": ["b-load", "b-top"]}),
        )
        .await;
    assert_eq!(r.status, 202);
    let rec = emu.run_record(r.body["runId"].as_str().unwrap()).unwrap();
    assert!(!rec.detached);
    assert_eq!(rec.block_ids.unwrap(), ["b-load", "b-top"]);
    // What the official CLI sends for a full run.
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "detached": true, "detachedRunStorageMode": "readonly"}),
        )
        .await;
    assert_eq!(r.status, 202);

    let before = run_count(&api).await;
    for (body, message) in [
        (
            json!({"notebookId": nb, "blockIds": ["b-load"]}),
            "blockIds is not supported for detached runs",
        ),
        (
            json!({"notebookId": nb, "detached": true, "blockIds": ["b-load"]}),
            "blockIds is not supported for detached runs",
        ),
        (
            json!({"notebookId": nb, "detached": false, "blockIds": []}),
            "blockIds must not be empty",
        ),
        (
            json!({"notebookId": nb, "detached": false, "blockIds": ["b-nope"]}),
            "Block not found in notebook",
        ),
        (json!({"notebookId": MISSING}), "Notebook not found"),
        (json!({"notebookId": "nb-1"}), "Notebook not found"),
    ] {
        let r = api.post("/v2/runs", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.message(), message, "{body}");
    }
    for (body, needle) in [
        (
            json!({"notebookId": nb, "detached": false, "blockIds": ["b-load", "b-load"]}),
            "\"b-load\" is repeated",
        ),
        (
            json!({"notebookId": nb, "detached": false, "blockIds": ["b-load"],
                   "detachedRunStorageMode": "readonly"}),
            "detachedRunStorageMode",
        ),
        (json!({"notebookId": nb, "detached": "yes"}), "invalid type"),
    ] {
        let r = api.post("/v2/runs", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.message().contains(needle), "{body}: {}", r.message());
    }
    // Another workspace's notebook is missing too.
    let other = api.with_key(OTHER);
    emu.add_key(
        deepnote_emulator::KeySpec::new(OTHER)
            .workspace("ws-2")
            .access(deepnote_emulator::Role::Admin),
    );
    let r = other.post("/v2/runs", json!({"notebookId": nb})).await;
    assert_eq!((r.status, r.message()), (400, "Notebook not found"));
    assert_eq!(run_count(&api).await, before);
}

#[tokio::test]
async fn inputs_are_checked_against_the_notebooks_input_blocks() {
    let (emu, api) = frozen_sample().await;
    let run = |inputs: Value| {
        let api = api.clone();
        async move {
            api.post(
                "/v2/runs",
                json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": inputs}),
            )
            .await
        }
    };
    // What the SDK's quick start sends.
    let r = run(json!({"region": "EMEA"})).await;
    assert_eq!(r.status, 202);
    let r = run(json!({"region": "APAC", "limit": "25", "include_returns": true})).await;
    assert_eq!(r.status, 202);
    let rec = emu.run_record(r.body["runId"].as_str().unwrap()).unwrap();
    assert_eq!(rec.inputs["limit"], "25");

    let before = run_count(&api).await;
    let r = run(json!({"x": "1"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.message(), "Input \"x\" is not defined for this notebook");
    for (inputs, name) in [
        (json!({"limit": 10}), "limit"),
        (json!({"limit": "ten"}), "limit"),
        (json!({"include_returns": "true"}), "include_returns"),
        (json!({"region": ["EMEA"]}), "region"),
        (json!({"region": null}), "region"),
        (json!({"region": 1.5}), "region"),
    ] {
        let r = run(inputs.clone()).await;
        assert_eq!(r.status, 400, "{inputs}");
        assert!(
            r.message().contains(&format!("\"{name}\"")),
            "{inputs}: {}",
            r.message()
        );
    }
    assert_eq!(run_count(&api).await, before);
}

#[tokio::test]
async fn runs_carry_completed_at_and_the_snapshot_flat() {
    let (emu, api) = frozen_sample().await;
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "inputs": {"region": "LATAM"}}),
        )
        .await;
    assert_eq!(r.status, 202);
    let run = r.body["runId"].as_str().unwrap().to_string();
    let get = |q: &'static str| {
        let api = api.clone();
        let run = run.clone();
        async move { api.get(&format!("/v2/runs/{run}{q}")).await.body["run"].clone() }
    };
    let v = get("?snapshotDelivery=inline").await;
    assert_eq!(v["status"], "pending");
    assert_eq!(v["completedAt"], Value::Null);
    assert_eq!(v["snapshotContent"], Value::Null);
    assert_eq!(v["snapshotDownloadUrl"], Value::Null);
    assert!(v.get("finishedAt").is_none() && v.get("snapshot").is_none());
    assert_eq!(v["projectId"], SAMPLE_PROJECT_ID);

    emu.advance_clock(Duration::from_millis(500));
    let v = get("?snapshotDelivery=inline").await;
    assert_eq!(v["status"], "success");
    let completed = v["completedAt"].as_str().unwrap();
    assert!(completed.ends_with('Z'), "{completed}");
    assert_eq!(v["snapshotDownloadUrl"], Value::Null);
    let doc = yaml(v["snapshotContent"].as_str().unwrap());
    assert_eq!(doc["execution"]["inputs"]["region"], "LATAM");
    assert!(v.get("error").is_none(), "a success has no error");

    let v = get("").await;
    assert_eq!(v["snapshotContent"], Value::Null);
    let url = v["snapshotDownloadUrl"].as_str().unwrap();
    let text = api
        .http
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(yaml(&text), doc);

    // Lists show the same run, with completedAt and a full pagination.
    let r = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/runs"))
        .await;
    assert_eq!(r.body["runs"][0]["runId"], run.as_str());
    assert_eq!(r.body["runs"][0]["completedAt"], completed);
    assert!(r.body["runs"][0].get("snapshotContent").is_none());
}

#[tokio::test]
async fn snapshot_content_is_empty_for_a_moment_after_the_end() {
    let emu = live_builder()
        .seed_sample()
        .freeze_clock()
        .snapshot_delay(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let run = api.run(SAMPLE_NOTEBOOK_ID).await;
    emu.advance_clock(Duration::from_millis(500));
    let inline = format!("/v2/runs/{run}?snapshotDelivery=inline");
    let v = api.get(&inline).await.body["run"].clone();
    assert_eq!(v["status"], "success");
    assert_eq!(v["snapshotContent"], "");
    assert_eq!(v["snapshotDownloadUrl"], Value::Null);
    let v = api.get(&format!("/v2/runs/{run}")).await.body["run"].clone();
    assert_eq!(v["snapshotContent"], Value::Null);
    assert_eq!(v["snapshotDownloadUrl"], Value::Null);
    emu.advance_clock(Duration::from_millis(1999));
    assert_eq!(api.get(&inline).await.body["run"]["snapshotContent"], "");
    emu.advance_clock(Duration::from_millis(1));
    let v = api.get(&inline).await.body["run"].clone();
    assert!(yaml(v["snapshotContent"].as_str().unwrap())["project"].is_object());
}

#[tokio::test]
async fn a_failed_runs_error_is_null_unless_the_behaviour_reports_it() {
    let (emu, api) = frozen_sample().await;
    let nb = SAMPLE_NOTEBOOK_ID;
    let fail = Behaviour::new(Duration::from_secs(1), Outcome::Error)
        .message("ZeroDivisionError: division by zero");
    for (behaviour, error) in [
        (fail.clone(), Value::Null),
        (
            fail.clone().report_error(true),
            json!("ZeroDivisionError: division by zero"),
        ),
        (
            Behaviour::new(Duration::from_secs(1), Outcome::InternalError).message("machine lost"),
            Value::Null,
        ),
        (
            Behaviour::new(Duration::from_secs(1), Outcome::InternalError)
                .message("machine lost")
                .report_error(true),
            json!({"message": "machine lost"}),
        ),
    ] {
        emu.set_behaviour(nb, behaviour);
        let run = api.run(nb).await;
        emu.advance_clock(Duration::from_secs(1));
        let v = api
            .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
            .await
            .body["run"]
            .clone();
        assert_eq!(v.get("error"), Some(&error), "{v}");
        let doc = yaml(v["snapshotContent"].as_str().unwrap());
        assert!(doc["execution"]["error"].is_object());
    }
    // The spec dialect reports it unless told not to, and then leaves the field out.
    let (emu, api, _project, nb) = editor_notebook(builder()).await;
    emu.set_behaviour(&nb, fail.clone().report_error(false));
    let run = api.run(&nb).await;
    emu.advance_clock(Duration::from_secs(1));
    let v = api.get(&format!("/v2/runs/{run}")).await.body["run"].clone();
    assert_eq!(v["status"], "error");
    assert!(v.get("error").is_none(), "{v}");
}

#[tokio::test]
async fn alternate_shapes_on_every_answer() {
    let emu = live_builder()
        .seed_sample()
        .freeze_clock()
        .alternate_shapes(1.0)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu, emu.sample_key()).with_alternates();
    let r = api
        .post("/v2/runs", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
        .await;
    assert_eq!(r.status, 202);
    assert!(r.body.get("runId").is_none());
    let run = r.body["run"]["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["run"]["status"], "pending");
    assert!(r.body["run"]["createdAt"].is_string());
    emu.advance_clock(Duration::from_millis(500));
    let v = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await
        .body["run"]
        .clone();
    assert_eq!(v["id"], run.as_str());
    assert!(v.get("runId").is_none());
    assert!(v.get("snapshotContent").is_none());
    assert!(yaml(v["snapshot"]["snapshotContent"].as_str().unwrap())["project"].is_object());
    let v = api.get(&format!("/v2/runs/{run}")).await.body["run"].clone();
    assert!(
        v["snapshot"]["downloadUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
    assert!(v.get("snapshotDownloadUrl").is_none());
    // The out-of-range share is a configuration error.
    let e = live_builder()
        .alternate_shapes(1.5)
        .start()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("alternate_shapes"), "{e}");
}

#[tokio::test]
async fn alternate_shapes_on_a_share_are_reproducible_with_the_id_seed() {
    let mut seen = Vec::new();
    for _ in 0..2 {
        let emu = live_builder()
            .seed_sample()
            .id_seed(3)
            .alternate_shapes(0.5)
            .start()
            .await
            .unwrap();
        let api = Api::new(&emu, emu.sample_key()).with_alternates();
        let mut shapes = Vec::new();
        for _ in 0..40 {
            let r = api
                .post("/v2/runs", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
                .await;
            shapes.push(r.body.get("run").is_some());
        }
        seen.push(shapes);
    }
    assert_eq!(seen[0], seen[1]);
    let nested = seen[0].iter().filter(|n| **n).count();
    assert!((8..=32).contains(&nested), "{nested} of 40");
    // Share 0 (the default) never does.
    let (_emu, api) = frozen_sample().await;
    for _ in 0..20 {
        let r = api
            .post("/v2/runs", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
            .await;
        assert!(r.body["runId"].is_string());
    }
}

#[tokio::test]
async fn pagination_is_always_there_with_a_null_token_on_the_last_page() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    for i in 0..LIVE_PROJECTS_PAGE_SIZE + 5 {
        api.project(&format!("P{i}")).await;
    }
    let r = api.get("/v2/projects").await;
    assert_eq!(
        r.body["projects"].as_array().unwrap().len(),
        LIVE_PROJECTS_PAGE_SIZE
    );
    assert_eq!(r.body["pagination"]["hasMore"], true);
    assert_eq!(r.body["pagination"]["pageSize"], LIVE_PROJECTS_PAGE_SIZE);
    let token = r.body["pagination"]["nextPageToken"].as_str().unwrap();
    let r = api.get(&format!("/v2/projects?pageToken={token}")).await;
    assert_eq!(r.body["projects"].as_array().unwrap().len(), 5);
    assert_eq!(
        r.body["pagination"],
        json!({"nextPageToken": null, "hasMore": false, "pageSize": 50})
    );
    let r = api.get("/v2/projects?pageSize=100").await;
    assert_eq!(r.body["projects"].as_array().unwrap().len(), 55);
    for q in ["pageSize=0", "pageSize=101", "pageToken=forged"] {
        assert_eq!(
            api.get(&format!("/v2/projects?{q}")).await.status,
            400,
            "{q}"
        );
    }

    let project = api.project("Runs").await;
    let nb = api.notebook(&project).await;
    let r = api.get(&format!("/v2/notebooks/{nb}/runs")).await;
    assert_eq!(
        r.body["pagination"],
        json!({"nextPageToken": null, "hasMore": false, "pageSize": 20})
    );
    for _ in 0..3 {
        api.run(&nb).await;
    }
    let r = api
        .get(&format!("/v2/notebooks/{nb}/runs?pageSize=2"))
        .await;
    assert_eq!(r.body["pagination"]["hasMore"], true);
    assert!(r.body["pagination"]["nextPageToken"].is_string());
}

#[tokio::test]
async fn the_v1_execute_answers_202_and_refuses_with_401() {
    let (_emu, api, project, nb) = editor_notebook(live_builder()).await;
    let r = api.execute_v1(&project, &nb).await;
    assert_eq!(r.status, 202);
    assert!(r.bytes.is_empty());
    // The legacy docs write notebook ids without dashes; running already: no effect, 202.
    let bare = nb.replace('-', "");
    let r = api.execute_v1(&project, &bare).await;
    assert_eq!(r.status, 202);
    let r = api.get(&format!("/v2/notebooks/{nb}/runs")).await;
    assert_eq!(r.body["runs"].as_array().unwrap().len(), 1);
    for path in [
        format!("/v1/projects/{MISSING}/notebooks/{nb}/execute"),
        format!("/v1/projects/{project}/notebooks/{MISSING}/execute"),
        "/v1/projects/x/notebooks/y/execute".to_string(),
    ] {
        let r = api.raw(Method::POST, &path, None).await;
        assert_eq!(r.status, 401, "{path}");
        assert!(!r.message().is_empty());
    }
    let r = api
        .with_key(VIEWER)
        .raw(
            Method::POST,
            &format!("/v1/projects/{project}/notebooks/{nb}/execute"),
            None,
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn suspension_and_me_in_the_live_dialect() {
    let (emu, api) = frozen_sample().await;
    let run = api.run(SAMPLE_NOTEBOOK_ID).await;
    assert!(emu.suspend_project(SAMPLE_PROJECT_ID, true));
    // The live reference documents no 409 on POST /runs: a project issue is a 400.
    let r = api
        .post("/v2/runs", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
        .await;
    assert_eq!((r.status, r.message()), (400, "Project is suspended"));
    assert_eq!(api.get(&format!("/v2/runs/{run}")).await.status, 409);
    let r = api.get("/v2/me").await;
    assert_eq!(r.body["workspace"]["slug"], "sample-workspace");
}

/// Deepnote's snapshot hash, recomputed from the document (see the snapshot module).
fn snapshot_hash(doc: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut lines = vec![
        format!("version:{}", doc["version"].as_str().unwrap()),
        format!("env:{}", doc["environment"]["hash"].as_str().unwrap()),
    ];
    for nb in doc["project"]["notebooks"].as_array().unwrap() {
        for b in nb["blocks"].as_array().unwrap() {
            if let Some(h) = b["contentHash"].as_str() {
                lines.push(format!("block:{}:{h}", b["id"].as_str().unwrap()));
            }
        }
    }
    let d = Sha256::digest(lines.join("\n").as_bytes());
    format!(
        "sha256:{}",
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

async fn snapshot_of(emu: &deepnote_emulator::Emulator, api: &Api, body: Value) -> Value {
    let r = api.post("/v2/runs", body).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let run = r.body["runId"].as_str().unwrap().to_string();
    emu.advance_clock(Duration::from_secs(60));
    let v = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await
        .body["run"]
        .clone();
    yaml(v["snapshotContent"].as_str().unwrap())
}

fn is_datetime_z(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[tokio::test]
async fn snapshots_are_deepnote_snapshot_documents() {
    let (emu, api) = frozen_sample().await;
    let doc = snapshot_of(
        &emu,
        &api,
        json!({"notebookId": SAMPLE_NOTEBOOK_ID,
               "inputs": {"region": "LATAM", "limit": "5", "include_returns": true}}),
    )
    .await;
    assert_eq!(doc["version"], "1.0.0");
    assert!(doc["metadata"]["createdAt"].is_string());
    assert!(is_datetime_z(&doc["metadata"]["modifiedAt"]));
    assert_eq!(doc["metadata"]["snapshotHash"], snapshot_hash(&doc));
    let env = &doc["environment"];
    assert!(env["hash"].as_str().unwrap().starts_with("sha256:"));
    assert!(env["packages"].is_object() && env["platform"].is_string());
    assert_eq!(env["python"]["environment"], "uv");
    let ex = &doc["execution"];
    assert!(is_datetime_z(&ex["startedAt"]) && is_datetime_z(&ex["finishedAt"]));
    assert_eq!(ex["triggeredBy"], "api");
    assert_eq!(
        ex["summary"],
        json!({"blocksExecuted": 6, "blocksFailed": 0, "blocksSucceeded": 6,
               "totalDurationMs": 400})
    );
    assert!(ex.get("error").is_none());

    let nb = &doc["project"]["notebooks"][0];
    assert_eq!(nb["id"], SAMPLE_NOTEBOOK_ID);
    let blocks = nb["blocks"].as_array().unwrap();
    let mut keys = Vec::new();
    for b in blocks {
        for field in ["id", "blockGroup", "sortingKey", "type", "content"] {
            assert!(b[field].is_string(), "{field} of {b}");
        }
        assert!(b["metadata"].is_object(), "{b}");
        if let Some(h) = b["contentHash"].as_str() {
            let hex = h.strip_prefix("sha256:").unwrap();
            assert!(hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()));
        }
        keys.push(b["sortingKey"].as_str().unwrap().to_string());
        if b["type"] != "markdown" {
            assert_eq!(b["executionCount"].as_u64().map(|_| ()), Some(()), "{b}");
            assert!(b["outputs"].is_array(), "{b}");
            assert!(is_datetime_z(&b["executionStartedAt"]), "{b}");
        } else {
            assert!(b.get("outputs").is_none());
        }
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorting keys order as the blocks");
    let by_id = |id: &str| blocks.iter().find(|b| b["id"] == id).unwrap();
    assert_eq!(
        by_id("b-region")["metadata"]["deepnote_variable_value"],
        "LATAM"
    );
    assert_eq!(by_id("b-limit")["metadata"]["deepnote_variable_value"], "5");
    assert_eq!(
        by_id("b-limit")["metadata"]["deepnote_slider_max_value"],
        100
    );
    assert_eq!(
        by_id("b-returns")["metadata"]["deepnote_variable_value"],
        true
    );
    let load = &by_id("b-load")["outputs"][0];
    assert_eq!(load["output_type"], "stream");
    assert_eq!(
        load["text"],
        "Loaded sales for LATAM (returns included: True)\n"
    );
    let top = &by_id("b-top")["outputs"][0];
    assert_eq!(top["output_type"], "execute_result");
    assert!(
        top["data"]["text/plain"]
            .as_str()
            .unwrap()
            .contains("top 5")
    );

    // Without inputs, the blocks' own values.
    let doc = snapshot_of(&emu, &api, json!({"notebookId": SAMPLE_NOTEBOOK_ID})).await;
    let blocks = doc["project"]["notebooks"][0]["blocks"].as_array().unwrap();
    let load = blocks.iter().find(|b| b["id"] == "b-load").unwrap();
    assert!(
        load["outputs"][0]["text"]
            .as_str()
            .unwrap()
            .contains("EMEA")
    );
}

#[tokio::test]
async fn a_failed_run_has_an_error_output_and_stops_there() {
    let (emu, api) = frozen_sample().await;
    emu.set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_secs(2), Outcome::Error)
            .message("NameError: name 'df' is not defined"),
    );
    let doc = snapshot_of(
        &emu,
        &api,
        json!({"notebookId": SAMPLE_NOTEBOOK_ID, "detached": false, "blockIds": ["b-region", "b-load"]}),
    )
    .await;
    let blocks = doc["project"]["notebooks"][0]["blocks"].as_array().unwrap();
    let by_id = |id: &str| blocks.iter().find(|b| b["id"] == id).unwrap();
    let err = &by_id("b-load")["outputs"][0];
    assert_eq!(err["output_type"], "error");
    assert_eq!(err["ename"], "NameError");
    assert_eq!(err["evalue"], "name 'df' is not defined");
    assert!(
        err["traceback"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string)
    );
    // Blocks the run did not select never ran.
    assert_eq!(by_id("b-top")["executionCount"], Value::Null);
    assert_eq!(by_id("b-top")["outputs"], json!([]));
    assert_eq!(by_id("b-region")["executionCount"], 1);
    let ex = &doc["execution"];
    assert_eq!(ex["summary"]["blocksExecuted"], 2);
    assert_eq!(ex["summary"]["blocksFailed"], 1);
    assert_eq!(ex["summary"]["blocksSucceeded"], 1);
    assert_eq!(ex["error"]["name"], "NameError");
    assert_eq!(ex["error"]["message"], "name 'df' is not defined");
}

#[tokio::test]
async fn the_binary_speaks_live_by_default_and_spec_on_request() {
    use tokio::io::AsyncBufReadExt;
    for (args, created, nested) in [
        (vec![], 201, false),
        (vec!["--dialect", "spec"], 200, false),
        (vec!["--alternate-shapes", "1"], 201, true),
    ] {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_deepnote-emulator"))
            .args(["--port", "0", "--seed", "sample"])
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let url = lines
            .next_line()
            .await
            .unwrap()
            .unwrap()
            .split_whitespace()
            .last()
            .unwrap()
            .to_string();
        let dialect = if created == 201 {
            Dialect::Live
        } else {
            Dialect::Spec
        };
        let dialect_line = lines.next_line().await.unwrap().unwrap();
        assert_eq!(dialect_line, format!("dialect: {dialect}"));
        let api = Api::at_in(dialect, &url, Some(deepnote_emulator::SAMPLE_KEY)).with_alternates();
        assert_eq!(
            api.post("/v2/projects", json!({"name": "P"})).await.status,
            created
        );
        let r = api
            .post("/v2/runs", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
            .await;
        assert_eq!(r.body.get("run").is_some(), nested, "{args:?}: {}", r.body);
        child.start_kill().unwrap();
        let _ = child.wait().await;
    }
}

#[tokio::test]
async fn explicit_nulls_and_non_uuid_folders_are_refused() {
    let (_emu, api) = frozen_sample().await;
    let before = api.emulator_state().await;
    for (path, body, needle) in [
        (
            "/v2/projects",
            json!({"name": "P", "folderId": "nope"}),
            "folderId",
        ),
        (
            "/v2/projects",
            json!({"name": "P", "folderId": null}),
            "`folderId` must not be null",
        ),
        (
            "/v2/projects",
            json!({"name": null}),
            "`name` must not be null",
        ),
        (
            "/v2/notebooks",
            json!({"projectId": SAMPLE_PROJECT_ID, "name": null}),
            "`name` must not be null",
        ),
        (
            "/v2/runs",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "blockIds": null}),
            "`blockIds` must not be null",
        ),
    ] {
        let r = api.post(path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.message().contains(needle), "{body}: {}", r.message());
    }
    assert_eq!(api.emulator_state().await["projects"], before["projects"]);
    assert_eq!(api.emulator_state().await["runs"], before["runs"]);
}

#[tokio::test]
async fn requests_for_operations_the_emulator_lacks_are_journaled() {
    let (emu, api) = frozen_sample().await;
    emu.clear_journal();
    // A path no reference has (`POST /v2/blocks`, used here before, is emulated now).
    let r = api
        .post("/v2/widgets", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
        .await;
    assert_eq!(r.status, 404);
    let r = api.raw(Method::PUT, "/v2/projects", None).await;
    assert_eq!(r.status, 405);
    let j = emu.journal();
    let seen: Vec<(&str, &str, u16)> = j
        .iter()
        .map(|e| (e.method.as_str(), e.path.as_str(), e.status))
        .collect();
    assert_eq!(
        seen,
        [("POST", "/v2/widgets", 404), ("PUT", "/v2/projects", 405)]
    );
    // The control API stays out of the journal.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .get(format!("{}/_emulator/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.journal().len(), 2);
}

#[tokio::test]
async fn a_project_keeps_at_least_one_notebook() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let r = api.post("/v2/projects", json!({"name": "P"})).await;
    let project = r.body["project"]["id"].as_str().unwrap().to_string();
    let placeholder = r.body["project"]["notebooks"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = api.delete(&format!("/v2/notebooks/{placeholder}")).await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("at least one"), "{}", r.message());
    // With one of its own, the placeholder can go (what Deepnote's client does after create).
    let ours = api.notebook(&project).await;
    assert_eq!(
        api.delete(&format!("/v2/notebooks/{placeholder}"))
            .await
            .status,
        204
    );
    assert_eq!(
        api.delete(&format!("/v2/notebooks/{ours}")).await.status,
        409
    );
    // Deleting the project takes its last notebook with it.
    assert_eq!(
        api.delete(&format!("/v2/projects/{project}")).await.status,
        204
    );
    assert_eq!(api.get(&format!("/v2/notebooks/{ours}")).await.status, 404);
}

#[tokio::test]
async fn suspended_projects_refuse_notebook_changes_as_the_live_reference_says() {
    let (emu, api) = frozen_sample().await;
    assert!(emu.suspend_project(SAMPLE_PROJECT_ID, true));
    let r = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!((r.status, r.message()), (400, "Project is suspended"));
    let r = api
        .post(
            "/v2/notebooks",
            json!({"projectId": SAMPLE_PROJECT_ID, "name": "New"}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = api
        .delete(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(r.status, 409);
    assert!(emu.suspend_project(SAMPLE_PROJECT_ID, false));
    assert_eq!(
        api.get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn projects_show_their_folder_in_the_live_shape() {
    let (_emu, api) = frozen_sample().await;
    let r = api.get("/v2/projects").await;
    let projects = r.body["projects"].as_array().unwrap();
    let sales = projects
        .iter()
        .find(|p| p["id"] == SAMPLE_PROJECT_ID)
        .unwrap();
    assert_eq!(sales["folder"]["name"], "Reports");
    assert_eq!(sales["folder"]["isPathComplete"], true);
    assert_eq!(sales["folder"]["path"][0]["id"], sales["folder"]["id"]);
    assert_eq!(sales["folderId"], sales["folder"]["id"]);
    let root = projects
        .iter()
        .find(|p| p["id"] != SAMPLE_PROJECT_ID)
        .unwrap();
    assert_eq!(root["folder"], Value::Null);
    let r = api.get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}")).await;
    assert_eq!(r.body["project"]["folder"]["name"], "Reports");
    // A folder known by its id alone: its path is not known to be complete.
    let f = "0b1f6a52-9d0e-4a7c-8f5e-3c2d1b0a9f8e";
    let r = api
        .post("/v2/projects", json!({"name": "Filed", "folderId": f}))
        .await;
    let id = r.body["project"]["id"].as_str().unwrap().to_string();
    let r = api.get(&format!("/v2/projects/{id}")).await;
    assert_eq!(r.body["project"]["folder"]["id"], f);
    assert_eq!(r.body["project"]["folder"]["isPathComplete"], false);
}

#[tokio::test]
async fn the_control_api_sets_report_error() {
    let (emu, api) = frozen_sample().await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .put(format!(
            "{}/_emulator/behaviours/{SAMPLE_NOTEBOOK_ID}",
            emu.base_url()
        ))
        .json(
            &json!({"durationMs": 500, "outcome": "error", "message": "boom", "reportError": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let run = api.run(SAMPLE_NOTEBOOK_ID).await;
    emu.advance_clock(Duration::from_millis(500));
    let v = api.get(&format!("/v2/runs/{run}")).await.body["run"].clone();
    assert_eq!(v["error"], "boom");
    assert_eq!(v["projectId"], SAMPLE_PROJECT_ID);
}
