//! One module per command group; each turns parsed arguments into SDK calls and output.

pub mod auth;
pub mod completions;
