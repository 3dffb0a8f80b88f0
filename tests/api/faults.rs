//! A bad day on the wire: every misbehaviour of a server or proxy gives a typed error in
//! bounded time, never a panic or a hang.

use deepnote_api::{ApiErrorExt, ApiKey, Client, ClientBuilder, Error, RetryPolicy};
use deepnote_test_support::{Reply, Stub};
use serde_json::json;
use std::time::{Duration, Instant};

const KEY: &str = "dn-faults-key-77d1";

fn client_for(url: &str, timeout: Duration) -> Client {
    ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(url)
        .timeout(timeout)
        .connect_timeout(timeout)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2))
                .with_max_elapsed(Duration::from_secs(5)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn html_and_text_error_pages_keep_their_status() {
    for status in [429u16, 502, 503] {
        for (ct, body) in [
            ("text/html", "<html><body>Bad gateway</body></html>"),
            ("text/plain", "try later"),
        ] {
            let reply = || Reply::Full(status, vec![("content-type", ct.into())], body.into());
            let stub = Stub::start(vec![reply(), reply()]).await;
            let err = client_for(&stub.url(), Duration::from_secs(5))
                .get_project()
                .project_id("00000000-0000-4000-8000-0000000000a2")
                .send()
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::ErrorResponse(_)),
                "{status} {ct}: {err:?}"
            );
            assert_eq!(err.http_status().unwrap().as_u16(), status);
            assert!(
                err.message()
                    .unwrap()
                    .starts_with(&format!("HTTP {status}"))
            );
        }
    }
}

#[tokio::test]
async fn a_body_cut_off_mid_json_is_a_transport_error_after_the_retries() {
    let body = json!({"id": "p", "name": "x".repeat(200)}).to_string();
    let stub = Stub::start(vec![
        Reply::CutOff(200, body.clone()),
        Reply::CutOff(200, body),
    ])
    .await;
    let err = client_for(&stub.url(), Duration::from_secs(5))
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a2")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CommunicationError(_)), "{err:?}");
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn a_2xx_of_the_wrong_shape_is_a_decode_error() {
    for body in [
        &b"[1,2,3]"[..],
        b"{\"id\": 5}",
        b"not json",
        b"",
        b"{\"run\": {\"runId\": 5}}",
    ] {
        let stub = Stub::start(vec![Reply::Bytes(200, body.to_vec())]).await;
        let client = client_for(&stub.url(), Duration::from_secs(5));
        let err = if body.starts_with(b"{\"run\"") {
            client
                .get_run()
                .run_id(uuid::Uuid::nil())
                .send()
                .await
                .map(|_| ())
                .unwrap_err()
        } else {
            client
                .get_project()
                .project_id("00000000-0000-4000-8000-0000000000a2")
                .send()
                .await
                .map(|_| ())
                .unwrap_err()
        };
        assert!(
            matches!(err, Error::InvalidResponsePayload(..)),
            "{body:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_a_timeout() {
    let slow = || {
        Reply::Delayed(
            Duration::from_secs(5),
            Box::new(Reply::json(200, json!({}))),
        )
    };
    let stub = Stub::start(vec![slow(), slow()]).await;
    let started = Instant::now();
    let result = client_for(&stub.url(), Duration::from_millis(200))
        .get_me()
        .send()
        .await;
    let err = result.unwrap_err();
    let Error::CommunicationError(e) = &err else {
        panic!("{err:?}")
    };
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "two attempts of 200 ms each, not 5 s"
    );
}

#[tokio::test]
async fn a_connection_that_never_answers_times_out() {
    // Accepts connections and reads nothing, writes nothing.
    let (listener, url) = deepnote_test_support::loopback::bind().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let err = client_for(&url, Duration::from_millis(200))
        .create_project()
        .body_map(|b| b.name("x"))
        .send()
        .await
        .unwrap_err();
    let Error::CommunicationError(e) = &err else {
        panic!("{err:?}")
    };
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(!format!("{err:?}").contains(KEY));
}
