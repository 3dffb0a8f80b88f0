//! `deepnote me` and `deepnote execute`: the two one-call commands.

use crate::app::Context;
use crate::exit::CliResult;
use clap::Args;
use deepnote::Client;

/// `deepnote me`: who the key belongs to.
pub async fn me(ctx: &mut Context, client: &Client) -> CliResult {
    let me = client.me().get().await?;
    Ok(ctx.out.item(&me)?)
}

/// `deepnote execute PROJECT NOTEBOOK`
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    /// The project's id
    pub project: String,
    /// The notebook's id
    pub notebook: String,
}

/// `deepnote execute PROJECT NOTEBOOK`: the legacy v1 trigger, which returns nothing to show.
pub async fn execute(
    ctx: &mut Context,
    client: &Client,
    project: &str,
    notebook: &str,
) -> CliResult {
    client.notebooks().execute_v1(project, notebook).await?;
    ctx.note(format!(
        "triggered notebook {notebook} of project {project} (the v1 endpoint returns no run to follow; \
         use `deepnote run` for one)"
    ));
    Ok(())
}
