//! Where the API key comes from, and the profile file `deepnote auth login` writes.
//!
//! The order is the usual one for CLIs: an explicit `--api-key-file` beats the environment
//! (`DEEPNOTE_API_KEY`), which beats the stored profile. There is deliberately no `--api-key`
//! flag: a key on the command line lands in shell history and in `ps` output.
//!
//! A key file that group or others may read is refused rather than used: a leaked key runs
//! notebooks with the workspace's data, and `chmod 600` is cheap.

use crate::exit::{CliError, CliResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "DEEPNOTE_API_KEY";
/// Overrides the config directory (tests, or several setups on one machine).
pub const CONFIG_DIR_ENV: &str = "DEEPNOTE_CONFIG_DIR";
/// The profile file's name inside the config directory.
pub const CREDENTIALS_FILE: &str = "credentials.json";

/// An API key that never shows itself: `Debug` and `Display` print a placeholder, so a key
/// cannot leak through a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a key, trimming the newline a file or a paste leaves.
    pub fn new(key: &str) -> CliResult<Secret> {
        let key = key.trim();
        if key.is_empty() {
            return Err(CliError::usage("the API key is empty"));
        }
        if key.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(CliError::usage(
                "the API key holds whitespace or control characters",
            ));
        }
        Ok(Secret(key.to_string()))
    }

    /// The key itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where a key was found, for `auth status` and error messages (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `--api-key-file PATH`.
    File(PathBuf),
    /// The `DEEPNOTE_API_KEY` environment variable.
    Env,
    /// A profile in the credentials file.
    Profile {
        /// The profile's name.
        name: String,
        /// The credentials file.
        path: PathBuf,
    },
    /// The embedded emulator's own key (`--local`).
    Local,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::File(path) => write!(f, "--api-key-file {}", path.display()),
            KeySource::Env => write!(f, "${API_KEY_ENV}"),
            KeySource::Profile { name, path } => {
                write!(f, "profile `{name}` in {}", path.display())
            }
            KeySource::Local => write!(f, "the embedded emulator (--local)"),
        }
    }
}

/// One stored profile.
#[derive(Clone, Serialize, Deserialize, Default)]
pub struct Profile {
    /// The key.
    pub api_key: String,
    /// A base URL for this profile, when it is not Deepnote's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

/// The credentials file: profiles by name.
#[derive(Serialize, Deserialize, Default)]
pub struct Credentials {
    /// Profiles by name; `default` unless `--profile` says otherwise.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The config directory: `$DEEPNOTE_CONFIG_DIR`, else the platform's (which honours
/// `XDG_CONFIG_HOME` on Linux) plus `deepnote`.
pub fn config_dir() -> CliResult<PathBuf> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("deepnote"))
        .ok_or_else(|| CliError::usage(format!("no config directory found; set {CONFIG_DIR_ENV}")))
}

/// The credentials file's path.
pub fn credentials_path() -> CliResult<PathBuf> {
    Ok(config_dir()?.join(CREDENTIALS_FILE))
}

/// Reads a file holding a secret, refusing one that others may read.
pub fn read_secret_file(path: &Path) -> CliResult<String> {
    check_private(path)?;
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

/// Refuses a regular file whose mode lets group or others read or write it. Pipes and
/// descriptors (`--api-key-file <(vault read ...)`) are private by nature and pass.
#[cfg(unix)]
pub fn check_private(path: &Path) -> CliResult<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        return Err(CliError::usage(format!(
            "refusing to use {}: it holds an API key but its permissions ({mode:04o}) let other \
             users read it; run `chmod 600 {}` and try again",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Windows has no mode bits; the user's profile directory is private by default.
#[cfg(not(unix))]
pub fn check_private(_path: &Path) -> CliResult<()> {
    Ok(())
}

/// Loads the credentials file; a missing file is an empty one.
pub fn load(path: &Path) -> CliResult<Credentials> {
    if !path.exists() {
        return Ok(Credentials::default());
    }
    let text = read_secret_file(path)?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "{} is not a valid credentials file: {e}",
            path.display()
        ))
    })
}

/// Writes the credentials file with mode 0600 from its first byte: it is created private, not
/// made private after the key is already on disk.
pub fn save(path: &Path, credentials: &Credentials) -> CliResult<()> {
    let io = |e: std::io::Error| CliError::api(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(credentials).expect("credentials serialize");
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    {
        use std::io::Write;
        let mut file = private_file(&tmp).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    // Rename so a crash never leaves a half-written file where the profiles were.
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// A key and where it came from.
#[derive(Debug)]
pub struct FoundKey {
    /// The key.
    pub key: Secret,
    /// Its source.
    pub source: KeySource,
    /// A base URL stored with the profile, if any.
    pub profile_base_url: Option<String>,
}

/// Finds the key: `--api-key-file`, then `$DEEPNOTE_API_KEY`, then the profile.
pub fn find_key(api_key_file: Option<&Path>, profile: &str) -> CliResult<FoundKey> {
    if let Some(path) = api_key_file {
        let key = Secret::new(&read_secret_file(path)?)
            .map_err(|e| CliError::usage(format!("--api-key-file {}: {e}", path.display())))?;
        return Ok(FoundKey {
            key,
            source: KeySource::File(path.into()),
            profile_base_url: None,
        });
    }
    if let Some(value) = std::env::var_os(API_KEY_ENV).filter(|v| !v.is_empty()) {
        let value = value
            .into_string()
            .map_err(|_| CliError::usage(format!("${API_KEY_ENV} is not valid UTF-8")))?;
        let key =
            Secret::new(&value).map_err(|e| CliError::usage(format!("${API_KEY_ENV}: {e}")))?;
        return Ok(FoundKey {
            key,
            source: KeySource::Env,
            profile_base_url: None,
        });
    }
    let path = credentials_path()?;
    let credentials = load(&path)?;
    match credentials.profiles.get(profile) {
        Some(stored) => Ok(FoundKey {
            key: Secret::new(&stored.api_key)?,
            source: KeySource::Profile {
                name: profile.to_string(),
                path,
            },
            profile_base_url: stored.base_url.clone(),
        }),
        None => Err(CliError::usage(format!(
            "no API key: set ${API_KEY_ENV}, pass --api-key-file PATH, run `deepnote auth login` \
             (profile `{profile}`), or try `--local` for the embedded emulator"
        ))),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn secret_never_displays() {
        let key = Secret::new("  sk-very-secret\n").unwrap();
        assert_eq!(key.expose(), "sk-very-secret");
        assert!(!format!("{key:?} {key}").contains("very-secret"));
        assert!(Secret::new(" \n").is_err());
        assert!(Secret::new("two words").is_err());
    }

    #[test]
    fn save_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join(CREDENTIALS_FILE);
        let mut credentials = Credentials::default();
        credentials.profiles.insert(
            "default".into(),
            Profile {
                api_key: "k1".into(),
                base_url: Some("http://127.0.0.1:9".into()),
            },
        );
        save(&path, &credentials).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.profiles["default"].api_key, "k1");
        // Saving again replaces the file and keeps it private.
        save(&path, &loaded).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn refuses_a_readable_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, "k\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_secret_file(&path).unwrap_err();
        assert!(err.message.contains("chmod 600"), "{}", err.message);
        assert!(err.message.contains("0644"), "{}", err.message);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_secret_file(&path).unwrap(), "k\n");
    }
}
