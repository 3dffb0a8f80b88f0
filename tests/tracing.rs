//! Tracing: one span per operation, and no key in the output even at TRACE level.
//! Alone in its own test binary: tracing caches per-callsite interest process-wide, so a
//! scoped subscriber in a test that shares a process with others can miss events.

use deepnote_api::{ApiKey, ClientBuilder, RetryPolicy};
use deepnote_test_support::{Reply, Stub};
use serde_json::json;
use std::time::Duration;

const KEY: &str = "dn-test-key-4f9a0c";

#[tokio::test]
async fn one_span_per_operation_without_the_key() {
    let (capture, _guard) = deepnote_test_support::Capture::install(true);
    let stub = Stub::start(vec![
        Reply::json(503, json!({"message": "x"})),
        Reply::json(200, json!({"id": "00000000-0000-4000-8000-0000000000a1"})),
    ])
    .await;
    ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(&stub.url())
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a1")
        .send()
        .await
        .unwrap();
    let log = capture.text();
    assert!(log.contains("deepnote.request"), "{log}");
    assert!(log.contains("operation=\"get_project\""), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains(KEY), "the key leaked into tracing output");
}
