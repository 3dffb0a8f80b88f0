//! `deepnote integrations list|get`, `deepnote machines types|get|set` and `deepnote search`:
//! the workspace's reads, and the one machine setting.

use crate::app::Context;
use crate::exit::CliResult;
use crate::output::{Column, col};
use clap::{Args, Subcommand, ValueEnum};
use deepnote::{Client, search::SearchHit};
use serde::Serialize;

/// The table columns of an integration list.
pub const INTEGRATION_COLUMNS: &[Column] =
    &[col("ID", "/id"), col("NAME", "/name"), col("TYPE", "/type")];

/// The table columns of the machine types.
pub const MACHINE_TYPE_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("VCPUS", "/vCpus"),
    col("MEMORY GIB", "/memoryGiB"),
    col("GPUS", "/gpuCount"),
    col("KIND", "/type"),
];

/// The table columns of search results.
pub const SEARCH_COLUMNS: &[Column] = &[
    col("KIND", "/kind"),
    col("ID", "/id"),
    col("NAME", "/name"),
    col("PROJECT", "/projectId"),
    col("NOTEBOOK", "/notebookId"),
];

/// `deepnote integrations ...`
#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// List the workspace's integrations (the whole list: it has no pages)
    List {
        /// Only those whose name contains this text
        #[arg(long, value_name = "TEXT")]
        name_contains: Option<String>,
        /// Only this kind, such as pgsql or big-query (repeatable)
        #[arg(long = "type", value_name = "TYPE")]
        types: Vec<String>,
        /// Only this integration (repeatable)
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<String>,
        /// Only those whose kind has (true) or lacks (false) a schema
        #[arg(long, value_name = "BOOL")]
        has_schema: Option<bool>,
        /// Include each one's metadata (admin keys only)
        #[arg(long)]
        include_metadata: bool,
    },
    /// Show one integration with its tables
    Get {
        /// The integration's id
        integration: String,
        /// Only the tables of this database
        #[arg(long, value_name = "NAME")]
        database: Option<String>,
        /// Only the tables of this schema
        #[arg(long, value_name = "NAME")]
        schema: Option<String>,
    },
}

/// Runs one `integrations` subcommand.
pub async fn integrations(
    ctx: &mut Context,
    client: &Client,
    command: IntegrationsCommand,
) -> CliResult {
    match command {
        IntegrationsCommand::List {
            name_contains,
            types,
            ids,
            has_schema,
            include_metadata,
        } => {
            let mut request = client
                .integrations()
                .list()
                .ids(ids)
                .types(types)
                .include_metadata(include_metadata);
            if let Some(text) = name_contains {
                request = request.name_contains(text);
            }
            if let Some(has) = has_schema {
                request = request.has_schema(has);
            }
            for integration in &request.send().await? {
                ctx.out.list_item(integration)?;
            }
            Ok(ctx.out.finish_list(INTEGRATION_COLUMNS, "integrations")?)
        }
        IntegrationsCommand::Get {
            integration,
            database,
            schema,
        } => {
            let mut request = client.integrations().get(integration);
            if let Some(database) = database {
                request = request.database(database);
            }
            if let Some(schema) = schema {
                request = request.schema(schema);
            }
            let answer = request.await?;
            Ok(ctx.out.item(&answer)?)
        }
    }
}

/// `deepnote machines ...`
#[derive(Debug, Subcommand)]
pub enum MachinesCommand {
    /// List the machine types projects can run on
    Types,
    /// Show a project's editor machine: status and type
    Get {
        /// The project's id
        project: String,
    },
    /// Change a project's machine type (the request's shape is inferred from Deepnote's
    /// machines guide, so the live API may refuse it)
    Set {
        /// The project's id
        project: String,
        /// The machine type's id, as `deepnote machines types` lists it
        machine_type: String,
    },
}

/// Runs one `machines` subcommand.
pub async fn machines(ctx: &mut Context, client: &Client, command: MachinesCommand) -> CliResult {
    match command {
        MachinesCommand::Types => {
            for machine_type in &client.machines().types().await? {
                ctx.out.list_item(machine_type)?;
            }
            Ok(ctx.out.finish_list(MACHINE_TYPE_COLUMNS, "machine types")?)
        }
        MachinesCommand::Get { project } => {
            Ok(ctx.out.item(&client.machines().get(project).await?)?)
        }
        MachinesCommand::Set {
            project,
            machine_type,
        } => {
            let machine = client.machines().set_type(project, machine_type).await?;
            Ok(ctx.out.item(&machine)?)
        }
    }
}

/// `deepnote search QUERY ...`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for, in names and contents
    pub query: String,
    /// Look only in these kinds (repeatable) [default: all]
    #[arg(long = "type", value_enum, value_name = "KIND")]
    pub types: Vec<SearchKind>,
}

/// What `search --type` looks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchKind {
    /// Projects
    Projects,
    /// Notebooks
    Notebooks,
    /// Blocks
    Blocks,
    /// Integrations
    Integrations,
}

impl SearchKind {
    /// The SDK's kind.
    pub fn to_sdk(self) -> deepnote::search::SearchType {
        match self {
            SearchKind::Projects => deepnote::search::SearchType::Projects,
            SearchKind::Notebooks => deepnote::search::SearchType::Notebooks,
            SearchKind::Blocks => deepnote::search::SearchType::Blocks,
            SearchKind::Integrations => deepnote::search::SearchType::Integrations,
        }
    }
}

/// One search hit, with the kind of thing it is.
#[derive(Serialize)]
struct Hit<'a> {
    kind: &'static str,
    #[serde(flatten)]
    hit: &'a SearchHit,
}

/// `deepnote search QUERY`: every hit, one list, each with its kind.
pub async fn search(ctx: &mut Context, client: &Client, args: SearchArgs) -> CliResult {
    let results = client
        .search()
        .query(args.query)
        .types(args.types.iter().map(|t| t.to_sdk()))
        .send()
        .await?;
    let kinds = [
        ("project", &results.projects),
        ("notebook", &results.notebooks),
        ("block", &results.blocks),
        ("integration", &results.integrations),
    ];
    for (kind, hits) in kinds {
        for hit in hits {
            ctx.out.list_item(&Hit { kind, hit })?;
        }
    }
    if let Some(failed) = &results.partial_failure {
        let kinds: Vec<&str> = failed.keys().map(String::as_str).collect();
        ctx.note(format!(
            "note: the results are incomplete: the server could not search {}",
            kinds.join(", ")
        ));
    }
    Ok(ctx.out.finish_list(SEARCH_COLUMNS, "results")?)
}
