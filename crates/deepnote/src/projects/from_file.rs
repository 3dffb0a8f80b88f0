//! A project created from a `.deepnote` document whose project is not in the workspace, the
//! way Deepnote's own CLI creates one (`createProject` in its `packages/cloud`): `POST
//! /projects`, then each notebook (the placeholder notebook the new project comes with is
//! adopted by a notebook of the same name, else `POST /notebooks`), then each block through
//! `POST /blocks` in `sortingKey` order with its position, and last the placeholder deleted
//! when no notebook took it. The API has no call that creates a project with its content, and
//! none that sets ids: every id is Deepnote's, and the answer maps the document's ids to them.

use crate::blocks::BlockType;
use crate::error::{Error, Result};
use crate::ids::BlockId;
use crate::ids::{NotebookId, ProjectId};
use crate::projects::DeepnoteDocument;
use crate::projects::ProjectsApi;
use serde_json::{Map, Value};

/// Execution state a document carries that a new block must not (Deepnote's CLI drops the
/// same keys before creating a block).
const VOLATILE_METADATA: &[&str] = &[
    "execution_start",
    "execution_millis",
    "execution_context_id",
    "source_hash",
    "last_executed_function_notebook_id",
    "last_function_run_started_at",
];

/// What [`ProjectsApi::create_from_document`] created.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedProject {
    /// The new project.
    pub project_id: ProjectId,
    /// Each of the document's notebooks, in the document's order.
    pub notebooks: Vec<CreatedNotebook>,
    /// What could not be carried over (an integration Deepnote cannot be given, the init
    /// notebook designation, a placeholder that could not be deleted).
    pub warnings: Vec<String>,
}

/// One notebook of a [`CreatedProject`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedNotebook {
    /// Its id in the document.
    pub source_id: String,
    /// Its id in Deepnote.
    pub id: NotebookId,
    /// Its name.
    pub name: String,
    /// Each block's id in the document and in Deepnote, in the notebook's order.
    pub block_ids: Vec<(String, BlockId)>,
}

/// A creation that stopped part-way: what exists in Deepnote so far, and why it stopped.
#[derive(Debug, thiserror::Error)]
#[error("{}{error}", created_note(.project))]
#[non_exhaustive]
pub struct CreateFromDocumentError {
    /// The project, when it was created before the failure (it is then incomplete).
    pub project: Option<ProjectId>,
    /// The failure.
    #[source]
    pub error: Error,
}

fn created_note(project: &Option<ProjectId>) -> String {
    project.as_ref().map_or_else(String::new, |p| {
        format!("project {p} was created, but is incomplete (delete it before trying again): ")
    })
}

impl From<CreateFromDocumentError> for Error {
    /// The failure, with the incomplete project named in its message when there is one.
    fn from(e: CreateFromDocumentError) -> Error {
        match e.project {
            None => e.error,
            Some(_) => {
                let message = e.to_string();
                match e.error {
                    Error::Api { status, .. } => Error::Api { status, message },
                    Error::NotFound { status, .. } => Error::NotFound { status, message },
                    Error::InvalidArgument(_) => Error::InvalidArgument(message),
                    _ => Error::Api {
                        status: reqwest::StatusCode::INTERNAL_SERVER_ERROR,
                        message,
                    },
                }
            }
        }
    }
}

/// The parts of a document a creation needs.
#[derive(serde::Deserialize)]
struct Doc {
    project: DocProject,
}

#[derive(serde::Deserialize)]
struct DocProject {
    name: Option<String>,
    #[serde(rename = "initNotebookId")]
    init_notebook_id: Option<String>,
    #[serde(default)]
    notebooks: Vec<DocNotebook>,
}

#[derive(serde::Deserialize)]
struct DocNotebook {
    id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    blocks: Vec<DocBlock>,
}

#[derive(serde::Deserialize)]
struct DocBlock {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    content: Option<Value>,
    metadata: Option<Value>,
    #[serde(rename = "sortingKey", default)]
    sorting_key: Option<Value>,
}

/// A block as it will be created.
struct BlockSpec {
    source_id: String,
    kind: BlockType,
    content: String,
    metadata: Map<String, Value>,
    integration: Option<String>,
}

struct NotebookSpec {
    source_id: String,
    name: String,
    blocks: Vec<BlockSpec>,
}

/// Reads and checks the document before anything is sent: every notebook named, names unique
/// (Deepnote refuses two of one name), every block of a type Deepnote creates.
fn plan(
    document: &DeepnoteDocument,
    warnings: &mut Vec<String>,
) -> Result<(String, Vec<NotebookSpec>)> {
    let file = &document.file_name;
    let doc: Doc = serde_saphyr::from_str(&document.content)
        .map_err(|e| Error::InvalidArgument(format!("{file} is not a .deepnote document: {e}")))?;
    let project = doc.project;
    let name = project
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Error::InvalidArgument(format!("{file} names no project (project.name)")))?;
    if project.notebooks.is_empty() {
        return Err(Error::InvalidArgument(format!("{file} holds no notebook")));
    }
    if let Some(init) = &project.init_notebook_id {
        warnings.push(format!(
            "{file} marks notebook {init} as the project's init notebook; the Deepnote API \
             cannot set that designation, so runs in the new project start without it"
        ));
    }
    let mut notebooks: Vec<NotebookSpec> = Vec::new();
    for (i, nb) in project.notebooks.into_iter().enumerate() {
        let nb_name = nb.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
            Error::InvalidArgument(format!("{file}: notebook {} has no name", i + 1))
        })?;
        if notebooks.iter().any(|n| n.name == nb_name) {
            return Err(Error::InvalidArgument(format!(
                "{file}: two notebooks are named {nb_name:?}; names must be unique within a \
                 Deepnote project"
            )));
        }
        let mut blocks = nb.blocks;
        // Deepnote orders blocks by their sorting key, not by their place in the file.
        blocks.sort_by_key(|b| b.sorting_key.as_ref().map(scalar_text).unwrap_or_default());
        let blocks = blocks
            .into_iter()
            .enumerate()
            .map(|(j, b)| block_spec(file, &nb_name, j, b, warnings))
            .collect::<Result<Vec<_>>>()?;
        notebooks.push(NotebookSpec {
            source_id: nb.id.unwrap_or_default(),
            name: nb_name,
            blocks,
        });
    }
    Ok((name, notebooks))
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn block_spec(
    file: &str,
    notebook: &str,
    index: usize,
    b: DocBlock,
    warnings: &mut Vec<String>,
) -> Result<BlockSpec> {
    let source_id = b.id.unwrap_or_default();
    let kind = BlockType::try_from(b.kind.as_str()).map_err(|_| {
        Error::InvalidArgument(format!(
            "{file}: block {} ({source_id}) of notebook {notebook:?} has type {:?}, which \
             Deepnote cannot create",
            index + 1,
            b.kind
        ))
    })?;
    let mut metadata = match b.metadata {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            warnings.push(format!(
                "{file}: the metadata of block {source_id} is not a mapping; it was left out"
            ));
            Map::new()
        }
    };
    for key in VOLATILE_METADATA {
        metadata.remove(*key);
    }
    let integration = match metadata.remove("sql_integration_id") {
        Some(Value::String(id)) if uuid::Uuid::try_parse(&id).is_ok() => Some(id),
        Some(other) => {
            warnings.push(format!(
                "{file}: block {source_id}'s integration ({}) is not one Deepnote can be given \
                 when creating a block, so it was created without a connection",
                scalar_text(&other)
            ));
            None
        }
        None => None,
    };
    Ok(BlockSpec {
        source_id,
        kind,
        content: b.content.as_ref().map(scalar_text).unwrap_or_default(),
        metadata,
        integration,
    })
}

impl ProjectsApi<'_> {
    /// Create a new project holding `document`'s notebooks and blocks (every notebook of it),
    /// as Deepnote's CLI does for a file whose project is not in the workspace. Nothing is
    /// sent when the document cannot be created as it is (no project name, a notebook without
    /// a name or sharing one, a block type Deepnote does not create). A failure after the
    /// project was created names it ([`CreateFromDocumentError::project`]).
    pub async fn create_from_document(
        &self,
        document: &DeepnoteDocument,
    ) -> std::result::Result<CreatedProject, CreateFromDocumentError> {
        let mut warnings = Vec::new();
        let (name, notebooks) =
            plan(document, &mut warnings).map_err(|error| CreateFromDocumentError {
                project: None,
                error,
            })?;
        let client = self.client;
        let project = client
            .projects()
            .create(name)
            .send()
            .await
            .map_err(|error| CreateFromDocumentError {
                project: None,
                error,
            })?;
        let project_id = project.id.clone();
        let failed = |error: Error| CreateFromDocumentError {
            project: Some(project_id.clone()),
            error,
        };
        let mut placeholders = project.notebooks.clone();
        let mut created = Vec::new();
        for nb in notebooks {
            let id = match placeholders.iter().position(|p| p.name == nb.name) {
                Some(i) => placeholders.remove(i).id,
                None => {
                    client
                        .notebooks()
                        .create(project_id.clone())
                        .name(nb.name.clone())
                        .send()
                        .await
                        .map_err(failed)?
                        .id
                }
            };
            let mut block_ids = Vec::new();
            for (position, b) in nb.blocks.into_iter().enumerate() {
                let mut create = client
                    .blocks()
                    .create(id.clone(), b.kind)
                    .content(b.content)
                    .position(position as u64);
                for (key, value) in b.metadata {
                    create = create.metadata(key, value);
                }
                if let Some(integration) = b.integration {
                    create = create.integration(integration);
                }
                let made = create.send().await.map_err(failed)?;
                block_ids.push((b.source_id, made.block.id));
            }
            created.push(CreatedNotebook {
                source_id: nb.source_id,
                id,
                name: nb.name,
                block_ids,
            });
        }
        // The placeholder no notebook of the document took is removed; failing to is a warning,
        // not a failure: the project is complete.
        for p in placeholders {
            if let Err(e) = client.notebooks().delete(p.id.clone()).await {
                warnings.push(format!(
                    "could not delete the placeholder notebook {} Deepnote created with project \
                     {project_id}: {e}",
                    p.id
                ));
            }
        }
        Ok(CreatedProject {
            project_id,
            notebooks: created,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_orders_blocks_lifts_the_integration_and_drops_execution_state() {
        let doc = DeepnoteDocument::new(
            "p.deepnote",
            "project:\n  name: P\n  initNotebookId: a\n  notebooks:\n    - id: a\n      name: A\n      blocks:\n        - id: second\n          type: code\n          content: 2\n          sortingKey: a1\n          metadata: {execution_millis: 3, sql_integration_id: not-a-uuid}\n        - id: first\n          type: markdown\n          content: '# hi'\n          sortingKey: a0\n",
        );
        let mut warnings = Vec::new();
        let (name, notebooks) = plan(&doc, &mut warnings).unwrap();
        assert_eq!(name, "P");
        let blocks = &notebooks[0].blocks;
        assert_eq!(blocks[0].source_id, "first");
        assert_eq!(
            (blocks[1].source_id.as_str(), blocks[1].content.as_str()),
            ("second", "2")
        );
        assert!(blocks[1].metadata.is_empty(), "{:?}", blocks[1].metadata);
        assert_eq!(blocks[1].integration, None);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn a_document_deepnote_cannot_create_is_refused_before_sending() {
        for (text, says) in [
            ("project:\n  notebooks: []\n", "names no project"),
            (
                "project:\n  name: P\n  notebooks: []\n",
                "holds no notebook",
            ),
            (
                "project:\n  name: P\n  notebooks:\n    - {id: a, name: A}\n    - {id: b, name: A}\n",
                "two notebooks are named",
            ),
            (
                "project:\n  name: P\n  notebooks:\n    - {id: a, name: A, blocks: [{id: x, type: hologram}]}\n",
                "hologram",
            ),
            ("project: [", "is not a .deepnote document"),
        ] {
            let err = plan(&DeepnoteDocument::new("f.deepnote", text), &mut Vec::new())
                .err()
                .unwrap();
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }
}
