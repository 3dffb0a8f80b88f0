//! A loopback emulator on its own runtime, and the `deepnote` binary pointed at it with a clean
//! environment (no profile, no GitHub Actions, no stray DEEPNOTE_* variables).

#![allow(dead_code)]

use assert_cmd::Command;
use deepnote_emulator::{Emulator, KeySpec, Role, SAMPLE_WORKSPACE_ID};
use deepnote_test_support::{Harness, Reply, Stub};

#[allow(unused_imports)]
pub use deepnote_emulator::{SAMPLE_KEY, SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};

/// A viewer of the sample workspace: may read, may not create, delete or run.
pub const VIEWER_KEY: &str = "viewer-key-for-cli-tests";

/// The emulator, served by a runtime of its own so it answers while a test blocks on the CLI.
pub struct Emu {
    pub emu: Option<Emulator>,
    runtime: tokio::runtime::Runtime,
    /// An empty config directory, so no developer's profile leaks into a test.
    pub config: tempfile::TempDir,
}

impl Emu {
    pub fn start() -> Emu {
        Emu::start_with(deepnote_emulator::Dialect::Live)
    }

    /// An emulator answering in this dialect (the live API's, or the original spec's).
    pub fn start_with(dialect: deepnote_emulator::Dialect) -> Emu {
        let runtime = deepnote_test_support::harness::runtime(1);
        let emu = runtime
            .block_on(
                Emulator::builder()
                    .dialect(dialect)
                    .seed_sample()
                    .key(
                        KeySpec::new(VIEWER_KEY)
                            .workspace(SAMPLE_WORKSPACE_ID)
                            .user("viewer")
                            .access(Role::Viewer),
                    )
                    .start(),
            )
            .unwrap();
        Emu {
            emu: Some(emu),
            runtime,
            config: tempfile::tempdir().unwrap(),
        }
    }

    pub fn emulator(&self) -> &Emulator {
        self.emu.as_ref().unwrap()
    }

    pub fn base_url(&self) -> String {
        self.emulator().base_url().to_string()
    }

    /// `deepnote --base-url <emulator>` with the sample key in `DEEPNOTE_API_KEY`.
    pub fn cmd(&self) -> Command {
        let mut cmd = bare(self.config.path());
        cmd.env("DEEPNOTE_API_KEY", SAMPLE_KEY)
            .args(["--base-url", &self.base_url()]);
        cmd
    }

    /// The same, with another key.
    pub fn cmd_with_key(&self, key: &str) -> Command {
        let mut cmd = self.cmd();
        cmd.env("DEEPNOTE_API_KEY", key);
        cmd
    }

    /// `shell` (a line for `sh -c`, naming `deepnote` by [`deepnote_bin`]) on a pty from
    /// `script` (util-linux), so its stdin, stdout and stderr are a terminal; pointed at the
    /// emulator as [`Emu::cmd`] is, in the config directory. `script -e` passes the exit code
    /// on, and what the terminal showed comes on its stdout.
    pub fn terminal(&self, shell: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", shell, "/dev/null"])
            .env("DEEPNOTE_CONFIG_DIR", self.config.path())
            .current_dir(self.config.path())
            .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
            .env("DEEPNOTE_BASE_URL", self.base_url())
            .env("TERM", "xterm")
            .env_remove("COLUMNS");
        cmd
    }
}

/// The `deepnote` binary under test, for a shell line.
pub fn deepnote_bin() -> String {
    assert_cmd::cargo::cargo_bin("deepnote")
        .display()
        .to_string()
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.runtime.block_on(emu.shutdown());
        }
    }
}

/// `deepnote` with a clean environment and this config directory.
pub fn bare(config: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("deepnote").unwrap();
    for var in [
        "DEEPNOTE_API_KEY",
        "DEEPNOTE_TOKEN",
        "DEEPNOTE_BASE_URL",
        "DEEPNOTE_PROFILE",
        "DEEPNOTE_OUTPUT",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "NO_COLOR",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DEEPNOTE_CONFIG_DIR", config);
    // `deepnote run` saves snapshots under the current directory: a test's own, not the repo.
    cmd.current_dir(config);
    cmd
}

/// Runs the command, whatever its outcome; its exit code, stdout and stderr.
pub fn outcome(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the command and parses its stdout as JSON.
pub fn json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A loopback HTTP server that answers fixed bodies by `METHOD /path`, for answers in shapes
/// the emulator does not give (the live API's). Unknown routes get 404.
pub struct Canned {
    pub base_url: String,
    stub: Harness<Stub>,
}

impl Canned {
    pub fn serve(routes: Vec<(&'static str, u16, String)>) -> Canned {
        let stub = Harness::start(1, || {
            Stub::answering(move |seen| {
                let route = format!("{} {}", seen.method, seen.path);
                let (status, text) = routes
                    .iter()
                    .find(|(r, _, _)| *r == route)
                    .map(|(_, s, b)| (*s, b.clone()))
                    .unwrap_or((404, r#"{"message":"no such route"}"#.to_string()));
                json_reply(status, text)
            })
        });
        Canned {
            base_url: stub.url(),
            stub,
        }
    }

    /// `METHOD /path?query` of each request, oldest first.
    pub fn seen(&self) -> Vec<String> {
        self.stub
            .seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect()
    }
}

/// `text` with a JSON content type, whatever it holds.
pub fn json_reply(status: u16, text: String) -> Reply {
    Reply::Full(
        status,
        vec![("content-type", "application/json".into())],
        text,
    )
}
