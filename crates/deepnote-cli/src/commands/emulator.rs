//! `deepnote emulator start`: the bundled emulator in the foreground, until Ctrl-C or SIGTERM,
//! so state lasts across commands (unlike `--local`, which lives for one command).

use crate::app::Context;
use crate::exit::CliResult;
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;

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

/// Runs one `emulator` subcommand.
pub fn run(ctx: &mut Context, command: EmulatorCommand) -> CliResult {
    match command {
        EmulatorCommand::Start {
            data_dir,
            port,
            dialect,
        } => start(ctx, data_dir, port, dialect),
    }
}

#[cfg(feature = "local")]
fn start(
    ctx: &mut Context,
    data_dir: Option<std::path::PathBuf>,
    port: u16,
    dialect: EmulatorDialect,
) -> CliResult {
    use crate::exit::CliError;
    let dialect = match dialect {
        EmulatorDialect::Live => deepnote_emulator::Dialect::Live,
        EmulatorDialect::Spec => deepnote_emulator::Dialect::Spec,
    };
    crate::app::runtime(true)?.block_on(async {
        let mut builder = deepnote_emulator::Emulator::builder()
            .seed_sample()
            .port(port)
            .dialect(dialect);
        if let Some(dir) = &data_dir {
            std::fs::create_dir_all(dir).map_err(|e| {
                CliError::api(format!(
                    "cannot create the data directory {}: {e}",
                    dir.display()
                ))
            })?;
            builder = builder.data_dir(dir);
        }
        let emulator = builder
            .start()
            .await
            .map_err(|e| CliError::api(format!("cannot start the emulator: {e}")))?;
        // Ctrl-C and SIGTERM are handled from here on, before the address is out: a script
        // may stop the emulator as soon as it has read it.
        let stopped = crate::signals::listen();
        // stdout: a script can read the address; the rest is for the person at the terminal.
        println!("{}", emulator.base_url());
        ctx.note(format!(
            "deepnote emulator listening on {url}\n\
             dialect: {dialect}\n\
             state: {state}\n\
             sample project {project}, notebook {notebook}\n\
             use it from another shell:\n  \
             export {base_env}={url} {key_env}={key}\n  \
             deepnote projects list\n\
             stop it with Ctrl-C",
            url = emulator.base_url(),
            dialect = emulator.dialect(),
            state = data_dir.as_ref().map_or_else(
                || "in memory, gone when it stops (--data-dir DIR keeps it)".to_string(),
                |d| format!("kept in {}", d.display())
            ),
            project = crate::local::SAMPLE_PROJECT_ID,
            notebook = crate::local::SAMPLE_NOTEBOOK_ID,
            key = crate::local::SAMPLE_KEY,
            base_env = deepnote::client::BASE_URL_ENV,
            key_env = deepnote::credentials::API_KEY_ENV,
        ));
        let signal = tokio::select! {
            signal = stopped => Some(signal),
            () = emulator.stop_requested() => None,
        };
        emulator.shutdown().await;
        match signal {
            Some(signal) => {
                ctx.note(format!("stopped the emulator ({})", signal.name()));
                // Asked to stop and stopped cleanly: that is success, not an interruption.
                Ok(())
            }
            None => Ok(()),
        }
    })
}

#[cfg(not(feature = "local"))]
fn start(
    _ctx: &mut Context,
    _data_dir: Option<std::path::PathBuf>,
    _port: u16,
    _dialect: EmulatorDialect,
) -> CliResult {
    Err(crate::local::not_built("`deepnote emulator start`"))
}
