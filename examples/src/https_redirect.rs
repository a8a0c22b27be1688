//! HTTPS and plain HTTP on the same port: a nonblocking HTTPS server whose
//! alert callback notices clients that speak plain HTTP and redirects them
//! to `https://`.
//!
//! ```text
//! cargo run -p examples --example https_redirect -- [ADDR] [--count N | --once]
//! curl -i http://127.0.0.1:4433/some/page     # 301, Location: https://127.0.0.1:4433/some/page
//! curl -k https://127.0.0.1:4433/some/page    # 200, a page
//! ```
//!
//! How: when a received record is invalid, the file calls its alert
//! callback with the error and the raw bytes, *before* sending the alert.
//! A first record that starts with `GET ` is no TLS record but an HTTP
//! request: the callback calls [`SslFile::shutdown`], which takes the plain
//! stream back (no alert is sent) together with the bytes read so far, and
//! a thread answers with `301 Moved Permanently`. Anything else gets the
//! alert as usual.
//!
//! The files are set up before their handshake (the alert callback must be
//! there when the first bytes arrive), so this server accepts TCP
//! connections itself, with a listener on the same [`Backend`], rather
//! than with an `SslPort` (whose files start their handshake at once).
//! With `--count N` it stops after answering N requests.

use crate::common::{self, Error};
use ssl_file::{Backend, CloseMode, Context, SslFile};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long the redirecting thread waits for the request and for the client.
const PLAIN_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// What the server did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Pages served over TLS.
    pub pages: usize,
    /// Plain HTTP requests redirected.
    pub redirects: usize,
    /// Connections that failed (not TLS and not HTTP, handshake failures, ...).
    pub failures: usize,
}

struct Server {
    ctx: Arc<Context>,
    backend: Backend,
    local: SocketAddr,
    count: Option<usize>,
    stats: Mutex<Stats>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Server {
    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request was answered: stop when enough were.
    fn answered(&self, f: impl FnOnce(&mut Stats)) {
        let mut s = self.stats();
        f(&mut s);
        if self.count.is_some_and(|n| s.pages + s.redirects >= n) {
            self.backend.stop();
        }
    }
}

/// Whether `raw`, the first bytes of a connection, look like an HTTP request.
pub fn looks_like_http(raw: &[u8]) -> bool {
    const METHODS: [&[u8]; 9] =
        [b"GET ", b"HEAD ", b"POST ", b"PUT ", b"DELETE ", b"OPTIONS ", b"PATCH ", b"TRACE ", b"CONNECT "];
    // The first read may hold only part of the method.
    !raw.is_empty() && METHODS.iter().any(|m| raw.starts_with(m) || m.starts_with(raw))
}

/// Where the request head ends, if it is complete.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// The request target and the Host header of a request head.
fn target_and_host(head: &str) -> (String, Option<String>) {
    let mut lines = head.split("\r\n");
    let target = lines.next().and_then(|l| l.split(' ').nth(1)).filter(|t| t.starts_with('/')).unwrap_or("/");
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.trim().to_string())
        // A host name, an IPv4 or a bracketed IPv6 address, and a port: nothing else goes into the header.
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)));
    (target.to_string(), host)
}

/// The redirect for a plain HTTP request head.
pub fn redirect_response(head: &str, local: SocketAddr) -> (String, Vec<u8>) {
    let (target, host) = target_and_host(head);
    let location = format!("https://{}{target}", host.unwrap_or_else(|| local.to_string()));
    let body = format!("This server speaks HTTPS: {location}\n");
    let response = format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    (location, response.into_bytes())
}

/// Answers a plain HTTP client on the stream taken back from the file.
/// `request` holds the bytes the file had received.
fn redirect(stream: mio::net::TcpStream, mut request: Vec<u8>, local: SocketAddr) -> io::Result<String> {
    // A blocking std socket is simplest here, on a thread of its own.
    let mut sock = std::net::TcpStream::from(stream);
    sock.set_nonblocking(false)?;
    sock.set_read_timeout(Some(PLAIN_TIMEOUT))?;
    sock.set_write_timeout(Some(PLAIN_TIMEOUT))?;
    let mut buf = [0u8; 4096];
    while head_end(&request).is_none() && request.len() < MAX_HEAD {
        let n = sock.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let head_len = head_end(&request).unwrap_or(request.len());
    let (location, response) = redirect_response(&String::from_utf8_lossy(&request[..head_len]), local);
    sock.write_all(&response)?;
    // Closing with unread input would reset the connection, perhaps before
    // the client read the answer: stop writing, and read until it closes.
    sock.shutdown(std::net::Shutdown::Write)?;
    let end = Instant::now() + PLAIN_TIMEOUT;
    while Instant::now() < end && matches!(sock.read(&mut buf), Ok(n) if n > 0) {}
    Ok(location)
}

/// The page for TLS clients.
fn page(file: &SslFile, head: &str) -> Vec<u8> {
    let (target, _) = target_and_host(head);
    let body = format!(
        "Hello over {} ({}), you asked for {target}.\nPlain HTTP on this port is redirected here.\n",
        file.version().map(|v| v.to_string()).unwrap_or_default(),
        file.cipher_suite().map(|s| s.to_string()).unwrap_or_default(),
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sets up one accepted connection and starts its handshake.
fn start(stream: mio::net::TcpStream, server: &Arc<Server>) -> io::Result<()> {
    let file = SslFile::with_backend(stream, server.ctx.clone(), server.backend.clone());

    // Plain HTTP? Take the stream back and redirect, on a thread.
    let s = server.clone();
    file.set_alert_callback(move |f, err, raw| {
        if !looks_like_http(raw) {
            return; // A real TLS problem: the alert goes out.
        }
        match f.shutdown() {
            Ok(Some((stream, bytes))) => {
                let s2 = s.clone();
                let err = err.to_string();
                let t = std::thread::spawn(move || match redirect(stream, bytes, s2.local) {
                    Ok(location) => {
                        eprintln!("plain HTTP ({err}): redirected to {location}");
                        s2.answered(|st| st.redirects += 1);
                    }
                    Err(e) => {
                        eprintln!("plain HTTP: {e}");
                        s2.stats().failures += 1;
                    }
                });
                s.threads.lock().unwrap_or_else(|p| p.into_inner()).push(t);
            }
            _ => s.stats().failures += 1,
        }
    });

    // TLS: collect the request head, answer, close.
    let s = server.clone();
    let mut request = Vec::new();
    file.set_read_callback(move |f, data| {
        request.extend_from_slice(data);
        let Some(end) = head_end(&request) else {
            if request.len() > MAX_HEAD {
                let _ = f.close(CloseMode::Normal);
                s.stats().failures += 1;
            }
            return;
        };
        let response = page(f, &String::from_utf8_lossy(&request[..end]));
        request.clear();
        // Small enough to be taken at once in nonblocking mode; the close
        // sends close_notify after it, and finishes in the background.
        let written = (&*f).write_all(&response);
        let closed = f.close(CloseMode::Normal);
        match written.and(closed) {
            Ok(()) => s.answered(|st| st.pages += 1),
            Err(e) => {
                eprintln!("TLS client: {e}");
                s.stats().failures += 1;
            }
        }
    });

    let s = server.clone();
    file.set_close_callback(move |f, err| {
        if let Some(e) = err {
            let peer = f.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| "?".into());
            eprintln!("{peer}: connection failed: {e}");
            s.stats().failures += 1;
        }
    });

    // Nonblocking: returns at once; the backend runs the handshake, and the
    // file keeps itself alive while it has callbacks and a connection.
    file.accept(&[])
}

/// Serves on `listener` with `backend` (run on this thread) until `count`
/// requests were answered, or forever.
pub fn serve(
    listener: std::net::TcpListener,
    ctx: Arc<Context>,
    backend: Backend,
    count: Option<usize>,
) -> Result<Stats, Error> {
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let listener = Arc::new(Mutex::new(mio::net::TcpListener::from_std(listener)));
    let server = Arc::new(Server {
        ctx,
        backend: backend.clone(),
        local,
        count,
        stats: Mutex::new(Stats::default()),
        threads: Mutex::new(Vec::new()),
    });
    // New connections: accept all that wait (the backend reports readiness
    // once per change), and start each one.
    let (l, s) = (listener.clone(), server.clone());
    let token = {
        let mut guard = listener.lock().unwrap_or_else(|p| p.into_inner());
        backend.register(
            &mut *guard,
            mio::Interest::READABLE,
            Arc::new(move |_ready| {
                loop {
                    let accepted = l.lock().unwrap_or_else(|p| p.into_inner()).accept();
                    match accepted {
                        Ok((stream, _)) => {
                            if let Err(e) = start(stream, &s) {
                                eprintln!("cannot start a connection: {e}");
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            eprintln!("accept: {e}");
                            return;
                        }
                    }
                }
            }),
        )?
    };
    backend.run()?;
    // Stop listening, let the closes in progress finish, wait for the redirects.
    backend.deregister(&mut *listener.lock().unwrap_or_else(|p| p.into_inner()), token)?;
    let end = Instant::now() + Duration::from_secs(2);
    while backend.registered() > 0 && Instant::now() < end {
        backend.run_once(Some(Duration::from_millis(20)))?;
    }
    let threads = std::mem::take(&mut *server.threads.lock().unwrap_or_else(|p| p.into_inner()));
    for t in threads {
        let _ = t.join();
    }
    let stats = server.stats().clone();
    Ok(stats)
}

/// The example's `main`.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> Result<(), Error> {
    let cl = common::CommandLine::parse(args, &["--count"], &["--once"])?;
    let text = cl.arg_or(0, "127.0.0.1:4433");
    let addr: SocketAddr = text.parse().map_err(|e| format!("{text}: {e}"))?;
    let id = common::self_signed(&["localhost", "127.0.0.1"])?;
    let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("listening on {} (https:// and http://)", listener.local_addr()?);
    io::stdout().flush()?;
    let stats = serve(listener, common::server_context(&id)?, Backend::new()?, cl.count()?)?;
    println!("{} pages, {} redirects, {} failures", stats.pages, stats.redirects, stats.failures);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_and_redirect_targets() {
        assert!(looks_like_http(b"GET / HTTP/1.1\r\n"));
        assert!(looks_like_http(b"GE"));
        assert!(looks_like_http(b"OPTIONS * HTTP/1.1"));
        assert!(!looks_like_http(b""));
        assert!(!looks_like_http(b"\x16\x03\x01\x02\x00"));
        assert!(!looks_like_http(b"GETX"));
        let local: SocketAddr = "127.0.0.1:4433".parse().unwrap();
        let (loc, resp) = redirect_response("GET /a/b?c=1 HTTP/1.1\r\nHost: example.test:8443", local);
        assert_eq!(loc, "https://example.test:8443/a/b?c=1");
        let text = String::from_utf8(resp).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 301 Moved Permanently\r\n"), "{head}");
        assert!(head.contains(&format!("Content-Length: {}", body.len())), "{head}");
        // No Host, or a Host that could smuggle something: the local address.
        assert_eq!(redirect_response("GET /x HTTP/1.0", local).0, "https://127.0.0.1:4433/x");
        assert_eq!(redirect_response("GET /x HTTP/1.1\r\nHost: a b\"<", local).0, "https://127.0.0.1:4433/x");
        // An absolute-form or odd target becomes "/".
        assert_eq!(redirect_response("GET http://evil/ HTTP/1.1\r\nHost: h", local).0, "https://h/");
    }
}
