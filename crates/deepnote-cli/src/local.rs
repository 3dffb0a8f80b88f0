//! The bundled emulator: `--local`, `demo` and `emulator start`. It is compiled in only with
//! the `local` feature (on by default), so a CI install can leave the server out; without it
//! those commands exit 2 and say how to get them.

use crate::exit::{CliError, CliResult};

/// The sample workspace's project ("Sales analysis"). Spelled out here rather than taken from
/// the emulator so that help reads the same in a build without it; a test checks they agree.
pub const SAMPLE_PROJECT_ID: &str = "00000000-5a3e-4000-8000-000000000101";
/// The sample project's notebook ("Quarterly report").
pub const SAMPLE_NOTEBOOK_ID: &str = "00000000-5a3e-4000-8000-000000000201";

/// The emulator, as `--local` or `demo` started it.
#[cfg(feature = "local")]
pub use deepnote_emulator::Emulator as Running;

/// No emulator can run in a build without the `local` feature, so no value of this type exists.
#[cfg(not(feature = "local"))]
pub enum Running {}

#[cfg(not(feature = "local"))]
impl Running {
    /// Where it listens.
    pub fn base_url(&self) -> &str {
        match *self {}
    }

    /// Stops it.
    pub async fn shutdown(self) {
        match self {}
    }
}

/// What a command that needs the emulator says in a build without it.
#[cfg(not(feature = "local"))]
pub fn not_built(what: &str) -> CliError {
    CliError::usage(format!(
        "{what} needs the bundled emulator, and this `deepnote` was built without it; \
         install it with `cargo install deepnote-cli --features local`"
    ))
}

/// Starts the embedded emulator on a free loopback port, seeded with the sample workspace, for
/// `what` (the command, named in the error of a build without the emulator). It lives as long
/// as the returned value; dropping or shutting it down stops it.
pub async fn start(what: &str) -> CliResult<Running> {
    #[cfg(feature = "local")]
    {
        let _ = what;
        Running::builder()
            .seed_sample()
            .start()
            .await
            .map_err(|e| CliError::api(format!("cannot start the embedded emulator: {e}")))
    }
    #[cfg(not(feature = "local"))]
    {
        Err(not_built(what))
    }
}

/// The key the sample workspace accepts (its admin).
pub const SAMPLE_KEY: &str = "deepnote-emulator-sample-key";

#[cfg(all(test, feature = "local"))]
mod tests {
    #[test]
    fn the_sample_ids_are_the_emulators() {
        assert_eq!(
            super::SAMPLE_PROJECT_ID,
            deepnote_emulator::SAMPLE_PROJECT_ID
        );
        assert_eq!(
            super::SAMPLE_NOTEBOOK_ID,
            deepnote_emulator::SAMPLE_NOTEBOOK_ID
        );
        assert_eq!(super::SAMPLE_KEY, deepnote_emulator::SAMPLE_KEY);
    }
}
