//! Rate limits, server errors and connection resets injected by the emulator.

use crate::common;

use deepnote::{
    Error, StreamExt, TryStreamExt,
    client::RetryPolicy,
    runs::{RunRequest, WaitPolicy},
};
use deepnote_emulator::{
    Behaviour, Emulator, FaultKind, Faults, Outcome, RateLimit, RateLimitHeaders,
};
use std::collections::HashSet;
use std::time::Duration;

const NB: &str = common::SAMPLE_NOTEBOOK_ID;

fn quick() -> WaitPolicy {
    WaitPolicy::default().first_delay(Duration::from_millis(20))
}

/// Creates the server carried out (the handler ran), whatever the client saw.
fn applied_creates(emu: &Emulator) -> Vec<String> {
    common::requests(emu, "POST", "/v2/runs")
        .into_iter()
        .filter(|e| e.applied)
        .filter_map(|e| e.created)
        .collect()
}

#[tokio::test]
async fn run_many_slows_down_on_429_and_starts_each_run_once() {
    let (emu, client) = common::sample().await;
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_millis(50), Outcome::Success),
    );
    emu.set_faults(Faults {
        // Retry-After only: with the remaining count on every answer the pace would never
        // meet the limit, and this is about meeting it.
        rate_limit: Some(RateLimit {
            headers: RateLimitHeaders::parse("retry-after").unwrap(),
            ..RateLimit::new(10, Duration::from_millis(500))
        }),
        ..Faults::none()
    });
    let requests: Vec<_> = (0..40)
        .map(|i| RunRequest::new(NB).input("region", i))
        .collect();
    let outcomes = client
        .runs()
        .run_many(requests)
        .concurrency(20)
        .wait_policy(quick())
        .collect()
        .await;
    assert_eq!(outcomes.len(), 40);
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(o.index, i);
        let run = o.result.as_ref().unwrap_or_else(|e| panic!("run {i}: {e}"));
        assert!(run.is_success());
        assert_eq!(Some(run.id), o.run_id);
    }
    let limited = emu
        .journal()
        .iter()
        .filter(|e| e.fault == Some(FaultKind::RateLimit))
        .count();
    assert!(limited > 0, "the test never met the rate limit");
    // Every run was created exactly once, and each outcome names a different one.
    let created = applied_creates(&emu);
    assert_eq!(created.len(), 40);
    let ids: HashSet<String> = outcomes
        .iter()
        .map(|o| o.run_id.unwrap().to_string())
        .collect();
    assert_eq!(ids, created.into_iter().collect::<HashSet<_>>());
    // And each with its own inputs.
    for o in &outcomes {
        let record = emu.run_record(&o.run_id.unwrap().to_string()).unwrap();
        // A number goes as its text: Deepnote refuses JSON numbers as input values.
        assert_eq!(
            record.inputs.get("region"),
            Some(&serde_json::json!(o.index.to_string()))
        );
    }
}

#[tokio::test]
async fn run_many_yields_failures_as_outcomes_as_they_finish() {
    // With the virtual clock frozen, a run of zero length ends at once and a long one never,
    // until the test moves the clock: the order of outcomes is the test's, not the machine's.
    let (emu, client) = common::start(Emulator::builder().freeze_clock()).await;
    let failing = client
        .notebooks()
        .create(common::SAMPLE_PROJECT_ID)
        .name("fails")
        .await
        .unwrap();
    emu.set_behaviour(
        &failing.id,
        Behaviour::new(Duration::ZERO, Outcome::Error)
            .message("bad")
            .report_error(true),
    );
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_secs(10), Outcome::Success),
    );
    let requests = vec![
        RunRequest::new(NB),
        RunRequest::new(failing.id.clone()),
        RunRequest::new("00000000-0000-4000-8000-00000000dead"),
        RunRequest::new(NB).blocks(Vec::<String>::new()),
    ];
    let mut outcomes = client
        .runs()
        .run_many(requests)
        .wait_policy(quick())
        .stream();
    let mut early = Vec::new();
    for _ in 0..3 {
        let o = outcomes.next().await.unwrap();
        match o.index {
            1 => assert!(
                matches!(o.result, Err(Error::RunFailed { ref message, .. }) if message.as_deref() == Some("bad"))
            ),
            2 => assert!(matches!(o.result, Err(Error::NotFound { .. })) && o.run_id.is_none()),
            3 => assert!(matches!(o.result, Err(Error::InvalidArgument(_)))),
            other => panic!("outcome {other} came while its run cannot have finished"),
        }
        early.push(o.index);
    }
    early.sort();
    assert_eq!(early, vec![1, 2, 3]);
    emu.advance_clock(Duration::from_secs(11));
    let last = outcomes.next().await.unwrap();
    assert_eq!(last.index, 0);
    assert!(last.result.unwrap().is_success());
    assert!(outcomes.next().await.is_none());
}

#[tokio::test]
async fn reads_ride_out_server_errors_and_resets() {
    let (emu, _) = common::sample().await;
    let client = deepnote::Client::builder()
        .api_key(emu.sample_key())
        .base_url(emu.base_url())
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    for i in 0..120 {
        client.projects().create(format!("f-{i}")).await.unwrap();
    }
    emu.set_faults(Faults {
        error_rate: 0.25,
        error_statuses: vec![502, 503, 504],
        reset_rate: 0.15,
        seed: Some(7),
        ..Faults::none()
    });
    let all: Vec<_> = client
        .projects()
        .list()
        .page_size(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.len() >= 120);
    let journal = emu.journal();
    assert!(
        journal
            .iter()
            .any(|e| e.fault == Some(FaultKind::ServerError))
    );
    assert!(
        journal
            .iter()
            .any(|e| e.fault == Some(FaultKind::ConnectionReset))
    );

    // A wait polls through the same faults.
    emu.set_faults(Faults::none());
    let handle = client.runs().create(NB).await.unwrap();
    emu.set_faults(Faults {
        error_rate: 0.3,
        error_statuses: vec![500, 502, 503],
        reset_rate: 0.1,
        seed: Some(11),
        ..Faults::none()
    });
    assert!(handle.wait().policy(quick()).await.unwrap().is_success());
}

#[tokio::test]
async fn a_create_cut_off_mid_answer_is_not_repeated() {
    let (emu, client) = common::sample().await;
    emu.set_faults(Faults {
        reset_rate: 1.0,
        ..Faults::none()
    });
    emu.clear_journal();
    let e = client.runs().create(NB).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    // The server made the run; the client must not make another.
    assert_eq!(applied_creates(&emu).len(), 1);
    assert_eq!(common::requests(&emu, "POST", "/v2/runs").len(), 1);

    // A read is repeated, and in the end reported as retryable.
    let e = client
        .projects()
        .get(common::SAMPLE_PROJECT_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Transport(_)) && e.is_retryable(),
        "{e:?}"
    );
    assert!(common::requests(&emu, "GET", "/v2/projects/").len() > 1);

    // A 500 on a create is not repeated either; it is reported with its status.
    emu.set_faults(Faults {
        error_rate: 1.0,
        error_statuses: vec![500],
        ..Faults::none()
    });
    emu.clear_journal();
    let e = client.runs().create(NB).await.unwrap_err();
    assert_eq!(
        e.status(),
        Some(deepnote::error::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(common::requests(&emu, "POST", "/v2/runs").len(), 1);
}

#[tokio::test]
async fn run_many_never_repeats_a_create_that_may_have_happened() {
    let (emu, client) = common::sample().await;
    emu.set_behaviour(
        NB,
        Behaviour::new(Duration::from_millis(30), Outcome::Success),
    );
    emu.set_faults(Faults {
        reset_rate: 0.2,
        error_rate: 0.1,
        error_statuses: vec![502],
        seed: Some(3),
        ..Faults::none()
    });
    emu.clear_journal();
    let outcomes = client
        .runs()
        .run_many((0..60).map(|_| RunRequest::new(NB)))
        .concurrency(8)
        .wait_policy(quick())
        .collect()
        .await;
    let created = applied_creates(&emu);
    let started: Vec<_> = outcomes.iter().filter_map(|o| o.run_id).collect();
    let lost = outcomes
        .iter()
        .filter(|o| o.run_id.is_none() && matches!(o.result, Err(Error::Transport(_))))
        .count();
    // Each request made exactly one run and reports it: a create whose answer was cut off
    // (here before any byte of it) or met a 502 is reconciled against the notebook's runs
    // before it is sent again.
    assert_eq!(lost, 0, "{outcomes:?}");
    assert_eq!(started.len(), 60, "{outcomes:?}");
    assert_eq!(created.len(), 60);
    let unique: HashSet<String> = created.iter().cloned().collect();
    let reported: HashSet<String> = started.iter().map(ToString::to_string).collect();
    assert_eq!(unique, reported);
    assert!(
        outcomes
            .iter()
            .all(|o| o.result.as_ref().is_ok_and(|r| r.is_success())),
        "{outcomes:?}"
    );
}
