//! Shared by the `surface_*` tests: a loopback stub that records every request whole (method,
//! path, query, headers, body) and answers what the test's closure says.
#![allow(dead_code)]

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use deepnote::Client;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
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
            .retry_policy(deepnote::RetryPolicy::none())
            .build()
            .unwrap()
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
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    let answer = Arc::new(answer);
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (log, answer) = (log.clone(), answer.clone());
            async move {
                let query = uri
                    .query()
                    .map(|q| {
                        url_pairs(q)
                            .into_iter()
                            .collect::<BTreeMap<String, String>>()
                    })
                    .unwrap_or_default();
                let s = Seen {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                    query,
                    headers,
                    body,
                };
                let response = answer(&s);
                log.lock().unwrap().push(s);
                response
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Stub {
        base: format!("http://{addr}"),
        seen,
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

/// `a=1&b=x%20y` as pairs, percent-decoded (`+` as a space).
pub fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
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
