//! Where the API key comes from. The resolution, the credentials file `deepnote auth login`
//! writes and its 0600 rule live in the SDK ([`deepnote::credentials::Credentials`],
//! [`deepnote::credentials::Profiles`]), so a program built on the SDK finds the same key this tool does:
//! `--api-key-file`, then `DEEPNOTE_API_KEY`, then `DEEPNOTE_TOKEN`, then the profile.
//! There is deliberately no `--api-key` flag: a key on the command line lands in shell
//! history and in `ps` output.

use crate::exit::{CliError, CliResult, Exit};
use deepnote::credentials::Credentials;
use std::path::{Path, PathBuf};

/// The credentials file's path.
pub fn credentials_path() -> CliResult<PathBuf> {
    Ok(deepnote::credentials::Profiles::default_path()?)
}

/// Finds the key as the SDK does, for this key file and profile.
pub fn find_key(api_key_file: Option<&Path>, profile: &str) -> CliResult<Credentials> {
    let mut resolver = Credentials::resolver().profile(profile);
    if let Some(path) = api_key_file {
        resolver = resolver.key_file(path);
    }
    resolver.resolve().map_err(|e| match e {
        deepnote::Error::NoApiKey { .. } => CliError::new(
            Exit::Usage,
            format!(
                "{}; or try `--local` for the embedded emulator",
                crate::errors::describe(&e)
            ),
        ),
        other => other.into(),
    })
}
