//! progenitor's `ClientHooks` for the generated client: every request passes through `exec`,
//! which adds the bearer header, drops the `api-version` header progenitor adds, sends the
//! legacy execute call to the v1 base, retries per the policy, buffers the body (so a body cut
//! off mid-way is retried like any transport failure on GET) except a streamed file's, gives
//! every error body the `ErrorResponse` shape, evens out the envelope of answers the two
//! references wrap differently, and records one tracing span per operation.

use crate::error::RateLimited;
use crate::generated::Client;
use crate::pace::Pacer;
use crate::retry::{self, Verdict};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, Request, Response, ResponseBuilderExt, StatusCode};
use std::time::Instant;
use tracing::Instrument;

/// The operation id (as progenitor names it) of the one call that lives under `/v1`.
pub(crate) const EXECUTE_V1: &str = "execute_notebook_v1";

/// Longest error text kept from a non-JSON error body.
const MAX_ERROR_TEXT: usize = 512;

impl ClientHooks<crate::ClientState> for Client {
    async fn exec(&self, mut request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        let state = self.inner();
        request.headers_mut().remove("api-version");
        request
            .headers_mut()
            .insert(AUTHORIZATION, state.api_key.bearer_header());
        if info.operation_id == EXECUTE_V1 {
            to_v1_base(&mut request, state);
        }
        let span = tracing::info_span!(
            "deepnote.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let operation = crate::Operation::by_method(info.operation_id);
        send(
            self.client(),
            request,
            &state.retry,
            Some(&state.pacer),
            operation,
        )
        .instrument(span)
        .await
    }
}

/// Swap the v2 base at the front of the URL for the v1 base.
fn to_v1_base(request: &mut Request, state: &crate::ClientState) {
    let url = request.url().as_str();
    if let Some(rest) = url.strip_prefix(state.bases.v2())
        && let Ok(moved) = reqwest::Url::parse(&format!("{}{rest}", state.bases.v1()))
    {
        *request.url_mut() = moved;
    }
}

impl Client {
    /// Send a request the spec does not describe (a snapshot or file URL an answer handed
    /// out, an operation newer than this crate) with the care every operation gets: retried
    /// per this client's policy or the [`crate::with_retry_policy`] in force, the body read
    /// whole, and an error answer as [`ApiError::ErrorResponse`](crate::ApiError) with the
    /// `ErrorResponse` shape, its status and `Retry-After` kept. The request goes as it is:
    /// no bearer header is added (its URL may be another origin's) and no base is applied. A
    /// request to one of this client's bases takes its turn from the client's rate-limit pace;
    /// one elsewhere (a download URL) does not, as another origin's limit is not Deepnote's.
    pub async fn send_request(&self, request: Request) -> Result<Response, crate::ApiError> {
        let state = self.inner();
        let url = request.url().as_str();
        let ours = url.starts_with(state.bases.v2()) || url.starts_with(state.bases.v1());
        let pacer = ours.then_some(&*state.pacer);
        let response = send(self.client(), request, &state.retry, pacer, None)
            .await
            .map_err(progenitor_client::Error::CommunicationError)?;
        let status = response.status();
        if status.is_success() {
            Ok(response)
        } else if status.is_client_error() || status.is_server_error() {
            Err(progenitor_client::Error::ErrorResponse(
                progenitor_client::ResponseValue::from_response(response).await?,
            ))
        } else {
            Err(progenitor_client::Error::UnexpectedResponse(response))
        }
    }
}

/// Send one request under `policy` (or the [`crate::with_retry_policy`] in force): each
/// attempt takes its turn from `pacer` (the client's pace, for requests to the API), retried
/// where that is safe, the whole body read, a non-JSON error body given the `Error` shape. For
/// one operation of the table, its answer's envelope is evened out and a binary body is
/// streamed rather than read whole. A 429 that is not retried carries the
/// [`GAVE_UP`](crate::error::GAVE_UP) header saying why; a request the pace holds back past
/// the deadline is never sent, and is answered with such a 429 made here.
async fn send(
    client: &reqwest::Client,
    request: Request,
    policy: &retry::RetryPolicy,
    pacer: Option<&Pacer>,
    operation: Option<&'static crate::Operation>,
) -> reqwest::Result<Response> {
    let span = tracing::Span::current();
    let started = Instant::now();
    let idempotent = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::DELETE
    );
    let policy = retry::in_force(policy);
    let mut request = request;
    let mut attempt = 1u32;
    let finish = |attempt: u32, outcome: reqwest::Result<Response>| {
        span.record("attempts", attempt);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!(status = response.status().as_u16(), "answered");
            }
            Err(error) => tracing::debug!(error = %error, "failed"),
        }
        outcome
    };
    loop {
        if let Some(pacer) = pacer {
            let left = policy.max_elapsed().saturating_sub(started.elapsed());
            match pacer.slot(left) {
                Ok(wait) if !wait.is_zero() => policy.backoff().sleep(wait).await,
                Ok(_) => {}
                Err(wait) => {
                    let held = RateLimited {
                        asked: Some(wait),
                        deadline_left: Some(left),
                        // A retry held back: its first attempt did reach the server.
                        sent: attempt > 1,
                    };
                    return finish(attempt, Ok(held.answer()));
                }
            }
        }
        // A body that cannot be cloned (a stream) cannot be sent twice.
        let spare = if attempt < policy.max_attempts() {
            request.try_clone()
        } else {
            None
        };
        let sent = tokio::time::Instant::now();
        let outcome = send_once(client, request, operation).await;
        let rate_limited = matches!(&outcome, Ok(r) if r.status() == StatusCode::TOO_MANY_REQUESTS);
        let verdict = match &outcome {
            Ok(response) => retry::judge_status(response.status(), response.headers(), idempotent),
            Err(error) => retry::judge_transport(error, idempotent),
        };
        let wait = match verdict {
            // A 429 that says no wait still speaks of a window, seconds long.
            Verdict::Retry(None) if rate_limited => {
                let unsaid = retry::unsaid_rate_limit_wait(attempt);
                Some((policy.delay(attempt, Some(unsaid)), None))
            }
            Verdict::Retry(asked) => Some((policy.delay(attempt, asked), asked)),
            Verdict::Done => None,
        };
        if let (Some(pacer), Ok(response)) = (pacer, &outcome) {
            match wait {
                // Every request of the client waits this one out: the server said so.
                Some((wait, _)) if rate_limited => pacer.refused(wait, response.headers()),
                _ if rate_limited => {}
                _ => pacer.answered(sent, response.headers()),
            }
        }
        let left = policy.max_elapsed().saturating_sub(started.elapsed());
        let next = match (wait, spare) {
            (Some((wait, _)), Some(next)) if wait <= left => Some((wait, next)),
            _ => None,
        };
        let Some((wait, next)) = next else {
            let outcome = match outcome {
                Ok(response) if rate_limited => {
                    let gave_up = RateLimited {
                        asked: wait.and_then(|(_, asked)| asked),
                        // Not affordable, or the attempts (or a body sendable once) ran out.
                        deadline_left: wait.filter(|(w, _)| *w > left).map(|_| left),
                        sent: true,
                    };
                    Ok(gave_up.mark(response))
                }
                other => other,
            };
            return finish(attempt, outcome);
        };
        match &outcome {
            Ok(response) => tracing::debug!(
                attempt,
                status = response.status().as_u16(),
                wait_ms = wait.as_millis() as u64,
                "retrying"
            ),
            Err(error) => {
                tracing::debug!(attempt, error = %error, wait_ms = wait.as_millis() as u64, "retrying")
            }
        }
        // A paced 429's wait is the pace's: the next turn comes after it, for every request.
        let paced_wait = rate_limited && pacer.is_some();
        if !paced_wait && !wait.is_zero() {
            policy.backoff().sleep(wait).await;
        }
        request = next;
        attempt += 1;
    }
}

/// Send, then read the whole body, so that a body cut off mid-way is a transport error of this
/// attempt (and retried where that is safe) rather than a failure after the retry loop. A
/// streamed operation's success body is handed over unread: it may be a file of any size.
async fn send_once(
    client: &reqwest::Client,
    request: Request,
    operation: Option<&'static crate::Operation>,
) -> reqwest::Result<Response> {
    let mut response = client.execute(request).await?;
    let status = response.status();
    crate::answer_status::record(status);
    if status.is_success() && operation.is_some_and(|o| o.streamed) {
        return Ok(response);
    }
    let version = response.version();
    let url = response.url().clone();
    // Taken, not cloned: this runs on every request, and `bytes()` needs no headers.
    let mut headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await?;
    let body = if status.is_client_error() || status.is_server_error() {
        as_error_body(status, &mut headers, body)
    } else if let Some(envelope) = operation.and_then(|o| o.envelope) {
        crate::envelope::even_out(envelope, body, &mut headers)
    } else {
        body
    };
    // Carrying the URL over also spares reqwest parsing a placeholder URL for every answer.
    let mut rebuilt = match http::Response::builder().url(url).body(()) {
        Ok(empty) => empty.map(|()| body),
        Err(_) => http::Response::new(body),
    };
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(Response::from(rebuilt))
}

/// Error answers keep their status and headers (`Retry-After` among them); the body becomes
/// the error type's `{"message": ...}`: kept when it is one, taken from `error` where the body
/// says it there (the v1 import answers `{"error": ...}`), else made of the body's text or the
/// status (an HTML page from a proxy, plain text, nothing).
fn as_error_body(
    status: reqwest::StatusCode,
    headers: &mut reqwest::header::HeaderMap,
    body: bytes::Bytes,
) -> bytes::Bytes {
    let parsed = serde_json::from_slice::<serde_json::Value>(&body).ok();
    if let Some(serde_json::Value::Object(o)) = &parsed {
        if o.get("message").is_some_and(|m| m.is_string()) {
            return body;
        }
        let said = match o.get("error") {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Object(e)) => e
                .get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string),
            _ => None,
        };
        if let Some(text) = said {
            let mut o = o.clone();
            o.insert(
                "message".into(),
                serde_json::Value::String(cut(&text).into()),
            );
            return as_json(headers, serde_json::Value::Object(o));
        }
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    let message = if text.is_empty() || text.starts_with('<') {
        // Markup says nothing a person should read in an error message.
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {}", cut(text))
    };
    as_json(headers, serde_json::json!({ "message": message }))
}

/// At most [`MAX_ERROR_TEXT`] bytes of `text`, cut on a character boundary.
fn cut(text: &str) -> &str {
    let mut end = text.len().min(MAX_ERROR_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn as_json(headers: &mut reqwest::header::HeaderMap, body: serde_json::Value) -> bytes::Bytes {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.remove(reqwest::header::CONTENT_LENGTH);
    bytes::Bytes::from(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_get_the_error_shape() {
        let mut h = reqwest::header::HeaderMap::new();
        let s = reqwest::StatusCode::BAD_GATEWAY;
        let ok = bytes::Bytes::from_static(br#"{"message":"boom"}"#);
        assert_eq!(as_error_body(s, &mut h, ok.clone()), ok);
        let html = as_error_body(s, &mut h, bytes::Bytes::from_static(b"<html>bad</html>"));
        assert_eq!(&html[..], br#"{"message":"HTTP 502 Bad Gateway"}"#);
        let text = as_error_body(s, &mut h, bytes::Bytes::from_static(b"upstream down\n"));
        assert_eq!(
            &text[..],
            br#"{"message":"HTTP 502 Bad Gateway: upstream down"}"#
        );
        let cut = as_error_body(s, &mut h, bytes::Bytes::from_static(b"{\"message\":\"bo"));
        assert!(String::from_utf8_lossy(&cut).contains("HTTP 502"));
        let long = "é".repeat(1000);
        let long = as_error_body(s, &mut h, bytes::Bytes::from(long));
        assert!(long.len() < MAX_ERROR_TEXT + 64);
    }
}
