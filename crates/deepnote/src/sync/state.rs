//! The state a synced folder keeps: for each project, its folder and the export it last
//! matched. Names carry no identity in Deepnote (two projects may share one), so the state
//! maps project ids to folders; the base `modifiedAt` and content hash tell a local edit from
//! a remote one, and are sent back on push for Deepnote's lost-update check.
//!
//! The file is `.deepnote-sync.json` in the shape Deepnote's own CLI writes (version 1,
//! `projects: {id: {dir, notebooks, modifiedAt, contentHash}}`, keys sorted), so a folder
//! synced by either tool can be synced by the other.

use crate::error::{Error, Result};
use crate::files::io_error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The state file's name, at the synced folder's root.
pub const SYNC_STATE_FILE: &str = ".deepnote-sync.json";

/// The largest state file read (a record is a few hundred bytes).
const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SyncState {
    version: u32,
    pub(crate) projects: BTreeMap<String, ProjectRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ProjectRecord {
    /// The project's folder, relative to the root, `/`-separated.
    pub(crate) dir: String,
    /// The notebook files last synced.
    pub(crate) notebooks: Vec<String>,
    #[serde(
        rename = "modifiedAt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) modified_at: Option<String>,
    #[serde(rename = "contentHash")]
    pub(crate) content_hash: String,
    /// Fields this client does not use (Deepnote's CLI's `files`, `pendingFileUploads`),
    /// written back as they were read.
    #[serde(flatten)]
    pub(crate) other: BTreeMap<String, serde_json::Value>,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState {
            version: 1,
            projects: BTreeMap::new(),
        }
    }
}

impl SyncState {
    /// The state under `root`, or an empty one on a first sync. A file that exists but cannot
    /// be read is an error, not an empty state: with no base every project would look new.
    pub(crate) async fn load(root: &Path) -> Result<SyncState> {
        let path = root.join(SYNC_STATE_FILE);
        let meta = match tokio::fs::symlink_metadata(&path).await {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SyncState::default());
            }
            Err(e) => return Err(io_error("cannot read", &path, e)),
        };
        if !meta.is_file() || meta.len() > MAX_STATE_BYTES {
            return Err(Error::InvalidArgument(format!(
                "{} is not a regular file of at most {} MiB",
                path.display(),
                MAX_STATE_BYTES >> 20
            )));
        }
        // Parsed straight from the file, never held whole as text beside the records. A
        // blocking read of a local file of a few hundred KiB, as the save below.
        let file = std::fs::File::open(&path).map_err(|e| io_error("cannot read", &path, e))?;
        let bad = |why: String| {
            Error::InvalidArgument(format!(
                "{} is not a sync state ({why}); fix it, or delete it to sync from scratch",
                path.display()
            ))
        };
        let state: SyncState =
            serde_json::from_reader(std::io::BufReader::new(file.take(MAX_STATE_BYTES)))
                .map_err(|e| bad(e.to_string()))?;
        if state.version != 1 {
            return Err(bad(format!(
                "version {}, this client reads 1",
                state.version
            )));
        }
        for (id, record) in &state.projects {
            if !is_safe_dir(&record.dir) {
                return Err(bad(format!("project {id} has the folder {:?}", record.dir)));
            }
        }
        Ok(state)
    }

    /// Writes the state (through a temporary file, so an interrupted write keeps the old one).
    pub(crate) async fn save(&self, root: &Path) -> Result<()> {
        let path = root.join(SYNC_STATE_FILE);
        let partial = root.join(format!("{SYNC_STATE_FILE}.part"));
        tokio::fs::create_dir_all(root)
            .await
            .map_err(|e| io_error("cannot create the folder", root, e))?;
        // Written as it is serialized: a text of the whole state would double what a sync
        // of a large workspace holds at its end.
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
            serde_json::to_writer_pretty(&mut out, self)?;
            out.write_all(b"\n")?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        };
        write().map_err(|e| io_error("cannot write", &partial, e))?;
        tokio::fs::rename(&partial, &path)
            .await
            .map_err(|e| io_error("cannot write", &path, e))
    }

    /// A folder for a project not yet in the state, as Deepnote's CLI names it: the
    /// workspace's folders down to the project's, then its name, each made safe; the project's
    /// segment gets the start of its id when another project holds that folder (compared
    /// without case, as macOS and Windows do), then the whole id. A folder inside another
    /// project's is no clash: a project is the `.deepnote` files directly in its folder.
    pub(crate) fn new_dir(&self, id: &str, name: &str, folders: &[String]) -> String {
        let mut parent: String = folders.iter().map(|f| path_segment(f) + "/").collect();
        let base = path_segment(name);
        let short: String = id.chars().take(8).collect();
        let leaf = [
            base.clone(),
            format!("{base} ({short})"),
            format!("{base} ({id})"),
        ]
        .into_iter()
        .find(|leaf| {
            let dir = format!("{parent}{leaf}");
            !self.projects.values().any(|r| same_dir(&r.dir, &dir))
        })
        .unwrap_or_else(|| format!("{base} ({id}) ({})", self.projects.len()));
        parent.push_str(&leaf);
        parent
    }

    /// The absolute folder of a record.
    pub(crate) fn path_of(root: &Path, dir: &str) -> PathBuf {
        dir.split('/').fold(root.to_path_buf(), |p, s| p.join(s))
    }
}

fn same_dir(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// A relative, `/`-separated folder with no empty, `.`, `..` or hidden segment.
fn is_safe_dir(dir: &str) -> bool {
    !dir.is_empty()
        && !dir.contains('\\')
        && dir
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.starts_with('.'))
}

/// One folder name from a project's name, safe on Linux, macOS and Windows: characters no
/// file system takes become `_`, trailing dots and spaces go, a hidden or reserved name gets a
/// leading `_`; at most 120 characters.
pub(crate) fn path_segment(name: &str) -> String {
    const MAX: usize = 120;
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "<>:\"/\\|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned: String = cleaned.trim().chars().take(MAX).collect();
    let cleaned = cleaned.trim_end_matches(['.', ' ']);
    let reserved = {
        let lower = cleaned.to_lowercase();
        matches!(lower.as_str(), "con" | "prn" | "aux" | "nul")
            || ((lower.starts_with("com") || lower.starts_with("lpt"))
                && lower.len() == 4
                && lower.as_bytes()[3].is_ascii_digit()
                && lower.as_bytes()[3] != b'0')
    };
    if cleaned.is_empty() {
        "_".into()
    } else if cleaned.starts_with('.') || reserved {
        format!("_{}", cleaned.chars().take(MAX - 1).collect::<String>())
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_safe_folders() {
        assert_eq!(path_segment("Sales report"), "Sales report");
        assert_eq!(path_segment("a/b:c"), "a_b_c");
        assert_eq!(path_segment("../x"), "_.._x");
        assert_eq!(path_segment(".hidden"), "_.hidden");
        assert_eq!(path_segment("trail. . "), "trail");
        assert_eq!(path_segment(""), "_");
        assert_eq!(path_segment("   "), "_");
        assert_eq!(path_segment("CON"), "_CON");
        assert_eq!(path_segment("com1"), "_com1");
        assert_eq!(path_segment("com0"), "com0");
        assert_eq!(path_segment(&"x".repeat(300)).chars().count(), 120);
        for name in ["..", ".", "a\u{0}b", "\\\\"] {
            assert!(is_safe_dir(&path_segment(name)), "{name:?}");
        }
    }

    #[test]
    fn a_taken_folder_gets_the_id() {
        let mut state = SyncState::default();
        let record = |dir: &str| ProjectRecord {
            dir: dir.into(),
            notebooks: vec![],
            modified_at: None,
            content_hash: String::new(),
            other: BTreeMap::new(),
        };
        assert_eq!(state.new_dir("0123456789", "Sales", &[]), "Sales");
        state.projects.insert("a".into(), record("Sales"));
        assert_eq!(
            state.new_dir("0123456789", "sales", &[]),
            "sales (01234567)"
        );
        state
            .projects
            .insert("b".into(), record("sales (01234567)"));
        assert_eq!(
            state.new_dir("0123456789", "Sales", &[]),
            "Sales (0123456789)"
        );
        // Folders nest, made safe segment by segment.
        let folders = ["Team: A".to_string(), "Q4".to_string()];
        assert_eq!(state.new_dir("x", "Report", &folders), "Team_ A/Q4/Report");
        // Inside another project's folder is no clash: a project is the .deepnote files
        // directly in its folder, never those of its subfolders.
        state.projects.insert("c".into(), record("Reports"));
        assert_eq!(
            state.new_dir("0123456789", "Inner", &["Reports".to_string()]),
            "Reports/Inner"
        );
        assert!(!is_safe_dir("../x") && !is_safe_dir("/x") && !is_safe_dir(".git"));
        assert!(is_safe_dir("a/b c"));
    }

    #[tokio::test]
    async fn the_state_round_trips_and_a_broken_one_is_an_error() {
        let root = deepnote_test_support::scratch::dir("state");
        let empty = SyncState::load(&root).await.unwrap();
        assert!(empty.projects.is_empty());
        let mut state = empty;
        state.projects.insert(
            "p".into(),
            ProjectRecord {
                dir: "P".into(),
                notebooks: vec!["a.deepnote".into()],
                modified_at: Some("2026-01-01T00:00:00.000Z".into()),
                content_hash: "h".into(),
                other: BTreeMap::from([(
                    "files".to_string(),
                    serde_json::json!({"a.csv": {"size": 3}}),
                )]),
            },
        );
        state.save(&root).await.unwrap();
        let text = std::fs::read_to_string(root.join(SYNC_STATE_FILE)).unwrap();
        assert!(text.contains("\"contentHash\": \"h\""), "{text}");
        assert!(text.contains("\"version\": 1"), "{text}");
        assert!(
            text.contains("\"a.csv\""),
            "Deepnote's CLI's fields are kept: {text}"
        );
        let back = SyncState::load(&root).await.unwrap();
        assert_eq!(back.projects, state.projects);
        for broken in [
            "{",
            r#"{"version": 2, "projects": {}}"#,
            r#"{"version": 1, "projects": {"p": {"dir": "../up", "notebooks": [], "contentHash": "h"}}}"#,
        ] {
            std::fs::write(root.join(SYNC_STATE_FILE), broken).unwrap();
            assert!(SyncState::load(&root).await.is_err(), "{broken}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
