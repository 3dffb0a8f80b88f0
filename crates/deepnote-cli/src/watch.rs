//! Watching a run to its end: progress on stderr, Ctrl-C, the timeout, the snapshot, GitHub
//! Actions, and the exit code. Shared by `deepnote run` and `deepnote runs wait`.

use crate::app::Context;
use crate::duration::{DEFAULT_TIMEOUT, Deadline, parse_timeout};
use crate::exit::{CliError, CliResult, Exit};
use crate::github::{self, RunSummary};
use crate::output::OutputFormat;
use crate::progress::{Mode, Progress};
use crate::report::{Finished, Unfinished};
use crate::signals::Signal;
use crate::snapshots::{Saved, Target};
use clap::Args;
use deepnote::{
    Client, Error, RunId, StreamExt,
    runs::{Run, SnapshotDelivery, SnapshotRef, Wait},
};
use std::path::PathBuf;
use std::time::Duration;

/// How long to wait, and where the snapshot goes.
#[derive(Debug, Args, Clone)]
pub struct WaitArgs {
    /// Stop waiting after this long, such as 90s, 10m or 1h30m, or `none` to wait forever
    /// (exit 6; the run goes on in Deepnote)
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_timeout,
        default_value_t = Deadline(Some(DEFAULT_TIMEOUT))
    )]
    pub timeout: Deadline,
    /// When the run ends, write its execution snapshot (.deepnote YAML) to this file; missing
    /// directories are created, and it is checked before the run starts. `-` writes it to
    /// stdout (the run is then not printed). `deepnote run` saves it by default, see
    /// --no-snapshot
    #[arg(long, value_name = "PATH")]
    pub snapshot_out: Option<PathBuf>,
}

/// What `runs wait` names as the notebook: it knows only the run.
pub const UNKNOWN_NOTEBOOK: &str = "(unknown notebook)";

/// How a watch ended, before it is printed.
pub enum Watched {
    /// The run finished, successfully or not; `Err` holds the SDK's verdict.
    Ended(Result<Run, Error>),
    /// Ctrl-C or SIGTERM: the CLI stops watching; the run goes on. With its last status seen.
    Interrupted(Signal, Option<String>),
}

/// Follows `wait` until the run ends, the deadline passes or Ctrl-C, reporting each status
/// change.
pub async fn watch(wait: Wait, mode: Mode) -> (Watched, Duration) {
    let id = wait.run_id();
    let mut changes = wait.status_changes();
    let mut progress = Progress::start(mode, format!("run {id}"));
    let mut last = None;
    let stopped = crate::signals::stopped();
    tokio::pin!(stopped);
    let watched = loop {
        tokio::select! {
            item = changes.next() => match item {
                Some(Ok(run)) if run.is_finished() => break Watched::Ended(Ok(run)),
                Some(Ok(run)) => {
                    progress.status(run.status.as_str());
                    last = Some(run);
                }
                Some(Err(error)) => break Watched::Ended(Err(error)),
                None => break Watched::Ended(last.take().ok_or_else(|| {
                    Error::Decode("the wait ended without a run".into())
                })),
            },
            signal = &mut stopped => {
                break Watched::Interrupted(signal, last.as_ref().map(|r| r.status.to_string()));
            }
        }
    };
    let outcome = match &watched {
        Watched::Ended(Ok(run)) => run.status.to_string(),
        Watched::Ended(Err(Error::RunFailed { run, .. })) => run.status.to_string(),
        Watched::Ended(Err(Error::Timeout { .. })) => "timed out".to_string(),
        Watched::Ended(Err(_)) => "could not be followed".to_string(),
        Watched::Interrupted(..) => String::new(),
    };
    if matches!(watched, Watched::Interrupted(..)) {
        // One line says it all, and the caller prints it.
        progress.abandon();
    } else {
        progress.finish(&outcome);
    }
    let elapsed = progress.elapsed();
    (watched, elapsed)
}

/// Waits for a run (`wait`) and reports it: the run on stdout, the snapshot to
/// `--snapshot-out`, the outcome to GitHub Actions, and the exit code from the run's status.
pub async fn wait_and_report(
    ctx: &mut Context,
    client: &Client,
    mut wait: Wait,
    notebook: &str,
    args: &WaitArgs,
    snapshot: &Target,
) -> CliResult {
    let mode = Mode::detect(ctx.global.quiet);
    let id = wait.run_id();
    if let Some(timeout) = args.timeout.0 {
        wait = wait.deadline(timeout);
    }
    if *snapshot != Target::Nowhere {
        // The read that sees the end brings the snapshot along: one request fewer.
        wait = wait.snapshot_delivery(SnapshotDelivery::Inline);
    }
    let (watched, elapsed) = watch(wait, mode).await;
    let known_notebook = (notebook != UNKNOWN_NOTEBOOK).then_some(notebook);
    let mut result = match watched {
        Watched::Interrupted(signal, last) => {
            // A pipeline still gets the run id to follow; a person reads the one line.
            if ctx.out.format() != OutputFormat::Table {
                let why = format!("stopped watching ({}); the run goes on", signal.name());
                ctx.out
                    .item(&Unfinished::new(id, known_notebook, last, why))?;
            }
            return Err(interrupted(id, signal));
        }
        Watched::Ended(result) => result,
    };
    if let Err(Error::Timeout {
        last_status,
        waited,
        ..
    }) = &result
        && ctx.out.format() != OutputFormat::Table
    {
        let why = format!(
            "did not finish within {}; still running",
            crate::duration::human(*waited)
        );
        let record = Unfinished::new(id, known_notebook, Some(last_status.to_string()), why);
        ctx.out.item(&record)?;
    }
    let failed_run = result.is_err();
    let reason = match &result {
        Err(Error::RunFailed { message, .. }) => message.clone(),
        _ => None,
    };
    if let Some(run) = finished_mut(&mut result) {
        let saved = snapshot.save(client, run).await;
        // What came inline is in the snapshot's file now, not repeated on stdout (where a
        // table could not show it anyway).
        if matches!(run.snapshot, Some(SnapshotRef::Inline(_))) {
            run.snapshot = None;
        }
        let path = match &saved {
            Ok(Some(saved)) => saved.paths.first().map(|p| p.display().to_string()),
            _ => None,
        };
        if snapshot.leaves_stdout_free() {
            let mut shown = run.clone();
            ctx.out
                .item(&Finished::new(&mut shown, reason.as_deref(), path))?;
        }
        match (failed_run, saved) {
            (_, Ok(None)) => {}
            (_, Ok(Some(saved))) => note_saved(ctx, &saved),
            // The run's failure is the news; a missing snapshot of a failed run is a footnote.
            (true, Err(e)) => ctx.note(format!("warning: no snapshot written: {}", e.message)),
            (false, Err(e)) => return Err(e),
        }
    }
    report_to_github(notebook, id, &result, elapsed);
    match result {
        Ok(_) => Ok(()),
        Err(error) => Err(failed(id, error)),
    }
}

/// The one line for a watch stopped by a signal.
pub fn interrupted(id: RunId, signal: Signal) -> CliError {
    CliError::new(
        signal.exit(),
        format!(
            "stopped watching run {id} ({}); it goes on in Deepnote: `deepnote runs wait {id}`",
            signal.name()
        ),
    )
}

/// A watch's error; a timeout says the run goes on and how to follow it; an answer of the
/// server names the run.
pub fn failed(id: RunId, error: Error) -> CliError {
    match error {
        Error::Timeout {
            run_id,
            last_status,
            waited,
        } => CliError::new(
            Exit::Timeout,
            format!(
                "run {run_id} did not finish within {} (last status: {last_status}); it goes on \
                 in Deepnote. Follow it with:\n  deepnote runs wait {run_id}",
                crate::duration::human(waited)
            ),
        ),
        other => crate::errors::about(format!("run {id}"), other),
    }
}

/// Says where a snapshot went.
pub fn note_saved(ctx: &Context, saved: &Saved) {
    let place = match saved.paths.as_slice() {
        [] => "stdout".to_string(),
        paths => paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" and "),
    };
    ctx.note(format!(
        "saved the snapshot ({} bytes) to {place}",
        saved.bytes
    ));
}

/// The run a watch ended with: the finished one, or the one that failed.
fn finished(result: &Result<Run, Error>) -> Option<&Run> {
    match result {
        Ok(run) => Some(run),
        Err(Error::RunFailed { run, .. }) => Some(run),
        Err(_) => None,
    }
}

fn finished_mut(result: &mut Result<Run, Error>) -> Option<&mut Run> {
    match result {
        Ok(run) => Some(run),
        Err(Error::RunFailed { run, .. }) => Some(run),
        Err(_) => None,
    }
}

/// Reports a watched run's outcome to GitHub Actions (an annotation when it failed, a row of
/// the step summary), when running there.
pub fn report_to_github(notebook: &str, id: RunId, result: &Result<Run, Error>, elapsed: Duration) {
    if !github::in_actions() {
        return;
    }
    let finished = finished(result);
    // `runs wait` knows only the run; the run itself names its notebook.
    let notebook = finished
        .and_then(|run| run.notebook_id.as_ref())
        .map_or(notebook, |id| id.as_str());
    let status = match (finished, result) {
        (Some(run), _) => run.status.to_string(),
        (None, Err(Error::Timeout { .. })) => "timeout".to_string(),
        (None, _) => "unknown".to_string(),
    };
    let error = match result {
        Ok(_) => None,
        Err(Error::RunFailed { message, .. }) => Some(
            message
                .clone()
                .unwrap_or_else(|| format!("status {status}")),
        ),
        Err(e) => Some(e.to_string()),
    };
    if let Some(error) = &error {
        let title = if status == "timeout" {
            "Deepnote run timed out"
        } else {
            "Deepnote run failed"
        };
        eprintln!(
            "{}",
            github::error_annotation(title, &format!("notebook {notebook}, run {id}: {error}"))
        );
    }
    let summary = RunSummary {
        notebook: notebook.to_string(),
        run_id: Some(id.to_string()),
        status,
        duration: elapsed,
        error,
    };
    if let Err(e) = github::append_summary(&summary) {
        eprintln!("warning: cannot append to $GITHUB_STEP_SUMMARY: {e}");
    }
}

/// Reports a run that never started (the API refused it) to GitHub Actions.
pub fn report_not_started(notebook: &str, error: &Error) {
    if !github::in_actions() {
        return;
    }
    eprintln!(
        "{}",
        github::error_annotation(
            "Deepnote run not started",
            &format!("notebook {notebook}: {error}")
        )
    );
    let summary = RunSummary {
        notebook: notebook.to_string(),
        run_id: None,
        status: "not started".to_string(),
        duration: Duration::ZERO,
        error: Some(error.to_string()),
    };
    if let Err(e) = github::append_summary(&summary) {
        eprintln!("warning: cannot append to $GITHUB_STEP_SUMMARY: {e}");
    }
}
