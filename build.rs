//! Freshness guard, not a generator: fails the build at once when `deepnote-openapi.yml`,
//! `openapi/live.yml` or `openapi/overlay.yml` no longer match the hashes recorded in
//! `src/generated.rs`, so a spec update cannot ship with stale generated code. Dependents never compile progenitor.

use std::path::Path;

const INPUTS: [(&str, &str); 3] = [
    ("deepnote-openapi.yml", "spec-sha256"),
    ("openapi/live.yml", "live-sha256"),
    ("openapi/overlay.yml", "overlay-sha256"),
];

fn main() {
    println!("cargo:rerun-if-changed=src/generated.rs");
    let generated = std::fs::read_to_string("src/generated.rs")
        .unwrap_or_else(|e| fail(&format!("cannot read src/generated.rs ({e})")));
    let header: Vec<&str> = generated
        .lines()
        .take_while(|l| l.starts_with("//"))
        .collect();
    for (path, key) in INPUTS {
        println!("cargo:rerun-if-changed={path}");
        let bytes = std::fs::read(Path::new(path))
            .unwrap_or_else(|e| fail(&format!("cannot read {path} ({e})")));
        let actual: String = hmac_sha256::Hash::hash(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let recorded = header
            .iter()
            .find_map(|l| l.strip_prefix(&format!("// {key}: ")))
            .unwrap_or_else(|| fail(&format!("src/generated.rs has no `{key}` line")));
        if recorded.trim() != actual {
            fail(&format!(
                "{path} changed since src/generated.rs was generated"
            ));
        }
    }
}

fn fail(why: &str) -> ! {
    eprintln!("error: {why}.\nRun `cargo xtask codegen` to regenerate, then review and commit.");
    std::process::exit(1);
}
