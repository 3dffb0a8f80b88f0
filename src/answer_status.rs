//! The status of the answer a call received, kept for the caller even when the answer's body
//! could not be read or decoded: a create answered 201 with a body cut off has created its
//! thing, and an error that lost the status cannot say so.

use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

tokio::task_local! {
    static SEEN: Arc<AtomicU16>;
}

/// Run `call` and give, with its output, the HTTP status of the last answer any request of
/// this crate's clients received while it ran, also when that answer's body could not be read
/// or decoded (an [`ApiError::InvalidResponsePayload`](crate::ApiError) does not carry it).
/// `None` when no answer arrived. It covers the future `call`, not tasks it spawns.
///
/// ```no_run
/// # async fn f(client: &deepnote_api::Client) {
/// let (created, status) = deepnote_api::with_answer_status(
///     client.create_project().body_map(|b| b.name("Q3")).send(),
/// )
/// .await;
/// if created.is_err() && status.is_some_and(|s| s.is_success()) {
///     // The project exists although its answer could not be read.
/// }
/// # }
/// ```
pub async fn with_answer_status<F: Future>(call: F) -> (F::Output, Option<StatusCode>) {
    let seen = Arc::new(AtomicU16::new(0));
    let output = SEEN.scope(seen.clone(), call).await;
    let status = StatusCode::from_u16(seen.load(Ordering::Relaxed)).ok();
    (output, status)
}

/// Note an answer's status for the [`with_answer_status`] in force, if any.
pub(crate) fn record(status: StatusCode) {
    let _ = SEEN.try_with(|seen| seen.store(status.as_u16(), Ordering::Relaxed));
}
