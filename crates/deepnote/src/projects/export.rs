//! A project as `.deepnote` files: [`ProjectsApi::export`] reads the project's export (a ZIP
//! of one `.deepnote` document per notebook) and [`ProjectsApi::import`] sends edited documents
//! back, with Deepnote's lost-update check.
//!
//! Both are described in Deepnote's workspace guide and in the import contract of its client,
//! not on its reference pages. The content hash is computed as
//! that contract defines it ([`content_hash`]), so a hash computed here matches the server's.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::project_uuid;
use crate::ids::{NotebookId, ProjectId};
use crate::projects::ProjectsApi;
use crate::projects::archive::{MAX_ZIP, read_zip, write_zip};
use crate::projects::{DeepnoteDocument, ProjectExport};
use deepnote_api::{ImportProjectQuery, UploadBody};
use futures_util::StreamExt;

/// How [`ProjectsApi::import`] treats concurrent edits and notebooks the documents leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct ImportOptions {
    base_modified_at: Option<String>,
    base_content_hash: Option<String>,
    delete_missing_notebooks: bool,
    force: bool,
}

impl ImportOptions {
    /// No conflict check, nothing deleted.
    pub fn new() -> Self {
        ImportOptions::default()
    }

    /// Check against the export the documents were edited from: the import is refused (409,
    /// [`Error::Api`] with status 409) if the project changed since, structurally or in any
    /// block's content.
    pub fn based_on(export: &ProjectExport) -> Result<Self> {
        Ok(ImportOptions {
            base_modified_at: export.modified_at()?,
            base_content_hash: Some(export.content_hash()),
            ..ImportOptions::default()
        })
    }

    /// The base's `metadata.modifiedAt` (the structural check).
    pub fn base_modified_at(mut self, modified_at: impl Into<String>) -> Self {
        self.base_modified_at = Some(modified_at.into());
        self
    }

    /// The base's content hash (the content check).
    pub fn base_content_hash(mut self, hash: impl Into<String>) -> Self {
        self.base_content_hash = Some(hash.into());
        self
    }

    /// Delete the project's notebooks the documents do not hold.
    pub fn delete_missing_notebooks(mut self, delete: bool) -> Self {
        self.delete_missing_notebooks = delete;
        self
    }

    /// Skip both checks and overwrite whatever changed on the server.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportResult {
    /// The project.
    pub project_id: ProjectId,
    /// Its `metadata.modifiedAt` after the import: the next import's base.
    pub modified_at: String,
    /// Its content hash after the import: the next import's base.
    pub content_hash: String,
    /// What happened to each notebook.
    pub notebooks: Vec<ImportedNotebook>,
}

/// One notebook of an [`ImportResult`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedNotebook {
    /// Its id, as the documents name it.
    pub id: NotebookId,
    /// Its name.
    pub name: String,
    /// `created`, `overwritten`, `restored` or `deleted`.
    pub action: String,
}

impl ProjectsApi<'_> {
    /// The project's `.deepnote` documents, one per notebook, without outputs; an unchanged
    /// project exports the same bytes every time.
    pub async fn export(&self, id: impl Into<ProjectId>) -> Result<ProjectExport> {
        let client: &Client = self.client;
        let answer = client
            .answer(
                client
                    .api()
                    .export_project()
                    .project_id(project_uuid(&id.into())?)
                    .send(),
            )
            .await?;
        let mut body = answer.into_inner();
        let mut zip = Vec::new();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(Error::Transport)?;
            if zip.len() as u64 + chunk.len() as u64 > MAX_ZIP {
                return Err(Error::Decode(format!(
                    "the export is larger than {} MiB",
                    MAX_ZIP >> 20
                )));
            }
            zip.extend_from_slice(&chunk);
        }
        Ok(ProjectExport {
            documents: read_zip(&zip)?,
        })
    }

    /// Send `documents` (an export's, edited) back to the project. A document holding several
    /// notebooks is sent as one per notebook ([`DeepnoteDocument::split_notebooks`]).
    /// Notebooks are matched by the id inside each document; unmatched ones are created; with
    /// [`ImportOptions::delete_missing_notebooks`] the project's others are deleted. With a
    /// base ([`ImportOptions::based_on`]) a project changed since is refused with a 409
    /// (unless [`ImportOptions::force`]).
    pub async fn import(
        &self,
        id: impl Into<ProjectId>,
        documents: &[DeepnoteDocument],
        options: &ImportOptions,
    ) -> Result<ImportResult> {
        let client: &Client = self.client;
        let project = project_uuid(&id.into())?;
        let mut split = Vec::with_capacity(documents.len());
        for d in documents {
            split.extend(d.split_notebooks()?);
        }
        let zip = write_zip(&split)?;
        let query = ImportProjectQuery {
            base_modified_at: options.base_modified_at.clone(),
            base_content_hash: options.base_content_hash.clone(),
            delete_missing_notebooks: options.delete_missing_notebooks,
            force: options.force,
        };
        let call = client
            .api()
            .import_project(&project, UploadBody::from_bytes(zip), &query);
        client
            .create("import", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Ok(ImportResult {
                    project_id: ProjectId::new(answer.project.id.clone()),
                    modified_at: answer.project.modified_at.clone(),
                    content_hash: answer.project.content_hash.clone(),
                    notebooks: answer
                        .notebooks
                        .iter()
                        .map(|n| ImportedNotebook {
                            id: NotebookId::new(n.id.clone()),
                            name: n.name.clone(),
                            action: n.action.clone(),
                        })
                        .collect(),
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projects::DeepnoteDocument;
    use crate::projects::archive::{read_zip, write_zip};

    #[test]
    fn zips_round_trip() {
        let docs = vec![
            DeepnoteDocument::new(
                "a.deepnote",
                "metadata:\n  modifiedAt: '2026-01-09T00:00:00.000Z'\n",
            ),
            DeepnoteDocument::new(
                "b.deepnote",
                "project:\n  id: p1\n  notebooks:\n    - id: nb1\n",
            ),
        ];
        let zip = write_zip(&docs).unwrap();
        assert_eq!(read_zip(&zip).unwrap(), docs);
        assert_eq!(
            docs[0].modified_at().unwrap().as_deref(),
            Some("2026-01-09T00:00:00.000Z")
        );
        assert_eq!(docs[1].notebook_id().unwrap(), Some(NotebookId::new("nb1")));
        assert_eq!(
            docs[1].notebooks().unwrap(),
            [(NotebookId::new("nb1"), String::new())]
        );
        let two = DeepnoteDocument::new(
            "s.deepnote",
            "project:\n  notebooks:\n    - id: a\n      name: A\n    - name: no id\n    - id: b\n      name: B\n",
        );
        assert_eq!(
            two.notebooks().unwrap(),
            [
                (NotebookId::new("a"), "A".to_string()),
                (NotebookId::new("b"), "B".to_string())
            ]
        );
        assert!(read_zip(b"not a zip").is_err());
        assert!(read_zip(b"").unwrap().is_empty());
        for bad in ["../x.deepnote", "dir/x.deepnote", "x.txt", ".deepnote"] {
            assert!(
                write_zip(&[DeepnoteDocument::new(bad, "a: 1")]).is_err(),
                "{bad}"
            );
        }
        let twice = [
            DeepnoteDocument::new("a.deepnote", "a: 1"),
            DeepnoteDocument::new("a.deepnote", "a: 2"),
        ];
        assert!(write_zip(&twice).is_err());
    }

    #[test]
    fn a_multi_notebook_document_splits_into_one_per_notebook() {
        let doc = DeepnoteDocument::new(
            "housing.deepnote",
            "version: 1.0.0\nproject:\n  id: p\n  name: P\n  notebooks:\n    - id: a\n      name: Init\n      blocks: []\n    - id: b\n      name: '1. Model!'\n      blocks: [{id: x, type: code, content: '1'}]\n    - id: c\n      name: Init\n      blocks: []\n",
        );
        let split = doc.split_notebooks().unwrap();
        let names: Vec<&str> = split.iter().map(|d| d.file_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "housing-init.deepnote",
                "housing-1-model.deepnote",
                "housing-init-2.deepnote"
            ]
        );
        for (d, id) in split.iter().zip(["a", "b", "c"]) {
            assert_eq!(d.notebooks().unwrap().len(), 1);
            assert_eq!(d.notebook_id().unwrap(), Some(NotebookId::new(id)));
            assert_eq!(d.project_id().unwrap(), Some(ProjectId::new("p")));
        }
        assert!(
            split[1].content.contains("version: \"1.0.0\""),
            "{}",
            split[1].content
        );
        let broken = DeepnoteDocument::new("b.deepnote", "project:\n  notebooks: [\n");
        let e = broken.split_notebooks().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
        assert!(
            e.to_string().starts_with("invalid argument: b.deepnote:"),
            "{e}"
        );
        let one = DeepnoteDocument::new("one.deepnote", "project:\n  notebooks: [{id: a}]\n");
        assert_eq!(one.split_notebooks().unwrap(), std::slice::from_ref(&one));
    }
}
