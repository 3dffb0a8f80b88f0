//! From the SDK's error to an exit code and a message.

use crate::exit::{CliError, Exit};

impl From<deepnote::Error> for CliError {
    fn from(error: deepnote::Error) -> CliError {
        CliError::new(exit_for(&error), error.to_string())
    }
}

/// The exit code of an SDK error; see [`crate::exit::CODES`].
pub fn exit_for(error: &deepnote::Error) -> Exit {
    use deepnote::Error as E;
    match error {
        E::Unauthorized { .. } | E::Forbidden { .. } => Exit::Auth,
        E::NotFound { .. } => Exit::NotFound,
        E::RunFailed { .. } => Exit::RunFailed,
        E::Timeout { .. } => Exit::Timeout,
        // Refused before anything was sent: the command line asked for something impossible.
        E::InvalidArgument(_) | E::Config(_) => Exit::Usage,
        _ => Exit::Api,
    }
}
