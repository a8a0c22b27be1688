//! `ssl scan`: probes a server with our own engine, one connection per
//! probe (certificates are not verified: `AuthLevel::None`), a few probes at
//! a time, and prints what it accepts.
//!
//! The probes drive a [`Connection`] over a plain blocking socket with a
//! deadline: nothing here can wait longer than the probe's time limit.

use crate::args::ScanArgs;
use crate::info;
use crate::trace::{Observed, Observer};
use ssl_core::constants::{CipherSuite, ExtensionType, KeyExchange, NamedGroup, ProtocolVersion};
use ssl_core::context::{TLS12_SUITES, TLS13_SUITES};
use ssl_core::crypto::kx::SUPPORTED_GROUPS;
use ssl_core::{AuthLevel, Connection, Context, Error, Session};
use std::io::{self, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where the probes go.
struct Target {
    addr: SocketAddr,
    servername: String,
    timeout: Duration,
}

/// Why a probe's handshake did not complete.
enum Failure {
    /// No TCP connection.
    Connect(io::Error),
    /// No (complete) answer in time.
    Timeout,
    /// The TLS exchange failed: the server's alert, or our refusal of its answer.
    Tls(Error, Box<Observed>),
    /// A socket error during the exchange.
    Io(io::Error),
}

impl Failure {
    /// Whether the server said something in TLS (an alert or a ServerHello).
    fn answered(&self) -> bool {
        match self {
            Failure::Tls(Error::PeerAlert(_), _) => true,
            Failure::Tls(_, seen) => seen.version.is_some(),
            _ => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::Connect(e) => format!("cannot connect: {e}"),
            Failure::Timeout => "no answer in time".to_string(),
            Failure::Io(e) => format!("connection error: {e}"),
            Failure::Tls(Error::PeerAlert(a), _) => format!("alert {a}"),
            Failure::Tls(Error::HandshakeFailure(why), seen) if seen.version.is_none() && why.contains("closed") => {
                "connection closed without an answer".to_string()
            }
            Failure::Tls(e, seen) => match seen.version {
                Some(v) => format!("the server answered with {v}{}; we refused: {e}", suite_part(seen.suite)),
                None => format!("we refused: {e}"),
            },
        }
    }
}

fn suite_part(s: Option<CipherSuite>) -> String {
    s.map(|s| format!(" and {s}")).unwrap_or_default()
}

/// A completed handshake.
struct Done {
    conn: Connection,
    sock: TcpStream,
    observer: Arc<Observer>,
    deadline: Instant,
}

impl Done {
    fn seen(&self) -> Observed {
        self.observer.observed()
    }

    /// Reads until a session (ticket) is there or `wait` passes.
    fn wait_for_session(&mut self, wait: Duration) -> Option<Session> {
        let end = (Instant::now() + wait).min(self.deadline);
        let mut buf = [0u8; 16 * 1024];
        while self.conn.session().is_none() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || self.sock.set_read_timeout(Some(left)).is_err() {
                break;
            }
            match self.sock.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if self.conn.read_tls(&buf[..n]).is_err() {
                        break;
                    }
                    let mut plain = [0u8; 1024];
                    while let Ok(ssl_core::Received::Data(n)) = self.conn.recv(&mut plain) {
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
        }
        self.conn.session().cloned()
    }

    /// Sends close_notify (best effort) and drops the connection.
    fn close(mut self) {
        self.conn.close_notify();
        let _ = self.sock.set_write_timeout(Some(Duration::from_millis(200)));
        let _ = self.conn.write_tls(&mut self.sock);
    }
}

/// A context for one probe: nothing verified, nothing cached.
fn probe_context() -> Context {
    let mut ctx = Context::new();
    ctx.server_auth = AuthLevel::None;
    ctx.use_cache = false;
    ctx.require_ems = false;
    ctx.preferred_suites = TLS13_SUITES.iter().chain(TLS12_SUITES).copied().collect();
    ctx.groups = SUPPORTED_GROUPS.to_vec();
    ctx.dh_min_bits = 1024;
    ctx
}

fn only(ctx: &mut Context, v: ProtocolVersion) {
    ctx.min_version = v;
    ctx.max_version = v;
}

/// One handshake with `ctx` (and `session` to resume).
fn handshake(t: &Target, mut ctx: Context, session: Option<Session>) -> Result<Done, Failure> {
    let observer = Arc::new(Observer::quiet());
    ctx.trace = Some(observer.clone());
    let deadline = Instant::now() + t.timeout;
    let mut sock = TcpStream::connect_timeout(&t.addr, t.timeout).map_err(Failure::Connect)?;
    let _ = sock.set_nodelay(true);
    let mut conn =
        Connection::client(Arc::new(ctx), Some(&t.servername), session).map_err(|e| Failure::Tls(e, Box::default()))?;
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Timeout);
        }
        sock.set_write_timeout(Some(left)).map_err(Failure::Io)?;
        while conn.wants_write() {
            conn.write_tls(&mut sock).map_err(Failure::Io)?;
        }
        if conn.is_handshake_complete() {
            return Ok(Done { conn, sock, observer, deadline });
        }
        sock.set_read_timeout(Some(left)).map_err(Failure::Io)?;
        let r = match sock.read(&mut buf) {
            Ok(0) => conn.transport_eof(),
            Ok(n) => conn.read_tls(&buf[..n]),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(Failure::Timeout);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => {
                // A reset right after the server's alert: the alert is what counts.
                return Err(match conn.error() {
                    Some(err) => Failure::Tls(err.clone(), Box::new(observer.observed())),
                    None => Failure::Io(e),
                });
            }
        };
        if let Err(e) = r {
            // Our alert, if we refused the answer (best effort).
            let _ = conn.write_tls(&mut sock);
            return Err(Failure::Tls(e, Box::new(observer.observed())));
        }
    }
}

/// The result of one probe: a row of the table.
#[derive(Clone, Debug)]
struct Row {
    status: &'static str,
    detail: String,
    /// Whether the server answered in TLS.
    answered: bool,
}

impl Row {
    fn new(status: &'static str, detail: impl Into<String>) -> Row {
        Row { status, detail: detail.into(), answered: true }
    }

    fn failed(f: &Failure) -> Row {
        Row {
            status: if f.answered() { "rejected" } else { "no answer" },
            detail: f.describe(),
            answered: f.answered(),
        }
    }

    fn not_tested(why: impl Into<String>) -> Row {
        Row { status: "not tested", detail: why.into(), answered: false }
    }
}

/// One probe: a name, its section, and what it does.
struct Probe {
    section: &'static str,
    name: String,
    /// The version it needs (skipped if the version was rejected).
    needs: Option<ProtocolVersion>,
    run: Box<dyn Fn(&Target) -> Row + Send + Sync>,
}

fn probe(
    section: &'static str,
    name: impl Into<String>,
    needs: Option<ProtocolVersion>,
    run: impl Fn(&Target) -> Row + Send + Sync + 'static,
) -> Probe {
    Probe { section, name: name.into(), needs, run: Box::new(run) }
}

const VERSIONS: &str = "Protocol versions";
const SUITES13: &str = "TLS 1.3 cipher suites";
const GROUPS13: &str = "TLS 1.3 key-share groups";
const SUITES12: &str = "TLS 1.2 cipher suites";
const GROUPS12: &str = "TLS 1.2 groups (ECDHE curves, FFDHE)";
const FEATURES: &str = "Features";

/// Accepted when the handshake completes and `check` agrees.
fn accept_if(r: Result<Done, Failure>, check: impl FnOnce(&Done) -> Result<String, String>) -> Row {
    match r {
        Ok(done) => {
            let row = match check(&done) {
                Ok(detail) => Row::new("accepted", detail),
                Err(detail) => Row::new("rejected", detail),
            };
            done.close();
            row
        }
        Err(f) => Row::failed(&f),
    }
}

fn version_probe(v: ProtocolVersion) -> Probe {
    probe(VERSIONS, v.to_string(), None, move |t| {
        let mut ctx = probe_context();
        only(&mut ctx, v);
        accept_if(handshake(t, ctx, None), |d| Ok(info::or_none(d.conn.cipher_suite())))
    })
}

fn suite_probe(section: &'static str, v: ProtocolVersion, s: CipherSuite) -> Probe {
    probe(section, s.to_string(), Some(v), move |t| {
        let mut ctx = probe_context();
        only(&mut ctx, v);
        ctx.preferred_suites = vec![s];
        accept_if(handshake(t, ctx, None), |d| {
            if d.conn.cipher_suite() != Some(s) {
                return Err(format!("server chose {}", info::or_none(d.conn.cipher_suite())));
            }
            let n = d.conn.negotiated();
            Ok(match (d.seen().kx, n.group) {
                (Some(kx), _) => kx,
                (None, Some(g)) => format!("group {g}"),
                (None, None) => String::new(),
            })
        })
    })
}

/// The curves an ECDSA certificate can be on: a TLS 1.2 client's
/// supported_groups also lists the curves it can verify (RFC 8422 §5.1.1).
const CERT_CURVES: &[NamedGroup] = &[NamedGroup::SECP256R1, NamedGroup::SECP384R1, NamedGroup::SECP521R1];

fn group_probe(section: &'static str, v: ProtocolVersion, g: NamedGroup) -> Probe {
    probe(section, g.to_string(), Some(v), move |t| {
        let ctx = |groups: Vec<NamedGroup>| {
            let mut ctx = probe_context();
            only(&mut ctx, v);
            ctx.groups = groups;
            ctx.key_shares = 1;
            if v == ProtocolVersion::TLS1_2 {
                // Only the suites whose key exchange uses this kind of group.
                let dhe = g.is_ffdhe();
                ctx.preferred_suites = TLS12_SUITES
                    .iter()
                    .copied()
                    .filter(|s| {
                        let kx = s.info().map(|i| i.kx);
                        if dhe { kx == Some(KeyExchange::DheRsa) } else { kx != Some(KeyExchange::DheRsa) }
                    })
                    .collect();
            }
            ctx
        };
        let check = |d: &Done| {
            let n = d.conn.negotiated();
            match n.group {
                Some(got) if got == g => {
                    Ok(if n.hello_retry { "after HelloRetryRequest".to_string() } else { String::new() })
                }
                other => Err(format!(
                    "server used {}",
                    other.map(|o| o.to_string()).or(d.seen().kx).unwrap_or_else(|| "another group".to_string())
                )),
            }
        };
        let first = handshake(t, ctx(vec![g]), None);
        if first.is_err() && v == ProtocolVersion::TLS1_2 && !g.is_ffdhe() {
            // The server's ECDSA certificate may be on a curve we did not
            // list: offer each certificate curve after this one, one at a
            // time (with several, the server could prefer one of them).
            // Each connection is closed before the next one: a server that
            // serves one connection at a time would wait on an open one.
            let mut other = None;
            for c in CERT_CURVES.iter().filter(|c| **c != g) {
                if let Ok(d) = handshake(t, ctx(vec![g, *c]), None) {
                    if d.conn.negotiated().group == Some(g) {
                        return accept_if(Ok(d), |_| Ok(format!("with {c} also offered (the certificate's curve)")));
                    }
                    other = Some(accept_if(Ok(d), check));
                }
            }
            if let Some(row) = other {
                return row;
            }
        }
        accept_if(first, check)
    })
}

fn alpn_probe(name: &str, offer: &'static [&'static str]) -> Probe {
    probe(FEATURES, name, None, move |t| {
        let mut ctx = probe_context();
        ctx.advertised_protocols = offer.iter().map(|p| p.as_bytes().to_vec()).collect();
        match handshake(t, ctx, None) {
            Ok(d) => {
                let row = match d.conn.alpn() {
                    Some(p) => Row::new("selected", crate::x509::printable(&String::from_utf8_lossy(p))),
                    None => Row::new("not selected", "the server ignored ALPN"),
                };
                d.close();
                row
            }
            Err(f) => Row::failed(&f),
        }
    })
}

/// Yes/no from what a TLS 1.2 handshake showed.
fn tls12_feature(name: &str, use_cache: bool, check: fn(&Observed) -> Option<String>) -> Probe {
    probe(FEATURES, name, Some(ProtocolVersion::TLS1_2), move |t| {
        let mut ctx = probe_context();
        only(&mut ctx, ProtocolVersion::TLS1_2);
        ctx.use_cache = use_cache;
        match handshake(t, ctx, None) {
            Ok(d) => {
                let row = match check(&d.seen()) {
                    Some(detail) => Row::new("yes", detail),
                    None => Row::new("no", ""),
                };
                d.close();
                row
            }
            Err(f) => Row::failed(&f),
        }
    })
}

/// Two connections: the second offers the first one's session.
fn resumption_probe(name: &str, v: ProtocolVersion, tickets: bool) -> Probe {
    probe(FEATURES, name, Some(v), move |t| {
        let ctx = || {
            let mut ctx = probe_context();
            only(&mut ctx, v);
            // A TLS 1.2 client asks for a ticket only with the cache on.
            ctx.use_cache = tickets && v == ProtocolVersion::TLS1_2;
            ctx
        };
        let mut first = match handshake(t, ctx(), None) {
            Ok(d) => d,
            Err(f) => return Row::failed(&f),
        };
        let session = first.wait_for_session(Duration::from_secs(1));
        first.close();
        let Some(session) = session else {
            return Row::new("no", "no session to resume (no ticket or session ID)");
        };
        if v == ProtocolVersion::TLS1_2 && tickets && session.ticket.is_empty() {
            return Row::new("no", "no ticket");
        }
        if v == ProtocolVersion::TLS1_2 && !tickets && session.session_id.is_empty() {
            return Row::new("no", "no session ID");
        }
        match handshake(t, ctx(), Some(session)) {
            Ok(d) => {
                let row = if d.conn.negotiated().resumed {
                    Row::new("yes", "")
                } else {
                    Row::new("no", "full handshake on reconnection")
                };
                d.close();
                row
            }
            Err(f) => Row::failed(&f),
        }
    })
}

fn tickets13_probe() -> Probe {
    probe(FEATURES, "session tickets (tls1.3)", Some(ProtocolVersion::TLS1_3), |t| {
        let mut ctx = probe_context();
        only(&mut ctx, ProtocolVersion::TLS1_3);
        match handshake(t, ctx, None) {
            Ok(mut d) => {
                let got = d.wait_for_session(Duration::from_secs(1)).is_some();
                let n = d.seen().tickets;
                d.close();
                if got { Row::new("yes", format!("{n} received")) } else { Row::new("no", "") }
            }
            Err(f) => Row::failed(&f),
        }
    })
}

fn record_size_limit_probe(v: ProtocolVersion) -> Probe {
    probe(FEATURES, format!("record_size_limit ({v})"), Some(v), move |t| {
        let mut ctx = probe_context();
        only(&mut ctx, v);
        ctx.record_size_limit = Some(16384);
        match handshake(t, ctx, None) {
            Ok(d) => {
                let row = match d.seen().record_size_limit {
                    Some(l) => Row::new("yes", format!("server limit {l}")),
                    None => Row::new("no", ""),
                };
                d.close();
                row
            }
            Err(f) => Row::failed(&f),
        }
    })
}

/// Every probe, in table order (the version probes first).
fn probes() -> Vec<Probe> {
    let v12 = ProtocolVersion::TLS1_2;
    let v13 = ProtocolVersion::TLS1_3;
    let mut p = vec![version_probe(v12), version_probe(v13)];
    p.extend(TLS13_SUITES.iter().map(|s| suite_probe(SUITES13, v13, *s)));
    p.extend(SUPPORTED_GROUPS.iter().map(|g| group_probe(GROUPS13, v13, *g)));
    p.extend(TLS12_SUITES.iter().map(|s| suite_probe(SUITES12, v12, *s)));
    p.extend(SUPPORTED_GROUPS.iter().map(|g| group_probe(GROUPS12, v12, *g)));
    p.push(alpn_probe("ALPN h2", &["h2"]));
    p.push(alpn_probe("ALPN http/1.1", &["http/1.1"]));
    p.push(alpn_probe("ALPN preference (h2, http/1.1)", &["h2", "http/1.1"]));
    p.push(tls12_feature("extended master secret (tls1.2)", false, |s| {
        s.server_sent(ExtensionType::EXTENDED_MASTER_SECRET).then(String::new)
    }));
    p.push(tls12_feature("secure renegotiation (tls1.2)", false, |s| {
        s.server_sent(ExtensionType::RENEGOTIATION_INFO).then(|| "renegotiation_info".to_string())
    }));
    p.push(tls12_feature("session tickets (tls1.2)", true, |s| {
        (s.server_sent(ExtensionType::SESSION_TICKET) && s.tickets > 0).then(|| format!("{} received", s.tickets))
    }));
    p.push(tickets13_probe());
    p.push(resumption_probe("session-ID resumption (tls1.2)", v12, false));
    p.push(resumption_probe("ticket resumption (tls1.2)", v12, true));
    p.push(resumption_probe("resumption (tls1.3)", v13, true));
    p.push(record_size_limit_probe(v12));
    p.push(record_size_limit_probe(v13));
    p.push(probe(FEATURES, "OCSP stapling", None, |_| {
        Row::not_tested("status_request is not supported by this client")
    }));
    p
}

/// Runs `jobs` on `threads` threads; results in order.
fn run_all(target: &Target, jobs: &[&Probe], threads: usize) -> Vec<Row> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Row>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len()).max(1) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let row = (job.run)(target);
                    *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(row);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .unwrap_or_else(|| Row::not_tested("the probe did not run"))
        })
        .collect()
}

/// Runs the scan; returns the exit code.
pub fn run(args: ScanArgs) -> i32 {
    let addrs: Vec<SocketAddr> = match (args.host.as_str(), args.port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            eprintln!("ssl: cannot resolve {}: {e} (check the host name)", args.host);
            return 1;
        }
    };
    // The first address that takes a TCP connection.
    let mut last = None;
    let mut addr = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, args.timeout) {
            Ok(_) => {
                addr = Some(*a);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(addr) = addr else {
        let why = last.map(|e| e.to_string()).unwrap_or_else(|| "no address".to_string());
        eprintln!("ssl: cannot connect to {}:{}: {why}; is a server listening on that port?", args.host, args.port);
        return 1;
    };
    let target = Target { addr, servername: args.servername.clone(), timeout: args.timeout };
    let all = probes();
    let started = Instant::now();
    // The versions first: the other probes of a version the server refuses are not run.
    let versions: Vec<&Probe> = all.iter().filter(|p| p.section == VERSIONS).collect();
    let mut rows = run_all(&target, &versions, args.threads);
    let accepted: Vec<ProtocolVersion> = versions
        .iter()
        .zip(&rows)
        .filter(|(_, r)| r.status == "accepted")
        .filter_map(|(p, _)| ssl_core::constants::parse_version(&p.name))
        .collect();
    let rest: Vec<&Probe> = all.iter().filter(|p| p.section != VERSIONS).collect();
    let runnable: Vec<&Probe> =
        rest.iter().copied().filter(|p| p.needs.is_none_or(|v| accepted.contains(&v))).collect();
    let mut ran = run_all(&target, &runnable, args.threads).into_iter();
    for p in &rest {
        rows.push(match p.needs {
            Some(v) if !accepted.contains(&v) => Row::not_tested(format!("{v} not accepted")),
            _ => ran.next().unwrap_or_else(|| Row::not_tested("the probe did not run")),
        });
    }
    let mut out = format!("scan of {}:{} ({addr}), servername {}\n", args.host, args.port, args.servername);
    let mut section = "";
    for (p, r) in versions.iter().chain(rest.iter()).zip(&rows) {
        if p.section != section {
            section = p.section;
            out.push_str(&format!("\n{section}\n"));
        }
        let line = format!("  {:<46} {:<12} {}", p.name, r.status, r.detail);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let answered = rows.iter().any(|r| r.answered);
    out.push_str(&format!("\n{} probes in {:.1} s\n", rows.len(), started.elapsed().as_secs_f64()));
    print!("{out}");
    if answered {
        0
    } else {
        eprintln!("ssl: {}:{} accepts connections but answered no TLS probe", args.host, args.port);
        1
    }
}
