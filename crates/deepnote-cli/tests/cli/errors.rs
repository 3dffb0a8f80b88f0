//! Errors that name their cause and the fix: a refused connection, an unknown CA (and
//! SSL_CERT_FILE for a private one), plain http, a profile's base URL beside an env key.

use crate::common;

use common::*;
use predicates::prelude::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use deepnote_test_support::loopback::free_port;

#[test]
fn a_refused_connection_names_the_cause_and_the_fix() {
    let config = tempfile::tempdir().unwrap();
    bare(config.path())
        .env("DEEPNOTE_API_KEY", "k")
        .args([
            "--base-url",
            &format!("http://127.0.0.1:{}", free_port()),
            "me",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Connection refused"))
        .stderr(predicate::str::contains(
            "hint: nothing accepted the connection",
        ));
}

/// A CA and a certificate it signs for 127.0.0.1, made with the `openssl` command.
fn make_certs(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("the openssl command");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

/// `openssl s_server` on a free port: a TLS server whose certificate our CA signed.
fn tls_server(dir: &Path) -> (Child, u16) {
    let port = free_port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-cert",
            "server.pem",
            "-key",
            "server.key",
        ])
        .args(["-accept", &port.to_string()])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, port);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut child = child;
    let _ = child.kill();
    let _ = child.wait();
    panic!("openssl s_server did not start");
}

#[test]
fn an_unknown_ca_is_named_and_ssl_cert_file_trusts_a_private_one() {
    let dir = tempfile::tempdir().unwrap();
    make_certs(dir.path());
    let (mut server, port) = tls_server(dir.path());
    let url = format!("https://127.0.0.1:{port}");
    let me = |ca: Option<&Path>| {
        let mut cmd = bare(dir.path());
        cmd.env("DEEPNOTE_API_KEY", "k")
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .args(["--base-url", &url, "me"]);
        if let Some(ca) = ca {
            cmd.env("SSL_CERT_FILE", ca);
        }
        cmd.output().unwrap()
    };
    let untrusted = me(None);
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert_eq!(untrusted.status.code(), Some(1), "{stderr}");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
    assert!(stderr.contains("SSL_CERT_FILE"), "{stderr}");

    // Trusted through SSL_CERT_FILE, the handshake passes: what fails now is the answer
    // (s_server's HTML page is not the API's JSON), not TLS.
    let trusted = me(Some(&dir.path().join("ca.pem")));
    let stderr = String::from_utf8_lossy(&trusted.stderr);
    assert!(!stderr.to_lowercase().contains("certificate"), "{stderr}");
    assert!(!stderr.contains("hint: the TLS"), "{stderr}");
    assert!(stderr.contains("error:"), "{stderr}");
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn plain_http_to_another_host_names_allow_http() {
    let config = tempfile::tempdir().unwrap();
    bare(config.path())
        .env("DEEPNOTE_API_KEY", "k")
        .args(["--base-url", "http://deepnote.example.com", "me"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--allow-http"));
    // That the flag lets the client be built is `connect`'s unit test: with it, the binary
    // would reach for the network.
}

#[test]
fn a_profiles_base_url_beside_an_env_key_is_not_skipped_silently() {
    let emu = Emu::start();
    bare(emu.config.path())
        .args([
            "--base-url",
            &emu.base_url(),
            "auth",
            "login",
            "--no-verify",
        ])
        .write_stdin("stored-key\n")
        .assert()
        .success();
    // The env key wins; the note says which base URL is used and what the profile stores.
    // (`runs get not-a-uuid` fails after connecting and before any request.)
    bare(emu.config.path())
        .env("DEEPNOTE_API_KEY", SAMPLE_KEY)
        .args(["runs", "get", "not-a-uuid"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("$DEEPNOTE_API_KEY"))
        .stderr(predicate::str::contains(format!(
            "stores the base URL {}",
            emu.base_url()
        )));
    // With the profile's own key there is nothing to say.
    bare(emu.config.path())
        .args(["runs", "get", "not-a-uuid"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stores the base URL").not());
}
