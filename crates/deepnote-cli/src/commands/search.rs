//! `deepnote search QUERY`: the workspace's projects, notebooks, blocks and integrations.

use crate::app::Context;
use crate::exit::CliResult;
use crate::output::{Column, col};
use clap::{Args, ValueEnum};
use deepnote::{Client, search::SearchHit};
use serde::Serialize;

/// The table columns of search results.
pub const SEARCH_COLUMNS: &[Column] = &[
    col("KIND", "/kind"),
    col("ID", "/id"),
    col("NAME", "/name"),
    col("PROJECT", "/projectId"),
    col("NOTEBOOK", "/notebookId"),
];

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
pub async fn run(ctx: &mut Context, client: &Client, args: SearchArgs) -> CliResult {
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
