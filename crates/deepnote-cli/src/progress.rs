//! Progress while a run is watched: a spinner with the status and elapsed time on a terminal,
//! one timestamped line per status change otherwise, so a CI log reads as a history rather than
//! a mess of carriage returns. All of it goes to stderr; `--quiet` silences it.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant, SystemTime};

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A spinner that redraws in place (stderr is a terminal).
    Spinner,
    /// Plain lines with a UTC timestamp (CI logs, files, pipes).
    Lines,
    /// Nothing (`--quiet`).
    Silent,
}

impl Mode {
    /// The mode for this process: silent if asked, a spinner on a terminal, lines otherwise.
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Silent
        } else if std::io::stderr().is_terminal() {
            Mode::Spinner
        } else {
            Mode::Lines
        }
    }
}

/// Reports the progress of one run.
pub struct Progress {
    mode: Mode,
    label: String,
    started: Instant,
    last: Option<String>,
    bar: Option<ProgressBar>,
    out: Box<dyn Write + Send>,
}

impl Progress {
    /// Starts reporting on stderr for the thing `label` names (such as `run 1234…`).
    pub fn start(mode: Mode, label: impl Into<String>) -> Progress {
        Progress::with_writer(mode, label, Box::new(std::io::stderr()))
    }

    /// Starts reporting to any writer (plain lines only; the spinner draws on stderr).
    pub fn with_writer(
        mode: Mode,
        label: impl Into<String>,
        out: Box<dyn Write + Send>,
    ) -> Progress {
        let label = label.into();
        let bar = (mode == Mode::Spinner).then(|| {
            let bar = ProgressBar::new_spinner();
            let style = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .expect("the template is valid");
            bar.set_style(style);
            bar.set_message(label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            mode,
            label,
            started: Instant::now(),
            last: None,
            bar,
            out,
        }
    }

    /// The run's status as last seen; lines mode prints only changes.
    pub fn status(&mut self, status: &str) {
        if self.last.as_deref() == Some(status) {
            return;
        }
        self.last = Some(status.to_string());
        match self.mode {
            Mode::Spinner => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("{}: {status}", self.label));
                }
            }
            Mode::Lines => self.line(status),
            Mode::Silent => {}
        }
    }

    /// Stops the spinner and reports the outcome once.
    pub fn finish(&mut self, outcome: &str) {
        match self.mode {
            Mode::Spinner => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let elapsed = crate::duration::human(self.started.elapsed());
                let _ = writeln!(self.out, "{}: {outcome} after {elapsed}", self.label);
            }
            Mode::Lines => {
                self.last = None;
                self.line(outcome);
            }
            Mode::Silent => {}
        }
    }

    /// Stops the spinner and prints nothing: the caller says the one line there is to say.
    pub fn abandon(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// How long since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn line(&mut self, status: &str) {
        let now = humantime::format_rfc3339_seconds(SystemTime::now());
        let elapsed = elapsed(self.started.elapsed());
        let _ = writeln!(self.out, "{now} {}: {status} ({elapsed})", self.label);
        let _ = self.out.flush();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A bar for a file upload or download, fed by the SDK's progress callback: drawn on stderr
/// when it is a terminal ([`Mode::Spinner`]); none otherwise, so a CI log or `--quiet` stays
/// free of redraws.
pub struct Transfer {
    bar: Option<ProgressBar>,
}

impl Transfer {
    /// A bar for `label` (`upload data.csv`); `total` bytes when known, else a byte counter.
    pub fn start(mode: Mode, label: &str, total: Option<u64>) -> Transfer {
        if mode != Mode::Spinner {
            return Transfer { bar: None };
        }
        let bar = match total {
            Some(total) => ProgressBar::new(total).with_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                )
                .expect("the template is valid")
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {msg} {bytes} {bytes_per_sec}")
                    .expect("the template is valid"),
            ),
        };
        bar.set_message(label.to_string());
        Transfer::with_bar(bar)
    }

    /// A transfer drawn by this bar (tests give one with a hidden draw target).
    pub fn with_bar(bar: ProgressBar) -> Transfer {
        Transfer { bar: Some(bar) }
    }

    /// Whether a bar is shown.
    #[cfg(test)]
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// The callback to hand the SDK: it moves the bar to the bytes done so far.
    pub fn callback(&self) -> Option<impl Fn(u64) + Send + Sync + 'static + use<>> {
        let bar = self.bar.clone()?;
        Some(move |done: u64| bar.set_position(done))
    }

    /// Bytes done so far, as the bar shows them (0 without a bar).
    #[cfg(test)]
    pub fn position(&self) -> u64 {
        self.bar.as_ref().map_or(0, ProgressBar::position)
    }

    /// Clears the bar; the caller says the one line there is to say.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Transfer {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `--quiet`, for the rate-limit line, which the SDK reports from any request of the command.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether [`rate_limit_wait`] stays silent (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// The SDK's report of a wait for Deepnote's rate limit (every request of the command waits
/// it out together), as a line on stderr: `rate limited by Deepnote: waiting 38 s`, with a
/// timestamp in lines mode. On a terminal it clears the spinner's line first; the spinner
/// redraws below it.
pub fn rate_limit_wait(wait: &deepnote::client::RateLimitWait) {
    let mode = Mode::detect(QUIET.load(std::sync::atomic::Ordering::Relaxed));
    if let Some(line) = rate_limit_line(mode, wait.wait, SystemTime::now()) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }
}

fn rate_limit_line(mode: Mode, wait: Duration, now: SystemTime) -> Option<String> {
    let secs = wait.as_millis().div_ceil(1000);
    let text = format!("rate limited by Deepnote: waiting {secs} s");
    match mode {
        Mode::Spinner => Some(format!("\r\x1b[2K{text}\n")),
        Mode::Lines => Some(format!(
            "{} {text}\n",
            humantime::format_rfc3339_seconds(now)
        )),
        Mode::Silent => None,
    }
}

/// Whole seconds: a line a second would otherwise read `0ms`, `412ms`, `1s`.
fn elapsed(d: Duration) -> String {
    match d.as_secs() {
        0 => "0s".to_string(),
        secs => crate::duration::human(Duration::from_secs(secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_print_each_change_once_with_a_timestamp() {
        let buf = Buf::default();
        let mut progress = Progress::with_writer(Mode::Lines, "run r1", Box::new(buf.clone()));
        progress.status("pending");
        progress.status("pending");
        progress.status("running");
        progress.finish("success");
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].ends_with("run r1: pending (0s)"), "{text}");
        assert!(lines[1].contains("run r1: running"), "{text}");
        assert!(lines[2].contains("run r1: success"), "{text}");
        // An RFC 3339 UTC timestamp leads each line.
        assert!(
            lines
                .iter()
                .all(|l| l.as_bytes()[4] == b'-' && l.contains("Z run")),
            "{text}"
        );
    }

    #[test]
    fn a_transfer_bar_only_on_a_terminal_and_it_follows_the_callback() {
        for mode in [Mode::Lines, Mode::Silent] {
            let transfer = Transfer::start(mode, "upload a", Some(10));
            assert!(!transfer.is_shown(), "{mode:?}");
            assert!(transfer.callback().is_none(), "{mode:?}");
        }
        let bar = ProgressBar::with_draw_target(Some(100), indicatif::ProgressDrawTarget::hidden());
        let transfer = Transfer::with_bar(bar);
        let callback = transfer.callback().expect("a bar takes progress");
        callback(40);
        callback(100);
        assert_eq!(transfer.position(), 100);
    }

    #[test]
    fn a_rate_limit_wait_is_one_line_in_whole_seconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let wait = Duration::from_millis(37_200);
        assert_eq!(
            rate_limit_line(Mode::Lines, wait, now).unwrap(),
            "2027-01-15T08:00:00Z rate limited by Deepnote: waiting 38 s\n"
        );
        let spun = rate_limit_line(Mode::Spinner, wait, now).unwrap();
        assert!(
            spun.ends_with("rate limited by Deepnote: waiting 38 s\n"),
            "{spun:?}"
        );
        assert_eq!(rate_limit_line(Mode::Silent, wait, now), None);
    }

    #[test]
    fn silent_prints_nothing() {
        let buf = Buf::default();
        let mut progress = Progress::with_writer(Mode::Silent, "run r1", Box::new(buf.clone()));
        progress.status("running");
        progress.finish("success");
        assert!(buf.0.lock().unwrap().is_empty());
    }
}
