//! Building a [`Client`]: the key, the bases, retries, timeouts and the HTTP client.

use crate::base_url::{BaseUrls, InvalidBaseUrl};
use crate::generated::Client;
use crate::pace::{Observer, Pacer, RateLimitWait};
use crate::retry::RetryPolicy;
use crate::secret::ApiKey;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The default time one attempt may take, from connect to the last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the hooks need for every request. Made only by [`ClientBuilder`].
#[derive(Clone, Debug)]
pub struct ClientState {
    pub(crate) api_key: ApiKey,
    pub(crate) bases: BaseUrls,
    pub(crate) retry: RetryPolicy,
    /// The rate-limit pace every request of the client and its clones takes its turn from.
    pub(crate) pacer: Arc<Pacer>,
}

impl ClientState {
    /// The bases requests go to.
    pub fn bases(&self) -> &BaseUrls {
        &self.bases
    }

    /// The retry policy of every request.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The key requests carry (its `Debug` is redacted).
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }
}

/// Builds a [`Client`]. Only the key is required: given to [`ClientBuilder::new`], or to
/// [`ClientBuilder::api_key`] after `default()` (for code that settles the other settings
/// before it knows the key, as the `deepnote` crate's builder does).
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    bases: Result<BaseUrls, InvalidBaseUrl>,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
    on_rate_limit_wait: Option<Observer>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("bases", &self.bases)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("on_rate_limit_wait", &self.on_rate_limit_wait.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    /// A builder without a key (see [`ClientBuilder::api_key`]); otherwise as [`ClientBuilder::new`].
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            bases: Ok(BaseUrls::default()),
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: concat!("deepnote-api-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            http: None,
            allow_insecure_http: false,
            on_rate_limit_wait: None,
        }
    }
}

impl ClientBuilder {
    /// A builder for `https://api.deepnote.com` with the default retries and timeouts.
    pub fn new(api_key: ApiKey) -> Self {
        ClientBuilder::default().api_key(api_key)
    }

    /// The key every request carries (replacing any given before).
    pub fn api_key(mut self, api_key: ApiKey) -> Self {
        self.api_key = Some(api_key);
        self
    }

    /// One base: the host root (`https://api.deepnote.com`) or the v2 base (`.../v2`).
    /// The v2 operations go under `/v2` and the execute call under `/v1` of that root.
    /// A bad URL is reported by [`ClientBuilder::build`].
    pub fn base_url(mut self, base: &str) -> Self {
        self.bases = BaseUrls::from_base(base);
        self
    }

    /// Both bases exactly (see [`BaseUrls::exact`]).
    pub fn base_urls(mut self, bases: BaseUrls) -> Self {
        self.bases = Ok(bases);
        self
    }

    /// How failed requests are retried ([`RetryPolicy::none`] turns retries off).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The time one attempt may take (default 30 s). Ignored with [`ClientBuilder::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time to open a connection (default 10 s). Ignored with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header. Ignored with [`ClientBuilder::http_client`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use this HTTP client (its timeouts, proxy and TLS settings) instead of building one.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Allow sending the key over plain `http://` to a host other than this machine.
    /// Off by default: anyone on the path could read the key.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Call `observer` as each wait for the server's rate limit begins (once per pause, by the
    /// first request that meets it; not for the spacing of paced requests): to show it in a
    /// progress line ("rate limited by Deepnote: waiting 38 s"). The same wait is also logged
    /// as a tracing event at INFO level. The function runs on the request's task: keep it
    /// short.
    pub fn on_rate_limit_wait(
        mut self,
        observer: impl Fn(&RateLimitWait) + Send + Sync + 'static,
    ) -> Self {
        self.on_rate_limit_wait = Some(Arc::new(observer));
        self
    }

    /// Check the settings and build the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let api_key = self.api_key.ok_or(BuildError::NoApiKey)?;
        let bases = self.bases.map_err(BuildError::BaseUrl)?;
        if !self.allow_insecure_http && !bases.is_secure_or_loopback() {
            return Err(BuildError::InsecureHttp);
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(BuildError::Http)?,
        };
        let base = bases.v2().to_string();
        let state = ClientState {
            api_key,
            bases,
            retry: self.retry,
            pacer: Arc::new(Pacer::observed(self.on_rate_limit_wait)),
        };
        Ok(Client::new_with_client(&base, http, state))
    }
}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not usable.
    BaseUrl(InvalidBaseUrl),
    /// The base is plain `http://` to a host other than this machine, which would send the key
    /// in the clear; see [`ClientBuilder::allow_insecure_http`].
    InsecureHttp,
    /// The HTTP client could not be built (its TLS backend failed to start).
    Http(reqwest::Error),
    /// No key was given ([`ClientBuilder::api_key`]).
    NoApiKey,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::BaseUrl(e) => e.fmt(f),
            BuildError::InsecureHttp => f.write_str(
                "refusing to send the API key over plain http to a host other than this machine \
                 (use https, or allow it explicitly)",
            ),
            BuildError::Http(e) => write!(f, "cannot build the HTTP client: {e}"),
            BuildError::NoApiKey => f.write_str("no API key was given"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::BaseUrl(e) => Some(e),
            BuildError::InsecureHttp | BuildError::NoApiKey => None,
            BuildError::Http(e) => Some(e),
        }
    }
}

impl Client {
    /// The bases this client sends requests to.
    pub fn base_urls(&self) -> &BaseUrls {
        &self.inner.bases
    }

    /// This client's own retry policy (a [`crate::with_retry_policy`] around a call overrides
    /// it for that call).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }
}
