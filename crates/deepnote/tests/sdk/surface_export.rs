//! Export and import of `.deepnote` documents: the ZIP read and written, the conflict check's
//! query (`baseModifiedAt`, `baseContentHash` as Deepnote's contract computes it), the answers
//! and the errors (404, 409, 413, 422), hostile archives refused.

use crate::surface_support;

use axum::response::{IntoResponse, Response};
use deepnote::{
    Error,
    error::StatusCode,
    projects::{DeepnoteDocument, ImportOptions, content_hash},
};
use serde_json::json;
use std::io::{Read, Write};
use surface_support::{PROJECT, q, stub_raw};

const A: &str = "version: 1.0.0\nmetadata:\n  modifiedAt: '2026-01-09T00:00:00.000Z'\nproject:\n  id: 0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f\n  name: Sales\n  notebooks:\n    - id: nb-a\n      name: Main\n      blocks: []\n";
const B: &str = "version: 1.0.0\nmetadata:\n  modifiedAt: '2026-01-09T00:00:00.000Z'\nproject:\n  id: 0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f\n  name: Sales\n  notebooks:\n    - id: nb-b\n      name: Report\n      blocks: []\n";

fn zip_of(entries: &[(&str, &str)], with_dir: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    if with_dir {
        w.add_directory("assets/", options).unwrap();
    }
    for (name, content) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(content.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            (name, text)
        })
        .collect()
}

fn zip_answer(bytes: Vec<u8>) -> Response {
    ([("content-type", "application/zip")], bytes).into_response()
}

fn json_answer(status: u16, body: serde_json::Value) -> Response {
    surface_support::respond(status, body.to_string())
}

#[tokio::test]
async fn export_reads_the_documents_and_import_sends_them_back_with_the_base() {
    let exported = zip_of(
        &[
            ("main.deepnote", A),
            ("report.deepnote", B),
            ("README.txt", "x"),
        ],
        true,
    );
    let s = stub_raw(move |r| match r.method.as_str() {
        "GET" => zip_answer(exported.clone()),
        _ => json_answer(
            200,
            json!({"project": {"id": PROJECT, "modifiedAt": "2026-01-10T00:00:00.000Z",
                               "contentHash": "abc123"},
                   "notebooks": [{"id": "nb-a", "name": "Main", "action": "overwritten"},
                                 {"id": "nb-c", "name": "New", "action": "created"}]}),
        ),
    })
    .await;
    let c = s.client();
    let export = c.projects().export(PROJECT).await.unwrap();
    assert_eq!(
        export.documents,
        vec![
            DeepnoteDocument::new("main.deepnote", A),
            DeepnoteDocument::new("report.deepnote", B)
        ],
        "the documents byte for byte; folders and other files left out"
    );
    assert_eq!(
        export.modified_at().unwrap().as_deref(),
        Some("2026-01-09T00:00:00.000Z")
    );
    assert_eq!(
        export.documents[1].notebook_id().unwrap().unwrap().as_str(),
        "nb-b"
    );
    assert_eq!(
        export.documents[0].project_id().unwrap().unwrap().as_str(),
        PROJECT
    );
    assert_eq!(export.content_hash(), content_hash(&export.documents));

    let mut docs = export.documents.clone();
    docs[0].content = A.replace("blocks: []", "blocks: [] # edited");
    docs.push(DeepnoteDocument::new(
        "new.deepnote",
        B.replace("nb-b", "nb-c"),
    ));
    let options = ImportOptions::based_on(&export)
        .unwrap()
        .delete_missing_notebooks(true);
    let result = c.projects().import(PROJECT, &docs, &options).await.unwrap();
    assert_eq!(result.modified_at, "2026-01-10T00:00:00.000Z");
    assert_eq!(result.content_hash, "abc123");
    assert_eq!(result.notebooks[1].action, "created");
    assert_eq!(result.notebooks[1].id.as_str(), "nb-c");

    let seen = s.requests();
    assert_eq!(seen[0].path, format!("/v2/projects/{PROJECT}/export"));
    let r = &seen[1];
    assert_eq!(
        (r.method.as_str(), r.path.clone()),
        ("POST", format!("/v2/projects/{PROJECT}/import"))
    );
    assert_eq!(r.header("content-type"), "application/zip");
    assert_eq!(r.header("authorization"), "Bearer surface-key-0123456789");
    assert_eq!(
        r.query,
        q(&[
            ("baseModifiedAt", "2026-01-09T00:00:00.000Z"),
            ("baseContentHash", export.content_hash().as_str()),
            ("deleteMissingNotebooks", "true"),
        ])
    );
    let sent = unzip(&r.body);
    let expected: Vec<(String, String)> = docs
        .iter()
        .map(|d| (d.file_name.clone(), d.content.clone()))
        .collect();
    assert_eq!(
        sent, expected,
        "one entry per document at the root, unchanged"
    );

    // Forced: no base sent, only force.
    c.projects()
        .import(PROJECT, &docs, &ImportOptions::new().force(true))
        .await
        .unwrap();
    assert_eq!(s.requests()[2].query, q(&[("force", "true")]));
}

#[tokio::test]
async fn an_empty_project_exports_and_imports_nothing() {
    let s = stub_raw(|r| match r.method.as_str() {
        "GET" => zip_answer(zip_of(&[], false)),
        _ => json_answer(
            200,
            json!({"project": {"id": PROJECT, "modifiedAt": "m", "contentHash": "h"}, "notebooks": []}),
        ),
    })
    .await;
    let c = s.client();
    let export = c.projects().export(PROJECT).await.unwrap();
    assert!(export.documents.is_empty());
    assert_eq!(export.modified_at().unwrap(), None);
    let result = c
        .projects()
        .import(PROJECT, &[], &ImportOptions::new())
        .await
        .unwrap();
    assert!(result.notebooks.is_empty());
    let sent = &s.requests()[1];
    assert!(
        unzip(&sent.body).is_empty(),
        "an empty ZIP, which the contract accepts"
    );
    assert!(sent.query.is_empty());
}

#[tokio::test]
async fn import_errors_keep_their_status_and_message() {
    let s = stub_raw(
        |r| match r.query.get("baseContentHash").map(String::as_str) {
            Some("stale") => json_answer(409, json!({"message": "Project changed since the base"})),
            Some("big") => json_answer(413, json!({"message": "Archive too large"})),
            Some("odd") => json_answer(422, json!({"message": "Document targets another project"})),
            _ => json_answer(404, json!({"message": "Project not found"})),
        },
    )
    .await;
    let c = s.client();
    let docs = [DeepnoteDocument::new("main.deepnote", A)];
    for (hash, status, text) in [
        ("stale", 409, "Project changed"),
        ("big", 413, "too large"),
        ("odd", 422, "another project"),
    ] {
        let options = ImportOptions::new().base_content_hash(hash);
        let e = c
            .projects()
            .import(PROJECT, &docs, &options)
            .await
            .unwrap_err();
        assert_eq!(
            e.status(),
            Some(StatusCode::from_u16(status).unwrap()),
            "{e}"
        );
        assert!(e.to_string().contains(text), "{e}");
    }
    let e = c
        .projects()
        .import(PROJECT, &docs, &ImportOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = c.projects().export(PROJECT).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    // Refused before sending: names outside the archive's root, twice the same name, not a UUID.
    let before = s.requests().len();
    for bad in [
        vec![DeepnoteDocument::new("../up.deepnote", A)],
        vec![DeepnoteDocument::new("dir/in.deepnote", A)],
        vec![
            DeepnoteDocument::new("a.deepnote", A),
            DeepnoteDocument::new("a.deepnote", B),
        ],
        vec![DeepnoteDocument::new("empty.deepnote", " ")],
    ] {
        let e = c
            .projects()
            .import(PROJECT, &bad, &ImportOptions::new())
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    }
    assert!(matches!(
        c.projects()
            .import("p1", &docs, &ImportOptions::new())
            .await,
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(s.requests().len(), before);
}

#[tokio::test]
async fn hostile_exports_are_decode_errors() {
    let s = stub_raw(|r| {
        let id = r
            .path
            .trim_start_matches("/v2/projects/")
            .trim_end_matches("/export");
        match id {
            "11111111-2222-4333-8444-555555555555" => {
                zip_answer(zip_of(&[("../../evil.deepnote", A)], false))
            }
            "22222222-2222-4333-8444-555555555555" => zip_answer(b"PK\x03\x04 not really".to_vec()),
            _ => zip_answer(zip_of(&[("bad.deepnote", "a: [unclosed")], false)),
        }
    })
    .await;
    let c = s.client();
    for id in [
        "11111111-2222-4333-8444-555555555555",
        "22222222-2222-4333-8444-555555555555",
    ] {
        let e = c.projects().export(id).await.unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{id}: {e}");
    }
    // A document that is not YAML exports fine (it is text) but says so when read.
    let export = c.projects().export(PROJECT).await.unwrap();
    let e = export.documents[0].modified_at().unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
}

#[tokio::test]
async fn an_import_held_in_memory_is_retried_on_a_rate_limit() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let n = calls.clone();
    let s = stub_raw(move |_| {
        if n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return json_answer(429, json!({"message": "slow down"}));
        }
        json_answer(
            200,
            json!({"project": {"id": PROJECT, "modifiedAt": "m", "contentHash": "h"}, "notebooks": []}),
        )
    })
    .await;
    let c = deepnote::Client::builder()
        .api_key("surface-key-0123456789")
        .base_url(&s.base)
        .retry_policy(
            deepnote::client::RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_max_backoff(std::time::Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let docs = [DeepnoteDocument::new("main.deepnote", A)];
    c.projects()
        .import(PROJECT, &docs, &ImportOptions::new())
        .await
        .unwrap();
    let seen = s.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].body, seen[1].body, "the same ZIP both times");
}
