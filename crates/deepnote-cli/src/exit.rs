//! Exit codes and the one error type every command returns.
//!
//! Scripts branch on the exit code, so each code means one thing and never changes: [`CODES`]
//! is the one table, `--help` prints it and a test checks both READMEs carry it.

use std::fmt;
use std::process::ExitCode;

/// The exit code of every outcome, as scripts see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything did what it should.
    Success = 0,
    /// The API refused or failed in a way no other code names, or the network failed.
    Api = 1,
    /// The command line was wrong: an unknown flag, a malformed `--input`, a missing key.
    Usage = 2,
    /// The API key was refused (401) or lacks the access level (403).
    Auth = 3,
    /// What was asked for does not exist (404).
    NotFound = 4,
    /// The run finished, but not successfully (error, internal_error, stopped).
    RunFailed = 5,
    /// The run did not finish within `--timeout`.
    Timeout = 6,
    /// Interrupted by Ctrl-C; the run itself goes on in Deepnote.
    Interrupted = 130,
    /// Stopped by SIGTERM (a CI runner cancelling the job); the run goes on in Deepnote.
    Terminated = 143,
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

/// Every exit code and what it means, in Markdown (backticks name flags and values).
pub const CODES: &[(Exit, &str)] = &[
    (Exit::Success, "success"),
    (
        Exit::Api,
        "API or network error not listed below (5xx, 429 after retries, 409, 400, connection)",
    ),
    (
        Exit::Usage,
        "bad usage: unknown flag, malformed `--input`, no API key found, a key file others can \
         read, a command this build leaves out",
    ),
    (
        Exit::Auth,
        "authentication: the key was refused (401) or lacks the access level (403)",
    ),
    (Exit::NotFound, "not found (404)"),
    (
        Exit::RunFailed,
        "the run finished but failed (status `error`, `internal_error` or `stopped`)",
    ),
    (
        Exit::Timeout,
        "timeout: the run did not finish within `--timeout` (1h by default); it goes on in Deepnote",
    ),
    (
        Exit::Interrupted,
        "interrupted (Ctrl-C); a started run goes on in Deepnote",
    ),
    (
        Exit::Terminated,
        "terminated (SIGTERM); a started run goes on in Deepnote",
    ),
];

/// The exit-code table, as `--help` shows it.
pub fn exit_codes_help() -> String {
    // Help is wrapped at 100 columns; the meanings wrap under themselves, not under the codes.
    const WIDTH: usize = 84;
    let mut text = String::from("Exit codes:");
    for (exit, meaning) in CODES {
        let mut line = format!("\n  {:<4}", exit.code());
        let mut used = 0;
        for word in meaning.replace('`', "").split(' ') {
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
pub fn exit_codes_markdown() -> String {
    let mut text = String::from("| code | meaning |\n| --- | --- |\n");
    for (exit, meaning) in CODES {
        text.push_str(&format!("| {} | {meaning} |\n", exit.code()));
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
    fn codes_are_distinct_and_documented() {
        let all = [
            Exit::Success,
            Exit::Api,
            Exit::Usage,
            Exit::Auth,
            Exit::NotFound,
            Exit::RunFailed,
            Exit::Timeout,
            Exit::Interrupted,
            Exit::Terminated,
        ];
        let mut seen = std::collections::HashSet::new();
        let help = exit_codes_help();
        for exit in all {
            assert!(seen.insert(exit.code()), "{exit:?} shares its code");
            assert!(
                CODES.iter().any(|(e, _)| *e == exit),
                "{exit:?} missing from CODES"
            );
            let line = format!("\n  {:<4} ", exit.code());
            assert!(help.contains(&line), "{exit:?} missing from the help table");
        }
        assert_eq!(CODES.len(), all.len());
    }

    /// Both READMEs carry the table exactly as [`CODES`] makes it.
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
