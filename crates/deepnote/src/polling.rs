//! What every wait of this crate shares, whatever it reads (a run, an app): the deadline,
//! whose last sleep is trimmed to it for one last look, and the budget of failed reads in a
//! row. What differs between waits is only their schedule of delays and what one read is.

use crate::error::Error;
use std::time::Duration;
use tokio::time::Instant;

/// The clock and counters of one wait.
#[derive(Debug)]
pub(crate) struct Polling {
    started: Instant,
    deadline: Option<Duration>,
    failures_allowed: u32,
    reads: u32,
    failures: u32,
}

impl Polling {
    /// A wait starting now that gives up after `deadline` (`None`: never), allowing
    /// `failures_allowed` failed reads in a row that may succeed if tried again.
    pub(crate) fn new(deadline: Option<Duration>, failures_allowed: u32) -> Self {
        Polling {
            started: Instant::now(),
            deadline,
            failures_allowed,
            reads: 0,
            failures: 0,
        }
    }

    /// How long the wait has lasted at `at`.
    pub(crate) fn elapsed(&self, at: Instant) -> Duration {
        at.duration_since(self.started)
    }

    /// Reads made so far, answered or failed.
    pub(crate) fn reads(&self) -> u32 {
        self.reads
    }

    /// The moment the next read may start, `delay` after `from` but not past the deadline;
    /// `Err` with the time waited once the deadline has passed. The first read, asked at once,
    /// is always made.
    pub(crate) fn wake_at(&self, from: Instant, delay: Duration) -> Result<Instant, Duration> {
        let elapsed = self.elapsed(from);
        let mut delay = delay;
        if let Some(deadline) = self.deadline
            && (self.reads > 0 || !delay.is_zero())
        {
            if elapsed >= deadline {
                return Err(elapsed);
            }
            // The last sleep ends at the deadline, for one last look.
            delay = delay.min(deadline - elapsed);
        }
        Ok(from + delay)
    }

    /// A read was answered.
    pub(crate) fn answered(&mut self) {
        self.reads += 1;
        self.failures = 0;
    }

    /// A read failed with `error`: whether to read again (the error may cure, and the budget
    /// of failures in a row allows one more).
    pub(crate) fn failed(&mut self, error: &Error) -> bool {
        if error.is_retryable() && self.failures < self.failures_allowed {
            self.reads += 1;
            self.failures += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_last_sleep_ends_at_the_deadline_and_then_the_wait_is_over() {
        let mut p = Polling::new(Some(Duration::from_secs(10)), 1);
        let start = Instant::now();
        assert_eq!(p.wake_at(start, Duration::ZERO), Ok(start));
        p.answered();
        let at = start + Duration::from_secs(8);
        assert_eq!(
            p.wake_at(at, Duration::from_secs(5)),
            Ok(start + Duration::from_secs(10))
        );
        let late = start + Duration::from_secs(10);
        assert_eq!(
            p.wake_at(late, Duration::from_secs(1)),
            Err(Duration::from_secs(10))
        );
    }

    #[test]
    fn failures_in_a_row_are_counted_and_an_answer_resets_them() {
        let mut p = Polling::new(None, 1);
        let flaky = Error::Api {
            status: reqwest::StatusCode::BAD_GATEWAY,
            message: "x".into(),
        };
        assert!(p.failed(&flaky));
        assert!(!p.failed(&flaky), "the budget is one failure in a row");
        p.answered();
        assert!(p.failed(&flaky));
        assert!(
            !p.failed(&Error::InvalidArgument("no".into())),
            "not retryable"
        );
        assert_eq!(p.reads(), 3);
    }
}
