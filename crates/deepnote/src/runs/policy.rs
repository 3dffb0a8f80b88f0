//! How often a wait polls a run, and for how long: delays that grow with the time already
//! waited (so requests grow with the log of a run's length) yet never exceed a tenth of it (so
//! a wait returns soon after the run ends); or, when the notebook's recent runs say how long
//! its runs take, one sleep to just before the expected end and dense reads from there.

use crate::client::Client;
use crate::ids::{NotebookId, RunId};
use crate::runs::Run;
use deepnote_api::{Backoff, Jitter, RetryPolicy, with_retry_policy};
use std::time::Duration;

/// How often to poll a run, and for how long.
///
/// Without history, the delay before read `n` is `first_delay * growth^(n-1)`, but never more
/// than `elapsed_fraction` of the time waited so far nor more than `max_delay`, and never less
/// than `first_delay`. With the defaults a run of 5 s or more is seen within 10% of its end
/// (a shorter one within `first_delay`, 470 ms), with reads growing with the log of its length:
/// a 5 s run costs 11 reads, 15 s 23, 60 s 39 (with the read of the empty history, 3x
/// Deepnote's CLI's at those lengths).
///
/// With history (an expected duration `E`: the lower quartile of the creation-to-finish
/// times of the notebook's recent successful runs), the wait sleeps until `E - E/20 - dense_delay` of the
/// run's age, in steps of at most max(2.5 s, a quarter of the age) (so a run that ends far
/// sooner than its history is seen within that) and never more than `max_delay`, then reads
/// every `max(dense_delay, elapsed_fraction / 2 * age)`, and up to `1.1 E` at most max(1 s,
/// 0.5% of the age) apart: within max(250 ms, 5%) of the run's end with the defaults, and
/// within max(1 s, 0.5%) of an end near `E`. A run still going at twice `E` is polled as
/// without history.
///
/// `jitter` spreads each delay by up to that fraction either way (none by default: the
/// bounds above hold exactly, and one wait has no one to desynchronise from).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WaitPolicy {
    /// The shortest delay while nothing says how long the run takes, and the delay before the
    /// second read.
    pub first_delay: Duration,
    /// The shortest delay near the end its history expects.
    pub dense_delay: Duration,
    /// How much each delay may grow over the one before.
    pub growth: f64,
    /// The largest fraction of the time waited so far that one delay may take.
    pub elapsed_fraction: f64,
    /// The longest delay.
    pub max_delay: Duration,
    /// Random spread of each delay, as a fraction (0.1: ±10%).
    pub jitter: f64,
    /// Give up with [`Error::Timeout`](crate::Error::Timeout) after this long; `None` waits as long as it takes.
    pub deadline: Option<Duration>,
    /// Give up after this many failed polls in a row that may succeed if tried again (after
    /// the client's own retries); other errors end the wait at once.
    pub max_failed_polls: u32,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        // Without history, 470 ms: 11 reads cover a 5 s run, which with the read of its (empty)
        // history is 3x the 4 of Deepnote's CLI (a read every 2 s), and 30 ms of the 500 ms
        // bound (10%) are left to the read that sees the end. Keeping 250 ms for runs under
        // 2.5 s would cost about 20 reads at 5 s: a run that short is seen within 470 ms.
        // With history, 215 ms and 9.5% / 2 leave 35 ms and a quarter percent of the 250 ms /
        // 5% bound to that read (on a busy machine 25 ms was once not enough).
        WaitPolicy {
            first_delay: Duration::from_millis(470),
            dense_delay: Duration::from_millis(215),
            growth: 1.5,
            elapsed_fraction: 0.095,
            max_delay: Duration::from_secs(30),
            jitter: 0.0,
            deadline: None,
            max_failed_polls: 5,
        }
    }
}

/// How many of the notebook's most recent successful runs the expected duration is read from.
const HISTORY_RUNS: usize = 10;
/// The runs asked for: one page, enough to find `HISTORY_RUNS` successes among some failures.
const HISTORY_PAGE: u32 = 25;
/// Which of the recent durations is expected: a low one, so that the dense reads begin before
/// all but the quickest runs end.
const HISTORY_PERCENTILE: f64 = 0.25;
/// How long before the expected end the dense reads begin, as a fraction of it (on top of one
/// `dense_delay`).
const HISTORY_MARGIN: f64 = 0.05;
/// Before the expected end, reads are at most this far apart ...
const EARLY_END_STEP: Duration = Duration::from_millis(2500);
/// ... or this fraction of the run's age, when that is longer.
const EARLY_END_FRACTION: f64 = 0.25;
/// Past this many times the expected duration, the history was wrong for this run.
const HISTORY_WINDOW: f64 = 2.0;
/// Up to this many times the expected duration, the dense reads are at most ...
const NEAR_END: f64 = 1.1;
/// ... this far apart, or this fraction of the run's age when that is longer: Deepnote's CLI
/// reads every 2 s, so it sees an end 1 s late on average, and a run of up to 200 s whose
/// end its history foretells is seen sooner than that.
const NEAR_END_STEP: Duration = Duration::from_secs(1);
const NEAR_END_FRACTION: f64 = 0.005;

impl WaitPolicy {
    /// Set the shortest delay without history (and the delay before the second poll).
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// Set the shortest delay near the end the notebook's history expects.
    pub fn dense_delay(mut self, delay: Duration) -> Self {
        self.dense_delay = delay;
        self
    }

    /// Set how much each delay may grow over the one before.
    pub fn growth(mut self, growth: f64) -> Self {
        self.growth = growth;
        self
    }

    /// Set the largest fraction of the time waited so far that one delay may take.
    pub fn elapsed_fraction(mut self, fraction: f64) -> Self {
        self.elapsed_fraction = fraction;
        self
    }

    /// Set the longest delay.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Set the random spread of each delay (0 for none).
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// Give up after this long.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The growth part of the schedule: `first_delay * growth^(read-1)`, capped at `max_delay`.
    fn backoff(&self) -> Backoff {
        let jitter = if self.jitter > 0.0 {
            Jitter::Spread(self.jitter)
        } else {
            Jitter::None
        };
        Backoff::new(self.first_delay, self.max_delay)
            .with_factor(self.growth)
            .with_jitter(jitter)
    }

    /// The delay before read `read` (1-based: read 0 is the immediate first one) after
    /// `elapsed`, without history, jitter or deadline.
    pub(crate) fn nominal_delay(&self, read: u32, elapsed: Duration) -> Duration {
        let grown = self.backoff().nominal(read);
        self.share(elapsed, self.elapsed_fraction, self.first_delay)
            .min(grown)
            .min(self.max_delay)
    }

    /// `fraction` of `elapsed`, at least `floor`.
    fn share(&self, elapsed: Duration, fraction: f64, floor: Duration) -> Duration {
        let secs = elapsed.as_secs_f64() * fraction.max(0.0);
        Duration::try_from_secs_f64(secs)
            .unwrap_or(self.max_delay)
            .max(floor)
    }

    /// The delay before read `read` (1-based) of a run whose age is `age` (at least the time
    /// waited, `elapsed`), when its notebook's runs take about `expected` (`None`: no
    /// history), without jitter or deadline. This is the whole schedule a wait follows.
    pub(crate) fn next_delay(
        &self,
        expected: Option<Duration>,
        read: u32,
        elapsed: Duration,
        age: Duration,
    ) -> Duration {
        let Some(expected) = expected else {
            return self.nominal_delay(read, elapsed);
        };
        let age = age.max(elapsed);
        let margin = expected.mul_f64(HISTORY_MARGIN) + self.dense_delay;
        let wake = expected.saturating_sub(margin);
        if age < wake {
            // Not one blind sleep: a run that ends far sooner than its history (a failure, a
            // smaller input) is still seen within max(2.5 s, 25%) of its end.
            let step = self
                .share(age, EARLY_END_FRACTION, self.dense_delay)
                .max(EARLY_END_STEP);
            (wake - age).min(step).min(self.max_delay)
        } else if age.as_secs_f64() < expected.as_secs_f64() * HISTORY_WINDOW {
            let dense = self.share(age, self.elapsed_fraction / 2.0, self.dense_delay);
            let dense = if age.as_secs_f64() < expected.as_secs_f64() * NEAR_END {
                let near = self.share(age, NEAR_END_FRACTION, self.dense_delay);
                dense.min(near.max(NEAR_END_STEP))
            } else {
                dense
            };
            dense.min(self.max_delay)
        } else {
            self.nominal_delay(read, elapsed)
        }
    }

    /// `next_delay`, spread by the jitter.
    pub(crate) fn delay(
        &self,
        expected: Option<Duration>,
        read: u32,
        elapsed: Duration,
        age: Duration,
    ) -> Duration {
        let nominal = self.next_delay(expected, read, elapsed, age);
        self.backoff().jittered(nominal)
    }

    /// How long the next run of a notebook is expected to take, from its recent runs (newest
    /// first, as `runs().list(..)` lists them): the lower quartile of the creation-to-finish
    /// times of the most recent successful ones. `None` when none of them says.
    pub(crate) fn expected_duration<'a>(
        &self,
        runs: impl IntoIterator<Item = &'a Run>,
    ) -> Option<Duration> {
        let mut took: Vec<Duration> = runs
            .into_iter()
            .filter(|r| r.is_success())
            .filter_map(Run::duration)
            .take(HISTORY_RUNS)
            .collect();
        if took.is_empty() {
            return None;
        }
        took.sort();
        let at = ((took.len() - 1) as f64 * HISTORY_PERCENTILE).floor() as usize;
        Some(took[at])
    }
}

/// The expected duration of `id`'s run from its notebook's recent runs: one request (the first
/// page), sent once; a failure of it is only a wait without history.
pub(crate) async fn expected_from_history(
    client: Client,
    notebook: NotebookId,
    id: RunId,
    policy: WaitPolicy,
) -> Option<Duration> {
    let list = client.runs().list(notebook).page_size(HISTORY_PAGE).send();
    match with_retry_policy(RetryPolicy::none(), list).await {
        Ok(page) => {
            let expected = policy.expected_duration(page.items.iter().filter(|r| r.id != id));
            tracing::debug!(run_id = %id, ?expected, "read the notebook's run history");
            expected
        }
        Err(e) => {
            tracing::debug!(run_id = %id, error = %e, "cannot read the notebook's run history: polling without it");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walk the schedule of a wait on a run just started (its first read comes when a second
    /// would) for a run that ends `run` after the wait began: the reads it takes (the request
    /// for the history not included) and how late the read that sees the end comes.
    fn walk(p: &WaitPolicy, expected: Option<Duration>, run: Duration) -> (u32, Duration) {
        let (mut t, mut reads) = (Duration::ZERO, 0u32);
        while t < run {
            reads += 1;
            t += p.next_delay(expected, reads, t, t);
        }
        (reads, t - run)
    }

    /// Deepnote's CLI reads at once and then every 2 s (`cloud-runs.ts`,
    /// `DEFAULT_POLL_INTERVAL_MS`).
    fn deepnote_cli_reads(run: Duration) -> u32 {
        (run.as_secs_f64() / 2.0).ceil() as u32 + 1
    }

    fn ms(d: Duration) -> u128 {
        d.as_millis()
    }

    #[test]
    fn without_history_delays_grow_then_track_a_tenth_of_the_elapsed_time() {
        let p = WaitPolicy::default();
        assert_eq!(ms(p.nominal_delay(1, Duration::ZERO)), 470);
        // Early on, the elapsed share (floored at the first delay) holds growth back.
        assert_eq!(ms(p.nominal_delay(5, Duration::from_millis(500))), 470);
        assert_eq!(ms(p.nominal_delay(5, Duration::from_secs(10))), 950);
        // ... and growth holds the share back when the wait starts on an old run.
        assert_eq!(ms(p.nominal_delay(2, Duration::from_secs(10))), 705);
        assert_eq!(ms(p.nominal_delay(50, Duration::from_secs(3600))), 30_000);
        assert_eq!(
            p.next_delay(None, 7, Duration::from_secs(20), Duration::from_secs(20)),
            p.nominal_delay(7, Duration::from_secs(20))
        );
    }

    #[test]
    fn without_history_a_wait_ends_within_10_percent_from_5_s_on_and_470_ms_before() {
        let p = WaitPolicy::default();
        for tenth in 1..3000u64 {
            let run = Duration::from_millis(tenth * 100 + 7);
            let (_, late) = walk(&p, None, run);
            // At most max(470 ms, 9.5%) ...
            let schedule = Duration::from_millis(470).max(run.mul_f64(0.095));
            assert!(late <= schedule, "{run:?}: {late:?} late");
            // ... which from 5 s on leaves 30 ms (or half a percent) of the max(250 ms, 10%)
            // bound to the read itself.
            if run >= Duration::from_secs(5) {
                assert!(schedule < Duration::from_millis(250).max(run / 10));
            }
        }
    }

    #[test]
    fn without_history_reads_grow_with_the_log_of_the_wait_within_3x_deepnotes_cli() {
        let p = WaitPolicy::default();
        let reads = |run: Duration| walk(&p, None, run).0;
        let secs = |s: u64| reads(Duration::from_secs(s));
        let (r5, r15, r60, r600) = (secs(5), secs(15), secs(60), secs(600));
        eprintln!("reads without history: 5 s {r5}, 15 s {r15}, 60 s {r60}, 600 s {r600}");
        // Ten times longer costs a constant number more reads, not ten times as many.
        assert!(r600 - r60 < 30, "{r60} {r600}");
        // With the request for the (empty) history, at most 3x Deepnote's CLI's reads at the
        // issue's lengths and for every run past 12 s. Between 5 and 12 s it can be 2 more:
        // there Deepnote's CLI reads every 2 s, so a read at most 10% after the end (at least
        // every 500 ms from 5 s) is more than 3 of its reads in some 2 s windows. Below 5 s a
        // read every 470 ms is more still.
        for quarter in 20..=2400u64 {
            let run = Duration::from_millis(quarter * 250);
            let requests = reads(run) + 1;
            let allowed = 3 * deepnote_cli_reads(run);
            let issue_length = [5, 15, 60].contains(&run.as_secs()) && run.subsec_nanos() == 0;
            let slack = if issue_length || run > Duration::from_secs(12) {
                0
            } else {
                2
            };
            assert!(
                requests <= allowed + slack,
                "{run:?}: {requests} requests, {allowed} allowed"
            );
        }
    }

    #[test]
    fn with_history_one_sleep_then_dense_reads_end_within_max_250ms_or_5_percent() {
        let p = WaitPolicy::default();
        for secs in [1.0, 2.5, 5.0, 15.0, 60.0, 300.0, 3600.0] {
            let run = Duration::from_secs_f64(secs);
            for off in [0.98, 1.0, 1.02] {
                let expected = run.mul_f64(off);
                let (reads, late) = walk(&p, Some(expected), run);
                eprintln!(
                    "with history {secs} s expected {expected:?}: {reads} reads + 1, {late:?} late"
                );
                let bound = Duration::from_millis(250).max(run / 20);
                assert!(
                    late <= bound,
                    "{secs} s, expected {expected:?}: {late:?} late"
                );
                // With the request for the history: at most 2x Deepnote's CLI (from the issue's
                // shortest run, 5 s, on; 1 s takes 5 against its 2).
                let requests = reads + 1;
                assert!(
                    secs < 5.0 || requests <= 2 * deepnote_cli_reads(run),
                    "{secs} s: {requests} requests"
                );
            }
        }
        // Before the expected end, steps of max(2.5 s, a quarter of the age), at most
        // max_delay; the last one ends just before the expected end.
        let e = Duration::from_secs(15);
        let at = |expected: Duration, elapsed: u64, age: u64| {
            ms(p.next_delay(
                Some(expected),
                1,
                Duration::from_secs(elapsed),
                Duration::from_secs(age),
            ))
        };
        assert_eq!(at(e, 0, 0), 2_500);
        assert_eq!(at(e, 10, 10), 2_500);
        assert_eq!(at(e * 100, 100, 100), 25_000);
        assert_eq!(at(e * 100, 200, 200), 30_000);
        // A run older than the wait (by the server's clock) wakes it sooner.
        assert_eq!(at(e, 0, 12), 15_000 - 750 - 215 - 12_000);
        // Near the end: dense, at half the share.
        assert_eq!(
            ms(p.next_delay(
                Some(e),
                2,
                Duration::from_millis(14_500),
                Duration::from_millis(14_500)
            )),
            688
        );
    }

    #[test]
    fn with_history_an_end_near_the_expected_one_is_seen_within_max_1_s_or_half_a_percent() {
        // Deepnote's CLI, reading every 2 s, is 1 s late on average: up to 200 s this is at
        // most that, with fewer reads.
        let p = WaitPolicy::default();
        for secs in [20.0, 30.0, 60.0, 61.3, 200.0, 300.0, 3600.0] {
            let run = Duration::from_secs_f64(secs);
            for off in [0.96, 1.0, 1.04] {
                let (reads, late) = walk(&p, Some(run.mul_f64(off)), run);
                let bound = Duration::from_secs(1).max(run.mul_f64(0.005));
                assert!(
                    late <= bound,
                    "{secs} s, expected {off}x: {late:?} late after {reads} reads"
                );
                assert!(reads < deepnote_cli_reads(run), "{secs} s: {reads} reads");
            }
        }
    }

    #[test]
    fn with_history_a_run_far_quicker_than_expected_is_seen_within_max_2_5s_or_25_percent() {
        let p = WaitPolicy::default();
        for secs in [0.5, 2.0, 10.0, 60.0, 600.0] {
            let run = Duration::from_secs_f64(secs);
            for ratio in [2.0, 10.0, 100.0] {
                let (_, late) = walk(&p, Some(run.mul_f64(ratio)), run);
                let bound = Duration::from_millis(2500).max(run / 4);
                assert!(late <= bound, "{secs} s at {ratio}x: {late:?} late");
            }
        }
    }

    #[test]
    fn with_history_a_run_slower_than_expected_keeps_the_10_percent_bound() {
        let p = WaitPolicy::default();
        for secs in [2.0, 5.0, 15.0, 60.0, 600.0] {
            let run = Duration::from_secs_f64(secs);
            for ratio in [0.3, 0.5, 0.8] {
                let (reads, late) = walk(&p, Some(run.mul_f64(ratio)), run);
                let bound = Duration::from_millis(250).max(run / 10);
                assert!(late <= bound, "{secs} s at {ratio}: {late:?} late");
                assert!(
                    reads <= walk(&p, None, run).0 + 20,
                    "{secs} s at {ratio}: {reads}"
                );
            }
        }
    }

    fn run(status: &str, took_ms: Option<i64>) -> Run {
        let created = chrono::DateTime::<chrono::Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        Run {
            id: RunId::from(uuid::Uuid::nil()),
            notebook_id: None,
            status: deepnote_api::RunStatus::from(status),
            created_at: Some(created),
            finished_at: took_ms.map(|ms| created + chrono::TimeDelta::milliseconds(ms)),
            error: None,
            snapshot: None,
            snapshot_blocks: None,
        }
    }

    #[test]
    fn the_expected_duration_is_the_lower_quartile_of_recent_successes() {
        let p = WaitPolicy::default();
        assert_eq!(p.expected_duration(&[]), None);
        // Failures, unfinished runs and runs still going say nothing.
        let none = [
            run("error", Some(100)),
            run("success", None),
            run("running", None),
        ];
        assert_eq!(p.expected_duration(&none), None);
        let one = [run("success", Some(5_000))];
        assert_eq!(p.expected_duration(&one), Some(Duration::from_secs(5)));
        let mut runs: Vec<Run> = [9, 5, 6, 20, 7, 5]
            .iter()
            .map(|s| run("success", Some(s * 1000)))
            .collect();
        runs.insert(2, run("error", Some(1)));
        // Sorted 5 5 6 7 9 20: the lower quartile is the second.
        assert_eq!(p.expected_duration(&runs), Some(Duration::from_secs(5)));
        // Only the ten most recent successes count (newest first).
        let mut many: Vec<Run> = (0..10).map(|_| run("success", Some(60_000))).collect();
        many.extend((0..20).map(|_| run("success", Some(1_000))));
        assert_eq!(p.expected_duration(&many), Some(Duration::from_secs(60)));
    }

    #[test]
    fn jitter_spreads_by_at_most_its_fraction_and_none_is_exact() {
        let p = WaitPolicy::default();
        let t = Duration::from_secs(30);
        for read in 1..50 {
            assert_eq!(p.delay(None, read, t, t), p.next_delay(None, read, t, t));
        }
        let spread = WaitPolicy::default().jitter(0.1);
        let nominal = spread.next_delay(None, 20, t, t);
        let delays: Vec<Duration> = (0..200).map(|_| spread.delay(None, 20, t, t)).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= nominal.mul_f64(0.9) && *d <= nominal.mul_f64(1.1))
        );
        assert!(delays.iter().any(|d| *d != nominal), "no spread at all");
    }
}
