//! From the global options to an SDK client: the key, the base URL, or the embedded emulator.

use crate::cli::GlobalArgs;
use crate::exit::CliResult;
use crate::profile::{self, Secret};

/// A client, and the emulator behind it when `--local` started one.
pub struct Session {
    /// The SDK client every command calls.
    pub client: deepnote::Client,
    /// Kept alive for the session's lifetime; `None` against a real host.
    pub emulator: Option<crate::local::Running>,
}

impl Session {
    /// Connects as the global options say: `--local` starts the emulator, anything else finds a
    /// key (see [`profile::find_key`]) and a base URL (`--base-url`, else the profile's).
    pub async fn open(global: &GlobalArgs) -> CliResult<Session> {
        if global.local {
            let emulator = crate::local::start("--local").await?;
            let key = Secret::new(crate::local::SAMPLE_KEY)?;
            let client = build(&key, Some(emulator.base_url()))?;
            tracing::debug!(
                base_url = emulator.base_url(),
                "started the embedded emulator"
            );
            return Ok(Session {
                client,
                emulator: Some(emulator),
            });
        }
        let found = profile::find_key(global.api_key_file.as_deref(), &global.profile)?;
        tracing::debug!(source = %found.source, "using an API key");
        let base = global.base_url.clone().or(found.profile_base_url);
        let client = build(&found.key, base.as_deref())?;
        Ok(Session {
            client,
            emulator: None,
        })
    }

    /// Stops the emulator, if one was started.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// The SDK client for this key and base URL.
pub fn build(key: &Secret, base_url: Option<&str>) -> CliResult<deepnote::Client> {
    let mut builder = deepnote::Client::builder()
        .api_key(key.expose())
        .user_agent(concat!("deepnote-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(base) = base_url.filter(|b| !b.trim().is_empty()) {
        builder = builder.base_url(base);
    }
    Ok(builder.build()?)
}
