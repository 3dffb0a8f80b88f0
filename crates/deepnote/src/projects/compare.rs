//! How documents compare with Deepnote's copy of their project: what changed there since the
//! documents' base, block by block ([`remote_edits`]), whether a document still holds what its
//! export wrote ([`as_exported`]), its base moved to what was just pushed ([`rebased`]), and
//! the one project name a set of documents must carry ([`check_project_names`]).
//!
//! The base is told block by block from the documents themselves: each block of an exported
//! document carries `contentHash`, the hash of its content as exported, which a local edit of
//! `content` leaves as it was. A block whose content in Deepnote differs both from the
//! local file's and from that hash was edited in Deepnote. What a block-level base cannot
//! tell (a block only Deepnote has: added there, or deleted locally) counts only when the
//! project as a whole changed since its base (the push's `PushBase`: the export's `modifiedAt`
//! and content hash, from the documents or the sync state).

use crate::error::{Error, Result};
use crate::ids::NotebookId;
use crate::projects::DeepnoteDocument;
use std::collections::HashMap;
use std::fmt;

/// How a notebook or block changed in Deepnote since the documents' base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemoteChange {
    /// The block's content was edited in Deepnote, and differs from the local file's.
    BlockEdited,
    /// Deepnote has the block, the local file does not: added in Deepnote (or deleted
    /// locally); the push would remove it.
    BlockOnlyInDeepnote,
    /// The block was deleted in Deepnote; the push would bring it back.
    BlockDeletedInDeepnote,
    /// The notebook was deleted in Deepnote; the push would bring it back.
    NotebookDeletedInDeepnote,
    /// The block's type or settings (its metadata: an input's value, a SQL block's
    /// integration) differ from Deepnote's, which changed since the base; which side changed
    /// them the documents cannot tell.
    BlockSettingsDiffer,
    /// The notebook's name differs from Deepnote's, which changed since the base.
    NotebookNameDiffers,
}

/// One change made in Deepnote since the documents' base that a push would overwrite.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RemoteEdit {
    /// The local file holding the notebook.
    pub file_name: String,
    /// The notebook.
    pub notebook_id: NotebookId,
    /// Its name.
    pub notebook_name: String,
    /// The block, for a block's change.
    pub block_id: Option<String>,
    /// What changed.
    pub change: RemoteChange,
}

impl fmt::Display for RemoteEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let notebook = format!(
            "notebook {:?} ({}, {})",
            self.notebook_name, self.file_name, self.notebook_id
        );
        let block = self.block_id.as_deref().unwrap_or_default();
        match self.change {
            RemoteChange::BlockEdited => {
                write!(f, "block {block} of {notebook} edited in Deepnote")
            }
            RemoteChange::BlockOnlyInDeepnote => write!(
                f,
                "block {block} of {notebook} is in Deepnote but not in the file (added there, \
                 or deleted here)"
            ),
            RemoteChange::BlockDeletedInDeepnote => {
                write!(f, "block {block} of {notebook} deleted in Deepnote")
            }
            RemoteChange::NotebookDeletedInDeepnote => write!(f, "{notebook} deleted in Deepnote"),
            RemoteChange::BlockSettingsDiffer => write!(
                f,
                "block {block} of {notebook} has another type or settings in Deepnote (changed \
                 there, or here)"
            ),
            RemoteChange::NotebookNameDiffers => write!(
                f,
                "{notebook} has another name in Deepnote (changed there, or here)"
            ),
        }
    }
}

/// The parts of a document the comparison reads.
#[derive(serde::Deserialize)]
struct Doc {
    project: Option<DocProject>,
}

#[derive(serde::Deserialize)]
struct DocProject {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    notebooks: Option<Vec<DocNotebook>>,
}

#[derive(serde::Deserialize)]
struct DocNotebook {
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    blocks: Option<Vec<DocBlock>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocBlock {
    id: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    content_hash: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

struct Notebook {
    file_name: String,
    id: String,
    name: String,
    blocks: Vec<DocBlock>,
}

fn parse(doc: &DeepnoteDocument) -> Result<Doc> {
    serde_saphyr::from_str(&doc.content).map_err(|e| {
        Error::InvalidArgument(format!(
            "{} is not a .deepnote document: {}",
            doc.file_name,
            e.to_string().lines().next().unwrap_or_default()
        ))
    })
}

fn notebooks(docs: &[DeepnoteDocument]) -> Result<Vec<Notebook>> {
    let mut out = Vec::new();
    for d in docs {
        let parsed = parse(d)?;
        for n in parsed.project.and_then(|p| p.notebooks).unwrap_or_default() {
            let Some(id) = n.id else { continue };
            out.push(Notebook {
                file_name: d.file_name.clone(),
                id,
                name: n.name.unwrap_or_default(),
                blocks: n.blocks.unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// A block's metadata, an absent one as an empty one.
fn settings(b: &DocBlock) -> serde_json::Value {
    match &b.metadata {
        None | Some(serde_json::Value::Null) => serde_json::json!({}),
        Some(m) => m.clone(),
    }
}

/// `sha256:` and the hex SHA-256 of `text`, as Deepnote writes a block's `contentHash`.
pub(crate) fn block_hash(text: &str) -> String {
    let digest = hmac_sha256::Hash::hash(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A recorded hash matches `text`, with or without the `sha256:` prefix.
fn hash_matches(recorded: &str, text: &str) -> bool {
    let ours = block_hash(text);
    recorded == ours || Some(recorded) == ours.strip_prefix("sha256:")
}

/// The changes made in Deepnote (`remote`, a fresh export) since the base of `local` that
/// pushing `local` would overwrite, in the local files' order. `project_changed` says whether
/// the project changed at all since the base; without it only what the blocks' own hashes
/// prove is named.
pub fn remote_edits(
    local: &[DeepnoteDocument],
    remote: &[DeepnoteDocument],
    project_changed: bool,
) -> Result<Vec<RemoteEdit>> {
    let theirs: HashMap<String, Notebook> = notebooks(remote)?
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect();
    let mut edits = Vec::new();
    for ours in notebooks(local)? {
        let edit = |block: Option<&str>, change| RemoteEdit {
            file_name: ours.file_name.clone(),
            notebook_id: NotebookId::new(ours.id.clone()),
            notebook_name: ours.name.clone(),
            block_id: block.map(str::to_owned),
            change,
        };
        let Some(remote) = theirs.get(&ours.id) else {
            // A notebook whose blocks carry hashes came from Deepnote: it was deleted there.
            if project_changed && ours.blocks.iter().any(|b| b.content_hash.is_some()) {
                edits.push(edit(None, RemoteChange::NotebookDeletedInDeepnote));
            }
            continue;
        };
        if project_changed && remote.name != ours.name {
            edits.push(edit(None, RemoteChange::NotebookNameDiffers));
        }
        for rb in &remote.blocks {
            let Some(id) = rb.id.as_deref() else { continue };
            let remote_text = rb.content.as_deref().unwrap_or_default();
            let local = ours.blocks.iter().find(|b| b.id.as_deref() == Some(id));
            // Settings carry no hash of their own: a difference counts once the project
            // changed since the base.
            if project_changed
                && let Some(lb) = local
                && (lb.kind != rb.kind || settings(lb) != settings(rb))
            {
                edits.push(edit(Some(id), RemoteChange::BlockSettingsDiffer));
            }
            match local {
                Some(lb) if lb.content.as_deref().unwrap_or_default() == remote_text => {}
                Some(lb) => {
                    let unchanged = match lb.content_hash.as_deref() {
                        Some(base) => hash_matches(base, remote_text),
                        // Exports leave the hash out of an empty block; with no hash and a
                        // project unchanged, Deepnote's copy is the base.
                        None => !project_changed || remote_text.is_empty(),
                    };
                    if !unchanged {
                        edits.push(edit(Some(id), RemoteChange::BlockEdited));
                    }
                }
                None if project_changed => {
                    edits.push(edit(Some(id), RemoteChange::BlockOnlyInDeepnote));
                }
                None => {}
            }
        }
        if project_changed {
            for lb in &ours.blocks {
                let Some(id) = lb.id.as_deref() else { continue };
                let gone = !remote.blocks.iter().any(|b| b.id.as_deref() == Some(id));
                if gone && lb.content_hash.is_some() {
                    edits.push(edit(Some(id), RemoteChange::BlockDeletedInDeepnote));
                }
            }
        }
    }
    Ok(edits)
}

/// Whether every block of the document still holds what its `contentHash` records, as an
/// export wrote it: false when a block was edited or added here (a block without a hash
/// counts as exported only when empty, as exports leave the hash out of empty blocks), or
/// when the text does not parse.
pub(crate) fn as_exported(doc: &DeepnoteDocument) -> bool {
    notebooks(std::slice::from_ref(doc)).is_ok_and(|notebooks| {
        notebooks.iter().flat_map(|n| &n.blocks).all(|b| {
            let text = b.content.as_deref().unwrap_or_default();
            match &b.content_hash {
                Some(hash) => hash_matches(hash, text),
                None => text.is_empty(),
            }
        })
    })
}

/// Documents of one import must carry one project name (the import takes it as the
/// project's): an error naming each file and the name it carries, before anything is sent.
pub fn check_project_names(documents: &[DeepnoteDocument]) -> Result<()> {
    let mut names: Vec<(String, String)> = Vec::new();
    for d in documents {
        let name = parse(d)?.project.and_then(|p| p.name).unwrap_or_default();
        names.push((d.file_name.clone(), name));
    }
    if names.iter().all(|(_, n)| *n == names[0].1) {
        return Ok(());
    }
    let list: Vec<String> = names
        .iter()
        .map(|(file, name)| format!("{file} says {name:?}"))
        .collect();
    Err(Error::InvalidArgument(format!(
        "the files carry different project names (project.name), and one push gives a \
         project one name: {}",
        list.join(", ")
    )))
}

/// The document with its recorded base moved to what was just pushed: `metadata.modifiedAt`
/// set to `modified_at`, and each block's `contentHash` to the hash of its content, so the
/// next push of the same file compares against this push, not the first pull. Only those
/// values change in the text; a block without a recorded hash keeps none.
pub fn rebased(doc: &DeepnoteDocument, modified_at: &str) -> Result<DeepnoteDocument> {
    let mut text = doc.content.clone();
    if let Some(old) = doc.modified_at()?
        && old != modified_at
    {
        text = replace_value_after(&text, "modifiedAt:", &old, modified_at, 0).0;
    }
    let mut at = 0;
    for n in notebooks(std::slice::from_ref(doc))? {
        for b in &n.blocks {
            let Some(old) = b.content_hash.as_deref() else {
                continue;
            };
            let new = block_hash(b.content.as_deref().unwrap_or_default());
            let new = if old.starts_with("sha256:") {
                new
            } else {
                new.trim_start_matches("sha256:").to_string()
            };
            let (next, end) = replace_value_after(&text, "contentHash:", old, &new, at);
            text = next;
            at = end;
        }
    }
    Ok(DeepnoteDocument::new(doc.file_name.clone(), text))
}

/// Replaces the first `key old` (value possibly quoted) at or after byte `from`, returning the
/// text and where the replaced value ends.
fn replace_value_after(
    text: &str,
    key: &str,
    old: &str,
    new: &str,
    from: usize,
) -> (String, usize) {
    let mut search = from;
    while let Some(found) = text[search..].find(key) {
        let start = search + found + key.len();
        let rest = &text[start..];
        let trimmed = rest.trim_start_matches([' ', '\'', '"']);
        let value_at = start + (rest.len() - trimmed.len());
        if trimmed.starts_with(old) {
            let end = value_at + old.len();
            let mut out = String::with_capacity(text.len() + new.len());
            out.push_str(&text[..value_at]);
            out.push_str(new);
            out.push_str(&text[end..]);
            return (out, value_at + new.len());
        }
        search = start;
    }
    (text.to_string(), from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(file: &str, blocks: &[(&str, &str, Option<&str>)]) -> DeepnoteDocument {
        let mut text = String::from(
            "version: 1.0.0\nmetadata:\n  modifiedAt: '2026-01-01T00:00:00.000Z'\nproject:\n  \
             id: p\n  name: P\n  notebooks:\n    - id: nb\n      name: Main\n      blocks:\n",
        );
        for (id, content, hash) in blocks {
            text.push_str(&format!(
                "        - id: {id}\n          content: {content:?}\n"
            ));
            if let Some(h) = hash {
                text.push_str(&format!("          contentHash: {h}\n"));
            }
        }
        DeepnoteDocument::new(file, text)
    }

    fn changes(edits: &[RemoteEdit]) -> Vec<(Option<&str>, RemoteChange)> {
        edits
            .iter()
            .map(|e| (e.block_id.as_deref(), e.change))
            .collect()
    }

    #[test]
    fn only_what_changed_in_deepnote_is_named() {
        let (a, b) = (block_hash("a"), block_hash("b"));
        let pulled = [("x", "a", Some(a.as_str())), ("y", "b", Some(b.as_str()))];
        // Local edit of x, Deepnote's edit of y: only y is Deepnote's.
        let local = [doc("m.deepnote", &[("x", "A", Some(&a)), pulled[1]])];
        let remote = [doc(
            "m.deepnote",
            &[pulled[0], ("y", "B", Some(&block_hash("B")))],
        )];
        let edits = remote_edits(&local, &remote, true).unwrap();
        assert_eq!(changes(&edits), [(Some("y"), RemoteChange::BlockEdited)]);
        assert!(
            edits[0]
                .to_string()
                .contains("block y of notebook \"Main\"")
        );
        // Deepnote unchanged: the local edit goes through.
        assert!(
            remote_edits(&local, &[doc("m.deepnote", &pulled)], false)
                .unwrap()
                .is_empty()
        );
        // The same edit on both sides overwrites nothing.
        assert!(remote_edits(&local, &local, true).unwrap().is_empty());
        // A block only Deepnote has, one deleted there, a notebook deleted there.
        let remote = [doc("m.deepnote", &[pulled[0], ("z", "new", None)])];
        let edits = remote_edits(&[doc("m.deepnote", &pulled)], &remote, true).unwrap();
        assert_eq!(
            changes(&edits),
            [
                (Some("z"), RemoteChange::BlockOnlyInDeepnote),
                (Some("y"), RemoteChange::BlockDeletedInDeepnote)
            ]
        );
        let edits = remote_edits(&[doc("m.deepnote", &pulled)], &[], true).unwrap();
        assert_eq!(
            changes(&edits),
            [(None, RemoteChange::NotebookDeletedInDeepnote)]
        );
        // A hash proves an edit even when the project's base says nothing changed.
        let remote = [doc("m.deepnote", &[("x", "Z", None), pulled[1]])];
        let edits = remote_edits(&[doc("m.deepnote", &pulled)], &remote, false).unwrap();
        assert_eq!(changes(&edits), [(Some("x"), RemoteChange::BlockEdited)]);
    }

    #[test]
    fn settings_and_names_that_differ_count_once_the_project_changed() {
        let a = block_hash("a");
        let pulled = doc("m.deepnote", &[("x", "a", Some(&a))]);
        let value = |v: &str| {
            DeepnoteDocument::new(
                "m.deepnote",
                pulled.content.replace(
                    "          content: \"a\"\n",
                    &format!(
                        "          content: \"a\"\n          metadata:\n            value: {v}\n"
                    ),
                ),
            )
        };
        let (local, remote) = ([value("EMEA")], [value("APAC")]);
        assert_eq!(
            changes(&remote_edits(&local, &remote, true).unwrap()),
            [(Some("x"), RemoteChange::BlockSettingsDiffer)]
        );
        assert!(remote_edits(&local, &remote, false).unwrap().is_empty());
        assert!(remote_edits(&local, &local, true).unwrap().is_empty());
        let renamed = DeepnoteDocument::new(
            "m.deepnote",
            pulled.content.replace("name: Main", "name: Renamed"),
        );
        let edits = remote_edits(&[pulled], &[renamed], true).unwrap();
        assert_eq!(changes(&edits), [(None, RemoteChange::NotebookNameDiffers)]);
        assert!(
            edits[0].to_string().contains("another name"),
            "{}",
            edits[0]
        );
    }

    #[test]
    fn a_pushed_file_is_rebased_on_what_it_pushed() {
        let a = block_hash("a");
        let pulled = doc("m.deepnote", &[("x", "edited", Some(&a)), ("y", "", None)]);
        let after = rebased(&pulled, "2026-02-02T00:00:00.000Z").unwrap();
        assert!(
            after
                .content
                .contains("modifiedAt: '2026-02-02T00:00:00.000Z'")
        );
        assert!(after.content.contains(&block_hash("edited")));
        assert!(!after.content.contains(&a));
        assert_eq!(
            after.content.len(),
            pulled.content.len(),
            "only the values change"
        );
        // Deepnote's copy is now the pushed file: nothing of it is Deepnote's own edit.
        let remote = doc(
            "m.deepnote",
            &[
                ("x", "edited", Some(&block_hash("edited"))),
                ("y", "", None),
            ],
        );
        let again = DeepnoteDocument::new(
            "m.deepnote",
            after.content.replace("\"edited\"", "\"twice\""),
        );
        assert!(remote_edits(&[again], &[remote], true).unwrap().is_empty());
    }

    #[test]
    fn different_project_names_are_named_with_their_files() {
        let a = doc("a.deepnote", &[]);
        let b = DeepnoteDocument::new("b.deepnote", a.content.replace("name: P", "name: Q"));
        let err = check_project_names(&[a.clone(), b])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("a.deepnote says \"P\"") && err.contains("b.deepnote says \"Q\""),
            "{err}"
        );
        assert!(check_project_names(&[a]).is_ok());
    }
}
