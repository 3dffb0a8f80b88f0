//! Exit codes and the one error type every command returns.
//!
//! Scripts branch on the exit code, so each code means one thing and never changes: [`Exit`]
//! holds the one table, `--help` prints it and a test checks both READMEs carry it.

use std::fmt;
use std::process::ExitCode;

/// Declares [`Exit`] from one list: each code's variant, number and meaning, written once.
/// The variant's doc comment, [`Exit::meaning`] (which `--help` and the READMEs carry) and
/// [`Exit::ALL`] all come from it, so they cannot drift apart.
macro_rules! exit_codes {
    ($( $variant:ident = $code:literal: $meaning:literal, )+) => {
        /// The exit code of every outcome, as scripts see it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Exit {
            $( #[doc = $meaning] $variant = $code, )+
        }

        impl Exit {
            /// Every exit code, in the table's order.
            pub const ALL: &'static [Exit] = &[$( Exit::$variant ),+];

            /// What the code means, in Markdown (backticks name flags and values).
            pub fn meaning(self) -> &'static str {
                match self {
                    $( Exit::$variant => $meaning, )+
                }
            }
        }
    };
}

exit_codes! {
    Success = 0: "success",
    Api = 1: "API or network error not listed below (5xx, 429 after retries, 409, 400, connection)",
    Usage = 2: "bad usage: unknown flag, malformed `--input`, no API key found, a key file others \
        can read, a command this build leaves out",
    Auth = 3: "authentication: the key was refused (401) or lacks the access level (403)",
    NotFound = 4: "not found (404)",
    RunFailed = 5: "the run finished but failed (status `error`, `internal_error` or `stopped`)",
    Timeout = 6: "timeout: the run did not finish, or the app did not start, within `--timeout` \
        (1h for a run, 10m for an app by default); it goes on in Deepnote",
    Interrupted = 130: "interrupted (Ctrl-C); a started run goes on in Deepnote",
    Terminated = 143: "terminated (SIGTERM); a started run goes on in Deepnote",
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// The exit-code table, as `--help` shows it.
pub fn exit_codes_help() -> String {
    // Help is wrapped at 100 columns; the meanings wrap under themselves, not under the codes.
    const WIDTH: usize = 84;
    let mut text = String::from("Exit codes:");
    for exit in Exit::ALL {
        let mut line = format!("\n  {:<4}", exit.code());
        let mut used = 0;
        for word in exit.meaning().replace('`', "").split(' ') {
            if used > 0 && used + 1 + word.len() > WIDTH {
                line.push_str("\n      ");
                used = 0;
            }
            line.push(' ');
            line.push_str(word);
            used += 1 + word.len();
        }
        text.push_str(&line);
    }
    text
}

/// The exit-code table as the READMEs carry it.
#[cfg(test)]
fn exit_codes_markdown() -> String {
    let mut text = String::from("| code | meaning |\n| --- | --- |\n");
    for exit in Exit::ALL {
        text.push_str(&format!("| {} | {} |\n", exit.code(), exit.meaning()));
    }
    text
}

/// A failed command: what to tell the user on stderr, and the exit code.
#[derive(Debug)]
pub struct CliError {
    /// Which exit code this failure maps to.
    pub exit: Exit,
    /// One line (or a few) for a person; never holds the API key.
    pub message: String,
}

impl CliError {
    /// A failure with this exit code and message.
    pub fn new(exit: Exit, message: impl Into<String>) -> CliError {
        CliError {
            exit,
            message: message.into(),
        }
    }

    /// The command line was wrong.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Usage, message)
    }

    /// Anything else that went wrong talking to the API or the disk.
    pub fn api(message: impl Into<String>) -> CliError {
        CliError::new(Exit::Api, message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// What every command returns.
pub type CliResult<T = ()> = Result<T, CliError>;

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> CliError {
        // A reader that stops early (`deepnote projects list | head -1`) is not a failure.
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::new(Exit::Success, "")
        } else {
            CliError::api(format!("cannot write the output: {error}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_in_the_help() {
        let mut seen = std::collections::HashSet::new();
        let help = exit_codes_help();
        for exit in Exit::ALL {
            assert!(seen.insert(exit.code()), "{exit:?} shares its code");
            let line = format!("\n  {:<4} ", exit.code());
            assert!(help.contains(&line), "{exit:?} missing from the help table");
            // The help drops the Markdown backticks, and keeps every word.
            let first = exit.meaning().split(' ').next().unwrap().replace('`', "");
            assert!(help.contains(&format!("{line}{first}")), "{exit:?}: {help}");
        }
    }

    /// Both READMEs carry the table exactly as [`Exit::meaning`] makes it.
    #[test]
    fn the_readmes_carry_the_table() {
        let table = exit_codes_markdown();
        for (name, text) in [
            (
                "crates/deepnote-cli/README.md",
                include_str!("../README.md"),
            ),
            ("README.md", include_str!("../../../README.md")),
        ] {
            assert!(
                text.contains(&table),
                "{name} does not carry the exit-code table; paste this:\n{table}"
            );
        }
    }
}
