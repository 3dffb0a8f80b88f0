//! Where the key comes from, how it is stored, and that it never shows in any output.

use crate::common;

use common::*;
use deepnote_emulator::{KeySpec, Role, SAMPLE_WORKSPACE_ID};
use predicates::prelude::*;
use std::os::unix::fs::PermissionsExt;

const USAGE: i32 = 2;
const AUTH: i32 = 3;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn login_stores_a_private_profile_that_later_commands_use() {
    let emu = Emu::start();
    let config = emu.config.path();
    bare(config)
        .args(["auth", "login", "--base-url", &emu.base_url()])
        .write_stdin(format!("{SAMPLE_KEY}\n"))
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("the key works: admin"))
        .stderr(predicate::str::contains(SAMPLE_KEY).not());
    let file = config.join("credentials.json");
    assert_eq!(mode(&file), 0o600);

    // No env key, no flag: the profile (with its base URL) is used.
    let me = json(bare(config).args(["me", "-o", "json"]));
    assert_eq!(me["accessLevel"], "admin");

    let status = bare(config)
        .args(["auth", "status", "-o", "json"])
        .output()
        .unwrap();
    let status_text = String::from_utf8_lossy(&status.stdout);
    assert!(status_text.contains("profile `default`"), "{status_text}");
    assert!(!status_text.contains(SAMPLE_KEY), "{status_text}");

    // A second profile leaves the first alone.
    // A wrong key is caught at login, and nothing is stored.
    let login_other = |extra: &[&str]| {
        let mut cmd = bare(config);
        cmd.args([
            "auth",
            "login",
            "--profile",
            "other",
            "--base-url",
            &emu.base_url(),
        ])
        .args(extra)
        .write_stdin("wrong-key");
        cmd
    };
    login_other(&[]).assert().code(AUTH);
    bare(config)
        .args(["--profile", "other", "me"])
        .assert()
        .code(USAGE);
    login_other(&["--no-verify"]).assert().success();
    bare(config)
        .args(["--profile", "other", "me"])
        .assert()
        .code(AUTH);
    bare(config).args(["me"]).assert().success();

    bare(config).args(["auth", "logout"]).assert().success();
    bare(config).args(["me"]).assert().code(USAGE);
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn a_profile_readable_by_others_is_refused() {
    let emu = Emu::start();
    let config = emu.config.path();
    bare(config)
        .args(["auth", "login", "--base-url", &emu.base_url()])
        .write_stdin(SAMPLE_KEY)
        .assert()
        .success();
    let file = config.join("credentials.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    bare(config)
        .arg("me")
        .assert()
        .code(USAGE)
        .stderr(predicate::str::contains("chmod 600").and(predicate::str::contains("0644")));
}

#[test]
fn api_key_file_must_be_private_and_wins_over_the_environment() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{SAMPLE_KEY}\n")).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    emu.cmd_with_key("wrong")
        .args(["me", "--api-key-file", key_file.to_str().unwrap()])
        .assert()
        .code(USAGE)
        .stderr(predicate::str::contains("refusing").and(predicate::str::contains("chmod 600")));
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    emu.cmd_with_key("wrong")
        .args(["me", "--api-key-file", key_file.to_str().unwrap()])
        .assert()
        .success();
    emu.cmd()
        .args([
            "me",
            "--api-key-file",
            dir.path().join("absent").to_str().unwrap(),
        ])
        .assert()
        .code(USAGE);
}

/// A recognisable key, for searching every byte the CLI writes.
const CANARY: &str = "sk-canary-7f3e9d2c41b8";

#[test]
fn the_key_never_appears_in_any_output_even_verbose() {
    let emu = Emu::start();
    emu.emulator().add_key(
        KeySpec::new(CANARY)
            .workspace(SAMPLE_WORKSPACE_ID)
            .user("canary")
            .access(Role::Admin),
    );
    let cases: &[&[&str]] = &[
        &["-vv", "me"],
        &["-vv", "projects", "list", "--page-size", "1"],
        &["-vv", "run", SAMPLE_NOTEBOOK_ID, "-i", "region=EMEA"],
        &[
            "-vv",
            "projects",
            "get",
            "00000000-0000-4000-8000-00000000dead",
        ],
        &["-v", "auth", "status"],
        &[
            "-vv",
            "-o",
            "yaml",
            "notebooks",
            "runs",
            SAMPLE_NOTEBOOK_ID,
            "--limit",
            "1",
        ],
    ];
    let mut logged = false;
    for args in cases {
        let out = emu.cmd_with_key(CANARY).args(*args).output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains(CANARY),
            "the key leaked with {args:?}:\n{all}"
        );
        assert!(
            !all.contains("canary-7f3e"),
            "part of the key leaked with {args:?}:\n{all}"
        );
        logged |= all.contains("DEBUG") || all.contains("TRACE");
    }
    assert!(
        logged,
        "-vv logged nothing, so this test would not see a leak"
    );

    // A refused key is not echoed back either.
    let wrong = format!("{CANARY}-revoked");
    let out = emu
        .cmd_with_key(&wrong)
        .args(["-vv", "me"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(AUTH));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("canary-7f3e"), "{all}");
}

#[test]
fn deepnote_token_is_read_after_deepnote_api_key_and_named_when_refused() {
    let emu = Emu::start();
    let config = emu.config.path();
    let base = emu.base_url();
    // DEEPNOTE_TOKEN alone, as Deepnote's docs and its own CLI set it.
    let me = json(bare(config).env("DEEPNOTE_TOKEN", SAMPLE_KEY).args([
        "--base-url",
        &base,
        "me",
        "-o",
        "json",
    ]));
    assert_eq!(me["accessLevel"], "admin");
    let status = json(
        bare(config)
            .env("DEEPNOTE_TOKEN", SAMPLE_KEY)
            .args(["auth", "status", "-o", "json"]),
    );
    assert_eq!(status["keySource"], "$DEEPNOTE_TOKEN");
    // DEEPNOTE_API_KEY comes first.
    bare(config)
        .env("DEEPNOTE_TOKEN", "wrong-token")
        .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
        .args(["--base-url", &base, "me"])
        .assert()
        .success();
    // A refused key says which one it was, and never shows it.
    bare(config)
        .env("DEEPNOTE_TOKEN", "wrong-token")
        .args(["--base-url", &base, "me"])
        .assert()
        .code(AUTH)
        .stderr(
            predicate::str::contains("the key from $DEEPNOTE_TOKEN was refused")
                .and(predicate::str::contains("wrong-token").not()),
        );
}

#[test]
fn no_key_lists_every_source_in_order_and_where_keys_are_made() {
    let emu = Emu::start();
    let out = bare(emu.config.path())
        .args(["--base-url", &emu.base_url(), "me"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(USAGE));
    let err = String::from_utf8_lossy(&out.stderr);
    let order = [
        "--api-key-file",
        "DEEPNOTE_API_KEY",
        "DEEPNOTE_TOKEN",
        "profile `default`",
        "auth login",
        "Settings & members > Security > API keys",
        "--local",
    ];
    let mut at = 0;
    for part in order {
        let found = err[at..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} missing or out of order in: {err}"));
        at += found + part.len();
    }
}
