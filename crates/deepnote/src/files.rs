//! Files of a project's working directory: upload from a path or any reader, download to a
//! path or any writer, both streamed (one chunk in memory at a time) with progress callbacks;
//! delete; copy between projects.
//!
//! Deepnote's reference shows upload and delete; download is known only from Deepnote's client
//! code; the reference shows copy's first body field only, so its other fields are inferred
//! (see [`FilesApi::copy`]).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::ids::project_uuid;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use deepnote_api::UploadBody;
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How much of a file is read (or written) at a time.
const CHUNK: usize = 64 * 1024;

/// A progress callback: called with the total bytes sent (or received) so far, each time it
/// grows, and last with the whole size.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// A file of a project, as the server describes it. Serialized with the API's field names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FileRef {
    /// The project it is in, when the server said.
    pub project_id: Option<ProjectId>,
    /// Its path in the project. After an upload this is where the server stored it, which is
    /// another path than the one asked for when that one was taken.
    pub path: String,
    /// Its size in bytes, when the server said.
    pub size: Option<u64>,
    /// When it last changed, when the server said.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The file operations; from [`Client::files`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// let csv: &'static [u8] = b"region,total\nEMEA,42\n";
/// let file = client
///     .files()
///     .upload(project, "data/sales.csv")
///     .from_reader(csv, Some(csv.len() as u64))
///     .await?;
/// assert_eq!(file.path, "data/sales.csv");
/// let mut read = Vec::new();
/// client.files().download(project, "data/sales.csv").to_writer(&mut read).await?;
/// assert_eq!(read, csv);
/// client.files().delete(project, "data/sales.csv").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FilesApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> FilesApi<'a> {
    /// Upload a file to `path` in a project; finish with [`Upload::from_path`] or
    /// [`Upload::from_reader`]. The server never overwrites: when `path` is taken it stores the
    /// file under a unique path, which the answer names (delete first to replace).
    pub fn upload(&self, project: impl Into<ProjectId>, path: impl Into<String>) -> Upload {
        Upload(Transfer::new(self.client, project.into(), path.into()))
    }

    /// Download the file at `path` of a project; finish with [`Download::to_path`] or
    /// [`Download::to_writer`].
    pub fn download(&self, project: impl Into<ProjectId>, path: impl Into<String>) -> Download {
        Download(Transfer::new(self.client, project.into(), path.into()))
    }

    /// Delete the file at `path` of a project.
    pub async fn delete(&self, project: impl Into<ProjectId>, path: impl AsRef<str>) -> Result<()> {
        let project = project_uuid(&project.into())?;
        self.client
            .answer(
                self.client
                    .api()
                    .delete_file()
                    .project_id(project)
                    .path(checked_path(path.as_ref())?)
                    .send(),
            )
            .await?;
        Ok(())
    }

    /// Copy the file at `path` of `source` into `target`, at the same path. The reference
    /// shows only the body's `sourceProjectId`; the target is sent both as `projectId` (the
    /// name the upload uses) and as `targetProjectId` (the name pairing `sourceProjectId`),
    /// since neither is shown; the file goes as `path`. The answer's shape
    /// is not visible; it is returned as the JSON object the server sent.
    pub async fn copy(
        &self,
        source: impl Into<ProjectId>,
        path: impl AsRef<str>,
        target: impl Into<ProjectId>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let (source, target) = (source.into(), target.into());
        let mut body = serde_json::Map::new();
        body.insert("sourceProjectId".into(), source.checked()?.into());
        body.insert("projectId".into(), target.checked()?.into());
        body.insert("targetProjectId".into(), target.checked()?.into());
        body.insert("path".into(), checked_path(path.as_ref())?.into());
        let call = self.client.api().copy_file_with(&body);
        self.client
            .create("file copy", call, |answer| {
                Ok(answer.cloned().unwrap_or_default())
            })
            .await
    }
}

/// What an upload and a download both hold: the file (a project and a path) and the
/// progress callback.
struct Transfer {
    client: Client,
    project: ProjectId,
    path: String,
    progress: Option<Progress>,
}

impl Transfer {
    fn new(client: &Client, project: ProjectId, path: String) -> Self {
        Transfer {
            client: client.clone(),
            project,
            path,
            progress: None,
        }
    }

    fn debug(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(name)
            .field("project", &self.project)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// An upload; from [`FilesApi::upload`].
#[must_use = "an upload does nothing until it is given its bytes"]
pub struct Upload(Transfer);

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.debug("Upload", f)
    }
}

impl Upload {
    /// Call `progress` with the bytes sent so far as the upload goes.
    pub fn progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.0.progress = Some(Arc::new(progress));
        self
    }

    /// Upload the file at `local`, read as it is sent. Its size is sent as the length.
    pub async fn from_path(self, local: impl AsRef<Path>) -> Result<FileRef> {
        let local = local.as_ref();
        let file = tokio::fs::File::open(local)
            .await
            .map_err(|e| io_error("cannot open", local, e))?;
        let len = file
            .metadata()
            .await
            .map_err(|e| io_error("cannot read the size of", local, e))?
            .len();
        self.from_reader(file, Some(len)).await
    }

    /// Upload what `reader` yields until its end, read as it is sent. With `len`, the request
    /// carries it as its length (and fails if the reader yields another); without, it is sent
    /// chunked. The request is sent once: a streamed body cannot be retried.
    pub async fn from_reader<R>(self, reader: R, len: Option<u64>) -> Result<FileRef>
    where
        R: AsyncRead + Send + 'static,
    {
        let project = project_uuid(&self.0.project)?;
        let path = checked_path(&self.0.path)?;
        let stream = read_chunks(reader, self.0.progress.clone());
        let mut body = UploadBody::from_stream(stream);
        if let Some(len) = len {
            body = body.with_len(len);
        }
        let call = self.0.client.api().create_file(&project, path, body);
        self.0
            .client
            .create("file", call, |answer| {
                let answer = answer.ok_or("the answer is empty")?;
                Ok(file_ref(answer.file.clone()))
            })
            .await
    }
}

/// A download; from [`FilesApi::download`].
#[must_use = "a download does nothing until it is given a destination"]
pub struct Download(Transfer);

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.debug("Download", f)
    }
}

impl Download {
    /// Call `progress` with the bytes received so far as the download goes.
    pub fn progress(mut self, progress: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.0.progress = Some(Arc::new(progress));
        self
    }

    /// Write the file to `local`, replacing what is there only once the whole file has
    /// arrived (it is written next to it first). Returns its size.
    pub async fn to_path(self, local: impl AsRef<Path>) -> Result<u64> {
        let local = local.as_ref();
        let partial = partial_path(local);
        let file = tokio::fs::File::create(&partial)
            .await
            .map_err(|e| io_error("cannot create", &partial, e))?;
        let mut file = tokio::io::BufWriter::with_capacity(CHUNK, file);
        let written = match self.to_writer(&mut file).await {
            Ok(n) => n,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                return Err(e);
            }
        };
        drop(file);
        tokio::fs::rename(&partial, local)
            .await
            .map_err(|e| io_error("cannot move the download to", local, e))?;
        Ok(written)
    }

    /// Write the file to `writer` as it arrives (flushed at the end). Returns its size.
    pub async fn to_writer<W>(self, mut writer: W) -> Result<u64>
    where
        W: AsyncWrite + Unpin,
    {
        let project = project_uuid(&self.0.project)?;
        let answer = self
            .0
            .client
            .answer(
                self.0
                    .client
                    .api()
                    .download_file()
                    .project_id(project)
                    .path(checked_path(&self.0.path)?)
                    .send(),
            )
            .await?;
        let mut body = answer.into_inner();
        let mut received = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(Error::Transport)?;
            writer
                .write_all(&chunk)
                .await
                .map_err(|e| local_error(format!("cannot write the download: {e}")))?;
            received += chunk.len() as u64;
            if let Some(progress) = &self.0.progress {
                progress(received);
            }
        }
        writer
            .flush()
            .await
            .map_err(|e| local_error(format!("cannot write the download: {e}")))?;
        Ok(received)
    }
}

/// `reader` as a stream of chunks of at most [`CHUNK`] bytes, reporting the total so far.
fn read_chunks<R>(
    reader: R,
    progress: Option<Progress>,
) -> impl futures_core::Stream<Item = std::io::Result<Bytes>> + Send + 'static
where
    R: AsyncRead + Send + 'static,
{
    let reader = Box::pin(reader);
    futures_util::stream::unfold(
        (reader, BytesMut::new(), 0u64, progress, false),
        |(mut reader, mut buf, sent, progress, done)| async move {
            if done {
                return None;
            }
            buf.reserve(CHUNK);
            match reader.as_mut().read_buf(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    let sent = sent + n as u64;
                    if let Some(progress) = &progress {
                        progress(sent);
                    }
                    let chunk = buf.split().freeze();
                    Some((Ok(chunk), (reader, buf, sent, progress, false)))
                }
                Err(e) => Some((Err(e), (reader, buf, sent, progress, true))),
            }
        },
    )
}

fn file_ref(f: deepnote_api::types::FileReference) -> FileRef {
    FileRef {
        project_id: f.project_id.map(ProjectId::new),
        path: f.path.to_string(),
        size: f.size.and_then(|s| u64::try_from(s).ok()),
        updated_at: f.updated_at,
    }
}

fn checked_path(path: &str) -> Result<&str> {
    if path.trim().is_empty() {
        Err(Error::InvalidArgument("the file path is empty".into()))
    } else if path.contains(['\r', '\n', '\0']) {
        Err(Error::InvalidArgument(format!(
            "file path {path:?} holds a control character"
        )))
    } else {
        Ok(path)
    }
}

fn partial_path(local: &Path) -> PathBuf {
    let name = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "download".into());
    local.with_file_name(format!(".{name}.part"))
}

pub(crate) fn io_error(what: &str, path: &Path, e: std::io::Error) -> Error {
    local_error(format!("{what} {}: {e}", path.display()))
}

/// A local file or writer failed: a filesystem error, not the API's nor an argument's.
fn local_error(message: String) -> Error {
    Error::Filesystem(message)
}
