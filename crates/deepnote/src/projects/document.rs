//! The `.deepnote` file as Deepnote writes it: a document's text kept exact, the fields these
//! calls read, its notebooks, and the content hash Deepnote's import contract defines.

use crate::error::{Error, Result};
use crate::ids::{NotebookId, ProjectId};

/// One `.deepnote` document: its file name in the export and its exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeepnoteDocument {
    /// Its name in the export (`slugified-notebook-name.deepnote`), at the archive's root.
    pub file_name: String,
    /// The document's YAML, byte for byte as exported (the hash is over these bytes).
    pub content: String,
}

impl DeepnoteDocument {
    /// A document to import.
    pub fn new(file_name: impl Into<String>, content: impl Into<String>) -> Self {
        DeepnoteDocument {
            file_name: file_name.into(),
            content: content.into(),
        }
    }

    /// The document's `metadata.modifiedAt` (every document of one export shares it).
    pub fn modified_at(&self) -> Result<Option<String>> {
        Ok(self.header()?.metadata.and_then(|m| m.modified_at))
    }

    /// The id of the document's one notebook (`project.notebooks[0].id`), which is what an
    /// import matches notebooks by, never the file name.
    pub fn notebook_id(&self) -> Result<Option<NotebookId>> {
        Ok(self
            .header()?
            .project
            .and_then(|p| p.notebooks.into_iter().next())
            .and_then(|n| n.id)
            .map(NotebookId::new))
    }

    /// Every notebook the document holds, as `(id, name)` in its order: one for an export's
    /// document, several for a run's snapshot. A notebook without an id is left out.
    pub fn notebooks(&self) -> Result<Vec<(NotebookId, String)>> {
        Ok(self
            .header()?
            .project
            .map(|p| p.notebooks)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|n| Some((NotebookId::new(n.id?), n.name.unwrap_or_default())))
            .collect())
    }

    /// The id of the project the document belongs to (`project.id`).
    pub fn project_id(&self) -> Result<Option<ProjectId>> {
        Ok(self
            .header()?
            .project
            .and_then(|p| p.id)
            .map(ProjectId::new))
    }

    /// The document as an import takes it: itself when it holds one notebook, else one
    /// document per notebook (the rest of the project kept in each), named
    /// `<stem>-<slug of the notebook's name>.deepnote` (`-2`, `-3`... when two slugs meet), as
    /// Deepnote's CLI splits a multi-notebook file: its import contract takes exactly one
    /// notebook per document.
    pub fn split_notebooks(&self) -> Result<Vec<DeepnoteDocument>> {
        let invalid = |e: String| {
            Error::InvalidArgument(format!(
                "{} is not a .deepnote document: {e}",
                self.file_name
            ))
        };
        let doc = self.parsed()?;
        if doc["project"]["notebooks"]
            .as_array()
            .is_none_or(|n| n.len() <= 1)
        {
            return Ok(vec![self.clone()]);
        }
        let notebooks = doc["project"]["notebooks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let stem = self
            .file_name
            .strip_suffix(".deepnote")
            .unwrap_or(&self.file_name);
        let mut used = std::collections::HashSet::new();
        let mut out = Vec::new();
        for notebook in notebooks {
            let slug = slug(notebook["name"].as_str().unwrap_or_default());
            let base = if slug.is_empty() {
                stem.to_string()
            } else {
                format!("{stem}-{slug}")
            };
            let name = (1..)
                .map(|i| match i {
                    1 => format!("{base}.deepnote"),
                    i => format!("{base}-{i}.deepnote"),
                })
                .find(|n| used.insert(n.clone()))
                .expect("an unbounded range has a free name");
            let mut one = doc.clone();
            one["project"]["notebooks"] = serde_json::Value::Array(vec![notebook]);
            let content = serde_saphyr::to_string(&one).map_err(|e| invalid(e.to_string()))?;
            out.push(DeepnoteDocument::new(name, content));
        }
        Ok(out)
    }

    /// Check that the text is YAML, before it is sent anywhere: a document of the caller's
    /// that does not parse is [`Error::InvalidArgument`] naming where it breaks
    /// (`file:line:column`), not an answer of the API that cannot be decoded.
    ///
    /// ```
    /// use deepnote::projects::DeepnoteDocument;
    ///
    /// let broken = DeepnoteDocument::new("report.deepnote", "version: 1.0\nproject: [\n");
    /// let e = broken.check().unwrap_err().to_string();
    /// assert!(e.contains("report.deepnote:2:10: not a valid .deepnote file"), "{e}");
    /// ```
    pub fn check(&self) -> Result<()> {
        self.parsed().map(drop)
    }

    /// The text as YAML, refused as [`DeepnoteDocument::check`] says.
    fn parsed(&self) -> Result<serde_json::Value> {
        serde_saphyr::from_str(&self.content).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            Error::InvalidArgument(format!(
                "{}{at}: not a valid .deepnote file: {e}",
                self.file_name
            ))
        })
    }

    fn header(&self) -> Result<Header> {
        serde_saphyr::from_str(&self.content).map_err(|e| {
            Error::Decode(format!(
                "{} is not a .deepnote document: {e}",
                self.file_name
            ))
        })
    }
}

/// The slug Deepnote names files with (an export's documents, its CLI's snapshots): lower-case
/// ASCII letters and digits, runs of anything else as one `-`, none at the ends. (Deepnote first
/// folds accents to their base letter; here an accented letter is a separator.)
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The parts of a `.deepnote` document these calls read; everything else is left as text.
#[derive(serde::Deserialize)]
struct Header {
    metadata: Option<HeaderMetadata>,
    project: Option<HeaderProject>,
}

#[derive(serde::Deserialize)]
struct HeaderMetadata {
    #[serde(rename = "modifiedAt")]
    modified_at: Option<String>,
}

#[derive(serde::Deserialize)]
struct HeaderProject {
    id: Option<String>,
    #[serde(default)]
    notebooks: Vec<HeaderNotebook>,
}

#[derive(serde::Deserialize)]
struct HeaderNotebook {
    id: Option<String>,
    name: Option<String>,
}

/// A project's export: its documents, in the archive's order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProjectExport {
    /// One document per notebook (none for an empty project).
    pub documents: Vec<DeepnoteDocument>,
}

impl ProjectExport {
    /// The export's `metadata.modifiedAt`, read from its first document (`None` for an empty
    /// project); the base of a later import.
    pub fn modified_at(&self) -> Result<Option<String>> {
        match self.documents.first() {
            Some(d) => d.modified_at(),
            None => Ok(None),
        }
    }

    /// The export's canonical content hash ([`content_hash`] of its documents).
    pub fn content_hash(&self) -> String {
        content_hash(&self.documents)
    }
}

/// The canonical content hash of a set of documents, as Deepnote's import contract defines
/// it (and its server computes for `baseContentHash`): for each document the line
/// `file_name + "\n" + hex(sha256(content))`, the lines sorted by UTF-16 code units, joined by
/// `"\n"`, and the hex SHA-256 of that. The ZIP's framing is not part of it.
pub fn content_hash(documents: &[DeepnoteDocument]) -> String {
    let mut lines: Vec<String> = documents
        .iter()
        .map(|d| format!("{}\n{}", d.file_name, hex(&sha256(d.content.as_bytes()))))
        .collect();
    // JavaScript's default sort: ordinal UTF-16 code units, not Rust's UTF-8 byte order
    // (the two differ above U+FFFF).
    lines.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    hex(&sha256(lines.join("\n").as_bytes()))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    hmac_sha256::Hash::hash(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_the_contracts() {
        // Worked by hand from the contract: sha256("x") = 2d71...; one line "a.deepnote\n2d71...".
        let docs = [DeepnoteDocument::new("a.deepnote", "x")];
        let line = "a.deepnote\n2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881";
        assert_eq!(content_hash(&docs), hex(&sha256(line.as_bytes())));
        // Order of the documents does not matter; their names and contents do.
        let ab = [
            DeepnoteDocument::new("a.deepnote", "1"),
            DeepnoteDocument::new("b.deepnote", "2"),
        ];
        let ba = [ab[1].clone(), ab[0].clone()];
        assert_eq!(content_hash(&ab), content_hash(&ba));
        // The contract computed independently (Python's hashlib, sorted by UTF-16-BE bytes).
        assert_eq!(
            content_hash(&ba),
            "da459443e040d7da2bae403b123d1bdb74a0e5d16e2308d89a49563c5beddb52"
        );
        let renamed = [DeepnoteDocument::new("c.deepnote", "1"), ab[1].clone()];
        assert_ne!(content_hash(&ab), content_hash(&renamed));
        // UTF-16 order: U+FF5E (one unit, 0xFF5E) sorts after U+1F600 (surrogates 0xD83D..),
        // the reverse of UTF-8 byte order.
        let a = "\u{FF5E}.deepnote\n";
        let b = "\u{1F600}.deepnote\n";
        assert!(a.as_bytes() < b.as_bytes());
        assert!(a.encode_utf16().cmp(b.encode_utf16()).is_gt());
        let odd = [
            DeepnoteDocument::new("\u{FF5E}.deepnote", "1"),
            DeepnoteDocument::new("\u{1F600}.deepnote", "2"),
        ];
        let lines = format!(
            "\u{1F600}.deepnote\n{}\n\u{FF5E}.deepnote\n{}",
            hex(&sha256(b"2")),
            hex(&sha256(b"1"))
        );
        assert_eq!(content_hash(&odd), hex(&sha256(lines.as_bytes())));
        assert_eq!(
            content_hash(&odd),
            "160df123c71246fc05a0d1d3fe6f777f2660e27ef6d754ad37a5cbc294cf89de"
        );
    }
}
