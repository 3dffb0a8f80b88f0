//! The SDK's integration tests, one module per subject.
//!
//! One binary, not one per file: each links the whole dependency graph, so ~60 of them
//! made a fresh `cargo test --workspace` slow to build and large on disk (issue 20).
//!
//! Kept apart, each its own binary: `from_env` (it changes the process environment),
//! `surface_streaming` (its counting global allocator would count every test's heap),
//! `surface_tracing` and `security` (tracing caches each callsite's interest process-wide, so
//! a capture sharing its process with other tests can miss events: `security` did, with four
//! test threads) and `prism` (run by `prism.sh` as `--test prism`).

#[path = "../common/mod.rs"]
mod common;
#[path = "../surface_support/mod.rs"]
mod surface_support;

mod apps;
mod bad_servers;
mod creates;
mod examples;
mod faults;
mod hostile;
mod hostile_bodies;
mod live_shapes;
mod operations;
mod pagination;
mod project_files;
mod rate_limit;
mod reliability;
mod runs;
mod serialize;
mod snapshot_reads;
mod snapshot_yaml;
mod spec_facts;
mod surface_blocks;
mod surface_export;
mod surface_files;
mod surface_schedules;
mod surface_workspace;
mod sync;
mod wait_history;
