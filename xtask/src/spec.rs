//! Loading the upstream spec with our overlay applied, and taking a new upstream version.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;

pub const SPEC: &str = "deepnote-openapi.yml";
pub const OVERLAY: &str = "openapi/overlay.yml";

/// The upstream spec as JSON, with `openapi/overlay.yml` applied as an RFC 7396 merge patch.
pub fn load_merged(root: &Path) -> Result<serde_json::Value> {
    let mut spec = read_yaml(&root.join(SPEC))?;
    let overlay = read_yaml(&root.join(OVERLAY))?;
    json_patch::merge(&mut spec, &overlay);
    Ok(spec)
}

fn read_yaml(path: &Path) -> Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("parsing {} as YAML", path.display()))
}

/// Replace the spec with a new upstream version, regenerate, and run the drift tests.
pub fn update(new_spec: &Path) -> Result<()> {
    let root = crate::workspace_root();
    let text = std::fs::read(new_spec)
        .with_context(|| format!("reading the new spec {}", new_spec.display()))?;
    // Refuse a file that is not an OpenAPI document before touching anything.
    let parsed: serde_json::Value = serde_yaml::from_slice(&text)
        .with_context(|| format!("{} is not YAML", new_spec.display()))?;
    if parsed.get("openapi").is_none() || parsed.get("paths").is_none() {
        bail!(
            "{} is not an OpenAPI document (no `openapi` or `paths`)",
            new_spec.display()
        );
    }
    std::fs::write(root.join(SPEC), &text)?;
    println!("copied {} to {SPEC} (verbatim)", new_spec.display());
    crate::codegen::write()?;

    println!("\nrunning the spec-drift tests (insta writes .snap.new files for what changed)...");
    let status = crate::cargo()
        .current_dir(&root)
        .env("INSTA_UPDATE", "new")
        .args([
            "test",
            "-p",
            "deepnote-api",
            "--test",
            "drift",
            "--test",
            "wire",
        ])
        .status()
        .context("running cargo test")?;
    let diff = Command::new("git")
        .current_dir(&root)
        .args(["diff", "--stat", "--", SPEC, "src/generated.rs"])
        .output();
    if let Ok(out) = diff {
        println!("\nchanged files:\n{}", String::from_utf8_lossy(&out.stdout));
    }
    if status.success() {
        println!("the drift tests pass: the surface of the spec did not change.");
    } else {
        println!(
            "the drift tests found changes. Next:\n  \
             1. cargo insta review       read each diff: every changed operation and schema is named\n     \
                (`cargo install cargo-insta` once; or compare each tests/snapshots/*.snap.new\n     \
                with its .snap)\n  \
             2. accept what is intended; fix the overlay (openapi/overlay.yml) for what is not,\n     \
                then run `cargo xtask codegen` again\n  \
             3. cargo test --workspace   the SDK, CLI and emulator must still pass\n  \
             4. commit the spec, src/generated.rs and the accepted snapshots together"
        );
    }
    Ok(())
}
