//! Tracing: one span per operation, and no key in the output even at TRACE level.
//! Alone in its own test binary: tracing caches per-callsite interest process-wide, so a
//! scoped subscriber in a test that shares a process with others can miss events.

mod common;

use common::{Reply, Stub};
use deepnote_api::{ApiKey, ClientBuilder, RetryPolicy};
use serde_json::json;
use std::time::Duration;

const KEY: &str = "dn-test-key-4f9a0c";

#[tokio::test]
async fn one_span_per_operation_without_the_key() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let stub = Stub::start(vec![
        Reply::json(503, json!({"message": "x"})),
        Reply::json(200, json!({"id": "00000000-0000-4000-8000-0000000000a1"})),
    ])
    .await;
    ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(&stub.url())
        .retry_policy(RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap()
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a1")
        .send()
        .await
        .unwrap();
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("deepnote.request"), "{log}");
    assert!(log.contains("operation=\"get_project\""), "{log}");
    assert!(log.contains("attempts=2"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains(KEY), "the key leaked into tracing output");
}
