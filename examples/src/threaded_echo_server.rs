//! A threaded echo server: [`SslPort`] with blocking `accept()` in a loop
//! and a thread per connection, each a plain blocking read/write loop.
//!
//! ```text
//! cargo run -p examples --example threaded_echo_server -- [ADDR] [--count N | --once]
//! ```
//!
//! It listens on ADDR (default 127.0.0.1:4433) with a fresh self-signed
//! certificate for `localhost` and `127.0.0.1`, prints the address, and
//! echoes whatever each client sends until the client closes. With
//! `--count N` it exits after serving N connections. Try it with
//! `ssl client 127.0.0.1:4433 --insecure` or `openssl s_client`.
//!
//! `SslPort::accept` runs the handshake on the accepting thread, so one
//! client that connects and stays silent holds up the next accept; a server
//! facing untrusted clients would rather use the nonblocking accept callback
//! (see [`crate::callback_echo_server`]).

use crate::common::{self, Error};
use ssl_file::{CloseMode, SslFile, SslPort};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a connection may stay silent before the server gives up on it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Echoes one connection until the client closes; returns the byte count.
fn echo(file: SslFile) -> io::Result<u64> {
    // The port hands out handshaken files in blocking mode.
    file.set_timeout(Some(IDLE_TIMEOUT));
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        // 0 means the client sent close_notify: it has nothing more to say.
        let n = (&file).read(&mut buf)?;
        if n == 0 {
            break;
        }
        (&file).write_all(&buf[..n])?;
        total += n as u64;
    }
    // Our close_notify goes out after everything we wrote.
    file.close(CloseMode::Normal)?;
    Ok(total)
}

/// Accepts connections on `port` and echoes each in its own thread; with
/// `count`, returns after that many connections were served (failed
/// handshakes are logged and not counted). Returns the bytes echoed per
/// connection, in the order the connections were accepted.
pub fn serve(port: &SslPort, count: Option<usize>) -> Result<Vec<u64>, Error> {
    let mut workers: Vec<JoinHandle<io::Result<u64>>> = Vec::new();
    while count.is_none_or(|n| workers.len() < n) {
        match port.accept() {
            Ok(file) => {
                let peer = file.peer_addr().map(|a| a.to_string()).unwrap_or_else(|_| "?".into());
                eprintln!("{peer}: {} {}", opt(file.version()), opt(file.cipher_suite()));
                workers.push(std::thread::spawn(move || echo(file)));
            }
            // A client that failed the handshake (or a socket error): log it, go on.
            Err(e) => eprintln!("incoming connection failed: {e}"),
        }
        // Forget the threads that are done (when serving forever).
        if count.is_none() {
            workers.retain(|w| !w.is_finished());
        }
    }
    let mut totals = Vec::new();
    for w in workers {
        match w.join() {
            Ok(Ok(n)) => totals.push(n),
            Ok(Err(e)) => {
                eprintln!("connection failed: {e}");
                totals.push(0);
            }
            Err(_) => return Err("a connection thread panicked".into()),
        }
    }
    Ok(totals)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
}

/// The example's `main`.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> Result<(), Error> {
    let cl = common::CommandLine::parse(args, &["--count"], &["--once"])?;
    let addr: SocketAddr =
        cl.arg_or(0, "127.0.0.1:4433").parse().map_err(|e| format!("{}: {e}", cl.arg_or(0, "127.0.0.1:4433")))?;
    let count = cl.count()?;
    let id = common::self_signed(&["localhost", "127.0.0.1"])?;
    let port =
        SslPort::bind(addr, common::server_context(&id)?).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    println!("listening on {}", port.local_addr()?);
    let totals = serve(&port, count)?;
    println!("served {} connections, {} bytes echoed", totals.len(), totals.iter().sum::<u64>());
    Ok(())
}
