//! 1,000 simultaneous nonblocking connections on one Backend. In a test
//! binary of its own: it counts the process's file descriptors.

mod common;
use common::*;
use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn tcp(addr: std::net::SocketAddr) -> mio::net::TcpStream {
    mio::net::TcpStream::connect(addr).unwrap()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0)
}

#[test]
fn a_thousand_nonblocking_connections_on_one_backend() {
    let fds_before = open_fds();
    let pki = Pki::new();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend("127.0.0.1:0".parse().unwrap(), pki.server_ctx(), backend.clone()).unwrap();
    let addr = port.local_addr().unwrap();
    // Server: echo everything back, close when the client closes.
    port.set_accept_callback(|_p, f| {
        f.set_read_callback(|f, data| {
            (&*f).write_all(data).unwrap();
        });
        f.set_close_callback(|f, _err| {
            let _ = f.close(CloseMode::Normal);
        });
    })
    .unwrap();
    const N: usize = 1000;
    const SIZE: usize = 3000;
    let done = Arc::new(AtomicUsize::new(0));
    let bad = Arc::new(AtomicUsize::new(0));
    let client_ctx = pki.client_ctx();
    let mut clients = Vec::with_capacity(N);
    for i in 0..N {
        let f = SslFile::with_backend(tcp(addr), client_ctx.clone(), backend.clone());
        let payload = pattern(SIZE, i as u8);
        let sum: u64 = payload.iter().map(|b| *b as u64).sum::<u64>() + i as u64;
        let got = Arc::new(Mutex::new(Vec::with_capacity(SIZE)));
        let (d, b2, g) = (done.clone(), bad.clone(), got.clone());
        f.set_accept_callback(move |f| {
            // Send in two writes to exercise the buffering.
            (&*f).write_all(&payload[..SIZE / 2]).unwrap();
            (&*f).write_all(&payload[SIZE / 2..]).unwrap();
        });
        f.set_read_callback(move |f, data| {
            let mut g = g.lock().unwrap();
            g.extend_from_slice(data);
            if g.len() >= SIZE {
                let echoed: u64 = g.iter().map(|b| *b as u64).sum::<u64>() + i as u64;
                if g.len() == SIZE && echoed == sum {
                    d.fetch_add(1, Ordering::SeqCst);
                } else {
                    b2.fetch_add(1, Ordering::SeqCst);
                }
                let _ = f.close(CloseMode::Normal);
            }
        });
        f.connect(Some("localhost"), None).unwrap();
        clients.push(f);
    }
    let start = Instant::now();
    while done.load(Ordering::SeqCst) + bad.load(Ordering::SeqCst) < N && start.elapsed() < Duration::from_secs(120) {
        backend.run_once(Some(Duration::from_millis(50))).unwrap();
    }
    assert_eq!(bad.load(Ordering::SeqCst), 0, "corrupted echoes");
    assert_eq!(done.load(Ordering::SeqCst), N, "all connections completed, nothing lost");
    // Let the servers see the closes, then drop everything: no descriptor leaks.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) {
        backend.run_once(Some(Duration::from_millis(20))).unwrap();
    }
    drop(clients);
    drop(port);
    for _ in 0..20 {
        backend.run_once(Some(Duration::from_millis(10))).unwrap();
    }
    let fds_after = open_fds();
    assert!(fds_after <= fds_before + 8, "descriptors leaked: {fds_before} before, {fds_after} after");
}
