//! The command tree, as clap sees it. Parsing only: what each command does lives in
//! `commands/`.

use crate::commands::blocks::BlocksCommand;
use crate::commands::files::FilesCommand;
use crate::commands::notebooks::NotebooksCommand;
use crate::commands::projects::ProjectsCommand;
use crate::commands::run::RunArgs;
use crate::commands::runs::RunsCommand;
use crate::commands::sync::SyncCommand;
use crate::duration::{Deadline, parse_timeout};
use crate::exit::exit_codes_help;
use crate::inputs::{InputArg, parse_input};
use crate::output::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The top help's closing text; the environment variables are the SDK's, which reads them.
fn after_help() -> String {
    format!(
        "\
Authentication, first match wins: --api-key-file PATH, ${}, ${},
the profile stored by `deepnote auth login`. --local needs none: it starts the embedded emulator.

Output goes to stdout as a table on a terminal and as JSON when piped (see --output); progress,
warnings and errors go to stderr.

{}",
        deepnote::API_KEY_ENV,
        deepnote::TOKEN_ENV,
        exit_codes_help()
    )
}

/// Run Deepnote notebooks and manage projects from terminals, CI pipelines and cron jobs.
#[derive(Debug, Parser)]
#[command(
    name = "deepnote",
    version,
    propagate_version = true,
    after_help = after_help(),
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

    /// API host (the /v2 and /v1 bases follow from it)
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help = format!(
            "API host, such as {} (the /v2 and /v1 bases follow from it)",
            deepnote::api::DEFAULT_HOST
        ),
        env = deepnote::BASE_URL_ENV,
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
        default_value = deepnote::DEFAULT_PROFILE
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
    /// List a project's notebooks; get, create, rename and delete one; its runs, inputs, block order
    #[command(subcommand)]
    Notebooks(NotebooksCommand),
    /// Get a run, or wait for one to finish
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Keep the workspace as .deepnote files: pull, push, with dry runs
    ///
    /// One folder per project, one .deepnote file per notebook, and the state of the last sync
    /// in DIR/.deepnote-sync.json (the layout and state file of Deepnote's own CLI).
    #[command(subcommand)]
    Sync(SyncCommand),
    /// List a notebook's blocks; get, create, update and delete one
    #[command(subcommand)]
    Blocks(BlocksCommand),
    /// Upload, download, copy and delete a project's files
    #[command(subcommand)]
    Files(FilesCommand),
    /// List and create a notebook's schedules, or set its one schedule
    #[command(subcommand, visible_alias = "schedule")]
    Schedules(SchedulesCommand),
    /// List the workspace's integrations (data sources), or show one with its tables
    #[command(subcommand)]
    Integrations(IntegrationsCommand),
    /// List machine types; show or change a project's machine
    #[command(subcommand)]
    Machines(MachinesCommand),
    /// Create an interactive session on a notebook, and run code in it
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Search the workspace's projects, notebooks, blocks and integrations
    Search(SearchArgs),
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
    #[command(visible_alias = "completion")]
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

/// `deepnote schedules ...`
#[derive(Debug, Subcommand)]
pub enum SchedulesCommand {
    /// List a notebook's schedules
    List {
        /// The notebook's id
        notebook: String,
    },
    /// Add a schedule to a notebook, next to any it has: --cron EXPR, or --daily --at HH:MM
    Create {
        /// The notebook's id
        notebook: String,
        /// When it runs.
        #[command(flatten)]
        when: ScheduleArgs,
    },
    /// Set a notebook's one schedule, creating or replacing it (what Deepnote's own CLI's
    /// `schedule` does): --cron EXPR, or --daily --at HH:MM
    Set {
        /// The notebook's id
        notebook: String,
        /// When it runs.
        #[command(flatten)]
        when: ScheduleArgs,
    },
}

/// When a schedule runs: a cron expression, or every day at a time.
#[derive(Debug, Args, Clone)]
#[group(skip)]
pub struct ScheduleArgs {
    /// A five-field cron expression: minute hour day-of-month month day-of-week
    #[arg(long, value_name = "EXPR", value_parser = parse_cron,
          required_unless_present = "daily", conflicts_with = "daily")]
    pub cron: Option<deepnote::Cron>,
    /// Every day, at --at
    #[arg(long, requires = "at")]
    pub daily: bool,
    /// With --daily: the time of day, HH:MM (24-hour)
    #[arg(long, value_name = "HH:MM", requires = "daily", value_parser = parse_daily)]
    pub at: Option<deepnote::Cron>,
    /// The IANA time zone the time is read in, such as Europe/Prague [default: the server's,
    /// UTC]; checked against the IANA database before anything is sent
    #[arg(long, value_name = "TZ", value_parser = parse_timezone)]
    pub timezone: Option<deepnote::TimeZone>,
}

impl ScheduleArgs {
    /// The cron expression these flags give (clap has checked that one of them is there).
    pub fn cron(&self) -> Option<&deepnote::Cron> {
        self.cron.as_ref().or(self.at.as_ref())
    }
}

fn parse_cron(text: &str) -> Result<deepnote::Cron, String> {
    deepnote::Cron::parse(text).map_err(|e| e.to_string())
}

fn parse_daily(text: &str) -> Result<deepnote::Cron, String> {
    deepnote::Cron::daily_at(text).map_err(|e| e.to_string())
}

fn parse_timezone(text: &str) -> Result<deepnote::TimeZone, String> {
    deepnote::TimeZone::parse(text).map_err(|e| e.to_string())
}

/// `deepnote integrations ...`
#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// List the workspace's integrations (the whole list: it has no pages)
    List {
        /// Only those whose name contains this text
        #[arg(long, value_name = "TEXT")]
        name_contains: Option<String>,
        /// Only this kind, such as pgsql or big-query (repeatable)
        #[arg(long = "type", value_name = "TYPE")]
        types: Vec<String>,
        /// Only this integration (repeatable)
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        /// Only those whose kind has (true) or lacks (false) a schema
        #[arg(long, value_name = "BOOL")]
        has_schema: Option<bool>,
        /// Include each one's metadata (admin keys only)
        #[arg(long)]
        include_metadata: bool,
    },
    /// Show one integration with its tables
    Get {
        /// The integration's id
        integration: String,
        /// Only the tables of this database
        #[arg(long, value_name = "NAME")]
        database: Option<String>,
        /// Only the tables of this schema
        #[arg(long, value_name = "NAME")]
        schema: Option<String>,
    },
}

/// `deepnote machines ...`
#[derive(Debug, Subcommand)]
pub enum MachinesCommand {
    /// List the machine types projects can run on
    Types,
    /// Show a project's editor machine: status and type
    Get {
        /// The project's id
        project: String,
    },
    /// Change a project's machine type (the request's shape is inferred from Deepnote's
    /// machines guide, so the live API may refuse it)
    Set {
        /// The project's id
        project: String,
        /// The machine type's id, as `deepnote machines types` lists it
        machine_type: String,
    },
}

/// `deepnote sessions ...`
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Start a session on a notebook: it runs the notebook once and stays up for `exec`
    Create {
        /// The notebook's id
        notebook: String,
        /// An input block's value, NAME=VALUE (repeatable), typed as for `deepnote run`
        #[arg(long = "input", short = 'i', value_name = "NAME=VALUE", value_parser = parse_input)]
        inputs: Vec<InputArg>,
        /// A JSON object of input values (`-` for stdin); --input overrides its entries
        #[arg(long, value_name = "PATH")]
        input_file: Option<PathBuf>,
        /// Keep the session from writing to the project's files
        #[arg(long)]
        read_only: bool,
        /// End the session after this long without activity, such as 30m
        #[arg(long, value_name = "DURATION", value_parser = parse_positive)]
        idle_shutdown: Option<std::time::Duration>,
    },
    /// Run code in a session's kernel and print its outputs (exit 5 when the code raised)
    Exec {
        /// The session's id
        session: String,
        /// The notebook the session was started on
        #[arg(long, value_name = "ID")]
        notebook: String,
        /// The code to run (`-`: read it from stdin)
        code: String,
        /// Give up on the code after this long, such as 30s
        #[arg(long, value_name = "DURATION", value_parser = parse_positive)]
        timeout: Option<std::time::Duration>,
    },
}

/// A duration as `--timeout` reads them, but one that ends: `none` is refused.
fn parse_positive(text: &str) -> Result<std::time::Duration, String> {
    match parse_timeout(text)? {
        Deadline(Some(d)) => Ok(d),
        Deadline(None) => Err("give a duration, such as 30s or 10m".into()),
    }
}

/// `deepnote search QUERY ...`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for, in names and contents
    pub query: String,
    /// Look only in these kinds (repeatable) [default: all]
    #[arg(long = "type", value_enum, value_name = "KIND")]
    pub types: Vec<SearchKind>,
}

/// What `search --type` looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchKind {
    /// Projects
    Projects,
    /// Notebooks
    Notebooks,
    /// Blocks
    Blocks,
    /// Integrations
    Integrations,
}

impl SearchKind {
    /// The SDK's kind.
    pub fn to_sdk(self) -> deepnote::SearchType {
        match self {
            SearchKind::Projects => deepnote::SearchType::Projects,
            SearchKind::Notebooks => deepnote::SearchType::Notebooks,
            SearchKind::Blocks => deepnote::SearchType::Blocks,
            SearchKind::Integrations => deepnote::SearchType::Integrations,
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

    #[test]
    fn the_tree_is_consistent() {
        Cli::command().debug_assert();
        // With the hidden copies of the global options, as the binary parses it.
        command().debug_assert();
    }
}
