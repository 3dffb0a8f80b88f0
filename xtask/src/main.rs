//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask public-api [--check]`,
//! `cargo xtask spec update [--live] FILE`, `cargo xtask spec changes [--live] OLD NEW`,
//! `cargo xtask bench emulator`, `cargo xtask bench load`, `cargo xtask bench build-time`,
//! `cargo xtask bench sdk`, `cargo xtask bench wait`, `cargo xtask bench ratelimit`.
//!
//! Data flows one way: `deepnote-openapi.yml` + `openapi/live.yml` + `openapi/overlay.yml` ->
//! `deepnote-spec` (the merge) -> progenitor ->
//! `src/generated.rs` (checked in), so users of `deepnote-api` never compile progenitor.

mod bench;
mod bench_ratelimit;
mod bench_sdk;
mod bench_wait;
mod build_time;
mod codegen;
mod public_api;
mod spec;

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen::write(),
        ["codegen", "--check"] => codegen::check(),
        ["public-api"] => public_api::write(),
        ["public-api", "--check"] => public_api::check(),
        ["public-api", "--since", base] => public_api::since(base),
        ["public-api", "--since"] => public_api::since(public_api::BASELINE),
        ["spec", "update", file] => spec::update("upstream", PathBuf::from(file).as_path()),
        ["spec", "update", "--live", file] => spec::update("live", PathBuf::from(file).as_path()),
        ["spec", "changes", old, new] => spec::changes("upstream", Path::new(old), Path::new(new)),
        ["spec", "changes", "--live", old, new] => {
            spec::changes("live", Path::new(old), Path::new(new))
        }
        ["spec", "reference", which] => {
            let doc = spec::load_reference(&workspace_root(), which)?;
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(())
        }
        ["bench", "emulator"] => bench::emulator(),
        ["bench", "load"] => bench::load(),
        ["bench", "build-time"] => build_time::run(),
        ["bench", "sdk", sections @ ..] => bench_sdk::run(sections),
        ["bench", "ratelimit", cases @ ..] => bench_ratelimit::run(cases),
        ["bench", "wait", options @ ..] => bench_wait::run(options),
        ["spec", "merged"] => {
            let merged = spec::load_merged(&workspace_root())?;
            println!("{}", serde_json::to_string_pretty(&merged)?);
            Ok(())
        }
        _ => bail!(
            "usage:\n  cargo xtask codegen [--check]    regenerate src/generated.rs (or check it is fresh)\n  \
             cargo xtask public-api [--check]  write public-api/*.txt, the guarded public API (or check it)\n  \
             cargo xtask public-api --since [REF]  the items removed or changed since REF (default: the api-baseline tag)\n  \
             cargo xtask spec update FILE     take a new upstream spec, regenerate, run the drift tests\n  \
             cargo xtask spec update --live FILE  the same for the live reference (openapi/live.yml)\n  \
             cargo xtask spec changes [--live] OLD NEW  what NEW would change against OLD (writes nothing)\n  \
             cargo xtask spec merged          print the merged document codegen reads (JSON)\n  \
             cargo xtask spec reference upstream|live  print one reference with its overlay section (JSON)\n  \
             cargo xtask bench emulator       benchmark the emulator with wrk (see BENCHMARKS.md)\n  \
             cargo xtask bench load           1,000 connections of mixed traffic for 30 s\n  \
             cargo xtask bench build-time     clean build time of deepnote-api against openapi-generator's client\n  \
             cargo xtask bench sdk [SECTION]  the SDK's benchmarks: overhead stream memory wait many\n  \
             cargo xtask bench ratelimit [sync|sliding|many|list]  a 60 s rate-limit window, ours and Deepnote's CLI\n  \
             cargo xtask bench wait [--samples N] [--lengths 5,15,60] [--gap-ms MS] [--dev]\n  \
                                   `deepnote run`'s wait against Deepnote's CLI"
        ),
    }
}

/// The cargo that runs this xtask (`$CARGO`), so nested builds use the same toolchain.
pub fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The workspace root: xtask lives one level below it.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}
