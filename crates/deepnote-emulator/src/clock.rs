//! The emulator's virtual clock.
//!
//! Run statuses are derived from this clock at read time, so freezing it makes every answer
//! deterministic and advancing it moves every run forward without any background task.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::Mutex;
use std::time::Duration;

/// Milliseconds since the Unix epoch, the clock's unit everywhere in the state.
pub type Millis = i64;

/// A wall clock with an offset that can be advanced and frozen.
#[derive(Debug)]
pub struct Clock {
    inner: Mutex<ClockState>,
}

/// The clock's settings, as persistence stores them.
///
/// The persisted form is this struct as JSON (`offsetMs`, `frozenAt`); the control API answers
/// `{"now", "offsetMs", "frozen"}` instead (see [`crate::control`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockState {
    /// Milliseconds added to the wall clock; grows with `advance`.
    pub offset_ms: i64,
    /// The virtual time in milliseconds since the epoch, if frozen.
    pub frozen_at: Option<Millis>,
}

fn wall_ms() -> Millis {
    Utc::now().timestamp_millis()
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock that follows the wall clock.
    pub fn new() -> Self {
        Clock {
            inner: Mutex::new(ClockState::default()),
        }
    }

    /// The virtual time now.
    pub fn now_ms(&self) -> Millis {
        let r = *self.inner.lock().expect("clock lock");
        r.frozen_at.unwrap_or_else(|| wall_ms() + r.offset_ms)
    }

    /// Move the virtual time forward, frozen or not.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        let mut r = self.inner.lock().expect("clock lock");
        r.offset_ms = r.offset_ms.saturating_add(by);
        if let Some(f) = r.frozen_at.as_mut() {
            *f = f.saturating_add(by);
        }
    }

    /// Put the virtual time at `at` (forward or back), frozen there if the clock is frozen.
    pub fn set(&self, at: Millis) {
        let mut r = self.inner.lock().expect("clock lock");
        r.offset_ms = at - wall_ms();
        if r.frozen_at.is_some() {
            r.frozen_at = Some(at);
        }
    }

    /// Stop (or restart) the virtual time where it stands.
    pub fn freeze(&self, frozen: bool) {
        let mut r = self.inner.lock().expect("clock lock");
        match (frozen, r.frozen_at) {
            (true, None) => r.frozen_at = Some(wall_ms() + r.offset_ms),
            (false, Some(at)) => {
                // Resume from the frozen instant, so time never jumps backwards or forwards.
                r.offset_ms = at - wall_ms();
                r.frozen_at = None;
            }
            _ => {}
        }
    }

    /// The settings, for the control API and persistence.
    pub fn state(&self) -> ClockState {
        *self.inner.lock().expect("clock lock")
    }

    /// Restore settings saved by [`Clock::state`].
    pub fn restore(&self, s: ClockState) {
        *self.inner.lock().expect("clock lock") = s;
    }
}

/// Milliseconds since the epoch as an RFC 3339 timestamp with millisecond precision.
pub fn rfc3339(ms: Millis) -> String {
    let t: DateTime<Utc> = Utc
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
