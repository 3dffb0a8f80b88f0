//! Live-dialect project export and import: a ZIP of one `.deepnote` document per notebook,
//! byte-deterministic, and its inverse with Deepnote's conflict checks. Every answer is
//! validated against `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};

type Docs = Vec<(String, String)>;

fn unzip(bytes: &[u8]) -> Docs {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    let mut out = Vec::new();
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let mut text = String::new();
        e.read_to_string(&mut text).unwrap();
        out.push((e.name().unwrap().to_string(), text));
    }
    out
}

fn zip_of(docs: &Docs) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in docs {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Deepnote's canonicalProjectHash, written here from its contract, independently of the
/// emulator's.
fn canonical_hash(docs: &Docs) -> String {
    let mut lines: Vec<String> = docs
        .iter()
        .map(|(n, t)| format!("{n}\n{}", hex(&Sha256::digest(t.as_bytes()))))
        .collect();
    lines.sort();
    hex(&Sha256::digest(lines.join("\n").as_bytes()))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("a YAML document")
}

async fn export(api: &Api, project: &str) -> Docs {
    let r = api.get(&format!("/v2/projects/{project}/export")).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.headers["content-type"], "application/zip");
    unzip(&r.bytes)
}

async fn import(api: &Api, project: &str, query: &str, docs: &Docs) -> Resp {
    api.send(
        Method::POST,
        &format!("/v2/projects/{project}/import{query}"),
        "application/zip",
        Some(zip_of(docs)),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn export_is_one_deterministic_document_per_notebook() {
    let (emu, api) = frozen_sample().await;
    let second = api.notebook(SAMPLE_PROJECT_ID).await;
    emu.advance_clock(std::time::Duration::from_secs(60));
    let docs = export(&api, SAMPLE_PROJECT_ID).await;
    let names: Vec<&str> = docs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "quarterly-report.deepnote",
            "scratch.deepnote",
            "nb.deepnote"
        ]
    );
    let first = yaml(&docs[0].1);
    let nb = &first["project"]["notebooks"][0];
    assert_eq!(
        (nb["id"].clone(), first["project"]["id"].clone()),
        (json!(SAMPLE_NOTEBOOK_ID), json!(SAMPLE_PROJECT_ID))
    );
    assert_eq!(
        yaml(&docs[2].1)["project"]["notebooks"][0]["id"],
        json!(second)
    );
    let blocks = nb["blocks"].as_array().unwrap();
    assert_eq!(
        blocks.len(),
        emu.notebook_record(SAMPLE_NOTEBOOK_ID)
            .unwrap()
            .blocks
            .len()
    );
    for b in blocks {
        for field in ["id", "blockGroup", "sortingKey", "type", "metadata"] {
            assert!(b.get(field).is_some(), "{field} in {b}");
        }
        assert!(b.get("outputs").is_none(), "no outputs in an export");
    }
    // One modifiedAt for all, and the same bytes while nothing changes (runs change nothing).
    assert_eq!(
        first["metadata"]["modifiedAt"],
        yaml(&docs[1].1)["metadata"]["modifiedAt"]
    );
    api.run(SAMPLE_NOTEBOOK_ID).await;
    emu.advance_clock(std::time::Duration::from_secs(60));
    assert_eq!(export(&api, SAMPLE_PROJECT_ID).await, docs);
    // A block edit changes the document and modifiedAt.
    api.post(
        "/v2/blocks",
        json!({"notebookId": second, "type": "code", "content": "x = 1"}),
    )
    .await;
    let after = export(&api, SAMPLE_PROJECT_ID).await;
    let old_at = first["metadata"]["modifiedAt"]
        .as_str()
        .unwrap()
        .to_string();
    let new_at = yaml(&after[0].1)["metadata"]["modifiedAt"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(old_at, new_at);
    // The untouched notebook's document differs by modifiedAt only.
    assert_eq!(
        after[0].1.replace(&new_at, "T"),
        docs[0].1.replace(&old_at, "T")
    );
    assert_ne!(after, docs);
    assert!(after[2].1.contains("x = 1"));
}

#[tokio::test]
async fn an_empty_project_exports_an_empty_zip() {
    let (_emu, api) = frozen_sample().await;
    let project = api.project("Empty").await;
    let only =
        api.get(&format!("/v2/projects/{project}")).await.body["project"]["notebooks"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
    // The last notebook cannot be deleted through the API; an import with
    // deleteMissingNotebooks empties the project, as Deepnote's contract says.
    let r = import(&api, &project, "?deleteMissingNotebooks=true", &vec![]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["notebooks"],
        json!([{"id": only, "name": "Notebook 1", "action": "deleted"}])
    );
    assert_eq!(export(&api, &project).await, vec![]);
    assert_eq!(
        r.body["project"]["contentHash"],
        json!(canonical_hash(&vec![]))
    );
}

#[tokio::test]
async fn an_import_changes_what_export_and_get_answer() {
    let (emu, api) = frozen_sample().await;
    let base = export(&api, SAMPLE_PROJECT_ID).await;
    let modified = yaml(&base[0].1)["metadata"]["modifiedAt"]
        .as_str()
        .unwrap()
        .to_string();
    let mut edited = base.clone();
    edited[0].1 = edited[0]
        .1
        .replace("# Quarterly report", "# Quarterly report, edited");
    // A new notebook from a new document, with its own id.
    let new_id = "3c0e1c9a-8f7d-4a2c-9c1d-5e6f7a8c9c0d";
    let new_doc = base[0]
        .1
        .replace(SAMPLE_NOTEBOOK_ID, new_id)
        .replace("name: Quarterly report", "name: Annual report")
        .replace("b-", "n-");
    edited.push(("annual-report.deepnote".into(), new_doc));
    emu.advance_clock(std::time::Duration::from_secs(5));
    let q = format!(
        "?baseModifiedAt={}&baseContentHash={}",
        urlencode(&modified),
        canonical_hash(&base)
    );
    let r = import(&api, SAMPLE_PROJECT_ID, &q, &edited).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["notebooks"],
        json!([
            {"id": SAMPLE_NOTEBOOK_ID, "name": "Quarterly report", "action": "overwritten"},
            {"id": "00000000-5a3e-4000-8000-000000000202", "name": "Scratch", "action": "overwritten"},
            {"id": new_id, "name": "Annual report", "action": "created"},
        ])
    );
    let after = export(&api, SAMPLE_PROJECT_ID).await;
    assert_eq!(
        r.body["project"]["contentHash"],
        json!(canonical_hash(&after))
    );
    assert_ne!(r.body["project"]["modifiedAt"], json!(modified));
    assert!(after[0].1.contains("# Quarterly report, edited"));
    let nb = api
        .get(&format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(
        nb.body["notebook"]["blocks"][0]["content"],
        json!("# Quarterly report, edited")
    );
    let annual = api.get(&format!("/v2/notebooks/{new_id}")).await;
    assert_eq!(annual.status, 200);
    // Its inputs came with it.
    assert_eq!(
        annual.body["notebook"]["inputs"].as_array().map(Vec::len),
        Some(3)
    );
    let project = api.get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}")).await;
    let names: Vec<&str> = project.body["project"]["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Annual report"));

    // Pushing the same base again is a conflict on both counts, unless forced.
    for stale in [
        format!("?baseModifiedAt={}", urlencode(&modified)),
        format!("?baseContentHash={}", canonical_hash(&base)),
    ] {
        let r = import(&api, SAMPLE_PROJECT_ID, &stale, &edited).await;
        assert_eq!(r.status, 409, "{stale}: {:?}", r.body);
        assert_ne!(r.message(), "Project is suspended");
    }
    assert_eq!(
        export(&api, SAMPLE_PROJECT_ID).await,
        after,
        "a refused import changes nothing"
    );
    let forced = import(&api, SAMPLE_PROJECT_ID, &format!("{}&force=true", q), &base).await;
    assert_eq!(forced.status, 200, "{:?}", forced.body);
    // Without deleteMissingNotebooks the new notebook stays.
    assert_eq!(
        api.get(&format!("/v2/notebooks/{new_id}")).await.status,
        200
    );
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

#[tokio::test]
async fn bad_imports_are_refused_and_change_nothing() {
    let (emu, api) = frozen_sample().await;
    let base = export(&api, SAMPLE_PROJECT_ID).await;
    let other = api.project("Other").await;
    let path = format!("/v2/projects/{SAMPLE_PROJECT_ID}/import");
    let cases: Vec<(u16, Option<Vec<u8>>, &str)> = vec![
        (422, Some(b"not a zip".to_vec()), "application/zip"),
        (400, Some(zip_of(&base)), "application/json"),
        (
            422,
            Some(zip_of(&vec![("x.txt".into(), "hello".into())])),
            "application/zip",
        ),
        (
            422,
            Some(zip_of(&vec![("dir/x.deepnote".into(), base[0].1.clone())])),
            "application/zip",
        ),
        (
            422,
            Some(zip_of(&vec![("x.deepnote".into(), "".into())])),
            "application/zip",
        ),
        (
            422,
            Some(zip_of(&vec![("x.deepnote".into(), "project: [".into())])),
            "application/zip",
        ),
        (
            422,
            Some(zip_of(&vec![(
                "x.deepnote".into(),
                base[0].1.replace(SAMPLE_PROJECT_ID, &other),
            )])),
            "application/zip",
        ),
        (
            422,
            Some(zip_of(&vec![
                base[0].clone(),
                ("copy.deepnote".into(), base[0].1.clone()),
            ])),
            "application/zip",
        ),
    ];
    for (want, body, ct) in cases {
        let r = api.send(Method::POST, &path, ct, body).await.unwrap();
        assert_eq!(r.status, want, "{ct}: {:?}", r.body);
    }
    let r = import(&api, SAMPLE_PROJECT_ID, "?force=yes", &base).await;
    assert_eq!(r.status, 400);
    let big = vec![0u8; 17 * 1024 * 1024];
    let r = api
        .send(Method::POST, &path, "application/zip", Some(big))
        .await
        .unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(export(&api, SAMPLE_PROJECT_ID).await, base);
    // Access, workspaces, suspension.
    assert_eq!(
        import(&api.with_key(VIEWER), SAMPLE_PROJECT_ID, "", &base)
            .await
            .status,
        403
    );
    assert_eq!(
        api.with_key(OTHER)
            .get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/export"))
            .await
            .status,
        404
    );
    emu.suspend_project(SAMPLE_PROJECT_ID, true);
    let r = import(&api, SAMPLE_PROJECT_ID, "", &base).await;
    assert_eq!((r.status, r.message()), (409, "Project is suspended"));
}

#[tokio::test]
async fn the_spec_dialect_has_no_export() {
    let emu = builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    assert_eq!(
        api.get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/export"))
            .await
            .status,
        404
    );
}

/// Deepnote's own files carry notebook ids that are not UUIDs (`inline-notebook-001`,
/// `notebook-1`); the live reference gives `notebookId` no format. Imported, such a notebook
/// keeps its id and every operation on a notebook reaches it.
#[tokio::test]
async fn a_notebook_imported_with_deepnotes_own_id_is_reachable_by_every_operation() {
    let emu = live_emulator().await;
    let api = Api::new(&emu, EDITOR);
    let project = api.project("Inline outputs").await;
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/deepnote-files/4_inline_outputs.deepnote"
    ))
    .expect("Deepnote's example file");
    let doc = file.replace("id: inline-outputs-example", &format!("id: {project}"));
    let r = import(&api, &project, "", &vec![("inline.deepnote".into(), doc)]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let id = "inline-notebook-001";
    assert_eq!(r.body["notebooks"][0]["id"], json!(id));

    let nb = api.get(&format!("/v2/notebooks/{id}")).await;
    assert_eq!(nb.status, 200, "{:?}", nb.body);
    assert_eq!(nb.body["notebook"]["name"], json!("Inline Outputs"));
    let block = nb.body["notebook"]["blocks"][1]["id"].as_str().unwrap();
    assert_eq!(block, "print-block-id");
    assert_eq!(api.get(&format!("/v2/blocks/{block}")).await.status, 200);

    let run = api.run(id).await;
    assert_eq!(api.get(&format!("/v2/runs/{run}")).await.status, 200);
    let runs = api.get(&format!("/v2/notebooks/{id}/runs")).await;
    assert_eq!(runs.status, 200, "{:?}", runs.body);
    assert_eq!(runs.body["runs"].as_array().map(Vec::len), Some(1));

    let block_run = api
        .post(
            "/v2/runs",
            json!({"notebookId": id, "blockIds": [block], "detached": false}),
        )
        .await;
    assert_eq!(block_run.status, 202, "{:?}", block_run.body);

    let schedule = api
        .post(
            &format!("/v2/notebooks/{id}/schedule"),
            json!({"cron": "0 9 * * *", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(schedule.status, 200, "{:?}", schedule.body);
    let schedules = api.get(&format!("/v2/schedules?notebookId={id}")).await;
    assert_eq!(schedules.status, 200, "{:?}", schedules.body);

    let created = api
        .post(
            "/v2/blocks",
            json!({"notebookId": id, "type": "code", "content": "1 + 1", "position": 0}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);

    // Re-importing the same document overwrites the notebook it names, by that id.
    let again = export(&api, &project).await;
    let r = import(&api, &project, "", &again).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["notebooks"][0]["action"], json!("overwritten"));

    assert_eq!(api.delete(&format!("/v2/notebooks/{id}")).await.status, 204);
    assert_eq!(api.get(&format!("/v2/notebooks/{id}")).await.status, 404);
}
