//! Optional persistence in SQLite (WAL mode).
//!
//! Every mutation is written in one transaction before it is applied in memory and answered,
//! so an acknowledged write survives even `kill -9`. Run statuses are derived from the clock,
//! whose settings are stored too, so unfinished runs resume where they were.

use crate::clock::ClockState;
use crate::state::{
    Change, FileRecord, NotebookRecord, ProjectRecord, RunRecord, ScheduleRecord, Session, Store,
    StreamlitAppRecord,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The database file inside the data directory.
pub const DB_FILE: &str = "deepnote-emulator.sqlite3";

/// An open database.
#[derive(Debug)]
pub struct Persist {
    conn: Connection,
}

/// What was loaded from a data directory.
pub struct Loaded {
    /// The entities.
    pub store: Store,
    /// The page-token secret.
    pub secret: [u8; 32],
    /// The snapshot-URL secret.
    pub snapshot_secret: [u8; 32],
    /// The clock's settings.
    pub clock: ClockState,
}

type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

impl Persist {
    /// Open (or create) the database under `dir` and load what it holds.
    pub fn open(dir: &Path) -> R<(Persist, Loaded)> {
        std::fs::create_dir_all(dir)?;
        let conn = Connection::open(dir.join(DB_FILE))?;
        // NORMAL keeps committed transactions across a process crash (the WAL is in the OS's
        // hands once written); only a power loss could drop the last ones.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS notebooks (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, notebook_id TEXT NOT NULL, project_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS schedules (id TEXT PRIMARY KEY, notebook_id TEXT NOT NULL, project_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS files (project_id TEXT NOT NULL, path TEXT NOT NULL, updated_at INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (project_id, path));
             CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS streamlit_apps (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS behaviours (notebook_id TEXT PRIMARY KEY, data TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS notebooks_project ON notebooks(project_id);
             CREATE INDEX IF NOT EXISTS runs_notebook ON runs(notebook_id);
             CREATE INDEX IF NOT EXISTS runs_project ON runs(project_id);",
        )?;
        let p = Persist { conn };
        let loaded = p.load()?;
        Ok((p, loaded))
    }

    fn meta(&self, key: &str) -> R<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(conn: &Connection, key: &str, value: &str) -> R<()> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The secret stored under `key`, made and stored on first use, so tokens signed with it
    /// survive a restart.
    fn secret(&self, key: &str) -> R<[u8; 32]> {
        if let Some(stored) = self.meta(key)?.as_deref().and_then(crate::codec::unhex)
            && let Ok(secret) = <[u8; 32]>::try_from(stored)
        {
            return Ok(secret);
        }
        let secret = crate::codec::random_secret();
        Self::set_meta(&self.conn, key, &crate::codec::hex(&secret))?;
        Ok(secret)
    }

    fn load(&self) -> R<Loaded> {
        let secret = self.secret("secret")?;
        let snapshot_secret = self.secret("snapshot-secret")?;
        let clock = match self.meta("clock")? {
            Some(json) => serde_json::from_str(&json)?,
            None => ClockState::default(),
        };
        let mut store = Store::default();
        if let Some(e) = self.meta("epoch")? {
            store.set_epoch(e.parse()?);
        }
        for (table, kind) in [
            ("projects", 0),
            ("notebooks", 1),
            ("runs", 2),
            ("schedules", 3),
        ] {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT data FROM {table} ORDER BY seq"))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                let data = row?;
                store.apply(match kind {
                    0 => Change::PutProject(serde_json::from_str::<ProjectRecord>(&data)?),
                    1 => Change::PutNotebook(serde_json::from_str::<NotebookRecord>(&data)?),
                    3 => Change::PutSchedule(serde_json::from_str::<ScheduleRecord>(&data)?),
                    _ => Change::PutRun(serde_json::from_str::<RunRecord>(&data)?),
                });
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT project_id, path, updated_at, data FROM files")?;
        let rows = stmt.query_map([], |r| {
            Ok(FileRecord {
                project_id: r.get(0)?,
                path: r.get(1)?,
                updated_at: r.get(2)?,
                bytes: bytes::Bytes::from(r.get::<_, Vec<u8>>(3)?),
            })
        })?;
        for row in rows {
            store.apply(Change::PutFile(row?));
        }
        let mut stmt = self.conn.prepare("SELECT data FROM sessions")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            store.apply(Change::PutSession(serde_json::from_str::<Session>(&row?)?));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT data FROM streamlit_apps ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in rows {
            store.apply(Change::PutStreamlitApp(serde_json::from_str::<
                StreamlitAppRecord,
            >(&row?)?));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT notebook_id, data FROM behaviours")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (nb, data) = row?;
            store.apply(Change::SetBehaviour(nb, Some(serde_json::from_str(&data)?)));
        }
        Ok(Loaded {
            store,
            secret,
            snapshot_secret,
            clock,
        })
    }

    /// Write `changes` in one transaction (`store` is the state they apply to).
    pub fn write(&mut self, store: &Store, changes: &[Change]) -> R<()> {
        let tx = self.conn.transaction()?;
        for c in changes {
            match c {
                Change::PutProject(p) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO projects (id, seq, data) VALUES (?1, ?2, ?3)",
                        params![p.id, p.seq as i64, serde_json::to_string(p)?],
                    )?;
                }
                Change::PutNotebook(n) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO notebooks (id, project_id, seq, data) VALUES (?1, ?2, ?3, ?4)",
                        params![n.id, n.project_id, n.seq as i64, serde_json::to_string(n)?],
                    )?;
                }
                Change::PutRun(r) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO runs (id, notebook_id, project_id, seq, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![r.id, r.notebook_id, r.project_id, r.seq as i64, serde_json::to_string(r)?],
                    )?;
                }
                Change::PutSchedule(sc) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO schedules (id, notebook_id, project_id, seq, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![sc.id, sc.notebook_id, sc.project_id, sc.seq as i64, serde_json::to_string(sc)?],
                    )?;
                }
                Change::PutFile(f) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO files (project_id, path, updated_at, data) VALUES (?1, ?2, ?3, ?4)",
                        params![f.project_id, f.path, f.updated_at, f.bytes.as_ref()],
                    )?;
                }
                Change::DeleteFile(project, path) => {
                    tx.execute(
                        "DELETE FROM files WHERE project_id = ?1 AND path = ?2",
                        params![project, path],
                    )?;
                }
                Change::PutSession(se) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO sessions (id, project_id, data) VALUES (?1, ?2, ?3)",
                        params![se.id, se.project_id, serde_json::to_string(se)?],
                    )?;
                }
                Change::PutStreamlitApp(app) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO streamlit_apps (id, project_id, seq, data) VALUES (?1, ?2, ?3, ?4)",
                        params![app.id, app.project_id, app.seq as i64, serde_json::to_string(app)?],
                    )?;
                }
                Change::DeleteProject(id) => {
                    tx.execute("DELETE FROM files WHERE project_id = ?1", [id])?;
                    tx.execute("DELETE FROM streamlit_apps WHERE project_id = ?1", [id])?;
                    tx.execute("DELETE FROM sessions WHERE project_id = ?1", [id])?;
                    tx.execute(
                        "DELETE FROM behaviours WHERE notebook_id IN (SELECT id FROM notebooks WHERE project_id = ?1)",
                        [id],
                    )?;
                    tx.execute("DELETE FROM runs WHERE project_id = ?1", [id])?;
                    tx.execute("DELETE FROM schedules WHERE project_id = ?1", [id])?;
                    tx.execute("DELETE FROM notebooks WHERE project_id = ?1", [id])?;
                    tx.execute("DELETE FROM projects WHERE id = ?1", [id])?;
                }
                Change::DeleteNotebook(id) => {
                    tx.execute("DELETE FROM behaviours WHERE notebook_id = ?1", [id])?;
                    tx.execute("DELETE FROM runs WHERE notebook_id = ?1", [id])?;
                    tx.execute("DELETE FROM schedules WHERE notebook_id = ?1", [id])?;
                    tx.execute("DELETE FROM notebooks WHERE id = ?1", [id])?;
                }
                Change::SetBehaviour(nb, Some(b)) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO behaviours (notebook_id, data) VALUES (?1, ?2)",
                        params![nb, serde_json::to_string(b)?],
                    )?;
                }
                Change::SetBehaviour(nb, None) => {
                    tx.execute("DELETE FROM behaviours WHERE notebook_id = ?1", [nb])?;
                }
                Change::Reset => {
                    tx.execute_batch(
                        "DELETE FROM projects; DELETE FROM notebooks; DELETE FROM runs; DELETE FROM schedules; DELETE FROM files; DELETE FROM sessions; DELETE FROM behaviours; DELETE FROM streamlit_apps;",
                    )?;
                    Self::set_meta(&tx, "epoch", &(store.epoch + 1).to_string())?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Store the clock's settings.
    pub fn save_clock(&mut self, clock: ClockState) -> R<()> {
        Self::set_meta(&self.conn, "clock", &serde_json::to_string(&clock)?)
    }

    /// Fold the WAL into the database file, for a clean stop.
    pub fn flush(&mut self) -> R<()> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}
