//! The bundled emulator: `emulator start` in the foreground with state that lasts, and
//! `--local`, which says its state lasts one command.
#![cfg(feature = "local")]

use crate::common;

use common::*;
use predicates::prelude::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// `deepnote emulator start --port 0 ...`, and the base URL it prints on stdout.
fn start(config: &std::path::Path, data: &std::path::Path) -> (Child, String) {
    start_with(config, &["--data-dir".as_ref(), data.as_os_str()])
}

/// `deepnote emulator start --port 0 ARGS...`, and the base URL it prints on stdout.
fn start_with(config: &std::path::Path, args: &[&std::ffi::OsStr]) -> (Child, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("deepnote"))
        .env("DEEPNOTE_CONFIG_DIR", config)
        .args(["emulator", "start", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    (child, url)
}

fn terminate(mut child: Child) -> (Option<i32>, String) {
    let killed = std::process::Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

#[test]
fn emulator_start_keeps_state_across_commands_and_restarts() {
    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // A directory that does not exist yet: it is created.
    let data = data.path().join("state");
    let (child, url) = start(config.path(), &data);
    let cmd = || {
        let mut cmd = bare(config.path());
        cmd.env("DEEPNOTE_API_KEY", SAMPLE_KEY)
            .args(["--base-url", &url]);
        cmd
    };
    let created = json(cmd().args(["projects", "create", "Kept", "-o", "json"]));
    let id = created["id"].as_str().unwrap().to_string();
    // A second command sees what the first created.
    let got = json(cmd().args(["projects", "get", &id, "-o", "json"]));
    assert_eq!(got["name"], "Kept");
    let (code, stderr) = terminate(child);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("listening on"), "{stderr}");
    assert!(stderr.contains(SAMPLE_NOTEBOOK_ID), "{stderr}");
    assert!(
        stderr.contains("stopped the emulator (SIGTERM)"),
        "{stderr}"
    );

    // Started again on the same directory, it still has the project.
    let (child, url2) = start(config.path(), &data);
    let mut again = bare(config.path());
    again.env("DEEPNOTE_API_KEY", SAMPLE_KEY).args([
        "--base-url",
        &url2,
        "projects",
        "get",
        &id,
        "-o",
        "json",
    ]);
    assert_eq!(json(&mut again)["name"], "Kept");
    terminate(child);
}

/// The status line of `POST /v2/projects` (the sample key), by hand: the CLI's tests carry no
/// HTTP client, and the status code is the point.
fn create_project_status(url: &str) -> String {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let body = r#"{"name":"dialect"}"#;
    write!(
        s,
        "POST /v2/projects HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {SAMPLE_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn emulator_start_speaks_the_dialect_asked_for() {
    let config = tempfile::tempdir().unwrap();
    // The live service answers a create 201; the original spec says 200.
    for (args, status, named) in [
        (&[][..], "201", "dialect: live"),
        (&["--dialect", "live"][..], "201", "dialect: live"),
        (&["--dialect", "spec"][..], "200", "dialect: spec"),
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (child, url) = start_with(config.path(), &args);
        let line = create_project_status(&url);
        let (code, stderr) = terminate(child);
        assert!(
            line.starts_with(&format!("HTTP/1.1 {status} ")),
            "{args:?}: {line}"
        );
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
    bare(config.path())
        .args(["emulator", "start", "--dialect", "v3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("live").and(predicate::str::contains("spec")));
}

#[test]
fn local_says_once_that_its_state_lasts_one_command() {
    let config = tempfile::tempdir().unwrap();
    let out = bare(config.path())
        .args(["--local", "projects", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("--local").count(), 1, "{stderr}");
    assert!(stderr.contains("emulator start"), "{stderr}");
    // stdout stays data.
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
    // --quiet leaves it out.
    bare(config.path())
        .args(["--local", "-q", "projects", "list", "-o", "json"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn local_help_and_the_demo_name_the_sample_ids() {
    let config = tempfile::tempdir().unwrap();
    bare(config.path()).arg("--help").assert().success().stdout(
        predicate::str::contains(SAMPLE_NOTEBOOK_ID)
            .and(predicate::str::contains(SAMPLE_PROJECT_ID)),
    );
    bare(config.path()).arg("demo").assert().success().stdout(
        predicate::str::contains(SAMPLE_NOTEBOOK_ID)
            .and(predicate::str::contains(SAMPLE_PROJECT_ID)),
    );
}
