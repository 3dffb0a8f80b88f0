//! `deepnote sync pull|push [DIR]` and `deepnote projects export|import PROJECT DIR`: a
//! workspace, or one project, as folders of `.deepnote` files.

use crate::app::Context;
use crate::cli::{OnConflictArg, SyncArgs, SyncCommand};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Column, col};
use deepnote::{
    Change, Client, DeepnoteDocument, ImportOptions, OnConflict, ProjectPlan, SyncPlan, SyncRequest,
};
use serde::Serialize;
use std::path::Path;

/// The table of a sync: one row per project.
const PLAN_COLUMNS: &[Column] = &[
    col("ACTION", "/action"),
    col("DIR", "/dir"),
    col("NOTEBOOKS", "/changes"),
    col("NOTE", "/note"),
    col("PROJECT", "/projectId"),
];

/// A project of the plan, with its notebook changes in one line for the table.
#[derive(Serialize)]
struct PlanRow<'a> {
    #[serde(flatten)]
    plan: &'a ProjectPlan,
    changes: String,
}

fn changes(plan: &ProjectPlan) -> String {
    let word = |c: Change| match c {
        Change::Created => "created",
        Change::Updated => "updated",
        Change::Deleted => "deleted",
    };
    plan.notebooks
        .iter()
        .map(|n| format!("{} {}", n.file_name, word(n.change)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<OnConflictArg> for OnConflict {
    fn from(arg: OnConflictArg) -> OnConflict {
        match arg {
            OnConflictArg::Fail => OnConflict::Fail,
            OnConflictArg::Local => OnConflict::KeepLocal,
            OnConflictArg::Remote => OnConflict::KeepRemote,
        }
    }
}

/// Runs `sync pull` or `sync push`.
pub async fn run(ctx: &mut Context, client: &Client, command: SyncCommand) -> CliResult {
    let (request, args) = match command {
        SyncCommand::Pull { sync } => (client.sync().pull(&sync.dir), sync),
        SyncCommand::Push {
            sync,
            delete_missing,
            yes,
        } => {
            let request = client
                .sync()
                .push(&sync.dir)
                .delete_missing_notebooks(delete_missing);
            if delete_missing && !sync.dry_run && !yes {
                confirm_deletions(ctx, &request, &sync).await?;
            }
            (request, sync)
        }
    };
    let request = request.on_conflict(args.on_conflict.into());
    let plan = if args.dry_run {
        request.plan().await?
    } else {
        request.apply().await?
    };
    report(ctx, &plan, &args)
}

/// With `--delete-missing` and no `--yes`: plan first, and ask (or refuse, off a terminal)
/// only when the push would delete a notebook.
async fn confirm_deletions(ctx: &Context, request: &SyncRequest, args: &SyncArgs) -> CliResult {
    let plan = request
        .clone()
        .on_conflict(args.on_conflict.into())
        .plan()
        .await?;
    let deleted: Vec<String> = plan
        .deletions()
        .map(|(p, n)| format!("{}/{}", p.dir.display(), n.file_name))
        .collect();
    if deleted.is_empty() {
        return Ok(());
    }
    ctx.note(format!(
        "the push deletes {} notebook(s) in Deepnote: {}",
        deleted.len(),
        deleted.join(", ")
    ));
    crate::confirm::delete(&format!("{} notebook(s) in Deepnote", deleted.len()), false)
}

fn report(ctx: &mut Context, plan: &SyncPlan, args: &SyncArgs) -> CliResult {
    for project in &plan.projects {
        ctx.out.list_item(&PlanRow {
            plan: project,
            changes: changes(project),
        })?;
    }
    ctx.out.finish_list(PLAN_COLUMNS, "projects")?;
    let changed = plan.changed().count();
    let verb = match (plan.direction, plan.applied) {
        (deepnote::SyncDirection::Pull, true) => "pulled",
        (deepnote::SyncDirection::Push, true) => "pushed",
        (deepnote::SyncDirection::Pull, false) => "would pull (dry run, nothing written)",
        (deepnote::SyncDirection::Push, false) => "would push (dry run, nothing sent)",
    };
    ctx.note(format!(
        "{verb}: {changed} of {} project(s) in {}",
        plan.projects.len(),
        args.dir.display()
    ));
    let conflicts: Vec<String> = plan
        .conflicts()
        .map(|p| p.dir.display().to_string())
        .collect();
    if conflicts.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        Exit::Api,
        format!(
            "{} project(s) changed both locally and in Deepnote, left as they are: {}; \
             choose with --on-conflict local (keep the files) or --on-conflict remote (take \
             Deepnote's)",
            conflicts.len(),
            conflicts.join(", ")
        ),
    ))
}

/// What `projects export` printed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Exported<'a> {
    project_id: &'a str,
    dir: String,
    notebooks: Vec<&'a str>,
    modified_at: Option<String>,
    content_hash: String,
}

/// `deepnote projects export PROJECT DIR`.
pub async fn export(ctx: &mut Context, client: &Client, project: &str, dir: &Path) -> CliResult {
    let export = client.projects().export_to_dir(project, dir).await?;
    ctx.note(format!(
        "wrote {} notebook file(s) of project {project} to {}",
        export.documents.len(),
        dir.display()
    ));
    Ok(ctx.out.item(&Exported {
        project_id: project,
        dir: dir.display().to_string(),
        notebooks: export
            .documents
            .iter()
            .map(|d| d.file_name.as_str())
            .collect(),
        modified_at: export.modified_at()?,
        content_hash: export.content_hash(),
    })?)
}

/// What `projects import` printed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Imported {
    project_id: String,
    modified_at: String,
    content_hash: String,
    notebooks: Vec<ImportedNotebook>,
}

#[derive(Serialize)]
struct ImportedNotebook {
    id: String,
    name: String,
    action: String,
}

/// `deepnote projects import PROJECT DIR`.
pub async fn import(
    ctx: &mut Context,
    client: &Client,
    project: &str,
    dir: &Path,
    force: bool,
    delete_missing: bool,
    yes: bool,
) -> CliResult {
    let docs = DeepnoteDocument::read_dir(dir).await?;
    if docs.is_empty() {
        return Err(CliError::usage(format!(
            "{} holds no .deepnote files",
            dir.display()
        )));
    }
    if delete_missing {
        crate::confirm::delete(
            &format!(
                "the notebooks of project {project} that {} has no file for",
                dir.display()
            ),
            yes,
        )?;
    }
    let mut options = ImportOptions::new()
        .force(force)
        .delete_missing_notebooks(delete_missing);
    if !force && let Some(at) = docs[0].modified_at()? {
        options = options.base_modified_at(at);
    }
    let result = match client.projects().import(project, &docs, &options).await {
        Err(e) if e.status() == Some(deepnote::StatusCode::CONFLICT) && !force => {
            return Err(CliError::new(
                Exit::Api,
                format!(
                    "{e}; the project changed in Deepnote since these files were exported: \
                     export it again and redo the edit, or overwrite it with --force"
                ),
            ));
        }
        other => other?,
    };
    ctx.note(format!(
        "imported {} file(s) into project {}",
        docs.len(),
        result.project_id
    ));
    Ok(ctx.out.item(&Imported {
        project_id: result.project_id.to_string(),
        modified_at: result.modified_at,
        content_hash: result.content_hash,
        notebooks: result
            .notebooks
            .into_iter()
            .map(|n| ImportedNotebook {
                id: n.id.to_string(),
                name: n.name,
                action: n.action,
            })
            .collect(),
    })?)
}
