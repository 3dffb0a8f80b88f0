//! A project as a folder on disk: one `.deepnote` file per notebook, named as the export names
//! it, and nothing else read or written ([`ProjectsApi::export_to_dir`],
//! [`ProjectsApi::import_from_dir`]). [`crate::sync`] keeps a workspace of such folders.

use crate::error::{Error, Result};
use crate::export::{DeepnoteDocument, ImportOptions, ImportResult, ProjectExport};
use crate::files::io_error;
use crate::ids::ProjectId;
use crate::projects::ProjectsApi;
use std::path::Path;

/// The most a folder's `.deepnote` files may hold together (the import takes no more either).
const MAX_DIR_BYTES: u64 = 512 * 1024 * 1024;

impl DeepnoteDocument {
    /// The `.deepnote` files directly inside `dir` (not in its subfolders), sorted by name;
    /// an error when `dir` does not exist or a file is not UTF-8 text.
    pub async fn read_dir(dir: impl AsRef<Path>) -> Result<Vec<DeepnoteDocument>> {
        let dir = dir.as_ref();
        match read_documents(dir).await? {
            Some(docs) => Ok(docs),
            None => Err(Error::InvalidArgument(format!(
                "{} does not exist",
                dir.display()
            ))),
        }
    }
}

/// The folder's documents, or `None` when there is no folder.
pub(crate) async fn read_documents(dir: &Path) -> Result<Option<Vec<DeepnoteDocument>>> {
    refuse_link(dir).await?;
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("cannot read the folder", dir, e)),
    };
    let mut docs = Vec::new();
    let mut total = 0u64;
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| io_error("cannot read the folder", dir, e))?
    {
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        let path = entry.path();
        let kind = entry
            .file_type()
            .await
            .map_err(|e| io_error("cannot read", &path, e))?;
        if !kind.is_file() || !is_document_name(&name) {
            continue;
        }
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| io_error("cannot read", &path, e))?;
        total += bytes.len() as u64;
        if total > MAX_DIR_BYTES {
            return Err(Error::InvalidArgument(format!(
                "the .deepnote files of {} hold more than {} MiB",
                dir.display(),
                MAX_DIR_BYTES >> 20
            )));
        }
        let content = String::from_utf8(bytes)
            .map_err(|_| Error::InvalidArgument(format!("{} is not UTF-8 text", path.display())))?;
        docs.push(DeepnoteDocument::new(name, content));
    }
    docs.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(Some(docs))
}

/// Makes `dir` hold exactly `docs` as its `.deepnote` files: each written (through a temporary
/// file, so a reader never sees half a document), then every other `.deepnote` file removed.
/// Other files and subfolders stay.
pub(crate) async fn write_documents(dir: &Path, docs: &[DeepnoteDocument]) -> Result<()> {
    refuse_link(dir).await?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_error("cannot create the folder", dir, e))?;
    for doc in docs {
        if !is_document_name(&doc.file_name) {
            return Err(Error::Decode(format!(
                "{:?} is not a .deepnote file name",
                doc.file_name
            )));
        }
        let path = dir.join(&doc.file_name);
        let partial = dir.join(format!(".{}.part", doc.file_name));
        tokio::fs::write(&partial, doc.content.as_bytes())
            .await
            .map_err(|e| io_error("cannot write", &partial, e))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|e| io_error("cannot write", &path, e))?;
    }
    let stale: Vec<DeepnoteDocument> = read_documents(dir)
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter(|d| !docs.iter().any(|k| k.file_name == d.file_name))
        .collect();
    for doc in stale {
        let path = dir.join(&doc.file_name);
        tokio::fs::remove_file(&path)
            .await
            .map_err(|e| io_error("cannot remove", &path, e))?;
    }
    Ok(())
}

/// A folder that is a symbolic link could point anywhere; sync writes only real folders.
async fn refuse_link(dir: &Path) -> Result<()> {
    match tokio::fs::symlink_metadata(dir).await {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::InvalidArgument(format!(
            "{} is a symbolic link; give the folder it points to",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// A `.deepnote` file a project folder holds: visible, with a name before the extension.
fn is_document_name(name: &str) -> bool {
    name.ends_with(".deepnote")
        && name.len() > ".deepnote".len()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
}

impl ProjectsApi<'_> {
    /// Export the project into `dir` (created if missing): one `.deepnote` file per notebook,
    /// under the export's names; `.deepnote` files the export does not hold are removed, other
    /// files are left. Returns the export, whose [`ProjectExport::modified_at`] and
    /// [`ProjectExport::content_hash`] are the base of a later import.
    pub async fn export_to_dir(
        &self,
        id: impl Into<ProjectId>,
        dir: impl AsRef<Path>,
    ) -> Result<ProjectExport> {
        let export = self.export(id).await?;
        write_documents(dir.as_ref(), &export.documents).await?;
        Ok(export)
    }

    /// Import the `.deepnote` files directly inside `dir` into the project (see
    /// [`ProjectsApi::import`] for the options).
    pub async fn import_from_dir(
        &self,
        id: impl Into<ProjectId>,
        dir: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportResult> {
        let docs = DeepnoteDocument::read_dir(dir).await?;
        self.import(id, &docs, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_holds_exactly_the_documents_written() {
        let root = deepnote_test_support::scratch::dir("dir");
        let dir = root.join("p");
        assert_eq!(read_documents(&dir).await.unwrap(), None);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("old.deepnote"), "x: 1").unwrap();
        std::fs::write(dir.join("notes.txt"), "kept").unwrap();
        std::fs::create_dir(dir.join("sub.deepnote")).unwrap();
        let docs = vec![
            DeepnoteDocument::new("b.deepnote", "b: 1\n"),
            DeepnoteDocument::new("a.deepnote", "a: 1\n"),
        ];
        write_documents(&dir, &docs).await.unwrap();
        let read = read_documents(&dir).await.unwrap().unwrap();
        assert_eq!(
            read,
            vec![docs[1].clone(), docs[0].clone()],
            "sorted, old gone"
        );
        assert!(dir.join("notes.txt").exists(), "other files stay");
        assert!(dir.join("sub.deepnote").is_dir());
        let bad = [DeepnoteDocument::new("../x.deepnote", "a: 1")];
        assert!(write_documents(&dir, &bad).await.is_err());
        std::fs::write(dir.join("bin.deepnote"), [0xff, 0xfe]).unwrap();
        assert!(read_documents(&dir).await.is_err(), "not UTF-8");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&dir, root.join("link")).unwrap();
            assert!(read_documents(&root.join("link")).await.is_err());
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
