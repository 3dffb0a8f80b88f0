//! `deepnote sync pull|push [DIR]` and `deepnote projects export|import PROJECT DIR`: a
//! workspace, or one project, as folders of `.deepnote` files.

use crate::app::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Column, col};
use clap::{Args, Subcommand, ValueEnum};
use deepnote::{
    Client,
    projects::{DeepnoteDocument, ImportOptions, PushBase, PushOptions},
    sync::{Change, OnConflict, ProjectAction, ProjectPlan, SyncDirection, SyncRequest},
};
use serde::Serialize;
use std::path::{Path, PathBuf};

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

/// `deepnote sync ...`
#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Bring Deepnote's changes into the folder (new projects get a folder; local edits stay)
    Pull {
        /// How to pull.
        #[command(flatten)]
        sync: SyncArgs,
    },
    /// Send the folder's edits to Deepnote, each project checked against its last sync
    Push {
        /// How to push.
        #[command(flatten)]
        sync: SyncArgs,
        /// Delete notebooks whose file is gone from the project's folder (asks first on a
        /// terminal; --yes elsewhere)
        #[arg(long)]
        delete_missing: bool,
        /// Overwrite the changes made in Deepnote since the last sync (as --on-conflict
        /// local), and delete with --delete-missing, without asking
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// What `sync pull` and `sync push` share.
#[derive(Debug, Args, Clone)]
pub struct SyncArgs {
    /// The synced folder; its state is DIR/.deepnote-sync.json, as Deepnote's CLI keeps it
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Say what would change, and change nothing on either side
    #[arg(long)]
    pub dry_run: bool,
    /// A project changed both locally and in Deepnote since the last sync: leave it and exit
    /// 1 (fail), keep the local files (local: a push overwrites Deepnote's version), or take
    /// Deepnote's (remote: the local files are overwritten)
    #[arg(long, value_enum, value_name = "MODE", default_value = "fail")]
    pub on_conflict: OnConflictArg,
}

/// `--on-conflict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnConflictArg {
    /// Leave the project as it is on both sides, and exit 1
    Fail,
    /// The local files win
    Local,
    /// Deepnote's version wins
    Remote,
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

/// Runs `sync pull` or `sync push`: a line per project on stderr as each is done, the
/// projects as data on stdout at the end (also when a project stopped the sync: what was done
/// before it is printed).
pub async fn run(ctx: &mut Context, client: &Client, command: SyncCommand) -> CliResult {
    let direction = match command {
        SyncCommand::Pull { .. } => SyncDirection::Pull,
        SyncCommand::Push { .. } => SyncDirection::Push,
    };
    let (request, args, yes) = match command {
        SyncCommand::Pull { sync } => (client.sync().pull(&sync.dir), sync, false),
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
            (request, sync, yes)
        }
    };
    let mut on_conflict: OnConflict = args.on_conflict.into();
    // `sync push --yes`: the local files win a conflict, as with --on-conflict local.
    if yes && on_conflict == OnConflict::Fail {
        on_conflict = OnConflict::KeepLocal;
    }
    let request = request.on_conflict(on_conflict);
    let mut projects = Vec::new();
    let apply = !args.dry_run;
    let mut printed = Ok(());
    let walked = request
        .each(apply, |plan| {
            ctx.note(progress_line(&plan, apply));
            // Data as it comes (jsonl prints each project when it is done).
            if printed.is_ok() {
                printed = ctx.out.list_item(&PlanRow {
                    plan: &plan,
                    changes: changes(&plan),
                });
            }
            projects.push(plan);
        })
        .await;
    printed?;
    report(ctx, &projects, &args, direction, apply, walked)
}

/// One project's line, as it is done: `✓ pushed NAME (DIR): …`, `✗ NAME (DIR): why`.
fn progress_line(plan: &ProjectPlan, applied: bool) -> String {
    let what = format!("{:?} ({})", plan.name, plan.dir.display());
    let would = if applied { "" } else { "would be " };
    let mut line = match plan.action {
        ProjectAction::Unchanged => format!("✓ {what}: unchanged"),
        ProjectAction::Pull => format!("✓ {what}: {would}pulled"),
        ProjectAction::Push => format!("✓ {what}: {would}pushed"),
        ProjectAction::Skip => format!("- {what}: skipped"),
        ProjectAction::Conflict => format!("✗ {what}: conflict"),
        ProjectAction::Failed => format!("✗ {what}: failed"),
    };
    let changes = changes(plan);
    if !changes.is_empty() {
        line.push_str(&format!(" ({changes})"));
    }
    if let Some(note) = &plan.note {
        line.push_str(&format!("; {note}"));
    }
    if !plan.remote_edits.is_empty() {
        let edits: Vec<String> = plan.remote_edits.iter().map(|e| e.to_string()).collect();
        line.push_str(&format!(
            "; in Deepnote since the last sync: {}",
            edits.join("; ")
        ));
    }
    if !plan.kept.is_empty() {
        line.push_str(&format!(
            "; kept, not this project's: {}",
            plan.kept.join(", ")
        ));
    }
    line
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

fn report(
    ctx: &mut Context,
    projects: &[ProjectPlan],
    args: &SyncArgs,
    direction: SyncDirection,
    applied: bool,
    walked: deepnote::Result<()>,
) -> CliResult {
    ctx.out.finish_list(PLAN_COLUMNS, "projects")?;
    let word = match direction {
        SyncDirection::Pull => "pull",
        SyncDirection::Push => "push",
    };
    if let Err(e) = walked {
        let mut error = CliError::from(e);
        error.message = format!(
            "{}\n  the {word} stopped there; the {} project(s) listed before it were done",
            error.message,
            projects.len()
        );
        return Err(error);
    }
    let changed = projects
        .iter()
        .filter(|p| matches!(p.action, ProjectAction::Pull | ProjectAction::Push))
        .count();
    let verb = match (direction, applied) {
        (SyncDirection::Pull, true) => "pulled",
        (SyncDirection::Push, true) => "pushed",
        (SyncDirection::Pull, false) => "would pull (dry run, nothing written)",
        (SyncDirection::Push, false) => "would push (dry run, nothing sent)",
    };
    ctx.note(format!(
        "{verb}: {changed} of {} project(s) in {}",
        projects.len(),
        args.dir.display()
    ));
    let mut problems = Vec::new();
    for p in projects {
        let what = format!("{:?} ({})", p.name, p.dir.display());
        match p.action {
            ProjectAction::Conflict if p.remote_edits.is_empty() => {
                problems.push(format!("{what}: changed both locally and in Deepnote"))
            }
            ProjectAction::Conflict => {
                let edits: Vec<String> = p.remote_edits.iter().map(|e| e.to_string()).collect();
                problems.push(format!(
                    "{what}: changed both locally and in Deepnote: {}",
                    edits.join("; ")
                ));
            }
            ProjectAction::Failed => {
                problems.push(format!("{what}: {}", p.note.as_deref().unwrap_or("failed")))
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let conflicts = projects.iter().any(|p| p.action == ProjectAction::Conflict);
    let hint = if !conflicts {
        String::new()
    } else if direction == SyncDirection::Push {
        "\n  left as they are on both sides; overwrite Deepnote's changes with --yes (or \
         --on-conflict local), or take Deepnote's with --on-conflict remote"
            .into()
    } else {
        "\n  left as they are on both sides; choose with --on-conflict local (keep the files) \
         or --on-conflict remote (take Deepnote's)"
            .into()
    };
    Err(CliError::new(
        Exit::Api,
        format!(
            "{} project(s) not {}: {}{hint}",
            problems.len(),
            if direction == SyncDirection::Push {
                "pushed"
            } else {
                "pulled"
            },
            problems.join("; ")
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
    /// The folder's `.deepnote` files that are not this project's, left as they were.
    kept: &'a [String],
    /// The project's files the export no longer holds but that were edited here: left.
    kept_edited: &'a [String],
}

/// `deepnote projects export PROJECT DIR`.
pub async fn export(ctx: &mut Context, client: &Client, project: &str, dir: &Path) -> CliResult {
    let written = client.projects().export_into_dir(project, dir).await?;
    let export = &written.export;
    ctx.note(format!(
        "wrote {} notebook file(s) of project {project} to {}",
        export.documents.len(),
        dir.display()
    ));
    if !written.kept.is_empty() {
        ctx.note(format!(
            "kept, not this project's: {}",
            written.kept.join(", ")
        ));
    }
    if !written.kept_edited.is_empty() {
        ctx.note(format!(
            "kept, edited here and gone from the project: {}",
            written.kept_edited.join(", ")
        ));
    }
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
        kept: &written.kept,
        kept_edited: &written.kept_edited,
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
    let result = if force {
        let options = ImportOptions::new()
            .force(true)
            .delete_missing_notebooks(delete_missing);
        client.projects().import(project, &docs, &options).await?
    } else {
        // Checked against the files' own base (their metadata.modifiedAt and blocks'
        // contentHash, as exported): what changed in Deepnote since is named, and only
        // overwritten with --yes or a person's y.
        let base = PushBase::of_documents(&docs)?;
        let options = PushOptions::new().delete_missing_notebooks(delete_missing);
        crate::push_check::push(client, project, &docs, &base, options, yes).await?
    };
    crate::push_check::rebase_files(ctx, dir, &docs, &result).await;
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
