//! Faults: rate limits, server errors and resets, and the journal that proves what happened.

use crate::common;

use common::*;
use deepnote_emulator::{FaultKind, Faults, RateLimit, RateLimitHeaders};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

async fn project_count(api: &Api) -> usize {
    api.get("/v2/projects?pageSize=100").await.body["projects"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    emu.set_faults(Faults {
        rate_limit: Some(RateLimit::new(3, Duration::from_secs(60))),
        ..Faults::default()
    });
    for _ in 0..3 {
        assert_eq!(api.get("/v2/me").await.status, 200);
    }
    let r = api.post("/v2/projects", json!({"name": "x"})).await;
    assert_eq!(r.status, 429);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(!r.message().is_empty());
    let last = emu.journal().pop().unwrap();
    assert_eq!(last.fault, Some(FaultKind::RateLimit));
    assert!(!last.applied && !last.changed_state);
    emu.set_faults(Faults::none());
    assert_eq!(
        project_count(&api).await,
        0,
        "the limited create did not happen"
    );
}

#[tokio::test]
async fn rate_limit_headers_come_on_every_answer_per_key_and_each_alone() {
    let emu = emulator().await;
    let admin = Api::new(&emu, ADMIN);
    let editor = Api::new(&emu, EDITOR);
    emu.set_faults(Faults {
        rate_limit: Some(RateLimit::new(2, Duration::from_secs(60))),
        ..Faults::default()
    });
    let header =
        |r: &Resp, name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_string());
    let first = admin.get("/v2/me").await;
    assert_eq!(first.status, 200);
    assert_eq!(header(&first, "ratelimit-limit").as_deref(), Some("2"));
    assert_eq!(header(&first, "ratelimit-remaining").as_deref(), Some("1"));
    let reset: u64 = header(&first, "ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=60).contains(&reset), "RateLimit-Reset {reset}");
    assert_eq!(header(&first, "retry-after"), None, "only on a 429");
    assert_eq!(admin.get("/v2/me").await.status, 200);
    let refused = admin.get("/v2/me").await;
    assert_eq!(refused.status, 429);
    assert_eq!(
        header(&refused, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    assert!(header(&refused, "retry-after").is_some());
    // Another key has a window of its own, as each workspace token does.
    assert_eq!(editor.get("/v2/me").await.status, 200);
    let journal = emu.journal();
    let limited: Vec<_> = journal
        .iter()
        .filter(|e| e.fault == Some(FaultKind::RateLimit))
        .collect();
    assert_eq!(limited.len(), 1, "the journal records the 429");
    assert_eq!(limited[0].status, 429);

    for (list, present, absent) in [
        (
            "retry-after",
            &["retry-after"][..],
            &["ratelimit-reset", "ratelimit-limit"][..],
        ),
        (
            "reset",
            &["ratelimit-reset"],
            &["retry-after", "ratelimit-limit"],
        ),
        (
            "limit",
            &["ratelimit-limit", "ratelimit-remaining"],
            &["retry-after", "ratelimit-reset"],
        ),
        (
            "retry-after-date,reset-epoch",
            &["retry-after", "ratelimit-reset"],
            &["ratelimit-limit"],
        ),
    ] {
        emu.set_faults(Faults {
            rate_limit: Some(RateLimit {
                headers: RateLimitHeaders::parse(list).unwrap(),
                ..RateLimit::new(0, Duration::from_secs(60))
            }),
            ..Faults::default()
        });
        let r = admin.get("/v2/me").await;
        assert_eq!(r.status, 429, "{list}");
        for name in present {
            assert!(header(&r, name).is_some(), "{list}: {name}");
        }
        for name in absent {
            assert!(header(&r, name).is_none(), "{list}: {name}");
        }
        if list.contains("date") {
            assert!(header(&r, "retry-after").unwrap().ends_with(" GMT"));
            let epoch: u64 = header(&r, "ratelimit-reset").unwrap().parse().unwrap();
            assert!(epoch > 1_700_000_000, "a Unix time: {epoch}");
        }
    }
}

#[tokio::test]
async fn server_errors_change_nothing() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let project = api.project("keep").await;
    emu.set_faults(Faults {
        error_rate: 1.0,
        seed: Some(3),
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(api.post("/v2/projects", json!({"name": "x"})).await.status);
        statuses.push(api.delete(&format!("/v2/projects/{project}")).await.status);
    }
    assert!(
        statuses.iter().all(|s| [500, 502, 503].contains(s)),
        "{statuses:?}"
    );
    let journal = emu.journal();
    let faulted: Vec<_> = journal.iter().filter(|e| e.fault.is_some()).collect();
    assert_eq!(faulted.len(), 20);
    assert!(
        faulted
            .iter()
            .all(|e| e.fault == Some(FaultKind::ServerError) && !e.applied && !e.changed_state)
    );
    emu.set_faults(Faults::none());
    assert_eq!(project_count(&api).await, 1);
    assert_eq!(
        api.get(&format!("/v2/projects/{project}")).await.status,
        200
    );
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = builder()
            .faults(Faults {
                error_rate: 0.5,
                seed: Some(42),
                ..Faults::default()
            })
            .start()
            .await
            .unwrap();
        let api = Api::new(&emu, ADMIN);
        let mut s = Vec::new();
        for _ in 0..30 {
            s.push(api.get("/v2/me").await.status);
        }
        runs.push(s);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].iter().any(|s| *s >= 500));
}

#[tokio::test]
async fn reset_after_commit_is_journaled_as_applied() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    emu.set_faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let body = json!({"name": "exactly once"}).to_string().into_bytes();
    let r = api.try_raw(Method::POST, "/v2/projects", Some(body)).await;
    assert!(r.is_err(), "the client saw a broken response: {r:?}");
    emu.set_faults(Faults::none());
    let listed = api.get("/v2/projects").await;
    let projects = listed.body["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1, "created exactly once");
    let entry = emu
        .journal()
        .into_iter()
        .find(|e| e.fault == Some(FaultKind::ConnectionReset))
        .unwrap();
    assert!(entry.applied && entry.changed_state);
    assert_eq!(entry.status, 200);
    assert_eq!(entry.created.as_deref(), projects[0]["id"].as_str());

    // A delete (204, no body) that is reset also fully happened.
    let id = projects[0]["id"].as_str().unwrap().to_string();
    emu.set_faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let r = api
        .try_raw(Method::DELETE, &format!("/v2/projects/{id}"), None)
        .await;
    assert!(r.is_err(), "{r:?}");
    emu.set_faults(Faults::none());
    assert_eq!(api.get(&format!("/v2/projects/{id}")).await.status, 404);
}

#[tokio::test]
async fn faults_spare_the_control_api_and_can_be_set_over_http() {
    let emu = emulator().await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = |p: &str| format!("{}/_emulator{p}", emu.base_url());
    let r = http
        .put(url("/faults"))
        .json(&json!({"errorRate": 1.0, "errorStatuses": [503], "latencyMs": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.faults().error_statuses, vec![503]);
    assert_eq!(emu.faults().latency, Duration::from_millis(1));
    let api = Api::new(&emu, ADMIN);
    assert_eq!(api.get("/v2/me").await.status, 503);
    // The control API is never faulted.
    let r = http.get(url("/faults")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    for bad in [
        json!({"errorRate": 2.0}),
        json!({"errorStatuses": [404], "errorRate": 0.1}),
        json!({"resetRate": "often"}),
        json!({"rateLimit": {"requests": 1, "windowMs": 0}}),
    ] {
        let r = http.put(url("/faults")).json(&bad).send().await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
    }
    assert_eq!(
        emu.faults().error_statuses,
        vec![503],
        "a refused setting changes nothing"
    );
    let r = http
        .put(url("/faults"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(api.get("/v2/me").await.status, 200);
}

#[tokio::test]
async fn latency_is_added_to_api_requests() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    emu.set_faults(Faults {
        latency: Duration::from_millis(60),
        ..Faults::default()
    });
    // A lower bound only: the injected delay must be there, however fast the machine.
    let started = std::time::Instant::now();
    assert_eq!(api.get("/v2/me").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(60));
    let last = emu.journal().pop().unwrap();
    assert_eq!(last.fault, None);
    assert!(last.applied);
}

#[tokio::test]
async fn a_reset_can_cut_before_the_head_or_mid_body() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let url = format!("{}/v2/projects", emu.base_url());
    for mid_body in [false, true] {
        emu.set_faults(Faults {
            reset_rate: 1.0,
            reset_mid_body: mid_body,
            ..Faults::default()
        });
        let sent = api
            .http
            .post(&url)
            .bearer_auth(ADMIN)
            .json(&json!({"name": format!("mid {mid_body}")}))
            .send()
            .await;
        match sent {
            // Before the head: not even a status.
            Err(e) => assert!(!mid_body, "{e}"),
            // Mid-body: the status arrives, the body does not.
            Ok(resp) => {
                assert!(mid_body, "the head went out");
                assert_eq!(resp.status(), 200);
                assert!(resp.bytes().await.is_err());
            }
        }
    }
    emu.set_faults(Faults::none());
    let created: Vec<_> = emu
        .journal()
        .into_iter()
        .filter_map(|e| e.created)
        .collect();
    assert_eq!(created.len(), 2);
    for id in created {
        assert_eq!(api.get(&format!("/v2/projects/{id}")).await.status, 200);
    }
}
