//! Whatever a server answers, the SDK returns a value or an error and never panics; statuses it
//! does not know count as still running.

use crate::common;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use deepnote::{
    Error, RunId, StreamExt,
    runs::{RunStatus, WaitPolicy},
};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";

#[tokio::test]
async fn unknown_statuses_count_as_still_running() {
    let polls = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/v2/runs/{id}",
            get(|State(polls): State<Arc<AtomicUsize>>| async move {
                let n = polls.fetch_add(1, Ordering::SeqCst);
                let status = match n {
                    0 | 1 => "warming_up",
                    2 => "running",
                    _ => "success",
                };
                Json(json!({"run": {"runId": RUN, "status": status, "brandNewField": [1, 2]}}))
            }),
        )
        .with_state(polls.clone());
    let client = common::stub_client(&common::stub(app).await);
    let id = RunId::parse(RUN).unwrap();
    let policy = WaitPolicy::default().first_delay(Duration::from_millis(5));
    let changes: Vec<_> = client
        .runs()
        .wait(id)
        .policy(policy)
        .status_changes()
        .collect()
        .await;
    let statuses: Vec<_> = changes.into_iter().map(|r| r.unwrap().status).collect();
    assert_eq!(
        statuses,
        vec![
            RunStatus::Unknown("warming_up".into()),
            RunStatus::Running,
            RunStatus::Success
        ]
    );
    assert_eq!(polls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn odd_answers_are_errors_not_panics() {
    let app = Router::new()
        .route("/v2/me", get(|| async { "this is not json" }))
        .route(
            "/v2/projects/{id}",
            get(|| async { Json(json!({"id": 5})) }),
        )
        .route(
            "/v2/projects",
            get(|| async { Json(json!({"projects": "nope"})) }),
        )
        .route("/v2/notebooks/{id}", get(|| async { Json(json!({})) }))
        .route(
            "/v2/runs",
            post(|| async {
                (
                    axum::http::StatusCode::ACCEPTED,
                    Json(json!({"status": "pending"})),
                )
            }),
        )
        .route(
            "/v2/runs/{id}",
            get(|| async { Json(json!({"run": {"status": ["x"]}})) }),
        )
        .route(
            "/v2/notebooks/{id}/runs",
            get(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "<html>teapot</html>") }),
        );
    let client = common::stub_client(&common::stub(app).await);
    let id = RunId::parse(RUN).unwrap();
    let results = vec![
        client.me().get().await.map(|_| ()),
        client.projects().get("p").await.map(|_| ()),
        client.projects().list().send().await.map(|_| ()),
        client.notebooks().get("n").await.map(|_| ()),
        client.runs().get(id).await.map(|_| ()),
        client.runs().wait(id).await.map(|_| ()),
        client.runs().snapshot(id).await.map(|_| ()),
    ];
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Err(Error::Decode(_)) => {}
            other => panic!("call {i}: expected a decode error, got {other:?}"),
        }
    }
    // A create answered 202 without a run id most likely started the run: not a plain
    // decode failure, which invites a retry and a second run.
    match client.runs().create("nb").await {
        Err(Error::CreatedButUnreadable {
            what: "run",
            status: Some(status),
            body,
            ..
        }) => {
            assert_eq!(status.as_u16(), 202);
            assert!(body.contains("pending"), "{body}");
        }
        other => panic!("the create: {other:?}"),
    }
    let e = client.runs().list("n").send().await.unwrap_err();
    assert!(
        matches!(e, Error::Api { status, ref message } if status.as_u16() == 418 && !message.contains('<')),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_429_reports_its_retry_after() {
    let app = Router::new().route(
        "/v2/me",
        get(|| async {
            (
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "7")],
                Json(json!({"message": "slow down"})),
            )
        }),
    );
    let client = common::stub_client(&common::stub(app).await);
    let e = client.me().get().await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert!(matches!(e, Error::RateLimited { ref message, .. } if message == "slow down"));
}
