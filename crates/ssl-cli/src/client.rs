//! `ssl client`: connects, reports the negotiated parameters and the peer's
//! certificates on stderr, then copies stdin to the connection and the
//! connection to stdout.
//!
//! After the handshake two threads feed one channel: one reads stdin, one
//! reads the socket. The main thread owns the `Connection`, writes to the
//! socket and to stdout, and never polls.

use crate::args::ClientArgs;
use crate::info;
use crate::stream::{StreamError, TlsStream, flush_to, is_timeout};
use ssl_core::constants::ProtocolVersion;
use ssl_core::keylog::KeyLogFile;
use ssl_core::{AuthLevel, CertificateError, Connection, Context, Error, Received, Session};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// After our close_notify, how long we wait for the peer's (renewed by activity).
const LINGER: Duration = Duration::from_secs(3);
/// With `--sess-out`, how long the close waits for a TLS 1.3 ticket.
const TICKET_WAIT: Duration = Duration::from_secs(1);

/// Why the client stops early: the message and the exit code.
struct Exit(i32, String);

fn usage_error(msg: String) -> Exit {
    Exit(2, msg)
}

fn read_file(flag: &str, path: &Path) -> Result<Vec<u8>, Exit> {
    std::fs::read(path).map_err(|e| usage_error(format!("{flag} {}: {e}", path.display())))
}

fn build_context(args: &ClientArgs) -> Result<Context, Exit> {
    let mut ctx = Context::new();
    args.tls.apply(&mut ctx);
    // Sessions come from --sess-in only, never from a cache.
    ctx.use_cache = false;
    if args.insecure {
        ctx.server_auth = AuthLevel::None;
    }
    if let Some(path) = &args.cafile {
        let pem = read_file("--cafile", path)?;
        let n =
            ctx.trusted_issuers.add_pem(&pem).map_err(|e| usage_error(format!("--cafile {}: {e}", path.display())))?;
        if n == 0 {
            return Err(usage_error(format!("--cafile {}: no certificate found", path.display())));
        }
    }
    if let Some((cert, key)) = &args.cert {
        let c = read_file("--cert", cert)?;
        let k = read_file("--key", key)?;
        ctx.add_cert_pem(&c, &k)
            .map_err(|e| usage_error(format!("--cert {} --key {}: {e}", cert.display(), key.display())))?;
    }
    match &args.keylog {
        Some(path) => {
            let log = KeyLogFile::create(path).map_err(|e| usage_error(format!("--keylog {}: {e}", path.display())))?;
            ctx.key_log = Some(Arc::new(log));
        }
        None => {
            if let Some(log) = KeyLogFile::from_env() {
                ctx.key_log = Some(Arc::new(log));
            }
        }
    }
    Ok(ctx)
}

fn load_session(path: &Path) -> Result<Session, Exit> {
    let bytes = read_file("--sess-in", path)?;
    Session::from_bytes(&bytes)
        .map_err(|e| usage_error(format!("--sess-in {}: not a saved session ({e})", path.display())))
}

fn connect(host: &str, port: u16) -> Result<TcpStream, Exit> {
    let addrs: Vec<_> =
        (host, port).to_socket_addrs().map_err(|e| Exit(1, format!("cannot resolve {host}: {e}")))?.collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, CONNECT_TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(Exit(
        1,
        match last {
            Some(e) => format!("cannot connect to {host}:{port}: {e}"),
            None => format!("cannot resolve {host}: no address"),
        },
    ))
}

/// One line describing a failed handshake, with a hint when nothing is trusted.
fn handshake_failure(e: &StreamError, args: &ClientArgs) -> String {
    let mut msg = format!("handshake failed: {e}");
    if let StreamError::Tls(Error::Certificate(c)) = e
        && args.cafile.is_none()
        && !args.insecure
        && *c == CertificateError::UnknownIssuer
    {
        msg.push_str(" (no certificate is trusted without --cafile FILE; or use --insecure to skip verification)");
    }
    msg
}

/// Prints the negotiated parameters and the peer's chain.
fn report(conn: &Connection, args: &ClientArgs) {
    let n = conn.negotiated();
    let mut out = format!(
        "connected to {}:{} (servername {})\nversion: {}\ncipher suite: {}\ngroup: {}\nALPN: {}\nresumed: {}\nhello retry: {}\n",
        args.host,
        args.port,
        args.servername,
        info::or_none(conn.version()),
        info::or_none(conn.cipher_suite()),
        info::or_none(n.group),
        info::alpn(conn),
        info::yes_no(n.resumed),
        info::yes_no(n.hello_retry),
    );
    let certs = conn.peer_certificates();
    if certs.is_empty() {
        out.push_str("peer certificates: none sent\n");
    } else {
        out.push_str(&format!("peer certificates ({}):\n", certs.len()));
        for c in info::certificates(certs) {
            out.push_str(&c);
            out.push('\n');
        }
    }
    if args.insecure {
        out.push_str("verification: skipped (--insecure)\n");
    } else if n.resumed {
        out.push_str("verification: resumed session (verified when it was established)\n");
    } else {
        out.push_str(&format!("verification: ok (trusted chain, valid for {})\n", args.servername));
    }
    out.push_str("---\n");
    eprint!("{out}");
}

/// What the reading threads report.
enum Event {
    Stdin(Vec<u8>),
    StdinEof,
    Net(Vec<u8>),
    NetEof,
    NetError(io::Error),
}

/// How many stdin chunks may wait for the main thread: stdin is read only
/// as fast as the connection takes it.
const STDIN_WINDOW: usize = 4;

/// Reads stdin in chunks; waits for a credit from the main thread for each
/// chunk beyond the window.
fn spawn_stdin(tx: Sender<Event>, credits: Receiver<()>) {
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 16 * 1024];
        let mut outstanding = 0usize;
        loop {
            while credits.try_recv().is_ok() {
                outstanding = outstanding.saturating_sub(1);
            }
            if outstanding >= STDIN_WINDOW {
                if credits.recv().is_err() {
                    return;
                }
                outstanding -= 1;
            }
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Event::StdinEof);
                    return;
                }
                Ok(n) => {
                    if tx.send(Event::Stdin(buf[..n].to_vec())).is_err() {
                        return;
                    }
                    outstanding += 1;
                }
            }
        }
    });
}

/// Reads the socket. Its channel is unbounded on purpose: if it could block,
/// the main thread blocked on a socket write (the peer not reading because
/// its own writes to us are stuck) would never be relieved.
fn spawn_net(mut sock: TcpStream, tx: Sender<Event>) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let ev = match sock.read(&mut buf) {
                Ok(0) => Event::NetEof,
                Ok(n) => Event::Net(buf[..n].to_vec()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Event::NetError(e),
            };
            let last = !matches!(ev, Event::Net(_));
            if tx.send(ev).is_err() || last {
                return;
            }
        }
    });
}

/// The data phase: the main thread's state.
struct DataPhase {
    conn: Connection,
    sock: TcpStream,
    /// What the reading threads report.
    rx: Receiver<Event>,
    /// When our delayed close (waiting for a ticket) is due.
    close_at: Option<Instant>,
    /// After our close_notify: when we stop waiting for the peer's.
    linger_until: Option<Instant>,
}

impl DataPhase {
    fn flush(&mut self) -> Result<(), String> {
        match flush_to(&mut self.conn, &self.sock) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.write_failed(e)),
        }
    }

    /// A write failed: the peer may have stopped reading because it sent a
    /// fatal alert. Look for it briefly, to report the real cause.
    fn write_failed(&mut self, e: io::Error) -> String {
        let end = Instant::now() + Duration::from_secs(1);
        while self.conn.error().is_none() {
            match self.rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
                Ok(Event::Net(bytes)) => {
                    if let Err(err) = self.conn.read_tls(&bytes) {
                        return format!("connection failed: {err}");
                    }
                }
                Ok(Event::Stdin(_) | Event::StdinEof) => {}
                Ok(Event::NetEof | Event::NetError(_)) | Err(_) => break,
            }
        }
        format!("connection error: {e}")
    }

    fn close(&mut self) -> Result<(), String> {
        self.close_at = None;
        self.conn.close_notify();
        self.linger_until = Some(Instant::now() + LINGER);
        self.flush()
    }

    /// Copies decrypted data to stdout. Returns false if stdout is gone.
    fn drain(&mut self, out: &mut impl Write) -> bool {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.conn.recv(&mut buf) {
                Ok(Received::Data(n)) if n > 0 => {
                    if out.write_all(&buf[..n]).is_err() {
                        return false;
                    }
                }
                _ => break,
            }
        }
        out.flush().is_ok()
    }

    /// Runs until the connection ends: `Ok` for a clean close.
    fn run(&mut self, credits: Sender<()>, wait_for_ticket: bool) -> Result<(), String> {
        let mut stdout = io::stdout().lock();
        loop {
            let deadline = [self.close_at, self.linger_until].into_iter().flatten().min();
            let ev = match deadline {
                None => match self.rx.recv() {
                    Ok(ev) => ev,
                    Err(_) => return Ok(()),
                },
                Some(d) => match self.rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(ev) => ev,
                    Err(RecvTimeoutError::Timeout) => {
                        if self.close_at.is_some_and(|t| t <= Instant::now()) {
                            self.close()?;
                            continue;
                        }
                        // The peer did not answer our close_notify: we closed cleanly all the same.
                        return Ok(());
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
            };
            match ev {
                Event::Stdin(data) => {
                    let _ = credits.send(());
                    if self.conn.is_closing() {
                        continue;
                    }
                    self.conn.send(&data).map_err(|e| format!("connection failed: {e}"))?;
                    self.flush()?;
                }
                Event::StdinEof => {
                    if self.conn.is_closing() || self.close_at.is_some() {
                        continue;
                    }
                    if wait_for_ticket && self.conn.session().is_none() {
                        self.close_at = Some(Instant::now() + TICKET_WAIT);
                    } else {
                        self.close()?;
                    }
                }
                Event::Net(bytes) => {
                    let fed = self.conn.read_tls(&bytes);
                    // Data that arrived before a failure is still delivered.
                    let stdout_ok = self.drain(&mut stdout);
                    if let Err(e) = fed {
                        let _ = self.flush();
                        return Err(format!("connection failed: {e}"));
                    }
                    if !stdout_ok {
                        // Nobody reads any more (`ssl client ... | head`): close.
                        let _ = self.close();
                        return Ok(());
                    }
                    if self.close_at.is_some() && self.conn.session().is_some() {
                        self.close()?;
                    }
                    if self.conn.peer_closed() {
                        if !self.conn.is_closing() {
                            self.conn.close_notify();
                        }
                        let _ = self.flush();
                        return Ok(());
                    }
                    self.flush()?;
                    if self.linger_until.is_some() {
                        self.linger_until = Some(Instant::now() + LINGER);
                    }
                }
                Event::NetEof => {
                    if self.conn.peer_closed() || self.conn.is_closing() {
                        return Ok(());
                    }
                    return self.conn.transport_eof().map_err(|e| format!("connection failed: {e}"));
                }
                Event::NetError(e) => {
                    // A reset after our close_notify ends a connection we were closing anyway.
                    if self.conn.is_closing() && self.conn.error().is_none() {
                        return Ok(());
                    }
                    return Err(format!("connection error: {e}"));
                }
            }
        }
    }
}

fn save_session(conn: &Connection, path: &Path) {
    match conn.session() {
        Some(s) => {
            if let Err(e) = std::fs::write(path, s.to_bytes()) {
                eprintln!("ssl: --sess-out {}: {e}", path.display());
            }
        }
        None => eprintln!("ssl: no session ticket received; {} not written", path.display()),
    }
}

fn run_inner(args: &ClientArgs) -> Result<(), Exit> {
    let ctx = Arc::new(build_context(args)?);
    let session = args.sess_in.as_deref().map(load_session).transpose()?;
    let conn = Connection::client(ctx, Some(&args.servername), session)
        .map_err(|e| Exit(1, format!("handshake failed: {e}")))?;
    let sock = connect(&args.host, args.port)?;
    let _ = sock.set_nodelay(true);
    let _ = sock.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    let mut tls = TlsStream::new(conn, sock);
    if let Err(e) = tls.handshake() {
        let msg = match &e {
            StreamError::Io(io) if is_timeout(io) => "handshake failed: timed out waiting for the server".to_string(),
            _ => handshake_failure(&e, args),
        };
        return Err(Exit(1, msg));
    }
    report(&tls.conn, args);
    let TlsStream { conn, sock } = tls;
    let _ = sock.set_read_timeout(None);
    let reader = sock.try_clone().map_err(|e| Exit(1, format!("connection error: {e}")))?;
    let (tx, rx) = mpsc::channel();
    let (credit_tx, credit_rx) = mpsc::channel();
    spawn_net(reader, tx.clone());
    spawn_stdin(tx, credit_rx);
    let wait_for_ticket = args.sess_out.is_some() && conn.version() == Some(ProtocolVersion::TLS1_3);
    let mut state = DataPhase { conn, sock, rx, close_at: None, linger_until: None };
    let result = state.run(credit_tx, wait_for_ticket);
    if let Some(path) = &args.sess_out {
        save_session(&state.conn, path);
    }
    let _ = state.sock.shutdown(Shutdown::Both);
    result.map_err(|msg| Exit(1, msg))
}

/// Runs the client; returns the exit code.
pub fn run(args: ClientArgs) -> i32 {
    match run_inner(&args) {
        Ok(()) => 0,
        Err(Exit(code, msg)) => {
            eprintln!("ssl: {msg}");
            code
        }
    }
}
