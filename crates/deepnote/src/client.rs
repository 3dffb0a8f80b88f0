//! The client, how it is built, and the few things every resource group shares.

use crate::credentials::{Credentials, KeySource};
use crate::error::{Error, Result};
use crate::me::MeApi;
use crate::notebooks::NotebooksApi;
use crate::projects::ProjectsApi;
use crate::runs::RunsApi;
use deepnote_api::{ApiKey, ClientBuilder as ApiBuilder};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use deepnote_api::{BaseUrls, RateLimitWait, RetryPolicy};

/// The environment variable [`Client::from_env`] reads an optional base URL from.
pub const BASE_URL_ENV: &str = "DEEPNOTE_BASE_URL";

/// A Deepnote API client. Cheap to clone (the clones share one connection pool); use one for
/// the whole program.
///
/// Every operation of the API sits in the group of its resource, `client.<resource>()`; see
/// the crate's conventions.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: deepnote_api::Client,
    pub(crate) key: ApiKey,
    /// Where the key came from, so that a 401 can say which key was refused.
    pub(crate) key_source: Option<KeySource>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("v2", &self.base_urls().v2())
            .field("v1", &self.base_urls().v1())
            .field("api_key", &self.inner.key)
            .finish()
    }
}

impl Client {
    /// A client for `https://api.deepnote.com` with this key and the default settings.
    pub fn new(api_key: impl AsRef<str>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// A client from the environment: the key as [`Credentials::resolve`] finds it
    /// (`DEEPNOTE_API_KEY`, then `DEEPNOTE_TOKEN`, then the default profile of the file
    /// `deepnote auth login` writes), and the base URL from `DEEPNOTE_BASE_URL` when it is set
    /// (the host root or the `/v2` base), else the profile's.
    pub fn from_env() -> Result<Client> {
        Client::from_credentials(Credentials::resolve()?)
    }

    /// A client for these credentials, with `DEEPNOTE_BASE_URL` (else the profile's base URL)
    /// as the base when set.
    pub fn from_credentials(credentials: Credentials) -> Result<Client> {
        let mut builder = Client::builder().credentials(credentials);
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
    pub fn blocks(&self) -> crate::blocks::BlocksApi<'_> {
        crate::blocks::BlocksApi { client: self }
    }

    /// Files of projects: upload, download (streamed, with progress), delete, copy.
    pub fn files(&self) -> crate::files::FilesApi<'_> {
        crate::files::FilesApi { client: self }
    }

    /// Schedules of notebooks: one per notebook (upsert) or several (list, create).
    pub fn schedules(&self) -> crate::schedules::SchedulesApi<'_> {
        crate::schedules::SchedulesApi { client: self }
    }

    /// The workspace's integrations (data sources): list, get.
    pub fn integrations(&self) -> crate::integrations::IntegrationsApi<'_> {
        crate::integrations::IntegrationsApi { client: self }
    }

    /// Streamlit apps: create, list, status, wait until running.
    pub fn apps(&self) -> crate::apps::AppsApi<'_> {
        crate::apps::AppsApi { client: self }
    }

    /// Machines: the machine types, and a project's editor machine.
    pub fn machines(&self) -> crate::machines::MachinesApi<'_> {
        crate::machines::MachinesApi { client: self }
    }

    /// Interactive sessions (beta): create, run code.
    pub fn sessions(&self) -> crate::sessions::SessionsApi<'_> {
        crate::sessions::SessionsApi { client: self }
    }

    /// Keep the workspace in a folder of `.deepnote` files: pull, push, plan first.
    pub fn sync(&self) -> crate::sync::SyncApi<'_> {
        crate::sync::SyncApi { client: self }
    }

    /// Search the workspace's projects, notebooks, blocks and integrations.
    pub fn search(&self) -> crate::search::SearchApi<'_> {
        crate::search::SearchApi { client: self }
    }

    /// The low-level client underneath, for anything this crate does not cover.
    pub fn api(&self) -> &deepnote_api::Client {
        &self.inner.api
    }

    /// How many attempts the client's retry policy gives one request, so that a caller that
    /// runs its requests unretried ([`deepnote_api::with_retry_policy`]) can make each of those
    /// attempts a request of its own.
    pub(crate) fn attempts_per_request(&self) -> u32 {
        self.inner.api.retry_policy().max_attempts()
    }

    /// The bases requests go to.
    pub fn base_urls(&self) -> &BaseUrls {
        self.inner.api.base_urls()
    }

    /// The key, for scrubbing it from what a server echoes back.
    pub(crate) fn key(&self) -> &deepnote_api::ApiKey {
        &self.inner.key
    }

    /// Where the key came from, when known.
    pub(crate) fn key_source(&self) -> Option<KeySource> {
        self.inner.key_source.clone()
    }
}

/// Builds a [`Client`]; only the key is required. Every setting but the key and the base is
/// the low-level [`deepnote_api::ClientBuilder`]'s, forwarded to it, so each has one default.
#[derive(Debug)]
pub struct ClientBuilder {
    key: Key,
    /// The low-level builder every other setting is forwarded to.
    api: ApiBuilder,
    /// Whether a base was set here, which then wins over a profile's.
    base_set: bool,
    /// Why the exact bases given are unusable, reported by [`ClientBuilder::build`].
    bad_bases: Option<String>,
}

/// Where the key comes from; checked only by [`ClientBuilder::build`].
enum Key {
    None,
    Raw(String),
    Credentials(Credentials),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::None => f.write_str("None"),
            Key::Raw(_) => f.write_str("\"***\""),
            Key::Credentials(c) => c.fmt(f),
        }
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            key: Key::None,
            api: ApiBuilder::default()
                .user_agent(concat!("deepnote-rust/", env!("CARGO_PKG_VERSION"))),
            base_set: false,
            bad_bases: None,
        }
    }
}

impl ClientBuilder {
    /// The workspace API key (Settings & members > Security > API keys).
    pub fn api_key(mut self, key: impl AsRef<str>) -> Self {
        self.key = Key::Raw(key.as_ref().to_string());
        self
    }

    /// The key as [`Credentials`] found it: a 401 then names its source, and a profile's base
    /// URL is used unless [`ClientBuilder::base_url`] sets another.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.key = Key::Credentials(credentials);
        self
    }

    /// The host root (`https://api.deepnote.com`) or the v2 base (`.../v2`); the legacy
    /// execute call goes to `/v1` of the same root.
    pub fn base_url(mut self, base: impl Into<String>) -> Self {
        self.api = self.api.base_url(&base.into());
        self.base_set = true;
        self.bad_bases = None;
        self
    }

    /// The v2 and v1 bases exactly, for gateways and mock servers that mount the API elsewhere.
    pub fn base_urls(mut self, v2: &str, v1: &str) -> Self {
        match BaseUrls::exact(v2, v1) {
            Ok(bases) => {
                self.api = self.api.base_urls(bases);
                self.bad_bases = None;
            }
            Err(e) => self.bad_bases = Some(e.to_string()),
        }
        self.base_set = true;
        self
    }

    /// The time one attempt may take (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.api = self.api.timeout(timeout);
        self
    }

    /// The time to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.api = self.api.connect_timeout(timeout);
        self
    }

    /// How failed requests are retried (the default retries reads on 429, 502-504 and
    /// transport failures, and creates only when the server provably did nothing).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.api = self.api.retry_policy(retry);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.api = self.api.user_agent(user_agent);
        self
    }

    /// Use this HTTP client (its timeouts, proxy, TLS) instead of building one. The timeouts
    /// and user agent of this builder are then ignored.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.api = self.api.http_client(http);
        self
    }

    /// Allow sending the key over plain `http://` to a host other than this machine. Off by
    /// default: anyone on the path could read the key.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.api = self.api.allow_insecure_http(allow);
        self
    }

    /// Call `observer` as each wait for Deepnote's rate limit begins, to show it to a person
    /// ("rate limited by Deepnote: waiting 38 s"). Every request of the client and its clones
    /// takes its turn from one pace, so one wait holds them all and is told once. The wait is
    /// also logged as a tracing event at INFO level. See
    /// [`deepnote_api::ClientBuilder::on_rate_limit_wait`].
    pub fn on_rate_limit_wait(
        mut self,
        observer: impl Fn(&crate::client::RateLimitWait) + Send + Sync + 'static,
    ) -> Self {
        self.api = self.api.on_rate_limit_wait(observer);
        self
    }

    /// Check the settings and build the client.
    pub fn build(self) -> Result<Client> {
        let (key, key_source, profile_base) = match self.key {
            Key::Credentials(c) => (
                c.api_key().clone(),
                Some(c.source().clone()),
                c.base_url().map(str::to_string),
            ),
            Key::Raw(raw) => (
                ApiKey::new(&raw).map_err(|e| Error::Config(e.to_string()))?,
                None,
                None,
            ),
            Key::None => return Err(Error::Config("no API key was given".into())),
        };
        if let Some(bad) = self.bad_bases {
            return Err(Error::Config(bad));
        }
        let mut api = self.api.api_key(key.clone());
        if let (false, Some(base)) = (self.base_set, profile_base) {
            api = api.base_url(&base);
        }
        let api = api.build().map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                api,
                key,
                key_source,
            }),
        })
    }
}
