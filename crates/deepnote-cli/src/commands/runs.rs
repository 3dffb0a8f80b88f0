//! `deepnote runs list|get|wait`.

use crate::app::Context;
use crate::exit::{CliError, CliResult, exit_codes_help};
use crate::snapshots::Target;
use crate::watch::{self, WaitArgs};
use clap::Subcommand;
use deepnote::{Client, RunId};
use std::path::PathBuf;

/// `deepnote runs ...`
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// List a notebook's runs, newest first (every page unless --limit)
    List(crate::commands::notebooks::RunsListArgs),
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

/// Runs one `runs` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: RunsCommand) -> CliResult {
    match command {
        RunsCommand::List(args) => crate::commands::notebooks::list_runs(ctx, client, args).await,
        RunsCommand::Get { run, snapshot_out } => {
            let id = RunId::parse(&run)?;
            let target = Target::from_flag(snapshot_out.as_deref(), Target::Nowhere);
            target.prepare()?;
            let run = client
                .runs()
                .get(id)
                .send()
                .await
                .map_err(|e| crate::errors::about(format!("run {id}"), e))?;
            if target.leaves_stdout_free() {
                ctx.out.item(&run)?;
            }
            if target == Target::Nowhere {
                return Ok(());
            }
            if !run.is_finished() {
                return Err(CliError::api(format!(
                    "run {id} has not finished (status {}), so it has no snapshot yet; \
                     `deepnote runs wait {id} --snapshot-out PATH` waits for it and saves it",
                    run.status
                )));
            }
            if let Some(saved) = target.save(client, &run).await? {
                watch::note_saved(ctx, &saved);
            }
            Ok(())
        }
        RunsCommand::Wait { run, wait } => {
            let id = RunId::parse(&run)?;
            let target = Target::from_flag(wait.snapshot_out.as_deref(), Target::Nowhere);
            target.prepare()?;
            let follow = client.runs().wait(id);
            watch::wait_and_report(ctx, client, follow, watch::UNKNOWN_NOTEBOOK, &wait, &target)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::duration::Deadline;
    use clap::Parser;

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
}
