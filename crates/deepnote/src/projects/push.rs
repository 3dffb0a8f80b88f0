//! A push that never overwrites, unasked, what changed in Deepnote since the documents were
//! pulled: [`ProjectsApi::push`] exports the project, names every notebook and block edited
//! in Deepnote since the documents' base ([`remote_edits`]) and refuses with
//! [`Error::WouldOverwrite`] unless told to overwrite; `deepnote sync push`, `projects
//! import` and `run FILE --push` all decide with it. How documents are compared is
//! [`crate::projects::compare`]'s.

use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::projects::ProjectsApi;
use crate::projects::compare::{RemoteEdit, check_project_names, remote_edits};
use crate::projects::{DeepnoteDocument, ImportOptions, ImportResult, ProjectExport};
use reqwest::StatusCode;
use std::fmt;

/// What documents were edited from: the export they were pulled from, as far as known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushBase {
    /// The export's `metadata.modifiedAt`.
    pub modified_at: Option<String>,
    /// The export's content hash ([`crate::projects::content_hash`]), when recorded (the sync state).
    pub content_hash: Option<String>,
}

impl PushBase {
    /// The base the documents carry: their `metadata.modifiedAt` (an export writes the same
    /// one into every document). No content hash: documents alone cannot give it.
    pub fn of_documents(documents: &[DeepnoteDocument]) -> Result<PushBase> {
        let mut modified_at = None;
        for d in documents {
            if let Some(at) = d.modified_at()? {
                modified_at = Some(at);
                break;
            }
        }
        Ok(PushBase {
            modified_at,
            content_hash: None,
        })
    }

    /// A base recorded elsewhere (the sync state).
    pub fn recorded(modified_at: Option<String>, content_hash: Option<String>) -> PushBase {
        PushBase {
            modified_at,
            content_hash,
        }
    }

    /// Whether the project changed in Deepnote since this base; unknown counts as changed.
    fn changed_in(&self, export: &ProjectExport) -> Result<bool> {
        if let Some(hash) = &self.content_hash {
            return Ok(*hash != export.content_hash());
        }
        match &self.modified_at {
            Some(at) => Ok(export.modified_at()?.as_deref() != Some(at.as_str())),
            None => Ok(true),
        }
    }
}

/// A push refused because it would overwrite changes made in Deepnote since the documents'
/// base ([`Error::WouldOverwrite`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushConflict {
    /// The project.
    pub project_id: ProjectId,
    /// What changed in Deepnote (empty when it changed while the push ran, after the check).
    pub edits: Vec<RemoteEdit>,
}

impl fmt::Display for PushConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.edits.is_empty() {
            return write!(
                f,
                "project {} changed in Deepnote while the push ran; nothing was overwritten",
                self.project_id
            );
        }
        write!(
            f,
            "project {} changed in Deepnote since the files were pulled; the push would \
             overwrite: ",
            self.project_id
        )?;
        for (i, edit) in self.edits.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{edit}")?;
        }
        Ok(())
    }
}

/// How [`ProjectsApi::push`] goes about it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct PushOptions {
    overwrite: bool,
    delete_missing: bool,
}

impl PushOptions {
    /// Refuse to overwrite, delete nothing.
    pub fn new() -> Self {
        PushOptions::default()
    }

    /// Overwrite what changed in Deepnote since the base (the local files win).
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Delete the project's notebooks the documents do not hold.
    pub fn delete_missing_notebooks(mut self, delete: bool) -> Self {
        self.delete_missing = delete;
        self
    }
}

impl ProjectsApi<'_> {
    /// Send `documents` to the project without overwriting, unasked, what changed in
    /// Deepnote since their `base`: the project is exported, the changes made there since are
    /// named ([`remote_edits`]) and, unless [`PushOptions::overwrite`], the push is refused
    /// with [`Error::WouldOverwrite`] and nothing is sent. Otherwise the documents are
    /// imported against the export just compared (a project that changes in between is
    /// refused the same way). Documents carrying different project names are refused before
    /// anything is sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> deepnote::Result<()> {
    /// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
    /// # let client = deepnote::Client::builder()
    /// #     .api_key(emu.sample_key())
    /// #     .base_url(emu.base_url())
    /// #     .build()?;
    /// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
    /// use deepnote::projects::{PushBase, PushOptions};
    ///
    /// // The project as .deepnote documents (what `deepnote projects export` writes).
    /// let export = client.projects().export(project).await?;
    /// let mut documents = export.documents.clone();
    /// documents[0].content = documents[0].content.replace("EMEA", "APAC");
    ///
    /// // Sent back against the export it came from: refused with Error::WouldOverwrite,
    /// // nothing sent, if the project changed in Deepnote meanwhile.
    /// let base = PushBase::of_documents(&documents)?;
    /// client.projects().push(project, &documents, &base, &PushOptions::new()).await?;
    ///
    /// let again = client.projects().export(project).await?;
    /// assert!(again.documents[0].content.contains("APAC"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn push(
        &self,
        id: impl Into<ProjectId>,
        documents: &[DeepnoteDocument],
        base: &PushBase,
        options: &PushOptions,
    ) -> Result<ImportResult> {
        let id = id.into();
        check_project_names(documents)?;
        let export = self.export(id.clone()).await?;
        let changed = base.changed_in(&export)?;
        let edits = remote_edits(documents, &export.documents, changed)?;
        if !edits.is_empty() && !options.overwrite {
            return Err(Error::WouldOverwrite(Box::new(PushConflict {
                project_id: id,
                edits,
            })));
        }
        let import = ImportOptions::based_on(&export)?
            .delete_missing_notebooks(options.delete_missing)
            .force(options.overwrite && !edits.is_empty());
        match self.import(id.clone(), documents, &import).await {
            Err(e) if is_lost_update(&e) => Err(Error::WouldOverwrite(Box::new(PushConflict {
                project_id: id,
                edits: Vec::new(),
            }))),
            other => other,
        }
    }
}

/// A 409 that is a lost-update refusal, not a suspended project (which a retry cannot help).
pub(crate) fn is_lost_update(error: &Error) -> bool {
    matches!(error, Error::Api { status, message }
        if *status == StatusCode::CONFLICT && !message.to_lowercase().contains("suspended"))
}
