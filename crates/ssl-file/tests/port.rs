//! SslPort: blocking accept, accept callbacks, failures reported once, and
//! 1,000 simultaneous nonblocking connections on one Backend.

mod common;
use common::*;
use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

fn tcp(addr: std::net::SocketAddr) -> mio::net::TcpStream {
    mio::net::TcpStream::connect(addr).unwrap()
}

#[test]
fn blocking_accept_returns_handshaken_files_and_reports_failures() {
    let pki = Pki::new();
    let port = SslPort::bind("127.0.0.1:0".parse().unwrap(), pki.server_ctx()).unwrap();
    let addr = port.local_addr().unwrap();
    let clients = thread::spawn(move || {
        // One client that does not trust the server, then a good one.
        let bad = SslFile::new(tcp(addr), Pki::new().client_ctx());
        bad.set_blocking().unwrap();
        assert!(bad.connect(Some("localhost"), None).is_err());
        let good = SslFile::new(tcp(addr), pki.client_ctx());
        good.set_blocking().unwrap();
        good.connect(Some("localhost"), None).unwrap();
        (&good).write_all(b"hi port").unwrap();
        good.close(CloseMode::Normal).unwrap();
    });
    let first = port.accept();
    let e = first.unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    let file = port.accept().unwrap();
    assert!(file.is_handshake_complete());
    let mut got = Vec::new();
    (&file).read_to_end(&mut got).unwrap();
    assert_eq!(got, b"hi port");
    clients.join().unwrap();
}

#[test]
fn accept_callback_once_per_connection_and_error_callback_for_failures() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend("127.0.0.1:0".parse().unwrap(), pki.server_ctx(), backend.clone()).unwrap();
    let addr = port.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let (a2, e2) = (accepted.clone(), errors.clone());
    port.set_accept_callback(move |_p, f| {
        assert!(f.is_handshake_complete());
        a2.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    port.set_error_callback(move |_p, _peer, e| e2.lock().unwrap().push(e.kind()));
    let runner = {
        let b = backend.clone();
        thread::spawn(move || b.run().unwrap())
    };
    let stranger = Pki::new();
    let mut handles = Vec::new();
    for i in 0..6 {
        let ctx = if i % 3 == 0 { stranger.client_ctx() } else { pki.client_ctx() };
        handles.push(thread::spawn(move || {
            let f = SslFile::with_backend(tcp(addr), ctx, Backend::new().unwrap());
            f.set_blocking().unwrap();
            f.connect(Some("localhost"), None).is_ok()
        }));
    }
    // And one that connects and sends garbage.
    let mut junk = std::net::TcpStream::connect(addr).unwrap();
    junk.write_all(b"this is not TLS at all\r\n\r\n").unwrap();
    let ok = handles.into_iter().map(|h| h.join().unwrap()).filter(|b| *b).count();
    assert_eq!(ok, 4);
    let start = Instant::now();
    while (accepted.load(Ordering::SeqCst) < 4 || errors.lock().unwrap().len() < 3)
        && start.elapsed() < Duration::from_secs(10)
    {
        thread::sleep(Duration::from_millis(10));
    }
    // Nothing more arrives later: each event was reported once (no spin).
    thread::sleep(Duration::from_millis(200));
    // Every handshake ended, so no handshake timeout (30 s) is left waiting.
    assert_eq!(backend.pending_call_outs(), 0);
    backend.stop();
    runner.join().unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    let errs = errors.lock().unwrap().clone();
    assert_eq!(errs.len(), 3, "{errs:?}");
    drop(junk);
}

#[test]
fn blocking_accept_is_not_held_up_by_a_silent_client_and_times_it_out() {
    let pki = Pki::new();
    let port = SslPort::bind("127.0.0.1:0".parse().unwrap(), pki.server_ctx()).unwrap();
    port.set_handshake_timeout(Some(Duration::from_millis(300)));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let f2 = failures.clone();
    port.set_error_callback(move |_p, peer, e| f2.lock().unwrap().push((peer.is_some(), e.kind())));
    let addr = port.local_addr().unwrap();
    // A client that connects and never speaks.
    let silent = std::net::TcpStream::connect(addr).unwrap();
    let good = thread::spawn(move || {
        thread::sleep(Duration::from_millis(50));
        let f = SslFile::new(tcp(addr), pki.client_ctx());
        f.set_blocking().unwrap();
        f.connect(Some("localhost"), None).unwrap();
        (&f).write_all(b"first").unwrap();
        f.close(CloseMode::Normal).unwrap();
    });
    let t = Instant::now();
    let file = port.accept().unwrap();
    assert!(t.elapsed() < Duration::from_millis(280), "the silent client held up accept");
    let mut got = Vec::new();
    (&file).read_to_end(&mut got).unwrap();
    assert_eq!(got, b"first");
    good.join().unwrap();
    // The silent one is abandoned after the handshake timeout, and reported with its address.
    let e = port.accept().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    assert_eq!(*failures.lock().unwrap(), vec![(true, std::io::ErrorKind::TimedOut)]);
    drop(silent);
}

#[test]
fn prepare_callback_sees_each_file_before_its_handshake() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend("127.0.0.1:0".parse().unwrap(), pki.server_ctx(), backend.clone()).unwrap();
    let addr = port.local_addr().unwrap();
    let prepared = Arc::new(Mutex::new(Vec::new()));
    let p2 = prepared.clone();
    port.set_prepare_callback(move |f| {
        p2.lock().unwrap().push((f.is_handshake_complete(), f.peer_addr().is_ok()));
        // A setting made here applies to the handshake: a small read threshold.
        f.set_read_threshold(1024);
    });
    let accepted = Arc::new(AtomicUsize::new(0));
    let a2 = accepted.clone();
    port.set_accept_callback(move |_p, _f| {
        a2.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    let runner = {
        let b = backend.clone();
        thread::spawn(move || b.run().unwrap())
    };
    for _ in 0..3 {
        let f = SslFile::with_backend(tcp(addr), pki.client_ctx(), Backend::new().unwrap());
        f.set_blocking().unwrap();
        f.connect(Some("localhost"), None).unwrap();
    }
    let start = Instant::now();
    while accepted.load(Ordering::SeqCst) < 3 && start.elapsed() < Duration::from_secs(10) {
        thread::sleep(Duration::from_millis(5));
    }
    backend.stop();
    runner.join().unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
    assert_eq!(*prepared.lock().unwrap(), vec![(false, true); 3]);
}
