//! A nonblocking echo server: one event loop ([`Backend`]) serves every
//! connection through callbacks, Pike style.
//!
//! ```text
//! cargo run -p examples --example callback_echo_server -- [ADDR] [--count N | --once]
//! ```
//!
//! - [`SslPort::set_accept_callback`] is called once per connection whose
//!   handshake completed (handshakes run on the loop, so a silent client
//!   holds up nobody);
//! - the read callback gets all decrypted data that arrived, and echoes it;
//! - the write callback says the file took everything queued so far: the
//!   rest of the echo goes out then (a client that sends faster than it
//!   reads makes the echo wait, and above [`HIGH_WATER`] reading pauses);
//! - the close callback says the client closed (`None`) or failed; the
//!   server finishes its echo and closes in turn.
//!
//! Callbacks run on the thread that runs [`Backend::run`], one at a time,
//! never inside another call, so they may call any method of the file.
//! With `--count N` the server stops after N connections ended.

use crate::common::{self, Error};
use ssl_file::{Backend, CloseCallback, CloseMode, ReadCallback, SslFile, SslPort, WriteCallback};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Above this much data waiting to be echoed, stop reading from the
/// client until the echo caught up (below half of it).
pub const HIGH_WATER: usize = 256 * 1024;

/// What the server did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections that ended (cleanly or not) after their handshake.
    pub connections: usize,
    /// Connections that ended with an error.
    pub failed: usize,
    /// Incoming connections whose handshake failed.
    pub handshake_failures: usize,
    /// Bytes echoed.
    pub bytes: u64,
    /// How often reading was paused because the client did not read.
    pub pauses: usize,
}

/// What the callbacks of all connections share.
struct Server {
    backend: Backend,
    count: Option<usize>,
    stats: Mutex<Stats>,
}

impl Server {
    /// A connection ended: count it, and stop when enough did.
    fn ended(&self, failed: bool) {
        let mut s = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        s.connections += 1;
        s.failed += failed as usize;
        if self.count.is_some_and(|n| s.connections >= n) {
            self.backend.stop();
        }
    }
}

/// One connection's state.
#[derive(Default)]
struct Echo {
    /// Data read and not yet taken by the file.
    pending: Vec<u8>,
    /// Reading is paused (no read callback) until `pending` shrinks.
    paused: bool,
    /// The client closed: close once `pending` is out.
    peer_done: bool,
    /// We closed (or failed): nothing more to do.
    done: bool,
    /// While the client has closed and the echo is still going out, nothing
    /// else keeps the file: this handle does (the file keeps itself alive
    /// only while it waits for the client, or while our close finishes).
    hold: Option<SslFile>,
}

type Shared = (Arc<Mutex<Echo>>, Arc<Server>);
type Tcp = mio::net::TcpStream;

/// Sets the callbacks; without `reading`, no read callback: decrypted data
/// waits in the file, which stops reading the socket when its buffer is full.
fn install(f: &SslFile, sh: &Shared, reading: bool) -> io::Result<()> {
    let read: Option<ReadCallback<Tcp>> = reading.then(|| {
        let sh = sh.clone();
        Box::new(move |f: &SslFile, data: &[u8]| on_read(f, &sh, data)) as ReadCallback<Tcp>
    });
    let (s1, s2) = (sh.clone(), sh.clone());
    let write: WriteCallback<Tcp> = Box::new(move |f: &SslFile| on_write(f, &s1));
    let close: CloseCallback<Tcp> = Box::new(move |f: &SslFile, e: Option<&io::Error>| on_close(f, &s2, e));
    f.set_nonblocking(read, Some(write), Some(close))
}

fn lock(m: &Mutex<Echo>) -> std::sync::MutexGuard<'_, Echo> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn on_read(f: &SslFile, sh: &Shared, data: &[u8]) {
    let mut st = lock(&sh.0);
    st.pending.extend_from_slice(data);
    sh.1.stats.lock().unwrap_or_else(|p| p.into_inner()).bytes += data.len() as u64;
    flush(f, sh, &mut st);
    if !st.done && !st.paused && st.pending.len() > HIGH_WATER {
        st.paused = true;
        sh.1.stats.lock().unwrap_or_else(|p| p.into_inner()).pauses += 1;
        if install(f, sh, false).is_err() {
            fail(f, sh, &mut st);
        }
    }
}

fn on_write(f: &SslFile, sh: &Shared) {
    let mut st = lock(&sh.0);
    flush(f, sh, &mut st);
    if !st.done && st.paused && st.pending.len() < HIGH_WATER / 2 {
        st.paused = false;
        if install(f, sh, true).is_err() {
            fail(f, sh, &mut st);
        }
    }
}

fn on_close(f: &SslFile, sh: &Shared, err: Option<&io::Error>) {
    let mut st = lock(&sh.0);
    match err {
        // The client sent close_notify: finish the echo, then close.
        None => {
            st.peer_done = true;
            if !st.pending.is_empty() {
                st.hold = Some(f.clone());
            }
            flush(f, sh, &mut st);
        }
        Some(e) => {
            eprintln!("{}: connection failed: {e}", peer(f));
            fail(f, sh, &mut st);
        }
    }
}

/// Hands `pending` to the file as far as it takes it (a nonblocking write
/// takes up to 64 KiB while little is queued, else `WouldBlock`), and
/// closes once the client is done and everything was handed over.
fn flush(f: &SslFile, sh: &Shared, st: &mut Echo) {
    while !st.done && !st.pending.is_empty() {
        match (&*f).write(&st.pending) {
            Ok(n) => {
                st.pending.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => {
                eprintln!("{}: write failed: {e}", peer(f));
                fail(f, sh, st);
                return;
            }
        }
    }
    if st.peer_done && !st.done {
        st.done = true;
        // Our close_notify follows the queued data; the loop finishes the
        // close in the background.
        let failed = f.close(CloseMode::Normal).is_err();
        st.hold = None;
        sh.1.ended(failed);
    }
}

fn fail(f: &SslFile, sh: &Shared, st: &mut Echo) {
    if !st.done {
        st.done = true;
        st.pending.clear();
        let _ = f.close(CloseMode::Normal);
        st.hold = None;
        sh.1.ended(true);
    }
}

fn peer(f: &SslFile) -> String {
    f.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| "?".into())
}

/// Serves `port` on `backend` (the port must have been bound with it) until
/// `count` connections ended, or forever. Runs the loop on this thread.
pub fn serve(port: SslPort, backend: Backend, count: Option<usize>) -> Result<Stats, Error> {
    let server = Arc::new(Server { backend: backend.clone(), count, stats: Mutex::new(Stats::default()) });
    let s = server.clone();
    port.set_error_callback(move |_port, _peer, e| {
        eprintln!("incoming connection failed: {e}");
        s.stats.lock().unwrap_or_else(|p| p.into_inner()).handshake_failures += 1;
    });
    let s = server.clone();
    port.set_accept_callback(move |_port, f| {
        eprintln!("{}: {}", peer(&f), f.version().map(|v| v.to_string()).unwrap_or_default());
        let sh: Shared = (Arc::new(Mutex::new(Echo::default())), s.clone());
        if let Err(e) = install(&f, &sh, true) {
            eprintln!("{}: {e}", peer(&f));
            let _ = f.close(CloseMode::Normal);
            s.ended(true);
        }
    })?;
    // Everything happens in callbacks, on this thread, until stop().
    backend.run()?;
    // Stop listening, and give the closes in progress a moment to finish
    // (each file leaves the loop when its close is done).
    drop(port);
    let end = Instant::now() + Duration::from_secs(2);
    while backend.registered() > 0 && Instant::now() < end {
        backend.run_once(Some(Duration::from_millis(20)))?;
    }
    let stats = server.stats.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(stats)
}

/// The example's `main`.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> Result<(), Error> {
    let cl = common::CommandLine::parse(args, &["--count"], &["--once"])?;
    let text = cl.arg_or(0, "127.0.0.1:4433");
    let addr: SocketAddr = text.parse().map_err(|e| format!("{text}: {e}"))?;
    let id = common::self_signed(&["localhost", "127.0.0.1"])?;
    let backend = Backend::new()?;
    let port = SslPort::bind_with_backend(addr, common::server_context(&id)?, backend.clone())
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("listening on {}", port.local_addr()?);
    io::stdout().flush()?;
    let stats = serve(port, backend, cl.count()?)?;
    println!(
        "{} connections ({} failed, {} failed handshakes), {} bytes echoed",
        stats.connections, stats.failed, stats.handshake_failures, stats.bytes
    );
    Ok(())
}
