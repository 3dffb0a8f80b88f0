//! The CLI's integration tests, one module per subject.
//!
//! One binary, not one per file: each links the whole dependency graph, so ~60 of them
//! made a fresh `cargo test --workspace` slow to build and large on disk (issue 20).

mod common;

mod answers;
mod apps;
mod auth;
mod batch;
mod commands;
mod day;
mod deepnote_files;
mod errors;
mod features;
mod help;
mod local;
mod rate_limit;
mod snapshots_saved;
mod surface;
mod sync;
mod tables;
