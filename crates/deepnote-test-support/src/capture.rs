//! Tracing output captured as text, to check what a log shows (and that a secret never does).
//!
//! Tracing caches per-callsite interest process-wide, so a test that captures is best alone in
//! its test binary.

use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing::subscriber::DefaultGuard;

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

impl Capture {
    /// Capture every event at TRACE level, without colours, on this thread until the guard
    /// drops; `span_closes` also logs each span as it closes (with its fields).
    pub fn install(span_closes: bool) -> (Capture, DefaultGuard) {
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
