//! `deepnote apps list|create|status|wait`, and Deepnote's spelling of create,
//! `deepnote streamlit publish ENTRYPOINT --project-id ID [--no-wait]`.

use crate::app::Context;
use crate::duration::{Deadline, parse_timeout};
use crate::exit::{CliError, CliResult, exit_codes_help};
use crate::output::{Column, col};
use crate::progress::{Mode, Progress};
use clap::{Args, Subcommand};
use deepnote::Client;
use std::sync::{Arc, Mutex};

/// The table columns of an app list.
const COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("ENTRYPOINT", "/entrypoint"),
    col("URL", "/url"),
    col("CREATED", "/createdAt"),
];

/// `deepnote apps ...`
#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// List a project's Streamlit apps
    List {
        /// The project's id
        project: String,
    },
    /// Serve a Python file already in the project's files as a Streamlit app, then wait until
    /// it runs (a file served already is found, not created again)
    ///
    /// Creating an app restarts the project's machine, which interrupts whoever works in the
    /// project.
    #[command(after_help = exit_codes_help())]
    Create {
        /// The project's id
        project: String,
        /// The file's path in the project (`apps/dashboard.py`)
        entrypoint: String,
        /// How to wait.
        #[command(flatten)]
        wait: AppWaitArgs,
    },
    /// Show an app's status: running, starting or unavailable
    Status {
        /// The app's id
        app: String,
    },
    /// Wait until an app runs
    #[command(after_help = exit_codes_help())]
    Wait {
        /// The app's id
        app: String,
        /// Give up after this long (`30s`, `10m`, `none`)
        #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "10m")]
        timeout: Deadline,
    },
}

/// `deepnote streamlit ...`: Deepnote's own CLI's spelling.
#[derive(Debug, Subcommand)]
pub enum StreamlitCommand {
    /// Serve a file already in the project as a Streamlit app (`deepnote apps create`)
    #[command(after_help = exit_codes_help())]
    Publish {
        /// The file's path in the project (`apps/dashboard.py`)
        entrypoint: String,
        /// The project's id
        #[arg(long, value_name = "ID")]
        project_id: String,
        /// How to wait.
        #[command(flatten)]
        wait: AppWaitArgs,
    },
}

/// Whether and how long to wait for an app to run.
#[derive(Debug, Args, Clone)]
pub struct AppWaitArgs {
    /// Return once the app is created or found, without waiting for it to run
    #[arg(long, conflicts_with = "timeout")]
    pub no_wait: bool,
    /// Give up waiting after this long (`30s`, `10m`, `none`); the app goes on starting
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, default_value = "10m")]
    pub timeout: Deadline,
}

/// Runs one `apps` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: AppsCommand) -> CliResult {
    match command {
        AppsCommand::List { project } => {
            for app in &client.apps().list(project).await? {
                ctx.out.list_item(app)?;
            }
            Ok(ctx.out.finish_list(COLUMNS, "apps")?)
        }
        AppsCommand::Create {
            project,
            entrypoint,
            wait,
        } => publish(ctx, client, &project, &entrypoint, &wait).await,
        AppsCommand::Status { app } => {
            let status = client.apps().status(app.as_str()).await?;
            Ok(ctx
                .out
                .item(&serde_json::json!({ "id": app, "status": status.as_str() }))?)
        }
        AppsCommand::Wait { app, timeout } => wait_running(ctx, client, &app, timeout).await,
    }
}

/// Runs one `streamlit` subcommand.
pub async fn streamlit(ctx: &mut Context, client: &Client, command: StreamlitCommand) -> CliResult {
    match command {
        StreamlitCommand::Publish {
            entrypoint,
            project_id,
            wait,
        } => publish(ctx, client, &project_id, &entrypoint, &wait).await,
    }
}

/// Create the app serving `entrypoint` (or find the one serving it), print it, and wait until
/// it runs unless `--no-wait`.
async fn publish(
    ctx: &mut Context,
    client: &Client,
    project: &str,
    entrypoint: &str,
    wait: &AppWaitArgs,
) -> CliResult {
    let ensured = client.apps().ensure(project, entrypoint).await?;
    let app = &ensured.app;
    if ensured.created {
        ctx.note(format!(
            "created app {} serving {}; the project's machine restarts to serve it, which \
             interrupts whoever works in the project",
            app.id, app.entrypoint
        ));
    } else {
        ctx.note(format!(
            "{} is served already by app {}; nothing was changed",
            app.entrypoint, app.id
        ));
    }
    ctx.out.item(&ensured)?;
    if wait.no_wait {
        return Ok(());
    }
    wait_running(ctx, client, app.id.as_str(), wait.timeout).await
}

async fn wait_running(
    ctx: &mut Context,
    client: &Client,
    app: &str,
    timeout: Deadline,
) -> CliResult {
    let progress = Arc::new(Mutex::new(Progress::start(
        Mode::detect(ctx.global.quiet),
        format!("app {app}"),
    )));
    let seen = progress.clone();
    let outcome = client
        .apps()
        .wait_running(app)
        .deadline(timeout.0.unwrap_or(std::time::Duration::MAX))
        .on_status(move |status| {
            if let Ok(mut p) = seen.lock() {
                p.status(status.as_str());
            }
        })
        .await;
    let mut progress = progress
        .lock()
        .map_err(|_| CliError::api("progress lost"))?;
    match outcome {
        Ok(()) => {
            progress.finish("running");
            Ok(())
        }
        Err(e) => {
            progress.finish("not running");
            let mut error = CliError::from(e);
            if error.exit == crate::exit::Exit::Timeout {
                error.message.push_str(
                    "; it goes on starting: check the project's machine in Deepnote, then \
                     `deepnote apps wait` again",
                );
            }
            Err(error)
        }
    }
}
