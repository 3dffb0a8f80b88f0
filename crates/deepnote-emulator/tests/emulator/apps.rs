//! Live-dialect apps: the static-file app settings (`PATCH /projects/{id}`, `staticFiles` on
//! GET project), Streamlit apps (create, list, status on the emulator's clock, the machine
//! restart), and app viewer tokens (their scope, their 15-minute life, `snapshotBlocks`).
//! Every documented answer is validated against `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{
    DEFAULT_STREAMLIT_START_DELAY, Dialect, Emulator, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID,
};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const BOUNDARY: &str = "apps-test-boundary";

async fn upload(api: &Api, project: &str, path: &str, bytes: &[u8]) {
    let mut body = Vec::new();
    for (name, value) in [
        ("projectId", project.as_bytes()),
        ("path", path.as_bytes()),
        ("file", bytes),
    ] {
        let filename = if name == "file" {
            "; filename=\"f\""
        } else {
            ""
        };
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let r = api
        .send(
            Method::POST,
            "/v2/files",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            Some(body),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["file"]["path"], path);
}

/// A request whose refusal the reference documents no status for: not judged, so the status
/// and message are returned as they came.
async fn unjudged(api: &Api, method: Method, path: &str, body: Value) -> (u16, Value) {
    let r = api
        .http
        .request(method, format!("{}{path}", api.base))
        .bearer_auth(api.key.as_deref().unwrap_or_default())
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A control API call; the answer's status and JSON body.
async fn control(emu: &Emulator, method: Method, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .request(method, format!("{}/_emulator{path}", emu.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn set_access(api: &Api, project: &str, settings: Value) -> Value {
    let r = api
        .patch(
            &format!("/v2/projects/{project}"),
            json!({ "staticFiles": settings }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["project"]["staticFiles"].clone()
}

async fn static_files(api: &Api, project: &str) -> Value {
    let r = api.get(&format!("/v2/projects/{project}")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["project"]["staticFiles"].clone()
}

#[tokio::test]
async fn sharing_settings_show_on_get_project_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let emu = live_builder().data_dir(dir.path()).start().await.unwrap();
    let api = Api::new(&emu, EDITOR);
    let project = api.project("Site").await;
    // Absent until set, as Deepnote's client allows.
    assert_eq!(static_files(&api, &project).await, Value::Null);

    let answered = set_access(&api, &project, json!({ "sharingEnabled": true })).await;
    assert_eq!(answered["sharingEnabled"], true);
    assert_eq!(answered["apiAccessEnabled"], false);
    let url = answered["url"].as_str().unwrap().to_string();
    assert!(
        url.ends_with(&format!("/_emulator/static/{project}/")),
        "{url}"
    );
    // Omitted settings keep their value.
    let answered = set_access(&api, &project, json!({ "apiAccessEnabled": true })).await;
    assert_eq!(
        (
            answered["sharingEnabled"].clone(),
            answered["apiAccessEnabled"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(static_files(&api, &project).await, answered);
    emu.shutdown().await;

    let emu = live_builder().data_dir(dir.path()).start().await.unwrap();
    let api = Api::new(&emu, EDITOR);
    let after = static_files(&api, &project).await;
    assert_eq!(after["sharingEnabled"], true, "{after}");
    assert_eq!(after["apiAccessEnabled"], true, "{after}");
}

#[tokio::test]
async fn sharing_off_turns_api_access_off_and_api_access_without_sharing_is_refused() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("Site").await;
    let path = format!("/v2/projects/{project}");

    // Deepnote's client refuses this before sending; the emulator refuses it too.
    let (status, body) = unjudged(
        &api,
        Method::PATCH,
        &path,
        json!({ "staticFiles": { "sharingEnabled": false, "apiAccessEnabled": true } }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["message"],
        "API access cannot be enabled while static file sharing is disabled."
    );
    // API access alone while sharing is off (as the project stands) is the same combination.
    let (status, _) = unjudged(
        &api,
        Method::PATCH,
        &path,
        json!({ "staticFiles": { "apiAccessEnabled": true } }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        static_files(&api, &project).await,
        Value::Null,
        "nothing changed"
    );

    set_access(
        &api,
        &project,
        json!({ "sharingEnabled": true, "apiAccessEnabled": true }),
    )
    .await;
    let off = set_access(&api, &project, json!({ "sharingEnabled": false })).await;
    assert_eq!(off["sharingEnabled"], false);
    assert_eq!(
        off["apiAccessEnabled"], false,
        "sharing off turns API access off"
    );
    // Re-enabling sharing does not bring API access back.
    let on = set_access(&api, &project, json!({ "sharingEnabled": true })).await;
    assert_eq!(on["apiAccessEnabled"], false);

    // An unknown field, even null, is ignored; a null setting is refused.
    let r = api.patch(&path, json!({ "name": null })).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["project"]["staticFiles"]["sharingEnabled"], true);
    let (status, _) = unjudged(
        &api,
        Method::PATCH,
        &path,
        json!({ "staticFiles": { "sharingEnabled": null } }),
    )
    .await;
    assert_eq!(status, 400);

    // Writes need editor access; another workspace sees no project.
    let r = api
        .with_key(VIEWER)
        .patch(&path, json!({ "staticFiles": { "sharingEnabled": false } }))
        .await;
    assert_eq!(r.status, 403);
    let r = api
        .with_key(OTHER)
        .patch(&path, json!({ "staticFiles": { "sharingEnabled": false } }))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_shared_app_is_served_from_deepnote_static_while_sharing_is_on() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("Site").await;
    upload(
        &api,
        &project,
        "_deepnote_static/index.html",
        b"<h1>hi</h1>",
    )
    .await;
    upload(&api, &project, "_deepnote_static/v2/app.js", b"run()").await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let fetch = |path: String| {
        let http = http.clone();
        async move {
            let r = http.get(path).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let url = format!("{}/_emulator/static/{project}/", emu.base_url());
    assert_eq!(fetch(url.clone()).await.0, 404, "not shared yet");
    let answered = set_access(&api, &project, json!({ "sharingEnabled": true })).await;
    let url = answered["url"].as_str().unwrap().to_string();
    assert_eq!(fetch(url.clone()).await, (200, "<h1>hi</h1>".into()));
    assert_eq!(
        fetch(format!("{url}v2/app.js")).await,
        (200, "run()".into())
    );
    set_access(&api, &project, json!({ "sharingEnabled": false })).await;
    assert_eq!(fetch(url).await.0, 404, "sharing off stops serving");
}

/// A frozen live emulator with the sample workspace, the API as its admin, and `app.py` in
/// the sample project.
async fn with_app_file() -> (Emulator, Api) {
    let (emu, api) = frozen_sample().await;
    upload(
        &api,
        SAMPLE_PROJECT_ID,
        "app.py",
        b"import streamlit as st\n",
    )
    .await;
    upload(
        &api,
        SAMPLE_PROJECT_ID,
        "apps/other.py",
        b"import streamlit\n",
    )
    .await;
    (emu, api)
}

async fn create_app(api: &Api, entrypoint: &str) -> Value {
    let r = api
        .post(
            "/v2/streamlit-apps",
            json!({ "projectId": SAMPLE_PROJECT_ID, "entrypoint": entrypoint }),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["streamlitApp"].clone()
}

async fn app_status(api: &Api, id: &str) -> String {
    let r = api.get(&format!("/v2/streamlit-apps/{id}/status")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["status"].as_str().unwrap().to_string()
}

async fn machine_status(api: &Api) -> String {
    let r = api
        .get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/machine"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["machine"]["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_streamlit_app_starts_then_runs_as_its_machine_restarts_on_the_clock() {
    let (emu, api) = with_app_file().await;
    assert_eq!(machine_status(&api).await, "running");
    let app = create_app(&api, "app.py").await;
    assert_eq!(app["projectId"], SAMPLE_PROJECT_ID);
    assert_eq!(app["entrypoint"], "app.py");
    let id = app["id"].as_str().unwrap();

    assert_eq!(app_status(&api, id).await, "starting");
    assert_eq!(
        machine_status(&api).await,
        "starting",
        "creating restarts the machine"
    );
    emu.advance_clock(DEFAULT_STREAMLIT_START_DELAY - Duration::from_millis(1));
    assert_eq!(app_status(&api, id).await, "starting");
    emu.advance_clock(Duration::from_millis(1));
    assert_eq!(app_status(&api, id).await, "running");
    assert_eq!(machine_status(&api).await, "running");
}

#[tokio::test]
async fn the_start_delay_is_configurable() {
    let emu = live_builder()
        .seed_sample()
        .freeze_clock()
        .streamlit_start_delay(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let api = Api::new(&emu, emu.sample_key());
    upload(&api, SAMPLE_PROJECT_ID, "app.py", b"").await;
    let id = create_app(&api, "app.py").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.advance_clock(Duration::from_secs(59));
    assert_eq!(app_status(&api, &id).await, "starting");
    emu.advance_clock(Duration::from_secs(1));
    assert_eq!(app_status(&api, &id).await, "running");
}

#[tokio::test]
async fn a_missing_entrypoint_is_a_404_naming_it_and_a_second_app_for_one_is_a_409() {
    let (_emu, api) = with_app_file().await;
    let r = api
        .post(
            "/v2/streamlit-apps",
            json!({ "projectId": SAMPLE_PROJECT_ID, "entrypoint": "missing/dash.py" }),
        )
        .await;
    assert_eq!(r.status, 404);
    // Deepnote's CLI adds its "upload it first" hint when the message says "entrypoint".
    assert!(
        r.message().to_lowercase().contains("entrypoint")
            && r.message().contains("missing/dash.py"),
        "{}",
        r.message()
    );

    // Any other field may come (even null): these operations document no 400.
    let (status, body) = unjudged(
        &api,
        Method::POST,
        "/v2/streamlit-apps",
        json!({ "projectId": SAMPLE_PROJECT_ID, "entrypoint": "missing.py", "p": null }),
    )
    .await;
    assert_eq!(status, 404, "{body}");

    // A leading slash names the same file, as Deepnote's client compares entrypoints.
    let app = create_app(&api, "/app.py").await;
    assert_eq!(app["entrypoint"], "app.py");
    let r = api
        .post(
            "/v2/streamlit-apps",
            json!({ "projectId": SAMPLE_PROJECT_ID, "entrypoint": "app.py" }),
        )
        .await;
    assert_eq!(r.status, 409);
    assert!(r.message().contains("already exists"), "{}", r.message());

    let other = create_app(&api, "apps/other.py").await;
    let r = api
        .get(&format!("/v2/streamlit-apps?projectId={SAMPLE_PROJECT_ID}"))
        .await;
    assert_eq!(r.status, 200);
    let ids: Vec<&Value> = r.body["streamlitApps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(ids, [&app["id"], &other["id"]], "oldest first");

    let r = api
        .get("/v2/streamlit-apps/00000000-0000-4000-8000-000000000000/status")
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_later_app_makes_earlier_ones_unavailable_while_the_machine_restarts() {
    let (emu, api) = with_app_file().await;
    let first = create_app(&api, "app.py").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.advance_clock(DEFAULT_STREAMLIT_START_DELAY);
    assert_eq!(app_status(&api, &first).await, "running");
    let second = create_app(&api, "apps/other.py").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app_status(&api, &first).await, "unavailable");
    assert_eq!(app_status(&api, &second).await, "starting");
    emu.advance_clock(DEFAULT_STREAMLIT_START_DELAY);
    assert_eq!(app_status(&api, &first).await, "running");
    assert_eq!(app_status(&api, &second).await, "running");

    // On demand through the control API, until cleared.
    let path = format!("/streamlit-apps/{first}/status");
    let (status, _) = control(&emu, Method::PUT, &path, json!({ "status": "unavailable" })).await;
    assert_eq!(status, 204);
    assert_eq!(app_status(&api, &first).await, "unavailable");
    emu.advance_clock(Duration::from_secs(3600));
    assert_eq!(app_status(&api, &first).await, "unavailable");
    control(&emu, Method::PUT, &path, json!({ "status": null })).await;
    assert_eq!(app_status(&api, &first).await, "running");
}

#[tokio::test]
async fn streamlit_apps_persist_and_go_with_their_project() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        live_builder()
            .seed_sample()
            .freeze_clock()
            .data_dir(dir.path())
            .start()
    };
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    upload(&api, SAMPLE_PROJECT_ID, "app.py", b"").await;
    let app = create_app(&api, "app.py").await;
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let list = api
        .get(&format!("/v2/streamlit-apps?projectId={SAMPLE_PROJECT_ID}"))
        .await;
    assert_eq!(list.body["streamlitApps"][0]["id"], app["id"]);
    let r = api
        .delete(&format!("/v2/projects/{SAMPLE_PROJECT_ID}"))
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get(&format!(
            "/v2/streamlit-apps/{}/status",
            app["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status, 404);
}

/// The sample project with sharing and API access on, and a viewer token for its app.
async fn viewer() -> (Emulator, Api, Api) {
    let (emu, api) = frozen_sample().await;
    set_access(
        &api,
        SAMPLE_PROJECT_ID,
        json!({ "sharingEnabled": true, "apiAccessEnabled": true }),
    )
    .await;
    let token = mint(
        &emu,
        json!({ "projectId": SAMPLE_PROJECT_ID, "userId": "ana" }),
    )
    .await;
    let viewer = api.with_key(&token);
    (emu, api, viewer)
}

async fn mint(emu: &Emulator, body: Value) -> String {
    let (status, minted) = control(emu, Method::POST, "/viewer-tokens", body).await;
    assert_eq!(status, 201, "{minted}");
    minted["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_viewer_token_reads_inputs_without_source_and_its_runs_carry_snapshot_blocks() {
    let (emu, api, viewer) = viewer().await;
    let nb = viewer
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(nb.status, 200, "{:?}", nb.body);
    let blocks = nb.body["notebook"]["blocks"].as_array().unwrap();
    assert!(!blocks.is_empty());
    assert!(
        blocks
            .iter()
            .all(|b| b.get("content").is_none() && b["type"].is_string()),
        "block metadata, no source: {blocks:?}"
    );
    assert!(!nb.body["notebook"]["inputs"].as_array().unwrap().is_empty());

    let started = viewer
        .post(
            "/v2/runs",
            json!({ "notebookId": SAMPLE_NOTEBOOK_ID, "inputs": { "region": "APAC" } }),
        )
        .await;
    assert_eq!(started.status, 202, "{:?}", started.body);
    let run = started_run_id(&started.body);
    emu.advance_clock(Duration::from_secs(2));
    let read = viewer
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    let r = &read.body["run"];
    assert_eq!(r["status"], "success");
    assert!(r.get("snapshotContent").is_none() && r.get("snapshotDownloadUrl").is_none());
    let shown = r["snapshotBlocks"].as_array().expect("snapshotBlocks");
    // The same blocks and outputs the snapshot holds for a key.
    let full = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    let doc: Value =
        serde_saphyr::from_str(full.body["run"]["snapshotContent"].as_str().unwrap()).unwrap();
    let executed: Vec<Value> = doc["project"]["notebooks"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["executionCount"].is_number())
        .map(|b| json!({ "id": b["id"], "outputs": b["outputs"] }))
        .collect();
    assert!(!executed.is_empty());
    assert_eq!(shown, &executed);
    let printed = serde_json::to_string(shown).unwrap();
    assert!(printed.contains("Loaded sales for APAC"), "{printed}");
}

#[tokio::test]
async fn everything_else_is_a_403_for_a_viewer_token() {
    let (_emu, api, viewer) = viewer().await;
    for path in [
        "/v2/projects".to_string(),
        format!("/v2/projects/{SAMPLE_PROJECT_ID}"),
        format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/runs"),
        format!("/v2/streamlit-apps?projectId={SAMPLE_PROJECT_ID}"),
    ] {
        let r = viewer.get(&path).await;
        assert_eq!(r.status, 403, "{path}: {:?}", r.body);
    }
    let r = viewer
        .delete(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(r.status, 403);
    // `/me` documents no 403, but the evidence says every other endpoint answers one.
    let (status, _) = unjudged(&viewer, Method::GET, "/v2/me", json!({})).await;
    assert_eq!(status, 403);
    // Only detached runs of whole notebooks.
    let (status, _) = unjudged(
        &viewer,
        Method::POST,
        "/v2/runs",
        json!({ "notebookId": SAMPLE_NOTEBOOK_ID, "detached": false }),
    )
    .await;
    assert_eq!(status, 403);
    // Only the viewer's own runs.
    let theirs = api.run(SAMPLE_NOTEBOOK_ID).await;
    let r = viewer.get(&format!("/v2/runs/{theirs}")).await;
    assert_eq!(r.status, 403);
    // Not another project of the workspace unless the viewer was given it.
    let other = api.project("Elsewhere").await;
    let other_nb = api.notebook(&other).await;
    let r = viewer.get(&format!("/v2/notebooks/{other_nb}")).await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_static_app_viewer_reaches_the_projects_it_was_given() {
    let (emu, api) = frozen_sample().await;
    set_access(
        &api,
        SAMPLE_PROJECT_ID,
        json!({ "sharingEnabled": true, "apiAccessEnabled": true }),
    )
    .await;
    let other = api.project("Elsewhere").await;
    let other_nb = api.notebook(&other).await;
    let token = mint(
        &emu,
        json!({ "projectId": SAMPLE_PROJECT_ID, "projects": [other] }),
    )
    .await;
    let viewer = api.with_key(&token);
    assert_eq!(
        viewer
            .get(&format!("/v2/notebooks/{other_nb}"))
            .await
            .status,
        200
    );
    let r = viewer
        .post("/v2/runs", json!({ "notebookId": other_nb }))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
}

#[tokio::test]
async fn a_viewer_token_expires_after_15_minutes() {
    let (emu, _api, viewer) = viewer().await;
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}");
    emu.advance_clock(Duration::from_secs(15 * 60) - Duration::from_millis(1));
    assert_eq!(viewer.get(&path).await.status, 200);
    emu.advance_clock(Duration::from_millis(1));
    let r = viewer.get(&path).await;
    assert_eq!(r.status, 401);
    assert!(r.message().contains("expired"), "{}", r.message());
}

#[tokio::test]
async fn turning_api_access_off_cuts_viewer_tokens_off() {
    let (emu, api, viewer) = viewer().await;
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}");
    assert_eq!(viewer.get(&path).await.status, 200);
    set_access(
        &api,
        SAMPLE_PROJECT_ID,
        json!({ "apiAccessEnabled": false }),
    )
    .await;
    assert_eq!(viewer.get(&path).await.status, 403);
    // And none is minted while it is off.
    let (status, body) = control(
        &emu,
        Method::POST,
        "/viewer-tokens",
        json!({ "projectId": SAMPLE_PROJECT_ID }),
    )
    .await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn a_streamlit_viewer_token_reaches_only_its_hosting_project() {
    let (emu, api) = with_app_file().await;
    let (status, _) = control(
        &emu,
        Method::POST,
        "/viewer-tokens",
        json!({ "projectId": SAMPLE_PROJECT_ID, "app": "streamlit" }),
    )
    .await;
    assert_eq!(status, 409, "no Streamlit app yet");
    create_app(&api, "app.py").await;
    let other = api.project("Elsewhere").await;
    let (status, _) = control(
        &emu,
        Method::POST,
        "/viewer-tokens",
        json!({ "projectId": SAMPLE_PROJECT_ID, "app": "streamlit", "projects": [other] }),
    )
    .await;
    assert_eq!(status, 400);
    let token = mint(
        &emu,
        json!({ "projectId": SAMPLE_PROJECT_ID, "app": "streamlit" }),
    )
    .await;
    let viewer = api.with_key(&token);
    let r = viewer
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(r.status, 200);
    let other_nb = api.notebook(&other).await;
    assert_eq!(
        viewer
            .get(&format!("/v2/notebooks/{other_nb}"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_spec_dialect_has_no_apps() {
    let emu = common::emulator().await;
    let api = Api::new(&emu, EDITOR);
    assert_eq!(emu.dialect(), Dialect::Spec);
    let project = api.project("P").await;
    let (status, _) = unjudged(
        &api,
        Method::PATCH,
        &format!("/v2/projects/{project}"),
        json!({ "staticFiles": { "sharingEnabled": true } }),
    )
    .await;
    assert_eq!(status, 405);
    let (status, _) = unjudged(
        &api,
        Method::GET,
        "/v2/streamlit-apps?projectId=x",
        json!({}),
    )
    .await;
    assert_eq!(status, 404);
}
