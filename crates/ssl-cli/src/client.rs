//! `ssl client`: connects, reports the negotiated parameters and the peer's
//! certificates on stderr, then copies stdin to the connection and the
//! connection to stdout.
//!
//! The connection is one blocking [`SslFile`] shared by two threads: one
//! copies stdin to it, the other copies it to stdout. Both report to the
//! main thread, which decides when to close and how the command ends.
//!
//! Every failure ends the command with one line on stderr that says what
//! failed, the alert, and what to try.

use crate::args::{ClientArgs, Starttls};
use crate::info;
use crate::trace::{Observed, Observer};
use crate::x509;
use ssl_core::constants::{AlertDescription, ProtocolVersion};
use ssl_core::keylog::KeyLogFile;
use ssl_core::pki::{ChainRole, verify_chain};
use ssl_core::{AuthLevel, CertificateError, Connection, Context, Session};
use ssl_file::{CloseMode, SslFile, TlsError, tls_error};
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
/// With `--sess-out` or `--reconnect`, how long the close waits for a TLS 1.3 ticket.
const TICKET_WAIT: Duration = Duration::from_secs(1);
/// How long a reconnection waits for the peer's close_notify.
const RECONNECT_LINGER: Duration = Duration::from_millis(500);

/// Why the client stops early: the message and the exit code.
struct Exit(i32, String);

fn usage_error(msg: String) -> Exit {
    Exit(2, msg)
}

fn read_file(flag: &str, path: &Path) -> Result<Vec<u8>, Exit> {
    std::fs::read(path).map_err(|e| usage_error(format!("{flag} {}: {e}", path.display())))
}

fn build_context(args: &ClientArgs, observer: Arc<Observer>) -> Result<Context, Exit> {
    let mut ctx = Context::new();
    args.tls.apply(&mut ctx);
    // Sessions come from --sess-in or, with --reconnect, from the previous
    // connection; the cache is on only for --reconnect (a TLS 1.2 client
    // asks for tickets only then).
    ctx.use_cache = args.reconnect > 0;
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
    if args.system_roots {
        ctx.trusted_issuers.add_system_roots().map_err(|e| Exit(1, format!("--system-roots: {e}")))?;
    }
    if args.webpki_roots {
        ctx.trusted_issuers.add_webpki_roots();
    }
    if let Some((cert, key)) = &args.cert {
        let c = read_file("--cert", cert)?;
        let k = read_file("--key", key)?;
        ctx.add_cert_pem(&c, &k)
            .map_err(|e| usage_error(format!("--cert {} --key {}: {e}", cert.display(), key.display())))?;
    }
    ctx.request_ocsp = args.status;
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
    ctx.trace = Some(observer);
    Ok(ctx)
}

fn load_session(path: &Path) -> Result<Session, Exit> {
    let bytes = read_file("--sess-in", path)?;
    Session::from_bytes(&bytes)
        .map_err(|e| usage_error(format!("--sess-in {}: not a saved session ({e})", path.display())))
}

fn connect(host: &str, port: u16) -> Result<TcpStream, Exit> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| Exit(1, format!("cannot resolve {host}: {e} (check the host name)")))?
        .collect();
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
            Some(e) => {
                let hint = match e.kind() {
                    io::ErrorKind::ConnectionRefused => "; is a server listening on that port?",
                    io::ErrorKind::TimedOut => "; is the host up, and does a firewall drop the connection?",
                    _ => "; check the address and the network",
                };
                format!("cannot connect to {host}:{port}: {e}{hint}")
            }
            None => format!("cannot resolve {host}: no address"),
        },
    ))
}

/// Turns failures into one line with a hint: what the client knows about
/// its own configuration.
#[derive(Clone)]
struct Explainer {
    servername: String,
    /// The versions we offered, e.g. `tls1.2 only`.
    offered: String,
    roots_given: bool,
    client_cert: bool,
    observer: Arc<Observer>,
}

impl Explainer {
    fn new(args: &ClientArgs, ctx: &Context, observer: Arc<Observer>) -> Explainer {
        let offered = if ctx.min_version == ctx.max_version {
            format!("{} only", ctx.min_version)
        } else {
            format!("{} to {}", ctx.min_version, ctx.max_version)
        };
        Explainer {
            servername: args.servername.clone(),
            offered,
            // --system-roots on a machine without a store trusts nothing either.
            roots_given: !ctx.trusted_issuers.is_empty(),
            client_cert: args.cert.is_some(),
            observer,
        }
    }

    /// A hint for a certificate the server sent that we refused.
    fn certificate_hint(&self, c: &CertificateError, seen: &Observed) -> String {
        let leaf = seen.server_certificates.first().and_then(|d| x509::parse(d));
        let insecure = "or use --insecure to connect anyway";
        match c {
            CertificateError::Expired => match leaf {
                Some(l) => format!(
                    " (notAfter {}, subject {}); renew the certificate or check the clock, {insecure}",
                    l.not_after, l.subject
                ),
                None => format!("; renew the certificate or check the clock, {insecure}"),
            },
            CertificateError::NotValidYet => match leaf {
                Some(l) => format!(" (notBefore {}, subject {}); check the clock, {insecure}", l.not_before, l.subject),
                None => format!("; check the clock, {insecure}"),
            },
            CertificateError::UnknownIssuer if !self.roots_given => {
                " (no certificate is trusted without --cafile FILE, \
                 --system-roots (if this machine has a store) or --webpki-roots; or use --insecure to skip verification)"
                    .to_string()
            }
            CertificateError::UnknownIssuer => {
                let top = seen.server_certificates.last().and_then(|d| x509::parse(d));
                match top {
                    Some(t) => format!(
                        " (issuer {} is not among the trusted CAs); give its CA with --cafile FILE, {insecure}",
                        t.issuer
                    ),
                    None => format!("; give the issuing CA with --cafile FILE, {insecure}"),
                }
            }
            CertificateError::NameMismatch => {
                let names = leaf.map(|l| l.names.join(", ")).filter(|n| !n.is_empty());
                match names {
                    Some(n) => format!(
                        " (we asked for {}, the certificate is for {n}); check --servername, {insecure}",
                        self.servername
                    ),
                    None => format!(" (we asked for {}); check --servername, {insecure}", self.servername),
                }
            }
            CertificateError::BadSignature => {
                format!(" (a trusted CA has the issuer's name but did not sign it: the wrong --cafile?); {insecure}")
            }
            _ => format!("; {insecure}"),
        }
    }

    /// A hint for an alert the server sent.
    fn alert_hint(&self, a: AlertDescription, seen: &Observed) -> String {
        match a {
            AlertDescription::HANDSHAKE_FAILURE
            | AlertDescription::CERTIFICATE_REQUIRED
            | AlertDescription::BAD_CERTIFICATE
                if seen.certificate_requested && !self.client_cert =>
            {
                ": the server asked for a client certificate and we had none; give one with --cert FILE --key FILE"
                    .to_string()
            }
            AlertDescription::PROTOCOL_VERSION => format!(
                ": no protocol version in common (we offered {}); try another version (--tls1.2, --tls1.3) or none",
                self.offered
            ),
            AlertDescription::HANDSHAKE_FAILURE | AlertDescription::INSUFFICIENT_SECURITY => {
                ": no cipher suite, group or certificate in common with what we offered; try other --ciphers, \
                 --groups or --sigalgs ('ssl scan' lists what the server accepts)"
                    .to_string()
            }
            AlertDescription::NO_APPLICATION_PROTOCOL => {
                ": no application protocol in common; try other --alpn protocols, or none".to_string()
            }
            AlertDescription::CERTIFICATE_REQUIRED => {
                ": the server requires a client certificate; give one with --cert FILE --key FILE".to_string()
            }
            AlertDescription::UNRECOGNIZED_NAME => {
                format!(": the server has no certificate for {}; check --servername", self.servername)
            }
            AlertDescription::BAD_CERTIFICATE
            | AlertDescription::UNKNOWN_CA
            | AlertDescription::CERTIFICATE_EXPIRED
            | AlertDescription::UNSUPPORTED_CERTIFICATE
            | AlertDescription::CERTIFICATE_REVOKED
                if self.client_cert =>
            {
                ": the server rejected our client certificate; check --cert and the CA the server trusts".to_string()
            }
            AlertDescription::DECODE_ERROR | AlertDescription::ILLEGAL_PARAMETER | AlertDescription::DECRYPT_ERROR => {
                ": the server did not accept our handshake; try --trace to see the messages".to_string()
            }
            _ => String::new(),
        }
    }

    /// One line for a failed handshake (`during_handshake`) or connection.
    fn explain(&self, e: &io::Error, during_handshake: bool) -> String {
        let what = if during_handshake { "handshake failed" } else { "connection failed" };
        if e.kind() == io::ErrorKind::TimedOut {
            return format!(
                "{what}: timed out waiting for the server (is it a TLS server? for SMTP try --starttls smtp)"
            );
        }
        let Some(t) = tls_error(e) else {
            return format!("{what}: {e}");
        };
        let seen = self.observer.observed();
        match t {
            TlsError::PeerAlert(a) => format!("{what}: the server sent alert {a}{}", self.alert_hint(*a, &seen)),
            TlsError::Certificate(c) => format!("{what}: {t}{}", self.certificate_hint(c, &seen)),
            TlsError::ProtocolVersion => format!(
                "{what}: {t} (we offered {}, the server chose {}); try another version or none",
                self.offered,
                info::or_none(seen.version)
            ),
            TlsError::HandshakeFailure(why) if during_handshake && why.contains("closed") => {
                format!("{what}: the server closed the connection (is it a TLS server? for SMTP try --starttls smtp)")
            }
            TlsError::HandshakeFailure(_) | TlsError::InsufficientSecurity(_) => {
                format!("{what}: {t}; try other --ciphers, --groups or --sigalgs")
            }
            TlsError::Decode(_) | TlsError::UnexpectedMessage { .. } if during_handshake && seen.version.is_none() => {
                format!("{what}: {t} (is it a TLS server? for SMTP try --starttls smtp)")
            }
            TlsError::Truncated => format!("{what}: the server closed the connection without close_notify"),
            _ => format!("{what}: {t}"),
        }
    }
}

/// What `--insecure` would have seen: whether the chain verifies for the name.
fn would_verify(conn: &Connection, ctx: &Context, servername: &str) -> String {
    let chain = conn.peer_certificates();
    if chain.is_empty() {
        return "verification: skipped; not verified (--insecure): the server sent no certificate".to_string();
    }
    let now = rustls_pki_types::UnixTime::now();
    match verify_chain(&ctx.trusted_issuers, chain, ChainRole::Server(Some(servername)), now) {
        Ok(()) => format!("verification: skipped (--insecure); the chain would have verified for {servername}"),
        Err(e) => {
            let hint = if e == CertificateError::UnknownIssuer && ctx.trusted_issuers.is_empty() {
                " (nothing is trusted without --system-roots or --webpki-roots)"
            } else {
                ""
            };
            format!("verification: skipped; not verified (--insecure): {}: {e}{hint}", e.alert())
        }
    }
}

/// Prints the negotiated parameters and the peer's chain.
fn report(conn: &Connection, ctx: &Context, args: &ClientArgs) {
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
    if args.status {
        match conn.peer_ocsp_response() {
            Some(r) => out.push_str(&format!("OCSP response: {} bytes (stapled; not verified)\n", r.len())),
            None => out.push_str("OCSP response: none\n"),
        }
    }
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
        out.push_str(&would_verify(conn, ctx, &args.servername));
        out.push('\n');
    } else if n.resumed {
        out.push_str("verification: resumed session (verified when it was established)\n");
    } else {
        out.push_str(&format!("verification: ok (trusted chain, valid for {})\n", args.servername));
    }
    out.push_str("---\n");
    eprint!("{out}");
}

/// Connects (speaking the `--starttls` protocol first if asked) and runs
/// the handshake; the file is blocking, without a timeout.
fn open(args: &ClientArgs, ctx: &Arc<Context>, session: Option<Session>, explain: &Explainer) -> Result<SslFile, Exit> {
    let sock = connect(&args.host, args.port)?;
    if let Some(Starttls::Smtp) = args.starttls {
        crate::starttls::smtp(&sock, args.trace).map_err(|m| Exit(1, m))?;
    }
    let _ = sock.set_nodelay(true);
    sock.set_nonblocking(true).map_err(|e| Exit(1, format!("connection error: {e}")))?;
    let file = SslFile::new(mio::net::TcpStream::from_std(sock), ctx.clone());
    file.set_blocking().map_err(|e| Exit(1, format!("connection error: {e}")))?;
    file.set_timeout(Some(HANDSHAKE_TIMEOUT));
    if let Err(e) = file.connect(Some(&args.servername), session) {
        return Err(Exit(1, explain.explain(&e, true)));
    }
    file.set_timeout(None);
    Ok(file)
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
    /// Describes failures.
    explain: Explainer,
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
            return self.explain.explain(&e, false);
        }
        let end = Instant::now() + Duration::from_secs(1);
        loop {
            match self.rx.recv_timeout(end.saturating_duration_since(Instant::now())) {
                Ok(Event::NetError(err)) if tls_error(&err).is_some() => return self.explain.explain(&err, false),
                Ok(Event::NetData | Event::StdinEof | Event::WriteError(_)) => {}
                Ok(_) | Err(_) => return self.explain.explain(&e, false),
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
                    return Err(self.explain.explain(&e, false));
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
    let observer = Arc::new(if args.trace { Observer::printing() } else { Observer::quiet() });
    let ctx = Arc::new(build_context(args, observer.clone())?);
    let explain = Explainer::new(args, &ctx, observer);
    let session = args.sess_in.as_deref().map(load_session).transpose()?;
    // Configuration mistakes (no usable version, ...) show before connecting;
    // the probe uses an untraced context so --trace shows only the real hello.
    let probe = Arc::new(build_context(args, Arc::new(Observer::quiet()))?);
    Connection::client(probe, Some(&args.servername), session.clone())
        .map_err(|e| Exit(1, format!("handshake failed: {e}")))?;
    let file = open(args, &ctx, session, &explain)?;
    let first = reconnect_line(0, &file);
    file.with_connection(|c| {
        if let Some(c) = c {
            report(c, &ctx, args);
        }
    });
    let (tx, rx) = mpsc::channel();
    spawn_net(file.clone(), tx.clone());
    spawn_stdin(file.clone(), tx);
    let wait_for_ticket =
        (args.sess_out.is_some() || args.reconnect > 0) && file.version() == Some(ProtocolVersion::TLS1_3);
    let mut state =
        DataPhase { file, rx, closing: false, close_at: None, linger_until: None, explain: explain.clone() };
    let result = state.run(wait_for_ticket);
    if let Some(path) = &args.sess_out {
        save_session(&state.file, path);
    }
    result.map_err(|msg| Exit(1, msg))?;
    if args.reconnect > 0 {
        eprintln!("{first}");
        reconnect(args, &ctx, &explain, state.file.session())?;
    }
    Ok(())
}

/// `reconnect I: resumed|new (VERSION, SUITE)`.
fn reconnect_line(i: u32, file: &SslFile) -> String {
    let resumed = file.with_connection(|c| c.is_some_and(|c| c.negotiated().resumed));
    format!(
        "reconnect {i}: {} ({}, {})",
        if resumed { "resumed" } else { "new" },
        info::or_none(file.version()),
        info::or_none(file.cipher_suite())
    )
}

/// `--reconnect N`: N more connections, each offering the newest session
/// (a TLS 1.3 ticket arrives after the handshake: wait briefly for it).
fn reconnect(
    args: &ClientArgs,
    ctx: &Arc<Context>,
    explain: &Explainer,
    mut session: Option<Session>,
) -> Result<(), Exit> {
    for i in 1..=args.reconnect {
        let file = open(args, ctx, session.clone(), explain)
            .map_err(|Exit(code, msg)| Exit(code, format!("reconnect {i}: {msg}")))?;
        eprintln!("{}", reconnect_line(i, &file));
        // Short blocking reads drive the socket (the tickets carry no data
        // for us, so a read only ends by its time limit).
        let end = Instant::now() + TICKET_WAIT;
        let mut newest = file.session();
        file.set_timeout(Some(TICKET_POLL));
        while newest.is_none() && file.version() == Some(ProtocolVersion::TLS1_3) && Instant::now() < end {
            let mut buf = [0u8; 4096];
            match (&file).read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
            newest = file.session();
        }
        if newest.is_some() {
            session = newest;
        }
        file.linger(Some(RECONNECT_LINGER));
        let _ = file.close(CloseMode::Normal);
    }
    Ok(())
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
