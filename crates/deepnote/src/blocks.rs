//! Blocks: list a notebook's, create, get, update (content and integration only), delete, and
//! reorder them.
//!
//! Deepnote's reference shows `createBlock` whole; get, update, delete and the body of the
//! reorder are known only from Deepnote's client code on a branch not yet released, so the
//! live API may differ there.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::NotebookId;
use crate::ids::{BlockId, IntegrationId};
use crate::list::{List, ListQuery, Page, sealed};
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// The kind of a block (`code`, `sql`, `markdown`, an input, a text cell, ...).
pub use deepnote_api::types::BlockType;

/// A block of a notebook. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Block {
    /// Its ID.
    pub id: BlockId,
    /// The notebook it belongs to, when the server said.
    pub notebook_id: Option<NotebookId>,
    /// Its kind as the server spells it (`code`, `sql`, ...), when it said.
    #[serde(rename = "type")]
    pub block_type: Option<String>,
    /// Its source (code, SQL, markdown, an input's value), when the server sent it.
    pub content: Option<String>,
    /// Its metadata, which only `GET /blocks/{id}` returns.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The integration a SQL block queries.
    pub integration_id: Option<IntegrationId>,
    /// Its version, which every update raises.
    pub version: Option<i64>,
}

impl Block {
    pub(crate) fn from_api(b: types::Block) -> Result<Block> {
        if b.id.trim().is_empty() {
            return Err(Error::Decode("a block without an id".into()));
        }
        Ok(Block {
            id: BlockId::new(b.id),
            notebook_id: b.notebook_id.map(NotebookId::new),
            block_type: b.type_,
            content: b.content,
            metadata: b.metadata,
            integration_id: b.integration_id.map(IntegrationId::new),
            version: b.version,
        })
    }
}

/// A block just created, and the notebook's block order after it when asked for.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreatedBlock {
    /// The new block.
    pub block: Block,
    /// Every block of the notebook in order (with [`CreateBlock::include_notebook_block_ids`]).
    pub notebook_block_ids: Vec<BlockId>,
}

/// Where [`BlocksApi::reorder`] puts the blocks it moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Before every other block.
    Start,
    /// After every other block.
    End,
    /// Right after this block.
    After(BlockId),
}

/// The block operations; from [`Client::blocks`].
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
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// use deepnote::blocks::BlockType;
///
/// let created = client
///     .blocks()
///     .create(notebook, BlockType::Code)
///     .content("total = 40 + 2")
///     .await?;
/// let blocks = client.blocks().list(notebook).await?;
/// assert!(blocks.iter().any(|b| b.id == created.block.id));
/// client.blocks().delete(&created.block.id).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct BlocksApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> BlocksApi<'a> {
    /// Create a block of this kind at the end of a notebook (see [`CreateBlock::position`]).
    pub fn create(&self, notebook: impl Into<NotebookId>, block_type: BlockType) -> CreateBlock {
        CreateBlock {
            client: self.client.clone(),
            notebook: notebook.into(),
            block_type,
            content: String::new(),
            position: None,
            integration: None,
            metadata: serde_json::Map::new(),
            include_notebook_block_ids: None,
        }
    }

    /// One block, with its metadata and integration.
    pub async fn get(&self, id: impl Into<BlockId>) -> Result<Block> {
        let id = id.into();
        let answer = self
            .client
            .answer(self.client.api().get_block().block_id(id.checked()?).send())
            .await?;
        Block::from_api(answer.into_inner().block)
    }

    /// Change a block's content or integration in place, keeping its ID. Its kind and metadata cannot change: delete and create it again.
    pub fn update(&self, id: impl Into<BlockId>) -> UpdateBlock {
        UpdateBlock {
            client: self.client.clone(),
            id: id.into(),
            content: None,
            integration: None,
        }
    }

    /// Delete a block.
    pub async fn delete(&self, id: impl Into<BlockId>) -> Result<()> {
        let id = id.into();
        self.client
            .answer(
                self.client
                    .api()
                    .delete_block()
                    .block_id(id.checked()?)
                    .send(),
            )
            .await?;
        Ok(())
    }

    /// The notebook's blocks in order, as `GET /notebooks/{id}` lists them: each with its ID,
    /// kind and content only (metadata and version come from [`BlocksApi::get`]). Empty when
    /// the server lists none (the original API never does). The API has no pages: the first
    /// page holds them all.
    pub fn list(&self, notebook: impl Into<NotebookId>) -> List<BlocksQuery> {
        List::new(
            self.client.clone(),
            BlocksQuery {
                notebook: notebook.into(),
            },
        )
    }

    /// Move blocks, as a group in the order given, to `placement`; the blocks not named keep
    /// their order. Returns the notebook's block order after the move. Deepnote's reference
    /// shows the path; the body and answer are known only from its client code on a branch
    /// not yet released.
    pub async fn reorder<I>(
        &self,
        notebook: impl Into<NotebookId>,
        blocks: I,
        placement: Placement,
    ) -> Result<Vec<BlockId>>
    where
        I: IntoIterator,
        I::Item: Into<BlockId>,
    {
        let notebook = notebook.into();
        let block_ids = blocks
            .into_iter()
            .map(|b| b.into().checked().map(str::to_string))
            .collect::<Result<Vec<_>>>()?;
        if block_ids.is_empty() {
            return Err(Error::InvalidArgument("no blocks to move".into()));
        }
        let placement = match placement {
            Placement::Start => types::BlockPlacement {
                type_: types::BlockPlacementType::Start,
                block_id: None,
            },
            Placement::End => types::BlockPlacement {
                type_: types::BlockPlacementType::End,
                block_id: None,
            },
            Placement::After(after) => types::BlockPlacement {
                type_: types::BlockPlacementType::After,
                block_id: Some(after.checked()?.to_string()),
            },
        };
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .reorder_notebook_blocks()
                    .notebook_id(notebook.checked()?)
                    .body(types::ReorderBlocksBody {
                        block_ids,
                        placement,
                    })
                    .send(),
            )
            .await?;
        Ok(answer
            .into_inner()
            .block_ids
            .into_iter()
            .map(BlockId::new)
            .collect())
    }
}

/// A block to create; from [`BlocksApi::create`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateBlock {
    client: Client,
    notebook: NotebookId,
    block_type: BlockType,
    content: String,
    position: Option<u64>,
    integration: Option<IntegrationId>,
    metadata: serde_json::Map<String, serde_json::Value>,
    include_notebook_block_ids: Option<bool>,
}

impl CreateBlock {
    /// Its source: code, SQL, markdown, an input's value (empty by default).
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = content.into();
        self
    }

    /// Its zero-based index among the notebook's blocks (the end when not given).
    pub fn position(mut self, position: u64) -> Self {
        self.position = Some(position);
        self
    }

    /// The integration a SQL block queries. Deepnote refuses it in `metadata`
    /// (`sql_integration_id`): it must be given here.
    pub fn integration(mut self, integration: impl Into<IntegrationId>) -> Self {
        self.integration = Some(integration.into());
        self
    }

    /// One metadata field of the block.
    pub fn metadata(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }

    /// Ask for the notebook's block order after the insert ([`CreatedBlock::notebook_block_ids`]).
    pub fn include_notebook_block_ids(mut self, include: bool) -> Self {
        self.include_notebook_block_ids = Some(include);
        self
    }

    /// Create it.
    pub async fn send(self) -> Result<CreatedBlock> {
        if self.metadata.contains_key("sql_integration_id") {
            return Err(Error::InvalidArgument(
                "a SQL block's integration goes in `integration`, not metadata.sql_integration_id"
                    .into(),
            ));
        }
        let body = types::CreateBlockBody {
            notebook_id: self.notebook.checked()?.to_string(),
            type_: self.block_type,
            content: self.content,
            position: self.position,
            integration_id: self.integration.as_ref().map(|i| i.uuid()).transpose()?,
            metadata: self.metadata,
            include_notebook_block_ids: self.include_notebook_block_ids,
        };
        let call = self.client.api().create_block().body(body).send();
        self.client
            .create("block", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Ok(CreatedBlock {
                    block: Block::from_api(answer.block.clone()).map_err(|e| e.to_string())?,
                    notebook_block_ids: answer
                        .notebook_block_ids
                        .iter()
                        .cloned()
                        .map(BlockId::new)
                        .collect(),
                })
            })
            .await
    }
}

/// A change to a block; from [`BlocksApi::update`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct UpdateBlock {
    client: Client,
    id: BlockId,
    content: Option<String>,
    integration: Option<IntegrationId>,
}

impl UpdateBlock {
    /// Its new source.
    pub fn content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }

    /// The integration a SQL block queries from now on.
    pub fn integration(mut self, integration: impl Into<IntegrationId>) -> Self {
        self.integration = Some(integration.into());
        self
    }

    /// Send the change. The answer may carry only the block's ID and version.
    pub async fn send(self) -> Result<Block> {
        if self.content.is_none() && self.integration.is_none() {
            return Err(Error::InvalidArgument(
                "a block update needs a content or an integration".into(),
            ));
        }
        let body = types::UpdateBlockBody {
            content: self.content,
            integration_id: self.integration.as_ref().map(|i| i.uuid()).transpose()?,
        };
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .update_block()
                    .block_id(self.id.checked()?)
                    .body(body)
                    .send(),
            )
            .await?;
        Block::from_api(answer.into_inner().block)
    }
}

/// Whose blocks a [`BlocksApi::list`] lists.
#[derive(Clone, Debug)]
pub struct BlocksQuery {
    notebook: NotebookId,
}

impl sealed::Sealed for BlocksQuery {}

impl ListQuery for BlocksQuery {
    type Item = Block;

    fn fetch(
        self,
        client: Client,
        _size: Option<u32>,
        _token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Block>>> {
        async move {
            let notebook = self.notebook;
            let call = client
                .api()
                .get_notebook()
                .notebook_id(notebook.checked()?)
                .send();
            let blocks = client
                .send(call)
                .await?
                .notebook
                .map(|n| n.blocks)
                .unwrap_or_default();
            let items = blocks
                .into_iter()
                .map(|b| {
                    if b.id.trim().is_empty() {
                        return Err(Error::Decode("a block without an id".into()));
                    }
                    Ok(Block {
                        id: BlockId::new(b.id),
                        notebook_id: Some(notebook.clone()),
                        block_type: Some(b.type_),
                        content: b.content,
                        metadata: None,
                        integration_id: None,
                        version: None,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Page::new(items, None))
        }
        .boxed()
    }
}

crate::into_future::send_on_await!(CreateBlock => CreatedBlock, UpdateBlock => Block);
