//! `cargo xtask bench sdk [SECTION...]`: the SDK's benchmarks (see BENCHMARKS.md, "SDK").
//! The benchmark itself is `crates/deepnote/benches/sdk.rs`; this runs it in release mode.

use anyhow::{Result, bail};

/// Run the SDK benchmark binary, optionally only some of its sections.
pub fn run(sections: &[&str]) -> Result<()> {
    let known = [
        "overhead", "stream", "memory", "wait", "many", "files", "sync",
    ];
    if let Some(bad) = sections.iter().find(|s| !known.contains(s)) {
        bail!(
            "unknown section {bad:?}; the sections are {}",
            known.join(", ")
        );
    }
    let status = crate::cargo()
        .current_dir(crate::workspace_root())
        .args(["bench", "-p", "deepnote", "--bench", "sdk", "--"])
        .args(sections)
        .status()?;
    if !status.success() {
        bail!("the SDK benchmark failed ({status})");
    }
    Ok(())
}
