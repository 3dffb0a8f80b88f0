//! One module per command group; each declares the arguments (clap) of the commands it runs
//! and turns them into SDK calls and output.

pub mod apps;
pub mod auth;
pub mod blocks;
pub mod completions;
pub mod emulator;
pub mod files;
pub mod integrations;
pub mod lists;
pub mod machines;
pub mod me;
pub mod notebooks;
pub mod projects;
pub mod publish;
pub mod run;
pub mod runs;
pub mod schedules;
pub mod search;
pub mod sessions;
pub mod sync;
