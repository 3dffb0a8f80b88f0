//! The `local` feature: what a build without it leaves out, and what it says instead.

/// `cargo tree -e normal` of this crate with these feature flags, one crate per line.
fn normal_tree(flags: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "deepnote-cli",
            "-e",
            "normal,features",
            "--offline",
        ])
        .args(["--prefix", "none"])
        .args(flags)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn has(tree: &str, item: &str) -> bool {
    tree.lines().any(|l| l.starts_with(item))
}

#[test]
fn without_local_the_server_is_left_out() {
    let lean = normal_tree(&["--no-default-features"]);
    let full = normal_tree(&[]);
    for item in [
        "deepnote-emulator ",
        "axum ",
        "rusqlite ",
        "libsqlite3-sys ",
        "hyper feature \"server\"",
    ] {
        assert!(!has(&lean, item), "{item} is in the build without `local`");
        // The same check finds it in the default build, so it looks for the right thing.
        assert!(has(&full, item), "{item} is missing from the default build");
    }
}

#[cfg(not(feature = "local"))]
#[test]
fn the_commands_that_need_the_emulator_say_how_to_get_it() {
    use predicates::prelude::*;
    let config = tempfile::tempdir().unwrap();
    for args in [
        &["--local", "projects", "list"][..],
        &["demo"],
        &["emulator", "start"],
    ] {
        common::bare(config.path())
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "cargo install deepnote-cli --features local",
            ))
            // One line: not the note about --local's state first.
            .stderr(predicate::function(|e: &str| e.lines().count() == 1));
    }
}
