//! A stub HTTP server on 127.0.0.1: it answers from a queue of canned replies (or a function
//! of the request) and records every request it got.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, StatusCode, Uri};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer.
pub enum Reply {
    /// Status, headers, body.
    Full(u16, Vec<(&'static str, String)>, String),
    /// Announces `Content-Length` of the whole text, sends half of it, then drops the connection.
    CutOff(u16, String),
    /// Raw bytes as the body, with a JSON content type.
    Bytes(u16, Vec<u8>),
    /// Waits, then answers.
    Delayed(Duration, Box<Reply>),
    /// A response the test built whole (binary bodies, headers of its own).
    Raw(Response<Body>),
}

impl Reply {
    /// A JSON body with this status.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Full(
            status,
            vec![("content-type", "application/json".into())],
            body.to_string(),
        )
    }

    /// `text` with this status, typed JSON when it parses as JSON and plain text otherwise.
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        let text = text.into();
        let kind = if serde_json::from_str::<serde_json::Value>(&text).is_ok() {
            "application/json"
        } else {
            "text/plain"
        };
        Reply::Full(status, vec![("content-type", kind.into())], text)
    }
}

/// What the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The method.
    pub method: Method,
    /// The path with its query string, as sent.
    pub path: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Seen {
    /// The path without its query string.
    pub fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(&self.path, |(p, _)| p)
    }

    /// The query string's pairs, percent-decoded (`+` as a space; the last of a repeated name).
    pub fn query(&self) -> BTreeMap<String, String> {
        self.path
            .split_once('?')
            .map(|(_, q)| url_pairs(q).into_iter().collect())
            .unwrap_or_default()
    }
}

type Answerer = Box<dyn Fn(&Seen) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Script {
    answer: Arc<Answerer>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A running stub; it serves on the runtime it was started on until that runtime ends.
pub struct Stub {
    /// The address it listens on.
    pub addr: SocketAddr,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    /// Answer each request with the next of `replies` (then 418, "no more replies").
    pub async fn start(replies: Vec<Reply>) -> Stub {
        let queue: Arc<Mutex<VecDeque<Reply>>> = Arc::new(Mutex::new(replies.into()));
        let q = queue.clone();
        let mut stub = Stub::answering(move |_| {
            q.lock().unwrap().pop_front().unwrap_or(Reply::Full(
                StatusCode::IM_A_TEAPOT.as_u16(),
                Vec::new(),
                "the stub has no more replies".into(),
            ))
        })
        .await;
        stub.replies = queue;
        stub
    }

    /// Answer each request with what `answer` makes of it.
    pub async fn answering(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Stub {
        let script = Script {
            answer: Arc::new(Box::new(answer)),
            seen: Arc::default(),
        };
        let state = script.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let seen = Seen {
                        method,
                        path: uri
                            .path_and_query()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        headers,
                        body,
                    };
                    let mut reply = (state.answer)(&seen);
                    state.seen.lock().unwrap().push(seen);
                    while let Reply::Delayed(wait, next) = reply {
                        tokio::time::sleep(wait).await;
                        reply = *next;
                    }
                    respond(reply)
                }
            },
        );
        let (listener, _) = crate::loopback::bind().await;
        let addr = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Stub {
            addr,
            replies: Arc::default(),
            seen: script.seen,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queue another answer (for a stub made with [`Stub::start`]).
    pub fn push(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    /// Forget the requests seen so far.
    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }

    /// Every request so far, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn respond(reply: Reply) -> Response<Body> {
    match reply {
        Reply::Full(status, headers, body) => {
            let mut r = Response::builder().status(status);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.body(Body::from(body)).unwrap()
        }
        Reply::Bytes(status, body) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap(),
        Reply::Delayed(_, reply) => respond(*reply), // waited for by the handler
        Reply::Raw(response) => response,
        Reply::CutOff(status, body) => {
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
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_decode() {
        assert_eq!(
            url_pairs("a=1&b=x%20y+z&c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("c".into(), String::new())
            ]
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
