//! `projects export|import`, `sync pull|push` and `run FILE.deepnote` against the emulator.

mod common;

use common::{Emu, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID, json};
use std::path::Path;

const API: i32 = 1;
const USAGE: i32 = 2;
const REPORT: &str = "quarterly-report.deepnote";

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

fn replace_in(path: impl AsRef<Path>, from: &str, to: &str) {
    let text = read(&path);
    assert!(text.contains(from), "{text}");
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// The sample notebook's document as Deepnote has it now, through a fresh export.
fn remote_report(emu: &Emu) -> String {
    let dir = tempfile::tempdir().unwrap();
    emu.cmd()
        .args(["-q", "projects", "export", SAMPLE_PROJECT_ID])
        .arg(dir.path())
        .assert()
        .success();
    read(dir.path().join(REPORT))
}

fn remote_files(emu: &Emu) -> Vec<String> {
    let out = json(
        emu.cmd()
            .args(["projects", "export", SAMPLE_PROJECT_ID, "-o", "json"])
            .arg(tempfile::tempdir().unwrap().path()),
    );
    out["notebooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn projects_export_writes_the_files_and_import_sends_them_back() {
    let emu = Emu::start();
    let dir = emu.config.path().join("sales");
    let out = json(
        emu.cmd()
            .args(["projects", "export", SAMPLE_PROJECT_ID, "-o", "json"])
            .arg(&dir),
    );
    assert_eq!(out["notebooks"][0], REPORT, "{out}");
    assert_eq!(out["notebooks"].as_array().unwrap().len(), 2);
    replace_in(dir.join(REPORT), "Sales in {region}", "Imported {region}");
    let imported = json(
        emu.cmd()
            .args(["projects", "import", SAMPLE_PROJECT_ID, "-o", "json"])
            .arg(&dir),
    );
    assert_eq!(imported["projectId"], SAMPLE_PROJECT_ID);
    assert!(remote_report(&emu).contains("Imported {region}"));

    // The files still carry the old export's modifiedAt: a changed project is refused...
    replace_in(dir.join(REPORT), "Imported {region}", "Again {region}");
    let refused = emu
        .cmd()
        .args(["projects", "import", SAMPLE_PROJECT_ID])
        .arg(&dir)
        .assert()
        .code(API);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("--force"), "{stderr}");
    assert!(!remote_report(&emu).contains("Again"));
    // ...unless forced.
    emu.cmd()
        .args(["-q", "projects", "import", SAMPLE_PROJECT_ID, "--force"])
        .arg(&dir)
        .assert()
        .success();
    assert!(remote_report(&emu).contains("Again {region}"));

    // Deleting the notebooks the folder lacks needs --yes off a terminal.
    std::fs::remove_file(dir.join("scratch.deepnote")).unwrap();
    let args = [
        "projects",
        "import",
        SAMPLE_PROJECT_ID,
        "--force",
        "--delete-missing",
    ];
    emu.cmd().args(args).arg(&dir).assert().code(USAGE);
    assert_eq!(remote_files(&emu).len(), 2, "nothing deleted");
    emu.cmd()
        .args(args)
        .arg(&dir)
        .arg("--yes")
        .assert()
        .success();
    assert_eq!(remote_files(&emu), [REPORT]);

    emu.cmd()
        .args(["projects", "import", SAMPLE_PROJECT_ID])
        .arg(emu.config.path().join("missing"))
        .assert()
        .failure();
}

#[test]
fn sync_pull_and_push_with_dry_runs_and_conflicts() {
    let emu = Emu::start();
    let ws = emu.config.path().join("ws");

    let dry = json(
        emu.cmd()
            .args(["sync", "pull", "--dry-run", "-o", "json"])
            .arg(&ws),
    );
    assert_eq!(dry.as_array().unwrap().len(), 3, "{dry}");
    assert!(
        dry.as_array()
            .unwrap()
            .iter()
            .all(|p| p["action"] == "pull")
    );
    assert!(!ws.exists(), "a dry run writes nothing");

    let pulled = json(emu.cmd().args(["sync", "pull", "-o", "json"]).arg(&ws));
    assert_eq!(pulled.as_array().unwrap().len(), 3);
    let report = ws.join("Reports/Sales analysis").join(REPORT);
    assert_eq!(read(&report), remote_report(&emu));
    assert!(ws.join(".deepnote-sync.json").is_file());

    // DIR defaults to the current directory.
    let here = json(
        emu.cmd()
            .current_dir(&ws)
            .args(["sync", "pull", "--dry-run", "-o", "json"]),
    );
    assert!(
        here.as_array()
            .unwrap()
            .iter()
            .all(|p| p["action"] == "unchanged"),
        "{here}"
    );

    replace_in(&report, "Sales in {region}", "Pushed {region}");
    let plan = json(
        emu.cmd()
            .args(["sync", "push", "--dry-run", "-o", "json"])
            .arg(&ws),
    );
    let pushing: Vec<_> = plan
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["action"] == "push")
        .collect();
    assert_eq!(pushing.len(), 1, "{plan}");
    assert_eq!(pushing[0]["notebooks"][0]["fileName"], REPORT);
    assert_eq!(pushing[0]["notebooks"][0]["change"], "updated");
    assert!(
        !remote_report(&emu).contains("Pushed"),
        "a dry run sends nothing"
    );

    emu.cmd()
        .args(["-q", "sync", "push"])
        .arg(&ws)
        .assert()
        .success();
    assert!(remote_report(&emu).contains("Pushed {region}"));

    // Changed on both sides: refused with exit 1, both sides as they were.
    replace_in(&report, "Pushed {region}", "Local {region}");
    let other = emu.config.path().join("other");
    emu.cmd()
        .args(["-q", "projects", "export", SAMPLE_PROJECT_ID])
        .arg(&other)
        .assert()
        .success();
    replace_in(other.join(REPORT), "Pushed {region}", "Remote {region}");
    emu.cmd()
        .args(["-q", "projects", "import", SAMPLE_PROJECT_ID])
        .arg(&other)
        .assert()
        .success();
    let refused = emu.cmd().args(["sync", "push"]).arg(&ws).assert().code(API);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("Sales analysis") && stderr.contains("--on-conflict"),
        "{stderr}"
    );
    assert!(remote_report(&emu).contains("Remote {region}"));
    assert!(read(&report).contains("Local {region}"));
    emu.cmd().args(["sync", "pull"]).arg(&ws).assert().code(API);
    assert!(read(&report).contains("Local {region}"));

    emu.cmd()
        .args(["-q", "sync", "push", "--on-conflict", "local"])
        .arg(&ws)
        .assert()
        .success();
    let remote = remote_report(&emu);
    assert!(remote.contains("Local {region}") && !remote.contains("Remote"));

    // A push that deletes asks first: off a terminal, --yes or nothing.
    std::fs::remove_file(ws.join("Reports/Sales analysis/scratch.deepnote")).unwrap();
    emu.cmd()
        .args(["sync", "push", "--delete-missing"])
        .arg(&ws)
        .assert()
        .code(USAGE);
    assert_eq!(remote_files(&emu).len(), 2);
    let dry = json(
        emu.cmd()
            .args([
                "sync",
                "push",
                "--delete-missing",
                "--dry-run",
                "-o",
                "json",
            ])
            .arg(&ws),
    );
    assert!(dry.to_string().contains("\"deleted\""), "{dry}");
    emu.cmd()
        .args(["-q", "sync", "push", "--delete-missing", "--yes"])
        .arg(&ws)
        .assert()
        .success();
    assert_eq!(remote_files(&emu), [REPORT]);

    emu.cmd()
        .args(["sync", "pull", "--on-conflict", "sideways"])
        .arg(&ws)
        .assert()
        .code(USAGE);
}

#[test]
fn run_takes_a_deepnote_file_and_pushes_it_first_when_asked() {
    let emu = Emu::start();
    let dir = emu.config.path().join("sales");
    emu.cmd()
        .args(["-q", "projects", "export", SAMPLE_PROJECT_ID])
        .arg(&dir)
        .assert()
        .success();
    let file = dir.join(REPORT);
    let run = json(
        emu.cmd()
            .args(["run", "--no-snapshot", "-i", "region=EMEA", "-o", "json"])
            .arg(&file),
    );
    assert_eq!(run["notebookId"], SAMPLE_NOTEBOOK_ID, "{run}");
    assert_eq!(run["status"], "success");

    // --push sends the file first; without it the file's edit stays local.
    replace_in(&file, "Sales in {region}", "Run-pushed {region}");
    json(
        emu.cmd()
            .args(["run", "--no-snapshot", "-o", "json"])
            .arg(&file),
    );
    assert!(!remote_report(&emu).contains("Run-pushed"));
    let run = json(
        emu.cmd()
            .args(["run", "--push", "--no-snapshot", "-o", "json"])
            .arg(&file),
    );
    assert_eq!(run["notebookId"], SAMPLE_NOTEBOOK_ID);
    assert!(remote_report(&emu).contains("Run-pushed {region}"));

    // A file with several notebooks needs --notebook.
    let several = emu.config.path().join("two.deepnote");
    std::fs::write(
        &several,
        format!(
            "version: 1.0.0\nproject:\n  id: {SAMPLE_PROJECT_ID}\n  name: Sales analysis\n  \
             notebooks:\n    - id: {SAMPLE_NOTEBOOK_ID}\n      name: Quarterly report\n      \
             blocks: []\n    - id: 00000000-5a3e-4000-8000-000000000202\n      name: Scratch\n      \
             blocks: []\n"
        ),
    )
    .unwrap();
    let picked = emu
        .cmd()
        .args(["run", "--no-snapshot", "-o", "json"])
        .arg(&several)
        .assert()
        .code(USAGE);
    let stderr = String::from_utf8_lossy(&picked.get_output().stderr).into_owned();
    assert!(
        stderr.contains("--notebook") && stderr.contains("Scratch"),
        "{stderr}"
    );
    let run = json(
        emu.cmd()
            .args([
                "run",
                "--no-snapshot",
                "--notebook",
                "Scratch",
                "-o",
                "json",
            ])
            .arg(&several),
    );
    assert_eq!(run["notebookId"], "00000000-5a3e-4000-8000-000000000202");

    emu.cmd()
        .args(["run", SAMPLE_NOTEBOOK_ID, "--notebook", "Scratch"])
        .assert()
        .code(USAGE);
}
