//! # ssl-file: a TLS stream that behaves like a file
//!
//! [`SslFile`] wraps a nonblocking stream (a `mio` TCP or Unix stream) and
//! an [`ssl_core::Connection`], and follows the design of Pike's `SSL.File`:
//! blocking calls, or nonblocking calls with read/write/close/accept/alert
//! callbacks run by a [`Backend`] event loop. [`SslPort`] listens and
//! accepts handshaken connections.
//!
//! The engine types most users need ([`Context`], [`Session`], [`TlsError`],
//! [`RootStore`], [`CertifiedKey`], [`AuthLevel`], versions, suites, groups)
//! are re-exported here. A few engine items are not (the key log types of
//! `ssl_core::keylog`, `ssl_core::Connection` itself): for those, depend on
//! `ssl-core` too.
//!
//! ## Quick example: a blocking HTTPS client
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use std::time::Duration;
//! use ssl_file::{CloseMode, Context, SslFile};
//! # fn main() -> std::io::Result<()> {
//! let mut ctx = Context::new();
//! ctx.trusted_issuers.add_pem(&std::fs::read("ca.pem")?).map_err(ssl_file::tls_to_io)?;
//!
//! let tcp = std::net::TcpStream::connect("example.com:443")?;
//! tcp.set_nonblocking(true)?; // SslFile does its own waiting
//! let file = SslFile::new(mio::net::TcpStream::from_std(tcp), Arc::new(ctx));
//! file.set_blocking()?; // files start in nonblocking mode
//! file.set_timeout(Some(Duration::from_secs(10)));
//! file.connect(Some("example.com"), None)?; // SNI, and the name the certificate must match
//!
//! (&file).write_all(b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")?;
//! let mut response = Vec::new();
//! (&file).read_to_end(&mut response)?; // Ok at close_notify; UnexpectedEof if cut short
//! println!("{} {}", file.version().unwrap(), file.cipher_suite().unwrap());
//! file.close(CloseMode::Normal)?;
//! # Ok(()) }
//! ```
//!
//! ## The main types
//!
//! | type | what it is |
//! |---|---|
//! | [`SslFile`] | the stream: `connect`/`accept`, `Read`/`Write` (on `SslFile` and `&SslFile`), `close`, `shutdown`, callbacks, queries; a cheap handle (clones share the connection) |
//! | [`Backend`] | an event loop on `mio::Poll` with call-outs; [`Backend::main`] is the process-wide default |
//! | [`SslPort`] | a listener whose `accept` returns files whose handshake has completed |
//! | [`CloseMode`], [`OpenState`], [`Mode`] | how to close, what [`SslFile::is_open`] says, blocking or not |
//! | [`ReadCallback`], [`WriteCallback`], [`CloseCallback`], [`AcceptCallback`], [`AlertCallback`] | the callback types |
//! | [`tls_error`], [`tls_to_io`] | errors are `io::Error`s whose kind tells the situation, with the [`TlsError`] inside |
//! | [`Stream`] | what a wrapped transport must provide (implemented for mio's TCP and Unix streams) |
//!
//! ## Blocking or nonblocking
//!
//! A new file is in **nonblocking** mode on [`Backend::main`], with no
//! callbacks. Used like that it behaves like a nonblocking socket: calls
//! return `WouldBlock` when nothing is ready, and each call moves whatever
//! I/O is ready without waiting (a thread that runs the backend moves it
//! too; `Backend::run_once` waits for it).
//! [`SslFile::set_blocking`] switches to **blocking** mode: calls wait (on
//! a private poll of the file) until done, or until [`SslFile::set_timeout`]
//! expires. With **callbacks** (read, write, close, accept, alert), the
//! callbacks run as call-outs on the file's backend — so only while some
//! thread runs it ([`Backend::run`] or [`Backend::run_once`]) — one at a
//! time, never inside another call: see `docs/event-model.md`.
//!
//! ## A nonblocking server and client with callbacks
//!
//! Both ends on one [`Backend`] that this thread rotates (a real server
//! would run [`Backend::run`] on a thread of its own):
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::Write;
//! use std::sync::{Arc, Mutex};
//! use std::time::{Duration, Instant};
//! use ssl_file::{Backend, CloseMode, Context, SslFile};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! # let (cert_pem, key_pem, ca_pem) = (cert.pem(), key.serialize_pem(), cert.pem());
//! let mut server_ctx = Context::new();
//! server_ctx.add_cert_pem(cert_pem.as_bytes(), key_pem.as_bytes()).map_err(ssl_file::tls_to_io)?;
//! let mut client_ctx = Context::new();
//! client_ctx.trusted_issuers.add_pem(ca_pem.as_bytes()).map_err(ssl_file::tls_to_io)?;
//!
//! let backend = Backend::new()?;
//! let (a, b) = mio::net::UnixStream::pair()?;
//! let server = SslFile::with_backend(b, Arc::new(server_ctx), backend.clone());
//! let client = SslFile::with_backend(a, Arc::new(client_ctx), backend.clone());
//!
//! // The server echoes what it reads, and closes when the client has closed.
//! server.set_read_callback(|f, data| {
//!     let mut w = f;
//!     let _ = w.write_all(data); // small data: a nonblocking write takes it all
//! });
//! server.set_close_callback(|f, error| {
//!     assert!(error.is_none(), "the client closed cleanly");
//!     let _ = f.close(CloseMode::Normal);
//! });
//! server.accept(&[])?;
//!
//! // The client writes once the handshake is done, and closes after the echo.
//! let echoed = Arc::new(Mutex::new(Vec::new()));
//! let got = echoed.clone();
//! client.set_accept_callback(|f| {
//!     let mut w = f;
//!     let _ = w.write_all(b"hello");
//! });
//! client.set_read_callback(move |f, data| {
//!     got.lock().unwrap().extend_from_slice(data);
//!     let _ = f.close(CloseMode::Normal);
//! });
//! client.connect(Some("localhost"), None)?;
//!
//! let start = Instant::now();
//! while echoed.lock().unwrap().len() < 5 && start.elapsed() < Duration::from_secs(10) {
//!     backend.run_once(Some(Duration::from_millis(50)))?; // the callbacks run in here
//! }
//! assert_eq!(&echoed.lock().unwrap()[..], b"hello");
//! # Ok(()) }
//! ```
//!
//! ## Accepting connections: `SslPort`
//!
//! [`SslPort::accept`] blocks until a connection has completed its
//! handshake (handshakes run concurrently, so a silent client holds up
//! nobody, and each has a time limit); a failed handshake is returned as
//! the error. [`SslPort::set_accept_callback`] is the nonblocking form.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use std::time::Duration;
//! use ssl_file::{CloseMode, Context, SslFile, SslPort};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! # let (cert_pem, key_pem, ca_pem) = (cert.pem(), key.serialize_pem(), cert.pem());
//! let mut server_ctx = Context::new();
//! server_ctx.add_cert_pem(cert_pem.as_bytes(), key_pem.as_bytes()).map_err(ssl_file::tls_to_io)?;
//! let port = SslPort::bind("127.0.0.1:0".parse().unwrap(), Arc::new(server_ctx))?;
//! let addr = port.local_addr()?;
//!
//! let server = std::thread::spawn(move || -> std::io::Result<()> {
//!     let file = port.accept()?; // handshaken, in blocking mode
//!     file.set_timeout(Some(Duration::from_secs(10)));
//!     (&file).write_all(b"welcome")?;
//!     file.close(CloseMode::Normal)
//! });
//!
//! let mut ctx = Context::new();
//! ctx.trusted_issuers.add_pem(ca_pem.as_bytes()).map_err(ssl_file::tls_to_io)?;
//! let file = SslFile::new(mio::net::TcpStream::connect(addr)?, Arc::new(ctx));
//! file.set_blocking()?;
//! file.set_timeout(Some(Duration::from_secs(10)));
//! file.connect(Some("localhost"), None)?;
//! let mut got = Vec::new();
//! (&file).read_to_end(&mut got)?;
//! assert_eq!(got, b"welcome");
//! server.join().unwrap()?;
//! # Ok(()) }
//! ```
//!
//! ## Resuming a session
//!
//! [`SslFile::session`] is the session to resume later (in TLS 1.3 it is
//! available once a ticket arrived after the handshake);
//! [`Session::to_bytes`] / [`Session::from_bytes`] store it, and
//! [`SslFile::connect`] offers it again:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use ssl_file::{Context, Session, SslFile};
//! # fn tcp() -> std::io::Result<mio::net::TcpStream> { mio::net::TcpStream::connect("127.0.0.1:4433".parse().unwrap()) }
//! # fn main() -> std::io::Result<()> {
//! # let ctx = Arc::new(Context::new());
//! let file = SslFile::new(tcp()?, ctx.clone());
//! file.set_blocking()?;
//! file.connect(Some("localhost"), None)?;
//! // ... use the connection; read at least once, so a TLS 1.3 ticket is seen ...
//! if let Some(session) = file.session() {
//!     std::fs::write("session.bin", session.to_bytes())?;
//! }
//!
//! let saved = Session::from_bytes(&std::fs::read("session.bin")?).map_err(ssl_file::tls_to_io)?;
//! let again = SslFile::new(tcp()?, ctx);
//! again.set_blocking()?;
//! again.connect(Some("localhost"), Some(saved))?;
//! let resumed = again.with_connection(|c| c.is_some_and(|c| c.negotiated().resumed));
//! # let _ = resumed;
//! # Ok(()) }
//! ```
//!
//! ## Errors
//!
//! Every error is an `io::Error`. Its kind tells the situation —
//! `WouldBlock` (nonblocking, nothing ready), `UnexpectedEof` (the peer
//! closed without close_notify: possible truncation), `ConnectionReset` (the
//! peer sent a fatal alert), `ConnectionAborted` (we sent one: e.g. its
//! certificate was refused), `NotConnected` (after `close`, or before
//! `connect`/`accept`), `TimedOut` (blocking timeout) — and [`tls_error`]
//! returns the [`TlsError`] inside, when there is one. A clean close
//! (close_notify) reads as end of file (`Ok(0)`).
//!
//! ## Guides
//!
//! Longer guides are in the repository's `docs/` directory (plain paths,
//! relative to the repository root): `docs/README.md` (the index),
//! `docs/event-model.md` (backends, callbacks, threads, back-pressure),
//! `docs/from-pike.md` (every `SSL.File` and `SSL.Context` name and where it
//! went), `docs/from-rustls.md`, `docs/from-openssl.md`, and
//! `docs/security.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod backend;
pub mod buffer;
pub mod error;
pub mod file;
pub mod port;
pub mod stream;

pub use backend::{Backend, CallOutId, Readiness};
pub use buffer::SharedBuffer;
pub use error::{tls_error, tls_to_io};
pub use file::{
    AcceptCallback, AlertCallback, BufferCallback, CloseCallback, CloseMode, Mode, OpenState, ReadCallback, SslFile,
    WeakSslFile, WriteCallback,
};
pub use port::{DEFAULT_HANDSHAKE_TIMEOUT, SslPort};
pub use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
pub use ssl_core::pki::{CertifiedKey, RootStore};
pub use ssl_core::{AuthLevel, Connection, Context, Error as TlsError, Session, keylog};
pub use stream::Stream;

/// The README's code, compiled as doc tests so it keeps up with the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The code of the guides in `docs/`, compiled as doc tests so it keeps up with the API.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/event-model.md")]
struct EventModelDoctests;

/// See [`EventModelDoctests`].
#[cfg(doctest)]
#[doc = include_str!("../../../docs/from-pike.md")]
struct FromPikeDoctests;

/// See [`EventModelDoctests`].
#[cfg(doctest)]
#[doc = include_str!("../../../docs/from-rustls.md")]
struct FromRustlsDoctests;

/// See [`EventModelDoctests`].
#[cfg(doctest)]
#[doc = include_str!("../../../docs/from-openssl.md")]
struct FromOpensslDoctests;
