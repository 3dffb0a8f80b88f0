//! A run's snapshot is what ran: the emulator freezes the notebook at a run's start, so a later
//! block edit, rename or import changes no earlier run's snapshot (inline or downloaded). And a
//! code block whose source fails at top level (`raise`, `sys.exit(1)`, `assert False`, the
//! `# deepnote-emulator: fail` marker) fails the run with a Python-style error, without the
//! control API. Every answer is validated against `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use reqwest::Method;
use serde_json::{Value, json};
use std::io::{Cursor, Read, Write};
use std::time::Duration;

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("snapshot is YAML")
}

/// A new notebook of the sample project with code blocks of these sources; its id and the
/// blocks' ids.
async fn notebook_with(api: &Api, sources: &[&str]) -> (String, Vec<String>) {
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    let mut ids = Vec::new();
    for src in sources {
        let r = api
            .post(
                "/v2/blocks",
                json!({"notebookId": nb, "type": "code", "content": src}),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        ids.push(r.body["block"]["id"].as_str().unwrap().to_string());
    }
    (nb, ids)
}

/// Start a run of `nb` and let it finish.
async fn finished_run(emu: &deepnote_emulator::Emulator, api: &Api, nb: &str) -> String {
    let run = api.run(nb).await;
    emu.advance_clock(Duration::from_secs(60));
    run
}

/// The run's answer with its snapshot inline.
async fn inline(api: &Api, run: &str) -> Value {
    let r = api
        .get(&format!("/v2/runs/{run}?snapshotDelivery=inline"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["run"].clone()
}

/// The run's snapshot, inline and through its download URL; both must be the same document.
async fn snapshot(api: &Api, run: &str) -> Value {
    let text = inline(api, run).await["snapshotContent"]
        .as_str()
        .expect("an inline snapshot")
        .to_string();
    let url = api.get(&format!("/v2/runs/{run}")).await.body["run"]["snapshotDownloadUrl"]
        .as_str()
        .expect("a download URL")
        .to_string();
    let downloaded = api.http.get(&url).send().await.unwrap();
    assert_eq!(downloaded.status(), 200);
    let downloaded = downloaded.text().await.unwrap();
    let doc = yaml(&text);
    assert_eq!(
        yaml(&downloaded),
        doc,
        "inline and downloaded snapshots agree"
    );
    doc
}

fn notebook(doc: &Value) -> &Value {
    &doc["project"]["notebooks"][0]
}

fn block<'a>(doc: &'a Value, id: &str) -> &'a Value {
    notebook(doc)["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("block {id} in the snapshot"))
}

#[tokio::test]
async fn an_edit_after_a_run_changes_not_its_snapshot() {
    let (emu, api) = frozen_sample().await;
    let (nb, ids) = notebook_with(&api, &["print('v1')"]).await;
    let first = finished_run(&emu, &api, &nb).await;
    let before = snapshot(&api, &first).await;
    assert_eq!(block(&before, &ids[0])["content"], "print('v1')");

    let r = api
        .patch(
            &format!("/v2/blocks/{}", ids[0]),
            json!({"content": "print('v2')"}),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = api
        .patch(&format!("/v2/notebooks/{nb}"), json!({"name": "renamed"}))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A block added after the run is not in it either.
    api.post(
        "/v2/blocks",
        json!({"notebookId": nb, "type": "code", "content": "print('added later')"}),
    )
    .await;

    let after = snapshot(&api, &first).await;
    assert_eq!(after, before, "the first run's snapshot is what ran");
    assert_eq!(block(&after, &ids[0])["content"], "print('v1')");
    assert_eq!(
        block(&after, &ids[0])["outputs"][0]["output_type"],
        "stream"
    );
    assert_eq!(notebook(&after)["name"], "nb");

    // A new run runs the edited notebook.
    let second = finished_run(&emu, &api, &nb).await;
    let now = snapshot(&api, &second).await;
    assert_eq!(block(&now, &ids[0])["content"], "print('v2')");
    assert_eq!(notebook(&now)["name"], "renamed");
    assert_eq!(notebook(&now)["blocks"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_run_unfinished_at_the_edit_still_delivers_what_it_started_with() {
    let (emu, api) = frozen_sample().await;
    let (nb, ids) = notebook_with(&api, &["print('v1')"]).await;
    let run = api.run(&nb).await;
    api.patch(
        &format!("/v2/blocks/{}", ids[0]),
        json!({"content": "print('v2')"}),
    )
    .await;
    emu.advance_clock(Duration::from_secs(60));
    let doc = snapshot(&api, &run).await;
    assert_eq!(block(&doc, &ids[0])["content"], "print('v1')");
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut a = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    (0..a.len())
        .map(|i| {
            let mut e = a.by_index(i).unwrap();
            let mut text = String::new();
            e.read_to_string(&mut text).unwrap();
            (e.name().unwrap().to_string(), text)
        })
        .collect()
}

fn zip_of(docs: &[(String, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in docs {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_import_changes_no_earlier_snapshot() {
    let (emu, api) = frozen_sample().await;
    let run = finished_run(&emu, &api, SAMPLE_NOTEBOOK_ID).await;
    let before = snapshot(&api, &run).await;
    let r = api
        .get(&format!("/v2/projects/{SAMPLE_PROJECT_ID}/export"))
        .await;
    assert_eq!(r.status, 200);
    let docs: Vec<(String, String)> = unzip(&r.bytes)
        .into_iter()
        .map(|(name, text)| {
            let edited = text.replace("Loaded sales", "Imported sales");
            (name, edited)
        })
        .collect();
    assert!(docs.iter().any(|(_, t)| t.contains("Imported sales")));
    let r = api
        .send(
            Method::POST,
            &format!("/v2/projects/{SAMPLE_PROJECT_ID}/import?force=true"),
            "application/zip",
            Some(zip_of(&docs)),
        )
        .await
        .unwrap();
    assert!((200..300).contains(&r.status), "{:?}", r.body);
    let stored = emu.notebook_record(SAMPLE_NOTEBOOK_ID).unwrap();
    assert!(
        stored
            .blocks
            .iter()
            .any(|b| b.content.contains("Imported sales")),
        "the import changed the notebook"
    );
    let after = snapshot(&api, &run).await;
    assert_eq!(after, before);
    let text = serde_json::to_string(&after).unwrap();
    assert!(!text.contains("Imported sales"), "{text}");
}

/// One failing source: the run fails, `error` names the exception, the failing block carries
/// the error output and the blocks after it did not run.
async fn assert_fails(source: &str, ename: &str, evalue: &str) {
    let (emu, api) = frozen_sample().await;
    let (nb, ids) = notebook_with(&api, &["print('before')", source, "print('after')"]).await;
    let run = finished_run(&emu, &api, &nb).await;
    let v = inline(&api, &run).await;
    assert_eq!(v["status"], "error", "{source}: {v}");
    let reason = if evalue.is_empty() {
        ename.to_string()
    } else {
        format!("{ename}: {evalue}")
    };
    assert_eq!(v["error"], json!(reason), "{source}");
    let doc = snapshot(&api, &run).await;
    assert_eq!(block(&doc, &ids[0])["outputs"][0]["output_type"], "stream");
    let out = &block(&doc, &ids[1])["outputs"][0];
    assert_eq!(out["output_type"], "error", "{source}: {out}");
    assert_eq!(
        (out["ename"].as_str(), out["evalue"].as_str()),
        (Some(ename), Some(evalue))
    );
    let traceback: Vec<&str> = out["traceback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        traceback
            .iter()
            .any(|l| l.contains(source.lines().last().unwrap())),
        "{traceback:?}"
    );
    assert_eq!(
        traceback.last().copied(),
        Some(format!("{ename}: {evalue}").as_str())
    );
    assert_eq!(block(&doc, &ids[2])["executionCount"], Value::Null);
    assert_eq!(block(&doc, &ids[2])["outputs"], json!([]));
    assert_eq!(doc["execution"]["error"]["name"], ename);
    assert_eq!(doc["execution"]["error"]["message"], evalue);
    assert_eq!(doc["execution"]["summary"]["blocksFailed"], 1);
    assert_eq!(doc["execution"]["summary"]["blocksExecuted"], 2);
}

#[tokio::test]
async fn a_raise_fails_the_run_with_its_exception() {
    assert_fails("raise ValueError(\"boom\")", "ValueError", "boom").await;
}

#[tokio::test]
async fn sys_exit_1_fails_the_run() {
    assert_fails("import sys\nsys.exit(1)", "SystemExit", "1").await;
}

#[tokio::test]
async fn assert_false_fails_the_run() {
    assert_fails("assert False", "AssertionError", "").await;
}

#[tokio::test]
async fn the_marker_fails_the_run() {
    assert_fails(
        "x = 1\n# deepnote-emulator: fail",
        "RuntimeError",
        "the block is marked to fail",
    )
    .await;
}

#[tokio::test]
async fn code_that_fails_only_when_executed_succeeds() {
    let (emu, api) = frozen_sample().await;
    let (nb, _) = notebook_with(
        &api,
        &[
            "1/0",
            "if rows == 0:\n    raise ValueError('empty')",
            "sys.exit(0)",
            "print('raise ValueError')",
        ],
    )
    .await;
    let run = finished_run(&emu, &api, &nb).await;
    let v = inline(&api, &run).await;
    assert_eq!(v["status"], "success", "{v}");
    assert_eq!(v["error"], Value::Null);
}

#[tokio::test]
async fn a_failing_block_outside_the_runs_blocks_does_not_fail_it() {
    let (emu, api) = frozen_sample().await;
    let (nb, ids) = notebook_with(&api, &["print('ok')", "raise ValueError('boom')"]).await;
    let r = api
        .post(
            "/v2/runs",
            json!({"notebookId": nb, "detached": false, "blockIds": [ids[0]]}),
        )
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let run = started_run_id(&r.body);
    emu.advance_clock(Duration::from_secs(60));
    assert_eq!(api.status(&run).await, "success");
}

#[tokio::test]
async fn a_failing_edit_fails_only_later_runs() {
    let (emu, api) = frozen_sample().await;
    let (nb, ids) = notebook_with(&api, &["print('ok')"]).await;
    let good = finished_run(&emu, &api, &nb).await;
    api.patch(
        &format!("/v2/blocks/{}", ids[0]),
        json!({"content": "raise KeyError('region')"}),
    )
    .await;
    let bad = finished_run(&emu, &api, &nb).await;
    assert_eq!(api.status(&good).await, "success");
    assert_eq!(api.status(&bad).await, "error");
    let doc = snapshot(&api, &good).await;
    assert_eq!(block(&doc, &ids[0])["outputs"][0]["output_type"], "stream");
}

#[tokio::test]
async fn session_execute_answers_the_same_rule_with_an_error_output() {
    let (_emu, api) = frozen_sample().await;
    let r = api
        .post("/v2/sessions", json!({"notebookId": SAMPLE_NOTEBOOK_ID}))
        .await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let session = r.body["session"]["id"].as_str().unwrap().to_string();
    for (code, ename, evalue) in [
        ("print('a')\nimport sys\nsys.exit(1)", "SystemExit", "1"),
        ("assert False, 'no rows'", "AssertionError", "no rows"),
        (
            "# deepnote-emulator: fail",
            "RuntimeError",
            "the block is marked to fail",
        ),
        ("raise ValueError(\"boom\")", "ValueError", "boom"),
    ] {
        let r = api
            .post(
                &format!("/v2/sessions/{session}/execute"),
                json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": code}),
            )
            .await;
        // User-code exceptions are error outputs of a 200, as the reference says.
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["status"], "error", "{code}");
        let last = r.body["outputs"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            (last["ename"].as_str(), last["evalue"].as_str()),
            (Some(ename), Some(evalue)),
            "{code}"
        );
    }
    let r = api
        .post(
            &format!("/v2/sessions/{session}/execute"),
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "code": "sys.exit(0)"}),
        )
        .await;
    assert_eq!(r.body["status"], "success");
}
