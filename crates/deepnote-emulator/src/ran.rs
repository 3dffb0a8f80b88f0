//! What a run ran: at its start the emulator freezes the notebook (names and blocks) into the
//! run, so its snapshot is what ran whatever happens to the notebook later, and applies the
//! source rule of [`crate::failing`]: a run whose behaviour says it succeeds fails when one of
//! the code blocks it executes fails by that rule. An explicit behaviour (the control API's
//! `error`, `internal_error` or `stopped`) is kept as set.

use crate::runs::Outcome;
use crate::state::{BlockRecord, NotebookRecord, ProjectRecord, RanNotebook, RunRecord};

/// `run`, which is starting now on `notebook` of `project`, with what it runs frozen in.
pub fn started(
    mut run: RunRecord,
    project: &ProjectRecord,
    notebook: &NotebookRecord,
) -> RunRecord {
    if run.behaviour.outcome == Outcome::Success
        && let Some((_, f)) = first_failure(&notebook.blocks, &run)
    {
        run.behaviour.outcome = Outcome::Error;
        run.behaviour.message = Some(reason(&f));
        // The live reference has a run `error` (a string): a failure the notebook's own
        // source gives is reported there, unless the behaviour said otherwise.
        run.behaviour.report_error = run.behaviour.report_error.or(Some(true));
    }
    run.ran = Some(RanNotebook {
        project_name: project.name.clone(),
        notebook_name: notebook.name.clone(),
        blocks: notebook.blocks.clone(),
    });
    run
}

/// The first block `run` executes whose source fails: its index in `blocks`, and why.
pub fn first_failure(
    blocks: &[BlockRecord],
    run: &RunRecord,
) -> Option<(usize, crate::failing::Failure)> {
    crate::snapshot::executed_blocks(blocks, run)
        .into_iter()
        .filter(|&i| blocks[i].kind == "code")
        .find_map(|i| crate::failing::failure(&blocks[i].content).map(|f| (i, f)))
}

/// A failure as a one-line reason: `ValueError: boom`, or the name alone without a message.
pub fn reason(f: &crate::failing::Failure) -> String {
    if f.evalue.is_empty() {
        f.ename.clone()
    } else {
        format!("{}: {}", f.ename, f.evalue)
    }
}
