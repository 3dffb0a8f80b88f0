//! The command tree, as clap sees it. Parsing only: what each command does lives in
//! `commands/`.

use crate::duration::{Deadline, parse_timeout};
use crate::exit::exit_codes_help;
use crate::inputs::{InputArg, parse_input};
use crate::output::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Authentication, first match wins: --api-key-file PATH, $DEEPNOTE_API_KEY, the profile stored by
`deepnote auth login`. --local needs none: it starts the embedded emulator.

Output goes to stdout as a table on a terminal and as JSON when piped (see --output); progress,
warnings and errors go to stderr.";

/// Run Deepnote notebooks and manage projects from terminals, CI pipelines and cron jobs.
#[derive(Debug, Parser)]
#[command(
    name = "deepnote",
    version,
    propagate_version = true,
    after_help = format!("{AFTER_HELP}\n\n{}", exit_codes_help()),
    max_term_width = 100
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(
        long,
        short = 'o',
        global = true,
        value_enum,
        env = "DEEPNOTE_OUTPUT",
        hide_env_values = true
    )]
    pub output: Option<OutputFormat>,

    /// Print only data: no progress, no notes on stderr (errors still go there)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Log HTTP activity to stderr (-v debug, -vv trace); the API key is never logged
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Read the API key from this file (must not be readable by group or others)
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// API host, such as https://api.deepnote.com (the /v2 and /v1 bases follow from it)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "DEEPNOTE_BASE_URL",
        hide_env_values = true
    )]
    pub base_url: Option<String>,

    /// Send the API key over plain http:// to a host other than this machine (anyone on the
    /// path can read it; for a trusted network only)
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// Which stored profile to use
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "DEEPNOTE_PROFILE",
        hide_env_values = true,
        default_value = "default"
    )]
    pub profile: String,

    /// Start the embedded emulator with a sample workspace and use it: no account, no network
    #[arg(long, global = true, long_help = local_help())]
    pub local: bool,
}

/// The command tree as the binary parses it: [`Cli`], with an Examples section under every
/// command, and the global options shown once, in `deepnote --help`, rather than repeated in
/// every subcommand's (they are still accepted everywhere).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    decorate(root, "deepnote", &globals, true)
}

/// Adds the Examples section and, below the top, a hidden copy of each global option: clap
/// then sees the option present and does not propagate the visible one (parsing is the same).
fn decorate(
    mut command: clap::Command,
    path: &str,
    globals: &[clap::Arg],
    top: bool,
) -> clap::Command {
    let mut after = crate::examples::section(path).unwrap_or_default();
    if !top {
        after.push_str(
            "\n\nGlobal options (--output, --quiet, --local, ...): see `deepnote --help`",
        );
        for arg in globals {
            command = command.arg(arg.clone().hide(true));
        }
    }
    if let Some(existing) = command.get_after_help() {
        after.push_str("\n\n");
        after.push_str(&existing.to_string());
    }
    command = command.after_help(after);
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        let sub_path = format!("{path} {name}");
        command = command.mut_subcommand(&name, |sub| decorate(sub, &sub_path, globals, false));
    }
    command
}

fn local_help() -> String {
    format!(
        "Start the embedded emulator with a sample workspace and use it: no account, no network.\n\
         Its state lasts this one command; `deepnote emulator start` keeps one running.\n\
         Sample project {}\n\
         Sample notebook {}",
        crate::local::SAMPLE_PROJECT_ID,
        crate::local::SAMPLE_NOTEBOOK_ID
    )
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run notebooks and wait for them (exit 0 only if every run succeeds)
    #[command(after_help = exit_codes_help())]
    Run(RunArgs),
    /// List, get, create and delete projects
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// List a project's notebooks; get, create and delete one; list its runs
    #[command(subcommand)]
    Notebooks(NotebooksCommand),
    /// Get a run, or wait for one to finish
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Show the calling API key, its user, workspace and access level
    Me,
    /// Trigger a notebook with the legacy v1 execute endpoint (no run id, no status)
    Execute {
        /// The project's id
        project: String,
        /// The notebook's id
        notebook: String,
    },
    /// Store, check or remove the API key in the user's config directory
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Walk the whole API against the embedded emulator, step by step
    Demo,
    /// Run the bundled emulator, whose state outlives one command
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// Print a shell completion script
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// `deepnote emulator ...`
#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Serve the emulator with the sample workspace in the foreground, until Ctrl-C or SIGTERM
    Start {
        /// Keep its state in SQLite under this directory (created if missing), across restarts
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// The loopback port to listen on (0: a free one; the address is printed on stdout)
        #[arg(long, value_name = "N", default_value_t = 8765)]
        port: u16,
        /// The API it answers by
        #[arg(long, value_enum, default_value_t = EmulatorDialect::Live)]
        dialect: EmulatorDialect,
    },
}

/// The API `emulator start` speaks (the emulator's own `--dialect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmulatorDialect {
    /// What the Deepnote service does today (201 on creates)
    Live,
    /// Strictly the original OpenAPI spec, for clients written against it (200 on creates)
    Spec,
}

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

/// How many items a list shows, and how it asks for them.
#[derive(Debug, Args, Clone)]
pub struct ListArgs {
    /// Stop after this many items [default: every item, page by page]
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Items per request (1-100; the API's default when absent)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: Option<u32>,
}

/// `deepnote projects ...`
#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// List projects (every page unless --limit)
    List {
        /// Only projects whose name contains this text
        #[arg(long, value_name = "TEXT")]
        name_contains: Option<String>,
        /// Paging.
        #[command(flatten)]
        list: ListArgs,
    },
    /// Show one project
    Get {
        /// The project's id
        project: String,
    },
    /// Create a project (Deepnote adds a first, empty notebook)
    Create {
        /// The project's name
        name: String,
        /// Put it in this folder
        #[arg(long, value_name = "ID")]
        folder_id: Option<String>,
    },
    /// Delete a project (asks first on a terminal; --yes elsewhere)
    Delete {
        /// The project's id
        project: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `deepnote notebooks ...`
#[derive(Debug, Subcommand)]
pub enum NotebooksCommand {
    /// List a project's notebooks (as the project's answer names them)
    List {
        /// The project's id
        project: String,
    },
    /// Show one notebook
    Get {
        /// The notebook's id
        notebook: String,
    },
    /// Create an empty notebook in a project
    Create {
        /// The project to create it in
        project: String,
        /// The notebook's name
        #[arg(long)]
        name: Option<String>,
    },
    /// Delete a notebook (asks first on a terminal; --yes elsewhere)
    Delete {
        /// The notebook's id
        notebook: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List a notebook's runs, newest first (every page unless --limit)
    Runs {
        /// The notebook's id
        notebook: String,
        /// Paging.
        #[command(flatten)]
        list: ListArgs,
    },
}

/// `deepnote runs ...`
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Show one run
    Get {
        /// The run's id
        run: String,
        /// Write the run's execution snapshot (.deepnote YAML) to this file (`-`: stdout, and
        /// the run is then not printed); the run must have finished
        #[arg(long, value_name = "PATH")]
        snapshot_out: Option<PathBuf>,
    },
    /// Wait for a run to finish (exit 0 only if it succeeds)
    #[command(after_help = exit_codes_help())]
    Wait {
        /// The run's id
        run: String,
        /// Timeout and snapshot.
        #[command(flatten)]
        wait: WaitArgs,
    },
}

/// How long to wait, and where the snapshot goes.
#[derive(Debug, Args, Clone)]
pub struct WaitArgs {
    /// Stop waiting after this long, such as 90s, 10m or 1h30m, or `none` to wait forever
    /// (exit 6; the run goes on in Deepnote)
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_timeout,
        default_value = "1h"
    )]
    pub timeout: Deadline,
    /// When the run ends, write its execution snapshot (.deepnote YAML) to this file; missing
    /// directories are created, and it is checked before the run starts. `-` writes it to
    /// stdout (the run is then not printed). `deepnote run` saves it by default, see
    /// --no-snapshot
    #[arg(long, value_name = "PATH")]
    pub snapshot_out: Option<PathBuf>,
}

/// `deepnote run NOTEBOOK... ...`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The notebook's id; several run together (see --concurrency)
    #[arg(value_name = "NOTEBOOK", required_unless_present = "from_file")]
    pub notebooks: Vec<String>,
    /// Also run the notebooks this file lists, one id a line (`#` starts a comment; `-`: stdin)
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// With several notebooks: how many run at a time (1-64)
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::builder::TypedValueParser::map(
              clap::value_parser!(u16).range(1..=64), usize::from))]
    pub concurrency: usize,
    /// An input block's value, NAME=VALUE (repeatable): true/false is sent as a boolean, a JSON
    /// array of strings as a list, anything else as a string (`n=3` sends "3"); a JSON object,
    /// null or a list of non-strings is refused
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE", value_parser = parse_input)]
    pub inputs: Vec<InputArg>,
    /// A JSON object of input values (`-` for stdin); --input overrides its entries
    #[arg(long, value_name = "PATH")]
    pub input_file: Option<PathBuf>,
    /// Run only this block (repeatable); a block run is always live
    #[arg(long = "block", value_name = "ID")]
    pub blocks: Vec<String>,
    /// With --block, also run the blocks that depend on them
    #[arg(long, requires = "blocks")]
    pub dependents: bool,
    /// Run detached, on a machine of its own: the default for a whole notebook (cannot be
    /// combined with --block)
    #[arg(long, conflicts_with_all = ["blocks", "live"])]
    pub detached: bool,
    /// Run the whole notebook live, in the project's session, instead of detached
    #[arg(long, conflicts_with = "storage_mode")]
    pub live: bool,
    /// How a detached run may use the project's storage (makes the run detached; cannot be
    /// combined with --block)
    #[arg(long, value_enum, value_name = "MODE", conflicts_with = "blocks")]
    pub storage_mode: Option<StorageMode>,
    /// Print the started run and exit without waiting
    #[arg(long, conflicts_with_all = ["timeout", "snapshot_out", "no_snapshot"])]
    pub no_wait: bool,
    /// Do not save the snapshot. By default it is saved as Deepnote's CLI saves it:
    /// `snapshots/<slug>_<projectId>[_<notebookId>]_<timestamp>.snapshot.deepnote` and a
    /// `_latest` copy, under the current directory
    #[arg(long, conflicts_with = "snapshot_out")]
    pub no_snapshot: bool,
    /// Timeout and snapshot.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `--storage-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageMode {
    /// Read and write the project's files
    ReadWrite,
    /// Read the project's files only
    Readonly,
}

impl StorageMode {
    /// The value as the API spells it.
    pub fn as_api(self) -> &'static str {
        match self {
            StorageMode::ReadWrite => "read_write",
            StorageMode::Readonly => "readonly",
        }
    }
}

/// `deepnote auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Read an API key from stdin (hidden when typed) and store it in the profile
    Login {
        /// Store the key without checking it against the API first
        #[arg(long)]
        no_verify: bool,
    },
    /// Say which key would be used and where it comes from (never the key itself)
    Status,
    /// Remove the profile's stored key
    Logout,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::time::Duration;

    #[test]
    fn the_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_timeout_defaults_to_an_hour_and_none_waits_forever() {
        let parse = |extra: &[&str]| {
            let args = [&["deepnote", "runs", "wait", "r"][..], extra].concat();
            match Cli::try_parse_from(args).map(|c| c.command) {
                Ok(Command::Runs(RunsCommand::Wait { wait, .. })) => Ok(wait.timeout),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.exit_code()),
            }
        };
        assert_eq!(
            parse(&[]),
            Ok(Deadline(Some(crate::duration::DEFAULT_TIMEOUT)))
        );
        assert_eq!(parse(&["--timeout", "none"]), Ok(Deadline(None)));
        assert_eq!(parse(&["--timeout", "0"]), Err(2));
        // --no-wait conflicts with a timeout given, not with the default.
        assert!(Cli::try_parse_from(["deepnote", "run", "nb", "--no-wait"]).is_ok());
    }

    #[test]
    fn run_flags_combine_as_the_api_allows() {
        let ok = Cli::try_parse_from([
            "deepnote",
            "run",
            "nb",
            "-i",
            "n=3",
            "--input",
            "s=x",
            "--block",
            "b1",
            "--dependents",
            "--timeout",
            "10m",
        ])
        .unwrap();
        let Command::Run(run) = ok.command else {
            panic!("not run")
        };
        assert_eq!(run.inputs.len(), 2);
        // Alone, a storage mode is a detached run's.
        let alone = Cli::try_parse_from(["deepnote", "run", "nb", "--storage-mode", "readonly"]);
        assert!(alone.is_ok());
        assert_eq!(run.wait.timeout, Deadline(Some(Duration::from_secs(600))));
        for bad in [
            &["deepnote", "run", "nb", "--detached", "--block", "b"][..],
            &["deepnote", "run", "nb", "--dependents"],
            // A storage mode implies detached, which a block run or a live run is not.
            &[
                "deepnote",
                "run",
                "nb",
                "--block",
                "b",
                "--storage-mode",
                "readonly",
            ],
            &[
                "deepnote",
                "run",
                "nb",
                "--live",
                "--storage-mode",
                "readonly",
            ],
            &["deepnote", "run", "nb", "--live", "--detached"],
            &["deepnote", "run", "nb", "--input", "obj={}"],
            &["deepnote", "run", "nb", "--no-wait", "--timeout", "1m"],
            &["deepnote", "run", "nb", "--input", "novalue"],
            &["deepnote", "projects", "list", "--page-size", "101"],
        ] {
            let err = Cli::try_parse_from(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }
}
