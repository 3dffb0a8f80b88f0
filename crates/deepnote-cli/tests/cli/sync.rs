//! `projects export|import`, `sync pull|push` and `run FILE.deepnote` against the emulator.

use crate::common;

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

/// A block's content changed in Deepnote, through the API (`deepnote blocks update`).
fn edit_in_deepnote(emu: &Emu, block: &str, content: &str) {
    emu.cmd()
        .args(["-q", "blocks", "update", block, "--content", content])
        .assert()
        .success();
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

    // The import moved the files' base to what it sent: the next edit of the same files goes
    // through, as nothing else changed in Deepnote...
    replace_in(dir.join(REPORT), "Imported {region}", "Again {region}");
    emu.cmd()
        .args(["-q", "projects", "import", SAMPLE_PROJECT_ID])
        .arg(&dir)
        .assert()
        .success();
    assert!(remote_report(&emu).contains("Again {region}"));
    // ...but a block edited in Deepnote since is named, and nothing is sent...
    edit_in_deepnote(&emu, "b-intro", "# Edited in Deepnote");
    replace_in(dir.join(REPORT), "Again {region}", "Third {region}");
    let refused = emu
        .cmd()
        .args(["projects", "import", SAMPLE_PROJECT_ID])
        .arg(&dir)
        .assert()
        .code(API);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("block b-intro") && stderr.contains("--yes"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("b-plot"),
        "the local edit is not Deepnote's: {stderr}"
    );
    let remote = remote_report(&emu);
    assert!(remote.contains("# Edited in Deepnote") && remote.contains("Again {region}"));
    assert!(read(dir.join(REPORT)).contains("Third {region}"));
    // ...unless --yes (or --force, which skips the check).
    emu.cmd()
        .args(["-q", "projects", "import", SAMPLE_PROJECT_ID, "--yes"])
        .arg(&dir)
        .assert()
        .success();
    let remote = remote_report(&emu);
    assert!(remote.contains("Third {region}") && !remote.contains("# Edited in Deepnote"));
    replace_in(dir.join(REPORT), "Third {region}", "Again {region}");
    edit_in_deepnote(&emu, "b-intro", "# Edited in Deepnote again");
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

/// Another team's notebook, as Deepnote publishes it (`../shared/deepnote-files`, Apache-2.0),
/// copied byte for byte into a test's folder.
fn other_teams_file() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/deepnote-files/1_hello_world.deepnote");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn export_into_a_folder_removes_only_the_projects_own_files() {
    let emu = Emu::start();
    let repo = emu.config.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let theirs = other_teams_file();
    std::fs::write(repo.join("hello-world.deepnote"), &theirs).unwrap();
    std::fs::write(repo.join("README.md"), "# Our notebooks\n").unwrap();
    std::fs::write(repo.join("draft.deepnote"), "{ half-written").unwrap();
    // A notebook of this project, exported before under a name the project no longer uses.
    let renamed = format!("project:\n  id: {SAMPLE_PROJECT_ID}\n  name: Sales analysis\n");
    std::fs::write(repo.join("old-name.deepnote"), &renamed).unwrap();
    // Another, whose block was edited here since: local work, kept.
    let edited = format!(
        "{renamed}  notebooks:\n    - id: gone\n      name: Gone\n      blocks:\n        - id: b1\n          \
         content: print('edited here')\n          contentHash: sha256:00\n"
    );
    std::fs::write(repo.join("edited-here.deepnote"), &edited).unwrap();

    let out = emu
        .cmd()
        .args(["projects", "export", SAMPLE_PROJECT_ID, "-o", "json"])
        .arg(&repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["kept"],
        serde_json::json!(["draft.deepnote", "hello-world.deepnote"]),
        "{json}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("kept, not this project's: draft.deepnote, hello-world.deepnote"),
        "{stderr}"
    );
    assert_eq!(
        json["keptEdited"],
        serde_json::json!(["edited-here.deepnote"])
    );
    assert_eq!(read(repo.join("edited-here.deepnote")), edited);
    assert_eq!(
        names_in(&repo),
        [
            "README.md",
            "draft.deepnote",
            "edited-here.deepnote",
            "hello-world.deepnote",
            REPORT,
            "scratch.deepnote"
        ],
        "the project's stale file went, nothing else"
    );
    assert_eq!(
        std::fs::read(repo.join("hello-world.deepnote")).unwrap(),
        theirs
    );
    assert_eq!(read(repo.join("README.md")), "# Our notebooks\n");

    // Another project's file under one of the project's file names is never overwritten:
    // the export stops before writing anything.
    let clash = emu.config.path().join("clash");
    std::fs::create_dir_all(&clash).unwrap();
    std::fs::write(clash.join(REPORT), &theirs).unwrap();
    let refused = emu
        .cmd()
        .args(["projects", "export", SAMPLE_PROJECT_ID])
        .arg(&clash)
        .assert()
        .code(USAGE);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains(REPORT), "{stderr}");
    assert_eq!(names_in(&clash), [REPORT]);
    assert_eq!(std::fs::read(clash.join(REPORT)).unwrap(), theirs);
}

#[test]
fn run_push_refuses_to_overwrite_blocks_edited_in_deepnote() {
    let emu = Emu::start();
    let dir = emu.config.path().join("sales");
    emu.cmd()
        .args(["-q", "projects", "export", SAMPLE_PROJECT_ID])
        .arg(&dir)
        .assert()
        .success();
    let file = dir.join(REPORT);
    let push = |emu: &Emu, extra: &[&str]| {
        let mut cmd = emu.cmd();
        cmd.args(["run", "--push", "--no-snapshot", "-o", "json"])
            .args(extra)
            .arg(&file);
        cmd
    };
    // Twice in a row: a block edited in Deepnote, the file edited locally.
    for round in ["first", "second"] {
        edit_in_deepnote(&emu, "b-intro", &format!("# {round} edit in Deepnote"));
        replace_in(&file, "df.plot(", &format!("df.plot({round}=1, "));
        let before = read(&file);
        let refused = push(&emu, &[]).assert().code(API);
        let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
        assert!(
            stderr.contains("block b-intro") && stderr.contains("Quarterly report"),
            "{round}: {stderr}"
        );
        assert!(!stderr.contains("b-plot"), "{round}: {stderr}");
        assert!(
            refused.get_output().stdout.is_empty(),
            "nothing ran: {refused:?}"
        );
        let remote = remote_report(&emu);
        assert!(
            remote.contains(&format!("# {round} edit in Deepnote")),
            "{remote}"
        );
        assert!(!remote.contains(&format!("{round}=1")), "nothing sent");
        assert_eq!(read(&file), before, "the file is as it was");
        // --yes: the file wins, and runs.
        let run = json(&mut push(&emu, &["--yes"]));
        assert_eq!(run["status"], "success", "{run}");
        let remote = remote_report(&emu);
        assert!(remote.contains(&format!("{round}=1")) && !remote.contains("edit in Deepnote"));
    }
    // Nothing changed in Deepnote since the last push: the next local edit goes without --yes
    // (the file's base moved to what it pushed).
    replace_in(&file, "df.plot(", "df.plot(third=1, ");
    json(&mut push(&emu, &[]));
    assert!(remote_report(&emu).contains("third=1"));
}

#[test]
fn sync_push_reports_each_project_and_names_the_files_it_cannot_send() {
    let emu = Emu::start();
    let ws = emu.config.path().join("ws");
    emu.cmd()
        .args(["-q", "sync", "pull"])
        .arg(&ws)
        .assert()
        .success();
    let sales = ws.join("Reports/Sales analysis");
    replace_in(sales.join(REPORT), "Sales in {region}", "Pushed {region}");
    replace_in(
        sales.join("scratch.deepnote"),
        "name: Sales analysis",
        "name: Sales analysis v2",
    );
    let churn = ws.join("Churn model");
    let training = churn.join("training.deepnote");
    replace_in(&training, "model.fit(X, y)", "model.fit(X, y, epochs=3)");

    let out = emu.cmd().args(["sync", "push"]).arg(&ws).output().unwrap();
    assert_eq!(out.status.code(), Some(API), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("✓ \"Churn model\" (Churn model): pushed (training.deepnote updated)"),
        "{stderr}"
    );
    let failed = stderr
        .lines()
        .find(|l| l.starts_with("✗ \"Sales analysis\""))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        failed.contains("quarterly-report.deepnote says \"Sales analysis\"")
            && failed.contains("scratch.deepnote says \"Sales analysis v2\""),
        "{failed}"
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let action = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["action"].clone())
    };
    assert_eq!(action("Churn model"), Some("push".into()), "{rows}");
    assert_eq!(action("Sales analysis"), Some("failed".into()), "{rows}");
    assert!(
        !remote_report(&emu).contains("Pushed"),
        "the refused project is untouched"
    );
    assert!(read(sales.join(REPORT)).contains("Pushed {region}"));
}

/// A data team's day in a git repository: a pull next to another team's notebook and a README,
/// a block edited in Deepnote and another locally, a push refused naming the block, a push
/// with --yes, an export into the repository's root; no file and no edit lost on the way.
#[test]
fn a_data_teams_day_in_a_git_folder_loses_nothing() {
    let emu = Emu::start();
    let repo = emu.config.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let theirs = other_teams_file();
    std::fs::write(repo.join("hello-world.deepnote"), &theirs).unwrap();
    std::fs::write(repo.join("README.md"), "# Notebooks\n").unwrap();
    let untouched = |repo: &Path| {
        assert_eq!(
            std::fs::read(repo.join("hello-world.deepnote")).unwrap(),
            theirs
        );
        assert_eq!(read(repo.join("README.md")), "# Notebooks\n");
        assert!(repo.join(".git").is_dir());
    };

    // Morning: pull the workspace.
    emu.cmd()
        .args(["-q", "sync", "pull"])
        .arg(&repo)
        .assert()
        .success();
    untouched(&repo);
    let report = repo.join("Reports/Sales analysis").join(REPORT);
    assert_eq!(read(&report), remote_report(&emu));

    // A colleague edits the title in Deepnote; here the plot is edited.
    edit_in_deepnote(&emu, "b-intro", "# Q4 report (reviewed)");
    replace_in(&report, "Sales in {region}", "Q4 sales in {region}");

    // The push is refused, naming the block edited in Deepnote; nothing is overwritten.
    let out = emu
        .cmd()
        .args(["sync", "push"])
        .arg(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(API), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("block b-intro of notebook \"Quarterly report\"")
            && stderr.contains("--yes"),
        "{stderr}"
    );
    assert!(!stderr.contains("block b-plot"), "{stderr}");
    let remote = remote_report(&emu);
    assert!(remote.contains("# Q4 report (reviewed)") && !remote.contains("Q4 sales"));
    let local = read(&report);
    assert!(local.contains("Q4 sales in {region}") && !local.contains("(reviewed)"));
    untouched(&repo);

    // The team decides the local version wins.
    emu.cmd()
        .args(["-q", "sync", "push", "--yes"])
        .arg(&repo)
        .assert()
        .success();
    let remote = remote_report(&emu);
    assert!(remote.contains("Q4 sales in {region}") && !remote.contains("(reviewed)"));
    assert_eq!(
        read(&report),
        remote,
        "the folder holds what Deepnote holds"
    );
    untouched(&repo);

    // Evening: a one-off export into the repository's root.
    let out = json(
        emu.cmd()
            .args(["projects", "export", SAMPLE_PROJECT_ID, "-o", "json"])
            .arg(&repo),
    );
    assert_eq!(
        out["kept"],
        serde_json::json!(["hello-world.deepnote"]),
        "{out}"
    );
    untouched(&repo);
    assert_eq!(read(repo.join(REPORT)), remote_report(&emu));
    assert!(read(&report).contains("Q4 sales in {region}"));
    assert!(repo.join(".deepnote-sync.json").is_file());

    // And the next pull still finds everything in place.
    emu.cmd()
        .args(["-q", "sync", "pull"])
        .arg(&repo)
        .assert()
        .success();
    untouched(&repo);
    assert!(read(&report).contains("Q4 sales in {region}"));
    assert!(read(repo.join(REPORT)).contains("Q4 sales in {region}"));
}
