//! Integrations (data sources): list with filters, get one with its tables. Evidence: the
//! list is on Deepnote's reference page (`docs`); get is cut off there after its first query
//! parameters, with no visible answer (`docs-partial`), so it is returned as JSON.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::IntegrationId;
use deepnote_api::types;

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
    /// Its metadata, for admins who asked for it ([`ListIntegrations::include_metadata`]).
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
#[derive(Clone, Copy, Debug)]
pub struct IntegrationsApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> IntegrationsApi<'a> {
    /// The workspace's integrations (the whole list in one answer: it has no pages).
    pub fn list(&self) -> ListIntegrations {
        ListIntegrations {
            client: self.client.clone(),
            ids: Vec::new(),
            name_contains: None,
            types: Vec::new(),
            has_schema: None,
            include_metadata: false,
        }
    }

    /// One integration with its tables, optionally of one database or schema. The answer is
    /// not visible in the evidence: it is the JSON object the server sent.
    pub async fn get(
        &self,
        id: impl Into<IntegrationId>,
        database: Option<&str>,
        schema: Option<&str>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let id = id.into();
        let mut call = self
            .client
            .api()
            .get_integration()
            .integration_id(id.uuid()?);
        if let Some(database) = database {
            call = call.database_name(database);
        }
        if let Some(schema) = schema {
            call = call.schema_name(schema);
        }
        let answer = self.client.answer(call.send()).await?;
        Ok(answer.into_inner())
    }
}

/// The filters of a list of integrations; from [`IntegrationsApi::list`]. Call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListIntegrations {
    client: Client,
    ids: Vec<IntegrationId>,
    name_contains: Option<String>,
    types: Vec<String>,
    has_schema: Option<bool>,
    include_metadata: bool,
}

impl ListIntegrations {
    /// Only these integrations.
    pub fn ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<IntegrationId>,
    {
        self.ids.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Only those whose name holds this text.
    pub fn name_contains(mut self, text: impl Into<String>) -> Self {
        self.name_contains = Some(text.into());
        self
    }

    /// Only these kinds (`big-query`, `snowflake`, ...).
    pub fn types<I>(mut self, types: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.types.extend(types.into_iter().map(Into::into));
        self
    }

    /// Only those with (or without) a schema.
    pub fn has_schema(mut self, has: bool) -> Self {
        self.has_schema = Some(has);
        self
    }

    /// Include each one's metadata (admins only: others get 403).
    pub fn include_metadata(mut self, include: bool) -> Self {
        self.include_metadata = include;
        self
    }

    /// Fetch the list.
    pub async fn send(self) -> Result<Vec<Integration>> {
        let mut call = self.client.api().list_integrations();
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
        let answer = self.client.answer(call.send()).await?;
        answer
            .into_inner()
            .integrations
            .into_iter()
            .map(Integration::from_api)
            .collect()
    }
}
