//! # ssl-core: the sans-IO TLS engine of sslfile
//!
//! A [`Connection`] takes ciphertext in and gives plaintext out (and the
//! reverse) without touching sockets, clocks or random generators it was
//! not given: all of those come from its [`Context`].
//!
//! Modules, one job each:
//! - [`constants`]: IANA numbers (versions, suites, groups, schemes, alerts, …);
//! - [`codec`] and [`msgs`]: bounds-checked encoding and decoding;
//! - [`record`]: framing and record protection;
//! - [`crypto`]: AEADs, HKDF, key exchange, signatures;
//! - [`handshake`]: the state machines and the TLS 1.3 key schedule;
//! - [`context`], [`session`], [`pki`], [`ticket`]: policy, resumption, certificates;
//! - [`connection`]: the engine itself;
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
pub mod record;
pub mod session;
pub mod ticket;
pub mod trace;

pub use connection::{Connection, Negotiated, Received, Side};
pub use context::{AuthLevel, Context};
pub use error::{CertificateError, Error};
pub use session::Session;
