//! The bad day through the SDK's own calls: an HTML or plain-text 429/502/503 from a proxy, a
//! body cut off mid-JSON, a 2xx of the wrong shape, an answer slower than the timeout and a
//! connection that never answers. Each is the right typed error, in bounded time.

use crate::common;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use deepnote::{
    Client, Error, RunId,
    client::RetryPolicy,
    runs::{RunRequest, WaitPolicy},
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";

fn client(base: &str, timeout: Duration, attempts: u32) -> Client {
    Client::builder()
        .api_key("bad-day-key-0123456789")
        .base_url(base)
        .timeout(timeout)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn proxy_pages_keep_their_status_and_lose_their_markup() {
    let html = |status: u16, extra: Option<(&'static str, &'static str)>| {
        move || async move {
            let mut r = axum::response::Response::builder()
                .status(StatusCode::from_u16(status).unwrap())
                .header("content-type", "text/html");
            if let Some((k, v)) = extra {
                r = r.header(k, v);
            }
            r.body(axum::body::Body::from(
                "<html><body><h1>Bad Gateway</h1><p>nginx</p></body></html>",
            ))
            .unwrap()
        }
    };
    let app = Router::new()
        .route("/v2/me", get(html(429, Some(("retry-after", "3")))))
        .route("/v2/projects/{id}", get(html(502, None)))
        .route(
            "/v2/notebooks/{id}",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "upstream overloaded") }),
        );
    let base = common::stub(app).await;
    let c = client(&base, Duration::from_secs(5), 1);
    let started = Instant::now();

    // A client of its own: the 429's wait holds back every request of the client that met it.
    let limited = client(&base, Duration::from_secs(5), 1);
    let e = limited.me().get().await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    let e = c.projects().get("p").await.unwrap_err();
    assert!(
        matches!(&e, Error::Api { status, message } if status.as_u16() == 502 && !message.contains('<')),
        "{e:?}"
    );
    assert!(e.is_retryable());
    let e = c.notebooks().get("n").await.unwrap_err();
    assert!(
        matches!(&e, Error::Api { status, message } if status.as_u16() == 503 && message.contains("overloaded")),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A server that sends the head and part of a JSON body, then closes the connection.
async fn cut_off_server() -> String {
    let (listener, url) = deepnote_test_support::loopback::bind().await;
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let part = format!(r#"{{"run": {{"runId": "{RUN}", "sta"#);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    part.len() + 40
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(part.as_bytes()).await;
                // Dropped here: the body ends early.
            });
        }
    });
    url
}

#[tokio::test]
async fn a_body_cut_off_mid_json_is_a_retryable_transport_error() {
    let base = cut_off_server().await;
    let c = client(&base, Duration::from_secs(5), 3);
    let started = Instant::now();
    let id = RunId::parse(RUN).unwrap();
    let e = c.runs().get(id).await.unwrap_err();
    assert!(
        matches!(e, Error::Transport(_)) && e.is_retryable(),
        "{e:?}"
    );
    // The waiter gives up after its failed polls, with the same error.
    let e = c
        .runs()
        .wait(id)
        .policy(deepnote::runs::WaitPolicy::default().first_delay(Duration::from_millis(5)))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_2xx_of_the_wrong_shape_is_a_decode_error() {
    let app = Router::new()
        .route(
            "/v2/projects",
            get(|| async { axum::Json(serde_json::json!({"projects": [{"name": 1}]})) }),
        )
        .route(
            "/v2/runs/{id}",
            get(|| async { axum::Json(serde_json::json!([1, 2, 3])) }),
        );
    let c = client(&common::stub(app).await, Duration::from_secs(5), 1);
    let e = c.projects().list().send().await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    let e = c.runs().get(RunId::parse(RUN).unwrap()).await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn slow_and_silent_servers_time_out_in_bounded_time() {
    let late = || async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "late"
    };
    let app = Router::new()
        .route("/v2/me", get(late))
        .route("/v2/projects", axum::routing::post(late));
    let slow = common::stub(app).await;
    // Accepts connections, reads nothing, answers nothing.
    let (listener, silent) = deepnote_test_support::loopback::bind().await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    for base in [slow, silent] {
        let started = Instant::now();
        let e = client(&base, Duration::from_millis(200), 2)
            .me()
            .get()
            .await
            .unwrap_err();
        assert!(
            matches!(&e, Error::Transport(t) if t.is_timeout()) && e.is_retryable(),
            "{base}: {e:?}"
        );
        // Two attempts of 200 ms and a short pause, nowhere near the server's 30 s.
        assert!(started.elapsed() < Duration::from_secs(5), "{base}");
        // A create is not repeated after a timeout, and says so just the same.
        let started = Instant::now();
        let e = client(&base, Duration::from_millis(200), 3)
            .projects()
            .create("x")
            .await
            .unwrap_err();
        assert!(matches!(&e, Error::Transport(t) if t.is_timeout()), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{base}");
    }
}

/// `run_many` polls with one attempt each (it paces its own requests), so it counts a wait's
/// failed-poll budget in attempts: 2 failed polls of 3 attempts each rides out 6 failed reads
/// in a row, as a single `wait` would, and the 7th ends the wait.
#[tokio::test]
async fn run_many_rides_out_as_many_failed_reads_as_a_wait() {
    for (failing, survives) in [(6, true), (7, false)] {
        let reads = Arc::new(AtomicU32::new(0));
        let app = Router::new()
            .route(
                "/v2/runs",
                post(|| async {
                    let started = serde_json::json!({"runId": RUN, "status": "queued"});
                    (StatusCode::ACCEPTED, axum::Json(started))
                }),
            )
            .route(
                "/v2/runs/{id}",
                get(move || async move {
                    if reads.fetch_add(1, Ordering::SeqCst) < failing {
                        (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
                    } else {
                        axum::Json(serde_json::json!({"run": {"runId": RUN, "status": "success"}}))
                            .into_response()
                    }
                }),
            );
        let c = client(&common::stub(app).await, Duration::from_secs(5), 3);
        let mut policy = WaitPolicy::default().first_delay(Duration::from_millis(1));
        policy.max_failed_polls = 2;
        let outcomes = c
            .runs()
            .run_many([RunRequest::new("nb-1")])
            .wait_policy(policy)
            .collect()
            .await;
        let result = &outcomes[0].result;
        if survives {
            assert!(
                result.as_ref().is_ok_and(|r| r.is_success()),
                "{outcomes:?}"
            );
        } else {
            assert!(
                matches!(result, Err(Error::Api { status, .. }) if status.as_u16() == 503),
                "{outcomes:?}"
            );
        }
    }
}
