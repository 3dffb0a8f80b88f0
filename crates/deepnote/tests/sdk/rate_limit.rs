//! A user's whole task under Deepnote's rate limit, against the emulator's (a window of a second
//! or two of real time; no durations are asserted): a sync pull of a workspace that needs
//! several windows finishes with every file and no request refused twice, a run started when
//! the window is spent and the deadline short fails at once saying it was not sent, and one
//! client's tasks share the limit.

use crate::common;

use deepnote::{
    Error,
    client::RetryPolicy,
    runs::{RunRequest, WaitPolicy},
};
use deepnote_emulator::{Emulator, FaultKind, Faults, JournalEntry, RateLimit, RateLimitHeaders};
use std::path::Path;
use std::time::Duration;

fn limit(emu: &Emulator, requests: u32, window: Duration, headers: &str) {
    emu.set_faults(Faults {
        rate_limit: Some(RateLimit {
            headers: RateLimitHeaders::parse(headers).unwrap(),
            ..RateLimit::new(requests, window)
        }),
        ..Faults::none()
    });
    emu.clear_journal();
}

fn refused(journal: &[JournalEntry]) -> usize {
    journal
        .iter()
        .filter(|e| e.fault == Some(FaultKind::RateLimit))
        .count()
}

fn files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        files(&p)
                    } else {
                        usize::from(p.extension().is_some_and(|x| x == "deepnote"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_sync_pull_that_needs_several_windows_gets_every_file() {
    let (emu, client) = common::sample().await;
    for i in 0..5 {
        client
            .projects()
            .create(format!("Extra {i}"))
            .send()
            .await
            .unwrap();
    }
    // What a pull without a limit gets.
    let reference = deepnote_test_support::scratch::dir("rate-sync-reference");
    let all = client.sync().pull(&reference).apply().await.unwrap();
    let (projects, expected) = (all.changed().count(), files(&reference));
    assert!(projects >= 8 && expected >= 4, "{projects} {expected}");
    for headers in ["retry-after,reset,limit", "retry-after"] {
        // A list and an export a project, 3 a window: at least three windows.
        limit(&emu, 3, Duration::from_millis(1200), headers);
        let root = deepnote_test_support::scratch::dir(&format!("rate-sync-{}", headers.len()));
        let pulled = client
            .sync()
            .pull(&root)
            .apply()
            .await
            .unwrap_or_else(|e| panic!("{headers}: {e}"));
        assert_eq!(pulled.changed().count(), projects, "{headers}: {pulled:#?}");
        assert_eq!(files(&root), expected, "{headers}");
        let journal = emu.journal();
        let twice = journal
            .windows(2)
            .any(|w| w.iter().all(|e| e.fault == Some(FaultKind::RateLimit)));
        assert!(!twice, "{headers}: a request refused twice: {journal:#?}");
        if headers.contains("limit") {
            assert_eq!(
                refused(&journal),
                0,
                "spread over the windows: {journal:#?}"
            );
        }
    }
}

#[tokio::test]
async fn a_run_the_deadline_cannot_wait_for_is_not_sent_and_says_so() {
    let (emu, _) = common::sample().await;
    let client = deepnote::Client::builder()
        .api_key(emu.sample_key())
        .base_url(emu.base_url())
        .retry_policy(RetryPolicy::default().with_max_elapsed(Duration::from_secs(2)))
        .build()
        .unwrap();
    limit(&emu, 1, Duration::from_secs(60), "retry-after,reset,limit");
    client.me().get().await.unwrap();
    // The answer said the window is spent for a minute: the create is held back.
    let e = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .send()
        .await
        .unwrap_err();
    match &e {
        Error::RateLimited {
            retry_after: Some(asked),
            deadline_left: Some(_),
            sent: false,
            ..
        } => assert!(*asked > Duration::from_secs(50), "{asked:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.status().map(|s| s.as_u16()), Some(429));
    let text = e.to_string();
    assert!(
        text.contains("not sent") && text.contains("nothing was done"),
        "{text}"
    );
    assert!(
        common::requests(&emu, "POST", "/v2/runs").is_empty(),
        "the create never left"
    );
}

#[tokio::test]
async fn run_many_and_another_task_of_the_client_share_one_limit() {
    let (emu, client) = common::sample().await;
    emu.set_behaviour(
        common::SAMPLE_NOTEBOOK_ID,
        deepnote_emulator::Behaviour::new(
            Duration::from_millis(20),
            deepnote_emulator::Outcome::Success,
        ),
    );
    limit(
        &emu,
        6,
        Duration::from_millis(1000),
        "retry-after,reset,limit",
    );
    let lister = client.clone();
    let other = tokio::spawn(async move {
        for _ in 0..6 {
            lister.projects().list().send().await.unwrap();
        }
    });
    let outcomes = client
        .runs()
        .run_many((0..6).map(|_| RunRequest::new(common::SAMPLE_NOTEBOOK_ID)))
        .concurrency(3)
        .wait_policy(WaitPolicy::default().first_delay(Duration::from_millis(20)))
        .collect()
        .await;
    other.await.unwrap();
    assert!(outcomes.iter().all(|o| o.result.is_ok()), "{outcomes:#?}");
    let journal = emu.journal();
    let twice = journal
        .windows(2)
        .any(|w| w.iter().all(|e| e.fault == Some(FaultKind::RateLimit)));
    assert!(!twice, "a request refused twice: {journal:#?}");
    // Both tasks spend one budget: a stray 429 where requests in flight cross the count an
    // answer gave, never a task discovering the limit again and again.
    assert!(refused(&journal) <= 2, "{journal:#?}");
}
