//! `deepnote completions SHELL`.

use crate::cli::{Cli, Shell};
use crate::exit::CliResult;
use clap::CommandFactory;

/// Prints the completion script for `shell` on stdout.
pub fn print(shell: Shell) -> CliResult {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "deepnote", &mut out);
    Ok(())
}
