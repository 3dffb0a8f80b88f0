//! Persistence: the binary with `--data-dir` loses no acknowledged write across `kill -9`,
//! resumes unfinished runs, and flushes on SIGTERM.

use crate::common;

use common::Api;
use serde_json::json;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const KEY: &str = "persist-key";

async fn spawn(dir: &Path) -> (Child, String) {
    spawn_in(dir, "spec").await
}

async fn spawn_in(dir: &Path, dialect: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepnote-emulator"))
        .args([
            "--dialect",
            dialect,
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

/// Waits until the child has exited. Polls instead of `Child::wait`, which once hung in CI
/// after the process was already gone (this binary runs many tokio runtimes at once, and the
/// exit was not seen by the one waiting); a child that was reaped already counts as exited.
async fn reap(child: &mut Child) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) if std::time::Instant::now() > deadline => panic!("the emulator did not exit"),
            Ok(None) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
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
    reap(&mut child).await;
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
    reap(&mut child).await;
}

/// What a writer was told it had made.
#[derive(Debug, Clone)]
enum Acked {
    Project(String),
    Notebook(String),
    Run(String),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_200_concurrent_writes_keeps_every_acknowledged_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    let base = api.project("base").await;
    let nb = api.notebook(&base).await;

    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..200usize {
        let api = api.clone();
        let (acked, base, nb) = (acked.clone(), base.clone(), nb.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let (path, body) = match (w + i) % 3 {
                    0 => ("/v2/projects", json!({"name": format!("w{w}-{i}")})),
                    1 => (
                        "/v2/notebooks",
                        json!({"projectId": base, "name": format!("w{w}-{i}")}),
                    ),
                    _ => (
                        "/v2/runs",
                        json!({"notebookId": nb, "inputs": {"w": w, "i": i}}),
                    ),
                };
                let r = api
                    .try_raw(
                        reqwest::Method::POST,
                        path,
                        Some(body.to_string().into_bytes()),
                    )
                    .await;
                let Ok(r) = r else { break };
                let made = match (w + i) % 3 {
                    0 if r.status == 200 => Acked::Project(r.body["id"].as_str().unwrap().into()),
                    1 if r.status == 200 => {
                        Acked::Notebook(r.body["notebook"]["id"].as_str().unwrap().into())
                    }
                    2 if r.status == 202 => Acked::Run(r.body["runId"].as_str().unwrap().into()),
                    _ => panic!("{path}: {} {:?}", r.status, r.body),
                };
                acked.lock().unwrap().push(made);
            }
        }));
    }
    // Kill once writes are flowing, with most of the 200 writers mid-request.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while acked.lock().unwrap().len() < 600 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap(); // SIGKILL
    reap(&mut child).await;
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 200,
        "only {} writes were acknowledged",
        acked.len()
    );

    // The data directory as the crash left it: no record without what it belongs to, no
    // project without its first notebook, every record readable.
    {
        let db = rusqlite::Connection::open(dir.path().join(deepnote_emulator::DB_FILE)).unwrap();
        let orphans = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            orphans(
                "SELECT COUNT(*) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM notebooks n WHERE n.project_id = p.id)"
            ),
            0,
            "a project without its first notebook"
        );
        assert_eq!(
            orphans(
                "SELECT COUNT(*) FROM notebooks n WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = n.project_id)"
            ),
            0
        );
        assert_eq!(
            orphans(
                "SELECT COUNT(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM notebooks n WHERE n.id = r.notebook_id)"
            ),
            0
        );
        for table in ["projects", "notebooks", "runs"] {
            let mut rows = db.prepare(&format!("SELECT data FROM {table}")).unwrap();
            let data = rows.query_map([], |r| r.get::<_, String>(0)).unwrap();
            for d in data {
                let d = d.unwrap();
                serde_json::from_str::<serde_json::Value>(&d)
                    .unwrap_or_else(|e| panic!("a half-written {table} record ({e}): {d}"));
            }
        }
    }

    let (mut child, url) = spawn(dir.path()).await;
    let api = Api::at(&url, Some(KEY));
    let (mut projects, mut notebooks, mut runs) = (0, 0, 0);
    for made in &acked {
        let path = match made {
            Acked::Project(id) => {
                projects += 1;
                format!("/v2/projects/{id}")
            }
            Acked::Notebook(id) => {
                notebooks += 1;
                format!("/v2/notebooks/{id}")
            }
            Acked::Run(id) => {
                runs += 1;
                format!("/v2/runs/{id}")
            }
        };
        assert_eq!(api.get(&path).await.status, 200, "lost {made:?}");
    }
    eprintln!(
        "kill -9 under 200 writers: {} acknowledged ({projects} projects, {notebooks} notebooks, {runs} runs), all there after the restart",
        acked.len()
    );
    child.start_kill().unwrap();
    reap(&mut child).await;
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
    reap(&mut child).await;
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
    reap(&mut child).await;
}

#[tokio::test]
async fn request_logs_never_show_the_key() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_deepnote-emulator"))
        .args([
            "--dialect",
            "spec",
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

#[tokio::test]
async fn the_live_dialect_persists_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = spawn_in(dir.path(), "live").await;
    let api = Api::at_in(common::Dialect::Live, &url, Some(KEY));
    let project = api.project("kept").await;
    let nb = api.notebook(&project).await;
    let run = api.run(&nb).await;
    child.start_kill().unwrap();
    reap(&mut child).await;

    let (mut child, url) = spawn_in(dir.path(), "live").await;
    let api = Api::at_in(common::Dialect::Live, &url, Some(KEY));
    let r = api.get(&format!("/v2/projects/{project}")).await;
    assert_eq!(r.status, 200);
    let names: Vec<&str> = r.body["project"]["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Notebook 1", "nb"]);
    // The duplicate-name rule holds across the restart.
    let r = api
        .post("/v2/notebooks", json!({"projectId": project, "name": "nb"}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(api.get(&format!("/v2/runs/{run}")).await.status, 200);
    child.start_kill().unwrap();
    reap(&mut child).await;
}

/// Snapshot download URLs are signed with a secret of their own, not the page-token secret,
/// and it is kept in the data directory: a URL handed out before a restart still downloads
/// after it, and no other token does.
#[tokio::test]
async fn snapshot_urls_have_their_own_persisted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        common::live_builder()
            .seed_sample()
            .freeze_clock()
            .data_dir(dir.path())
            .start()
    };
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let run = api.run(deepnote_emulator::SAMPLE_NOTEBOOK_ID).await;
    emu.advance_clock(std::time::Duration::from_secs(5));
    let r = api.get(&format!("/v2/runs/{run}")).await;
    let url = r.body["run"]["snapshotDownloadUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("a download URL: {:?}", r.body))
        .to_string();
    let token = url
        .rsplit_once("/_emulator/snapshots/")
        .unwrap()
        .1
        .to_string();
    emu.shutdown().await;

    let db = rusqlite::Connection::open(dir.path().join(deepnote_emulator::DB_FILE)).unwrap();
    let meta = |key: &str| -> String {
        db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    };
    let (pages, snapshots) = (meta("secret"), meta("snapshot-secret"));
    assert_eq!((pages.len(), snapshots.len()), (64, 64));
    assert_ne!(pages, snapshots);
    drop(db);

    let emu = start().await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let get = |token: String| {
        let url = format!("{}/_emulator/snapshots/{token}", emu.base_url());
        let http = http.clone();
        async move { http.get(url).send().await.unwrap() }
    };
    let again = get(token.clone()).await;
    assert_eq!(again.status(), 200);
    let yaml = again.text().await.unwrap();
    assert!(
        yaml.contains(deepnote_emulator::SAMPLE_NOTEBOOK_ID),
        "{yaml}"
    );
    let (id, sig) = token.split_once('.').unwrap();
    let flipped: String = sig
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    assert_eq!(get(format!("{id}.{flipped}")).await.status(), 404);
    emu.shutdown().await;
}

/// A run's snapshot is what ran, also across restarts: the blocks a run froze at its start are
/// stored with it, so an edit before or after a restart changes no earlier run's snapshot.
#[tokio::test]
async fn a_runs_snapshot_survives_edits_and_restarts_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        common::live_builder()
            .seed_sample()
            .freeze_clock()
            .data_dir(dir.path())
            .start()
    };
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let nb = api.notebook(deepnote_emulator::SAMPLE_PROJECT_ID).await;
    let r = api
        .post(
            "/v2/blocks",
            json!({"notebookId": nb, "type": "code", "content": "print('what ran')"}),
        )
        .await;
    let block = r.body["block"]["id"].as_str().unwrap().to_string();
    let run = api.run(&nb).await;
    emu.advance_clock(std::time::Duration::from_secs(5));
    let inline = format!("/v2/runs/{run}?snapshotDelivery=inline");
    let before = api.get(&inline).await.body["run"]["snapshotContent"]
        .as_str()
        .expect("an inline snapshot")
        .to_string();
    assert!(before.contains("print('what ran')"), "{before}");
    let edit = |content: &'static str| {
        let api = api.clone();
        let path = format!("/v2/blocks/{block}");
        async move {
            let r = api.patch(&path, json!({ "content": content })).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
    };
    edit("print('edited before the restart')").await;
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let after_restart = api.get(&inline).await.body["run"]["snapshotContent"]
        .as_str()
        .expect("an inline snapshot")
        .to_string();
    assert_eq!(after_restart, before, "the same document after the restart");
    let path = format!("/v2/blocks/{block}");
    let r = api
        .patch(
            &path,
            json!({"content": "print('edited after the restart')"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let url = api.get(&format!("/v2/runs/{run}")).await.body["run"]["snapshotDownloadUrl"]
        .as_str()
        .expect("a download URL")
        .to_string();
    let downloaded = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(downloaded, before, "the download is what ran too");
    emu.shutdown().await;
}
