//! A data team's whole day with the CLI against the emulator, as one scenario: pull the
//! workspace into a repository that holds other work, run one of Deepnote's own example files,
//! schedule a notebook in two zones, fail a run, time one out. At each step the test asserts
//! what the team cares about: what a pipeline reads from stdout, when a schedule fires, and
//! that no file in the repository was lost or changed unasked. (The conflicting push of the
//! same day is `sync.rs`'s `a_data_teams_day_in_a_git_folder_loses_nothing`.)

use crate::common;

use chrono::TimeZone;
use common::{Emu, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID, json};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const RUN_FAILED: i32 = 5;
const TIMEOUT: i32 = 6;

/// Every file below `dir` with its bytes, `snapshots/` (what runs add) left out.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "snapshots") {
                    stack.push(path);
                }
            } else {
                let bytes = std::fs::read(&path).unwrap();
                all.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    all
}

/// Exit code, stdout as JSON, stderr.
fn outcome(cmd: &mut assert_cmd::Command) -> (Option<i32>, Value, String) {
    let (code, stdout, stderr) = common::outcome(cmd);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (code, value, stderr)
}

#[test]
fn a_data_teams_day_of_runs_schedules_and_failures_loses_nothing() {
    let emu = Emu::start();
    // A December morning: both zones below are on winter time.
    emu.emulator()
        .set_clock(chrono::Utc.with_ymd_and_hms(2026, 12, 7, 6, 0, 0).unwrap());
    let repo = emu.config.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("README.md"), "# Our notebooks\n").unwrap();
    std::fs::write(
        repo.join("other-team.deepnote"),
        "not ours: kept as it is\n",
    )
    .unwrap();
    let example = repo.join("examples/hello.deepnote");
    std::fs::create_dir_all(example.parent().unwrap()).unwrap();
    let deepnotes = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/deepnote-files/1_hello_world.deepnote"
    );
    std::fs::copy(deepnotes, &example).unwrap();

    // Morning: pull the workspace.
    emu.cmd()
        .current_dir(&repo)
        .args(["-q", "sync", "pull", "."])
        .assert()
        .success();
    let pulled = files(&repo);
    assert_eq!(pulled[Path::new("README.md")], b"# Our notebooks\n");

    // Deepnote's own example file goes in (its project is created) and runs.
    let (code, run, err) = outcome(emu.cmd().current_dir(&repo).args([
        "run",
        "examples/hello.deepnote",
        "--push",
        "-o",
        "json",
    ]));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(run["status"], "success", "{run}");
    let recorded = std::fs::read_to_string(&example).unwrap();
    assert_ne!(
        recorded.as_bytes(),
        pulled[Path::new("examples/hello.deepnote")]
    );
    // Pushed again unchanged: the same project, no conflict, nothing created.
    let projects = |emu: &Emu| {
        json(emu.cmd().args(["projects", "list", "-o", "json"]))
            .as_array()
            .unwrap()
            .len()
    };
    let before = projects(&emu);
    let (code, _, err) = outcome(emu.cmd().current_dir(&repo).args([
        "run",
        "examples/hello.deepnote",
        "--push",
        "-o",
        "json",
    ]));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(projects(&emu), before);
    // That push moved the file's base (`modifiedAt`) to what it sent, and nothing else.
    let rebased = std::fs::read_to_string(&example).unwrap();
    let changed: Vec<_> = recorded
        .lines()
        .zip(rebased.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(
        changed
            .iter()
            .all(|(a, _)| a.trim_start().starts_with("modifiedAt:")),
        "{changed:?}"
    );
    let recorded = rebased;

    // The report is scheduled for 09:00 in Prague, then moved to 09:00 in New York.
    for (zone, utc) in [
        ("Europe/Prague", "2026-12-07T08:00:00"),
        ("America/New_York", "2026-12-07T14:00:00"),
    ] {
        let (code, schedule, err) = outcome(emu.cmd().args([
            "schedules",
            "set",
            SAMPLE_NOTEBOOK_ID,
            "--daily",
            "--at",
            "09:00",
            "--timezone",
            zone,
            "-o",
            "json",
        ]));
        assert_eq!(code, Some(0), "{err}");
        let next = schedule["nextRunAt"]
            .as_str()
            .unwrap_or_else(|| panic!("{schedule}"));
        assert!(next.starts_with(utc), "{zone}: fires at {next}, not {utc}Z");
    }
    // A zone mistyped is refused before anything is sent, naming the zone.
    let out = emu
        .cmd()
        .args([
            "schedules",
            "set",
            SAMPLE_NOTEBOOK_ID,
            "--daily",
            "--at",
            "09:00",
        ])
        .args(["--timezone", "Europe/Prag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Europe/Prag"));

    // A check that raises fails its run: the pipeline reads the reason from stdout.
    let checks = json(emu.cmd().args([
        "notebooks",
        "create",
        SAMPLE_PROJECT_ID,
        "Daily checks",
        "-o",
        "json",
    ]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.cmd()
        .args(["-q", "blocks", "create", &checks])
        .args(["--content", "raise ValueError(\"row count is zero\")"])
        .assert()
        .success();
    let (code, run, err) = outcome(
        emu.cmd()
            .current_dir(&repo)
            .args(["run", &checks, "-o", "json"]),
    );
    assert_eq!(code, Some(RUN_FAILED), "{err}");
    assert_eq!(run["status"], "error", "{run}");
    let reason = run["error"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert!(reason.contains("ValueError: row count is zero"), "{run}");
    let snapshot = run["snapshot"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert!(repo.join(snapshot).is_file() || Path::new(snapshot).is_file());

    // A run that outlives its timeout: the pipeline still gets its id to follow.
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        deepnote_emulator::Behaviour::new(
            std::time::Duration::from_secs(3600),
            deepnote_emulator::Outcome::Success,
        ),
    );
    let (code, run, err) = outcome(emu.cmd().current_dir(&repo).args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        "--timeout",
        "1s",
        "-o",
        "json",
    ]));
    assert_eq!(code, Some(TIMEOUT), "{err}");
    let id = run["runId"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert_eq!(run["stillRunning"], true);
    assert!(emu.emulator().run_record(id).is_some());

    // Evening: every file of the morning is there, as it was, but the example file, whose
    // new project's ids were recorded in it.
    let evening = files(&repo);
    for (path, bytes) in &pulled {
        if path == Path::new("examples/hello.deepnote") {
            continue;
        }
        assert_eq!(
            evening.get(path),
            Some(bytes),
            "{} changed or went",
            path.display()
        );
    }
    assert_eq!(
        evening[Path::new("examples/hello.deepnote")],
        recorded.as_bytes()
    );
    assert!(repo.join(".git").is_dir());
}
