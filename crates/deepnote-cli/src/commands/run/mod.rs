//! `deepnote run NOTEBOOK`: start a run, then (unless `--no-wait`) watch it to its end.
//! Several notebooks go to [`batch`].

mod batch;
mod file_ids;
mod notebook_file;
mod project_create;

use crate::app::Context;
use crate::cli::RunArgs;
use crate::exit::CliResult;
use crate::snapshots::{DEFAULT_DIR, Target};
use crate::{inputs, watch};
use deepnote::Client;

/// Starts the run and, by default, waits for it.
pub async fn run(ctx: &mut Context, client: &Client, mut args: RunArgs) -> CliResult {
    notebook_file::resolve(ctx, client, &mut args).await?;
    let mut notebooks = batch::notebooks(&args)?;
    if notebooks.len() > 1 {
        return batch::run(ctx, client, &args, notebooks).await;
    }
    let notebook = notebooks.remove(0);
    let values = inputs::of(args.input_file.as_deref(), &args.inputs)?;
    let request = batch::request(&args, &notebook, &values);
    // The snapshot's destination is checked before the run starts, not after it ends.
    let snapshot = snapshot_target(&args);
    snapshot.prepare()?;
    let handle = match client.runs().start(&request).await {
        Ok(handle) => handle,
        Err(error) => {
            watch::report_not_started(&notebook, &error);
            return Err(crate::errors::about(subject(&notebook, &args), error));
        }
    };
    ctx.note(format!(
        "started run {} of notebook {}",
        handle.id(),
        notebook
    ));
    if args.no_wait {
        return Ok(ctx.out.item(&handle)?);
    }
    watch::wait_and_report(ctx, client, handle.wait(), &notebook, &args.wait, &snapshot).await
}

/// What a refused start concerns: the notebook, and the blocks `--block` named (the server's
/// "Block not found in notebook" names neither).
fn subject(notebook: &str, args: &RunArgs) -> String {
    if args.blocks.is_empty() {
        format!("notebook {notebook}")
    } else {
        format!("notebook {notebook} (--block {})", args.blocks.join(", "))
    }
}

/// `--snapshot-out`, else `--no-snapshot`, else Deepnote's `snapshots/` directory.
fn snapshot_target(args: &RunArgs) -> Target {
    let default = if args.no_snapshot || args.no_wait {
        Target::Nowhere
    } else {
        Target::Dir(DEFAULT_DIR.into())
    };
    Target::from_flag(args.wait.snapshot_out.as_deref(), default)
}
