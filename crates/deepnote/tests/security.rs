//! The key stays secret: not in Debug, Display, errors or logs, not over plain http to another
//! host, and scrubbed from anything a server echoes back.
//!
//! Alone in its binary: the log capture depends on tracing's callsite interest, which is cached
//! process-wide, and in the shared `sdk` binary it once saw no events at all.

mod common;

use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use deepnote::{Client, Error};
use serde_json::json;
use std::sync::{Arc, Mutex};

const KEY: &str = "sekret-0123456789-abcdef";

fn echoed(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A server that echoes the bearer header back everywhere it can.
fn echo_server() -> Router {
    Router::new()
        .route(
            "/v2/me",
            get(|h: HeaderMap| async move {
                Json(json!({"apiKey": {"id": "k", "secret": echoed(&h), "nested": {"again": echoed(&h)}},
                    "user": {"id": "u"}, "workspace": {"id": "w"}, "accessLevel": "editor"}))
            }),
        )
        .route(
            "/v2/projects/{id}",
            get(|h: HeaderMap| async move {
                (
                    axum::http::StatusCode::UNAUTHORIZED,
                    Json(json!({"message": format!("bad key: {}", echoed(&h))})),
                )
            }),
        )
        .route(
            "/v2/notebooks/{id}",
            get(|h: HeaderMap| async move {
                (axum::http::StatusCode::BAD_GATEWAY, format!("proxy says {}", echoed(&h)))
            }),
        )
}

#[tokio::test]
async fn the_key_never_shows_in_debug_errors_or_logs() {
    let (logs, _guard) = deepnote_test_support::Capture::install(false);

    let base = common::stub(echo_server()).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base)
        .retry_policy(deepnote::client::RetryPolicy::none())
        .build()
        .unwrap();
    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", Client::builder().api_key(KEY)),
    ];

    let me = client.me().get().await.unwrap();
    shown.push(format!("{me:?}"));
    assert_eq!(me.api_key["secret"], json!("Bearer ***"));

    let e = client.projects().get("p").await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }));
    shown.push(format!("{e}"));
    shown.push(format!("{e:?}"));
    let e = client.notebooks().get("n").await.unwrap_err();
    assert_eq!(e.status(), Some(deepnote::error::StatusCode::BAD_GATEWAY));
    shown.push(format!("{e}"));
    shown.push(format!("{e:?}"));
    // A connection that is refused.
    let closed = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .retry_policy(deepnote::client::RetryPolicy::none())
        .build()
        .unwrap();
    let e = closed.me().get().await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)) && e.is_retryable());
    shown.push(format!("{e}"));
    shown.push(format!("{e:?}"));

    let logs = logs.text();
    assert!(
        logs.contains("deepnote.request"),
        "no spans were logged:\n{logs}"
    );
    shown.push(logs);
    for text in shown {
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }
}

#[tokio::test]
async fn plain_http_to_another_host_is_refused_unless_allowed() {
    for base in ["http://api.example.com", "http://10.0.0.8:8080/v2"] {
        let e = Client::builder()
            .api_key(KEY)
            .base_url(base)
            .build()
            .unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{base}: {e:?}");
        assert!(!e.to_string().contains(KEY));
        assert!(
            Client::builder()
                .api_key(KEY)
                .base_url(base)
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
    }
    for base in [
        "https://api.example.com",
        "http://localhost:1234",
        "http://[::1]:80",
    ] {
        assert!(
            Client::builder()
                .api_key(KEY)
                .base_url(base)
                .build()
                .is_ok(),
            "{base}"
        );
    }
    assert!(matches!(Client::builder().build(), Err(Error::Config(_))));
    assert!(matches!(Client::new(""), Err(Error::Config(_))));
    assert!(matches!(Client::new("two words"), Err(Error::Config(_))));
    let e = Client::builder()
        .api_key(KEY)
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(matches!(e, Error::Config(_)));
}

#[test]
fn the_key_never_shows_in_panic_messages() {
    // `unwrap` and `expect` on the SDK's results are how most programs meet its errors: the
    // message they print is the error's Debug, which must not carry the key.
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        sink.lock().unwrap().push(info.to_string());
    }));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let failures: Vec<Box<dyn FnOnce() + std::panic::UnwindSafe>> = vec![
        Box::new(|| {
            Client::builder()
                .api_key(KEY)
                .base_url("http://api.example.com")
                .build()
                .unwrap();
        }),
        Box::new(move || {
            let rt = rt;
            let client = Client::builder()
                .api_key(KEY)
                .base_url("http://127.0.0.1:9")
                .retry_policy(deepnote::client::RetryPolicy::none())
                .build()
                .unwrap();
            rt.block_on(client.me().get()).expect("me");
        }),
        Box::new(|| {
            let client = Client::builder().api_key(KEY).build().unwrap();
            panic!("a caller's own panic with the client in it: {client:?}");
        }),
    ];
    let count = failures.len();
    for f in failures {
        assert!(std::panic::catch_unwind(f).is_err());
    }
    std::panic::set_hook(previous);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), count);
    for text in seen.iter() {
        assert!(!text.contains(KEY), "the key leaked in a panic: {text}");
    }
}
