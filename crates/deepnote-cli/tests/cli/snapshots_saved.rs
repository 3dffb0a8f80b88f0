//! Where `deepnote run` and `runs get` put a run's snapshot: Deepnote's `snapshots/` naming by
//! default, one file, stdout, or nowhere; the destination checked before the run starts.

use crate::common;

use common::*;
use deepnote_emulator::{Behaviour, Outcome};
use predicates::prelude::*;
use std::time::Duration;

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn run_count(emu: &Emu) -> usize {
    json(emu.cmd().args(["notebooks", "runs", SAMPLE_NOTEBOOK_ID]))
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn run_saves_the_snapshot_under_snapshots_by_default() {
    let emu = Emu::start();
    let out = emu
        .cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dir = emu.config.path().join("snapshots");
    let names = files(&dir);
    assert_eq!(names.len(), 2, "{names:?}");
    // The sample project is "Sales analysis"; its snapshot holds the one notebook run.
    let stem = format!("sales-analysis_{SAMPLE_PROJECT_ID}_{SAMPLE_NOTEBOOK_ID}_");
    let latest = format!("{stem}latest.snapshot.deepnote");
    assert!(names.contains(&latest), "{names:?}");
    let stamped = names.iter().find(|n| **n != latest).unwrap();
    // The run's end, to the second, in UTC: 2026-01-14T13-55-41.
    let finished = run["completedAt"].as_str().unwrap();
    let expected = format!(
        "{stem}{}.snapshot.deepnote",
        finished[..19].replace(':', "-")
    );
    assert_eq!(*stamped, expected);
    let a = std::fs::read(dir.join(stamped)).unwrap();
    assert_eq!(a, std::fs::read(dir.join(&latest)).unwrap());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("saved the snapshot"), "{stderr}");
    assert!(stderr.contains(&latest), "{stderr}");

    // --no-snapshot: nothing more is written.
    std::fs::remove_dir_all(&dir).unwrap();
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--no-snapshot"])
        .assert()
        .success();
    assert!(!dir.exists());
}

#[test]
fn snapshot_out_creates_directories_and_takes_dash_for_stdout() {
    let emu = Emu::start();
    let target = emu.config.path().join("out/deep/er/run.snapshot.deepnote");
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--snapshot-out"])
        .arg(&target)
        .assert()
        .success();
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains(SAMPLE_NOTEBOOK_ID), "{text}");
    assert!(!emu.config.path().join("snapshots").exists());

    let out = emu
        .cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--snapshot-out", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: serde_json::Value = serde_saphyr::from_str(&stdout).unwrap();
    assert_eq!(doc["project"]["id"], SAMPLE_PROJECT_ID, "{stdout}");
    assert!(!emu.config.path().join("-").exists());
}

#[test]
fn an_unwritable_destination_fails_before_the_run_starts() {
    let emu = Emu::start();
    let file = emu.config.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let before = run_count(&emu);
    for out in [file.join("x.deepnote"), emu.config.path().to_path_buf()] {
        emu.cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, "--snapshot-out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("snapshot"));
    }
    // The default directory blocked by a file of that name.
    std::fs::write(emu.config.path().join("snapshots"), "x").unwrap();
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot write the snapshot"));
    assert_eq!(run_count(&emu), before, "no run was started");
}

#[test]
fn runs_get_on_an_unfinished_run_says_so() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_secs(3600), Outcome::Success),
    );
    let started = json(emu.cmd().args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait"]));
    let id = started["runId"].as_str().unwrap();
    let target = emu.config.path().join("s.deepnote");
    emu.cmd()
        .args(["runs", "get", id, "--snapshot-out"])
        .arg(&target)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has not finished"))
        .stderr(predicate::str::contains(format!("deepnote runs wait {id}")));
    assert!(!target.exists());

    // A finished run of the sample writes it; `-` puts it on stdout alone.
    let runs = json(emu.cmd().args(["notebooks", "runs", SAMPLE_NOTEBOOK_ID]));
    let done = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "success")
        .expect("the sample has a successful run");
    let out = emu
        .cmd()
        .args([
            "runs",
            "get",
            done["runId"].as_str().unwrap(),
            "--snapshot-out",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_saphyr::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["project"]["id"], SAMPLE_PROJECT_ID);
}
