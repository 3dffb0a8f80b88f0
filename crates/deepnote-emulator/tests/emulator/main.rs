//! The emulator's integration tests, one module per subject.
//!
//! One binary, not one per file: each links the whole dependency graph, so ~60 of them
//! made a fresh `cargo test --workspace` slow to build and large on disk (issue 20).

mod common;

mod access_matrix;
mod api;
mod apps;
mod blocks;
mod control;
mod faults;
mod files;
mod harness;
mod hostile;
mod live;
mod pagination;
mod persistence;
mod run_snapshots;
mod schedules;
mod transfer;
mod workspace;
