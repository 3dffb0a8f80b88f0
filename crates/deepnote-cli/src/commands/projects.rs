//! `deepnote projects list|get|create|update|delete|export|import`.

use crate::app::Context;
use crate::commands::lists::ListArgs;
use crate::commands::{self, lists};
use crate::exit::CliResult;
use crate::output::{Column, Output, col};
use clap::Subcommand;
use deepnote::{Client, projects::Project};
use serde::Serialize;
use std::path::PathBuf;

/// The table columns of a project list: pointers into the SDK's [`Project`] as it serializes.
const COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("TYPE", "/projectType"),
    col("FOLDER", "/folderId"),
];

/// A project just created, with the notebook Deepnote made in it (`null` when the API did
/// not say), so `jq -r .firstNotebookId` needs no search of `notebooks`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Created<'a> {
    #[serde(flatten)]
    project: &'a Project,
    first_notebook_id: Option<&'a str>,
}

/// `deepnote projects ...`
#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// List projects (every page unless --limit)
    List {
        /// Only projects whose name contains this text
        #[arg(long, value_name = "TEXT")]
        name_contains: Option<String>,
        /// Paging.
        #[command(flatten)]
        list: ListArgs,
    },
    /// Show one project
    Get {
        /// The project's id
        project: String,
    },
    /// Create a project (Deepnote adds a first, empty notebook)
    Create {
        /// The project's name
        name: String,
        /// Put it in this folder
        #[arg(long, value_name = "ID")]
        folder_id: Option<String>,
    },
    /// Change a project's static-site settings: sharing, and the app's API access
    Update {
        /// The project's id
        project: String,
        /// The settings.
        #[command(flatten)]
        access: crate::commands::publish::AccessArgs,
    },
    /// Delete a project (asks first on a terminal; --yes elsewhere)
    Delete {
        /// The project's id
        project: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Write a project into a folder, one .deepnote file per notebook
    ///
    /// Only the project's own .deepnote files (those naming it, as an earlier export wrote
    /// them) are replaced or removed; other projects' .deepnote files and all other files stay,
    /// and are listed as "kept, not this project's".
    Export {
        /// The project's id
        project: String,
        /// The folder (created if missing)
        dir: PathBuf,
    },
    /// Send a folder's .deepnote files back to the project
    ///
    /// Notebooks are matched by the id inside each file; a file for a notebook the project
    /// lacks creates it. When notebooks or blocks changed in Deepnote since the files' export
    /// (their metadata.modifiedAt and blocks' contentHash), they are named and nothing is
    /// sent (exit 1) unless --yes (a terminal asks); --force skips the check.
    Import {
        /// The project's id
        project: String,
        /// The folder holding the .deepnote files
        dir: PathBuf,
        /// Overwrite the project even if it changed since the export
        #[arg(long)]
        force: bool,
        /// Delete the project's notebooks the folder has no file for (asks first on a
        /// terminal; --yes elsewhere)
        #[arg(long)]
        delete_missing: bool,
        /// Overwrite the changes made in Deepnote since the export, and delete with
        /// --delete-missing, without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// Runs one `projects` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: ProjectsCommand) -> CliResult {
    match command {
        ProjectsCommand::List {
            name_contains,
            list,
        } => {
            let mut request = client.projects().list();
            if let Some(size) = lists::page_size(&list) {
                request = request.page_size(size);
            }
            if let Some(text) = name_contains {
                request = request.name_contains(text);
            }
            let print_one = |out: &mut Output, p: &_| out.list_item(p);
            lists::print(ctx, request.stream(), &list, print_one, COLUMNS, "projects").await
        }
        ProjectsCommand::Get { project } => {
            let project = client.projects().get(project).await?;
            Ok(ctx.out.item(&project)?)
        }
        ProjectsCommand::Create { name, folder_id } => {
            let mut request = client.projects().create(name);
            if let Some(folder) = folder_id {
                request = request.folder_id(folder);
            }
            let project = request.send().await?;
            // The create's answer names the notebook Deepnote made, on APIs that list them.
            let first = project.notebooks.first().map(|n| n.id.to_string());
            match &first {
                Some(id) => ctx.note(format!(
                    "created project {}; its first notebook is {id} (`deepnote run {id}`)",
                    project.id
                )),
                None => ctx.note(format!(
                    "created project {}; the API did not name its first notebook",
                    project.id
                )),
            }
            Ok(ctx.out.item(&Created {
                project: &project,
                first_notebook_id: first.as_deref(),
            })?)
        }
        ProjectsCommand::Update { project, access } => {
            commands::publish::access(ctx, client, &project, &access).await
        }
        ProjectsCommand::Delete { project, yes } => {
            crate::confirm::delete(&format!("project {project}"), yes)?;
            client.projects().delete(project.as_str()).await?;
            ctx.note(format!("deleted project {project}"));
            Ok(())
        }
        ProjectsCommand::Export { project, dir } => {
            commands::sync::export(ctx, client, &project, &dir).await
        }
        ProjectsCommand::Import {
            project,
            dir,
            force,
            delete_missing,
            yes,
        } => commands::sync::import(ctx, client, &project, &dir, force, delete_missing, yes).await,
    }
}
