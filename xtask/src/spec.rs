//! The references (through `deepnote-spec`, the one implementation of their merge), and taking
//! a new version of either.

use anyhow::{Context, Result, bail};
use deepnote_spec::{Reference, Sources};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

pub use deepnote_spec::{LIVE, OVERLAY, UPSTREAM as SPEC};

/// The document codegen reads: both references merged, with the overlay and the rules.
pub fn load_merged(root: &Path) -> Result<Value> {
    deepnote_spec::merged(root).map_err(|e| anyhow::anyhow!("{e}"))
}

/// One reference alone, with its overlay section (what conformance runs judge against).
pub fn load_reference(root: &Path, which: &str) -> Result<Value> {
    let which = match which {
        "upstream" | "original" | "spec" => Reference::Upstream,
        "live" => Reference::Live,
        other => bail!("no reference `{other}`: say `upstream` or `live`"),
    };
    deepnote_spec::reference(root, which).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Replace one reference (`upstream`: the original spec at the root; `live`: openapi/live.yml)
/// with a new file, regenerate, and run the drift tests. Nothing in the tree changes unless
/// the new file merges and generates: a dangling `$ref` or a generator failure is reported,
/// naming what broke, and the tree is left as it was.
pub fn update(which: &str, new_spec: &Path) -> Result<()> {
    let root = crate::workspace_root();
    let target = match which {
        "upstream" => SPEC,
        "live" => LIVE,
        other => bail!("no reference `{other}`: say `upstream` or `live`"),
    };
    let (upstream, live) = match which {
        "upstream" => (new_spec.to_path_buf(), root.join(LIVE)),
        _ => (root.join(SPEC), new_spec.to_path_buf()),
    };
    let before = Sources::read(&root)
        .and_then(|s| s.merged())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("the current references do not merge")?;
    let after = Sources::read_with(&upstream, &live, &root.join(OVERLAY))
        .and_then(|s| s.merged())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| {
            format!(
                "{} cannot replace {target}; nothing was changed. Fix the overlay ({OVERLAY}) \
                 or the code that refers to what the new file renamed or removed, then try again",
                new_spec.display()
            )
        })?;
    // Generate before writing anything: a generator failure must leave the tree as it was.
    let code = crate::codegen::generate_from(&root, &after, Some((target, new_spec)))
        .with_context(|| {
            format!(
                "generating from {}; nothing was changed",
                new_spec.display()
            )
        })?;
    let missing = missing_types(&root, &code)?;
    if !missing.is_empty() {
        bail!(
            "{} cannot replace {target}; nothing was changed. Hand-written code refers to \
             generated types the new file no longer makes:\n{}",
            new_spec.display(),
            missing.join("\n")
        );
    }

    let text = std::fs::read(new_spec)
        .with_context(|| format!("reading the new spec {}", new_spec.display()))?;
    std::fs::write(root.join(target), &text)?;
    std::fs::write(root.join(crate::codegen::OUTPUT), code)?;
    println!(
        "copied {} to {target} (verbatim) and regenerated",
        new_spec.display()
    );
    print_changes(&before, &after);

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
        .args(["diff", "--stat", "--", target, crate::codegen::OUTPUT])
        .output();
    if let Ok(out) = diff {
        println!("\nchanged files:\n{}", String::from_utf8_lossy(&out.stdout));
    }
    if status.success() {
        println!("the drift tests pass: the surface of the merged document did not change.");
    } else {
        println!(
            "the drift tests found changes. Next:\n  \
             1. cargo insta review       read each diff: every changed operation and schema is named\n     \
                (`cargo install cargo-insta` once; or compare each tests/snapshots/*.snap.new\n     \
                with its .snap)\n  \
             2. accept what is intended; fix the overlay ({OVERLAY}) for what is not,\n     \
                then run `cargo xtask codegen` again\n  \
             3. cargo test --workspace   the SDK, CLI and emulator must still pass\n  \
             4. commit the reference, src/generated.rs and the accepted snapshots together"
        );
    }
    Ok(())
}

/// Print what the merged document would change if `new_spec` replaced one reference
/// (`upstream` or `live`), as `update` reports it; nothing is written.
pub fn changes(which: &str, old_spec: &Path, new_spec: &Path) -> Result<()> {
    let root = crate::workspace_root();
    let merged = |spec: &Path| {
        let (upstream, live) = match which {
            "upstream" => (spec.to_path_buf(), root.join(LIVE)),
            "live" => (root.join(SPEC), spec.to_path_buf()),
            other => bail!("no reference `{other}`: say `upstream` or `live`"),
        };
        Sources::read_with(&upstream, &live, &root.join(OVERLAY))
            .and_then(|s| s.merged())
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("{} does not merge", spec.display()))
    };
    print_changes(&merged(old_spec)?, &merged(new_spec)?);
    Ok(())
}

/// What a new reference added, removed and changed, and what must follow it.
fn print_changes(before: &Value, after: &Value) {
    let changes = deepnote_spec::changes(before, after);
    println!("\nwhat changed in the merged document:");
    for line in changes.lines() {
        println!("{line}");
    }
    if !changes.operations_added.is_empty() || !changes.operations_removed.is_empty() {
        println!(
            "what must follow:\n  \
             - deepnote-cli: crates/deepnote-cli/src/operations.rs maps every operation to a command \
             (its test fails until each added one has one, and each removed one is dropped)\n  \
             - deepnote: a call in the resource group of each added operation; the calls of \
             removed ones go\n  \
             - deepnote-emulator: a route for each added operation"
        );
    }
}

/// `file:line: types::Name` for every generated type the hand-written code names that `code`
/// (a freshly generated `src/generated.rs`) does not define.
fn missing_types(root: &Path, code: &str) -> Result<Vec<String>> {
    let defined: BTreeSet<&str> = code
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("pub struct ")
                .or_else(|| l.strip_prefix("pub enum "))
                .and_then(|rest| rest.split([' ', '(', '<', '{', ';']).next())
        })
        .collect();
    let mut missing = Vec::new();
    let mut files = Vec::new();
    for dir in ["src", "crates/deepnote/src", "crates/deepnote-cli/src"] {
        collect_rs(&root.join(dir), &mut files);
    }
    files.sort();
    for file in files {
        if file.ends_with("generated.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        for (i, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("types::") {
                let name: String = line[at + "types::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name.starts_with(|c: char| c.is_ascii_uppercase())
                    && !defined.contains(name.as_str())
                {
                    let shown = file.strip_prefix(root).unwrap_or(&file);
                    missing.push(format!("  {}:{}: types::{name}", shown.display(), i + 1));
                }
            }
        }
    }
    Ok(missing)
}

fn collect_rs(dir: &Path, into: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_references_to_vanished_types_are_named() {
        let root = crate::workspace_root();
        // Today's generated code defines every type the hand-written code names.
        let code = std::fs::read_to_string(root.join(crate::codegen::OUTPUT)).unwrap();
        assert_eq!(missing_types(&root, &code).unwrap(), Vec::<String>::new());
        // Without `ErrorResponse`, src/error.rs (which names it) is reported with its line.
        let renamed = code.replace("pub struct ErrorResponse", "pub struct Renamed");
        let missing = missing_types(&root, &renamed).unwrap();
        assert!(
            missing
                .iter()
                .any(|m| m.starts_with("  src/error.rs:") && m.ends_with("types::ErrorResponse")),
            "{missing:?}"
        );
    }

    #[test]
    fn an_update_that_would_dangle_leaves_the_tree_as_it_was() {
        let root = crate::workspace_root();
        let before: Vec<Vec<u8>> = [SPEC, LIVE, OVERLAY, crate::codegen::OUTPUT]
            .iter()
            .map(|f| std::fs::read(root.join(f)).unwrap())
            .collect();
        // The live reference as a new upstream renames `Error` (which the overlay's upstream
        // section refers to) to `ErrorResponse`.
        let err = update("upstream", &root.join(LIVE)).unwrap_err();
        let said = format!("{err:#}");
        assert!(said.contains("nothing was changed"), "{said}");
        assert!(said.contains("#/components/schemas/Error "), "{said}");
        assert!(said.contains("openapi/overlay.yml:"), "{said}");
        let after: Vec<Vec<u8>> = [SPEC, LIVE, OVERLAY, crate::codegen::OUTPUT]
            .iter()
            .map(|f| std::fs::read(root.join(f)).unwrap())
            .collect();
        assert!(before == after, "the tree changed");
    }
}
