//! Reading a run's snapshot the way Deepnote's client does (CLIENT-FACTS #13, #14): a failed
//! read is tried again inside the settle window, a relative download URL is the API's own
//! (resolved against the base, sent with the key), and a run that carries its snapshot needs
//! no request at all.

use crate::common;

use deepnote::{Client, Error, RunId, runs::SnapshotDelivery};
use deepnote_test_support::{Reply, Stub};
use serde_json::json;

const RUN: &str = "00000000-0000-4000-8000-0000000000aa";
const DOC: &str = "version: 1.0.0\nproject:\n  id: p\n  name: P\n  notebooks: []\n";

/// Without the client's own retries: what is counted is the settle window's looks.
fn client(stub: &Stub) -> Client {
    common::stub_client(&stub.url())
}

fn finished(extra: serde_json::Value) -> Reply {
    let mut run = json!({"runId": RUN, "status": "success", "notebookId": "nb",
                         "createdAt": "2026-12-01T00:00:00Z", "completedAt": "2026-12-01T00:00:01Z"});
    run.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    Reply::json(200, run)
}

#[tokio::test]
async fn a_failed_read_is_tried_again_within_the_settle_window() {
    let stub = Stub::start(vec![
        Reply::json(503, json!({"message": "busy"})),
        Reply::json(502, json!({"message": "gateway"})),
        finished(json!({"snapshotContent": DOC})),
    ])
    .await;
    let id = RunId::parse(RUN).unwrap();
    let snapshot = client(&stub).runs().snapshot(id).await.unwrap();
    assert_eq!(snapshot.text(), DOC);
    assert_eq!(stub.seen().len(), 3);
}

#[tokio::test]
async fn reads_that_keep_failing_end_with_the_last_error_and_one_that_cannot_succeed_at_once() {
    // Six looks, every one refused: the last error is the answer.
    let stub = Stub::start(
        (0..6)
            .map(|_| Reply::json(503, json!({"message": "busy"})))
            .collect(),
    )
    .await;
    let id = RunId::parse(RUN).unwrap();
    let e = client(&stub).runs().snapshot(id).await.unwrap_err();
    assert_eq!(
        e.status(),
        Some(deepnote::error::StatusCode::SERVICE_UNAVAILABLE),
        "{e}"
    );
    assert_eq!(stub.seen().len(), 6);
    // A 404 is not going to change: no second look.
    let stub = Stub::start(vec![Reply::json(404, json!({"message": "no such run"}))]).await;
    let e = client(&stub).runs().snapshot(id).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn a_relative_download_url_is_the_apis_own_and_gets_the_key() {
    let stub = Stub::answering(|seen| {
        if seen.path_only() == "/v2/runs/snapshots/abc" {
            Reply::text(200, DOC)
        } else {
            finished(json!({"snapshotDownloadUrl": "runs/snapshots/abc?sig=1"}))
        }
    })
    .await;
    let id = RunId::parse(RUN).unwrap();
    let snapshot = client(&stub)
        .runs()
        .snapshot_with(id, SnapshotDelivery::DownloadUrl)
        .await
        .unwrap();
    assert_eq!(snapshot.text(), DOC);
    let seen = stub.seen();
    let download = seen.last().unwrap();
    assert_eq!(download.path, "/v2/runs/snapshots/abc?sig=1");
    assert_eq!(
        download.headers["authorization"].to_str().unwrap(),
        "Bearer stub-key-0123456789"
    );
    // A path from the root stays at the root of the API's origin.
    let stub = Stub::answering(|seen| {
        if seen.path_only() == "/files/abc" {
            Reply::text(200, DOC)
        } else {
            finished(json!({"snapshotDownloadUrl": "/files/abc"}))
        }
    })
    .await;
    let text = client(&stub)
        .runs()
        .snapshot_with(id, SnapshotDelivery::DownloadUrl)
        .await
        .unwrap();
    assert_eq!(text.text(), DOC);
}

#[tokio::test]
async fn a_run_that_carries_its_snapshot_needs_no_request() {
    let stub = Stub::start(vec![finished(json!({"snapshotContent": DOC}))]).await;
    let client = client(&stub);
    let id = RunId::parse(RUN).unwrap();
    let run = client
        .runs()
        .get(id)
        .snapshot_delivery(SnapshotDelivery::Inline)
        .await
        .unwrap();
    stub.clear();
    let snapshot = client.runs().snapshot_of(&run).await.unwrap();
    assert_eq!(snapshot.text(), DOC);
    assert!(stub.seen().is_empty(), "{:?}", stub.seen().len());
    // One without it reads it.
    stub.push(finished(json!({"snapshotContent": DOC})));
    let mut bare = run.clone();
    bare.snapshot = None;
    assert_eq!(client.runs().snapshot_of(&bare).await.unwrap().text(), DOC);
    assert_eq!(stub.seen().len(), 1);
}

#[tokio::test]
async fn a_carried_url_that_no_longer_answers_is_read_again_from_the_run() {
    let stub = Stub::answering(|seen| match seen.path_only() {
        "/expired" => Reply::json(403, json!({"message": "expired"})),
        _ => finished(json!({"snapshotContent": DOC})),
    })
    .await;
    let client = client(&stub);
    let mut run = client.runs().get(RunId::parse(RUN).unwrap()).await.unwrap();
    run.snapshot = Some(deepnote::runs::SnapshotRef::DownloadUrl(format!(
        "{}/expired",
        stub.url()
    )));
    stub.clear();
    assert_eq!(client.runs().snapshot_of(&run).await.unwrap().text(), DOC);
    let paths: Vec<String> = stub
        .seen()
        .iter()
        .map(|s| s.path_only().to_string())
        .collect();
    assert_eq!(paths, ["/expired", &format!("/v2/runs/{RUN}")], "{paths:?}");
}

#[tokio::test]
async fn a_wait_that_asks_inline_before_the_snapshot_is_attached_still_gets_it() {
    // The live service answers a terminal run with empty content until the snapshot is
    // attached (CLIENT-FACTS #11, #12): the read that saw the end carries none, and
    // `snapshot_of` settles for it.
    let (emu, client) = common::start(
        deepnote_emulator::Emulator::builder().snapshot_delay(std::time::Duration::from_secs(2)),
    )
    .await;
    emu.set_behaviour(
        common::SAMPLE_NOTEBOOK_ID,
        deepnote_emulator::Behaviour::new(
            std::time::Duration::from_millis(50),
            deepnote_emulator::Outcome::Success,
        ),
    );
    let handle = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .await
        .unwrap();
    // Without history: the sample's past runs would put the first read past the delay.
    let run = handle
        .wait()
        .history(false)
        .snapshot_delivery(SnapshotDelivery::Inline)
        .await
        .unwrap();
    assert!(
        run.snapshot.is_none(),
        "not attached yet: {:?}",
        run.snapshot
    );
    let snapshot = client.runs().snapshot_of(&run).await.unwrap();
    assert!(snapshot.parse().is_ok(), "{snapshot:?}");
    emu.shutdown().await;
}
