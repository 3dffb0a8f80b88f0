//! The Rust SDK for the [Deepnote Public API]: every operation is one obvious call, and the
//! hard parts (paging, waiting for runs, running many, retries, errors, the key) are done
//! right once.
//!
//! ```
//! use deepnote::{Client, StreamExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # // The quick start runs against the in-process emulator.
//! # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await?;
//! # // SAFETY: a doctest is a process of its own, with no other thread reading the environment.
//! # unsafe {
//! #     std::env::set_var("DEEPNOTE_API_KEY", emu.sample_key());
//! #     std::env::set_var("DEEPNOTE_BASE_URL", emu.base_url());
//! # }
//! # let notebook_id = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
//! // DEEPNOTE_API_KEY (or DEEPNOTE_TOKEN, or a `deepnote auth login` profile), and
//! // DEEPNOTE_BASE_URL if the API is not at api.deepnote.com.
//! let client = Client::from_env()?;
//!
//! let me = client.me().get().await?;
//! println!("workspace {:?}, access {:?}", me.workspace_name(), me.access_level);
//!
//! // Every project, page after page, the next page fetched while this one is used.
//! let mut projects = client.projects().list().page_size(50).stream();
//! while let Some(project) = projects.next().await {
//!     let project = project?;
//!     println!("{} {}", project.id, project.name);
//! }
//!
//! // Run a notebook with an input value and wait for it to finish.
//! let run = client
//!     .runs()
//!     .create(notebook_id)
//!     .input("region", "EMEA")
//!     .send()
//!     .await?
//!     .wait()
//!     .await?;
//! assert!(run.is_success());
//!
//! // What it printed, from its execution snapshot.
//! let snapshot = client.runs().snapshot(run.id).await?.parse()?;
//! for block in &snapshot.project.notebooks[0].blocks {
//!     print!("{}", block.stream_text());
//! }
//! # emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # The shape
//!
//! - [`Client::projects`], [`Client::notebooks`], [`Client::runs`] and [`Client::me`] hold
//!   every operation of the API, the legacy v1 execute included
//!   ([`NotebooksApi::execute_v1`]). Optional parameters are builder methods; a builder is
//!   sent with `.send()` or simply awaited.
//! - IDs are typed ([`ProjectId`], [`NotebookId`], [`RunId`]), so one cannot stand in for
//!   another; a [`RunId`] is a UUID, checked when parsed.
//! - Lists give [`Page`]s with `.send()`, every page with `.pages()`, every item with
//!   `.stream()`. A page size outside 1..=100 is refused before sending; a page token the
//!   server repeats ends the stream with an error.
//! - [`RunHandle::wait`] and [`RunsApi::wait`] poll a run to its end under a [`WaitPolicy`];
//!   a run that fails is [`Error::RunFailed`], a deadline is [`Error::Timeout`]. A wait first
//!   reads the notebook's recent runs (one request) and, when they say how long its runs take,
//!   sleeps to just before the expected end and polls densely from there ([`Wait::history`]).
//! - A run's inputs are [`InputValue`]s (a string, a boolean or a list of strings, as Deepnote
//!   takes them); when [`NotebooksApi::inputs`] knows the notebook's input blocks, unknown
//!   names and wrong kinds are [`Error::InvalidInput`] before anything is sent. A whole
//!   notebook runs detached unless [`RunRequest::live`]; chosen blocks always run live.
//! - [`RunsApi::run_many`] starts and waits for many runs, paced by the server's rate limit.
//! - A create whose success answer cannot be read is [`Error::CreatedButUnreadable`], never a
//!   plain failure, and is not sent again.
//! - [`Credentials`] finds the key as Deepnote users have it: a key file, `DEEPNOTE_API_KEY`,
//!   `DEEPNOTE_TOKEN`, then the profile `deepnote auth login` writes.
//! - [`RunsApi::snapshot`] reads a run's `.deepnote` snapshot, inline or downloaded; a
//!   download URL on another origin never receives the key.
//! - [`Client::blocks`], [`Client::files`], [`Client::schedules`], [`Client::integrations`],
//!   [`Client::machines`], [`Client::sessions`] and [`Client::search`] cover the operations
//!   added since the original spec, with [`ProjectsApi::export`] / [`ProjectsApi::import`]
//!   (`.deepnote` documents, with Deepnote's conflict check) and [`NotebooksApi::rename`] /
//!   [`NotebooksApi::reorder_blocks`]. [`ProjectsApi::export_to_dir`] /
//!   [`ProjectsApi::import_from_dir`] keep one project as a folder of `.deepnote` files, and
//!   [`Client::sync`] a whole workspace ([`SyncApi::pull`], [`SyncApi::push`], with a
//!   [`SyncPlan`] to inspect first). File transfers stream, with progress callbacks; a cron
//!   expression is checked before it is sent ([`Cron`]). Calls known only from Deepnote's
//!   client code or inferred from its guides say so in their docs.
//! - One [`Error`], with [`Error::status`] and [`Error::is_retryable`].
//!
//! # Security
//!
//! The key never appears in `Debug` or `Display` output, errors or logs (text a server echoes
//! back is scrubbed of it). A base URL with plain `http://` to a host other than this machine
//! is refused unless [`ClientBuilder::allow_insecure_http`] says otherwise.
//!
//! # Runtime and features
//!
//! The SDK runs on Tokio: a list stream spawns the fetch of its first page when it is created
//! (and of each next page while the current one is used), and [`RunsApi::run_many`] spawns its
//! workers, so both must be created inside a Tokio runtime. TLS is `rustls` (default, reqwest's
//! rustls with its aws-lc-rs provider) or `native-tls`.
//!
//! [Deepnote Public API]: https://deepnote.com/docs

#![warn(missing_docs)]

pub mod blocks;
mod call;
pub mod client;
pub mod credentials;
pub mod error;
pub mod files;
pub mod ids;
pub mod inputs;
pub mod integrations;
mod into_future;
pub mod list;
mod lock;
pub mod machines;
pub mod me;
pub mod notebooks;
mod pagination;
pub mod projects;
mod raw_fields;
pub mod runs;
pub mod schedules;
pub mod search;
pub mod sessions;
pub mod sync;

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use ids::{BlockId, IntegrationId, NotebookId, ProjectId, RunId, ScheduleId, SessionId};

/// The low-level client this crate is built on, for anything it does not cover.
pub use deepnote_api as api;
/// The stream traits the lists and waits need: `next()`, `try_collect()` and friends.
pub use futures_util::{Stream, StreamExt, TryStreamExt};
