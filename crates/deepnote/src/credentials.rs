//! Where the API key comes from: one resolution for every program built on this crate.
//!
//! First match wins: an explicit key file, `DEEPNOTE_API_KEY`, `DEEPNOTE_TOKEN` (the name
//! Deepnote's docs and its own CLI use), then a profile of the credentials file that
//! `deepnote auth login` writes. There is deliberately no way to take a key from a command
//! line: it would land in shell history and in `ps` output.
//!
//! A key file (or credentials file) that group or others may read is refused rather than used:
//! a leaked key runs notebooks with the workspace's data, and `chmod 600` is cheap.

use crate::error::{Error, Result};
use deepnote_api::ApiKey;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable read first for the key.
pub const API_KEY_ENV: &str = "DEEPNOTE_API_KEY";
/// The environment variable read for the key when [`API_KEY_ENV`] is not set: the name
/// Deepnote's documentation and its own CLI use.
pub const TOKEN_ENV: &str = "DEEPNOTE_TOKEN";
/// Overrides the config directory that holds the credentials file.
pub const CONFIG_DIR_ENV: &str = "DEEPNOTE_CONFIG_DIR";
/// The credentials file's name inside the config directory.
pub const CREDENTIALS_FILE: &str = "credentials.json";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";
/// Where in Deepnote a key is made, for messages that ask for one.
pub const WHERE_KEYS_ARE_MADE: &str = "Settings & members > Security > API keys";

/// Where a key was found, for messages (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySource {
    /// A key file named explicitly.
    File(PathBuf),
    /// An environment variable: [`API_KEY_ENV`] or [`TOKEN_ENV`].
    Env(&'static str),
    /// A profile of the credentials file.
    Profile {
        /// The profile's name.
        name: String,
        /// The credentials file.
        path: PathBuf,
    },
    /// Given to the client by the program.
    Given,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::File(path) => write!(f, "the key file {}", path.display()),
            KeySource::Env(var) => write!(f, "${var}"),
            KeySource::Profile { name, path } => {
                write!(f, "profile `{name}` in {}", path.display())
            }
            KeySource::Given => f.write_str("the key given to the client"),
        }
    }
}

/// A key, where it came from, and the base URL stored with it (for a profile).
#[derive(Clone, Debug)]
pub struct Credentials {
    key: ApiKey,
    source: KeySource,
    base_url: Option<String>,
}

impl Credentials {
    /// A key the program holds itself.
    pub fn new(key: ApiKey) -> Self {
        Credentials {
            key,
            source: KeySource::Given,
            base_url: None,
        }
    }

    /// The key from the environment or the default profile (see the module docs).
    pub fn resolve() -> Result<Credentials> {
        Credentials::resolver().resolve()
    }

    /// A resolution with a key file, another profile or another config directory.
    pub fn resolver() -> CredentialsResolver {
        CredentialsResolver::default()
    }

    /// The key.
    pub fn api_key(&self) -> &ApiKey {
        &self.key
    }

    /// Where it came from.
    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// The base URL stored with the profile, if it came from one that has it.
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }
}

/// Options of a key resolution; from [`Credentials::resolver`].
#[derive(Clone, Debug, Default)]
#[must_use = "nothing is resolved until `.resolve()`"]
pub struct CredentialsResolver {
    key_file: Option<PathBuf>,
    profile: Option<String>,
    config_dir: Option<PathBuf>,
}

impl CredentialsResolver {
    /// Read the key from this file before anything else (it must not be readable by group or
    /// others; a pipe such as `<(vault read ...)` is fine).
    pub fn key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.key_file = Some(path.into());
        self
    }

    /// Use this profile of the credentials file (default [`DEFAULT_PROFILE`]).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Look for the credentials file in this directory instead of the usual one.
    pub fn config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.config_dir = Some(dir.into());
        self
    }

    /// The credentials file this resolution reads.
    pub fn credentials_path(&self) -> Result<PathBuf> {
        match &self.config_dir {
            Some(dir) => Ok(dir.join(CREDENTIALS_FILE)),
            None => Profiles::default_path(),
        }
    }

    /// Find the key: the first source that has one. A source that has one but cannot be used
    /// (a key file others may read, an empty variable) is an error, not skipped.
    pub fn resolve(&self) -> Result<Credentials> {
        if let Some(path) = &self.key_file {
            let text = read_private(path)?;
            let key = api_key(&text, &format!("the key file {}", path.display()))?;
            return Ok(Credentials {
                key,
                source: KeySource::File(path.clone()),
                base_url: None,
            });
        }
        for var in [API_KEY_ENV, TOKEN_ENV] {
            if let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                let value = value
                    .into_string()
                    .map_err(|_| Error::Config(format!("${var} is not valid UTF-8")))?;
                return Ok(Credentials {
                    key: api_key(&value, &format!("${var}"))?,
                    source: KeySource::Env(var),
                    base_url: None,
                });
            }
        }
        let name = self.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
        let path = self.credentials_path();
        if let Ok(path) = &path
            && let Some(stored) = Profiles::load(path)?.profiles.remove(name)
        {
            let source = KeySource::Profile {
                name: name.to_string(),
                path: path.clone(),
            };
            return Ok(Credentials {
                key: api_key(&stored.api_key, &source.to_string())?,
                source,
                base_url: stored.base_url.filter(|b| !b.trim().is_empty()),
            });
        }
        let profile = match &path {
            Ok(path) => format!(
                "profile `{name}` in {} (`deepnote auth login` writes it)",
                path.display()
            ),
            Err(_) => format!("profile `{name}` (no config directory: set ${CONFIG_DIR_ENV})"),
        };
        Err(Error::NoApiKey {
            searched: vec![
                "a key file, when one was given".into(),
                format!("${API_KEY_ENV}"),
                format!("${TOKEN_ENV}"),
                profile,
            ],
        })
    }
}

fn api_key(text: &str, source: &str) -> Result<ApiKey> {
    ApiKey::new(text).map_err(|e| Error::Config(format!("{source}: {e}")))
}

/// The credentials file: profiles by name, as `deepnote auth login` writes it.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Profiles {
    /// Profiles by name; [`DEFAULT_PROFILE`] unless one is named.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

impl fmt::Debug for Profiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.profiles.iter()).finish()
    }
}

/// One stored profile.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    /// The key.
    pub api_key: String,
    /// A base URL for this profile, when it is not Deepnote's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("api_key", &"***")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Profiles {
    /// The usual credentials file: in `$DEEPNOTE_CONFIG_DIR`, else the platform's config
    /// directory (which honours `XDG_CONFIG_HOME` on Linux) plus `deepnote`.
    pub fn default_path() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(dir).join(CREDENTIALS_FILE));
        }
        dirs::config_dir()
            .map(|d| d.join("deepnote").join(CREDENTIALS_FILE))
            .ok_or_else(|| {
                Error::Config(format!("no config directory found; set {CONFIG_DIR_ENV}"))
            })
    }

    /// Loads the credentials file; a missing file is an empty one, one others may read is
    /// refused.
    pub fn load(path: &Path) -> Result<Profiles> {
        if !path.exists() {
            return Ok(Profiles::default());
        }
        let text = read_private(path)?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "{} is not a valid credentials file: {e}",
                path.display()
            ))
        })
    }

    /// Writes the credentials file with mode 0600 from its first byte (it is created private,
    /// not made private after the key is on disk), replacing the old one in one rename.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |e: std::io::Error| Error::Config(format!("cannot write {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            private::create_dir(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Config(format!("cannot encode the credentials: {e}")))?;
        let tmp = path.with_extension("json.tmp");
        let _ = std::fs::remove_file(&tmp);
        {
            use std::io::Write;
            let mut file = private::create_file(&tmp).map_err(io)?;
            file.write_all(text.as_bytes()).map_err(io)?;
            file.write_all(b"\n").map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// Reads a file holding a secret, refusing a regular file whose mode lets group or others read
/// or write it. Pipes and descriptors are private by nature and pass.
pub(crate) fn read_private(path: &Path) -> Result<String> {
    private::check(path)?;
    std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))
}

#[cfg(unix)]
mod private {
    use crate::error::{Error, Result};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    pub(super) fn check(path: &Path) -> Result<()> {
        let meta = std::fs::metadata(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_file() && mode & 0o077 != 0 {
            return Err(Error::Config(format!(
                "refusing to use {}: it holds an API key but its permissions ({mode:04o}) let \
                 other users read it; run `chmod 600 {}` and try again",
                path.display(),
                path.display()
            )));
        }
        Ok(())
    }

    pub(super) fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
    }

    pub(super) fn create_dir(dir: &Path) -> std::io::Result<()> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
}

/// Windows has no mode bits; the user's profile directory is private by default.
#[cfg(not(unix))]
mod private {
    use crate::error::Result;
    use std::path::Path;

    pub(super) fn check(_path: &Path) -> Result<()> {
        Ok(())
    }

    pub(super) fn create_file(path: &Path) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }

    pub(super) fn create_dir(dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_dir(tag: &str) -> PathBuf {
        deepnote_test_support::scratch::dir(&format!("credentials-{tag}"))
    }

    #[test]
    fn save_is_private_and_round_trips() {
        let dir = temp_dir("save");
        let path = dir.join("sub").join(CREDENTIALS_FILE);
        let mut profiles = Profiles::default();
        profiles.profiles.insert(
            "default".into(),
            Profile {
                api_key: "k1".into(),
                base_url: Some("http://127.0.0.1:9".into()),
            },
        );
        profiles.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let loaded = Profiles::load(&path).unwrap();
        assert_eq!(loaded.profiles["default"].api_key, "k1");
        assert!(!format!("{loaded:?}").contains("k1"));
        loaded.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn refuses_a_readable_key_file_and_takes_a_private_one() {
        let dir = temp_dir("keyfile");
        let path = dir.join("key");
        std::fs::write(&path, "k-from-file\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Credentials::resolver()
            .key_file(&path)
            .resolve()
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("chmod 600") && text.contains("0644"),
            "{text}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let found = Credentials::resolver().key_file(&path).resolve().unwrap();
        assert_eq!(found.api_key().expose_secret(), "k-from-file");
        assert_eq!(found.source(), &KeySource::File(path.clone()));
        assert!(!format!("{found:?}").contains("k-from-file"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
