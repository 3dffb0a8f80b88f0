//! `deepnote runs get|wait`.

use crate::app::Context;
use crate::cli::RunsCommand;
use crate::exit::CliResult;
use crate::{view, watch};
use deepnote::{Client, RunId};

/// Runs one `runs` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: RunsCommand) -> CliResult {
    match command {
        RunsCommand::Get { run, snapshot_out } => {
            let id = RunId::parse(&run)?;
            let run = client.runs().get(id).send().await?;
            ctx.out.item(&view::run(&run))?;
            if let Some(path) = snapshot_out {
                let bytes = watch::write_snapshot(client, id, &path).await?;
                ctx.note(format!(
                    "wrote the snapshot ({bytes} bytes) to {}",
                    path.display()
                ));
            }
            Ok(())
        }
        RunsCommand::Wait { run, wait } => {
            let id = RunId::parse(&run)?;
            watch::wait_and_report(ctx, client, id, "(unknown notebook)", &wait).await
        }
    }
}
