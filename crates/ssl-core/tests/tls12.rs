//! In-memory TLS 1.2 client↔server tests: every suite × group × key type,
//! both resumption kinds, EMS, renegotiation both ways, version
//! negotiation between 1.2 and 1.3, fallback SCSV, record limits.

mod common;
use common::*;
use ssl_core::constants::{AlertDescription, CipherSuite, NamedGroup, ProtocolVersion};
use ssl_core::context::{AuthLevel, TLS12_SUITES};
use ssl_core::{CertificateError, Connection, Context, Error};
use std::sync::Arc;

fn tls12_only(ctx: &mut Context) {
    ctx.max_version = ProtocolVersion::TLS1_2;
}

fn suites_for(kt: KeyType) -> Vec<CipherSuite> {
    TLS12_SUITES
        .iter()
        .copied()
        .filter(|s| {
            let name = s.name().unwrap();
            match kt {
                KeyType::Rsa2048 => name.contains("_RSA_"),
                _ => name.contains("ECDSA"),
            }
        })
        .collect()
}

#[test]
fn tls12_basic() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(tls12_only), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.version(), Some(ProtocolVersion::TLS1_2));
    assert_eq!(s.version(), Some(ProtocolVersion::TLS1_2));
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    assert_eq!(c.negotiated().group, Some(NamedGroup::X25519));
    exchange_data(&mut c, &mut s, 100_000);
}

#[test]
fn every_tls12_suite_with_every_key_type() {
    for kt in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519, KeyType::Rsa2048] {
        let pki = TestPki::new(kt);
        for suite in suites_for(kt) {
            let client = pki.client_ctx(|ctx| {
                tls12_only(ctx);
                ctx.preferred_suites = vec![suite];
            });
            let (mut c, mut s) = pair(client, pki.server_ctx(|ctx| ctx.preferred_suites = TLS12_SUITES.to_vec()));
            handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kt:?} {suite}: {e}"));
            assert_eq!(s.cipher_suite(), Some(suite));
            exchange_data(&mut c, &mut s, 30_000);
        }
    }
}

#[test]
fn every_group_for_ecdhe_and_dhe() {
    let pki = TestPki::new(KeyType::Rsa2048);
    let all = vec![
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
    for g in &all {
        let suite = if g.is_ffdhe() {
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256
        } else {
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        };
        let client = pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.groups = vec![*g];
            ctx.preferred_suites = vec![suite];
        });
        let server = pki.server_ctx(|ctx| ctx.groups = all.clone());
        let (mut c, mut s) = pair(client, server);
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{g}: {e}"));
        assert_eq!(c.negotiated().group, Some(*g), "{g}");
        exchange_data(&mut c, &mut s, 1000);
    }
}

#[test]
fn version_negotiation_between_12_and_13() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // A 1.2+1.3 client and a 1.2-only server.
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(tls12_only));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.version(), Some(ProtocolVersion::TLS1_2));
    // A 1.2-only client and a 1.2+1.3 server: the downgrade sentinel is set, and ignored by a 1.2 client.
    let (mut c, mut s) = pair(pki.client_ctx(tls12_only), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.version(), Some(ProtocolVersion::TLS1_2));
    // Both 1.3 capable: 1.3.
    let (mut c, mut s) = pair(pki.client_ctx(|_| {}), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.version(), Some(ProtocolVersion::TLS1_3));
    // 1.3-only client, 1.2-only server: protocol_version.
    let (mut c, mut s) =
        pair(pki.client_ctx(|ctx| ctx.min_version = ProtocolVersion::TLS1_3), pki.server_ctx(tls12_only));
    assert_eq!(handshake(&mut c, &mut s), Err(Error::ProtocolVersion));
}

#[test]
fn downgrade_sentinel_is_detected() {
    // A 1.3-capable server that answers 1.2 sets DOWNGRD\x01; a 1.3-capable
    // client that sees it refuses. Simulate an attacker stripping 1.3 from the
    // client's offer: the client still offered 1.3, the server saw only 1.2.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let client_ctx = pki.client_ctx(|_| {});
    let server_ctx = pki.server_ctx(|_| {});
    // A 1.2-only client talks to the server; its ClientHello is then replayed
    // to a 1.3-capable client as if it were the answer... we test directly:
    let mut probe = Connection::client(pki.client_ctx(tls12_only), Some("localhost"), None).unwrap();
    let mut server = Connection::server(server_ctx);
    server.read_tls(&probe.take_tls()).unwrap();
    let flight = server.take_tls();
    // The ServerHello random ends with the sentinel.
    let sh_random_end = &flight[5 + 4 + 2 + 24..5 + 4 + 2 + 32];
    assert_eq!(sh_random_end, b"DOWNGRD\x01");
    // A 1.3-capable client receiving such a ServerHello refuses with illegal_parameter.
    let mut c13 = Connection::client(client_ctx, Some("localhost"), None).unwrap();
    let _ = c13.take_tls();
    let e = c13.read_tls(&flight).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e}");
    let _ = probe.take_tls();
}

fn resume12(tickets: usize) -> (Connection, Connection, Arc<Context>, Arc<Context>) {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let cctx = pki.client_ctx(tls12_only);
    let sctx = pki.server_ctx(|ctx| ctx.tickets = tickets);
    let (mut c, mut s) = pair(cctx.clone(), sctx.clone());
    handshake(&mut c, &mut s).unwrap();
    let session = c.session().cloned().expect("a session");
    assert_eq!(session.version, ProtocolVersion::TLS1_2);
    assert_eq!(session.ticket.is_empty(), tickets == 0);
    let session = ssl_core::Session::from_bytes(&session.to_bytes()).unwrap();
    let mut c2 = Connection::client(cctx.clone(), Some("localhost"), Some(session)).unwrap();
    let mut s2 = Connection::server(sctx.clone());
    handshake(&mut c2, &mut s2).unwrap();
    exchange_data(&mut c2, &mut s2, 1000);
    (c2, s2, cctx, sctx)
}

#[test]
fn resumption_by_session_id() {
    let (c, s, _, _) = resume12(0);
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    assert_eq!(c.peer_certificates().len(), 1);
}

#[test]
fn resumption_by_ticket() {
    let (c, s, cctx, sctx) = resume12(1);
    assert!(c.negotiated().resumed && s.negotiated().resumed);
    // The context caches: a third connection resumes without passing a session.
    let (mut c3, mut s3) = pair(cctx, sctx);
    handshake(&mut c3, &mut s3).unwrap();
    assert!(c3.negotiated().resumed);
}

#[test]
fn servers_sharing_a_ticket_secret_resume_each_others_sessions_in_tls12() {
    use ssl_core::ticket::TicketKeys;
    use std::time::Duration;
    let pki = TestPki::new(KeyType::EcdsaP256);
    let shared = |ctx: &mut Context| {
        ctx.ticket_keys = Arc::new(TicketKeys::from_shared_secret(&[42u8; 32], Duration::from_secs(600)));
    };
    let cctx = pki.client_ctx(tls12_only);
    let (mut c, mut s) = pair(cctx.clone(), pki.server_ctx(shared));
    handshake(&mut c, &mut s).unwrap();
    let session = c.session().cloned().unwrap();
    assert!(!session.ticket.is_empty(), "server A issued a ticket");
    // Server B has its own (empty) session-ID cache: only the ticket can resume.
    let mut c2 = Connection::client(cctx.clone(), Some("localhost"), Some(session.clone())).unwrap();
    let mut s2 = Connection::server(pki.server_ctx(shared));
    handshake(&mut c2, &mut s2).unwrap();
    assert!(c2.negotiated().resumed && s2.negotiated().resumed);
    exchange_data(&mut c2, &mut s2, 100);
    let mut c3 = Connection::client(cctx, Some("localhost"), Some(session)).unwrap();
    let mut s3 = Connection::server(pki.server_ctx(|_| {}));
    handshake(&mut c3, &mut s3).unwrap();
    assert!(!c3.negotiated().resumed);
}

#[test]
fn extended_master_secret_is_required_and_checked() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // A session made without EMS is not resumed by a client that insists on EMS,
    // and a server that requires EMS refuses clients without it.
    let no_ems = |ctx: &mut Context| {
        tls12_only(ctx);
        ctx.require_ems = false;
    };
    let (mut c, mut s) = pair(pki.client_ctx(no_ems), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    assert!(c.session().unwrap().extended_master_secret, "EMS is offered by default");
    // EMS mismatch on resumption: a session with EMS offered to a server, client stripped of EMS.
    let sctx = pki.server_ctx(|ctx| {
        ctx.require_ems = false;
        ctx.tickets = 0;
    });
    let (mut c, mut s) = pair(pki.client_ctx(tls12_only), sctx.clone());
    handshake(&mut c, &mut s).unwrap();
    let mut session = c.session().cloned().unwrap();
    // The client claims the session had no EMS (as an old client would): the server must refuse.
    session.extended_master_secret = false;
    let weird = pki.client_ctx(no_ems);
    let mut c2 = Connection::client(weird, Some("localhost"), Some(session)).unwrap();
    let mut s2 = Connection::server(sctx);
    let r = handshake(&mut c2, &mut s2);
    // The client offered EMS anyway (it always does), so the server resumes with EMS and
    // the client, whose session says "no EMS", refuses the mismatch.
    assert_eq!(r, Err(Error::HandshakeFailure("extended_master_secret differs from the resumed session")));
}

#[test]
fn renegotiation_from_either_side() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let on = |ctx: &mut Context| {
        tls12_only(ctx);
        ctx.enable_renegotiation = true;
    };
    let (mut c, mut s) = pair(pki.client_ctx(on), pki.server_ctx(|ctx| ctx.enable_renegotiation = true));
    handshake(&mut c, &mut s).unwrap();
    c.renegotiate().unwrap();
    exchange_data(&mut c, &mut s, 50_000);
    s.renegotiate().unwrap();
    exchange_data(&mut c, &mut s, 50_000);
    c.renegotiate().unwrap();
    pump(&mut c, &mut s).unwrap();
    exchange_data(&mut c, &mut s, 1000);
}

#[test]
fn renegotiation_is_refused_politely_when_disabled() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.enable_renegotiation = true;
        }),
        pki.server_ctx(|_| {}),
    );
    handshake(&mut c, &mut s).unwrap();
    // The server does not allow it: a no_renegotiation warning, the connection lives on.
    c.renegotiate().unwrap();
    pump(&mut c, &mut s).unwrap_or(());
    assert!(s.error().is_none());
    // The server cannot start one either, and the refusal leaves it usable.
    assert!(matches!(s.renegotiate(), Err(Error::Config(_))));
    assert!(matches!(s.renegotiate(), Err(Error::Config(_))));
    exchange_data(&mut c, &mut s, 100);
    let _ = AlertDescription::NO_RENEGOTIATION;
}

#[test]
fn fallback_scsv_is_refused_when_we_could_do_better() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.fallback_scsv = true;
        }),
        pki.server_ctx(|_| {}),
    );
    assert_eq!(handshake(&mut c, &mut s), Err(Error::InappropriateFallback));
    assert_eq!(c.error(), Some(&Error::PeerAlert(AlertDescription::INAPPROPRIATE_FALLBACK)));
    // A 1.2-only server has nothing better: fine.
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.fallback_scsv = true;
        }),
        pki.server_ctx(tls12_only),
    );
    handshake(&mut c, &mut s).unwrap();
}

#[test]
fn client_certificates_in_tls12() {
    let pki = TestPki::new(KeyType::Rsa2048);
    for kt in [KeyType::EcdsaP256, KeyType::Rsa2048, KeyType::Ed25519] {
        let (cc, ck) = pki.issue(kt, &["client.test"]);
        let (mut c, mut s) = pair(
            pki.client_ctx(|ctx| {
                tls12_only(ctx);
                ctx.add_cert_pem(cc.as_bytes(), ck.as_bytes()).unwrap();
            }),
            pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Require),
        );
        handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kt:?}: {e}"));
        assert_eq!(s.peer_certificates().len(), 1);
        exchange_data(&mut c, &mut s, 100);
    }
    let (mut c, mut s) = pair(pki.client_ctx(tls12_only), pki.server_ctx(|ctx| ctx.client_auth = AuthLevel::Require));
    assert!(matches!(handshake(&mut c, &mut s), Err(Error::HandshakeFailure(_))));
    let _ = CertificateError::Missing;
}

#[test]
fn alpn_sni_and_limits_in_tls12() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            ctx.max_fragment_length = Some(1024);
        }),
        pki.server_ctx(|ctx| ctx.advertised_protocols = vec![b"http/1.1".to_vec()]),
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.alpn(), Some(&b"http/1.1"[..]));
    assert_eq!(s.server_name(), Some("localhost"));
    s.send(&[1u8; 5000]).unwrap();
    let wire = s.take_tls();
    let mut at = 0;
    while at < wire.len() {
        let len = u16::from_be_bytes([wire[at + 3], wire[at + 4]]) as usize;
        assert!(len <= 1024 + 8 + 16, "record of {len} bytes despite max_fragment_length 1024");
        at += 5 + len;
    }
    c.read_tls(&wire).unwrap();
    assert_eq!(read_all(&mut c), vec![1u8; 5000]);
}

#[test]
fn exporter_agrees_in_tls12() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(tls12_only), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    let (mut a, mut b) = ([0u8; 40], [0u8; 40]);
    c.export_keying_material(b"EXPORTER-x", Some(b"c"), &mut a).unwrap();
    s.export_keying_material(b"EXPORTER-x", Some(b"c"), &mut b).unwrap();
    assert_eq!(a, b);
    s.export_keying_material(b"EXPORTER-x", None, &mut b).unwrap();
    assert_ne!(a, b);
}

/// Hooks that hand out `other` for the server name "b.test" and record what
/// they were asked.
struct SelectByName {
    other: Arc<Context>,
    asked: std::sync::Mutex<Vec<Asked>>,
}

/// One call of the hook: the server name and the ALPN offer.
type Asked = (Option<String>, Vec<Vec<u8>>);

impl ssl_core::context::ContextHooks for SelectByName {
    fn select_context(&self, server_name: Option<&str>, alpn: &[&[u8]]) -> Option<Arc<Context>> {
        self.asked.lock().unwrap().push((server_name.map(str::to_owned), alpn.iter().map(|p| p.to_vec()).collect()));
        (server_name == Some("b.test")).then(|| self.other.clone())
    }
}

#[test]
fn select_context_hook_switches_certificate_and_parameters_in_tls12() {
    // The original context has an ECDSA certificate; the other one an RSA
    // certificate for b.test and only an ECDHE_RSA suite, which the original
    // context could not have chosen.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (b_cert, b_key) = pki.issue(KeyType::Rsa2048, &["b.test"]);
    let other = pki.server_ctx(|ctx| {
        ctx.certificates = Default::default();
        ctx.add_cert_pem(b_cert.as_bytes(), b_key.as_bytes()).unwrap();
        ctx.preferred_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256];
        ctx.advertised_protocols = vec![b"h2".to_vec()];
    });
    let hooks = Arc::new(SelectByName { other, asked: Default::default() });
    let h2 = hooks.clone();
    let server = pki.server_ctx(move |ctx| {
        ctx.advertised_protocols = vec![b"http/1.1".to_vec()];
        ctx.hooks = h2;
    });
    let client = pki.client_ctx(|ctx| {
        tls12_only(ctx);
        ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    });
    let leaf = |pem: &str| -> rustls_pki_types::CertificateDer<'static> {
        rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes()).unwrap()
    };

    // "b.test": the hook's context answers (its certificate, suite and ALPN).
    let mut c = Connection::client(client.clone(), Some("b.test"), None).unwrap();
    let mut s = Connection::server(server.clone());
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.version(), Some(ProtocolVersion::TLS1_2));
    assert_eq!(c.peer_certificates()[0], leaf(&b_cert));
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256));
    assert_eq!(c.alpn(), Some(&b"h2"[..]));
    assert_eq!(s.server_name(), Some("b.test"));
    exchange_data(&mut c, &mut s, 1000);

    // "localhost": the hook returns None and the original context answers.
    let mut c = Connection::client(client, Some("localhost"), None).unwrap();
    let mut s = Connection::server(server);
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.peer_certificates()[0], leaf(&pki.chain_pem));
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256));
    assert_eq!(c.alpn(), Some(&b"http/1.1"[..]));

    let offer = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    assert_eq!(
        *hooks.asked.lock().unwrap(),
        [(Some("b.test".to_owned()), offer.clone()), (Some("localhost".to_owned()), offer)]
    );
}

#[test]
fn a_record_over_the_announced_max_fragment_length_is_record_overflow() {
    // The client asked for 512-byte records; the server sends 1,000 bytes in one record.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut m = Mitm12::start(&pki, |ctx| ctx.max_fragment_length = Some(512), |_| {});
    m.handshake();
    let big = Item::rec(ssl_core::constants::ContentType::APPLICATION_DATA, &[7u8; 1000]);
    let e = m.deliver_to_client(&[big]).unwrap_err();
    assert_eq!(e, Error::RecordOverflow);
    // A record within the limit is fine on a fresh pair.
    let mut m = Mitm12::start(&pki, |ctx| ctx.max_fragment_length = Some(512), |_| {});
    m.handshake();
    let ok = Item::rec(ssl_core::constants::ContentType::APPLICATION_DATA, &[7u8; 512]);
    m.deliver_to_client(&[ok]).unwrap();
    assert_eq!(read_all(&mut m.client).len(), 512);
}

#[test]
fn a_record_over_our_record_size_limit_is_record_overflow_in_tls12() {
    // RFC 8449 §4: in TLS 1.2 the limit counts the plaintext; we announce 1,000 bytes.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let limited = |ctx: &mut Context| ctx.record_size_limit = Some(1000);
    let mut m = Mitm12::start(&pki, limited, limited);
    m.handshake();
    let big = Item::rec(ssl_core::constants::ContentType::APPLICATION_DATA, &[7u8; 1001]);
    assert_eq!(m.deliver_to_client(std::slice::from_ref(&big)).unwrap_err(), Error::RecordOverflow);
    let mut m = Mitm12::start(&pki, limited, limited);
    m.handshake();
    assert_eq!(m.deliver_to_server(&[big]).unwrap_err(), Error::RecordOverflow);
    // The largest record that fits is accepted.
    let mut m = Mitm12::start(&pki, limited, limited);
    m.handshake();
    let ok = Item::rec(ssl_core::constants::ContentType::APPLICATION_DATA, &[7u8; 1000]);
    m.deliver_to_client(&[ok]).unwrap();
    assert_eq!(read_all(&mut m.client).len(), 1000);
}

#[test]
fn tls12_handshake_signed_with_rsa_pkcs1() {
    // A client that accepts only PKCS#1 v1.5 signatures gets a PKCS#1-signed ServerKeyExchange.
    let pki = TestPki::new(KeyType::Rsa2048);
    let (mut c, mut s) = pair(
        pki.client_ctx(|ctx| {
            tls12_only(ctx);
            ctx.signature_algorithms = vec![ssl_core::constants::SignatureScheme::RSA_PKCS1_SHA256];
        }),
        pki.server_ctx(|_| {}),
    );
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(c.cipher_suite(), Some(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
    exchange_data(&mut c, &mut s, 100);
}

#[test]
fn client_hello_is_padded_out_of_the_256_to_511_byte_range() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // Find a hello size in the range by adding ALPN names; padding must then lift it to 512 or more.
    for n in 0..40 {
        let names: Vec<Vec<u8>> = (0..n).map(|i| format!("proto-{i:02}").into_bytes()).collect();
        let unpadded = {
            let ctx = pki.client_ctx(|ctx| {
                ctx.advertised_protocols = names.clone();
                ctx.padding_extension = false;
            });
            Connection::client(ctx, Some("localhost"), None).unwrap().take_tls().len() - 5
        };
        let padded = {
            let ctx = pki.client_ctx(|ctx| ctx.advertised_protocols = names.clone());
            Connection::client(ctx, Some("localhost"), None).unwrap().take_tls().len() - 5
        };
        if (256..512).contains(&unpadded) {
            assert!(padded >= 512, "a {unpadded}-byte hello was sent as {padded} bytes");
            return;
        }
        assert_eq!(padded, unpadded, "only hellos in the range are padded");
    }
    panic!("no hello size fell in 256..512");
}

#[test]
fn every_tls12_suite_group_and_key_type_together() {
    // Every implemented TLS 1.2 suite × every group its key exchange can use × every key type that fits it.
    let ec = [NamedGroup::X25519, NamedGroup::SECP256R1, NamedGroup::SECP384R1, NamedGroup::SECP521R1];
    let ff = [
        NamedGroup::FFDHE2048,
        NamedGroup::FFDHE3072,
        NamedGroup::FFDHE4096,
        NamedGroup::FFDHE6144,
        NamedGroup::FFDHE8192,
    ];
    let mut combos = 0;
    for kt in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519, KeyType::Rsa2048] {
        let pki = TestPki::new(kt);
        for suite in suites_for(kt) {
            let groups: &[NamedGroup] = if suite.name().unwrap().starts_with("TLS_DHE") { &ff } else { &ec };
            for group in groups {
                let client = pki.client_ctx(|ctx| {
                    tls12_only(ctx);
                    ctx.preferred_suites = vec![suite];
                    // The certificate's own curve must be acceptable to the client (RFC 8422 §5.1).
                    ctx.groups = vec![*group, NamedGroup::SECP256R1, NamedGroup::SECP384R1];
                    ctx.use_cache = false;
                });
                // The server's only group for the exchange is the one under test.
                let server = pki.server_ctx(|ctx| {
                    ctx.preferred_suites = TLS12_SUITES.to_vec();
                    ctx.groups = vec![*group];
                    ctx.tickets = 0;
                });
                let (mut c, mut s) = pair(client, server);
                handshake(&mut c, &mut s).unwrap_or_else(|e| panic!("{kt:?} {suite} {group}: {e}"));
                assert_eq!((s.cipher_suite(), s.negotiated().group), (Some(suite), Some(*group)), "{kt:?}");
                exchange_data(&mut c, &mut s, 2000);
                combos += 1;
            }
        }
    }
    assert_eq!(combos, 131);
}
