//! The history-informed wait: one request for the notebook's recent runs, one sleep to just
//! before the expected end, dense reads from there; and without history (none yet, turned off,
//! or unreadable) the schedule for runs of unknown length.

use crate::common;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use deepnote::{Client, NotebookId, RunId, StreamExt, runs::WaitPolicy};
use deepnote_emulator::{Behaviour, Emulator, Outcome};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Start a run of `nb` and wait for it; its id and how long after the run's end (at the
/// latest: the run starts after `t0`) the wait returned.
async fn run_and_wait(
    client: &Client,
    nb: &NotebookId,
    run: Duration,
    history: bool,
) -> (RunId, Duration) {
    let t0 = Instant::now();
    let handle = client.runs().create(nb.clone()).await.unwrap();
    let done = handle.wait().history(history).await.unwrap();
    assert!(done.is_success());
    (handle.id(), t0.elapsed().saturating_sub(run))
}

/// The reads of one run's status.
fn reads(emu: &Emulator, id: RunId) -> usize {
    let path = format!("/v2/runs/{id}");
    common::requests(emu, "GET", &path).len()
}

/// The reads of the notebook's run history.
fn history_reads(emu: &Emulator, nb: &NotebookId) -> usize {
    common::requests(emu, "GET", &format!("/v2/notebooks/{nb}/runs")).len()
}

/// Deepnote's CLI reads at once and then every 2 s: 4 reads for a 5 s run.
const DEEPNOTE_CLI_READS_5S: usize = 4;

/// Slack on top of the wait's bound for this test machine, where a loopback request can take
/// tens of milliseconds under load; the schedule's exact bounds are the planner's unit tests.
const MACHINE_SLACK: Duration = Duration::from_millis(100);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_history_a_5s_run_costs_at_most_twice_deepnote_clis_reads() {
    let (emu, client) = common::sample().await;
    let nb = client
        .notebooks()
        .create(common::SAMPLE_PROJECT_ID)
        .name("history 5s")
        .await
        .unwrap()
        .id;
    let run = Duration::from_secs(5);
    emu.set_behaviour(&nb, Behaviour::new(run, Outcome::Success));

    // The notebook's first run: its history holds no finished run, so the wait asks once and
    // polls on the schedule for runs of unknown length.
    let (first, first_late) = run_and_wait(&client, &nb, run, true).await;
    assert_eq!(history_reads(&emu, &nb), 1);
    assert!(first_late <= run / 10 + MACHINE_SLACK, "{first_late:?}");

    // Now one run with history and one without, side by side.
    let (with, without) = tokio::join!(
        run_and_wait(&client, &nb, run, true),
        run_and_wait(&client, &nb, run, false)
    );
    let ((with, with_late), (without, without_late)) = (with, without);
    assert_eq!(
        history_reads(&emu, &nb),
        2,
        "one history read per wait that wants it"
    );
    let with_reads = reads(&emu, with) + 1;
    let without_reads = reads(&emu, without);
    eprintln!(
        "5 s run: first (history empty) {} reads + 1, with history {with_reads} (incl. the history read), \
         {with_late:?} late; without {without_reads}, {without_late:?} late",
        reads(&emu, first)
    );
    assert!(
        with_reads <= 2 * DEEPNOTE_CLI_READS_5S,
        "{with_reads} requests with history"
    );
    assert!(
        with_late <= Duration::from_millis(250) + MACHINE_SLACK,
        "{with_late:?}"
    );
    assert!(without_late <= run / 10 + MACHINE_SLACK, "{without_late:?}");
    // Without history (empty, or not read): at most 3x Deepnote's CLI, the empty history's
    // read included; with it, fewer still.
    let first_reads = reads(&emu, first) + 1;
    assert!(
        first_reads <= 3 * DEEPNOTE_CLI_READS_5S && without_reads <= 3 * DEEPNOTE_CLI_READS_5S,
        "{first_reads} requests on an empty history, {without_reads} without reading it"
    );
    assert!(
        with_reads < without_reads,
        "{without_reads} without history against {with_reads} with"
    );
}

/// A stub: the run is `running` for `running` reads, then `success`; the notebook's history
/// answers `history` (status, body). `with_notebook`: whether the run's answer names its
/// notebook.
#[derive(Clone)]
struct Stub {
    reads: Arc<AtomicUsize>,
    lists: Arc<AtomicUsize>,
    running: usize,
    history: (u16, serde_json::Value),
    with_notebook: bool,
}

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const NB: &str = "nb-1";

async fn serve(stub: Stub) -> Client {
    let app = Router::new()
        .route(
            "/v2/runs/{id}",
            get(|State(s): State<Stub>| async move {
                let n = s.reads.fetch_add(1, Ordering::SeqCst);
                let status = if n < s.running { "running" } else { "success" };
                // No `createdAt`: the run's age is then the time waited.
                let mut run = json!({"runId": RUN, "status": status});
                if s.with_notebook {
                    run["notebookId"] = json!(NB);
                }
                axum::Json(json!({ "run": run }))
            }),
        )
        .route(
            "/v2/notebooks/{nb}/runs",
            get(|State(s): State<Stub>| async move {
                s.lists.fetch_add(1, Ordering::SeqCst);
                let (status, body) = s.history.clone();
                (StatusCode::from_u16(status).unwrap(), axum::Json(body))
            }),
        )
        .with_state(stub);
    // The client's own retries on: the history read must still be sent once.
    Client::builder()
        .api_key("stub-key-0123456789")
        .base_url(common::stub(app).await)
        .build()
        .unwrap()
}

fn stub(running: usize, history: (u16, serde_json::Value), with_notebook: bool) -> Stub {
    Stub {
        reads: Arc::default(),
        lists: Arc::default(),
        running,
        history,
        with_notebook,
    }
}

fn quick() -> WaitPolicy {
    WaitPolicy::default()
        .first_delay(Duration::from_millis(5))
        .dense_delay(Duration::from_millis(5))
}

#[tokio::test]
async fn a_history_read_that_fails_is_sent_once_and_the_wait_goes_on_without_it() {
    let s = stub(3, (503, json!({"message": "down"})), true);
    let client = serve(s.clone()).await;
    let id = RunId::parse(RUN).unwrap();
    let run = client.runs().wait(id).policy(quick()).await.unwrap();
    assert!(run.is_success());
    assert_eq!(
        s.lists.load(Ordering::SeqCst),
        1,
        "not retried, not repeated"
    );
    assert_eq!(s.reads.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn history_is_read_from_the_notebook_the_run_or_the_caller_names_and_can_be_turned_off() {
    let id = RunId::parse(RUN).unwrap();
    let history = (
        200,
        json!({"runs": [], "pagination": {"nextPageToken": null}}),
    );
    // Each case on a fresh stub whose run goes on for 20 reads: the history is read while
    // the wait sleeps, and a wait that ends first drops it.
    let case = |with_notebook: bool| stub(20, history.clone(), with_notebook);
    // Off: never asked.
    let s = case(true);
    let client = serve(s.clone()).await;
    client
        .runs()
        .wait(id)
        .policy(quick())
        .history(false)
        .await
        .unwrap();
    assert_eq!(s.lists.load(Ordering::SeqCst), 0);
    // On, and the run names its notebook: asked once.
    let s = case(true);
    let client = serve(s.clone()).await;
    client.runs().wait(id).policy(quick()).await.unwrap();
    assert_eq!(s.lists.load(Ordering::SeqCst), 1);
    // The run does not name it: not asked, unless the caller names it.
    let s = case(false);
    let client = serve(s.clone()).await;
    client.runs().wait(id).policy(quick()).await.unwrap();
    assert_eq!(s.lists.load(Ordering::SeqCst), 0);
    let s = case(false);
    let client = serve(s.clone()).await;
    client
        .runs()
        .wait(id)
        .policy(quick())
        .notebook(NB)
        .await
        .unwrap();
    assert_eq!(s.lists.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn with_history_the_wait_sleeps_past_the_early_reads() {
    // Past runs took 2 s; this one reports `running` until its fourth read. Without history
    // the reads come 5 ms apart and end at once; with it, the second read waits until just
    // before 2 s.
    let past = |i: u32| {
        json!({"runId": format!("00000000-0000-4000-8000-00000000000{i}"), "status": "success",
               "notebookId": NB, "createdAt": "2026-12-01T00:00:00Z",
               "completedAt": "2026-12-01T00:00:02Z"})
    };
    let history = (
        200,
        json!({"runs": [past(1), past(2)], "pagination": {"nextPageToken": null}}),
    );
    let s = stub(1, history, true);
    let client = serve(s.clone()).await;
    let id = RunId::parse(RUN).unwrap();
    let t0 = Instant::now();
    let changes: Vec<_> = client
        .runs()
        .wait(id)
        .policy(quick())
        .status_changes()
        .collect()
        .await;
    let took = t0.elapsed();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(s.reads.load(Ordering::SeqCst), 2);
    // 2 s - 5% - 5 ms: the second read is the one after the long sleep.
    assert!(
        took >= Duration::from_millis(1800) && took < Duration::from_millis(2500),
        "{took:?}"
    );
}
