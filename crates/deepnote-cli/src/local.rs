//! `--local`: the emulator, in this process, with the sample workspace and its key.

use crate::exit::{CliError, CliResult};
use deepnote_emulator::Emulator;

/// Starts the embedded emulator on a free loopback port, seeded with the sample workspace.
/// It lives as long as the returned value; dropping or shutting it down stops it.
pub async fn start() -> CliResult<Emulator> {
    Emulator::builder()
        .seed_sample()
        .start()
        .await
        .map_err(|e| CliError::api(format!("cannot start the embedded emulator: {e}")))
}

/// The key the sample workspace accepts (its admin).
pub fn sample_key() -> &'static str {
    deepnote_emulator::SAMPLE_KEY
}
