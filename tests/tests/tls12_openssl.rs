//! TLS 1.2 against OpenSSL 3 on 127.0.0.1, both directions: our client
//! against `openssl s_server -tls1_2` and `openssl s_client -tls1_2` against
//! our server, for every TLS 1.2 suite we implement × every group its key
//! exchange can use × every certificate type that can authenticate it;
//! resumption by session ID and by ticket (OpenSSL reports the reuse);
//! renegotiation started by either side (OpenSSL's interactive `R`/`r`
//! commands and our `renegotiate()`), and refused; the fallback SCSV; the
//! extended master secret (on by default, and refused/allowed when an
//! OpenSSL configuration turns it off); server-chosen DH parameters
//! (RFC 7919 files and a refused 1024-bit group); version negotiation
//! between 1.2 and 1.3.
//!
//! OpenSSL's TLS 1.2 suite names are not the IANA ones: the mapping comes
//! from `openssl ciphers -V` at run time (`support::openssl_cipher_name`).
//!
//! OpenSSL treats a no_renegotiation warning as fatal (it answers with a
//! handshake_failure alert, "no renegotiation"), so a refused renegotiation
//! ends an OpenSSL connection; the rustls tests show our side of the
//! refusal keeping a connection alive.

mod support;
use ssl_core::constants::{AlertDescription, CipherSuite, ProtocolVersion};
use ssl_core::context::TLS12_SUITES;
use ssl_core::{AuthLevel, Context, Error, Negotiated, Session};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::*;

const TIMEOUT: Duration = Duration::from_secs(20);

fn tls12_only(c: &mut Context) {
    c.max_version = ProtocolVersion::TLS1_2;
}

// ---------------------------------------------------------------- the matrix

/// One suite × group × server certificate combination.
#[derive(Clone, Copy, Debug)]
struct Combo {
    suite: CipherSuite,
    /// (IANA name, OpenSSL name)
    group: (&'static str, &'static str),
    key: KeyType,
}

impl Combo {
    fn family(&self) -> Tls12Family {
        Tls12Family::of(self.suite)
    }

    /// The groups a client offers: the one under test first, then (RFC 8422
    /// §5.1) the curve of an ECDSA certificate, without which the server
    /// cannot use that certificate.
    fn offered_groups(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = vec![self.group];
        let curve = match self.key {
            KeyType::EcdsaP256 => Some(GROUPS[1]),
            KeyType::EcdsaP384 => Some(GROUPS[2]),
            _ => None,
        };
        if let Some(c) = curve.filter(|c| *c != self.group) {
            v.push(c);
        }
        v
    }

    fn describe(&self) -> String {
        format!("{} + {} + {:?}", self.suite.name().unwrap_or("?"), self.group.0, self.key)
    }
}

/// Every implemented TLS 1.2 suite × every group of its family × every key
/// type that fits it.
fn matrix() -> Vec<Combo> {
    let mut v = Vec::new();
    for &suite in TLS12_SUITES {
        let f = Tls12Family::of(suite);
        for &group in f.groups() {
            for &key in f.key_types() {
                v.push(Combo { suite, group, key });
            }
        }
    }
    v
}

/// A PKI (and its files) per server key type.
struct Pkis(Vec<(KeyType, Pki, PkiFiles)>);

impl Pkis {
    fn new() -> Pkis {
        Pkis(
            ALL_KEY_TYPES
                .iter()
                .map(|&kt| {
                    let pki = Pki::new(kt);
                    let files = pki.write_files();
                    (kt, pki, files)
                })
                .collect(),
        )
    }

    fn get(&self, kt: KeyType) -> (&Pki, &PkiFiles) {
        let (_, pki, files) = self.0.iter().find(|(k, _, _)| *k == kt).unwrap();
        (pki, files)
    }
}

// ---------------------------------------------------------------- our client, s_server

fn s_server_args(files: &PkiFiles, extra: &[&str]) -> Vec<String> {
    let mut args = strings(&["-cert", &p(&files.server_cert), "-key", &p(&files.server_key)]);
    args.extend(strings(extra));
    args
}

/// What one connection of our client saw.
struct Outcome {
    negotiated: Negotiated,
    session: Option<Session>,
    handshakes: u32,
}

fn reversed_line(line: &[u8]) -> Vec<u8> {
    let mut r: Vec<u8> = line.iter().rev().copied().collect();
    r.push(b'\n');
    r
}

/// Against s_server `-rev`: each line comes back reversed. `between(s, i)`
/// runs before line `i` (renegotiation). Closes cleanly both ways.
fn converse_with(
    addr: SocketAddr,
    ctx: Arc<Context>,
    session: Option<Session>,
    lines: &[&[u8]],
    mut between: impl FnMut(&mut TlsStream, usize) -> std::io::Result<()>,
) -> Result<Outcome, String> {
    let mut s = TlsStream::connect(addr, ctx, Some("localhost"), session).map_err(|e| format!("handshake: {e}"))?;
    for (i, line) in lines.iter().enumerate() {
        between(&mut s, i).map_err(|e| format!("before line {i}: {e}"))?;
        let mut msg = line.to_vec();
        msg.push(b'\n');
        s.write_all(&msg).map_err(|e| format!("write: {e}"))?;
        let want = reversed_line(line);
        let got = s.read_exact_len(want.len()).map_err(|e| format!("read: {e}"))?;
        if got != want {
            return Err(format!("s_server answered {:?}, not {:?}", String::from_utf8_lossy(&got), want));
        }
    }
    let session = s.conn.session().cloned();
    let rest = s.close_and_wait().map_err(|e| format!("close: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} unexpected bytes before close_notify", rest.len()));
    }
    Ok(Outcome { negotiated: s.conn.negotiated().clone(), session, handshakes: s.conn.handshakes() })
}

fn converse(addr: SocketAddr, ctx: Arc<Context>, session: Option<Session>, line: &[u8]) -> Result<Outcome, String> {
    converse_with(addr, ctx, session, &[line], |_, _| Ok(()))
}

fn server_report(server: &OpenSslServer, what: &str, e: &str) -> String {
    let err = server.child.stderr();
    let tail: Vec<&str> = err.lines().rev().take(6).collect();
    format!("{what}: {e}\n  s_server stderr (last lines, newest first): {tail:?}")
}

/// Checks what a TLS 1.2 connection must have negotiated.
fn check_negotiated(n: &Negotiated, c: &Combo) -> Result<(), String> {
    let want_group = group(c.group.0);
    if n.version != Some(ProtocolVersion::TLS1_2) || n.suite != Some(c.suite) || n.group != Some(want_group) {
        return Err(format!("negotiated {:?} {:?} {:?}", n.version, n.suite, n.group));
    }
    Ok(())
}

#[test]
fn our_client_suite_group_certificate_matrix() {
    if skip_without_openssl("our_client_suite_group_certificate_matrix") {
        return;
    }
    let t0 = Instant::now();
    let pkis = Pkis::new();
    let combos = matrix();
    let total = combos.len();
    // One s_server per (certificate, DH group): it picks DH parameters
    // itself (OpenSSL 3.0 has no RFC 7919 negotiation in TLS 1.2), so each
    // FFDHE group needs its own `-dhparam` file. Our client offers exactly
    // one suite and one group, so each connection negotiates one combination.
    let mut servers: Vec<(KeyType, Option<&'static str>, Vec<Combo>)> = Vec::new();
    for c in &combos {
        let dh = (c.family() == Tls12Family::DheRsa).then_some(c.group.1);
        match servers.iter_mut().find(|(k, d, _)| *k == c.key && *d == dh) {
            Some((_, _, list)) => list.push(*c),
            None => servers.push((c.key, dh, vec![*c])),
        }
    }
    let nservers = servers.len();
    let results = run_bounded(servers, 2, |(kt, dh, list)| {
        let (pki, files) = pkis.get(kt);
        // (The list is ordered by suite: equal names are neighbours.)
        let mut names: Vec<String> = list.iter().map(|c| openssl_cipher_name(c.suite)).collect();
        names.dedup();
        let ciphers = names.join(":");
        let mut extra = vec!["-tls1_2", "-rev", "-cipher", &ciphers, "-groups", "X25519:P-256:P-384:P-521"];
        let dhfile;
        if let Some(g) = dh {
            dhfile = p(&write_dh_params(files.dir.path(), g));
            extra.extend(["-dhparam", &dhfile]);
        }
        let server = OpenSslServer::start(&s_server_args(files, &extra));
        let mut failures = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let ctx = pki.client_ctx(|ctx| {
                tls12_only(ctx);
                ctx.preferred_suites = vec![c.suite];
                ctx.groups = c.offered_groups().iter().map(|g| group(g.0)).collect();
            });
            let r = converse(server.addr, ctx, None, &text(700 + i, i))
                .and_then(|o| check_negotiated(&o.negotiated, c).map(|_| o))
                .and_then(|o| if o.negotiated.resumed { Err("resumed?".into()) } else { Ok(()) });
            if let Err(e) = r {
                failures.push(server_report(&server, &c.describe(), &e));
            }
        }
        failures
    });
    let failures: Vec<String> = results.into_iter().flatten().collect();
    eprintln!("our client vs s_server -tls1_2: {total} combinations on {nservers} servers in {:?}", t0.elapsed());
    assert_no_failures("our client vs s_server (TLS 1.2)", total, &failures);
}

// ---------------------------------------------------------------- s_client, our server

/// What our server saw on one connection.
#[derive(Debug)]
struct Seen {
    negotiated: Negotiated,
    handshakes: u32,
    lines: Vec<Vec<u8>>,
}

/// What our server does with a connection after the handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    /// Read a line, answer `echo:<line>`, close.
    Echo,
    /// Read a line, renegotiate (HelloRequest) and wait for it to finish,
    /// answer, then the same for a second line, close.
    RenegotiateThenEcho,
    /// Answer two lines (the client renegotiates in between), close.
    EchoTwo,
    /// Answer a line; then read once (the client's renegotiation
    /// ClientHello) and at once send `echo:during`, which the engine must
    /// hold back until the renegotiation finished; answer a second line, close.
    SendDuringRenegotiation,
}

fn read_line(s: &mut TlsStream) -> Result<Vec<u8>, String> {
    let line = s.read_until(|d| d.contains(&b'\n')).map_err(|e| format!("read: {e}"))?;
    if !line.ends_with(b"\n") {
        return Err(format!("the client closed after {:?}", String::from_utf8_lossy(&line)));
    }
    Ok(line)
}

fn echo(s: &mut TlsStream, line: &[u8]) -> Result<(), String> {
    let mut answer = b"echo:".to_vec();
    answer.extend_from_slice(line);
    s.write_all(&answer).map_err(|e| format!("write: {e}"))
}

fn serve_one(listener: &TcpListener, ctx: Arc<Context>, script: Script) -> Result<Seen, String> {
    let sock = accept_timeout(listener, TIMEOUT).map_err(|e| format!("accept: {e}"))?;
    let mut s = TlsStream::accept(sock, ctx).map_err(|e| format!("handshake: {e}"))?;
    let mut lines = Vec::new();
    match script {
        Script::Echo => {
            let l = read_line(&mut s)?;
            echo(&mut s, &l)?;
            lines.push(l);
        }
        Script::SendDuringRenegotiation => {
            let l = read_line(&mut s)?;
            echo(&mut s, &l)?;
            lines.push(l);
            if s.read_once().map_err(|e| format!("read: {e}"))? == 0 {
                return Err("EOF instead of a ClientHello".into());
            }
            if s.conn.handshakes() != 1 {
                return Err("the renegotiation was over after one read?".into());
            }
            echo(&mut s, b"during\n")?;
            let l = read_line(&mut s)?;
            echo(&mut s, &l)?;
            lines.push(l);
        }
        Script::RenegotiateThenEcho | Script::EchoTwo => {
            for i in 0..2 {
                let l = read_line(&mut s)?;
                if i == 0 && script == Script::RenegotiateThenEcho {
                    s.renegotiate_and_wait().map_err(|e| format!("renegotiation: {e}"))?;
                }
                echo(&mut s, &l)?;
                lines.push(l);
            }
        }
    }
    let rest = s.close_and_wait().map_err(|e| format!("close: {e}"))?;
    if !rest.is_empty() {
        return Err(format!("{} unexpected bytes before close_notify", rest.len()));
    }
    Ok(Seen { negotiated: s.conn.negotiated().clone(), handshakes: s.conn.handshakes(), lines })
}

/// Our server on an ephemeral port, one connection, in a thread.
fn start_server(ctx: Arc<Context>, script: Script) -> (SocketAddr, JoinHandle<Result<Seen, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (addr, std::thread::spawn(move || serve_one(&listener, ctx, script)))
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

fn s_client_args(addr: SocketAddr, files: &PkiFiles, extra: &[&str]) -> Vec<String> {
    let mut a = strings(&[
        "-connect",
        &addr.to_string(),
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

/// One non-interactive s_client run (`-ign_eof`, `input` on stdin) against a
/// fresh server of ours.
fn s_client_run(
    ctx: Arc<Context>,
    files: &PkiFiles,
    extra: &[&str],
    input: &[u8],
) -> (ClientRun, Result<Seen, String>) {
    let (addr, server) = start_server(ctx, Script::Echo);
    let mut args = s_client_args(addr, files, extra);
    args.push("-ign_eof".into());
    let run = s_client(&args, input, TIMEOUT);
    unblock_accept(addr, &server);
    (run, server.join().unwrap())
}

/// What every successful TLS 1.2 s_client run prints.
fn check_s_client(run: &ClientRun, cipher: &str, resumed: bool, sent: &[u8]) -> Result<(), String> {
    let mut problems = Vec::new();
    if run.status.is_none_or(|s| !s.success()) {
        problems.push("s_client did not exit successfully".to_string());
    }
    if !run.stdout.contains("Verify return code: 0 (ok)") {
        problems.push("no \"Verify return code: 0 (ok)\"".into());
    }
    let kind = if resumed { "Reused" } else { "New" };
    let want = format!("{kind}, TLSv1.2, Cipher is {cipher}\n");
    if !run.stdout.contains(&want) {
        problems.push(format!("no {want:?}"));
    }
    if !run.stdout.contains("Extended master secret: yes") {
        problems.push("no \"Extended master secret: yes\"".into());
    }
    let mut echo = b"echo:".to_vec();
    echo.extend_from_slice(sent);
    if !run.stdout.contains(std::str::from_utf8(&echo).unwrap()) {
        problems.push("our answer did not arrive".into());
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{problems:?}\n{}", run.describe())) }
}

/// What s_client prints as "Server Temp Key" for a group.
fn temp_key_text(iana: &str) -> String {
    match iana {
        "x25519" => "Server Temp Key: X25519".into(),
        "secp256r1" => "Server Temp Key: ECDH, prime256v1".into(),
        "secp384r1" => "Server Temp Key: ECDH, secp384r1".into(),
        "secp521r1" => "Server Temp Key: ECDH, secp521r1".into(),
        ff => format!("Server Temp Key: DH, {} bits", ff.trim_start_matches("ffdhe")),
    }
}

/// What s_client prints as "Peer signature type" for a key type.
fn signature_type_text(kt: KeyType) -> &'static str {
    match kt {
        KeyType::EcdsaP256 | KeyType::EcdsaP384 => "Peer signature type: ECDSA",
        KeyType::Ed25519 => "Peer signature type: ed25519",
        KeyType::Rsa2048 => "Peer signature type: RSA",
    }
}

#[test]
fn s_client_suite_group_certificate_matrix() {
    if skip_without_openssl("s_client_suite_group_certificate_matrix") {
        return;
    }
    let t0 = Instant::now();
    let pkis = Pkis::new();
    let combos = matrix();
    let total = combos.len();
    let results = run_bounded(combos.into_iter().enumerate().collect(), 2, |(i, c)| {
        let (pki, files) = pkis.get(c.key);
        let what = c.describe();
        // Our server has only the group under test. (s_client, TLS 1.2
        // only, sends no supported_groups when it offers only DHE suites:
        // our server then uses its own first FFDHE group.)
        let ctx = pki.server_ctx(|ctx| ctx.groups = vec![group(c.group.0)]);
        let cipher = openssl_cipher_name(c.suite);
        let groups = c.offered_groups().iter().map(|g| g.1).collect::<Vec<_>>().join(":");
        let mut extra = vec!["-tls1_2", "-cipher", &cipher];
        if c.family() != Tls12Family::DheRsa {
            extra.extend(["-groups", &groups]);
        }
        let mut line = text(300 + i, i);
        line.push(b'\n');
        let (run, seen) = s_client_run(ctx, files, &extra, &line);
        let seen = seen.map_err(|e| format!("{what}: our server: {e}\n{}", run.describe()))?;
        check_s_client(&run, &cipher, false, &line).map_err(|e| format!("{what}: {e}"))?;
        for want in [temp_key_text(c.group.0), signature_type_text(c.key).to_string()] {
            if !run.stdout.contains(&want) {
                return Err(format!("{what}: s_client did not print {want:?}\n{}", run.describe()));
            }
        }
        check_negotiated(&seen.negotiated, &c).map_err(|e| format!("{what}: {e}"))
    });
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    eprintln!("s_client -tls1_2 vs our server: {total} combinations in {:?}", t0.elapsed());
    assert_no_failures("s_client vs our server (TLS 1.2)", total, &failures);
}

// ---------------------------------------------------------------- DH parameters

#[test]
fn server_chosen_dh_parameters() {
    if skip_without_openssl("server_chosen_dh_parameters") {
        return;
    }
    let pki = Pki::new(KeyType::Rsa2048);
    let files = pki.write_files();
    let dhe = openssl_cipher_name(CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256);
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.preferred_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
    });
    // Without -dhparam OpenSSL 3.0 picks a group itself (an RFC 3526 MODP
    // prime); with one, the RFC 3526 2048- and 3072-bit groups: none has an
    // RFC 7919 name, and our client takes each whatever it offered.
    let modp2048 = write_dh_params(files.dir.path(), "modp_2048");
    let modp3072 = write_dh_params(files.dir.path(), "modp_3072");
    for dhparam in [None, Some(&modp2048), Some(&modp3072)] {
        let mut extra = vec!["-tls1_2".to_string(), "-rev".into(), "-cipher".into(), dhe.clone()];
        if let Some(f) = dhparam {
            extra.extend(["-dhparam".to_string(), p(f)]);
        }
        let server =
            OpenSslServer::start(&s_server_args(&files, &extra.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
        let o = converse(server.addr, ctx.clone(), None, b"server-chosen DH group")
            .unwrap_or_else(|e| panic!("{}", server_report(&server, &format!("{dhparam:?}"), &e)));
        assert_eq!(o.negotiated.suite, Some(CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256));
        assert_eq!(o.negotiated.group, None, "{dhparam:?}: not an RFC 7919 group");
    }

    // Groups below 2048 bits (RFC 2409 group 2, 1024 bits; RFC 3526's 1536-bit
    // group; OpenSSL must be told to allow them): our client refuses them
    // with insufficient_security.
    let weak = format!("{dhe}:@SECLEVEL=0");
    for dhparam in [write_dh1024_params(files.dir.path()), write_dh_params(files.dir.path(), "modp_1536")] {
        let server = OpenSslServer::start(&s_server_args(
            &files,
            &["-tls1_2", "-rev", "-cipher", &weak, "-dhparam", &p(&dhparam)],
        ));
        let e = TlsStream::connect(server.addr, ctx.clone(), Some("localhost"), None)
            .err()
            .unwrap_or_else(|| panic!("{dhparam:?} was taken"));
        assert!(matches!(tls_error(&e), Some(Error::InsufficientSecurity(_))), "{dhparam:?}: {e}");
        // OpenSSL heard our alert (s_server keeps running; its stderr names it).
        assert!(wait_stderr(&server.child, "insufficient security"), "s_server: {}", server.child.stderr());
    }
}

/// Waits (up to 5 s) until a child's stderr contains `what`.
fn wait_stderr(child: &ChildGuard, what: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if child.stderr().contains(what) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.stderr().contains(what)
}

// ---------------------------------------------------------------- resumption

/// One suite per family, with a certificate that fits it.
fn one_suite_per_family() -> [(CipherSuite, KeyType); 3] {
    [
        (CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, KeyType::EcdsaP256),
        (CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, KeyType::Rsa2048),
        (CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, KeyType::Rsa2048),
    ]
}

#[test]
fn our_client_resumes_with_s_server() {
    if skip_without_openssl("our_client_resumes_with_s_server") {
        return;
    }
    let pkis = Pkis::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for (suite, kt) in one_suite_per_family() {
        let (pki, files) = pkis.get(kt);
        let cipher = openssl_cipher_name(suite);
        // (what, s_server options, whether we offer tickets)
        // -no_ticket: only its session cache can resume (by ID); -no_cache:
        // only tickets can. Our client offers the session_ticket extension
        // when its context caches sessions.
        let kinds: [(&str, &[&str], bool); 2] =
            [("session ID", &["-no_ticket"], false), ("ticket", &["-no_cache"], true)];
        for (kind, opts, tickets) in kinds {
            total += 1;
            let what = format!("{} by {kind}", suite.name().unwrap());
            let mut extra = vec!["-tls1_2", "-rev", "-cipher", &cipher];
            extra.extend(opts);
            let server = OpenSslServer::start(&s_server_args(files, &extra));
            let ctx = pki.client_ctx(|c| {
                tls12_only(c);
                c.preferred_suites = vec![suite];
                c.use_cache = tickets;
            });
            let r = (|| {
                let first = converse(server.addr, ctx.clone(), None, b"first connection")?;
                let session = first.session.ok_or("no session to resume")?;
                let right_kind = if tickets {
                    !session.ticket.is_empty()
                } else {
                    session.ticket.is_empty() && !session.session_id.is_empty()
                };
                if !right_kind {
                    return Err(format!(
                        "session: ticket {} bytes, ID {} bytes",
                        session.ticket.len(),
                        session.session_id.len()
                    ));
                }
                let second = converse(server.addr, ctx.clone(), Some(session), b"second connection")?;
                if !second.negotiated.resumed || second.negotiated.suite != Some(suite) {
                    return Err(format!("not resumed: {:?}", second.negotiated));
                }
                // The resumed connection's session resumes again.
                let third = converse(server.addr, ctx.clone(), second.session, b"third connection")?;
                if !third.negotiated.resumed {
                    return Err("the third connection was not resumed".into());
                }
                Ok(())
            })();
            if let Err(e) = r {
                failures.push(server_report(&server, &what, &e));
            }
        }
    }
    assert_no_failures("our client resuming with s_server", total, &failures);
}

#[test]
fn s_client_resumes_with_our_server() {
    if skip_without_openssl("s_client_resumes_with_our_server") {
        return;
    }
    let pkis = Pkis::new();
    let jobs: Vec<(CipherSuite, KeyType, bool)> =
        one_suite_per_family().iter().flat_map(|&(s, k)| [(s, k, false), (s, k, true)]).collect();
    let total = jobs.len();
    let results = run_bounded(jobs, 2, |(suite, kt, by_ticket)| {
        let (pki, files) = pkis.get(kt);
        let what = format!("{} by {}", suite.name().unwrap(), if by_ticket { "ticket" } else { "session ID" });
        // By ID: our session cache, s_client -no_ticket. By ticket: no
        // cache on our side (and no session IDs), tickets only.
        let ctx = pki.server_ctx(|c| {
            c.use_cache = !by_ticket;
            c.tickets = if by_ticket { 1 } else { 0 };
        });
        let sess = files.path(&format!("{:04x}-{by_ticket}.sess", suite.0));
        let cipher = openssl_cipher_name(suite);
        let mut first = vec!["-tls1_2", "-cipher", &cipher, "-sess_out"];
        let sess_arg = p(&sess);
        first.push(&sess_arg);
        let mut second = vec!["-tls1_2", "-cipher", &cipher, "-sess_in", &sess_arg];
        if !by_ticket {
            first.push("-no_ticket");
            second.push("-no_ticket");
        }
        let (run, seen) = s_client_run(ctx.clone(), files, &first, b"one\n");
        let seen = seen.map_err(|e| format!("{what}, first: {e}\n{}", run.describe()))?;
        check_s_client(&run, &cipher, false, b"one\n").map_err(|e| format!("{what}, first: {e}"))?;
        if seen.negotiated.resumed {
            return Err(format!("{what}: the first connection was resumed"));
        }
        let (run, seen) = s_client_run(ctx, files, &second, b"two\n");
        let seen = seen.map_err(|e| format!("{what}, second: {e}\n{}", run.describe()))?;
        check_s_client(&run, &cipher, true, b"two\n").map_err(|e| format!("{what}, second: {e}"))?;
        if !seen.negotiated.resumed {
            return Err(format!("{what}: we did not resume"));
        }
        Ok(())
    });
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert_no_failures("s_client resuming with our server", total, &failures);
}

// ---------------------------------------------------------------- renegotiation

/// s_client in interactive mode (no `-ign_eof`, no `-quiet`: its stdin
/// commands work) against a server of ours running `script`.
fn interactive_run(
    ctx: Arc<Context>,
    files: &PkiFiles,
    script: Script,
    steps: impl FnOnce(&mut InteractiveClient) -> Result<(), String>,
) -> (ClientRun, Result<Seen, String>, Result<(), String>) {
    let (addr, server) = start_server(ctx, script);
    let mut client = InteractiveClient::start(&s_client_args(addr, files, &["-tls1_2"]));
    let r = steps(&mut client);
    let run = client.finish(TIMEOUT);
    unblock_accept(addr, &server);
    (run, server.join().unwrap(), r)
}

/// Waits until s_client printed `what`.
fn wait_for(client: &mut InteractiveClient, what: &str) -> Result<(), String> {
    client
        .child
        .wait_stdout(TIMEOUT, |out| out.contains(what).then_some(()))
        .ok_or_else(|| format!("s_client did not print {what:?}"))
}

/// "R" on s_client's stdin. s_client takes a command only when it is alone
/// in one read of its stdin (the rest of that read is dropped), so the next
/// line waits until s_client announced the renegotiation.
fn renegotiate_command(c: &mut InteractiveClient) -> Result<(), String> {
    c.line("R").map_err(|e| e.to_string())?;
    if wait_stderr(&c.child, "RENEGOTIATING") { Ok(()) } else { Err("s_client did not take the R command".into()) }
}

#[test]
fn s_client_renegotiates_with_our_server() {
    if skip_without_openssl("s_client_renegotiates_with_our_server") {
        return;
    }
    // "R" on s_client's stdin: a new ClientHello (secure renegotiation).
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| c.enable_renegotiation = true);
    let (run, seen, steps) = interactive_run(ctx, &files, Script::EchoTwo, |c| {
        c.line("one").map_err(|e| e.to_string())?;
        wait_for(c, "echo:one")?;
        renegotiate_command(c)?;
        c.line("two").map_err(|e| e.to_string())?;
        wait_for(c, "echo:two")
    });
    steps.unwrap_or_else(|e| panic!("{e}\nour server: {seen:?}\n{}", run.describe()));
    let seen = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert!(run.stderr.contains("RENEGOTIATING"), "{}", run.describe());
    assert_eq!(seen.handshakes, 2, "our server did not see the second handshake");
    assert_eq!(seen.lines, [b"one\n".to_vec(), b"two\n".to_vec()]);
    assert!(run.status.is_some_and(|s| s.success()), "{}", run.describe());
}

#[test]
fn our_data_waits_for_the_renegotiation_s_client_started() {
    if skip_without_openssl("our_data_waits_for_the_renegotiation_s_client_started") {
        return;
    }
    // OpenSSL refuses application data in the middle of a renegotiation
    // (unexpected_message): what our server sends then goes after its Finished.
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| c.enable_renegotiation = true);
    let (run, seen, steps) = interactive_run(ctx, &files, Script::SendDuringRenegotiation, |c| {
        c.line("one").map_err(|e| e.to_string())?;
        wait_for(c, "echo:one")?;
        renegotiate_command(c)?;
        wait_for(c, "echo:during")?;
        c.line("two").map_err(|e| e.to_string())?;
        wait_for(c, "echo:two")
    });
    steps.unwrap_or_else(|e| panic!("{e}\nour server: {seen:?}\n{}", run.describe()));
    let seen = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert_eq!(seen.handshakes, 2);
}

#[test]
fn our_server_renegotiates_with_s_client() {
    if skip_without_openssl("our_server_renegotiates_with_s_client") {
        return;
    }
    // We send a HelloRequest; s_client answers with a ClientHello.
    let pki = Pki::new(KeyType::Rsa2048);
    let files = pki.write_files();
    let ctx = pki.server_ctx(|c| {
        c.enable_renegotiation = true;
        c.preferred_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384];
    });
    let (run, seen, steps) = interactive_run(ctx, &files, Script::RenegotiateThenEcho, |c| {
        c.line("one").map_err(|e| e.to_string())?;
        wait_for(c, "echo:one")?;
        c.line("two").map_err(|e| e.to_string())?;
        wait_for(c, "echo:two")
    });
    steps.unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
    let seen = seen.unwrap_or_else(|e| panic!("our server: {e}\n{}", run.describe()));
    assert_eq!(seen.handshakes, 2);
    assert_eq!(seen.lines, [b"one\n".to_vec(), b"two\n".to_vec()]);
}

#[test]
fn our_client_renegotiates_with_s_server() {
    if skip_without_openssl("our_client_renegotiates_with_s_server") {
        return;
    }
    // OpenSSL 3 servers refuse client-initiated renegotiation unless
    // told otherwise (-client_renegotiation).
    let mut failures = Vec::new();
    for (suite, kt) in one_suite_per_family() {
        let pki = Pki::new(kt);
        let files = pki.write_files();
        let cipher = openssl_cipher_name(suite);
        let server = OpenSslServer::start(&s_server_args(
            &files,
            &["-tls1_2", "-rev", "-client_renegotiation", "-cipher", &cipher],
        ));
        let ctx = pki.client_ctx(|c| {
            tls12_only(c);
            c.enable_renegotiation = true;
        });
        // Renegotiate before lines 1 and 2: three handshakes in all. Before
        // line 1 we wait for the renegotiation to finish; before line 2 we
        // send at once (OpenSSL refuses data in the middle of a
        // renegotiation: the engine holds it back until its end).
        let r = converse_with(server.addr, ctx, None, &[b"one", b"two", b"three"], |s, i| match i {
            1 => s.renegotiate_and_wait(),
            2 => s.conn.renegotiate().map_err(std::io::Error::other),
            _ => Ok(()),
        });
        match r {
            Ok(o) if o.handshakes == 3 && o.negotiated.suite == Some(suite) => {}
            Ok(o) => failures.push(format!("{cipher}: {} handshakes, {:?}", o.handshakes, o.negotiated.suite)),
            Err(e) => failures.push(server_report(&server, &cipher, &e)),
        }
    }
    assert_no_failures("our client renegotiating with s_server", 3, &failures);
}

/// s_server in its default mode: its stdin goes to the client, `r` makes it renegotiate.
fn interactive_s_server(files: &PkiFiles, extra: &[&str]) -> OpenSslServer {
    let mut args = s_server_args(files, &["-tls1_2"]);
    args.extend(strings(extra));
    OpenSslServer::start_interactive(&args)
}

fn s_server_line(server: &mut OpenSslServer, line: &str) {
    use std::io::Write;
    let stdin = server.stdin.as_mut().unwrap();
    stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
}

#[test]
fn s_server_renegotiates_with_our_client() {
    if skip_without_openssl("s_server_renegotiates_with_our_client") {
        return;
    }
    // "r" on s_server's stdin: a HelloRequest; our client starts a new handshake.
    let pki = Pki::new(KeyType::EcdsaP384);
    let files = pki.write_files();
    let mut server = interactive_s_server(&files, &[]);
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.enable_renegotiation = true;
    });
    let mut s = TlsStream::connect(server.addr, ctx, Some("localhost"), None).unwrap();
    s.write_all(b"ping\n").unwrap();
    server.child.wait_stdout(TIMEOUT, |o| o.contains("ping").then_some(())).expect("s_server did not print our data");
    s_server_line(&mut server, "r");
    s.process_until(|c| c.handshakes() == 2)
        .unwrap_or_else(|e| panic!("{}", server_report(&server, "renegotiation", &e.to_string())));
    // Data both ways after the renegotiation.
    s.write_all(b"after\n").unwrap();
    server.child.wait_stdout(TIMEOUT, |o| o.contains("after").then_some(())).expect("no data after renegotiation");
    s_server_line(&mut server, "pong");
    assert_eq!(s.read_exact_len(5).unwrap(), b"pong\n");
    s.close_and_wait().unwrap();
}

#[test]
fn refused_renegotiation() {
    if skip_without_openssl("refused_renegotiation") {
        return;
    }
    // Our side refuses with a no_renegotiation warning. OpenSSL makes any
    // no_renegotiation alert fatal: it answers handshake_failure ("no
    // renegotiation"), so the connection ends; against rustls (which
    // ignores the warning) the connection lives on (tls12_rustls.rs).
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();

    // s_client's "R" against our server without enable_renegotiation.
    let ctx = pki.server_ctx(|_| {});
    let (run, seen, _) = interactive_run(ctx, &files, Script::EchoTwo, |c| {
        c.line("one").map_err(|e| e.to_string())?;
        wait_for(c, "echo:one")?;
        renegotiate_command(c)?;
        c.line("two").map_err(|e| e.to_string())
    });
    let e = seen.expect_err("the connection survived OpenSSL's failed renegotiation?");
    assert!(e.contains("handshake_failure"), "{e}\n{}", run.describe());
    assert!(run.stdout.contains("no renegotiation") || run.stderr.contains("no renegotiation"), "{}", run.describe());

    // s_server's "r" against our client without enable_renegotiation.
    let mut server = interactive_s_server(&files, &[]);
    let ctx = pki.client_ctx(tls12_only);
    let mut s = TlsStream::connect(server.addr, ctx, Some("localhost"), None).unwrap();
    s.write_all(b"ping\n").unwrap();
    server.child.wait_stdout(TIMEOUT, |o| o.contains("ping").then_some(())).expect("s_server did not print our data");
    s_server_line(&mut server, "r");
    let e = s.read_to_end().expect_err("the connection survived OpenSSL's failed renegotiation?");
    assert_eq!(tls_error(&e), Some(&Error::PeerAlert(AlertDescription::HANDSHAKE_FAILURE)), "{e}");
    assert_eq!(s.conn.handshakes(), 1);
    assert!(wait_stderr(&server.child, "no renegotiation"), "{}", server.child.stderr());
}

// ---------------------------------------------------------------- fallback SCSV

#[test]
fn fallback_scsv() {
    if skip_without_openssl("fallback_scsv") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    // s_client retrying at TLS 1.2 (-fallback_scsv) while our server has 1.3: refused.
    let (run, seen) = s_client_run(pki.server_ctx(|_| {}), &files, &["-tls1_2", "-fallback_scsv"], b"x\n");
    let e = seen.expect_err("our server accepted a fallback");
    assert!(e.starts_with("handshake: inappropriate_fallback"), "{e}\n{}", run.describe());
    assert!(run.stderr.contains("inappropriate fallback"), "{}", run.describe());
    // Our server limited to TLS 1.2: 1.2 is its best, the retry is fine.
    let (run, seen) = s_client_run(pki.server_ctx(tls12_only), &files, &["-tls1_2", "-fallback_scsv"], b"x\n");
    seen.unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
    check_s_client(&run, "ECDHE-ECDSA-AES128-GCM-SHA256", false, b"x\n").unwrap();

    // Our client retrying at TLS 1.2 against a server with 1.3: refused.
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.fallback_scsv = true;
    });
    let server = OpenSslServer::start(&s_server_args(&files, &["-rev"]));
    let e = TlsStream::connect(server.addr, ctx.clone(), Some("localhost"), None).err().expect("fallback accepted");
    assert_eq!(tls_error(&e), Some(&Error::PeerAlert(AlertDescription::INAPPROPRIATE_FALLBACK)), "{e}");
    // The same against a TLS 1.2-only s_server works.
    let server = OpenSslServer::start(&s_server_args(&files, &["-rev", "-tls1_2"]));
    let o = converse(server.addr, ctx, None, b"fallback")
        .unwrap_or_else(|e| panic!("{}", server_report(&server, "fallback", &e)));
    assert_eq!(o.negotiated.version, Some(ProtocolVersion::TLS1_2));
}

// ---------------------------------------------------------------- extended master secret

/// An OpenSSL configuration that turns the extended master secret off
/// (s_client and s_server of OpenSSL 3.0 have no option for it).
fn no_ems_config(files: &PkiFiles) -> PathBuf {
    let path = files.path("no-ems.cnf");
    std::fs::write(
        &path,
        "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_module\n[ssl_module]\n\
         system_default = tls_defaults\n[tls_defaults]\nOptions = -ExtendedMasterSecret\n",
    )
    .unwrap();
    path
}

#[test]
fn extended_master_secret() {
    if skip_without_openssl("extended_master_secret") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let conf = no_ems_config(&files);

    // s_client without EMS: our server requires it by default.
    let run_without_ems = |ctx: Arc<Context>| {
        let (addr, server) = start_server(ctx, Script::Echo);
        let mut cmd = Command::new("openssl");
        cmd.env("OPENSSL_CONF", &conf).arg("s_client").args(s_client_args(addr, &files, &["-tls1_2", "-ign_eof"]));
        let mut child = ChildGuard::spawn(&mut cmd, true);
        if let Some(mut stdin) = child.stdin() {
            use std::io::Write;
            let _ = stdin.write_all(b"no ems\n");
        }
        let status = child.wait(TIMEOUT);
        unblock_accept(addr, &server);
        (ClientRun { status, stdout: child.stdout(), stderr: child.stderr() }, server.join().unwrap())
    };
    let (run, seen) = run_without_ems(pki.server_ctx(|_| {}));
    let e = seen.expect_err("our server accepted a client without EMS");
    assert!(e.contains("handshake_failure"), "{e}");
    assert!(run.stderr.contains("handshake failure"), "{}", run.describe());
    let (run, seen) = run_without_ems(pki.server_ctx(|c| c.require_ems = false));
    seen.unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
    assert!(run.stdout.contains("Extended master secret: no"), "{}", run.describe());

    // s_server without EMS: our client requires it by default.
    let args = s_server_args(&files, &["-tls1_2", "-rev"]);
    let mut cmd = Command::new("openssl");
    cmd.env("OPENSSL_CONF", &conf).args(["s_server", "-accept", "127.0.0.1:0"]).args(&args);
    let mut child = ChildGuard::spawn(&mut cmd, false);
    let port = child
        .wait_stdout(TIMEOUT, |o| {
            o.lines().find_map(|l| l.strip_prefix("ACCEPT 127.0.0.1:")).and_then(|p| p.trim().parse::<u16>().ok())
        })
        .expect("s_server did not start");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let e =
        TlsStream::connect(addr, pki.client_ctx(tls12_only), Some("localhost"), None).err().expect("no EMS accepted");
    assert!(matches!(tls_error(&e), Some(Error::HandshakeFailure(_))), "{e}");
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.require_ems = false;
    });
    let o = converse(addr, ctx, None, b"without ems").unwrap();
    assert!(!o.session.expect("no session").extended_master_secret);
}

// ---------------------------------------------------------------- versions

#[test]
fn version_negotiation_with_tls12_only_peers() {
    if skip_without_openssl("version_negotiation_with_tls12_only_peers") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    // Our default client (1.2 and 1.3) against a TLS 1.2-only s_server.
    let server = OpenSslServer::start(&s_server_args(&files, &["-rev", "-tls1_2"]));
    let o = converse(server.addr, pki.client_ctx(|_| {}), None, b"versions")
        .unwrap_or_else(|e| panic!("{}", server_report(&server, "1.2+1.3 client", &e)));
    assert_eq!(o.negotiated.version, Some(ProtocolVersion::TLS1_2));
    // Our TLS 1.2-only client against a default (1.2 and 1.3) s_server.
    let server = OpenSslServer::start(&s_server_args(&files, &["-rev"]));
    let o = converse(server.addr, pki.client_ctx(tls12_only), None, b"versions")
        .unwrap_or_else(|e| panic!("{}", server_report(&server, "1.2 client", &e)));
    assert_eq!(o.negotiated.version, Some(ProtocolVersion::TLS1_2));

    // A TLS 1.2-only s_client against our default server (which then puts
    // the downgrade sentinel in its random; s_client, knowing no 1.3, ignores it).
    let (run, seen) = s_client_run(pki.server_ctx(|_| {}), &files, &["-tls1_2"], b"v\n");
    let seen = seen.unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
    check_s_client(&run, "ECDHE-ECDSA-AES128-GCM-SHA256", false, b"v\n").unwrap();
    assert_eq!(seen.negotiated.version, Some(ProtocolVersion::TLS1_2));
    // A default s_client against our TLS 1.2-only server.
    let (run, seen) = s_client_run(pki.server_ctx(tls12_only), &files, &[], b"v\n");
    let seen = seen.unwrap_or_else(|e| panic!("{e}\n{}", run.describe()));
    check_s_client(&run, "ECDHE-ECDSA-AES128-GCM-SHA256", false, b"v\n").unwrap();
    assert_eq!(seen.negotiated.version, Some(ProtocolVersion::TLS1_2));
}

// ---------------------------------------------------------------- client certificates, ALPN

#[test]
fn client_certificates_and_alpn() {
    if skip_without_openssl("client_certificates_and_alpn") {
        return;
    }
    let mut failures = Vec::new();
    for kt in ALL_KEY_TYPES {
        let pki = Pki::with_client(KeyType::EcdsaP256, kt);
        let files = pki.write_files();
        // Our client certificate to s_server, which requires and checks one.
        let server = OpenSslServer::start(&s_server_args(
            &files,
            &[
                "-tls1_2",
                "-rev",
                "-Verify",
                "2",
                "-CAfile",
                &p(&files.ca),
                "-verify_return_error",
                "-alpn",
                "h2,http/1.1",
            ],
        ));
        let ctx = pki.client_ctx(|c| {
            tls12_only(c);
            pki.add_client_cert(c);
            c.advertised_protocols = vec![b"http/1.1".to_vec()];
        });
        match converse(server.addr, ctx, None, b"client certificate") {
            Ok(o) if o.negotiated.alpn.as_deref() == Some(b"http/1.1") => {}
            Ok(o) => failures.push(format!("our client {kt:?}: ALPN {:?}", o.negotiated.alpn)),
            Err(e) => failures.push(server_report(&server, &format!("our client {kt:?}"), &e)),
        }
        // s_client's certificate to our server, which requires one.
        let ctx = pki.server_ctx(|c| {
            c.client_auth = AuthLevel::Require;
            c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        });
        let extra = ["-tls1_2", "-cert", &p(&files.client_cert), "-key", &p(&files.client_key), "-alpn", "http/1.1"];
        let (run, seen) = s_client_run(ctx, &files, &extra, b"cert\n");
        match seen {
            Ok(seen) => {
                if seen.negotiated.peer_certificates.first().map(|c| c.to_vec()) != Some(pki.client.cert_der.clone())
                    || seen.negotiated.alpn.as_deref() != Some(b"http/1.1")
                    || !run.stdout.contains("ALPN protocol: http/1.1")
                {
                    failures.push(format!("s_client {kt:?}: {:?}\n{}", seen.negotiated, run.describe()));
                }
            }
            Err(e) => failures.push(format!("s_client {kt:?}: {e}\n{}", run.describe())),
        }
    }
    assert_no_failures("TLS 1.2 client certificates with OpenSSL", 2 * ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn ecdsa_certificate_curve_follows_the_client_groups() {
    if skip_without_openssl("ecdsa_certificate_curve_follows_the_client_groups") {
        return;
    }
    // RFC 8422 §5.1: in TLS 1.2 the client's supported_groups also bound the
    // curve of an ECDSA server certificate (OpenSSL refuses another one with
    // illegal_parameter). Our server has a P-256 certificate (first) and an
    // Ed25519 one: a client naming only x25519 gets the Ed25519 one.
    let ec = Pki::new(KeyType::EcdsaP256);
    let ed = Pki::new(KeyType::Ed25519);
    let files = ec.write_files();
    let cas = files.path("both-cas.pem");
    std::fs::write(&cas, format!("{}{}", ec.ca_pem, ed.ca_pem)).unwrap();
    let ctx = ec.server_ctx(|c| {
        c.add_cert_pem(ed.server.cert_pem.as_bytes(), ed.server.key_pem.as_bytes()).unwrap();
    });
    let cipher = openssl_cipher_name(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    for (groups, want) in [("X25519", "Peer signature type: ed25519"), ("X25519:P-256", "Peer signature type: ECDSA")] {
        let (run, seen) = s_client_run(
            ctx.clone(),
            &files,
            &["-tls1_2", "-cipher", &cipher, "-groups", groups, "-CAfile", &p(&cas)],
            b"c\n",
        );
        seen.unwrap_or_else(|e| panic!("{groups}: {e}\n{}", run.describe()));
        check_s_client(&run, &cipher, false, b"c\n").unwrap();
        assert!(run.stdout.contains(want), "{groups}: {}", run.describe());
    }
}
