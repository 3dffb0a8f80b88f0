//! `deepnote notebooks list|get|create|update|delete|inputs`, and the old spellings `notebooks
//! rename` (now `update`), `notebooks runs` (now `runs list`) and `notebooks reorder` (now
//! `blocks reorder`), kept working but hidden.

use crate::app::Context;
use crate::commands::lists;
use crate::commands::lists::ListArgs;
use crate::exit::CliResult;
use crate::output::{Column, Output, col};
use clap::{Args, Subcommand};
use deepnote::{BlockId, Client, blocks::Placement};
use serde::Serialize;

/// The table columns of a notebook's inputs.
pub const INPUT_COLUMNS: &[Column] = &[
    col("NAME", "/name"),
    col("TYPE", "/type"),
    col("VALUE", "/value"),
    col("OPTIONS", "/options"),
    col("MIN", "/min"),
    col("MAX", "/max"),
    col("STEP", "/step"),
    col("BLOCK", "/blockId"),
];

/// The table columns of a notebook's block order.
pub const ORDER_COLUMNS: &[Column] = &[col("POSITION", "/position"), col("BLOCK", "/id")];

/// One place in a notebook's block order.
#[derive(Serialize)]
struct Position<'a> {
    position: usize,
    id: &'a BlockId,
}

/// The table columns of a notebook list: pointers into the SDK's `Notebook` as it serializes.
const NOTEBOOK_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("PROJECT", "/projectId"),
];

/// The table columns of a run list: pointers into the SDK's `Run` as it serializes.
const RUN_COLUMNS: &[Column] = &[
    col("RUN", "/runId"),
    col("STATUS", "/status"),
    col("CREATED", "/createdAt"),
    col("FINISHED", "/completedAt"),
    col("ERROR", "/error"),
];

/// `deepnote notebooks ...`
#[derive(Debug, Subcommand)]
pub enum NotebooksCommand {
    /// List a project's notebooks (as the project's answer names them)
    List {
        /// The project's id
        project: String,
    },
    /// Show one notebook
    Get {
        /// The notebook's id
        notebook: String,
    },
    /// Create an empty notebook in a project
    Create {
        /// The project to create it in
        project: String,
        /// The notebook's name (as `projects create` takes its name)
        #[arg(value_name = "NAME")]
        name: Option<String>,
        /// The notebook's name, as a flag
        #[arg(long = "name", value_name = "NAME", conflicts_with = "name")]
        name_flag: Option<String>,
    },
    /// Delete a notebook (asks first on a terminal; --yes elsewhere)
    Delete {
        /// The notebook's id
        notebook: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// `deepnote runs list`, as it was spelled before
    #[command(hide = true)]
    Runs(RunsListArgs),
    /// List a notebook's input blocks: name, kind, current value, options and limits
    Inputs {
        /// The notebook's id
        notebook: String,
    },
    /// Rename a notebook (naming it `Init` makes it the project's init notebook)
    #[command(visible_alias = "rename")]
    #[command(group(clap::ArgGroup::new("new_name").required(true).args(["name", "name_flag"])))]
    Update {
        /// The notebook's id
        notebook: String,
        /// Its new name
        #[arg(value_name = "NAME")]
        name: Option<String>,
        /// Its new name, as a flag
        #[arg(long = "name", value_name = "NAME")]
        name_flag: Option<String>,
    },
    /// `deepnote blocks reorder`, as it was spelled before
    #[command(hide = true)]
    Reorder(ReorderArgs),
}

/// A notebook's runs to list.
#[derive(Debug, Args)]
pub struct RunsListArgs {
    /// The notebook's id
    pub notebook: String,
    /// Paging.
    #[command(flatten)]
    pub list: ListArgs,
}

/// Blocks to move in a notebook's order.
#[derive(Debug, Args)]
pub struct ReorderArgs {
    /// The notebook's id
    pub notebook: String,
    /// The blocks to move, in the order they should have
    #[arg(value_name = "BLOCK", required = true)]
    pub blocks: Vec<String>,
    /// Put them after every other block instead
    #[arg(long, conflicts_with = "after")]
    pub end: bool,
    /// Put them right after this block instead
    #[arg(long, value_name = "BLOCK")]
    pub after: Option<String>,
}

/// Lists a notebook's runs, newest first (`runs list`).
pub async fn list_runs(ctx: &mut Context, client: &Client, args: RunsListArgs) -> CliResult {
    let RunsListArgs { notebook, list } = args;
    let mut request = client.runs().list(notebook);
    if let Some(size) = lists::page_size(&list) {
        request = request.page_size(size);
    }
    let print_one = |out: &mut Output, r: &_| out.list_item(r);
    lists::print(ctx, request.stream(), &list, print_one, RUN_COLUMNS, "runs").await
}

/// Moves blocks in a notebook's order and prints the new order (`blocks reorder`).
pub async fn reorder(ctx: &mut Context, client: &Client, args: ReorderArgs) -> CliResult {
    let ReorderArgs {
        notebook,
        blocks,
        end,
        after,
    } = args;
    let placement = match (end, after) {
        (_, Some(after)) => Placement::After(after.into()),
        (true, None) => Placement::End,
        (false, None) => Placement::Start,
    };
    let order = client.blocks().reorder(notebook, blocks, placement).await?;
    for (position, id) in order.iter().enumerate() {
        ctx.out.list_item(&Position { position, id })?;
    }
    Ok(ctx.out.finish_list(ORDER_COLUMNS, "blocks")?)
}

/// Runs one `notebooks` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: NotebooksCommand) -> CliResult {
    match command {
        NotebooksCommand::List { project } => {
            let project = client.projects().get(project).await?;
            if project.notebooks.is_empty() {
                // An answer in the original spec's shape lists none, even for a project that
                // has notebooks: say so rather than let an empty list pass for the truth.
                ctx.note(format!(
                    "note: the answer for project {} lists no notebooks (an API in the original \
                     spec's shape lists none); `deepnote notebooks get ID` shows one by id",
                    project.id
                ));
            }
            for notebook in &project.notebooks {
                ctx.out.list_item(&notebook.to_notebook(&project.id))?;
            }
            Ok(ctx.out.finish_list(NOTEBOOK_COLUMNS, "notebooks")?)
        }
        NotebooksCommand::Get { notebook } => {
            let notebook = client.notebooks().get(notebook).await?;
            Ok(ctx.out.item(&notebook)?)
        }
        NotebooksCommand::Create {
            project,
            name,
            name_flag,
        } => {
            let mut request = client.notebooks().create(project);
            if let Some(name) = name.or(name_flag) {
                request = request.name(name);
            }
            let notebook = request.send().await?;
            Ok(ctx.out.item(&notebook)?)
        }
        NotebooksCommand::Delete { notebook, yes } => {
            crate::confirm::delete(&format!("notebook {notebook}"), yes)?;
            client.notebooks().delete(notebook.as_str()).await?;
            ctx.note(format!("deleted notebook {notebook}"));
            Ok(())
        }
        NotebooksCommand::Runs(args) => list_runs(ctx, client, args).await,
        NotebooksCommand::Inputs { notebook } => {
            let Some(inputs) = client.notebooks().inputs(notebook.as_str()).await? else {
                ctx.note(format!(
                    "note: the answer for notebook {notebook} says nothing of its inputs (it has \
                     none, or the API is in the original spec's shape)"
                ));
                return Ok(ctx.out.finish_list(INPUT_COLUMNS, "inputs")?);
            };
            for input in &inputs {
                ctx.out.list_item(input)?;
            }
            Ok(ctx.out.finish_list(INPUT_COLUMNS, "inputs")?)
        }
        NotebooksCommand::Update {
            notebook,
            name,
            name_flag,
        } => {
            let name = name.or(name_flag).unwrap_or_default();
            let notebook = client.notebooks().update(notebook).name(name).await?;
            Ok(ctx.out.item(&notebook)?)
        }
        NotebooksCommand::Reorder(args) => reorder(ctx, client, args).await,
    }
}
