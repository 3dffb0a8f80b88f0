//! `deepnote run NB1 NB2 ...` (and `--from-file`): several notebooks through the SDK's
//! `run_many`, one progress line per run as it ends, a summary table, every snapshot saved,
//! each outcome reported to GitHub Actions as a single run's is, and the exit code of the
//! worst outcome.

use super::RunArgs;
use crate::app::Context;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{Column, col};
use crate::snapshots::{DEFAULT_DIR, Target};
use crate::{duration, inputs};
use deepnote::{
    Client, StreamExt,
    inputs::InputValue,
    runs::{RunRequest, WaitPolicy},
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// The notebooks a `run` names: its arguments, then the lines of `--from-file` (`-` for
/// stdin; blank lines and `#` comments skipped).
pub fn notebooks(args: &RunArgs) -> CliResult<Vec<String>> {
    let mut all = args.notebooks.clone();
    if let Some(path) = &args.from_file {
        all.extend(read_ids(path)?);
    }
    if all.is_empty() {
        return Err(CliError::usage(
            "no notebook to run: name one or more, or give --from-file FILE",
        ));
    }
    Ok(all)
}

fn read_ids(path: &Path) -> CliResult<Vec<String>> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(path)
    }
    .map_err(|e| CliError::usage(format!("--from-file {}: {e}", path.display())))?;
    Ok(parse_ids(&text))
}

/// One id a line; what follows `#` is a comment.
pub fn parse_ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect()
}

/// One row of the summary: what a pipeline reads of each run (see [`crate::report`]).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    notebook_id: String,
    run_id: Option<String>,
    status: String,
    created_at: Option<chrono::DateTime<chrono::Utc>>,
    completed_at: Option<chrono::DateTime<chrono::Utc>>,
    error: Option<String>,
    snapshot: Option<String>,
    /// True for a run the CLI stopped watching (a timeout); unknown (`null`) for one it
    /// never heard of before Ctrl-C.
    still_running: Option<bool>,
}

const COLUMNS: &[Column] = &[
    col("NOTEBOOK", "/notebookId"),
    col("RUN", "/runId"),
    col("STATUS", "/status"),
    col("SNAPSHOT", "/snapshot"),
    col("ERROR", "/error"),
];

/// Runs every notebook, `--concurrency` at a time.
pub async fn run(
    ctx: &mut Context,
    client: &Client,
    args: &RunArgs,
    notebooks: Vec<String>,
) -> CliResult {
    if args.no_wait {
        return Err(CliError::usage(
            "--no-wait runs one notebook; several are always waited for",
        ));
    }
    let snapshot = match &args.wait.snapshot_out {
        Some(_) => {
            return Err(CliError::usage(
                "--snapshot-out names one file; the snapshots of several runs go to snapshots/ \
                 (or --no-snapshot)",
            ));
        }
        None if args.no_snapshot => Target::Nowhere,
        None => Target::Dir(DEFAULT_DIR.into()),
    };
    snapshot.prepare()?;
    let values = inputs::of(args.input_file.as_deref(), &args.inputs)?;
    // Each input goes only to the notebooks that define it; one none defines stops here.
    let ids: Vec<deepnote::NotebookId> = notebooks
        .iter()
        .map(|nb| deepnote::NotebookId::new(nb.as_str()))
        .collect();
    let routed = client.runs().route_inputs(&ids, &values).await?;
    let requests: Vec<RunRequest> = notebooks
        .iter()
        .zip(&routed)
        .map(|(nb, values)| request(args, nb, values))
        .collect();
    let mut policy = WaitPolicy::default();
    policy.deadline = args.wait.timeout.0;
    let total = requests.len();
    ctx.note(format!(
        "running {total} notebooks, {} at a time",
        args.concurrency.min(total)
    ));
    let started = Instant::now();
    let mut outcomes = client
        .runs()
        .run_many(requests)
        .concurrency(args.concurrency)
        .wait_policy(policy)
        .stream();
    let mut rows: Vec<Option<Row>> = (0..total).map(|_| None).collect();
    // JSON Lines prints each run as it ends; the other formats print the list in order.
    let streaming = ctx.out.format() == crate::output::OutputFormat::Jsonl;
    let mut printed = vec![false; total];
    let mut worst = Exit::Success;
    let stopped = crate::signals::stopped();
    tokio::pin!(stopped);
    let mut done = 0;
    loop {
        let outcome = tokio::select! {
            outcome = outcomes.next() => match outcome {
                Some(outcome) => outcome,
                None => break,
            },
            signal = &mut stopped => {
                // What ended before the signal is printed; the rest as not known to have ended.
                let why = format!("stopped watching ({}) before it ended", signal.name());
                for (index, row) in rows.into_iter().enumerate() {
                    let row = row.unwrap_or_else(|| Row {
                        notebook_id: notebooks[index].clone(),
                        run_id: None,
                        status: "unknown".to_string(),
                        created_at: None,
                        completed_at: None,
                        error: Some(why.clone()),
                        snapshot: None,
                        still_running: None,
                    });
                    if !(streaming && printed[index]) {
                        ctx.out.list_item(&row)?;
                    }
                }
                ctx.out.finish_list(COLUMNS, "runs")?;
                return Err(CliError::new(
                    signal.exit(),
                    format!(
                        "stopped watching {} of {total} runs ({}); started runs go on in \
                         Deepnote: `deepnote notebooks runs NOTEBOOK` lists them",
                        total - done,
                        signal.name()
                    ),
                ));
            }
        };
        done += 1;
        let notebook = notebooks[outcome.index].clone();
        match (outcome.run_id, &outcome.result) {
            (Some(id), result) => {
                crate::watch::report_to_github(&notebook, id, result, started.elapsed());
            }
            (None, Err(error)) => crate::watch::report_not_started(&notebook, error),
            (None, Ok(_)) => {}
        }
        let run_id = outcome.run_id.map(|id| id.to_string());
        let (status, error, exit, finished) = match outcome.result {
            Ok(run) => (run.status.to_string(), None, Exit::Success, Some(run)),
            Err(deepnote::Error::RunFailed { run, message }) => (
                run.status.to_string(),
                message.or_else(|| run.error.clone()),
                Exit::RunFailed,
                Some(*run),
            ),
            Err(e) => {
                let status = match &e {
                    deepnote::Error::Timeout { .. } => "timed out",
                    _ if run_id.is_some() => "unknown",
                    _ => "not started",
                };
                let exit = crate::errors::exit_for(&e);
                (
                    status.to_string(),
                    Some(crate::errors::describe(&e)),
                    exit,
                    None,
                )
            }
        };
        worst = worse(worst, exit);
        let saved = match &finished {
            Some(run) => match snapshot.save(client, run).await {
                Ok(saved) => saved.and_then(|s| s.paths.into_iter().next()),
                Err(e) => {
                    ctx.note(format!(
                        "warning: no snapshot for {notebook}: {}",
                        e.message
                    ));
                    if exit == Exit::Success {
                        worst = worse(worst, e.exit);
                    }
                    None
                }
            },
            None => None,
        };
        ctx.note(format!(
            "[{done}/{total}] notebook {notebook}: {}{status} ({})",
            run_id
                .as_deref()
                .map_or_else(String::new, |id| format!("run {id} ")),
            duration::human(started.elapsed())
        ));
        let timed_out = status == "timed out";
        let row = Row {
            notebook_id: notebook,
            run_id,
            status,
            created_at: finished.as_ref().and_then(|r| r.created_at),
            completed_at: finished.as_ref().and_then(|r| r.finished_at),
            error,
            snapshot: saved.map(|p| p.display().to_string()),
            still_running: Some(timed_out),
        };
        if streaming {
            ctx.out.list_item(&row)?;
            printed[outcome.index] = true;
        }
        rows[outcome.index] = Some(row);
    }
    if !streaming {
        for row in rows.into_iter().flatten() {
            ctx.out.list_item(&row)?;
        }
    }
    ctx.out.finish_list(COLUMNS, "runs")?;
    match worst {
        Exit::Success => Ok(()),
        exit => Err(CliError::new(
            exit,
            format!("not every run succeeded (exit {})", exit.code()),
        )),
    }
}

/// The request `deepnote run` sends for one notebook, the same for one or many. With neither
/// flag the SDK sends what Deepnote expects: blocks live, a whole notebook detached.
pub(crate) fn request(
    args: &RunArgs,
    notebook: &str,
    values: &BTreeMap<String, InputValue>,
) -> RunRequest {
    let mut request = RunRequest::new(notebook);
    if !values.is_empty() {
        request = request.inputs(values.clone());
    }
    if !args.blocks.is_empty() {
        request = request
            .blocks(args.blocks.iter().cloned())
            .run_dependent_blocks(args.dependents);
    }
    if args.detached {
        request = request.detached(true);
    }
    if args.live {
        request = request.live();
    }
    if let Some(mode) = args.storage_mode {
        request = request.storage_mode(mode);
    }
    request
}

/// The worse of two outcomes: what stopped the CLI itself first, then what is wrong with the
/// setup (usage, the key), then the API, then the runs (missing, too slow, failed).
pub fn worse(a: Exit, b: Exit) -> Exit {
    fn rank(e: Exit) -> u8 {
        match e {
            Exit::Success => 0,
            Exit::RunFailed => 1,
            Exit::Timeout => 2,
            Exit::NotFound => 3,
            Exit::Api => 4,
            Exit::Auth => 5,
            Exit::Usage => 6,
            Exit::Interrupted | Exit::Terminated => 7,
        }
    }
    if rank(b) > rank(a) { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_one_a_line_with_comments() {
        assert_eq!(
            parse_ids("a\n\n  b  # the second\n# all comment\nc\r\n"),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn the_worst_outcome_wins() {
        assert_eq!(worse(Exit::Success, Exit::RunFailed), Exit::RunFailed);
        assert_eq!(worse(Exit::Timeout, Exit::RunFailed), Exit::Timeout);
        assert_eq!(worse(Exit::NotFound, Exit::Timeout), Exit::NotFound);
        assert_eq!(worse(Exit::Success, Exit::Success), Exit::Success);
    }
}
