//! Right answers, pipelines that see everything, errors that name their subject (issue 21):
//! each a user's task against a loopback emulator, asserting what they would check.

use crate::common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

/// Exit codes, as `--help` documents them.
const USAGE: i32 = 2;

/// Whether any request of this method went to a path starting with `prefix`.
fn sent(emu: &Emu, method: &str, prefix: &str) -> bool {
    emu.emulator()
        .journal()
        .iter()
        .any(|e| e.method == method && e.path.starts_with(prefix))
}

#[test]
fn a_mistyped_time_zone_is_refused_before_sending_with_the_nearest_names() {
    let emu = Emu::start();
    for command in ["set", "create"] {
        emu.cmd()
            .args(["schedules", command, SAMPLE_NOTEBOOK_ID])
            .args(["--daily", "--at", "09:00", "--timezone", "Europe/Prag"])
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains("\"Europe/Prag\""))
            .stderr(predicate::str::contains("Europe/Prague"));
    }
    assert!(
        !sent(&emu, "POST", "/v2/notebooks"),
        "a refused zone was sent"
    );
    assert!(
        !sent(&emu, "POST", "/v2/schedules"),
        "a refused zone was sent"
    );
    // A real zone goes through as the database spells it.
    let set = json(emu.cmd().args([
        "schedules",
        "set",
        SAMPLE_NOTEBOOK_ID,
        "--daily",
        "--at",
        "09:00",
        "--timezone",
        "Europe/Prague",
        "-o",
        "json",
    ]));
    assert_eq!(set["timezone"], "Europe/Prague");
}

#[test]
fn schedules_list_shows_every_field_the_api_answers() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "schedules",
            "create",
            SAMPLE_NOTEBOOK_ID,
            "--cron",
            "0 6 * * 1-5",
        ])
        .args(["--timezone", "UTC", "-o", "json"])
        .assert()
        .success();
    let list = json(
        emu.cmd()
            .args(["schedules", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    let created = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["cron"] == "0 6 * * 1-5")
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    for field in ["id", "notebookId", "nextRunAt", "createdAt", "updatedAt"] {
        assert!(created[field].is_string(), "{field} missing from {created}");
    }
    // The table a person reads shows them too, not `-`.
    let out = emu
        .cmd()
        .args(["schedules", "list", SAMPLE_NOTEBOOK_ID, "-o", "table"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.contains("0 6 * * 1-5"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains(created["id"].as_str().unwrap()), "{table}");
    let next: Value = created["nextRunAt"].clone();
    assert!(row.contains(next.as_str().unwrap()), "{table}");
}

/// An input block of the sample notebook with these metadata fields besides its value.
fn add_input(emu: &Emu, kind: &str, name: &str, value: Value, meta: Value) {
    let mut block = deepnote_emulator::BlockRecord::input(format!("b-{name}"), kind, name, value);
    for (k, v) in meta.as_object().unwrap() {
        block.metadata.insert(k.clone(), v.clone());
    }
    assert!(emu.emulator().add_block(SAMPLE_NOTEBOOK_ID, block));
}

#[test]
fn inputs_are_checked_against_every_limit_their_blocks_state() {
    let emu = Emu::start();
    add_input(
        &emu,
        "input-select",
        "market",
        serde_json::json!("EMEA"),
        serde_json::json!({"deepnote_variable_options": ["EMEA", "APAC"]}),
    );
    add_input(
        &emu,
        "input-date",
        "as_of",
        serde_json::json!("2026-03-31"),
        serde_json::json!({}),
    );
    add_input(
        &emu,
        "input-date-range",
        "period",
        serde_json::json!("past7days"),
        serde_json::json!({}),
    );
    // The sample's slider `limit` runs from 1 to 100 in steps of 1.
    for (arg, says) in [
        ("market=LATAM", "\"LATAM\""),
        ("limit=500", "maximum 100"),
        ("limit=0", "minimum 1"),
        ("limit=2.5", "not on a step"),
        ("as_of=notadate", "\"notadate\""),
        ("period=[\"2026-02-01\",\"2026-01-01\"]", "after its end"),
        ("period=[\"2026-13-01\",\"2026-12-01\"]", "YYYY-MM-DD"),
        ("period=lastweek", "\"lastweek\""),
        ("include_returns=maybe", "boolean"),
    ] {
        let name = arg.split('=').next().unwrap();
        let (code, _, err) =
            outcome(
                emu.cmd()
                    .args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait", "-i", arg]),
            );
        assert_eq!(code, Some(USAGE), "{arg}: {err}");
        assert!(err.contains(&format!("input \"{name}\"")), "{arg}: {err}");
        assert!(err.contains(says), "{arg}: {err}");
    }
    assert!(
        !sent(&emu, "POST", "/v2/runs"),
        "a refused input reached the server"
    );
    // Values within every limit go through.
    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--no-wait"])
        .args([
            "-i",
            "market=APAC",
            "-i",
            "limit=100",
            "-i",
            "as_of=2026-04-01",
        ])
        .args([
            "-i",
            "period=[\"2026-01-01\",\"2026-02-01\"]",
            "-i",
            "include_returns=true",
        ])
        .assert()
        .success();
}

#[test]
fn several_notebooks_get_only_the_inputs_they_define() {
    let emu = Emu::start();
    let other = json(
        emu.cmd()
            .args(["notebooks", "create", SAMPLE_PROJECT_ID, "--name", "other"]),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A notebook of code without input blocks (an empty one says nothing of its inputs).
    let code = deepnote_emulator::BlockRecord::new("b-code", "code", "print(1)");
    assert!(emu.emulator().add_block(&other, code));
    // No notebook defines it: refused before any run starts.
    let (code, _, err) = outcome(emu.cmd().args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        &other,
        "-i",
        "nope=1",
        "--no-snapshot",
    ]));
    assert_eq!(code, Some(USAGE), "{err}");
    assert!(
        err.contains("\"nope\"") && err.contains("any of the notebooks"),
        "{err}"
    );
    assert!(!sent(&emu, "POST", "/v2/runs"));
    // Defined by one: only that one gets it, and both run.
    let (code, out, err) = outcome(emu.cmd().args([
        "run",
        SAMPLE_NOTEBOOK_ID,
        &other,
        "-i",
        "region=APAC",
        "--no-snapshot",
        "-o",
        "json",
    ]));
    assert_eq!(code, Some(0), "{out}\n{err}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["status"], "success", "{row}");
        let record = emu
            .emulator()
            .run_record(row["runId"].as_str().unwrap())
            .unwrap();
        let want = if row["notebookId"] == SAMPLE_NOTEBOOK_ID {
            serde_json::json!({"region": "APAC"})
        } else {
            serde_json::json!({})
        };
        assert_eq!(Value::Object(record.inputs), want, "{row}");
    }
}

#[test]
fn a_failed_run_gives_a_pipeline_its_reason_times_and_snapshot() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        // The live service answers `error: null`; the reason is in the snapshot's output.
        deepnote_emulator::Behaviour::new(
            std::time::Duration::from_millis(200),
            deepnote_emulator::Outcome::Error,
        )
        .message("NameError: name 'x' is not defined")
        .report_error(false),
    );
    let (code, out, err) = outcome(emu.cmd().args(["run", SAMPLE_NOTEBOOK_ID, "-o", "json"]));
    assert_eq!(code, Some(5), "{err}");
    let run: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let reason = run["error"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert!(reason.contains("NameError"), "{run}");
    assert!(
        err.contains(reason),
        "stderr shows another reason: {err}\n{run}"
    );
    assert_eq!(run["status"], "error");
    assert_eq!(run["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert_eq!(run["stillRunning"], false);
    for field in ["runId", "createdAt", "completedAt"] {
        assert!(run[field].is_string(), "{field}: {run}");
    }
    let snapshot = run["snapshot"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert!(emu.config.path().join(snapshot).is_file(), "{snapshot}");
}

#[test]
fn a_timed_out_run_still_gives_a_pipeline_its_id() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        deepnote_emulator::Behaviour::new(
            std::time::Duration::from_secs(3600),
            deepnote_emulator::Outcome::Success,
        ),
    );
    let (code, out, err) =
        outcome(
            emu.cmd()
                .args(["run", SAMPLE_NOTEBOOK_ID, "--timeout", "1s", "-o", "json"]),
        );
    assert_eq!(code, Some(6), "{err}");
    let run: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let id = run["runId"].as_str().unwrap_or_else(|| panic!("{run}"));
    assert!(err.contains(id), "{err}");
    assert_eq!(run["stillRunning"], true);
    assert_eq!(run["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert!(
        run["error"].as_str().unwrap().contains("still running"),
        "{run}"
    );
    // The id is the run's: a pipeline can follow it.
    assert!(emu.emulator().run_record(id).is_some());
}

#[test]
fn jsonl_prints_each_run_as_it_ends_and_keeps_it_after_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let emu = Emu::start();
    let slow = json(
        emu.cmd()
            .args(["notebooks", "create", SAMPLE_PROJECT_ID, "--name", "slow"]),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.emulator().set_behaviour(
        &slow,
        deepnote_emulator::Behaviour::new(
            std::time::Duration::from_secs(3600),
            deepnote_emulator::Outcome::Success,
        ),
    );
    let mut child = std::process::Command::new(deepnote_bin())
        .env_remove("GITHUB_ACTIONS")
        .env("DEEPNOTE_CONFIG_DIR", emu.config.path())
        .current_dir(emu.config.path())
        .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
        .args([
            "--base-url",
            &emu.base_url(),
            "run",
            SAMPLE_NOTEBOOK_ID,
            &slow,
        ])
        .args(["-o", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Lines as they come, read on a thread so a CLI that holds them back fails the test
    // rather than hanging it.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (lines, arrived) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // The quick run's line comes while the slow one still runs (it never ends by itself).
    let Ok(first) = arrived.recv_timeout(std::time::Duration::from_secs(120)) else {
        let _ = child.kill();
        panic!("no line while the slow run goes on: jsonl waited for every run");
    };
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["notebookId"], SAMPLE_NOTEBOOK_ID, "{first}");
    assert_eq!(first["status"], "success", "{first}");
    let killed = std::process::Command::new("sh")
        .args(["-c", "kill -INT \"$1\"", "sh", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    reader.join().unwrap();
    let rest: Vec<Value> = arrived
        .try_iter()
        .map(|l| serde_json::from_str(&l).unwrap())
        .collect();
    // The quick run is not printed twice; the slow one says it was not seen to end.
    assert_eq!(rest.len(), 1, "{rest:?}");
    assert_eq!(rest[0]["notebookId"], slow.as_str());
    assert!(
        rest[0]["error"].as_str().unwrap().contains("Ctrl-C"),
        "{rest:?}"
    );
}

#[test]
fn errors_name_their_subject_and_the_status_the_server_sent() {
    let emu = Emu::start();
    let missing = "00000000-0000-4000-8000-00000000dead";
    for args in [vec!["runs", "get", missing], vec!["runs", "wait", missing]] {
        let (code, _, err) = outcome(emu.cmd().args(&args));
        assert_eq!(code, Some(4), "{args:?}: {err}");
        assert!(err.contains(missing), "{args:?}: {err}");
    }
    // The live API answers a run of a missing notebook with 400 `Notebook not found`.
    let (code, _, err) = outcome(emu.cmd().args(["run", missing, "--no-wait"]));
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains(missing), "{err}");
    assert!(err.contains("(400)") && !err.contains("404"), "{err}");
    // A block the notebook lacks is named.
    let (code, _, err) =
        outcome(
            emu.cmd()
                .args(["run", SAMPLE_NOTEBOOK_ID, "--block", "nope", "--no-wait"]),
        );
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("nope"), "{err}");
    // A local folder that cannot be made is a filesystem error, not an invalid argument.
    let file = emu.config.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let (code, _, err) = outcome(
        emu.cmd()
            .args(["projects", "export", SAMPLE_PROJECT_ID])
            .arg(file.join("sub")),
    );
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("filesystem error"), "{err}");
    assert!(!err.contains("invalid argument"), "{err}");
}

#[test]
fn long_sources_are_cut_in_tables_of_blocks_and_search_results() {
    let emu = Emu::start();
    let source = format!("# needle\n{}", "x = 1  # padding\n".repeat(100));
    let code = deepnote_emulator::BlockRecord::new("b-long", "code", source.as_str());
    assert!(emu.emulator().add_block(SAMPLE_NOTEBOOK_ID, code));
    for args in [
        vec!["blocks", "list", SAMPLE_NOTEBOOK_ID, "-o", "table"],
        vec!["search", "needle", "--type", "blocks", "-o", "table"],
    ] {
        // On an 80-column terminal ($COLUMNS), and piped with no width at all.
        for columns in [Some("80"), None] {
            let mut cmd = emu.cmd();
            if let Some(c) = columns {
                cmd.env("COLUMNS", c);
            }
            let (code, out, err) = outcome(cmd.args(&args));
            assert_eq!(code, Some(0), "{args:?}: {err}");
            let widest = out.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            // Ids stay whole (three of them make a search row wider than 80).
            let limit = match (columns, args[0]) {
                (Some(_), "blocks") => 80,
                _ => 300,
            };
            assert!(
                widest <= limit,
                "{args:?} {columns:?}: {widest} wide\n{out}"
            );
            assert!(out.contains('…'), "{args:?} {columns:?}: not cut\n{out}");
        }
    }
    // JSON keeps the whole source.
    let blocks = json(
        emu.cmd()
            .args(["blocks", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    assert!(
        blocks
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["content"] == source.as_str())
    );
}

#[test]
fn deepnote_spellings_positional_names_and_plain_flags_are_accepted() {
    let emu = Emu::start();
    // Deepnote's CLI says `schedule` and `completion`.
    emu.cmd()
        .args(["schedule", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"])
        .assert()
        .success();
    bare(emu.config.path())
        .args(["completion", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("deepnote"));
    // A notebook's name is positional, as a project's is; --name still works.
    for args in [vec!["Weekly"], vec!["--name", "Daily"]] {
        let nb = json(
            emu.cmd()
                .args(["notebooks", "create", SAMPLE_PROJECT_ID])
                .args(&args)
                .args(["-o", "json"]),
        );
        assert_eq!(nb["name"], *args.last().unwrap(), "{args:?}: {nb}");
    }
    // Not waiting and not saving a snapshot do not conflict.
    emu.cmd()
        .args([
            "run",
            SAMPLE_NOTEBOOK_ID,
            "--no-wait",
            "--no-snapshot",
            "-o",
            "json",
        ])
        .assert()
        .success();
    // A base URL that is no URL is called invalid, not insecure.
    let (code, _, err) = outcome(
        bare(emu.config.path())
            .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
            .args(["--base-url", "not-a-url", "me"]),
    );
    assert_eq!(code, Some(USAGE), "{err}");
    assert!(err.to_lowercase().contains("invalid"), "{err}");
    assert!(!err.contains("plain http"), "{err}");
    // The top-level help names `sessions` by what its `create` does.
    let (_, help, _) = outcome(bare(emu.config.path()).arg("--help"));
    let line = help
        .lines()
        .find(|l| l.trim_start().starts_with("sessions"))
        .unwrap();
    assert!(line.contains("Create an interactive session"), "{line}");
}

#[test]
fn demo_says_what_it_writes_before_writing_it() {
    let config = tempfile::tempdir().unwrap();
    let (code, out, err) = outcome(bare(config.path()).arg("demo"));
    assert_eq!(code, Some(0), "{out}\n{err}");
    let said = out
        .find("It writes deepnote-demo/ and snapshots/ under")
        .unwrap_or_else(|| panic!("{out}"));
    let first_step = out.find("[1/").unwrap_or_else(|| panic!("{out}"));
    assert!(said < first_step, "{out}");
    assert!(config.path().join("deepnote-demo").is_dir());
}
