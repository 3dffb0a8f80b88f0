//! The control API over HTTP: seed, reset, behaviours, clock, journal, keys, admin token.

use crate::common;

use common::*;
use deepnote_emulator::SAMPLE_NOTEBOOK_ID;
use serde_json::{Value, json};

struct Control {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Control {
    fn new(emu: &deepnote_emulator::Emulator) -> Self {
        Control {
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            base: format!("{}/_emulator", emu.base_url()),
            token: None,
        }
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
}

#[tokio::test]
async fn seed_reset_and_state() {
    let emu = emulator().await;
    let c = Control::new(&emu);
    assert_eq!(c.get("/health").await, (200, json!({"status": "ok"})));
    let (status, body) = c.post("/seed", json!({})).await;
    assert_eq!(status, 200);
    let key = body["sampleKey"].as_str().unwrap().to_string();
    assert_eq!(key, emu.sample_key());
    let sample = Api::new(&emu, &key);
    let r = sample.get("/v2/projects").await;
    assert_eq!(r.body["projects"].as_array().unwrap().len(), 3);
    let r = sample
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/runs"))
        .await;
    let runs = r.body["runs"].as_array().unwrap();
    assert!(runs.len() >= 3);
    assert!(
        runs.iter()
            .all(|r| r["status"] != "pending" && r["status"] != "running")
    );
    // Seeding twice adds nothing.
    c.post("/seed", json!({})).await;
    let (_, state) = c.get("/state").await;
    assert_eq!(state["projects"], 3);

    let (status, _) = c.post("/reset", json!({})).await;
    assert_eq!(status, 204);
    let (_, state) = c.get("/state").await;
    assert_eq!(
        (state["projects"].as_u64(), state["runs"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(sample.get("/v2/projects").await.body["projects"], json!([]));
}

#[tokio::test]
async fn behaviour_and_clock_over_http() {
    let emu = emulator().await;
    let c = Control::new(&emu);
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let nb = api.notebook(&project).await;
    let (s, clock) = c.post("/clock/freeze", json!({"frozen": true})).await;
    assert_eq!(s, 200);
    assert_eq!(clock["frozen"], true);
    let (s, _) = c
        .send(
            reqwest::Method::PUT,
            &format!("/behaviours/{nb}"),
            Some(json!({"durationMs": 60000, "outcome": "error", "message": "kaput"})),
        )
        .await;
    assert_eq!(s, 204);
    let run = api.run(&nb).await;
    assert_eq!(api.status(&run).await, "pending");
    let (s, after) = c.post("/clock/advance", json!({"ms": 60000})).await;
    assert_eq!(s, 200);
    assert_ne!(after["now"], clock["now"]);
    let r = api.get(&format!("/v2/runs/{run}")).await;
    assert_eq!(r.body["run"]["status"], "error");
    assert_eq!(r.body["run"]["error"], "kaput");
    let (s, rec) = c.get(&format!("/runs/{run}")).await;
    assert_eq!(s, 200);
    assert_eq!(rec["status"], "error");
    assert_eq!(rec["notebookId"], nb.as_str());

    for bad in [
        json!({"durationMs": -1, "outcome": "error"}),
        json!({"durationMs": 1, "outcome": "exploded"}),
        json!({"outcome": "error"}),
    ] {
        let (s, b) = c
            .send(
                reqwest::Method::PUT,
                &format!("/behaviours/{nb}"),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(s, 400, "{bad}");
        assert!(b["message"].is_string());
    }
    let (s, _) = c.post("/clock/advance", json!({"ms": "soon"})).await;
    assert_eq!(s, 400);
    let (s, _) = c
        .send(reqwest::Method::DELETE, &format!("/behaviours/{nb}"), None)
        .await;
    assert_eq!(s, 204);
    let run = api.run(&nb).await;
    c.post("/clock/advance", json!({"ms": 500})).await;
    assert_eq!(api.status(&run).await, "success");
}

#[tokio::test]
async fn journal_and_keys_over_http() {
    let emu = emulator().await;
    let c = Control::new(&emu);
    let api = Api::new(&emu, ADMIN);
    api.project("P").await;
    api.anonymous().get("/v2/me").await;
    let (s, journal) = c.get("/journal").await;
    assert_eq!(s, 200);
    let entries = journal.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["method"], "POST");
    assert_eq!(entries[0]["changedState"], true);
    assert_eq!(entries[1]["status"], 401);
    assert_eq!(entries[1]["authorization"], false);
    let text = journal.to_string();
    assert!(!text.contains(ADMIN), "the journal never holds a key");
    c.send(reqwest::Method::DELETE, "/journal", None).await;
    assert_eq!(c.get("/journal").await.1, json!([]));

    let (s, _) = c
        .post(
            "/keys",
            json!({"key": "new-key", "workspaceId": "ws-9", "workspaceName": "Nine",
                   "userId": "u-9", "access": "viewer"}),
        )
        .await;
    assert_eq!(s, 204);
    let r = api.with_key("new-key").get("/v2/me").await;
    assert_eq!(r.body["accessLevel"], "viewer");
    assert_eq!(r.body["workspace"]["name"], "Nine");
    let (s, _) = c
        .post("/keys", json!({"key": "k", "access": "overlord"}))
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn admin_token_guards_the_control_api() {
    let emu = builder().admin_token("s3cret").start().await.unwrap();
    let mut c = Control::new(&emu);
    assert_eq!(c.get("/state").await.0, 401);
    assert_eq!(c.post("/reset", json!({})).await.0, 401);
    c.token = Some("wrong".into());
    assert_eq!(c.get("/journal").await.0, 401);
    c.token = Some("s3cret".into());
    assert_eq!(c.get("/state").await.0, 200);
    // An API key is not an admin token.
    c.token = Some(ADMIN.into());
    assert_eq!(c.get("/state").await.0, 401);
}

#[tokio::test]
async fn graceful_shutdown_releases_the_port() {
    let emu = emulator().await;
    let addr = emu.addr();
    Api::new(&emu, ADMIN).project("P").await;
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let emu = builder().admin_token("t0ps3cret").start().await.unwrap();
    let text = format!("{emu:?} {:?}", builder().admin_token("t0ps3cret").config());
    for secret in ["t0ps3cret", ADMIN, EDITOR, OTHER] {
        assert!(!text.contains(secret), "Debug shows {secret}: {text}");
    }
}

#[tokio::test]
async fn binds_loopback_by_default() {
    let emu = emulator().await;
    assert!(emu.addr().ip().is_loopback());
    assert_ne!(emu.addr().port(), 0);
    assert_eq!(emu.base_url(), format!("http://{}", emu.addr()));
}
