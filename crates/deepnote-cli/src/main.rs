//! The `deepnote` binary.

use clap::Parser;
use deepnote_cli::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    // clap answers --version and --help here, before any runtime or client exists, which keeps
    // them at process-start cost.
    let cli = Cli::parse();
    deepnote_cli::app::run(cli).into()
}
