//! The API key: a type whose Debug never shows it, so it cannot leak through logs or errors.

use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::Arc;

/// A Deepnote workspace API key. `Debug` prints `ApiKey(***)`; there is no `Display`.
#[derive(Clone)]
pub struct ApiKey {
    // The whole header value, built once and marked sensitive (hyper and reqwest redact it too).
    header: HeaderValue,
    secret: Arc<str>,
}

impl ApiKey {
    /// Wrap a key. Surrounding whitespace (a trailing newline from a file) is dropped; an empty
    /// key, or one with characters an HTTP header cannot carry, is refused.
    pub fn new(key: impl AsRef<str>) -> Result<Self, InvalidApiKey> {
        let key = key.as_ref().trim();
        if key.is_empty() {
            return Err(InvalidApiKey::Empty);
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidApiKey::BadCharacters);
        }
        let mut header = HeaderValue::try_from(format!("Bearer {key}"))
            .map_err(|_| InvalidApiKey::BadCharacters)?;
        header.set_sensitive(true);
        Ok(ApiKey {
            header,
            secret: Arc::from(key),
        })
    }

    /// The `Authorization` header value (`Bearer <key>`), marked sensitive.
    pub fn bearer_header(&self) -> HeaderValue {
        self.header.clone()
    }

    /// The key itself, for code that must store or compare it. Never log what this returns.
    pub fn expose_secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl PartialEq for ApiKey {
    fn eq(&self, other: &Self) -> bool {
        // Constant time in the key's content: no early exit on the first differing byte.
        let (a, b) = (self.secret.as_bytes(), other.secret.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for ApiKey {}

/// Why a string was refused as an API key. It never holds the key itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidApiKey {
    /// The key was empty or only whitespace.
    Empty,
    /// The key held a character that is not visible ASCII.
    BadCharacters,
}

impl fmt::Display for InvalidApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidApiKey::Empty => f.write_str("the API key is empty"),
            InvalidApiKey::BadCharacters => {
                f.write_str("the API key has characters other than visible ASCII")
            }
        }
    }
}

impl std::error::Error for InvalidApiKey {}
