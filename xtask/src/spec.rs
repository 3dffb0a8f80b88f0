//! The references (through `deepnote-spec`, the one implementation of their merge), and taking
//! a new version of either.

use anyhow::{Context, Result, bail};
use deepnote_spec::{OperationFacts, Reference, Sources};
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

/// What a new reference added, removed and changed, and what must follow it.
fn print_changes(before: &Value, after: &Value) {
    let ops = |doc: &Value| -> Vec<OperationFacts> { deepnote_spec::operations(doc) };
    let (old, new) = (ops(before), ops(after));
    let ids = |v: &[OperationFacts]| v.iter().map(|o| o.id.clone()).collect::<BTreeSet<_>>();
    let (old_ids, new_ids) = (ids(&old), ids(&new));
    let schemas = |doc: &Value| -> BTreeSet<String> {
        doc.pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (old_s, new_s) = (schemas(before), schemas(after));
    let changed_ops: Vec<&String> = old_ids
        .intersection(&new_ids)
        .filter(|id| {
            let pick = |doc: &Value| {
                deepnote_spec::merge::operations_of(doc)
                    .into_iter()
                    .find(|(_, _, op)| op.get("operationId").and_then(Value::as_str) == Some(id))
                    .map(|(_, _, op)| op.clone())
            };
            pick(before) != pick(after)
        })
        .collect();
    let changed_s: Vec<&String> = old_s
        .intersection(&new_s)
        .filter(|s| before["components"]["schemas"][s] != after["components"]["schemas"][s])
        .collect();
    let list = |title: &str, items: Vec<&String>| {
        if !items.is_empty() {
            println!(
                "{title}: {}",
                items
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    };
    println!("\nwhat changed in the merged document:");
    list("  operations added", new_ids.difference(&old_ids).collect());
    list(
        "  operations removed",
        old_ids.difference(&new_ids).collect(),
    );
    list("  operations changed", changed_ops);
    list("  schemas added", new_s.difference(&old_s).collect());
    list("  schemas removed", old_s.difference(&new_s).collect());
    list("  schemas changed", changed_s);
    let added: Vec<&String> = new_ids.difference(&old_ids).collect();
    let removed: Vec<&String> = old_ids.difference(&new_ids).collect();
    if !added.is_empty() || !removed.is_empty() {
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
