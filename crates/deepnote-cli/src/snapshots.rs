//! Where a run's execution snapshot goes, named the way Deepnote's own CLI names it:
//! `snapshots/<slug>_<projectId>[_<notebookId>]_<timestamp>.snapshot.deepnote` plus a `_latest`
//! copy, or one file (`--snapshot-out PATH`), or stdout (`--snapshot-out -`). The destination is
//! checked before the run starts, so a typo in a path fails in a second, not after an hour.

use crate::exit::{CliError, CliResult};
use chrono::{DateTime, Utc};
use deepnote::{
    Client,
    runs::{Run, Snapshot},
};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// The directory `deepnote run` saves snapshots in, under the current directory.
pub const DEFAULT_DIR: &str = "snapshots";

/// Where the snapshot of a run goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Not saved.
    Nowhere,
    /// Written to stdout (`--snapshot-out -`); the run itself is then not printed there.
    Stdout,
    /// Written to this file.
    File(PathBuf),
    /// A timestamped file and a `_latest` copy in this directory.
    Dir(PathBuf),
}

/// Saved where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The bytes written.
    pub bytes: usize,
    /// The files written (none for stdout).
    pub paths: Vec<PathBuf>,
}

impl Target {
    /// `--snapshot-out` if given (`-` is stdout), else `default`.
    pub fn from_flag(out: Option<&Path>, default: Target) -> Target {
        match out {
            Some(p) if p == Path::new("-") => Target::Stdout,
            Some(p) => Target::File(p.to_path_buf()),
            None => default,
        }
    }

    /// Creates the directories and checks a file can be written there, before anything runs.
    pub fn prepare(&self) -> CliResult {
        match self {
            Target::Nowhere | Target::Stdout => Ok(()),
            Target::Dir(dir) => writable_dir(dir),
            Target::File(path) => {
                if path.is_dir() {
                    return Err(CliError::usage(format!(
                        "--snapshot-out {} is a directory; give a file name",
                        path.display()
                    )));
                }
                if path.exists() {
                    // Opened for writing without truncating: the old content stays until the
                    // run ends and replaces it.
                    OpenOptions::new()
                        .write(true)
                        .open(path)
                        .map(drop)
                        .map_err(|e| cannot_write(path, &e))
                } else {
                    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
                    writable_dir(parent.unwrap_or(Path::new(".")))
                }
            }
        }
    }

    /// Whether the run may be printed on stdout (it may not when the snapshot goes there).
    pub fn leaves_stdout_free(&self) -> bool {
        *self != Target::Stdout
    }

    /// Writes the finished run's snapshot here: the one it carries, else fetched.
    pub async fn save(&self, client: &Client, run: &Run) -> CliResult<Option<Saved>> {
        if *self == Target::Nowhere {
            return Ok(None);
        }
        let snapshot = client.runs().snapshot_of(run).await?;
        self.write(&snapshot, run).map(Some)
    }

    /// Writes this snapshot of `run` here.
    pub fn write(&self, snapshot: &Snapshot, run: &Run) -> CliResult<Saved> {
        let text = snapshot.text();
        let paths = match self {
            Target::Nowhere => vec![],
            Target::Stdout => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())?;
                out.flush()?;
                vec![]
            }
            Target::File(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| cannot_write(parent, &e))?;
                }
                std::fs::write(path, text).map_err(|e| cannot_write(path, &e))?;
                vec![path.clone()]
            }
            Target::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
                let names = file_names(snapshot, run);
                let latest = dir.join(&names.latest);
                // The timestamped file first, then the copy: a crash leaves `_latest` whole.
                let stamped = write_new(dir, &names.timestamped, &run.id.to_string(), text)?;
                if stamped == latest {
                    // A snapshot named after its run has no `_latest` copy to make.
                    vec![stamped]
                } else {
                    std::fs::copy(&stamped, &latest).map_err(|e| cannot_write(&latest, &e))?;
                    vec![stamped, latest]
                }
            }
        };
        Ok(Saved {
            bytes: text.len(),
            paths,
        })
    }
}

/// Writes `text` to a file of `dir` that did not exist: `name`, else (a second run of the
/// notebook that ended in the same second) `name` with the run's id before the extension,
/// else with a counter too. Created with `create_new`, so runs saving at once never share one.
fn write_new(dir: &Path, name: &str, run_id: &str, text: &str) -> CliResult<PathBuf> {
    use std::io::Write;
    let stem = name.strip_suffix(SNAPSHOT_EXT).unwrap_or(name);
    let run = safe(run_id);
    let candidates = std::iter::once(name.to_string())
        .chain(std::iter::once(format!("{stem}_{run}{SNAPSHOT_EXT}")))
        .chain((2..).map(|n| format!("{stem}_{run}-{n}{SNAPSHOT_EXT}")));
    for candidate in candidates.take(1000) {
        let path = dir.join(&candidate);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .map_err(|e| cannot_write(&path, &e))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(cannot_write(&path, &e)),
        }
    }
    Err(CliError::usage(format!(
        "cannot write the snapshot to {}: every name for {name} is taken",
        dir.display()
    )))
}

/// The extension of every saved snapshot.
const SNAPSHOT_EXT: &str = ".snapshot.deepnote";

fn writable_dir(dir: &Path) -> CliResult {
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
    let probe = dir.join(format!(".deepnote-write-check-{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| cannot_write(dir, &e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn cannot_write(path: &Path, error: &std::io::Error) -> CliError {
    CliError::usage(format!(
        "cannot write the snapshot to {}: {error}",
        path.display()
    ))
}

/// The two file names of a saved snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileNames {
    /// `<slug>_<projectId>[_<notebookId>]_<timestamp>.snapshot.deepnote`
    pub timestamped: String,
    /// The same with `latest` for the timestamp.
    pub latest: String,
}

/// Deepnote's names for this snapshot: the project's slug and id from the document, the
/// notebook's id when the document holds one notebook, the run's end time (UTC, to the second).
/// A document that cannot be read is named after the run.
pub fn file_names(snapshot: &Snapshot, run: &Run) -> FileNames {
    let Ok(doc) = snapshot.parse() else {
        let name = format!(
            "deepnote-run-{}.snapshot.deepnote",
            safe(&run.id.to_string())
        );
        return FileNames {
            timestamped: name.clone(),
            latest: name,
        };
    };
    let project = &doc.project;
    let slug = match deepnote::projects::slug(&project.name) {
        s if s.is_empty() => "project".to_string(),
        s => s,
    };
    let mut stem = format!("{}_{}", safe(&slug), safe(&project.id));
    if let [only] = project.notebooks.as_slice() {
        stem.push('_');
        stem.push_str(&encode_notebook_id(&only.id));
    }
    // chrono without its `clock` feature: the time comes from std.
    let at = run
        .finished_at
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    FileNames {
        timestamped: format!("{stem}_{}.snapshot.deepnote", timestamp(at)),
        latest: format!("{stem}_latest.snapshot.deepnote"),
    }
}

/// `2026-01-14T13-55-41`: the UTC time to the second, with `-` for `:`.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H-%M-%S").to_string()
}

/// Anything but `[A-Za-z0-9_-]` becomes `_`, so an id cannot leave the directory.
fn safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `[A-Za-z0-9_-]` kept, every other byte of the UTF-8 as `%XX`: reversible, path-safe.
fn encode_notebook_id(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_timestamps_as_deepnote_writes_them() {
        use deepnote::projects::slug;
        assert_eq!(slug("Hello World"), "hello-world");
        assert_eq!(slug("  Sales -- Q4 / 2026!  "), "sales-q4-2026");
        assert_eq!(slug("deepnote_blocks"), "deepnote-blocks");
        assert_eq!(slug("***"), "");
        let at = DateTime::parse_from_rfc3339("2026-01-14T13:55:41.734Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp(at), "2026-01-14T13-55-41");
        assert_eq!(safe("../etc"), "___etc");
        assert_eq!(encode_notebook_id("a b/é"), "a%20b%2F%C3%A9");
    }

    #[test]
    fn a_second_snapshot_of_the_same_name_gets_the_run_id_and_the_first_stays() {
        let dir = tempfile::tempdir().unwrap();
        let name = "p_id_2026-01-14T13-55-41.snapshot.deepnote";
        let first = write_new(dir.path(), name, "run-1", "first").unwrap();
        let second = write_new(dir.path(), name, "run-2", "second").unwrap();
        let third = write_new(dir.path(), name, "run-2", "third").unwrap();
        assert_eq!(first, dir.path().join(name));
        assert_eq!(
            second,
            dir.path()
                .join("p_id_2026-01-14T13-55-41_run-2.snapshot.deepnote")
        );
        assert_eq!(
            third,
            dir.path()
                .join("p_id_2026-01-14T13-55-41_run-2-2.snapshot.deepnote")
        );
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "second");
    }

    #[test]
    fn a_missing_parent_is_created_and_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/out.deepnote");
        Target::File(deep.clone()).prepare().unwrap();
        assert!(deep.parent().unwrap().is_dir());
        assert!(!deep.exists(), "the check leaves no file behind");
        let err = Target::File(dir.path().to_path_buf())
            .prepare()
            .unwrap_err();
        assert!(err.message.contains("is a directory"), "{}", err.message);
        assert_eq!(
            Target::from_flag(Some(Path::new("-")), Target::Nowhere),
            Target::Stdout
        );
    }
}
