//! The domain rules every write path shares, kept on [`Shared`] so no handler can skip them:
//! writes are durable before they are visible, a notebook change touches its project's
//! `modifiedAt`, snapshots appear after the configured delay, a suspended project refuses runs.

use crate::clock::Millis;
use crate::error::Refusal;
use crate::runs::Behaviour;
use crate::shared::Shared;
use crate::state::{Change, Store};

impl Shared {
    /// Make `changes` durable (when persisting), then apply them in memory: a write that
    /// cannot be stored is a 500 and changes nothing.
    ///
    /// A change to a notebook also moves its project's `modified_at` to now, here, so no
    /// handler can forget it.
    pub fn commit(&self, store: &mut Store, mut changes: Vec<Change>) -> Result<(), Refusal> {
        self.touch_projects(store, &mut changes);
        if let Some(p) = &self.persist {
            p.lock()
                .expect("persist lock")
                .write(store, &changes)
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot persist a write");
                    Refusal::Server(500, "the emulator could not store the change".into())
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

    /// When a run that finished at `finished` has its snapshot, at `now`.
    pub fn snapshot_ready(&self, finished: Option<Millis>, now: Millis) -> Option<Millis> {
        finished.filter(|f| now >= f.saturating_add(self.snapshot_delay_ms))
    }

    /// Suspend or resume a project; false if there is no such project.
    pub fn set_suspended(&self, project: &str, suspended: bool) -> Result<bool, Refusal> {
        let mut store = self.store.write().expect("store lock");
        let Some(mut p) = store.project(project).cloned() else {
            return Ok(false);
        };
        p.suspended = suspended;
        self.commit(&mut store, vec![Change::PutProject(p)])?;
        Ok(true)
    }

    /// The behaviour a new run of `notebook` gets.
    pub fn behaviour_for(&self, store: &Store, notebook: &str) -> Behaviour {
        store
            .behaviour(notebook)
            .cloned()
            .unwrap_or_else(|| self.default_behaviour.clone())
    }
}
