//! The client, how it is built, and the few things every resource group shares.

use crate::error::{Error, Result};
use crate::me::MeApi;
use crate::notebooks::NotebooksApi;
use crate::projects::ProjectsApi;
use crate::runs::RunsApi;
use deepnote_api::{ApiError, ApiKey, BaseUrls, ClientBuilder as ApiBuilder, RetryPolicy};
use progenitor_client::ClientInfo;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The environment variable [`Client::from_env`] reads the key from.
pub const API_KEY_ENV: &str = "DEEPNOTE_API_KEY";
/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "DEEPNOTE_BASE_URL";

/// A Deepnote API client. Cheap to clone (the clones share one connection pool); use one for
/// the whole program.
///
/// Every operation of the API sits in one of four groups: [`Client::projects`],
/// [`Client::notebooks`], [`Client::runs`] and [`Client::me`].
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    /// Use the low-level client without retries: the caller paces and retries itself.
    pub(crate) paced: bool,
}

pub(crate) struct Inner {
    pub(crate) api: deepnote_api::Client,
    /// The same, with no retries of its own (it shares the connection pool).
    pub(crate) api_unretried: deepnote_api::Client,
    pub(crate) key: ApiKey,
    pub(crate) bases: BaseUrls,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("v2", &self.inner.bases.v2())
            .field("v1", &self.inner.bases.v1())
            .field("api_key", &self.inner.key)
            .finish()
    }
}

impl Client {
    /// A client for `https://api.deepnote.com` with this key and the default settings.
    pub fn new(api_key: impl AsRef<str>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// A client from the environment: the key from `DEEPNOTE_API_KEY`, and the base URL from
    /// `DEEPNOTE_BASE_URL` when it is set (the host root or the `/v2` base).
    pub fn from_env() -> Result<Client> {
        let key = std::env::var(API_KEY_ENV)
            .map_err(|_| Error::Config(format!("{API_KEY_ENV} is not set")))?;
        let mut builder = Client::builder().api_key(key);
        if let Ok(base) = std::env::var(BASE_URL_ENV)
            && !base.trim().is_empty()
        {
            builder = builder.base_url(base);
        }
        builder.build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Projects: list, create, get, delete.
    pub fn projects(&self) -> ProjectsApi<'_> {
        ProjectsApi { client: self }
    }

    /// Notebooks: create, get, delete, list their runs, and the legacy v1 execute.
    pub fn notebooks(&self) -> NotebooksApi<'_> {
        NotebooksApi { client: self }
    }

    /// Runs: create, get, wait, read snapshots, run many.
    pub fn runs(&self) -> RunsApi<'_> {
        RunsApi { client: self }
    }

    /// The calling key, its user, workspace and access level.
    pub fn me(&self) -> MeApi<'_> {
        MeApi { client: self }
    }

    /// Blocks of notebooks: create, get, update, delete.
    pub fn blocks(&self) -> crate::BlocksApi<'_> {
        crate::BlocksApi { client: self }
    }

    /// Files of projects: upload, download (streamed, with progress), delete, copy.
    pub fn files(&self) -> crate::FilesApi<'_> {
        crate::FilesApi { client: self }
    }

    /// Schedules of notebooks: one per notebook (upsert) or several (list, create).
    pub fn schedules(&self) -> crate::SchedulesApi<'_> {
        crate::SchedulesApi { client: self }
    }

    /// The workspace's integrations (data sources): list, get.
    pub fn integrations(&self) -> crate::IntegrationsApi<'_> {
        crate::IntegrationsApi { client: self }
    }

    /// Machines: the machine types, and a project's editor machine.
    pub fn machines(&self) -> crate::MachinesApi<'_> {
        crate::MachinesApi { client: self }
    }

    /// Interactive sessions (beta): create, run code.
    pub fn sessions(&self) -> crate::SessionsApi<'_> {
        crate::SessionsApi { client: self }
    }

    /// Search the workspace's projects, notebooks, blocks and integrations for `query`.
    pub fn search(&self, query: impl Into<String>) -> crate::Search {
        crate::Search {
            client: self.clone(),
            query: query.into(),
            types: Vec::new(),
        }
    }

    /// The low-level client underneath, for anything this crate does not cover.
    pub fn api(&self) -> &deepnote_api::Client {
        if self.paced {
            &self.inner.api_unretried
        } else {
            &self.inner.api
        }
    }

    /// How many attempts the low-level client gives one request (its retry policy's
    /// `max_attempts`), also for an [`Client::unretried`] clone, which then makes each attempt
    /// a request of its own.
    pub(crate) fn attempts_per_request(&self) -> u32 {
        self.inner.api.inner().retry_policy().max_attempts.max(1)
    }

    /// A clone whose requests are not retried by the low-level client, for callers that pace
    /// and retry across many requests themselves.
    pub(crate) fn unretried(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            paced: true,
        }
    }

    /// The bases requests go to.
    pub fn base_urls(&self) -> &BaseUrls {
        &self.inner.bases
    }

    pub(crate) fn api_error(&self, error: ApiError) -> Error {
        Error::from_api(error, &self.inner.key)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        self.inner.api.client()
    }
}

/// Builds a [`Client`]; only the key is required.
#[derive(Default)]
pub struct ClientBuilder {
    key: Option<String>,
    bases: Option<std::result::Result<BaseUrls, String>>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.key.as_ref().map(|_| "***"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The workspace API key (Settings & members > Security > API keys).
    pub fn api_key(mut self, key: impl AsRef<str>) -> Self {
        self.key = Some(key.as_ref().to_string());
        self
    }

    /// The host root (`https://api.deepnote.com`) or the v2 base (`.../v2`); the legacy
    /// execute call goes to `/v1` of the same root.
    pub fn base_url(mut self, base: impl Into<String>) -> Self {
        self.base_url = Some(base.into());
        self.bases = None;
        self
    }

    /// The v2 and v1 bases exactly, for gateways and mock servers that mount the API elsewhere.
    pub fn base_urls(mut self, v2: &str, v1: &str) -> Self {
        self.bases = Some(BaseUrls::exact(v2, v1).map_err(|e| e.to_string()));
        self.base_url = None;
        self
    }

    /// The time one attempt may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How failed requests are retried (the default retries reads on 429, 502-504 and
    /// transport failures, and creates only when the server provably did nothing).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Use this HTTP client (its timeouts, proxy, TLS) instead of building one. The timeouts
    /// and user agent of this builder are then ignored.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Allow sending the key over plain `http://` to a host other than this machine. Off by
    /// default: anyone on the path could read the key.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Check the settings and build the client.
    pub fn build(self) -> Result<Client> {
        let raw = self
            .key
            .ok_or_else(|| Error::Config("no API key was given".into()))?;
        let key = ApiKey::new(&raw).map_err(|e| Error::Config(e.to_string()))?;
        let mut builder = ApiBuilder::new(key.clone())
            .allow_insecure_http(self.allow_insecure_http)
            .user_agent(
                self.user_agent
                    .unwrap_or_else(|| concat!("deepnote-rust/", env!("CARGO_PKG_VERSION")).into()),
            );
        match (self.bases, self.base_url) {
            (Some(bases), _) => {
                builder = builder.base_urls(bases.map_err(Error::Config)?);
            }
            (None, Some(base)) => builder = builder.base_url(&base),
            (None, None) => {}
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry_policy(retry);
        }
        if let Some(http) = self.http {
            builder = builder.http_client(http);
        }
        let api = builder.build().map_err(|e| Error::Config(e.to_string()))?;
        let bases = api.inner().bases().clone();
        let api_unretried = ApiBuilder::new(key.clone())
            .base_urls(bases.clone())
            .allow_insecure_http(self.allow_insecure_http)
            .retry_policy(RetryPolicy::none())
            .http_client(api.client().clone())
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                api_unretried,
                key,
                bases,
            }),
            paced: false,
        })
    }
}
