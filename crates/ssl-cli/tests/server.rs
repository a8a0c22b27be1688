//! `ssl server`: --www-root, --ask-client, and the line it logs for each
//! connection when it ends.

mod common;

use common::*;
use ssl_core::{AuthLevel, Connection, Context, Received};
use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One HTTP response: status line, headers (lower-case names), body.
#[derive(Debug)]
struct Response {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Splits the responses of one connection (each with Content-Length).
/// `heads_only`: the requests were HEAD, so no body follows.
fn responses(mut data: &[u8], heads_only: bool) -> Vec<Response> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let end = data.windows(4).position(|w| w == b"\r\n\r\n").expect("end of a response head");
        let head = String::from_utf8_lossy(&data[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().to_string();
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').expect("header");
                (n.trim().to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        let len: usize = headers.iter().find(|(n, _)| n == "content-length").unwrap().1.parse().unwrap();
        let body_len = if heads_only { 0 } else { len };
        let body = data[end + 4..end + 4 + body_len].to_vec();
        data = &data[end + 4 + body_len..];
        out.push(Response { status, headers, body });
    }
    out
}

fn get(server: &Server, request: &str) -> Response {
    let out = client(&server.target(), &["--insecure"], request.as_bytes());
    assert_ok(&out);
    let mut r = responses(&out.stdout, request.starts_with("HEAD"));
    assert_eq!(r.len(), 1, "{}", out.stdout());
    r.remove(0)
}

fn site(root: &Path, outside: &Path) {
    let w = |p: &str, data: &[u8]| {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    };
    w("index.html", b"<h1>home</h1>");
    w("style.css", b"body{}");
    w("app.js", b"let x;");
    w("data.json", b"{}");
    w("notes.txt", b"plain");
    w("logo.svg", b"<svg/>");
    w("img.png", b"\x89PNG\r\n\x1a\n");
    w("photo.jpg", b"\xff\xd8\xff");
    w("blob.bin", &[0u8, 1, 2, 255]);
    w("docs/index.html", b"docs home");
    w("docs/a b.txt", b"spaced");
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(outside.join("secret.txt"), b"secret").unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), root.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(outside, root.join("outside")).unwrap();
}

#[test]
fn www_root_serves_files_and_stays_inside() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("www");
    let outside = dir.path().join("private");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    site(&root, &outside);
    let server = Server::start(&["--www-root", path_str(&root)]);

    for (path, ctype, body) in [
        ("/", "text/html; charset=utf-8", &b"<h1>home</h1>"[..]),
        ("/index.html", "text/html; charset=utf-8", b"<h1>home</h1>"),
        ("/style.css", "text/css; charset=utf-8", b"body{}"),
        ("/app.js", "text/javascript; charset=utf-8", b"let x;"),
        ("/data.json", "application/json", b"{}"),
        ("/notes.txt", "text/plain; charset=utf-8", b"plain"),
        ("/logo.svg", "image/svg+xml", b"<svg/>"),
        ("/img.png", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("/photo.jpg", "image/jpeg", b"\xff\xd8\xff"),
        ("/blob.bin", "application/octet-stream", &[0u8, 1, 2, 255]),
        ("/docs/", "text/html; charset=utf-8", b"docs home"),
        ("/docs", "text/html; charset=utf-8", b"docs home"),
        ("/docs/a%20b.txt?x=1", "text/plain; charset=utf-8", b"spaced"),
    ] {
        let r = get(&server, &format!("GET {path} HTTP/1.0\r\n\r\n"));
        assert_eq!(r.status, "HTTP/1.0 200 OK", "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.header("content-length"), Some(body.len().to_string().as_str()), "{path}");
        assert_eq!(r.header("connection"), Some("close"), "{path}");
        assert_eq!(r.body, body, "{path}");
    }
    for (path, status) in [
        ("/missing.html", "404 Not Found"),
        ("/empty/", "404 Not Found"),
        ("/../private/secret.txt", "403 Forbidden"),
        ("/docs/../../private/secret.txt", "403 Forbidden"),
        ("/%2e%2e/private/secret.txt", "403 Forbidden"),
        ("//etc/passwd", "403 Forbidden"),
        ("/leak.txt", "403 Forbidden"),
        ("/outside/secret.txt", "403 Forbidden"),
        ("notapath", "400 Bad Request"),
    ] {
        let r = get(&server, &format!("GET {path} HTTP/1.0\r\n\r\n"));
        assert_eq!(r.status, format!("HTTP/1.0 {status}"), "{path}");
        assert!(!String::from_utf8_lossy(&r.body).contains("secret"), "{path}");
    }
    let r = get(&server, "HEAD /notes.txt HTTP/1.0\r\n\r\n");
    assert_eq!((r.status.as_str(), r.header("content-length")), ("HTTP/1.0 200 OK", Some("5")));
    assert!(r.body.is_empty());
    let r = get(&server, "POST /notes.txt HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, "HTTP/1.0 405 Method Not Allowed");

    // HTTP/1.1 keep-alive: three answers on one connection, the last one closes.
    let req = "GET /notes.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\n\
               GET /data.json HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    let out = client(&server.target(), &["--insecure"], req.as_bytes());
    assert_ok(&out);
    let r = responses(&out.stdout, false);
    let got: Vec<(&str, Option<&str>)> = r.iter().map(|r| (r.status.as_str(), r.header("connection"))).collect();
    assert_eq!(
        got,
        vec![
            ("HTTP/1.1 200 OK", Some("keep-alive")),
            ("HTTP/1.1 404 Not Found", Some("keep-alive")),
            ("HTTP/1.1 200 OK", Some("close"))
        ]
    );
    assert_eq!(r[0].body, b"plain");
    assert_eq!(r[2].body, b"{}");

    // A big file arrives whole.
    let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(root.join("big.bin"), &big).unwrap();
    let r = get(&server, "GET /big.bin HTTP/1.0\r\n\r\n");
    assert!(r.body == big, "{} bytes", r.body.len());
}

#[test]
fn ask_client_takes_a_certificate_if_given() {
    let pki = Pki::new();
    let stranger = Pki::new();
    stranger.leaf("other", &["other.test"], "stranger", KeyKind::Ecdsa, None);
    let args =
        ["--cert", &pki.file("server.pem"), "--key", &pki.file("server.key"), "--ask-client", &pki.file("ca.pem")];
    let server = Server::start(&args);
    let req = b"GET / HTTP/1.0\r\n\r\n";
    // No certificate: fine.
    let out = client(&server.target(), &["--insecure"], req);
    assert_ok(&out);
    assert!(out.stdout().contains("Client certificates: none"), "{}", out.stdout());
    // A certificate from the CA: shown on the page.
    let (cert, key) = (pki.file("client.pem"), pki.file("client.key"));
    let out = client(&server.target(), &["--insecure", "--cert", &cert, "--key", &key], req);
    assert_ok(&out);
    assert!(out.stdout().contains("CN=test client"), "{}", out.stdout());
    // TLS 1.2 as well.
    let out = client(&server.target(), &["--insecure", "--tls1.2", "--cert", &cert, "--key", &key], req);
    assert_ok(&out);
    assert!(out.stdout().contains("CN=test client") && out.stdout().contains("tls1.2"), "{}", out.stdout());
    // A certificate from another CA is verified, and refused.
    let (cert, key) = (stranger.file("other.pem"), stranger.file("other.key"));
    let out = client(&server.target(), &["--insecure", "--tls1.2", "--cert", &cert, "--key", &key], req);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(out.stderr.lines().last().unwrap_or("").contains("the server sent alert"), "{}", out.stderr);
    assert!(server.wait_log("handshake failed").contains("certificate"), "{:?}", server.log.lock().unwrap());
}

/// A TLS client driven by hand, to end a connection badly.
fn raw_tls_client(port: u16) -> (TcpStream, Connection) {
    let mut ctx = Context::new();
    ctx.server_auth = AuthLevel::None;
    let mut conn = Connection::client(Arc::new(ctx), Some("localhost"), None).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    while !conn.is_handshake_complete() {
        while conn.wants_write() {
            conn.write_tls(&mut sock).unwrap();
        }
        let n = sock.read(&mut buf).unwrap();
        assert!(n > 0, "server closed during the handshake");
        conn.read_tls(&buf[..n]).unwrap();
    }
    (sock, conn)
}

#[test]
fn one_line_per_connection_when_it_ends() {
    let server = Server::start(&["--echo", "--alpn", "h2"]);
    let started = Instant::now();
    let out = client(&server.target(), &["--insecure", "--alpn", "h2", "--servername", "localhost"], b"hello");
    assert_ok(&out);
    let line = server.wait_log("in=5 ");
    assert!(line.starts_with("127.0.0.1:"), "{line}");
    for needle in ["version=tls1.3", "suite=TLS_AES_128_GCM_SHA256", "alpn=h2", "sni=localhost", "resumed=no", "out=5 "]
    {
        assert!(line.contains(needle), "{needle} in {line}");
    }
    let secs: f64 = line.split("duration=").nth(1).and_then(|d| d.strip_suffix('s')).unwrap().parse().unwrap();
    assert!(secs >= 0.0 && secs <= started.elapsed().as_secs_f64(), "{line}");
    assert!(!line.contains("error="), "{line}");
    // Only when it ends: one line for the connection, none before.
    let count = server.log.lock().unwrap().iter().filter(|l| l.contains("version=")).count();
    assert_eq!(count, 1, "{:?}", server.log.lock().unwrap());

    // A client that vanishes without close_notify: the error is on the line.
    let (mut sock, mut conn) = raw_tls_client(server.port);
    let local = sock.local_addr().unwrap().to_string();
    conn.send(b"abc").unwrap();
    while conn.wants_write() {
        conn.write_tls(&mut sock).unwrap();
    }
    let mut buf = [0u8; 4096];
    let mut echoed = Vec::new();
    while echoed.len() < 3 {
        let n = sock.read(&mut buf).unwrap();
        assert!(n > 0);
        conn.read_tls(&buf[..n]).unwrap();
        let mut plain = [0u8; 64];
        while let Ok(Received::Data(n)) = conn.recv(&mut plain) {
            if n == 0 {
                break;
            }
            echoed.extend_from_slice(&plain[..n]);
        }
    }
    assert_eq!(echoed, b"abc");
    drop(sock);
    let line = server.wait_log(&format!("{local} "));
    assert!(line.contains("in=3 out=3") && line.contains("error="), "{line}");
    assert!(line.contains("close_notify"), "truncation named: {line}");

    // A handshake that fails is one line too.
    let out = client(&server.target(), &["--insecure", "--alpn", "http/1.1"], b"");
    assert_eq!(out.code, Some(1));
    let line = server.wait_log("handshake failed");
    assert!(line.starts_with("127.0.0.1:") && line.contains("no_application_protocol"), "{line}");
    assert!(line.contains(" after "), "duration of the failed handshake: {line}");
}
