//! A notebook argument that looks like a local path (it has a `/` or ends in `.deepnote`) is
//! never sent as a notebook id: checked before the session opens, so a typo costs no request.
//! `deepnote run` takes files itself ([`crate::commands::run`]); the other commands that take a
//! notebook take its id only.

use crate::cli::Command;
use crate::commands::blocks::BlocksCommand;
use crate::commands::notebooks::{NotebooksCommand, ReorderArgs, RunsListArgs};
use crate::commands::runs::RunsCommand;
use crate::commands::schedules::SchedulesCommand;
use crate::commands::sessions::SessionsCommand;
use crate::exit::{CliError, CliResult};
use std::path::Path;

/// Exit 2 naming the path when a command's notebook argument is a local path: one that is not
/// there ([`check_paths_exist`]), or a file, which these commands do not read.
pub fn check(command: &Command) -> CliResult {
    let notebook = match command {
        Command::Notebooks(
            NotebooksCommand::Get { notebook, .. }
            | NotebooksCommand::Delete { notebook, .. }
            | NotebooksCommand::Runs(RunsListArgs { notebook, .. })
            | NotebooksCommand::Inputs { notebook, .. }
            | NotebooksCommand::Update { notebook, .. }
            | NotebooksCommand::Reorder(ReorderArgs { notebook, .. }),
        )
        | Command::Runs(RunsCommand::List(RunsListArgs { notebook, .. }))
        | Command::Blocks(
            BlocksCommand::List { notebook, .. }
            | BlocksCommand::Create { notebook, .. }
            | BlocksCommand::Reorder(ReorderArgs { notebook, .. }),
        )
        | Command::Schedules(
            SchedulesCommand::List { notebook, .. }
            | SchedulesCommand::Create { notebook, .. }
            | SchedulesCommand::Set { notebook, .. },
        )
        | Command::Sessions(SessionsCommand::Create { notebook, .. }) => notebook,
        _ => return Ok(()),
    };
    check_paths_exist([notebook])?;
    if looks_like_path(notebook) {
        return Err(CliError::usage(format!(
            "{notebook} is a local file; this command takes a notebook id (a file's notebook \
             ids are its project.notebooks[].id; `deepnote run FILE` runs a file); nothing was \
             sent"
        )));
    }
    Ok(())
}

/// An argument that can only be meant as a local path: it has a `/` or ends in `.deepnote`
/// (no notebook id Deepnote gives does either).
fn looks_like_path(arg: &str) -> bool {
    arg.contains('/') || arg.ends_with(".deepnote")
}

/// Exit 2 naming the path when an argument that looks like a path is not there, before
/// anything is sent: a typo must not reach the API as a notebook id.
pub fn check_paths_exist<'a>(args: impl IntoIterator<Item = &'a String>) -> CliResult {
    for arg in args {
        if looks_like_path(arg) && !Path::new(arg).exists() {
            return Err(CliError::usage(format!(
                "{arg}: no such file (an argument with a `/` or ending in .deepnote is a local \
                 file; nothing was sent)"
            )));
        }
    }
    Ok(())
}
