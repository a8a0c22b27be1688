//! Our client against `openssl s_server` (OpenSSL 3) on 127.0.0.1: every
//! TLS 1.3 suite × group, every certificate type, HelloRetryRequest (also
//! with a cookie), resumption (stateless and stateful tickets, psk_dhe_ke
//! and psk_ke, chained, through a retry, with a client certificate, with
//! early-data tickets), client certificates, intermediate chains,
//! signature-scheme restrictions, ALPN, KeyUpdate both ways, fragmented and
//! padded records, the key log, and clean failures. Most tests run s_server
//! in `-rev` mode (it answers every line with the line reversed: data both
//! ways); a few need its default mode, where its stdin goes to us.

mod support;
use ssl_core::constants::{NamedGroup, PskKeyExchangeMode};
use ssl_core::{Context, Session};
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;
use support::*;

/// s_server in `-rev` mode with the PKI's server certificate and `extra` options.
fn rev_server(files: &PkiFiles, extra: &[&str]) -> OpenSslServer {
    let mut args = strings(&["-cert", &p(&files.server_cert), "-key", &p(&files.server_key), "-tls1_3", "-rev"]);
    args.extend(strings(extra));
    OpenSslServer::start(&args)
}

/// What one connection saw.
struct Outcome {
    session: Option<Session>,
    resumed: bool,
    hello_retry: bool,
    group: Option<NamedGroup>,
    suite: Option<ssl_core::constants::CipherSuite>,
    alpn: Option<Vec<u8>>,
    key_updates_received: u32,
}

fn reversed_line(line: &[u8]) -> Vec<u8> {
    let mut r: Vec<u8> = line.iter().rev().copied().collect();
    r.push(b'\n');
    r
}

/// Sends `lines` (each answered reversed by s_server), then closes cleanly
/// (close_notify both ways).
fn converse(
    server: &OpenSslServer,
    ctx: Arc<Context>,
    session: Option<Session>,
    lines: &[Vec<u8>],
) -> Result<Outcome, String> {
    let mut s =
        TlsStream::connect(server.addr, ctx, Some("localhost"), session).map_err(|e| format!("handshake: {e}"))?;
    for line in lines {
        let mut msg = line.clone();
        msg.push(b'\n');
        s.write_all(&msg).map_err(|e| format!("write: {e}"))?;
        let want = reversed_line(line);
        let got = s.read_exact_len(want.len()).map_err(|e| format!("read: {e}"))?;
        if got != want {
            return Err(format!("s_server answered {} bytes, not the {} expected", got.len(), want.len()));
        }
    }
    // Tickets arrive after the handshake; they have been read with the answers.
    let session = s.conn.session().cloned();
    let rest = s.close_and_wait().map_err(|e| format!("close: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} unexpected bytes before close_notify", rest.len()));
    }
    let n = s.conn.negotiated();
    Ok(Outcome {
        session,
        resumed: n.resumed,
        hello_retry: n.hello_retry,
        group: n.group,
        suite: n.suite,
        alpn: n.alpn.clone(),
        key_updates_received: s.conn.key_updates_received(),
    })
}

fn failure_report(server: &OpenSslServer, what: &str, e: &str) -> String {
    let err = server.child.stderr();
    let tail: Vec<&str> = err.lines().rev().take(6).collect();
    format!("{what}: {e}\n  s_server stderr (last lines, newest first): {tail:?}")
}

#[test]
fn suite_group_matrix() {
    if skip_without_openssl("suite_group_matrix") {
        return;
    }
    let t0 = Instant::now();
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    // One server offering everything; our client offers exactly one suite and
    // one group, so each connection negotiates that combination.
    let server = rev_server(&files, &["-ciphersuites", &all_suites(), "-groups", &all_openssl_groups()]);
    let mut failures = Vec::new();
    let mut total = 0;
    for (i, suite_name) in SUITES.iter().enumerate() {
        for (j, (group_name, _)) in GROUPS.iter().enumerate() {
            total += 1;
            let ctx = pki.client_ctx(|c| {
                c.preferred_suites = vec![suite(suite_name)];
                c.groups = vec![group(group_name)];
            });
            let what = format!("{suite_name} + {group_name}");
            match converse(&server, ctx, None, &[text(1000 + i * 10 + j, i * 9 + j)]) {
                Ok(o) => {
                    if o.suite != Some(suite(suite_name)) || o.group != Some(group(group_name)) || o.hello_retry {
                        failures
                            .push(format!("{what}: negotiated {:?} {:?} (retry {})", o.suite, o.group, o.hello_retry));
                    }
                }
                Err(e) => failures.push(failure_report(&server, &what, &e)),
            }
        }
    }
    eprintln!("our client vs s_server: {total} suite×group combinations in {:?}", t0.elapsed());
    assert_no_failures("our client vs s_server", total, &failures);
}

#[test]
fn certificate_types() {
    if skip_without_openssl("certificate_types") {
        return;
    }
    let mut failures = Vec::new();
    for kt in ALL_KEY_TYPES {
        let pki = Pki::new(kt);
        let files = pki.write_files();
        let server = rev_server(&files, &[]);
        let ctx = pki.client_ctx(|_| {});
        match converse(&server, ctx, None, &[b"certificate type".to_vec()]) {
            Ok(o) => assert!(!o.resumed),
            Err(e) => failures.push(failure_report(&server, &format!("{kt:?}"), &e)),
        }
    }
    assert_no_failures("server certificate types", ALL_KEY_TYPES.len(), &failures);
}

/// Full handshake, then a resumption on the same s_server with the session
/// taken from the first connection.
fn resume(server_opts: &[&str], client: impl Fn(&mut Context)) -> (Outcome, Outcome) {
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, server_opts);
    let ctx = pki.client_ctx(client);
    let first = converse(&server, ctx.clone(), None, &[b"first connection".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "first", &e)));
    assert!(!first.resumed);
    let session = first.session.clone().expect("s_server sent no ticket");
    let second = converse(&server, ctx, Some(session), &[b"second connection".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "second", &e)));
    (first, second)
}

#[test]
fn resumption_with_stateless_tickets() {
    if skip_without_openssl("resumption_with_stateless_tickets") {
        return;
    }
    let (_, second) = resume(&["-num_tickets", "2"], |_| {});
    assert!(second.resumed, "s_server did not accept our ticket");
    // psk_dhe_ke: a fresh key exchange on resumption.
    assert_eq!(second.group, Some(NamedGroup::X25519));
    // The resumed connection got new tickets too.
    assert!(second.session.is_some());
}

#[test]
fn resumption_with_stateful_tickets() {
    if skip_without_openssl("resumption_with_stateful_tickets") {
        return;
    }
    // -no_ticket: OpenSSL keeps the session in its cache and the ticket is only an ID.
    let (_, second) = resume(&["-no_ticket", "-num_tickets", "1"], |_| {});
    assert!(second.resumed, "s_server did not accept our stateful ticket");
}

#[test]
fn resumption_with_psk_ke() {
    if skip_without_openssl("resumption_with_psk_ke") {
        return;
    }
    // -allow_no_dhe_kex lets OpenSSL resume without a key exchange.
    let (_, second) = resume(&["-allow_no_dhe_kex"], |c| c.psk_modes = vec![PskKeyExchangeMode::PSK_KE]);
    assert!(second.resumed);
    assert_eq!(second.group, None, "psk_ke resumption has no key exchange");
}

#[test]
fn resumption_with_every_suite() {
    if skip_without_openssl("resumption_with_every_suite") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-ciphersuites", &all_suites()]);
    let mut failures = Vec::new();
    for name in SUITES {
        let ctx = pki.client_ctx(|c| c.preferred_suites = vec![suite(name)]);
        let r = converse(&server, ctx.clone(), None, &[b"one".to_vec()]).and_then(|first| {
            let session = first.session.ok_or("no ticket")?;
            converse(&server, ctx, Some(session), &[b"two".to_vec()])
        });
        match r {
            Ok(o) if o.resumed && o.suite == Some(suite(name)) => {}
            Ok(o) => failures.push(format!("{name}: resumed {} with {:?}", o.resumed, o.suite)),
            Err(e) => failures.push(failure_report(&server, name, &e)),
        }
    }
    assert_no_failures("resumption per suite", SUITES.len(), &failures);
}

#[test]
fn hello_retry_request() {
    if skip_without_openssl("hello_retry_request") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut failures = Vec::new();
    for (name, ossl) in [("secp384r1", "P-384"), ("secp521r1", "P-521"), ("ffdhe2048", "ffdhe2048")] {
        let server = rev_server(&files, &["-groups", ossl]);
        // Our key share is x25519; the server only takes `name`.
        let ctx = pki.client_ctx(|c| c.groups = vec![NamedGroup::X25519, group(name)]);
        match converse(&server, ctx, None, &[b"retry".to_vec()]) {
            Ok(o) if o.hello_retry && o.group == Some(group(name)) => {}
            Ok(o) => failures.push(format!("{name}: retry {} group {:?}", o.hello_retry, o.group)),
            Err(e) => failures.push(failure_report(&server, name, &e)),
        }
    }
    assert_no_failures("HelloRetryRequest from s_server", 3, &failures);
}

#[test]
fn client_certificates() {
    if skip_without_openssl("client_certificates") {
        return;
    }
    let mut failures = Vec::new();
    for kt in ALL_KEY_TYPES {
        let pki = Pki::with_client(KeyType::EcdsaP256, kt);
        let files = pki.write_files();
        // -Verify: a client certificate is required and checked against ca.pem.
        let server = rev_server(&files, &["-Verify", "2", "-CAfile", &p(&files.ca), "-verify_return_error"]);
        let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
        if let Err(e) = converse(&server, ctx, None, &[b"with a client certificate".to_vec()]) {
            failures.push(failure_report(&server, &format!("client {kt:?}"), &e));
        }
    }
    assert_no_failures("client certificates to s_server", ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn missing_client_certificate_is_refused() {
    if skip_without_openssl("missing_client_certificate_is_refused") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-Verify", "2", "-CAfile", &p(&files.ca), "-verify_return_error"]);
    let r = converse(&server, pki.client_ctx(|_| {}), None, &[b"no certificate".to_vec()]);
    // In TLS 1.3 our handshake completes first; the refusal arrives as an alert.
    let e = r.err().expect("s_server accepted a client without a certificate");
    assert!(e.contains("certificate_required"), "unexpected failure: {e}");
}

#[test]
fn alpn() {
    if skip_without_openssl("alpn") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-alpn", "h2,http/1.1"]);
    let ctx = pki.client_ctx(|c| c.advertised_protocols = vec![b"spdy/1".to_vec(), b"http/1.1".to_vec()]);
    let o = converse(&server, ctx, None, &[b"alpn".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "alpn", &e)));
    assert_eq!(o.alpn.as_deref(), Some(&b"http/1.1"[..]));
}

#[test]
fn key_update_both_ways() {
    if skip_without_openssl("key_update_both_ways") {
        return;
    }
    // (s_server's default mode: in -rev mode it sleeps a second after each
    // KeyUpdate it handles.) Our KeyUpdate(update_requested) goes with our
    // data: s_server must read it with our new key and answer with its own
    // KeyUpdate before its data. (`server_initiated_key_update` has the
    // other direction.)
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut server = interactive_server(&files, &[]);
    let o = converse_interactive(&mut server, pki.client_ctx(|_| {}), None, "ku", true, &[])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "key update", &e)));
    assert_eq!(o.key_updates_received, 1, "s_server did not answer our KeyUpdate");
}

#[test]
fn bulk_data_every_suite() {
    if skip_without_openssl("bulk_data_every_suite") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-ciphersuites", &all_suites()]);
    let lines: Vec<Vec<u8>> = (0..12).map(|i| text(8000 + i, i)).collect();
    let mut failures = Vec::new();
    for name in SUITES {
        let ctx = pki.client_ctx(|c| c.preferred_suites = vec![suite(name)]);
        if let Err(e) = converse(&server, ctx, None, &lines) {
            failures.push(failure_report(&server, name, &e));
        }
    }
    assert_no_failures("bulk data to s_server", SUITES.len(), &failures);
}

#[test]
fn fragmented_and_padded_records() {
    if skip_without_openssl("fragmented_and_padded_records") {
        return;
    }
    // RSA: the biggest Certificate and CertificateVerify messages, split over
    // 512-byte records; s_server also pads its records, and so do we.
    let pki = Pki::new(KeyType::Rsa2048);
    let files = pki.write_files();
    let server = rev_server(&files, &["-max_send_frag", "512", "-record_padding", "300"]);
    let ctx = pki.client_ctx(|c| c.padding = ssl_core::context::RecordPadding::Block(256));
    let lines: Vec<Vec<u8>> = (0..4).map(|i| text(3000 + i, i)).collect();
    converse(&server, ctx, None, &lines).unwrap_or_else(|e| panic!("{}", failure_report(&server, "frag", &e)));
}

/// A conversation with s_server in its default mode: what we send shows up
/// on its stdout, what is written to its stdin comes to us. `commands` are
/// stdin lines sent first (`K` = KeyUpdate with update_requested);
/// `our_key_update` sends our KeyUpdate(update_requested) before our data.
fn converse_interactive(
    server: &mut OpenSslServer,
    ctx: Arc<Context>,
    session: Option<Session>,
    tag: &str,
    our_key_update: bool,
    commands: &[&str],
) -> Result<Outcome, String> {
    let mut s =
        TlsStream::connect(server.addr, ctx, Some("localhost"), session).map_err(|e| format!("handshake: {e}"))?;
    if our_key_update {
        s.conn.key_update(true).map_err(|e| format!("key_update: {e}"))?;
    }
    let ping = format!("ping-{tag}\n");
    s.write_all(ping.as_bytes()).map_err(|e| format!("write: {e}"))?;
    let arrived = server.child.wait_stdout(IO_TIMEOUT, |out| out.contains(ping.trim()).then_some(()));
    arrived.ok_or("s_server did not print our data")?;
    let stdin = server.stdin.as_mut().unwrap();
    for c in commands {
        stdin.write_all(format!("{c}\n").as_bytes()).map_err(|e| e.to_string())?;
        // One line per read(2) of s_server, so it sees each command alone.
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let pong = format!("pong-{tag}\n");
    stdin.write_all(pong.as_bytes()).map_err(|e| e.to_string())?;
    let got = s.read_exact_len(pong.len()).map_err(|e| format!("read: {e}"))?;
    if got != pong.as_bytes() {
        return Err(format!("got {:?}", String::from_utf8_lossy(&got)));
    }
    let session = s.conn.session().cloned();
    s.close_and_wait().map_err(|e| format!("close: {e}"))?;
    let n = s.conn.negotiated();
    Ok(Outcome {
        session,
        resumed: n.resumed,
        hello_retry: n.hello_retry,
        group: n.group,
        suite: n.suite,
        alpn: n.alpn.clone(),
        key_updates_received: s.conn.key_updates_received(),
    })
}

fn interactive_server(files: &PkiFiles, extra: &[&str]) -> OpenSslServer {
    let mut args = strings(&["-cert", &p(&files.server_cert), "-key", &p(&files.server_key), "-tls1_3"]);
    args.extend(strings(extra));
    OpenSslServer::start_interactive(&args)
}

#[test]
fn stateless_server_retry_with_cookie() {
    if skip_without_openssl("stateless_server_retry_with_cookie") {
        return;
    }
    // -stateless: s_server answers every first ClientHello with a
    // HelloRetryRequest carrying a cookie, which we must echo. OpenSSL 3.0
    // cannot take the middlebox-compatibility ChangeCipherSpec between
    // the two ClientHellos in this mode (its own s_client fails the same
    // way unless -no_middlebox), so we turn that off here.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut server = interactive_server(&files, &["-stateless"]);
    let ctx = pki.client_ctx(|c| c.middlebox_compat = false);
    let o = converse_interactive(&mut server, ctx, None, "stateless", false, &[])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "stateless", &e)));
    assert!(o.hello_retry);
    assert_eq!(o.group, Some(NamedGroup::X25519));
}

#[test]
fn server_initiated_key_update() {
    if skip_without_openssl("server_initiated_key_update") {
        return;
    }
    // "K" on s_server's stdin: KeyUpdate(update_requested) from the server;
    // we must switch read keys and answer with our own update.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut server = interactive_server(&files, &[]);
    let o = converse_interactive(&mut server, pki.client_ctx(|_| {}), None, "ku", false, &["K", "K"])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "server key update", &e)));
    assert_eq!(o.key_updates_received, 2);
    // s_server logs each KeyUpdate it sends as a renewed handshake step.
    // (its stdout may lag behind the connection, so wait for it).
    let logged =
        server.child.wait_stdout(IO_TIMEOUT, |out| (out.matches("SSL_do_handshake -> 1").count() >= 2).then_some(()));
    assert!(logged.is_some(), "s_server did not log two key updates:\n{}", server.child.stdout());
}

#[test]
fn tickets_allowing_early_data_still_resume() {
    if skip_without_openssl("tickets_allowing_early_data_still_resume") {
        return;
    }
    // The tickets carry an early_data extension (max_early_data_size); we
    // send no early data but must accept the tickets and resume.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut server = interactive_server(&files, &["-early_data", "-max_early_data", "16384"]);
    let ctx = pki.client_ctx(|_| {});
    let first = converse_interactive(&mut server, ctx.clone(), None, "one", false, &[])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "first", &e)));
    let second = converse_interactive(&mut server, ctx, first.session, "two", false, &[])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "second", &e)));
    assert!(second.resumed);
}

#[test]
fn two_key_shares() {
    if skip_without_openssl("two_key_shares") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-groups", "X25519"]);
    // Shares for secp384r1 and x25519: the server takes x25519 without a retry.
    let ctx = pki.client_ctx(|c| {
        c.groups = vec![NamedGroup::SECP384R1, NamedGroup::X25519];
        c.key_shares = 2;
    });
    let o = converse(&server, ctx, None, &[b"two shares".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "shares", &e)));
    assert!(!o.hello_retry);
    assert_eq!(o.group, Some(NamedGroup::X25519));
}

#[test]
fn intermediate_certificates_both_ways() {
    if skip_without_openssl("intermediate_certificates_both_ways") {
        return;
    }
    // Root → intermediate → leaf, for the server and for the client; each
    // side trusts only the root and needs the intermediate from the peer.
    let pki = Pki::with_intermediate(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(
        &files,
        &["-cert_chain", &p(&files.chain), "-Verify", "3", "-CAfile", &p(&files.ca), "-verify_return_error"],
    );
    let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
    let mut s = TlsStream::connect(server.addr, ctx, Some("localhost"), None)
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "chain", &e.to_string())));
    assert_eq!(s.conn.peer_certificates().len(), 2, "s_server did not send the intermediate");
    s.write_all(b"chain\n").unwrap();
    assert_eq!(s.read_exact_len(6).unwrap(), b"niahc\n");
    s.close_and_wait().unwrap();
}

#[test]
fn signature_scheme_restrictions() {
    if skip_without_openssl("signature_scheme_restrictions") {
        return;
    }
    // s_server may sign only with rsa_pss_rsae_sha512 and accepts client
    // signatures only with rsa_pss_rsae_sha384: both sides must follow.
    let pki = Pki::with_client(KeyType::Rsa2048, KeyType::Rsa2048);
    let files = pki.write_files();
    let server = rev_server(
        &files,
        &[
            "-sigalgs",
            "rsa_pss_rsae_sha512",
            "-client_sigalgs",
            "rsa_pss_rsae_sha384",
            "-Verify",
            "2",
            "-CAfile",
            &p(&files.ca),
            "-verify_return_error",
        ],
    );
    let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
    converse(&server, ctx, None, &[b"schemes".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "sigalgs", &e)));
}

#[test]
fn key_log_matches_openssl() {
    if skip_without_openssl("key_log_matches_openssl") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let log_path = files.path("keylog.txt");
    let server = rev_server(&files, &["-keylogfile", &p(&log_path)]);
    let log = Arc::new(ssl_core::keylog::KeyLogMemory::default());
    let ctx = pki.client_ctx(|c| c.key_log = Some(log.clone()));
    converse(&server, ctx, None, &[b"secrets".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "keylog", &e)));
    // "LABEL client_random secret", hex case aside.
    let normalise = |l: &str| {
        let (label, hex) = l.trim().split_once(' ').unwrap_or((l, ""));
        format!("{label} {}", hex.to_ascii_lowercase())
    };
    let ours: std::collections::BTreeSet<String> = log.lines().iter().map(|l| normalise(l)).collect();
    let theirs: std::collections::BTreeSet<String> = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(normalise)
        .collect();
    assert!(theirs.len() >= 5, "OpenSSL logged {theirs:?}");
    assert_eq!(ours, theirs, "our key log differs from OpenSSL's");
}

#[test]
fn bad_certificates_fail_with_alerts() {
    if skip_without_openssl("bad_certificates_fail_with_alerts") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-Verify", "2", "-CAfile", &p(&files.ca), "-verify_return_error"]);
    // The server's name does not match: our client refuses.
    let ctx = pki.client_ctx(|_| {});
    let e = TlsStream::connect(server.addr, ctx, Some("other.test"), None).err().expect("wrong name accepted");
    assert!(e.to_string().contains("name"), "{e}");
    // A client certificate from another CA: s_server refuses with unknown_ca.
    let other = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.client_ctx(|c| other.add_client_cert(c));
    let r = converse(&server, ctx, None, &[b"stranger".to_vec()]);
    let e = r.err().expect("s_server accepted a client certificate from an unknown CA");
    assert!(e.contains("unknown_ca"), "{e}");
}

#[test]
fn certificates_signed_with_rsa_pkcs1() {
    if skip_without_openssl("certificates_signed_with_rsa_pkcs1") {
        return;
    }
    // An RSA root signs the leaves with PKCS#1 v1.5 (sha256WithRSAEncryption),
    // which TLS 1.3 allows in certificates though not in handshake signatures.
    let mut failures = Vec::new();
    for kt in [KeyType::EcdsaP256, KeyType::Rsa2048] {
        let pki = Pki::with_root(KeyType::Rsa2048, kt);
        let files = pki.write_files();
        let server = rev_server(&files, &["-Verify", "2", "-CAfile", &p(&files.ca), "-verify_return_error"]);
        let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
        if let Err(e) = converse(&server, ctx, None, &[b"pkcs1 chain".to_vec()]) {
            failures.push(failure_report(&server, &format!("{kt:?} leaf"), &e));
        }
    }
    assert_no_failures("PKCS#1-signed chains from s_server", 2, &failures);
}

#[test]
fn resumption_through_hello_retry() {
    if skip_without_openssl("resumption_through_hello_retry") {
        return;
    }
    // Our key share (x25519) is refused both times: the PSK binder of the
    // second ClientHello covers the HelloRetryRequest.
    let (first, second) = resume(&["-groups", "P-384"], |c| c.groups = vec![NamedGroup::X25519, NamedGroup::SECP384R1]);
    assert!(first.hello_retry && second.hello_retry);
    assert!(second.resumed);
    assert_eq!(second.group, Some(NamedGroup::SECP384R1));
}

#[test]
fn resumption_with_client_certificate() {
    if skip_without_openssl("resumption_with_client_certificate") {
        return;
    }
    // No CertificateRequest in a PSK handshake: the identity comes from the session.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = rev_server(&files, &["-Verify", "2", "-CAfile", &p(&files.ca), "-verify_return_error"]);
    let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
    let first = converse(&server, ctx.clone(), None, &[b"one".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "first", &e)));
    let second = converse(&server, ctx, first.session, &[b"two".to_vec()])
        .unwrap_or_else(|e| panic!("{}", failure_report(&server, "second", &e)));
    assert!(second.resumed);
}

#[test]
fn default_versions_and_chained_resumption() {
    if skip_without_openssl("default_versions_and_chained_resumption") {
        return;
    }
    // s_server with its default versions (TLS 1.2 and 1.3): TLS 1.3 is chosen.
    // Each connection resumes with the ticket from the one before.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let args = strings(&["-cert", &p(&files.server_cert), "-key", &p(&files.server_key), "-rev"]);
    let server = OpenSslServer::start(&args);
    let ctx = pki.client_ctx(|_| {});
    let mut session = None;
    for i in 0..4 {
        let o = converse(&server, ctx.clone(), session, &[format!("connection {i}").into_bytes()])
            .unwrap_or_else(|e| panic!("{}", failure_report(&server, &format!("connection {i}"), &e)));
        assert_eq!(o.resumed, i > 0, "connection {i}");
        session = Some(o.session.expect("no ticket"));
    }
}

#[test]
fn tls12_only_server_is_refused_cleanly() {
    if skip_without_openssl("tls12_only_server_is_refused_cleanly") {
        return;
    }
    // A TLS 1.3-only client against a TLS 1.2-only server must fail with an
    // alert (either side's), never hang or panic.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let args = strings(&["-cert", &p(&files.server_cert), "-key", &p(&files.server_key), "-rev", "-tls1_2"]);
    let server = OpenSslServer::start(&args);
    let only13 = pki.client_ctx(|ctx| ctx.min_version = ssl_core::constants::ProtocolVersion::TLS1_3);
    let e =
        TlsStream::connect(server.addr, only13, Some("localhost"), None).err().expect("a TLS 1.2 handshake succeeded?");
    // We offer only TLS 1.3 in supported_versions, so OpenSSL refuses.
    assert!(e.to_string().contains("protocol_version"), "{e}");
}
