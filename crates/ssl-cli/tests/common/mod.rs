//! Helpers of the end-to-end tests of the `ssl` command: real processes on
//! 127.0.0.1 ephemeral ports. Every child is killed when its guard drops
//! (also when a test fails), and every wait has a deadline.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_ssl");
/// Longest any child may run (debug builds on a busy two-core machine).
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Kills the child when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `ssl server` and the lines it printed on stderr.
pub struct Server {
    _child: Guard,
    pub port: u16,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        Server::start_in(args, None)
    }

    pub fn start_in(args: &[&str], env: Option<(&str, &Path)>) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.arg("server").arg("--listen").arg("127.0.0.1:0").args(args);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        cmd.env_remove("SSLKEYLOGFILE");
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let mut child = Guard(cmd.spawn().expect("spawn ssl server"));
        let stderr = child.0.stderr.take().expect("server stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => panic!("server did not start; stderr: {:?}", log.lock().unwrap()),
        };
        let port = addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).expect("port in 'listening on' line");
        assert_ne!(port, 0, "the real port is printed");
        Server { _child: child, port, log }
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Waits until the server logged a line containing `needle`.
    pub fn wait_log(&self, needle: &str) -> String {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(l) = self.log.lock().unwrap().iter().find(|l| l.contains(needle)) {
                return l.clone();
            }
            assert!(Instant::now() < end, "server never logged {needle:?}: {:?}", self.log.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// What a finished process left behind.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Asserts a single, panic-free line on stderr and returns it.
    pub fn one_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr, got {:?}", self.stderr);
        assert!(!self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"), "{}", self.stderr);
        lines[0]
    }
}

pub fn collect(mut r: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Runs `program args` with `input` on stdin, within the deadline.
pub fn run_program(program: &str, args: &[&str], input: &[u8], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.env_remove("SSLKEYLOGFILE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = Guard(cmd.spawn().unwrap_or_else(|e| panic!("spawn {program}: {e}")));
    let out = collect(child.0.stdout.take().unwrap());
    let err = collect(child.0.stderr.take().unwrap());
    let mut stdin = child.0.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let end = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(s) = child.0.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > end {
            let _ = child.0.kill();
            let _ = child.0.wait();
            let err = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
            panic!("{program} {args:?} did not finish in time; stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    Output {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    }
}

pub fn ssl(args: &[&str], input: &[u8]) -> Output {
    run_program(BIN, args, input, &[])
}

pub fn client(target: &str, extra: &[&str], input: &[u8]) -> Output {
    let mut args = vec!["client", target];
    args.extend_from_slice(extra);
    ssl(&args, input)
}

pub fn assert_ok(o: &Output) {
    assert_eq!(o.code, Some(0), "exit status; stderr:\n{}", o.stderr);
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temporary path")
}

/// The key of a test certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256 (generated).
    Ecdsa,
    /// RSA 2048 (a fixed test key: ring cannot generate RSA keys).
    Rsa,
}

const RSA2048_PKCS8: &str = include_str!("rsa2048.pem");

/// A CA with a server certificate (localhost) and a client certificate,
/// and more leaves on demand.
pub struct Pki {
    pub dir: tempfile::TempDir,
    ca: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "ssl-cli test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
        let pki = Pki { dir, ca, ca_key };
        pki.leaf("server", &["localhost"], "test server", KeyKind::Ecdsa, None);
        pki.leaf("client", &["client.test"], "test client", KeyKind::Ecdsa, None);
        pki
    }

    /// Writes NAME.pem and NAME.key: a certificate issued by the CA for
    /// `sans`, valid from/to the given dates (years) if any.
    pub fn leaf(&self, name: &str, sans: &[&str], cn: &str, kind: KeyKind, years: Option<(i32, i32)>) {
        let key = match kind {
            KeyKind::Ecdsa => rcgen::KeyPair::generate().unwrap(),
            KeyKind::Rsa => rcgen::KeyPair::from_pem(RSA2048_PKCS8).unwrap(),
        };
        let mut p = rcgen::CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        if let Some((from, to)) = years {
            p.not_before = rcgen::date_time_ymd(from, 1, 1);
            p.not_after = rcgen::date_time_ymd(to, 1, 1);
        }
        let issuer = rcgen::Issuer::from_params(&self.ca, &self.ca_key);
        let cert = p.signed_by(&key, &issuer).unwrap();
        std::fs::write(self.dir.path().join(format!("{name}.pem")), cert.pem()).unwrap();
        std::fs::write(self.dir.path().join(format!("{name}.key")), key.serialize_pem()).unwrap();
    }

    pub fn file(&self, name: &str) -> String {
        path_str(&self.dir.path().join(name)).to_string()
    }
}

/// A free port on 127.0.0.1 (bound, read, released): nothing listens there.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The `openssl` program, if installed.
pub fn openssl() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("openssl")).find(|p| p.is_file())
}
