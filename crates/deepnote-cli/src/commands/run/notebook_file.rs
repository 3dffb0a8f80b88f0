//! `deepnote run FILE.deepnote`: the notebook a `.deepnote` file names (its document's
//! project and notebook ids; `--notebook NAME` picks one of several), pushed to its project
//! first with `--push`, or created in the workspace when its project is not there (see
//! [`super::project_create`]). The run itself is `deepnote run NOTEBOOK_ID`'s.

use super::RunArgs;
use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::local_args::check_paths_exist;
use deepnote::{Client, projects::DeepnoteDocument};
use std::path::Path;

/// An argument that names a `.deepnote` file rather than a notebook id.
fn is_file(arg: &str) -> bool {
    arg.ends_with(".deepnote") && Path::new(arg).is_file()
}

/// Replaces each `.deepnote` file among the run's notebooks by the id of the notebook it
/// holds, pushing the file first when `--push` says so.
pub async fn resolve(ctx: &Context, client: &Client, args: &mut RunArgs) -> CliResult {
    check_paths_exist(&args.notebooks)?;
    let files = args.notebooks.iter().filter(|a| is_file(a)).count();
    if files == 0 {
        if args.notebook.is_some() || args.push {
            return Err(CliError::usage(
                "--notebook and --push need a .deepnote file to run (`deepnote run FILE.deepnote`)",
            ));
        }
        return Ok(());
    }
    for arg in args.notebooks.iter_mut() {
        if !is_file(arg) {
            continue;
        }
        let path = Path::new(arg.as_str());
        let doc = read(path).await?;
        let project = doc.project_id()?.ok_or_else(|| {
            CliError::usage(format!("{arg} names no project (project.id is missing)"))
        })?;
        let notebooks = doc.notebooks()?;
        let notebook = pick(arg, &notebooks, args.notebook.as_deref())?;
        if args.push && !super::project_create::in_workspace(client, &project).await? {
            *arg = super::project_create::create(ctx, client, path, &doc, &notebook).await?;
            continue;
        }
        if !args.push {
            super::project_create::say_if_differs(client, arg, &doc, &notebook).await;
        }
        if args.push {
            // Refused when the notebook changed in Deepnote since the file was pulled; the
            // file's base then moves to what was pushed, so its next edit pushes cleanly.
            let result =
                crate::push_check::push_file(ctx, client, project.as_str(), doc, path, args.yes)
                    .await?;
            ctx.note(format!(
                "pushed {arg} to project {project} (now at {})",
                result.modified_at
            ));
        }
        *arg = notebook;
    }
    Ok(())
}

/// The local file as a document. One that is not YAML is exit 2 naming the file, line and
/// column (a local file is the user's to fix, not an answer of the API that could not be
/// decoded): checked under the path the user gave, then named by its file name, as an import
/// names documents.
async fn read(path: &Path) -> CliResult<DeepnoteDocument> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut doc = DeepnoteDocument::new(path.display().to_string(), text);
    match doc.check() {
        Err(deepnote::Error::InvalidArgument(where_it_breaks)) => {
            return Err(CliError::usage(where_it_breaks));
        }
        other => other?,
    }
    doc.file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(doc)
}

/// The notebook to run: the only one, else the one `--notebook` names (by name or id).
fn pick(
    file: &str,
    notebooks: &[(deepnote::NotebookId, String)],
    wanted: Option<&str>,
) -> CliResult<String> {
    let names = || {
        notebooks
            .iter()
            .map(|(id, name)| format!("{name:?} ({id})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (wanted, notebooks) {
        (_, []) => Err(CliError::usage(format!(
            "{file} holds no notebook with an id"
        ))),
        (None, [(id, _)]) => Ok(id.to_string()),
        (None, _) => Err(CliError::usage(format!(
            "{file} holds {} notebooks; pick one with --notebook NAME: {}",
            notebooks.len(),
            names()
        ))),
        (Some(wanted), _) => notebooks
            .iter()
            .find(|(id, name)| name == wanted || id.as_str() == wanted)
            .map(|(id, _)| id.to_string())
            .ok_or_else(|| {
                CliError::usage(format!(
                    "{file} holds no notebook named {wanted:?}; it holds {}",
                    names()
                ))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deepnote::NotebookId;

    #[test]
    fn the_notebook_is_the_only_one_or_the_one_named() {
        let one = [(NotebookId::new("a"), "Main".to_string())];
        let two = [one[0].clone(), (NotebookId::new("b"), "Report".to_string())];
        assert_eq!(pick("f", &one, None).unwrap(), "a");
        assert_eq!(pick("f", &two, Some("Report")).unwrap(), "b");
        assert_eq!(pick("f", &two, Some("a")).unwrap(), "a");
        let several = pick("f", &two, None).unwrap_err();
        assert!(
            several.message.contains("\"Report\" (b)"),
            "{}",
            several.message
        );
        assert!(pick("f", &two, Some("Nope")).is_err());
        assert!(pick("f", &[], None).is_err());
    }
}
