//! What `SslFile` needs from the transport it wraps.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

/// A nonblocking byte stream that can be registered with `mio`:
/// `mio::net::TcpStream` and `mio::net::UnixStream` implement it.
pub trait Stream: Read + Write + mio::event::Source + Send + 'static {
    /// The peer's address, if the transport has one.
    fn peer_address(&self) -> io::Result<SocketAddr> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "no socket address"))
    }

    /// Our address, if the transport has one.
    fn local_address(&self) -> io::Result<SocketAddr> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "no socket address"))
    }

    /// Turns Nagle's algorithm off or on, where that means something.
    fn set_nodelay(&self, _nodelay: bool) -> io::Result<()> {
        Ok(())
    }

    /// Shuts both directions of the transport down.
    fn shutdown_both(&self) -> io::Result<()>;
}

impl Stream for mio::net::TcpStream {
    fn peer_address(&self) -> io::Result<SocketAddr> {
        self.peer_addr()
    }

    fn local_address(&self) -> io::Result<SocketAddr> {
        self.local_addr()
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        mio::net::TcpStream::set_nodelay(self, nodelay)
    }

    fn shutdown_both(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Both)
    }
}

impl Stream for mio::net::UnixStream {
    fn shutdown_both(&self) -> io::Result<()> {
        self.shutdown(std::net::Shutdown::Both)
    }
}
