//! End-to-end tests of the `ssl` command: real processes on 127.0.0.1
//! ephemeral ports. Every child is killed when its guard drops (also when a
//! test fails), and every wait has a deadline.

mod common;

use common::*;
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn echo_round_trip() {
    let server = Server::start(&["--echo"]);
    let mut input = b"hello, echo\n".to_vec();
    input.extend((0..200_000u32).map(|i| (i * 7 + i / 251) as u8));
    let out = client(&server.target(), &["--insecure"], &input);
    assert_ok(&out);
    assert!(out.stdout == input, "echoed {} bytes of {}", out.stdout.len(), input.len());
    assert!(out.stderr.contains("version: tls1.3"), "{}", out.stderr);
    assert!(out.stderr.contains("cipher suite: TLS_AES_128_GCM_SHA256"), "{}", out.stderr);
    assert!(out.stderr.contains("verification: skipped"), "{}", out.stderr);
    assert!(out.stderr.contains("SHA-256 "), "fingerprint printed: {}", out.stderr);
    assert!(out.stderr.contains("subject: CN=localhost"), "{}", out.stderr);
    let line = server.wait_log("version=tls1.3");
    assert!(line.starts_with("127.0.0.1:") && line.contains("suite=TLS_AES_128_GCM_SHA256"), "{line}");
    assert!(line.contains("resumed=no"), "{line}");
}

#[test]
fn empty_input_closes_cleanly() {
    let server = Server::start(&["--echo"]);
    let out = client(&server.target(), &["--insecure"], b"");
    assert_ok(&out);
    assert!(out.stdout.is_empty());
}

#[test]
fn www_page_shows_parameters() {
    let server = Server::start(&[]);
    let req = b"GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let out = client(&server.target(), &["--insecure", "--servername", "localhost"], req);
    assert_ok(&out);
    let text = out.stdout();
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(head.contains(&format!("Content-Length: {}", body.len())), "{head} / {} body bytes", body.len());
    assert!(head.contains("Connection: close"), "{head}");
    assert!(body.contains("TLS_AES_128_GCM_SHA256"), "{body}");
    assert!(body.contains("x25519"), "{body}");
    assert!(body.contains("localhost"), "SNI shown: {body}");
    assert!(body.contains("GET /index.html HTTP/1.1"), "{body}");

    let out = client(&server.target(), &["--insecure", "--groups", "P-256"], req);
    assert_ok(&out);
    assert!(out.stdout().contains("secp256r1"), "{}", out.stdout());
}

#[test]
fn www_keeps_http11_connections_alive() {
    let server = Server::start(&["--www"]);
    let req = b"GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\nGET /three HTTP/1.0\r\n\r\n";
    let out = client(&server.target(), &["--insecure"], req);
    assert_ok(&out);
    let text = out.stdout();
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(text.matches("HTTP/1.0 200 OK").count(), 1, "{text}");
    assert_eq!(text.matches("Connection: keep-alive").count(), 2, "{text}");
    for path in ["/one", "/two", "/three"] {
        assert!(text.contains(&format!("GET {path} HTTP/1.")), "{path} answered: {text}");
    }
    // All three on one connection: the server logged one handshake.
    server.wait_log("version=tls1.3");
    std::thread::sleep(Duration::from_millis(100));
    let handshakes = server.log.lock().unwrap().iter().filter(|l| l.contains("version=")).count();
    assert_eq!(handshakes, 1);
}

#[test]
fn alpn_is_negotiated_and_mismatch_fails() {
    let server = Server::start(&["--alpn", "h2,http/1.1"]);
    let out = client(&server.target(), &["--insecure", "--alpn", "foo,http/1.1"], b"GET / HTTP/1.0\r\n\r\n");
    assert_ok(&out);
    assert!(out.stderr.contains("ALPN: http/1.1"), "{}", out.stderr);
    assert!(out.stdout().contains("http/1.1"), "{}", out.stdout());
    assert!(server.wait_log("alpn=").contains("alpn=http/1.1"));

    let out = client(&server.target(), &["--insecure", "--alpn", "spdy/1"], b"");
    assert_eq!(out.code, Some(1));
    assert!(out.one_line().contains("no_application_protocol"), "{}", out.stderr);
}

#[test]
fn session_out_then_in_resumes() {
    let server = Server::start(&["--echo"]);
    let dir = tempfile::tempdir().unwrap();
    let sess = dir.path().join("session.bin");
    let out = client(&server.target(), &["--insecure", "--sess-out", path_str(&sess)], b"first");
    assert_ok(&out);
    assert!(out.stderr.contains("resumed: no"), "{}", out.stderr);
    assert!(std::fs::metadata(&sess).map(|m| m.len() > 0).unwrap_or(false), "session written");

    let out = client(&server.target(), &["--insecure", "--sess-in", path_str(&sess)], b"second");
    assert_ok(&out);
    assert_eq!(out.stdout, b"second");
    assert!(out.stderr.contains("resumed: yes"), "{}", out.stderr);
    server.wait_log("resumed=yes");

    // A session file that is not one is a usage error.
    let bogus = dir.path().join("bogus.bin");
    std::fs::write(&bogus, b"not a session").unwrap();
    let out = client(&server.target(), &["--insecure", "--sess-in", path_str(&bogus)], b"");
    assert_eq!(out.code, Some(2));
    assert!(out.one_line().contains("not a saved session"), "{}", out.stderr);
}

#[test]
fn session_out_waits_for_the_ticket_with_empty_input() {
    let server = Server::start(&["--echo"]);
    let dir = tempfile::tempdir().unwrap();
    let sess = dir.path().join("s.bin");
    let out = client(&server.target(), &["--insecure", "--sess-out", path_str(&sess)], b"");
    assert_ok(&out);
    let out = client(&server.target(), &["--insecure", "--sess-in", path_str(&sess)], b"");
    assert_ok(&out);
    assert!(out.stderr.contains("resumed: yes"), "{}", out.stderr);
}

#[test]
fn certificate_verification_with_cafile() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("server.pem");
    let server = Server::start(&["--echo", "--cert-out", path_str(&cert)]);

    let out = client(&server.target(), &["--cafile", path_str(&cert), "--servername", "wrong.example"], b"x");
    assert_eq!(out.code, Some(1));
    let line = out.one_line();
    assert!(line.starts_with("ssl: handshake failed"), "{line}");
    assert!(line.contains("certificate"), "{line}");
    assert!(out.stdout.is_empty());

    let out = client(&server.target(), &["--cafile", path_str(&cert), "--servername", "localhost"], b"trusted");
    assert_ok(&out);
    assert_eq!(out.stdout, b"trusted");
    assert!(out.stderr.contains("verification: ok"), "{}", out.stderr);

    // The generated certificate also names 127.0.0.1 (the default servername here).
    let out = client(&server.target(), &["--cafile", path_str(&cert)], b"ip");
    assert_ok(&out);
}

#[test]
fn no_trust_store_fails_with_a_hint() {
    let server = Server::start(&["--echo"]);
    let out = client(&server.target(), &[], b"x");
    assert_eq!(out.code, Some(1));
    let line = out.one_line();
    assert!(line.contains("unknown_ca"), "{line}");
    assert!(line.contains("--cafile") && line.contains("--insecure"), "{line}");
    let log = server.wait_log("handshake failed");
    assert!(log.contains("unknown_ca"), "{log}");
}

#[test]
fn server_certificates_from_files_and_client_authentication() {
    let pki = Pki::new();
    let server = Server::start(&[
        "--cert",
        &pki.file("server.pem"),
        "--key",
        &pki.file("server.key"),
        "--verify-client",
        &pki.file("ca.pem"),
    ]);
    let req = b"GET / HTTP/1.0\r\n\r\n";
    let trust = ["--cafile", &pki.file("ca.pem"), "--servername", "localhost"];

    // TLS 1.3: the client finishes its side of the handshake before the
    // server rejects it, so the failure is reported after the parameters.
    let out = client(&server.target(), &trust, req);
    assert_eq!(out.code, Some(1), "no client certificate: {}", out.stderr);
    let last = out.stderr.lines().last().unwrap_or("");
    assert!(last.starts_with("ssl: ") && last.contains("certificate_required"), "{}", out.stderr);
    assert!(!out.stdout().contains("200 OK"), "no page without a certificate");
    assert!(server.wait_log("handshake failed").contains("certificate_required"));

    let mut args = trust.to_vec();
    let (cert, key) = (pki.file("client.pem"), pki.file("client.key"));
    args.extend_from_slice(&["--cert", &cert, "--key", &key]);
    let out = client(&server.target(), &args, req);
    assert_ok(&out);
    assert!(out.stderr.contains("subject: CN=test server"), "{}", out.stderr);
    assert!(out.stderr.contains("issuer:  CN=ssl-cli test CA"), "{}", out.stderr);
    assert!(out.stdout().contains("CN=test client"), "page shows the client certificate: {}", out.stdout());
}

#[test]
fn cipher_suite_choice() {
    let server = Server::start(&["--echo", "--ciphers", "TLS_CHACHA20_POLY1305_SHA256,TLS_AES_256_GCM_SHA384"]);
    let out = client(&server.target(), &["--insecure"], b"abc");
    assert_ok(&out);
    assert!(out.stderr.contains("cipher suite: TLS_CHACHA20_POLY1305_SHA256"), "{}", out.stderr);
    let out = client(&server.target(), &["--insecure", "--ciphers", "TLS_AES_256_GCM_SHA384"], b"abc");
    assert_ok(&out);
    assert!(out.stderr.contains("cipher suite: TLS_AES_256_GCM_SHA384"), "{}", out.stderr);
    let out = client(&server.target(), &["--insecure", "--ciphers", "TLS_AES_128_GCM_SHA256"], b"abc");
    assert_eq!(out.code, Some(1));
    assert!(out.one_line().contains("handshake_failure"), "{}", out.stderr);
}

#[test]
fn hello_retry_is_reported() {
    let server = Server::start(&["--echo", "--groups", "secp384r1"]);
    let out = client(&server.target(), &["--insecure"], b"hrr");
    assert_ok(&out);
    assert!(out.stderr.contains("hello retry: yes"), "{}", out.stderr);
    assert!(out.stderr.contains("group: secp384r1"), "{}", out.stderr);
}

#[test]
fn keylog_file_and_environment() {
    let server = Server::start(&["--echo"]);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("keys.log");
    let out = client(&server.target(), &["--insecure", "--keylog", path_str(&log)], b"k");
    assert_ok(&out);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().any(|l| l.starts_with("CLIENT_TRAFFIC_SECRET_0 ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("SERVER_HANDSHAKE_TRAFFIC_SECRET ")), "{text}");

    let env_log = dir.path().join("env.log");
    let out = run_program(BIN, &["client", &server.target(), "--insecure"], b"", &[("SSLKEYLOGFILE", &env_log)]);
    assert_ok(&out);
    let text = std::fs::read_to_string(&env_log).unwrap();
    assert!(text.lines().any(|l| l.starts_with("CLIENT_TRAFFIC_SECRET_0 ")), "{text}");
}

#[test]
fn tls12_round_trip_and_resumption() {
    let server = Server::start(&["--echo"]);
    let dir = tempfile::tempdir().unwrap();
    let sess = dir.path().join("tls12.bin");
    let out = client(&server.target(), &["--insecure", "--tls1.2", "--sess-out", path_str(&sess)], b"twelve");
    assert_ok(&out);
    assert_eq!(out.stdout, b"twelve");
    assert!(out.stderr.contains("version: tls1.2"), "{}", out.stderr);
    assert!(out.stderr.contains("resumed: no"), "{}", out.stderr);
    assert!(server.wait_log("version=tls1.2").contains("suite=TLS_ECDHE_"));

    let out = client(&server.target(), &["--insecure", "--tls1.2", "--sess-in", path_str(&sess)], b"again");
    assert_ok(&out);
    assert_eq!(out.stdout, b"again");
    assert!(out.stderr.contains("resumed: yes"), "{}", out.stderr);
    server.wait_log("resumed=yes");
}

#[test]
fn many_connections_at_once() {
    let server = Server::start(&["--echo"]);
    // A client that connects and never speaks must not hold up the others.
    let _idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let target = server.target();
            std::thread::spawn(move || {
                let msg = format!("client {i}");
                let out = client(&target, &["--insecure"], msg.as_bytes());
                assert_ok(&out);
                assert_eq!(out.stdout(), msg);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn connection_refused_is_one_line() {
    // A port that was just free: bind, read it, drop.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = client(&format!("127.0.0.1:{port}"), &["--insecure"], b"");
    assert_eq!(out.code, Some(1));
    assert!(out.one_line().contains("cannot connect"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "missing command"),
        (&["bogus"], "unknown command"),
        (&["client"], "HOST:PORT"),
        (&["client", "localhost"], "HOST:PORT"),
        (&["client", "localhost:1", "--ciphers", "TLS_NOPE"], "TLS_NOPE"),
        (&["client", "localhost:1", "--groups", "curve1234"], "curve1234"),
        (&["client", "localhost:1", "--alpn"], "--alpn"),
        (&["client", "localhost:1", "--insecure", "--cafile", "x.pem"], "--cafile"),
        (&["client", "localhost:1", "--cafile", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
        (&["client", "localhost:1", "--tls1.2", "--tls1.3"], "--tls1.3"),
        (&["client", "localhost:1", "--frobnicate"], "--frobnicate"),
        (&["server", "--min-version", "tls2.0"], "tls2.0"),
        (&["server", "--cert", "a.pem"], "--key"),
        (&["server", "--cert", "/nonexistent/a.pem", "--key", "/nonexistent/a.key"], "/nonexistent/a.pem"),
        (&["server", "--www", "--echo"], "--echo"),
        (&["server", "--verify-client", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
    ];
    for (args, needle) in cases {
        let out = ssl(args, b"");
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.stderr);
        let line = out.one_line();
        assert!(line.starts_with("ssl: ") && line.contains(needle), "{args:?}: {line}");
    }
}

#[test]
fn help_for_each_command() {
    for (args, needle) in [
        (&["--help"][..], "ssl server"),
        (&["server", "--help"][..], "--verify-client"),
        (&["client", "--help"][..], "--sess-out"),
        (&["client", "-h"][..], "--insecure"),
    ] {
        let out = ssl(args, b"");
        assert_ok(&out);
        assert!(out.stdout().contains(needle), "{args:?}: {}", out.stdout());
    }
}

#[test]
fn openssl_s_client_fetches_the_page() {
    let Some(openssl) = openssl() else {
        eprintln!("openssl not installed: skipping the s_client interop test");
        return;
    };
    let server = Server::start(&["--www"]);
    let connect = server.target();
    // -ign_eof: s_client would otherwise quit at the end of its input,
    // before the answer arrives.
    let args = ["s_client", "-connect", &connect, "-tls1_3", "-servername", "localhost", "-ign_eof"];
    let out = run_program(path_str(&openssl), &args, b"GET / HTTP/1.0\r\n\r\n", &[]);
    let text = out.stdout();
    assert!(text.contains("HTTP/1.0 200 OK"), "stdout:\n{text}\nstderr:\n{}", out.stderr);
    assert!(text.contains("Cipher suite:        TLS_AES_128_GCM_SHA256"), "{text}");
    assert!(text.contains("SNI:                 localhost"), "{text}");
    assert!(server.wait_log("sni=localhost").contains("version=tls1.3"));
}
