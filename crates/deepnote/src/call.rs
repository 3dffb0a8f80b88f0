//! The one path every request of this crate takes. The generated call goes through the
//! low-level client (which paces, retries and reads the whole body); its error becomes an
//! [`Error`] carrying where the refused key came from; and for a create, an answer that says
//! success but cannot be read becomes [`Error::CreatedButUnreadable`] with the status on the
//! wire, never a plain failure, since the thing now exists.

use crate::client::Client;
use crate::error::{Error, Result};
use deepnote_api::{ApiError, ResponseValue};
use reqwest::StatusCode;

impl Client {
    /// Send a call and give its answer's body.
    pub(crate) async fn send<T>(
        &self,
        call: impl Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
    ) -> Result<T> {
        Ok(self.answer(call).await?.into_inner())
    }

    /// Send a call and give its whole answer (status and headers with the body).
    pub(crate) async fn answer<T>(
        &self,
        call: impl Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
    ) -> Result<ResponseValue<T>> {
        call.await.map_err(|e| self.api_error(e))
    }

    /// Send a create, once, and `read` what it made out of the answer's body (`None` when the
    /// body was empty). A success answer that cannot be read, that `read` refuses, or that is
    /// cut off on the way, is [`Error::CreatedButUnreadable`] naming `what` with its status.
    pub(crate) async fn create<T, U>(
        &self,
        what: &'static str,
        call: impl Future<Output = std::result::Result<ResponseValue<T>, ApiError>>,
        read: impl FnOnce(Option<&T>) -> std::result::Result<U, String>,
    ) -> Result<U>
    where
        T: serde::Serialize,
    {
        let (answer, seen) = deepnote_api::with_answer_status(call).await;
        let created = seen.filter(StatusCode::is_success);
        let unreadable =
            |status: Option<StatusCode>, reason: String, body: &[u8]| Error::CreatedButUnreadable {
                what,
                status,
                reason: crate::error::redact(&reason, self.key()),
                body: crate::error::snippet(body, self.key()),
            };
        match answer {
            Ok(answer) => {
                let status = answer.status();
                let body = answer.into_inner();
                read(Some(&body)).map_err(|reason| {
                    let text = serde_json::to_vec(&body).unwrap_or_default();
                    unreadable(Some(status), reason, &text)
                })
            }
            // Error bodies are given one shape by the low-level client, so a body that does
            // not parse came with a success.
            Err(ApiError::InvalidResponsePayload(bytes, _))
                if bytes.iter().all(u8::is_ascii_whitespace) =>
            {
                read(None).map_err(|reason| unreadable(created, reason, &[]))
            }
            Err(ApiError::InvalidResponsePayload(bytes, e)) => {
                Err(unreadable(created, e.to_string(), &bytes))
            }
            Err(ApiError::UnexpectedResponse(r)) if r.status().is_success() => {
                let status = r.status();
                let body = r.bytes().await.unwrap_or_default();
                Err(unreadable(
                    Some(status),
                    "a success status the client does not know".into(),
                    &body,
                ))
            }
            // The status line said success and the body broke off after it.
            Err(ApiError::CommunicationError(e) | ApiError::ResponseBodyError(e))
                if created.is_some() =>
            {
                let reason = format!("the answer was cut off: {e}");
                Err(unreadable(created, reason, &[]))
            }
            Err(other) => Err(self.api_error(other)),
        }
    }

    /// An error of the low-level client as this crate's, naming where a refused key came from.
    pub(crate) fn api_error(&self, error: ApiError) -> Error {
        match Error::from_api(error, self.key()) {
            Error::Unauthorized { message, .. } => Error::Unauthorized {
                message,
                key_source: self.key_source(),
            },
            Error::Forbidden { message, .. } => Error::Forbidden {
                message,
                key_source: self.key_source(),
            },
            other => other,
        }
    }
}
