//! Project export and import: a ZIP of one `.deepnote` document per notebook, and back.
//!
//! Each document is a full project envelope with one notebook (Deepnote's `deepnoteFileSchema`:
//! `version`, `metadata{createdAt, modifiedAt}`, `project{id, name, notebooks: [{id, name,
//! blocks}], integrations, settings}`), without outputs or execution state. Documents are
//! byte-deterministic for an unchanged project: every value in them is stored state, and the
//! ZIP entries carry a fixed timestamp. Entries are named `slug(notebook name).deepnote` (the
//! notebook id when the slug is empty), deduplicated with `-2`, `-3`, ...
//!
//! The content hash is Deepnote's `canonicalProjectHash`: hex sha256 over the sorted lines
//! `filename\nhex sha256(document)`, joined by `\n`.

use crate::clock::rfc3339;
use crate::error::Refusal;
use crate::snapshot::FORMAT_VERSION;
use crate::state::{BlockRecord, NotebookRecord, ProjectRecord, Store};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read, Write};

/// The largest import archive, and the largest document once inflated: past them, 413.
pub const IMPORT_LIMIT: usize = 16 * 1024 * 1024;

/// One exported document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its ZIP entry name.
    pub filename: String,
    /// The YAML text.
    pub content: String,
}

/// The project's `metadata.modifiedAt`, as export writes it and import compares it.
pub fn modified_at(p: &ProjectRecord) -> String {
    rfc3339(if p.modified_at == 0 {
        p.created_at
    } else {
        p.modified_at
    })
}

fn block_value(notebook: &NotebookRecord, i: usize, b: &BlockRecord) -> Value {
    let mut metadata = b.metadata.clone();
    if let Some(name) = b.input_name().filter(|_| b.is_input()) {
        metadata.insert("deepnote_variable_name".into(), json!(name));
    }
    if let Some(integration) = &b.integration_id {
        metadata.insert("sql_integration_id".into(), json!(integration));
    }
    crate::snapshot::block_value(&notebook.id, i, b, metadata)
}

fn document(p: &ProjectRecord, n: &NotebookRecord) -> String {
    let blocks: Vec<Value> = n
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| block_value(n, i, b))
        .collect();
    let doc = json!({
        "version": FORMAT_VERSION,
        "metadata": {
            "createdAt": rfc3339(p.created_at),
            "modifiedAt": modified_at(p),
        },
        "project": {
            "id": p.id,
            "name": p.name,
            "notebooks": [{
                "id": n.id,
                "name": n.name,
                "executionMode": "block",
                "blocks": blocks,
            }],
            "integrations": [],
            "settings": {},
        },
    });
    serde_saphyr::to_string(&doc).unwrap_or_default()
}

/// The project's documents, in notebook order.
pub fn export(store: &Store, p: &ProjectRecord) -> Vec<Document> {
    let mut taken: Vec<String> = Vec::new();
    store
        .notebooks_of(&p.id)
        .map(|n| {
            let base = match crate::api::slug(&n.name) {
                s if s.is_empty() => n.id.clone(),
                s => s,
            };
            let name = (1..)
                .map(|i| match i {
                    1 => base.clone(),
                    i => format!("{base}-{i}"),
                })
                .find(|c| !taken.contains(c))
                .expect("an unbounded range has a free name");
            taken.push(name.clone());
            Document {
                filename: format!("{name}.deepnote"),
                content: document(p, n),
            }
        })
        .collect()
}

/// Deepnote's canonical hash of a set of documents.
pub fn content_hash(docs: &[Document]) -> String {
    let mut lines: Vec<String> = docs
        .iter()
        .map(|d| {
            format!(
                "{}\n{}",
                d.filename,
                crate::codec::hex(&Sha256::digest(d.content.as_bytes()))
            )
        })
        .collect();
    // Deepnote sorts by UTF-16 code units; for these names (ASCII slugs and ids) that is the
    // byte order.
    lines.sort();
    crate::codec::hex(&Sha256::digest(lines.join("\n").as_bytes()))
}

/// The documents as a ZIP (deflated; a fixed entry time, so equal documents give equal bytes).
pub fn zip(docs: &[Document]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for d in docs {
        // Writing to memory cannot fail.
        let _ = w.start_file(d.filename.as_str(), options);
        let _ = w.write_all(d.content.as_bytes());
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// One notebook of an imported document.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Its id in the document.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its blocks (without outputs).
    pub blocks: Vec<BlockRecord>,
    /// The document's `project.id`.
    pub project_id: String,
    /// The document's `project.name`.
    pub project_name: String,
}

fn unprocessable(msg: impl Into<String>) -> Refusal {
    Refusal::Unprocessable(msg.into())
}

/// Read an import archive: 422 for anything that is not a ZIP of root-level, non-empty
/// `.deepnote` documents with one notebook each; 413 past [`IMPORT_LIMIT`].
pub fn unzip(body: &[u8]) -> Result<Vec<Imported>, Refusal> {
    let mut archive = zip::ZipArchive::new(Cursor::new(body))
        .map_err(|e| unprocessable(format!("the body is not a readable ZIP archive: {e}")))?;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| unprocessable(format!("unreadable ZIP entry: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| unprocessable(format!("a ZIP entry name is unreadable: {e}")))?
            .to_string();
        if entry.is_dir()
            || name.contains('/')
            || name.contains('\\')
            || !name.ends_with(".deepnote")
        {
            return Err(unprocessable(format!(
                "unexpected ZIP entry `{name}`: only root-level .deepnote files"
            )));
        }
        if entry.size() > IMPORT_LIMIT as u64 {
            return Err(Refusal::PayloadTooLarge(IMPORT_LIMIT));
        }
        let mut text = String::new();
        (&mut entry)
            .take(IMPORT_LIMIT as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| unprocessable(format!("`{name}` is not UTF-8 text: {e}")))?;
        if text.len() > IMPORT_LIMIT {
            return Err(Refusal::PayloadTooLarge(IMPORT_LIMIT));
        }
        if text.trim().is_empty() {
            return Err(unprocessable(format!("`{name}` is empty")));
        }
        out.push(parse(&name, &text)?);
    }
    Ok(out)
}

fn parse(name: &str, text: &str) -> Result<Imported, Refusal> {
    let doc: Value = serde_saphyr::from_str(text)
        .map_err(|e| unprocessable(format!("`{name}` is not a .deepnote document: {e}")))?;
    let bad = |what: &str| unprocessable(format!("`{name}`: {what}"));
    let project = doc.get("project").ok_or_else(|| bad("no `project`"))?;
    let text_of = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let project_id = text_of(project, "id").ok_or_else(|| bad("no `project.id`"))?;
    let project_name = text_of(project, "name").ok_or_else(|| bad("no `project.name`"))?;
    let notebooks = project
        .get("notebooks")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `project.notebooks`"))?;
    let [nb] = notebooks.as_slice() else {
        return Err(bad("a document holds exactly one notebook"));
    };
    let id = text_of(nb, "id").ok_or_else(|| bad("a notebook without an id"))?;
    let nb_name = text_of(nb, "name").ok_or_else(|| bad("a notebook without a name"))?;
    let blocks = nb
        .get("blocks")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("a notebook without `blocks`"))?;
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for b in blocks {
        let bid = b
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("a block without an id"))?;
        if seen.contains(&bid) {
            return Err(bad(&format!("block id {bid} repeats")));
        }
        seen.push(bid);
        let kind = b
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("a block without a type"))?;
        let content = match b.get("content") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad(&format!("block {bid}: content is not text"))),
        };
        let mut block = BlockRecord::new(bid, kind, content);
        let mut metadata: Map<String, Value> = b
            .get("metadata")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        block.integration_id = metadata
            .remove("sql_integration_id")
            .and_then(|v| v.as_str().map(str::to_string));
        // Execution state is not imported.
        for k in ["execution_start", "execution_millis"] {
            metadata.remove(k);
        }
        block.metadata = metadata;
        out.push(block);
    }
    Ok(Imported {
        id,
        name: nb_name,
        blocks: out,
        project_id,
        project_name,
    })
}
