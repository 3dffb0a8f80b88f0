//! The state every request handler shares, and how it is built from an [`EmulatorConfig`].

use crate::auth::Keys;
use crate::clock::Clock;
use crate::codec::random_secret;
use crate::config::EmulatorConfig;
use crate::dialect::Dialect;
use crate::downloads::Downloads;
use crate::faults::FaultState;
use crate::journal::Journal;
use crate::pagination::Paginator;
use crate::persist::Persist;
use crate::runs::Behaviour;
use crate::server::EmulatorError;
use crate::state::Store;
use std::net::SocketAddr;
use std::sync::{Mutex, RwLock};
use tokio::sync::watch;

/// State shared by every request handler.
pub(crate) struct Shared {
    pub store: RwLock<Store>,
    pub clock: Clock,
    pub ids: Mutex<fastrand::Rng>,
    pub keys: RwLock<Keys>,
    pub faults: FaultState,
    pub journal: Journal,
    pub persist: Option<Mutex<Persist>>,
    pub pages: Paginator,
    pub default_behaviour: Behaviour,
    pub downloads: Downloads,
    pub admin_token: Option<String>,
    pub addr: SocketAddr,
    pub snapshot_delay_ms: i64,
    pub dialect: Dialect,
    pub alternate_shapes: f64,
    /// The dice for alternate shapes, seeded from the id seed.
    pub alternates: Mutex<fastrand::Rng>,
    /// How long a project machine restarting for a Streamlit app takes, in ms.
    pub streamlit_start_ms: i64,
    /// The app viewer tokens minted through the control API, and the runs they started.
    pub viewers: crate::viewer::Viewers,
    /// Set to true to stop the server gracefully (from the library or the control API).
    pub stop: watch::Sender<bool>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Leaves out the admin token and the keys.
        f.debug_struct("Shared")
            .field("addr", &self.addr)
            .field("persistent", &self.persist.is_some())
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The state `config` describes, for a server listening on `addr`: loaded from the data
    /// directory when there is one.
    pub fn new(config: &EmulatorConfig, addr: SocketAddr) -> Result<Shared, EmulatorError> {
        let clock = Clock::new();
        let (store, persist, secret, snapshot_secret) = match &config.data_dir {
            Some(dir) => {
                let (p, loaded) =
                    Persist::open(dir).map_err(|e| EmulatorError::Persist(e.to_string()))?;
                clock.restore(loaded.clock);
                (
                    loaded.store,
                    Some(Mutex::new(p)),
                    loaded.secret,
                    loaded.snapshot_secret,
                )
            }
            None => (Store::default(), None, random_secret(), random_secret()),
        };
        if config.freeze_clock {
            clock.freeze(true);
        }
        let mut keys = Keys::default();
        if config.seed_sample {
            keys.add(crate::seed::sample_key_spec());
        }
        for k in &config.keys {
            keys.add(k.clone());
        }
        let ids = config
            .id_seed
            .map(fastrand::Rng::with_seed)
            .unwrap_or_default();
        // Its own stream, so alternate shapes never shift the ids a seed gives.
        let alternates = config
            .id_seed
            .map(|s| fastrand::Rng::with_seed(s ^ 0x5a3e_a17e_5ba9_e5e5))
            .unwrap_or_default();
        Ok(Shared {
            store: RwLock::new(store),
            clock,
            ids: Mutex::new(ids),
            keys: RwLock::new(keys),
            faults: FaultState::new(config.faults.clone()),
            journal: Journal::new(config.journal_capacity),
            persist,
            pages: Paginator::new(secret),
            default_behaviour: config.default_behaviour.clone(),
            downloads: Downloads::new(snapshot_secret, config.download_host.clone()),
            admin_token: config.admin_token.clone(),
            addr,
            stop: watch::channel(false).0,
            snapshot_delay_ms: i64::try_from(config.snapshot_delay.as_millis())
                .unwrap_or(i64::MAX / 4),
            dialect: config.dialect,
            alternate_shapes: config.alternate_shapes,
            alternates: Mutex::new(alternates),
            streamlit_start_ms: i64::try_from(config.streamlit_start_delay.as_millis())
                .unwrap_or(i64::MAX / 4),
            viewers: crate::viewer::Viewers::default(),
        })
    }

    /// A new random (or seeded) UUID.
    pub fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        let mut rng = self.ids.lock().expect("id lock");
        for b in &mut bytes {
            *b = rng.u8(..);
        }
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// Save the clock's settings (when persisting).
    pub fn save_clock(&self) {
        if let Some(p) = &self.persist
            && let Err(e) = p
                .lock()
                .expect("persist lock")
                .save_clock(self.clock.state())
        {
            tracing::error!(error = %e, "cannot persist the clock");
        }
    }

    /// True when this answer should use an alternate shape (live dialect only).
    pub fn alternate(&self) -> bool {
        self.dialect.is_live()
            && self.alternate_shapes > 0.0
            && self.alternates.lock().expect("dice lock").f64() < self.alternate_shapes
    }
}
