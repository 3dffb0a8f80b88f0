//! A project as a folder on disk: one `.deepnote` file per notebook, named as the export names
//! it, and nothing else read or written ([`ProjectsApi::export_to_dir`],
//! [`ProjectsApi::import_from_dir`]). [`crate::sync`] keeps a workspace of such folders.

use crate::error::{Error, Result};
use crate::files::io_error;
use crate::ids::ProjectId;
use crate::projects::ProjectsApi;
use crate::projects::{DeepnoteDocument, ImportOptions, ImportResult, ProjectExport};
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

/// A project's folder as found: the `.deepnote` files that are the project's and the names
/// of the others. A file is the project's when an earlier sync or export of it wrote it (the
/// sync state records which) or when its document names the project (`project.id`), which is
/// how an export into a folder tells what it wrote before. Only the project's files are
/// compared, pushed, replaced or removed; the others are kept and reported.
#[derive(Debug, Default)]
pub(crate) struct ProjectFiles {
    /// The project's documents, sorted by name.
    pub(crate) ours: Vec<DeepnoteDocument>,
    /// The other `.deepnote` files, sorted: kept, not this project's.
    pub(crate) others: Vec<String>,
}

/// The project's files in `dir` (`None` when there is no folder); `written` names the files
/// an earlier sync wrote there.
pub(crate) async fn read_project(
    dir: &Path,
    project: &str,
    written: &[String],
) -> Result<Option<ProjectFiles>> {
    let Some(docs) = read_documents(dir).await? else {
        return Ok(None);
    };
    let mut files = ProjectFiles::default();
    for doc in docs {
        // A file that does not parse is someone's work in progress: not ours unless written.
        let names_project = matches!(doc.project_id(), Ok(Some(p)) if p.as_str() == project);
        if names_project || written.contains(&doc.file_name) {
            files.ours.push(doc);
        } else {
            files.others.push(doc.file_name);
        }
    }
    Ok(Some(files))
}

/// The `.deepnote` files a write left in place besides its own.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Kept {
    /// Not this project's.
    pub(crate) others: Vec<String>,
    /// The project's, gone from its new version but edited here since they were written (a
    /// block's content no longer matches its `contentHash`): local work, not removed.
    pub(crate) edited: Vec<String>,
}

/// Makes the project's files in `dir` exactly `docs`: each written (through a temporary file,
/// so a reader never sees half a document), then the project's other files (`found.ours`)
/// removed, unless edited here since they were written. Files that are not the project's are
/// never removed, and never overwritten: a document whose name one of them holds (with other
/// content) stops the write before anything is written.
pub(crate) async fn write_documents(
    dir: &Path,
    docs: &[DeepnoteDocument],
    found: &ProjectFiles,
) -> Result<Kept> {
    refuse_link(dir).await?;
    for doc in docs {
        if !is_document_name(&doc.file_name) {
            return Err(Error::Decode(format!(
                "{:?} is not a .deepnote file name",
                doc.file_name
            )));
        }
        if found.others.contains(&doc.file_name) {
            let path = dir.join(&doc.file_name);
            let existing = tokio::fs::read(&path)
                .await
                .map_err(|e| io_error("cannot read", &path, e))?;
            if existing != doc.content.as_bytes() {
                return Err(Error::InvalidArgument(format!(
                    "{} belongs to another project (or names none), and the project's \
                     notebook file has that name; nothing was written: move the file, or \
                     write into another folder",
                    path.display()
                )));
            }
        }
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io_error("cannot create the folder", dir, e))?;
    for doc in docs {
        let path = dir.join(&doc.file_name);
        let partial = dir.join(format!(".{}.part", doc.file_name));
        tokio::fs::write(&partial, doc.content.as_bytes())
            .await
            .map_err(|e| io_error("cannot write", &partial, e))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|e| io_error("cannot write", &path, e))?;
    }
    let mut edited = Vec::new();
    for stale in found
        .ours
        .iter()
        .filter(|d| !docs.iter().any(|k| k.file_name == d.file_name))
    {
        if !crate::projects::compare::as_exported(stale) {
            edited.push(stale.file_name.clone());
            continue;
        }
        let path = dir.join(&stale.file_name);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("cannot remove", &path, e)),
        }
    }
    let others = found
        .others
        .iter()
        .filter(|o| !docs.iter().any(|d| d.file_name == **o))
        .cloned()
        .collect();
    Ok(Kept { others, edited })
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

/// What [`ProjectsApi::export_into_dir`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportedDir {
    /// The export written.
    pub export: ProjectExport,
    /// The `.deepnote` files of the folder that are not this project's, kept as they were.
    pub kept: Vec<String>,
    /// The project's files the export no longer holds (a notebook renamed or deleted in
    /// Deepnote) but edited here since they were written: kept, so no local work is lost.
    pub kept_edited: Vec<String>,
}

impl ProjectsApi<'_> {
    /// Export the project into `dir` (created if missing): one `.deepnote` file per notebook,
    /// under the export's names. Of the folder's other `.deepnote` files, only the project's
    /// (those whose document names it, as an earlier export wrote them) are removed; other
    /// files are left. Returns the export, whose [`ProjectExport::modified_at`] and
    /// [`ProjectExport::content_hash`] are the base of a later import.
    pub async fn export_to_dir(
        &self,
        id: impl Into<ProjectId>,
        dir: impl AsRef<Path>,
    ) -> Result<ProjectExport> {
        Ok(self.export_into_dir(id, dir).await?.export)
    }

    /// [`ProjectsApi::export_to_dir`], also naming the `.deepnote` files kept because they
    /// are not this project's. A file of another project (or of none) that holds the name of
    /// one of the project's notebook files stops the export before anything is written.
    pub async fn export_into_dir(
        &self,
        id: impl Into<ProjectId>,
        dir: impl AsRef<Path>,
    ) -> Result<ExportedDir> {
        let id = id.into();
        let dir = dir.as_ref();
        let export = self.export(id.clone()).await?;
        let found = read_project(dir, id.as_str(), &[])
            .await?
            .unwrap_or_default();
        let kept = write_documents(dir, &export.documents, &found).await?;
        Ok(ExportedDir {
            export,
            kept: kept.others,
            kept_edited: kept.edited,
        })
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
    async fn only_the_projects_files_are_replaced_and_removed() {
        let root = deepnote_test_support::scratch::dir("dir");
        let dir = root.join("p");
        assert_eq!(read_documents(&dir).await.unwrap(), None);
        std::fs::create_dir_all(&dir).unwrap();
        let ours = "project:\n  id: p\n";
        std::fs::write(dir.join("old.deepnote"), ours).unwrap();
        std::fs::write(dir.join("synced.deepnote"), "not: parsed: here").unwrap();
        std::fs::write(dir.join("team-b.deepnote"), "project:\n  id: q\n").unwrap();
        std::fs::write(dir.join("draft.deepnote"), "{ not yaml").unwrap();
        std::fs::write(dir.join("notes.txt"), "kept").unwrap();
        std::fs::create_dir(dir.join("sub.deepnote")).unwrap();
        let found = read_project(&dir, "p", &["synced.deepnote".to_string()])
            .await
            .unwrap()
            .unwrap();
        let names: Vec<&str> = found.ours.iter().map(|d| d.file_name.as_str()).collect();
        assert_eq!(names, ["old.deepnote", "synced.deepnote"]);
        assert_eq!(found.others, ["draft.deepnote", "team-b.deepnote"]);
        let docs = vec![
            DeepnoteDocument::new("b.deepnote", "b: 1\n"),
            DeepnoteDocument::new("a.deepnote", "a: 1\n"),
        ];
        let kept = write_documents(&dir, &docs, &found).await.unwrap();
        assert_eq!(kept.others, ["draft.deepnote", "team-b.deepnote"]);
        assert_eq!(kept.edited, ["synced.deepnote"], "broken here: local work");
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "a.deepnote",
                "b.deepnote",
                "draft.deepnote",
                "notes.txt",
                "sub.deepnote",
                "synced.deepnote",
                "team-b.deepnote"
            ],
            "the project's old files gone, everything else kept"
        );
        // Another project's file is never overwritten: nothing is written at all.
        let found = read_project(&dir, "p", &[]).await.unwrap().unwrap();
        let clash = [
            DeepnoteDocument::new("c.deepnote", "c: 1\n"),
            DeepnoteDocument::new("team-b.deepnote", "b: 2\n"),
        ];
        let err = write_documents(&dir, &clash, &found).await.unwrap_err();
        assert!(err.to_string().contains("team-b.deepnote"), "{err}");
        assert!(!dir.join("c.deepnote").exists());
        assert_eq!(read(&dir.join("team-b.deepnote")), "project:\n  id: q\n");
        let bad = [DeepnoteDocument::new("../x.deepnote", "a: 1")];
        assert!(write_documents(&dir, &bad, &found).await.is_err());
        std::fs::write(dir.join("bin.deepnote"), [0xff, 0xfe]).unwrap();
        assert!(read_documents(&dir).await.is_err(), "not UTF-8");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&dir, root.join("link")).unwrap();
            assert!(read_documents(&root.join("link")).await.is_err());
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }
}
