//! Shared helpers for the interop tests: a test PKI written to PEM files, a
//! small blocking `TlsStream` over `TcpStream` + `ssl_core::Connection`,
//! guards for `openssl` child processes, and an in-memory pump between our
//! engine and rustls.
#![allow(dead_code)]

use ssl_core::{Connection, Context, Error, Received, Session};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Every socket read/write gives up after this long, so no test can hang.
pub const IO_TIMEOUT: Duration = Duration::from_secs(15);

// ---------------------------------------------------------------- PKI

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    /// RSA-2048 (`rsaEncryption`); TLS 1.3 signs with RSA-PSS (rsa_pss_rsae_*).
    Rsa2048,
}

pub const ALL_KEY_TYPES: [KeyType; 4] = [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519, KeyType::Rsa2048];

const RSA2048_PKCS8: &str = include_str!("../../../crates/ssl-core/tests/common/rsa2048.pem");

pub fn keypair(kt: KeyType) -> rcgen::KeyPair {
    match kt {
        KeyType::EcdsaP256 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        KeyType::EcdsaP384 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        KeyType::Ed25519 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        KeyType::Rsa2048 => rcgen::KeyPair::from_pem(RSA2048_PKCS8).unwrap(),
    }
}

/// A leaf certificate and its key, in PEM and DER.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
    /// Intermediate CA certificates (PEM) to send after the leaf; often empty.
    pub chain_pem: String,
    /// The same intermediates, DER.
    pub chain_der: Vec<Vec<u8>>,
}

/// A CA (ECDSA P-256) with a server leaf for `localhost` and a client leaf,
/// optionally issued by an intermediate CA.
pub struct Pki {
    pub ca_pem: String,
    pub ca_der: Vec<u8>,
    pub server: Leaf,
    pub client: Leaf,
}

impl Pki {
    pub fn new(server_key: KeyType) -> Pki {
        Pki::build(KeyType::EcdsaP256, server_key, KeyType::EcdsaP256, false)
    }

    pub fn with_client(server_key: KeyType, client_key: KeyType) -> Pki {
        Pki::build(KeyType::EcdsaP256, server_key, client_key, false)
    }

    /// Root CA → intermediate CA → leaves (the leaves carry the intermediate as chain).
    pub fn with_intermediate(server_key: KeyType) -> Pki {
        Pki::build(KeyType::EcdsaP256, server_key, KeyType::EcdsaP256, true)
    }

    /// A root CA with a `root_key` key signs the leaves (RSA: sha256WithRSAEncryption,
    /// i.e. PKCS#1 v1.5 signatures in the certificates, as most public CAs make).
    pub fn with_root(root_key: KeyType, server_key: KeyType) -> Pki {
        Pki::build(root_key, server_key, root_key, false)
    }

    fn build(root_key: KeyType, server_key: KeyType, client_key: KeyType, intermediate: bool) -> Pki {
        let ca_params = |cn: &str| {
            let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
            p.distinguished_name.push(rcgen::DnType::CommonName, cn);
            p
        };
        let root_key = keypair(root_key);
        // Unique CA names: OpenSSL looks issuers up by name, and two test
        // PKIs with one name would look like one CA with a wrong key.
        static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pid = std::process::id();
        let root_params = ca_params(&format!("sslfile interop test CA {pid}-{n}"));
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = rcgen::Issuer::new(root_params, &root_key);
        let inter_key = keypair(KeyType::EcdsaP384);
        let inter_params = ca_params(&format!("sslfile interop intermediate CA {pid}-{n}"));
        let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
        let inter_issuer = rcgen::Issuer::new(inter_params, &inter_key);
        let (issuer, chain_pem, chain_der) = if intermediate {
            (&inter_issuer, inter.pem(), vec![inter.der().to_vec()])
        } else {
            (&root_issuer, String::new(), Vec::new())
        };
        let leaf = |kt: KeyType, names: &[&str], eku: rcgen::ExtendedKeyUsagePurpose| {
            let key = keypair(kt);
            let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, names[0]);
            p.extended_key_usages = vec![eku];
            let cert = p.signed_by(&key, issuer).unwrap();
            let key_der = pkcs8_v1(key.serialize_der());
            Leaf {
                cert_pem: cert.pem(),
                key_pem: pem("PRIVATE KEY", &key_der),
                cert_der: cert.der().to_vec(),
                key_der,
                chain_pem: chain_pem.clone(),
                chain_der: chain_der.clone(),
            }
        };
        let server = leaf(server_key, &["localhost", "server.test"], rcgen::ExtendedKeyUsagePurpose::ServerAuth);
        let client = leaf(client_key, &["client.test"], rcgen::ExtendedKeyUsagePurpose::ClientAuth);
        Pki { ca_pem: root.pem(), ca_der: root.der().to_vec(), server, client }
    }

    /// Our server context: the server leaf, the CA as trust anchor (for client
    /// certificates), no session cache surprises.
    pub fn server_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.preferred_suites = all_implemented_suites();
        let chain = format!("{}{}", self.server.cert_pem, self.server.chain_pem);
        ctx.add_cert_pem(chain.as_bytes(), self.server.key_pem.as_bytes()).unwrap();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        f(&mut ctx);
        Arc::new(ctx)
    }

    /// Our client context: the CA as trust anchor; the context cache is off
    /// so every connection is a full handshake unless a session is passed.
    pub fn client_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.preferred_suites = all_implemented_suites();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        ctx.use_cache = false;
        f(&mut ctx);
        Arc::new(ctx)
    }

    /// Adds the client leaf to a (client) context.
    pub fn add_client_cert(&self, ctx: &mut Context) {
        let chain = format!("{}{}", self.client.cert_pem, self.client.chain_pem);
        ctx.add_cert_pem(chain.as_bytes(), self.client.key_pem.as_bytes()).unwrap();
    }

    /// Writes ca.pem, server.pem, server.key, client.pem, client.key and
    /// chain.pem (the intermediates, possibly empty).
    pub fn write_files(&self) -> PkiFiles {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        PkiFiles {
            ca: write("ca.pem", &self.ca_pem),
            server_cert: write("server.pem", &self.server.cert_pem),
            server_key: write("server.key", &self.server.key_pem),
            client_cert: write("client.pem", &self.client.cert_pem),
            client_key: write("client.key", &self.client.key_pem),
            chain: write("chain.pem", &self.server.chain_pem),
            dir,
        }
    }
}

/// ring writes Ed25519 keys as PKCS#8 v2 (with the public key), which
/// OpenSSL 3.0 refuses to load ("unsupported"); `openssl genpkey` writes v1.
/// Rewrites such a key as v1 (version 0, the 32-byte seed only), so every
/// peer loads the same key file. Other keys are returned unchanged.
pub fn pkcs8_v1(der: Vec<u8>) -> Vec<u8> {
    // After the outer SEQUENCE header: version 1, the Ed25519 OID, the seed's OCTET STRING.
    const V2_BODY: [u8; 14] = [2, 1, 1, 0x30, 5, 6, 3, 0x2b, 0x65, 0x70, 4, 0x22, 4, 0x20];
    const V1_PREFIX: [u8; 16] = [0x30, 0x2e, 2, 1, 0, 0x30, 5, 6, 3, 0x2b, 0x65, 0x70, 4, 0x22, 4, 0x20];
    if der.len() > 48 && der[0] == 0x30 && der[2..16] == V2_BODY {
        let mut v1 = V1_PREFIX.to_vec();
        v1.extend_from_slice(&der[16..48]);
        return v1;
    }
    der
}

/// PEM armour with the given label.
pub fn pem(label: &str, der: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                b64.push(B64[(v >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

pub struct PkiFiles {
    pub dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub chain: PathBuf,
}

impl PkiFiles {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Every suite the engine implements (the defaults leave out CCM_8).
pub fn all_implemented_suites() -> Vec<ssl_core::constants::CipherSuite> {
    [ssl_core::context::TLS13_SUITES, ssl_core::context::TLS12_SUITES].concat()
}

pub fn p(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

// ---------------------------------------------------------------- names

/// The suites of the issue, by IANA (= OpenSSL) name.
pub const SUITES: [&str; 5] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_CCM_SHA256",
    "TLS_AES_128_CCM_8_SHA256",
];

/// The groups of the issue: (IANA name, OpenSSL 3.0 `-groups` name).
pub const GROUPS: [(&str, &str); 9] = [
    ("x25519", "X25519"),
    ("secp256r1", "P-256"),
    ("secp384r1", "P-384"),
    ("secp521r1", "P-521"),
    ("ffdhe2048", "ffdhe2048"),
    ("ffdhe3072", "ffdhe3072"),
    ("ffdhe4096", "ffdhe4096"),
    ("ffdhe6144", "ffdhe6144"),
    ("ffdhe8192", "ffdhe8192"),
];

pub fn suite(name: &str) -> ssl_core::constants::CipherSuite {
    ssl_core::constants::CipherSuite::from_name(name).unwrap_or_else(|| panic!("unknown suite {name}"))
}

pub fn group(name: &str) -> ssl_core::constants::NamedGroup {
    ssl_core::constants::NamedGroup::parse(name).unwrap_or_else(|| panic!("unknown group {name}"))
}

pub fn all_suites() -> String {
    SUITES.join(":")
}

pub fn all_openssl_groups() -> String {
    GROUPS.iter().map(|g| g.1).collect::<Vec<_>>().join(":")
}

// ---------------------------------------------------------------- TlsStream

fn tls_err(e: Error) -> io::Error {
    io::Error::other(e)
}

/// The engine error inside an `io::Error` made by [`TlsStream`], if any.
pub fn tls_error(e: &io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

/// A blocking TLS stream: our engine over a `TcpStream`. Every socket
/// operation has a timeout.
pub struct TlsStream {
    pub sock: TcpStream,
    pub conn: Connection,
}

impl TlsStream {
    pub fn new(sock: TcpStream, conn: Connection) -> io::Result<TlsStream> {
        sock.set_read_timeout(Some(IO_TIMEOUT))?;
        sock.set_write_timeout(Some(IO_TIMEOUT))?;
        sock.set_nodelay(true)?;
        Ok(TlsStream { sock, conn })
    }

    /// Connects to `addr` and completes the handshake.
    pub fn connect(
        addr: SocketAddr,
        ctx: Arc<Context>,
        server_name: Option<&str>,
        session: Option<Session>,
    ) -> io::Result<TlsStream> {
        let sock = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        let conn = Connection::client(ctx, server_name, session).map_err(tls_err)?;
        let mut s = TlsStream::new(sock, conn)?;
        s.handshake()?;
        Ok(s)
    }

    /// Completes the server handshake on an accepted socket.
    pub fn accept(sock: TcpStream, ctx: Arc<Context>) -> io::Result<TlsStream> {
        let mut s = TlsStream::new(sock, Connection::server(ctx))?;
        s.handshake()?;
        Ok(s)
    }

    pub fn handshake(&mut self) -> io::Result<()> {
        loop {
            self.flush()?;
            if self.conn.is_handshake_complete() {
                return Ok(());
            }
            if self.read_some()? == 0 {
                return Err(tls_err(self.conn.transport_eof().unwrap_err()));
            }
        }
    }

    /// Reads and processes records until `done(&conn)` holds (e.g. a
    /// renegotiation finished). Application data that arrives meanwhile is
    /// kept for [`TlsStream::read`].
    pub fn process_until(&mut self, mut done: impl FnMut(&Connection) -> bool) -> io::Result<()> {
        self.flush()?;
        while !done(&self.conn) {
            if self.read_some()? == 0 {
                self.conn.transport_eof().map_err(tls_err)?;
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the peer closed first"));
            }
        }
        Ok(())
    }

    /// One socket read, processed (what it made the engine send is sent).
    /// `Ok(0)` is the transport's EOF.
    pub fn read_once(&mut self) -> io::Result<usize> {
        self.read_some()
    }

    /// TLS 1.2: starts a renegotiation and waits until it completed.
    pub fn renegotiate_and_wait(&mut self) -> io::Result<()> {
        let before = self.conn.handshakes();
        self.conn.renegotiate().map_err(tls_err)?;
        self.process_until(|c| c.handshakes() > before)
    }

    /// Sends everything the engine has queued.
    pub fn flush(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            self.conn.write_tls(&mut self.sock)?;
        }
        self.sock.flush()
    }

    /// One socket read, processed. On an engine error the queued alert is
    /// sent before the error is returned. `Ok(0)` is the transport's EOF.
    fn read_some(&mut self) -> io::Result<usize> {
        let n = self.conn.read_tls_from(&mut self.sock)?;
        if let Err(e) = self.conn.process_new_packets() {
            let _ = self.flush();
            return Err(tls_err(e));
        }
        // Post-handshake messages (KeyUpdate answers) may have queued output.
        self.flush()?;
        Ok(n)
    }

    /// Reads application data; `Ok(0)` after the peer's close_notify.
    /// EOF without close_notify is an error (truncation).
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.recv(buf).map_err(tls_err)? {
                Received::Data(n) if n > 0 => return Ok(n),
                Received::Eof => return Ok(0),
                Received::Data(_) | Received::WouldBlock => {}
            }
            if self.read_some()? == 0 {
                self.conn.transport_eof().map_err(tls_err)?;
            }
        }
    }

    /// Reads until `pred(&data)` holds or the peer closes.
    pub fn read_until(&mut self, mut pred: impl FnMut(&[u8]) -> bool) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 16384];
        while !pred(&out) {
            let n = self.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        Ok(out)
    }

    /// Reads until `n` bytes arrived (or the peer closed).
    pub fn read_exact_len(&mut self, n: usize) -> io::Result<Vec<u8>> {
        self.read_until(|d| d.len() >= n)
    }

    /// Reads until the peer's close_notify.
    pub fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        self.read_until(|_| false)
    }

    pub fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.conn.send(data).map_err(tls_err)?;
        self.flush()
    }

    /// Sends close_notify and half-closes the socket.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.close_notify();
        self.flush()?;
        let _ = self.sock.shutdown(std::net::Shutdown::Write);
        Ok(())
    }

    /// Clean close both ways: our close_notify, then the peer's (any data
    /// still in flight is returned).
    pub fn close_and_wait(&mut self) -> io::Result<Vec<u8>> {
        self.close()?;
        let rest = self.read_to_end()?;
        if !self.conn.peer_closed() {
            return Err(io::Error::other("peer did not send close_notify"));
        }
        Ok(rest)
    }
}

/// Accepts one connection, giving up after `timeout`.
pub fn accept_timeout(listener: &TcpListener, timeout: Duration) -> io::Result<TcpStream> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + timeout;
    loop {
        match listener.accept() {
            Ok((s, _)) => {
                s.set_nonblocking(false)?;
                return Ok(s);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "no connection arrived"));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    }
}

// ---------------------------------------------------------------- processes

/// Whether `openssl` runs. The OpenSSL tests skip (loudly) when it does not.
/// They are written for OpenSSL 3 (3.0 and later).
pub fn openssl_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let out = Command::new("openssl").arg("version").stdin(Stdio::null()).output();
        match out {
            Ok(o) if o.status.success() => {
                let v = String::from_utf8_lossy(&o.stdout).into_owned();
                if !v.starts_with("OpenSSL 3") {
                    eprintln!("warning: the interop tests expect OpenSSL 3, found {}", v.trim());
                }
                true
            }
            _ => false,
        }
    })
}

/// `true` (and a loud message) when the calling test must be skipped.
pub fn skip_without_openssl(test: &str) -> bool {
    if openssl_available() {
        return false;
    }
    eprintln!(
        "!!!!!!!! SKIPPED {test}: `openssl` (OpenSSL 3) is not on PATH; install it to run the interop tests !!!!!!!!"
    );
    true
}

/// A child process that is killed when dropped; its stdout and stderr are
/// collected by threads.
pub struct ChildGuard {
    child: Child,
    stdout: Arc<Mutex<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl ChildGuard {
    /// Spawns `cmd` with stdout/stderr piped (and stdin piped when `stdin`).
    pub fn spawn(cmd: &mut Command, stdin: bool) -> ChildGuard {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if stdin { Stdio::piped() } else { Stdio::null() });
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        fn collect(mut r: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) -> std::thread::JoinHandle<()> {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = r.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    into.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        }
        readers.push(collect(child.stdout.take().unwrap(), stdout.clone()));
        readers.push(collect(child.stderr.take().unwrap(), stderr.clone()));
        ChildGuard { child, stdout, stderr, readers, status: None }
    }

    pub fn stdin(&mut self) -> Option<std::process::ChildStdin> {
        self.child.stdin.take()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Waits until `find` returns something for the stdout so far.
    pub fn wait_stdout<T>(&mut self, timeout: Duration, mut find: impl FnMut(&str) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(t) = find(&self.stdout()) {
                return Some(t);
            }
            if Instant::now() > deadline || self.try_status().is_some() {
                return find(&self.stdout());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Waits for the exit (killing the process after `timeout`) and for
    /// its output to be collected.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.try_status().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let status = self.try_status();
        if status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        status
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A running `openssl s_server` on 127.0.0.1.
pub struct OpenSslServer {
    pub child: ChildGuard,
    pub addr: SocketAddr,
    /// Its stdin, for the default (interactive) mode: what is written here
    /// goes to the client.
    pub stdin: Option<std::process::ChildStdin>,
}

impl OpenSslServer {
    /// Starts `openssl s_server -accept 127.0.0.1:0 ARGS` and reads the port
    /// it prints (`ACCEPT 127.0.0.1:PORT`). Its stdin is /dev/null.
    pub fn start(args: &[String]) -> OpenSslServer {
        OpenSslServer::spawn(args, false)
    }

    /// Same, with stdin kept open (`s_server` without `-rev`/`-www` quits at EOF on stdin).
    pub fn start_interactive(args: &[String]) -> OpenSslServer {
        OpenSslServer::spawn(args, true)
    }

    fn spawn(args: &[String], stdin: bool) -> OpenSslServer {
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-accept", "127.0.0.1:0"]).args(args);
        let mut child = ChildGuard::spawn(&mut cmd, stdin);
        let stdin = child.stdin();
        let port = child.wait_stdout(Duration::from_secs(10), |out| {
            out.lines().find_map(|l| l.strip_prefix("ACCEPT 127.0.0.1:")).and_then(|p| p.trim().parse::<u16>().ok())
        });
        let Some(port) = port else {
            panic!("s_server did not start ({args:?}):\n{}\n{}", child.stdout(), child.stderr());
        };
        OpenSslServer { child, addr: SocketAddr::from(([127, 0, 0, 1], port)), stdin }
    }
}

/// What a finished `openssl s_client` printed.
pub struct ClientRun {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

impl ClientRun {
    pub fn describe(&self) -> String {
        format!("status {:?}\n--- stdout\n{}\n--- stderr\n{}", self.status, self.stdout, self.stderr)
    }
}

/// Runs `openssl s_client ARGS`, writes `input` to its stdin, closes stdin,
/// and waits (killing it after `timeout`).
pub fn s_client(args: &[String], input: &[u8], timeout: Duration) -> ClientRun {
    let mut cmd = Command::new("openssl");
    cmd.arg("s_client").args(args);
    let mut child = ChildGuard::spawn(&mut cmd, true);
    if let Some(mut stdin) = child.stdin() {
        let _ = stdin.write_all(input);
    }
    let status = child.wait(timeout);
    ClientRun { status, stdout: child.stdout(), stderr: child.stderr() }
}

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Runs `jobs` on at most `threads` threads; returns the results in order.
pub fn run_bounded<T: Send, R: Send>(jobs: Vec<T>, threads: usize, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let queue = Mutex::new(jobs.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let Some((i, job)) = queue.lock().unwrap().pop() else { break };
                    let r = f(job);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut r = results.into_inner().unwrap();
    r.sort_by_key(|(i, _)| *i);
    r.into_iter().map(|(_, r)| r).collect()
}

/// Test data: `n` printable bytes (no newline), different per `seed`.
pub fn text(n: usize, seed: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    (0..n).map(|i| ALPHABET[(i * 31 + seed * 7 + i / 64) % ALPHABET.len()]).collect()
}

/// Panics with all failures of a matrix at once.
pub fn assert_no_failures(what: &str, total: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} of {total} combinations failed:\n{}",
        failures.len(),
        failures.join("\n---------\n")
    );
}

// ---------------------------------------------------------------- TLS 1.2

/// How a TLS 1.2 suite exchanges keys and authenticates the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tls12Family {
    EcdheEcdsa,
    EcdheRsa,
    DheRsa,
}

impl Tls12Family {
    pub fn of(suite: ssl_core::constants::CipherSuite) -> Tls12Family {
        use ssl_core::constants::KeyExchange;
        match suite.info().map(|i| i.kx) {
            Some(KeyExchange::EcdheEcdsa) => Tls12Family::EcdheEcdsa,
            Some(KeyExchange::EcdheRsa) => Tls12Family::EcdheRsa,
            Some(KeyExchange::DheRsa) => Tls12Family::DheRsa,
            other => panic!("{suite:?} is not an implemented TLS 1.2 suite ({other:?})"),
        }
    }

    /// The groups this family can use: (IANA name, OpenSSL name).
    pub fn groups(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Tls12Family::EcdheEcdsa | Tls12Family::EcdheRsa => &GROUPS[..4],
            Tls12Family::DheRsa => &GROUPS[4..],
        }
    }

    /// The server certificate keys that can authenticate this family.
    pub fn key_types(self) -> &'static [KeyType] {
        match self {
            Tls12Family::EcdheEcdsa => &[KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519],
            Tls12Family::EcdheRsa | Tls12Family::DheRsa => &[KeyType::Rsa2048],
        }
    }
}

/// OpenSSL's names for TLS 1.2 suites differ from the IANA ones; this maps
/// suite ids to them, from what `openssl ciphers -V 'ALL:@SECLEVEL=0'`
/// prints (`0xC0,0x2B - ECDHE-ECDSA-AES128-GCM-SHA256 TLSv1.2 ...`).
pub fn openssl_cipher_names() -> &'static std::collections::HashMap<u16, String> {
    static NAMES: OnceLock<std::collections::HashMap<u16, String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let out = Command::new("openssl")
            .args(["ciphers", "-V", "ALL:@SECLEVEL=0"])
            .stdin(Stdio::null())
            .output()
            .expect("cannot run openssl ciphers");
        let text = String::from_utf8_lossy(&out.stdout);
        let mut map = std::collections::HashMap::new();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            let (Some(id), Some("-"), Some(name)) = (words.next(), words.next(), words.next()) else { continue };
            let Some((hi, lo)) = id.split_once(',') else { continue };
            let byte = |s: &str| u8::from_str_radix(s.trim_start_matches("0x").trim_start_matches("0X"), 16).ok();
            if let (Some(hi), Some(lo)) = (byte(hi), byte(lo)) {
                map.insert(u16::from_be_bytes([hi, lo]), name.to_string());
            }
        }
        map
    })
}

/// OpenSSL's name of a suite (panics if this OpenSSL lacks it).
pub fn openssl_cipher_name(suite: ssl_core::constants::CipherSuite) -> String {
    openssl_cipher_names()
        .get(&suite.0)
        .cloned()
        .unwrap_or_else(|| panic!("`openssl ciphers -V` does not list {:?}", suite.name()))
}

/// Writes a named DH group (RFC 7919 `ffdhe2048`.., RFC 3526 `modp_2048`..)
/// as an OpenSSL DH parameter file (for `s_server -dhparam`) in `dir`.
pub fn write_dh_params(dir: &Path, group: &str) -> PathBuf {
    let path = dir.join(format!("{group}.pem"));
    let out = Command::new("openssl")
        .args(["genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", &format!("group:{group}"), "-out"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("cannot run openssl genpkey");
    assert!(out.status.success(), "openssl genpkey {group}: {}", String::from_utf8_lossy(&out.stderr));
    path
}

/// RFC 2409 §6.2, the Second Oakley Group: a 1024-bit safe prime, generator 2.
const OAKLEY_GROUP2_P: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22\
                               514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6\
                               F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381\
                               FFFFFFFFFFFFFFFF";

/// Writes a 1024-bit DH parameter file (RFC 2409 group 2), too small for us.
pub fn write_dh1024_params(dir: &Path) -> PathBuf {
    let p = hex::decode(OAKLEY_GROUP2_P.split_whitespace().collect::<String>()).unwrap();
    assert_eq!(p.len(), 128);
    // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER }; p's top bit is set, so it gets a 0 byte.
    let mut body = vec![0x02, 0x81, 0x81, 0x00];
    body.extend_from_slice(&p);
    body.extend_from_slice(&[0x02, 0x01, 0x02]);
    let mut der = vec![0x30, 0x81, body.len() as u8];
    der.extend_from_slice(&body);
    let path = dir.join("dh1024.pem");
    std::fs::write(&path, pem("DH PARAMETERS", &der)).unwrap();
    path
}

/// An `openssl s_client` kept running, with its stdin open (its
/// interactive commands, e.g. `R` = renegotiate, need that and no `-quiet`).
pub struct InteractiveClient {
    pub child: ChildGuard,
    pub stdin: Option<std::process::ChildStdin>,
}

impl InteractiveClient {
    pub fn start(args: &[String]) -> InteractiveClient {
        let mut cmd = Command::new("openssl");
        cmd.arg("s_client").args(args);
        let mut child = ChildGuard::spawn(&mut cmd, true);
        let stdin = child.stdin();
        InteractiveClient { child, stdin }
    }

    /// Writes one line to s_client's stdin (a command or data).
    pub fn line(&mut self, line: &str) -> io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or_else(|| io::Error::other("stdin closed"))?;
        stdin.write_all(format!("{line}\n").as_bytes())?;
        stdin.flush()
    }

    /// Closes stdin (s_client without `-ign_eof` then quits with close_notify)
    /// and waits for the exit.
    pub fn finish(mut self, timeout: Duration) -> ClientRun {
        self.stdin = None;
        let status = self.child.wait(timeout);
        ClientRun { status, stdout: self.child.stdout(), stderr: self.child.stderr() }
    }
}
