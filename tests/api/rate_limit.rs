//! Deepnote's rate limit, against the emulator's: the waits each header asks for are honoured
//! (so a refused request is not refused again), a wait the deadline cannot afford ends the call
//! at once with what the server asked and that nothing was done, a refused create is created
//! once, and the clones of one client share one pace. Windows are a second or two of real time
//! (the emulator's limit is wall-clock), and nothing here asserts a duration.

use deepnote_api::{ApiErrorExt, ApiKey, Client, ClientBuilder, RetryPolicy};
use deepnote_emulator::{Emulator, FaultKind, Faults, JournalEntry, RateLimit, RateLimitHeaders};
use std::sync::Arc;
use std::time::Duration;

async fn limited(requests: u32, window: Duration, headers: &str) -> Emulator {
    let emu = Emulator::builder().seed_sample().start().await.unwrap();
    emu.set_faults(Faults {
        rate_limit: Some(RateLimit {
            headers: RateLimitHeaders::parse(headers).unwrap(),
            ..RateLimit::new(requests, window)
        }),
        ..Faults::none()
    });
    emu
}

fn client(emu: &Emulator, policy: RetryPolicy) -> Client {
    ClientBuilder::new(ApiKey::new(emu.sample_key()).unwrap())
        .base_url(emu.base_url())
        .retry_policy(policy)
        .build()
        .unwrap()
}

fn refused(journal: &[JournalEntry]) -> Vec<&JournalEntry> {
    journal
        .iter()
        .filter(|e| e.fault == Some(FaultKind::RateLimit))
        .collect()
}

/// Two 429s in a row mean a request came back before the wait it was told.
fn refused_twice_in_a_row(journal: &[JournalEntry]) -> bool {
    journal
        .windows(2)
        .any(|w| w.iter().all(|e| e.fault == Some(FaultKind::RateLimit)))
}

#[tokio::test]
async fn each_header_alone_and_all_together_is_waited_out_without_a_second_429() {
    // Each form of the wait a 429 asks for: in seconds, as an HTTP date, as seconds until the
    // reset, as the reset's Unix time, and all headers at once.
    for headers in [
        "retry-after",
        "retry-after-date",
        "reset",
        "reset-epoch",
        "retry-after,reset,limit",
    ] {
        let emu = limited(2, Duration::from_millis(1500), headers).await;
        let c = client(&emu, RetryPolicy::default());
        for _ in 0..5 {
            c.get_me()
                .send()
                .await
                .unwrap_or_else(|e| panic!("{headers}: {e}"));
        }
        let journal = emu.journal();
        assert!(
            !refused_twice_in_a_row(&journal),
            "{headers}: a refused request was sent again before its wait: {journal:#?}"
        );
        assert!(
            refused(&journal).len() <= 2,
            "{headers}: at most one 429 per window"
        );
        if headers.contains("limit") {
            // Remaining and reset on every answer: the pace never meets the limit at all.
            assert!(refused(&journal).is_empty(), "{journal:#?}");
        }
    }
}

#[tokio::test]
async fn a_bare_429_still_gets_through() {
    // Without a wait to read, the backoff finds the window's end; the pace then learns it.
    let emu = limited(2, Duration::from_millis(800), "none").await;
    let c = client(&emu, RetryPolicy::default().with_max_attempts(12));
    for _ in 0..5 {
        c.get_me().send().await.unwrap();
    }
    let ok = emu.journal().iter().filter(|e| e.status == 200).count();
    assert_eq!(ok, 5);
}

#[tokio::test]
async fn the_limit_headers_alone_teach_a_short_window_and_meet_no_429() {
    // `RateLimit-Limit`/`-Remaining` say how much is left, not until when. Two requests a
    // little over a window apart each open a window: the window is that long at most, and
    // from then on the client spends 3 requests a window evenly and waits out the spent
    // window's end: the limit is never met.
    let emu = limited(3, Duration::from_millis(700), "limit").await;
    let c = client(&emu, RetryPolicy::default());
    c.get_me().send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    for _ in 0..8 {
        c.get_me().send().await.unwrap();
    }
    let journal = emu.journal();
    assert_eq!(journal.len(), 9, "each request sent once: {journal:#?}");
    assert!(refused(&journal).is_empty(), "{journal:#?}");
}

#[tokio::test]
async fn the_limit_headers_alone_on_a_spent_window_wait_one_window_not_a_backoff() {
    // Another client of the key spent a 60 s window. With nothing known but `Remaining: 0`,
    // the client waits for one whole window (Deepnote's, 60 s) rather than probing with
    // 1, 2, 4... s backoffs: a 3 s deadline cannot afford that, so the call ends after one
    // 429 with what it would have waited, and nothing else reaches the server.
    let emu = limited(2, Duration::from_secs(60), "limit").await;
    let other = client(&emu, RetryPolicy::none());
    other.get_me().send().await.unwrap();
    other.get_me().send().await.unwrap();
    let c = client(
        &emu,
        RetryPolicy::default().with_max_elapsed(Duration::from_secs(3)),
    );
    let e = c.list_projects().send().await.unwrap_err();
    let r = e.rate_limit().expect("a typed rate limit");
    let asked = r.asked.expect("the wait it would have taken");
    assert!(
        asked > Duration::from_secs(55) && asked <= Duration::from_secs(60),
        "{asked:?}"
    );
    assert!(r.deadline_left.is_some(), "{r:?}");
    let journal = emu.journal();
    assert_eq!(
        refused(&journal).len(),
        1,
        "one 429, no probing: {journal:#?}"
    );
    assert_eq!(journal.len(), 3, "{journal:#?}");
}

#[tokio::test]
async fn a_wait_longer_than_the_deadline_ends_at_once_with_what_the_server_asked() {
    // Retry-After only, so that the client learns of the spent window from the server's 429.
    let emu = limited(1, Duration::from_secs(60), "retry-after").await;
    let c = client(
        &emu,
        RetryPolicy::default().with_max_elapsed(Duration::from_secs(2)),
    );
    c.get_me().send().await.unwrap();
    // The window is spent for a minute: the server says so, and 2 s cannot afford it.
    let e = c.list_projects().send().await.unwrap_err();
    let r = e.rate_limit().expect("a typed rate limit");
    let asked = r.asked.unwrap();
    assert!(
        asked > Duration::from_secs(50) && asked <= Duration::from_secs(60),
        "{asked:?}"
    );
    assert!(r.deadline_left.is_some() && r.sent, "{r:?}");
    assert!(r.to_string().contains("nothing was done"), "{r}");
    // A create now is held back by the pace, which knows the window is spent: never sent.
    let e = c
        .create_project()
        .body_map(|b| b.name("not now"))
        .send()
        .await
        .unwrap_err();
    let r = e.rate_limit().expect("a typed rate limit");
    assert!(!r.sent, "{r:?}");
    assert!(r.deadline_left.is_some());
    assert!(r.to_string().contains("not sent"), "{r}");
    let journal = emu.journal();
    assert_eq!(
        journal.len(),
        2,
        "the create never reached the server: {journal:#?}"
    );
    assert!(journal.iter().all(|e| e.method == "GET"));
}

#[tokio::test]
async fn a_create_refused_by_the_limit_is_retried_and_created_once() {
    let emu = limited(1, Duration::from_millis(1200), "retry-after").await;
    let c = client(&emu, RetryPolicy::default());
    c.get_me().send().await.unwrap();
    c.create_project()
        .body_map(|b| b.name("once"))
        .send()
        .await
        .unwrap();
    let posts: Vec<_> = emu
        .journal()
        .into_iter()
        .filter(|e| e.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2, "{posts:#?}");
    assert_eq!(posts[0].status, 429);
    assert!(!posts[0].applied, "the refused create did nothing");
    assert!(posts[1].changed_state);
    emu.set_faults(Faults::none());
    let projects = c.list_projects().page_size(100u64).send().await.unwrap();
    let named = projects
        .projects
        .iter()
        .filter(|p| p.name.as_deref() == Some("once"))
        .count();
    assert_eq!(named, 1, "created once");
}

#[tokio::test]
async fn a_limit_one_task_meets_holds_back_the_other_tasks_of_the_client() {
    // No headers but Retry-After: the limit is known only from the 429 one task meets.
    let emu = limited(3, Duration::from_millis(1500), "retry-after").await;
    let (tell, told) = tokio::sync::oneshot::channel::<()>();
    let tell = std::sync::Mutex::new(Some(tell));
    let waits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = waits.clone();
    let c = ClientBuilder::new(ApiKey::new(emu.sample_key()).unwrap())
        .base_url(emu.base_url())
        .on_rate_limit_wait(move |_| {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if let Some(tell) = tell.lock().unwrap().take() {
                let _ = tell.send(());
            }
        })
        .build()
        .unwrap();
    let first = c.clone();
    let a = tokio::spawn(async move {
        for _ in 0..4 {
            first.get_me().send().await.unwrap();
        }
    });
    // The second task starts while the first waits out its 429.
    told.await.unwrap();
    let second = c.clone();
    let b = tokio::spawn(async move { second.list_projects().send().await.map(|_| ()) });
    a.await.unwrap();
    b.await.unwrap().unwrap();
    let journal = emu.journal();
    let refused = refused(&journal);
    assert_eq!(refused.len(), 1, "{journal:#?}");
    assert_eq!(
        refused[0].path, "/v2/me",
        "only the first task met the limit"
    );
    assert_eq!(
        waits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one wait, told once"
    );
}
