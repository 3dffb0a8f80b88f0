//! Persistence: the binary with `--data-dir` loses no acknowledged write across `kill -9`,
//! resumes unfinished runs, and flushes on SIGTERM.

mod common;

use common::Api;
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const KEY: &str = "persist-key";

async fn spawn(dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepnote-emulator"))
        .args([
            "--port",
            "0",
            "--key",
            &format!("{KEY}:ws-p:u-p:admin"),
            "--data-dir",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next_line().await.unwrap().expect("a listening line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .to_string();
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

async fn control(url: &str, path: &str, body: serde_json::Value) -> reqwest::StatusCode {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{url}/_emulator{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));

    // Some settled state: projects, a deleted one, a notebook with an unfinished run.
    let keep = api.project("keep").await;
    let gone = api.project("gone").await;
    assert_eq!(
        api.delete(&format!("/v2/projects/{gone}")).await.status,
        204
    );
    let nb = api.notebook(&keep).await;
    control(&url, "/clock/freeze", json!({"frozen": true})).await;
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!("{url}/_emulator/behaviours/{nb}"))
        .json(&json!({"durationMs": 10000, "outcome": "error", "message": "late"}))
        .send()
        .await
        .unwrap();
    let run = api.run(&nb).await;
    control(&url, "/clock/advance", json!({"ms": 5000})).await;
    assert_eq!(api.status(&run).await, "running");
    api.project("second").await;
    let first_page = api.get("/v2/projects?pageSize=1").await;
    let token = first_page.body["pagination"]["nextPageToken"]
        .as_str()
        .unwrap()
        .to_string();

    // Writers race the kill: every project acknowledged with 200 must survive.
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let api = api.clone();
        let acked = acked.clone();
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({"name": format!("w{w}-{i}")})
                    .to_string()
                    .into_bytes();
                match api
                    .try_raw(reqwest::Method::POST, "/v2/projects", Some(body))
                    .await
                {
                    Ok(r) if r.status == 200 => acked
                        .lock()
                        .unwrap()
                        .push(r.body["id"].as_str().unwrap().to_string()),
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(!acked.is_empty(), "the writers got some writes in");

    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    for id in &acked {
        assert_eq!(
            api.get(&format!("/v2/projects/{id}")).await.status,
            200,
            "lost {id}"
        );
    }
    assert_eq!(api.get(&format!("/v2/projects/{keep}")).await.status, 200);
    assert_eq!(api.get(&format!("/v2/projects/{gone}")).await.status, 404);
    assert_eq!(api.get(&format!("/v2/notebooks/{nb}")).await.status, 200);
    // The clock stayed frozen where it was, so the run resumes where it stood.
    assert_eq!(api.status(&run).await, "running");
    control(&url, "/clock/advance", json!({"ms": 5000})).await;
    let r = api.get(&format!("/v2/runs/{run}")).await;
    assert_eq!(r.body["run"]["status"], "error");
    assert_eq!(r.body["run"]["error"], "late");
    // Page tokens survive a restart too.
    let r = api
        .get(&format!("/v2/projects?pageSize=1&pageToken={token}"))
        .await;
    assert_eq!(r.status, 200);
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test]
async fn sigterm_stops_gracefully_and_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    let id = api.project("durable").await;
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().await.unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
    assert!(dir.path().join(deepnote_emulator::DB_FILE).exists());

    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    assert_eq!(
        api.get(&format!("/v2/projects/{id}")).await.body["name"],
        "durable"
    );
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test]
async fn shutdown_over_http_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn(dir.path()).await;
    let id = Api::at(&url, Some(KEY)).project("kept").await;
    assert_eq!(control(&url, "/shutdown", json!({})).await, 202);
    let exit = child.wait().await.unwrap();
    assert!(exit.success(), "{exit:?}");
    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    assert_eq!(api.get(&format!("/v2/projects/{id}")).await.status, 200);
    child.start_kill().unwrap();
    child.wait().await.unwrap();
}

#[tokio::test]
async fn request_logs_never_show_the_key() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepnote-emulator"))
        .args([
            "--port",
            "0",
            "--log",
            "info",
            "--key",
            &format!("{KEY}:ws-p:u-p:admin"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().unwrap();
    let url = line.split_whitespace().last().unwrap().to_string();
    let api = Api::at(&url, Some(KEY));
    api.project("logged").await;
    api.with_key("wrong-key-value").get("/v2/me").await;
    assert_eq!(control(&url, "/shutdown", json!({})).await, 202);
    let out = child.wait_with_output().await.unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("/v2/projects"),
        "requests are logged at info: {log}"
    );
    assert!(
        !log.contains(KEY) && !log.contains("wrong-key-value"),
        "{log}"
    );
}
