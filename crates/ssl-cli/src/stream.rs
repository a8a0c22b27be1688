//! A small blocking adapter between a `TcpStream` and the sans-IO
//! `ssl_core::Connection`: socket bytes go to the engine, the engine's
//! output goes to the socket, and decrypted data comes out of `read`.

use ssl_core::{Connection, Error, Received};
use std::fmt;
use std::io::{self, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// What went wrong on a TLS stream.
#[derive(Debug)]
pub enum StreamError {
    /// The TLS engine failed (the alert, if any, has been sent).
    Tls(Error),
    /// The socket failed.
    Io(io::Error),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Tls(e) => write!(f, "{e}"),
            StreamError::Io(e) if is_timeout(e) => f.write_str("timed out"),
            StreamError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> Self {
        StreamError::Io(e)
    }
}

/// Whether an I/O error is a read or write timeout.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// Writes everything the connection has queued to `sock`.
pub fn flush_to(conn: &mut Connection, mut sock: &TcpStream) -> io::Result<()> {
    while conn.wants_write() {
        match conn.write_tls(&mut sock) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "socket accepted no data")),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    sock.flush()
}

/// A connection and its socket.
pub struct TlsStream {
    /// The engine.
    pub conn: Connection,
    /// The transport.
    pub sock: TcpStream,
}

impl TlsStream {
    /// Pairs an engine with a connected socket.
    pub fn new(conn: Connection, sock: TcpStream) -> TlsStream {
        TlsStream { conn, sock }
    }

    /// Sends everything the engine has queued.
    pub fn flush(&mut self) -> io::Result<()> {
        flush_to(&mut self.conn, &self.sock)
    }

    /// Reads once from the socket into the engine and processes it.
    /// Returns `Ok(false)` at a transport EOF that follows the peer's
    /// close_notify; an EOF without one is an error (truncation).
    fn read_once(&mut self) -> Result<bool, StreamError> {
        let n = loop {
            match self.conn.read_tls_from(&mut self.sock) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StreamError::Io(e)),
            }
        };
        if n == 0 {
            return match self.conn.transport_eof() {
                Ok(()) => Ok(false),
                Err(e) => Err(StreamError::Tls(e)),
            };
        }
        if let Err(e) = self.conn.process_new_packets() {
            // The engine queued the alert that reports the error: send it.
            let _ = self.flush();
            return Err(StreamError::Tls(e));
        }
        Ok(true)
    }

    /// Drives the handshake to completion.
    pub fn handshake(&mut self) -> Result<(), StreamError> {
        loop {
            self.flush()?;
            if self.conn.is_handshake_complete() {
                return Ok(());
            }
            self.read_once()?;
        }
    }

    /// Blocks until application data arrives; `Ok(0)` when the peer closed
    /// cleanly (close_notify).
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.conn.recv(buf) {
                Ok(Received::Data(n)) if n > 0 => return Ok(n),
                Ok(Received::Eof) => return Ok(0),
                Ok(Received::Data(_)) | Ok(Received::WouldBlock) => {}
                Err(e) => return Err(StreamError::Tls(e)),
            }
            // Post-handshake messages (KeyUpdate) may need an answer.
            self.flush()?;
            if !self.read_once()? {
                return Ok(0);
            }
        }
    }

    /// Sends all of `data`.
    pub fn write_all(&mut self, data: &[u8]) -> Result<(), StreamError> {
        self.conn.send(data).map_err(StreamError::Tls)?;
        self.flush()?;
        Ok(())
    }

    /// Sends close_notify, then waits up to `linger` for the peer's
    /// close_notify or EOF (so that closing the socket with unread input
    /// does not reset the connection before the peer read our data).
    pub fn close(&mut self, linger: Duration) {
        self.conn.close_notify();
        if self.flush().is_err() {
            return;
        }
        let _ = self.sock.shutdown(Shutdown::Write);
        let end = Instant::now() + linger;
        let mut scratch = [0u8; 4096];
        while !self.conn.peer_closed() {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() || self.sock.set_read_timeout(Some(left)).is_err() {
                break;
            }
            match self.read_once() {
                Ok(true) => {
                    while let Ok(Received::Data(n)) = self.conn.recv(&mut scratch) {
                        if n == 0 {
                            break;
                        }
                    }
                }
                Ok(false) | Err(_) => break,
            }
        }
        let _ = self.sock.shutdown(Shutdown::Both);
    }
}
