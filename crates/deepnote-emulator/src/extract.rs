//! Request extractors whose every rejection is a typed `Error` answer, never axum's plain text.

use crate::auth::KeySpec;
use crate::error::Refusal;
use crate::shared::Shared;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::{header, request::Parts};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

/// The largest request body accepted; larger ones are answered 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The key that authenticated the request (401 if none did).
pub struct Caller(pub Arc<KeySpec>);

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<Shared>) -> Result<Self, Refusal> {
        if let Some(grant) = crate::viewer::grant_of(&parts.extensions) {
            // An app viewer token the gate (`crate::viewer`) let through.
            return Ok(Caller(grant.key.clone()));
        }
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        state
            .keys
            .read()
            .expect("keys lock")
            .authenticate(header)
            .map(Caller)
    }
}

/// The preamble of every API handler: the shared state and the key that authenticated the
/// request (401 if none did), refused with 403 unless its access level allows `A`'s operation.
/// Taken before the path and body, so a caller who may not act learns nothing of them.
pub struct Authorized<A>(pub Arc<Shared>, pub Arc<KeySpec>, pub A);

/// The operations an [`Authorized`] extractor checks, as types.
pub mod access {
    use crate::auth::Op;

    /// An operation [`Authorized`](super::Authorized) can check.
    pub trait Access: Default {
        /// The operation.
        const OP: Op;
    }

    macro_rules! access {
        ($($name:ident),*) => {$(
            #[doc = concat!("[`Op::", stringify!($name), "`].")]
            #[derive(Debug, Default, Clone, Copy)]
            pub struct $name;
            impl Access for $name {
                const OP: Op = Op::$name;
            }
        )*};
    }
    access!(GetMe, Read, Create, Update, Delete, Run);
}

impl<A: access::Access> FromRequestParts<Arc<Shared>> for Authorized<A> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<Shared>) -> Result<Self, Refusal> {
        let Caller(key) = Caller::from_request_parts(parts, state).await?;
        // A viewer token's scope is not an access level: the gate already held it to it.
        if crate::viewer::grant_of(&parts.extensions).is_none() {
            crate::auth::authorize(&key, A::OP)?;
        }
        Ok(Authorized(state.clone(), key, A::default()))
    }
}

/// The query string as a map (the last value of a repeated name wins).
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refusal> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| QueryMap(v.into_iter().collect()))
            .map_err(|e| Refusal::bad(format!("malformed query string: {}", e.body_text())))
    }
}

/// A path parameter, refusing undecodable ones with 400.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Refusal> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| PathParams(t))
            .map_err(|e| Refusal::bad(format!("malformed path: {}", e.body_text())))
    }
}

/// The raw body, at most [`BODY_LIMIT`] bytes (413 past it), parsed only once the caller is
/// authorized, so a refused request never reports on its body.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Refusal;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Refusal> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > BODY_LIMIT) {
            return Err(Refusal::PayloadTooLarge(BODY_LIMIT));
        }
        axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map(RawBody)
            .map_err(|_| Refusal::PayloadTooLarge(BODY_LIMIT))
    }
}

impl RawBody {
    /// Parse the body as a JSON object into `T`; 400 with the reason otherwise.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        if self.0.iter().all(u8::is_ascii_whitespace) {
            return Err(Refusal::bad("a JSON request body is required"));
        }
        let value: serde_json::Value = serde_json::from_slice(&self.0)
            .map_err(|e| Refusal::bad(format!("malformed JSON body: {e}")))?;
        if !value.is_object() {
            return Err(Refusal::bad("the request body must be a JSON object"));
        }
        serde_json::from_value(value).map_err(|e| Refusal::bad(format!("invalid body: {e}")))
    }

    /// [`RawBody::json`] for an API request: no field of the API's request bodies is nullable
    /// in either reference, so an explicit `null` is refused rather than read as "absent".
    pub fn api_json<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        let value: serde_json::Value = self.json()?;
        if let Some((k, _)) = value
            .as_object()
            .and_then(|m| m.iter().find(|(_, v)| v.is_null()))
        {
            return Err(Refusal::bad(format!(
                "invalid body: invalid type: null, `{}` must not be null",
                truncate(k)
            )));
        }
        serde_json::from_value(value).map_err(|e| Refusal::bad(format!("invalid body: {e}")))
    }
}

/// 400 unless `id` is a UUID; `what` names the parameter in the message.
pub fn check_uuid(what: &str, id: &str) -> Result<(), Refusal> {
    uuid::Uuid::try_parse(id)
        .map(|_| ())
        .map_err(|_| Refusal::bad(format!("{what} must be a UUID, got `{}`", truncate(id))))
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}
