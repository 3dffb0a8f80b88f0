//! From the SDK's error to an exit code and a message that names the cause and, where there
//! is one, the fix.

use crate::exit::{CliError, Exit};
use std::error::Error as _;

impl From<deepnote::Error> for CliError {
    fn from(error: deepnote::Error) -> CliError {
        CliError::new(exit_for(&error), describe(&error))
    }
}

/// The exit code of an SDK error; see [`crate::exit::Exit`].
pub fn exit_for(error: &deepnote::Error) -> Exit {
    use deepnote::Error as E;
    match error {
        E::Unauthorized { .. } | E::Forbidden { .. } => Exit::Auth,
        E::NotFound { .. } => Exit::NotFound,
        E::RunFailed { .. } => Exit::RunFailed,
        E::Timeout { .. } | E::AppTimeout { .. } => Exit::Timeout,
        // Refused before anything was sent: the command line asked for something impossible,
        // or named a local file or folder that cannot be read or written.
        E::InvalidArgument(_)
        | E::InvalidInput { .. }
        | E::Config(_)
        | E::NoApiKey { .. }
        | E::Filesystem(_) => Exit::Usage,
        _ => Exit::Api,
    }
}

/// The SDK error, led by what it concerns (`run 1234…`, `notebook …`) when it is an answer of
/// the server, whose text may not name it ("Notebook not found").
pub fn about(subject: impl std::fmt::Display, error: deepnote::Error) -> CliError {
    let named = error.status().is_some();
    let error = CliError::from(error);
    if named {
        CliError::new(error.exit, format!("{subject}: {}", error.message))
    } else {
        error
    }
}

/// The error, each cause under it (`error sending request: client error (Connect): Connection
/// refused`), and a hint when the kind of failure has a known fix. On 401 and 403 the SDK's
/// message names the key source in use (`--api-key-file`, `$DEEPNOTE_API_KEY`,
/// `$DEEPNOTE_TOKEN`, a profile), as the client is built from `deepnote::credentials::Credentials`.
pub fn describe(error: &deepnote::Error) -> String {
    let mut message = error.to_string();
    if let deepnote::Error::NoApiKey { .. } = error {
        // The SDK's key file is this command line's flag.
        message = message.replace(
            "a key file, when one was given",
            "a key file (--api-key-file)",
        );
    }
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // reqwest and hyper repeat their inner error in their own text; say each once.
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        causes.push(cause);
        source = cause.source();
    }
    if let Some(hint) = hint(error, &causes) {
        message.push_str("\n  hint: ");
        message.push_str(&hint);
    }
    message
}

/// What kind of network failure this is, read from the chain of causes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkFailure {
    /// The host name did not resolve.
    Dns,
    /// Nothing accepted the connection.
    Refused,
    /// The TLS handshake failed (most often: a certificate from an unknown CA).
    Tls,
    /// No answer in time.
    Timeout,
}

/// The network failure behind a transport error, if it is one of the known kinds.
pub fn network_failure(
    error: &deepnote::Error,
    causes: &[&(dyn std::error::Error + 'static)],
) -> Option<NetworkFailure> {
    let deepnote::Error::Transport(transport) = error else {
        return None;
    };
    let refused = causes.iter().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    });
    let texts: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
    classify(refused, transport.is_timeout(), &texts)
}

/// The kind of failure, from what the chain of causes says.
pub fn classify(refused: bool, timed_out: bool, causes: &[String]) -> Option<NetworkFailure> {
    let text = causes.join(" | ").to_lowercase();
    if refused || text.contains("connection refused") {
        Some(NetworkFailure::Refused)
    } else if text.contains("dns error") || text.contains("failed to lookup address") {
        Some(NetworkFailure::Dns)
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        Some(NetworkFailure::Tls)
    } else if timed_out || text.contains("timed out") {
        Some(NetworkFailure::Timeout)
    } else {
        None
    }
}

fn hint(error: &deepnote::Error, causes: &[&(dyn std::error::Error + 'static)]) -> Option<String> {
    let base_env = deepnote::client::BASE_URL_ENV;
    Some(match network_failure(error, causes)? {
        NetworkFailure::Dns => format!(
            "the host name did not resolve: check --base-url / ${base_env} and this machine's DNS"
        ),
        NetworkFailure::Refused => format!(
            "nothing accepted the connection: check the host and port in --base-url / \
             ${base_env} (for a local emulator: is `deepnote emulator start` running?)"
        ),
        NetworkFailure::Tls => "the TLS handshake failed: if the server's certificate comes \
             from a private CA (a single-tenant deployment, a proxy), point SSL_CERT_FILE at \
             that CA's PEM file"
            .to_string(),
        NetworkFailure::Timeout => {
            "no answer in time: the server or the network is slow or down; try again later"
                .to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(causes: &[&str]) -> Option<NetworkFailure> {
        let causes: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
        classify(false, false, &causes)
    }

    #[test]
    fn each_kind_is_read_from_its_causes() {
        assert_eq!(
            of(&[
                "client error (Connect)",
                "dns error",
                "failed to lookup address information: Name or service not known"
            ]),
            Some(NetworkFailure::Dns)
        );
        assert_eq!(
            of(&[
                "client error (Connect)",
                "Connection refused (os error 111)"
            ]),
            Some(NetworkFailure::Refused)
        );
        assert_eq!(
            of(&[
                "client error (Connect)",
                "invalid peer certificate: UnknownIssuer"
            ]),
            Some(NetworkFailure::Tls)
        );
        assert_eq!(of(&["operation timed out"]), Some(NetworkFailure::Timeout));
        assert_eq!(classify(false, true, &[]), Some(NetworkFailure::Timeout));
        assert_eq!(classify(true, false, &[]), Some(NetworkFailure::Refused));
        assert_eq!(of(&["connection reset by peer"]), None);
    }
}
