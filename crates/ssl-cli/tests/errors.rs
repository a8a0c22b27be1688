//! Every failure is one clear line on stderr (what failed, the alert, what
//! to try) with exit code 1; usage errors exit 2; every command has --help.

mod common;

use common::*;
use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

/// Runs the client and checks: exit 1, one line starting with `ssl: `
/// that contains every needle.
fn fails_with(target: &str, args: &[&str], needles: &[&str]) -> String {
    let out = client(target, args, b"");
    assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
    let line = out.one_line().to_string();
    assert!(line.starts_with("ssl: "), "{line}");
    for n in needles {
        assert!(line.contains(n), "{args:?}: {n:?} missing in: {line}");
    }
    line
}

#[test]
fn no_route_to_the_server() {
    let target = format!("127.0.0.1:{}", closed_port());
    fails_with(&target, &["--insecure"], &["cannot connect", &target, "refused", "listening on that port"]);
}

#[test]
fn not_a_tls_server() {
    // A plaintext SMTP-like server: greets, then closes.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        while let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(b"220 plain.test ESMTP\r\n");
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    fails_with(&format!("127.0.0.1:{port}"), &["--insecure"], &["handshake failed", "TLS server", "--starttls"]);
}

#[test]
fn wrong_name() {
    let pki = Pki::new();
    let server = Server::start(&["--echo", "--cert", &pki.file("server.pem"), "--key", &pki.file("server.key")]);
    let ca = pki.file("ca.pem");
    fails_with(
        &server.target(),
        &["--cafile", &ca, "--servername", "wrong.example"],
        &[
            "handshake failed",
            "bad_certificate",
            "not valid for the requested name",
            "wrong.example",
            "localhost",
            "--servername",
        ],
    );
    assert!(server.wait_log("handshake failed").contains("bad_certificate"));
}

#[test]
fn expired_certificate() {
    let pki = Pki::new();
    pki.leaf("expired", &["localhost"], "old server", KeyKind::Ecdsa, Some((2000, 2001)));
    let server = Server::start(&["--echo", "--cert", &pki.file("expired.pem"), "--key", &pki.file("expired.key")]);
    fails_with(
        &server.target(),
        &["--cafile", &pki.file("ca.pem"), "--servername", "localhost"],
        &["handshake failed", "certificate_expired", "expired", "notAfter 2001-01-01 00:00:00 UTC", "--insecure"],
    );
}

#[test]
fn untrusted_certificate() {
    let pki = Pki::new();
    let server = Server::start(&["--echo", "--cert", &pki.file("server.pem"), "--key", &pki.file("server.key")]);
    // Another CA: the self-signed certificate another server generates.
    let other = pki.dir.path().join("other.pem");
    let _other_server = Server::start(&["--echo", "--cert-out", path_str(&other)]);
    fails_with(
        &server.target(),
        &["--cafile", path_str(&other), "--servername", "localhost"],
        &[
            "handshake failed",
            "unknown_ca",
            "CN=ssl-cli test CA",
            "not among the trusted CAs",
            "--cafile",
            "--insecure",
        ],
    );
    // A CA of the same name that did not sign it.
    let impostor = Pki::new();
    fails_with(
        &server.target(),
        &["--cafile", &impostor.file("ca.pem"), "--servername", "localhost"],
        &["handshake failed", "bad_certificate", "did not sign", "--cafile"],
    );
}

#[test]
fn version_mismatch() {
    let server = Server::start(&["--echo", "--tls1.3"]);
    fails_with(
        &server.target(),
        &["--insecure", "--tls1.2"],
        &["handshake failed", "alert protocol_version", "we offered tls1.2 only", "--tls1.3"],
    );
    let server = Server::start(&["--echo", "--tls1.2"]);
    fails_with(&server.target(), &["--insecure", "--tls1.3"], &["protocol_version", "tls1.3 only"]);
}

#[test]
fn suite_mismatch() {
    let server = Server::start(&["--echo", "--ciphers", "TLS_AES_256_GCM_SHA384"]);
    fails_with(
        &server.target(),
        &["--insecure", "--ciphers", "TLS_AES_128_GCM_SHA256"],
        &["handshake failed", "alert handshake_failure", "--ciphers", "ssl scan"],
    );
    let server = Server::start(&["--echo", "--tls1.2", "--ciphers", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]);
    fails_with(
        &server.target(),
        &["--insecure", "--ciphers", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"],
        &["alert handshake_failure", "--ciphers"],
    );
}

#[test]
fn peer_alerts() {
    let server = Server::start(&["--echo", "--alpn", "h2"]);
    fails_with(
        &server.target(),
        &["--insecure", "--alpn", "http/1.1"],
        &["handshake failed", "the server sent alert no_application_protocol", "--alpn"],
    );
    // TLS 1.2: the server refuses a missing client certificate during the handshake.
    let pki = Pki::new();
    let args = ["--echo", "--tls1.2", "--verify-client", &pki.file("ca.pem")];
    let server = Server::start(&args);
    fails_with(
        &server.target(),
        &["--insecure"],
        &["handshake failed", "the server sent alert", "asked for a client certificate", "--cert FILE --key FILE"],
    );
}

#[test]
fn help_on_every_command() {
    for (args, needles) in [
        (&["--help"][..], &["ssl server", "ssl client", "ssl scan"][..]),
        (&["help"][..], &["ssl scan"][..]),
        (&["server", "--help"][..], &["--www-root", "--ask-client", "--verify-client", "--sigalgs"][..]),
        (
            &["client", "--help"][..],
            &["--trace", "--starttls", "--reconnect", "--sigalgs", "--system-roots", "--webpki-roots"][..],
        ),
        (&["scan", "--help"][..], &["--servername", "not tested", "Exit status"][..]),
        (&["scan", "-h"][..], &["Usage: ssl scan"][..]),
        (&["help", "client"][..], &["Usage: ssl client"][..]),
    ] {
        let out = ssl(args, b"");
        assert_ok(&out);
        assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
        for n in needles {
            assert!(out.stdout().contains(n), "{args:?}: {n} missing");
        }
    }
}

#[test]
fn usage_errors_of_the_new_options_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["client", "h:1", "--starttls", "pop3"], "pop3"),
        (&["client", "h:1", "--reconnect", "many"], "--reconnect"),
        (&["client", "h:1", "--sigalgs", "DSA+SHA1"], "DSA+SHA1"),
        (&["client", "h:1", "--sigalgs", ""], "empty item"),
        (&["client", "h:1", "--trace=1"], "--trace"),
        (&["server", "--www-root", "/nonexistent/www"], "/nonexistent/www"),
        (&["server", "--www-root", "/etc/hostname"], "not a directory"),
        (&["server", "--www-root", "/tmp", "--echo"], "cannot be combined"),
        (&["server", "--ask-client", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
        (&["server", "--ask-client", "a", "--verify-client", "b"], "cannot be combined"),
        (&["scan"], "HOST:PORT"),
        (&["scan", "localhost"], "HOST:PORT"),
        (&["scan", "localhost:1", "--timeout", "-3"], "--timeout"),
        (&["scan", "localhost:1", "--bogus"], "--bogus"),
        (&["help", "nothing"], "nothing"),
    ];
    for (args, needle) in cases {
        let out = ssl(args, b"");
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        let line = out.one_line();
        assert!(line.starts_with("ssl: ") && line.contains(needle), "{args:?}: {line}");
    }
}
