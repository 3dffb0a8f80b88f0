//! `deepnote blocks list|get|create|update|delete|reorder`.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{Column, col};
use clap::{Args, Subcommand};
use deepnote::Client;
use std::path::PathBuf;

/// The table columns of a block list.
pub const BLOCK_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("TYPE", "/type"),
    col("CONTENT", "/content"),
];

/// `deepnote blocks ...`
#[derive(Debug, Subcommand)]
pub enum BlocksCommand {
    /// List a notebook's blocks in order (id, type, content)
    List {
        /// The notebook's id
        notebook: String,
    },
    /// Show one block, with its metadata and version
    Get {
        /// The block's id
        block: String,
    },
    /// Add a block to a notebook (at the end unless --position)
    Create {
        /// The notebook's id
        notebook: String,
        /// The block's kind: code, sql, markdown, input-text, text-cell-h1, ...
        #[arg(long = "type", value_name = "TYPE", default_value = "code",
              value_parser = parse_block_type)]
        block_type: deepnote::blocks::BlockType,
        /// Its content.
        #[command(flatten)]
        content: ContentArgs,
        /// Its zero-based index among the notebook's blocks
        #[arg(long, value_name = "N")]
        position: Option<u64>,
        /// The integration a SQL block queries
        #[arg(long, value_name = "ID")]
        integration: Option<String>,
    },
    /// Change a block's content or integration, keeping its id
    #[command(group(clap::ArgGroup::new("change").required(true).multiple(true)
        .args(["content", "content_file", "integration"])))]
    Update {
        /// The block's id
        block: String,
        /// Its new content.
        #[command(flatten)]
        content: ContentArgs,
        /// The integration a SQL block queries from now on
        #[arg(long, value_name = "ID")]
        integration: Option<String>,
    },
    /// Move blocks, as a group in the order given, to the top (default), the end, or after a
    /// block; the others keep their order. Prints the new order
    Reorder(crate::commands::notebooks::ReorderArgs),
    /// Delete a block (asks first on a terminal; --yes elsewhere)
    Delete {
        /// The block's id
        block: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

fn parse_block_type(text: &str) -> Result<deepnote::blocks::BlockType, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a block type (code, sql, markdown, input-text, ...)"))
}

/// Runs one `blocks` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: BlocksCommand) -> CliResult {
    match command {
        BlocksCommand::Reorder(args) => {
            crate::commands::notebooks::reorder(ctx, client, args).await
        }
        BlocksCommand::List { notebook } => {
            let blocks = client.blocks().list(notebook.as_str()).await?.items;
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

/// A block's source, given inline or read from a file.
#[derive(Debug, Args, Clone)]
pub struct ContentArgs {
    /// The block's source (code, SQL, markdown, an input's value)
    #[arg(long, value_name = "TEXT", conflicts_with = "content_file")]
    pub content: Option<String>,
    /// Read the block's source from this file (`-`: stdin)
    #[arg(long, value_name = "PATH")]
    pub content_file: Option<PathBuf>,
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
