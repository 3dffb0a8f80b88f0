#![allow(dead_code)] // each test binary uses a different part of the stub
//! A scripted HTTP server on 127.0.0.1 for the client's tests: it answers from a queue of
//! canned responses and records every request it got.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One canned answer.
pub enum Reply {
    /// Status, headers, body.
    Full(u16, Vec<(&'static str, String)>, String),
    /// Announces `Content-Length` of the whole text, sends half of it, then drops the connection.
    CutOff(u16, String),
    /// Raw bytes as the body, with a JSON content type.
    Bytes(u16, Vec<u8>),
    /// Waits, then answers.
    Delayed(std::time::Duration, Box<Reply>),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full(
            status,
            vec![("content-type", "application/json".into())],
            body.to_string(),
        )
    }
}

/// What the server received.
#[derive(Clone, Debug)]

pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone, Default)]
struct Script {
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub struct Stub {
    pub addr: SocketAddr,
    script: Script,
}

impl Stub {
    pub async fn start(replies: Vec<Reply>) -> Stub {
        let script = Script {
            replies: Arc::new(Mutex::new(replies.into())),
            ..Script::default()
        };
        let state = script.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    state.seen.lock().unwrap().push(Seen {
                        method,
                        path: uri
                            .path_and_query()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        headers,
                        body,
                    });
                    let reply = state.replies.lock().unwrap().pop_front();
                    if let Some(Reply::Delayed(wait, reply)) = reply {
                        tokio::time::sleep(wait).await;
                        return answer(Some(*reply));
                    }
                    answer(reply)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { addr, script }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queue another answer.
    pub fn push(&self, reply: Reply) {
        self.script.replies.lock().unwrap().push_back(reply);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.seen.lock().unwrap().clone()
    }
}

fn answer(reply: Option<Reply>) -> Response<Body> {
    match reply {
        None => Response::builder()
            .status(StatusCode::IM_A_TEAPOT)
            .body(Body::from("the stub has no more replies"))
            .unwrap(),
        Some(Reply::Full(status, headers, body)) => {
            let mut r = Response::builder().status(status);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.body(Body::from(body)).unwrap()
        }
        Some(Reply::Bytes(status, body)) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
        Some(Reply::Delayed(_, reply)) => answer(Some(*reply)), // waited for by the handler
        Some(Reply::CutOff(status, body)) => {
            let len = body.len();
            let half = Bytes::from(body[..len / 2].to_string());
            let stream = futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(half),
                Err(std::io::Error::other("cut off")),
            ]);
            Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .header("content-length", len)
                .body(Body::from_stream(stream))
                .unwrap()
        }
    }
}
