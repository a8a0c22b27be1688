//! A TLS client fed the fuzz input as the server's bytes.
//!
//! Input: a configuration byte (`ssl_core_fuzz::client_cfg`), three split
//! bytes (where the server's bytes are cut into separate `read_tls` calls),
//! then the server's bytes. The client offers TLS 1.2 and 1.3 and does not
//! verify the server's certificate, so fuzz input reaches every message of
//! the handshake. Checked: no panic; every error names an alert or is the
//! peer's alert, close or truncation; errors are sticky.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssl_core::Connection;
use ssl_core_fuzz::{Input, client_context, client_session, exercise, feed};

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else { return };
    let ctx = client_context(input.cfg);
    let mut client =
        Connection::client(ctx, Some("localhost"), client_session(input.cfg)).expect("a client always starts");
    let _ = client.take_tls();
    if feed(&mut client, &input.chunks()).is_ok() {
        exercise(&mut client);
    }
});
