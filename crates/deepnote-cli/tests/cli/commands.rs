//! Every command against a loopback emulator: exit codes, the JSON output's shape, input
//! typing, the timeout path and a failing run.

use crate::common;

use common::*;
use deepnote_emulator::{Behaviour, Outcome};
use deepnote_test_support::{Harness, Reply, Stub};
use predicates::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

/// Exit codes, as `--help` documents them.
const API: i32 = 1;
const USAGE: i32 = 2;
const AUTH: i32 = 3;
const NOT_FOUND: i32 = 4;
const RUN_FAILED: i32 = 5;
const TIMEOUT: i32 = 6;

const MISSING: &str = "00000000-0000-4000-8000-00000000dead";

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

#[test]
fn me_shows_the_key_its_workspace_and_access_level() {
    let emu = Emu::start();
    let me = json(emu.cmd().args(["me", "-o", "json"]));
    assert_eq!(keys(&me), ["accessLevel", "apiKey", "user", "workspace"]);
    assert_eq!(me["accessLevel"], "admin");
    assert_eq!(me["workspace"]["name"], "Sample workspace");
    // Fields come in the API's order, not sorted.
    let out = emu.cmd().args(["me", "-o", "json"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.find("\"apiKey\"").unwrap() < text.find("\"accessLevel\"").unwrap(),
        "{text}"
    );
}

#[test]
fn projects_lifecycle() {
    let emu = Emu::start();
    let created = json(
        emu.cmd()
            .args(["projects", "create", "CLI test", "-o", "json"]),
    );
    assert_eq!(
        keys(&created),
        [
            "firstNotebookId",
            "folderId",
            "id",
            "name",
            "notebooks",
            "projectType"
        ]
    );
    assert_eq!(created["name"], "CLI test");
    let id = created["id"].as_str().unwrap().to_string();

    let mut project = created.clone();
    project.as_object_mut().unwrap().remove("firstNotebookId");
    // Get also lists the project's files (none yet), which create and list do not answer.
    let mut got = project.clone();
    got["files"] = json!([]);
    assert_eq!(
        json(emu.cmd().args(["projects", "get", &id, "-o", "json"])),
        got
    );

    let found = json(emu.cmd().args([
        "projects",
        "list",
        "--name-contains",
        "CLI te",
        "-o",
        "json",
    ]));
    assert_eq!(found, json!([project]));

    emu.cmd()
        .args(["projects", "delete", &id, "--yes"])
        .assert()
        .success()
        .stdout("");
    emu.cmd()
        .args(["projects", "get", &id])
        .assert()
        .code(NOT_FOUND)
        .stdout("")
        .stderr(predicate::str::contains("not found"));
}

#[test]
fn lists_page_through_everything_unless_limited() {
    let emu = Emu::start();
    let all = json(
        emu.cmd()
            .args(["projects", "list", "--page-size", "1", "-o", "json"]),
    );
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{all}");
    assert!(
        names.contains(&"Sales analysis") && names.contains(&"Support agent"),
        "{names:?}"
    );

    let two = json(
        emu.cmd()
            .args(["projects", "list", "--limit", "2", "-o", "json"]),
    );
    assert_eq!(two.as_array().unwrap().len(), 2);

    let out = emu
        .cmd()
        .args(["projects", "list", "--page-size", "2", "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, all.as_array().unwrap().clone());

    let out = emu
        .cmd()
        .args(["projects", "list", "-o", "yaml"])
        .output()
        .unwrap();
    let yaml: Value = serde_saphyr::from_slice(&out.stdout).unwrap();
    assert_eq!(yaml, all);

    emu.cmd()
        .args(["projects", "list", "-o", "table"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ID "))
        .stdout(predicate::str::contains("Sales analysis"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn piped_output_defaults_to_json() {
    let emu = Emu::start();
    let project = json(emu.cmd().args(["projects", "get", SAMPLE_PROJECT_ID]));
    assert_eq!(project["id"], SAMPLE_PROJECT_ID);
}

#[test]
fn notebooks_lifecycle_and_runs() {
    let emu = Emu::start();
    let nb = json(emu.cmd().args([
        "notebooks",
        "create",
        SAMPLE_PROJECT_ID,
        "--name",
        "From CLI",
        "-o",
        "json",
    ]));
    assert_eq!(keys(&nb), ["id", "name", "projectId"]);
    assert_eq!(nb["projectId"], SAMPLE_PROJECT_ID);
    let id = nb["id"].as_str().unwrap();
    assert_eq!(
        json(emu.cmd().args(["notebooks", "get", id, "-o", "json"])),
        nb
    );
    emu.cmd()
        .args(["notebooks", "delete", id, "--yes"])
        .assert()
        .success();
    emu.cmd()
        .args(["notebooks", "get", id])
        .assert()
        .code(NOT_FOUND);

    let runs = json(
        emu.cmd()
            .args(["notebooks", "runs", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    let runs = runs.as_array().unwrap();
    assert!(runs.len() >= 3, "{runs:?}");
    for run in runs {
        for key in [
            "runId",
            "notebookId",
            "status",
            "createdAt",
            "completedAt",
            "error",
        ] {
            assert!(run.get(key).is_some(), "{key} missing from {run}");
        }
    }
    // The seeded failed run: the live service leaves its `error` null (FACTS #17).
    assert!(
        runs.iter()
            .any(|r| r["status"] == "error" && r["error"].is_null())
    );
    let one = json(emu.cmd().args([
        "notebooks",
        "runs",
        SAMPLE_NOTEBOOK_ID,
        "--limit",
        "1",
        "-o",
        "json",
    ]));
    assert_eq!(one.as_array().unwrap().len(), 1);
}

#[test]
fn run_sends_inputs_as_deepnote_takes_them_and_waits_for_success() {
    // How each value is typed, so every kind is sent: the original spec's dialect, which
    // checks no names (the live check of names is `run_refuses_inputs_the_notebook_...`).
    let emu = Emu::start_with(deepnote_emulator::Dialect::Spec);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inputs.json");
    std::fs::write(&file, r#"{"from_file": ["1", "2"], "n": 1, "count": 2}"#).unwrap();
    let snapshot = dir.path().join("snap.deepnote");
    let run = json(emu.cmd().args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        "--input",
        "n=3",
        "-i",
        "ratio=0.5",
        "-i",
        "flag=true",
        "-i",
        "region=EMEA",
        "-i",
        "zip=007",
        "-i",
        r#"tags=["a","b"]"#,
        "-i",
        r#"forced="true""#,
        "--input-file",
        file.to_str().unwrap(),
        "--snapshot-out",
        snapshot.to_str().unwrap(),
        "--timeout",
        "5m",
        "-o",
        "json",
    ]));
    assert_eq!(run["status"], "success");
    assert_eq!(run["notebookId"], SAMPLE_NOTEBOOK_ID);
    // The read that saw the end brought the snapshot inline and it went to its file: stdout
    // does not repeat it (a table could not show it), nor nest it as the SDK reads it; it
    // names the file, as a batch's rows do.
    assert!(run.get("snapshotContent").is_none(), "{run}");
    assert_eq!(run["snapshot"], snapshot.display().to_string(), "{run}");
    let record = emu
        .emulator()
        .run_record(run["runId"].as_str().unwrap())
        .unwrap();
    // Numbers go as their text (a slider takes a numeric string), true/false as booleans, a
    // JSON array of strings as a list: Deepnote takes nothing else.
    assert_eq!(
        Value::Object(record.inputs),
        json!({
            "n": "3", "ratio": "0.5", "flag": true, "region": "EMEA", "zip": "007",
            "tags": ["a", "b"], "forced": "true", "from_file": ["1", "2"], "count": "2"
        })
    );
    let text = std::fs::read_to_string(&snapshot).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    assert!(doc.get("project").is_some(), "{text}");
}

#[test]
fn run_refuses_inputs_deepnote_cannot_take_naming_them() {
    let emu = Emu::start();
    for (arg, name) in [
        (r#"obj={"a":"b"}"#, "obj"),
        ("nums=[1,2]", "nums"),
        (r#"mixed=["a",1]"#, "mixed"),
        ("nothing=null", "nothing"),
    ] {
        emu.cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait", "--input", arg])
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains(format!("input `{name}`")));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inputs.json");
    std::fs::write(&file, r#"{"ok": "x", "deep": {"a": 1}}"#).unwrap();
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait", "--input-file"])
        .arg(&file)
        .assert()
        .code(USAGE)
        .stderr(predicate::str::contains("input `deep`"));
    // Nothing was started.
    assert!(
        !emu.emulator()
            .journal()
            .iter()
            .any(|e| e.method == "POST" && e.path.starts_with("/v2/runs")),
        "a refused run reached the server"
    );
}

#[test]
fn run_passes_blocks_and_detached_options() {
    let emu = Emu::start();
    let started = json(emu.cmd().args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        "--block",
        "b-load",
        "--block",
        "b-top",
        "--dependents",
        "--no-wait",
        "-o",
        "json",
    ]));
    assert_eq!(keys(&started), ["createdAt", "runId", "status"]);
    let record = emu
        .emulator()
        .run_record(started["runId"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        record.block_ids,
        Some(vec!["b-load".to_string(), "b-top".to_string()])
    );
    assert!(record.run_dependent_blocks);

    let started = json(emu.cmd().args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        "--detached",
        "--storage-mode",
        "readonly",
        "--no-wait",
        "-o",
        "json",
    ]));
    let record = emu
        .emulator()
        .run_record(started["runId"].as_str().unwrap())
        .unwrap();
    assert!(record.detached);
    assert_eq!(
        record.detached_run_storage_mode.as_deref(),
        Some("readonly")
    );

    // The run started without waiting; `runs wait` follows it to the end.
    let id = started["runId"].as_str().unwrap();
    let done = json(emu.cmd().args(["runs", "wait", id, "-o", "json"]));
    assert_eq!(done["status"], "success");
    let got = json(emu.cmd().args(["runs", "get", id, "-o", "json"]));
    assert_eq!(got["status"], "success");
}

#[test]
fn a_failing_run_exits_5_with_the_run_on_stdout() {
    let emu = Emu::start();
    // Deepnote reports the reason in the run's `error` at times, and at times (often) not:
    // then the reason comes from the snapshot's error output. Both print it.
    for reported in [true, false] {
        emu.emulator().set_behaviour(
            SAMPLE_NOTEBOOK_ID,
            Behaviour::new(Duration::from_millis(200), Outcome::Error)
                .message("ZeroDivisionError: boom")
                .report_error(reported),
        );
        let out = emu
            .cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, "-o", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(RUN_FAILED));
        let run: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(run["status"], "error");
        // Reported or read from the snapshot, the reason is on stdout too.
        assert!(
            run["error"]
                .as_str()
                .is_some_and(|e| e.contains("ZeroDivisionError: boom")),
            "{run}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("ZeroDivisionError: boom"), "{stderr}");
        assert!(
            !stderr.contains("::error"),
            "annotations only inside GitHub Actions: {stderr}"
        );
    }
}

#[test]
fn a_run_past_its_timeout_exits_6() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_secs(3600), Outcome::Success),
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    emu.cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["run", SAMPLE_NOTEBOOK_ID, "--timeout", "1s"])
        .assert()
        .code(TIMEOUT)
        // A pipeline gets the run to follow (`answers.rs` checks the record).
        .stdout(predicate::str::contains("\"stillRunning\": true"))
        .stderr(predicate::str::contains(
            "did not finish within 1s (last status:",
        ))
        .stderr(predicate::str::contains("it goes on in Deepnote"))
        .stderr(predicate::str::contains("\n  deepnote runs wait "))
        .stderr(predicate::str::contains(
            "::error title=Deepnote run timed out::",
        ));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.contains("| ❌ timeout |"), "{text}");
}

#[test]
fn github_actions_get_an_annotation_and_a_summary() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_millis(100), Outcome::Error).message("KeyError: 'x'"),
    );
    let out = emu
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["run", SAMPLE_NOTEBOOK_ID, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(RUN_FAILED));
    let run: Value = serde_json::from_slice(&out.stdout).expect("stdout stays pure JSON");
    let id = run["runId"].as_str().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("::error title=Deepnote run failed::"),
        "{stderr}"
    );
    assert!(stderr.contains("KeyError"), "{stderr}");

    emu.emulator().clear_behaviour(SAMPLE_NOTEBOOK_ID);
    emu.cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["run", SAMPLE_NOTEBOOK_ID])
        .assert()
        .success()
        .stderr(predicate::str::contains("::error").not());

    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(
        text.matches("| Notebook | Run | Status | Duration | Error |")
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(&format!("| {SAMPLE_NOTEBOOK_ID} | {id} | ❌ error |")),
        "{text}"
    );
    assert!(text.contains("KeyError: 'x' |"), "{text}");
    assert!(text.contains("✅ success"), "{text}");
}

#[test]
fn execute_triggers_the_legacy_endpoint() {
    let emu = Emu::start();
    emu.cmd()
        .args(["execute", SAMPLE_PROJECT_ID, SAMPLE_NOTEBOOK_ID])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("triggered"));
    // The live v1 execute answers 401 for everything it refuses (its docs name no other).
    emu.cmd()
        .args(["execute", SAMPLE_PROJECT_ID, MISSING])
        .assert()
        .code(AUTH);
}

#[test]
fn auth_failures_exit_3() {
    let emu = Emu::start();
    emu.cmd_with_key("not-a-key")
        .arg("me")
        .assert()
        .code(AUTH)
        .stderr(predicate::str::contains("401"));
    // A 403 names the key source in use, so the user knows which key lacks the level.
    emu.cmd_with_key(VIEWER_KEY)
        .args(["projects", "create", "nope"])
        .assert()
        .code(AUTH)
        .stderr(
            predicate::str::contains("403")
                .and(predicate::str::contains("the key from $DEEPNOTE_API_KEY")),
        );
    emu.cmd_with_key(VIEWER_KEY)
        .args(["projects", "get", SAMPLE_PROJECT_ID])
        .assert()
        .success();
}

#[test]
fn not_found_exits_4() {
    let emu = Emu::start();
    emu.cmd()
        .args(["notebooks", "get", MISSING])
        .assert()
        .code(NOT_FOUND);
    emu.cmd()
        .args(["runs", "get", MISSING])
        .assert()
        .code(NOT_FOUND);
    emu.cmd().args(["run", MISSING]).assert().code(NOT_FOUND);
}

#[test]
fn usage_errors_exit_2() {
    let emu = Emu::start();
    emu.cmd()
        .args(["projects", "list", "--bogus"])
        .assert()
        .code(USAGE);
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--input", "novalue"])
        .assert()
        .code(USAGE)
        .stderr(predicate::str::contains("NAME=VALUE"));
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "-i", "a=1", "-i", "a=2"])
        .assert()
        .code(USAGE);
    emu.cmd()
        .args(["runs", "get", "not-a-uuid"])
        .assert()
        .code(USAGE);
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--timeout", "soon"])
        .assert()
        .code(USAGE);
    for zero in ["0", "0s"] {
        emu.cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, "--timeout", zero])
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains("zero"));
    }
    // No key anywhere: the message says where one can come from.
    bare(emu.config.path())
        .args(["--base-url", &emu.base_url(), "me"])
        .assert()
        .code(USAGE)
        .stderr(
            predicate::str::contains("DEEPNOTE_API_KEY")
                .and(predicate::str::contains("auth login")),
        );
}

#[test]
fn network_errors_exit_1() {
    let port = deepnote_test_support::loopback::free_port();
    let config = tempfile::tempdir().unwrap();
    bare(config.path())
        .env("DEEPNOTE_API_KEY", "k")
        .args(["--base-url", &format!("http://127.0.0.1:{port}"), "me"])
        .assert()
        .code(API)
        .stderr(predicate::str::contains("error:"));
}

#[test]
fn quiet_leaves_only_data() {
    let emu = Emu::start();
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "-q", "-o", "json"])
        .assert()
        .success()
        .stderr("")
        .stdout(predicate::str::contains("\"success\""));
}

#[cfg(feature = "local")]
#[test]
fn local_needs_no_account_and_no_key() {
    let config = tempfile::tempdir().unwrap();
    let me = json(bare(config.path()).args(["--local", "me", "-o", "json"]));
    assert_eq!(me["accessLevel"], "admin");
    let run = json(bare(config.path()).args([
        "--local",
        "run",
        SAMPLE_NOTEBOOK_ID,
        "-i",
        "region=EMEA",
        "-o",
        "json",
    ]));
    assert_eq!(run["status"], "success");
}

#[cfg(feature = "local")]
#[test]
fn demo_walks_every_step() {
    let config = tempfile::tempdir().unwrap();
    let out = bare(config.path()).arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in 1..=10 {
        assert!(
            stdout.contains(&format!("[{step}/10] ")),
            "step {step} missing:\n{stdout}"
        );
    }
    assert!(!stdout.contains("FAILED"), "{stdout}");
    assert!(
        stdout.contains("All steps did what they should."),
        "{stdout}"
    );
    // The run's snapshot is saved under snapshots/, and what its blocks printed is shown.
    let dir = config.path().join("snapshots");
    let latest = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_latest.snapshot.deepnote"))
        .expect("a _latest snapshot");
    assert!(
        latest.to_string_lossy().contains(SAMPLE_NOTEBOOK_ID),
        "{latest:?}"
    );
    let doc = deepnote::runs::Snapshot::from_text(std::fs::read_to_string(&latest).unwrap())
        .parse()
        .unwrap();
    let printed: Vec<String> = doc.project.notebooks[0]
        .blocks
        .iter()
        .map(|b| b.stream_text())
        .filter(|t| !t.is_empty())
        .collect();
    if printed.is_empty() {
        assert!(
            stdout.contains("(the notebook printed nothing)"),
            "{stdout}"
        );
    }
    for line in printed.iter().flat_map(|t| t.lines()) {
        assert!(
            stdout.contains(&format!("      | {line}\n")),
            "{line:?} missing:\n{stdout}"
        );
    }
    // The run got the input the demo says it sends.
    assert!(stdout.contains("region=EMEA"), "{stdout}");
    // The last step pulled the sample workspace into .deepnote files, with the sync state.
    let pulled = config.path().join("deepnote-demo");
    let report = pulled.join("Reports/Sales analysis/quarterly-report.deepnote");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains(SAMPLE_NOTEBOOK_ID), "{text}");
    assert!(pulled.join(".deepnote-sync.json").is_file());
    assert!(
        pulled
            .join("Churn model")
            .read_dir()
            .unwrap()
            .next()
            .is_some(),
        "every project gets its folder"
    );
}

#[test]
fn completions_for_each_shell() {
    let config = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        bare(config.path())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("deepnote").and(predicate::str::contains("projects")));
    }
    bare(config.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(USAGE);
}

#[test]
fn version_and_help() {
    let config = tempfile::tempdir().unwrap();
    bare(config.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("deepnote {}\n", env!("CARGO_PKG_VERSION")));
    bare(config.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:").and(predicate::str::contains("130")));
}

/// Starts a long run, sends `signal` once it is being watched, and returns the exit code and
/// what stderr said after the signal.
fn signal_a_watch(signal: &str) -> (Option<i32>, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_secs(3600), Outcome::Success),
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("deepnote"))
        .env_remove("GITHUB_ACTIONS")
        .env("DEEPNOTE_CONFIG_DIR", emu.config.path())
        .current_dir(emu.config.path())
        .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
        .args(["--base-url", &emu.base_url(), "run", SAMPLE_NOTEBOOK_ID])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    // The first status line comes once the watch (and its signal handlers) is running.
    while !seen.contains(": pending") && !seen.contains(": running") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr ended early: {seen}"
        );
        seen.push_str(&line);
    }
    // The shell's builtin `kill`: no procps needed on a minimal machine.
    let killed = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("kill -{signal} \"$1\""),
            "sh",
            &child.id().to_string(),
        ])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    (status.code(), rest)
}

#[test]
fn ctrl_c_stops_watching_with_130_and_one_line_on_how_to_resume() {
    let (code, rest) = signal_a_watch("INT");
    assert_eq!(code, Some(130), "{rest}");
    assert_eq!(rest.lines().count(), 1, "{rest}");
    assert!(
        rest.contains("(Ctrl-C)") && rest.contains("deepnote runs wait"),
        "{rest}"
    );
}

#[test]
fn sigterm_behaves_as_ctrl_c_with_143() {
    let (code, rest) = signal_a_watch("TERM");
    assert_eq!(code, Some(143), "{rest}");
    assert_eq!(rest.lines().count(), 1, "{rest}");
    assert!(
        rest.contains("(SIGTERM)") && rest.contains("deepnote runs wait"),
        "{rest}"
    );
}

/// Runs the command under `script`, so its stdout and stderr are a terminal.
fn on_a_terminal(emu: &Emu, args: &str, no_color: bool) -> String {
    let mut cmd = emu.terminal(&format!("{} {args}", deepnote_bin()));
    cmd.env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd
        .output()
        .expect("`script` (util-linux) runs the CLI on a terminal");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_terminal_gets_a_table_in_colour_unless_no_color() {
    let emu = Emu::start();
    let coloured = on_a_terminal(&emu, "projects list", false);
    assert!(coloured.starts_with("\u{1b}[1mID "), "{coloured:?}");
    assert!(coloured.contains("Sales analysis"), "{coloured:?}");
    let plain = on_a_terminal(&emu, "projects list", true);
    assert!(plain.starts_with("ID "), "{plain:?}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
}

#[test]
fn a_terminal_gets_a_spinner_instead_of_log_lines() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_millis(800), Outcome::Success),
    );
    let screen = on_a_terminal(&emu, &format!("run {SAMPLE_NOTEBOOK_ID}"), false);
    assert!(screen.contains("success after"), "{screen:?}");
    // The spinner redraws its line in place rather than printing a timestamped line per status.
    assert!(screen.contains("\u{1b}[2K"), "{screen:?}");
    assert!(!screen.contains("Z run "), "{screen:?}");
}

/// A loopback server that records each request's method, path and JSON body, and answers a
/// create of a run as the live API does. The emulator's record cannot tell an absent
/// `detached` from `false`; the exact body can.
struct BodyStub {
    base: String,
    stub: Harness<Stub>,
}

impl BodyStub {
    fn start() -> BodyStub {
        let stub = Harness::start(1, || {
            Stub::answering(|seen| {
                let (method, path) = (seen.method.as_str(), seen.path.as_str());
                let (status, answer) = if method == "POST" && path.starts_with("/v2/runs") {
                    (
                        202,
                        json!({"runId": "00000000-0000-4000-8000-000000000abc",
                            "status": "pending", "createdAt": "2026-12-01T00:00:00Z"}),
                    )
                } else if method == "GET" && path == "/v2/notebooks/nb-inputs" {
                    (
                        200,
                        json!({"notebook": {"id": "nb-inputs", "inputs": [
                            {"name": "region", "type": "input-text"},
                            {"name": "limit", "type": "input-slider"}]}}),
                    )
                } else {
                    (404, json!({"message": "no such thing"}))
                };
                Reply::json(status, answer)
            })
        });
        BodyStub {
            base: stub.url(),
            stub,
        }
    }

    /// Each request's method, path and JSON body (`null` when it has none), oldest first.
    fn seen(&self) -> Vec<(String, String, Value)> {
        self.stub
            .seen()
            .iter()
            .map(|s| {
                let body = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
                (s.method.to_string(), s.path.clone(), body)
            })
            .collect()
    }

    /// `deepnote run NB --no-wait ARGS...` against the stub; the body of its create.
    fn run_body(&self, args: &[&str]) -> Value {
        let config = tempfile::tempdir().unwrap();
        self.stub.clear();
        bare(config.path())
            .env("DEEPNOTE_API_KEY", "stub-key")
            .args([
                "--base-url",
                &self.base,
                "run",
                "nb-1",
                "--no-wait",
                "-o",
                "json",
            ])
            .args(args)
            .assert()
            .success();
        let seen = self.seen();
        let creates: Vec<_> = seen
            .iter()
            .filter(|(m, p, _)| m == "POST" && p.starts_with("/v2/runs"))
            .collect();
        assert_eq!(creates.len(), 1, "{seen:?}");
        creates[0].2.clone()
    }
}

#[test]
fn run_sends_the_run_mode_deepnote_accepts() {
    let stub = BodyStub::start();
    // A whole notebook runs detached, as Deepnote runs it unless told otherwise.
    let body = stub.run_body(&[]);
    assert_eq!(body, json!({"notebookId": "nb-1", "detached": true}));
    // Blocks run live, and must say so: a detached run refuses blockIds.
    let body = stub.run_body(&["--block", "b1", "--dependents"]);
    assert_eq!(
        body,
        json!({"notebookId": "nb-1", "blockIds": ["b1"], "runDependentBlocks": true,
            "detached": false})
    );
    // A storage mode implies detached.
    let body = stub.run_body(&["--storage-mode", "readonly"]);
    assert_eq!(
        body,
        json!({"notebookId": "nb-1", "detached": true, "detachedRunStorageMode": "readonly"})
    );
    assert_eq!(stub.run_body(&["--live"])["detached"], json!(false));
    assert_eq!(stub.run_body(&["--detached"])["detached"], json!(true));
    // Inputs go as Deepnote takes them (the stub answers no notebook, so none is checked).
    let body = stub.run_body(&["-i", "limit=10", "-i", "on=false"]);
    assert_eq!(body["inputs"], json!({"limit": "10", "on": false}));
}

#[test]
fn run_refuses_run_modes_deepnote_refuses() {
    let emu = Emu::start();
    for args in [
        &["--block", "b1", "--storage-mode", "readonly"][..],
        &["--block", "b1", "--detached"][..],
        &["--live", "--storage-mode", "read-write"][..],
        &["--live", "--detached"][..],
    ] {
        emu.cmd()
            .args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait"])
            .args(args)
            .assert()
            .code(USAGE);
    }
}

#[test]
fn run_refuses_inputs_the_notebook_does_not_define_before_starting_it() {
    let stub = BodyStub::start();
    let config = tempfile::tempdir().unwrap();
    bare(config.path())
        .env("DEEPNOTE_API_KEY", "stub-key")
        .args(["--base-url", &stub.base, "run", "nb-inputs", "--no-wait"])
        .args(["-i", "regoin=EMEA"])
        .assert()
        .code(USAGE)
        .stderr(
            predicate::str::contains("regoin")
                .and(predicate::str::contains("region (input-text)"))
                .and(predicate::str::contains("limit (input-slider)")),
        );
    let seen = stub.seen();
    assert!(
        !seen.iter().any(|(m, _, _)| m == "POST"),
        "the run was started: {seen:?}"
    );
}

/// The live API's shapes: the project is wrapped and lists its notebooks.
fn live_project_server() -> Canned {
    let notebooks = r#"[{"id":"nb-first","name":"Notebook 1"},{"id":"nb-2","name":"Second"}]"#;
    Canned::serve(vec![
        (
            "GET /v2/projects/p-1",
            200,
            format!(r#"{{"project":{{"id":"p-1","name":"Live","files":[],"notebooks":{notebooks}}}}}"#),
        ),
        (
            "POST /v2/projects",
            201,
            r#"{"project":{"id":"p-1","name":"Live","notebooks":[{"id":"nb-first","name":"Notebook 1"}]}}"#
                .to_string(),
        ),
    ])
}

#[test]
fn notebooks_list_reads_the_projects_notebooks() {
    let server = live_project_server();
    let config = tempfile::tempdir().unwrap();
    let listed = json(bare(config.path()).env("DEEPNOTE_API_KEY", "k").args([
        "--base-url",
        &server.base_url,
        "notebooks",
        "list",
        "p-1",
    ]));
    assert_eq!(
        listed,
        json!([
            {"id": "nb-first", "name": "Notebook 1", "projectId": "p-1"},
            {"id": "nb-2", "name": "Second", "projectId": "p-1"}
        ])
    );
    // The emulator, as the live service, lists the sample project's notebooks.
    let emu = Emu::start();
    let listed = json(
        emu.cmd()
            .args(["notebooks", "list", SAMPLE_PROJECT_ID, "-o", "json"]),
    );
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == SAMPLE_NOTEBOOK_ID),
        "{listed}"
    );
    emu.cmd()
        .args(["notebooks", "list", MISSING])
        .assert()
        .code(NOT_FOUND);
    // An answer in the original spec's shape lists none: an empty list, and a note that says
    // why it may be empty.
    let spec = Emu::start_with(deepnote_emulator::Dialect::Spec);
    spec.cmd()
        .args(["notebooks", "list", SAMPLE_PROJECT_ID])
        .assert()
        .success()
        .stdout("[]\n")
        .stderr(predicate::str::contains("lists no notebooks"));
}

#[test]
fn projects_create_prints_the_first_notebooks_id() {
    let server = live_project_server();
    let config = tempfile::tempdir().unwrap();
    let out = bare(config.path())
        .env("DEEPNOTE_API_KEY", "k")
        .args(["--base-url", &server.base_url, "projects", "create", "Live"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["firstNotebookId"], "nb-first");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("deepnote run nb-first"), "{stderr}");
    // The create's own answer names it: one request.
    assert_eq!(server.seen(), ["POST /v2/projects"]);
}

#[test]
fn ctrl_c_on_a_terminal_clears_the_spinner_and_prints_one_line() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour::new(Duration::from_secs(3600), Outcome::Success),
    );
    let pidfile = emu.config.path().join("pid");
    // The shell writes its pid and becomes `deepnote`, so the pid is the CLI's.
    let inner = format!(
        "echo $$ > {}; exec {} run {SAMPLE_NOTEBOOK_ID}",
        pidfile.display(),
        deepnote_bin()
    );
    let child = emu
        .terminal(&inner)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run is being watched (the emulator has it), then interrupt.
    let watched = || {
        json(emu.cmd().args(["notebooks", "runs", SAMPLE_NOTEBOOK_ID]))
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] != "success" && r["status"] != "error")
    };
    for _ in 0..100 {
        if pidfile.exists() && watched() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let killed = std::process::Command::new("sh")
        .args(["-c", "kill -INT \"$1\"", "sh", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        screen.matches("stopped watching run").count(),
        1,
        "{screen:?}"
    );
    assert!(
        !screen.contains(" after "),
        "no second line with the time: {screen:?}"
    );
    // After the spinner is cleared, the one line is all that is left.
    let tail = screen.rsplit("\u{1b}[2K").next().unwrap_or_default();
    assert_eq!(tail.trim().lines().count(), 1, "{screen:?}");
}
