use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn repro() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
    let mut sctx = ssl_file::Context::new();
    sctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend("127.0.0.1:0".parse().unwrap(), Arc::new(sctx), backend.clone()).unwrap();
    let addr = port.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a2 = accepted.clone();
    port.set_accept_callback(move |_p, f| {
        let a3 = a2.clone();
        f.set_close_callback(move |f, err| {
            assert!(err.is_none());
            // The client closed: answer with a lot of data, then close.
            let chunk = vec![7u8; 16 * 1024];
            let mut total = 0;
            loop {
                match (&*f).write(&chunk) {
                    Ok(n) => total += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => panic!("{e}"),
                }
            }
            a3.store(total, Ordering::SeqCst);
            f.close(CloseMode::Normal).unwrap();
        });
    })
    .unwrap();
    let b = backend.clone();
    let runner = std::thread::spawn(move || b.run().unwrap());
    let mut ctx = ssl_file::Context::new();
    ctx.server_auth = ssl_file::AuthLevel::None;
    let tcp = std::net::TcpStream::connect(addr).unwrap();
    tcp.set_nonblocking(true).unwrap();
    let file = SslFile::with_backend(mio::net::TcpStream::from_std(tcp), Arc::new(ctx), Backend::new().unwrap());
    file.set_blocking().unwrap();
    file.set_timeout(Some(Duration::from_secs(10)));
    file.connect(Some("localhost"), None).unwrap();
    // Half-close: our close_notify, then read everything.
    file.with_connection(|c| c.unwrap().close_notify());
    file.flush_output().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut got = Vec::new();
    let r = (&file).read_to_end(&mut got);
    let sent = accepted.load(Ordering::SeqCst);
    backend.stop();
    runner.join().unwrap();
    assert!(sent > 0);
    r.unwrap();
    assert_eq!(got.len(), sent);
}
