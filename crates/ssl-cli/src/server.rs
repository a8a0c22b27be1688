//! `ssl server`: accepts TLS connections with an [`SslPort`] and answers
//! each one with an information page (`--www`) or an echo (`--echo`).
//!
//! The port accepts and handshakes connections without blocking, on an
//! event loop ([`Backend`]) that runs on the main thread; each handshaken
//! connection is switched to blocking mode and served by a thread of its own.

use crate::args::{ServerArgs, ServerMode};
use crate::info;
use ssl_core::keylog::KeyLogFile;
use ssl_core::{AuthLevel, Connection, Context};
use ssl_file::{Backend, CloseMode, SslFile, SslPort, TlsError, tls_error};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

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
    if args.certs.is_empty() {
        let (cert_pem, key_pem) = self_signed()?;
        if let Some(path) = &args.cert_out {
            std::fs::write(path, &cert_pem).map_err(|e| format!("--cert-out {}: {e}", path.display()))?;
        }
        ctx.add_cert_pem(cert_pem.as_bytes(), key_pem.as_bytes()).map_err(|e| format!("generated certificate: {e}"))?;
    }
    for (cert, key) in &args.certs {
        let c = std::fs::read(cert).map_err(|e| format!("--cert {}: {e}", cert.display()))?;
        let k = std::fs::read(key).map_err(|e| format!("--key {}: {e}", key.display()))?;
        ctx.add_cert_pem(&c, &k).map_err(|e| format!("--cert {} --key {}: {e}", cert.display(), key.display()))?;
    }
    if let Some(ca) = &args.verify_client {
        let pem = std::fs::read(ca).map_err(|e| format!("--verify-client {}: {e}", ca.display()))?;
        let n = ctx.trusted_issuers.add_pem(&pem).map_err(|e| format!("--verify-client {}: {e}", ca.display()))?;
        if n == 0 {
            return Err(format!("--verify-client {}: no certificate found", ca.display()));
        }
        ctx.client_auth = AuthLevel::Require;
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

/// Runs the server; returns the exit code (only on a startup failure).
pub fn run(args: ServerArgs) -> i32 {
    let ctx = match build_context(&args) {
        Ok(ctx) => Arc::new(ctx),
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
    let mode = args.mode;
    // The port reports failed connections without their address.
    port.set_error_callback(|_port, peer, e| match peer {
        Some(p) => eprintln!("{p} handshake failed: {e}"),
        None => eprintln!("unknown peer handshake failed: {e}"),
    });
    let accepted = port.set_accept_callback(move |_port, file| {
        let spawned = std::thread::Builder::new().name("ssl-conn".into()).spawn(move || serve(file, mode));
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

/// Serves one handshaken connection (blocking) and logs it.
fn serve(file: SslFile, mode: ServerMode) {
    let peer = file.peer_addr().map(|a: SocketAddr| a.to_string()).unwrap_or_else(|_| "unknown peer".to_string());
    let summary = file.with_connection(|c| c.map(|c| info::summary(c))).unwrap_or_default();
    eprintln!("{peer} {summary}");
    let result = file.set_blocking().and_then(|()| {
        file.set_timeout(Some(IDLE_TIMEOUT));
        file.linger(Some(LINGER));
        match mode {
            ServerMode::Echo => echo(&file),
            ServerMode::Www => www(&file, &peer),
        }
    });
    if let Err(e) = result {
        eprintln!("{peer} closed: {e}");
    }
}

/// Sends close_notify and waits (at most the linger time) for the peer's,
/// so that closing with unread input does not reset the connection before
/// the peer read our data. A silent peer is not an error.
fn close(file: &SslFile) {
    let _ = file.close(CloseMode::Clean);
}

fn echo(file: &SslFile) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut f = file;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        f.write_all(&buf[..n])?;
    }
    close(file);
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
    version: String,
    keep_alive: bool,
}

impl Request {
    /// Parses a request head; `None` if the request line is malformed.
    fn parse(head: &str) -> Option<Request> {
        let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
        let mut parts = lines.next()?.split_whitespace();
        let method = parts.next()?.to_string();
        let _target = parts.next()?;
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
        Some(Request { method, version, keep_alive })
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

fn www(file: &SslFile, peer: &str) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut f = file;
    loop {
        while let Some((head_len, consumed)) = head_end(&pending) {
            let head = String::from_utf8_lossy(&pending[..head_len]).into_owned();
            pending.drain(..consumed);
            // Blank lines between requests are allowed (RFC 9112 §2.2).
            if head.trim().is_empty() {
                continue;
            }
            let answer = file.with_connection(|c| c.map(|c| respond(&head, c, peer)));
            let Some((resp, keep)) = answer else {
                return Err(io::Error::new(io::ErrorKind::NotConnected, "the connection is gone"));
            };
            f.write_all(&resp)?;
            if !keep {
                close(file);
                return Ok(());
            }
        }
        if pending.len() > MAX_REQUEST_HEAD {
            let resp = response("HTTP/1.1", "431 Request Header Fields Too Large", false, "text/plain", "", true);
            f.write_all(&resp)?;
            close(file);
            return Ok(());
        }
        let n = match f.read(&mut buf) {
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
