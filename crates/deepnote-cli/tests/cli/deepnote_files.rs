//! Deepnote's own `.deepnote` files go in and run, and local files stay local: `run FILE
//! --push` creates a project the workspace lacks (as Deepnote's CLI does), records its ids in
//! the file so the next push goes there, `--notebook` picks one of several, `run FILE` says
//! when the file differs from Deepnote's copy, a path that is not there or does not parse is
//! exit 2 before anything is sent, and two runs in one second keep both snapshots. The files
//! are Deepnote's public examples (`../shared/deepnote-files/`, Apache-2.0), copied into a
//! scratch folder before any run (a push records ids in the file it was given).

use crate::common;

use common::*;
use deepnote_emulator::{Behaviour, Outcome};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const USAGE: i32 = 2;

/// Deepnote's example files: the project files, at the top and in the subfolders that hold
/// them. Snapshots (`*.snapshot.deepnote`, and `snapshots/`) are records of a run, not a
/// project to push: they are left out.
fn deepnote_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/deepnote-files");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("mcp-demos")] {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".deepnote") && !name.ends_with(".snapshot.deepnote") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn yaml(path: &Path) -> Value {
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Each notebook of a document as (name, [(type, content)]) in sorting-key order.
fn notebooks(doc: &Value) -> Vec<(String, Vec<(String, String)>)> {
    doc["project"]["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let mut blocks: Vec<&Value> = n["blocks"].as_array().unwrap().iter().collect();
            blocks.sort_by_key(|b| text(&b["sortingKey"]));
            let blocks = blocks
                .into_iter()
                .map(|b| (text(&b["type"]), text(&b["content"])))
                .collect();
            (text(&n["name"]), blocks)
        })
        .collect()
}

fn copy_into(dir: &Path, file: &Path) -> PathBuf {
    let copy = dir.join(file.file_name().unwrap());
    std::fs::copy(file, &copy).unwrap();
    copy
}

fn project_count(emu: &Emu) -> usize {
    json(emu.cmd().args(["projects", "list", "-o", "json"]))
        .as_array()
        .unwrap()
        .len()
}

/// Every one of Deepnote's example project files is created in the workspace by `run FILE
/// --push`, runs to success, and exports back with the same notebooks and blocks; a second
/// push goes to the same project.
#[test]
fn every_deepnote_example_file_is_created_run_and_pulled_back() {
    let emu = Emu::start();
    let files = deepnote_files();
    assert!(files.len() >= 16, "{files:?}");
    for file in files {
        let name = file.display().to_string();
        let dir = tempfile::tempdir().unwrap();
        let copy = copy_into(dir.path(), &file);
        let source = yaml(&file);
        let wanted = notebooks(&source);
        let before = project_count(&emu);
        let mut run = emu.cmd();
        run.current_dir(dir.path())
            .args(["run", copy.to_str().unwrap(), "--push", "-o", "json"]);
        if wanted.len() > 1 {
            run.args(["--notebook", &wanted[wanted.len() - 1].0]);
        }
        let out = run.output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let result: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(result["status"], "success", "{name}: {result}");
        assert_eq!(
            project_count(&emu),
            before + 1,
            "{name}: one project created"
        );

        // The file now names the new project and its notebooks; nothing else changed.
        let recorded = yaml(&copy);
        let project = text(&recorded["project"]["id"]);
        assert_ne!(project, text(&source["project"]["id"]), "{name}");
        assert_eq!(
            notebooks(&recorded),
            wanted,
            "{name}: the file's content is kept"
        );
        let ran = text(&result["notebookId"]);
        assert_eq!(
            text(&recorded["project"]["notebooks"][wanted.len() - 1]["id"]),
            ran,
            "{name}: the notebook run is the one --notebook named"
        );

        // Pulled back: one file per notebook, every block as the file had it, and no
        // placeholder notebook left over.
        let pulled = dir.path().join("pulled");
        emu.cmd()
            .args([
                "-q",
                "projects",
                "export",
                &project,
                pulled.to_str().unwrap(),
            ])
            .assert()
            .success();
        let mut got: Vec<(String, Vec<(String, String)>)> = std::fs::read_dir(&pulled)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "deepnote"))
            .flat_map(|p| notebooks(&yaml(&p)))
            .collect();
        got.sort();
        let mut want = wanted.clone();
        want.sort();
        assert_eq!(got, want, "{name}: pulled back as pushed");

        // The next push goes to the same project, through the import.
        let again = emu
            .cmd()
            .current_dir(dir.path())
            .args(["run", copy.to_str().unwrap(), "--push", "--no-wait"])
            .args(if wanted.len() > 1 {
                vec!["--notebook".to_string(), wanted[0].0.clone()]
            } else {
                vec![]
            })
            .output()
            .unwrap();
        assert!(
            again.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert!(
            String::from_utf8_lossy(&again.stderr).contains(&format!("to project {project}")),
            "{name}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_eq!(project_count(&emu), before + 1, "{name}: no second project");
    }
}

/// A file whose ids are not UUIDs and whose project the workspace lacks: the project is
/// created with the file's notebooks only (the placeholder Deepnote creates with a project is
/// removed), the file records the new ids, and the second push overwrites that notebook.
#[test]
fn run_file_push_creates_the_missing_project_and_records_its_ids() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let file = deepnote_files()
        .into_iter()
        .find(|f| f.ends_with("4_inline_outputs.deepnote"))
        .unwrap();
    let copy = copy_into(dir.path(), &file);
    let original = std::fs::read_to_string(&copy).unwrap();
    let before = project_count(&emu);
    let out = emu
        .cmd()
        .current_dir(dir.path())
        .args(["run", copy.to_str().unwrap(), "--push", "--no-snapshot"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("created project"), "{stderr}");
    let recorded = std::fs::read_to_string(&copy).unwrap();
    let doc: Value = serde_saphyr::from_str(&recorded).unwrap();
    let project = text(&doc["project"]["id"]);
    let notebook = text(&doc["project"]["notebooks"][0]["id"]);
    assert_ne!(notebook, "inline-notebook-001");
    // Only ids Deepnote gave (the project's, the notebook's, each block's and the references
    // to them) and the base the next push compares with (`modifiedAt`) changed: every other
    // line, each block's content among them, is as it was.
    assert_eq!(original.lines().count(), recorded.lines().count());
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(recorded.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(changed.contains(&("  id: inline-outputs-example", &*format!("  id: {project}"))));
    assert!(changed.contains(&(
        "      id: inline-notebook-001",
        &*format!("      id: {notebook}")
    )));
    let blocks = [
        "intro-block-id",
        "print-block-id",
        "calc-block-id",
        "greeting-block-id",
    ];
    for (old, new) in &changed {
        let key = |line: &str| {
            line.trim_start()
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(key(old), key(new), "{old} -> {new}");
        match key(old).as_str() {
            "modifiedAt" => {}
            "id" => {
                let old_id = old.trim_start().trim_start_matches("id:").trim();
                assert!(
                    ["inline-outputs-example", "inline-notebook-001"].contains(&old_id)
                        || blocks.contains(&old_id),
                    "{old} -> {new}"
                );
            }
            _ => panic!("a line other than an id or the base changed: {old} -> {new}"),
        }
    }
    // Outputs keep the metadata they were saved with (`cellId`, `__deepnoteBlockId`).
    for block in blocks {
        let line = format!("id: {block}");
        assert!(
            !recorded.lines().any(|l| l.trim() == line),
            "{block} was not replaced by Deepnote's id"
        );
    }
    let got = json(emu.cmd().args(["projects", "get", &project, "-o", "json"]));
    let names: Vec<&str> = got["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Inline Outputs"], "{got}");
    let blocks = emu.emulator().notebook_record(&notebook).unwrap().blocks;
    assert_eq!(blocks.len(), 4);
    assert_eq!(blocks[1].content, "print(\"Hello from inline outputs!\")");

    // An edit pushed again lands in the same notebook.
    std::fs::write(
        &copy,
        recorded.replace("print(\"Hello from inline outputs!\")", "print(\"edited\")"),
    )
    .unwrap();
    emu.cmd()
        .current_dir(dir.path())
        .args(["run", copy.to_str().unwrap(), "--push", "--no-wait"])
        .assert()
        .success();
    let blocks = emu.emulator().notebook_record(&notebook).unwrap().blocks;
    assert!(blocks.iter().any(|b| b.content == "print(\"edited\")"));
    assert_eq!(
        project_count(&emu),
        before + 1,
        "one project created, none by the push"
    );
}

/// `--notebook NAME` picks one notebook of a multi-notebook file; without it, or with a name
/// the file lacks, exit 2 lists the names and nothing is sent.
#[test]
fn run_file_with_several_notebooks_picks_one_by_name() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let file = deepnote_files()
        .into_iter()
        .find(|f| f.ends_with("2_blocks.deepnote"))
        .unwrap();
    let copy = copy_into(dir.path(), &file);
    let path = copy.to_str().unwrap();
    for extra in [vec![], vec!["--notebook", "3. Nope"]] {
        emu.emulator().clear_journal();
        emu.cmd()
            .current_dir(dir.path())
            .args(["run", path, "--push"])
            .args(&extra)
            .assert()
            .code(USAGE)
            .stderr(
                predicate::str::contains("\"1. Text blocks\"")
                    .and(predicate::str::contains("\"2. Input blocks\"")),
            );
        assert!(emu.emulator().journal().is_empty(), "nothing is sent");
    }
    let run = json(emu.cmd().current_dir(dir.path()).args([
        "run",
        path,
        "--push",
        "--notebook",
        "2. Input blocks",
        "-o",
        "json",
    ]));
    assert_eq!(run["status"], "success");
    let doc = yaml(&copy);
    assert_eq!(
        run["notebookId"].as_str().unwrap(),
        text(&doc["project"]["notebooks"][1]["id"])
    );
    let record = emu
        .emulator()
        .notebook_record(run["notebookId"].as_str().unwrap())
        .unwrap();
    assert_eq!(record.name, "2. Input blocks");
    assert_eq!(record.blocks.len(), 14);
}

/// `projects import` takes a document with several notebooks (sent as one document per
/// notebook, as Deepnote's import contract wants them).
#[test]
fn projects_import_takes_a_multi_notebook_document() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let file = deepnote_files()
        .into_iter()
        .find(|f| f.ends_with("2_blocks.deepnote"))
        .unwrap();
    let copy = copy_into(dir.path(), &file);
    let project = text(
        &json(
            emu.cmd()
                .args(["projects", "create", "Blocks", "-o", "json"]),
        )["id"],
    );
    let text_in = std::fs::read_to_string(&copy).unwrap().replace(
        "id: d025b1dd-0ea7-49e8-8229-b571dd98d430",
        &format!("id: {project}"),
    );
    std::fs::write(&copy, text_in).unwrap();
    // --force: the file was not exported from this project, so its modifiedAt is no base.
    emu.cmd()
        .args(["projects", "import", &project, dir.path().to_str().unwrap()])
        .arg("--force")
        .assert()
        .success();
    let got = json(emu.cmd().args(["projects", "get", &project, "-o", "json"]));
    let mut names: Vec<&str> = got["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert!(
        names.contains(&"1. Text blocks") && names.contains(&"2. Input blocks"),
        "{got}"
    );
    // The notebooks keep the file's ids, and run.
    emu.cmd()
        .args([
            "run",
            "921d82a6-7cb1-4fc6-a061-810ce23f803d",
            "--no-snapshot",
        ])
        .assert()
        .success();
}

/// `run FILE` without `--push` runs Deepnote's copy, and says so when the file differs.
#[test]
fn run_file_without_push_says_when_the_file_differs_from_deepnotes_copy() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    emu.cmd()
        .args(["-q", "projects", "export", SAMPLE_PROJECT_ID])
        .arg(dir.path())
        .assert()
        .success();
    let file = dir.path().join("quarterly-report.deepnote");
    let path = file.to_str().unwrap();
    emu.cmd()
        .current_dir(dir.path())
        .args(["run", path, "--no-snapshot"])
        .assert()
        .success()
        .stderr(predicate::str::contains("differs").not());
    let original = std::fs::read_to_string(&file).unwrap();
    let edited = original.replace("# Quarterly report", "# Quarterly report, edited locally");
    assert_ne!(edited, original);
    std::fs::write(&file, &edited).unwrap();
    emu.cmd()
        .current_dir(dir.path())
        .args(["run", path, "--no-snapshot"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("quarterly-report.deepnote differs from Deepnote's copy")
                .and(predicate::str::contains("--push")),
        );
}

/// An argument that looks like a path and is not there is exit 2 naming it, and nothing is
/// sent; a `.deepnote` file that does not parse is exit 2 with its line and column.
#[test]
fn local_files_are_local() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    for missing in [
        "./reports/missng.deepnote",
        "reports/daily",
        "missing.deepnote",
    ] {
        emu.emulator().clear_journal();
        emu.cmd()
            .current_dir(dir.path())
            .args(["run", missing])
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains(format!("{missing}: no such file")));
        assert!(
            emu.emulator().journal().is_empty(),
            "{missing}: nothing is sent"
        );
    }
    // The other commands that take a notebook take its id: a path is never sent as one.
    std::fs::write(dir.path().join("here.deepnote"), "project: {}\n").unwrap();
    for (args, says) in [
        (
            vec!["notebooks", "get", "./reports/missng.deepnote"],
            "no such file",
        ),
        (vec!["blocks", "list", "reports/daily"], "no such file"),
        (
            vec!["notebooks", "inputs", "here.deepnote"],
            "is a local file",
        ),
        (
            vec!["schedules", "set", "./here.deepnote", "--cron", "0 9 * * *"],
            "is a local file",
        ),
    ] {
        emu.emulator().clear_journal();
        emu.cmd()
            .current_dir(dir.path())
            .args(&args)
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains(says));
        assert!(
            emu.emulator().journal().is_empty(),
            "{args:?}: nothing is sent"
        );
    }
    let bad = dir.path().join("bad.deepnote");
    std::fs::write(&bad, "project:\n  id: x\n  notebooks: [\n    - id: a\n").unwrap();
    emu.emulator().clear_journal();
    emu.cmd()
        .current_dir(dir.path())
        .args(["run", "bad.deepnote", "--push"])
        .assert()
        .code(USAGE)
        .stderr(
            predicate::str::is_match(r"bad\.deepnote:\d+:\d+: not a valid \.deepnote file")
                .unwrap()
                .and(predicate::str::contains("cannot decode the answer").not()),
        );
    assert!(emu.emulator().journal().is_empty(), "nothing is sent");
}

/// Two runs of one notebook that end in the same second keep two snapshots.
#[test]
fn two_runs_ending_in_the_same_second_save_two_snapshots() {
    let emu = Emu::start();
    emu.emulator().set_behaviour(
        SAMPLE_NOTEBOOK_ID,
        Behaviour {
            duration: Duration::ZERO,
            outcome: Outcome::Success,
            ..Behaviour::default()
        },
    );
    emu.emulator().freeze_clock(true);
    let dir = tempfile::tempdir().unwrap();
    emu.cmd()
        .current_dir(dir.path())
        .args(["run", SAMPLE_NOTEBOOK_ID, SAMPLE_NOTEBOOK_ID])
        .assert()
        .success();
    let mut stamped: Vec<String> = std::fs::read_dir(dir.path().join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains("_latest.") && n.ends_with(".snapshot.deepnote"))
        .collect();
    stamped.sort();
    assert_eq!(stamped.len(), 2, "{stamped:?}");
}
