//! A TLS server (ECDSA and Ed25519 certificates) fed the fuzz input as the
//! client's bytes.
//!
//! Input: a configuration byte (`ssl_core_fuzz::server_cfg`), three split
//! bytes, then the client's bytes. Checked: no panic; every error names an
//! alert or is the peer's alert, close or truncation; errors are sticky.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssl_core::Connection;
use ssl_core_fuzz::{Input, exercise, feed, server_context};

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else { return };
    let mut server = Connection::server(server_context(input.cfg));
    if feed(&mut server, &input.chunks()).is_ok() {
        exercise(&mut server);
    }
});
