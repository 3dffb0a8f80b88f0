//! Live-dialect project files: upload (multipart, never overwrites), download (chunked),
//! copy, delete, and the inventory in `GET /projects/{id}`. Every answer is validated against
//! `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::SAMPLE_PROJECT_ID;
use reqwest::Method;
use serde_json::{Value, json};

const BOUNDARY: &str = "emulator-test-boundary";

fn multipart(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let filename = if *name == "file" {
            "; filename=\"upload.bin\""
        } else {
            ""
        };
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"{filename}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload(api: &Api, project: &str, path: &str, bytes: &[u8]) -> Resp {
    api.send(
        Method::POST,
        "/v2/files",
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        Some(multipart(&[
            ("projectId", project.as_bytes()),
            ("path", path.as_bytes()),
            ("file", bytes),
        ])),
    )
    .await
    .unwrap()
}

async fn inventory(api: &Api, project: &str) -> Vec<(String, u64)> {
    let r = api.get(&format!("/v2/projects/{project}")).await;
    r.body["project"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn path_of(r: &Resp) -> String {
    r.body["file"]["path"].as_str().unwrap().to_string()
}

async fn sample() -> (deepnote_emulator::Emulator, Api) {
    let emu = live_builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    (emu, api)
}

#[tokio::test]
async fn an_uploaded_file_is_listed_downloaded_copied_and_deleted() {
    let (_emu, api) = sample().await;
    // Large enough to come back in several chunks.
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let r = upload(&api, SAMPLE_PROJECT_ID, "/data/sales.csv", &content).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(
        (path_of(&r), r.body["file"]["size"].clone()),
        ("data/sales.csv".into(), json!(200_000))
    );
    assert_eq!(
        inventory(&api, SAMPLE_PROJECT_ID).await,
        [("data/sales.csv".to_string(), 200_000)]
    );

    let down = api
        .get(&format!(
            "/v2/files/download?projectId={SAMPLE_PROJECT_ID}&path=data/sales.csv"
        ))
        .await;
    assert_eq!(down.status, 200);
    assert_eq!(down.bytes, content);
    assert!(down.headers.get("content-length").is_none(), "chunked");
    assert_eq!(down.headers["content-type"], "application/octet-stream");

    // Never overwrites: the same path again gets a new one.
    let again = upload(&api, SAMPLE_PROJECT_ID, "data/sales.csv", b"v2").await;
    assert_eq!(path_of(&again), "data/sales-1.csv");
    let third = upload(&api, SAMPLE_PROJECT_ID, "data/sales.csv", b"v3").await;
    assert_eq!(path_of(&third), "data/sales-2.csv");
    let first = api
        .get(&format!(
            "/v2/files/download?projectId={SAMPLE_PROJECT_ID}&path=data/sales.csv"
        ))
        .await;
    assert_eq!(first.bytes, content, "the first upload is intact");

    let target = api.project("Target").await;
    let copy = api
        .post("/v2/files/copy", json!({"sourceProjectId": SAMPLE_PROJECT_ID, "targetProjectId": target, "path": "data/sales-1.csv"}))
        .await;
    assert_eq!(copy.status, 201, "{:?}", copy.body);
    assert_eq!(
        inventory(&api, &target).await,
        [("data/sales-1.csv".to_string(), 2)]
    );
    let copied = api
        .get(&format!(
            "/v2/files/download?projectId={target}&path=data/sales-1.csv"
        ))
        .await;
    assert_eq!(copied.bytes, b"v2");

    let del = format!("/v2/files?projectId={SAMPLE_PROJECT_ID}&path=data/sales.csv");
    assert_eq!(api.delete(&del).await.status, 204);
    assert_eq!(api.delete(&del).await.status, 404);
    assert_eq!(
        api.get(&format!(
            "/v2/files/download?projectId={SAMPLE_PROJECT_ID}&path=data/sales.csv"
        ))
        .await
        .status,
        404
    );
    let left: Vec<String> = inventory(&api, SAMPLE_PROJECT_ID)
        .await
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(left, ["data/sales-1.csv", "data/sales-2.csv"]);
}

#[tokio::test]
async fn bad_uploads_are_refused_and_store_nothing() {
    let (_emu, api) = sample().await;
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let p = SAMPLE_PROJECT_ID.as_bytes();
    let cases: Vec<(u16, Vec<u8>, String)> = vec![
        (
            400,
            multipart(&[("path", b"a.txt"), ("file", b"x")]),
            ct.clone(),
        ),
        (
            400,
            multipart(&[("projectId", p), ("file", b"x")]),
            ct.clone(),
        ),
        (
            400,
            multipart(&[("projectId", p), ("path", b"a.txt")]),
            ct.clone(),
        ),
        (
            400,
            multipart(&[("projectId", b"nope"), ("path", b"a.txt"), ("file", b"x")]),
            ct.clone(),
        ),
        (
            400,
            multipart(&[("projectId", p), ("path", b"../etc/passwd"), ("file", b"x")]),
            ct.clone(),
        ),
        (
            400,
            multipart(&[("projectId", p), ("path", b""), ("file", b"x")]),
            ct.clone(),
        ),
        (400, b"{}".to_vec(), "application/json".into()),
        (
            404,
            multipart(&[
                ("projectId", b"6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11"),
                ("path", b"a.txt"),
                ("file", b"x"),
            ]),
            ct.clone(),
        ),
    ];
    for (want, body, ct) in cases {
        let r = api
            .send(Method::POST, "/v2/files", &ct, Some(body))
            .await
            .unwrap();
        assert_eq!(r.status, want, "{:?}", r.body);
    }
    let big = vec![7u8; deepnote_emulator::FILE_LIMIT + 1];
    let r = upload(&api, SAMPLE_PROJECT_ID, "big.bin", &big).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(
        inventory(&api, SAMPLE_PROJECT_ID).await,
        Vec::<(String, u64)>::new()
    );
}

/// The cap is 64 MiB exactly: a file of that size is kept whole, one byte more is a 413 that
/// stores nothing (beside the file already there).
#[tokio::test]
async fn the_file_cap_is_64_mib_inclusive() {
    assert_eq!(deepnote_emulator::FILE_LIMIT, 64 * 1024 * 1024);
    let (_emu, api) = sample().await;
    let at_cap = vec![3u8; deepnote_emulator::FILE_LIMIT];
    let r = upload(&api, SAMPLE_PROJECT_ID, "cap.bin", &at_cap).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(r.body["file"]["size"], json!(deepnote_emulator::FILE_LIMIT));
    drop(at_cap);
    let over = vec![3u8; deepnote_emulator::FILE_LIMIT + 1];
    let r = upload(&api, SAMPLE_PROJECT_ID, "over.bin", &over).await;
    assert_eq!(r.status, 413, "{:?}", r.body);
    assert_eq!(
        inventory(&api, SAMPLE_PROJECT_ID).await,
        [("cap.bin".to_string(), deepnote_emulator::FILE_LIMIT as u64)]
    );
}

#[tokio::test]
async fn files_follow_access_levels_workspaces_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let start = || live_builder().seed_sample().data_dir(dir.path()).start();
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let admin = api.with_key(ADMIN);
    let project = admin.project("Mine").await;
    assert_eq!(
        upload(&admin.with_key(VIEWER), &project, "a.txt", b"x")
            .await
            .status,
        403
    );
    assert_eq!(
        upload(&admin.with_key(OTHER), &project, "a.txt", b"x")
            .await
            .status,
        404
    );
    assert_eq!(
        upload(&admin, &project, "a.txt", b"hello").await.status,
        201
    );
    let down = format!("/v2/files/download?projectId={project}&path=a.txt");
    assert_eq!(admin.with_key(VIEWER).get(&down).await.bytes, b"hello");
    assert_eq!(admin.with_key(OTHER).get(&down).await.status, 404);
    assert_eq!(
        admin
            .with_key(VIEWER)
            .delete(&format!("/v2/files?projectId={project}&path=a.txt"))
            .await
            .status,
        403
    );
    emu.suspend_project(&project, true);
    assert_eq!(upload(&admin, &project, "b.txt", b"x").await.status, 409);
    emu.suspend_project(&project, false);
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let admin = Api::new(&emu, ADMIN);
    assert_eq!(
        admin.get(&down).await.bytes,
        b"hello",
        "files survive a restart"
    );
    assert_eq!(
        admin
            .delete(&format!("/v2/projects/{project}"))
            .await
            .status,
        204
    );
    let gone: Value = admin.get(&down).await.body;
    assert!(gone["message"].is_string());
}
