//! The spec merge's integration tests, one module per subject.
//!
//! One binary, not one per file: each links the whole dependency graph, so ~60 of them
//! made a fresh `cargo test --workspace` slow to build and large on disk (issue 20).

mod changes;
mod references;
