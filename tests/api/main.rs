//! The generated client's integration tests, one module per subject.
//!
//! One binary, not one per file: each links the whole dependency graph, so ~60 of them
//! made a fresh `cargo test --workspace` slow to build and large on disk (issue 20).
//!
//! Kept apart, its own binary: `tracing` (tracing caches each callsite's interest
//! process-wide, so a capture sharing its process with other tests can miss events).

mod client;
mod drift;
mod faults;
mod hostile;
mod rate_limit;
mod wire;
