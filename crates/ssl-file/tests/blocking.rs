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

#[test]
fn use_after_close_is_an_error_and_last_error_remembers_it() {
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let (client, server) = unix_pair(&pki, &backend);
    let srv = thread::spawn(move || {
        server.set_blocking().unwrap();
        server.accept(&[]).unwrap();
        let mut rest = Vec::new();
        let _ = (&server).read_to_end(&mut rest);
    });
    client.set_blocking().unwrap();
    // Before connect: reads and writes are errors, not panics.
    let mut buf = [0u8; 4];
    assert_eq!((&client).read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    client.connect(Some("localhost"), None).unwrap();
    client.close(CloseMode::Normal).unwrap();
    assert_eq!((&client).write(b"x").unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    assert_eq!((&client).read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::NotConnected);
    assert_eq!(client.last_error(), Some(std::io::ErrorKind::NotConnected));
    client.close(CloseMode::Normal).unwrap();
    srv.join().unwrap();
}

#[test]
fn renegotiate_refreshes_keys_in_tls13_and_renegotiates_in_tls12() {
    let pki = Pki::new();
    for tls12 in [false, true] {
        let backend = Backend::new().unwrap();
        let (a, b) = mio::net::UnixStream::pair().unwrap();
        let mut cctx = ssl_file::Context::new();
        cctx.trusted_issuers.add_pem(pki.ca_pem.as_bytes()).unwrap();
        let mut sctx = ssl_file::Context::new();
        sctx.add_cert_pem(pki.cert_pem.as_bytes(), pki.key_pem.as_bytes()).unwrap();
        if tls12 {
            cctx.max_version = ssl_file::ProtocolVersion::TLS1_2;
            cctx.enable_renegotiation = true;
            sctx.enable_renegotiation = true;
        }
        let client = SslFile::with_backend(a, std::sync::Arc::new(cctx), backend.clone());
        let server = SslFile::with_backend(b, std::sync::Arc::new(sctx), backend.clone());
        let srv = thread::spawn(move || {
            server.set_blocking().unwrap();
            server.accept(&[]).unwrap();
            let mut buf = [0u8; 5];
            (&server).read_exact(&mut buf).unwrap();
            (&server).write_all(&buf).unwrap();
            (&server).read_exact(&mut buf).unwrap();
            (&server).write_all(&buf).unwrap();
            server.with_connection(|c| c.map(|c| (c.key_updates_received(), c.version())))
        });
        client.set_blocking().unwrap();
        client.connect(Some("localhost"), None).unwrap();
        (&client).write_all(b"one..").unwrap();
        let mut buf = [0u8; 5];
        (&client).read_exact(&mut buf).unwrap();
        client.renegotiate().unwrap();
        (&client).write_all(b"two..").unwrap();
        (&client).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"two..");
        let (updates, version) = srv.join().unwrap().unwrap();
        if tls12 {
            assert_eq!(version, Some(ssl_file::ProtocolVersion::TLS1_2));
        } else {
            assert_eq!(updates, 1, "the server saw the KeyUpdate");
        }
    }
}
