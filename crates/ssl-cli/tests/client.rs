//! `ssl client`: --trace, the certificate report, --reconnect, --starttls,
//! --sigalgs and certificate choice, --system-roots / --webpki-roots.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn trace_decodes_each_message() {
    let server = Server::start(&["--echo", "--alpn", "http/1.1"]);
    let args = ["--insecure", "--trace", "--servername", "localhost", "--alpn", "h2,http/1.1"];
    let out = client(&server.target(), &args, b"traced");
    assert_ok(&out);
    assert_eq!(out.stdout, b"traced");
    let e = &out.stderr;
    for needle in [
        ">>> ClientHello, ",
        "server_name: localhost",
        "supported_versions: tls1.3, tls1.2",
        "supported_groups: x25519, secp256r1",
        "key_share: x25519 (32 bytes)",
        "signature_algorithms: ecdsa_secp256r1_sha256",
        "application_layer_protocol_negotiation: h2, http/1.1",
        "psk_key_exchange_modes: psk_dhe_ke",
        "extended_master_secret: yes",
        "renegotiation_info: initial handshake",
        "ec_point_formats: uncompressed",
        "<<< ServerHello, ",
        "version tls1.3, cipher_suite TLS_AES_128_GCM_SHA256",
        "<<< EncryptedExtensions, ",
        "application_layer_protocol_negotiation: http/1.1",
        "<<< Certificate, ",
        "0 subject: CN=localhost",
        "<<< CertificateVerify, ",
        ": ecdsa_secp256r1_sha256",
        "<<< Finished, 32 bytes of verify_data",
        ">>> Finished, 32 bytes of verify_data",
        ">>> alert warning close_notify",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
    assert_eq!(e.matches(">>> ClientHello").count(), 1, "one hello, traced once:\n{e}");
    // Messages come in order, before the report.
    let pos = |s: &str| e.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(pos(">>> ClientHello") < pos("<<< ServerHello"));
    assert!(pos("<<< ServerHello") < pos("<<< Finished"));
    assert!(pos("<<< Finished") < pos("version: tls1.3"));

    // TLS 1.2: the key exchange, the ChangeCipherSpecs, and a ticket (asked for with --reconnect).
    let args = ["--insecure", "--trace", "--tls1.2", "--reconnect", "1"];
    let out = client(&server.target(), &args, b"");
    assert_ok(&out);
    let e = &out.stderr;
    for needle in [
        "<<< ServerHello, ",
        "version tls1.2, cipher_suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "session_ticket: empty (asks for a ticket)",
        "<<< ServerKeyExchange, ",
        "ECDHE group x25519, public key 32 bytes",
        "signature ecdsa_secp256r1_sha256",
        "<<< ServerHelloDone, 4 bytes",
        ">>> ClientKeyExchange, ",
        ">>> ChangeCipherSpec",
        "<<< ChangeCipherSpec",
        "<<< NewSessionTicket, ",
        "lifetime hint 7200 s",
        "<<< Finished, 12 bytes of verify_data",
        "reconnect 1: resumed",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }

    // A refused handshake shows the alert as it arrives.
    let out = client(&server.target(), &["--insecure", "--trace", "--alpn", "spdy/1"], b"");
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("<<< alert fatal no_application_protocol"), "{}", out.stderr);
}

#[test]
fn chain_report_and_what_insecure_would_have_seen() {
    let pki = Pki::new();
    pki.leaf("expired", &["localhost"], "old server", KeyKind::Ecdsa, Some((2000, 2001)));
    let good = Server::start(&["--echo", "--cert", &pki.file("server.pem"), "--key", &pki.file("server.key")]);
    let old = Server::start(&["--echo", "--cert", &pki.file("expired.pem"), "--key", &pki.file("expired.key")]);
    // The system store, as rustls-native-certs finds it: only our CA.
    let ca = pki.dir.path().join("ca.pem");
    let store: &[(&str, &Path)] = &[("SSL_CERT_FILE", &ca), ("SSL_CERT_DIR", pki.dir.path())];
    let run = |server: &Server, extra: &[&str]| {
        let target = server.target();
        let mut args = vec!["client", target.as_str(), "--servername", "localhost"];
        args.extend_from_slice(extra);
        run_program(BIN, &args, b"", store)
    };

    // No anchors at all: what --insecure skipped, and why it would have failed.
    let out = client(&good.target(), &["--insecure", "--servername", "localhost"], b"");
    assert_ok(&out);
    let e = &out.stderr;
    assert!(e.contains("0 subject: CN=test server"), "{e}");
    assert!(e.contains("issuer:  CN=ssl-cli test CA"), "{e}");
    assert!(e.contains("valid:   ") && e.contains(" UTC to "), "{e}");
    assert!(e.contains("names:   localhost"), "{e}");
    assert!(e.contains("verification: skipped; not verified (--insecure): unknown_ca"), "{e}");
    assert!(e.contains("--system-roots"), "hint: {e}");

    // With the CA in the system store: it would have verified.
    let out = run(&good, &["--insecure", "--system-roots"]);
    assert_ok(&out);
    assert!(out.stderr.contains("the chain would have verified for localhost"), "{}", out.stderr);
    // ... and does, without --insecure.
    let out = run(&good, &["--system-roots"]);
    assert_ok(&out);
    assert!(out.stderr.contains("verification: ok"), "{}", out.stderr);
    // The wrong name would not have verified.
    let out = run(&good, &["--insecure", "--system-roots", "--servername", "other.test"]);
    assert_ok(&out);
    assert!(out.stderr.contains("not verified (--insecure): bad_certificate"), "{}", out.stderr);

    // An expired certificate: marked in the chain, and the reason given.
    let out = run(&old, &["--insecure", "--system-roots"]);
    assert_ok(&out);
    let e = &out.stderr;
    assert!(e.contains("valid:   2000-01-01 00:00:00 UTC to 2001-01-01 00:00:00 UTC (EXPIRED)"), "{e}");
    assert!(e.contains("not verified (--insecure): certificate_expired"), "{e}");
}

#[test]
fn reconnect_resumes_tls13_and_tls12() {
    let server = Server::start(&["--echo"]);
    for (flag, version) in [("--tls1.3", "tls1.3"), ("--tls1.2", "tls1.2")] {
        let out = client(&server.target(), &["--insecure", flag, "--reconnect", "3"], b"data");
        assert_ok(&out);
        assert_eq!(out.stdout, b"data");
        let lines: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("reconnect ")).collect();
        assert_eq!(lines.len(), 4, "{}", out.stderr);
        assert!(lines[0].starts_with(&format!("reconnect 0: new ({version}, ")), "{lines:?}");
        for (i, line) in lines.iter().enumerate().skip(1) {
            assert!(line.starts_with(&format!("reconnect {i}: resumed ({version}, TLS_")), "{lines:?}");
        }
    }
    // The server saw the resumptions too.
    let resumed = || server.log.lock().unwrap().iter().filter(|l| l.contains("resumed=yes")).count();
    let end = std::time::Instant::now() + Duration::from_secs(10);
    while resumed() < 6 && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(resumed(), 6, "{:?}", server.log.lock().unwrap());
}

#[test]
fn reconnect_without_resumption_says_new() {
    // A session made for another server name: the server does not resume
    // it, so the first connection is new; the next ones resume its ticket.
    let server = Server::start(&["--echo"]);
    let dir = tempfile::tempdir().unwrap();
    let sess = dir.path().join("s.bin");
    let out = client(&server.target(), &["--insecure", "--servername", "a.test", "--sess-out", path_str(&sess)], b"");
    assert_ok(&out);
    let args = ["--insecure", "--servername", "b.test", "--sess-in", path_str(&sess), "--reconnect", "1"];
    let out = client(&server.target(), &args, b"");
    assert_ok(&out);
    assert!(out.stderr.contains("reconnect 0: new (tls1.3, "), "{}", out.stderr);
    assert!(out.stderr.contains("reconnect 1: resumed (tls1.3, "), "{}", out.stderr);
}

#[test]
fn status_asks_for_the_ocsp_response_the_server_staples() {
    // An OCSPResponse (RFC 6960) with the status "unauthorized": 5 bytes of DER.
    let dir = tempfile::tempdir().unwrap();
    let resp = dir.path().join("ocsp.der");
    std::fs::write(&resp, [0x30, 0x03, 0x0a, 0x01, 0x06]).unwrap();
    let stapling = Server::start(&["--echo", "--status-file", path_str(&resp)]);
    for version in ["--tls1.3", "--tls1.2"] {
        let out = client(&stapling.target(), &["--insecure", "--status", version], b"");
        assert_ok(&out);
        assert!(out.stderr.contains("OCSP response: 5 bytes (stapled; not verified)"), "{}", out.stderr);
        // Not asked: nothing is reported (and nothing was sent).
        let out = client(&stapling.target(), &["--insecure", version], b"");
        assert_ok(&out);
        assert!(!out.stderr.contains("OCSP response"), "{}", out.stderr);
    }
    let plain = Server::start(&["--echo"]);
    let out = client(&plain.target(), &["--insecure", "--status"], b"");
    assert_ok(&out);
    assert!(out.stderr.contains("OCSP response: none"), "{}", out.stderr);
    // A missing or empty file is a usage error of the server.
    let empty = dir.path().join("empty.der");
    std::fs::write(&empty, b"").unwrap();
    for bad in [path_str(&empty), "/nonexistent/ocsp.der"] {
        let out = ssl(&["server", "--listen", "127.0.0.1:0", "--status-file", bad], b"");
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(out.stderr.contains("--status-file"), "{}", out.stderr);
    }
}

/// A fake SMTP server for one connection: the plaintext dialogue, then TLS
/// with `SslFile::accept(pending)`, then an echo. Sends what it read in
/// plaintext when done.
fn fake_smtp(offer_starttls: bool) -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else { return };
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut seen = String::new();
        let mut buf = Vec::new();
        // Reads one command line; what follows it stays in `buf`.
        let line = |s: &mut TcpStream, buf: &mut Vec<u8>| -> Option<String> {
            loop {
                if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                    let l: Vec<u8> = buf.drain(..=i).collect();
                    return Some(String::from_utf8_lossy(&l).trim_end().to_string());
                }
                let mut chunk = [0u8; 512];
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        };
        s.write_all(b"220 fake.test ESMTP ready\r\n").unwrap();
        let Some(ehlo) = line(&mut s, &mut buf) else { return };
        seen.push_str(&ehlo);
        seen.push('\n');
        if offer_starttls {
            s.write_all(b"250-fake.test greets you\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 STARTTLS\r\n").unwrap();
        } else {
            s.write_all(b"250-fake.test greets you\r\n250 PIPELINING\r\n").unwrap();
            let _ = tx.send(seen);
            return;
        }
        let Some(cmd) = line(&mut s, &mut buf) else { return };
        seen.push_str(&cmd);
        seen.push('\n');
        s.write_all(b"220 2.0.0 ready to start TLS\r\n").unwrap();
        // TLS on the same socket; bytes already read belong to the handshake.
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
        let mut ctx = ssl_core::Context::new();
        ctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
        s.set_read_timeout(None).unwrap();
        s.set_nonblocking(true).unwrap();
        let file = ssl_file::SslFile::new(mio::net::TcpStream::from_std(s), Arc::new(ctx));
        file.set_blocking().unwrap();
        file.set_timeout(Some(Duration::from_secs(20)));
        if let Err(e) = file.accept(&buf) {
            let _ = tx.send(format!("{seen}TLS failed: {e}"));
            return;
        }
        let mut data = [0u8; 1024];
        loop {
            match (&file).read(&mut data) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if (&file).write_all(&data[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = file.close(ssl_file::CloseMode::Normal);
        let _ = tx.send(seen);
    });
    (port, rx)
}

#[test]
fn starttls_smtp_then_tls_on_the_same_connection() {
    let (port, rx) = fake_smtp(true);
    let target = format!("127.0.0.1:{port}");
    let out = client(&target, &["--starttls", "smtp", "--insecure", "--servername", "localhost"], b"over TLS");
    assert_ok(&out);
    assert_eq!(out.stdout, b"over TLS");
    assert!(out.stderr.contains("version: tls1.3"), "{}", out.stderr);
    let seen = rx.recv_timeout(Duration::from_secs(30)).expect("the fake server finished");
    assert_eq!(seen, "EHLO ssl-client\nSTARTTLS\n");

    // --trace shows the SMTP dialogue too.
    let (port, rx) = fake_smtp(true);
    let out = client(&format!("127.0.0.1:{port}"), &["--starttls", "smtp", "--insecure", "--trace"], b"");
    assert_ok(&out);
    for needle in ["S: 220 fake.test ESMTP ready", "C: EHLO ssl-client", "S: 250 STARTTLS", "C: STARTTLS"] {
        assert!(out.stderr.contains(needle), "{needle}: {}", out.stderr);
    }
    rx.recv_timeout(Duration::from_secs(30)).expect("the fake server finished");

    // A server that does not offer STARTTLS: one line, exit 1.
    let (port, rx) = fake_smtp(false);
    let out = client(&format!("127.0.0.1:{port}"), &["--starttls", "smtp", "--insecure"], b"");
    assert_eq!(out.code, Some(1));
    let line = out.one_line();
    assert!(line.starts_with("ssl: STARTTLS:") && line.contains("does not offer STARTTLS"), "{line}");
    rx.recv_timeout(Duration::from_secs(30)).expect("the fake server finished");
}

#[test]
fn certificate_chosen_by_signature_algorithms_and_sni() {
    let pki = Pki::new();
    pki.leaf("ecdsa", &["localhost"], "ecdsa server", KeyKind::Ecdsa, None);
    pki.leaf("rsa", &["localhost"], "rsa server", KeyKind::Rsa, None);
    let (ec, eck, rsa, rsak) = (pki.file("ecdsa.pem"), pki.file("ecdsa.key"), pki.file("rsa.pem"), pki.file("rsa.key"));
    let server = Server::start(&["--echo", "--cert", &ec, "--key", &eck, "--cert", &rsa, "--key", &rsak]);
    let target = server.target();
    let subject = |extra: &[&str]| {
        let mut args = vec!["--insecure", "--servername", "localhost"];
        args.extend_from_slice(extra);
        let out = client(&target, &args, b"");
        assert_ok(&out);
        out.stderr
    };
    // Default: the first pair (ECDSA).
    let e = subject(&[]);
    assert!(e.contains("0 subject: CN=ecdsa server"), "{e}");
    // A client that accepts only RSA-PSS gets the RSA certificate.
    let e = subject(&["--sigalgs", "rsa_pss_rsae_sha256"]);
    assert!(e.contains("0 subject: CN=rsa server"), "{e}");
    let e = subject(&["--sigalgs", "RSA-PSS+SHA256", "--tls1.2"]);
    assert!(e.contains("0 subject: CN=rsa server"), "{e}");
    assert!(e.contains("cipher suite: TLS_ECDHE_RSA_WITH_"), "{e}");
    let e = subject(&["--sigalgs", "ECDSA+SHA256", "--tls1.2"]);
    assert!(e.contains("0 subject: CN=ecdsa server") && e.contains("TLS_ECDHE_ECDSA_WITH_"), "{e}");

    // OpenSSL's client restricting its signature algorithms the same way.
    if let Some(openssl) = openssl() {
        let args = ["s_client", "-connect", &target, "-servername", "localhost", "-sigalgs", "RSA-PSS+SHA256"];
        let out = run_program(path_str(&openssl), &args, b"", &[]);
        let text = format!("{}{}", out.stdout(), out.stderr);
        assert!(text.contains("CN = rsa server") || text.contains("CN=rsa server"), "{text}");
        assert!(text.contains("RSA-PSS"), "peer signature type: {text}");
    } else {
        eprintln!("openssl not installed: skipping its -sigalgs check");
    }

    // By SNI: two ECDSA certificates for different names.
    pki.leaf("a", &["a.test"], "a server", KeyKind::Ecdsa, None);
    pki.leaf("b", &["b.test"], "b server", KeyKind::Ecdsa, None);
    let (a, ak, b, bk) = (pki.file("a.pem"), pki.file("a.key"), pki.file("b.pem"), pki.file("b.key"));
    let server = Server::start(&["--echo", "--cert", &a, "--key", &ak, "--cert", &b, "--key", &bk]);
    for (name, cn) in [("b.test", "CN=b server"), ("a.test", "CN=a server"), ("other.test", "CN=a server")] {
        let out = client(&server.target(), &["--insecure", "--servername", name], b"");
        assert_ok(&out);
        assert!(out.stderr.contains(&format!("0 subject: {cn}")), "{name}: {}", out.stderr);
    }
}

#[test]
fn webpki_roots_do_not_trust_a_private_ca() {
    let server = Server::start(&["--echo"]);
    let out = client(&server.target(), &["--webpki-roots", "--servername", "localhost"], b"");
    assert_eq!(out.code, Some(1));
    let line = out.one_line();
    assert!(line.contains("unknown_ca") && line.contains("not among the trusted CAs"), "{line}");
    assert!(line.contains("--cafile") && line.contains("--insecure"), "{line}");
}
