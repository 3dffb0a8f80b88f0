//! Low-level client for the [Deepnote Public API], generated from Deepnote's OpenAPI spec.
//!
//! Every operation of the spec is one method of [`Client`], exactly as the spec names it,
//! with a builder for its parameters. Around the generated code this crate adds what the spec
//! cannot say: bearer auth with a key that never shows in `Debug`, the v1 base of the legacy
//! execute call, retries that honour `Retry-After`, one tracing span per operation, open enums
//! that survive new values, and one error type for every operation.
//!
//! Most users want the ergonomic `deepnote` crate built on this one.
//!
//! ```no_run
//! use deepnote_api::{ApiErrorExt, ApiKey, ClientBuilder};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ClientBuilder::new(ApiKey::new(std::env::var("DEEPNOTE_API_KEY")?)?)
//!     .base_url("https://api.deepnote.com")
//!     .build()?;
//! let me = client.get_me().send().await?;
//! println!("access level: {:?}", me.access_level);
//! match client.get_project().project_id("no-such-project").send().await {
//!     Ok(project) => println!("{:?}", project.name),
//!     Err(e) => println!("{:?}: {}", e.http_status(), e.message().unwrap_or("no message")),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [Deepnote Public API]: https://deepnote.com/docs

#![warn(missing_docs)]

mod base_url;
mod builder_config;
mod enums;
mod error;
#[allow(missing_docs, unreachable_patterns, clippy::all)]
#[rustfmt::skip]
mod generated;
mod hooks;
mod retry;
mod secret;

pub use base_url::{BaseUrls, DEFAULT_HOST, InvalidBaseUrl, is_loopback, is_secure_or_loopback};
pub use builder_config::{BuildError, ClientBuilder, ClientState};
pub use enums::{AccessLevel, ProjectType, RunStatus};
pub use error::{ApiError, ApiErrorExt};
pub use generated::*;
pub use retry::{RetryPolicy, retry_after};
pub use secret::{ApiKey, InvalidApiKey};

/// The `operationId` of every operation in the spec, with the generated method that calls it.
/// A test checks this against the spec, so an operation cannot be dropped silently.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("createRun", "create_run"),
    ("getRun", "get_run"),
    ("createNotebook", "create_notebook"),
    ("getNotebook", "get_notebook"),
    ("deleteNotebook", "delete_notebook"),
    ("listNotebookRuns", "list_notebook_runs"),
    ("listProjects", "list_projects"),
    ("createProject", "create_project"),
    ("getProject", "get_project"),
    ("deleteProject", "delete_project"),
    ("getMe", "get_me"),
    ("executeNotebookV1", "execute_notebook_v1"),
];
