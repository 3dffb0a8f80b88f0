//! Files: the multipart layout of an upload, its length, progress, the answer; download to a
//! writer and a path with progress; delete and copy; errors; a streamed body sent only once.

use crate::surface_support;

use deepnote::{Client, Error, client::RetryPolicy, error::StatusCode};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use surface_support::{OTHER_PROJECT, PROJECT, Seen, q, stub};

fn created(path: &str) -> (u16, String) {
    (
        201,
        json!({"file": {"projectId": PROJECT, "path": path, "size": 11}}).to_string(),
    )
}

/// The parts of a multipart body, as (headers, content), checking its framing on the way.
fn parts(r: &Seen) -> Vec<(String, Vec<u8>)> {
    let kind = r.header("content-type");
    let boundary = kind
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("content type {kind:?}"));
    let body = &r.body[..];
    let close = format!("\r\n--{boundary}--\r\n");
    assert!(
        body.ends_with(close.as_bytes()),
        "the trailer closes the body"
    );
    let opening = format!("--{boundary}\r\n");
    assert!(body.starts_with(opening.as_bytes()));
    let inner = &body[opening.len()..body.len() - close.len()];
    let separator = format!("\r\n--{boundary}\r\n");
    let mut out = Vec::new();
    let mut rest = inner;
    loop {
        let end = find(rest, separator.as_bytes()).unwrap_or(rest.len());
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n").expect("a part has headers");
        out.push((
            String::from_utf8(part[..split].to_vec()).unwrap(),
            part[split + 4..].to_vec(),
        ));
        if end == rest.len() {
            break;
        }
        rest = &rest[end + separator.len()..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn an_upload_from_a_path_is_one_multipart_request_with_its_length() {
    let s = stub(|_| created("data/report (1).csv")).await;
    let dir = tempdir();
    let local = dir.join("report.csv");
    std::fs::write(&local, b"a,b\n1,2\n3,4").unwrap();
    let totals = Arc::new(Mutex::new(Vec::new()));
    let t = totals.clone();
    let file = s
        .client()
        .files()
        .upload(PROJECT, "data/report.csv")
        .progress(move |n| t.lock().unwrap().push(n))
        .from_path(&local)
        .await
        .unwrap();
    assert_eq!(
        file.path, "data/report (1).csv",
        "the path the server chose"
    );
    assert_eq!(file.size, Some(11));
    let r = s.only();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v2/files"));
    assert_eq!(r.header("authorization"), "Bearer surface-key-0123456789");
    assert_eq!(r.header("content-length"), r.body.len().to_string());
    let parts = parts(&r);
    assert_eq!(parts.len(), 3);
    assert_eq!(
        parts[0],
        (
            "Content-Disposition: form-data; name=\"projectId\"".into(),
            PROJECT.as_bytes().to_vec()
        )
    );
    assert_eq!(
        parts[1],
        (
            "Content-Disposition: form-data; name=\"path\"".into(),
            b"data/report.csv".to_vec()
        )
    );
    assert_eq!(
        parts[2].0,
        "Content-Disposition: form-data; name=\"file\"; filename=\"report.csv\"\r\n\
         Content-Type: application/octet-stream"
    );
    assert_eq!(parts[2].1, b"a,b\n1,2\n3,4");
    assert_eq!(*totals.lock().unwrap(), vec![11]);
}

#[tokio::test]
async fn an_upload_from_a_reader_without_a_length_is_chunked() {
    let s = stub(|_| created("x.bin")).await;
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let totals = Arc::new(Mutex::new(Vec::new()));
    let t = totals.clone();
    s.client()
        .files()
        .upload(PROJECT, "x.bin")
        .progress(move |n| t.lock().unwrap().push(n))
        .from_reader(std::io::Cursor::new(data.clone()), None)
        .await
        .unwrap();
    let r = s.only();
    assert_eq!(r.header("transfer-encoding"), "chunked");
    assert_eq!(r.header("content-length"), "");
    assert_eq!(parts(&r)[2].1, data);
    let totals = totals.lock().unwrap().clone();
    assert!(totals.len() > 1, "several chunks: {totals:?}");
    assert!(totals.windows(2).all(|w| w[0] < w[1]), "{totals:?}");
    assert_eq!(totals.last(), Some(&300_000));
}

#[tokio::test]
async fn a_streamed_upload_is_sent_once_even_when_retries_are_on() {
    let s = stub(|_| (429, json!({"message": "slow down"}).to_string())).await;
    let c = Client::builder()
        .api_key("surface-key-0123456789")
        .base_url(&s.base)
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let e = c
        .files()
        .upload(PROJECT, "a.txt")
        .from_reader(&b"hello"[..], Some(5))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e}");
    assert_eq!(s.requests().len(), 1, "a stream cannot be sent twice");
}

#[tokio::test]
async fn upload_errors_and_bad_arguments() {
    let s = stub(|_| (413, json!({"message": "File too large"}).to_string())).await;
    let c = s.client();
    let e = c
        .files()
        .upload(PROJECT, "big.bin")
        .from_reader(&b"xx"[..], None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::PAYLOAD_TOO_LARGE));
    assert!(e.to_string().contains("File too large"), "{e}");
    let before = s.requests().len();
    for (project, path) in [("not-a-uuid", "a"), (PROJECT, ""), (PROJECT, "a\r\nb")] {
        let e = c
            .files()
            .upload(project, path)
            .from_reader(&b"x"[..], None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidArgument(_)),
            "{project} {path:?}: {e}"
        );
    }
    let e = c
        .files()
        .upload(PROJECT, "a")
        .from_path("/definitely/not/here")
        .await
        .unwrap_err();
    // A local file's failure is a filesystem error naming the file, not an "invalid argument".
    assert!(matches!(e, Error::Filesystem(_)), "{e}");
    assert!(e.to_string().contains("/definitely/not/here"), "{e}");
    assert!(!e.to_string().contains("invalid argument"), "{e}");
    assert_eq!(s.requests().len(), before, "nothing sent");
}

#[tokio::test]
async fn downloads_stream_to_writers_and_paths_with_progress() {
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 13) as u8).collect();
    let served = data.clone();
    let s = surface_support::stub(move |r| {
        if r.query.get("path").map(String::as_str) == Some("gone.csv") {
            return (404, json!({"message": "File not found"}).to_string());
        }
        (200, String::from_utf8(served.clone()).unwrap())
    })
    .await;
    let c = s.client();
    let totals = Arc::new(Mutex::new(Vec::new()));
    let t = totals.clone();
    let mut out = Vec::new();
    let n = c
        .files()
        .download(PROJECT, "data/a b.csv")
        .progress(move |n| t.lock().unwrap().push(n))
        .to_writer(&mut out)
        .await
        .unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(out, data);
    let totals = totals.lock().unwrap().clone();
    assert!(totals.windows(2).all(|w| w[0] < w[1]), "{totals:?}");
    assert_eq!(totals.last(), Some(&(data.len() as u64)));
    let r = &s.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/v2/files/download")
    );
    assert_eq!(
        r.query,
        q(&[("projectId", PROJECT), ("path", "data/a b.csv")])
    );

    let dir = tempdir();
    let local = dir.join("a.csv");
    std::fs::write(&local, b"old").unwrap();
    c.files()
        .download(PROJECT, "a.csv")
        .to_path(&local)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&local).unwrap(), data);
    let e = c
        .files()
        .download(PROJECT, "gone.csv")
        .to_path(&local)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    assert_eq!(
        std::fs::read(&local).unwrap(),
        data,
        "a failed download keeps the old file"
    );
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "no partial file is left behind");
}

#[tokio::test]
async fn delete_and_copy_send_their_fields() {
    let s = stub(|r| match r.path.as_str() {
        "/v2/files" => (204, String::new()),
        _ => (
            201,
            json!({"file": {"projectId": OTHER_PROJECT, "path": "a.csv"}}).to_string(),
        ),
    })
    .await;
    let c = s.client();
    c.files().delete(PROJECT, "data/a.csv").await.unwrap();
    let answer = c
        .files()
        .copy(PROJECT, "a.csv", OTHER_PROJECT)
        .await
        .unwrap();
    assert_eq!(answer["file"]["path"], json!("a.csv"));
    let seen = s.requests();
    assert_eq!(seen[0].method, "DELETE");
    assert_eq!(
        seen[0].query,
        q(&[("projectId", PROJECT), ("path", "data/a.csv")])
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/v2/files/copy")
    );
    assert_eq!(
        seen[1].json(),
        json!({"sourceProjectId": PROJECT, "projectId": OTHER_PROJECT,
               "targetProjectId": OTHER_PROJECT, "path": "a.csv"})
    );
    // An empty 2xx answer to the copy is a success, not a decode failure.
    let s = stub(|_| (204, String::new())).await;
    let answer = s
        .client()
        .files()
        .copy(PROJECT, "a.csv", OTHER_PROJECT)
        .await
        .unwrap();
    assert!(answer.is_empty());
    let s = stub(|_| (404, json!({"message": "File not found"}).to_string())).await;
    let e = s.client().files().delete(PROJECT, "x").await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}

fn tempdir() -> std::path::PathBuf {
    deepnote_test_support::scratch::dir("surface-files")
}
