//! # ssl-file: a TLS stream that behaves like a file
//!
//! [`SslFile`] wraps a nonblocking stream (a `mio` TCP or Unix stream) and
//! an [`ssl_core::Connection`], and follows the design of Pike's `SSL.File`:
//! blocking calls, or nonblocking calls with read/write/close/accept/alert
//! callbacks run by a [`Backend`] event loop. [`SslPort`] listens and
//! accepts handshaken connections.
//!
//! The engine types a user needs are re-exported, so this is the one crate
//! to depend on.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod error;
pub mod file;
pub mod port;
pub mod stream;

pub use backend::{Backend, CallOutId, Readiness};
pub use error::{tls_error, tls_to_io};
pub use file::{
    AcceptCallback, AlertCallback, CloseCallback, CloseMode, Mode, OpenState, ReadCallback, SslFile, WeakSslFile,
    WriteCallback,
};
pub use port::{DEFAULT_HANDSHAKE_TIMEOUT, SslPort};
pub use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
pub use ssl_core::pki::{CertifiedKey, RootStore};
pub use ssl_core::{AuthLevel, Context, Error as TlsError, Session};
pub use stream::Stream;

/// The README's code, compiled as doc tests so it keeps up with the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
