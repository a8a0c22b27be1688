//! The examples (`examples/src`), run as library functions on ephemeral
//! 127.0.0.1 ports: every server runs in a thread with a `--count` limit
//! and is joined with a deadline, every client has timeouts, and the event
//! loops are stopped when a test ends (also when it fails).
//!
//! The last test is the regression test of an ssl-file fix that the
//! callback echo server needed: a nonblocking close started after the
//! close callback must still deliver the queued data.

use examples::common::{self, Identity, Trust};
use examples::{blocking_client, callback_echo_server, https_redirect, starttls, threaded_echo_server};
use ssl_file::{Backend, CloseMode, SslFile, SslPort};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Timeout of every client operation.
const T: Duration = Duration::from_secs(20);
/// How long a server may take to finish after its last client.
const SERVER_DEADLINE: Duration = Duration::from_secs(30);

/// Joins `h` within `limit`, or fails the test (the thread is left behind).
fn join_within<R>(h: JoinHandle<R>, limit: Duration) -> R {
    let end = Instant::now() + limit;
    while !h.is_finished() {
        assert!(Instant::now() < end, "the server did not finish in time");
        thread::sleep(Duration::from_millis(10));
    }
    h.join().expect("the server thread panicked")
}

/// Stops an event loop when dropped, so a failing test leaves no server running.
struct StopOnDrop(Backend);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

fn localhost() -> Identity {
    common::self_signed(&["localhost"]).unwrap()
}

fn trust(id: &Identity) -> Trust {
    Trust::CaPem(id.cert_pem.clone().into_bytes())
}

/// A blocking client file for `addr`, trusting `id`, not connected yet.
fn client(addr: SocketAddr, trust: &Trust) -> SslFile {
    let file = SslFile::new(common::connect(addr, T).unwrap(), common::client_context(trust).unwrap());
    file.set_blocking().unwrap();
    file.set_timeout(Some(T));
    file
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(29).wrapping_add(seed) ^ (i >> 9) as u8).collect()
}

/// Sends `data` (from a second thread) while reading the echo back (after
/// `read_delay`). With `half_close` the client sends its close_notify after
/// the data and reads until the server's; otherwise it reads the exact
/// length and closes.
fn echo_through(addr: SocketAddr, trust: &Trust, data: Vec<u8>, read_delay: Duration, half_close: bool) -> Vec<u8> {
    let file = client(addr, trust);
    file.connect(Some("localhost"), None).unwrap();
    let n = data.len();
    let writer = file.clone();
    let w = thread::spawn(move || {
        (&writer).write_all(&data).unwrap();
        if half_close {
            // Our direction only: SslFile::close would also end our reading.
            writer.with_connection(|c| c.expect("connected").close_notify());
            writer.flush_output().unwrap();
        }
    });
    thread::sleep(read_delay);
    let mut got = Vec::with_capacity(n);
    if half_close {
        (&file).read_to_end(&mut got).expect("the whole echo, then the server's close_notify");
    } else {
        got.resize(n, 0);
        (&file).read_exact(&mut got).unwrap();
    }
    w.join().unwrap();
    if !half_close {
        file.close(CloseMode::Normal).unwrap();
    }
    got
}

// ---- blocking_client, against the https_redirect server ----

/// Runs the https_redirect server in a thread until `count` answers.
fn redirect_server(id: &Identity, count: usize) -> (SocketAddr, StopOnDrop, JoinHandle<https_redirect::Stats>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let backend = Backend::new().unwrap();
    let ctx = common::server_context(id).unwrap();
    let b = backend.clone();
    let h = thread::spawn(move || https_redirect::serve(listener, ctx, b, Some(count)).unwrap());
    (addr, StopOnDrop(backend), h)
}

#[test]
fn blocking_client_verifies_the_server_and_fetches_a_page() {
    let id = localhost();
    let (addr, _stop, server) = redirect_server(&id, 2);
    let by_name = format!("localhost:{}", addr.port());

    // A client that trusts another CA fails the handshake, and says why.
    let other = common::self_signed(&["other.test"]).unwrap();
    let e = blocking_client::fetch(&by_name, &trust(&other), "/").unwrap_err().to_string();
    assert!(e.contains("handshake") && e.contains("not trusted"), "{e}");

    let got = blocking_client::fetch(&by_name, &trust(&id), "/verified?x=1").unwrap();
    let text = String::from_utf8(got.response).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("you asked for /verified?x=1"), "{text}");
    assert_eq!(got.version, "tls1.3");
    assert!(got.cipher_suite.starts_with("TLS_"), "{}", got.cipher_suite);

    // --insecure: the certificate names localhost, not 127.0.0.1, and still works.
    let got = blocking_client::fetch(&addr.to_string(), &Trust::Insecure, "/insecure").unwrap();
    assert!(String::from_utf8_lossy(&got.response).contains("/insecure"));

    let stats = join_within(server, SERVER_DEADLINE);
    assert_eq!((stats.pages, stats.redirects), (2, 0));
    assert_eq!(stats.failures, 1, "the untrusting client's alert: {stats:?}");
}

#[test]
fn blocking_client_command_line_errors_are_readable() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let e = blocking_client::main_with_args(args(&["127.0.0.1:1"])).unwrap_err().to_string();
    assert!(e.contains("--cafile") && e.contains("--insecure"), "{e}");
    let e = blocking_client::main_with_args(args(&["x:1", "--cafile", "/nonexistent/ca.pem"])).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    let e = blocking_client::main_with_args(args(&["--frob"])).unwrap_err().to_string();
    assert!(e.contains("--frob"), "{e}");
    // Nobody listens on a port that was just free.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = blocking_client::main_with_args(args(&[&format!("127.0.0.1:{port}"), "--insecure"])).unwrap_err();
    assert!(e.to_string().contains("cannot connect"), "{e}");
}

// ---- https_redirect ----

/// Sends `parts` (with a pause between them) as plain bytes and reads until the server closes.
fn plain_exchange(addr: SocketAddr, parts: &[&[u8]]) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&addr, T).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            thread::sleep(Duration::from_millis(150));
        }
        s.write_all(p).unwrap();
    }
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&buf[..n]),
            // A reset after the server's answer ends it just as well.
            Err(e) if e.kind() == ErrorKind::ConnectionReset && !reply.is_empty() => break,
            Err(e) => panic!("reading the plain answer: {e}"),
        }
    }
    reply
}

#[test]
fn https_redirect_redirects_plain_http_and_serves_tls_on_one_port() {
    let id = localhost();
    let (addr, _stop, server) = redirect_server(&id, 3);
    let host = format!("localhost:{}", addr.port());

    // Neither TLS nor HTTP: the usual TLS alert (a fatal alert record), no redirect.
    let reply = plain_exchange(addr, &[b"HELLO THERE\r\n\r\n"]);
    assert_eq!(reply.first(), Some(&21u8), "an alert record: {reply:?}");
    assert!(!reply.windows(4).any(|w| w == b"HTTP"), "{reply:?}");

    // Plain HTTP, in one piece.
    let req = format!("GET /a/page?q=1 HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n");
    let reply = String::from_utf8(plain_exchange(addr, &[req.as_bytes()])).unwrap();
    assert!(reply.starts_with("HTTP/1.1 301 Moved Permanently\r\n"), "{reply}");
    assert!(reply.contains(&format!("\r\nLocation: https://{host}/a/page?q=1\r\n")), "{reply}");

    // Plain HTTP whose first read holds only part of the method.
    let rest = format!("T /split HTTP/1.0\r\nHost: {host}\r\n\r\n");
    let reply = String::from_utf8(plain_exchange(addr, &[b"GE", rest.as_bytes()])).unwrap();
    assert!(reply.contains(&format!("Location: https://{host}/split\r\n")), "{reply}");

    // TLS on the same port gets the page.
    let got = blocking_client::fetch(&host, &trust(&id), "/a/page?q=1").unwrap();
    let text = String::from_utf8(got.response).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK") && text.contains("you asked for /a/page?q=1"), "{text}");

    let stats = join_within(server, SERVER_DEADLINE);
    assert_eq!((stats.pages, stats.redirects, stats.failures), (1, 2, 1), "{stats:?}");
}

// ---- threaded_echo_server ----

#[test]
fn threaded_echo_server_serves_concurrent_clients_and_survives_a_bad_one() {
    let id = localhost();
    let port = SslPort::bind("127.0.0.1:0".parse().unwrap(), common::server_context(&id).unwrap()).unwrap();
    let addr = port.local_addr().unwrap();
    let server = thread::spawn(move || threaded_echo_server::serve(&port, Some(3)).unwrap());

    // A client that does not trust the server: logged by the server, not counted.
    let bad = client(addr, &trust(&localhost()));
    assert!(bad.connect(Some("localhost"), None).is_err());
    drop(bad);

    let sizes = [1usize, 70_000, 1_500_000];
    let clients: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let t = trust(&id);
            thread::spawn(move || {
                let data = pattern(n, i as u8);
                let got = echo_through(addr, &t, data.clone(), Duration::ZERO, false);
                assert!(got == data, "client {i}: echo differs");
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let mut totals = join_within(server, SERVER_DEADLINE);
    totals.sort_unstable();
    assert_eq!(totals, sizes.iter().map(|&n| n as u64).collect::<Vec<_>>());
}

// ---- callback_echo_server ----

#[test]
fn callback_echo_server_many_clients_slow_readers_and_half_close() {
    let id = localhost();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend(
        "127.0.0.1:0".parse().unwrap(),
        common::server_context(&id).unwrap(),
        backend.clone(),
    )
    .unwrap();
    let addr = port.local_addr().unwrap();
    let _stop = StopOnDrop(backend.clone());
    // Connections that stay silent must not hold up the others (handshakes
    // run on the loop).
    let _idle = TcpStream::connect(addr).unwrap();
    const CLIENTS: usize = 16;
    let server = thread::spawn(move || callback_echo_server::serve(port, backend, Some(CLIENTS)).unwrap());

    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let t = trust(&id);
            thread::spawn(move || {
                // Most send a little; two send 6 MB (more than the socket
                // buffers hold) and read only after a while, so the echo
                // backs up and the server pauses reading; those two also
                // half-close right after their data.
                let slow = i % 8 == 3;
                let n = if slow { 6 << 20 } else { 1 + i * 9_000 };
                let data = pattern(n, i as u8);
                let delay = if slow { Duration::from_millis(500) } else { Duration::ZERO };
                let got = echo_through(addr, &t, data.clone(), delay, slow);
                assert_eq!(got.len(), n, "client {i}");
                assert!(got == data, "client {i}: echo differs");
                n as u64
            })
        })
        .collect();
    let sent: u64 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let stats = join_within(server, SERVER_DEADLINE);
    assert_eq!(stats.connections, CLIENTS, "{stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");
    assert_eq!(stats.bytes, sent);
    assert!(stats.pauses >= 1, "the slow readers made the server pause reading: {stats:?}");
}

// ---- starttls ----

#[test]
fn starttls_careful_and_pipelining_clients() {
    let t = starttls::run(false).unwrap();
    assert_eq!(t.pending, 0, "a careful client sends nothing before OK");
    assert_eq!(t.server_heard, "HELLO over TLS");
    assert_eq!(t.client_heard, "WELCOME, you said \"HELLO over TLS\"");
    assert_eq!(t.version, "tls1.3");

    let t = starttls::run(true).unwrap();
    // The ClientHello came with the command (one write) and went to accept().
    assert!(t.pending > 100, "pending bytes: {}", t.pending);
    assert_eq!(t.server_heard, "HELLO over TLS");
    assert!(t.client_heard.starts_with("WELCOME"), "{}", t.client_heard);

    assert!(starttls::main_with_args(Vec::new()).is_ok());
}

#[test]
fn starttls_pipelining_client_reports_a_refusal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(T)).unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(starttls::COMMAND), "{:?}", &buf[..n]);
        s.write_all(b"NO thanks\r\n").unwrap();
    });
    let stream = starttls::Pipelined::new(common::connect(addr, T).unwrap());
    let file = SslFile::new(stream, common::client_context(&Trust::Insecure).unwrap());
    file.set_blocking().unwrap();
    file.set_timeout(Some(T));
    let e = file.connect(Some("localhost"), None).unwrap_err();
    assert!(e.to_string().contains("did not answer OK"), "{e}");
    join_within(server, SERVER_DEADLINE);
}

// ---- the ssl-file fix ----

/// A server that answers the client's close_notify with more data than the
/// socket takes at once, then closes (nonblocking, from the close
/// callback). The file must stay alive until the queued data and its
/// close_notify are out, although nothing else holds it.
#[test]
fn nonblocking_close_after_the_close_callback_delivers_queued_data() {
    let id = localhost();
    let backend = Backend::new().unwrap();
    let port = SslPort::bind_with_backend(
        "127.0.0.1:0".parse().unwrap(),
        common::server_context(&id).unwrap(),
        backend.clone(),
    )
    .unwrap();
    let addr = port.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let a = accepted.clone();
    port.set_accept_callback(move |_port, f| {
        let a = a.clone();
        f.set_close_callback(move |f, err| {
            assert!(err.is_none(), "{err:?}");
            let chunk = pattern(16 * 1024, 5);
            let mut total = 0;
            loop {
                match (&*f).write(&chunk) {
                    Ok(n) => total += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("{e}"),
                }
            }
            a.store(total, Ordering::SeqCst);
            f.close(CloseMode::Normal).unwrap();
            // Returning drops the callback's handle: the file is on its own.
        });
    })
    .unwrap();
    let _stop = StopOnDrop(backend.clone());
    let b = backend.clone();
    let runner = thread::spawn(move || b.run().unwrap());

    let file = client(addr, &trust(&id));
    file.connect(Some("localhost"), None).unwrap();
    file.with_connection(|c| c.expect("connected").close_notify());
    file.flush_output().unwrap();
    // Let the server fill the socket and queue more before we read.
    thread::sleep(Duration::from_millis(300));
    let mut got = Vec::new();
    let r = (&file).read_to_end(&mut got);
    let sent = accepted.load(Ordering::SeqCst);
    assert!(sent > 0);
    r.unwrap_or_else(|e| panic!("after {} of {sent} bytes: {e}", got.len()));
    assert_eq!(got.len(), sent);
    backend.stop();
    join_within(runner, SERVER_DEADLINE);
}
