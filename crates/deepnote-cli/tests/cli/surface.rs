//! The commands over the operations added since the original spec, each against the
//! emulator's state: what one command changes, the next one reads back.

use crate::common;

use common::*;
use serde_json::{Value, json};

const USAGE: i32 = 2;
const NOT_FOUND: i32 = 4;
const RUN_FAILED: i32 = 5;
const API: i32 = 1;

/// Another project of the sample workspace.
const OTHER_PROJECT: &str = "00000000-5a3e-4000-8000-000000000102";
const WAREHOUSE: &str = "00000000-5a3e-4000-8000-000000000301";

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

fn block_ids(emu: &Emu, notebook: &str) -> Vec<String> {
    let list = json(emu.cmd().args(["blocks", "list", notebook, "-o", "json"]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn notebook_inputs_show_name_kind_value_and_limits() {
    let emu = Emu::start();
    let inputs = json(
        emu.cmd()
            .args(["notebooks", "inputs", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    let by_name = |name: &str| {
        inputs
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no input {name}: {inputs}"))
            .clone()
    };
    assert_eq!(by_name("region")["type"], "input-text");
    assert_eq!(by_name("region")["value"], "EMEA");
    let limit = by_name("limit");
    assert_eq!(limit["type"], "input-slider");
    assert_eq!(
        (limit["min"].as_f64(), limit["max"].as_f64()),
        (Some(1.0), Some(100.0))
    );
    assert_eq!(by_name("include_returns")["value"], false);
    let (status, table, _) =
        outcome(
            emu.cmd()
                .args(["notebooks", "inputs", SAMPLE_NOTEBOOK_ID, "-o", "table"]),
        );
    assert_eq!(status, Some(0));
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        table.contains("region") && table.contains("EMEA"),
        "{table}"
    );
}

#[test]
fn rename_and_reorder_change_what_the_notebook_answers() {
    let emu = Emu::start();
    let renamed = json(emu.cmd().args([
        "notebooks",
        "rename",
        SAMPLE_NOTEBOOK_ID,
        "Quarterly (v2)",
        "-o",
        "json",
    ]));
    assert_eq!(renamed["name"], "Quarterly (v2)");
    let got = json(
        emu.cmd()
            .args(["notebooks", "get", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    assert_eq!(got["name"], "Quarterly (v2)");

    let before = block_ids(&emu, SAMPLE_NOTEBOOK_ID);
    assert_eq!(before[0], "b-intro");
    // To the top by default, in the order given.
    let order = json(emu.cmd().args([
        "notebooks",
        "reorder",
        SAMPLE_NOTEBOOK_ID,
        "b-plot",
        "b-top",
        "-o",
        "json",
    ]));
    assert_eq!(order[0], json!({"position": 0, "id": "b-plot"}));
    assert_eq!(order[1]["id"], "b-top");
    let after = block_ids(&emu, SAMPLE_NOTEBOOK_ID);
    assert_eq!(&after[..3], ["b-plot", "b-top", "b-intro"]);
    assert_eq!(after.len(), before.len());
    emu.cmd()
        .args([
            "notebooks",
            "reorder",
            SAMPLE_NOTEBOOK_ID,
            "b-plot",
            "--end",
            "-o",
            "json",
        ])
        .assert()
        .success();
    assert_eq!(
        block_ids(&emu, SAMPLE_NOTEBOOK_ID).last().unwrap(),
        "b-plot"
    );
    emu.cmd()
        .args([
            "notebooks",
            "reorder",
            SAMPLE_NOTEBOOK_ID,
            "b-plot",
            "--after",
            "b-intro",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let now = block_ids(&emu, SAMPLE_NOTEBOOK_ID);
    let intro = now.iter().position(|b| b == "b-intro").unwrap();
    assert_eq!(now[intro + 1], "b-plot");
    // --end and --after cannot both be where the blocks go.
    let (status, _, _) = outcome(emu.cmd().args([
        "notebooks",
        "reorder",
        SAMPLE_NOTEBOOK_ID,
        "b-plot",
        "--end",
        "--after",
        "b-intro",
    ]));
    assert_eq!(status, Some(USAGE));
}

#[test]
fn blocks_lifecycle() {
    let emu = Emu::start();
    let listed = json(
        emu.cmd()
            .args(["blocks", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    assert_eq!(listed[0]["id"], "b-intro");
    assert_eq!(listed[0]["type"], "markdown");
    assert_eq!(listed[0]["content"], "# Quarterly report");

    let created = json(emu.cmd().args([
        "blocks",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "--content",
        "print('added')",
        "-o",
        "json",
    ]));
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["type"], "code");
    let ids = block_ids(&emu, SAMPLE_NOTEBOOK_ID);
    assert_eq!(ids.last(), Some(&id), "a new block goes at the end");

    // From stdin, at a position, of another kind.
    let md = json(
        emu.cmd()
            .args([
                "blocks",
                "create",
                SAMPLE_NOTEBOOK_ID,
                "--type",
                "markdown",
                "--content-file",
                "-",
                "--position",
                "0",
                "-o",
                "json",
            ])
            .write_stdin("# From stdin"),
    );
    let listed = json(
        emu.cmd()
            .args(["blocks", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    assert_eq!(listed[0]["id"], md["id"]);
    assert_eq!(listed[0]["content"], "# From stdin");

    let got = json(emu.cmd().args(["blocks", "get", &id, "-o", "json"]));
    // The API's field names.
    assert_eq!(
        keys(&got),
        [
            "content",
            "id",
            "integrationId",
            "metadata",
            "notebookId",
            "type",
            "version"
        ]
    );
    assert_eq!(got["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert_eq!(got["content"], "print('added')");
    let version = got["version"].as_i64().unwrap();
    emu.cmd()
        .args([
            "blocks",
            "update",
            &id,
            "--content",
            "print('changed')",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let got = json(emu.cmd().args(["blocks", "get", &id, "-o", "json"]));
    assert_eq!(got["content"], "print('changed')");
    assert!(got["version"].as_i64().unwrap() > version, "{got}");
    // A SQL block names the integration it queries.
    let sql = json(emu.cmd().args([
        "blocks",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "--type",
        "sql",
        "--content",
        "SELECT 1",
        "--integration",
        WAREHOUSE,
        "-o",
        "json",
    ]));
    let sql = json(
        emu.cmd()
            .args(["blocks", "get", sql["id"].as_str().unwrap(), "-o", "json"]),
    );
    assert_eq!(sql["type"], "sql");
    assert_eq!(sql["integrationId"], WAREHOUSE);
    // An update with nothing to change is refused by clap.
    assert_eq!(
        outcome(emu.cmd().args(["blocks", "update", &id])).0,
        Some(USAGE)
    );
    assert_eq!(
        outcome(
            emu.cmd()
                .args(["blocks", "create", SAMPLE_NOTEBOOK_ID, "--type", "pie"])
        )
        .0,
        Some(USAGE)
    );

    // Off a terminal a delete needs --yes, and nothing is deleted without it.
    let (status, _, err) = outcome(emu.cmd().args(["blocks", "delete", &id]));
    assert_eq!(status, Some(USAGE));
    assert!(err.contains("--yes"), "{err}");
    assert!(block_ids(&emu, SAMPLE_NOTEBOOK_ID).contains(&id));
    emu.cmd()
        .args(["blocks", "delete", &id, "--yes"])
        .assert()
        .success();
    assert!(!block_ids(&emu, SAMPLE_NOTEBOOK_ID).contains(&id));
    assert_eq!(
        outcome(emu.cmd().args(["blocks", "get", &id])).0,
        Some(NOT_FOUND)
    );
}

#[test]
fn files_round_trip_byte_for_byte() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    // Every byte value, and more than one chunk of the SDK's.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let local = dir.path().join("data.bin");
    std::fs::write(&local, &bytes).unwrap();

    let (status, out, err) = outcome(emu.cmd().args([
        "files",
        "upload",
        SAMPLE_PROJECT_ID,
        local.to_str().unwrap(),
        "in/data.bin",
        "-o",
        "json",
    ]));
    assert_eq!(status, Some(0), "{err}");
    let file: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(file["path"], "in/data.bin");
    assert_eq!(file["size"], bytes.len());
    // Off a terminal there is no bar: stderr holds no redraws.
    assert!(!err.contains('\r'), "{err:?}");

    let back = dir.path().join("back.bin");
    emu.cmd()
        .args([
            "files",
            "download",
            SAMPLE_PROJECT_ID,
            "in/data.bin",
            back.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert!(
        std::fs::read(&back).unwrap() == bytes,
        "the download differs"
    );
    let out = emu
        .cmd()
        .args(["files", "download", SAMPLE_PROJECT_ID, "in/data.bin", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout == bytes, "the download to stdout differs");
    // The default local name is the remote's last part, in the current directory.
    emu.cmd()
        .args(["files", "download", SAMPLE_PROJECT_ID, "in/data.bin"])
        .current_dir(dir.path())
        .assert()
        .success();
    assert!(std::fs::read(dir.path().join("data.bin")).unwrap() == bytes);
    // Into a directory: under the remote's name there.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    emu.cmd()
        .args(["files", "download", SAMPLE_PROJECT_ID, "in/data.bin"])
        .arg(&sub)
        .assert()
        .success();
    assert!(std::fs::read(sub.join("data.bin")).unwrap() == bytes);

    // The server never overwrites: a second upload lands elsewhere, and says so.
    let (status, out, err) = outcome(
        emu.cmd()
            .args([
                "files",
                "upload",
                SAMPLE_PROJECT_ID,
                "-",
                "in/data.bin",
                "-o",
                "json",
            ])
            .write_stdin("second"),
    );
    assert_eq!(status, Some(0), "{err}");
    let second: Value = serde_json::from_str(&out).unwrap();
    assert_ne!(second["path"], "in/data.bin");
    assert!(err.contains("was taken"), "{err}");
    let out = emu
        .cmd()
        .args([
            "files",
            "download",
            SAMPLE_PROJECT_ID,
            second["path"].as_str().unwrap(),
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"second");

    // Copied into another project, at the same path, with the same bytes.
    emu.cmd()
        .args([
            "files",
            "cp",
            SAMPLE_PROJECT_ID,
            "in/data.bin",
            OTHER_PROJECT,
            "-o",
            "json",
        ])
        .assert()
        .success();
    let out = emu
        .cmd()
        .args(["files", "download", OTHER_PROJECT, "in/data.bin", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout == bytes, "the copy differs");

    // rm needs --yes off a terminal; then the file is gone.
    assert_eq!(
        outcome(
            emu.cmd()
                .args(["files", "rm", SAMPLE_PROJECT_ID, "in/data.bin"])
        )
        .0,
        Some(USAGE)
    );
    emu.cmd()
        .args(["files", "download", SAMPLE_PROJECT_ID, "in/data.bin", "-"])
        .assert()
        .success();
    emu.cmd()
        .args(["files", "rm", SAMPLE_PROJECT_ID, "in/data.bin", "--yes"])
        .assert()
        .success();
    assert_eq!(
        outcome(
            emu.cmd()
                .args(["files", "download", SAMPLE_PROJECT_ID, "in/data.bin", "-"])
        )
        .0,
        Some(NOT_FOUND)
    );
    // A missing local file is a usage error before any request.
    emu.emulator().clear_journal();
    let (status, _, err) = outcome(emu.cmd().args([
        "files",
        "upload",
        SAMPLE_PROJECT_ID,
        dir.path().join("nope").to_str().unwrap(),
    ]));
    assert_eq!(status, Some(USAGE), "{err}");
    // Stdin has no name to give the file in the project.
    let (status, _, err) = outcome(
        emu.cmd()
            .args(["files", "upload", SAMPLE_PROJECT_ID, "-"])
            .write_stdin("x"),
    );
    assert_eq!(status, Some(USAGE), "{err}");
    assert!(err.contains("REMOTE"), "{err}");
    assert!(emu.emulator().journal().is_empty());
}

#[test]
fn schedules_created_and_set_appear_in_the_list() {
    let emu = Emu::start();
    let list = || {
        json(
            emu.cmd()
                .args(["schedules", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
        )
    };
    let start = list().as_array().unwrap().len();
    let created = json(emu.cmd().args([
        "schedules",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "--cron",
        "0 6 * * 1-5",
        "--timezone",
        "UTC",
        "-o",
        "json",
    ]));
    assert_eq!(created["cron"], "0 6 * * 1-5");
    emu.cmd()
        .args([
            "schedules",
            "create",
            SAMPLE_NOTEBOOK_ID,
            "--daily",
            "--at",
            "09:00",
            "--timezone",
            "Europe/Prague",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let all = list();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), start + 2, "{all:?}");
    assert!(
        all.iter()
            .any(|s| s["cron"] == "0 6 * * 1-5" && s["timezone"] == "UTC")
    );
    assert!(
        all.iter()
            .any(|s| s["cron"] == "0 9 * * *" && s["timezone"] == "Europe/Prague"),
        "{all:?}"
    );

    let set = json(emu.cmd().args([
        "schedules",
        "set",
        SAMPLE_NOTEBOOK_ID,
        "--daily",
        "--at",
        "17:30",
        "-o",
        "json",
    ]));
    assert_eq!(
        keys(&set),
        [
            "createdAt",
            "cron",
            "nextRunAt",
            "notebookId",
            "timezone",
            "updatedAt"
        ]
    );
    assert_eq!(set["cron"], "30 17 * * *");
    assert_eq!(set["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert!(set["nextRunAt"].is_string(), "{set}");
    // The notebook's one schedule is listed too; setting it again replaces it.
    let with_set = list().as_array().unwrap().len();
    assert!(
        list()
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["cron"] == "30 17 * * *")
    );
    emu.cmd()
        .args([
            "schedules",
            "set",
            SAMPLE_NOTEBOOK_ID,
            "--cron",
            "15 3 * * *",
        ])
        .args(["-o", "json"])
        .assert()
        .success();
    let all = list();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), with_set, "{all:?}");
    assert!(all.iter().any(|s| s["cron"] == "15 3 * * *"), "{all:?}");
    assert!(!all.iter().any(|s| s["cron"] == "30 17 * * *"), "{all:?}");

    // Bad schedules are usage errors naming the problem, before any request.
    emu.emulator().clear_journal();
    for (args, says) in [
        (&["--cron", "0 25 * * *"][..], "hour"),
        (&["--cron", "0 9 * *"], "4 fields"),
        (&["--daily", "--at", "9:7"], "HH:MM"),
        (&["--daily"], "--at"),
        (
            &["--cron", "0 9 * * *", "--daily", "--at", "09:00"],
            "cannot be used",
        ),
        (&[], "--cron"),
    ] {
        for verb in ["create", "set"] {
            let mut cmd = emu.cmd();
            cmd.args(["schedules", verb, SAMPLE_NOTEBOOK_ID]).args(args);
            let (status, _, err) = outcome(&mut cmd);
            assert_eq!(status, Some(USAGE), "{verb} {args:?}: {err}");
            assert!(err.contains(says), "{verb} {args:?}: {err}");
        }
    }
    assert!(
        emu.emulator().journal().is_empty(),
        "a bad schedule was sent"
    );
    assert_eq!(list().as_array().unwrap().len(), all.len());
}

#[test]
fn integrations_list_filters_and_get_shows_tables() {
    let emu = Emu::start();
    let all = json(emu.cmd().args(["integrations", "list", "-o", "json"]));
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    assert_eq!(all[0]["type"], "pgsql");
    let pg = json(
        emu.cmd()
            .args(["integrations", "list", "--type", "pgsql", "-o", "json"]),
    );
    assert_eq!(pg.as_array().unwrap().len(), 1);
    assert_eq!(pg[0]["id"], WAREHOUSE);
    let named = json(emu.cmd().args([
        "integrations",
        "list",
        "--name-contains",
        "warehouse",
        "--has-schema",
        "false",
        "-o",
        "json",
    ]));
    // The filters combine: the warehouse has a schema.
    assert!(named.as_array().unwrap().is_empty(), "{named}");
    let named = json(emu.cmd().args([
        "integrations",
        "list",
        "--name-contains",
        "WAREHOUSE",
        "-o",
        "json",
    ]));
    assert_eq!(named.as_array().unwrap().len(), 1, "{named}");
    assert_eq!(named[0]["id"], WAREHOUSE);
    let no_schema = json(emu.cmd().args([
        "integrations",
        "list",
        "--has-schema",
        "false",
        "-o",
        "json",
    ]));
    assert_eq!(no_schema[0]["type"], "s3");
    let got = json(
        emu.cmd()
            .args(["integrations", "get", WAREHOUSE, "-o", "json"]),
    );
    let tables = got["integration"]["tables"].as_array().unwrap();
    assert!(tables.iter().any(|t| t["name"] == "customers"), "{got}");
    assert_eq!(
        keys(&all[0]),
        [
            "created_at",
            "id",
            "is_public",
            "metadata",
            "name",
            "type",
            "updated_at"
        ]
    );
    let other_db = json(emu.cmd().args([
        "integrations",
        "get",
        WAREHOUSE,
        "--database",
        "elsewhere",
        "-o",
        "json",
    ]));
    assert!(
        other_db["integration"]["tables"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A viewer may not read the metadata.
    let (status, _, _) =
        outcome(
            emu.cmd_with_key(VIEWER_KEY)
                .args(["integrations", "list", "--include-metadata"]),
        );
    assert_eq!(status, Some(3));
    let missing = "00000000-0000-4000-8000-00000000dead";
    assert_eq!(
        outcome(emu.cmd().args(["integrations", "get", missing])).0,
        Some(NOT_FOUND)
    );
}

#[test]
fn machines_types_get_and_set() {
    let emu = Emu::start();
    let types = json(emu.cmd().args(["machines", "types", "-o", "json"]));
    let ids: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"fjord"), "{types}");
    assert!(types[0]["vCpus"].is_number() && types[0]["memoryGiB"].is_number());
    let machine = json(
        emu.cmd()
            .args(["machines", "get", SAMPLE_PROJECT_ID, "-o", "json"]),
    );
    assert_eq!(keys(&machine), ["error", "startingPhase", "status", "type"]);
    assert_eq!(
        keys(&machine["type"]),
        ["gpuCount", "id", "memoryGiB", "name", "type", "vCpus"]
    );
    assert_eq!(machine["status"], "running");
    assert_eq!(machine["type"]["id"], "basic");
    let set = json(
        emu.cmd()
            .args(["machines", "set", SAMPLE_PROJECT_ID, "fjord", "-o", "json"]),
    );
    assert_eq!(set["type"]["id"], "fjord");
    let machine = json(
        emu.cmd()
            .args(["machines", "get", SAMPLE_PROJECT_ID, "-o", "json"]),
    );
    assert_eq!(machine["type"]["id"], "fjord");
    // An unknown type is the API's refusal (409), and changes nothing.
    assert_eq!(
        outcome(
            emu.cmd()
                .args(["machines", "set", SAMPLE_PROJECT_ID, "quantum"])
        )
        .0,
        Some(API)
    );
    let machine = json(
        emu.cmd()
            .args(["machines", "get", SAMPLE_PROJECT_ID, "-o", "json"]),
    );
    assert_eq!(machine["type"]["id"], "fjord");
    // An empty type is refused before any request.
    emu.emulator().clear_journal();
    assert_eq!(
        outcome(emu.cmd().args(["machines", "set", SAMPLE_PROJECT_ID, " "])).0,
        Some(USAGE)
    );
    assert!(emu.emulator().journal().is_empty());
}

#[test]
fn sessions_create_then_exec_prints_and_fails_as_the_code_does() {
    let emu = Emu::start();
    let session = json(emu.cmd().args([
        "sessions",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "-i",
        "region=APAC",
        "-o",
        "json",
    ]));
    let id = session["id"].as_str().unwrap().to_string();
    let run = session["runId"].as_str().unwrap();
    assert!(session["sessionNotebookId"].is_string(), "{session}");
    assert_eq!(session["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert_eq!(session["storageMode"], "read_write");
    let other = json(emu.cmd().args([
        "sessions",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "--read-only",
        "--idle-shutdown",
        "30m",
        "-o",
        "json",
    ]));
    assert_eq!(other["storageMode"], "readonly");
    assert_eq!(other["idleShutdownSeconds"], 1800);
    // Inputs from a file, as for `deepnote run`; the notebook's inputs are checked.
    let from_file = emu
        .cmd()
        .args([
            "sessions",
            "create",
            SAMPLE_NOTEBOOK_ID,
            "--input-file",
            "-",
        ])
        .args(["-o", "json"])
        .write_stdin(r#"{"region": "LATAM", "include_returns": true}"#)
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{from_file:?}");
    let (status, _, err) =
        outcome(
            emu.cmd()
                .args(["sessions", "create", SAMPLE_NOTEBOOK_ID, "-i", "nope=1"]),
        );
    assert_eq!(status, Some(API), "{err}");
    assert!(err.contains("nope"), "{err}");
    // Its initial run is a run like any other.
    let got = json(emu.cmd().args(["runs", "get", run, "-o", "json"]));
    assert_eq!(got["runId"], run);

    let exec = |extra: &[&str], stdin: Option<&str>| {
        let mut cmd = emu.cmd();
        cmd.args(["sessions", "exec", &id, "--notebook", SAMPLE_NOTEBOOK_ID])
            .args(extra);
        if let Some(text) = stdin {
            cmd.write_stdin(text);
        }
        outcome(&mut cmd)
    };
    let (status, out, err) = exec(&["print('hello')", "-o", "table"], None);
    assert_eq!(status, Some(0), "{err}");
    assert_eq!(out, "hello\n");
    let (status, out, _) = exec(&["-", "-o", "json"], Some("print('from stdin')"));
    assert_eq!(status, Some(0));
    let answer: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["outputs"][0]["text"], "from stdin\n");
    let (status, out, err) = exec(&["raise ValueError('bad value')", "-o", "table"], None);
    assert_eq!(status, Some(RUN_FAILED), "{out}{err}");
    assert!(out.contains("ValueError: bad value"), "{out}");
    assert!(err.contains("ValueError: bad value"), "{err}");
    // A bad input never reaches the server.
    let (status, _, _) =
        outcome(
            emu.cmd()
                .args(["sessions", "create", SAMPLE_NOTEBOOK_ID, "-i", "obj={}"]),
        );
    assert_eq!(status, Some(USAGE));
}

#[test]
fn search_finds_what_was_just_made_by_kind() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "blocks",
            "create",
            SAMPLE_NOTEBOOK_ID,
            "--content",
            "zebra_forecast = 42",
            "-o",
            "json",
        ])
        .assert()
        .success();
    let hits = json(emu.cmd().args(["search", "zebra_forecast", "-o", "json"]));
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["kind"], "block");
    assert_eq!(hits[0]["name"], "zebra_forecast = 42");
    assert_eq!(hits[0]["notebookId"], SAMPLE_NOTEBOOK_ID);
    let projects = json(
        emu.cmd()
            .args(["search", "Sales", "--type", "projects", "-o", "json"]),
    );
    let projects = projects.as_array().unwrap();
    assert!(!projects.is_empty());
    assert!(
        projects.iter().all(|h| h["kind"] == "project"),
        "{projects:?}"
    );
    assert!(projects.iter().any(|h| h["id"] == SAMPLE_PROJECT_ID));
    let (status, out, _) =
        outcome(
            emu.cmd()
                .args(["search", "no-such-thing-anywhere", "-o", "table"]),
        );
    assert_eq!(status, Some(0));
    assert_eq!(out, "no results\n");
}

/// Runs `deepnote ARGS` on a pty (from `script`), so stdin, stdout and stderr are a terminal;
/// returns what the terminal showed.
fn on_a_terminal(emu: &Emu, args: &str) -> String {
    let (status, screen) = typed_on_a_terminal(emu, args, "");
    assert_eq!(status, Some(0), "{screen}");
    screen
}

/// The same, with `typed` typed at the terminal; returns the exit code too.
fn typed_on_a_terminal(emu: &Emu, args: &str, typed: &str) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = emu
        .terminal(&format!("stty rows 24 cols 120; {} {args}", deepnote_bin()))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(typed.as_bytes()).unwrap();
    // Kept open until the command ends: `script` stops at the end of its input.
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_block_delete_asks_on_a_terminal() {
    let emu = Emu::start();
    let created = json(emu.cmd().args([
        "blocks",
        "create",
        SAMPLE_NOTEBOOK_ID,
        "--content",
        "x = 1",
        "-o",
        "json",
    ]));
    let id = created["id"].as_str().unwrap().to_string();
    let (status, screen) = typed_on_a_terminal(&emu, &format!("blocks delete {id}"), "n\n");
    assert_eq!(status, Some(API), "{screen}");
    assert!(screen.contains(&format!("Delete block {id}?")), "{screen}");
    assert!(block_ids(&emu, SAMPLE_NOTEBOOK_ID).contains(&id));
    let (status, screen) = typed_on_a_terminal(&emu, &format!("blocks delete {id}"), "y\n");
    assert_eq!(status, Some(0), "{screen}");
    assert!(!block_ids(&emu, SAMPLE_NOTEBOOK_ID).contains(&id));
}

#[test]
fn transfers_draw_a_bar_on_a_terminal_unless_quiet() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    let local = dir.path().join("big.bin");
    std::fs::write(&local, &bytes).unwrap();
    let screen = on_a_terminal(
        &emu,
        &format!(
            "files upload {SAMPLE_PROJECT_ID} {} big.bin",
            local.display()
        ),
    );
    // The bar, with the file's size, then cleared for the table of the stored file.
    assert!(screen.contains("upload big.bin ["), "{screen:?}");
    assert!(screen.contains("1.91 MiB"), "{screen:?}");
    assert!(
        screen.contains("\x1b[2K"),
        "the bar is never cleared: {screen:?}"
    );
    let back = dir.path().join("back.bin");
    let screen = on_a_terminal(
        &emu,
        &format!(
            "files download {SAMPLE_PROJECT_ID} big.bin {}",
            back.display()
        ),
    );
    assert!(screen.contains("download big.bin"), "{screen:?}");
    assert!(std::fs::read(&back).unwrap() == bytes);

    let quiet = on_a_terminal(
        &emu,
        &format!(
            "--quiet files download {SAMPLE_PROJECT_ID} big.bin {}",
            back.display()
        ),
    );
    assert!(!quiet.contains("download big.bin"), "{quiet:?}");
}

#[test]
fn blocks_and_inputs_of_an_api_in_the_original_shape_say_why_they_are_empty() {
    let emu = Emu::start_with(deepnote_emulator::Dialect::Spec);
    for what in ["blocks list", "notebooks inputs"] {
        let mut cmd = emu.cmd();
        cmd.args(what.split(' '))
            .args([SAMPLE_NOTEBOOK_ID, "-o", "json"]);
        let (status, out, err) = outcome(&mut cmd);
        assert_eq!(status, Some(0), "{what}: {err}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), json!([]));
        assert!(err.contains("original spec"), "{what}: {err}");
    }
}
