//! `deepnote run NB1 NB2 ...`: several notebooks through `run_many`, a progress line each, a
//! summary, every snapshot saved, and the worst outcome's exit code.

use crate::common;

use common::*;
use deepnote_emulator::{Behaviour, Outcome};
use predicates::prelude::*;
use serde_json::Value;
use std::time::Duration;

const MISSING: &str = "00000000-0000-4000-8000-00000000dead";

fn new_notebook(emu: &Emu, name: &str) -> String {
    json(
        emu.cmd()
            .args(["notebooks", "create", SAMPLE_PROJECT_ID, "--name", name]),
    )["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn several_notebooks_run_together_and_the_worst_outcome_sets_the_exit_code() {
    // Every run gets the same input, on notebooks made here without input blocks: the
    // original spec's dialect, which checks no input names.
    let emu = Emu::start_with(deepnote_emulator::Dialect::Spec);
    let ok = new_notebook(&emu, "ok");
    let failing = new_notebook(&emu, "failing");
    emu.emulator().set_behaviour(
        &failing,
        // Reported in the run's `error`, as the service does at times (it is often null).
        Behaviour::new(Duration::from_millis(300), Outcome::Error)
            .message("boom")
            .report_error(true),
    );
    let summary = emu.config.path().join("summary.md");
    let out = emu
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "run",
            SAMPLE_NOTEBOOK_ID,
            &ok,
            &failing,
            "--concurrency",
            "2",
        ])
        .args(["-i", "region=EMEA"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    // In the order given, whatever order they finished in.
    let order: Vec<&str> = rows
        .iter()
        .map(|r| r["notebookId"].as_str().unwrap())
        .collect();
    assert_eq!(order, [SAMPLE_NOTEBOOK_ID, ok.as_str(), failing.as_str()]);
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["success", "success", "error"]);
    assert_eq!(rows[2]["error"], "boom");
    // GitHub Actions: a summary row per run, an annotation for the failed one.
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(text.matches("| Notebook |").count(), 1, "{text}");
    assert_eq!(text.matches("✅ success").count(), 2, "{text}");
    assert!(text.contains(&format!("| {failing} | ")), "{text}");
    assert_eq!(
        stderr
            .matches("::error title=Deepnote run failed::")
            .count(),
        1,
        "{stderr}"
    );
    // One progress line per run.
    for k in 1..=3 {
        assert_eq!(
            stderr.matches(&format!("[{k}/3] notebook ")).count(),
            1,
            "{stderr}"
        );
    }
    // Every run got the inputs, and every successful run's snapshot was saved.
    for row in rows {
        let record = emu
            .emulator()
            .run_record(row["runId"].as_str().unwrap())
            .unwrap();
        assert_eq!(record.inputs["region"], "EMEA");
    }
    for row in &rows[..2] {
        let path = emu.config.path().join(row["snapshot"].as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(row["notebookId"].as_str().unwrap()),
            "{path:?}"
        );
    }

    // A notebook that does not exist is worse than a failed run: exit 4.
    emu.cmd()
        .args(["run", &failing, MISSING, "--no-snapshot"])
        .assert()
        .code(4);
}

#[test]
fn from_file_adds_notebooks_and_all_successes_exit_0() {
    let emu = Emu::start();
    let other = new_notebook(&emu, "other");
    let list = emu.config.path().join("notebooks.txt");
    std::fs::write(
        &list,
        format!("# nightly\n{other}\n\n{SAMPLE_NOTEBOOK_ID}  # the report\n"),
    )
    .unwrap();
    let rows = json(
        emu.cmd()
            .args(["run", "--from-file", "notebooks.txt", "--no-snapshot"]),
    );
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["notebookId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [other.as_str(), SAMPLE_NOTEBOOK_ID]);
    assert!(!emu.config.path().join("snapshots").exists());
}

#[test]
fn what_cannot_apply_to_several_runs_is_refused() {
    let emu = Emu::start();
    for extra in [
        &["--snapshot-out", "x.deepnote"][..],
        &["--no-wait"],
        &["--concurrency", "0"],
    ] {
        emu.cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, SAMPLE_NOTEBOOK_ID])
            .args(extra)
            .assert()
            .code(2);
    }
    emu.cmd()
        .args(["run", "--from-file", "absent.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("absent.txt"));
}
