//! `deepnote run FILE.deepnote --push` when the file's project is not in the workspace (a
//! file from Deepnote's examples, another workspace, a colleague): the project is created
//! from the file as Deepnote's CLI creates one ([`deepnote::projects::ProjectsApi::create_from_document`]),
//! and the ids Deepnote gave are recorded in the file ([`super::file_ids`]), so the next push
//! goes to that project through the ordinary import. Also the note `run FILE` (no `--push`)
//! gives when the file differs from Deepnote's copy of the notebook.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use deepnote::{Client, ProjectId, projects::DeepnoteDocument};
use std::collections::HashMap;
use std::path::Path;

/// Whether the file's project is one the workspace has: an id that is not a UUID never is
/// (Deepnote's project ids are UUIDs; its example files carry names like
/// `inline-outputs-example`), else Deepnote is asked.
pub async fn in_workspace(client: &Client, project: &ProjectId) -> CliResult<bool> {
    if !is_uuid(project.as_str()) {
        return Ok(false);
    }
    match client.projects().get(project.clone()).await {
        Ok(_) => Ok(true),
        Err(deepnote::Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `8-4-4-4-12` hex digits, the form of every project id Deepnote gives.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Creates the project from the file, records its new ids in the file, and returns the id
/// of the notebook to run (the one `local_notebook` names in the file).
pub async fn create(
    ctx: &Context,
    client: &Client,
    path: &Path,
    doc: &DeepnoteDocument,
    local_notebook: &str,
) -> CliResult<String> {
    let file = path.display();
    let created = client
        .projects()
        .create_from_document(doc)
        .await
        .map_err(deepnote::Error::from)?;
    for warning in &created.warnings {
        eprintln!("warning: {warning}");
    }
    let project = &created.project_id;
    let old_project = doc.project_id()?.map(|p| p.to_string()).unwrap_or_default();
    let mut renames = HashMap::from([(old_project.clone(), project.to_string())]);
    // Blocks too: they were made through the blocks API under ids Deepnote chose, and the
    // next push compares the file with Deepnote block by block.
    for nb in &created.notebooks {
        renames.insert(nb.source_id.clone(), nb.id.to_string());
        for (source, id) in &nb.block_ids {
            renames.insert(source.clone(), id.to_string());
        }
    }
    let target = created
        .notebooks
        .iter()
        .find(|n| n.source_id == local_notebook)
        .map(|n| n.id.to_string())
        .ok_or_else(|| {
            CliError::api(format!(
                "created project {project} from {file}, but cannot tell which of its notebooks \
                 is {local_notebook}"
            ))
        })?;
    let recorded = match client.projects().export(project.clone()).await {
        // The file's base (`modifiedAt`, the blocks' `contentHash`) is the example's: moved to
        // what the new project holds, or the next push would name every block a change made
        // in Deepnote.
        Ok(export) => match export.modified_at() {
            Ok(Some(at)) => record(path, &doc.content, &renames, Some(&at)),
            _ => record(path, &doc.content, &renames, None),
        },
        Err(_) => record(path, &doc.content, &renames, None),
    };
    match recorded {
        Ok(()) => ctx.note(format!(
            "created project {project} from {file} ({} notebook(s)); {file} now names it \
             (project.id {old_project} -> {project}, and its notebooks' ids), so the next --push \
             goes to it",
            created.notebooks.len()
        )),
        Err(why) => eprintln!(
            "warning: created project {project} from {file}, but could not record its ids in \
             the file ({why}); the next --push would create another project: set project.id \
             to {project} and the notebooks' ids ({})",
            created
                .notebooks
                .iter()
                .map(|n| format!("{} -> {}", n.source_id, n.id))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
    Ok(target)
}

/// Rewrites the file with the new ids, checking first that the rewrite changed nothing but
/// them (a block's content that happens to hold an `id:` line would otherwise be touched):
/// written to a temporary file beside it, then renamed over it.
fn record(
    path: &Path,
    text: &str,
    renames: &HashMap<String, String>,
    modified_at: Option<&str>,
) -> Result<(), String> {
    let (mut new_text, _) = super::file_ids::rewrite(text, renames);
    if let Some(at) = modified_at {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        new_text = deepnote::projects::rebased(&DeepnoteDocument::new(name, new_text), at)
            .map_err(|e| e.to_string())?
            .content;
    }
    let before = blocks_of(text)?;
    let after = blocks_of(&new_text)?;
    if before != after {
        return Err("the rewrite would have touched a block's content".into());
    }
    let tmp = path.with_extension("deepnote.tmp");
    std::fs::write(&tmp, &new_text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot replace {}: {e}", path.display())
    })
}

/// Every block of every notebook as `(type, content)`, in sorting-key order.
fn blocks_of(text: &str) -> Result<Vec<Vec<(String, String)>>, String> {
    let doc: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    Ok(doc["project"]["notebooks"]
        .as_array()
        .map(|n| n.iter().map(notebook_blocks).collect())
        .unwrap_or_default())
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn notebook_blocks(notebook: &serde_json::Value) -> Vec<(String, String)> {
    let mut blocks: Vec<&serde_json::Value> = notebook["blocks"]
        .as_array()
        .map(|b| b.iter().collect())
        .unwrap_or_default();
    blocks.sort_by_key(|b| text_of(&b["sortingKey"]));
    blocks
        .into_iter()
        .map(|b| (text_of(&b["type"]), text_of(&b["content"])))
        .collect()
}

/// Says on stderr when the file's notebook differs from Deepnote's copy (its blocks' kinds
/// and sources, in order), since `run FILE` without `--push` runs Deepnote's copy. Silent when
/// Deepnote's copy cannot be read: the run that follows reports that.
pub async fn say_if_differs(client: &Client, file: &str, doc: &DeepnoteDocument, notebook: &str) {
    let Ok(remote) = client.blocks().list(notebook).await.map(|page| page.items) else {
        return;
    };
    let Ok(text) = serde_saphyr::from_str::<serde_json::Value>(&doc.content) else {
        return;
    };
    let Some(local) = text["project"]["notebooks"]
        .as_array()
        .and_then(|n| n.iter().find(|n| text_of(&n["id"]) == notebook))
        .map(notebook_blocks)
    else {
        return;
    };
    let remote: Vec<(String, String)> = remote
        .into_iter()
        .map(|b| {
            (
                b.block_type.unwrap_or_default(),
                b.content.unwrap_or_default(),
            )
        })
        .collect();
    if let Some(what) = difference(&local, &remote) {
        eprintln!(
            "note: {file} differs from Deepnote's copy of notebook {notebook} ({what}); this \
             runs Deepnote's copy: add --push to run the file's"
        );
    }
}

/// The first difference between the file's blocks and Deepnote's, if any.
fn difference(local: &[(String, String)], remote: &[(String, String)]) -> Option<String> {
    if let Some(i) = local.iter().zip(remote).position(|(l, r)| l != r) {
        return Some(format!("block {} is not the same", i + 1));
    }
    (local.len() != remote.len()).then(|| {
        format!(
            "{} block(s) in the file, {} in Deepnote",
            local.len(),
            remote.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_deepnote_gives_are_uuids_and_example_names_are_not() {
        assert!(is_uuid("18aaab73-3599-4bb5-b2ab-c05ac09f597d"));
        for not in [
            "inline-outputs-example",
            "9b1f7c00-0000-4a00-9000-locrunnershow1",
            "18aaab7335994bb5b2abc05ac09f597d",
            "",
        ] {
            assert!(!is_uuid(not), "{not}");
        }
    }

    #[test]
    fn differences_name_the_first_block_or_the_counts() {
        let a = ("code".to_string(), "1".to_string());
        let b = ("code".to_string(), "2".to_string());
        assert_eq!(
            difference(std::slice::from_ref(&a), std::slice::from_ref(&a)),
            None
        );
        assert_eq!(
            difference(&[a.clone(), b.clone()], &[a.clone(), a.clone()]).as_deref(),
            Some("block 2 is not the same")
        );
        assert_eq!(
            difference(std::slice::from_ref(&a), &[a.clone(), b]).as_deref(),
            Some("1 block(s) in the file, 2 in Deepnote")
        );
    }
}
