//! The answers the live Deepnote API gives, from hand-made loopback stubs: a call that may have
//! succeeded is never a plain failure, an empty snapshot is "not there yet", and a failed run
//! that Deepnote gave no reason for gets one from its snapshot.

use crate::common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use deepnote::{Error, RunId, client::RetryPolicy};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const NB: &str = "nb-1";

/// A client that would retry, so a test sees whether a create is repeated.
fn retrying_client(base: &str) -> deepnote::Client {
    let retry = RetryPolicy::default()
        .with_initial_backoff(std::time::Duration::from_millis(1))
        .with_max_backoff(std::time::Duration::from_millis(2));
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
        deepnote::runs::Snapshot::from_text("").parse(),
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
        .run_many([deepnote::runs::RunRequest::new(NB)])
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
        .storage_mode(deepnote::runs::StorageMode::ReadOnly)
        .await
        .unwrap();
    // Refused before sending: nothing more reaches the server.
    for refused in [
        client
            .runs()
            .create(NB)
            .blocks(["b1"])
            .storage_mode(deepnote::runs::StorageMode::ReadOnly)
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

/// Serves one JSON answer with this status for any method on `path`.
fn answer(status: StatusCode, body: Value) -> axum::routing::MethodRouter {
    let reply = move || {
        let body = body.clone();
        async move { (status, axum::Json(body)) }
    };
    get(reply.clone()).post(reply)
}

const PROJECT: &str = "00000000-0000-4000-8000-000000000101";

#[tokio::test]
async fn creates_of_either_reference_are_read() {
    let project = json!({"id": PROJECT, "name": "P"});
    let notebook = json!({"id": "nb-9", "name": "N", "projectId": PROJECT});
    let cases = [
        (
            StatusCode::CREATED,
            json!({"project": project}),
            json!({"notebook": notebook}),
            StatusCode::ACCEPTED,
            json!({"runId": RUN, "status": "pending"}),
        ),
        (
            StatusCode::OK,
            project.clone(),
            json!({"notebook": notebook}),
            StatusCode::OK,
            json!({"run": {"id": RUN, "status": "pending"}}),
        ),
        (
            StatusCode::CREATED,
            project.clone(),
            json!({"notebook": notebook}),
            StatusCode::CREATED,
            json!({"run": {"id": RUN, "status": "running"}}),
        ),
    ];
    for (created, project_body, notebook_body, started, run_body) in cases {
        let app = Router::new()
            .route("/v2/projects", answer(created, project_body.clone()))
            .route("/v2/notebooks", answer(created, notebook_body.clone()))
            .route("/v2/runs", answer(started, run_body.clone()));
        let client = common::stub_client(&common::stub(app).await);
        let p = client.projects().create("P").await.unwrap();
        assert_eq!(p.id.as_str(), PROJECT, "{project_body}");
        assert_eq!(p.name, "P");
        let n = client.notebooks().create(PROJECT).await.unwrap();
        assert_eq!(n.id.as_str(), "nb-9");
        let r = client.runs().create(NB).await.unwrap();
        assert_eq!(r.id().to_string(), RUN, "{run_body}");
    }
}

#[tokio::test]
async fn runs_of_either_reference_carry_their_finish_time_and_snapshot() {
    let cases = [
        // Live: completedAt, the snapshot flat on the run, `id`.
        json!({"run": {"id": RUN, "status": "success", "createdAt": "2026-12-01T10:00:00Z",
            "completedAt": "2026-12-01T10:00:07Z", "snapshotContent": DOC,
            "snapshotDownloadUrl": null}}),
        // Original: finishedAt, the snapshot nested, `runId`.
        json!({"run": {"runId": RUN, "status": "success", "createdAt": "2026-12-01T10:00:00Z",
            "finishedAt": "2026-12-01T10:00:07Z", "snapshot": {"snapshotContent": DOC}}}),
    ];
    for body in cases {
        let app = Router::new().route("/v2/runs/{id}", answer(StatusCode::OK, body.clone()));
        let client = common::stub_client(&common::stub(app).await);
        let id = RunId::parse(RUN).unwrap();
        let run = client.runs().get(id).await.unwrap();
        assert_eq!(run.id, id);
        assert_eq!(
            run.duration(),
            Some(std::time::Duration::from_secs(7)),
            "{body}"
        );
        assert!(run.finished_at.is_some());
        assert_eq!(client.runs().snapshot(id).await.unwrap().text(), DOC);
    }
    // Still going: completedAt is null.
    let app = Router::new().route(
        "/v2/runs/{id}",
        answer(
            StatusCode::OK,
            json!({"run": {"id": RUN, "status": "running", "completedAt": null}}),
        ),
    );
    let client = common::stub_client(&common::stub(app).await);
    let run = client.runs().get(RunId::parse(RUN).unwrap()).await.unwrap();
    assert_eq!((run.finished_at, run.duration()), (None, None));
    assert!(!run.is_finished());
}

#[tokio::test]
async fn a_null_next_page_token_ends_the_list() {
    let app = Router::new().route(
        "/v2/notebooks/{id}/runs",
        answer(
            StatusCode::OK,
            json!({"runs": [{"runId": RUN, "status": "success"}],
                "pagination": {"nextPageToken": null, "pageSize": 20, "hasMore": false}}),
        ),
    );
    let client = common::stub_client(&common::stub(app).await);
    let runs: Vec<_> =
        deepnote::TryStreamExt::try_collect::<Vec<_>>(client.runs().list(NB).stream())
            .await
            .unwrap();
    assert_eq!(runs.len(), 1);
}

#[tokio::test]
async fn error_bodies_with_message_or_error_keep_their_text() {
    let app = Router::new()
        .route(
            "/v2/runs",
            answer(
                StatusCode::BAD_REQUEST,
                json!({"message": "Notebook not found"}),
            ),
        )
        .route(
            "/v2/projects/{id}",
            answer(StatusCode::NOT_FOUND, json!({"error": "Project not found"})),
        );
    let client = common::stub_client(&common::stub(app).await);
    // The live 400 `Notebook not found` is the original's 404: one error for one cause.
    // ... but the status is the one the server sent, so the message does not misreport it.
    match client.runs().create(NB).await {
        Err(e @ Error::NotFound { .. }) => {
            assert_eq!(e.status(), Some(deepnote::error::StatusCode::BAD_REQUEST));
            assert_eq!(e.to_string(), "not found (400): Notebook not found");
        }
        other => panic!("{other:?}"),
    }
    match client.projects().get(PROJECT).await {
        Err(Error::NotFound { message, .. }) => assert_eq!(message, "Project not found"),
        other => panic!("{other:?}"),
    }
}

/// A notebook with these inputs (or none, when `None`), and a run endpoint counting creates.
fn notebook_with_inputs(inputs: Option<Value>) -> (Router, Arc<AtomicU32>, Arc<AtomicU32>) {
    let (reads, creates) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let mut notebook = json!({"id": NB, "name": "N"});
    if let Some(inputs) = inputs {
        notebook["inputs"] = inputs;
    }
    let seen = reads.clone();
    let body = json!({ "notebook": notebook });
    let app = Router::new()
        .route(
            "/v2/notebooks/{id}",
            get(move || {
                seen.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                async move { axum::Json(body) }
            }),
        )
        .route(
            "/v2/runs",
            counted(
                &creates,
                StatusCode::ACCEPTED,
                "{\"runId\": \"67e55044-10b1-426f-9247-bb680e5fe0c8\", \"status\": \"pending\"}",
            ),
        );
    (app, reads, creates)
}

#[tokio::test]
async fn inputs_the_notebook_does_not_take_are_refused_before_sending() {
    let (app, reads, creates) = notebook_with_inputs(Some(json!([
        {"name": "region", "type": "input-text", "value": "EMEA", "label": "Region",
            "blockId": "b1"},
        {"name": "limit", "type": "input-slider", "value": "5", "min": 1, "max": 10, "step": 1},
        {"name": "dry_run", "type": "input-checkbox", "value": false},
        {"name": "tags", "type": "input-select", "value": ["a"], "options": ["a", "b"]},
    ])));
    let client = common::stub_client(&common::stub(app).await);
    let inputs = client.notebooks().inputs(NB).await.unwrap().unwrap();
    assert_eq!(inputs.len(), 4);
    assert_eq!(inputs[0].name, "region");
    assert_eq!(inputs[0].kind, "input-text");
    assert_eq!(inputs[0].label.as_deref(), Some("Region"));
    assert_eq!(inputs[0].block_id.as_deref(), Some("b1"));
    assert_eq!(inputs[1].max, Some(10.0));
    assert_eq!(
        inputs[2].value,
        Some(deepnote::inputs::InputValue::Bool(false))
    );
    assert_eq!(inputs[3].options, vec!["a".to_string(), "b".to_string()]);

    let refused = [
        (
            client.runs().create(NB).input("regoin", "EMEA").await,
            "regoin",
        ),
        (
            client.runs().create(NB).input("dry_run", "yes").await,
            "dry_run",
        ),
        (
            client.runs().create(NB).input("limit", "ten").await,
            "limit",
        ),
    ];
    for (result, name) in refused {
        match result {
            Err(Error::InvalidInput {
                name: got, valid, ..
            }) => {
                assert_eq!(got, name);
                assert!(
                    valid.contains(&"region (input-text)".to_string()),
                    "{valid:?}"
                );
                assert_eq!(valid.len(), 4);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(creates.load(Ordering::SeqCst), 0, "a refused run was sent");
    let before = reads.load(Ordering::SeqCst);
    client
        .runs()
        .create(NB)
        .input("region", "APAC")
        .input("limit", 7)
        .input("dry_run", true)
        .input("tags", ["a", "b"])
        .await
        .unwrap();
    assert_eq!(creates.load(Ordering::SeqCst), 1);
    assert_eq!(
        reads.load(Ordering::SeqCst),
        before + 1,
        "one read per create"
    );

    // A batch reads the notebook once, and refuses what a single create refuses.
    let before = reads.load(Ordering::SeqCst);
    let outcomes = client
        .runs()
        .run_many([
            deepnote::runs::RunRequest::new(NB).input("region", "A"),
            deepnote::runs::RunRequest::new(NB).input("nope", "B"),
            deepnote::runs::RunRequest::new("nb-2").input("region", "C"),
            deepnote::runs::RunRequest::new(NB).input("region", "D"),
            deepnote::runs::RunRequest::new("nb-2").input("limit", 3),
        ])
        .concurrency(2)
        .collect()
        .await;
    assert_eq!(
        reads.load(Ordering::SeqCst),
        before + 2,
        "one read per distinct notebook"
    );
    assert!(matches!(
        outcomes[1].result,
        Err(Error::InvalidInput { ref name, .. }) if name == "nope"
    ));
    assert_eq!(creates.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn a_notebook_that_says_nothing_of_its_inputs_is_not_checked() {
    let (app, reads, creates) = notebook_with_inputs(None);
    let client = common::stub_client(&common::stub(app).await);
    assert_eq!(client.notebooks().inputs(NB).await.unwrap(), None);
    client
        .runs()
        .create(NB)
        .input("anything", "x")
        .await
        .unwrap();
    assert_eq!(creates.load(Ordering::SeqCst), 1);
    assert_eq!(reads.load(Ordering::SeqCst), 2);
}
