//! Starting, controlling and stopping an emulator.

use crate::auth::{KeySpec, Keys};
use crate::clock::Clock;
use crate::dialect::Dialect;
use crate::error::ApiError;
use crate::faults::{FaultState, Faults};
use crate::journal::{DEFAULT_JOURNAL_CAPACITY, Journal, JournalEntry};
use crate::pagination::Paginator;
use crate::persist::Persist;
use crate::runs::RunBehaviour;
use crate::state::{Block, Change, Notebook, Run, Store};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Why an emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// The data directory could not be opened or read.
    #[error("persistence: {0}")]
    Persist(String),
    /// The configuration contradicts itself.
    #[error("configuration: {0}")]
    Config(String),
}

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
    pub default_behaviour: RunBehaviour,
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
}

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
            default_behaviour: RunBehaviour::default(),
            download_host: None,
            admin_token: None,
            id_seed: None,
            freeze_clock: false,
            journal_capacity: DEFAULT_JOURNAL_CAPACITY,
            snapshot_delay: Duration::ZERO,
            dialect: Dialect::default(),
            alternate_shapes: 0.0,
        }
    }
}

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
    pub fn default_behaviour(mut self, behaviour: RunBehaviour) -> Self {
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
    /// The configuration built so far.
    pub fn config(self) -> EmulatorConfig {
        self.config
    }
    /// Start the emulator.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        Emulator::start(self.config).await
    }
}

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
    pub default_behaviour: RunBehaviour,
    pub download_host: Option<String>,
    pub admin_token: Option<String>,
    pub addr: SocketAddr,
    pub snapshot_delay_ms: i64,
    pub dialect: Dialect,
    pub alternate_shapes: f64,
    /// The dice for alternate shapes, seeded from the id seed.
    pub alternates: Mutex<fastrand::Rng>,
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

    /// Make `changes` durable (when persisting), then apply them in memory: a write that
    /// cannot be stored is a 500 and changes nothing.
    ///
    /// A change to a notebook also moves its project's `modified_at` to now, here, so no
    /// handler can forget it.
    pub fn commit(&self, store: &mut Store, mut changes: Vec<Change>) -> Result<(), ApiError> {
        self.touch_projects(store, &mut changes);
        if let Some(p) = &self.persist {
            p.lock()
                .expect("persist lock")
                .write(store, &changes)
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot persist a write");
                    ApiError::Server(500, "the emulator could not store the change".into())
                })?;
        }
        for c in changes {
            store.apply(c);
        }
        Ok(())
    }

    fn touch_projects(&self, store: &Store, changes: &mut Vec<Change>) {
        let mut touched: Vec<String> = Vec::new();
        for c in changes.iter() {
            let project = match c {
                Change::PutNotebook(n) => Some(n.project_id.clone()),
                Change::DeleteNotebook(id) => store.notebook(id).map(|n| n.project_id.clone()),
                _ => None,
            };
            if let Some(p) = project.filter(|p| !touched.contains(p)) {
                touched.push(p);
            }
        }
        if touched.is_empty() {
            return;
        }
        let now = self.clock.now_ms();
        for c in changes.iter_mut() {
            if let Change::PutProject(p) = c
                && let Some(i) = touched.iter().position(|t| *t == p.id)
            {
                p.modified_at = now;
                touched.swap_remove(i);
            }
        }
        let deleted = |id: &str| {
            changes
                .iter()
                .any(|c| matches!(c, Change::DeleteProject(d) if d == id))
        };
        let puts: Vec<Change> = touched
            .iter()
            .filter(|id| !deleted(id))
            .filter_map(|id| store.project(id).cloned())
            .map(|mut p| {
                p.modified_at = now;
                Change::PutProject(p)
            })
            .collect();
        changes.extend(puts);
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

    /// When a run that finished at `finished` has its snapshot, at `now`.
    pub fn snapshot_ready(
        &self,
        finished: Option<crate::clock::Millis>,
        now: crate::clock::Millis,
    ) -> Option<crate::clock::Millis> {
        finished.filter(|f| now >= f.saturating_add(self.snapshot_delay_ms))
    }

    /// True when this answer should use an alternate shape (live dialect only).
    pub fn alternate(&self) -> bool {
        self.dialect.is_live()
            && self.alternate_shapes > 0.0
            && self.alternates.lock().expect("dice lock").f64() < self.alternate_shapes
    }

    /// Suspend or resume a project; false if there is no such project.
    pub fn set_suspended(&self, project: &str, suspended: bool) -> Result<bool, ApiError> {
        let mut store = self.store.write().expect("store lock");
        let Some(mut p) = store.project(project).cloned() else {
            return Ok(false);
        };
        p.suspended = suspended;
        self.commit(&mut store, vec![Change::PutProject(p)])?;
        Ok(true)
    }

    /// The behaviour a new run of `notebook` gets.
    pub fn behaviour_for(&self, store: &Store, notebook: &str) -> RunBehaviour {
        store
            .behaviour(notebook)
            .cloned()
            .unwrap_or_else(|| self.default_behaviour.clone())
    }
}

/// A running emulator. Dropping it stops it; [`Emulator::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// A builder with the defaults of [`EmulatorConfig::default`].
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Start an emulator with `config`, serving on a background task.
    pub async fn start(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        config.faults.validate().map_err(EmulatorError::Config)?;
        if !(0.0..=1.0).contains(&config.alternate_shapes) {
            return Err(EmulatorError::Config(format!(
                "alternate_shapes must be a share from 0 to 1, got {}",
                config.alternate_shapes
            )));
        }
        let bind = SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| EmulatorError::Bind(bind, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| EmulatorError::Bind(bind, e))?;

        let clock = Clock::new();
        let (store, persist, secret) = match &config.data_dir {
            Some(dir) => {
                let (p, loaded) =
                    Persist::open(dir).map_err(|e| EmulatorError::Persist(e.to_string()))?;
                clock.restore(loaded.clock);
                (loaded.store, Some(Mutex::new(p)), loaded.secret)
            }
            None => (Store::default(), None, random_secret()),
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
        let shared = Arc::new(Shared {
            store: RwLock::new(store),
            clock,
            ids: Mutex::new(ids),
            keys: RwLock::new(keys),
            faults: FaultState::new(config.faults.clone()),
            journal: Journal::new(config.journal_capacity),
            persist,
            pages: Paginator::new(secret),
            default_behaviour: config.default_behaviour.clone(),
            download_host: config.download_host.clone(),
            admin_token: config.admin_token.clone(),
            addr,
            stop: watch::channel(false).0,
            snapshot_delay_ms: i64::try_from(config.snapshot_delay.as_millis())
                .unwrap_or(i64::MAX / 4),
            dialect: config.dialect,
            alternate_shapes: config.alternate_shapes,
            alternates: Mutex::new(alternates),
        });
        if config.seed_sample {
            crate::seed::seed_sample(&shared).map_err(|e| EmulatorError::Persist(e.to_string()))?;
        }
        shared.save_clock();

        let app = crate::routes::router(shared.clone());
        let mut stopped = shared.stop.subscribe();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "server stopped with an error");
            }
        });
        tracing::info!(%addr, "deepnote emulator listening");
        Ok(Emulator {
            shared,
            addr,
            base_url: format!("http://{addr}"),
            task: Some(task),
        })
    }

    /// `http://HOST:PORT`: the API is under `/v2` and `/v1`, the control API under `/_emulator`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The dialect it speaks.
    pub fn dialect(&self) -> Dialect {
        self.shared.dialect
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key [`EmulatorBuilder::seed_sample`] configures (admin of the sample workspace).
    pub fn sample_key(&self) -> &'static str {
        crate::seed::SAMPLE_KEY
    }

    /// Set how future runs of a notebook behave.
    pub fn set_behaviour(&self, notebook_id: impl AsRef<str>, behaviour: RunBehaviour) {
        self.set_behaviour_opt(notebook_id.as_ref(), Some(behaviour));
    }

    /// Let future runs of a notebook behave by default again.
    pub fn clear_behaviour(&self, notebook_id: impl AsRef<str>) {
        self.set_behaviour_opt(notebook_id.as_ref(), None);
    }

    fn set_behaviour_opt(&self, notebook: &str, behaviour: Option<RunBehaviour>) {
        let mut store = self.shared.store.write().expect("store lock");
        let change = Change::SetBehaviour(notebook.to_string(), behaviour);
        if let Err(e) = self.shared.commit(&mut store, vec![change]) {
            tracing::error!(error = %e, "cannot set a behaviour");
        }
    }

    /// Replace the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// The injected faults.
    pub fn faults(&self) -> Faults {
        self.shared.faults.get()
    }

    /// Move the virtual clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.save_clock();
    }

    /// Freeze (`true`) or unfreeze the virtual clock.
    pub fn freeze_clock(&self, frozen: bool) {
        self.shared.clock.freeze(frozen);
        self.shared.save_clock();
    }

    /// The virtual time now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(self.shared.clock.now_ms()).unwrap_or_default()
    }

    /// Every API request handled (up to the journal's capacity), oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.entries()
    }

    /// Forget the journal.
    pub fn clear_journal(&self) {
        self.shared.journal.clear();
    }

    /// Forget every project, notebook, run and behaviour (keys stay).
    pub fn reset(&self) {
        let mut store = self.shared.store.write().expect("store lock");
        if let Err(e) = self.shared.commit(&mut store, vec![Change::Reset]) {
            tracing::error!(error = %e, "cannot reset");
        }
    }

    /// Load the sample workspace (a no-op if it is there) and accept its key.
    pub fn seed_sample(&self) {
        self.shared
            .keys
            .write()
            .expect("keys lock")
            .add(crate::seed::sample_key_spec());
        if let Err(e) = crate::seed::seed_sample(&self.shared) {
            tracing::error!(error = %e, "cannot seed");
        }
    }

    /// Suspend (`true`) or resume a project: while suspended, its runs answer 409.
    /// Returns false if there is no such project.
    pub fn suspend_project(&self, project_id: &str, suspended: bool) -> bool {
        self.shared
            .set_suspended(project_id, suspended)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot suspend");
                false
            })
    }

    /// Set a project's `projectType` (`standard`, `notebook` or `agent`; the live API creates
    /// only `standard` projects). Returns false if there is no such project.
    pub fn set_project_type(&self, project_id: &str, project_type: &str) -> bool {
        let mut store = self.shared.store.write().expect("store lock");
        let Some(mut p) = store.project(project_id).cloned() else {
            return false;
        };
        p.project_type = project_type.to_string();
        if let Err(e) = self.shared.commit(&mut store, vec![Change::PutProject(p)]) {
            tracing::error!(error = %e, "cannot set a project type");
            return false;
        }
        true
    }

    /// Append `block` to notebook `notebook_id` (or replace the block with its id), as if a
    /// user had added it in Deepnote: it shows in `GET /notebooks/{id}` (`blocks`, and `inputs`
    /// for an input block), in runs' input checks and in snapshots. Returns false if there is
    /// no such notebook (or the change could not be stored).
    ///
    /// ```no_run
    /// # async fn demo(emu: deepnote_emulator::Emulator) {
    /// use deepnote_emulator::{Block, SAMPLE_NOTEBOOK_ID};
    /// emu.add_block(SAMPLE_NOTEBOOK_ID, Block::input("b-year", "input-text", "year", "2026".into()));
    /// # }
    /// ```
    pub fn add_block(&self, notebook_id: &str, block: Block) -> bool {
        let mut store = self.shared.store.write().expect("store lock");
        let Some(mut n) = store.notebook(notebook_id).cloned() else {
            return false;
        };
        match n.blocks.iter_mut().find(|b| b.id == block.id) {
            Some(old) => *old = block,
            None => n.blocks.push(block),
        }
        if let Err(e) = self.shared.commit(&mut store, vec![Change::PutNotebook(n)]) {
            tracing::error!(error = %e, "cannot add a block");
            return false;
        }
        true
    }

    /// Append an input block of `kind` (`input-text`, `input-slider`, `input-checkbox`, ...)
    /// (or `text`, `slider`, ...: the prefix is added) that sets variable `name` to `value`,
    /// with a new id, returned (`None` if there is no
    /// such notebook). A shorthand for [`Emulator::add_block`] with [`Block::input`].
    pub fn add_input_block(
        &self,
        notebook_id: &str,
        name: &str,
        kind: &str,
        value: serde_json::Value,
    ) -> Option<String> {
        let id = self.shared.new_id();
        // `text` is short for `input-text`.
        let kind = match kind.strip_prefix("input-") {
            Some(_) => kind.to_string(),
            None => format!("input-{kind}"),
        };
        self.add_block(notebook_id, Block::input(id.clone(), kind, name, value))
            .then_some(id)
    }

    /// A notebook as stored, with its blocks.
    pub fn notebook_record(&self, notebook_id: &str) -> Option<Notebook> {
        self.shared
            .store
            .read()
            .expect("store lock")
            .notebook(notebook_id)
            .cloned()
    }

    /// Accept another API key.
    pub fn add_key(&self, key: KeySpec) {
        self.shared.keys.write().expect("keys lock").add(key);
    }

    /// Everything recorded about a run, including what its request asked for.
    pub fn run_record(&self, run_id: &str) -> Option<Run> {
        self.shared
            .store
            .read()
            .expect("store lock")
            .run(run_id)
            .cloned()
    }

    /// Stop taking connections, finish the requests in flight, and flush state.
    pub async fn shutdown(mut self) {
        self.stop_and_wait().await;
    }

    /// Resolves once a stop was asked for (`POST /_emulator/shutdown`, or [`Emulator::shutdown`]);
    /// a binary waits on it next to its signals, then calls [`Emulator::shutdown`].
    pub async fn stop_requested(&self) {
        let mut rx = self.shared.stop.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }

    async fn stop_and_wait(&mut self) {
        self.shared.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(p) = &self.shared.persist
            && let Err(e) = p.lock().expect("persist lock").flush()
        {
            tracing::error!(error = %e, "cannot flush state");
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stop.send_replace(true);
    }
}

fn random_secret() -> [u8; 32] {
    let mut rng = fastrand::Rng::new();
    let mut s = [0u8; 32];
    for b in &mut s {
        *b = rng.u8(..);
    }
    s
}
