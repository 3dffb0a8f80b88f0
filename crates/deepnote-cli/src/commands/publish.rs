//! `deepnote publish DIR PROJECT [--prune] [--dry-run]`: a folder as the project's static
//! site, and its settings: `deepnote projects update PROJECT --sharing … --api-access …`, also
//! spelled as Deepnote's CLI does, `deepnote static-site access --project-id ID …`.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{Column, OutputFormat, col};
use crate::progress::{Mode, Transfer};
use clap::{Args, Subcommand, ValueEnum};
use deepnote::Client;
use deepnote::projects::{PublishEvent, PublishPlan, PublishReport, STATIC_ROOT};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The table of a publish: one row per file.
const COLUMNS: &[Column] = &[
    col("ACTION", "/action"),
    col("PATH", "/path"),
    col("BYTES", "/bytes"),
    col("RESULT", "/result"),
];

/// One file of a publish, for the table.
#[derive(Serialize)]
struct Row<'a> {
    action: &'static str,
    path: &'a str,
    bytes: Option<u64>,
    result: String,
}

/// `deepnote publish ...`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("the_project").required(true).args(["project", "project_id"]))]
pub struct PublishArgs {
    /// The local folder to publish (a build's output, such as ./dist)
    dir: PathBuf,
    /// The project's id
    project: Option<String>,
    /// The project's id (Deepnote's CLI's spelling)
    #[arg(long, value_name = "ID")]
    project_id: Option<String>,
    /// The folder of the project to publish to: `_deepnote_static` or a folder below it
    #[arg(long, value_name = "FOLDER", default_value = STATIC_ROOT)]
    path: String,
    /// Remove the project's files below --path that the folder does not have (only once every
    /// upload succeeded)
    #[arg(long)]
    prune: bool,
    /// Show what would be uploaded, replaced and removed, and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Also let the app call Deepnote's API with a viewer-scoped token, or stop it
    #[arg(long, value_name = "STATE")]
    api_access: Option<Switch>,
}

/// On or off, as Deepnote's CLI spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// On
    #[value(alias = "on")]
    Enabled,
    /// Off
    #[value(alias = "off")]
    Disabled,
}

impl Switch {
    fn on(self) -> bool {
        self == Switch::Enabled
    }
}

/// The static-site settings a command changes.
#[derive(Debug, Args, Clone)]
pub struct AccessArgs {
    /// Let the project's viewers open the app, or not (off also turns API access off)
    #[arg(long, value_name = "STATE", required_unless_present = "api_access")]
    pub sharing: Option<Switch>,
    /// Let the app call Deepnote's API with a viewer-scoped token, or not (needs sharing)
    #[arg(long, value_name = "STATE")]
    pub api_access: Option<Switch>,
}

/// `deepnote static-site ...`: Deepnote's own CLI's spelling.
#[derive(Debug, Subcommand)]
pub enum StaticSiteCommand {
    /// Change the app's sharing and API access without changing files (`deepnote projects
    /// update`)
    Access {
        /// The project's id
        #[arg(long, value_name = "ID")]
        project_id: String,
        /// The settings.
        #[command(flatten)]
        access: AccessArgs,
    },
}

/// Runs `deepnote publish`.
pub async fn publish(ctx: &mut Context, client: &Client, args: PublishArgs) -> CliResult {
    let project = args
        .project
        .or(args.project_id)
        .ok_or_else(|| CliError::usage("publish needs the project's id"))?;
    let mut request = client
        .projects()
        .publish(project.as_str(), &args.dir)
        .target(&args.path)
        .prune(args.prune);
    if let Some(api_access) = args.api_access {
        request = request.api_access(api_access.on());
    }
    let plan = request.plan().await?;
    if args.dry_run {
        print(ctx, &plan, None)?;
        ctx.note(format!(
            "dry run: {} to upload, {} to remove{}; nothing was changed",
            plan.uploads.len(),
            plan.removals.len(),
            if plan.changes_settings {
                ", sharing to turn on"
            } else {
                ""
            }
        ));
        return Ok(());
    }
    let total: u64 = plan.uploads.iter().map(|u| u.bytes).sum();
    let mut bar = Transfer::start(
        Mode::detect(ctx.global.quiet),
        &format!("publish {}", args.dir.display()),
        Some(total),
    );
    if let Some(moved) = bar.callback() {
        let done = Arc::new(AtomicU64::new(0));
        request = request.on_event(move |event| {
            if let PublishEvent::Uploaded { bytes, .. } = event {
                moved(done.fetch_add(*bytes, Ordering::Relaxed) + bytes);
            }
        });
    }
    // The plan just read sized the bar: applied as it is, the folder and project are read once.
    let report = request.apply_plan(plan).await;
    bar.finish();
    let report = report?;
    print(ctx, &report.plan, Some(&report))?;
    outcome(ctx, &report)
}

/// The files of a plan (and, after a publish, what became of each), as rows or, for
/// JSON, the whole plan or report.
fn print(ctx: &mut Context, plan: &PublishPlan, report: Option<&PublishReport>) -> CliResult {
    if ctx.out.format() != OutputFormat::Table {
        match report {
            Some(report) => ctx.out.item(report)?,
            None => ctx.out.item(plan)?,
        }
        return Ok(());
    }
    let result = |path: &str, done: bool| match report {
        None => "planned".to_string(),
        Some(r) => match r.failures.iter().find(|f| f.path == path) {
            Some(f) => format!("failed: {}", f.message),
            None if done => "done".to_string(),
            None => "not done".to_string(),
        },
    };
    for upload in &plan.uploads {
        let done = report.is_some_and(|r| r.uploaded.iter().any(|f| f.path == upload.path));
        ctx.out.list_item(&Row {
            action: if upload.replaces { "replace" } else { "upload" },
            path: &upload.path,
            bytes: Some(upload.bytes),
            result: result(&upload.path, done),
        })?;
    }
    for path in &plan.removals {
        let done = report.is_some_and(|r| r.removed.contains(path));
        ctx.out.list_item(&Row {
            action: "remove",
            path,
            bytes: None,
            result: result(path, done),
        })?;
    }
    Ok(ctx.out.finish_list(COLUMNS, "files")?)
}

fn outcome(ctx: &mut Context, report: &PublishReport) -> CliResult {
    let summary = format!(
        "{} of {} files uploaded, {} removed",
        report.uploaded.len(),
        report.plan.uploads.len(),
        report.removed.len()
    );
    if report.failures.is_empty()
        && let Some(url) = &report.url
    {
        ctx.note(format!("published: {summary}; served at {url}"));
        return Ok(());
    }
    let unsure = report
        .failures
        .iter()
        .filter(|f| f.may_have_succeeded)
        .count();
    let mut message = format!(
        "publish incomplete: {summary}, {} failed",
        report.failures.len()
    );
    if report.uploaded.len() < report.plan.uploads.len() {
        message.push_str("; nothing was pruned and the app's settings were left as they were");
    }
    if unsure > 0 {
        message.push_str(&format!(
            "; {unsure} may have been stored all the same (their answer was unreadable): look at \
             the project's files before publishing again"
        ));
    }
    Err(CliError::api(message))
}

/// Runs `deepnote projects update` and `deepnote static-site access`.
pub async fn access(
    ctx: &mut Context,
    client: &Client,
    project: &str,
    access: &AccessArgs,
) -> CliResult {
    let mut request = client.projects().update(project);
    if let Some(sharing) = access.sharing {
        request = request.sharing(sharing.on());
    }
    if let Some(api_access) = access.api_access {
        request = request.api_access(api_access.on());
    }
    let project = request.await?;
    Ok(ctx.out.item(&project)?)
}

/// Runs one `static-site` subcommand.
pub async fn static_site(
    ctx: &mut Context,
    client: &Client,
    command: StaticSiteCommand,
) -> CliResult {
    match command {
        StaticSiteCommand::Access { project_id, access } => {
            self::access(ctx, client, &project_id, &access).await
        }
    }
}
