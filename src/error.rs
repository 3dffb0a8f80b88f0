//! Every operation returns the same error type, [`ApiError`]; this module reads it.
//!
//! The merged references give every operation the live API's `ErrorResponse` body for any 4xx
//! or 5xx (crates/deepnote-spec, `rules`), and the hooks give any other error body that shape
//! (a proxy's HTML page, the v1 import's `{"error": ...}`), so an error answer always arrives as
//! `Error::ErrorResponse` with its status, headers and message.

use crate::generated::types;
use std::time::Duration;

/// The error of every operation of the generated client.
pub type ApiError = progenitor_client::Error<types::ErrorResponse>;

/// What a caller wants to know of an [`ApiError`], whichever way it came about.
pub trait ApiErrorExt {
    /// The HTTP status of the answer, when there was one.
    fn http_status(&self) -> Option<reqwest::StatusCode>;
    /// The `message` of the answer's error body, when it had one.
    fn message(&self) -> Option<&str>;
    /// The wait a 429 (or 503) asked for in `Retry-After`.
    fn retry_after(&self) -> Option<Duration>;
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
        match self {
            progenitor_client::Error::ErrorResponse(rv) => crate::retry::retry_after(rv.headers()),
            progenitor_client::Error::UnexpectedResponse(r) => {
                crate::retry::retry_after(r.headers())
            }
            _ => None,
        }
    }
}
