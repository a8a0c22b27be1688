//! Bulk transfer in memory: a client and a server of one library in this
//! thread, no sockets. The client sends `total` bytes in 16 KiB writes, in
//! batches so memory stays bounded:
//! - send: for every 16 KiB write, `send()` then the pending ciphertext
//!   appended to the batch buffer (`write_tls` into a `Vec`); the timer
//!   covers all writes of the batch;
//! - receive: the server pulls the batch through its read loop from a byte
//!   slice (`read_tls`/`read_tls_from` + `process_new_packets` + `recv`/
//!   `reader().read()` into a 64 KiB user buffer); the timer covers the batch.
//!
//! The batch is 1 MiB by default (`--batch-kib`): the ciphertext stays in
//! cache, as it does between a TLS stack and a socket. With 64 MiB batches
//! both libraries mostly measure DRAM bandwidth (about half the figures on
//! this machine). The batch buffer is allocated and touched once, outside
//! every timer, and reused by both libraries.

use crate::engine::{Endpoint, Lib, SideTimes, handshake};
use std::hint::black_box;
use std::time::{Duration, Instant};

pub const WRITE: usize = 16 * 1024;
const USER_BUF: usize = 64 * 1024;

/// A reusable ciphertext buffer for one batch.
pub struct Batch {
    buf: Vec<u8>,
    pub bytes: usize,
}

impl Batch {
    pub fn new(bytes: usize) -> Batch {
        let bytes = bytes.max(WRITE) / WRITE * WRITE;
        // Room for the record overhead; touched now so no timer pays for page faults.
        let cap = bytes + bytes / WRITE * 64 + 4096;
        let mut buf = vec![1u8; cap];
        buf.clear();
        Batch { buf, bytes }
    }
}

/// The results of one round.
pub struct BulkRound {
    pub send_mib_s: f64,
    pub recv_mib_s: f64,
    /// Ciphertext bytes per full record (checks both libraries frame alike).
    pub record_wire: usize,
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 + i / 251) as u8).collect()
}

/// Sends and checks a few records untimed: the data arrives intact.
fn verify<C: Endpoint, S: Endpoint>(c: &mut C, s: &mut S, wire: &mut Vec<u8>) {
    let data = pattern(3 * WRITE + 123);
    c.send_all(&data);
    wire.clear();
    c.drain_into(wire);
    let mut got = Vec::new();
    let mut buf = vec![0u8; 1000];
    s.feed_recv(wire, &mut buf, &mut |d| got.extend_from_slice(d));
    assert!(got == data, "bulk data arrived corrupted");
}

/// One round: a fresh connection, `total` bytes client → server.
pub fn round<L: Lib>(lib: &L, total: usize, batch: &mut Batch) -> BulkRound {
    let mut t = SideTimes::default();
    let mut bufs = (Vec::new(), Vec::new());
    let (mut c, mut s) = handshake(lib, &mut t, &mut bufs);
    verify(&mut c, &mut s, &mut batch.buf);
    let chunk = pattern(WRITE);
    let mut user = vec![0u8; USER_BUF];
    let (mut send, mut recv) = (Duration::ZERO, Duration::ZERO);
    let total = total.max(WRITE) / WRITE * WRITE;
    let mut done = 0;
    let mut record_wire = 0;
    while done < total {
        let n = batch.bytes.min(total - done);
        let writes = n / WRITE;
        batch.buf.clear();
        let t0 = Instant::now();
        for _ in 0..writes {
            c.send_all(black_box(&chunk));
            c.drain_into(&mut batch.buf);
        }
        send += t0.elapsed();
        record_wire = batch.buf.len() / writes;
        assert_eq!(batch.buf.len() % writes, 0, "records of different sizes");
        let t0 = Instant::now();
        let got = s.feed_recv(&batch.buf, &mut user, &mut |d| {
            black_box(d);
        });
        recv += t0.elapsed();
        assert_eq!(got, n, "the receiver got a different amount");
        done += n;
    }
    let mib = total as f64 / (1024.0 * 1024.0);
    BulkRound { send_mib_s: mib / send.as_secs_f64(), recv_mib_s: mib / recv.as_secs_f64(), record_wire }
}
