//! STARTTLS: a plaintext line protocol that switches to TLS on the same
//! connection, both ends in one process (a server thread and a client).
//!
//! ```text
//! cargo run -p examples --example starttls
//! ```
//!
//! The client sends `STARTTLS\r\n`; the server answers `OK\r\n`; from then
//! on both speak TLS on the same socket: the server wraps it in an
//! [`SslFile`] and calls `accept(pending)`, the client wraps its end and
//! calls `connect`. Then they exchange one line over TLS and close.
//!
//! The point is `pending`. The server reads the command line in chunks, and
//! a read returns whatever has arrived, so it may return bytes *past* the
//! command line. They are TLS bytes (the start of the ClientHello): they
//! must go to `accept(pending)`, or the handshake would miss them. The
//! example runs two clients:
//!
//! - a careful one, which waits for `OK` before starting TLS (the server has
//!   nothing past the command line);
//! - a pipelining one, which sends its ClientHello right behind the command
//!   without waiting, so both arrive in the same read. Its stream
//!   ([`Pipelined`]) adds the command to the first write and removes the
//!   server's `OK\r\n` in front of the server's TLS bytes, which shows that
//!   `SslFile` runs over any [`ssl_file::Stream`].

use crate::common::{self, Error, Trust};
use ssl_file::{CloseMode, Context, SslFile, Stream};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The command that starts TLS.
pub const COMMAND: &[u8] = b"STARTTLS\r\n";
/// The server's answer, after which it speaks TLS.
pub const ANSWER: &[u8] = b"OK\r\n";
/// How long anything may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened in one run.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// Whether the client pipelined its ClientHello behind the command.
    pub pipelined: bool,
    /// TLS bytes the server read together with the command line, and passed to `accept`.
    pub pending: usize,
    /// The line the server received over TLS.
    pub server_heard: String,
    /// The line the client received over TLS.
    pub client_heard: String,
    /// The negotiated version.
    pub version: String,
}

/// Reads one `\r\n`-terminated line over TLS (the peer sends nothing after
/// it until we answer, so reading in chunks takes nothing more).
fn read_line<S: Stream>(file: &SslFile<S>) -> Result<String, Error> {
    let mut line = Vec::new();
    let mut buf = [0u8; 256];
    while !line.ends_with(b"\r\n") {
        let n = (&*file).read(&mut buf)?;
        if n == 0 || line.len() > 4096 {
            return Err("no line from the peer".into());
        }
        line.extend_from_slice(&buf[..n]);
    }
    line.truncate(line.len() - 2);
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Hands a connected std socket over to an `SslFile` in blocking mode.
fn upgrade(sock: TcpStream, ctx: Arc<Context>) -> io::Result<SslFile> {
    sock.set_read_timeout(None)?;
    sock.set_nonblocking(true)?;
    let file = SslFile::new(mio::net::TcpStream::from_std(sock), ctx);
    file.set_blocking()?;
    file.set_timeout(Some(TIMEOUT));
    file.linger(Some(TIMEOUT));
    Ok(file)
}

/// Waits (at most [`TIMEOUT`]) for one connection.
fn accept_within(listener: &TcpListener) -> io::Result<TcpStream> {
    listener.set_nonblocking(true)?;
    let end = Instant::now() + TIMEOUT;
    loop {
        match listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false)?;
                return Ok(sock);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(e),
        }
    }
}

/// The server: one connection, one command, one line over TLS.
/// Returns (bytes passed to `accept`, the line received).
fn server(listener: TcpListener, ctx: Arc<Context>) -> Result<(usize, String), Error> {
    let mut sock = accept_within(&listener)?;
    sock.set_read_timeout(Some(TIMEOUT))?;
    // Plaintext: read until the command line is complete.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let line_end = loop {
        if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
            break i;
        }
        if buf.len() > 1024 {
            return Err("command line too long".into());
        }
        let n = sock.read(&mut chunk)?;
        if n == 0 {
            return Err("the client left before STARTTLS".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    // Whatever came after the command line is already TLS.
    let pending = buf.split_off(line_end + 2);
    if buf != COMMAND {
        sock.write_all(b"ERR unknown command\r\n")?;
        return Err(format!("unexpected command {:?}", String::from_utf8_lossy(&buf)).into());
    }
    sock.write_all(ANSWER)?;
    // Upgrade: the same socket, now in an SslFile; `accept` processes the
    // pending bytes first, then reads the rest of the handshake.
    let file = upgrade(sock, ctx)?;
    file.accept(&pending)?;
    let heard = read_line(&file)?;
    (&file).write_all(format!("WELCOME, you said {heard:?}\r\n").as_bytes())?;
    // A clean close: our close_notify, then wait for the client's.
    file.close(CloseMode::Clean)?;
    Ok((pending.len(), heard))
}

/// The TLS part of both clients: handshake, one line each way, close.
/// Returns (the server's line, the version).
fn talk<S: Stream>(file: SslFile<S>) -> Result<(String, String), Error> {
    file.set_blocking()?;
    file.set_timeout(Some(TIMEOUT));
    file.connect(Some("localhost"), None)?;
    (&file).write_all(b"HELLO over TLS\r\n")?;
    let reply = read_line(&file)?;
    // The server closes first: its close_notify reads as end of file.
    let mut rest = Vec::new();
    (&file).read_to_end(&mut rest)?;
    let version = file.version().map(|v| v.to_string()).unwrap_or_default();
    file.close(CloseMode::Normal)?;
    Ok((reply, version))
}

/// The careful client: waits for `OK` before it starts TLS.
fn careful_client(addr: SocketAddr, ctx: Arc<Context>) -> Result<(String, String), Error> {
    let mut sock = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    sock.set_read_timeout(Some(TIMEOUT))?;
    sock.write_all(COMMAND)?;
    // Read the answer one byte at a time: a byte past it would belong to TLS.
    let mut answer = Vec::new();
    while !answer.ends_with(b"\n") && answer.len() < 256 {
        let mut byte = [0u8; 1];
        if sock.read(&mut byte)? == 0 {
            return Err("the server closed the connection".into());
        }
        answer.push(byte[0]);
    }
    if answer != ANSWER {
        return Err(format!("the server refused STARTTLS: {:?}", String::from_utf8_lossy(&answer)).into());
    }
    talk(upgrade(sock, ctx)?)
}

/// The pipelining client's stream: the first write (the ClientHello) goes
/// out with the command in front of it, and reads first remove the
/// server's plaintext `OK\r\n`.
pub struct Pipelined {
    inner: mio::net::TcpStream,
    command_sent: bool,
    answer_seen: usize,
}

impl Pipelined {
    /// Wraps a connected, nonblocking stream on which nothing was sent yet.
    pub fn new(inner: mio::net::TcpStream) -> Pipelined {
        Pipelined { inner, command_sent: false, answer_seen: 0 }
    }
}

impl Read for Pipelined {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte at a time while in the answer, so no TLS byte goes with it.
        while self.answer_seen < ANSWER.len() {
            let mut byte = [0u8; 1];
            if self.inner.read(&mut byte)? == 0 {
                return Ok(0);
            }
            if byte[0] != ANSWER[self.answer_seen] {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "the server did not answer OK to STARTTLS"));
            }
            self.answer_seen += 1;
        }
        self.inner.read(buf)
    }
}

impl Write for Pipelined {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.command_sent {
            return self.inner.write(buf);
        }
        // One write, so the server gets the command and the ClientHello together.
        let mut first = COMMAND.to_vec();
        first.extend_from_slice(buf);
        let n = self.inner.write(&first)?;
        if n <= COMMAND.len() {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "the STARTTLS command did not go out in one piece"));
        }
        self.command_sent = true;
        Ok(n - COMMAND.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl mio::event::Source for Pipelined {
    fn register(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        self.inner.register(registry, token, interests)
    }

    fn reregister(&mut self, registry: &mio::Registry, token: mio::Token, interests: mio::Interest) -> io::Result<()> {
        self.inner.reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &mio::Registry) -> io::Result<()> {
        self.inner.deregister(registry)
    }
}

impl Stream for Pipelined {
    fn peer_address(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }

    fn local_address(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn shutdown_both(&self) -> io::Result<()> {
        self.inner.shutdown(std::net::Shutdown::Both)
    }
}

/// The pipelining client: command and ClientHello in one write.
fn pipelining_client(addr: SocketAddr, ctx: Arc<Context>) -> Result<(String, String), Error> {
    let stream = Pipelined::new(common::connect(addr, TIMEOUT)?);
    talk(SslFile::new(stream, ctx))
}

/// Runs a server thread and one client (pipelining or not) on 127.0.0.1.
pub fn run(pipelined: bool) -> Result<Transcript, Error> {
    let id = common::self_signed(&["localhost"])?;
    let server_ctx = common::server_context(&id)?;
    let client_ctx = common::client_context(&Trust::CaPem(id.cert_pem.into_bytes()))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || server(listener, server_ctx));
    let client = if pipelined { pipelining_client(addr, client_ctx) } else { careful_client(addr, client_ctx) };
    // The server gives up within its timeouts if the client failed.
    let served = server.join().map_err(|_| "the server thread panicked")?;
    let (client_heard, version) = client.map_err(|e| format!("client: {e}"))?;
    let (pending, server_heard) = served.map_err(|e| format!("server: {e}"))?;
    Ok(Transcript { pipelined, pending, server_heard, client_heard, version })
}

/// The example's `main`: both clients, one after the other.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> Result<(), Error> {
    common::CommandLine::parse(args, &[], &[])?;
    for pipelined in [false, true] {
        let t = run(pipelined)?;
        println!("{} client:", if t.pipelined { "pipelining" } else { "careful" });
        println!("  C: STARTTLS");
        println!("  S: OK");
        println!("  (server: {} bytes of TLS came with the command and went to accept())", t.pending);
        println!("  C: {}    [{}]", t.server_heard, t.version);
        println!("  S: {}", t.client_heard);
    }
    Ok(())
}
