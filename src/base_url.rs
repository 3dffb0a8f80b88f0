//! Where requests go. The spec puts every operation under `.../v2` except the legacy execute
//! call, whose path-level `servers` puts it under `.../v1`; progenitor ignores `servers`, so
//! the client keeps both bases and the hooks move the execute call to the v1 one.

use std::fmt;

/// Deepnote's public host.
pub const DEFAULT_HOST: &str = "https://api.deepnote.com";

/// The two bases of the API: v2 for every operation, v1 for the legacy execute call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrls {
    v2: String,
    v1: String,
}

impl BaseUrls {
    /// From one base, as Deepnote's own CLI takes its `--url`: the host root
    /// (`https://api.deepnote.com`) or the v2 base (`https://api.deepnote.com/v2`). Either way
    /// the v2 operations go under `/v2` and the execute call under `/v1` of the same root.
    pub fn from_base(base: &str) -> Result<Self, InvalidBaseUrl> {
        let root = checked(base)?;
        let root = root
            .strip_suffix("/v2")
            .or_else(|| root.strip_suffix("/v1"))
            .unwrap_or(root);
        Ok(BaseUrls {
            v2: format!("{root}/v2"),
            v1: format!("{root}/v1"),
        })
    }

    /// Both bases exactly as given, for gateways and mock servers that mount the API
    /// elsewhere (Stoplight Prism serves both at its root).
    pub fn exact(v2: &str, v1: &str) -> Result<Self, InvalidBaseUrl> {
        Ok(BaseUrls {
            v2: checked(v2)?.to_string(),
            v1: checked(v1)?.to_string(),
        })
    }

    /// The base of every v2 operation, without a trailing slash.
    pub fn v2(&self) -> &str {
        &self.v2
    }

    /// The base of the legacy execute call, without a trailing slash.
    pub fn v1(&self) -> &str {
        &self.v1
    }

    /// True when both bases use https or point at this machine (loopback), where a bearer
    /// token may travel in the clear.
    pub fn is_secure_or_loopback(&self) -> bool {
        is_secure_or_loopback(&self.v2) && is_secure_or_loopback(&self.v1)
    }
}

impl Default for BaseUrls {
    fn default() -> Self {
        BaseUrls::from_base(DEFAULT_HOST).expect("the default host is a valid base")
    }
}

fn checked(base: &str) -> Result<&str, InvalidBaseUrl> {
    let trimmed = base.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|e| InvalidBaseUrl {
        base: base.to_string(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(InvalidBaseUrl {
            base: base.to_string(),
            reason: "it must be an http or https URL with a host".into(),
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(InvalidBaseUrl {
            base: base.to_string(),
            reason: "it must not have a query or fragment".into(),
        });
    }
    Ok(trimmed)
}

/// True for `https://` URLs and for URLs whose host is loopback (`localhost`, 127.0.0.0/8, ::1).
pub(crate) fn is_secure_or_loopback(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    url.scheme() == "https" || is_loopback(&url)
}

/// True when the URL's host is this machine.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A base URL that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidBaseUrl {
    base: String,
    reason: String,
}

impl fmt::Display for InvalidBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base URL {:?}: {}", self.base, self.reason)
    }
}

impl std::error::Error for InvalidBaseUrl {}
