//! Error answers: every refusal carries the spec's `Error` body, `{"message": ...}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A refusal of a request, turned into a status and an `Error` body.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    /// 400: the request breaks the API's rules.
    #[error("{0}")]
    BadRequest(String),
    /// 401: missing or unknown API key.
    #[error("missing or invalid API key")]
    Unauthorized,
    /// 401 with a reason: the legacy v1 execute answers every refusal so (its documentation
    /// names no other status).
    #[error("{0}")]
    Denied(String),
    /// 403: the key's access level is too low.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such resource visible to this key.
    #[error("{0}")]
    NotFound(String),
    /// 409: the project is suspended.
    #[error("{0}")]
    Conflict(String),
    /// 422: the request is well-formed but its content breaks the API's rules (an import
    /// archive that is not one).
    #[error("{0}")]
    Unprocessable(String),
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 413: the body is larger than the documented limit.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 429: a rate limit fault; the client may retry after this many seconds.
    #[error("rate limit exceeded, retry after {0} s")]
    TooManyRequests(u64),
    /// 5xx: an injected fault or a failure to persist.
    #[error("{1}")]
    Server(u16, String),
}

impl Refusal {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::BadRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::Unauthorized | Refusal::Denied(_) => StatusCode::UNAUTHORIZED,
            Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
            Refusal::NotFound(_) => StatusCode::NOT_FOUND,
            Refusal::Conflict(_) => StatusCode::CONFLICT,
            Refusal::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Server(code, _) => {
                StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// A 400 with this message.
    pub fn bad(msg: impl Into<String>) -> Self {
        Refusal::BadRequest(msg.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "message": self.to_string() });
        let mut resp = (self.status(), axum::Json(body)).into_response();
        if let Refusal::TooManyRequests(secs) = self {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if matches!(self, Refusal::Unauthorized | Refusal::Denied(_)) {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}
