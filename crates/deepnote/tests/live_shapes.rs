//! The answers the live Deepnote API gives, from hand-made loopback stubs: a call that may have
//! succeeded is never a plain failure, an empty snapshot is "not there yet", and a failed run
//! that Deepnote gave no reason for gets one from its snapshot.

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use deepnote::{Error, RetryPolicy, RunId};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const NB: &str = "nb-1";

/// A client that would retry, so a test sees whether a create is repeated.
fn retrying_client(base: &str) -> deepnote::Client {
    let retry = RetryPolicy {
        initial_backoff: std::time::Duration::from_millis(1),
        max_backoff: std::time::Duration::from_millis(2),
        ..RetryPolicy::default()
    };
    deepnote::Client::builder()
        .api_key("stub-key-0123456789")
        .base_url(base)
        .retry_policy(retry)
        .build()
        .unwrap()
}

fn counted(
    count: &Arc<AtomicU32>,
    status: StatusCode,
    body: &'static str,
) -> axum::routing::MethodRouter {
    let count = count.clone();
    post(move || {
        count.fetch_add(1, Ordering::SeqCst);
        async move {
            axum::response::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .unwrap()
        }
    })
}

#[tokio::test]
async fn creates_answered_unreadably_are_created_but_unreadable_and_never_repeated() {
    // Each a success status a reference names, with a body no reading can use.
    for (status, body) in [
        (StatusCode::CREATED, "{\"project\": \"not an object\"}"),
        (StatusCode::OK, "{not json"),
        (StatusCode::CREATED, ""),
    ] {
        let (projects, notebooks, runs) = (
            Arc::new(AtomicU32::new(0)),
            Arc::new(AtomicU32::new(0)),
            Arc::new(AtomicU32::new(0)),
        );
        let app = Router::new()
            .route("/v2/projects", counted(&projects, status, body))
            .route("/v2/notebooks", counted(&notebooks, status, body))
            .route("/v2/runs", counted(&runs, StatusCode::ACCEPTED, body));
        let client = retrying_client(&common::stub(app).await);
        let results = [
            ("project", client.projects().create("P").await.map(|_| ())),
            (
                "notebook",
                client
                    .notebooks()
                    .create("00000000-0000-4000-8000-000000000101")
                    .await
                    .map(|_| ()),
            ),
            ("run", client.runs().create(NB).await.map(|_| ())),
        ];
        for (what, result) in results {
            match result {
                Err(Error::CreatedButUnreadable {
                    what: got, body: b, ..
                }) => {
                    assert_eq!(got, what);
                    assert!(b.len() <= 512);
                    if !body.is_empty() {
                        assert!(!b.is_empty(), "{what}: the raw answer is kept");
                    }
                }
                other => panic!("{what} answered {status} {body:?}: {other:?}"),
            }
        }
        for (what, count) in [
            ("project", projects),
            ("notebook", notebooks),
            ("run", runs),
        ] {
            assert_eq!(count.load(Ordering::SeqCst), 1, "{what} was sent again");
        }
    }
}

#[tokio::test]
async fn a_created_but_unreadable_error_says_so_and_hides_the_key() {
    let app = Router::new().route(
        "/v2/runs",
        post(|| async {
            (
                StatusCode::ACCEPTED,
                [("content-type", "application/json")],
                "{\"echo\": \"stub-key-0123456789\"}",
            )
        }),
    );
    let client = common::stub_client(&common::stub(app).await);
    let e = client.runs().create(NB).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("the run was created"), "{text}");
    assert!(!text.contains("stub-key-0123456789"), "{text}");
    assert!(!format!("{e:?}").contains("stub-key-0123456789"));
}

/// A run endpoint whose snapshot is empty for the first `empty_looks` reads, then `content`.
fn settling(empty_looks: u32, content: &'static str) -> (Router, Arc<AtomicU32>) {
    let looks = Arc::new(AtomicU32::new(0));
    let seen = looks.clone();
    let app = Router::new().route(
        "/v2/runs/{id}",
        get(move || {
            let look = seen.fetch_add(1, Ordering::SeqCst);
            let text = if look < empty_looks { "" } else { content };
            async move {
                axum::Json(json!({"run": {"runId": RUN, "status": "success",
                    "snapshot": {"snapshotContent": text}}}))
            }
        }),
    );
    (app, looks)
}

const DOC: &str = "project:\n  id: p\n  name: P\n  notebooks: []\n";

#[tokio::test]
async fn an_empty_snapshot_is_not_there_yet_then_the_content_comes() {
    let (app, looks) = settling(2, DOC);
    let client = common::stub_client(&common::stub(app).await);
    let id = RunId::parse(RUN).unwrap();
    let snapshot = client.runs().snapshot(id).await.unwrap();
    assert_eq!(snapshot.text(), DOC);
    assert_eq!(looks.load(Ordering::SeqCst), 3);
    assert_eq!(snapshot.parse().unwrap().project.name, "P");
}

#[tokio::test]
async fn a_snapshot_that_stays_empty_is_no_snapshot_never_an_empty_success() {
    let (app, looks) = settling(u32::MAX, DOC);
    let client = common::stub_client(&common::stub(app).await);
    let id = RunId::parse(RUN).unwrap();
    match client.runs().snapshot(id).await {
        Err(Error::NoSnapshot { run_id, status }) => {
            assert_eq!(run_id, id);
            assert_eq!(status.as_str(), "success");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        looks.load(Ordering::SeqCst) > 1,
        "the settle loop looked again"
    );
    // And an empty text is no document either.
    assert!(matches!(
        deepnote::Snapshot::from_text("").parse(),
        Err(Error::Decode(_))
    ));
}

/// A failed run whose `error` is null, and what an inline read of it gives.
fn failed_without_reason(snapshot: Option<&'static str>) -> Router {
    Router::new().route(
        "/v2/runs/{id}",
        get(move || async move {
            let mut run = json!({"runId": RUN, "status": "error", "error": null});
            if let Some(text) = snapshot {
                run["snapshot"] = json!({"snapshotContent": text});
            }
            axum::Json(json!({ "run": run }))
        }),
    )
}

const FAILED_DOC: &str = "project:
  id: p
  notebooks:
    - id: nb-1
      blocks:
        - id: b1
          type: code
          outputs:
            - output_type: stream
              text: fine
        - id: b2
          type: code
          outputs:
            - output_type: error
              ename: KeyError
              evalue: \"'region'\"
";

#[tokio::test]
async fn a_failed_run_without_a_reason_gets_one_from_its_snapshot() {
    let id = RunId::parse(RUN).unwrap();
    let client = common::stub_client(&common::stub(failed_without_reason(Some(FAILED_DOC))).await);
    match client.runs().wait(id).await {
        Err(Error::RunFailed { run, message }) => {
            assert_eq!(message.as_deref(), Some("KeyError: 'region'"));
            assert_eq!(run.error, None, "the run is kept as Deepnote sent it");
        }
        other => panic!("{other:?}"),
    }
    let client = common::stub_client(&common::stub(failed_without_reason(None)).await);
    match client.runs().wait(id).await {
        Err(Error::RunFailed { message, .. }) => assert_eq!(
            message.as_deref(),
            Some("the run finished with status error and Deepnote reported no reason")
        ),
        other => panic!("{other:?}"),
    }
    // The same in a batch.
    let app = failed_without_reason(Some(FAILED_DOC)).route(
        "/v2/runs",
        post(|| async {
            (
                StatusCode::ACCEPTED,
                axum::Json(json!({"runId": RUN, "status": "pending"})),
            )
        }),
    );
    let client = common::stub_client(&common::stub(app).await);
    let outcomes = client
        .runs()
        .run_many([deepnote::RunRequest::new(NB)])
        .collect()
        .await;
    match &outcomes[0].result {
        Err(Error::RunFailed { message, .. }) => {
            assert_eq!(message.as_deref(), Some("KeyError: 'region'"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn run_bodies_are_what_deepnote_accepts() {
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let seen = bodies.clone();
    let app = Router::new().route(
        "/v2/runs",
        post(move |axum::Json(body): axum::Json<Value>| {
            seen.lock().unwrap().push(body);
            async {
                (
                    StatusCode::ACCEPTED,
                    axum::Json(json!({"runId": RUN, "status": "pending"})),
                )
            }
        }),
    );
    let client = common::stub_client(&common::stub(app).await);
    client.runs().create(NB).await.unwrap();
    client.runs().create(NB).blocks(["b1"]).await.unwrap();
    client.runs().create(NB).live().await.unwrap();
    client
        .runs()
        .create(NB)
        .detached_storage(deepnote::DetachedStorage::ReadOnly)
        .await
        .unwrap();
    // Refused before sending: nothing more reaches the server.
    for refused in [
        client
            .runs()
            .create(NB)
            .blocks(["b1"])
            .detached_storage(deepnote::DetachedStorage::ReadOnly)
            .await,
        client.runs().create(NB).blocks(["b1"]).detached(true).await,
    ] {
        assert!(matches!(refused, Err(Error::InvalidArgument(_))));
    }
    let bodies = bodies.lock().unwrap();
    assert_eq!(
        *bodies,
        vec![
            json!({"notebookId": NB, "detached": true}),
            json!({"notebookId": NB, "blockIds": ["b1"], "detached": false}),
            json!({"notebookId": NB, "detached": false}),
            json!({"notebookId": NB, "detached": true, "detachedRunStorageMode": "readonly"}),
        ]
    );
}
