//! The hand-written operations (`createFile`, `importProject`, and the JSON-answered copy and
//! session calls) are traced like generated ones: one `deepnote.request` span each, named after
//! the operation, without the key. Alone in its binary: tracing caches callsite interest
//! process-wide.

mod surface_support;

use deepnote::DeepnoteDocument;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use surface_support::{OTHER_PROJECT, PROJECT, stub};

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

#[tokio::test]
async fn hand_written_operations_get_their_span() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let s = stub(|r| match r.path.as_str() {
        "/v2/files" => (201, json!({"file": {"path": "a.txt"}}).to_string()),
        "/v2/files/copy" => (201, json!({}).to_string()),
        _ => (
            200,
            json!({"project": {"id": PROJECT, "modifiedAt": "m", "contentHash": "h"}, "notebooks": []})
                .to_string(),
        ),
    })
    .await;
    let c = s.client();
    c.files()
        .upload(PROJECT, "a.txt")
        .from_reader(&b"hi"[..], None)
        .await
        .unwrap();
    c.files()
        .copy(PROJECT, "a.txt", OTHER_PROJECT)
        .await
        .unwrap();
    let docs = [DeepnoteDocument::new("a.deepnote", "project: {}\n")];
    c.projects()
        .import(PROJECT, &docs, &deepnote::ImportOptions::new())
        .await
        .unwrap();
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for op in ["create_file", "copy_file", "import_project"] {
        assert!(log.contains(&format!("operation=\"{op}\"")), "{op}: {log}");
    }
    assert!(log.contains("status=201"), "{log}");
    assert!(!log.contains("surface-key-0123456789"), "{log}");
}
