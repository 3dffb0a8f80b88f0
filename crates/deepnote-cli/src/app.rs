//! From a parsed command line to an exit code: logging, output, the runtime, the command.

use crate::cli::{Cli, Command};
use crate::commands;
use crate::connect::Session;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::Output;

/// Everything a command needs besides its own arguments.
pub struct Context {
    /// Options every command takes.
    pub global: crate::cli::GlobalArgs,
    /// Where data goes.
    pub out: Output,
}

impl Context {
    /// A note for a person on stderr, unless `--quiet`.
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.global.quiet {
            eprintln!("{}", text.as_ref());
        }
    }
}

/// Said once per `--local` command: a project created there is gone from the next one.
const LOCAL_NOTE: &str = "note: --local starts a fresh emulator for this command only; what it \
     creates is gone when the command ends (`deepnote emulator start` keeps one running)";

/// Runs one command line to its exit code; errors are printed here, on stderr.
pub fn run(cli: Cli) -> Exit {
    init_logging(cli.global.verbose);
    crate::progress::set_quiet(cli.global.quiet);
    let mut ctx = Context {
        out: Output::for_stdout(cli.global.output),
        global: cli.global,
    };
    match dispatch(&mut ctx, cli.command) {
        Ok(()) => Exit::Success,
        Err(error) => {
            if !error.message.is_empty() {
                eprintln!("error: {}", error.message);
            }
            error.exit
        }
    }
}

fn dispatch(ctx: &mut Context, command: Command) -> CliResult {
    match command {
        // These need no session: completions touch nothing, auth builds its own client to
        // check a new key, and the demo starts its own emulator.
        Command::Completions { shell } => commands::completions::print(shell),
        Command::Auth(auth) => commands::auth::run(ctx, auth),
        Command::Demo => runtime(true)?.block_on(crate::demo::run(ctx)),
        Command::Emulator(command) => commands::emulator::run(ctx, command),
        command => {
            crate::local_args::check(&command)?;
            // The embedded emulator serves requests on the runtime's workers while the command
            // waits on them; a plain API call needs only the current thread.
            // A build without the emulator refuses --local instead; no note before that.
            if ctx.global.local && cfg!(feature = "local") {
                ctx.note(LOCAL_NOTE);
            }
            runtime(ctx.global.local)?.block_on(async {
                let session = Session::open(&ctx.global).await?;
                let result = call(ctx, &session.client, command).await;
                session.close().await;
                result
            })
        }
    }
}

async fn call(ctx: &mut Context, client: &deepnote::Client, command: Command) -> CliResult {
    match command {
        Command::Run(args) => commands::run::run(ctx, client, args).await,
        Command::Projects(command) => commands::projects::run(ctx, client, command).await,
        Command::Notebooks(command) => commands::notebooks::run(ctx, client, command).await,
        Command::Runs(command) => commands::runs::run(ctx, client, command).await,
        Command::Sync(command) => commands::sync::run(ctx, client, command).await,
        Command::Blocks(command) => commands::blocks::run(ctx, client, command).await,
        Command::Files(command) => commands::files::run(ctx, client, command).await,
        Command::Schedules(command) => commands::schedules::run(ctx, client, command).await,
        Command::Integrations(command) => commands::integrations::run(ctx, client, command).await,
        Command::Machines(command) => commands::machines::run(ctx, client, command).await,
        Command::Sessions(command) => commands::sessions::run(ctx, client, command).await,
        Command::Publish(args) => commands::publish::publish(ctx, client, args).await,
        Command::Apps(command) => commands::apps::run(ctx, client, command).await,
        Command::Streamlit(command) => commands::apps::streamlit(ctx, client, command).await,
        Command::StaticSite(command) => commands::publish::static_site(ctx, client, command).await,
        Command::Search(args) => commands::search::run(ctx, client, args).await,
        Command::Me => commands::me::me(ctx, client).await,
        Command::Execute(args) => {
            commands::me::execute(ctx, client, &args.project, &args.notebook).await
        }
        Command::Completions { .. } | Command::Auth(_) | Command::Demo | Command::Emulator(_) => {
            unreachable!("dispatched without a client")
        }
    }
}

/// A tokio runtime: two workers when the embedded emulator must serve alongside the command.
pub(crate) fn runtime(multi_thread: bool) -> CliResult<tokio::runtime::Runtime> {
    let mut builder = if multi_thread {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(2);
        b
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| CliError::api(format!("cannot start the async runtime: {e}")))
}

/// `-v` logs at debug, `-vv` at trace, to stderr. Without `-v` nothing is logged: stderr is
/// for errors and progress. The API key never reaches a log: the SDK redacts it in `Debug`
/// and sends it only as a header, which no layer logs.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(
            !crate::output::no_color() && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        )
        .try_init();
}
