//! Apps as a user has them, against the emulator: a Streamlit app created, waited for and
//! found again; a folder published as the static site (files afterwards, edits, pruning,
//! what was left alone); the site's settings; a run read the way an app viewer reads it.

use crate::common;

use common::*;
use deepnote::Error;
use deepnote::apps::AppStatus;
use deepnote::projects::PublishEvent;
use deepnote_emulator::Emulator;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn upload(client: &deepnote::Client, path: &str, bytes: &'static [u8]) {
    client
        .files()
        .upload(SAMPLE_PROJECT_ID, path)
        .from_reader(bytes, Some(bytes.len() as u64))
        .await
        .unwrap();
}

async fn starting_in(delay: Duration) -> (Emulator, deepnote::Client) {
    start(Emulator::builder().streamlit_start_delay(delay)).await
}

/// A control call to the emulator (outside the API), as its tests make them.
async fn control(
    emu: &Emulator,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .request(method, format!("{}/_emulator{path}", emu.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn a_streamlit_app_is_created_waited_for_and_found_again() {
    let (emu, client) = starting_in(Duration::from_millis(300)).await;
    upload(&client, "apps/dash.py", b"import streamlit as st\n").await;

    // The leading slash is dropped, as Deepnote's client drops it.
    let app = client
        .apps()
        .create(SAMPLE_PROJECT_ID, "/apps/dash.py")
        .await
        .unwrap();
    assert_eq!(app.entrypoint, "apps/dash.py");
    assert_eq!(app.project_id.as_str(), SAMPLE_PROJECT_ID);
    let sent = requests(&emu, "POST", "/v2/streamlit-apps");
    assert_eq!(sent.len(), 1);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    client
        .apps()
        .wait_running(&app.id)
        .on_status(move |s| log.lock().unwrap().push(s.clone()))
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first(), Some(&AppStatus::Starting), "{seen:?}");
    assert_eq!(seen.last(), Some(&AppStatus::Running), "{seen:?}");
    assert!(client.apps().status(&app.id).await.unwrap().is_running());

    let listed = client.apps().list(SAMPLE_PROJECT_ID).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], app);

    // Publishing the same file again finds the app: nothing created, the machine left alone.
    let again = client
        .apps()
        .ensure(SAMPLE_PROJECT_ID, "apps/dash.py")
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.app.id, app.id);
    // A plain create of it is the server's 409.
    let e = client
        .apps()
        .create(SAMPLE_PROJECT_ID, "apps/dash.py")
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(409), "{e}");
}

#[tokio::test]
async fn a_wait_that_runs_out_is_a_typed_timeout_naming_the_app_and_its_last_status() {
    let (emu, client) = starting_in(Duration::from_secs(3600)).await;
    upload(&client, "app.py", b"").await;
    let app = client
        .apps()
        .create(SAMPLE_PROJECT_ID, "app.py")
        .await
        .unwrap();
    let e = client
        .apps()
        .wait_running(&app.id)
        .deadline(Duration::from_millis(1500))
        .await
        .unwrap_err();
    match &e {
        Error::AppTimeout {
            app_id,
            last_status,
            waited,
        } => {
            assert_eq!(app_id, &app.id);
            assert_eq!(last_status, &Some(AppStatus::Starting));
            assert!(*waited >= Duration::from_millis(1500), "{waited:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(app.id.as_str()), "{e}");

    // `unavailable` is waited through like `starting`, and named when the wait ends there.
    let path = format!("/streamlit-apps/{}/status", app.id);
    control(
        &emu,
        reqwest::Method::PUT,
        &path,
        serde_json::json!({ "status": "unavailable" }),
    )
    .await;
    let e = client
        .apps()
        .wait_running(&app.id)
        .deadline(Duration::from_millis(1200))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::AppTimeout {
                last_status: Some(AppStatus::Unavailable),
                ..
            }
        ),
        "{e:?}"
    );
}

/// The status answers Deepnote's client meets while an app starts, in order, then `running`:
/// a 429 asking for 2 s, a 503, a status this crate does not know.
#[tokio::test]
async fn a_start_wait_rides_out_a_429_a_503_and_an_unknown_status() {
    use axum::http::{Response, StatusCode};
    use std::sync::atomic::{AtomicUsize, Ordering};
    const APP: &str = "5b0c1c9e-4a39-4f7a-9d1a-2b8f6c3e7a10";
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let app = axum::Router::new().fallback(move || {
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move {
            let (status, body) = match n {
                0 => (429, r#"{"message":"slow down"}"#),
                1 => (503, r#"{"message":"restarting"}"#),
                2 => (200, r#"{"status":"rebuilding"}"#),
                _ => (200, r#"{"status":"running"}"#),
            };
            let mut answer = Response::builder()
                .status(StatusCode::from_u16(status).unwrap())
                .header("content-type", "application/json");
            if status == 429 {
                answer = answer.header("retry-after", "2");
            }
            answer.body(axum::body::Body::from(body)).unwrap()
        }
    });
    let client = stub_client(&stub(app).await);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let log = statuses.clone();
    let started = std::time::Instant::now();
    client
        .apps()
        .wait_running(APP)
        .on_status(move |s| log.lock().unwrap().push(s.clone()))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "the 429's 2 s were waited out, not skipped"
    );
    assert_eq!(
        seen.load(Ordering::SeqCst),
        4,
        "each answer read once, then done"
    );
    assert_eq!(
        *statuses.lock().unwrap(),
        [AppStatus::Unknown("rebuilding".into()), AppStatus::Running]
    );
}

#[tokio::test]
async fn bad_entrypoints_and_missing_files_are_refused_naming_them() {
    let (emu, client) = sample().await;
    for bad in ["../app.py", "apps/", " app.py"] {
        let e = client
            .apps()
            .create(SAMPLE_PROJECT_ID, bad)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{bad:?}: {e:?}");
        assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
    }
    assert!(
        requests(&emu, "POST", "/v2/streamlit-apps").is_empty(),
        "nothing was sent"
    );
    let e = client
        .apps()
        .create(SAMPLE_PROJECT_ID, "nowhere.py")
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(404), "{e}");
    assert!(e.to_string().contains("nowhere.py"), "{e}");
}

fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

async fn remote_files(client: &deepnote::Client) -> Vec<String> {
    let project = client.projects().get(SAMPLE_PROJECT_ID).await.unwrap();
    let mut paths: Vec<String> = project.files.unwrap().into_iter().map(|f| f.path).collect();
    paths.sort();
    paths
}

async fn read(client: &deepnote::Client, path: &str) -> String {
    let mut bytes = Vec::new();
    client
        .files()
        .download(SAMPLE_PROJECT_ID, path)
        .to_writer(&mut bytes)
        .await
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_site_is_published_republished_with_an_edit_and_pruned_and_nothing_else_is_touched() {
    let (emu, client) = sample().await;
    // A file of the project outside the site, and one inside that the folder never had.
    upload(&client, "data/sales.csv", b"region,total\n").await;
    let site = deepnote_test_support::scratch::dir("publish");
    write(site.as_path(), "index.html", "<h1>v1</h1>");
    write(site.as_path(), "assets/app.js", "console.log(1)");
    write(site.as_path(), "old.txt", "old");

    let events = Arc::new(Mutex::new(Vec::new()));
    let log = events.clone();
    let report = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .on_event(move |e| log.lock().unwrap().push(e.clone()))
        .apply()
        .await
        .unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.uploaded.len(), 3);
    assert_eq!(events.lock().unwrap().len(), 3);
    let settings = report.static_files.clone().unwrap();
    assert!(settings.sharing_enabled, "publishing turns sharing on");
    assert_eq!(
        report.url.as_deref(),
        Some(format!("{}/", settings.url.trim_end_matches('/')).as_str())
    );
    let after = client.projects().get(SAMPLE_PROJECT_ID).await.unwrap();
    assert!(
        after.static_files.unwrap().sharing_enabled,
        "and GET project says so"
    );
    assert_eq!(
        remote_files(&client).await,
        [
            "_deepnote_static/assets/app.js",
            "_deepnote_static/index.html",
            "_deepnote_static/old.txt",
            "data/sales.csv"
        ]
    );

    // Locally: an edit, a deletion. The dry run says what would happen and changes nothing.
    write(site.as_path(), "index.html", "<h1>v2</h1>");
    std::fs::remove_file(site.as_path().join("old.txt")).unwrap();
    let before = emu.journal().len();
    let publish = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .prune(true);
    let plan = publish.plan().await.unwrap();
    assert_eq!(emu.journal().len(), before + 1, "a plan is one read");
    assert_eq!(plan.removals, ["_deepnote_static/old.txt"]);
    assert!(plan.uploads.iter().all(|u| u.replaces), "{plan:?}");
    assert!(!plan.changes_settings, "sharing is on already");
    assert_eq!(
        read(&client, "_deepnote_static/index.html").await,
        "<h1>v1</h1>"
    );

    // Published with prune: the edit is served, the deleted file gone, the rest untouched.
    let removed = Arc::new(Mutex::new(Vec::new()));
    let log = removed.clone();
    let report = publish
        .on_event(move |e| {
            if let PublishEvent::Removed { path } = e {
                log.lock().unwrap().push(path.clone());
            }
        })
        .apply()
        .await
        .unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(*removed.lock().unwrap(), ["_deepnote_static/old.txt"]);
    assert_eq!(
        read(&client, "_deepnote_static/index.html").await,
        "<h1>v2</h1>"
    );
    assert_eq!(
        remote_files(&client).await,
        [
            "_deepnote_static/assets/app.js",
            "_deepnote_static/index.html",
            "data/sales.csv"
        ]
    );

    // Without prune, a file the folder lacks stays.
    std::fs::remove_file(site.as_path().join("assets/app.js")).unwrap();
    let report = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .apply()
        .await
        .unwrap();
    assert!(report.removed.is_empty());
    assert!(
        remote_files(&client)
            .await
            .contains(&"_deepnote_static/assets/app.js".to_string())
    );
}

#[tokio::test]
async fn a_folder_with_secrets_or_outside_the_static_root_is_refused_before_anything_is_sent() {
    let (emu, client) = sample().await;
    let site = deepnote_test_support::scratch::dir("publish");
    write(site.as_path(), "index.html", "x");
    write(site.as_path(), ".env", "DEEPNOTE_API_KEY=secret");
    emu.clear_journal();
    let e = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .apply()
        .await
        .unwrap_err();
    assert!(e.to_string().contains(".env"), "{e}");
    std::fs::remove_file(site.as_path().join(".env")).unwrap();
    let e = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .target("data")
        .plan()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("_deepnote_static"), "{e}");
    let e = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path().join("missing"))
        .plan()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
    assert!(
        emu.journal().is_empty(),
        "nothing was sent: {:?}",
        emu.journal()
    );
}

#[tokio::test]
async fn a_plan_is_applied_as_read_and_a_plan_of_another_target_is_refused_unsent() {
    let (emu, client) = sample().await;
    let site = deepnote_test_support::scratch::dir("publish");
    write(site.as_path(), "index.html", "plan");
    let publish = client.projects().publish(SAMPLE_PROJECT_ID, site.as_path());
    let plan = publish.plan().await.unwrap();

    let other = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .target("_deepnote_static/docs");
    emu.clear_journal();
    let e = other.apply_plan(plan.clone()).await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert!(emu.journal().is_empty(), "nothing was sent");

    let report = publish.apply_plan(plan).await.unwrap();
    assert!(report.is_complete(), "{report:?}");
    let reads = requests(&emu, "GET", "/v2/projects/").len();
    assert_eq!(reads, 0, "the plan's read is not made again");
    assert!(
        remote_files(&client)
            .await
            .contains(&"_deepnote_static/index.html".to_string())
    );
}

#[tokio::test]
async fn a_folder_below_the_root_is_served_below_the_apps_address() {
    let (_emu, client) = sample().await;
    let site = deepnote_test_support::scratch::dir("publish");
    write(site.as_path(), "index.html", "docs");
    let report = client
        .projects()
        .publish(SAMPLE_PROJECT_ID, site.as_path())
        .target("_deepnote_static/docs")
        .api_access(true)
        .apply()
        .await
        .unwrap();
    let settings = report.static_files.unwrap();
    assert!(settings.api_access_enabled);
    assert!(report.url.unwrap().ends_with("/docs/"));
    assert!(
        remote_files(&client)
            .await
            .contains(&"_deepnote_static/docs/index.html".to_string())
    );
}

#[tokio::test]
async fn site_settings_persist_and_api_access_without_sharing_is_refused_unsent() {
    let (emu, client) = sample().await;
    let updated = client
        .projects()
        .update(SAMPLE_PROJECT_ID)
        .sharing(true)
        .api_access(true)
        .await
        .unwrap();
    assert_eq!(updated.id.as_str(), SAMPLE_PROJECT_ID);
    let read = client.projects().get(SAMPLE_PROJECT_ID).await.unwrap();
    let s = read.static_files.unwrap();
    assert!(s.sharing_enabled && s.api_access_enabled);

    emu.clear_journal();
    for refused in [
        client
            .projects()
            .update(SAMPLE_PROJECT_ID)
            .sharing(false)
            .api_access(true),
        client.projects().update(SAMPLE_PROJECT_ID),
    ] {
        let e = refused.await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        assert!(e.to_string().contains(SAMPLE_PROJECT_ID), "{e}");
    }
    assert!(emu.journal().is_empty(), "nothing was sent");

    // Sharing off turns API access off with it.
    client
        .projects()
        .update(SAMPLE_PROJECT_ID)
        .sharing(false)
        .await
        .unwrap();
    let s = client
        .projects()
        .get(SAMPLE_PROJECT_ID)
        .await
        .unwrap()
        .static_files
        .unwrap();
    assert!(!s.sharing_enabled && !s.api_access_enabled);
}

#[tokio::test]
async fn a_run_read_with_an_app_viewer_token_carries_its_blocks_outputs() {
    let (emu, client) = sample().await;
    client
        .projects()
        .update(SAMPLE_PROJECT_ID)
        .sharing(true)
        .api_access(true)
        .await
        .unwrap();
    let minted = control(
        &emu,
        reqwest::Method::POST,
        "/viewer-tokens",
        serde_json::json!({ "projectId": SAMPLE_PROJECT_ID, "userId": "ana" }),
    )
    .await;
    let viewer = client_for(&emu, minted["token"].as_str().unwrap());
    let run = viewer
        .runs()
        .create(SAMPLE_NOTEBOOK_ID)
        .input("region", "APAC")
        .await
        .unwrap();
    let done = viewer.runs().wait(run.id()).await.unwrap();
    let blocks = done
        .snapshot_blocks
        .expect("a viewer's run carries snapshotBlocks");
    assert!(done.snapshot.is_none(), "and never the snapshot");
    assert!(!blocks.is_empty());
    let printed = serde_json::to_string(&blocks).unwrap();
    assert!(printed.contains("Loaded sales for APAC"), "{printed}");
    // A key's read of the same run has the snapshot, not the blocks.
    let full = client.runs().get(done.id).await.unwrap();
    assert!(full.snapshot_blocks.is_none());
}
