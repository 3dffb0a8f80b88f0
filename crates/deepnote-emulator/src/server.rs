//! Starting, controlling and stopping an emulator.

use crate::auth::KeySpec;
use crate::builder::EmulatorBuilder;
use crate::config::EmulatorConfig;
use crate::dialect::Dialect;
use crate::faults::Faults;
use crate::journal::JournalEntry;
use crate::runs::Behaviour;
use crate::shared::Shared;
use crate::state::{BlockRecord, Change, NotebookRecord, RunRecord};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
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

        let shared = Arc::new(Shared::new(&config, addr)?);
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
    pub fn set_behaviour(&self, notebook_id: impl AsRef<str>, behaviour: Behaviour) {
        self.set_behaviour_opt(notebook_id.as_ref(), Some(behaviour));
    }

    /// Let future runs of a notebook behave by default again.
    pub fn clear_behaviour(&self, notebook_id: impl AsRef<str>) {
        self.set_behaviour_opt(notebook_id.as_ref(), None);
    }

    fn set_behaviour_opt(&self, notebook: &str, behaviour: Option<Behaviour>) {
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

    /// Put the virtual clock at `at`, forward or back (to test what depends on the date, such
    /// as a schedule's next run across a daylight-saving change). Going back makes runs
    /// created after `at` look unstarted; set it before creating any.
    pub fn set_clock(&self, at: chrono::DateTime<chrono::Utc>) {
        self.shared.clock.set(at.timestamp_millis());
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
    /// use deepnote_emulator::{BlockRecord, SAMPLE_NOTEBOOK_ID};
    /// emu.add_block(SAMPLE_NOTEBOOK_ID, BlockRecord::input("b-year", "input-text", "year", "2026".into()));
    /// # }
    /// ```
    pub fn add_block(&self, notebook_id: &str, block: BlockRecord) -> bool {
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
    /// such notebook). A shorthand for [`Emulator::add_block`] with [`BlockRecord::input`].
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
        self.add_block(
            notebook_id,
            BlockRecord::input(id.clone(), kind, name, value),
        )
        .then_some(id)
    }

    /// A notebook as stored, with its blocks.
    pub fn notebook_record(&self, notebook_id: &str) -> Option<NotebookRecord> {
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
    pub fn run_record(&self, run_id: &str) -> Option<RunRecord> {
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
