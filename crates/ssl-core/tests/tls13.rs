//! In-memory TLS 1.3 client↔server tests: every suite × group × key type,
//! HelloRetryRequest, resumption, KeyUpdate, client authentication, ALPN,
//! SNI-based certificate choice, record_size_limit, padding, exporter.

mod common;
use common::*;
use ssl_core::constants::{CipherSuite, NamedGroup, PskKeyExchangeMode};
use ssl_core::context::{AuthLevel, RecordPadding, TLS13_SUITES};
use ssl_core::{CertificateError, Connection, Error, Received};

const ALL_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
    NamedGroup::FFDHE4096,
    NamedGroup::FFDHE6144,
    NamedGroup::FFDHE8192,
];

#[test]
fn basic_handshake_and_data() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert_eq!(s.cipher_suite(), Some(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
    assert_eq!(s.server_name(), Some("localhost"));
    assert_eq!(c.peer_certificates().len(), 1);
    assert!(!c.negotiated().resumed);
    exchange_data(&mut c, &mut s, 100_000);
}

#[test]
fn every_suite_with_every_key_type() {
    for kt in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519, KeyType::Rsa2048] {
        let pki = TestPki::new(kt);
        for suite in TLS13_SUITES {
            let server = pki.server_ctx(|ctx| ctx.preferred_suites = vec![*suite]);
            let (mut c, mut s) = pair(pki.client_ctx(|ctx| ctx.preferred_suites = TLS13_SUITES.to_vec()), server);
            handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kt:?} {suite}: {e}"));
            assert_eq!(c.cipher_suite(), Some(*suite));
            exchange_data(&mut c, &mut s, 40_000);
        }
    }
}

#[test]
fn every_group_directly_and_through_retry() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    for group in ALL_GROUPS {
        // The client's first share is the group: no retry.
        let (mut c, mut s) = pair(
            pki.client_ctx(|ctx| ctx.groups = vec![*group]),
            pki.server_ctx(|ctx| ctx.groups = ALL_GROUPS.to_vec()),
        );
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{group}: {e}"));
        assert_eq!(s.negotiated().group, Some(*group));
        assert!(!c.negotiated().hello_retry);
        exchange_data(&mut c, &mut s, 1000);
    }
    for group in [NamedGroup::SECP384R1, NamedGroup::SECP521R1, NamedGroup::FFDHE2048] {
        // The client offers x25519 first, the server only accepts `group`: HelloRetryRequest.
        let client = pki.client_ctx(|ctx| ctx.groups = vec![NamedGroup::X25519, group]);
        let server = pki.server_ctx(|ctx| ctx.groups = vec![group]);
        let (mut c, mut s) = pair(client, server);
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("retry {group}: {e}"));
        assert!(c.negotiated().hello_retry);
        assert_eq!(c.negotiated().group, Some(group));
        exchange_data(&mut c, &mut s, 1000);
    }
}

#[test]
fn no_common_group_or_suite_fails_with_handshake_failure() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.groups = vec![NamedGroup::X25519]),
        pki.server_ctx(|ctx| ctx.groups = vec![NamedGroup::SECP256R1]),
    );
    let e = handshake(&mut c, &mut s).unwrap_err();
    assert!(matches!(e, Error::HandshakeFailure(_)), "{e}");
    assert_eq!(c.error(), Some(&Error::PeerAlert(ssl_core::constants::AlertDescription::HANDSHAKE_FAILURE)));

    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.preferred_suites = vec![CipherSuite::TLS_AES_128_GCM_SHA256]),
        pki.server_ctx(|ctx| ctx.preferred_suites = vec![CipherSuite::TLS_AES_256_GCM_SHA384]),
    );
    assert!(matches!(handshake(&mut c, &mut s), Err(Error::HandshakeFailure(_))));
}

fn resume_once(
    client_modes: Vec<PskKeyExchangeMode>,
    server_modes: Vec<PskKeyExchangeMode>,
) -> (Connection, Connection) {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let cctx = pki.client_ctx(|ctx| ctx.psk_modes = client_modes);
    let sctx = pki.server_ctx(|ctx| ctx.psk_modes = server_modes);
    let (mut c, mut s) = pair(cctx.clone(), sctx.clone());
    handshake(&mut c, &mut s).unwrap();
    exchange_data(&mut c, &mut s, 10);
    let session = c.session().cloned().expect("tickets arrived");
    // Serialize and restore, as a shared cache would.
    let session = ssl_core::Session::from_bytes(&session.to_bytes()).unwrap();
    let mut c2 = Connection::client(cctx, Some("localhost"), Some(session)).unwrap();
    let mut s2 = Connection::server(sctx);
    handshake(&mut c2, &mut s2).unwrap();
    exchange_data(&mut c2, &mut s2, 1000);
    (c2, s2)
}

#[test]
fn resumption_with_psk_dhe_ke() {
    let (c, s) = resume_once(vec![PskKeyExchangeMode::PSK_DHE_KE], vec![PskKeyExchangeMode::PSK_DHE_KE]);
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
    assert_eq!(c.peer_certificates().len(), 1, "the server's chain is remembered");
}

#[test]
fn resumption_with_psk_ke() {
    let (c, s) = resume_once(vec![PskKeyExchangeMode::PSK_KE], vec![PskKeyExchangeMode::PSK_KE]);
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    assert_eq!(s.negotiated().group, None);
}

#[test]
fn resumption_falls_back_to_a_full_handshake_when_modes_differ() {
    let (c, s) = resume_once(vec![PskKeyExchangeMode::PSK_KE], vec![PskKeyExchangeMode::PSK_DHE_KE]);
    assert!(!c.negotiated().resumed && !s.negotiated().resumed);
}

#[test]
fn resumption_through_the_context_cache() {
    let pki = TestPki::new(KeyType::Ed25519);
    let cctx = pki.client_ctx(|_| {});
    let sctx = pki.server_ctx(|_| {});
    let (mut c, mut s) = pair(cctx.clone(), sctx.clone());
    handshake(&mut c, &mut s).unwrap();
    exchange_data(&mut c, &mut s, 10);
    let (mut c2, mut s2) = pair(cctx.clone(), sctx.clone());
    handshake(&mut c2, &mut s2).unwrap();
    assert!(c2.negotiated().resumed);
    // A different server context has other ticket keys: the ticket is refused, the handshake still works.
    let other = pki.server_ctx(|_| {});
    let (mut c3, mut s3) = pair(cctx, other);
    handshake(&mut c3, &mut s3).unwrap();
    assert!(!c3.negotiated().resumed);
}

/// Two servers (two contexts, as two processes would have) sharing a
/// ticket secret resume each other's sessions; a server with its own keys
/// does not.
#[test]
fn servers_sharing_a_ticket_secret_resume_each_others_sessions() {
    use ssl_core::ticket::TicketKeys;
    use std::time::Duration;
    let pki = TestPki::new(KeyType::EcdsaP256);
    let shared = |ctx: &mut ssl_core::Context| {
        ctx.ticket_keys = std::sync::Arc::new(TicketKeys::from_shared_secret(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(3600),
        ));
    };
    let cctx = pki.client_ctx(|_| {});
    let (a, b) = (pki.server_ctx(shared), pki.server_ctx(shared));
    let (mut c, mut s) = pair(cctx.clone(), a);
    handshake(&mut c, &mut s).unwrap();
    exchange_data(&mut c, &mut s, 10);
    let session = c.session().cloned().expect("a ticket from server A");
    let mut c2 = ssl_core::Connection::client(cctx.clone(), Some("localhost"), Some(session.clone())).unwrap();
    let mut s2 = ssl_core::Connection::server(b);
    handshake(&mut c2, &mut s2).unwrap();
    assert!(c2.negotiated().resumed && s2.negotiated().resumed, "server B resumes A's session");
    exchange_data(&mut c2, &mut s2, 10);
    let mut c3 = ssl_core::Connection::client(cctx, Some("localhost"), Some(session)).unwrap();
    let mut s3 = ssl_core::Connection::server(pki.server_ctx(|_| {}));
    handshake(&mut c3, &mut s3).unwrap();
    assert!(!c3.negotiated().resumed, "a server with its own keys cannot open the ticket");
}

/// Pike's missing "minimise the bits used, above a threshold": a server's
/// policy decides what it negotiates with an ordinary client, in both versions.
#[test]
fn strongest_and_cheapest_policies_choose_what_the_server_negotiates() {
    use ssl_core::constants::{NamedGroup, ProtocolVersion};
    use ssl_core::policy::Preference;
    let pki = TestPki::new(KeyType::EcdsaP256);
    for version in [ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_2] {
        // The client offers (and prefers) the strong choices first.
        let client = pki.client_ctx(|ctx| {
            ctx.set_versions(version, version);
            ctx.prefer(Preference::Strongest, 0);
        });
        let strongest = pki.server_ctx(|ctx| ctx.prefer(Preference::Strongest, 0));
        let cheapest = pki.server_ctx(|ctx| ctx.prefer(Preference::Cheapest, 128));
        let (mut c, mut s) = pair(client.clone(), strongest);
        handshake(&mut c, &mut s).unwrap();
        let suite = c.cipher_suite().unwrap();
        assert_eq!(ssl_core::policy::suite_bits(suite), Some(192), "{version:?}: {suite:?}");
        assert_eq!(c.negotiated().group, Some(NamedGroup::SECP521R1), "{version:?}");
        exchange_data(&mut c, &mut s, 100);
        let (mut c, mut s) = pair(client, cheapest);
        handshake(&mut c, &mut s).unwrap();
        let suite = c.cipher_suite().unwrap();
        assert!(suite.to_string().contains("AES_128_GCM"), "{version:?}: {suite:?}");
        // A TLS 1.3 server takes the key share the client sent when its group
        // is acceptable (no extra round trip); a TLS 1.2 server picks by its order.
        let group = if version == ProtocolVersion::TLS1_3 { NamedGroup::SECP521R1 } else { NamedGroup::X25519 };
        assert_eq!(c.negotiated().group, Some(group), "{version:?}");
        exchange_data(&mut c, &mut s, 100);
    }
    // The threshold: an x25519 share (128 bits) is not enough for a server
    // that wants 192 bits, so it asks for P-521 with a HelloRetryRequest.
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|ctx| ctx.prefer(Preference::Strongest, 192)));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.negotiated().group, Some(NamedGroup::SECP521R1));
    assert_eq!(c.cipher_suite(), Some(ssl_core::constants::CipherSuite::TLS_AES_256_GCM_SHA384));
}

/// RFC 6066 status_request (RFC 8446 §4.4.2.1 in TLS 1.3): a server
/// staples the OCSP response of its certificate for a client that asks, in
/// both versions; nothing is sent to a client that does not ask, and a
/// server without a response sends none.
#[test]
fn ocsp_stapling_when_the_client_asks() {
    use ssl_core::constants::ProtocolVersion;
    let pki = TestPki::new(KeyType::EcdsaP256);
    let response = b"\x30\x03\x0a\x01\x00 (an OCSP response, opaque to TLS)".to_vec();
    let stapling = |r: Vec<u8>| {
        pki.server_ctx(|ctx| {
            ctx.certificates = Default::default();
            ctx.add_cert(pki.certified_key().with_ocsp(r));
        })
    };
    for version in [ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_2] {
        let asking = pki.client_ctx(|ctx| {
            ctx.set_versions(version, version);
            ctx.request_ocsp = true;
        });
        let (mut c, mut s) = pair(asking.clone(), stapling(response.clone()));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.peer_ocsp_response(), Some(&response[..]), "{version:?}");
        exchange_data(&mut c, &mut s, 100);
        // Not asked: not sent (an unasked staple would fail the handshake).
        let quiet = pki.client_ctx(|ctx| ctx.set_versions(version, version));
        let (mut c, mut s) = pair(quiet, stapling(response.clone()));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.peer_ocsp_response(), None, "{version:?}");
        // Asked, but the server has no response.
        let (mut c, mut s) = pair(asking, pki.server_ctx(|_| {}));
        handshake(&mut c, &mut s).unwrap();
        assert_eq!(c.peer_ocsp_response(), None, "{version:?}");
    }
    // Resumption: a session resumed through the client's cache gets no staple.
    let asking = pki.client_ctx(|ctx| ctx.request_ocsp = true);
    let server = stapling(response.clone());
    let (mut c, mut s) = pair(asking.clone(), server.clone());
    handshake(&mut c, &mut s).unwrap();
    exchange_data(&mut c, &mut s, 10);
    let (mut c, mut s) = pair(asking, server);
    handshake(&mut c, &mut s).unwrap();
    assert!(c.negotiated().resumed);
    assert_eq!(c.peer_ocsp_response(), None);
}

#[test]
fn key_update_both_directions() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    c.key_update(false).unwrap();
    exchange_data(&mut c, &mut s, 5000);
    assert_eq!(s.key_updates_received(), 1);
    assert_eq!(c.key_updates_received(), 0);
    s.key_update(true).unwrap();
    exchange_data(&mut c, &mut s, 5000);
    assert_eq!(c.key_updates_received(), 1);
    assert_eq!(s.key_updates_received(), 2, "update_requested made the client answer");
    for _ in 0..10 {
        c.key_update(true).unwrap();
    }
    exchange_data(&mut c, &mut s, 5000);
    assert_eq!(s.key_updates_received(), 12);
}

#[test]
fn client_authentication_levels() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (ccert, ckey) = pki.issue(KeyType::EcdsaP384, &["client.test"]);
    let with_cert = |ctx: &mut ssl_core::Context| ctx.add_cert_pem(ccert.as_bytes(), ckey.as_bytes()).unwrap();

    // Require + a certificate: accepted, and the server sees the chain.
    let (mut c, mut s) = pair(pki.client_ctx(with_cert), pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Require));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.peer_certificates().len(), 1);
    exchange_data(&mut c, &mut s, 100);

    // Require without one: certificate_required.
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Require));
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::Missing)));
    assert_eq!(c.error(), Some(&Error::PeerAlert(ssl_core::constants::AlertDescription::CERTIFICATE_REQUIRED)));

    // Ask without one: fine, no peer chain.
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Ask));
    handshake(&mut c, &mut s).unwrap();
    assert!(s.peer_certificates().is_empty());

    // Ask with a certificate from an unknown CA: unknown_ca.
    let other = TestPki::new(KeyType::EcdsaP256);
    let (oc, ok) = other.issue(KeyType::EcdsaP256, &["client.test"]);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.add_cert_pem(oc.as_bytes(), ok.as_bytes()).unwrap()),
        pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Ask),
    );
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::UnknownIssuer)));

    // None: no CertificateRequest even if the client has a certificate.
    let (mut c, mut s) = pair(pki.client_ctx(with_cert), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert!(s.peer_certificates().is_empty());
}

#[test]
fn server_certificate_checks_on_the_client() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // Wrong name.
    let mut c = Connection::client(pki.client_ctx(|_| {}), Some("wrong.test"), None).unwrap();
    let mut s = Connection::server(pki.server_ctx(|_| {}));
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::NameMismatch)));
    // Untrusted issuer.
    let other = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(other.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::UnknownIssuer)));
    assert_eq!(s.error(), Some(&Error::PeerAlert(ssl_core::constants::AlertDescription::UNKNOWN_CA)));
    // AuthLevel::None accepts anything.
    let (mut c, mut s) = pair(other.client_ctx(|ctx| ctx.server_auth = AuthLevel::None), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    // An IP address is checked against IP SANs and not sent as SNI.
    let mut c = Connection::client(pki.client_ctx(|_| {}), Some("127.0.0.1"), None).unwrap();
    let mut s = Connection::server(pki.server_ctx(|_| {}));
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::NameMismatch)));
    assert_eq!(s.server_name(), None);
}

#[test]
fn alpn_negotiation() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
        pki.server_ctx(|ctx| ctx.advertised_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()]),
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.alpn(), Some(&b"http/1.1"[..]), "server preference wins");
    assert_eq!(s.alpn(), Some(&b"http/1.1"[..]));

    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.advertised_protocols = vec![b"h2".to_vec()]),
        pki.server_ctx(|ctx| ctx.advertised_protocols = vec![b"imap".to_vec()]),
    );
    assert_eq!(handshake(&mut c, &mut s), Err(Error::NoApplicationProtocol));

    // A client without ALPN talks to a server with ALPN: no protocol.
    let (mut c, mut s) =
        pair(pki.client_ctx(|_| {}), pki.server_ctx(|ctx| ctx.advertised_protocols = vec![b"h2".to_vec()]));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.alpn(), None);
}

#[test]
fn sni_chooses_the_certificate() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (a_cert, a_key) = pki.issue(KeyType::Ed25519, &["a.test"]);
    let (b_cert, b_key) = pki.issue(KeyType::EcdsaP384, &["*.b.test"]);
    let server = pki.server_ctx(|ctx| {
        ctx.add_cert_pem(a_cert.as_bytes(), a_key.as_bytes()).unwrap();
        ctx.add_cert_pem(b_cert.as_bytes(), b_key.as_bytes()).unwrap();
    });
    for (name, expect_leaf) in [("a.test", &a_cert), ("www.b.test", &b_cert), ("localhost", &pki.chain_pem)] {
        let mut c = Connection::client(pki.client_ctx(|_| {}), Some(name), None).unwrap();
        let mut s = Connection::server(server.clone());
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = rustls_pki_types::pem::PemObject::from_pem_slice(expect_leaf.as_bytes()).unwrap();
        let want: rustls_pki_types::CertificateDer<'static> = want;
        assert_eq!(c.peer_certificates()[0], want, "{name}");
        assert_eq!(s.server_name(), Some(name));
    }
    // An unknown name gets the default certificate (and then fails the name check).
    let mut c = Connection::client(pki.client_ctx(|_| {}), Some("unknown.test"), None).unwrap();
    let mut s = Connection::server(server.clone());
    assert_eq!(handshake(&mut c, &mut s), Err(Error::Certificate(CertificateError::NameMismatch)));
}

#[test]
fn record_size_limit_and_padding_shape_records() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| ctx.record_size_limit = Some(1000)),
        pki.server_ctx(|ctx| {
            ctx.record_size_limit = Some(2000);
            ctx.padding = RecordPadding::Block(256);
        }),
    );
    handshake(&mut c, &mut s).unwrap();
    s.send(&[7u8; 5000]).unwrap();
    let wire = s.take_tls();
    // Every record from the server has an inner plaintext (data, type, padding) of at
    // most 1000 bytes (RFC 8449), padded to 256-byte blocks unless the limit caps it.
    let mut at = 0;
    let mut records = 0;
    while at < wire.len() {
        let len = u16::from_be_bytes([wire[at + 3], wire[at + 4]]) as usize;
        let inner = len - 16;
        assert!(inner <= 1000, "record of {len} bytes");
        assert!(inner.is_multiple_of(256) || inner == 1000, "inner plaintext of {inner} bytes");
        at += 5 + len;
        records += 1;
    }
    assert!(records >= 6);
    c.read_tls(&wire).unwrap();
    assert_eq!(read_all(&mut c), vec![7u8; 5000]);
}

#[test]
fn exporter_agrees_on_both_sides() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    c.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut a).unwrap();
    s.export_keying_material(b"EXPORTER-test", Some(b"ctx"), &mut b).unwrap();
    assert_eq!(a, b);
    s.export_keying_material(b"EXPORTER-other", Some(b"ctx"), &mut b).unwrap();
    assert_ne!(a, b);
}

#[test]
fn close_notify_both_ways_and_truncation() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    c.send(b"last words").unwrap();
    c.close_notify();
    assert_eq!(c.send(b"more"), Err(Error::Closed));
    pump(&mut c, &mut s).unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(s.recv(&mut buf).unwrap(), Received::Data(10));
    assert_eq!(s.recv(&mut buf).unwrap(), Received::Eof);
    assert!(s.peer_closed());
    s.close_notify();
    pump(&mut c, &mut s).unwrap();
    assert_eq!(c.recv(&mut buf).unwrap(), Received::Eof);

    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.transport_eof(), Err(Error::Truncated));
}

#[test]
fn key_log_receives_every_secret() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let log = std::sync::Arc::new(ssl_core::keylog::KeyLogMemory::default());
    let l2 = log.clone();
    let (mut c, mut s) = pair(pki.client_ctx(move |ctx| ctx.key_log = Some(l2)), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    let lines = log.lines();
    let labels: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
            "EXPORTER_SECRET"
        ]
    );
    assert!(lines.iter().all(|l| l.split(' ').nth(1).unwrap().len() == 64));
}

#[test]
fn back_pressure_stops_decrypting() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    s.set_read_limit(20_000);
    c.send(&vec![1u8; 200_000]).unwrap();
    s.read_tls(&c.take_tls()).unwrap();
    assert!(s.plaintext_len() <= 20_000 + 16384, "held {}", s.plaintext_len());
    assert!(!s.wants_read());
    assert_eq!(read_all(&mut s).len(), 200_000, "reading releases the rest");
}

#[test]
fn trace_sees_every_message_in_order() {
    use ssl_core::trace::{Trace, TraceDirection, TraceEvent};
    use std::sync::Mutex;
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);
    impl Trace for Log {
        fn event(&self, side: ssl_core::Side, dir: TraceDirection, ev: TraceEvent<'_>) {
            let what = match ev {
                TraceEvent::Handshake { typ, raw } => {
                    assert_eq!(raw[0], typ.0);
                    typ.to_string()
                }
                TraceEvent::ChangeCipherSpec => "ccs".into(),
                TraceEvent::Alert(a) => format!("alert {}", a.description),
            };
            self.0.lock().unwrap().push(format!("{side:?} {dir:?} {what}"));
        }
    }
    let pki = TestPki::new(KeyType::EcdsaP256);
    let log = std::sync::Arc::new(Log::default());
    let l2 = log.clone();
    let (mut c, mut s) = pair(pki.client_ctx(move |ctx| ctx.trace = Some(l2)), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    c.close_notify();
    pump(&mut c, &mut s).unwrap();
    let got = log.lock_lines();
    assert_eq!(
        got,
        [
            "Client Sent client_hello",
            "Client Received server_hello",
            "Client Sent ccs",
            "Client Received ccs",
            "Client Received encrypted_extensions",
            "Client Received certificate",
            "Client Received certificate_verify",
            "Client Received finished",
            "Client Sent finished",
            "Client Received new_session_ticket",
            "Client Received new_session_ticket",
            "Client Sent alert close_notify",
        ]
    );
    impl Log {
        fn lock_lines(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }
}

#[test]
fn buffers_stay_bounded_and_idle_connections_give_them_back() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    pump(&mut c, &mut s).unwrap();
    // After the handshake, with nothing buffered, the big buffers are gone.
    let (input, output) = s.buffer_capacity();
    assert!(input == 0 && output == 0, "server holds {input} + {output} bytes idle");
    // A transport that never drains the last 100 bytes must not make the output grow without bound.
    let chunk = vec![3u8; 16 * 1024];
    for _ in 0..2000 {
        c.send(&chunk).unwrap();
        let pending = c.pending_tls().len();
        c.consume_tls(pending - 100);
    }
    let (_, output) = c.buffer_capacity();
    assert!(output < 1024 * 1024, "output buffer grew to {output} bytes");
}

/// Hooks that hand out `other` for the server name "b.test" and record what
/// they were asked.
struct SelectByName {
    other: std::sync::Arc<ssl_core::Context>,
    asked: std::sync::Mutex<Vec<Asked>>,
}

/// One call of the hook: the server name and the ALPN offer.
type Asked = (Option<String>, Vec<Vec<u8>>);

impl ssl_core::context::ContextHooks for SelectByName {
    fn select_context(&self, server_name: Option<&str>, alpn: &[&[u8]]) -> Option<std::sync::Arc<ssl_core::Context>> {
        self.asked.lock().unwrap().push((server_name.map(str::to_owned), alpn.iter().map(|p| p.to_vec()).collect()));
        (server_name == Some("b.test")).then(|| self.other.clone())
    }
}

/// Pike's "lazy load certificates": sites are loaded on first use by name,
/// through the context selection hook, and names no site has are answered
/// by the port's own context.
#[test]
fn lazy_sites_load_certificates_on_first_use() {
    use ssl_core::sites::LazySites;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let pki = TestPki::new(KeyType::EcdsaP256);
    let issued: std::collections::HashMap<&str, (String, String)> =
        ["a.test", "b.test"].into_iter().map(|n| (n, pki.issue(KeyType::EcdsaP256, &[n]))).collect();
    let loads = std::sync::Arc::new(AtomicUsize::new(0));
    let (l2, certs) = (loads.clone(), issued.clone());
    let sites = LazySites::new(
        10,
        std::time::Duration::from_secs(600),
        Box::new(move |name: &str| {
            l2.fetch_add(1, Ordering::SeqCst);
            let (chain, key) = certs.get(name)?;
            let mut ctx = ssl_core::Context::new();
            ctx.add_cert_pem(chain.as_bytes(), key.as_bytes()).ok()?;
            Some(std::sync::Arc::new(ctx))
        }),
    );
    let hooks = std::sync::Arc::new(sites);
    let h2 = hooks.clone();
    let server = pki.server_ctx(move |ctx| ctx.hooks = h2);
    let client = pki.client_ctx(|_| {});
    let leaf = |pem: &str| -> rustls_pki_types::CertificateDer<'static> {
        rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).unwrap()
    };
    for (name, expect) in [
        ("a.test", &issued["a.test"].0),
        ("b.test", &issued["b.test"].0),
        ("a.test", &issued["a.test"].0),
        ("localhost", &pki.chain_pem),
        ("localhost", &pki.chain_pem),
    ] {
        let mut c = Connection::client(client.clone(), Some(name), None).unwrap();
        let mut s = Connection::server(server.clone());
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.peer_certificates()[0], leaf(expect), "{name}");
        exchange_data(&mut c, &mut s, 100);
    }
    // One load per name: a.test, b.test and the unknown "localhost".
    assert_eq!(loads.load(Ordering::SeqCst), 3);
    assert_eq!(hooks.len(), 3);
}

#[test]
fn select_context_hook_switches_certificate_and_parameters() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (b_cert, b_key) = pki.issue(KeyType::Ed25519, &["b.test"]);
    // The other context has the only certificate for b.test, its own suite and ALPN preference.
    let other = pki.server_ctx(|ctx| {
        ctx.certificates = Default::default();
        ctx.add_cert_pem(b_cert.as_bytes(), b_key.as_bytes()).unwrap();
        ctx.preferred_suites = vec![CipherSuite::TLS_CHACHA20_POLY1305_SHA256];
        ctx.advertised_protocols = vec![b"h2".to_vec()];
    });
    let hooks = std::sync::Arc::new(SelectByName { other, asked: Default::default() });
    let h2 = hooks.clone();
    let server = pki.server_ctx(move |ctx| {
        ctx.advertised_protocols = vec![b"http/1.1".to_vec()];
        ctx.hooks = h2;
    });
    let client = pki.client_ctx(|ctx| {
        ctx.preferred_suites = TLS13_SUITES.to_vec();
        ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    });
    let leaf = |pem: &str| -> rustls_pki_types::CertificateDer<'static> {
        rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).unwrap()
    };

    // "b.test": the hook's context answers (its certificate, suite and ALPN).
    let mut c = Connection::client(client.clone(), Some("b.test"), None).unwrap();
    let mut s = Connection::server(server.clone());
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.peer_certificates()[0], leaf(&b_cert));
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_CHACHA20_POLY1305_SHA256));
    assert_eq!(c.alpn(), Some(&b"h2"[..]));
    assert_eq!(s.server_name(), Some("b.test"));
    exchange_data(&mut c, &mut s, 1000);

    // "localhost": the hook returns None and the original context answers.
    let mut c = Connection::client(client, Some("localhost"), None).unwrap();
    let mut s = Connection::server(server);
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.peer_certificates()[0], leaf(&pki.chain_pem));
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert_eq!(c.alpn(), Some(&b"http/1.1"[..]));

    // The hook saw each ClientHello's name and ALPN offer.
    let offer = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    assert_eq!(
        *hooks.asked.lock().unwrap(),
        [(Some("b.test".to_owned()), offer.clone()), (Some("localhost".to_owned()), offer)]
    );
}

#[test]
fn every_suite_group_and_key_type_together() {
    // The full cross product: 5 suites × 9 groups × 4 certificate key types.
    for kt in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519, KeyType::Rsa2048] {
        let pki = TestPki::new(kt);
        for suite in TLS13_SUITES {
            for group in ALL_GROUPS {
                let client = pki.client_ctx(|ctx| {
                    ctx.preferred_suites = vec![*suite];
                    ctx.groups = vec![*group];
                    ctx.use_cache = false;
                });
                let server = pki.server_ctx(|ctx| {
                    ctx.preferred_suites = TLS13_SUITES.to_vec();
                    ctx.groups = ALL_GROUPS.to_vec();
                    ctx.tickets = 0;
                });
                let (mut c, mut s) = pair(client, server);
                handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kt:?} {suite} {group}: {e}"));
                assert_eq!((s.cipher_suite(), s.negotiated().group), (Some(*suite), Some(*group)));
                exchange_data(&mut c, &mut s, 2000);
            }
        }
    }
}
