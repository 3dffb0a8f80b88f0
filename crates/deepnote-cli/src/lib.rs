//! The `deepnote` command-line tool. Its parts are private: the binary (`src/main.rs`) calls
//! [`main`], and the tests drive the binary itself. [`command`] is the one other export, the
//! command tree, for the help snapshots and for tools that render it (man pages, completions).

#![warn(missing_docs)]
// The arguments' doc comments are `--help` text, read in a terminal, where a URL in <> would
// show its brackets: rustdoc's advice to bracket bare URLs does not apply here.
#![allow(rustdoc::bare_urls)]

mod app;
mod cli;
mod commands;
mod confirm;
mod connect;
mod demo;
mod duration;
mod errors;
mod examples;
mod exit;
mod github;
mod inputs;
mod local;
mod local_args;
#[cfg(test)]
mod operations;
mod output;
mod profile;
mod progress;
mod push_check;
mod report;
mod signals;
mod snapshots;
mod tree;
mod watch;

use std::process::ExitCode;

/// The `deepnote` command tree, with every subcommand's examples and the exit-code table.
pub fn command() -> clap::Command {
    cli::command()
}

/// Parses the process's arguments and runs the command; the exit code says how it went.
pub fn main() -> ExitCode {
    use clap::FromArgMatches;
    // clap answers --version and --help here, before any runtime or client exists, which keeps
    // them at process-start cost.
    let matches = cli::command().get_matches();
    let cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    app::run(cli).into()
}
