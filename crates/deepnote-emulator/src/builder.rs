//! [`EmulatorBuilder`]: an [`EmulatorConfig`] built step by step.

use crate::auth::KeySpec;
use crate::config::EmulatorConfig;
use crate::dialect::Dialect;
use crate::faults::Faults;
use crate::runs::Behaviour;
use crate::server::{Emulator, EmulatorError};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Builds an [`EmulatorConfig`] step by step and starts it.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct EmulatorBuilder {
    config: EmulatorConfig,
}

impl EmulatorBuilder {
    /// Load the sample workspace, and accept [`SAMPLE_KEY`](crate::SAMPLE_KEY).
    pub fn seed_sample(mut self) -> Self {
        self.config.seed_sample = true;
        self
    }
    /// Accept this API key.
    pub fn key(mut self, key: KeySpec) -> Self {
        self.config.keys.push(key);
        self
    }
    /// Bind this address instead of 127.0.0.1.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.config.host = host;
        self
    }
    /// Bind this port instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }
    /// Keep state in SQLite under `dir`.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config.data_dir = Some(dir.into());
        self
    }
    /// Inject these faults from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.config.faults = faults;
        self
    }
    /// How runs behave for notebooks without a behaviour of their own.
    pub fn default_behaviour(mut self, behaviour: Behaviour) -> Self {
        self.config.default_behaviour = behaviour;
        self
    }
    /// Build snapshot download URLs with this host (e.g. `localhost`, another origin).
    pub fn download_host(mut self, host: impl Into<String>) -> Self {
        self.config.download_host = Some(host.into());
        self
    }
    /// Require this bearer token on the control API.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.config.admin_token = Some(token.into());
        self
    }
    /// Generate ids from this seed.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.config.id_seed = Some(seed);
        self
    }
    /// Start with the clock frozen.
    pub fn freeze_clock(mut self) -> Self {
        self.config.freeze_clock = true;
        self
    }
    /// Deliver snapshots this long after a run's terminal status.
    pub fn snapshot_delay(mut self, delay: Duration) -> Self {
        self.config.snapshot_delay = delay;
        self
    }
    /// Speak this dialect (default [`Dialect::Live`]; [`Dialect::Spec`] for the original spec).
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.config.dialect = dialect;
        self
    }
    /// In the live dialect, use the other shapes Deepnote's client tolerates on this share
    /// (0..=1) of the answers that have one (see [`EmulatorConfig::alternate_shapes`]).
    pub fn alternate_shapes(mut self, share: f64) -> Self {
        self.config.alternate_shapes = share;
        self
    }
    /// A new Streamlit app is `starting` this long on the emulator's clock (its project
    /// machine restarting), then `running` (see [`EmulatorConfig::streamlit_start_delay`]).
    pub fn streamlit_start_delay(mut self, delay: Duration) -> Self {
        self.config.streamlit_start_delay = delay;
        self
    }
    /// The configuration built so far.
    pub fn config(self) -> EmulatorConfig {
        self.config
    }
    /// Start the emulator.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        Emulator::start(self.config).await
    }
}
