//! Every operation returns the same error type, [`ApiError`]; this module reads it.
//!
//! The merged references give every operation the live API's `ErrorResponse` body for any 4xx
//! or 5xx (crates/deepnote-spec, `rules`), and the hooks give any other error body that shape
//! (a proxy's HTML page, the v1 import's `{"error": ...}`), so an error answer always arrives as
//! `Error::ErrorResponse` with its status, headers and message.

use crate::generated::types;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use std::fmt;
use std::time::Duration;

/// The error of every operation of the generated client.
pub type ApiError = progenitor_client::Error<types::ErrorResponse>;

/// What a caller wants to know of an [`ApiError`], whichever way it came about.
pub trait ApiErrorExt {
    /// The HTTP status of the answer, when there was one.
    fn http_status(&self) -> Option<reqwest::StatusCode>;
    /// The `message` of the answer's error body, when it had one.
    fn message(&self) -> Option<&str>;
    /// The wait a 429 (or 503) asked for: `Retry-After`, else on a 429 `RateLimit-Reset`.
    fn retry_after(&self) -> Option<Duration>;
    /// For a 429: how long the server asked to wait, why the client stopped waiting, and
    /// whether the request was sent at all. Nothing was done in either case.
    fn rate_limit(&self) -> Option<RateLimited>;
}

impl ApiErrorExt for ApiError {
    fn http_status(&self) -> Option<reqwest::StatusCode> {
        self.status()
    }

    fn message(&self) -> Option<&str> {
        match self {
            progenitor_client::Error::ErrorResponse(rv) => Some(rv.message.as_str()),
            _ => None,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        let (status, headers) = status_and_headers(self)?;
        if status == StatusCode::TOO_MANY_REQUESTS {
            crate::retry::rate_limit_wait(headers)
        } else {
            crate::retry::retry_after(headers)
        }
    }

    fn rate_limit(&self) -> Option<RateLimited> {
        let (status, headers) = status_and_headers(self)?;
        (status == StatusCode::TOO_MANY_REQUESTS).then(|| RateLimited::of(headers))
    }
}

fn status_and_headers(error: &ApiError) -> Option<(StatusCode, &HeaderMap)> {
    match error {
        progenitor_client::Error::ErrorResponse(rv) => Some((rv.status(), rv.headers())),
        progenitor_client::Error::UnexpectedResponse(r) => Some((r.status(), r.headers())),
        _ => None,
    }
}

/// The header the client adds to a 429 it gives up on, for [`ApiErrorExt::rate_limit`]:
/// `asked-ms=N; left-ms=N; sent=0|1` (the numbers only when known). The server never sends it.
pub(crate) const GAVE_UP: &str = "x-deepnote-client-gave-up";

/// A request the rate limit refused and the client gave up on. Nothing was done: either the
/// server refused it (a 429 means the request did not happen, so even a create created
/// nothing), or the client never sent it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimited {
    /// How long the server asked to wait (`Retry-After`, else `RateLimit-Reset`), or, for a
    /// request the client held back, how long until the rate limit's next free slot.
    pub asked: Option<Duration>,
    /// The time that was left of the call's deadline ([`crate::RetryPolicy::max_elapsed`])
    /// when the client stopped, because the wait was longer; `None` when it stopped because
    /// its attempts ran out.
    pub deadline_left: Option<Duration>,
    /// Whether the request reached the server (and was refused there). `false`: the client
    /// held it back, as the window it knew of was spent; the request was not sent.
    pub sent: bool,
}

impl RateLimited {
    /// Read from a 429's headers: the client's own note when it gave up, else the server's.
    fn of(headers: &HeaderMap) -> RateLimited {
        let mut r = RateLimited {
            asked: crate::retry::rate_limit_wait(headers),
            deadline_left: None,
            sent: true,
        };
        let note = headers.get(GAVE_UP).and_then(|v| v.to_str().ok());
        for field in note.unwrap_or_default().split(';') {
            let Some((name, value)) = field.trim().split_once('=') else {
                continue;
            };
            let ms = value.parse().ok().map(Duration::from_millis);
            match name {
                "asked-ms" => r.asked = ms.or(r.asked),
                "left-ms" => r.deadline_left = ms,
                "sent" => r.sent = value != "0",
                _ => {}
            }
        }
        r
    }

    fn note(&self) -> String {
        let mut fields = Vec::new();
        if let Some(a) = self.asked {
            fields.push(format!("asked-ms={}", a.as_millis()));
        }
        if let Some(l) = self.deadline_left {
            fields.push(format!("left-ms={}", l.as_millis()));
        }
        fields.push(format!("sent={}", u8::from(self.sent)));
        fields.join("; ")
    }

    /// The server's 429, with this note on it.
    pub(crate) fn mark(&self, mut response: reqwest::Response) -> reqwest::Response {
        if let Ok(v) = HeaderValue::from_str(&self.note()) {
            response.headers_mut().insert(GAVE_UP, v);
        }
        response
    }

    /// A 429 made by the client for a request it did not send, in the shape of the server's;
    /// its message is short, as [`ApiErrorExt::rate_limit`] holds the rest.
    pub(crate) fn answer(&self) -> reqwest::Response {
        let message = "held back by the client: the rate limit's window is spent";
        let body = serde_json::json!({ "message": message }).to_string();
        let mut answer = http::Response::new(bytes::Bytes::from(body));
        *answer.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        let headers = answer.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(a) = self.asked {
            headers.insert(
                RETRY_AFTER,
                HeaderValue::from(a.as_millis().div_ceil(1000) as u64),
            );
        }
        if let Ok(v) = HeaderValue::from_str(&self.note()) {
            headers.insert(GAVE_UP, v);
        }
        reqwest::Response::from(answer)
    }
}

impl fmt::Display for RateLimited {
    /// Says how long the server asked for, why the client did not wait, and that nothing was
    /// done, in words a person reads in an error message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = |d: Duration| d.as_millis().div_ceil(1000);
        match (self.sent, self.asked) {
            (false, Some(a)) => write!(
                f,
                "rate limited by Deepnote: its window frees a request in {} s",
                secs(a)
            )?,
            (false, None) => f.write_str("rate limited by Deepnote")?,
            (true, Some(a)) => write!(
                f,
                "rate limited by Deepnote, which asked to wait {} s",
                secs(a)
            )?,
            (true, None) => f.write_str("rate limited by Deepnote")?,
        }
        match self.deadline_left {
            Some(left) => write!(
                f,
                ", more than the {} s left of this call's deadline",
                left.as_secs()
            )?,
            None if self.sent => f.write_str(", and the retries ran out")?,
            None => {}
        }
        if self.sent {
            f.write_str("; the request was refused, nothing was done")
        } else {
            f.write_str("; the request was not sent, nothing was done")
        }
    }
}
