//! The `deepnote` command-line tool, as a library so its parts can be tested one by one.
//! The binary (`src/main.rs`) only parses the command line and calls [`app::run`].

#![warn(missing_docs)]
// The arguments' doc comments are `--help` text, read in a terminal, where a URL in <> would
// show its brackets: rustdoc's advice to bracket bare URLs does not apply here.
#![allow(rustdoc::bare_urls)]

pub mod app;
pub mod cli;
pub mod commands;
pub mod confirm;
pub mod connect;
pub mod demo;
pub mod duration;
pub mod errors;
pub mod examples;
pub mod exit;
pub mod github;
pub mod inputs;
pub mod local;
pub mod notebook_file;
pub mod operations;
pub mod output;
pub mod profile;
pub mod progress;
pub mod signals;
pub mod snapshots;
pub mod tree;
pub mod view;
pub mod watch;
