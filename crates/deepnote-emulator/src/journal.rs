//! The journal: what happened to each request, so tests can prove "created exactly once".

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many entries the journal keeps by default (oldest dropped first).
pub const DEFAULT_JOURNAL_CAPACITY: usize = 10_000;

/// The fault injected into a request, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answered 429 before the handler ran.
    RateLimit,
    /// Answered 500/502/503 before the handler ran.
    ServerError,
    /// The handler ran, then the connection was reset mid-response.
    ConnectionReset,
}

/// One request, as the emulator handled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Position in the journal, from 1.
    pub seq: u64,
    /// Virtual time the request arrived (RFC 3339).
    pub at: String,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Status the handler (or the fault) answered with.
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<FaultKind>,
    /// Whether the handler ran, i.e. its effect (if any) stands.
    pub applied: bool,
    /// Whether the request changed the state.
    pub changed_state: bool,
    /// Whether the request carried an `Authorization` header (never its value).
    pub authorization: bool,
    /// The id of what the request created, if it created something.
    pub created: Option<String>,
}

/// A bounded log of requests.
#[derive(Debug)]
pub(crate) struct Journal {
    inner: Mutex<(u64, VecDeque<JournalEntry>)>,
    capacity: usize,
}

impl Journal {
    /// A journal keeping the last `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Journal {
            inner: Mutex::new((0, VecDeque::new())),
            capacity,
        }
    }

    /// Record a request (its `seq` is assigned here).
    pub fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut g = self.inner.lock().expect("journal lock");
        g.0 += 1;
        entry.seq = g.0;
        if g.1.len() >= self.capacity {
            g.1.pop_front();
        }
        g.1.push_back(entry);
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.inner
            .lock()
            .expect("journal lock")
            .1
            .iter()
            .cloned()
            .collect()
    }

    /// Forget every entry.
    pub fn clear(&self) {
        self.inner.lock().expect("journal lock").1.clear();
    }
}
