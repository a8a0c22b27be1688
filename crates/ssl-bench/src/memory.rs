//! Heap use, counted by the counting global allocator (`alloc.rs`):
//! - idle connections: `n` client+server pairs handshaken and held; the
//!   growth of the heap divided by `n` plus the size of the connection
//!   object itself, then the servers are dropped to split it into client
//!   and server bytes. Optionally one 16 KiB record
//!   goes each way first (buffers that stay allocated after traffic);
//! - one handshake: the peak heap above the starting level while a client
//!   and a server (both in this thread) handshake, and the number of
//!   allocation calls that takes.
//!
//! Everything shared (contexts, configurations, the vectors that hold the
//! connections) is allocated before the starting level is read.

use crate::alloc;
use crate::engine::{Endpoint, Lib, SideTimes, handshake};

pub struct Idle {
    pub client: f64,
    pub server: f64,
}

fn exchange<C: Endpoint, S: Endpoint>(c: &mut C, s: &mut S, data: &[u8], wire: &mut Vec<u8>, buf: &mut [u8]) {
    c.send_all(data);
    wire.clear();
    c.drain_into(wire);
    assert_eq!(s.feed_recv(wire, buf, &mut |_| {}), data.len());
    s.send_all(data);
    wire.clear();
    s.drain_into(wire);
    assert_eq!(c.feed_recv(wire, buf, &mut |_| {}), data.len());
}

/// Bytes per idle client and per idle server, over `n` pairs.
pub fn idle<L: Lib>(lib: &L, n: usize, with_data: bool) -> Idle {
    let mut clients = Vec::with_capacity(n);
    let mut servers = Vec::with_capacity(n);
    let mut bufs = (Vec::with_capacity(64 * 1024), Vec::with_capacity(64 * 1024));
    let mut wire = Vec::with_capacity(64 * 1024);
    let mut user = vec![0u8; 64 * 1024];
    let data = vec![0x5au8; 16 * 1024];
    let mut t = SideTimes::default();
    let base = alloc::current();
    for _ in 0..n {
        let (mut c, mut s) = handshake(lib, &mut t, &mut bufs);
        if with_data {
            exchange(&mut c, &mut s, &data, &mut wire, &mut user);
        }
        assert!(!c.wants_write() && !s.wants_write(), "output left after the exchange");
        clients.push(c);
        servers.push(s);
    }
    let all = alloc::current();
    servers.clear();
    let only_clients = alloc::current();
    clients.clear();
    // The connection objects themselves live in preallocated vectors: add
    // their size, so the figure is everything a connection costs.
    Idle {
        client: only_clients.saturating_sub(base) as f64 / n as f64 + std::mem::size_of::<L::Client>() as f64,
        server: all.saturating_sub(only_clients) as f64 / n as f64 + std::mem::size_of::<L::Server>() as f64,
    }
}

pub struct Peak {
    pub peak_bytes: f64,
    pub allocs: f64,
}

/// Peak heap above the start during one client+server handshake, and allocation calls.
pub fn handshake_peak<L: Lib>(lib: &L) -> Peak {
    let mut bufs = (Vec::with_capacity(64 * 1024), Vec::with_capacity(64 * 1024));
    let mut t = SideTimes::default();
    let base = alloc::current();
    alloc::reset_peak();
    let a0 = alloc::allocs();
    let (c, s) = handshake(lib, &mut t, &mut bufs);
    drop((c, s));
    let allocs = alloc::allocs() - a0;
    Peak { peak_bytes: alloc::peak().saturating_sub(base) as f64, allocs: allocs as f64 }
}
