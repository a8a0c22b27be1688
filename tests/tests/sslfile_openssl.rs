//! Interop through SslFile and SslPort (not just the engine) against
//! `openssl s_server` / `openssl s_client`, in blocking and nonblocking mode.

mod support;
use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::*;

fn mio_connect(addr: std::net::SocketAddr) -> mio::net::TcpStream {
    let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_nonblocking(true).unwrap();
    mio::net::TcpStream::from_std(s)
}

#[test]
fn blocking_sslfile_client_against_s_server() {
    if skip_without_openssl("blocking_sslfile_client_against_s_server") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let server = OpenSslServer::start(&strings(&[
        "-cert",
        &p(&files.server_cert),
        "-key",
        &p(&files.server_key),
        "-tls1_3",
        "-rev",
    ]));
    let file = SslFile::new(mio_connect(server.addr), pki.client_ctx(|_| {}));
    file.set_blocking().unwrap();
    file.set_timeout(Some(Duration::from_secs(10)));
    file.connect(Some("localhost"), None).unwrap();
    assert_eq!(file.version(), Some(ssl_file::ProtocolVersion::TLS1_3));
    (&file).write_all(b"sslfile blocking\n").unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(b"\n") {
        let n = (&file).read(&mut buf).unwrap();
        assert!(n > 0, "EOF before the reply");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"gnikcolb eliflss\n");
    file.close(CloseMode::Normal).unwrap();
}

#[test]
fn nonblocking_sslfile_client_with_callbacks_against_s_server() {
    if skip_without_openssl("nonblocking_sslfile_client_with_callbacks_against_s_server") {
        return;
    }
    let pki = Pki::new(KeyType::Rsa2048);
    let files = pki.write_files();
    let server = OpenSslServer::start(&strings(&[
        "-cert",
        &p(&files.server_cert),
        "-key",
        &p(&files.server_key),
        "-tls1_3",
        "-rev",
    ]));
    let backend = Backend::new().unwrap();
    let file = SslFile::with_backend(mio_connect(server.addr), pki.client_ctx(|_| {}), backend.clone());
    let got = Arc::new(Mutex::new(Vec::new()));
    let order = Arc::new(Mutex::new(Vec::new()));
    let (g, o1, o2) = (got.clone(), order.clone(), order.clone());
    file.set_accept_callback(move |f| {
        o1.lock().unwrap().push("accept");
        (&*f).write_all(b"nonblocking sslfile\n").unwrap();
    });
    file.set_read_callback(move |_f, data| {
        o2.lock().unwrap().push("read");
        g.lock().unwrap().extend_from_slice(data);
    });
    file.connect(Some("localhost"), None).unwrap();
    let start = Instant::now();
    while !got.lock().unwrap().ends_with(b"\n") && start.elapsed() < Duration::from_secs(10) {
        backend.run_once(Some(Duration::from_millis(50))).unwrap();
    }
    assert_eq!(&got.lock().unwrap()[..], b"eliflss gnikcolbnon\n");
    assert_eq!(order.lock().unwrap()[0], "accept");
    file.close(CloseMode::Normal).unwrap();
}

/// Runs s_client against `addr` with `input`, expecting `expect` in its output.
fn s_client_echo(addr: std::net::SocketAddr, files: &PkiFiles, input: &[u8], expect: &str) {
    let run = s_client(
        &strings(&[
            "-connect",
            &addr.to_string(),
            "-tls1_3",
            "-servername",
            "localhost",
            "-CAfile",
            &p(&files.ca),
            "-verify_return_error",
            "-ign_eof",
        ]),
        input,
        Duration::from_secs(15),
    );
    assert!(run.stdout.contains(expect), "{}", run.describe());
    assert!(run.stdout.contains("Verify return code: 0 (ok)"), "{}", run.describe());
}

#[test]
fn s_client_against_sslport_blocking_accept() {
    if skip_without_openssl("s_client_against_sslport_blocking_accept") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP384);
    let files = pki.write_files();
    let port = SslPort::bind("127.0.0.1:0".parse().unwrap(), pki.server_ctx(|_| {})).unwrap();
    let addr = port.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let file = port.accept().unwrap();
        file.set_timeout(Some(Duration::from_secs(10)));
        let mut line = Vec::new();
        let mut buf = [0u8; 64];
        while !line.ends_with(b"\n") {
            let n = (&file).read(&mut buf).unwrap();
            assert!(n > 0);
            line.extend_from_slice(&buf[..n]);
        }
        (&file).write_all(b"port says: ").unwrap();
        (&file).write_all(&line).unwrap();
        file.close(CloseMode::Normal).unwrap();
    });
    s_client_echo(addr, &files, b"hello port\n", "port says: hello port");
    server.join().unwrap();
}

#[test]
fn s_client_against_sslport_accept_callbacks() {
    if skip_without_openssl("s_client_against_sslport_accept_callbacks") {
        return;
    }
    let pki = Pki::new(KeyType::Ed25519);
    let files = pki.write_files();
    let backend = Backend::new().unwrap();
    let port =
        SslPort::bind_with_backend("127.0.0.1:0".parse().unwrap(), pki.server_ctx(|_| {}), backend.clone()).unwrap();
    let addr = port.local_addr().unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let s2 = served.clone();
    port.set_accept_callback(move |_port, file| {
        let s3 = s2.clone();
        file.set_read_callback(move |f, data| {
            (&*f).write_all(b"callback says: ").unwrap();
            (&*f).write_all(data).unwrap();
            if data.ends_with(b"\n") {
                f.close(CloseMode::Normal).unwrap();
                s3.fetch_add(1, Ordering::SeqCst);
            }
        });
    })
    .unwrap();
    let runner = {
        let b = backend.clone();
        std::thread::spawn(move || b.run().unwrap())
    };
    for i in 0..3 {
        s_client_echo(addr, &files, format!("client {i}\n").as_bytes(), &format!("callback says: client {i}"));
    }
    backend.stop();
    runner.join().unwrap();
    assert_eq!(served.load(Ordering::SeqCst), 3);
    drop(port);
}
