//! Shared by the `surface_*` tests: a loopback stub that records every request whole (method,
//! path, query, headers, body) and answers what the test's closure says.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use deepnote::Client;
use deepnote_test_support::Reply;
use std::collections::BTreeMap;

/// One request as the stub saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// What the stub answers: a status and a body (JSON when it parses as JSON).
pub type Answer = (u16, String);

pub struct Stub {
    pub base: String,
    inner: deepnote_test_support::Stub,
}

impl Stub {
    pub fn requests(&self) -> Vec<Seen> {
        self.inner.seen().iter().map(Seen::from).collect()
    }

    pub fn only(&self) -> Seen {
        let seen = self.requests();
        assert_eq!(seen.len(), 1, "{seen:#?}");
        seen.into_iter().next().unwrap()
    }

    pub fn client(&self) -> Client {
        Client::builder()
            .api_key("surface-key-0123456789")
            .base_url(&self.base)
            .retry_policy(deepnote::client::RetryPolicy::none())
            .build()
            .unwrap()
    }
}

impl From<&deepnote_test_support::Seen> for Seen {
    fn from(s: &deepnote_test_support::Seen) -> Seen {
        Seen {
            method: s.method.to_string(),
            path: s.path_only().to_string(),
            query: s.query(),
            headers: s.headers.clone(),
            body: s.body.clone(),
        }
    }
}

/// Serve a stub that answers every request with `answer(&seen)`.
pub async fn stub<F>(answer: F) -> Stub
where
    F: Fn(&Seen) -> Answer + Send + Sync + 'static,
{
    stub_raw(move |s| {
        let (status, text) = answer(s);
        respond(status, text)
    })
    .await
}

/// Serve a stub whose answers the closure builds whole (binary bodies, headers).
pub async fn stub_raw<F>(answer: F) -> Stub
where
    F: Fn(&Seen) -> Response + Send + Sync + 'static,
{
    let inner =
        deepnote_test_support::Stub::answering(move |s| Reply::Raw(answer(&Seen::from(s)))).await;
    Stub {
        base: inner.url(),
        inner,
    }
}

pub fn respond(status: u16, text: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap();
    let kind = if serde_json::from_str::<serde_json::Value>(&text).is_ok() {
        "application/json"
    } else {
        "text/plain"
    };
    (status, [("content-type", kind)], text).into_response()
}

pub fn q(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub const PROJECT: &str = "0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f";
pub const OTHER_PROJECT: &str = "11111111-2222-4333-8444-555555555555";
pub const UUID: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
