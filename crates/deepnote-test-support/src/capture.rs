//! Tracing output captured as text, to check what a log shows (and that a secret never does).
//!
//! Tracing caches each callsite's interest process-wide: a callsite first reached on a thread
//! with no subscriber can be cached as "never", and a capture on another thread then misses
//! its events (a race between tests of one binary, seen as an empty log). So the first capture
//! installs a global subscriber that records nothing but answers every callsite "ask each
//! time": no callsite is ever cached as "never", and each event goes to the subscriber of the
//! thread it is on.

use std::io::Write;
use std::sync::{Arc, Mutex, Once};
use tracing::subscriber::{DefaultGuard, Interest};
use tracing::{Event, Metadata, span};

/// A writer that keeps everything written to it.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The global subscriber of a process that captures: interested in nothing now, but asked
/// again at every callsite hit (see the module docs).
struct AskEachTime;

impl tracing::Subscriber for AskEachTime {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

impl Capture {
    /// Capture every event at TRACE level, without colours, on this thread until the guard
    /// drops; `span_closes` also logs each span as it closes (with its fields).
    pub fn install(span_closes: bool) -> (Capture, DefaultGuard) {
        static GLOBAL: Once = Once::new();
        GLOBAL.call_once(|| {
            // Another global subscriber set first keeps its place (and the race).
            let _ = tracing::subscriber::set_global_default(AskEachTime);
            tracing::callsite::rebuild_interest_cache();
        });
        let capture = Capture::default();
        let writer = capture.clone();
        let spans = if span_closes {
            tracing_subscriber::fmt::format::FmtSpan::CLOSE
        } else {
            tracing_subscriber::fmt::format::FmtSpan::NONE
        };
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(spans)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// What was written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_events_and_span_closes() {
        let (capture, _guard) = Capture::install(true);
        tracing::info_span!("op", answer = 42).in_scope(|| tracing::debug!("inside"));
        let text = capture.text();
        assert!(text.contains("inside"), "{text}");
        assert!(text.contains("close"), "{text}");
        assert!(text.contains("answer=42"), "{text}");
    }
}
