//! # ssl-core: the sans-IO TLS engine of sslfile
//!
//! ssl-core speaks TLS 1.3 and TLS 1.2 without doing any I/O of its own. A
//! [`Connection`] is fed the bytes that arrived from the peer and hands back
//! decrypted application data; it is given application data and hands back
//! the bytes to send. Sockets, threads and event loops belong to the caller
//! (the `ssl-file` crate wraps this engine in a file-like stream with an
//! event loop). Even the clock and the random generator come from the
//! [`Context`], so tests can replace them.
//!
//! ## Quick example: a client and a server in memory
//!
//! ```
//! # fn main() -> Result<(), ssl_core::Error> {
//! use std::sync::Arc;
//! use ssl_core::{Connection, Context, Received};
//!
//! // A self-signed certificate for "localhost" (any PEM chain and key will do).
//! let key = rcgen::KeyPair::generate().unwrap();
//! let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//!
//! let mut server_ctx = Context::new();
//! server_ctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes())?;
//! let mut client_ctx = Context::new();
//! client_ctx.trusted_issuers.add(cert.der())?; // what the client trusts
//!
//! let mut client = Connection::client(Arc::new(client_ctx), Some("localhost"), None)?;
//! let mut server = Connection::server(Arc::new(server_ctx));
//! client.send(b"ping")?; // held until the handshake is done, then sent
//!
//! // The "network": move bytes from one side to the other until both are done.
//! while !(client.is_handshake_complete() && server.is_handshake_complete()) {
//!     server.read_tls(&client.take_tls())?;
//!     client.read_tls(&server.take_tls())?;
//! }
//! server.read_tls(&client.take_tls())?;
//! let mut buf = [0u8; 16];
//! assert_eq!(server.recv(&mut buf)?, Received::Data(4));
//! assert_eq!(&buf[..4], b"ping");
//! assert_eq!(client.version(), Some(ssl_core::constants::ProtocolVersion::TLS1_3));
//! # Ok(()) }
//! ```
//!
//! ## The main types
//!
//! | type | what it is |
//! |---|---|
//! | [`Context`] | the policy many connections share (in an `Arc`): versions, suites, groups, certificates, trust anchors, [`AuthLevel`]s, ALPN, session cache, ticket keys, key log, clock, random generator |
//! | [`Connection`] | one TLS connection, client or server: `read_tls`/`read_tls_from` in, `take_tls`/`write_tls` out, `send`/`recv` for application data |
//! | [`Session`] | what resumption needs; [`Session::to_bytes`] / [`Session::from_bytes`] save and restore it |
//! | [`Error`] | every failure, each knowing the alert it sends ([`Error::alert`]); [`CertificateError`] says why a certificate was refused |
//! | [`constants`] | IANA numbers with their names: [`constants::ProtocolVersion`], [`constants::CipherSuite`], [`constants::NamedGroup`], [`constants::SignatureScheme`], … |
//! | [`pki`] | [`pki::RootStore`] (trust anchors), [`pki::CertifiedKey`] (a chain and its key), [`pki::CertStore`] (certificates chosen by SNI) |
//! | [`keylog`] | [`keylog::KeyLog`], [`keylog::KeyLogFile`]: secrets in the SSLKEYLOGFILE format, for Wireshark |
//! | [`context::ContextHooks`], [`trace::Trace`] | choosing another context by SNI/ALPN; watching every handshake message and alert |
//!
//! The defaults of [`Context::new`] are secure: TLS 1.2 and 1.3, AEAD suites
//! with ECDHE or FFDHE (≥ 2048 bits), the extended master secret required,
//! renegotiation off, and a client verifies the server's certificate (and
//! refuses it while `trusted_issuers` is empty).
//!
//! ## Setting up a context
//!
//! A client needs trust anchors; a server needs a certificate chain and its
//! private key. Everything else has a default.
//!
//! ```
//! # fn main() -> Result<(), ssl_core::Error> {
//! use std::sync::Arc;
//! use ssl_core::{AuthLevel, Context};
//! use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! # let (ca_pem, chain_pem, key_pem) = (cert.pem(), cert.pem(), key.serialize_pem());
//!
//! // A client: trust these CAs, offer h2 then http/1.1, TLS 1.3 only.
//! let mut client = Context::new();
//! let anchors = client.trusted_issuers.add_pem(ca_pem.as_bytes())?;
//! assert_eq!(anchors, 1);
//! client.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
//! client.set_versions(ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_3);
//! let client = Arc::new(client);
//!
//! // A server: a certificate chain and key (add more; one is picked by SNI),
//! // client certificates required, a narrower list of suites and groups.
//! let mut server = Context::new();
//! server.add_cert_pem(chain_pem.as_bytes(), key_pem.as_bytes())?;
//! server.trusted_issuers.add_pem(ca_pem.as_bytes())?; // for the client certificates
//! server.client_auth = AuthLevel::Require;
//! server.preferred_suites = vec![CipherSuite::TLS_AES_256_GCM_SHA384, CipherSuite::TLS_AES_128_GCM_SHA256];
//! server.groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
//! server.advertised_protocols = vec![b"http/1.1".to_vec()];
//! let server = Arc::new(server);
//! # let _ = (client, server);
//! # Ok(()) }
//! ```
//!
//! ## Saving a session and resuming it
//!
//! A client keeps the latest resumable session in [`Connection::session`]
//! (in TLS 1.3 the tickets arrive after the handshake, so read them first).
//! Serialized, it can be stored anywhere — it holds a secret, so store it
//! like a key — and offered again to [`Connection::client`].
//!
//! ```
//! # fn main() -> Result<(), ssl_core::Error> {
//! use std::sync::Arc;
//! use ssl_core::{Connection, Context, Session};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! # let mut server_ctx = Context::new();
//! # server_ctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes())?;
//! # let mut client_ctx = Context::new();
//! # client_ctx.trusted_issuers.add(cert.der())?;
//! // Moves bytes both ways a few times (enough for a handshake and the tickets).
//! fn pump(a: &mut Connection, b: &mut Connection) -> Result<(), ssl_core::Error> {
//!     for _ in 0..4 {
//!         b.read_tls(&a.take_tls())?;
//!         a.read_tls(&b.take_tls())?;
//!     }
//!     Ok(())
//! }
//! client_ctx.use_cache = false; // no automatic cache: we hand the session over ourselves
//! let (client_ctx, server_ctx) = (Arc::new(client_ctx), Arc::new(server_ctx));
//!
//! let mut client = Connection::client(client_ctx.clone(), Some("localhost"), None)?;
//! let mut server = Connection::server(server_ctx.clone());
//! pump(&mut client, &mut server)?;
//! let saved: Vec<u8> = client.session().expect("a ticket arrived").to_bytes();
//!
//! // Later, perhaps in another process:
//! let session = Session::from_bytes(&saved)?;
//! let mut client = Connection::client(client_ctx, Some("localhost"), Some(session))?;
//! let mut server = Connection::server(server_ctx);
//! pump(&mut client, &mut server)?;
//! assert!(client.negotiated().resumed && server.negotiated().resumed);
//! # Ok(()) }
//! ```
//!
//! With [`Context::use_cache`] on (the default) a client also keeps its
//! sessions in [`Context::session_cache`] under the server name and offers
//! them by itself on the next connection to that name.
//!
//! ## Key log (Wireshark)
//!
//! [`Context::key_log`] receives every secret in the NSS key log format:
//! [`keylog::KeyLogFile`] appends them to a file (for example the one named
//! by `SSLKEYLOGFILE`, see [`keylog::KeyLogFile::from_env`]);
//! [`keylog::KeyLogMemory`] keeps them in memory.
//!
//! ```
//! # fn main() -> Result<(), ssl_core::Error> {
//! use std::sync::Arc;
//! use ssl_core::{Connection, Context};
//! use ssl_core::keylog::KeyLogMemory;
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! # let mut server_ctx = Context::new();
//! # server_ctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes())?;
//! let log = Arc::new(KeyLogMemory::default());
//! let mut client_ctx = Context::new();
//! # client_ctx.trusted_issuers.add(cert.der())?;
//! client_ctx.key_log = Some(log.clone());
//! // In a real program: ssl_core::keylog::KeyLogFile::from_env().map(|f| Arc::new(f) as _)
//!
//! let mut client = Connection::client(Arc::new(client_ctx), Some("localhost"), None)?;
//! let mut server = Connection::server(Arc::new(server_ctx));
//! # for _ in 0..3 { server.read_tls(&client.take_tls())?; client.read_tls(&server.take_tls())?; }
//! // ... handshake as in the first example ...
//! assert!(client.is_handshake_complete());
//! let lines = log.lines();
//! assert!(lines.iter().any(|l| l.starts_with("CLIENT_TRAFFIC_SECRET_0 ")));
//! assert!(lines.iter().any(|l| l.starts_with("SERVER_HANDSHAKE_TRAFFIC_SECRET ")));
//! # Ok(()) }
//! ```
//!
//! ## Guides
//!
//! The repository's `docs/` directory has the longer guides (plain paths,
//! relative to the repository root):
//! - `docs/README.md` — the index;
//! - `docs/from-pike.md`, `docs/from-rustls.md`, `docs/from-openssl.md` —
//!   for users coming from those libraries;
//! - `docs/security.md` — the defaults, what each option opens up, and the
//!   known attacks on TLS (RFC 7457);
//! - `docs/event-model.md` — backends, callbacks and threads in `ssl-file`.
//!
//! ## Modules
//!
//! One job each:
//! - [`constants`]: IANA numbers (versions, suites, groups, schemes, alerts, …);
//! - [`codec`] and [`msgs`]: bounds-checked encoding and decoding;
//! - [`record`]: framing and record protection;
//! - [`crypto`]: AEADs, HKDF, the TLS 1.2 PRF, key exchange, signatures;
//! - [`handshake`]: the TLS 1.2 and 1.3 state machines and the TLS 1.3 key schedule;
//! - [`context`], [`session`], [`pki`], [`ticket`]: policy, resumption, certificates;
//! - [`connection`]: the engine itself;
//! - [`keylog`], [`trace`]: watching secrets and messages;
//! - [`alert`], [`error`]: what goes wrong and how the peer hears about it.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alert;
pub mod codec;
pub mod connection;
pub mod constants;
pub mod context;
pub mod crypto;
pub mod error;
pub mod handshake;
pub mod keylog;
pub mod msgs;
pub mod pki;
pub mod policy;
pub mod record;
pub mod session;
pub mod sites;
pub mod ticket;
pub mod trace;

pub use connection::{Connection, Negotiated, Received, Side};
pub use context::{AuthLevel, Context};
pub use error::{CertificateError, Error};
pub use session::Session;
