//! SslFile in nonblocking mode: without callbacks (like a nonblocking
//! socket), with callbacks on a backend (started or rotated by hand), the
//! callback order, close semantics, the alert callback and shutdown().

mod common;
use common::*;
use mio::net::UnixStream;
use ssl_file::{Backend, CloseMode, SslFile};
use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

type Log = Arc<Mutex<Vec<String>>>;
type Sniffed = Arc<Mutex<Option<(String, Vec<u8>)>>>;

fn log(l: &Log, s: impl Into<String>) {
    l.lock().unwrap().push(s.into());
}

#[test]
fn nonblocking_without_callbacks_works_like_a_nonblocking_socket() {
    // Nobody runs the backend: every I/O call does the internal handler's work once.
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    server.accept(&[]).unwrap();
    client.connect(Some("localhost"), None).unwrap();
    let mut buf = [0u8; 64];
    // Before the handshake completes, reads and writes would block.
    assert_eq!((&server).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    let mut rounds = 0;
    while !(client.is_handshake_complete() && server.is_handshake_complete()) {
        let _ = (&client).read(&mut buf);
        let _ = (&server).read(&mut buf);
        rounds += 1;
        assert!(rounds < 100, "handshake does not progress");
    }
    assert_eq!((&client).write(b"ping").unwrap(), 4);
    let mut got = Vec::new();
    for _ in 0..100 {
        match (&server).read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if got.len() == 4 {
                    break;
                }
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, b"ping");
    assert_eq!((&server).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    // read_pike(n, not_all) in nonblocking mode returns at once, never spins.
    let t = std::time::Instant::now();
    assert_eq!(server.read_pike(Some(10), true).unwrap_err().kind(), ErrorKind::WouldBlock);
    assert!(t.elapsed() < Duration::from_millis(200));
    assert_eq!(backend.pending_call_outs(), 0, "no callbacks, nothing scheduled");
}

/// An echo server with callbacks on `backend`; it logs every callback and
/// checks that no callback runs inside another.
fn callback_echo_server(server: &SslFile<UnixStream>, log_: &Log) {
    let busy = Arc::new(AtomicBool::new(false));
    let enter = {
        let busy = busy.clone();
        move |what: &str| assert!(!busy.swap(true, Ordering::SeqCst), "{what} entered re-entrantly")
    };
    let (e1, e2, e3, e4) = (enter.clone(), enter.clone(), enter.clone(), enter);
    let (b1, b2, b3, b4) = (busy.clone(), busy.clone(), busy.clone(), busy);
    let (l1, l2, l3, l4) = (log_.clone(), log_.clone(), log_.clone(), log_.clone());
    server.set_accept_callback(move |_f| {
        e1("accept");
        log(&l1, "accept");
        b1.store(false, Ordering::SeqCst);
    });
    server.set_read_callback(move |f, data| {
        e2("read");
        log(&l2, format!("read {}", data.len()));
        // A callback may call any method: write straight back.
        let mut w = f;
        w.write_all(data).unwrap();
        b2.store(false, Ordering::SeqCst);
    });
    server.set_close_callback(move |f, err| {
        e3("close");
        log(&l3, format!("close {:?}", err.map(|e| e.kind())));
        f.close(CloseMode::Normal).unwrap();
        b3.store(false, Ordering::SeqCst);
    });
    server.set_write_callback(move |_f| {
        e4("write");
        log(&l4, "write");
        b4.store(false, Ordering::SeqCst);
    });
}

#[test]
fn callbacks_on_a_started_backend_in_pike_order() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let runner = {
        let b = backend.clone();
        thread::spawn(move || b.run().unwrap())
    };
    let (client, server) = unix_pair(&pki, &backend);
    let events: Log = Default::default();
    callback_echo_server(&server, &events);
    server.accept(&[]).unwrap();
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    let msg = pattern(100_000, 1);
    (&client).write_all(&msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    (&client).read_exact(&mut back).unwrap();
    assert!(back == msg);
    client.close(CloseMode::Clean).unwrap();
    assert!(run_until(&Backend::new().unwrap(), Duration::from_secs(5), || events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e.starts_with("close"))));
    backend.stop();
    runner.join().unwrap();
    let ev = events.lock().unwrap().clone();
    assert_eq!(ev[0], "accept", "{ev:?}");
    let first_read = ev.iter().position(|e| e.starts_with("read")).unwrap();
    let close = ev.iter().position(|e| e.starts_with("close")).unwrap();
    assert!(first_read > 0 && close > first_read, "{ev:?}");
    assert_eq!(ev.iter().filter(|e| e.starts_with("close")).count(), 1, "close is one-shot: {ev:?}");
    assert_eq!(ev[close], "close None", "a clean close: {ev:?}");
    let total: usize = ev.iter().filter_map(|e| e.strip_prefix("read ")).map(|n| n.parse::<usize>().unwrap()).sum();
    assert_eq!(total, msg.len(), "every byte went through the read callback");
    assert!(ev.iter().any(|e| e == "write"), "write callback after the handshake: {ev:?}");
}

#[test]
fn callbacks_when_the_backend_is_rotated_by_hand() {
    // Both ends nonblocking on one backend that this thread rotates.
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let events: Log = Default::default();
    callback_echo_server(&server, &events);
    server.accept(&[]).unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    client.set_read_callback(move |_f, d| g.lock().unwrap().extend_from_slice(d));
    let sent = Arc::new(AtomicBool::new(false));
    let s2 = sent.clone();
    client.set_accept_callback(move |f| {
        let mut w = f;
        w.write_all(b"over the callbacks").unwrap();
        s2.store(true, Ordering::SeqCst);
    });
    client.connect(Some("localhost"), None).unwrap();
    assert!(run_until(&backend, Duration::from_secs(5), || got.lock().unwrap().len() == 18));
    assert_eq!(&got.lock().unwrap()[..], b"over the callbacks");
    // No user callback ran inside an API call: they all ran from run_once above.
    assert!(sent.load(Ordering::SeqCst));
}

#[test]
fn handshake_failure_reaches_the_close_callback() {
    let pki = Pki::new();
    let stranger = Pki::new();
    let backend = Backend::new().unwrap();
    let (a, b) = UnixStream::pair().unwrap();
    let client = SslFile::with_backend(a, stranger.client_ctx(), backend.clone());
    let server = SslFile::with_backend(b, pki.server_ctx(), backend.clone());
    let results: Log = Default::default();
    for (name, f) in [("client", &client), ("server", &server)] {
        let r = results.clone();
        // Set before the handshake, as set_nonblocking would during it.
        f.set_nonblocking(
            None,
            None,
            Some(Box::new(move |_f, err| log(&r, format!("{name} {:?}", err.map(|e| e.kind()))))),
        )
        .unwrap();
    }
    server.accept(&[]).unwrap();
    client.connect(Some("localhost"), None).unwrap();
    assert!(run_until(&backend, Duration::from_secs(5), || results.lock().unwrap().len() == 2));
    let mut r = results.lock().unwrap().clone();
    r.sort();
    assert_eq!(r, vec!["client Some(ConnectionAborted)", "server Some(ConnectionReset)"]);
}

#[test]
fn close_callback_waits_for_the_read_buffer_and_data_is_not_lost() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    server.accept(&[]).unwrap();
    client.set_blocking().unwrap();
    let c = thread::spawn(move || {
        client.connect(Some("localhost"), None).unwrap();
        (&client).write_all(&pattern(200_000, 9)).unwrap();
        client.close(CloseMode::Normal).unwrap();
    });
    let events: Log = Default::default();
    let received = Arc::new(AtomicUsize::new(0));
    let (l1, l2, r1, r2) = (events.clone(), events.clone(), received.clone(), received.clone());
    // Reading slowly: only the close callback is set at first.
    server.set_close_callback(move |_f, err| {
        log(&l1, format!("close {:?} after {}", err.map(|e| e.kind()), r1.load(Ordering::SeqCst)))
    });
    // Drive the server's I/O until the client is done, then a little longer.
    assert!(run_until(&backend, Duration::from_secs(10), || c.is_finished()));
    c.join().unwrap();
    run_until(&backend, Duration::from_millis(300), || false);
    assert!(events.lock().unwrap().is_empty(), "no close callback while data is buffered");
    server.set_read_callback(move |_f, d| {
        r2.fetch_add(d.len(), Ordering::SeqCst);
        log(&l2, "read");
    });
    assert!(run_until(&backend, Duration::from_secs(5), || events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e.starts_with("close"))));
    let ev = events.lock().unwrap().clone();
    assert_eq!(ev.last().unwrap(), "close None after 200000", "{ev:?}");
}

#[test]
fn drop_sends_close_notify() {
    // The Notes' _destruct: dropping the last handle closes cleanly.
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        (&server).write_all(b"bye").unwrap();
        drop(server);
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    srv.join().unwrap();
    let mut all = Vec::new();
    (&client).read_to_end(&mut all).unwrap();
    assert_eq!(all, b"bye", "EOF is clean (close_notify), not UnexpectedEof");
}

#[test]
fn truncation_is_reported_as_unexpected_eof() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        (&server).write_all(b"partial").unwrap();
        // Take the raw stream away and close it without close_notify.
        let (raw, _) = server.shutdown().unwrap().unwrap();
        drop(raw);
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    srv.join().unwrap();
    let mut buf = [0u8; 7];
    (&client).read_exact(&mut buf).unwrap();
    let e = (&client).read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(ssl_file::tls_error(&e), Some(&ssl_file::TlsError::Truncated));
}

#[test]
fn clean_close_keeps_bytes_sent_after_close_notify() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        server.close(CloseMode::Clean).unwrap();
        let (mut raw, leftover) = server.shutdown().unwrap().expect("reusable after a clean close");
        assert!(leftover.is_empty());
        // A plaintext protocol continues on the same stream.
        raw.write_all(b"PLAIN AFTER TLS").unwrap();
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    let mut rest = Vec::new();
    (&client).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the server's close_notify is a clean EOF");
    client.close(CloseMode::Clean).unwrap();
    srv.join().unwrap();
    let (mut raw, leftover) = client.shutdown().unwrap().expect("reusable");
    // Bytes after the close_notify are kept: those the engine already read
    // come back as leftover, the rest are still in the stream.
    let mut after = leftover;
    let mut buf = [0u8; 64];
    let start = std::time::Instant::now();
    while after.len() < 15 && start.elapsed() < Duration::from_secs(5) {
        match raw.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => after.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(after, b"PLAIN AFTER TLS");
}

#[test]
fn bytes_arriving_with_the_close_notify_are_returned_as_leftover() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let client = SslFile::with_backend(a, pki.client_ctx(), backend.clone());
    // A server engine driven by hand, so its close_notify and the plaintext
    // after it reach the client in one read.
    let mut server = ssl_core::Connection::server(pki.server_ctx());
    client.connect(Some("localhost"), None).unwrap();
    let mut buf = vec![0u8; 65536];
    let start = std::time::Instant::now();
    while !server.is_handshake_complete() && start.elapsed() < Duration::from_secs(5) {
        let _ = client.is_open();
        if let Ok(n) = b.read(&mut buf) {
            server.read_tls(&buf[..n]).unwrap();
        }
        let out = server.take_tls();
        if !out.is_empty() {
            b.write_all(&out).unwrap();
        }
        thread::sleep(Duration::from_millis(1));
    }
    assert!(server.is_handshake_complete());
    server.close_notify();
    let mut wire = server.take_tls();
    wire.extend_from_slice(b"RAW TAIL");
    b.write_all(&wire).unwrap();
    assert!(run_until(&backend, Duration::from_secs(5), || client.is_open() == ssl_file::OpenState::Closed
        || client.with_connection(|c| c.is_some_and(|c| c.peer_closed()))));
    client.close(CloseMode::Clean).unwrap();
    let (_raw, leftover) = client.shutdown().unwrap().expect("reusable after a clean close");
    assert_eq!(leftover, b"RAW TAIL");
}

#[test]
fn linger_expires_against_a_silent_peer() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        // Never answer the close_notify; keep the stream open a while.
        thread::sleep(Duration::from_millis(1500));
        drop(server.shutdown());
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    client.linger(Some(Duration::from_millis(300)));
    let t = std::time::Instant::now();
    let e = client.close(CloseMode::Clean).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TimedOut);
    assert!(t.elapsed() >= Duration::from_millis(280) && t.elapsed() < Duration::from_millis(1400));
    assert!(client.shutdown().unwrap().is_none(), "an unfinished clean close leaves nothing to reuse");
    srv.join().unwrap();
}

#[test]
fn back_pressure_bounds_the_read_buffer() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    server.set_read_threshold(32 * 1024);
    server.accept(&[]).unwrap();
    client.set_blocking().unwrap();
    let writer = thread::spawn(move || {
        client.connect(Some("localhost"), None).unwrap();
        client.set_timeout(Some(Duration::from_millis(800)));
        let chunk = vec![5u8; 64 * 1024];
        let mut sent = 0usize;
        // The reader does not consume: the writer must end up blocked.
        while sent < 64 * 1024 * 1024 {
            match (&client).write(&chunk) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == ErrorKind::TimedOut => break,
                Err(e) => panic!("{e}"),
            }
        }
        (client, sent)
    });
    // Drive the server without reading.
    let start = std::time::Instant::now();
    while !writer.is_finished() && start.elapsed() < Duration::from_secs(20) {
        let _ = server.is_open();
        thread::sleep(Duration::from_millis(2));
    }
    let (client, sent) = writer.join().unwrap();
    assert!(sent < 16 * 1024 * 1024, "writer was never blocked ({sent} bytes)");
    let buffered = server.buffered();
    assert!(buffered <= 32 * 1024 + 16 * 1024, "server buffered {buffered} bytes");
    // Reading releases the pressure; everything arrives.
    client.set_timeout(None);
    let total = sent;
    let c = thread::spawn(move || client.close(CloseMode::Normal));
    let mut got = 0usize;
    let mut buf = vec![0u8; 65536];
    let start = std::time::Instant::now();
    while got < total && start.elapsed() < Duration::from_secs(30) {
        match (&server).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(1)),
            Err(e) => panic!("{e}"),
        }
    }
    c.join().unwrap().unwrap();
    assert_eq!(got, total);
}

#[test]
fn alert_callback_sniffs_plaintext_http_and_takes_the_stream() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (mut raw_client, b) = UnixStream::pair().unwrap();
    let server = SslFile::with_backend(b, pki.server_ctx(), backend.clone());
    let seen: Sniffed = Default::default();
    let s2 = seen.clone();
    server.set_alert_callback(move |f, err, raw| {
        let (mut stream, bytes) = f.shutdown().unwrap().expect("stream handed over");
        *s2.lock().unwrap() = Some((err.to_string(), bytes));
        let _ = raw;
        stream.write_all(b"HTTP/1.0 301 Moved\r\nLocation: https://localhost/\r\n\r\n").unwrap();
    });
    server.accept(&[]).unwrap();
    raw_client.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    assert!(run_until(&backend, Duration::from_secs(5), || seen.lock().unwrap().is_some()));
    let (err, bytes) = seen.lock().unwrap().clone().unwrap();
    assert!(err.contains("unexpected_message"), "{err}");
    assert_eq!(bytes, b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    let mut reply = Vec::new();
    let mut buf = [0u8; 256];
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        match raw_client.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if reply.ends_with(b"\r\n\r\n") {
                    break;
                }
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(reply.starts_with(b"HTTP/1.0 301"), "no TLS alert went out first: {reply:?}");
}

#[test]
fn starttls_with_pending_data() {
    // The client's ClientHello arrives together with the plaintext command;
    // the server passes the bytes it already read to accept().
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (a, mut b) = UnixStream::pair().unwrap();
    let client = SslFile::with_backend(a, pki.client_ctx(), backend.clone());
    client.connect(Some("localhost"), None).unwrap();
    // Wait for the ClientHello to be written.
    let mut first = Vec::new();
    let mut buf = [0u8; 4096];
    let start = std::time::Instant::now();
    while first.len() < 5 && start.elapsed() < Duration::from_secs(5) {
        let _ = client.is_open();
        match b.read(&mut buf) {
            Ok(n) => first.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(2)),
            Err(e) => panic!("{e}"),
        }
    }
    let server = SslFile::with_backend(b, pki.server_ctx(), backend.clone());
    server.accept(&first).unwrap();
    assert!(run_until(&backend, Duration::from_secs(5), || {
        let _ = client.is_open();
        let _ = server.is_open();
        client.is_handshake_complete() && server.is_handshake_complete()
    }));
}

#[test]
fn a_callback_may_switch_to_blocking_mode() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let done = Arc::new(AtomicBool::new(false));
    let d2 = done.clone();
    server.set_accept_callback(move |f| {
        f.set_blocking().unwrap();
        let mut buf = [0u8; 3];
        (&*f).read_exact(&mut buf).unwrap();
        (&*f).write_all(&buf).unwrap();
        d2.store(true, Ordering::SeqCst);
    });
    server.accept(&[]).unwrap();
    let c = thread::spawn(move || {
        client.set_blocking().unwrap();
        client.connect(Some("localhost"), None).unwrap();
        (&client).write_all(b"abc").unwrap();
        let mut buf = [0u8; 3];
        (&client).read_exact(&mut buf).unwrap();
        buf
    });
    assert!(run_until(&backend, Duration::from_secs(5), || done.load(Ordering::SeqCst)));
    assert_eq!(&c.join().unwrap(), b"abc");
}
