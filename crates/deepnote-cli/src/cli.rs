//! The top of the command tree, as clap sees it: the parser, the global options and the
//! [`Command`] enum naming each command's arguments. Each command's own arguments live in
//! `commands/`, beside the code that runs them.

use crate::commands::apps::{AppsCommand, StreamlitCommand};
use crate::commands::auth::AuthCommand;
use crate::commands::blocks::BlocksCommand;
use crate::commands::completions::Shell;
use crate::commands::emulator::EmulatorCommand;
use crate::commands::files::FilesCommand;
use crate::commands::integrations::IntegrationsCommand;
use crate::commands::machines::MachinesCommand;
use crate::commands::me::ExecuteArgs;
use crate::commands::notebooks::NotebooksCommand;
use crate::commands::projects::ProjectsCommand;
use crate::commands::publish::{PublishArgs, StaticSiteCommand};
use crate::commands::run::RunArgs;
use crate::commands::runs::RunsCommand;
use crate::commands::schedules::SchedulesCommand;
use crate::commands::search::SearchArgs;
use crate::commands::sessions::SessionsCommand;
use crate::commands::sync::SyncCommand;
use crate::exit::exit_codes_help;
use crate::output::OutputFormat;
use clap::{Args, Parser, Subcommand};
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
        deepnote::credentials::API_KEY_ENV,
        deepnote::credentials::TOKEN_ENV,
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
        env = deepnote::client::BASE_URL_ENV,
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
        default_value = deepnote::credentials::DEFAULT_PROFILE
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
    /// List, get, create, update and delete projects
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
    /// Publish a local folder as the project's static site (below `_deepnote_static/`)
    ///
    /// Every file of the folder is uploaded (streamed), replacing the project's file of the
    /// same path; with --prune, the project's files below --path that the folder lacks are
    /// removed once every upload succeeded; then sharing is turned on. --dry-run shows it all
    /// and changes nothing. Files named .env or .env.* are refused (they hold secrets).
    #[command(after_help = exit_codes_help())]
    Publish(PublishArgs),
    /// Serve a project's Python file as a Streamlit app; list apps, show or wait for one
    #[command(subcommand)]
    Apps(AppsCommand),
    /// Deepnote's CLI's spelling of `deepnote apps create`: `streamlit publish ENTRYPOINT
    /// --project-id ID`
    #[command(subcommand)]
    Streamlit(StreamlitCommand),
    /// Deepnote's CLI's spelling of `deepnote projects update`: `static-site access
    /// --project-id ID --sharing … --api-access …`
    #[command(subcommand, name = "static-site")]
    StaticSite(StaticSiteCommand),
    /// Create an interactive session on a notebook, and run code in it
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Search the workspace's projects, notebooks, blocks and integrations
    Search(SearchArgs),
    /// Show the calling API key, its user, workspace and access level
    Me,
    /// Trigger a notebook with the legacy v1 execute endpoint (no run id, no status)
    Execute(ExecuteArgs),
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
