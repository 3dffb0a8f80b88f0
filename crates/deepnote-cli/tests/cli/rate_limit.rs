//! A command that meets Deepnote's rate limit waits it out and says so on stderr: a line in a
//! pipe or CI log (timestamped), on a terminal too, in `-v` logs, and nothing with `--quiet`.
//! The emulator's window is two seconds of real time; no duration is asserted.

use crate::common;

use common::{Emu, deepnote_bin};
use deepnote_emulator::{Faults, RateLimit, RateLimitHeaders};
use std::time::Duration;

const SAID: &str = "rate limited by Deepnote: waiting";

/// The sample key may send one request per two seconds; `Retry-After` says how long to wait.
fn limited() -> Emu {
    let emu = Emu::start();
    emu.emulator().set_faults(Faults {
        rate_limit: Some(RateLimit {
            headers: RateLimitHeaders::parse("retry-after").unwrap(),
            ..RateLimit::new(1, Duration::from_secs(2))
        }),
        ..Faults::none()
    });
    emu
}

/// Spend the window with a command of the same key.
fn spend(emu: &Emu) {
    emu.cmd()
        .args(["me", "--output", "json"])
        .assert()
        .success();
}

#[test]
fn a_wait_is_a_timestamped_line_in_a_pipe_and_the_command_succeeds() {
    let emu = limited();
    spend(&emu);
    let out = emu
        .cmd()
        .args(["projects", "list", "--output", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains(SAID))
        .unwrap_or_else(|| panic!("no rate-limit line: {stderr}"));
    assert!(line.ends_with(" s"), "{line}");
    assert!(line.starts_with("20"), "timestamped: {line}");
    let projects: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        projects.as_array().is_some_and(|p| !p.is_empty()),
        "{projects}"
    );
}

#[test]
fn verbose_logs_the_wait_and_quiet_says_nothing() {
    let emu = limited();
    spend(&emu);
    let out = emu
        .cmd()
        .args(["-v", "projects", "list", "--output", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let logged = stderr
        .lines()
        .any(|l| l.contains("INFO") && l.contains(SAID) && l.contains("wait_s="));
    assert!(logged, "no log line: {stderr}");

    std::thread::sleep(Duration::from_secs(2));
    spend(&emu);
    let out = emu
        .cmd()
        .args(["--quiet", "projects", "list", "--output", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(SAID), "{stderr}");
}

#[test]
fn a_wait_shows_on_a_terminal() {
    let emu = limited();
    spend(&emu);
    let out = emu
        .terminal(&format!("{} projects list", deepnote_bin()))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains(SAID), "{shown}");
}
