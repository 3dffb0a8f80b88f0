//! Pushing `.deepnote` files without overwriting, unasked, what changed in Deepnote since they
//! were pulled: `projects import` and `run FILE --push` go through [`push`]. The check is the
//! SDK's ([`deepnote::projects::ProjectsApi::push`]); this adds the asking: `--yes` overwrites, a person
//! at a terminal is asked, anything else (a script, CI) is refused with exit 1 naming every
//! notebook and block that changed in Deepnote.

use crate::app::Context;
use crate::exit::{CliError, CliResult, Exit};
use deepnote::{
    Client,
    projects::{DeepnoteDocument, ImportResult, PushBase, PushConflict, PushOptions},
};
use std::io::IsTerminal;
use std::path::Path;

/// Sends `docs` to `project` against `base`; on changes made in Deepnote since, overwrites
/// them only with `yes` or a person's y at the terminal.
pub async fn push(
    client: &Client,
    project: &str,
    docs: &[DeepnoteDocument],
    base: &PushBase,
    options: PushOptions,
    yes: bool,
) -> CliResult<ImportResult> {
    let first = client
        .projects()
        .push(project, docs, base, &options.clone().overwrite(yes))
        .await;
    let conflict = match first {
        Err(deepnote::Error::WouldOverwrite(conflict)) if !conflict.edits.is_empty() => conflict,
        Err(deepnote::Error::WouldOverwrite(conflict)) => return Err(refused(&conflict)),
        other => return Ok(other?),
    };
    if !ask(&conflict)? {
        return Err(refused(&conflict));
    }
    client
        .projects()
        .push(project, docs, base, &options.overwrite(true))
        .await
        .map_err(Into::into)
}

/// The refusal: exit 1, as the server's 409 (see the README's table).
fn refused(conflict: &PushConflict) -> CliError {
    CliError::new(
        Exit::Api,
        format!(
            "{conflict}\n  nothing was sent. Take Deepnote's version first (export or pull \
             again and redo the edit), or overwrite it with --yes"
        ),
    )
}

/// On a terminal, shows what would be overwritten and asks; elsewhere says no without asking.
fn ask(conflict: &PushConflict) -> CliResult<bool> {
    if std::io::stdin().is_terminal() {
        eprintln!("{conflict}");
    }
    crate::confirm::ask("Overwrite these changes in Deepnote with the local files?")
}

/// `run FILE --push`'s push: the file's notebook sent to `project` against the file's own
/// base (its `metadata.modifiedAt` and blocks' `contentHash`, as pulled), refused as [`push`]
/// refuses; then the file's base is moved to what was pushed ([`rebase_files`]).
pub async fn push_file(
    ctx: &Context,
    client: &Client,
    project: &str,
    doc: DeepnoteDocument,
    path: &Path,
    yes: bool,
) -> CliResult<ImportResult> {
    let docs = [doc];
    let base = PushBase::of_documents(&docs)?;
    let result = push(client, project, &docs, &base, PushOptions::new(), yes).await?;
    let dir = path.parent().unwrap_or(Path::new(""));
    rebase_files(ctx, dir, &docs, &result).await;
    Ok(result)
}

/// After a push, each file's recorded base (`metadata.modifiedAt`, the blocks'
/// `contentHash`) is set to what Deepnote now holds, so the next push compares against this
/// one: only those values change in the text. A file that cannot be rewritten is said, not
/// an error: the push itself succeeded.
pub async fn rebase_files(
    ctx: &Context,
    dir: &Path,
    docs: &[DeepnoteDocument],
    result: &ImportResult,
) {
    for doc in docs {
        let path = dir.join(&doc.file_name);
        let rebased = match deepnote::projects::rebased(doc, &result.modified_at) {
            Ok(r) if r.content != doc.content => r,
            Ok(_) => continue,
            Err(e) => {
                ctx.note(format!("note: {} keeps its old base: {e}", path.display()));
                continue;
            }
        };
        // Edited again while the push ran: that edit is the user's, left as it is.
        if std::fs::read(&path).ok().as_deref() != Some(doc.content.as_bytes()) {
            continue;
        }
        let partial = dir.join(format!(".{}.part", doc.file_name));
        let written = std::fs::write(&partial, rebased.content.as_bytes())
            .and_then(|()| std::fs::rename(&partial, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            ctx.note(format!(
                "note: pushed, but {} keeps its old base ({e}); the next push of it may be \
                 refused as a conflict",
                path.display()
            ));
        }
    }
}
