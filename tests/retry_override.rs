//! One call under another retry policy than its client's (`with_retry_policy`), and requests
//! outside the spec sent with the client's care (`send_request`), against a loopback stub.

mod common;

use common::{Reply, Stub};
use deepnote_api::{ApiErrorExt, ApiKey, Client, ClientBuilder, RetryPolicy, with_retry_policy};
use serde_json::json;
use std::time::Duration;

const KEY: &str = "dn-test-key-7c21e5";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_max_elapsed(Duration::from_secs(5))
}

fn client(stub: &Stub, retry: RetryPolicy) -> Client {
    ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(&stub.url())
        .retry_policy(retry)
        .build()
        .unwrap()
}

fn refused() -> Reply {
    Reply::Full(429, vec![("retry-after", "0".into())], "slow down".into())
}

fn unavailable() -> Reply {
    Reply::json(503, json!({"message": "busy"}))
}

fn started() -> Reply {
    Reply::json(
        200,
        json!({"runId": "00000000-0000-4000-8000-0000000000c1", "status": "pending"}),
    )
}

fn me() -> Reply {
    Reply::json(200, json!({"accessLevel": "admin"}))
}

async fn create(client: &Client) -> Result<(), deepnote_api::ApiError> {
    client
        .create_run()
        .body_map(|b| b.notebook_id("n"))
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn a_create_under_no_retries_is_sent_once() {
    // The client's own policy repeats a refused (429) create: the server did nothing.
    let stub = Stub::start(vec![refused(), started()]).await;
    create(&client(&stub, fast_retries())).await.unwrap();
    assert_eq!(stub.seen().len(), 2);

    // Under the override, neither a 429 nor a 503 is repeated.
    let stub = Stub::start(vec![refused(), unavailable(), started()]).await;
    let c = client(&stub, fast_retries());
    let e = with_retry_policy(RetryPolicy::none(), create(&c))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(429));
    let e = with_retry_policy(RetryPolicy::none(), create(&c))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 2, "each create sent once");
}

#[tokio::test]
async fn a_get_is_retried_outside_the_override() {
    let stub = Stub::start(vec![unavailable(), unavailable(), unavailable(), me()]).await;
    let c = client(&stub, fast_retries());
    let e = with_retry_policy(RetryPolicy::none(), c.get_me().send())
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 1, "not retried under the override");
    // The override ended with its call: the client's own policy retries the next GET.
    c.get_me().send().await.unwrap();
    assert_eq!(stub.seen().len(), 4);
}

#[tokio::test]
async fn an_override_may_retry_where_the_client_would_not() {
    let stub = Stub::start(vec![unavailable(), unavailable(), me()]).await;
    let c = client(&stub, RetryPolicy::none());
    assert_eq!(c.retry_policy().max_attempts(), 1);
    let me = with_retry_policy(fast_retries(), c.get_me().send())
        .await
        .unwrap();
    assert!(me.access_level.is_some());
    assert_eq!(stub.seen().len(), 3);
}

#[tokio::test]
async fn send_request_retries_and_shapes_errors_without_adding_the_key() {
    let stub = Stub::start(vec![
        unavailable(),
        Reply::Full(200, vec![], "snapshot text".into()),
        Reply::Full(404, vec![], "gone".into()),
        Reply::Full(429, vec![("retry-after", "600".into())], "".into()),
        unavailable(),
    ])
    .await;
    let c = client(&stub, fast_retries());
    let get = |path: &str| {
        let url = reqwest::Url::parse(&format!("{}{path}", stub.url())).unwrap();
        reqwest::Request::new(reqwest::Method::GET, url)
    };
    let ok = c.send_request(get("/files/a")).await.unwrap();
    assert_eq!(ok.text().await.unwrap(), "snapshot text");
    let seen = stub.seen();
    assert_eq!(seen.len(), 2, "the 503 was retried");
    assert_eq!(seen[1].path, "/files/a", "no base is applied");
    assert!(seen[1].headers.get("authorization").is_none(), "no key");

    let e = c.send_request(get("/files/b")).await.unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(e.message(), Some("HTTP 404 Not Found: gone"));

    // Longer than max_elapsed: not waited, and kept on the error.
    let e = c.send_request(get("/files/c")).await.unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(429));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(600)));

    let e = with_retry_policy(RetryPolicy::none(), c.send_request(get("/files/d")))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 5, "each answered once");
}

#[test]
fn a_builder_without_a_key_says_so() {
    let e = ClientBuilder::default().build().unwrap_err();
    assert!(matches!(e, deepnote_api::BuildError::NoApiKey), "{e:?}");
    let c = ClientBuilder::default()
        .base_url("http://127.0.0.1:1")
        .api_key(ApiKey::new(KEY).unwrap())
        .build()
        .unwrap();
    assert_eq!(c.base_urls().v2(), "http://127.0.0.1:1/v2");
    assert_eq!(c.retry_policy(), &RetryPolicy::default());
}
