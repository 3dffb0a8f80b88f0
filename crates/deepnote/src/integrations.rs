//! Integrations (data sources): list with filters, get one with its tables. Deepnote's
//! reference shows the list whole; it shows get's first query parameters but not its answer,
//! so get gives the JSON object the server sent.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::IntegrationId;
use crate::list::{List, ListQuery, Page, sealed};
use deepnote_api::types;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// An integration as the list gives it. Serialized with the API's field names (snake_case
/// here, as the list spells them).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Integration {
    /// Its ID.
    pub id: IntegrationId,
    /// Its name.
    pub name: String,
    /// Its kind (`pgsql`, `big-query`, `snowflake`, ...).
    #[serde(rename = "type")]
    pub integration_type: String,
    /// Its metadata, for admins who asked for it ([`IntegrationsQuery`]'s `include_metadata`).
    pub metadata: Option<serde_json::Value>,
    /// Whether it is shared with the whole workspace.
    pub is_public: Option<bool>,
    /// When it was created, as the server spells it.
    pub created_at: Option<String>,
    /// When it last changed, as the server spells it.
    pub updated_at: Option<String>,
}

impl Integration {
    fn from_api(i: types::IntegrationListItem) -> Result<Integration> {
        if i.id.trim().is_empty() {
            return Err(Error::Decode("an integration without an id".into()));
        }
        Ok(Integration {
            id: IntegrationId::new(i.id),
            name: i.name,
            integration_type: i.type_,
            metadata: i.metadata,
            is_public: i.is_public,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
    }
}

/// The integration operations; from [`Client::integrations`].
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
/// let warehouses = client.integrations().list().types(["snowflake"]).await?;
/// for integration in &warehouses {
///     println!("{} {}", integration.id, integration.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IntegrationsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> IntegrationsApi<'a> {
    /// The workspace's integrations. The API has no pages: the first page holds them all.
    pub fn list(&self) -> ListIntegrations {
        List::new(self.client.clone(), IntegrationsQuery::default())
    }

    /// One integration with its tables; narrow it with [`GetIntegration::database`] and
    /// [`GetIntegration::schema`]. Deepnote's reference does not show the answer, so it is the
    /// JSON object the server sent.
    pub fn get(&self, id: impl Into<IntegrationId>) -> GetIntegration {
        GetIntegration {
            client: self.client.clone(),
            id: id.into(),
            database: None,
            schema: None,
        }
    }
}

/// One integration to read; from [`IntegrationsApi::get`]. Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetIntegration {
    client: Client,
    id: IntegrationId,
    database: Option<String>,
    schema: Option<String>,
}

impl GetIntegration {
    /// Only the tables of this database.
    pub fn database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// Only the tables of this schema.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Read it.
    pub async fn send(self) -> Result<serde_json::Map<String, serde_json::Value>> {
        let mut call = self
            .client
            .api()
            .get_integration()
            .integration_id(self.id.uuid()?);
        if let Some(database) = self.database {
            call = call.database_name(database);
        }
        if let Some(schema) = self.schema {
            call = call.schema_name(schema);
        }
        self.client.send(call.send()).await
    }
}

/// A list of integrations; from [`IntegrationsApi::list`], narrowed by the methods below.
pub type ListIntegrations = List<IntegrationsQuery>;

/// The filters of a list of integrations.
#[derive(Clone, Debug, Default)]
pub struct IntegrationsQuery {
    ids: Vec<IntegrationId>,
    name_contains: Option<String>,
    types: Vec<String>,
    has_schema: Option<bool>,
    include_metadata: bool,
}

impl List<IntegrationsQuery> {
    /// Only these integrations.
    pub fn ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<IntegrationId>,
    {
        self.query.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only those whose name holds this text.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.query.name_contains = Some(text.into());
        self
    }

    /// Only these kinds (`big-query`, `snowflake`, ...).
    pub fn types<I>(mut self, types: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.query.types.extend(types.into_iter().map(Into::into));
        self
    }

    /// Only those with (or without) a schema.
    pub fn has_schema(mut self, has: bool) -> Self {
        self.query.has_schema = Some(has);
        self
    }

    /// Include each one's metadata (admins only: others get 403).
    pub fn include_metadata(mut self, include: bool) -> Self {
        self.query.include_metadata = include;
        self
    }
}

impl sealed::Sealed for IntegrationsQuery {}

impl ListQuery for IntegrationsQuery {
    type Item = Integration;

    fn fetch(
        self,
        client: Client,
        _size: Option<u32>,
        _token: Option<String>,
    ) -> BoxFuture<'static, Result<Page<Integration>>> {
        async move {
            let mut call = client.api().list_integrations();
            if !self.ids.is_empty() {
                let ids = self
                    .ids
                    .iter()
                    .map(|i| i.uuid().map(|u| u.to_string()))
                    .collect::<Result<Vec<_>>>()?;
                call = call.integration_ids(ids.join(","));
            }
            if let Some(text) = self.name_contains {
                call = call.name_contains(text);
            }
            if !self.types.is_empty() {
                if self.types.iter().any(|t| t.is_empty() || t.contains(',')) {
                    return Err(Error::InvalidArgument(
                        "an integration type is empty or holds a comma".into(),
                    ));
                }
                call = call.types(self.types.join(","));
            }
            if let Some(has) = self.has_schema {
                call = call.has_schema(if has {
                    types::ListIntegrationsHasSchema::True
                } else {
                    types::ListIntegrationsHasSchema::False
                });
            }
            if self.include_metadata {
                call = call.include_metadata(types::ListIntegrationsIncludeMetadata::True);
            }
            let items = client
                .send(call.send())
                .await?
                .integrations
                .into_iter()
                .map(Integration::from_api)
                .collect::<Result<Vec<_>>>()?;
            Ok(Page::new(items, None))
        }
        .boxed()
    }
}

crate::into_future::send_on_await!(GetIntegration => serde_json::Map<String, serde_json::Value>);
