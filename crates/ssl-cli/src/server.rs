//! `ssl server`: accepts TLS connections with an [`SslPort`] and answers
//! each one with an information page (`--www`), the files of a directory
//! (`--www-root`) or an echo (`--echo`).
//!
//! The port accepts and handshakes connections without blocking, on an
//! event loop ([`Backend`]) that runs on the main thread; each handshaken
//! connection is switched to blocking mode and served by a thread of its
//! own, which logs one line when the connection ends.

use crate::args::{ServerArgs, ServerMode};
use crate::info;
use ssl_core::keylog::KeyLogFile;
use ssl_core::pki::CertifiedKey;
use ssl_core::{AuthLevel, Connection, Context};
use ssl_file::{Backend, CloseMode, SslFile, SslPort, TlsError, tls_error};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a connection may stay idle after the handshake.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long we wait for the peer's close_notify after sending ours.
const LINGER: Duration = Duration::from_secs(2);
/// Largest request head we accept.
const MAX_REQUEST_HEAD: usize = 64 * 1024;

/// Builds the server context. Errors are configuration mistakes (exit 2).
fn build_context(args: &ServerArgs) -> Result<Context, String> {
    let mut ctx = Context::new();
    args.tls.apply(&mut ctx);
    // The OCSP response stapled for every certificate, if any.
    let staple = match &args.status_file {
        Some(path) => {
            let der = std::fs::read(path).map_err(|e| format!("--status-file {}: {e}", path.display()))?;
            if der.is_empty() {
                return Err(format!("--status-file {}: the file is empty", path.display()));
            }
            Some(der)
        }
        None => None,
    };
    let mut add = |chain: &[u8], key: &[u8]| -> Result<(), ssl_core::Error> {
        let ck = CertifiedKey::from_pem(chain, key)?;
        ctx.add_cert(match &staple {
            Some(der) => ck.with_ocsp(der.clone()),
            None => ck,
        });
        Ok(())
    };
    if args.certs.is_empty() {
        let (cert_pem, key_pem) = self_signed()?;
        if let Some(path) = &args.cert_out {
            std::fs::write(path, &cert_pem).map_err(|e| format!("--cert-out {}: {e}", path.display()))?;
        }
        add(cert_pem.as_bytes(), key_pem.as_bytes()).map_err(|e| format!("generated certificate: {e}"))?;
    }
    for (cert, key) in &args.certs {
        let c = std::fs::read(cert).map_err(|e| format!("--cert {}: {e}", cert.display()))?;
        let k = std::fs::read(key).map_err(|e| format!("--key {}: {e}", key.display()))?;
        add(&c, &k).map_err(|e| format!("--cert {} --key {}: {e}", cert.display(), key.display()))?;
    }
    let client_ca = [
        ("--verify-client", &args.verify_client, AuthLevel::Require),
        ("--ask-client", &args.ask_client, AuthLevel::Ask),
    ];
    for (flag, path, level) in client_ca {
        let Some(ca) = path else { continue };
        let pem = std::fs::read(ca).map_err(|e| format!("{flag} {}: {e}", ca.display()))?;
        let n = ctx.trusted_issuers.add_pem(&pem).map_err(|e| format!("{flag} {}: {e}", ca.display()))?;
        if n == 0 {
            return Err(format!("{flag} {}: no certificate found", ca.display()));
        }
        ctx.client_auth = level;
    }
    if let Some(log) = KeyLogFile::from_env() {
        ctx.key_log = Some(Arc::new(log));
    }
    Ok(ctx)
}

/// A fresh self-signed ECDSA P-256 certificate for localhost and 127.0.0.1:
/// (certificate PEM, private key PEM).
fn self_signed() -> Result<(String, String), String> {
    let fail = |e: rcgen::Error| format!("cannot generate a certificate: {e}");
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(fail)?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).map_err(fail)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    let cert = params.self_signed(&key).map_err(fail)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Binds the first address of `listen` that works.
fn bind(listen: &str, ctx: Arc<Context>, backend: &Backend) -> io::Result<SslPort> {
    let mut last = io::Error::new(io::ErrorKind::AddrNotAvailable, "no address");
    for addr in listen.to_socket_addrs()? {
        match SslPort::bind_with_backend(addr, ctx.clone(), backend.clone()) {
            Ok(port) => return Ok(port),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// A connection between its TCP accept and the end of its handshake.
struct Handshaking {
    file: SslFile,
    peer: Option<SocketAddr>,
    since: Instant,
}

/// What every connection thread needs.
struct Shared {
    mode: ServerMode,
    /// `--www-root`, canonical.
    root: Option<PathBuf>,
    /// Connections whose handshake runs. The peer address is read when
    /// the connection is accepted: once the handshake is done, a client
    /// that closed at once has taken its address with it.
    handshaking: Mutex<Vec<Handshaking>>,
}

/// Tells two handles of one file apart from others (after the handshake
/// started, each file has its own engine).
fn engine_id(file: &SslFile) -> Option<usize> {
    file.with_connection(|c| c.map(|c| c as *const Connection as usize))
}

impl Shared {
    fn handshaking(&self) -> std::sync::MutexGuard<'_, Vec<Handshaking>> {
        self.handshaking.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets and returns the entry of `file`: its peer and accept time.
    fn take(&self, file: &SslFile) -> Option<(Option<SocketAddr>, Instant)> {
        let id = engine_id(file)?;
        let mut list = self.handshaking();
        let i = list.iter().position(|h| engine_id(&h.file) == Some(id))?;
        let h = list.swap_remove(i);
        Some((h.peer, h.since))
    }

    /// Forgets the entry of a failed connection; returns its accept time.
    fn failed(&self, peer: Option<SocketAddr>) -> Option<Instant> {
        let mut list = self.handshaking();
        let i = list.iter().position(|h| h.peer.is_some() && h.peer == peer)?;
        Some(list.swap_remove(i).since)
    }
}

/// The canonical `--www-root` directory.
fn www_root(dir: &Path) -> Result<PathBuf, String> {
    let canon = dir.canonicalize().map_err(|e| format!("--www-root {}: {e}", dir.display()))?;
    if !canon.is_dir() {
        return Err(format!("--www-root {}: not a directory", dir.display()));
    }
    Ok(canon)
}

/// Runs the server; returns the exit code (only on a startup failure).
pub fn run(args: ServerArgs) -> i32 {
    let built = build_context(&args).and_then(|ctx| Ok((ctx, args.www_root.as_deref().map(www_root).transpose()?)));
    let (ctx, root) = match built {
        Ok((ctx, root)) => (Arc::new(ctx), root),
        Err(msg) => {
            eprintln!("ssl: {msg}");
            return 2;
        }
    };
    let backend = match Backend::new() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ssl: cannot create the event loop: {e}");
            return 1;
        }
    };
    let port = match bind(&args.listen, ctx, &backend) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ssl: cannot listen on {}: {e}", args.listen);
            return 1;
        }
    };
    match port.local_addr() {
        Ok(addr) => eprintln!("listening on {addr}"),
        Err(_) => eprintln!("listening on {}", args.listen),
    }
    let shared = Arc::new(Shared { mode: args.mode, root, handshaking: Mutex::new(Vec::new()) });
    let sh = shared.clone();
    port.set_prepare_callback(move |file| {
        let mut list = sh.handshaking();
        // The port reports every connection that fails; this bound only
        // guards against a bug leaking entries.
        if list.len() > 10_000 {
            list.retain(|h| h.since.elapsed() < Duration::from_secs(600));
        }
        list.push(Handshaking { file: file.clone(), peer: file.peer_addr().ok(), since: Instant::now() });
    });
    let sh = shared.clone();
    port.set_error_callback(move |_port, peer, e| {
        let started = sh.failed(peer);
        let took = started.map(|t| format!(" after {:.3}s", t.elapsed().as_secs_f64())).unwrap_or_default();
        match peer {
            Some(p) => eprintln!("{p} handshake failed{took}: {e}"),
            None => eprintln!("unknown peer handshake failed: {e}"),
        }
    });
    let accepted = port.set_accept_callback(move |_port, file| {
        let (peer, started) = shared.take(&file).unwrap_or((None, Instant::now()));
        let peer = peer.or_else(|| file.peer_addr().ok());
        let peer = peer.map(|p| p.to_string()).unwrap_or_else(|| "unknown peer".to_string());
        let sh = shared.clone();
        let spawned =
            std::thread::Builder::new().name("ssl-conn".into()).spawn(move || serve(file, &peer, started, &sh));
        if let Err(e) = spawned {
            eprintln!("ssl: cannot start a connection thread: {e}");
        }
    });
    if let Err(e) = accepted {
        eprintln!("ssl: cannot accept connections: {e}");
        return 1;
    }
    // Runs until the process is killed.
    match backend.run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ssl: event loop failed: {e}");
            1
        }
    }
}

/// The application data of one connection, counted both ways.
struct Counted<'a> {
    file: &'a SslFile,
    read: u64,
    written: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = { self.file }.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = { self.file }.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        { self.file }.flush()
    }
}

/// Serves one handshaken connection (blocking), then logs one line: peer,
/// parameters, bytes in and out, duration, and the error if any.
fn serve(file: SslFile, peer: &str, started: Instant, shared: &Shared) {
    let mut io = Counted { file: &file, read: 0, written: 0 };
    let result = file.set_blocking().and_then(|()| {
        file.set_timeout(Some(IDLE_TIMEOUT));
        file.linger(Some(LINGER));
        match (shared.mode, &shared.root) {
            (ServerMode::Echo, _) => echo(&mut io),
            (ServerMode::Www, root) => www(&mut io, peer, root.as_deref()),
        }
    });
    let summary = file.with_connection(|c| c.map(|c| info::summary(c))).unwrap_or_default();
    let mut line =
        format!("{peer} {summary} in={} out={} duration={:.3}s", io.read, io.written, started.elapsed().as_secs_f64());
    if let Err(e) = result {
        line.push_str(&format!(" error={}", crate::x509::printable(&e.to_string())));
    }
    eprintln!("{line}");
}

/// Sends close_notify and waits (at most the linger time) for the peer's,
/// so that closing with unread input does not reset the connection before
/// the peer read our data. A silent peer is not an error.
fn close(file: &SslFile) {
    let _ = file.close(CloseMode::Clean);
}

fn echo(io: &mut Counted<'_>) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = io.read(&mut buf)?;
        if n == 0 {
            break;
        }
        io.write_all(&buf[..n])?;
    }
    close(io.file);
    Ok(())
}

/// Where the head of the first request in `buf` ends: (head length, bytes
/// to consume). Accepts `\r\n\r\n` and, for hand-typed requests, `\n\n`.
fn head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// The parts of a request head we care about.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    method: String,
    target: String,
    version: String,
    keep_alive: bool,
}

impl Request {
    /// Parses a request head; `None` if the request line is malformed.
    fn parse(head: &str) -> Option<Request> {
        let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
        let mut parts = lines.next()?.split_whitespace();
        let method = parts.next()?.to_string();
        let target = parts.next()?.to_string();
        let version = parts.next().unwrap_or("HTTP/0.9").to_string();
        if parts.next().is_some() {
            return None;
        }
        let mut tokens = Vec::new();
        for line in lines {
            if let Some((name, value)) = line.split_once(':')
                && name.trim().eq_ignore_ascii_case("connection")
            {
                tokens.extend(value.split(',').map(|t| t.trim().to_ascii_lowercase()));
            }
        }
        let has = |t: &str| tokens.iter().any(|x| x == t);
        let keep_alive = match version.as_str() {
            "HTTP/1.1" => !has("close"),
            "HTTP/1.0" => has("keep-alive") && !has("close"),
            _ => false,
        };
        Some(Request { method, target, version, keep_alive })
    }
}

/// Escapes text for HTML.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The information page for one request.
fn page(conn: &Connection, peer: &str, request_line: &str) -> String {
    let n = conn.negotiated();
    let mut rows = vec![
        ("Client", peer.to_string()),
        ("Request", crate::x509::printable(request_line)),
        ("Protocol version", info::or_none(conn.version())),
        ("Cipher suite", info::or_none(conn.cipher_suite())),
        ("Group", info::or_none(n.group)),
        ("ALPN", info::alpn(conn)),
        ("SNI", info::sni(conn)),
        ("Resumed", info::yes_no(n.resumed).to_string()),
        ("HelloRetryRequest", info::yes_no(n.hello_retry).to_string()),
    ];
    let certs = info::certificates(conn.peer_certificates());
    rows.push((
        "Client certificates",
        if certs.is_empty() { "none".to_string() } else { format!("\n{}", certs.join("\n")) },
    ));
    let mut body = String::from(
        "<!DOCTYPE html>\n<html><head><title>ssl server</title></head>\n<body>\n<h1>ssl server</h1>\n<pre>\n",
    );
    for (k, v) in rows {
        body.push_str(&format!("{:<20} {}\n", format!("{k}:"), html_escape(&v)));
    }
    body.push_str("</pre>\n</body></html>\n");
    body
}

/// Builds the response to `head`; returns it and whether to keep the connection.
fn respond(head: &str, conn: &Connection, peer: &str) -> (Vec<u8>, bool) {
    let request_line = head.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let Some(req) = Request::parse(head) else {
        return (response("HTTP/1.1", "400 Bad Request", false, "text/plain", "bad request\n", true), false);
    };
    let version = if req.version == "HTTP/1.1" { "HTTP/1.1" } else { "HTTP/1.0" };
    let keep = req.keep_alive;
    let out = match req.method.as_str() {
        "GET" | "HEAD" => {
            let body = page(conn, peer, request_line);
            response(version, "200 OK", keep, "text/html; charset=utf-8", &body, req.method == "GET")
        }
        _ => response(version, "405 Method Not Allowed", keep, "text/plain", "only GET and HEAD\n", true),
    };
    (out, keep)
}

fn response(version: &str, status: &str, keep: bool, ctype: &str, body: &str, with_body: bool) -> Vec<u8> {
    let mut out = format!(
        "{version} {status}\r\nServer: ssl\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
        body.len(),
        if keep { "keep-alive" } else { "close" }
    )
    .into_bytes();
    if with_body {
        out.extend_from_slice(body.as_bytes());
    }
    out
}

/// What a request resolves to under `--www-root`.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    /// A regular file inside the root (canonical path).
    File(PathBuf),
    /// 404.
    NotFound,
    /// 403: the path leaves the root.
    Forbidden,
    /// 400: the target is not a path we can read.
    BadRequest,
}

/// Decodes `%XX` escapes; `None` for a malformed escape.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Maps a request target to a file under `root` (canonical). Anything that
/// would leave the root is forbidden: `..` segments, a path that is
/// absolute after decoding (`//etc/passwd`), and symbolic links pointing
/// out of the root (checked on the canonical path).
fn resolve(root: &Path, target: &str) -> Resolved {
    // The absolute form (`GET https://host/path`) names the path after the authority.
    let target = match target.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {
            rest.find('/').map_or("/", |i| &rest[i..])
        }
        _ => target,
    };
    if !target.starts_with('/') {
        return Resolved::BadRequest;
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(decoded) = percent_decode(path) else { return Resolved::BadRequest };
    let Ok(decoded) = String::from_utf8(decoded) else { return Resolved::BadRequest };
    if decoded.contains('\0') {
        return Resolved::BadRequest;
    }
    if decoded.starts_with("//") {
        return Resolved::Forbidden;
    }
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Resolved::Forbidden,
            s => file.push(s),
        }
    }
    let inside = |p: &Path| -> Result<PathBuf, Resolved> {
        match p.canonicalize() {
            Ok(c) if c.starts_with(root) => Ok(c),
            Ok(_) => Err(Resolved::Forbidden),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(Resolved::Forbidden),
            Err(_) => Err(Resolved::NotFound),
        }
    };
    let mut canon = match inside(&file) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if canon.is_dir() {
        canon = match inside(&canon.join("index.html")) {
            Ok(c) => c,
            Err(r) => return r,
        };
    }
    if canon.is_file() { Resolved::File(canon) } else { Resolved::NotFound }
}

/// The Content-Type for a file name.
fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// A response: the bytes to send, then maybe a file's contents.
struct Answer {
    head: Vec<u8>,
    file: Option<std::fs::File>,
    keep: bool,
}

/// Answers a request from the files under `root`.
fn respond_file(head: &str, root: &Path) -> Answer {
    let Some(req) = Request::parse(head) else {
        let head = response("HTTP/1.1", "400 Bad Request", false, "text/plain", "bad request\n", true);
        return Answer { head, file: None, keep: false };
    };
    let version = if req.version == "HTTP/1.1" { "HTTP/1.1" } else { "HTTP/1.0" };
    let keep = req.keep_alive;
    let with_body = req.method != "HEAD";
    let plain = |status: &str, body: &str, keep: bool| Answer {
        head: response(version, status, keep, "text/plain; charset=utf-8", body, with_body),
        file: None,
        keep,
    };
    if req.method != "GET" && req.method != "HEAD" {
        return plain("405 Method Not Allowed", "only GET and HEAD\n", keep);
    }
    match resolve(root, &req.target) {
        Resolved::File(path) => {
            let opened = std::fs::File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f)));
            let Ok((len, f)) = opened else {
                return plain("404 Not Found", "not found\n", keep);
            };
            let head = format!(
                "{version} 200 OK\r\nServer: ssl\r\nContent-Type: {}\r\nContent-Length: {len}\r\nConnection: {}\r\n\r\n",
                content_type(&path),
                if keep { "keep-alive" } else { "close" }
            );
            Answer { head: head.into_bytes(), file: with_body.then_some(f), keep }
        }
        Resolved::NotFound => plain("404 Not Found", "not found\n", keep),
        Resolved::Forbidden => plain("403 Forbidden", "forbidden\n", keep),
        Resolved::BadRequest => plain("400 Bad Request", "bad request\n", false),
    }
}

fn www(io: &mut Counted<'_>, peer: &str, root: Option<&Path>) -> io::Result<()> {
    let file = io.file;
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some((head_len, consumed)) = head_end(&pending) {
            let head = String::from_utf8_lossy(&pending[..head_len]).into_owned();
            pending.drain(..consumed);
            // Blank lines between requests are allowed (RFC 9112 §2.2).
            if head.trim().is_empty() {
                continue;
            }
            let answer = match root {
                Some(root) => respond_file(&head, root),
                None => {
                    let page = file.with_connection(|c| c.map(|c| respond(&head, c, peer)));
                    let Some((head, keep)) = page else {
                        return Err(io::Error::new(io::ErrorKind::NotConnected, "the connection is gone"));
                    };
                    Answer { head, file: None, keep }
                }
            };
            io.write_all(&answer.head)?;
            if let Some(mut f) = answer.file {
                io::copy(&mut f, io)?;
            }
            if !answer.keep {
                close(file);
                return Ok(());
            }
        }
        if pending.len() > MAX_REQUEST_HEAD {
            let resp = response("HTTP/1.1", "431 Request Header Fields Too Large", false, "text/plain", "", true);
            io.write_all(&resp)?;
            close(file);
            return Ok(());
        }
        let n = match io.read(&mut buf) {
            Ok(n) => n,
            // A client that hangs up between requests without close_notify
            // lost nothing; say nothing.
            Err(e) if pending.is_empty() && tls_error(&e) == Some(&TlsError::Truncated) => return Ok(()),
            Err(e) => return Err(e),
        };
        if n == 0 {
            close(file);
            return Ok(());
        }
        pending.extend_from_slice(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_and_keep_alive() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nrest"), Some((23, 27)));
        assert_eq!(head_end(b"GET /\n\nrest"), Some((5, 7)));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        let r = Request::parse("GET /x HTTP/1.1\r\nHost: a").unwrap();
        assert_eq!((r.method.as_str(), r.version.as_str(), r.keep_alive), ("GET", "HTTP/1.1", true));
        assert!(!Request::parse("GET / HTTP/1.1\r\nConnection: Close").unwrap().keep_alive);
        assert!(!Request::parse("GET / HTTP/1.0").unwrap().keep_alive);
        assert!(Request::parse("GET / HTTP/1.0\r\nconnection: Keep-Alive").unwrap().keep_alive);
        assert!(!Request::parse("GET /").unwrap().keep_alive);
        assert_eq!(Request::parse("GET"), None);
        assert_eq!(Request::parse("GET / HTTP/1.1 extra"), None);
    }

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sub/empty")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("sub/a b.txt"), "a").unwrap();
        std::fs::write(root.join("sub/index.html"), "sub").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("link-out.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("sub/a b.txt"), root.join("link-in.txt")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("dir-out")).unwrap();
        let file = |p: &str| Resolved::File(root.join(p));
        assert_eq!(resolve(&root, "/"), file("index.html"));
        assert_eq!(resolve(&root, "/index.html?x=1#top"), file("index.html"));
        assert_eq!(resolve(&root, "/sub/a%20b.txt"), file("sub/a b.txt"));
        assert_eq!(resolve(&root, "/sub/"), file("sub/index.html"));
        assert_eq!(resolve(&root, "/sub"), file("sub/index.html"));
        assert_eq!(resolve(&root, "/./sub//a%20b.txt"), file("sub/a b.txt"));
        assert_eq!(resolve(&root, "https://example.test/sub/a%20b.txt"), file("sub/a b.txt"));
        assert_eq!(resolve(&root, "/link-in.txt"), file("sub/a b.txt"));
        assert_eq!(resolve(&root, "/missing.txt"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/sub/empty/"), Resolved::NotFound, "a directory without index.html");
        assert_eq!(resolve(&root, "/index.html/x"), Resolved::NotFound);
        assert_eq!(resolve(&root, "/../etc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/sub/../index.html"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/%2e%2e/etc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/sub/..%2f..%2fetc"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "//etc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/%2Fetc/passwd"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/link-out.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "/dir-out/secret.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&root, "etc/passwd"), Resolved::BadRequest);
        assert_eq!(resolve(&root, "*"), Resolved::BadRequest);
        assert_eq!(resolve(&root, "/a%zz"), Resolved::BadRequest);
        assert_eq!(resolve(&root, "/a%00b"), Resolved::BadRequest);
        assert_eq!(resolve(&root, "/%ff"), Resolved::BadRequest);
        assert_eq!(content_type(Path::new("a.HTML")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("a.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("a.jpeg")), "image/jpeg");
        assert_eq!(content_type(Path::new("Makefile")), "application/octet-stream");
    }

    #[test]
    fn responses_have_the_right_length() {
        let r = response("HTTP/1.1", "200 OK", true, "text/html", "<p>\u{e9}</p>", true);
        let text = String::from_utf8(r).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert!(head.contains("Connection: keep-alive"));
        let r = response("HTTP/1.0", "200 OK", false, "text/html", "abc", false);
        let text = String::from_utf8(r).unwrap();
        assert!(text.ends_with("Connection: close\r\n\r\n") && text.contains("Content-Length: 3"));
        assert_eq!(html_escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}
