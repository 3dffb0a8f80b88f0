//! A faithful, stateful local Deepnote Public API server, for tests, CI and demos.
//!
//! It serves the 12 operations of Deepnote's original OpenAPI spec (under `/v2`, and the legacy execute
//! under `/v1`), and in the live dialect the 23 the live reference adds (blocks, export and
//! import, files, schedules, integrations, machines, sessions, search), with their state kept in memory (or in SQLite with a data
//! directory), API keys with access levels, paginated lists with opaque page tokens, runs that
//! move through their statuses on a virtual clock, execution snapshots, and injectable faults.
//! A control API under `/_emulator/` (see [`control`]) seeds, resets, sets run behaviours,
//! moves the clock, sets faults and lists what happened.
//!
//! It depends on none of the SDK's client crates, so it can judge them.
//!
//! # Dialects
//!
//! By default it answers as the live Deepnote service does ([`Dialect::Live`]: 201 creates,
//! `{"project": ...}` envelopes, `completedAt`, the snapshot flat on the run, detached runs by
//! default, inputs checked against the notebook's input blocks, ...; see the README's table).
//! [`Dialect::Spec`] (set with [`EmulatorBuilder::dialect`], or the binary's `--dialect spec`)
//! keeps strictly to the original `deepnote-openapi.yml` with the project's overlay.
//! [`EmulatorBuilder::alternate_shapes`] (`--alternate-shapes SHARE`) makes a share of live
//! answers use the other shapes Deepnote's client tolerates (`{"run": {"id"}}` from
//! `POST /runs`, `id` for `runId`, the nested `snapshot{}`).
//!
//! # Starting one in-process
//!
//! ```no_run
//! use deepnote_emulator::{Behaviour, Emulator, KeySpec, Outcome, Role};
//! use std::time::Duration;
//!
//! # async fn demo() -> Result<(), deepnote_emulator::EmulatorError> {
//! let emu = Emulator::builder()
//!     .seed_sample()
//!     .key(KeySpec::new("test-key").workspace("ws-1").user("u-1").access(Role::Editor))
//!     .start()
//!     .await?;
//! // Point a client at `emu.base_url()` + "/v2" with `Authorization: Bearer test-key`.
//! println!("{} (sample key {})", emu.base_url(), emu.sample_key());
//! emu.set_behaviour(
//!     "00000000-5a3e-4000-8000-000000000201",
//!     Behaviour::new(Duration::from_secs(2), Outcome::Error).message("boom"),
//! );
//! emu.advance_clock(Duration::from_secs(5));
//! emu.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Defaults worth knowing
//!
//! - Runs without a behaviour last [`DEFAULT_RUN_DURATION`] (100 ms pending, 400 ms running)
//!   and succeed.
//! - Lists return [`DEFAULT_PAGE_SIZE`] items unless `pageSize` (1 to [`MAX_PAGE_SIZE`]) says;
//!   projects [`LIVE_PROJECTS_PAGE_SIZE`] in the live dialect.
//! - Bodies larger than [`BODY_LIMIT`] are answered 413.
//! - Access levels: see [`auth`] for which operation needs which level.
//! - Tests of other crates can give a notebook blocks (input blocks above all, so runs may set
//!   them): [`Emulator::add_block`], [`Emulator::add_input_block`], [`BlockRecord::input`].

#![warn(missing_docs)]

mod api;
mod apps;
pub mod auth;
mod builder;
mod clock;
mod codec;
mod config;
pub mod control;
mod cron;
pub mod dialect;
mod documents;
mod downloads;
mod error;
mod extract;
mod failing;
pub mod faults;
mod inputs;
pub mod journal;
mod pagination;
mod persist;
mod ran;
mod routes;
mod rules;
mod runs;
mod seed;
mod server;
mod shapes;
mod shared;
mod snapshot;
mod state;
mod viewer;

pub use api::FILE_LIMIT;
pub use auth::{KeySpec, Role};
pub use builder::EmulatorBuilder;
pub use clock::ClockState;
pub use config::{DEFAULT_STREAMLIT_START_DELAY, EmulatorConfig};
pub use dialect::Dialect;
pub use error::Refusal;
pub use extract::BODY_LIMIT;
pub use faults::{Faults, RateLimit, RateLimitHeaders, ResetForm, RetryAfterForm};
pub use journal::{FaultKind, JournalEntry};
pub use pagination::{DEFAULT_PAGE_SIZE, LIVE_PROJECTS_PAGE_SIZE, MAX_PAGE_SIZE};
pub use persist::DB_FILE;
pub use runs::{Behaviour, DEFAULT_RUN_DURATION, Outcome, Phase};
pub use seed::{SAMPLE_KEY, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID, SAMPLE_WORKSPACE_ID};
pub use server::{Emulator, EmulatorError};
pub use state::{
    BlockRecord, FileRecord, NotebookRecord, ProjectRecord, RanNotebook, RunRecord, ScheduleRecord,
    StaticFiles, StreamlitAppRecord,
};
