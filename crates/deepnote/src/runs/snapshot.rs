//! A run's execution snapshot: a `.deepnote` YAML document, given inline or behind a URL.
//! A URL on another origin than the API never receives the bearer token.

use crate::client::Client;
use crate::error::{Error, Result, from_status, redact};
use crate::ids::RunId;
use crate::runs::document::SnapshotDocument;
use crate::runs::handle::get_run;
use crate::runs::{Run, SnapshotRef};
use deepnote_api::{Backoff, Jitter};
use std::time::Duration;

/// How the server should deliver a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotDelivery {
    /// In the run itself.
    Inline,
    /// As a URL to download it from.
    DownloadUrl,
}

/// A run's execution snapshot: the YAML text of a `.deepnote` document.
#[derive(Clone, PartialEq, Eq)]
pub struct Snapshot {
    text: String,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Snapshot({} bytes)", self.text.len())
    }
}

impl Snapshot {
    /// A snapshot from its YAML text.
    pub fn from_text(text: impl Into<String>) -> Self {
        Snapshot { text: text.into() }
    }

    /// The YAML text as the server sent it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The YAML text, taken out.
    pub fn into_text(self) -> String {
        self.text
    }

    /// Parse the document. Fields this crate does not know are ignored; a text that is not
    /// such a document (empty, `{}`, no `project`, not YAML, or past the parser's limits on
    /// size, nesting and alias expansion) is [`Error::Decode`].
    pub fn parse(&self) -> Result<SnapshotDocument> {
        crate::runs::document::parse(&self.text)
    }
}

/// How often to look again for a snapshot that has not appeared yet (it can come a moment
/// after the terminal status).
const SNAPSHOT_LOOKS: u32 = 6;

/// How far apart the looks are: 100 ms doubling, 3.1 s in all. Not jittered: the window is
/// what gives the server time to attach the snapshot, and jitter would shorten it.
fn settle() -> Backoff {
    Backoff::new(Duration::from_millis(100), Duration::from_millis(1600)).with_jitter(Jitter::None)
}

pub(crate) async fn fetch(
    client: &Client,
    id: RunId,
    delivery: SnapshotDelivery,
) -> Result<Snapshot> {
    let span = tracing::info_span!("deepnote.snapshot", run_id = %id);
    let fetching = async {
        let settle = settle();
        let mut look = 1;
        loop {
            match look_once(client, id, delivery).await {
                Ok(Look::Found(snapshot)) => return Ok(snapshot),
                // A read that failed but may not next time (after the client's own retries)
                // gets the rest of the window too, as Deepnote's client gives it; the last
                // error is the answer if none succeeds.
                Err(e) if e.is_retryable() && look < SNAPSHOT_LOOKS => {
                    tracing::debug!(run_id = %id, error = %e, look, "snapshot read failed; looking again");
                }
                Err(e) => return Err(e),
                Ok(Look::Missing(status)) if status.is_terminal() && look < SNAPSHOT_LOOKS => {}
                Ok(Look::Missing(status)) => {
                    return Err(Error::NoSnapshot { run_id: id, status });
                }
            }
            settle.sleep(settle.delay(look, None)).await;
            look += 1;
        }
    };
    tracing::Instrument::instrument(fetching, span).await
}

/// What one look for the snapshot found.
enum Look {
    Found(Snapshot),
    /// Not attached (yet), while the run had this status.
    Missing(deepnote_api::RunStatus),
}

async fn look_once(client: &Client, id: RunId, delivery: SnapshotDelivery) -> Result<Look> {
    let run = get_run(client, id, Some(delivery)).await?;
    Ok(match carried(client, run.snapshot).await? {
        Some(snapshot) => Look::Found(snapshot),
        None => Look::Missing(run.status),
    })
}

/// The snapshot a run's answer carries, inline or behind its URL; `None` when it carries none
/// or an empty one (Deepnote's "not attached yet", whichever way it came).
async fn carried(client: &Client, snapshot: Option<SnapshotRef>) -> Result<Option<Snapshot>> {
    let found = match snapshot {
        Some(SnapshotRef::Inline(text)) => Some(Snapshot { text }),
        Some(SnapshotRef::DownloadUrl(url)) => Some(download(client, &url).await?),
        None => None,
    };
    Ok(found.filter(|s| !s.text.trim().is_empty()))
}

/// The snapshot `run` carries, or else the one [`fetch`] finds (also when its URL no longer
/// answers: the run read again gives a fresh one).
pub(crate) async fn of_run(client: &Client, run: &Run) -> Result<Snapshot> {
    match carried(client, run.snapshot.clone()).await {
        Ok(Some(snapshot)) => Ok(snapshot),
        Ok(None) | Err(_) => fetch(client, run.id, SnapshotDelivery::Inline).await,
    }
}

/// The scheme, host and port of a URL: two URLs share an origin when these match.
fn origin(url: &reqwest::Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_ascii_lowercase(),
        url.host_str().map(str::to_ascii_lowercase),
        url.port_or_known_default(),
    )
}

/// True when the bearer token may go to this URL: same origin as the API's v2 base.
pub(crate) fn may_carry_token(client: &Client, url: &reqwest::Url) -> bool {
    reqwest::Url::parse(client.base_urls().v2()).is_ok_and(|base| origin(&base) == origin(url))
}

/// The snapshot URL as an absolute one: a relative URL (some deployments answer a path) is
/// resolved against the API's v2 base, so it is on the API's origin and gets the token.
fn resolve(client: &Client, url: &str) -> Result<reqwest::Url> {
    reqwest::Url::parse(url)
        .or_else(|_| {
            // The base ends in a slash so that a path without one is under it, not beside it;
            // an absolute URL that did not parse does not parse here either.
            let base = format!("{}/", client.base_urls().v2().trim_end_matches('/'));
            reqwest::Url::parse(&base).and_then(|base| base.join(url))
        })
        .map_err(|e| Error::Decode(format!("the snapshot URL is not a URL: {e}")))
}

async fn download(client: &Client, url: &str) -> Result<Snapshot> {
    let url = resolve(client, url)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Decode(format!(
            "the snapshot URL has scheme {:?}, not http(s)",
            url.scheme()
        )));
    }
    let with_token = may_carry_token(client, &url);
    tracing::debug!(
        host = url.host_str(),
        with_token,
        "downloading the snapshot"
    );
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    if with_token {
        request.headers_mut().insert(
            reqwest::header::AUTHORIZATION,
            client.inner.key.bearer_header(),
        );
    }
    let response = match client.api().send_request(request).await {
        Ok(response) => response,
        Err(error) => return Err(download_error(error, &client.inner.key)),
    };
    let text = response.text().await.map_err(Error::Transport)?;
    Ok(Snapshot { text })
}

/// An error answer keeps its status, `Retry-After` and (cut, key-free) message; other
/// failures are the low-level client's as for any call. The key is not named as refused: it
/// may not have been sent (another origin).
fn download_error(error: deepnote_api::ApiError, key: &deepnote_api::ApiKey) -> Error {
    use deepnote_api::ApiErrorExt;
    match error.http_status() {
        Some(status) if !status.is_success() => {
            let message: String = redact(error.message().unwrap_or_default().trim(), key)
                .chars()
                .take(512)
                .collect();
            from_status(status, message, error.retry_after())
        }
        _ => Error::from_api(error, key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settle_looks_double_from_100_ms_unjittered() {
        let b = settle();
        let delays: Vec<_> = (1..SNAPSHOT_LOOKS).map(|n| b.delay(n, None)).collect();
        let ms = Duration::from_millis;
        assert_eq!(delays, [ms(100), ms(200), ms(400), ms(800), ms(1600)]);
    }
}
