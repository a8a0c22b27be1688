//! `ssl client`: connects, reports the negotiated parameters and the peer's
//! certificates on stderr, then copies stdin to the connection and the
//! connection to stdout.
//!
//! The connection is one blocking [`SslFile`] shared by two threads: one
//! copies stdin to it, the other copies it to stdout. Both report to the
//! main thread, which decides when to close and how the command ends.

use crate::args::ClientArgs;
use crate::info;
use ssl_core::constants::ProtocolVersion;
use ssl_core::keylog::KeyLogFile;
use ssl_core::{AuthLevel, CertificateError, Connection, Context, Session};
use ssl_file::{SslFile, TlsError, tls_error};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
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
fn handshake_failure(e: &io::Error, args: &ClientArgs) -> String {
    if e.kind() == io::ErrorKind::TimedOut {
        return "handshake failed: timed out waiting for the server".to_string();
    }
    let mut msg = format!("handshake failed: {e}");
    if let Some(TlsError::Certificate(c)) = tls_error(e)
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

/// What the copying threads report to the main thread.
enum Event {
    /// Data from the peer went to stdout.
    NetData,
    /// The peer closed cleanly (close_notify).
    NetEof,
    /// Reading the connection failed.
    NetError(io::Error),
    /// Stdout is gone (`ssl client ... | head`).
    StdoutGone,
    /// All of stdin was sent.
    StdinEof,
    /// Sending stdin failed.
    WriteError(io::Error),
}

/// Copies the connection to stdout until it ends.
fn spawn_net(file: SslFile, tx: Sender<Event>) {
    std::thread::spawn(move || {
        let mut stdout = io::stdout().lock();
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let ev = match (&file).read(&mut buf) {
                Ok(0) => Event::NetEof,
                Ok(n) => {
                    if stdout.write_all(&buf[..n]).and_then(|()| stdout.flush()).is_err() {
                        Event::StdoutGone
                    } else {
                        Event::NetData
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Event::NetError(e),
            };
            let last = !matches!(ev, Event::NetData);
            if tx.send(ev).is_err() || last {
                return;
            }
        }
    });
}

/// Copies stdin to the connection; a blocking write waits while the peer
/// does not read, so stdin is read only as fast as the connection takes it.
fn spawn_stdin(file: SslFile, tx: Sender<Event>) {
    std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Err(e) = (&file).write_all(&buf[..n]) {
                        let _ = tx.send(Event::WriteError(e));
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(Event::StdinEof);
    });
}

/// A failed connection in one line.
fn connection_failure(e: &io::Error) -> String {
    match tls_error(e) {
        Some(t) => format!("connection failed: {t}"),
        None => format!("connection error: {e}"),
    }
}

/// How often the main thread checks for a session ticket while it waits for one.
const TICKET_POLL: Duration = Duration::from_millis(20);

/// The data phase: the main thread's state.
struct DataPhase {
    file: SslFile,
    /// What the copying threads report.
    rx: Receiver<Event>,
    /// Whether our close_notify was sent.
    closing: bool,
    /// When our delayed close (waiting for a ticket) is due.
    close_at: Option<Instant>,
    /// After our close_notify: when we stop waiting for the peer's.
    linger_until: Option<Instant>,
}

impl DataPhase {
    fn has_session(&self) -> bool {
        self.file.with_connection(|c| c.is_some_and(|c| c.session().is_some()))
    }

    /// A write failed: the peer may have stopped reading because it sent a
    /// fatal alert. The reading thread goes on reading after a failed
    /// write: wait briefly for what it finds, to report the real cause.
    fn write_failed(&mut self, e: io::Error) -> String {
        if tls_error(&e).is_some() {
            return connection_failure(&e);
        }
        let end = Instant::now() + Duration::from_secs(1);
        loop {
            match self.rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
                Ok(Event::NetError(err)) if tls_error(&err).is_some() => return connection_failure(&err),
                Ok(Event::NetData | Event::StdinEof | Event::WriteError(_)) => {}
                Ok(_) | Err(_) => return connection_failure(&e),
            }
        }
    }

    /// Sends close_notify. Unlike `SslFile::close`, this closes only our
    /// direction: the reading thread goes on until the peer's close_notify.
    fn close(&mut self) -> Result<(), String> {
        self.close_at = None;
        self.closing = true;
        self.linger_until = Some(Instant::now() + LINGER);
        // From now on no read or write waits longer than the linger time
        // (at the end of stdin all of it was sent: only the close_notify is
        // left to write).
        self.file.set_timeout(Some(LINGER));
        self.file.with_connection(|c| {
            if let Some(c) = c {
                c.close_notify();
            }
        });
        match self.file.flush_output() {
            Ok(()) => Ok(()),
            Err(e) => Err(self.write_failed(e)),
        }
    }

    /// Runs until the connection ends: `Ok` for a clean close.
    fn run(&mut self, wait_for_ticket: bool) -> Result<(), String> {
        loop {
            let mut deadline = [self.close_at, self.linger_until].into_iter().flatten().min();
            if self.close_at.is_some() {
                // The ticket is processed by the reading thread without any
                // data for us: look for it now and then.
                deadline = deadline.map(|d| d.min(Instant::now() + TICKET_POLL));
            }
            let ev = match deadline {
                None => match self.rx.recv() {
                    Ok(ev) => ev,
                    Err(_) => return Ok(()),
                },
                Some(d) => match self.rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                    Ok(ev) => ev,
                    Err(RecvTimeoutError::Timeout) => {
                        if self.close_at.is_some_and(|t| t <= Instant::now())
                            || (self.close_at.is_some() && self.has_session())
                        {
                            self.close()?;
                            continue;
                        }
                        if self.linger_until.is_some_and(|t| t <= Instant::now()) {
                            // The peer did not answer our close_notify: we closed cleanly all the same.
                            return Ok(());
                        }
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return Ok(()),
                },
            };
            match ev {
                Event::StdinEof => {
                    if self.closing || self.close_at.is_some() {
                        continue;
                    }
                    if wait_for_ticket && !self.has_session() {
                        self.close_at = Some(Instant::now() + TICKET_WAIT);
                    } else {
                        self.close()?;
                    }
                }
                Event::NetData => {
                    if self.close_at.is_some() && self.has_session() {
                        self.close()?;
                    }
                    if self.linger_until.is_some() {
                        self.linger_until = Some(Instant::now() + LINGER);
                    }
                }
                Event::NetEof => {
                    if !self.closing {
                        self.file.set_timeout(Some(LINGER));
                        self.file.with_connection(|c| {
                            if let Some(c) = c {
                                c.close_notify();
                            }
                        });
                        let _ = self.file.flush_output();
                    }
                    return Ok(());
                }
                Event::StdoutGone => {
                    // Nobody reads any more: close.
                    if !self.closing {
                        let _ = self.close();
                    }
                    return Ok(());
                }
                Event::NetError(e) => {
                    // A reset after our close_notify ends a connection we were closing anyway.
                    if self.closing && tls_error(&e).is_none() {
                        return Ok(());
                    }
                    return Err(connection_failure(&e));
                }
                Event::WriteError(e) => return Err(self.write_failed(e)),
            }
        }
    }
}

fn save_session(file: &SslFile, path: &Path) {
    match file.session() {
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
    // Configuration mistakes (no usable version, ...) show before connecting.
    Connection::client(ctx.clone(), Some(&args.servername), session.clone())
        .map_err(|e| Exit(1, format!("handshake failed: {e}")))?;
    let sock = connect(&args.host, args.port)?;
    let _ = sock.set_nodelay(true);
    sock.set_nonblocking(true).map_err(|e| Exit(1, format!("connection error: {e}")))?;
    let file = SslFile::new(mio::net::TcpStream::from_std(sock), ctx);
    file.set_blocking().map_err(|e| Exit(1, format!("connection error: {e}")))?;
    file.set_timeout(Some(HANDSHAKE_TIMEOUT));
    if let Err(e) = file.connect(Some(&args.servername), session) {
        return Err(Exit(1, handshake_failure(&e, args)));
    }
    file.set_timeout(None);
    file.with_connection(|c| {
        if let Some(c) = c {
            report(c, args);
        }
    });
    let (tx, rx) = mpsc::channel();
    spawn_net(file.clone(), tx.clone());
    spawn_stdin(file.clone(), tx);
    let wait_for_ticket = args.sess_out.is_some() && file.version() == Some(ProtocolVersion::TLS1_3);
    let mut state = DataPhase { file, rx, closing: false, close_at: None, linger_until: None };
    let result = state.run(wait_for_ticket);
    if let Some(path) = &args.sess_out {
        save_session(&state.file, path);
    }
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
