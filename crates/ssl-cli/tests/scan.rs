//! `ssl scan` against `ssl server` restricted in known ways, and against
//! `openssl s_server`: the table must show exactly the restriction.

mod common;

use common::*;
use ssl_core::context::{TLS12_SUITES, TLS13_SUITES};
use ssl_core::crypto::kx::SUPPORTED_GROUPS;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VERSIONS: &str = "Protocol versions";
const SUITES13: &str = "TLS 1.3 cipher suites";
const GROUPS13: &str = "TLS 1.3 key-share groups";
const SUITES12: &str = "TLS 1.2 cipher suites";
const GROUPS12: &str = "TLS 1.2 groups (ECDHE curves, FFDHE)";
const FEATURES: &str = "Features";

/// The table: (section, row) -> (status, detail).
struct Table(BTreeMap<(String, String), (String, String)>);

impl Table {
    fn parse(text: &str) -> Table {
        let mut rows = BTreeMap::new();
        let mut section = String::new();
        for line in text.lines() {
            if line.is_empty() || line.starts_with("scan of ") || line.ends_with(" s") && line.contains(" probes in ") {
                continue;
            }
            if !line.starts_with("  ") {
                section = line.to_string();
                continue;
            }
            // Fixed columns: 2 spaces, name (46), space, status (12), space,
            // detail (trailing spaces are trimmed).
            let line = format!("{line:<62}");
            let name = line.get(2..48).unwrap_or("").trim().to_string();
            let status = line.get(49..61).unwrap_or("").trim().to_string();
            let detail = line.get(62..).unwrap_or("").trim().to_string();
            assert!(!name.is_empty() && !status.is_empty(), "row {line:?}");
            rows.insert((section.clone(), name), (status, detail));
        }
        Table(rows)
    }

    fn status(&self, section: &str, name: &str) -> &str {
        match self.0.get(&(section.to_string(), name.to_string())) {
            Some((s, _)) => s,
            None => panic!("no row {section} / {name}"),
        }
    }

    fn detail(&self, section: &str, name: &str) -> &str {
        &self.0[&(section.to_string(), name.to_string())].1
    }

    /// The names of the rows of `section` whose status is `status`.
    fn with_status(&self, section: &str, status: &str) -> Vec<String> {
        self.0.iter().filter(|((s, _), (st, _))| s == section && st == status).map(|((_, n), _)| n.clone()).collect()
    }

    fn count(&self, section: &str) -> usize {
        self.0.keys().filter(|(s, _)| s == section).count()
    }
}

fn scan(target: &str, extra: &[&str]) -> (Table, String) {
    let mut args = vec!["scan", target, "--servername", "localhost", "--timeout", "10"];
    args.extend_from_slice(extra);
    let out = ssl(&args, b"");
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout(), out.stderr);
    (Table::parse(&out.stdout()), out.stdout())
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn names<T: ToString>(v: &[T]) -> Vec<String> {
    sorted(v.iter().map(|x| x.to_string()).collect())
}

#[test]
fn scan_shows_exactly_a_restricted_server() {
    let server = Server::start(&[
        "--echo",
        "--ciphers",
        "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "--groups",
        "secp384r1,x25519",
        "--alpn",
        "http/1.1",
    ]);
    let (t, text) = scan(&server.target(), &[]);
    assert_eq!(t.status(VERSIONS, "tls1.2"), "accepted", "{text}");
    assert_eq!(t.status(VERSIONS, "tls1.3"), "accepted", "{text}");
    assert_eq!(t.detail(VERSIONS, "tls1.3"), "TLS_AES_256_GCM_SHA384", "the server's preference: {text}");
    // Every suite and group we implement has a row.
    assert_eq!(t.count(SUITES13), TLS13_SUITES.len());
    assert_eq!(t.count(SUITES12), TLS12_SUITES.len());
    assert_eq!(t.count(GROUPS13), SUPPORTED_GROUPS.len());
    assert_eq!(t.count(GROUPS12), SUPPORTED_GROUPS.len());
    // Exactly the configured ones are accepted; the rest rejected with an alert.
    assert_eq!(
        t.with_status(SUITES13, "accepted"),
        sorted(vec!["TLS_AES_256_GCM_SHA384".into(), "TLS_CHACHA20_POLY1305_SHA256".into()]),
        "{text}"
    );
    assert_eq!(t.with_status(SUITES13, "rejected").len(), TLS13_SUITES.len() - 2, "{text}");
    assert_eq!(t.detail(SUITES13, "TLS_AES_128_GCM_SHA256"), "alert handshake_failure");
    assert_eq!(t.with_status(SUITES12, "accepted"), vec!["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], "{text}");
    assert_eq!(t.with_status(SUITES12, "rejected").len(), TLS12_SUITES.len() - 1, "{text}");
    assert_eq!(t.with_status(GROUPS13, "accepted"), names(&["secp384r1", "x25519"]), "{text}");
    assert_eq!(t.with_status(GROUPS13, "rejected").len(), SUPPORTED_GROUPS.len() - 2, "{text}");
    assert_eq!(t.with_status(GROUPS12, "accepted"), names(&["secp384r1", "x25519"]), "{text}");
    assert_eq!(t.with_status(GROUPS12, "rejected").len(), SUPPORTED_GROUPS.len() - 2, "{text}");
    // Features.
    assert_eq!(t.status(FEATURES, "ALPN h2"), "rejected", "{text}");
    assert_eq!(t.detail(FEATURES, "ALPN h2"), "alert no_application_protocol");
    assert_eq!(t.status(FEATURES, "ALPN http/1.1"), "selected");
    assert_eq!(t.detail(FEATURES, "ALPN preference (h2, http/1.1)"), "http/1.1");
    for yes in [
        "extended master secret (tls1.2)",
        "secure renegotiation (tls1.2)",
        "session tickets (tls1.2)",
        "session tickets (tls1.3)",
        "session-ID resumption (tls1.2)",
        "ticket resumption (tls1.2)",
        "resumption (tls1.3)",
    ] {
        assert_eq!(t.status(FEATURES, yes), "yes", "{yes}: {text}");
    }
    // ssl server announces no record_size_limit.
    assert_eq!(t.status(FEATURES, "record_size_limit (tls1.3)"), "no", "{text}");
    assert_eq!(t.status(FEATURES, "OCSP stapling"), "not tested");
}

#[test]
fn scan_of_a_tls12_only_server() {
    let server = Server::start(&["--echo", "--max-version", "tls1.2"]);
    let (t, text) = scan(&server.target(), &["--threads", "2"]);
    assert_eq!(t.status(VERSIONS, "tls1.2"), "accepted", "{text}");
    assert_eq!(t.status(VERSIONS, "tls1.3"), "rejected", "{text}");
    assert!(t.detail(VERSIONS, "tls1.3").contains("protocol_version"), "{text}");
    for section in [SUITES13, GROUPS13] {
        assert_eq!(t.with_status(section, "not tested").len(), t.count(section), "{section}: {text}");
    }
    assert_eq!(t.status(FEATURES, "resumption (tls1.3)"), "not tested");
    // The default TLS 1.2 suites with an ECDSA certificate: the ECDHE_ECDSA ones except CCM_8.
    let expected: Vec<String> = TLS12_SUITES
        .iter()
        .map(|s| s.to_string())
        .filter(|n| n.starts_with("TLS_ECDHE_ECDSA_") && !n.ends_with("_CCM_8"))
        .collect();
    assert_eq!(t.with_status(SUITES12, "accepted"), sorted(expected), "{text}");
    // The default groups, with a P-256 certificate: the client must offer
    // P-256 for the certificate (RFC 8422 §5.1.1), and the server, which
    // prefers it to P-384 and P-521, then uses it: those two are never
    // chosen. FFDHE needs DHE_RSA, so an RSA certificate.
    assert_eq!(t.with_status(GROUPS12, "accepted"), names(&["secp256r1", "x25519"]), "{text}");
    assert_eq!(t.detail(GROUPS12, "secp384r1"), "server used secp256r1", "{text}");
    assert!(t.detail(GROUPS12, "ffdhe2048").starts_with("alert "), "{text}");
    assert_eq!(t.status(FEATURES, "session-ID resumption (tls1.2)"), "yes");
}

#[test]
fn scan_of_openssl_s_server() {
    let Some(openssl) = openssl() else {
        eprintln!("openssl not installed: skipping the s_server scan");
        return;
    };
    let pki = Pki::new();
    let mut cmd = Command::new(openssl);
    cmd.args(["s_server", "-accept", "127.0.0.1:0", "-www", "-naccept", "200"])
        .args(["-cert", &pki.file("server.pem"), "-key", &pki.file("server.key")])
        .args(["-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"])
        .args(["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"])
        .args(["-groups", "X25519:P-256"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = Guard(cmd.spawn().expect("spawn openssl s_server"));
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(p) = line.strip_prefix("ACCEPT 127.0.0.1:") {
                let _ = tx.send(p.trim().to_string());
            }
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(20)).expect("s_server started");
    let started = Instant::now();
    let (t, text) = scan(&format!("127.0.0.1:{port}"), &[]);
    assert!(started.elapsed() < Duration::from_secs(30), "{text}");
    assert_eq!(t.status(VERSIONS, "tls1.3"), "accepted", "{text}");
    assert_eq!(t.status(VERSIONS, "tls1.2"), "accepted", "{text}");
    assert_eq!(
        t.with_status(SUITES13, "accepted"),
        sorted(vec!["TLS_AES_128_GCM_SHA256".into(), "TLS_CHACHA20_POLY1305_SHA256".into()]),
        "{text}"
    );
    assert_eq!(t.with_status(SUITES12, "accepted"), vec!["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"], "{text}");
    assert_eq!(t.with_status(GROUPS13, "accepted"), names(&["secp256r1", "x25519"]), "{text}");
    assert_eq!(t.with_status(GROUPS12, "accepted"), names(&["secp256r1", "x25519"]), "{text}");
    for yes in [
        "extended master secret (tls1.2)",
        "secure renegotiation (tls1.2)",
        "session tickets (tls1.3)",
        "resumption (tls1.3)",
    ] {
        assert_eq!(t.status(FEATURES, yes), "yes", "{yes}: {text}");
    }
    // Without -alpn, OpenSSL ignores ALPN.
    assert_eq!(t.status(FEATURES, "ALPN h2"), "not selected", "{text}");
}

#[test]
fn scan_of_nothing_exits_1() {
    let target = format!("127.0.0.1:{}", closed_port());
    let out = ssl(&["scan", &target], b"");
    assert_eq!(out.code, Some(1));
    let line = out.one_line();
    assert!(line.contains("cannot connect") && line.contains(&target), "{line}");
    assert!(out.stdout.is_empty());
}

#[test]
fn scan_of_a_silent_server_exits_1() {
    // Accepts connections and never says anything.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept() {
            held.push(s);
        }
    });
    let target = format!("127.0.0.1:{port}");
    let started = Instant::now();
    let out = ssl(&["scan", &target, "--timeout", "0.3"], b"");
    assert_eq!(out.code, Some(1), "{}", out.stdout());
    assert!(started.elapsed() < Duration::from_secs(20));
    let t = Table::parse(&out.stdout());
    assert_eq!(t.status(VERSIONS, "tls1.3"), "no answer");
    assert_eq!(t.detail(VERSIONS, "tls1.2"), "no answer in time");
    assert_eq!(t.with_status(SUITES12, "not tested").len(), TLS12_SUITES.len());
    let line = out.one_line();
    assert!(line.contains("answered no TLS probe"), "{line}");
}
