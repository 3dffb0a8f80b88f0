//! The hand-written operations (`createFile`, `importProject`, and the JSON-answered copy and
//! session calls) are traced like generated ones: one `deepnote.request` span each, named after
//! the operation, without the key. Alone in its binary: tracing caches callsite interest
//! process-wide.

mod surface_support;

use deepnote::projects::DeepnoteDocument;
use serde_json::json;
use surface_support::{OTHER_PROJECT, PROJECT, stub};

#[tokio::test]
async fn hand_written_operations_get_their_span() {
    let (capture, _guard) = deepnote_test_support::Capture::install(true);
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
        .import(PROJECT, &docs, &deepnote::projects::ImportOptions::new())
        .await
        .unwrap();
    let log = capture.text();
    for op in ["create_file", "copy_file", "import_project"] {
        assert!(log.contains(&format!("operation=\"{op}\"")), "{op}: {log}");
    }
    assert!(log.contains("status=201"), "{log}");
    assert!(!log.contains("surface-key-0123456789"), "{log}");
}
