//! Errors as `io::Error`: the kind tells the situation, the inner error is
//! the typed TLS error.

use ssl_core::Error;
use std::io;

/// Maps an engine error to an `io::Error` whose kind matches the situation:
/// `UnexpectedEof` for a close without close_notify, `ConnectionReset` for
/// a peer's fatal alert, `ConnectionAborted` for ours, `NotConnected`
/// after close. The `ssl_core::Error` is kept inside.
///
/// ```
/// use ssl_file::tls_to_io;
/// let e = tls_to_io(ssl_core::Error::Truncated);
/// assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof);
/// assert_eq!(e.get_ref().unwrap().downcast_ref::<ssl_core::Error>(), Some(&ssl_core::Error::Truncated));
/// ```
pub fn tls_to_io(e: Error) -> io::Error {
    let kind = match &e {
        Error::Truncated => io::ErrorKind::UnexpectedEof,
        Error::PeerAlert(_) => io::ErrorKind::ConnectionReset,
        Error::Closed => io::ErrorKind::NotConnected,
        Error::PeerClosed => io::ErrorKind::BrokenPipe,
        Error::Config(_) => io::ErrorKind::InvalidInput,
        other if other.alert().is_some() => io::ErrorKind::ConnectionAborted,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, e)
}

/// The TLS error inside an `io::Error`, if there is one.
pub fn tls_error(e: &io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

pub(crate) fn not_connected(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, what.to_string())
}

pub(crate) fn would_block() -> io::Error {
    io::Error::from(io::ErrorKind::WouldBlock)
}

pub(crate) fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "TLS operation timed out")
}

/// Copies an `io::Error` (kind, message and TLS cause).
pub(crate) fn clone_io(e: &io::Error) -> io::Error {
    match tls_error(e) {
        Some(t) => io::Error::new(e.kind(), t.clone()),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}
