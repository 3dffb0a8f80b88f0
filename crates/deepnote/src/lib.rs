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
//! # Conventions
//!
//! One rule, followed by every resource, so that knowing one group is knowing them all:
//!
//! - **A group per resource**: `client.<resource>()` ([`Client::projects`],
//!   [`Client::notebooks`], [`Client::blocks`], [`Client::runs`], [`Client::files`],
//!   [`Client::schedules`], [`Client::integrations`], [`Client::machines`],
//!   [`Client::sessions`], [`Client::apps`], [`Client::search`], [`Client::sync`],
//!   [`Client::me`]). Each group
//!   and its models live in one module named for the resource ([`runs`], [`blocks`], ...).
//!   The crate root keeps only [`Client`], [`ClientBuilder`], [`Error`], [`Result`], the ids
//!   and the stream traits.
//! - **Verbs**: `list`, `get`, `create`, `update`, `delete`, plus a resource's own (`wait`,
//!   `export`, `set`, `reorder`, ...).
//! - **Arguments**: required ones are positional; optional ones are builder methods, and a
//!   builder is sent by awaiting it (or `.send()`). Durations are [`std::time::Duration`]s;
//!   a choice shared by resources is one enum ([`runs::StorageMode`] for runs and sessions,
//!   [`inputs::InputValue`] for their inputs). A policy this crate defines
//!   ([`runs::WaitPolicy`]) is a value with public fields and the same bare setters; the
//!   low-level client's [`client::RetryPolicy`] keeps its crate's `with_*` setters, whose bare
//!   names are its getters.
//! - **IDs are typed** ([`ProjectId`], [`NotebookId`], [`BlockId`], [`RunId`],
//!   [`ScheduleId`], [`SessionId`], [`IntegrationId`], [`AppId`]), so one cannot stand in for another; a
//!   [`RunId`] is a UUID, checked when parsed. Every method takes `impl Into<...Id>`, so a
//!   `&str` does.
//! - **Every list is a [`list::List`]**: awaited, it gives its first [`list::Page`];
//!   `.stream()` gives every item and `.pages()` every page, the next page fetched while the
//!   current one is used. A list the API does not page comes whole as its first page. A page
//!   size outside 1..=100 is refused before sending; a page token the server repeats ends the
//!   stream with an error.
//! - **Models keep what the server sent**: a model serializes with the API's field names,
//!   and one the API describes only partly keeps the whole object in its `raw`.
//! - **One [`Error`]**, with [`Error::status`] (the status on the wire) and
//!   [`Error::is_retryable`]. A create whose success answer cannot be read, for whatever
//!   reason, is [`Error::CreatedButUnreadable`], never a plain failure, and is never sent
//!   twice. Bad arguments (a cron expression, a time zone, an input of the wrong kind) are
//!   refused before anything is sent.
//!
//! # What the groups do beyond the verbs
//!
//! - [`runs::RunsApi::wait`] polls a run to its end under a [`runs::WaitPolicy`]: a run that
//!   fails is [`Error::RunFailed`], a deadline is [`Error::Timeout`]. A wait first reads the
//!   notebook's recent runs and, when they say how long its runs take, sleeps to just before
//!   the expected end and polls densely from there. [`runs::RunsApi::run_many`] starts and
//!   waits for many runs, paced by the server's rate limit; [`runs::RunsApi::snapshot`] reads
//!   a run's `.deepnote` snapshot, inline or downloaded (a download URL on another origin
//!   never receives the key). A whole notebook runs detached unless
//!   [`runs::RunRequest::live`]; chosen blocks always run live.
//! - [`projects::ProjectsApi::export`] / [`projects::ProjectsApi::push`] move a project's
//!   `.deepnote` documents, refusing to overwrite what changed in Deepnote since they were
//!   pulled; [`sync::SyncApi`] keeps a whole workspace as a folder of files.
//! - [`projects::ProjectsApi::publish`] publishes a local folder as the project's static site
//!   (with a plan first, and `prune`); [`apps::AppsApi`] serves a project's Python file as a
//!   Streamlit app and waits until it runs ([`Error::AppTimeout`] at its deadline).
//! - [`credentials::Credentials`] finds the key as Deepnote users have it: a key file,
//!   `DEEPNOTE_API_KEY`, `DEEPNOTE_TOKEN`, then the profile `deepnote auth login` writes.
//! - [`api`] is the low-level client generated from Deepnote's OpenAPI reference, for
//!   anything this crate does not cover.
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
//! (and of each next page while the current one is used), and [`runs::RunsApi::run_many`] spawns its
//! workers, so both must be created inside a Tokio runtime. TLS is `rustls` (default, reqwest's
//! rustls with its aws-lc-rs provider) or `native-tls`.
//!
//! [Deepnote Public API]: https://deepnote.com/docs

#![warn(missing_docs)]

pub mod apps;
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
mod polling;
pub mod projects;
mod raw_fields;
pub mod runs;
pub mod schedules;
pub mod search;
pub mod sessions;
pub mod sync;

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use ids::{AppId, BlockId, IntegrationId, NotebookId, ProjectId, RunId, ScheduleId, SessionId};

/// The low-level client this crate is built on, for anything it does not cover.
pub use deepnote_api as api;
/// The stream traits the lists and waits need: `next()`, `try_collect()` and friends.
pub use futures_util::{Stream, StreamExt, TryStreamExt};
