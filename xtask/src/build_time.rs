//! `cargo xtask bench build-time`: clean debug build time of `deepnote-api` against a client
//! that openapi-generator's `rust` generator makes from the same spec, in one run, as ratios.
//!
//! Both are built from scratch into their own target directories, alternating, in each TLS
//! configuration: each side's default (native-tls for both), then both with rustls.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The openapi-generator-cli release (PyPI; it bundles the generator's jar) we compare with.
const GENERATOR: &str = "openapi-generator-cli==7.26.0";

pub fn run() -> Result<()> {
    let root = crate::workspace_root();
    let work = root.join("target/bench/build-time");
    std::fs::create_dir_all(&work)?;
    let other = generate_other_client(&root, &work)?;

    // (label, our features, their features); None = the crate's defaults (native-tls on both).
    let configs: [(&str, Option<&str>, Option<&str>); 2] = [
        ("defaults (both native-tls)", None, None),
        ("both rustls (aws-lc-rs)", Some("rustls"), Some("rustls")),
    ];
    println!("| configuration | deepnote-api (s) | openapi-generator (s) | ratio ours/theirs |");
    println!("|---|---|---|---|");
    for (label, ours_features, theirs_features) in configs {
        let ours = clean_build(
            &work.join("ours"),
            &["build", "-p", "deepnote-api", "--manifest-path"],
            &root.join("Cargo.toml"),
            ours_features,
        )?;
        let theirs = clean_build(
            &work.join("theirs"),
            &["build", "--manifest-path"],
            &other.join("Cargo.toml"),
            theirs_features,
        )?;
        println!(
            "| {label} | {ours:.1} | {theirs:.1} | {:.2} |",
            ours / theirs
        );
    }
    Ok(())
}

/// Generate the other client with a pinned openapi-generator-cli from a venv under target/.
fn generate_other_client(root: &Path, work: &Path) -> Result<PathBuf> {
    let venv = work.join("venv");
    if !venv.join("bin/openapi-generator-cli").exists() {
        run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_ok(Command::new(venv.join("bin/pip")).args(["install", "-q", GENERATOR]))?;
    }
    let out = work.join("openapi-generator-client");
    let _ = std::fs::remove_dir_all(&out);
    run_ok(
        Command::new(venv.join("bin/openapi-generator-cli"))
            .stdout(std::process::Stdio::null())
            .args([
                "generate",
                "-g",
                "rust",
                "--additional-properties=packageName=deepnote-oag",
            ])
            .arg("-i")
            .arg(root.join(crate::spec::SPEC))
            .arg("-o")
            .arg(&out),
    )?;
    // Its own workspace, so cargo does not take it for a member of ours.
    let manifest = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest)?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text)?;
    Ok(out)
}

fn clean_build(
    target: &Path,
    args: &[&str],
    manifest: &Path,
    features: Option<&str>,
) -> Result<f64> {
    let _ = std::fs::remove_dir_all(target);
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args)
        .arg(manifest)
        .arg("--target-dir")
        .arg(target)
        .arg("--quiet");
    if let Some(features) = features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    // Fetch first, so the timing is compilation only, never downloads.
    run_ok(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["fetch", "--manifest-path"])
            .arg(manifest),
    )?;
    let started = Instant::now();
    run_ok(&mut cmd)?;
    Ok(started.elapsed().as_secs_f64())
}

fn run_ok(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}
