//! What an emulator is started with.

use crate::auth::KeySpec;
use crate::dialect::Dialect;
use crate::faults::Faults;
use crate::journal::DEFAULT_JOURNAL_CAPACITY;
use crate::runs::Behaviour;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// Everything an emulator is started with.
///
/// Its `Debug` output leaves the admin token and the keys' secrets out.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Address to bind (default 127.0.0.1).
    pub host: IpAddr,
    /// Port to bind (default 0: a free one).
    pub port: u16,
    /// The API keys accepted.
    pub keys: Vec<KeySpec>,
    /// Load the sample workspace (and accept [`SAMPLE_KEY`](crate::SAMPLE_KEY)).
    pub seed_sample: bool,
    /// Keep state in SQLite under this directory.
    pub data_dir: Option<PathBuf>,
    /// Faults to inject from the start.
    pub faults: Faults,
    /// How runs behave for notebooks without a behaviour of their own.
    pub default_behaviour: Behaviour,
    /// Build snapshot download URLs with this host (e.g. `localhost`) instead of the one the
    /// request was sent to, so downloads live on another origin.
    pub download_host: Option<String>,
    /// Require `Authorization: Bearer <token>` on the control API (`/_emulator/`).
    pub admin_token: Option<String>,
    /// Seed for generated ids; the same seed and requests give the same ids.
    pub id_seed: Option<u64>,
    /// Start with the clock frozen.
    pub freeze_clock: bool,
    /// How many requests the journal keeps.
    pub journal_capacity: usize,
    /// How long after a run's terminal status its snapshot appears (Deepnote: "a moment
    /// after"); zero by default. In [`Dialect::Live`], inline delivery answers an empty
    /// `snapshotContent` during the delay, as the service does.
    pub snapshot_delay: Duration,
    /// The API the emulator speaks (default [`Dialect::Live`]).
    pub dialect: Dialect,
    /// In [`Dialect::Live`], the share (0..=1) of answers that use the other shapes Deepnote's
    /// client tolerates (a nested `snapshot{}`, `{"run": {"id", ...}}` from `POST /runs`, `id`
    /// for `runId`); 0 by default. Drawn from the id seed, so reproducible with one.
    pub alternate_shapes: f64,
    /// How long (on the emulator's clock) a project machine takes to restart for a new
    /// Streamlit app: the app is `starting` that long, then `running` (default 2 s).
    pub streamlit_start_delay: Duration,
}

/// The default [`EmulatorConfig::streamlit_start_delay`].
pub const DEFAULT_STREAMLIT_START_DELAY: Duration = Duration::from_secs(2);

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("keys", &self.keys)
            .field("seed_sample", &self.seed_sample)
            .field("data_dir", &self.data_dir)
            .field("faults", &self.faults)
            .field("default_behaviour", &self.default_behaviour)
            .field("download_host", &self.download_host)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("id_seed", &self.id_seed)
            .field("freeze_clock", &self.freeze_clock)
            .field("journal_capacity", &self.journal_capacity)
            .field("snapshot_delay", &self.snapshot_delay)
            .field("dialect", &self.dialect)
            .field("alternate_shapes", &self.alternate_shapes)
            .field("streamlit_start_delay", &self.streamlit_start_delay)
            .finish()
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            keys: Vec::new(),
            seed_sample: false,
            data_dir: None,
            faults: Faults::default(),
            default_behaviour: Behaviour::default(),
            download_host: None,
            admin_token: None,
            id_seed: None,
            freeze_clock: false,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
            snapshot_delay: Duration::ZERO,
            dialect: Dialect::default(),
            alternate_shapes: 0.0,
            streamlit_start_delay: DEFAULT_STREAMLIT_START_DELAY,
        }
    }
}
