//! Snapshot download URLs: `/_emulator/snapshots/{runId}.{signature}`, unauthenticated like a
//! signed URL, so the signature is what keeps them unguessable.
//!
//! They are signed with a secret of their own, not the page-token secret: knowing one kind of
//! token never helps forge the other.

use crate::codec::hex;
use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;

/// Signs and checks snapshot download tokens.
pub(crate) struct Downloads {
    secret: [u8; 32],
    /// Build URLs with this host (keeping the request's port) instead of the request's.
    host: Option<String>,
}

impl Downloads {
    pub fn new(secret: [u8; 32], host: Option<String>) -> Self {
        Downloads { secret, host }
    }

    fn sign(&self, run_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        mac.update(b"snapshot\0");
        mac.update(run_id.as_bytes());
        hex(&mac.finalize().into_bytes()[..16])
    }

    /// The run a download token names, if its signature is this emulator's.
    pub fn verify<'t>(&self, token: &'t str) -> Option<&'t str> {
        let (run_id, sig) = token.split_once('.')?;
        let ok: bool =
            subtle::ConstantTimeEq::ct_eq(sig.as_bytes(), self.sign(run_id).as_bytes()).into();
        ok.then_some(run_id)
    }

    /// The download URL of a run's snapshot, on the host the request was sent to (or the
    /// configured download host, keeping the port); `addr` when the request named no host.
    pub fn url(&self, headers: &HeaderMap, addr: SocketAddr, run_id: &str) -> String {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| addr.to_string());
        let host = match &self.host {
            Some(dh) => {
                let port = host
                    .rsplit_once(':')
                    .map(|(_, p)| p)
                    .filter(|p| p.parse::<u16>().is_ok());
                match port {
                    Some(p) => format!("{dh}:{p}"),
                    None => dh.clone(),
                }
            }
            None => host,
        };
        format!(
            "http://{host}/_emulator/snapshots/{run_id}.{}",
            self.sign(run_id)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(url: &str) -> &str {
        url.rsplit_once('/').expect("a path").1
    }

    #[test]
    fn tokens_verify_only_with_their_own_secret() {
        let d = Downloads::new([1; 32], None);
        let url = d.url(&HeaderMap::new(), "127.0.0.1:9".parse().unwrap(), "run-1");
        assert!(url.starts_with("http://127.0.0.1:9/_emulator/snapshots/run-1."));
        assert_eq!(d.verify(token(&url)), Some("run-1"));
        assert_eq!(Downloads::new([2; 32], None).verify(token(&url)), None);
        assert_eq!(d.verify("run-1.00"), None);
        assert_eq!(d.verify("run-1"), None);
        let other = token(&url).replacen("run-1", "run-2", 1);
        assert_eq!(d.verify(&other), None);
    }

    #[test]
    fn a_download_host_keeps_the_request_port() {
        let d = Downloads::new([1; 32], Some("localhost".into()));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:4010".parse().unwrap());
        let url = d.url(&h, "127.0.0.1:9".parse().unwrap(), "r");
        assert!(
            url.starts_with("http://localhost:4010/_emulator/snapshots/r."),
            "{url}"
        );
    }
}
