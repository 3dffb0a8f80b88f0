//! `deepnote integrations list|get`: the workspace's data sources.

use crate::app::Context;
use crate::exit::CliResult;
use crate::output::{Column, col};
use clap::Subcommand;
use deepnote::Client;

/// The table columns of an integration list.
pub const INTEGRATION_COLUMNS: &[Column] =
    &[col("ID", "/id"), col("NAME", "/name"), col("TYPE", "/type")];

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
pub async fn run(ctx: &mut Context, client: &Client, command: IntegrationsCommand) -> CliResult {
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
