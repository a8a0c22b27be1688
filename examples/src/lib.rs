//! Runnable examples of `ssl-file`: `cargo run -p examples --example NAME`.
//!
//! Each example's logic lives in a module here, called by a thin `main` in
//! `examples/examples/NAME.rs`, so that tests can run it too (on ephemeral
//! ports, with timeouts):
//!
//! - [`blocking_client`]: connect, verify, send a request, read the answer.
//! - [`threaded_echo_server`]: `SslPort::accept` in a loop, a thread per connection.
//! - [`callback_echo_server`]: one event loop, accept/read/write/close callbacks.
//! - [`starttls`]: upgrade a plaintext line protocol to TLS, with pipelining.
//! - [`https_redirect`]: HTTPS and a redirect for plain HTTP on the same port.
//!
//! [`common`] has what they share: certificates, contexts, command lines.
#![forbid(unsafe_code)]

pub mod blocking_client;
pub mod callback_echo_server;
pub mod common;
pub mod https_redirect;
pub mod starttls;
pub mod threaded_echo_server;
