//! The `deepnote` binary.

use clap::FromArgMatches;
use deepnote_cli::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap answers --version and --help here, before any runtime or client exists, which keeps
    // them at process-start cost.
    let matches = deepnote_cli::cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    deepnote_cli::app::run(cli).into()
}
