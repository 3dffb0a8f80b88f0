//! Every API operation: happy paths, errors, auth, runs, snapshots and bad input. Every
//! answer passes through the spec validator in `common`.

use crate::common;

use common::*;
use deepnote_emulator::{Behaviour, Outcome};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn counts(api: &Api) -> (u64, u64, u64) {
    let s = api.emulator_state().await;
    (
        s["projects"].as_u64().unwrap(),
        s["notebooks"].as_u64().unwrap(),
        s["runs"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn me_reports_each_key() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    for (key, level, ws) in [
        (ADMIN, "admin", "ws-1"),
        (EDITOR, "editor", "ws-1"),
        (VIEWER, "viewer", "ws-1"),
        (RESTRICTED, "restricted_user", "ws-1"),
        (GUEST, "guest", "ws-1"),
        (OTHER, "admin", "ws-2"),
    ] {
        let r = api.with_key(key).get("/v2/me").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["accessLevel"], level);
        assert_eq!(r.body["workspace"]["id"], ws);
        assert!(
            !r.bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "/me leaks the key"
        );
    }
}

#[tokio::test]
async fn missing_or_wrong_key_is_401() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    for path in [
        "/v2/me",
        "/v2/projects",
        "/v2/runs/00000000-0000-4000-8000-000000000000",
    ] {
        assert_eq!(api.anonymous().get(path).await.status, 401);
        assert_eq!(api.with_key("nope").get(path).await.status, 401);
    }
    let r = api
        .http
        .get(format!("{}/v2/me", api.base))
        .header("authorization", format!("Basic {ADMIN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = api
        .anonymous()
        .post("/v2/projects", json!({"name": "x"}))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(counts(&api).await, (0, 0, 0));
}

#[tokio::test]
async fn project_create_get_delete() {
    let emu = emulator().await;
    let api = Api::new(&emu, EDITOR);
    let r = api
        .post(
            "/v2/projects",
            json!({"name": "Agent one", "projectType": "agent", "folderId": "f-1"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["name"], "Agent one");
    assert_eq!(r.body["projectType"], "agent");
    assert_eq!(r.body["folderId"], "f-1");
    let id = r.body["id"].as_str().unwrap().to_string();
    // Creating a project also creates its first, empty notebook.
    assert_eq!(counts(&api).await, (1, 1, 0));

    let r = api.get(&format!("/v2/projects/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], id.as_str());

    let plain = api.post("/v2/projects", json!({"name": "Plain"})).await;
    assert_eq!(plain.body["projectType"], "standard");
    assert!(plain.body.get("folderId").is_none());

    let r = api.delete(&format!("/v2/projects/{id}")).await;
    assert_eq!(r.status, 204);
    assert!(r.bytes.is_empty());
    assert_eq!(api.get(&format!("/v2/projects/{id}")).await.status, 404);
    assert_eq!(api.delete(&format!("/v2/projects/{id}")).await.status, 404);
    assert_eq!(counts(&api).await, (1, 1, 0));
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let unknown = "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11";
    for path in [
        format!("/v2/projects/{unknown}"),
        format!("/v2/notebooks/{unknown}"),
        format!("/v2/notebooks/{unknown}/runs"),
        format!("/v2/runs/{unknown}"),
    ] {
        let r = api.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.message().is_empty());
    }
    for path in [
        "/v2/projects/not-a-uuid",
        "/v2/notebooks/not-a-uuid",
        "/v2/notebooks/not-a-uuid/runs",
        "/v2/runs/not-a-uuid",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, 400, "{path}");
        assert!(r.message().contains("UUID"), "{}", r.message());
    }
    assert_eq!(api.delete("/v2/projects/123").await.status, 400);
}

#[tokio::test]
async fn notebooks_create_get_delete_cascade() {
    let emu = emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let r = api
        .post("/v2/notebooks", json!({"projectId": project}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["notebook"]["name"], "Untitled notebook");
    assert_eq!(r.body["notebook"]["projectId"], project.as_str());
    let nb = r.body["notebook"]["id"].as_str().unwrap().to_string();
    let r = api.get(&format!("/v2/notebooks/{nb}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["notebook"]["id"], nb.as_str());

    let run = api.run(&nb).await;
    assert_eq!(api.delete(&format!("/v2/notebooks/{nb}")).await.status, 204);
    assert_eq!(api.get(&format!("/v2/notebooks/{nb}")).await.status, 404);
    assert_eq!(api.get(&format!("/v2/runs/{run}")).await.status, 404);
    assert_eq!(
        api.get(&format!("/v2/notebooks/{nb}/runs")).await.status,
        404
    );

    // Deleting a project deletes its notebooks and their runs.
    let nb2 = api.notebook(&project).await;
    let run2 = api.run(&nb2).await;
    assert_eq!(
        api.delete(&format!("/v2/projects/{project}")).await.status,
        204
    );
    assert_eq!(api.get(&format!("/v2/notebooks/{nb2}")).await.status, 404);
    assert_eq!(api.get(&format!("/v2/runs/{run2}")).await.status, 404);
    assert_eq!(counts(&api).await, (0, 0, 0));

    let r = api
        .post("/v2/notebooks", json!({"projectId": project}))
        .await;
    assert_eq!(r.status, 404);
    let r = api
        .post("/v2/notebooks", json!({"name": "no project"}))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.message().contains("projectId"), "{}", r.message());
}

#[tokio::test]
async fn access_levels() {
    let emu = emulator().await;
    let admin = Api::new(&emu, ADMIN);
    let project = admin.project("P").await;
    let nb = admin.notebook(&project).await;
    let run = admin.run(&nb).await;
    let reads = [
        "/v2/projects".to_string(),
        format!("/v2/projects/{project}"),
        format!("/v2/notebooks/{nb}"),
        format!("/v2/notebooks/{nb}/runs"),
        format!("/v2/runs/{run}"),
    ];
    for key in [ADMIN, EDITOR, VIEWER, RESTRICTED] {
        for p in &reads {
            assert_eq!(admin.with_key(key).get(p).await.status, 200, "{key} {p}");
        }
    }
    for p in &reads {
        assert_eq!(admin.with_key(GUEST).get(p).await.status, 403, "guest {p}");
    }
    let before = counts(&admin).await;
    for key in [VIEWER, RESTRICTED, GUEST] {
        let api = admin.with_key(key);
        let r = api.post("/v2/projects", json!({"name": "x"})).await;
        assert_eq!(r.status, 403, "{key}");
        assert!(r.message().contains("access level"));
        assert_eq!(
            api.post("/v2/notebooks", json!({"projectId": project}))
                .await
                .status,
            403
        );
        assert_eq!(
            api.post("/v2/runs", json!({"notebookId": nb})).await.status,
            403
        );
        assert_eq!(api.delete(&format!("/v2/notebooks/{nb}")).await.status, 403);
        assert_eq!(
            api.delete(&format!("/v2/projects/{project}")).await.status,
            403
        );
        let v1 = format!("/v1/projects/{project}/notebooks/{nb}/execute");
        assert_eq!(api.raw(Method::POST, &v1, None).await.status, 403);
    }
    assert_eq!(counts(&admin).await, before);
}

#[tokio::test]
async fn workspaces_are_isolated() {
    let emu = emulator().await;
    let mine = Api::new(&emu, ADMIN);
    let other = mine.with_key(OTHER);
    let project = mine.project("Mine").await;
    let nb = mine.notebook(&project).await;
    let run = mine.run(&nb).await;
    other.project("Theirs").await;
    for p in [
        format!("/v2/projects/{project}"),
        format!("/v2/notebooks/{nb}"),
        format!("/v2/notebooks/{nb}/runs"),
        format!("/v2/runs/{run}"),
    ] {
        let r = other.get(&p).await;
        assert_eq!(r.status, 404, "{p}");
    }
    assert_eq!(
        other
            .delete(&format!("/v2/projects/{project}"))
            .await
            .status,
        404
    );
    assert_eq!(
        other.delete(&format!("/v2/notebooks/{nb}")).await.status,
        404
    );
    assert_eq!(
        other
            .post("/v2/runs", json!({"notebookId": nb}))
            .await
            .status,
        404
    );
    assert_eq!(
        other
            .post("/v2/notebooks", json!({"projectId": project}))
            .await
            .status,
        404
    );
    let v1 = format!("/v1/projects/{project}/notebooks/{nb}/execute");
    assert_eq!(other.raw(Method::POST, &v1, None).await.status, 404);
    let names = |r: Resp| -> Vec<String> {
        r.body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(mine.get("/v2/projects").await), ["Mine"]);
    assert_eq!(names(other.get("/v2/projects").await), ["Theirs"]);
    // The project is still there for its owner.
    assert_eq!(
        mine.get(&format!("/v2/projects/{project}")).await.status,
        200
    );
}

#[tokio::test]
async fn run_lifecycle_on_a_frozen_clock() {
    let (emu, api, _project, nb) = editor_notebook(builder()).await;
    let r = api.post("/v2/runs", json!({"notebookId": nb})).await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["status"], "pending");
    let run = r.body["runId"].as_str().unwrap().to_string();
    // The clock is frozen: nothing moves however long we wait.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(api.status(&run).await, "pending");
    emu.advance_clock(Duration::from_millis(100));
    assert_eq!(api.status(&run).await, "running");
    let r = api.get(&format!("/v2/runs/{run}")).await;
    assert!(r.body["run"].get("finishedAt").is_none());
    assert!(r.body["run"].get("snapshot").is_none());
    emu.advance_clock(Duration::from_millis(399));
    assert_eq!(api.status(&run).await, "running");
    emu.advance_clock(Duration::from_millis(1));
    let r = api.get(&format!("/v2/runs/{run}")).await;
    assert_eq!(r.body["run"]["status"], "success");
    assert_eq!(r.body["run"]["notebookId"], nb.as_str());
    assert!(r.body["run"]["finishedAt"].is_string());
    assert!(r.body["run"].get("error").is_none());
}

#[tokio::test]
async fn runs_finish_on_the_wall_clock_by_default() {
    let emu = emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let nb = api.notebook(&project).await;
    let run = api.run(&nb).await;
    let mut seen = Vec::new();
    for _ in 0..200 {
        let s = api.status(&run).await;
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "success" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen.last().map(String::as_str), Some("success"), "{seen:?}");
    assert!(
        seen.iter()
            .all(|s| ["pending", "running", "success"].contains(&s.as_str()))
    );
}

#[tokio::test]
async fn behaviours_set_the_outcome() {
    let (emu, api, _project, nb) = editor_notebook(builder()).await;
    for (outcome, status) in [
        (Outcome::Error, "error"),
        (Outcome::InternalError, "internal_error"),
        (Outcome::Stopped, "stopped"),
        (Outcome::Success, "success"),
    ] {
        emu.set_behaviour(
            &nb,
            Behaviour {
                duration: Duration::from_secs(10),
                outcome,
                message: Some(format!("boom {status}")),
                report_error: None,
            },
        );
        let run = api.run(&nb).await;
        emu.advance_clock(Duration::from_secs(9));
        assert_eq!(api.status(&run).await, "running");
        emu.advance_clock(Duration::from_secs(1));
        let r = api.get(&format!("/v2/runs/{run}")).await;
        assert_eq!(r.body["run"]["status"], status);
        match outcome {
            Outcome::Error => assert_eq!(r.body["run"]["error"], "boom error"),
            Outcome::InternalError => {
                assert_eq!(r.body["run"]["error"]["message"], "boom internal_error")
            }
            _ => assert!(r.body["run"].get("error").is_none()),
        }
    }
    // Back to the default behaviour: 500 ms and success.
    emu.clear_behaviour(&nb);
    let run = api.run(&nb).await;
    emu.advance_clock(Duration::from_millis(500));
    assert_eq!(api.status(&run).await, "success");
}

#[tokio::test]
async fn run_requests_are_recorded_and_checked() {
    let (emu, api, _project, nb) = editor_notebook(builder()).await;
    let r = api
        .post(
            "/v2/runs",
            json!({
                "notebookId": nb,
                "blockIds": ["b1", "b2"],
                "runDependentBlocks": true,
                "inputs": {"region": "EMEA", "n": 3},
            }),
        )
        .await;
    assert_eq!(r.status, 202);
    let rec = emu.run_record(r.body["runId"].as_str().unwrap()).unwrap();
    assert_eq!(
        rec.block_ids,
        Some(vec!["b1".to_string(), "b2".to_string()])
    );
    assert!(rec.run_dependent_blocks);
    assert!(!rec.detached);
    assert_eq!(rec.inputs["region"], "EMEA");
    assert_eq!(rec.inputs["n"], 3);

    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "detached": true, "detachedRunStorageMode": "readonly"}),
        )
        .await;
    assert_eq!(r.status, 202);
    let rec = emu.run_record(r.body["runId"].as_str().unwrap()).unwrap();
    assert!(rec.detached);
    assert_eq!(rec.detached_run_storage_mode.as_deref(), Some("readonly"));

    let before = counts(&api).await;
    for (body, needle) in [
        (
            json!({"notebookId": nb, "detached": true, "blockIds": ["b1"]}),
            "detached",
        ),
        (json!({"notebookId": nb, "blockIds": []}), "empty"),
        (
            json!({"notebookId": nb, "detachedRunStorageMode": "sometimes"}),
            "unknown variant",
        ),
        (json!({"notebookId": nb, "inputs": [1, 2]}), "invalid type"),
        (json!({"notebookId": nb, "blockIds": "b1"}), "invalid type"),
        (json!({"notebookId": nb, "detached": "yes"}), "invalid type"),
        (json!({}), "notebookId"),
        (json!({"notebookId": "nb-1"}), "UUID"),
    ] {
        let r = api.post("/v2/runs", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.message().contains(needle), "{body}: {}", r.message());
    }
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11"}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(counts(&api).await, before);
}

#[tokio::test]
async fn runs_list_newest_first() {
    let (emu, api, _project, nb) = editor_notebook(builder()).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(api.run(&nb).await);
        emu.advance_clock(Duration::from_secs(1));
    }
    let r = api.get(&format!("/v2/notebooks/{nb}/runs")).await;
    let listed: Vec<&str> = r.body["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["runId"].as_str().unwrap())
        .collect();
    ids.reverse();
    assert_eq!(listed, ids);
    assert!(r.body["pagination"].get("nextPageToken").is_none());
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("snapshot is YAML")
}

#[tokio::test]
async fn snapshots_inline_and_by_url() {
    let emu = builder()
        .seed_sample()
        .freeze_clock()
        .download_host("localhost")
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let nb = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
    emu.set_behaviour(
        nb,
        Behaviour::new(Duration::from_secs(1), Outcome::Error).message("ZeroDivisionError"),
    );
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "inputs": {"region": "LATAM"}}),
        )
        .await;
    let run = r.body["runId"].as_str().unwrap().to_string();
    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    assert!(
        r.body["run"].get("snapshot").is_none(),
        "no snapshot before the end"
    );
    emu.advance_clock(Duration::from_secs(1));

    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    let doc = yaml(
        r.body["run"]["snapshot"]["snapshotContent"]
            .as_str()
            .unwrap(),
    );
    assert!(doc["version"].is_string());
    assert!(doc["metadata"]["createdAt"].is_string());
    assert_eq!(doc["project"]["id"], deepnote_emulator::SAMPLE_PROJECT_ID);
    let notebook = &doc["project"]["notebooks"][0];
    assert_eq!(notebook["id"], nb);
    let blocks = notebook["blocks"].as_array().unwrap();
    let code: Vec<&Value> = blocks.iter().filter(|b| b["type"] == "code").collect();
    assert!(!code.is_empty());
    assert!(
        code.iter()
            .all(|b| b["executionCount"].is_number() && b["outputs"].is_array())
    );
    assert_eq!(code.last().unwrap()["outputs"][0]["output_type"], "error");
    let input = blocks.iter().find(|b| b["type"] == "input-text").unwrap();
    assert_eq!(input["metadata"]["deepnote_variable_value"], "LATAM");

    // downloadUrl is the default; it lives on another origin and needs no key.
    let r = api.get(&format!("/v2/runs/{run}")).await;
    let url = r.body["run"]["snapshot"]["downloadUrl"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with("http://localhost:"), "{url}");
    emu.clear_journal();
    let text = api
        .http
        .get(url.replace("localhost", "127.0.0.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 200);
    let downloaded = yaml(&text.text().await.unwrap());
    assert_eq!(downloaded, doc);
    let j = emu.journal();
    assert_eq!(j.len(), 1);
    assert!(!j[0].authorization, "the download came without a key");
    // A tampered URL is refused.
    let bad = format!("{}0", url.replace("localhost", "127.0.0.1"));
    assert_eq!(api.http.get(bad).send().await.unwrap().status(), 404);

    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=carrier-pigeon"))
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn v1_execute_starts_a_run_unless_one_is_running() {
    let (emu, api, project, nb) = editor_notebook(builder()).await;
    let path = format!("/v1/projects/{project}/notebooks/{nb}/execute");
    let runs = |r: Resp| r.body["runs"].as_array().unwrap().len();

    let r = api.raw(Method::POST, &path, None).await;
    assert_eq!(r.status, 200);
    assert!(r.bytes.is_empty());
    assert_eq!(runs(api.get(&format!("/v2/notebooks/{nb}/runs")).await), 1);
    // Already running: no effect.
    let r = api.raw(Method::POST, &path, None).await;
    assert_eq!(r.status, 200);
    let api_run = api.run(&nb).await;
    assert_eq!(runs(api.get(&format!("/v2/notebooks/{nb}/runs")).await), 2);
    emu.advance_clock(Duration::from_secs(1));
    assert_eq!(api.status(&api_run).await, "success");
    api.raw(Method::POST, &path, None).await;
    assert_eq!(runs(api.get(&format!("/v2/notebooks/{nb}/runs")).await), 3);

    // The notebook must belong to the project.
    let other = api.project("Q").await;
    let r = api.execute_v1(&other, &nb).await;
    assert_eq!(r.status, 404);
    // v2 has no execute, v1 nothing else.
    assert_eq!(
        api.raw(
            Method::POST,
            &format!("/v2/projects/{project}/notebooks/{nb}/execute"),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(api.get("/v1/projects").await.status, 404);
}

#[tokio::test]
async fn bad_input_is_a_4xx_and_changes_nothing() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let project = api.project("P").await;
    let before = counts(&api).await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "/v2/projects",
            b"{\"name\": ".to_vec(),
            400,
            "malformed JSON",
        ),
        ("/v2/projects", b"".to_vec(), 400, "required"),
        ("/v2/projects", b"[\"x\"]".to_vec(), 400, "object"),
        (
            "/v2/projects",
            b"{\"name\": 5}".to_vec(),
            400,
            "invalid type",
        ),
        (
            "/v2/projects",
            b"{\"name\": null}".to_vec(),
            400,
            "invalid type",
        ),
        ("/v2/projects", b"{}".to_vec(), 400, "missing field `name`"),
        (
            "/v2/projects",
            b"{\"name\": \"x\", \"projectType\": \"quantum\"}".to_vec(),
            400,
            "unknown variant",
        ),
        (
            "/v2/projects",
            b"{\"name\": \"x\", \"folderId\": 7}".to_vec(),
            400,
            "invalid type",
        ),
        (
            "/v2/notebooks",
            b"{\"projectId\": 42}".to_vec(),
            400,
            "invalid type",
        ),
        (
            "/v2/notebooks",
            b"{\"projectId\": \"zzz\"}".to_vec(),
            400,
            "UUID",
        ),
        ("/v2/runs", b"not json".to_vec(), 400, "malformed JSON"),
    ];
    for (path, body, status, needle) in cases {
        let r = api.raw(Method::POST, path, Some(body.clone())).await;
        assert_eq!(
            r.status,
            status,
            "{path} {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            r.message().contains(needle),
            "{path}: `{}` lacks `{needle}`",
            r.message()
        );
    }
    // Past the documented limit: 413.
    let big = format!(
        "{{\"name\": \"{}\"}}",
        "x".repeat(deepnote_emulator::BODY_LIMIT)
    );
    let r = api
        .raw(Method::POST, "/v2/projects", Some(big.into_bytes()))
        .await;
    assert_eq!(r.status, 413);
    assert!(r.message().contains("larger"));
    for q in [
        "pageSize=0",
        "pageSize=101",
        "pageSize=ten",
        "pageToken=forged",
    ] {
        assert_eq!(
            api.get(&format!("/v2/projects?{q}")).await.status,
            400,
            "{q}"
        );
    }
    assert_eq!(counts(&api).await, before);
    assert_eq!(
        api.get(&format!("/v2/projects/{project}")).await.status,
        200
    );

    let r = api.raw(Method::PUT, "/v2/projects", None).await;
    assert_eq!(r.status, 405);
    let r = api.get("/v2/nothing-here").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn ids_are_deterministic_with_a_seed() {
    let mut firsts = Vec::new();
    for _ in 0..2 {
        let emu = builder().id_seed(7).start().await.unwrap();
        firsts.push(Api::new(&emu, ADMIN).project("P").await);
    }
    assert_eq!(firsts[0], firsts[1]);
    let emu = builder().id_seed(8).start().await.unwrap();
    assert_ne!(Api::new(&emu, ADMIN).project("P").await, firsts[0]);
}

#[tokio::test]
async fn suspended_projects_answer_409() {
    let (emu, api, project, nb) = editor_notebook(builder()).await;
    let run = api.run(&nb).await;
    assert!(emu.suspend_project(&project, true));
    let r = api.get(&format!("/v2/runs/{run}")).await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("suspended"));
    assert_eq!(
        api.post("/v2/runs", json!({"notebookId": nb})).await.status,
        409
    );
    // Suspension is reversible, and over HTTP too.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!(
            "{}/_emulator/projects/{project}/suspend",
            emu.base_url()
        ))
        .json(&json!({"suspended": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(api.get(&format!("/v2/runs/{run}")).await.status, 200);
    assert!(!emu.suspend_project("6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11", true));
}

#[tokio::test]
async fn snapshots_can_lag_the_terminal_status() {
    let emu = builder()
        .freeze_clock()
        .snapshot_delay(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let nb = api.notebook(&project).await;
    let run = api.run(&nb).await;
    emu.advance_clock(Duration::from_millis(500));
    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    assert_eq!(r.body["run"]["status"], "success");
    assert!(r.body["run"].get("snapshot").is_none());
    emu.advance_clock(Duration::from_secs(2));
    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    assert!(r.body["run"]["snapshot"]["snapshotContent"].is_string());
}

#[tokio::test]
async fn the_spec_dialect_refuses_explicit_nulls_too() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let project = api.project("P").await;
    for (path, body) in [
        ("/v2/projects", json!({"name": "P", "projectType": null})),
        ("/v2/notebooks", json!({"projectId": project, "name": null})),
    ] {
        let r = api.post(path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.message().contains("must not be null"), "{}", r.message());
    }
    // The spec types folderId a plain string.
    let r = api
        .post("/v2/projects", json!({"name": "P", "folderId": "f-1"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["folderId"], "f-1");
}
