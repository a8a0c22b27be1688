//! Over loopback TCP (127.0.0.1, ephemeral ports, timeouts everywhere).
//!
//! Throughput, one connection: the client writes `total` bytes in 16 KiB
//! writes from this thread, a server thread reads them into a 64 KiB
//! buffer. Ours: `ssl_file::SslFile` in blocking mode on both ends (the
//! server from `SslPort::accept`); rustls: `StreamOwned` on a blocking
//! `std::net::TcpStream` on both ends. Timed from the client's first write
//! (both handshakes done) to the moment the reader has every byte.
//!
//! Handshakes with `clients` concurrent connections: one server thread,
//! one client thread.
//! - Ours: `SslPort` on one nonblocking `ssl_file::Backend` run by one
//!   thread, the accept callback closes each handshaken file (close_notify).
//! - rustls: a single-threaded mio event loop (like the Backend): accept,
//!   drive each `ServerConnection`, send close_notify once the handshake is
//!   done, close the socket.
//! - Clients: one mio thread keeping `clients` connections in flight; the
//!   driver is the same code for both libraries, only the engine differs
//!   (our `Connection` against our server, rustls' `ClientConnection`
//!   against the rustls server). A handshake counts when the client has
//!   completed it and then received the server's close_notify (or EOF),
//!   so the server completed it too.
//!
//! Reported: wall-clock handshakes/s, and handshakes per CPU-second of the
//! server thread and of the client thread (from /proc/thread-self/stat), which
//! separate the two ends on this 2-core machine.

use crate::engine::{Endpoint, Lib};
use crate::pki::{Ours, Rustls, SERVER_NAME};
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const IO_TIMEOUT: Duration = Duration::from_secs(60);
const WRITE: usize = 16 * 1024;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("address")
}

/// CPU time (user + system) of the calling thread, from /proc; `None` when
/// /proc is not there.
pub fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name (which may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // CLK_TCK is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

fn pattern() -> Vec<u8> {
    (0..WRITE).map(|i| (i * 13) as u8).collect()
}

/// Ours: MiB/s of one SslFile connection.
fn throughput_ours(lib: &Ours, total: usize) -> f64 {
    let backend = Backend::new().expect("backend");
    let port = SslPort::bind_with_backend(loopback(), lib.server.clone(), backend.clone()).expect("bind");
    let addr = port.local_addr().expect("address");
    let server = thread::spawn(move || {
        let file = port.accept().expect("ours: accept");
        file.set_timeout(Some(IO_TIMEOUT));
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < total {
            let n = (&file).read(&mut buf).expect("ours: read");
            assert!(n > 0, "ours: EOF after {got} bytes");
            got += n;
        }
        let end = Instant::now();
        while (&file).read(&mut buf).expect("ours: read to EOF") > 0 {}
        let _ = file.close(CloseMode::Normal);
        end
    });
    let tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    tcp.set_nonblocking(true).expect("nonblocking");
    let file = SslFile::with_backend(TcpStream::from_std(tcp), lib.client.clone(), backend);
    file.set_blocking().expect("blocking");
    file.set_timeout(Some(IO_TIMEOUT));
    file.connect(Some(SERVER_NAME), None).expect("ours: connect");
    let chunk = pattern();
    let start = Instant::now();
    let mut sent = 0;
    while sent < total {
        (&file).write_all(&chunk).expect("ours: write");
        sent += WRITE;
    }
    file.close(CloseMode::Normal).expect("ours: close");
    let end = server.join().expect("server thread");
    total as f64 / (1024.0 * 1024.0) / (end - start).as_secs_f64()
}

/// rustls: MiB/s of one `StreamOwned` connection.
fn throughput_rustls(lib: &Rustls, total: usize) -> f64 {
    let listener = std::net::TcpListener::bind(loopback()).expect("bind");
    let addr = listener.local_addr().expect("address");
    let cfg = lib.server.clone();
    let server = thread::spawn(move || {
        let (tcp, _) = listener.accept().expect("accept");
        tcp.set_nodelay(true).expect("nodelay");
        tcp.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        tcp.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        let conn = rustls::ServerConnection::new(cfg).expect("rustls server");
        let mut s = rustls::StreamOwned::new(conn, tcp);
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < total {
            let n = s.read(&mut buf).expect("rustls: read");
            assert!(n > 0, "rustls: EOF after {got} bytes");
            got += n;
        }
        let end = Instant::now();
        while s.read(&mut buf).expect("rustls: read to EOF") > 0 {}
        s.conn.send_close_notify();
        let _ = s.flush();
        end
    });
    let tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    tcp.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    tcp.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    let conn = rustls::ClientConnection::new(lib.client.clone(), lib.name.clone()).expect("rustls client");
    let mut c = rustls::StreamOwned::new(conn, tcp);
    while c.conn.is_handshaking() {
        c.conn.complete_io(&mut c.sock).expect("rustls: handshake");
    }
    let chunk = pattern();
    let start = Instant::now();
    let mut sent = 0;
    while sent < total {
        c.write_all(&chunk).expect("rustls: write");
        sent += WRITE;
    }
    c.conn.send_close_notify();
    c.flush().expect("rustls: close");
    let end = server.join().expect("server thread");
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    total as f64 / (1024.0 * 1024.0) / (end - start).as_secs_f64()
}

/// The TCP scenarios of one library.
pub trait Tcp {
    /// MiB/s of one connection.
    fn throughput(&self, total: usize) -> f64;
    /// Handshakes with `clients` concurrent connections for `budget` (at least `min`).
    fn handshakes(&self, clients: usize, budget: Duration, min: usize) -> TcpHandshakes;
}

impl Tcp for Ours {
    fn throughput(&self, total: usize) -> f64 {
        throughput_ours(self, total)
    }

    fn handshakes(&self, clients: usize, budget: Duration, min: usize) -> TcpHandshakes {
        handshakes_ours(self, clients, budget, min)
    }
}

impl Tcp for Rustls {
    fn throughput(&self, total: usize) -> f64 {
        throughput_rustls(self, total)
    }

    fn handshakes(&self, clients: usize, budget: Duration, min: usize) -> TcpHandshakes {
        handshakes_rustls(self, clients, budget, min)
    }
}

/// One handshake round over TCP.
pub struct TcpHandshakes {
    pub count: usize,
    pub per_s: f64,
    pub server_cpu: Option<Duration>,
    pub client_cpu: Option<Duration>,
}

fn would_block(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::NotConnected | io::ErrorKind::Interrupted)
}

fn poll_once(poll: &mut Poll, events: &mut Events, timeout: Duration) {
    if let Err(e) = poll.poll(events, Some(timeout))
        && e.kind() != io::ErrorKind::Interrupted
    {
        panic!("poll: {e}");
    }
}

struct Slot<C> {
    stream: TcpStream,
    conn: C,
}

/// Drives one connection as far as it goes; `Some(true)` when it is done.
fn drive<E: Endpoint>(stream: &mut TcpStream, conn: &mut E) -> bool {
    loop {
        while conn.wants_write() {
            match conn.write_to(stream) {
                Ok(_) => {}
                Err(e) if would_block(&e) => break,
                Err(e) => panic!("client write: {e}"),
            }
        }
        match conn.read_from(stream) {
            Ok(0) => return true,
            Ok(_) => {
                if conn.process() {
                    return true;
                }
            }
            Err(e) if would_block(&e) => return false,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return true,
            Err(e) => panic!("client read: {e}"),
        }
    }
}

/// The client thread: `clients` connections in flight until `budget` is
/// spent (and at least `min` were started), then the last ones finish.
fn run_clients<L: Lib>(lib: &L, addr: SocketAddr, clients: usize, budget: Duration, min: usize) -> TcpHandshakes {
    let cpu0 = thread_cpu();
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(256);
    let mut slots: Vec<Option<Slot<L::Client>>> = (0..clients).map(|_| None).collect();
    let start = Instant::now();
    let mut started = 0usize;
    let mut done = 0usize;
    let mut last = start;
    let open = |poll: &Poll, i: usize| -> Slot<L::Client> {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        poll.registry().register(&mut stream, Token(i), Interest::READABLE | Interest::WRITABLE).expect("register");
        Slot { stream, conn: lib.client() }
    };
    for (i, s) in slots.iter_mut().enumerate() {
        *s = Some(open(&poll, i));
        started += 1;
    }
    let deadline = start + IO_TIMEOUT;
    while slots.iter().any(Option::is_some) {
        assert!(Instant::now() < deadline, "TCP handshakes stalled");
        poll_once(&mut poll, &mut events, Duration::from_millis(100));
        for ev in events.iter() {
            let i = ev.token().0;
            let Some(slot) = slots[i].as_mut() else { continue };
            if !drive(&mut slot.stream, &mut slot.conn) {
                continue;
            }
            assert!(!slot.conn.handshaking(), "the server closed during the handshake");
            done += 1;
            last = Instant::now();
            let mut old = slots[i].take().expect("slot");
            let _ = poll.registry().deregister(&mut old.stream);
            drop(old);
            if started < min || start.elapsed() < budget {
                slots[i] = Some(open(&poll, i));
                started += 1;
            }
        }
    }
    let cpu = match (cpu0, thread_cpu()) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    TcpHandshakes { count: done, per_s: done as f64 / (last - start).as_secs_f64(), server_cpu: None, client_cpu: cpu }
}

/// Ours: SslPort + accept callback on one Backend thread.
fn handshakes_ours(lib: &Ours, clients: usize, budget: Duration, min: usize) -> TcpHandshakes {
    let backend = Backend::new().expect("backend");
    let port = SslPort::bind_with_backend(loopback(), lib.server.clone(), backend.clone()).expect("bind");
    let addr = port.local_addr().expect("address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    port.set_accept_callback(move |_, file| {
        a.fetch_add(1, Ordering::SeqCst);
        let _ = file.close(CloseMode::Normal);
    })
    .expect("accept callback");
    let f = failed.clone();
    port.set_error_callback(move |_, _peer, e| {
        eprintln!("ours: incoming connection failed: {e}");
        f.fetch_add(1, Ordering::SeqCst);
    });
    let runner = {
        let b = backend.clone();
        thread::spawn(move || {
            let cpu0 = thread_cpu();
            b.run().expect("backend");
            match (cpu0, thread_cpu()) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            }
        })
    };
    let mut r = run_clients(lib, addr, clients, budget, min);
    let wait = Instant::now();
    while accepted.load(Ordering::SeqCst) < r.count && wait.elapsed() < Duration::from_secs(5) {
        thread::sleep(Duration::from_millis(1));
    }
    backend.stop();
    r.server_cpu = runner.join().expect("backend thread");
    drop(port);
    assert_eq!(accepted.load(Ordering::SeqCst), r.count, "ours: server accepted a different count");
    assert_eq!(failed.load(Ordering::SeqCst), 0, "ours: failed connections");
    r
}

struct ServerSlot {
    stream: TcpStream,
    conn: rustls::ServerConnection,
    closing: bool,
}

/// rustls: a single-threaded mio server.
fn handshakes_rustls(lib: &Rustls, clients: usize, budget: Duration, min: usize) -> TcpHandshakes {
    let mut listener = TcpListener::bind(loopback()).expect("bind");
    let addr = listener.local_addr().expect("address");
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicUsize::new(0));
    let cfg = lib.server.clone();
    let (st, acc) = (stop.clone(), accepted.clone());
    let server = thread::spawn(move || {
        const LISTENER: Token = Token(usize::MAX);
        let cpu0 = thread_cpu();
        let mut poll = Poll::new().expect("poll");
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE).expect("register");
        let mut events = Events::with_capacity(256);
        let mut slots: Vec<Option<ServerSlot>> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        while !st.load(Ordering::SeqCst) {
            poll_once(&mut poll, &mut events, Duration::from_millis(20));
            for ev in events.iter() {
                if ev.token() == LISTENER {
                    loop {
                        match listener.accept() {
                            Ok((mut stream, _)) => {
                                stream.set_nodelay(true).expect("nodelay");
                                let i = free.pop().unwrap_or_else(|| {
                                    slots.push(None);
                                    slots.len() - 1
                                });
                                poll.registry()
                                    .register(&mut stream, Token(i), Interest::READABLE | Interest::WRITABLE)
                                    .expect("register");
                                let conn = rustls::ServerConnection::new(cfg.clone()).expect("rustls server");
                                slots[i] = Some(ServerSlot { stream, conn, closing: false });
                            }
                            Err(e) if would_block(&e) => break,
                            Err(e) => panic!("accept: {e}"),
                        }
                    }
                    continue;
                }
                let i = ev.token().0;
                let Some(s) = slots[i].as_mut() else { continue };
                let mut gone = false;
                loop {
                    match s.conn.read_tls(&mut s.stream) {
                        Ok(0) => {
                            gone = true;
                            break;
                        }
                        Ok(_) => {
                            s.conn.process_new_packets().unwrap_or_else(|e| panic!("rustls server: {e}"));
                        }
                        Err(e) if would_block(&e) => break,
                        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                            gone = true;
                            break;
                        }
                        Err(e) => panic!("server read: {e}"),
                    }
                }
                if !s.closing && !s.conn.is_handshaking() {
                    acc.fetch_add(1, Ordering::SeqCst);
                    s.conn.send_close_notify();
                    s.closing = true;
                }
                while s.conn.wants_write() {
                    match s.conn.write_tls(&mut s.stream) {
                        Ok(_) => {}
                        Err(e) if would_block(&e) => break,
                        Err(_) => {
                            gone = true;
                            break;
                        }
                    }
                }
                if gone || (s.closing && !s.conn.wants_write()) {
                    let mut old = slots[i].take().expect("slot");
                    let _ = poll.registry().deregister(&mut old.stream);
                    let _ = old.stream.shutdown(std::net::Shutdown::Both);
                    drop(old);
                    free.push(i);
                }
            }
        }
        match (cpu0, thread_cpu()) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a)),
            _ => None,
        }
    });
    let mut r = run_clients(lib, addr, clients, budget, min);
    stop.store(true, Ordering::SeqCst);
    r.server_cpu = server.join().expect("server thread");
    assert_eq!(accepted.load(Ordering::SeqCst), r.count, "rustls: server completed a different count");
    r
}
