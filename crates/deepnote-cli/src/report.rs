//! What a pipeline reads of a run on stdout (`-o json`, `-o jsonl`): its id, notebook,
//! status, times, the failure reason stderr shows and the snapshot's path. A run the CLI
//! stopped watching (a timeout, Ctrl-C) is still printed with what is known of it, marked
//! `stillRunning`, so a script has the run id to follow.

use deepnote::{RunId, runs::Run};
use serde::Serialize;

/// A finished run as `deepnote run` prints it: the run as the SDK reads it (its `error` the
/// failure reason stderr shows, when the server gave none), the path its snapshot went to,
/// and `stillRunning: false`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finished<'a> {
    #[serde(flatten)]
    pub run: &'a Run,
    /// Where the snapshot was saved, when it went to a file.
    pub snapshot: Option<String>,
    /// Always false: the run ended.
    pub still_running: bool,
}

impl<'a> Finished<'a> {
    /// The record of `run`, which failed for `reason` (when it failed), its snapshot at
    /// `snapshot`. `run.error` is filled with the reason when the server gave none.
    pub fn new(run: &'a mut Run, reason: Option<&str>, snapshot: Option<String>) -> Finished<'a> {
        if run.error.is_none() {
            run.error = reason.map(str::to_string);
        }
        Finished {
            run,
            snapshot,
            still_running: false,
        }
    }
}

/// A run the CLI stopped watching before it ended: what is known of it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unfinished {
    /// The run.
    pub run_id: RunId,
    /// Its notebook, when known.
    pub notebook_id: Option<String>,
    /// Its last status seen (`running`, ...), or `unknown`.
    pub status: String,
    /// Why the CLI stopped watching (the first line stderr shows).
    pub error: String,
    /// No snapshot: the run has not ended.
    pub snapshot: Option<String>,
    /// Always true: the run goes on in Deepnote.
    pub still_running: bool,
}

impl Unfinished {
    /// The record of run `run_id` of `notebook`, last seen in `status`, left because `why`.
    pub fn new(
        run_id: RunId,
        notebook: Option<&str>,
        status: Option<String>,
        why: String,
    ) -> Unfinished {
        Unfinished {
            run_id,
            notebook_id: notebook.map(str::to_string),
            status: status.unwrap_or_else(|| "unknown".to_string()),
            error: why,
            snapshot: None,
            still_running: true,
        }
    }
}
