//! From the global options to an SDK client: the key, the base URL, or the embedded emulator.

use crate::cli::GlobalArgs;
use crate::exit::CliResult;
use crate::profile;
use deepnote::{
    api::ApiKey,
    credentials::{Credentials, KeySource},
};

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
            return Session::local("--local").await;
        }
        let found = profile::find_key(global.api_key_file.as_deref(), &global.profile)?;
        tracing::debug!(source = %found.source(), "using an API key");
        if global.base_url.is_none()
            && !global.quiet
            && let Some(note) = skipped_profile_base(found.source(), &global.profile)
        {
            eprintln!("{note}");
        }
        // --base-url beats the profile's, which the credentials bring along.
        let base = global
            .base_url
            .clone()
            .or_else(|| found.base_url().map(str::to_string));
        let client = client_for(Some(found), None, base.as_deref(), global.allow_http)?;
        Ok(Session {
            client,
            emulator: None,
        })
    }

    /// Starts the embedded emulator with the sample workspace, and a client with its key; `what`
    /// (the command) is named in the error of a build without the emulator.
    pub async fn local(what: &str) -> CliResult<Session> {
        let emulator = crate::local::start(what).await?;
        let key = ApiKey::new(crate::local::SAMPLE_KEY)
            .map_err(|e| crate::exit::CliError::usage(e.to_string()))?;
        let client = build(&key, Some(emulator.base_url()))?;
        tracing::debug!(
            base_url = emulator.base_url(),
            "started the embedded emulator"
        );
        Ok(Session {
            client,
            emulator: Some(emulator),
        })
    }

    /// Where the embedded emulator listens, when this session started one.
    pub fn emulator_url(&self) -> Option<&str> {
        self.emulator.as_ref().map(|e| e.base_url())
    }

    /// Stops the emulator, if one was started.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

const USER_AGENT: &str = concat!("deepnote-cli/", env!("CARGO_PKG_VERSION"));

/// The SDK client for this key and base URL.
pub fn build(key: &ApiKey, base_url: Option<&str>) -> CliResult<deepnote::Client> {
    build_with(key, base_url, false)
}

/// The same; `allow_http` lets the key go over plain http to another machine (`--allow-http`).
pub fn build_with(
    key: &ApiKey,
    base_url: Option<&str>,
    allow_http: bool,
) -> CliResult<deepnote::Client> {
    client_for(None, Some(key), base_url, allow_http)
}

/// One builder for both: resolved credentials (whose source a refused key names) or a key.
fn client_for(
    credentials: Option<Credentials>,
    key: Option<&ApiKey>,
    base_url: Option<&str>,
    allow_http: bool,
) -> CliResult<deepnote::Client> {
    let mut builder = deepnote::Client::builder()
        .allow_insecure_http(allow_http)
        .user_agent(USER_AGENT)
        .on_rate_limit_wait(crate::progress::rate_limit_wait);
    builder = match (credentials, key) {
        (Some(found), _) => builder.credentials(found),
        (None, Some(key)) => builder.api_key(key.expose_secret()),
        (None, None) => builder,
    };
    let base = base_url.filter(|b| !b.trim().is_empty());
    if let Some(base) = base {
        builder = builder.base_url(base);
    }
    builder.build().map_err(|error| match (&error, base) {
        // The SDK refuses plain http to another host; here the flag that allows it exists.
        // A base that is no URL at all is the SDK's to explain ("invalid base URL").
        (deepnote::Error::Config(_), Some(base))
            if !allow_http
                && deepnote::api::BaseUrls::from_base(base)
                    .is_ok_and(|bases| !bases.is_secure_or_loopback()) =>
        {
            crate::exit::CliError::usage(format!(
                "refusing to send the API key over plain http to {base}: anyone on the path \
                 could read it. Use https, or pass --allow-http on a network you trust"
            ))
        }
        _ => error.into(),
    })
}

/// When the key comes from the environment or a file, a base URL stored with the profile is
/// not used (it belongs to the profile's own key); say so rather than skip it silently.
fn skipped_profile_base(source: &KeySource, name: &str) -> Option<String> {
    if matches!(source, KeySource::Profile { .. }) {
        return None;
    }
    let profiles =
        deepnote::credentials::Profiles::load(&profile::credentials_path().ok()?).ok()?;
    let stored = profiles.profiles.get(name)?.base_url.clone()?;
    Some(format!(
        "note: using the key from {source} with {}; profile `{name}` stores the base URL \
         {stored}, used only with its own key (pass --base-url {stored} to use it)",
        deepnote::api::DEFAULT_HOST
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_http_lets_the_client_be_built_and_its_absence_names_it() {
        // Building sends nothing, so a host that does not exist will do.
        let key = ApiKey::new("k").unwrap();
        let base = Some("http://deepnote.example.com");
        assert!(build_with(&key, base, true).is_ok());
        let refused = build_with(&key, base, false).err().unwrap();
        assert_eq!(refused.exit, crate::exit::Exit::Usage);
        assert!(
            refused.message.contains("--allow-http"),
            "{}",
            refused.message
        );
    }
}
