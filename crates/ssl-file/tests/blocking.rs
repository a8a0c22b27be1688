//! SslFile in blocking mode: handshake, read, write, close, timeout, threads.

mod common;
use common::*;
use ssl_file::{Backend, CloseMode, Mode, OpenState, SslFile};
use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn blocking_round_trip_and_clean_close() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        assert_eq!(server.mode(), Mode::Blocking);
        server.accept(&[]).unwrap();
        let mut buf = vec![0u8; 5];
        (&server).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"hello");
        (&server).write_all(b"world").unwrap();
        // The client closes: EOF after its close_notify.
        let mut rest = Vec::new();
        (&server).read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
        server.close(CloseMode::Normal).unwrap();
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    assert!(client.is_handshake_complete());
    assert_eq!(client.server_name().as_deref(), Some("localhost"));
    (&client).write_all(b"hello").unwrap();
    let mut buf = [0u8; 5];
    (&client).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"world");
    client.close(CloseMode::Clean).unwrap();
    srv.join().unwrap();
    // The clean close leaves the stream reusable.
    let (stream, leftover) = client.shutdown().unwrap().expect("stream returned after a clean close");
    assert!(leftover.is_empty());
    drop(stream);
    assert_eq!(client.is_open(), OpenState::Closed);
}

#[test]
fn large_transfers_in_both_directions_at_once() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let n = 3 * 1024 * 1024;
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        // Echo everything back, with a reader and a writer thread on the same file.
        let reader = server.clone();
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let r = thread::spawn(move || {
            let mut buf = vec![0u8; 20000];
            let mut total = 0;
            while total < n {
                let k = (&reader).read(&mut buf).unwrap();
                assert!(k > 0);
                total += k;
                tx.send(buf[..k].to_vec()).unwrap();
            }
        });
        let mut sent = 0;
        while sent < n {
            let chunk = rx.recv().unwrap();
            (&server).write_all(&chunk).unwrap();
            sent += chunk.len();
        }
        r.join().unwrap();
        server.close(CloseMode::Normal).unwrap();
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    let data = pattern(n, 3);
    let writer = client.clone();
    let d2 = data.clone();
    let w = thread::spawn(move || (&writer).write_all(&d2).unwrap());
    let mut got = Vec::with_capacity(n);
    (&client).read_to_end(&mut got).unwrap();
    w.join().unwrap();
    srv.join().unwrap();
    assert_eq!(got.len(), n);
    assert!(got == data, "echoed data differs");
}

#[test]
fn read_timeout_in_blocking_mode() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        thread::sleep(Duration::from_millis(600));
        (&server).write_all(b"late").unwrap();
        thread::sleep(Duration::from_millis(300));
    });
    client.set_blocking().unwrap();
    client.connect(Some("localhost"), None).unwrap();
    client.set_timeout(Some(Duration::from_millis(150)));
    let t = Instant::now();
    let mut buf = [0u8; 4];
    let e = (&client).read(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    assert!(t.elapsed() >= Duration::from_millis(140));
    // The connection survives a read timeout.
    client.set_timeout(Some(Duration::from_secs(5)));
    (&client).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"late");
    srv.join().unwrap();
}

#[test]
fn handshake_failure_in_blocking_mode_is_the_error() {
    let pki = Pki::new();
    let other = Pki::new();
    let backend = Backend::new().unwrap();
    let (a, b) = mio::net::UnixStream::pair().unwrap();
    let client = SslFile::with_backend(a, other.client_ctx(), backend.clone());
    let server = SslFile::with_backend(b, pki.server_ctx(), backend.clone());
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        let e = server.accept(&[]).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    });
    client.set_blocking().unwrap();
    let e = client.connect(Some("localhost"), None).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
    assert!(matches!(ssl_file::tls_error(&e), Some(ssl_file::TlsError::Certificate(_))));
    srv.join().unwrap();
}
