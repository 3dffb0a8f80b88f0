//! `deepnote demo`: the whole API, step by step, against the embedded emulator. Each step
//! checks that the API did what it should; the demo exits 0 only if every step did.

use crate::app::Context;
use crate::connect::Session;
use crate::exit::{CliError, CliResult, Exit};
use crate::local;
use crate::progress::Mode;
use crate::snapshots::{DEFAULT_DIR, Target};
use crate::watch::{Watched, watch};
use deepnote::{Client, Error, StreamExt};
use std::time::Duration;

/// How many steps the demo walks.
const STEPS: usize = 10;

/// Where the last step pulls the sample workspace, under the current directory (beside
/// `snapshots/`): one folder per project, one `.deepnote` file per notebook.
pub const PULL_DIR: &str = "deepnote-demo";

/// How long the demo's run may take; the emulator's runs take half a second.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// The inputs the demo's run is sent: the sample notebook's own input blocks (a text, a
/// slider, a checkbox), one of each kind of value Deepnote takes.
const INPUTS: &[(&str, &str)] = &[
    ("region", "\"EMEA\""),
    ("limit", "25"),
    ("include_returns", "false"),
];

/// Starts the emulator, walks the API, stops the emulator.
pub async fn run(ctx: &mut Context) -> CliResult {
    let session = Session::local("`deepnote demo`").await?;
    say(
        ctx,
        &format!(
            "Deepnote API demo against the embedded emulator at {}",
            session.emulator_url().unwrap_or_default()
        ),
    );
    say(
        ctx,
        &format!(
            "Its sample workspace: project {}, notebook {} (try them with --local)",
            local::SAMPLE_PROJECT_ID,
            local::SAMPLE_NOTEBOOK_ID
        ),
    );
    // Said before anything is written, so nobody finds new folders unannounced.
    let here = std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|_| "the current directory".to_string());
    say(
        ctx,
        &format!("It writes {PULL_DIR}/ and {DEFAULT_DIR}/ under {here}."),
    );
    let mode = Mode::detect(ctx.global.quiet);
    let result = walk(ctx, &session.client, mode).await;
    session.close().await;
    match result {
        Ok(()) => {
            say(ctx, "All steps did what they should.");
            Ok(())
        }
        Err((step, why)) => Err(CliError::new(
            Exit::Api,
            format!("demo step {step} failed: {why}"),
        )),
    }
}

type Step = Result<(), (usize, String)>;

fn say(ctx: &Context, text: &str) {
    if !ctx.global.quiet {
        println!("{text}");
    }
}

fn check(ctx: &Context, step: usize, title: &str, outcome: Result<String, String>) -> Step {
    match outcome {
        Ok(detail) => {
            say(ctx, &format!("[{step}/{STEPS}] {title}: ok, {detail}"));
            Ok(())
        }
        Err(why) => {
            say(ctx, &format!("[{step}/{STEPS}] {title}: FAILED, {why}"));
            Err((step, why))
        }
    }
}

fn api<T>(result: Result<T, Error>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}

async fn walk(ctx: &mut Context, client: &Client, mode: Mode) -> Step {
    let me = api(client.me().get().await);
    check(
        ctx,
        1,
        "Who am I (GET /me)",
        me.and_then(|me| match &me.access_level {
            Some(level) => Ok(format!(
                "{level} of workspace {:?}",
                me.workspace_name().unwrap_or("(unnamed)")
            )),
            None => Err("the answer names no access level".into()),
        }),
    )?;

    let name = format!(
        "CLI demo {}",
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
    );
    let project = api(client.projects().create(name.as_str()).send().await);
    let project_id = project.as_ref().map(|p| p.id.clone()).ok();
    check(
        ctx,
        2,
        "Create a project (POST /projects)",
        project.and_then(|p| {
            if p.name == name {
                Ok(format!("{} {:?}", p.id, p.name))
            } else {
                Err(format!("it is named {:?}", p.name))
            }
        }),
    )?;
    let project_id = project_id.expect("checked above");

    let notebook = api(client
        .notebooks()
        .create(project_id.clone())
        .name("Demo notebook")
        .send()
        .await);
    let notebook_id = notebook.as_ref().map(|n| n.id.clone()).ok();
    check(
        ctx,
        3,
        "Create a notebook (POST /notebooks)",
        notebook.and_then(|n| match &n.project_id {
            Some(p) if *p != project_id => Err(format!("it landed in project {p}")),
            _ => Ok(format!("{} {:?}", n.id, n.name)),
        }),
    )?;
    let notebook_id = notebook_id.expect("checked above");

    // The sample notebook has blocks (an input named `region` among them); the run's snapshot
    // carries what they printed.
    let sample = deepnote::NotebookId::new(local::SAMPLE_NOTEBOOK_ID);
    let mut request = client.runs().create(sample.clone());
    for (input, raw) in INPUTS {
        // The demo's own inputs all parse; were one not to, its text is what would be meant.
        let value = crate::inputs::parse_value(raw)
            .unwrap_or_else(|_| deepnote::inputs::InputValue::Text(raw.to_string()));
        request = request.input(*input, value);
    }
    let started = api(request.send().await);
    let run_id = started.as_ref().map(|h| h.id()).ok();
    let mut finished = None;
    let outcome = match started {
        Ok(handle) => {
            let wait = handle
                .wait()
                .deadline(RUN_DEADLINE)
                .snapshot_delivery(deepnote::runs::SnapshotDelivery::Inline);
            match watch(wait, mode).await.0 {
                Watched::Ended(Ok(run)) => {
                    let text = format!("run {} ended {}", run.id, run.status);
                    finished = Some(run);
                    Ok(text)
                }
                Watched::Ended(Err(e)) => Err(e.to_string()),
                Watched::Interrupted(signal, _) => Err(format!("interrupted ({})", signal.name())),
            }
        }
        Err(e) => Err(e),
    };
    check(
        ctx,
        4,
        "Run the sample notebook with region=EMEA, limit=25 and wait (POST /runs, GET /runs/{id})",
        outcome,
    )?;
    let run_id = run_id.expect("checked above");
    let run = finished.expect("checked above");

    let snapshot = api(client.runs().snapshot_of(&run).await);
    let mut printed = Vec::new();
    let read = snapshot.and_then(|s| {
        let doc = s.parse().map_err(|e| e.to_string())?;
        let Some(n) = doc
            .project
            .notebooks
            .iter()
            .find(|n| n.id == sample.as_str())
        else {
            return Err(format!("the snapshot does not hold notebook {sample}"));
        };
        printed = n
            .blocks
            .iter()
            .map(|b| b.stream_text())
            .filter(|t| !t.is_empty())
            .collect();
        let saved = Target::Dir(DEFAULT_DIR.into())
            .write(&s, &run)
            .map_err(|e| e.message)?;
        Ok(format!(
            "{} blocks, {} with printed output; saved to {}",
            n.blocks.len(),
            printed.len(),
            saved
                .paths
                .last()
                .map_or_else(String::new, |p| p.display().to_string())
        ))
    });
    check(
        ctx,
        5,
        "Read its snapshot and save it under snapshots/",
        read,
    )?;
    if printed.is_empty() {
        say(ctx, "      (the notebook printed nothing)");
    }
    for text in &printed {
        for line in text.lines() {
            say(ctx, &format!("      | {line}"));
        }
    }

    let runs: Vec<_> = client.runs().list(sample.clone()).stream().collect().await;
    let runs: Result<Vec<_>, _> = runs.into_iter().collect();
    check(
        ctx,
        6,
        "List the sample notebook's runs (GET /notebooks/{id}/runs)",
        api(runs).and_then(|runs| {
            if runs.iter().any(|r| r.id == run_id) {
                Ok(format!("{} run(s), ours among them", runs.len()))
            } else {
                Err(format!(
                    "run {run_id} is missing from {} listed",
                    runs.len()
                ))
            }
        }),
    )?;

    let executed = api(client
        .notebooks()
        .execute_v1(project_id.clone(), notebook_id.clone())
        .await);
    check(
        ctx,
        7,
        "Trigger the legacy execute (POST /v1/.../execute)",
        executed.map(|()| "triggered".into()),
    )?;

    let mut pages = client.projects().list().page_size(1).pages();
    let (mut page_count, mut total, mut found) = (0, 0, false);
    let mut paged = Ok(());
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => {
                page_count += 1;
                total += page.items.len();
                found |= page.items.iter().any(|p| p.id == project_id);
            }
            Err(e) => {
                paged = Err(e.to_string());
                break;
            }
        }
    }
    check(
        ctx,
        8,
        "Page through projects, one per page (GET /projects)",
        paged.and_then(|()| {
            if found && page_count == total {
                Ok(format!(
                    "{total} projects in {page_count} pages, ours among them"
                ))
            } else {
                Err(format!(
                    "{total} projects in {page_count} pages; ours found: {found}"
                ))
            }
        }),
    )?;

    let cleanup = async {
        client.notebooks().delete(notebook_id.clone()).await?;
        client.projects().delete(project_id.clone()).await?;
        match client.projects().get(project_id.clone()).await {
            Err(Error::NotFound { .. }) => {
                Ok(Ok("deleted the notebook and the project".to_string()))
            }
            Ok(_) => Ok(Err(
                "the project is still there after its deletion".to_string()
            )),
            Err(e) => Err(e),
        }
    };
    let cleaned = match cleanup.await {
        Ok(outcome) => outcome,
        Err(e) => Err(e.to_string()),
    };
    check(
        ctx,
        9,
        "Clean up (DELETE /notebooks/{id}, DELETE /projects/{id})",
        cleaned,
    )?;

    let pulled = pull(client, &sample).await;
    check(
        ctx,
        10,
        &format!(
            "Pull the workspace into {PULL_DIR}/ as .deepnote files (GET /projects/{{id}}/export)"
        ),
        pulled,
    )
}

/// `deepnote sync pull deepnote-demo`: the sample notebook's file must hold the notebook,
/// and a second look must find the folder and the workspace alike.
async fn pull(client: &Client, sample: &deepnote::NotebookId) -> Result<String, String> {
    let dir = std::path::Path::new(PULL_DIR);
    let plan = api(client.sync().pull(dir).apply().await)?;
    let project = plan
        .projects
        .iter()
        .find(|p| p.project_id.as_str() == local::SAMPLE_PROJECT_ID)
        .ok_or("the pull did not meet the sample project")?;
    let folder = dir.join(&project.dir);
    let docs = api(deepnote::projects::DeepnoteDocument::read_dir(&folder).await)?;
    let holds_sample = docs
        .iter()
        .any(|d| d.notebook_id().ok().flatten().as_ref() == Some(sample));
    if !holds_sample {
        return Err(format!(
            "{} holds no file for notebook {sample}",
            folder.display()
        ));
    }
    let again = api(client.sync().pull(dir).plan().await)?;
    if let Some(p) = again.changed().next() {
        return Err(format!(
            "right after the pull, {} still differs from Deepnote",
            p.dir.display()
        ));
    }
    Ok(format!(
        "{} project folder(s); {} holds {} notebook file(s)",
        plan.projects.len(),
        folder.display(),
        docs.len()
    ))
}
