//! One error type for every call, with variants a caller can match on.

use crate::ids::RunId;
use crate::runs::Run;
use deepnote_api::{ApiError, ApiErrorExt, ApiKey, RunStatus};

use std::time::Duration;

/// An HTTP status, as [`Error::status`] gives it.
pub use reqwest::StatusCode;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call. Messages never hold the API key.
///
/// Match on the variants a program handles and let the rest travel:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// use deepnote::Error;
///
/// match client.projects().get("00000000-0000-4000-8000-00000000dead").await {
///     Ok(project) => println!("found {}", project.name),
///     // The status on the wire, whatever the variant.
///     Err(Error::NotFound { status, .. }) => assert_eq!(status.as_u16(), 404),
///     // The thing exists although its answer could not be read: do not create it again.
///     Err(Error::CreatedButUnreadable { what, .. }) => println!("{what} was created"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the key is missing, wrong or revoked.
    #[error("unauthorized (401): {message}{}", fmt_refused(.key_source))]
    Unauthorized {
        /// The server's message.
        message: String,
        /// Where the refused key came from, when the client knows (see [`crate::credentials::Credentials`]).
        key_source: Option<crate::credentials::KeySource>,
    },
    /// 403: the key's access level is too low for this call.
    #[error("forbidden (403): {message}{}", fmt_used(.key_source))]
    Forbidden {
        /// The server's message.
        message: String,
        /// Where the key came from, when the client knows (see [`crate::credentials::Credentials`]).
        key_source: Option<crate::credentials::KeySource>,
    },
    /// No such project, notebook or run (or nothing to return yet): a 404, or the live API's
    /// 400 `Notebook not found` for a run of a missing notebook. The message shows the status
    /// the server sent.
    #[error("not found ({}): {message}", .status.as_u16())]
    NotFound {
        /// The server's message.
        message: String,
        /// The status the server answered with (404, or 400 where the live API says so).
        status: StatusCode,
    },
    /// 429: too many requests, even after the client's own retries, or a wait for the rate
    /// limit that the call's deadline ([`crate::client::RetryPolicy::with_max_elapsed`]) could not
    /// afford. Nothing was done: the server refused the request (a refused create created
    /// nothing), or the client did not send it (`sent: false`).
    #[error("rate limited (429){}: {message}{}", fmt_retry_after(.retry_after), fmt_gave_up(.retry_after, .deadline_left, *.sent))]
    RateLimited {
        /// How long the server asked to wait (`Retry-After`, else `RateLimit-Reset`), or, for
        /// a request the client held back, how long until the rate limit frees a request.
        retry_after: Option<Duration>,
        /// The server's message.
        message: String,
        /// The time left of the call's deadline when the client stopped because the wait was
        /// longer; `None` when it stopped because its retries ran out.
        deadline_left: Option<Duration>,
        /// Whether the request reached the server; `false` when the client held it back (the
        /// window it knew of was spent): a create was not sent.
        sent: bool,
    },
    /// Any other error answer of the API.
    #[error("API error ({status}): {message}")]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The server's message.
        message: String,
    },
    /// The call was refused before anything was sent: an argument breaks the API's rules.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A run's input was refused before sending: the notebook defines no input of this name,
    /// or its block takes another kind of value.
    #[error("input {name:?} {problem}; the notebook's inputs are: {}", fmt_list(.valid))]
    InvalidInput {
        /// The input's name, as the request gave it.
        name: String,
        /// What is wrong with it.
        problem: String,
        /// The notebook's inputs, each as `name (block type)`.
        valid: Vec<String>,
    },
    /// No API key was found in any of the places [`crate::credentials::Credentials`] looks.
    #[error(
        "no API key: looked for one in {}; create a key in Deepnote under {}",
        .searched.join(", then "),
        crate::credentials::WHERE_KEYS_ARE_MADE
    )]
    NoApiKey {
        /// Every source looked at, in order.
        searched: Vec<String>,
    },
    /// The client could not be set up (no key, a bad base URL, plain http to another host).
    #[error("configuration: {0}")]
    Config(String),
    /// A wait reached its deadline before the run finished.
    #[error("run {run_id} did not finish within {waited:?} (last status: {last_status})")]
    Timeout {
        /// The run waited for.
        run_id: RunId,
        /// The last status seen.
        last_status: RunStatus,
        /// How long the wait lasted.
        waited: Duration,
    },
    /// A wait for a Streamlit app to run reached its deadline first. The app exists and may
    /// still start: wait again, or look at its project's machine.
    #[error(
        "app {app_id} was not running within {waited:?} (last status: {})",
        .last_status.as_ref().map_or_else(|| "none read".to_string(), ToString::to_string)
    )]
    AppTimeout {
        /// The app waited for.
        app_id: crate::ids::AppId,
        /// The last status read, if any read was answered.
        last_status: Option<deepnote_api::StreamlitAppStatus>,
        /// How long the wait lasted.
        waited: Duration,
    },
    /// The run finished, but not with success: `error`, `internal_error` or `stopped`. The
    /// message is the run's `error` when Deepnote gave one, else the first error output of its
    /// snapshot (`ename: evalue`), else says that Deepnote reported no reason.
    #[error("run {} ended with status {}{}", .run.id, .run.status, fmt_message(.message))]
    RunFailed {
        /// The finished run.
        run: Box<Run>,
        /// Why it failed (see above).
        message: Option<String>,
    },
    /// A create was answered with success, but the answer could not be read (its body was
    /// not what the API describes, lacked what the SDK needs such as an id, or was cut off on
    /// the way): what was asked for was most likely created. Every create of this crate says
    /// so this way: projects, notebooks, runs, blocks, schedules, sessions, file uploads and
    /// copies, imports, Streamlit apps. It is not retried, as a second create would make a second one: look
    /// for it (list the projects, the notebook's runs) before creating it again.
    #[error(
        "the {what} was created, but the answer was unreadable ({}): {reason}{}",
        .status.map_or_else(|| "status unknown".to_string(), |s| s.to_string()),
        fmt_body(.body)
    )]
    CreatedButUnreadable {
        /// What was created: `project`, `notebook`, `run`, `block`, `schedule`, `session`,
        /// `file`, `file copy`, `import` or `app`.
        what: &'static str,
        /// The answer's status, when known.
        status: Option<StatusCode>,
        /// Why the answer could not be read.
        reason: String,
        /// The start of the raw answer (at most 512 characters, the key scrubbed from it).
        body: String,
    },
    /// The run finished but no snapshot came with it, even after waiting a moment for one
    /// (Deepnote can attach it a moment after the run ends, and sends empty content until
    /// then).
    #[error("run {run_id} has no snapshot (status {status})")]
    NoSnapshot {
        /// The run.
        run_id: RunId,
        /// Its status at the last look.
        status: RunStatus,
    },
    /// A push refused before anything was overwritten: the project changed in Deepnote since
    /// the documents were pulled, and the push would overwrite the changes it names
    /// ([`crate::projects::ProjectsApi::push`]). Its [`Error::status`] is 409, as the server's
    /// lost-update refusal.
    #[error("{0}")]
    WouldOverwrite(Box<crate::projects::push::PushConflict>),
    /// The request did not get an answer: connection refused or reset, timeout, TLS.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A local file or folder could not be read or written; the message names the path.
    #[error("filesystem error: {0}")]
    Filesystem(String),
    /// The answer could not be understood (a body that breaks the spec, a repeated page token).
    #[error("cannot decode the answer: {0}")]
    Decode(String),
}

fn fmt_retry_after(after: &Option<Duration>) -> String {
    after.map_or_else(String::new, |d| format!(", retry after {d:?}"))
}

fn fmt_gave_up(asked: &Option<Duration>, left: &Option<Duration>, sent: bool) -> String {
    let deadline = match (asked, left) {
        (Some(a), Some(l)) => format!(
            "; waiting {} s is more than the {} s left of this call's deadline",
            a.as_millis().div_ceil(1000),
            l.as_secs()
        ),
        _ => String::new(),
    };
    let done = if sent {
        "the request was refused, nothing was done"
    } else {
        "the request was not sent, nothing was done"
    };
    format!("{deadline}; {done}")
}

fn fmt_refused(source: &Option<crate::credentials::KeySource>) -> String {
    source
        .as_ref()
        .map_or_else(String::new, |s| format!(" (the key from {s} was refused)"))
}

fn fmt_used(source: &Option<crate::credentials::KeySource>) -> String {
    source.as_ref().map_or_else(String::new, |s| {
        format!(" (the key from {s} lacks the access level)")
    })
}

fn fmt_body(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!("; the answer began {body:?}")
    }
}

/// The first characters of an answer, for an error that carries it; the key is scrubbed.
pub(crate) fn snippet(body: &[u8], key: &ApiKey) -> String {
    const SNIPPET_CHARS: usize = 512;
    let text: String = String::from_utf8_lossy(body)
        .chars()
        .take(SNIPPET_CHARS)
        .collect();
    redact(&text, key)
}

fn fmt_list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

fn fmt_message(message: &Option<String>) -> String {
    message
        .as_ref()
        .map_or_else(String::new, |m| format!(": {m}"))
}

impl Error {
    /// The HTTP status of the answer behind this error, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Unauthorized { .. } => Some(StatusCode::UNAUTHORIZED),
            Error::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
            Error::NotFound { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Api { status, .. } => Some(*status),
            Error::WouldOverwrite(_) => Some(StatusCode::CONFLICT),
            Error::CreatedButUnreadable { status, .. } => *status,
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// True when the same call may succeed if tried again later: rate limits, a failing or
    /// overloaded server (500, 502, 503, 504), and transport failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } => true,
            Error::Api { status, .. } => matches!(status.as_u16(), 500 | 502 | 503 | 504),
            Error::Transport(e) => !e.is_builder() && !e.is_redirect(),
            _ => false,
        }
    }

    /// The wait the server asked for, on a rate limit.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Build from an error of the low-level client, with server text cleaned of the key.
    pub(crate) fn from_api(error: ApiError, key: &ApiKey) -> Error {
        let status = error.http_status();
        let retry_after = error.retry_after();
        let gave_up = error.rate_limit();
        let message = redact(error.message().unwrap_or_default(), key);
        match error {
            ApiError::InvalidRequest(m) => Error::InvalidArgument(redact(&m, key)),
            ApiError::CommunicationError(e)
            | ApiError::InvalidUpgrade(e)
            | ApiError::ResponseBodyError(e) => Error::Transport(e.without_url_if_secret(key)),
            ApiError::InvalidResponsePayload(_, e) => Error::Decode(e.to_string()),
            ApiError::Custom(m) => Error::Decode(redact(&m, key)),
            ApiError::UnexpectedResponse(r) if r.status().is_success() => Error::Decode(format!(
                "the server answered {} where the spec names another success status",
                r.status()
            )),
            ApiError::ErrorResponse(_) | ApiError::UnexpectedResponse(_) => {
                let status = status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                match (from_status(status, message, retry_after), gave_up) {
                    (Error::RateLimited { message, .. }, Some(g)) => Error::RateLimited {
                        retry_after: g.asked.or(retry_after),
                        message,
                        deadline_left: g.deadline_left,
                        sent: g.sent,
                    },
                    (e, _) => e,
                }
            }
        }
    }
}

/// The variant for an error answer with this status.
pub(crate) fn from_status(
    status: StatusCode,
    message: String,
    retry_after: Option<Duration>,
) -> Error {
    let message = if message.is_empty() {
        status.to_string()
    } else {
        message
    };
    match status.as_u16() {
        401 => Error::Unauthorized {
            message,
            key_source: None,
        },
        403 => Error::Forbidden {
            message,
            key_source: None,
        },
        404 => Error::NotFound { message, status },
        429 => Error::RateLimited {
            retry_after,
            message,
            deadline_left: None,
            sent: true,
        },
        _ => Error::Api { status, message },
    }
}

/// A hostile or buggy server could echo the key back in a message; it must not reach logs.
pub(crate) fn redact(text: &str, key: &ApiKey) -> String {
    let secret = key.expose_secret();
    if !secret.is_empty() && text.contains(secret) {
        text.replace(secret, "***")
    } else {
        text.to_string()
    }
}

/// reqwest errors show the URL; ours never holds the key, but a URL is checked all the same.
trait WithoutSecret {
    fn without_url_if_secret(self, key: &ApiKey) -> Self;
}

impl WithoutSecret for reqwest::Error {
    fn without_url_if_secret(self, key: &ApiKey) -> Self {
        let leaks = self
            .url()
            .is_some_and(|u| u.as_str().contains(key.expose_secret()));
        if leaks { self.without_url() } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_variants() {
        let e = from_status(
            StatusCode::TOO_MANY_REQUESTS,
            "slow".into(),
            Some(Duration::from_secs(2)),
        );
        assert!(matches!(e, Error::RateLimited { .. }));
        assert!(e.is_retryable());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert_eq!(e.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert!(e.to_string().contains("retry after 2s"), "{e}");
        let e = from_status(StatusCode::NOT_FOUND, String::new(), None);
        assert!(matches!(&e, Error::NotFound { message, .. } if message == "404 Not Found"));
        assert_eq!(e.to_string(), "not found (404): 404 Not Found");
        assert!(!e.is_retryable());
        let e = from_status(StatusCode::CONFLICT, "suspended".into(), None);
        assert!(matches!(e, Error::Api { status, .. } if status == StatusCode::CONFLICT));
        assert!(from_status(StatusCode::SERVICE_UNAVAILABLE, "x".into(), None).is_retryable());
        assert!(!from_status(StatusCode::BAD_REQUEST, "x".into(), None).is_retryable());
    }

    #[test]
    fn the_key_is_redacted_from_messages() {
        let key = ApiKey::new("sekret-key-123").unwrap();
        assert_eq!(redact("bad key sekret-key-123!", &key), "bad key ***!");
        assert_eq!(redact("nothing here", &key), "nothing here");
    }
}
