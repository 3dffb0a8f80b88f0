//! `deepnote blocks list|get|create|update|delete`.

use crate::app::Context;
use crate::cli::{BlocksCommand, ContentArgs};
use crate::exit::{CliError, CliResult};
use crate::output::{Column, col};
use deepnote::Client;

/// The table columns of a block list.
pub const BLOCK_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("TYPE", "/type"),
    col("CONTENT", "/content"),
];

/// Runs one `blocks` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: BlocksCommand) -> CliResult {
    match command {
        BlocksCommand::List { notebook } => {
            let blocks = client.notebooks().blocks(notebook.as_str()).await?;
            if blocks.is_empty() {
                // The original spec's API lists no blocks, even of a notebook that has some.
                ctx.note(format!(
                    "note: the answer for notebook {notebook} lists no blocks (an API in the \
                     original spec's shape lists none)"
                ));
            }
            for block in &blocks {
                ctx.out.list_item(block)?;
            }
            Ok(ctx.out.finish_list(BLOCK_COLUMNS, "blocks")?)
        }
        BlocksCommand::Get { block } => {
            let block = client.blocks().get(block).await?;
            Ok(ctx.out.item(&block)?)
        }
        BlocksCommand::Create {
            notebook,
            block_type,
            content,
            position,
            integration,
        } => {
            let mut request = client.blocks().create(notebook, block_type);
            if let Some(text) = read_content(&content)? {
                request = request.content(text);
            }
            if let Some(position) = position {
                request = request.position(position);
            }
            if let Some(integration) = integration {
                request = request.integration(integration);
            }
            let created = request.send().await?;
            ctx.note(format!("created block {}", created.block.id));
            Ok(ctx.out.item(&created.block)?)
        }
        BlocksCommand::Update {
            block,
            content,
            integration,
        } => {
            let mut request = client.blocks().update(block);
            if let Some(text) = read_content(&content)? {
                request = request.content(text);
            }
            if let Some(integration) = integration {
                request = request.integration(integration);
            }
            Ok(ctx.out.item(&request.send().await?)?)
        }
        BlocksCommand::Delete { block, yes } => {
            crate::confirm::delete(&format!("block {block}"), yes)?;
            client.blocks().delete(block.as_str()).await?;
            ctx.note(format!("deleted block {block}"));
            Ok(())
        }
    }
}

/// `--content TEXT`, or the text of `--content-file PATH` (`-`: stdin).
fn read_content(args: &ContentArgs) -> CliResult<Option<String>> {
    if let Some(text) = &args.content {
        return Ok(Some(text.clone()));
    }
    let Some(path) = &args.content_file else {
        return Ok(None);
    };
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| CliError::usage(format!("cannot read --content-file from stdin: {e}")))?
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            CliError::usage(format!(
                "cannot read --content-file {}: {e}",
                path.display()
            ))
        })?
    };
    Ok(Some(text))
}
