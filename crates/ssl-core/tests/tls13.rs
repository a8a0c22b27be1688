//! In-memory TLS 1.3 client↔server tests.

mod common;
use common::*;
use ssl_core::constants::{CipherSuite, NamedGroup};

#[test]
fn basic_handshake_and_data() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
    exchange_data(&mut c, &mut s, 100_000);
}
