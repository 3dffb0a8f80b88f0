//! Run outcomes, deadlines, progress and snapshots, against the emulator.

use crate::common;

use deepnote::{
    Error, StreamExt,
    runs::{RunStatus, WaitPolicy},
};
use deepnote_emulator::{Behaviour, Emulator, Outcome};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const NB: &str = common::SAMPLE_NOTEBOOK_ID;

fn quick() -> WaitPolicy {
    WaitPolicy::default().first_delay(Duration::from_millis(20))
}

#[tokio::test]
async fn each_failed_outcome_is_a_typed_error_with_the_run_and_message() {
    // The original spec's dialect reports each failure's message as given; the live one
    // (whose `error` is null) is covered by the snapshot-derived reason's own tests.
    let (emu, client) = common::start(
        deepnote_emulator::Emulator::builder().dialect(deepnote_emulator::Dialect::Spec),
    )
    .await;
    let cases = [
        (Outcome::Error, "error", Some("ZeroDivisionError")),
        (
            Outcome::InternalError,
            "internal_error",
            Some("machine lost"),
        ),
        (Outcome::Stopped, "stopped", None),
    ];
    // With no reason from Deepnote and no error output, the message says so.
    let no_reason = "the run finished with status stopped and Deepnote reported no reason";
    for (outcome, status, message) in cases {
        let mut behaviour = Behaviour::new(Duration::from_millis(50), outcome);
        if let Some(m) = message {
            behaviour = behaviour.message(m);
        }
        emu.set_behaviour(NB, behaviour);
        let handle = client.runs().create(NB).await.unwrap();
        match handle.wait().policy(quick()).await {
            Err(Error::RunFailed { run, message: got }) => {
                assert_eq!(run.status.as_str(), status);
                assert_eq!(run.id, handle.id());
                assert_eq!(got.as_deref(), message.or(Some(no_reason)), "{status}");
                let shown = Error::RunFailed { run, message: got }.to_string();
                assert!(shown.contains(status), "{shown}");
            }
            other => panic!("{status}: expected RunFailed, got {other:?}"),
        }
    }
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_millis(50), Outcome::Success),
    );
    let run = client
        .runs()
        .create(NB)
        .await
        .unwrap()
        .wait()
        .policy(quick())
        .await
        .unwrap();
    assert!(run.is_success());
}

#[tokio::test]
async fn a_deadline_gives_a_timeout_with_the_last_status() {
    let (emu, client) = common::start(Emulator::builder().freeze_clock()).await;
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_secs(10), Outcome::Success),
    );
    let handle = client.runs().create(NB).await.unwrap();
    // With the clock frozen the run never leaves `pending`.
    let e = client
        .runs()
        .wait(handle.id())
        .policy(quick().deadline(Duration::from_millis(300)))
        .await
        .unwrap_err();
    match e {
        Error::Timeout {
            run_id,
            last_status,
            waited,
        } => {
            assert_eq!(run_id, handle.id());
            assert_eq!(last_status, RunStatus::Pending);
            assert!(waited >= Duration::from_millis(300));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    // Move the virtual clock into `running`, then past the end.
    emu.advance_clock(Duration::from_secs(5));
    let e = handle
        .wait()
        .deadline(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Timeout {
                last_status: RunStatus::Running,
                ..
            }
        ),
        "{e:?}"
    );
    emu.advance_clock(Duration::from_secs(6));
    assert!(
        handle
            .wait()
            .deadline(Duration::from_millis(100))
            .await
            .unwrap()
            .is_success()
    );
}

#[tokio::test]
async fn progress_reports_each_status_once_in_order() {
    let (emu, client) = common::start(Emulator::builder().freeze_clock()).await;
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_secs(10), Outcome::Success),
    );
    let handle = client.runs().create(NB).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let record = seen.clone();
    let waiting = tokio::spawn(
        handle
            .wait()
            .policy(quick())
            .on_progress(move |run| {
                record.lock().unwrap().push(run.status.clone());
                let _ = tx.send(run.status.clone());
            })
            .send(),
    );
    // Move the virtual clock only once the waiter has reported the status before.
    assert_eq!(rx.recv().await, Some(RunStatus::Pending));
    emu.advance_clock(Duration::from_secs(3));
    assert_eq!(rx.recv().await, Some(RunStatus::Running));
    emu.advance_clock(Duration::from_secs(8));
    let run = waiting.await.unwrap().unwrap();
    assert!(run.is_success());
    assert_eq!(
        *seen.lock().unwrap(),
        vec![RunStatus::Pending, RunStatus::Running, RunStatus::Success]
    );

    // The same as a stream.
    let handle = client.runs().create(NB).await.unwrap();
    let mut changes = handle.wait().policy(quick()).status_changes();
    assert_eq!(
        changes.next().await.unwrap().unwrap().status,
        RunStatus::Pending
    );
    emu.advance_clock(Duration::from_secs(3));
    assert_eq!(
        changes.next().await.unwrap().unwrap().status,
        RunStatus::Running
    );
    emu.advance_clock(Duration::from_secs(8));
    assert_eq!(
        changes.next().await.unwrap().unwrap().status,
        RunStatus::Success
    );
    assert!(changes.next().await.is_none());
}

#[tokio::test]
async fn a_snapshot_on_another_origin_never_gets_the_key() {
    // The emulator serves download URLs on `localhost` while the client talks to 127.0.0.1.
    let (emu, client) = common::start(Emulator::builder().download_host("localhost")).await;
    let handle = client.runs().create(NB).await.unwrap();
    handle.wait().policy(quick()).await.unwrap();
    let run = client
        .runs()
        .get(handle.id())
        .snapshot_delivery(deepnote::runs::SnapshotDelivery::DownloadUrl)
        .await
        .unwrap();
    let Some(deepnote::runs::SnapshotRef::DownloadUrl(url)) = &run.snapshot else {
        panic!("expected a download URL, got {:?}", run.snapshot);
    };
    assert!(url.starts_with("http://localhost:"), "{url}");
    emu.clear_journal();
    let snapshot = deepnote_download(&client, handle.id()).await;
    assert!(snapshot.text().contains(NB));
    let downloads = common::requests(&emu, "GET", "/_emulator/snapshots/");
    assert_eq!(downloads.len(), 1, "{:?}", emu.journal());
    assert!(
        !downloads[0].authorization,
        "the key went to another origin"
    );
}

#[tokio::test]
async fn a_snapshot_on_the_api_origin_may_get_the_key() {
    let (emu, client) = common::sample().await;
    let handle = client.runs().create(NB).await.unwrap();
    handle.wait().policy(quick()).await.unwrap();
    emu.clear_journal();
    let snapshot = deepnote_download(&client, handle.id()).await;
    assert!(
        snapshot
            .parse()
            .unwrap()
            .project
            .notebooks
            .iter()
            .any(|n| n.id == NB)
    );
    let downloads = common::requests(&emu, "GET", "/_emulator/snapshots/");
    assert_eq!(downloads.len(), 1);
    assert!(downloads[0].authorization);
}

/// Read a snapshot the way a download-URL server delivers it.
async fn deepnote_download(
    client: &deepnote::Client,
    id: deepnote::RunId,
) -> deepnote::runs::Snapshot {
    client
        .runs()
        .snapshot_with(id, deepnote::runs::SnapshotDelivery::DownloadUrl)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_snapshot_holds_the_runs_inputs_and_outputs() {
    let (emu, client) = common::sample().await;
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_millis(30), Outcome::Error).message("boom"),
    );
    let handle = client
        .runs()
        .create(NB)
        .input("region", "APAC")
        .await
        .unwrap();
    assert!(matches!(
        handle.wait().policy(quick()).await,
        Err(Error::RunFailed { .. })
    ));
    let doc = handle.snapshot().await.unwrap().parse().unwrap();
    let notebook = doc.project.notebooks.iter().find(|n| n.id == NB).unwrap();
    let executed: Vec<_> = notebook
        .blocks
        .iter()
        .filter(|b| b.execution_count.is_some())
        .collect();
    assert!(!executed.is_empty());
    let last = executed.last().unwrap();
    assert!(
        last.outputs
            .iter()
            .any(|o| o.get("output_type").and_then(|t| t.as_str()) == Some("error")),
        "{last:?}"
    );
    assert!(handle.snapshot().await.unwrap().text().contains("APAC"));
}

#[tokio::test]
async fn inputs_are_checked_with_one_read_per_create_and_one_per_notebook_in_a_batch() {
    let (emu, client) = common::sample().await;
    let reads = |emu: &Emulator| common::requests(emu, "GET", "/v2/notebooks/").len();
    let before = reads(&emu);
    client.runs().create(NB).await.unwrap();
    assert_eq!(reads(&emu), before, "no inputs, nothing to check");
    client
        .runs()
        .create(NB)
        .input("region", "EMEA")
        .await
        .unwrap();
    assert_eq!(reads(&emu), before + 1);

    // `region` is the sample notebook's input block.
    let before = reads(&emu);
    let requests = (0..6).map(|i| deepnote::runs::RunRequest::new(NB).input("region", i));
    let outcomes = client
        .runs()
        .run_many(requests)
        .wait_policy(quick())
        .collect()
        .await;
    assert_eq!(outcomes.len(), 6);
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:?}");
    assert_eq!(
        reads(&emu),
        before + 1,
        "one read for the batch's one notebook"
    );
}
