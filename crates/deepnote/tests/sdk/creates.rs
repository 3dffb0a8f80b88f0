//! Every create of the SDK keeps its promise: when the server answers success (201) but the
//! answer cannot be read, whether its JSON is cut short or the connection drops half-way
//! through the body, the call is `Error::CreatedButUnreadable` naming what was created and the
//! status on the wire, and the request was sent once (a second create would make a second one).

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Response, StatusCode};
use deepnote::{
    Client, Error,
    blocks::BlockType,
    projects::{DeepnoteDocument, ImportOptions},
};
use futures_util::{StreamExt, stream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const PROJECT: &str = "0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f";
const SESSION_NB: &str = "0c3f7a0e-7f0e-4b6e-9a59-5d1a2b3c4d5e";
const DOC: &str = "version: 1.0.0\nmetadata:\n  modifiedAt: '2026-01-09T00:00:00.000Z'\nproject:\n  id: 0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f\n  name: Sales\n  notebooks:\n    - id: nb-a\n      name: Main\n      blocks: []\n";

/// How the stub breaks its 201 answer.
#[derive(Clone, Copy, Debug)]
enum Break {
    /// The whole body arrives, but its JSON stops mid-way.
    ShortJson,
    /// The body starts, then the connection is dropped before it ends.
    Dropped,
}

#[derive(Clone)]
struct Stub {
    how: Break,
    requests: Arc<AtomicUsize>,
}

/// Answers once the whole request has arrived (an upload's body too), as a server does.
async fn answer(State(stub): State<Stub>, _request: Bytes) -> Response<Body> {
    stub.requests.fetch_add(1, Ordering::SeqCst);
    let start = r#"{"project": {"id": "0c3f2b1e-7d4a"#;
    let body = match stub.how {
        Break::ShortJson => Body::from(start),
        // The status line and the first bytes go out; only then does the connection drop.
        Break::Dropped => Body::from_stream(
            stream::once(async move { Ok(Bytes::from(start)) }).chain(stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                Err(std::io::Error::other("connection dropped"))
            })),
        ),
    };
    Response::builder()
        .status(StatusCode::CREATED)
        .header("content-type", "application/json")
        .body(body)
        .unwrap()
}

async fn start(how: Break) -> (Client, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback(answer).with_state(Stub {
        how,
        requests: requests.clone(),
    });
    let base = deepnote_test_support::loopback::serve(app).await;
    let client = Client::builder()
        .api_key("creates-key-0123456789")
        .base_url(&base)
        .build()
        .unwrap();
    (client, requests)
}

/// Each create of the SDK, by the name its error gives what was created.
async fn each_create(client: &Client, local: &std::path::Path) -> Vec<(&'static str, Error)> {
    let docs = [DeepnoteDocument::new("main.deepnote", DOC)];
    let mut out = Vec::new();
    let mut push = |what: &'static str, r: Result<(), Error>| match r {
        Err(e) => out.push((what, e)),
        Ok(()) => panic!("the {what} create succeeded on an unreadable answer"),
    };
    push("project", client.projects().create("Q3").await.map(drop));
    push(
        "notebook",
        client.notebooks().create(PROJECT).await.map(drop),
    );
    push("run", client.runs().create("nb1").send().await.map(drop));
    push(
        "block",
        client
            .blocks()
            .create("nb1", BlockType::Code)
            .await
            .map(drop),
    );
    push(
        "schedule",
        client
            .schedules()
            .create("nb1", "0 9 * * *")
            .await
            .map(drop),
    );
    push(
        "schedule",
        client.schedules().set("nb1", "0 9 * * *").await.map(drop),
    );
    push(
        "session",
        client.sessions().create(SESSION_NB).await.map(drop),
    );
    push(
        "file",
        client
            .files()
            .upload(PROJECT, "data/sales.csv")
            .from_path(local)
            .await
            .map(drop),
    );
    push(
        "file copy",
        client
            .files()
            .copy(PROJECT, "data/sales.csv", PROJECT)
            .await
            .map(drop),
    );
    push(
        "import",
        client
            .projects()
            .import(PROJECT, &docs, &ImportOptions::default())
            .await
            .map(drop),
    );
    push(
        "app",
        client.apps().create(PROJECT, "app.py").await.map(drop),
    );
    out
}

async fn check(how: Break) {
    let (client, requests) = start(how).await;
    let dir = deepnote_test_support::scratch::dir("creates");
    let local = dir.join("sales.csv");
    std::fs::write(&local, "region,total\nEMEA,10\n").unwrap();
    let errors = each_create(&client, &local).await;
    assert_eq!(errors.len(), 11);
    for (expected, e) in &errors {
        match e {
            Error::CreatedButUnreadable { what, status, .. } => {
                assert_eq!(what, expected, "{how:?}: {e}");
                assert_eq!(*status, Some(StatusCode::CREATED), "{how:?} {what}: {e}");
                // The message says what the user must know: it was created, with which status.
                let text = e.to_string();
                assert!(
                    text.contains("was created") && text.contains("201"),
                    "{text}"
                );
                assert_eq!(e.status(), Some(StatusCode::CREATED), "{text}");
            }
            other => panic!("{how:?}: the {expected} create gave {other:?}"),
        }
    }
    // One request per create: none was sent twice.
    assert_eq!(requests.load(Ordering::SeqCst), errors.len(), "{how:?}");
}

#[tokio::test]
async fn a_create_answered_201_with_short_json_is_created_but_unreadable() {
    check(Break::ShortJson).await;
}

#[tokio::test]
async fn a_create_whose_201_answer_is_cut_off_is_created_but_unreadable() {
    check(Break::Dropped).await;
}
