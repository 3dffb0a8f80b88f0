//! `deepnote runs get|wait`.

use crate::app::Context;
use crate::cli::RunsCommand;
use crate::exit::{CliError, CliResult};
use crate::snapshots::Target;
use crate::watch;
use deepnote::{Client, RunId};

/// Runs one `runs` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: RunsCommand) -> CliResult {
    match command {
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
