//! The two operations progenitor cannot generate, written by hand: `createFile` (a
//! `multipart/form-data` upload) and `importProject` (an `application/zip` body); and a few
//! whose answers the reference does not expand, read as JSON objects so no field is lost.
//!
//! Both go through the same hooks as every generated call (bearer auth, one tracing span, the
//! retry policy, error bodies as [`types::ErrorResponse`] in an [`ApiError`]), so a caller
//! cannot tell them apart from generated methods except by their arguments.

use crate::error::ApiError;
use crate::generated::{Client, types};
use bytes::Bytes;
use futures_core::Stream;
use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The error a body's stream may fail with (an I/O error reading the file, for instance).
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

type ChunkStream = Pin<Box<dyn Stream<Item = Result<Bytes, BodyError>> + Send>>;

/// The bytes of an upload: in memory, or a stream of chunks read as they are sent.
///
/// A streamed body is sent once: if the attempt fails, it is not retried (the bytes are gone),
/// whatever the retry policy says. A body in memory is retried like any other request, except
/// by [`Client::create_file`], whose multipart body is always a stream of its parts (so that
/// the file is never copied).
pub struct UploadBody {
    kind: BodyKind,
    len: Option<u64>,
}

enum BodyKind {
    Memory(Bytes),
    Stream(ChunkStream),
}

impl std::fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            BodyKind::Memory(_) => "memory",
            BodyKind::Stream(_) => "stream",
        };
        f.debug_struct("UploadBody")
            .field("kind", &kind)
            .field("len", &self.len)
            .finish()
    }
}

impl UploadBody {
    /// A body held in memory (its length is known).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> UploadBody {
        let bytes = bytes.into();
        UploadBody {
            len: Some(bytes.len() as u64),
            kind: BodyKind::Memory(bytes),
        }
    }

    /// A body read chunk by chunk as it is sent; nothing is buffered beyond one chunk.
    pub fn from_stream<S, E>(stream: S) -> UploadBody
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BodyError>,
    {
        UploadBody {
            kind: BodyKind::Stream(Box::pin(ErrInto(Box::pin(stream)))),
            len: None,
        }
    }

    /// The body's exact length, when known: the request then carries a `Content-Length`
    /// instead of being sent chunked. A stream that yields another length fails the request.
    pub fn with_len(mut self, len: u64) -> UploadBody {
        self.len = Some(len);
        self
    }

    /// The length given or known, if any.
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// True when the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }
}

/// Adapts a stream's error type to [`BodyError`] (boxed, so it is `Unpin` whatever `S` is).
struct ErrInto<S>(Pin<Box<S>>);

impl<S, E> Stream for ErrInto<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BodyError>,
{
    type Item = Result<Bytes, BodyError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0
            .as_mut()
            .poll_next(cx)
            .map(|o| o.map(|r| r.map_err(Into::into)))
    }
}

/// One chunk, then the end.
struct Once(Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, BodyError>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

/// The multipart body: the head (the two text fields and the file part's headers), the file's
/// chunks as they come, then the trailer. Only the current chunk is ever held.
struct Multipart {
    head: Option<Bytes>,
    file: Option<ChunkStream>,
    tail: Option<Bytes>,
}

impl Stream for Multipart {
    type Item = Result<Bytes, BodyError>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(head)));
        }
        if let Some(file) = self.file.as_mut() {
            match file.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
                Poll::Ready(None) => self.file = None,
            }
        }
        Poll::Ready(self.tail.take().map(Ok))
    }
}

/// The options of [`Client::import_project`]: the conflict check and what to do with notebooks
/// the ZIP leaves out. The default checks nothing and deletes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportProjectQuery {
    /// `baseModifiedAt`: the `metadata.modifiedAt` of the export the edit started from; the
    /// server answers 409 when the project changed structurally since.
    pub base_modified_at: Option<String>,
    /// `baseContentHash`: the canonical content hash of that export; the server answers 409
    /// when the project would now export another hash.
    pub base_content_hash: Option<String>,
    /// `deleteMissingNotebooks`: delete the project's notebooks the ZIP does not hold.
    pub delete_missing_notebooks: bool,
    /// `force`: skip both conflict checks.
    pub force: bool,
}

impl Client {
    /// `POST /files` (`createFile`, evidence `docs`): upload a file to `path` in a project's
    /// working directory, as `multipart/form-data` with the fields `projectId`, `path` and
    /// `file`. The server never overwrites: when `path` exists it stores the file under a
    /// unique path of its own, which the answer's `file.path` names (delete first to replace).
    ///
    /// The body is sent as it is read, never buffered whole nor copied: the request is sent
    /// once and not retried, whatever the retry policy (see [`UploadBody`]). 413 means the file
    /// is too large.
    pub async fn create_file(
        &self,
        project_id: &uuid::Uuid,
        path: &str,
        body: UploadBody,
    ) -> Result<ResponseValue<types::CreateFileResponse>, ApiError> {
        if path.contains(['\r', '\n']) {
            // A line break would end the part's text and let the path forge parts of its own.
            return Err(Error::InvalidRequest(format!(
                "file path {path:?} holds a line break"
            )));
        }
        let boundary = boundary();
        let file_name = path.rsplit('/').next().filter(|n| !n.is_empty());
        let head = multipart_head(&boundary, &project_id.to_string(), path, file_name);
        let tail = Bytes::from(format!("\r\n--{boundary}--\r\n"));
        let len = body.len.map(|n| n + head.len() as u64 + tail.len() as u64);
        let file: ChunkStream = match body.kind {
            // Handed over as it is: copying it behind the head would hold the file twice.
            BodyKind::Memory(file) => Box::pin(Once(Some(file))),
            BodyKind::Stream(file) => file,
        };
        let body = reqwest::Body::wrap_stream(Multipart {
            head: Some(head),
            file: Some(file),
            tail: Some(tail),
        });
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let url = format!("{}/files", self.baseurl());
        let mut request = self.client().post(url).body(body);
        request = request.header(
            CONTENT_TYPE,
            HeaderValue::from_str(&content_type)
                .map_err(|e| Error::InvalidRequest(e.to_string()))?,
        );
        if let Some(len) = len {
            request = request.header(CONTENT_LENGTH, len);
        }
        self.send_manual(request.build()?, "create_file").await
    }

    /// `POST /projects/{projectId}/import` (`importProject`, evidence `guide+client`: the
    /// workspace guide and Deepnote's client-side import contract): apply a ZIP of `.deepnote`
    /// documents, the export's shape, to the project. Notebooks are matched by the id inside
    /// each document; unmatched ones are created; missing ones are deleted only with
    /// `delete_missing_notebooks`. 409: the project changed since the base (or is suspended);
    /// 413: too large; 422: a malformed archive or document.
    ///
    /// A streamed `zip` is sent once and not retried (see [`UploadBody`]).
    pub async fn import_project(
        &self,
        project_id: &uuid::Uuid,
        zip: UploadBody,
        query: &ImportProjectQuery,
    ) -> Result<ResponseValue<types::ImportProjectResponse>, ApiError> {
        let url = format!("{}/projects/{project_id}/import", self.baseurl());
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(v) = &query.base_modified_at {
            params.push(("baseModifiedAt", v));
        }
        if let Some(v) = &query.base_content_hash {
            params.push(("baseContentHash", v));
        }
        if query.delete_missing_notebooks {
            params.push(("deleteMissingNotebooks", "true"));
        }
        if query.force {
            params.push(("force", "true"));
        }
        let len = zip.len;
        let body = match zip.kind {
            BodyKind::Memory(bytes) => reqwest::Body::from(bytes),
            BodyKind::Stream(stream) => reqwest::Body::wrap_stream(stream),
        };
        let mut request = self
            .client()
            .post(url)
            .query(&params)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/zip"))
            .body(body);
        if let Some(len) = len {
            request = request.header(CONTENT_LENGTH, len);
        }
        self.send_manual(request.build()?, "import_project").await
    }

    /// `POST /files/copy` (`copyFile`, evidence `docs-partial`) with a body of the caller's
    /// making: the reference shows only `sourceProjectId` before it is cut off, so the generated
    /// [`Client::copy_file`] cannot carry the other fields (the target project and the path).
    /// The answer's shape is not visible either; it is handed over as a JSON object (empty
    /// for an empty answer).
    pub async fn copy_file_with(
        &self,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<ResponseValue<serde_json::Map<String, serde_json::Value>>, ApiError> {
        self.post_object("/files/copy", "copy_file", body).await
    }

    /// `POST /sessions` (`createSession`, evidence `docs`) answered as JSON: the reference does
    /// not expand its `Session`, so the generated type keeps only `sessionNotebookId` and would
    /// drop the session's own id, which the next call needs.
    pub async fn create_session_with(
        &self,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<ResponseValue<serde_json::Map<String, serde_json::Value>>, ApiError> {
        self.post_object("/sessions", "create_session", body).await
    }

    /// `GET /schedules` (`listSchedules`, evidence `docs`) answered as JSON: the reference does
    /// not expand its `Schedule` (its three fields are "assumed from the create body"), so the
    /// generated type would drop every other field the server answers, such as the schedule's
    /// `id` and `nextRunAt`.
    pub async fn list_schedules_with(
        &self,
        notebook_id: &str,
    ) -> Result<ResponseValue<serde_json::Map<String, serde_json::Value>>, ApiError> {
        let url = format!("{}/schedules", self.baseurl());
        let request = self
            .client()
            .get(url)
            .query(&[("notebookId", notebook_id)])
            .build()?;
        self.send_manual(request, "list_schedules").await
    }

    /// POST a JSON object, read the answer as one.
    async fn post_object(
        &self,
        path: &str,
        operation_id: &'static str,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<ResponseValue<serde_json::Map<String, serde_json::Value>>, ApiError> {
        let url = format!("{}{path}", self.baseurl());
        let request = self.client().post(url).json(body).build()?;
        let response = self.send_checked(request, operation_id).await?;
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.bytes().await.map_err(Error::ResponseBodyError)?;
        // An empty answer (a 204) is a success too.
        let object = if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::Map::new()
        } else {
            serde_json::from_slice(&bytes).map_err(|e| Error::InvalidResponsePayload(bytes, e))?
        };
        Ok(ResponseValue::new(object, status, headers))
    }

    /// Send a hand-built request exactly as a generated operation is sent, and read its answer
    /// the way the generated code reads one: any 2xx decodes as `T`, 4xx and 5xx as the error
    /// body.
    async fn send_manual<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<ResponseValue<T>, ApiError> {
        let response = self.send_checked(request, operation_id).await?;
        ResponseValue::from_response(response).await
    }

    /// Through the hooks; a 2xx answer is handed over unread, any other is the error.
    async fn send_checked(
        &self,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> Result<reqwest::Response, ApiError> {
        request.headers_mut().insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let info = OperationInfo { operation_id };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200..=299 => Ok(response),
            400..=599 => Err(Error::ErrorResponse(
                ResponseValue::from_response(response).await?,
            )),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}

/// The head of the multipart body: `projectId` and `path` as text fields, then the `file`
/// part's headers (its bytes follow).
fn multipart_head(boundary: &str, project_id: &str, path: &str, file_name: Option<&str>) -> Bytes {
    let mut head = String::new();
    for (name, value) in [("projectId", project_id), ("path", path)] {
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    let file_name = quote(file_name.unwrap_or("file"));
    head.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    ));
    Bytes::from(head)
}

/// A quoted-string value as browsers write it in a part header: `"`, CR and LF
/// percent-encoded, so a file name cannot end the header or start another.
fn quote(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A boundary no file is likely to hold: 128 random bits from the standard library's
/// per-process random hash keys (no RNG dependency for one string).
fn boundary() -> String {
    let random = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.finish()
    };
    format!("deepnote-rs-{:016x}{:016x}", random(1), random(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_names_the_fields_and_the_file() {
        let head = multipart_head("B", "p1", "data/a.csv", Some("a\"\r\n.csv"));
        let head = std::str::from_utf8(&head).unwrap();
        assert_eq!(
            head,
            "--B\r\nContent-Disposition: form-data; name=\"projectId\"\r\n\r\np1\r\n\
             --B\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\ndata/a.csv\r\n\
             --B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a%22%0D%0A.csv\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        );
    }

    #[test]
    fn boundaries_differ() {
        assert_ne!(boundary(), boundary());
    }
}
