//! One small interface over both sans-IO engines, so every scenario runs
//! the same driver code for ours and for rustls (statically dispatched).
//!
//! Each method uses the library's natural API: ours `read_tls(&[u8])` /
//! `read_tls_from(&mut dyn Read)` + `process_new_packets()` + `recv()`,
//! `send()`, `write_tls()`; rustls `read_tls()` + `process_new_packets()` +
//! `reader().read()`, `writer().write_all()`, `write_tls()`.
//! Any TLS error is a bug in the benchmark or the library: it panics.

use crate::pki::{Ours, Rustls};
use ssl_core::{Connection, Received};
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// A TLS endpoint (client or server) of either library.
pub trait Endpoint {
    /// Feeds ciphertext and processes it (all of it).
    fn feed(&mut self, data: &[u8]);
    /// Appends the pending ciphertext to `out`.
    fn drain_into(&mut self, out: &mut Vec<u8>);
    /// Queues application data (all of it).
    fn send_all(&mut self, data: &[u8]);
    /// Feeds `data` through the library's read loop, copying every plaintext
    /// byte into `buf` and handing each piece to `sink`. Returns the plaintext bytes.
    fn feed_recv(&mut self, data: &[u8], buf: &mut [u8], sink: &mut dyn FnMut(&[u8])) -> usize;
    fn handshaking(&self) -> bool;
    fn resumed(&self) -> bool;
    fn wants_write(&self) -> bool;
    /// One read from a transport into the engine (no processing).
    fn read_from(&mut self, rd: &mut dyn Read) -> io::Result<usize>;
    /// Processes what was read; returns whether the peer sent close_notify.
    fn process(&mut self) -> bool;
    /// One write of pending ciphertext to a transport.
    fn write_to(&mut self, w: &mut dyn Write) -> io::Result<usize>;
}

impl Endpoint for Connection {
    fn feed(&mut self, data: &[u8]) {
        self.read_tls(data).unwrap_or_else(|e| panic!("ours: {e}"));
    }

    fn drain_into(&mut self, out: &mut Vec<u8>) {
        while self.wants_write() {
            self.write_tls(out).expect("writing to a Vec");
        }
    }

    fn send_all(&mut self, data: &[u8]) {
        let n = self.send(data).unwrap_or_else(|e| panic!("ours: {e}"));
        assert_eq!(n, data.len());
    }

    fn feed_recv(&mut self, data: &[u8], buf: &mut [u8], sink: &mut dyn FnMut(&[u8])) -> usize {
        let mut rd = data;
        let mut total = 0;
        loop {
            while let Received::Data(n @ 1..) = self.recv(buf).unwrap_or_else(|e| panic!("ours: {e}")) {
                sink(&buf[..n]);
                total += n;
            }
            if rd.is_empty() {
                return total;
            }
            self.read_tls_from(&mut rd).expect("reading from a slice");
            self.process_new_packets().unwrap_or_else(|e| panic!("ours: {e}"));
        }
    }

    fn handshaking(&self) -> bool {
        !self.is_handshake_complete()
    }

    fn resumed(&self) -> bool {
        self.negotiated().resumed
    }

    fn wants_write(&self) -> bool {
        Connection::wants_write(self)
    }

    fn read_from(&mut self, rd: &mut dyn Read) -> io::Result<usize> {
        self.read_tls_from(rd)
    }

    fn process(&mut self) -> bool {
        self.process_new_packets().unwrap_or_else(|e| panic!("ours: {e}"));
        self.peer_closed()
    }

    fn write_to(&mut self, w: &mut dyn Write) -> io::Result<usize> {
        self.write_tls(w)
    }
}

macro_rules! rustls_endpoint {
    ($t:ty) => {
        impl Endpoint for $t {
            fn feed(&mut self, data: &[u8]) {
                let mut rd = data;
                while !rd.is_empty() {
                    if self.read_tls(&mut rd).expect("reading from a slice") == 0 {
                        break;
                    }
                    self.process_new_packets().unwrap_or_else(|e| panic!("rustls: {e}"));
                }
            }

            fn drain_into(&mut self, out: &mut Vec<u8>) {
                while self.wants_write() {
                    self.write_tls(out).expect("writing to a Vec");
                }
            }

            fn send_all(&mut self, data: &[u8]) {
                self.writer().write_all(data).expect("rustls writer");
            }

            fn feed_recv(&mut self, data: &[u8], buf: &mut [u8], sink: &mut dyn FnMut(&[u8])) -> usize {
                let mut rd = data;
                let mut total = 0;
                loop {
                    loop {
                        match self.reader().read(buf) {
                            Ok(0) => break,
                            Ok(n) => {
                                sink(&buf[..n]);
                                total += n;
                            }
                            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                            Err(e) => panic!("rustls reader: {e}"),
                        }
                    }
                    if rd.is_empty() {
                        return total;
                    }
                    self.read_tls(&mut rd).expect("reading from a slice");
                    self.process_new_packets().unwrap_or_else(|e| panic!("rustls: {e}"));
                }
            }

            fn handshaking(&self) -> bool {
                self.is_handshaking()
            }

            fn resumed(&self) -> bool {
                self.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
            }

            fn wants_write(&self) -> bool {
                (**self).wants_write()
            }

            fn read_from(&mut self, rd: &mut dyn Read) -> io::Result<usize> {
                self.read_tls(rd)
            }

            fn process(&mut self) -> bool {
                self.process_new_packets().unwrap_or_else(|e| panic!("rustls: {e}")).peer_has_closed()
            }

            fn write_to(&mut self, w: &mut dyn Write) -> io::Result<usize> {
                self.write_tls(w)
            }
        }
    };
}

rustls_endpoint!(rustls::ClientConnection);
rustls_endpoint!(rustls::ServerConnection);

/// A library under test: makes client and server endpoints.
pub trait Lib: Sync {
    type Client: Endpoint + Send;
    type Server: Endpoint + Send;
    fn client(&self) -> Self::Client;
    fn server(&self) -> Self::Server;
}

impl Lib for Ours {
    type Client = Connection;
    type Server = Connection;

    fn client(&self) -> Connection {
        Connection::client(self.client.clone(), Some(crate::pki::SERVER_NAME), None)
            .unwrap_or_else(|e| panic!("ours: {e}"))
    }

    fn server(&self) -> Connection {
        Connection::server(self.server.clone())
    }
}

impl Lib for Rustls {
    type Client = rustls::ClientConnection;
    type Server = rustls::ServerConnection;

    fn client(&self) -> rustls::ClientConnection {
        rustls::ClientConnection::new(self.client.clone(), self.name.clone()).unwrap_or_else(|e| panic!("rustls: {e}"))
    }

    fn server(&self) -> rustls::ServerConnection {
        rustls::ServerConnection::new(self.server.clone()).unwrap_or_else(|e| panic!("rustls: {e}"))
    }
}

/// Time spent inside each side's calls.
#[derive(Clone, Copy, Debug, Default)]
pub struct SideTimes {
    pub client: Duration,
    pub server: Duration,
}

fn timed<T>(acc: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    *acc += t.elapsed();
    r
}

/// A complete handshake in memory, the time inside each side's calls
/// (construction included) added to `t`. Both flights buffers are reused.
pub fn handshake<L: Lib>(lib: &L, t: &mut SideTimes, bufs: &mut (Vec<u8>, Vec<u8>)) -> (L::Client, L::Server) {
    let (to_server, to_client) = bufs;
    to_server.clear();
    to_client.clear();
    let mut c = timed(&mut t.client, || {
        let mut c = lib.client();
        c.drain_into(to_server);
        c
    });
    let mut s = timed(&mut t.server, || lib.server());
    let mut flights = 0;
    while !(to_server.is_empty() && to_client.is_empty()) {
        if !to_server.is_empty() {
            timed(&mut t.server, || {
                s.feed(to_server);
                s.drain_into(to_client);
            });
            to_server.clear();
        }
        if !to_client.is_empty() {
            timed(&mut t.client, || {
                c.feed(to_client);
                c.drain_into(to_server);
            });
            to_client.clear();
        }
        flights += 1;
        assert!(flights < 20, "handshake does not converge");
    }
    assert!(!c.handshaking() && !s.handshaking(), "handshake stalled");
    (c, s)
}

/// Drops both endpoints, each side's drop timed to that side.
pub fn drop_timed<C, S>(c: C, s: S, t: &mut SideTimes) {
    timed(&mut t.client, || drop(c));
    timed(&mut t.server, || drop(s));
}
