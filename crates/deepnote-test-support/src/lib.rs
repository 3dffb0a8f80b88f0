//! What the workspace's tests share, so each test file does not write it again: a scripted
//! stub server ([`stub`]), a capture of tracing output ([`capture`]), a runtime that serves
//! while a test blocks ([`harness`]), and loopback binds ([`loopback`]), and scratch directories ([`scratch`]).
//!
//! A dev-dependency only (`publish = false`); nothing here touches a network beyond 127.0.0.1.

pub mod capture;
pub mod harness;
pub mod loopback;
pub mod scratch;
pub mod stub;

pub use capture::Capture;
pub use harness::Harness;
pub use stub::{Reply, Seen, Stub};
