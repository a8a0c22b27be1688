//! `openssl s_client` (OpenSSL 3) against our server on 127.0.0.1: every
//! TLS 1.3 suite × group, every certificate type, HelloRetryRequest,
//! resumption (`-sess_out` / `-sess_in`), client certificates, ALPN and
//! KeyUpdate both ways. Our server echoes the first line it receives
//! (prefixed with `echo:`), then closes with close_notify and waits for
//! s_client's close_notify.

mod support;
use ssl_core::constants::NamedGroup;
use ssl_core::{AuthLevel, Context};
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::*;

/// Our server's first choice among the suites s_client offers by default.
const OUR_FIRST_SUITE: &str = "TLS_AES_128_GCM_SHA256";

const CLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// What our server saw on one connection.
#[derive(Debug)]
struct Seen {
    suite: Option<ssl_core::constants::CipherSuite>,
    group: Option<NamedGroup>,
    resumed: bool,
    hello_retry: bool,
    peer_certs: usize,
    peer_leaf: Option<Vec<u8>>,
    alpn: Option<Vec<u8>>,
    key_updates_received: u32,
    /// 32 bytes of the RFC 8446 §7.5 exporter, label EXPORTER_LABEL, no context.
    exporter: Vec<u8>,
}

const EXPORTER_LABEL: &str = "EXPERIMENTAL-sslfile";

#[derive(Clone, Copy, Default)]
struct Behaviour {
    /// Read this many lines before answering.
    lines: usize,
    /// Send KeyUpdate(update_requested) before the answer.
    key_update: bool,
}

/// Serves one connection: handshake, read `lines` lines, answer
/// `echo:<data>`, close cleanly. `progress` hears about each line read.
fn serve_one(
    listener: &TcpListener,
    ctx: Arc<Context>,
    b: Behaviour,
    progress: Option<&mpsc::Sender<usize>>,
) -> Result<Seen, String> {
    let sock = accept_timeout(listener, CLIENT_TIMEOUT).map_err(|e| format!("accept: {e}"))?;
    let mut s = TlsStream::accept(sock, ctx).map_err(|e| format!("handshake: {e}"))?;
    let mut exporter = vec![0u8; 32];
    s.conn.export_keying_material(EXPORTER_LABEL.as_bytes(), None, &mut exporter).map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    for i in 0..b.lines.max(1) {
        let want = i + 1;
        let more = s
            .read_until(|d| {
                d.iter().filter(|&&c| c == b'\n').count() + data.iter().filter(|&&c| c == b'\n').count() >= want
            })
            .map_err(|e| format!("read: {e}"))?;
        data.extend(more);
        if let Some(p) = progress {
            let _ = p.send(want);
        }
    }
    if b.key_update {
        s.conn.key_update(true).map_err(|e| format!("key_update: {e}"))?;
    }
    let mut answer = b"echo:".to_vec();
    answer.extend_from_slice(&data);
    s.write_all(&answer).map_err(|e| format!("write: {e}"))?;
    let rest = s.close_and_wait().map_err(|e| format!("close: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} unexpected bytes before close_notify", rest.len()));
    }
    let n = s.conn.negotiated();
    Ok(Seen {
        suite: n.suite,
        group: n.group,
        resumed: n.resumed,
        hello_retry: n.hello_retry,
        peer_certs: n.peer_certificates.len(),
        peer_leaf: n.peer_certificates.first().map(|c| c.to_vec()),
        alpn: n.alpn.clone(),
        key_updates_received: s.conn.key_updates_received(),
        exporter,
    })
}

/// Our server on an ephemeral port, serving `conns` connections in a thread.
fn start_server(ctx: Arc<Context>, conns: usize, b: Behaviour) -> (SocketAddr, JoinHandle<Vec<Result<Seen, String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let h = std::thread::spawn(move || (0..conns).map(|_| serve_one(&listener, ctx.clone(), b, None)).collect());
    (addr, h)
}

fn client_args(addr: SocketAddr, files: &PkiFiles, extra: &[&str]) -> Vec<String> {
    let mut a = strings(&[
        "-connect",
        &addr.to_string(),
        "-tls1_3",
        "-servername",
        "localhost",
        "-verify_hostname",
        "localhost",
        "-CAfile",
        &p(&files.ca),
        "-verify_return_error",
    ]);
    a.extend(strings(extra));
    a
}

/// Checks what every successful s_client run prints.
fn check_client_output(run: &ClientRun, suite_name: &str, resumed: bool, sent: &[u8]) -> Result<(), String> {
    let mut problems = Vec::new();
    if run.status.is_none_or(|s| !s.success()) {
        problems.push("s_client did not exit successfully");
    }
    if !run.stdout.contains("Verify return code: 0 (ok)") {
        problems.push("no \"Verify return code: 0 (ok)\"");
    }
    let kind = if resumed { "Reused" } else { "New" };
    if !run.stdout.contains(&format!("{kind}, TLSv1.3, Cipher is {suite_name}")) {
        problems.push("the expected \"New/Reused, TLSv1.3, Cipher is ...\" line is missing");
    }
    let mut echo = b"echo:".to_vec();
    echo.extend_from_slice(sent);
    if !run.stdout.contains(std::str::from_utf8(&echo).unwrap()) {
        problems.push("our answer did not arrive");
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{problems:?}\n{}", run.describe())) }
}

/// One s_client run against a fresh server of ours with `ctx`.
fn one_run(ctx: Arc<Context>, files: &PkiFiles, extra: &[&str], input: &[u8]) -> (ClientRun, Result<Seen, String>) {
    let (addr, server) = start_server(ctx, 1, Behaviour { lines: 1, key_update: false });
    let mut args = client_args(addr, files, extra);
    args.push("-ign_eof".into());
    let run = s_client(&args, input, CLIENT_TIMEOUT);
    unblock_accept(addr, &server);
    let seen = server.join().unwrap().pop().unwrap();
    (run, seen)
}

/// If s_client never connected (it failed early), our server would wait for
/// the accept timeout: a connection that closes at once ends that wait.
fn unblock_accept<T>(addr: SocketAddr, server: &JoinHandle<T>) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while !server.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if !server.is_finished() {
        let _ = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1));
    }
}

#[test]
fn suite_group_matrix() {
    if skip_without_openssl("suite_group_matrix") {
        return;
    }
    let t0 = Instant::now();
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    // Our server accepts everything; s_client offers exactly one suite and one group.
    let ctx = pki.server_ctx(|c| c.groups = GROUPS.iter().map(|g| group(g.0)).collect());
    let jobs: Vec<(usize, usize)> = (0..SUITES.len()).flat_map(|i| (0..GROUPS.len()).map(move |j| (i, j))).collect();
    let total = jobs.len();
    let results = run_bounded(jobs, 2, |(i, j)| {
        let (suite_name, (group_name, ossl_group)) = (SUITES[i], GROUPS[j]);
        let what = format!("{suite_name} + {group_name}");
        let mut line = text(500 + i * 10 + j, i * 9 + j);
        line.push(b'\n');
        let (run, seen) = one_run(ctx.clone(), &files, &["-ciphersuites", suite_name, "-groups", ossl_group], &line);
        let seen = seen.map_err(|e| format!("{what}: our server: {e}\n{}", run.describe()))?;
        check_client_output(&run, suite_name, false, &line).map_err(|e| format!("{what}: {e}"))?;
        if seen.suite != Some(suite(suite_name)) || seen.group != Some(group(group_name)) || seen.hello_retry {
            return Err(format!("{what}: negotiated {:?} {:?} (retry {})", seen.suite, seen.group, seen.hello_retry));
        }
        Ok(())
    });
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    eprintln!("s_client vs our server: {total} suite×group combinations in {:?}", t0.elapsed());
    assert_no_failures("s_client vs our server", total, &failures);
}

#[test]
fn certificate_types() {
    if skip_without_openssl("certificate_types") {
        return;
    }
    let mut failures = Vec::new();
    for (kt, sig) in [
        (KeyType::EcdsaP256, "ECDSA"),
        (KeyType::EcdsaP384, "ECDSA"),
        (KeyType::Ed25519, "ed25519"),
        // TLS 1.3 signs with an RSA key only with RSA-PSS (rsa_pss_rsae_*).
        (KeyType::Rsa2048, "RSA-PSS"),
    ] {
        let pki = Pki::new(kt);
        let files = pki.write_files();
        let line = b"certificate type\n";
        let (run, seen) = one_run(pki.server_ctx(|_| {}), &files, &[], line);
        let r = seen.map_err(|e| format!("our server: {e}\n{}", run.describe())).and_then(|_| {
            check_client_output(&run, OUR_FIRST_SUITE, false, line)?;
            if !run.stdout.contains(&format!("Peer signature type: {sig}\n")) {
                return Err(format!("no \"Peer signature type: {sig}\"\n{}", run.describe()));
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("{kt:?}: {e}"));
        }
    }
    assert_no_failures("server certificate types", ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn resumption_with_sess_out_and_sess_in() {
    if skip_without_openssl("resumption_with_sess_out_and_sess_in") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let sess = p(&files.path("session.pem"));
    let mut failures = Vec::new();
    for suite_name in SUITES {
        // The same context (and so the same ticket keys) for both connections.
        let ctx = pki.server_ctx(|_| {});
        let opts = ["-ciphersuites", suite_name];
        let (run, seen) = one_run(ctx.clone(), &files, &[&opts[..], &["-sess_out", &sess]].concat(), b"first\n");
        let first = seen.map_err(|e| format!("first: {e}")).and_then(|s| {
            check_client_output(&run, suite_name, false, b"first\n")?;
            if s.resumed { Err("first connection resumed".into()) } else { Ok(()) }
        });
        if let Err(e) = first {
            failures.push(format!("{suite_name}: {e}"));
            continue;
        }
        let (run, seen) = one_run(ctx, &files, &[&opts[..], &["-sess_in", &sess]].concat(), b"second\n");
        let second = seen.map_err(|e| format!("second: {e}")).and_then(|s| {
            check_client_output(&run, suite_name, true, b"second\n")?;
            if s.resumed && s.group.is_some() { Ok(()) } else { Err(format!("our server: {s:?}")) }
        });
        if let Err(e) = second {
            failures.push(format!("{suite_name}: {e}"));
        }
    }
    assert_no_failures("s_client resumption", SUITES.len(), &failures);
}

#[test]
fn hello_retry_request() {
    if skip_without_openssl("hello_retry_request") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut failures = Vec::new();
    for name in ["secp384r1", "secp521r1", "ffdhe2048"] {
        let ossl = GROUPS.iter().find(|g| g.0 == name).unwrap().1;
        // s_client sends an X25519 key share; our server takes only `name`.
        let ctx = pki.server_ctx(|c| c.groups = vec![group(name)]);
        let (run, seen) = one_run(ctx, &files, &["-groups", &format!("X25519:{ossl}")], b"retry\n");
        let r = seen.and_then(|s| {
            check_client_output(&run, OUR_FIRST_SUITE, false, b"retry\n")?;
            if s.hello_retry && s.group == Some(group(name)) { Ok(()) } else { Err(format!("{s:?}")) }
        });
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert_no_failures("HelloRetryRequest to s_client", 3, &failures);
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
        let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
        let (run, seen) = one_run(
            ctx,
            &files,
            &["-cert", &p(&files.client_cert), "-key", &p(&files.client_key)],
            b"client certificate\n",
        );
        let r = seen.and_then(|s| {
            check_client_output(&run, OUR_FIRST_SUITE, false, b"client certificate\n")?;
            // s_client sends its leaf and (found through -CAfile) the CA.
            if s.peer_certs >= 1 && s.peer_leaf.as_deref() == Some(&pki.client.cert_der[..]) {
                Ok(())
            } else {
                Err(format!("{s:?}"))
            }
        });
        if let Err(e) = r {
            failures.push(format!("client {kt:?}: {e}"));
        }
    }
    assert_no_failures("client certificates from s_client", ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn missing_client_certificate_is_refused() {
    if skip_without_openssl("missing_client_certificate_is_refused") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let (run, seen) = one_run(ctx, &files, &[], b"no certificate\n");
    let e = seen.expect_err("our server accepted a client without a certificate");
    assert!(e.contains("certificate_required"), "unexpected error: {e}");
    // s_client reports the certificate_required alert we sent.
    assert!(run.stderr.contains("certificate required"), "s_client did not see our alert:\n{}", run.describe());
    assert!(!run.stdout.contains("echo:"));
}

#[test]
fn alpn() {
    if skip_without_openssl("alpn") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    let (run, seen) = one_run(ctx, &files, &["-alpn", "foo,http/1.1"], b"alpn\n");
    let s = seen.unwrap();
    check_client_output(&run, OUR_FIRST_SUITE, false, b"alpn\n").unwrap();
    assert_eq!(s.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert!(run.stdout.contains("ALPN protocol: http/1.1"), "{}", run.describe());
}

#[test]
fn key_update_both_ways() {
    if skip_without_openssl("key_update_both_ways") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ctx = pki.server_ctx(|_| {});
    let (tx, rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        // Two lines; s_client sends its KeyUpdate between them. Then ours.
        serve_one(&listener, ctx, Behaviour { lines: 2, key_update: true }, Some(&tx))
    });
    // Interactive s_client (no -quiet/-ign_eof, so "K" is a command: KeyUpdate with
    // update_requested). Its stdin stays open until our server has answered.
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client").args(client_args(addr, &files, &[]));
    let mut child = ChildGuard::spawn(&mut cmd, true);
    let mut stdin = child.stdin().unwrap();
    stdin.write_all(b"first line\n").unwrap();
    let got_first = rx.recv_timeout(CLIENT_TIMEOUT);
    // Separate writes so s_client reads "K" as a line of its own.
    std::thread::sleep(Duration::from_millis(100));
    stdin.write_all(b"K\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    stdin.write_all(b"second line\n").unwrap();
    let seen = server.join().unwrap();
    let status = child.wait(CLIENT_TIMEOUT);
    drop(stdin);
    let run = ClientRun { status, stdout: child.stdout(), stderr: child.stderr() };
    assert!(got_first.is_ok(), "first line never arrived:\n{}", run.describe());
    let s = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert!(run.stderr.contains("KEYUPDATE"), "s_client did not send a KeyUpdate:\n{}", run.describe());
    assert_eq!(s.key_updates_received, 1, "our server did not see s_client's KeyUpdate");
    // s_client read our answer after our KeyUpdate: it switched keys correctly.
    check_client_output(&run, OUR_FIRST_SUITE, false, b"first line\nsecond line\n").unwrap();
}

#[test]
fn exporter_matches_openssl() {
    if skip_without_openssl("exporter_matches_openssl") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut failures = Vec::new();
    for suite_name in SUITES {
        let (run, seen) = one_run(
            pki.server_ctx(|_| {}),
            &files,
            &["-ciphersuites", suite_name, "-keymatexport", EXPORTER_LABEL, "-keymatexportlen", "32"],
            b"exporter\n",
        );
        let r = seen.and_then(|s| {
            check_client_output(&run, suite_name, false, b"exporter\n")?;
            let want = format!("Keying material: {}", hex::encode_upper(&s.exporter));
            if run.stdout.contains(&want) {
                Ok(())
            } else {
                Err(format!("s_client exported something else than {want}"))
            }
        });
        if let Err(e) = r {
            failures.push(format!("{suite_name}: {e}"));
        }
    }
    assert_no_failures("exporter vs s_client", SUITES.len(), &failures);
}

#[test]
fn unusual_client_options() {
    if skip_without_openssl("unusual_client_options") {
        return;
    }
    let pki = Pki::new(KeyType::Rsa2048);
    let files = pki.write_files();
    // A line long enough for many records each way.
    let mut big = text(60_000, 3);
    big.push(b'\n');
    let cases: [(&str, &[&str]); 9] = [
        // No legacy session ID and no ChangeCipherSpec from the client.
        ("no_middlebox", &["-no_middlebox"]),
        // The client offers post-handshake authentication; we never use it.
        ("enable_pha", &["-enable_pha"]),
        ("record_padding", &["-record_padding", "512"]),
        // The client sends its data in 512-byte records.
        ("max_send_frag", &["-max_send_frag", "512"]),
        // A ClientHello of over 1 KB (the ffdhe8192 share) in 512-byte records,
        // then (after our HelloRetryRequest for it) the second one too.
        ("fragmented ClientHello", &["-groups", "ffdhe8192", "-max_send_frag", "512"]),
        ("fragmented ClientHello after a retry", &["-groups", "X25519:ffdhe8192", "-max_send_frag", "512"]),
        // RFC 6066 max_fragment_length: we may ignore it or honour it.
        ("maxfraglen", &["-maxfraglen", "512"]),
        // Our RSA server must sign with the one scheme the client allows.
        ("sigalgs", &["-sigalgs", "rsa_pss_rsae_sha512"]),
        ("default", &[]),
    ];
    let mut failures = Vec::new();
    for (name, opts) in cases {
        let ctx = if name.ends_with("retry") {
            pki.server_ctx(|c| c.groups = vec![NamedGroup::FFDHE8192])
        } else {
            pki.server_ctx(|c| c.groups.push(NamedGroup::FFDHE8192))
        };
        let (run, seen) = one_run(ctx, &files, opts, &big);
        let r = seen.and_then(|s| {
            if name.starts_with("fragmented") && s.group != Some(NamedGroup::FFDHE8192) {
                return Err(format!("negotiated {:?}", s.group));
            }
            if name.ends_with("retry") != s.hello_retry {
                return Err(format!("hello_retry {}", s.hello_retry));
            }
            check_client_output(&run, OUR_FIRST_SUITE, false, &big)
        });
        let r = r.and_then(|_| {
            if name == "sigalgs" && !run.stdout.contains("Peer signing digest: SHA512") {
                return Err("not signed with rsa_pss_rsae_sha512".into());
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert_no_failures("unusual s_client options", cases.len(), &failures);
}

#[test]
fn intermediate_certificates_both_ways() {
    if skip_without_openssl("intermediate_certificates_both_ways") {
        return;
    }
    // Root → intermediate → leaf on both sides; each trusts only the root.
    let pki = Pki::with_intermediate(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let opts = ["-cert", &p(&files.client_cert), "-key", &p(&files.client_key), "-cert_chain", &p(&files.chain)];
    let (run, seen) = one_run(ctx, &files, &opts, b"chain\n");
    let s = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    check_client_output(&run, OUR_FIRST_SUITE, false, b"chain\n").unwrap();
    assert_eq!(s.peer_certs, 2, "s_client did not send its intermediate");
    assert!(run.stdout.contains(" 1 s:CN = sslfile interop intermediate CA"), "{}", run.describe());
}

#[test]
fn client_signature_scheme_restriction() {
    if skip_without_openssl("client_signature_scheme_restriction") {
        return;
    }
    // Our server accepts only rsa_pss_rsae_sha384 signatures: s_client's RSA
    // client certificate must sign its CertificateVerify with it.
    use ssl_core::constants::SignatureScheme;
    let pki = Pki::with_client(KeyType::Rsa2048, KeyType::Rsa2048);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| {
        c.client_auth = AuthLevel::Require;
        c.signature_algorithms = vec![SignatureScheme::RSA_PSS_RSAE_SHA384];
    });
    let (run, seen) =
        one_run(ctx, &files, &["-cert", &p(&files.client_cert), "-key", &p(&files.client_key)], b"pss384\n");
    let s = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert_eq!(s.peer_certs, 2);
    check_client_output(&run, OUR_FIRST_SUITE, false, b"pss384\n").unwrap();
}

#[test]
fn unknown_ticket_falls_back_to_a_full_handshake() {
    if skip_without_openssl("unknown_ticket_falls_back_to_a_full_handshake") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let sess = p(&files.path("session.pem"));
    let (run, seen) = one_run(pki.server_ctx(|_| {}), &files, &["-sess_out", &sess], b"one\n");
    seen.unwrap();
    check_client_output(&run, OUR_FIRST_SUITE, false, b"one\n").unwrap();
    // Another context: other ticket keys, so the ticket cannot be opened.
    let (run, seen) = one_run(pki.server_ctx(|_| {}), &files, &["-sess_in", &sess], b"two\n");
    let s = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert!(!s.resumed);
    check_client_output(&run, OUR_FIRST_SUITE, false, b"two\n").unwrap();
}

/// Two s_client runs (`-sess_out`, then `-sess_in`) against servers with
/// the same context; returns what our server saw the second time.
fn resume_with(ctx: Arc<Context>, files: &PkiFiles, opts: &[&str]) -> Result<Seen, String> {
    let sess = p(&files.path("resume.pem"));
    let (run, seen) = one_run(ctx.clone(), files, &[opts, &["-sess_out", &sess]].concat(), b"one\n");
    seen.map_err(|e| format!("first: {e}\n{}", run.describe()))?;
    check_client_output(&run, OUR_FIRST_SUITE, false, b"one\n")?;
    let (run, seen) = one_run(ctx, files, &[opts, &["-sess_in", &sess]].concat(), b"two\n");
    let s = seen.map_err(|e| format!("second: {e}\n{}", run.describe()))?;
    check_client_output(&run, OUR_FIRST_SUITE, true, b"two\n")?;
    Ok(s)
}

#[test]
fn resumption_variants() {
    if skip_without_openssl("resumption_variants") {
        return;
    }
    use ssl_core::constants::PskKeyExchangeMode;
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let mut failures = Vec::new();

    // HelloRetryRequest in the resumed handshake: the binder must cover it.
    let ctx = pki.server_ctx(|c| c.groups = vec![NamedGroup::SECP384R1]);
    match resume_with(ctx, &files, &["-groups", "X25519:P-384"]) {
        Ok(s) if s.resumed && s.hello_retry && s.group == Some(NamedGroup::SECP384R1) => {}
        other => failures.push(format!("through HelloRetryRequest: {other:?}")),
    }
    // psk_ke (no key exchange) when s_client allows it and we prefer it.
    let ctx = pki.server_ctx(|c| c.psk_modes = vec![PskKeyExchangeMode::PSK_KE]);
    match resume_with(ctx, &files, &["-allow_no_dhe_kex"]) {
        Ok(s) if s.resumed && s.group.is_none() => {}
        other => failures.push(format!("psk_ke: {other:?}")),
    }
    // A client certificate in the first handshake; none asked in the resumed one.
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    match resume_with(ctx, &files, &["-cert", &p(&files.client_cert), "-key", &p(&files.client_key)]) {
        Ok(s) if s.resumed => {}
        other => failures.push(format!("with a client certificate: {other:?}")),
    }
    // ALPN kept across resumption.
    let ctx = pki.server_ctx(|c| c.advertised_protocols = vec![b"http/1.1".to_vec()]);
    match resume_with(ctx, &files, &["-alpn", "http/1.1"]) {
        Ok(s) if s.resumed && s.alpn.as_deref() == Some(b"http/1.1") => {}
        other => failures.push(format!("with ALPN: {other:?}")),
    }
    assert_no_failures("s_client resumption variants", 4, &failures);
}

#[test]
fn default_versions_and_chained_resumption() {
    if skip_without_openssl("default_versions_and_chained_resumption") {
        return;
    }
    // Without -tls1_3 (s_client offers TLS 1.2 and 1.3; we choose 1.3), and
    // each run resumes with the ticket of the one before. (s_client
    // -reconnect is no use here: in TLS 1.3 it closes before any ticket
    // arrives, so OpenSSL 3.0 never resumes with it.)
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|_| {});
    for i in 0..4 {
        let mut opts = vec!["-sess_out".to_string(), p(&files.path(&format!("s{i}.pem")))];
        if i > 0 {
            opts.extend(["-sess_in".to_string(), p(&files.path(&format!("s{}.pem", i - 1)))]);
        }
        let (addr, server) = start_server(ctx.clone(), 1, Behaviour { lines: 1, key_update: false });
        let mut args = client_args(addr, &files, &["-ign_eof"]);
        args.retain(|a| a != "-tls1_3");
        args.extend(opts);
        let line = format!("run {i}\n");
        let run = s_client(&args, line.as_bytes(), CLIENT_TIMEOUT);
        unblock_accept(addr, &server);
        let s = server.join().unwrap().pop().unwrap().unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
        assert_eq!(s.resumed, i > 0, "run {i}");
        check_client_output(&run, OUR_FIRST_SUITE, i > 0, line.as_bytes()).unwrap();
    }
}

#[test]
fn tls12_only_client_is_refused_cleanly() {
    if skip_without_openssl("tls12_only_client_is_refused_cleanly") {
        return;
    }
    // A TLS 1.3-only server refuses a TLS 1.2-only client with protocol_version.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let (addr, server) = start_server(
        pki.server_ctx(|ctx| ctx.min_version = ssl_core::constants::ProtocolVersion::TLS1_3),
        1,
        Behaviour::default(),
    );
    let mut args = client_args(addr, &files, &["-tls1_2", "-ign_eof"]);
    args.retain(|a| a != "-tls1_3");
    let run = s_client(&args, b"old\n", CLIENT_TIMEOUT);
    unblock_accept(addr, &server);
    let e = server.join().unwrap().pop().unwrap().expect_err("a TLS 1.2 client was served?");
    assert!(e.contains("protocol_version"), "{e}");
    assert!(run.stderr.contains("protocol version"), "{}", run.describe());
}
