//! `deepnote publish`, `deepnote apps`, and Deepnote's spellings `static-site access` and
//! `streamlit publish`, as a data team uses them against the emulator: which files the
//! project has afterwards, what a pipeline reads from stdout, the exit codes.

use crate::common;

use common::*;
use serde_json::Value;
use std::path::Path;

const USAGE: i32 = 2;
const TIMEOUT: i32 = 6;

fn write(dir: &Path, path: &str, text: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn remote_files(emu: &Emu) -> Vec<String> {
    let project = json(
        emu.cmd()
            .args(["-o", "json", "projects", "get", SAMPLE_PROJECT_ID]),
    );
    let mut paths: Vec<String> = project["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths
}

/// Put `text` into the sample project at `remote`, as a user would: `deepnote files upload`.
fn upload(emu: &Emu, text: &str, remote: &str) {
    let local = deepnote_test_support::scratch::dir("cli-app").join("app.py");
    std::fs::write(&local, text).unwrap();
    json(emu.cmd().args([
        "-o",
        "json",
        "files",
        "upload",
        SAMPLE_PROJECT_ID,
        local.to_str().unwrap(),
        remote,
    ]));
}

fn patches(emu: &Emu) -> usize {
    emu.emulator()
        .journal()
        .iter()
        .filter(|e| e.method == "PATCH")
        .count()
}

#[test]
fn a_site_is_published_then_pruned_after_a_dry_run_that_changes_nothing() {
    let emu = Emu::start();
    let site = deepnote_test_support::scratch::dir("cli-publish");
    write(&site, "index.html", "<h1>v1</h1>");
    write(&site, "old.txt", "old");
    let dir = site.to_str().unwrap();

    let report = json(
        emu.cmd()
            .args(["-o", "json", "publish", dir, SAMPLE_PROJECT_ID]),
    );
    assert_eq!(report["uploaded"].as_array().unwrap().len(), 2, "{report}");
    let url = report["url"].as_str().expect("a pipeline reads the URL");
    assert!(url.starts_with("http"), "{url}");
    assert_eq!(report["staticFiles"]["sharingEnabled"], true, "{report}");
    assert_eq!(
        remote_files(&emu),
        ["_deepnote_static/index.html", "_deepnote_static/old.txt"]
    );

    std::fs::remove_file(site.join("old.txt")).unwrap();
    // Deepnote's spelling of the project, and a dry run: the plan, nothing changed.
    let plan = json(emu.cmd().args([
        "-o",
        "json",
        "publish",
        dir,
        "--project-id",
        SAMPLE_PROJECT_ID,
        "--prune",
        "--dry-run",
    ]));
    assert_eq!(
        plan["removals"],
        serde_json::json!(["_deepnote_static/old.txt"])
    );
    assert_eq!(plan["uploads"][0]["replaces"], true);
    assert_eq!(remote_files(&emu).len(), 2, "a dry run changes nothing");

    // The table a person reads names each file and what became of it.
    emu.emulator().clear_journal();
    let (code, stdout, stderr) =
        outcome(
            emu.cmd()
                .args(["publish", dir, SAMPLE_PROJECT_ID, "--prune"]),
        );
    assert_eq!(code, Some(0), "{stderr}");
    let reads = emu
        .emulator()
        .journal()
        .iter()
        .filter(|e| e.method == "GET" && e.path.starts_with("/v2/projects/"))
        .count();
    assert_eq!(reads, 1, "the plan that sized the bar is the one applied");
    assert!(
        stdout.contains("replace") && stdout.contains("remove"),
        "{stdout}"
    );
    assert!(stdout.contains("_deepnote_static/old.txt"), "{stdout}");
    assert!(stderr.contains("served at"), "{stderr}");
    assert_eq!(remote_files(&emu), ["_deepnote_static/index.html"]);
}

#[test]
fn a_folder_holding_an_env_file_is_refused_as_usage_before_anything_is_sent() {
    let emu = Emu::start();
    let site = deepnote_test_support::scratch::dir("cli-publish-env");
    write(&site, "index.html", "x");
    write(&site, ".env", "DEEPNOTE_API_KEY=secret");
    let before = emu.emulator().journal().len();
    let (code, _, stderr) =
        outcome(
            emu.cmd()
                .args(["publish", site.to_str().unwrap(), SAMPLE_PROJECT_ID]),
        );
    assert_eq!(code, Some(USAGE), "{stderr}");
    assert!(stderr.contains(".env"), "{stderr}");
    assert_eq!(emu.emulator().journal().len(), before);
}

#[test]
fn static_site_access_is_changed_and_api_access_without_sharing_is_refused_unsent() {
    let emu = Emu::start();
    let project = json(emu.cmd().args([
        "-o",
        "json",
        "static-site",
        "access",
        "--project-id",
        SAMPLE_PROJECT_ID,
        "--sharing",
        "enabled",
        "--api-access",
        "enabled",
    ]));
    assert_eq!(
        project["staticFiles"]["apiAccessEnabled"], true,
        "{project}"
    );
    let read = json(
        emu.cmd()
            .args(["-o", "json", "projects", "get", SAMPLE_PROJECT_ID]),
    );
    assert_eq!(read["staticFiles"]["sharingEnabled"], true, "{read}");

    let before = patches(&emu);
    let (code, _, stderr) = outcome(emu.cmd().args([
        "projects",
        "update",
        SAMPLE_PROJECT_ID,
        "--sharing",
        "disabled",
        "--api-access",
        "enabled",
    ]));
    assert_eq!(code, Some(USAGE), "{stderr}");
    assert!(stderr.contains("API access needs sharing"), "{stderr}");
    assert_eq!(patches(&emu), before, "nothing was sent");
}

#[test]
fn streamlit_publish_waits_until_the_app_runs_and_a_second_publish_finds_it() {
    let emu = Emu::start();
    upload(&emu, "import streamlit as st\n", "apps/app.py");

    let (code, stdout, stderr) = outcome(emu.cmd().args([
        "-o",
        "json",
        "streamlit",
        "publish",
        "apps/app.py",
        "--project-id",
        SAMPLE_PROJECT_ID,
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    let published: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(published["created"], true, "{published}");
    assert!(
        stderr.contains("restarts"),
        "the machine restart is said: {stderr}"
    );
    assert!(stderr.contains("running"), "{stderr}");
    let id = published["app"]["id"].as_str().unwrap().to_string();

    let status = json(emu.cmd().args(["-o", "json", "apps", "status", &id]));
    assert_eq!(status["status"], "running");
    let (_, table, _) = outcome(emu.cmd().args(["apps", "list", SAMPLE_PROJECT_ID]));
    assert!(
        table.contains("apps/app.py") && table.contains(&id),
        "{table}"
    );

    let again = json(emu.cmd().args([
        "-o",
        "json",
        "apps",
        "create",
        SAMPLE_PROJECT_ID,
        "apps/app.py",
        "--no-wait",
    ]));
    assert_eq!(again["created"], false, "{again}");
    assert_eq!(again["app"]["id"], id.as_str());
}

#[test]
fn an_app_that_does_not_start_in_time_exits_6_naming_it() {
    let emu = Emu::start();
    upload(&emu, "", "app.py");
    // The emulator's apps take 2 s to start; the wait gives up after 1.
    let (code, stdout, stderr) = outcome(emu.cmd().args([
        "-o",
        "json",
        "apps",
        "create",
        SAMPLE_PROJECT_ID,
        "app.py",
        "--timeout",
        "1s",
    ]));
    let created: Value = serde_json::from_str(&stdout).unwrap();
    let id = created["app"]["id"].as_str().unwrap().to_string();
    assert_eq!(code, Some(TIMEOUT), "{stderr}");
    assert!(
        stderr.contains(&id) && stderr.contains("starting"),
        "{stderr}"
    );
    assert!(
        stderr.contains("deepnote apps wait"),
        "what to do next: {stderr}"
    );
}
