//! `cargo xtask public-api [--check]`: the public API of `deepnote` and `deepnote-api` as text,
//! one item a line, checked in under `public-api/`. A pull request that renames, removes or
//! changes a public item changes these files, so the change is seen in review; `--check` (run by
//! CI) fails on any difference and names the lines a user's code could break on.
//!
//! The listing comes from rustdoc's JSON through the `public-api` crate (the library behind
//! `cargo public-api`). rustdoc's JSON output is unstable, and CI has only stable Rust, so the
//! one rustdoc call sets `RUSTC_BOOTSTRAP=1` and writes to a target dir of its own (the
//! variable is part of cargo's fingerprints: sharing `target/` would rebuild everything twice).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// The published library crates whose surface is guarded: (package, rustdoc JSON name).
const CRATES: &[(&str, &str)] = &[("deepnote-api", "deepnote_api"), ("deepnote", "deepnote")];

/// Where the listings live, relative to the workspace root (outside every published crate).
const DIR: &str = "public-api";

/// Writes the listings.
pub fn write() -> Result<()> {
    let root = crate::workspace_root();
    for (package, listing) in listings(&root)? {
        let path = root.join(DIR).join(format!("{package}.txt"));
        std::fs::create_dir_all(path.parent().expect("a file in a folder"))?;
        std::fs::write(&path, listing).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// Fails, with the difference, when a listing is not what the code makes now.
pub fn check() -> Result<()> {
    let root = crate::workspace_root();
    let mut stale = Vec::new();
    for (package, listing) in listings(&root)? {
        let path = root.join(DIR).join(format!("{package}.txt"));
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old == listing {
            println!("{}: unchanged", path.display());
            continue;
        }
        let change = Change::between(&old, &listing);
        println!(
            "{}: {} item(s) added, {} removed or changed",
            path.display(),
            change.added.len(),
            change.removed.len()
        );
        for line in &change.removed {
            println!("  - {line}");
        }
        for line in &change.added {
            println!("  + {line}");
        }
        stale.push(path.display().to_string());
    }
    if !stale.is_empty() {
        bail!(
            "the public API changed ({}). Read the lines above: a removed (-) line can break users' \
             code and goes in CHANGELOG.md. Accept with `cargo xtask public-api` and commit the files.",
            stale.join(", ")
        );
    }
    Ok(())
}

/// The git tag of the public API that later changes are measured against (the 1.0 shape of
/// issue 20).
pub const BASELINE: &str = "api-baseline";

/// The breaking side of every change since `base` (a git ref: the baseline tag, a release, a
/// branch), read from the committed listings: each item `base` had and the tree no longer has
/// (removed, or changed, which is a removal and an addition) is named, crate by crate, for the
/// note of the change that made it. Needs no build: the listings are checked in, and CI's
/// `--check` keeps them true.
pub fn since(base: &str) -> Result<()> {
    let root = crate::workspace_root();
    let mut breaking = 0;
    for (package, _) in CRATES {
        let file = format!("{DIR}/{package}.txt");
        let old = git_show(&root, base, &file)?;
        let new =
            std::fs::read_to_string(root.join(&file)).with_context(|| format!("reading {file}"))?;
        let change = Change::between(&old, &new);
        println!(
            "{package} since {base}: {} item(s) removed or changed, {} added",
            change.removed.len(),
            change.added.len()
        );
        for line in &change.removed {
            println!("  - {line}");
        }
        breaking += change.removed.len();
    }
    if breaking == 0 {
        println!("no breaking change since {base}");
    }
    Ok(())
}

/// A file as it was at `base`.
fn git_show(root: &Path, base: &str, file: &str) -> Result<String> {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["show", &format!("{base}:{file}")])
        .output()
        .context("running git show")?;
    if !out.status.success() {
        bail!(
            "{file} at {base}: {} (tag the baseline with `git tag {BASELINE}`, or name a ref)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// One listing per guarded crate, in `CRATES` order.
fn listings(root: &Path) -> Result<Vec<(&'static str, String)>> {
    let target = root.join("target").join("public-api");
    CRATES
        .iter()
        .map(|&(package, json_name)| {
            let json = rustdoc_json(root, &target, package, json_name)?;
            let api = public_api::Builder::from_rustdoc_json(&json)
                // Auto traits and blanket impls say nothing a reviewer chose; derived impls do
                // (dropping `Clone` breaks callers), so they stay.
                .omit_blanket_impls(true)
                .omit_auto_trait_impls(true)
                .build()
                .with_context(|| format!("reading {}", json.display()))?;
            let mut text = String::new();
            for item in api.items() {
                text.push_str(&item.to_string());
                text.push('\n');
            }
            Ok((package, text))
        })
        .collect()
}

/// Runs rustdoc with JSON output for one package's library and returns the file it wrote.
fn rustdoc_json(root: &Path, target: &Path, package: &str, json_name: &str) -> Result<PathBuf> {
    let status = crate::cargo()
        .current_dir(root)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["rustdoc", "--quiet", "--locked", "--lib", "-p", package])
        .arg("--target-dir")
        .arg(target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .status()
        .context("running cargo rustdoc")?;
    if !status.success() {
        bail!("cargo rustdoc -p {package} (JSON output) failed");
    }
    Ok(target.join("doc").join(format!("{json_name}.json")))
}

/// The lines one listing gained and lost against another (a listing is a set of lines, sorted).
struct Change<'a> {
    added: Vec<&'a str>,
    removed: Vec<&'a str>,
}

impl<'a> Change<'a> {
    fn between(old: &'a str, new: &'a str) -> Self {
        let old_lines: std::collections::BTreeSet<&str> = old.lines().collect();
        let new_lines: std::collections::BTreeSet<&str> = new.lines().collect();
        Change {
            added: new_lines.difference(&old_lines).copied().collect(),
            removed: old_lines.difference(&new_lines).copied().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn a_change_names_added_and_removed_lines() {
        let old = "pub fn a::f()\npub fn a::g(u32)\npub struct a::S\n";
        let new = "pub fn a::f()\npub fn a::g(u64)\npub struct a::S\npub struct a::T\n";
        let change = Change::between(old, new);
        assert_eq!(change.removed, ["pub fn a::g(u32)"]);
        assert_eq!(change.added, ["pub fn a::g(u64)", "pub struct a::T"]);
    }

    #[test]
    fn an_unknown_base_is_an_error_saying_how_to_tag_one() {
        let root = crate::workspace_root();
        let e = super::git_show(
            &root,
            "no-such-ref-for-this-test",
            "public-api/deepnote.txt",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("git tag api-baseline"), "{e}");
    }
}
