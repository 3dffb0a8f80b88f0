//! `deepnote completions SHELL`.

use crate::cli::Cli;
use crate::exit::CliResult;
use clap::{CommandFactory, ValueEnum};

/// Shells `completions` writes for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    /// bash: `deepnote completions bash > ~/.local/share/bash-completion/completions/deepnote`
    Bash,
    /// zsh: `deepnote completions zsh > "${fpath[1]}/_deepnote"`
    Zsh,
    /// fish: `deepnote completions fish > ~/.config/fish/completions/deepnote.fish`
    Fish,
}

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
