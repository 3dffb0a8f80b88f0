//! `deepnote projects list|get|create|delete|export|import`.

use crate::app::Context;
use crate::cli::ProjectsCommand;
use crate::commands::{self, lists};
use crate::exit::CliResult;
use crate::output::{Column, Output, col};
use deepnote::{Client, Project};
use serde::Serialize;

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
