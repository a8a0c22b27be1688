//! Hostile input against the TLS 1.2 engine: every handshake message
//! truncated, padded with garbage, skipped, sent out of order or twice, and
//! bent in each way the state machines check (RFC 5246, RFC 8422, RFC 7627,
//! RFC 5746, RFC 7507, RFC 7919, RFC 5077); ChangeCipherSpec in every wrong
//! place; the record layer abused; and a seeded fuzzing smoke run.
//!
//! A tampering proxy ([`Mitm12`]) sits between an in-memory client and
//! server. Both log `CLIENT_RANDOM <client_random> <master_secret>` to one
//! key log, so the proxy derives the key block itself, follows each
//! ChangeCipherSpec, opens the protected records, changes a message, and
//! seals it again at the right sequence number. Where a change must survive
//! a signature check (ServerKeyExchange), the test signs again with the
//! server's key. Every case checks both ends: the side that sees the damage
//! fails with the typed error the RFCs call for, and the other side receives
//! the matching alert (`Error::PeerAlert`).

mod common;
use common::*;
use ssl_core::constants::{
    AlertDescription as A, CipherSuite, ContentType as CT, ExtensionType as X, HandshakeType as H, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use ssl_core::context::TLS12_SUITES;
use ssl_core::crypto::kx::KeyShare;
use ssl_core::error::MessageKind;
use ssl_core::{AuthLevel, CertificateError, Context, Error, Received};
use std::mem::discriminant;

/// The lanes of [`Mitm12::sent`].
const FROM_CLIENT: usize = 0;
const FROM_SERVER: usize = 1;

// ---------------------------------------------------------------------------
// Expected errors and checks
// ---------------------------------------------------------------------------

fn decode() -> Error {
    Error::Decode("")
}
fn illegal() -> Error {
    Error::IllegalParameter("")
}
/// An unexpected_message error about any kind of message.
fn unexpected() -> Error {
    Error::UnexpectedMessage { expected: "", got: MessageKind::Alert }
}
/// An unexpected_message error about a ChangeCipherSpec.
fn unexpected_ccs() -> Error {
    Error::UnexpectedMessage { expected: "", got: MessageKind::ChangeCipherSpec }
}
/// An unexpected_message error about a handshake message of type `t`.
fn unexpected_hs(t: H) -> Error {
    Error::UnexpectedMessage { expected: "", got: MessageKind::Handshake(t) }
}
/// An unexpected_message error about application data.
fn unexpected_data() -> Error {
    Error::UnexpectedMessage { expected: "", got: MessageKind::ApplicationData }
}
fn unsupported() -> Error {
    Error::UnsupportedExtension(X(0))
}
fn decrypt() -> Error {
    Error::DecryptError("")
}
fn failure() -> Error {
    Error::HandshakeFailure("")
}
fn insufficient() -> Error {
    Error::InsufficientSecurity("")
}
fn cert(e: CertificateError) -> Error {
    Error::Certificate(e)
}

/// `got` is the same kind of error as `like` and sends the same alert;
/// certificate errors must match exactly, and so must the kind of an
/// unexpected message when `like` names one (anything but `Alert`).
#[track_caller]
fn assert_like(got: &Error, like: &Error, case: &str) {
    assert_eq!(discriminant(got), discriminant(like), "{case}: got {got:?}, want an error like {like:?}");
    assert_eq!(got.alert(), like.alert(), "{case}: {got:?}");
    match (got, like) {
        (_, Error::Certificate(_)) => assert_eq!(got, like, "{case}"),
        (Error::UnexpectedMessage { got: kind, .. }, Error::UnexpectedMessage { got: want, .. })
            if *want != MessageKind::Alert =>
        {
            assert_eq!(kind, want, "{case}: {got:?}")
        }
        _ => {}
    }
}

/// The alerts among what a side sent (what it sent before it failed may be
/// wrong for the peer: it answered a flight the peer never sent).
fn alerts(items: Vec<Item>) -> Vec<Item> {
    items.into_iter().filter(|i| matches!(i, Item::Rec { typ: CT::ALERT, .. })).collect()
}

/// Delivers `items` to the client, which must fail like `like`; its alert
/// must then reach the server.
#[track_caller]
fn client_rejects(m: &mut Mitm12, items: &[Item], like: &Error, case: &str) {
    let got = match m.deliver_to_client(items) {
        Ok(()) => panic!("{case}: the client accepted it"),
        Err(e) => e,
    };
    assert_like(&got, like, case);
    assert_eq!(m.client.error(), Some(&got), "{case}: the error is sticky");
    assert!(m.client.send(b"more").is_err(), "{case}: a failed connection sends nothing");
    let alert = like.alert().expect("an alert is due");
    let back = alerts(m.client_output());
    assert_eq!(m.deliver_to_server(&back), Err(Error::PeerAlert(alert)), "{case}: the server hears {alert}");
    assert_eq!(m.server.error(), Some(&Error::PeerAlert(alert)), "{case}");
}

/// Delivers `items` to the server, which must fail like `like`; its alert
/// must then reach the client.
#[track_caller]
fn server_rejects(m: &mut Mitm12, items: &[Item], like: &Error, case: &str) {
    let got = match m.deliver_to_server(items) {
        Ok(()) => panic!("{case}: the server accepted it"),
        Err(e) => e,
    };
    assert_like(&got, like, case);
    assert_eq!(m.server.error(), Some(&got), "{case}: the error is sticky");
    assert!(m.server.send(b"more").is_err(), "{case}: a failed connection sends nothing");
    let alert = like.alert().expect("an alert is due");
    let back = alerts(m.server_output());
    assert_eq!(m.deliver_to_client(&back), Err(Error::PeerAlert(alert)), "{case}: the client hears {alert}");
    assert_eq!(m.client.error(), Some(&Error::PeerAlert(alert)), "{case}");
}

/// An edit of a captured flight; it may look at what the proxy saw.
type Edit<'a> = Box<dyn Fn(&Mitm12, &mut Vec<Item>) + 'a>;

/// One tampering: a name, the error it must cause, and the edit.
struct Case<'a> {
    name: &'static str,
    like: Error,
    edit: Edit<'a>,
}

fn case<'a>(name: &'static str, like: Error, edit: impl Fn(&mut Vec<Item>) + 'a) -> Case<'a> {
    Case { name, like, edit: Box::new(move |_, i| edit(i)) }
}

fn case_m<'a>(name: &'static str, like: Error, edit: impl Fn(&Mitm12, &mut Vec<Item>) + 'a) -> Case<'a> {
    Case { name, like, edit: Box::new(edit) }
}

type Setup<'a> = &'a dyn Fn() -> (Mitm12, Vec<Item>);

/// Runs each case on a fresh capture from `setup`; the client must reject.
fn client_cases(setup: Setup<'_>, cases: Vec<Case<'_>>) {
    for c in cases {
        let (mut m, mut items) = setup();
        (c.edit)(&m, &mut items);
        client_rejects(&mut m, &items, &c.like, c.name);
    }
}

/// Runs each case on a fresh capture from `setup`; the server must reject.
fn server_cases(setup: Setup<'_>, cases: Vec<Case<'_>>) {
    for c in cases {
        let (mut m, mut items) = setup();
        (c.edit)(&m, &mut items);
        server_rejects(&mut m, &items, &c.like, c.name);
    }
}

// ---------------------------------------------------------------------------
// Configurations and captures
// ---------------------------------------------------------------------------

type Cfg<'a> = &'a dyn Fn(&mut Context);

fn none(_: &mut Context) {}

fn tls13_capable(c: &mut Context) {
    c.max_version = ProtocolVersion::TLS1_3;
}

fn no_cache(c: &mut Context) {
    c.use_cache = false;
}

fn no_tickets(s: &mut Context) {
    s.tickets = 0;
}

fn require_client_cert(s: &mut Context) {
    s.client_auth = AuthLevel::Require;
}

fn ask_client_cert(s: &mut Context) {
    s.client_auth = AuthLevel::Ask;
}

/// x25519 first (the server takes it) and P-256 (the curve of the ECDSA certificate, RFC 8422 §5.1).
fn x25519_only(c: &mut Context) {
    c.groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
}

fn p256_only(c: &mut Context) {
    c.groups = vec![NamedGroup::SECP256R1];
}

/// A client that offers only DHE (RSA PKI) with ffdhe2048.
fn dhe_client(c: &mut Context) {
    c.preferred_suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
    c.groups = vec![NamedGroup::FFDHE2048];
}

fn renegotiation(c: &mut Context) {
    c.enable_renegotiation = true;
}

/// The DER of the first certificate in a PEM string.
fn pem_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
}

/// A client holding a P-256 certificate from the test CA.
fn with_client_cert(pki: &TestPki) -> impl Fn(&mut Context) + '_ {
    let (c, k) = pki.issue(KeyType::EcdsaP256, &["client.test"]);
    move |ctx: &mut Context| ctx.add_cert_pem(c.as_bytes(), k.as_bytes()).unwrap()
}

/// The client's first flight (ClientHello), not delivered.
fn hello(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm12, Vec<Item>) {
    let mut m = Mitm12::start(pki, |x| c(x), |x| s(x));
    let items = m.client_output();
    (m, items)
}

/// The server's flight (ServerHello … ServerHelloDone), not delivered.
fn server_flight(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm12, Vec<Item>) {
    let mut m = Mitm12::start(pki, |x| c(x), |x| s(x));
    m.forward_to_server().unwrap();
    let items = m.server_output();
    (m, items)
}

/// The client's flight ([Certificate,] ClientKeyExchange, [CertificateVerify,] CCS, Finished), not delivered.
fn client_flight(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm12, Vec<Item>) {
    let mut m = Mitm12::start(pki, |x| c(x), |x| s(x));
    m.forward_to_server().unwrap();
    m.forward_to_client().unwrap();
    let items = m.client_output();
    (m, items)
}

/// The server's last flight ([NewSessionTicket,] CCS, Finished), not delivered.
fn server_finish(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm12, Vec<Item>) {
    let (mut m, items) = client_flight(pki, c, s);
    m.deliver_to_server(&items).unwrap();
    assert!(m.server.is_handshake_complete());
    let items = m.server_output();
    (m, items)
}

/// A completed handshake through the proxy.
fn connected(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> Mitm12 {
    let mut m = Mitm12::start(pki, |x| c(x), |x| s(x));
    m.handshake();
    m
}

/// A second connection offering the session of a first one (by ticket, or
/// by session ID when the server sends no tickets); its ClientHello.
fn resumption_hello(pki: &TestPki, tickets: bool) -> (Mitm12, Vec<Item>) {
    let server = move |s: &mut Context| {
        if !tickets {
            s.tickets = 0;
        }
    };
    let (log, cctx, sctx) = logged_contexts12(pki, none, server);
    let mut first = Mitm12::connect(log.clone(), cctx.clone(), sctx.clone(), Some("localhost"), None);
    first.handshake();
    let session = first.client.session().cloned().expect("a session");
    assert_eq!(session.ticket.is_empty(), !tickets);
    let mut m = Mitm12::connect(log, cctx, sctx, Some("localhost"), Some(session));
    let items = m.client_output();
    (m, items)
}

/// The server's flight of a resumed handshake (ServerHello, [NewSessionTicket,] CCS, Finished).
fn resumed_server_flight(pki: &TestPki, tickets: bool) -> (Mitm12, Vec<Item>) {
    let (mut m, items) = resumption_hello(pki, tickets);
    m.deliver_to_server(&items).unwrap();
    let items = m.server_output();
    assert!(m.server.negotiated().resumed);
    (m, items)
}

/// The client's flight of a resumed handshake (CCS, Finished).
fn resumed_client_flight(pki: &TestPki, tickets: bool) -> (Mitm12, Vec<Item>) {
    let (mut m, items) = resumed_server_flight(pki, tickets);
    m.deliver_to_client(&items).unwrap();
    assert!(m.client.is_handshake_complete() && m.client.negotiated().resumed);
    let items = m.client_output();
    (m, items)
}

// ---------------------------------------------------------------------------
// Editing
// ---------------------------------------------------------------------------

/// Replaces the first message of type `t` by `f(message)`.
fn edit(items: &mut [Item], t: H, f: impl FnOnce(&[u8]) -> Vec<u8>) {
    let i = find_msg(items, t);
    let new = f(items[i].msg());
    items[i] = Item::Hs(new);
}

fn ch(items: &mut [Item], f: impl FnOnce(&mut Hello)) {
    edit(items, H::CLIENT_HELLO, |m| edit_hello(m, f));
}

fn sh(items: &mut [Item], f: impl FnOnce(&mut Hello)) {
    edit(items, H::SERVER_HELLO, |m| edit_hello(m, f));
}

/// Removes the first message of type `t` and returns it.
fn take(items: &mut Vec<Item>, t: H) -> Item {
    let i = find_msg(items, t);
    items.remove(i)
}

fn insert_after(items: &mut Vec<Item>, t: H, item: Item) {
    let i = find_msg(items, t);
    items.insert(i + 1, item);
}

fn insert_before(items: &mut Vec<Item>, t: H, item: Item) {
    let i = find_msg(items, t);
    items.insert(i, item);
}

/// A copy of the first message of type `t`.
fn copy(items: &[Item], t: H) -> Item {
    items[find_msg(items, t)].clone()
}

/// The index of the first ChangeCipherSpec.
fn ccs_at(items: &[Item]) -> usize {
    items
        .iter()
        .position(|i| matches!(i, Item::Rec { typ: CT::CHANGE_CIPHER_SPEC, .. }))
        .unwrap_or_else(|| panic!("no ChangeCipherSpec in {items:?}"))
}

/// A ChangeCipherSpec record protected as the current state says.
fn ccs() -> Item {
    Item::rec(CT::CHANGE_CIPHER_SPEC, &[1])
}

fn hs(t: H, body: &[u8]) -> Item {
    Item::Hs(hs_msg(t, body))
}

/// Flips one bit of the last byte of a message.
fn flip_last(msg: &[u8]) -> Vec<u8> {
    let mut m = msg.to_vec();
    *m.last_mut().unwrap() ^= 1;
    m
}

/// Cuts one byte off the body.
fn short(msg: &[u8]) -> Vec<u8> {
    truncated(msg, hs_body(msg).len() - 1)
}

fn empty_body(msg: &[u8]) -> Vec<u8> {
    truncated(msg, 0)
}

fn trailing(msg: &[u8]) -> Vec<u8> {
    with_trailing(msg, &[0])
}

fn u16s(v: &[u16]) -> Vec<u8> {
    vec16(&v.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>())
}

fn alpn(names: &[&[u8]]) -> Vec<u8> {
    vec16(&names.iter().map(|n| vec8(n)).collect::<Vec<_>>().concat())
}

fn sni(name: &str) -> Vec<u8> {
    vec16(&cat(&[&[0], &vec16(name.as_bytes())]))
}

/// A TLS 1.2 Certificate message.
fn certificate12(certs: &[&[u8]]) -> Vec<u8> {
    let list: Vec<u8> = certs.iter().flat_map(|c| vec24(c)).collect();
    hs_msg(H::CERTIFICATE, &vec24(&list))
}

/// A CertificateVerify (TLS 1.2 form, the same as TLS 1.3's).
fn cert_verify(scheme: SignatureScheme, sig: &[u8]) -> Vec<u8> {
    hs_msg(H::CERTIFICATE_VERIFY, &cat(&[&scheme.0.to_be_bytes(), &vec16(sig)]))
}

fn cv_parts(msg: &[u8]) -> (SignatureScheme, Vec<u8>) {
    let mut r = Cursor(hs_body(msg));
    (SignatureScheme(r.u16()), r.v16().to_vec())
}

/// A ServerKeyExchange taken apart: the parameter fields (ECDHE: curve
/// type, named curve, point; DHE: p, g, Ys), the scheme and the signature.
#[derive(Clone, Debug)]
struct Ske {
    ec: bool,
    fields: Vec<Vec<u8>>,
    scheme: SignatureScheme,
    sig: Vec<u8>,
}

impl Ske {
    fn parse(msg: &[u8], ec: bool) -> Ske {
        let mut r = Cursor(hs_body(msg));
        let fields = if ec {
            vec![vec![r.u8()], r.take(2).to_vec(), r.v8().to_vec()]
        } else {
            vec![r.v16().to_vec(), r.v16().to_vec(), r.v16().to_vec()]
        };
        let scheme = SignatureScheme(r.u16());
        let sig = r.v16().to_vec();
        assert!(r.0.is_empty());
        Ske { ec, fields, scheme, sig }
    }

    fn params(&self) -> Vec<u8> {
        if self.ec {
            cat(&[&self.fields[0], &self.fields[1], &vec8(&self.fields[2])])
        } else {
            self.fields.iter().flat_map(|f| vec16(f)).collect()
        }
    }

    fn encode(&self) -> Vec<u8> {
        hs_msg(H::SERVER_KEY_EXCHANGE, &cat(&[&self.params(), &self.scheme.0.to_be_bytes(), &vec16(&self.sig)]))
    }

    /// Signs the parameters again with the server's key (what a server
    /// would send if it meant these values).
    fn resign(&mut self, pki: &TestPki, m: &Mitm12) {
        let signed = cat(&[&m.current.client_random, &m.current.server_random, &self.params()]);
        self.sig = pki.certified_key().key.sign(self.scheme, &signed).unwrap();
    }
}

/// Edits the ServerKeyExchange field by field and signs it again.
fn ske_resigned(pki: &TestPki, m: &Mitm12, items: &mut [Item], ec: bool, f: impl FnOnce(&mut Ske)) {
    edit(items, H::SERVER_KEY_EXCHANGE, |msg| {
        let mut s = Ske::parse(msg, ec);
        f(&mut s);
        s.resign(pki, m);
        s.encode()
    });
}

/// Edits the ServerKeyExchange field by field, keeping the old signature.
fn ske_unsigned(items: &mut [Item], ec: bool, f: impl FnOnce(&mut Ske)) {
    edit(items, H::SERVER_KEY_EXCHANGE, |msg| {
        let mut s = Ske::parse(msg, ec);
        f(&mut s);
        s.encode()
    });
}

/// `v - 1` for a big-endian integer above zero.
fn minus_one(v: &[u8]) -> Vec<u8> {
    let mut out = v.to_vec();
    for b in out.iter_mut().rev() {
        let (n, borrow) = b.overflowing_sub(1);
        *b = n;
        if !borrow {
            break;
        }
    }
    out
}

/// The server's DH prime, from the ServerKeyExchange the proxy saw.
fn server_prime(m: &Mitm12) -> Vec<u8> {
    Ske::parse(&m.sent(FROM_SERVER, H::SERVER_KEY_EXCHANGE), false).fields[0].clone()
}

/// A ClientKeyExchange with an ECDH point (vec8) or a DH value (vec16).
fn cke_ec(point: &[u8]) -> Vec<u8> {
    hs_msg(H::CLIENT_KEY_EXCHANGE, &vec8(point))
}

fn cke_dh(y: &[u8]) -> Vec<u8> {
    hs_msg(H::CLIENT_KEY_EXCHANGE, &vec16(y))
}

/// A public point of `group` that is valid (a fresh key's).
fn valid_point(group: NamedGroup) -> Vec<u8> {
    let rng = ssl_core::crypto::SystemRandom::new();
    KeyShare::generate(group, &rng).unwrap().public_key().to_vec()
}

/// A P-256 point that is not on the curve.
fn off_curve_p256() -> Vec<u8> {
    cat(&[&[4], &[1; 64]])
}

/// Replaces the first CCS by `item`.
fn replace_ccs(items: &mut [Item], item: Item) {
    let i = ccs_at(items);
    items[i] = item;
}

// ---------------------------------------------------------------------------
// The proxy itself
// ---------------------------------------------------------------------------

#[test]
fn the_proxy_is_transparent() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // Every AEAD layout: GCM (explicit nonce), ChaCha20 (implicit), CCM_8 (short tag), SHA-384 PRF.
    for suite in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    ] {
        let mut m =
            connected(&pki, &|c| c.preferred_suites = vec![suite], &|s| s.preferred_suites = TLS12_SUITES.to_vec());
        assert_eq!(m.client.cipher_suite(), Some(suite));
        assert_eq!(m.client.version(), Some(ProtocolVersion::TLS1_2));
        assert_eq!(m.protected(FROM_CLIENT), (true, true));
        assert_eq!(m.protected(FROM_SERVER), (true, true));
        m.client.send(b"ping").unwrap();
        m.server.send(b"pong").unwrap();
        m.pump().unwrap();
        assert_eq!(read_all(&mut m.server), b"ping");
        assert_eq!(read_all(&mut m.client), b"pong");
        assert!(!m.lost(), "{suite}");
        // A record the proxy seals itself is accepted: keys and sequence numbers are right.
        m.deliver_to_server(&[Item::rec(CT::APPLICATION_DATA, b"injected")]).unwrap();
        assert_eq!(read_all(&mut m.server), b"injected");
        m.deliver_to_client(&[Item::rec(CT::APPLICATION_DATA, b"injected too")]).unwrap();
        assert_eq!(read_all(&mut m.client), b"injected too");
    }

    // Renegotiation (both ways) and a client certificate: the proxy follows the new keys.
    let client_cert = with_client_cert(&pki);
    let mut m = connected(
        &pki,
        &|c| {
            renegotiation(c);
            client_cert(c);
        },
        &|s| {
            renegotiation(s);
            require_client_cert(s);
        },
    );
    m.client.renegotiate().unwrap();
    m.client.send(b"during").unwrap();
    m.pump().unwrap();
    m.server.renegotiate().unwrap();
    m.pump().unwrap();
    assert_eq!(m.client.handshakes(), 3);
    assert_eq!(m.server.handshakes(), 3);
    m.deliver_to_server(&[Item::rec(CT::APPLICATION_DATA, b" after")]).unwrap();
    assert_eq!(read_all(&mut m.server), b"during after");
    assert!(!m.lost());

    // Resumption by ticket and by session ID: the resumed master secret is logged too.
    for tickets in [true, false] {
        let (mut m, items) = resumed_client_flight(&pki, tickets);
        m.deliver_to_server(&items).unwrap();
        assert!(m.server.is_handshake_complete());
        m.deliver_to_server(&[Item::rec(CT::APPLICATION_DATA, b"resumed")]).unwrap();
        assert_eq!(read_all(&mut m.server), b"resumed");
        assert!(!m.lost());
    }

    // DHE with an RSA certificate.
    let rsa = TestPki::new(KeyType::Rsa2048);
    let mut m = connected(&rsa, &dhe_client, &none);
    assert_eq!(m.client.negotiated().group, Some(NamedGroup::FFDHE2048));
    m.client.send(b"dhe").unwrap();
    m.pump().unwrap();
    assert_eq!(read_all(&mut m.server), b"dhe");
    assert!(!m.lost());
}

// ---------------------------------------------------------------------------
// ClientHello (the server detects)
// ---------------------------------------------------------------------------

#[test]
fn client_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || hello(&pki, &none, &none);
    server_cases(
        &setup,
        vec![
            case("ClientHello cut by one byte", decode(), |i| edit(i, H::CLIENT_HELLO, short)),
            case("ClientHello cut after the random", decode(), |i| edit(i, H::CLIENT_HELLO, |m| truncated(m, 34))),
            case("empty ClientHello", decode(), |i| edit(i, H::CLIENT_HELLO, empty_body)),
            case("ClientHello with a trailing byte", decode(), |i| edit(i, H::CLIENT_HELLO, trailing)),
            case("ClientHello twice", unexpected_hs(H::CLIENT_HELLO), |i| i.push(i[0].clone())),
            case("a ServerHello to the server", unexpected_hs(H::SERVER_HELLO), |i| {
                edit(i, H::CLIENT_HELLO, |m| retyped(m, H::SERVER_HELLO))
            }),
            case("ClientKeyExchange before the ClientHello", unexpected_hs(H::CLIENT_KEY_EXCHANGE), |i| {
                i.insert(0, Item::Hs(cke_ec(&[9; 32])))
            }),
            case("Finished before the ClientHello", unexpected_hs(H::FINISHED), |i| {
                i.insert(0, hs(H::FINISHED, &[0; 12]))
            }),
            case("ClientHello of TLS 1.1", Error::ProtocolVersion, |i| ch(i, |h| h.version = 0x0302)),
            case("ClientHello of SSL 3.0", Error::ProtocolVersion, |i| ch(i, |h| h.version = 0x0300)),
            case("compression methods without null", illegal(), |i| ch(i, |h| h.compression = vec![1])),
            case("no compression methods", decode(), |i| ch(i, |h| h.compression = vec![])),
            case("no cipher suites", decode(), |i| ch(i, |h| h.suites.clear())),
            case("no cipher suite in common", failure(), |i| ch(i, |h| h.suites = vec![0x0035, 0x00ff])),
            case("session_id of 33 bytes", decode(), |i| ch(i, |h| h.session_id = vec![1; 33])),
            case("renegotiation_info not empty in the first ClientHello", failure(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &vec8(&[1; 12])))
            }),
            case("renegotiation_info longer than its body", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &[5, 1]))
            }),
            case("renegotiation_info with a trailing byte", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &[0, 0]))
            }),
            case("no extended_master_secret (required)", failure(), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET))
            }),
            case("extended_master_secret with a body", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET, &[0]))
            }),
            case("supported_groups twice", illegal(), |i| {
                ch(i, |h| {
                    let g = h.ext(X::SUPPORTED_GROUPS).unwrap().to_vec();
                    h.exts.insert(0, (X::SUPPORTED_GROUPS, g));
                })
            }),
            case("supported_groups of odd length", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SUPPORTED_GROUPS, &[0, 3, 0, 29, 0]))
            }),
            case("only unknown groups", failure(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SUPPORTED_GROUPS, &u16s(&[0x0999, 0x0a0a])))
            }),
            case("no signature_algorithms", failure(), |i| ch(i, |h| remove_ext(&mut h.exts, X::SIGNATURE_ALGORITHMS))),
            case("signature_algorithms of odd length", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SIGNATURE_ALGORITHMS, &[0, 3, 4, 3, 1]))
            }),
            case("ec_point_formats without uncompressed", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::EC_POINT_FORMATS, &vec8(&[1, 2])))
            }),
            case("empty ec_point_formats", decode(), |i| ch(i, |h| set_ext(&mut h.exts, X::EC_POINT_FORMATS, &[0]))),
            case("ec_point_formats with a trailing byte", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::EC_POINT_FORMATS, &[1, 0, 0]))
            }),
            case("max_fragment_length 5", illegal(), |i| ch(i, |h| set_ext(&mut h.exts, X::MAX_FRAGMENT_LENGTH, &[5]))),
            case("max_fragment_length of two bytes", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::MAX_FRAGMENT_LENGTH, &[2, 2]))
            }),
            case("record_size_limit 63", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RECORD_SIZE_LIMIT, &63u16.to_be_bytes()))
            }),
            case("ALPN with an empty name", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, &alpn(&[b"h2", b""])))
            }),
            case("server name with a trailing dot", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &sni("localhost.")))
            }),
            case("empty server name list", decode(), |i| ch(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &[0, 0]))),
            case("a ChangeCipherSpec before the ClientHello", unexpected_ccs(), |i| {
                i.insert(0, Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]))
            }),
            case("a ChangeCipherSpec inside a fragmented ClientHello", unexpected_ccs(), |i| {
                let m = i[0].msg().to_vec();
                *i = vec![
                    Item::plain(CT::HANDSHAKE, &m[..20]),
                    Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]),
                    Item::plain(CT::HANDSHAKE, &m[20..]),
                ];
            }),
        ],
    );

    // RFC 7507: a fallback retry to a server that could do better.
    server_cases(
        &|| hello(&pki, &none, &tls13_capable),
        vec![case("TLS_FALLBACK_SCSV to a TLS 1.3 server", Error::InappropriateFallback, |i| {
            ch(i, |h| h.suites.push(CipherSuite::TLS_FALLBACK_SCSV.0))
        })],
    );
    // ... but a TLS 1.2 server has nothing better to offer.
    let (mut m, mut items) = hello(&pki, &none, &none);
    ch(&mut items, |h| h.suites.push(CipherSuite::TLS_FALLBACK_SCSV.0));
    m.deliver_to_server(&items).unwrap();
    assert!(m.server.error().is_none());

    // ALPN without a protocol in common (RFC 7301 §3.2).
    server_cases(
        &|| {
            hello(&pki, &|c| c.advertised_protocols = vec![b"h2".to_vec()], &|s| {
                s.advertised_protocols = vec![b"http/1.1".to_vec()]
            })
        },
        vec![case("ALPN with no protocol in common", Error::NoApplicationProtocol, |_| {})],
    );

    // RFC 7919 §4: FFDHE groups offered, none acceptable, nothing else possible.
    let rsa = TestPki::new(KeyType::Rsa2048);
    server_cases(
        &|| hello(&rsa, &dhe_client, &|s| s.groups = vec![NamedGroup::FFDHE3072]),
        vec![case("only FFDHE groups the server does not accept", insufficient(), |_| {})],
    );
}

// ---------------------------------------------------------------------------
// ServerHello (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn server_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("ServerHello cut by one byte", decode(), |i| edit(i, H::SERVER_HELLO, short)),
            case("ServerHello cut after the random", decode(), |i| edit(i, H::SERVER_HELLO, |m| truncated(m, 34))),
            case("empty ServerHello", decode(), |i| edit(i, H::SERVER_HELLO, empty_body)),
            case("ServerHello with a trailing byte", decode(), |i| edit(i, H::SERVER_HELLO, trailing)),
            case("ServerHello twice", unexpected_hs(H::SERVER_HELLO), |i| {
                let s = copy(i, H::SERVER_HELLO);
                insert_after(i, H::SERVER_HELLO, s);
            }),
            case("ServerHello skipped", unexpected_hs(H::CERTIFICATE), |i| {
                take(i, H::SERVER_HELLO);
            }),
            case("ServerHelloDone right after the ServerHello", unexpected_hs(H::SERVER_HELLO_DONE), |i| {
                let done = take(i, H::SERVER_HELLO_DONE);
                insert_after(i, H::SERVER_HELLO, done);
            }),
            case("a ClientHello to the client", unexpected_hs(H::CLIENT_HELLO), |i| {
                edit(i, H::SERVER_HELLO, |m| retyped(m, H::CLIENT_HELLO))
            }),
            case("ServerHello of TLS 1.1", Error::ProtocolVersion, |i| sh(i, |h| h.version = 0x0302)),
            case("ServerHello of TLS 1.3 without supported_versions", Error::ProtocolVersion, |i| {
                sh(i, |h| h.version = 0x0304)
            }),
            case("supported_versions in a TLS 1.2 ServerHello", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &[3, 3]))
            }),
            case("a suite that was not offered", illegal(), |i| sh(i, |h| h.suites = vec![0xc014])),
            case("a suite that does not fit the certificate", cert(CertificateError::UnsupportedAlgorithm), |i| {
                sh(i, |h| h.suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.0])
            }),
            case("a TLS 1.3 suite", illegal(), |i| sh(i, |h| h.suites = vec![0x1301])),
            case("the renegotiation SCSV as the suite", illegal(), |i| sh(i, |h| h.suites = vec![0x00ff])),
            case("compression method 1", illegal(), |i| sh(i, |h| h.compression = vec![1])),
            case("session_id of 33 bytes", decode(), |i| sh(i, |h| h.session_id = vec![1; 33])),
            case("renegotiation_info not empty", failure(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &vec8(&[7; 24])))
            }),
            case("renegotiation_info with a trailing byte", decode(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &[0, 0]))
            }),
            case("no extended_master_secret (required)", failure(), |i| {
                sh(i, |h| remove_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET))
            }),
            case("extended_master_secret with a body", decode(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET, &[0]))
            }),
            case("an extension twice", illegal(), |i| sh(i, |h| h.exts.push((X::EXTENDED_MASTER_SECRET, vec![])))),
            case("an unsolicited ALPN", unsupported(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, &alpn(&[b"h2"])))
            }),
            case("an unsolicited key_share", unsupported(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &cat(&[&[0, 29], &vec16(&[9; 32])])))
            }),
            case("an unsolicited record_size_limit", unsupported(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::RECORD_SIZE_LIMIT, &[0x40, 0]))
            }),
            case("an unsolicited max_fragment_length", unsupported(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::MAX_FRAGMENT_LENGTH, &[2]))
            }),
            case("an unknown extension", unsupported(), |i| sh(i, |h| h.exts.push((X(0x7777), vec![1])))),
            case("server_name with a body", decode(), |i| sh(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &[0]))),
            case("ec_point_formats without uncompressed", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::EC_POINT_FORMATS, &vec8(&[1])))
            }),
            case("empty ec_point_formats", decode(), |i| sh(i, |h| set_ext(&mut h.exts, X::EC_POINT_FORMATS, &[0]))),
            case("DOWNGRD\\x00 in the random", illegal(), |i| {
                sh(i, |h| h.random[24..].copy_from_slice(b"DOWNGRD\x00"))
            }),
            case("application data before the ServerHello", unexpected_data(), |i| {
                i.insert(0, Item::plain(CT::APPLICATION_DATA, b"HTTP/1.1"))
            }),
        ],
    );

    // Extensions the client did ask for, answered wrongly.
    let asks = |c: &mut Context| {
        c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        c.max_fragment_length = Some(1024);
    };
    client_cases(
        &|| server_flight(&pki, &asks, &none),
        vec![
            case("ALPN naming a protocol that was not offered", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, &alpn(&[b"spdy/3"])))
            }),
            case("ALPN naming two protocols", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, &alpn(&[b"h2", b"http/1.1"])))
            }),
            case("max_fragment_length other than requested", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::MAX_FRAGMENT_LENGTH, &[3]))
            }),
        ],
    );

    // A session_ticket answer to a client that offered none.
    client_cases(
        &|| server_flight(&pki, &no_cache, &none),
        vec![case("an unsolicited session_ticket", unsupported(), |i| {
            sh(i, |h| set_ext(&mut h.exts, X::SESSION_TICKET, &[]))
        })],
    );

    // A server_name answer to a client that sent no SNI.
    client_cases(
        &|| {
            let (log, cctx, sctx) = logged_contexts12(&pki, |c| c.server_auth = AuthLevel::None, none);
            let mut m = Mitm12::connect(log, cctx, sctx, None, None);
            m.forward_to_server().unwrap();
            let items = m.server_output();
            (m, items)
        },
        vec![case("an unsolicited server_name", unsupported(), |i| {
            sh(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &[]))
        })],
    );

    // A TLS 1.3-capable client (it sends a random legacy session ID) and a TLS 1.2 server.
    client_cases(
        &|| server_flight(&pki, &tls13_capable, &none),
        vec![
            case("DOWNGRD\\x01 to a TLS 1.3 client", illegal(), |i| {
                sh(i, |h| h.random[24..].copy_from_slice(b"DOWNGRD\x01"))
            }),
            case_m("an echo of a session ID that resumes nothing", illegal(), |m, i| {
                let offered = Hello::parse(&m.sent(FROM_CLIENT, H::CLIENT_HELLO)).session_id;
                assert_eq!(offered.len(), 32);
                sh(i, |h| h.session_id = offered);
            }),
        ],
    );
}

#[test]
fn downgrade_sentinel() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // An attacker strips TLS 1.3 from a ClientHello between two TLS 1.3 peers:
    // the server answers TLS 1.2 with DOWNGRD\x01 and the client refuses.
    let (mut m, mut items) = hello(&pki, &tls13_capable, &tls13_capable);
    ch(&mut items, |h| remove_ext(&mut h.exts, X::SUPPORTED_VERSIONS));
    m.deliver_to_server(&items).unwrap();
    let flight = m.server_output();
    let random = Hello::parse(flight[0].msg()).random;
    assert_eq!(&random[24..], b"DOWNGRD\x01");
    client_rejects(&mut m, &flight, &illegal(), "TLS 1.3 stripped from the ClientHello");

    // A TLS 1.2-only client takes the same answer from a TLS 1.3 server.
    let m = connected(&pki, &none, &tls13_capable);
    assert_eq!(&Hello::parse(&m.sent(FROM_SERVER, H::SERVER_HELLO)).random[24..], b"DOWNGRD\x01");
    assert_eq!(m.client.version(), Some(ProtocolVersion::TLS1_2));
    // A TLS 1.2 server that cannot do TLS 1.3 sets no sentinel.
    let m = connected(&pki, &tls13_capable, &none);
    assert_ne!(&Hello::parse(&m.sent(FROM_SERVER, H::SERVER_HELLO)).random[24..31], b"DOWNGRD");
}

// ---------------------------------------------------------------------------
// The server's Certificate (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn server_certificate() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let other = TestPki::new(KeyType::EcdsaP256);
    let foreign = pem_der(&other.chain_pem);
    let (rsa_chain, _) = pki.issue(KeyType::Rsa2048, &["localhost"]);
    let rsa_cert = pem_der(&rsa_chain);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("Certificate cut by one byte", decode(), |i| edit(i, H::CERTIFICATE, short)),
            case("Certificate with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE, trailing)),
            case("empty Certificate body", decode(), |i| edit(i, H::CERTIFICATE, empty_body)),
            case("an empty certificate list", decode(), |i| edit(i, H::CERTIFICATE, |_| certificate12(&[]))),
            case("a zero-length certificate", decode(), |i| edit(i, H::CERTIFICATE, |_| certificate12(&[b""]))),
            case("a certificate list longer than the message", decode(), |i| {
                edit(i, H::CERTIFICATE, |m| {
                    let mut b = hs_body(m).to_vec();
                    b[2] = b[2].wrapping_add(1);
                    hs_msg(H::CERTIFICATE, &b)
                })
            }),
            case("not DER", cert(CertificateError::BadEncoding), |i| {
                edit(i, H::CERTIFICATE, |_| certificate12(&[b"not a certificate"]))
            }),
            case("from an unknown CA", cert(CertificateError::UnknownIssuer), move |i| {
                let f = foreign.clone();
                edit(i, H::CERTIFICATE, |_| certificate12(&[&f]))
            }),
            case("an RSA certificate for an ECDSA suite", cert(CertificateError::UnsupportedAlgorithm), move |i| {
                let r = rsa_cert.clone();
                edit(i, H::CERTIFICATE, |_| certificate12(&[&r]))
            }),
            case("Certificate skipped", unexpected_hs(H::SERVER_KEY_EXCHANGE), |i| {
                take(i, H::CERTIFICATE);
            }),
            case("Certificate twice", unexpected_hs(H::CERTIFICATE), |i| {
                let c = copy(i, H::CERTIFICATE);
                insert_after(i, H::CERTIFICATE, c);
            }),
            case("ServerKeyExchange before Certificate", unexpected_hs(H::SERVER_KEY_EXCHANGE), |i| {
                let s = take(i, H::SERVER_KEY_EXCHANGE);
                insert_before(i, H::CERTIFICATE, s);
            }),
        ],
    );
}

/// RFC 6066 §8: status_request in the ServerHello and the CertificateStatus
/// message that may follow the Certificate.
#[test]
fn certificate_status() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let asking = |c: &mut Context| c.request_ocsp = true;
    let stapling = |s: &mut Context| {
        s.certificates = Default::default();
        s.add_cert(pki.certified_key().with_ocsp(vec![0x30, 1, 2, 3]));
    };
    // The client did not ask.
    client_cases(
        &|| server_flight(&pki, &none, &none),
        vec![
            case("an unsolicited status_request", unsupported(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::STATUS_REQUEST, &[]))
            }),
            case("a CertificateStatus the ServerHello did not announce", unexpected_hs(H::CERTIFICATE_STATUS), |i| {
                insert_after(i, H::CERTIFICATE, hs(H::CERTIFICATE_STATUS, &[1, 0, 0, 1, 9]))
            }),
        ],
    );
    // The client asked and the server staples.
    client_cases(
        &|| server_flight(&pki, &asking, &stapling),
        vec![
            case("status_request with a body", decode(), |i| sh(i, |h| set_ext(&mut h.exts, X::STATUS_REQUEST, &[0]))),
            case("an empty OCSP response", decode(), |i| {
                edit(i, H::CERTIFICATE_STATUS, |_| hs_msg(H::CERTIFICATE_STATUS, &[1, 0, 0, 0]))
            }),
            case("a status type other than ocsp", decode(), |i| {
                edit(i, H::CERTIFICATE_STATUS, |_| hs_msg(H::CERTIFICATE_STATUS, &[2, 0, 0, 1, 9]))
            }),
            case("CertificateStatus cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_STATUS, short)),
            case("CertificateStatus with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE_STATUS, trailing)),
            case("CertificateStatus twice", unexpected_hs(H::CERTIFICATE_STATUS), |i| {
                let c = copy(i, H::CERTIFICATE_STATUS);
                insert_after(i, H::CERTIFICATE_STATUS, c);
            }),
            case("CertificateStatus before the Certificate", unexpected_hs(H::CERTIFICATE_STATUS), |i| {
                let c = take(i, H::CERTIFICATE_STATUS);
                insert_before(i, H::CERTIFICATE, c);
            }),
            // The ServerKeyExchange is taken without the CertificateStatus (RFC 6066 §8
            // lets a server skip it); the late CertificateStatus is then refused.
            case("CertificateStatus after the ServerKeyExchange", unexpected_hs(H::CERTIFICATE_STATUS), |i| {
                let c = take(i, H::CERTIFICATE_STATUS);
                insert_after(i, H::SERVER_KEY_EXCHANGE, c);
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// ServerKeyExchange, ECDHE (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn server_key_exchange_ecdhe() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let p = &pki;
    let setup = || server_flight(&pki, &x25519_only, &none);
    client_cases(
        &setup,
        vec![
            case("ServerKeyExchange cut by one byte", decode(), |i| edit(i, H::SERVER_KEY_EXCHANGE, short)),
            case("ServerKeyExchange cut inside the point", decode(), |i| {
                edit(i, H::SERVER_KEY_EXCHANGE, |m| truncated(m, 10))
            }),
            case("ServerKeyExchange with a trailing byte", decode(), |i| edit(i, H::SERVER_KEY_EXCHANGE, trailing)),
            case("empty ServerKeyExchange", decode(), |i| edit(i, H::SERVER_KEY_EXCHANGE, empty_body)),
            case("an empty point", decode(), |i| ske_unsigned(i, true, |s| s.fields[2].clear())),
            case("an empty signature", decode(), |i| ske_unsigned(i, true, |s| s.sig.clear())),
            case("curve type explicit_prime", illegal(), |i| ske_unsigned(i, true, |s| s.fields[0] = vec![1])),
            case("curve type explicit_char2", illegal(), |i| ske_unsigned(i, true, |s| s.fields[0] = vec![2])),
            case("a flipped signature bit", decrypt(), |i| edit(i, H::SERVER_KEY_EXCHANGE, flip_last)),
            case("a changed point under the old signature", decrypt(), |i| {
                ske_unsigned(i, true, |s| s.fields[2][5] ^= 1)
            }),
            case("a signature scheme that was not offered", illegal(), |i| {
                ske_unsigned(i, true, |s| s.scheme = SignatureScheme(0x0203))
            }),
            case("a scheme that does not fit the key", illegal(), |i| {
                ske_unsigned(i, true, |s| s.scheme = SignatureScheme::RSA_PSS_RSAE_SHA256)
            }),
            case_m("a curve that was not offered (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| {
                    s.fields[1] = NamedGroup::SECP384R1.0.to_be_bytes().to_vec();
                    s.fields[2] = valid_point(NamedGroup::SECP384R1);
                })
            }),
            case_m("an unknown curve (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[1] = vec![0x09, 0x99])
            }),
            case_m("an x25519 point of 31 bytes (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[2].truncate(31))
            }),
            case_m("an all-zero x25519 point (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[2] = vec![0; 32])
            }),
            case("ServerKeyExchange skipped", unexpected_hs(H::SERVER_HELLO_DONE), |i| {
                take(i, H::SERVER_KEY_EXCHANGE);
            }),
            case("ServerKeyExchange twice", unexpected_hs(H::SERVER_KEY_EXCHANGE), |i| {
                let s = copy(i, H::SERVER_KEY_EXCHANGE);
                insert_after(i, H::SERVER_KEY_EXCHANGE, s);
            }),
        ],
    );

    // P-256: points off the curve or in compressed form.
    client_cases(
        &|| server_flight(&pki, &p256_only, &none),
        vec![
            case_m("a P-256 point off the curve (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[2] = off_curve_p256())
            }),
            case_m("a compressed P-256 point (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[2] = cat(&[&[2], &s.fields[2][1..33]]))
            }),
            case_m("the P-256 point at infinity (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, true, |s| s.fields[2] = vec![0])
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// ServerKeyExchange, DHE (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn server_key_exchange_dhe() {
    let pki = TestPki::new(KeyType::Rsa2048);
    let p = &pki;
    let setup = || server_flight(&pki, &dhe_client, &none);
    client_cases(
        &setup,
        vec![
            case("DHE ServerKeyExchange cut by one byte", decode(), |i| edit(i, H::SERVER_KEY_EXCHANGE, short)),
            case("DHE ServerKeyExchange cut inside the prime", decode(), |i| {
                edit(i, H::SERVER_KEY_EXCHANGE, |m| truncated(m, 100))
            }),
            case("DHE ServerKeyExchange with a trailing byte", decode(), |i| edit(i, H::SERVER_KEY_EXCHANGE, trailing)),
            case("an empty prime", decode(), |i| ske_unsigned(i, false, |s| s.fields[0].clear())),
            case("an empty generator", decode(), |i| ske_unsigned(i, false, |s| s.fields[1].clear())),
            case("an empty public value", decode(), |i| ske_unsigned(i, false, |s| s.fields[2].clear())),
            case("a flipped signature bit", decrypt(), |i| edit(i, H::SERVER_KEY_EXCHANGE, flip_last)),
            case("a changed public value under the old signature", decrypt(), |i| {
                ske_unsigned(i, false, |s| s.fields[2][7] ^= 0x10)
            }),
            case_m("a prime of 1024 bits (signed)", insufficient(), move |m, i| {
                ske_resigned(p, m, i, false, |s| {
                    s.fields[0] = vec![0xff; 128];
                    s.fields[2] = vec![5; 128];
                })
            }),
            case_m("an even prime (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| *s.fields[0].last_mut().unwrap() &= 0xfe)
            }),
            case_m("generator 1 (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[1] = vec![1])
            }),
            case_m("generator p-1 (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[1] = minus_one(&s.fields[0]))
            }),
            case_m("public value 0 (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[2] = vec![0])
            }),
            case_m("public value 1 (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[2] = vec![1])
            }),
            case_m("public value p-1 (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[2] = minus_one(&s.fields[0]))
            }),
            case_m("public value p (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[2] = s.fields[0].clone())
            }),
            case_m("a public value longer than the prime (signed)", illegal(), move |m, i| {
                ske_resigned(p, m, i, false, |s| s.fields[2] = cat(&[&[1], &s.fields[2]]))
            }),
            case("DHE ServerKeyExchange skipped", unexpected_hs(H::SERVER_HELLO_DONE), |i| {
                take(i, H::SERVER_KEY_EXCHANGE);
            }),
        ],
    );
    // The limit is the size: a signed 2048-bit group that is no RFC 7919 group
    // is taken. The server chooses its group; the client does not test a
    // custom modulus for primality (too costly per handshake, which is why
    // RFC 7919 names groups).
    let (mut m, mut items) = server_flight(&pki, &dhe_client, &none);
    ske_resigned(&pki, &m, &mut items, false, |s| {
        s.fields[0] = minus_one(&minus_one(&s.fields[0])); // still odd: p - 2
    });
    m.deliver_to_client(&items).unwrap();
    assert_eq!(m.client.negotiated().group, None, "a custom group has no name");
}

// ---------------------------------------------------------------------------
// CertificateRequest and ServerHelloDone (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn certificate_request_and_server_hello_done() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let client_cert = with_client_cert(&pki);
    let setup = || server_flight(&pki, &client_cert, &require_client_cert);
    client_cases(
        &setup,
        vec![
            case("CertificateRequest cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, short)),
            case("CertificateRequest with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, trailing)),
            case("empty CertificateRequest", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, empty_body)),
            case("no certificate types", decode(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |_| {
                    hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&[0], &u16s(&[0x0403]), &[0, 0]]))
                })
            }),
            case("no signature algorithms", decode(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |_| {
                    hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(&[64]), &[0, 0], &[0, 0]]))
                })
            }),
            case("signature algorithms of odd length", decode(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |_| {
                    hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(&[64]), &[0, 3, 4, 3, 1], &[0, 0]]))
                })
            }),
            case("an empty distinguished name", decode(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |_| {
                    hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(&[64]), &u16s(&[0x0403]), &vec16(&[0, 0])]))
                })
            }),
            case("CertificateRequest twice", unexpected_hs(H::CERTIFICATE_REQUEST), |i| {
                let c = copy(i, H::CERTIFICATE_REQUEST);
                insert_after(i, H::CERTIFICATE_REQUEST, c);
            }),
            case("CertificateRequest before ServerKeyExchange", unexpected_hs(H::CERTIFICATE_REQUEST), |i| {
                let c = take(i, H::CERTIFICATE_REQUEST);
                insert_before(i, H::SERVER_KEY_EXCHANGE, c);
            }),
            case("CertificateRequest after ServerHelloDone", unexpected_hs(H::CERTIFICATE_REQUEST), |i| {
                let c = take(i, H::CERTIFICATE_REQUEST);
                i.push(c);
            }),
            case("ServerHelloDone with a body", decode(), |i| edit(i, H::SERVER_HELLO_DONE, trailing)),
            case("ServerHelloDone twice", unexpected_hs(H::SERVER_HELLO_DONE), |i| {
                let d = copy(i, H::SERVER_HELLO_DONE);
                i.push(d);
            }),
            case("ServerHelloDone replaced by a ChangeCipherSpec", unexpected_ccs(), |i| {
                take(i, H::SERVER_HELLO_DONE);
                i.push(ccs());
            }),
            case("ServerHelloDone replaced by a Finished", unexpected_hs(H::FINISHED), |i| {
                take(i, H::SERVER_HELLO_DONE);
                i.push(hs(H::FINISHED, &[0; 12]));
            }),
        ],
    );

    // A CertificateRequest the client cannot answer: it sends no
    // certificate, and a server that requires one refuses (RFC 5246 §7.4.6).
    let (mut m, mut items) = server_flight(&pki, &client_cert, &require_client_cert);
    edit(&mut items, H::CERTIFICATE_REQUEST, |_| {
        hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(&[64]), &u16s(&[0x0809]), &[0, 0]]))
    });
    m.deliver_to_client(&items).unwrap();
    let flight = m.client_output();
    assert_eq!(hs_body(flight[0].msg()), &[0, 0, 0], "an empty Certificate");
    server_rejects(&mut m, &flight, &failure(), "no client certificate though one is required");

    // A CertificateRequest dropped on the way: the client sends no
    // Certificate, and the server that asked for one gets a ClientKeyExchange.
    let (mut m, mut items) = server_flight(&pki, &client_cert, &require_client_cert);
    take(&mut items, H::CERTIFICATE_REQUEST);
    m.deliver_to_client(&items).unwrap();
    let flight = m.client_output();
    assert_eq!(flight[0].hs_type(), Some(H::CLIENT_KEY_EXCHANGE));
    server_rejects(&mut m, &flight, &unexpected_hs(H::CLIENT_KEY_EXCHANGE), "CertificateRequest skipped");
}

// ---------------------------------------------------------------------------
// The client's Certificate and CertificateVerify (the server detects)
// ---------------------------------------------------------------------------

#[test]
fn client_certificate_and_verify() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let other = TestPki::new(KeyType::EcdsaP256);
    let (foreign_chain, _) = other.issue(KeyType::EcdsaP256, &["client.test"]);
    let foreign = pem_der(&foreign_chain);
    let client_cert = with_client_cert(&pki);
    let setup = || client_flight(&pki, &client_cert, &require_client_cert);
    server_cases(
        &setup,
        vec![
            case("client Certificate cut by one byte", decode(), |i| edit(i, H::CERTIFICATE, short)),
            case("client Certificate with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE, trailing)),
            case("empty client Certificate body", decode(), |i| edit(i, H::CERTIFICATE, empty_body)),
            case("a zero-length client certificate", decode(), |i| edit(i, H::CERTIFICATE, |_| certificate12(&[b""]))),
            case("client certificate not DER", cert(CertificateError::BadEncoding), |i| {
                edit(i, H::CERTIFICATE, |_| certificate12(&[b"junk"]))
            }),
            case("client certificate from an unknown CA", cert(CertificateError::UnknownIssuer), move |i| {
                let f = foreign.clone();
                edit(i, H::CERTIFICATE, |_| certificate12(&[&f]))
            }),
            case("no client certificate though one is required", failure(), |i| {
                edit(i, H::CERTIFICATE, |_| certificate12(&[]));
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("client Certificate skipped", unexpected_hs(H::CLIENT_KEY_EXCHANGE), |i| {
                take(i, H::CERTIFICATE);
            }),
            case("client Certificate twice", unexpected_hs(H::CERTIFICATE), |i| {
                let c = copy(i, H::CERTIFICATE);
                insert_after(i, H::CERTIFICATE, c);
            }),
            case("CertificateVerify cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, short)),
            case("CertificateVerify with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, trailing)),
            case("empty CertificateVerify", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, empty_body)),
            case("CertificateVerify with an empty signature", decode(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(cv_parts(m).0, &[]))
            }),
            case("a flipped CertificateVerify signature bit", decrypt(), |i| edit(i, H::CERTIFICATE_VERIFY, flip_last)),
            case("a CertificateVerify scheme that was not offered", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme(0x0203), &cv_parts(m).1))
            }),
            case("a CertificateVerify scheme that does not fit the key", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme::RSA_PKCS1_SHA256, &cv_parts(m).1))
            }),
            case("CertificateVerify skipped", unexpected_ccs(), |i| {
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("CertificateVerify twice", unexpected_hs(H::CERTIFICATE_VERIFY), |i| {
                let c = copy(i, H::CERTIFICATE_VERIFY);
                insert_after(i, H::CERTIFICATE_VERIFY, c);
            }),
            case("CertificateVerify before ClientKeyExchange", unexpected_hs(H::CERTIFICATE_VERIFY), |i| {
                let c = take(i, H::CERTIFICATE_VERIFY);
                insert_before(i, H::CLIENT_KEY_EXCHANGE, c);
            }),
            case("a ChangeCipherSpec before the client Certificate", unexpected_ccs(), |i| {
                let c = i.remove(ccs_at(i));
                i.insert(0, c);
            }),
            case("a ChangeCipherSpec before CertificateVerify", unexpected_ccs(), |i| {
                let c = i.remove(ccs_at(i));
                insert_before(i, H::CERTIFICATE_VERIFY, c);
            }),
        ],
    );

    // Messages nobody asked for.
    server_cases(
        &|| client_flight(&pki, &client_cert, &none),
        vec![case("a client Certificate that was not requested", unexpected_hs(H::CERTIFICATE), |i| {
            let chain = pem_der(&pki.chain_pem);
            insert_before(i, H::CLIENT_KEY_EXCHANGE, Item::Hs(certificate12(&[&chain])));
        })],
    );
    server_cases(
        &|| client_flight(&pki, &none, &ask_client_cert),
        vec![case("CertificateVerify after an empty Certificate", unexpected_hs(H::CERTIFICATE_VERIFY), |i| {
            assert_eq!(hs_body(copy(i, H::CERTIFICATE).msg()), &[0, 0, 0]);
            insert_after(
                i,
                H::CLIENT_KEY_EXCHANGE,
                Item::Hs(cert_verify(SignatureScheme::ECDSA_SECP256R1_SHA256, &[1; 70])),
            );
        })],
    );
}

// ---------------------------------------------------------------------------
// ClientKeyExchange (the server detects)
// ---------------------------------------------------------------------------

#[test]
fn client_key_exchange() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || client_flight(&pki, &x25519_only, &none);
    server_cases(
        &setup,
        vec![
            case("ClientKeyExchange cut by one byte", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, short)),
            case("ClientKeyExchange with a trailing byte", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, trailing)),
            case("empty ClientKeyExchange", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, empty_body)),
            case("an empty point", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&[]))),
            case("a point with a DH-style length", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&[9; 32]))),
            case("an x25519 point of 31 bytes", illegal(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&[9; 31]))),
            case("an all-zero x25519 point", illegal(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&[0; 32]))),
            case("a low-order x25519 point", illegal(), |i| {
                // u = 1 has order 4: the shared secret is all zeros.
                let mut one = [0u8; 32];
                one[0] = 1;
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&one))
            }),
            case("ClientKeyExchange skipped", unexpected_ccs(), |i| {
                take(i, H::CLIENT_KEY_EXCHANGE);
            }),
            case("ClientKeyExchange twice", unexpected_hs(H::CLIENT_KEY_EXCHANGE), |i| {
                let c = copy(i, H::CLIENT_KEY_EXCHANGE);
                insert_after(i, H::CLIENT_KEY_EXCHANGE, c);
            }),
            case("a ChangeCipherSpec before ClientKeyExchange", unexpected_ccs(), |i| {
                let c = i.remove(ccs_at(i));
                i.insert(0, c);
            }),
            case("a ChangeCipherSpec splitting ClientKeyExchange", unexpected_ccs(), |i| {
                let cke = take(i, H::CLIENT_KEY_EXCHANGE).msg().to_vec();
                i.insert(0, Item::rec(CT::HANDSHAKE, &cke[..3]));
                i.insert(1, ccs());
                i.insert(2, Item::rec(CT::HANDSHAKE, &cke[3..]));
            }),
            case("a ServerKeyExchange from the client", unexpected_hs(H::SERVER_KEY_EXCHANGE), |i| {
                edit(i, H::CLIENT_KEY_EXCHANGE, |m| retyped(m, H::SERVER_KEY_EXCHANGE))
            }),
        ],
    );
    server_cases(
        &|| client_flight(&pki, &p256_only, &none),
        vec![
            case("a P-256 point off the curve", illegal(), |i| {
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&off_curve_p256()))
            }),
            case("a compressed P-256 point", illegal(), |i| {
                edit(i, H::CLIENT_KEY_EXCHANGE, |m| {
                    let point = Cursor(hs_body(m)).v8().to_vec();
                    cke_ec(&cat(&[&[2 + (point[64] & 1)], &point[1..33]]))
                })
            }),
            case("the P-256 point at infinity", illegal(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&[0]))),
        ],
    );

    // DHE.
    let rsa = TestPki::new(KeyType::Rsa2048);
    server_cases(
        &|| client_flight(&rsa, &dhe_client, &none),
        vec![
            case("DHE ClientKeyExchange cut by one byte", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, short)),
            case("DHE ClientKeyExchange with a trailing byte", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, trailing)),
            case("an empty DH public value", decode(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&[]))),
            case("a DH value with an ECDH-style length", decode(), |i| {
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_ec(&[9; 200]))
            }),
            case("DH public value 0", illegal(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&[0]))),
            case("DH public value 1", illegal(), |i| edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&[1]))),
            case_m("DH public value p-1", illegal(), |m, i| {
                let p = server_prime(m);
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&minus_one(&p)))
            }),
            case_m("DH public value p", illegal(), |m, i| {
                let p = server_prime(m);
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&p))
            }),
            case_m("a DH public value longer than the prime", illegal(), |m, i| {
                let p = server_prime(m);
                edit(i, H::CLIENT_KEY_EXCHANGE, |_| cke_dh(&cat(&[&[1], &p])))
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// ChangeCipherSpec in every wrong place
// ---------------------------------------------------------------------------

#[test]
fn change_cipher_spec() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // The server's first flight, at the client.
    client_cases(
        &|| server_flight(&pki, &none, &none),
        vec![
            case("a ChangeCipherSpec before the ServerHello", unexpected_ccs(), |i| i.insert(0, ccs())),
            case("a ChangeCipherSpec right after the ServerHello", unexpected_ccs(), |i| {
                insert_after(i, H::SERVER_HELLO, ccs())
            }),
            case("a ChangeCipherSpec before ServerKeyExchange", unexpected_ccs(), |i| {
                insert_before(i, H::SERVER_KEY_EXCHANGE, ccs())
            }),
            case("a ChangeCipherSpec before ServerHelloDone", unexpected_ccs(), |i| {
                insert_before(i, H::SERVER_HELLO_DONE, ccs())
            }),
            case("a ChangeCipherSpec splitting the Certificate", unexpected_ccs(), |i| {
                let c = take(i, H::CERTIFICATE).msg().to_vec();
                i.insert(1, Item::rec(CT::HANDSHAKE, &c[..40]));
                i.insert(2, ccs());
                i.insert(3, Item::rec(CT::HANDSHAKE, &c[40..]));
            }),
            case("a ChangeCipherSpec of value 2", decode(), |i| {
                insert_after(i, H::SERVER_HELLO, Item::rec(CT::CHANGE_CIPHER_SPEC, &[2]))
            }),
            case("a ChangeCipherSpec of two bytes", decode(), |i| {
                insert_after(i, H::SERVER_HELLO, Item::rec(CT::CHANGE_CIPHER_SPEC, &[1, 1]))
            }),
            case("an empty ChangeCipherSpec", unexpected_ccs(), |i| {
                insert_after(i, H::SERVER_HELLO, Item::rec(CT::CHANGE_CIPHER_SPEC, &[]))
            }),
        ],
    );
    // The server's last flight, at the client.
    client_cases(
        &|| server_finish(&pki, &none, &none),
        vec![
            case("a ChangeCipherSpec before NewSessionTicket", unexpected_ccs(), |i| {
                let c = i.remove(ccs_at(i));
                i.insert(0, c);
            }),
            case("two ChangeCipherSpecs from the server", unexpected_ccs(), |i| i.insert(ccs_at(i), ccs())),
            case("no ChangeCipherSpec from the server", unexpected_hs(H::FINISHED), |i| {
                i.remove(ccs_at(i));
            }),
            case("a server ChangeCipherSpec of value 2", decode(), |i| {
                replace_ccs(i, Item::rec(CT::CHANGE_CIPHER_SPEC, &[2]))
            }),
            case("a ChangeCipherSpec after the server Finished", unexpected_ccs(), |i| i.push(ccs())),
            case("Finished before the ChangeCipherSpec", unexpected_hs(H::FINISHED), |i| {
                let f = take(i, H::FINISHED);
                i.insert(ccs_at(i), f);
            }),
        ],
    );
    // The client's flight, at the server.
    server_cases(
        &|| client_flight(&pki, &none, &none),
        vec![
            case("two ChangeCipherSpecs from the client", unexpected_ccs(), |i| i.insert(ccs_at(i), ccs())),
            case("no ChangeCipherSpec from the client", unexpected_hs(H::FINISHED), |i| {
                i.remove(ccs_at(i));
            }),
            case("a client ChangeCipherSpec of value 2", decode(), |i| {
                replace_ccs(i, Item::rec(CT::CHANGE_CIPHER_SPEC, &[2]))
            }),
            case("a client ChangeCipherSpec of two bytes", decode(), |i| {
                replace_ccs(i, Item::rec(CT::CHANGE_CIPHER_SPEC, &[1, 0]))
            }),
            case("an empty client ChangeCipherSpec", unexpected_ccs(), |i| {
                replace_ccs(i, Item::rec(CT::CHANGE_CIPHER_SPEC, &[]))
            }),
            case("a client Finished before its ChangeCipherSpec", unexpected_hs(H::FINISHED), |i| {
                let f = take(i, H::FINISHED);
                i.insert(ccs_at(i), f);
            }),
        ],
    );
    // After the handshake (encrypted ChangeCipherSpec), both ways.
    server_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![case("a ChangeCipherSpec to the server after the handshake", unexpected_ccs(), |i| i.push(ccs()))],
    );
    client_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![case("a ChangeCipherSpec to the client after the handshake", unexpected_ccs(), |i| i.push(ccs()))],
    );
}

// ---------------------------------------------------------------------------
// Finished (both sides)
// ---------------------------------------------------------------------------

#[test]
fn finished() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    client_cases(
        &|| server_finish(&pki, &none, &none),
        vec![
            case("a flipped server Finished bit", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
            case("a server Finished of 11 bytes", decode(), |i| edit(i, H::FINISHED, short)),
            case("a server Finished of 13 bytes", decode(), |i| edit(i, H::FINISHED, trailing)),
            case("an empty server Finished", decode(), |i| edit(i, H::FINISHED, empty_body)),
            case("a server Finished of 32 bytes", decode(), |i| {
                edit(i, H::FINISHED, |_| hs_msg(H::FINISHED, &[0; 32]))
            }),
            case("server Finished twice", unexpected_hs(H::FINISHED), |i| {
                let f = copy(i, H::FINISHED);
                i.push(f);
            }),
            case("server Finished replaced by application data", unexpected_data(), |i| {
                take(i, H::FINISHED);
                i.push(Item::rec(CT::APPLICATION_DATA, b"early"));
            }),
            case("application data before the server Finished", unexpected_data(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::APPLICATION_DATA, b"early"))
            }),
            case("a ServerHelloDone instead of Finished", unexpected_hs(H::SERVER_HELLO_DONE), |i| {
                edit(i, H::FINISHED, |_| hs_msg(H::SERVER_HELLO_DONE, &[]))
            }),
        ],
    );
    server_cases(
        &|| client_flight(&pki, &none, &none),
        vec![
            case("a flipped client Finished bit", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
            case("a client Finished of 11 bytes", decode(), |i| edit(i, H::FINISHED, short)),
            case("a client Finished of 13 bytes", decode(), |i| edit(i, H::FINISHED, trailing)),
            case("an empty client Finished", decode(), |i| edit(i, H::FINISHED, empty_body)),
            case("client Finished twice", unexpected_hs(H::FINISHED), |i| {
                let f = copy(i, H::FINISHED);
                i.push(f);
            }),
            case("client Finished replaced by application data", unexpected_data(), |i| {
                take(i, H::FINISHED);
                i.push(Item::rec(CT::APPLICATION_DATA, b"early"));
            }),
            case("a ClientKeyExchange instead of Finished", unexpected_hs(H::CLIENT_KEY_EXCHANGE), |i| {
                edit(i, H::FINISHED, |m| retyped(m, H::CLIENT_KEY_EXCHANGE))
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// NewSessionTicket (the client detects)
// ---------------------------------------------------------------------------

fn ticket_msg(lifetime: u32, ticket: &[u8]) -> Vec<u8> {
    hs_msg(H::NEW_SESSION_TICKET, &cat(&[&lifetime.to_be_bytes(), &vec16(ticket)]))
}

#[test]
fn new_session_ticket() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    client_cases(
        &|| server_finish(&pki, &none, &none),
        vec![
            case("NewSessionTicket cut by one byte", decode(), |i| edit(i, H::NEW_SESSION_TICKET, short)),
            case("NewSessionTicket cut in the lifetime", decode(), |i| {
                edit(i, H::NEW_SESSION_TICKET, |m| truncated(m, 3))
            }),
            case("NewSessionTicket with a trailing byte", decode(), |i| edit(i, H::NEW_SESSION_TICKET, trailing)),
            case("empty NewSessionTicket", decode(), |i| edit(i, H::NEW_SESSION_TICKET, empty_body)),
            case("NewSessionTicket twice", unexpected_hs(H::NEW_SESSION_TICKET), |i| {
                let t = copy(i, H::NEW_SESSION_TICKET);
                i.insert(0, t);
            }),
            case("NewSessionTicket skipped", unexpected_ccs(), |i| {
                take(i, H::NEW_SESSION_TICKET);
            }),
            case("NewSessionTicket after the server Finished", unexpected_hs(H::NEW_SESSION_TICKET), |i| {
                let t = take(i, H::NEW_SESSION_TICKET);
                i.push(t.clone());
                i.insert(0, t);
            }),
        ],
    );
    client_cases(
        &|| server_finish(&pki, &none, &no_tickets),
        vec![case("a NewSessionTicket that was not announced", unexpected_hs(H::NEW_SESSION_TICKET), |i| {
            i.insert(0, Item::Hs(ticket_msg(300, &[5; 40])))
        })],
    );
    server_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![case("a NewSessionTicket to the server", unexpected_hs(H::NEW_SESSION_TICKET), |i| {
            i.push(Item::Hs(ticket_msg(300, &[5; 40])))
        })],
    );
}

// ---------------------------------------------------------------------------
// HelloRequest
// ---------------------------------------------------------------------------

#[test]
fn hello_request() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let hr = || hs(H::HELLO_REQUEST, &[]);
    client_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![case("HelloRequest with a body", decode(), |i| i.push(hs(H::HELLO_REQUEST, &[0])))],
    );
    client_cases(
        &|| server_flight(&pki, &none, &none),
        vec![
            case("HelloRequest with a body during the handshake", decode(), |i| {
                insert_after(i, H::CERTIFICATE, hs(H::HELLO_REQUEST, &[1]))
            }),
            case("HelloRequest before the ServerHello", unexpected_hs(H::HELLO_REQUEST), move |i| i.insert(0, hr())),
        ],
    );
    server_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![case("a HelloRequest to the server", unexpected_hs(H::HELLO_REQUEST), move |i| i.push(hr()))],
    );
    server_cases(
        &|| client_flight(&pki, &none, &none),
        vec![case("a HelloRequest to the server during the handshake", unexpected_hs(H::HELLO_REQUEST), move |i| {
            i.insert(0, hr())
        })],
    );

    // RFC 5246 §7.4.1.1: a HelloRequest during a handshake is ignored (and
    // kept out of the transcript): the handshake still completes.
    let (mut m, mut items) = server_flight(&pki, &none, &none);
    insert_after(&mut items, H::CERTIFICATE, hr());
    insert_after(&mut items, H::SERVER_KEY_EXCHANGE, hr());
    m.deliver_to_client(&items).unwrap();
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    items.insert(0, hr());
    let at = ccs_at(&items);
    items.insert(at + 1, hr());
    m.deliver_to_client(&items).unwrap();
    assert!(m.client.is_handshake_complete() && m.client.error().is_none());

    // After the handshake, with renegotiation off: a no_renegotiation warning, and the connection lives on.
    let mut m = connected(&pki, &none, &none);
    m.deliver_to_client(&[hr()]).unwrap();
    let back = m.client_output();
    assert_eq!(back, vec![Item::Rec { typ: CT::ALERT, data: vec![1, A::NO_RENEGOTIATION.0], pad: 0, plain: false }]);
    m.deliver_to_server(&back).unwrap();
    m.client.send(b"still here").unwrap();
    m.pump().unwrap();
    assert_eq!(read_all(&mut m.server), b"still here");
}

// ---------------------------------------------------------------------------
// Resumption (both sides)
// ---------------------------------------------------------------------------

#[test]
fn resumption() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    for tickets in [true, false] {
        client_cases(
            &|| resumed_server_flight(&pki, tickets),
            vec![
                case("a flipped resumed server Finished bit", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
                case("no ChangeCipherSpec in a resumed handshake", unexpected_hs(H::FINISHED), |i| {
                    i.remove(ccs_at(i));
                }),
                case("a Certificate after a resuming ServerHello", unexpected_hs(H::CERTIFICATE), |i| {
                    insert_after(i, H::SERVER_HELLO, Item::Hs(certificate12(&[b"x"])))
                }),
                case("a ServerKeyExchange after a resuming ServerHello", unexpected_hs(H::SERVER_KEY_EXCHANGE), |i| {
                    insert_after(i, H::SERVER_HELLO, hs(H::SERVER_KEY_EXCHANGE, &[3, 0, 29]))
                }),
                case("resumption with another suite", illegal(), |i| {
                    sh(i, |h| h.suites = vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.0])
                }),
                case("resumption without extended_master_secret", failure(), |i| {
                    sh(i, |h| remove_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET))
                }),
            ],
        );
        server_cases(
            &|| resumed_client_flight(&pki, tickets),
            vec![
                case("a flipped resumed client Finished bit", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
                case("a ClientKeyExchange in a resumed handshake", unexpected_hs(H::CLIENT_KEY_EXCHANGE), |i| {
                    i.insert(0, Item::Hs(cke_ec(&[9; 32])))
                }),
                case("no client ChangeCipherSpec in a resumed handshake", unexpected_hs(H::FINISHED), |i| {
                    i.remove(ccs_at(i));
                }),
                case("two client ChangeCipherSpecs in a resumed handshake", unexpected_ccs(), |i| i.insert(0, ccs())),
            ],
        );
        // RFC 7627 §5.3: an EMS session offered without the extension.
        server_cases(
            &|| resumption_hello(&pki, tickets),
            vec![case("an EMS session offered without extended_master_secret", failure(), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET))
            })],
        );
    }
    // The server's NewSessionTicket in a resumption by ticket.
    client_cases(
        &|| resumed_server_flight(&pki, true),
        vec![case("no NewSessionTicket in a resumed handshake that announced one", unexpected_ccs(), |i| {
            take(i, H::NEW_SESSION_TICKET);
        })],
    );
}

// ---------------------------------------------------------------------------
// Renegotiation (RFC 5746)
// ---------------------------------------------------------------------------

/// A connection with renegotiation on, and the client's renegotiation ClientHello.
fn renegotiation_hello(pki: &TestPki) -> (Mitm12, Vec<Item>) {
    let mut m = connected(pki, &renegotiation, &renegotiation);
    m.client.renegotiate().unwrap();
    let items = m.client_output();
    assert_eq!(items.len(), 1);
    (m, items)
}

/// The server's answer to a renegotiation.
fn renegotiation_flight(pki: &TestPki) -> (Mitm12, Vec<Item>) {
    let (mut m, items) = renegotiation_hello(pki);
    m.deliver_to_server(&items).unwrap();
    let items = m.server_output();
    (m, items)
}

#[test]
fn renegotiation_info() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    server_cases(
        &|| renegotiation_hello(&pki),
        vec![
            case("a renegotiation without renegotiation_info", failure(), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::RENEGOTIATION_INFO))
            }),
            case("renegotiation_info with the wrong verify_data", failure(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &vec8(&[0x55; 12])))
            }),
            case("an empty renegotiation_info in a renegotiation", failure(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &[0]))
            }),
            case("the SCSV instead of renegotiation_info", failure(), |i| {
                ch(i, |h| {
                    remove_ext(&mut h.exts, X::RENEGOTIATION_INFO);
                    h.suites.push(0x00ff);
                })
            }),
            case("the SCSV next to a good renegotiation_info", failure(), |i| ch(i, |h| h.suites.push(0x00ff))),
            case("a renegotiation ClientHello cut by one byte", decode(), |i| edit(i, H::CLIENT_HELLO, short)),
            case("a renegotiation without extended_master_secret", failure(), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::EXTENDED_MASTER_SECRET))
            }),
            case("a renegotiation ClientHello of TLS 1.1", Error::ProtocolVersion, |i| ch(i, |h| h.version = 0x0302)),
        ],
    );
    client_cases(
        &|| renegotiation_flight(&pki),
        vec![
            case("a renegotiation ServerHello without renegotiation_info", failure(), |i| {
                sh(i, |h| remove_ext(&mut h.exts, X::RENEGOTIATION_INFO))
            }),
            case("renegotiation_info with the wrong verify_data", failure(), |i| {
                sh(i, |h| {
                    let mut v = Cursor(h.ext(X::RENEGOTIATION_INFO).unwrap()).v8().to_vec();
                    v[20] ^= 1;
                    set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &vec8(&v));
                })
            }),
            case("renegotiation_info with only the client's verify_data", failure(), |i| {
                sh(i, |h| {
                    let v = Cursor(h.ext(X::RENEGOTIATION_INFO).unwrap()).v8().to_vec();
                    set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &vec8(&v[..12]));
                })
            }),
            case("an empty renegotiation_info in a renegotiation", failure(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::RENEGOTIATION_INFO, &[0]))
            }),
            case("a renegotiation ServerHello of TLS 1.1", illegal(), |i| sh(i, |h| h.version = 0x0302)),
            case("a renegotiation to TLS 1.3", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &[3, 4]))
            }),
            case("a renegotiation ServerHello twice", unexpected_hs(H::SERVER_HELLO), |i| {
                let s = copy(i, H::SERVER_HELLO);
                i.insert(0, s);
            }),
        ],
    );
    // A HelloRequest while the renegotiation is under way is ignored.
    let (mut m, mut items) = renegotiation_flight(&pki);
    items.insert(0, hs(H::HELLO_REQUEST, &[]));
    m.deliver_to_client(&items).unwrap();
    m.pump().unwrap();
    assert_eq!(m.client.handshakes(), 2);
}

// ---------------------------------------------------------------------------
// The record layer
// ---------------------------------------------------------------------------

#[test]
fn record_layer_before_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    server_cases(
        &|| hello(&pki, &none, &none),
        vec![
            case("a plaintext record over 2^14 bytes", Error::RecordOverflow, |i| {
                let big = edit_hello(i[0].msg(), |h| h.exts.insert(0, (X::PADDING, vec![0; 17_000])));
                *i = vec![Item::Raw(record(CT::HANDSHAKE, &big))];
            }),
            case("a record length over 2^14 + 2048", Error::RecordOverflow, |i| {
                *i = vec![Item::Raw(vec![22, 3, 3, 0x48, 0x01])]
            }),
            case("an empty handshake record", unexpected(), |i| i.insert(0, Item::plain(CT::HANDSHAKE, &[]))),
            case("application data before the ClientHello", unexpected_data(), |i| {
                i.insert(0, Item::plain(CT::APPLICATION_DATA, b"GET / HTTP/1.1"))
            }),
            case("an unknown content type", unexpected(), |i| *i = vec![Item::Raw(record(CT(99), &[1]))]),
            case("a heartbeat record", unexpected(), |i| *i = vec![Item::Raw(record(CT::HEARTBEAT, &[1, 0, 0]))]),
            case("a record of major version 4", decode(), |i| *i = vec![Item::Raw(vec![22, 4, 0, 0, 1, 1])]),
            case("an alert of one byte", decode(), |i| *i = vec![Item::plain(CT::ALERT, &[2])]),
            case("a handshake message over 256 KiB", Error::RecordOverflow, |i| {
                *i = vec![Item::plain(CT::HANDSHAKE, &[1, 0x04, 0x00, 0x01])]
            }),
        ],
    );
}

#[test]
fn record_layer_during_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let fin_record = |i: &mut Vec<Item>| -> Vec<u8> { take(i, H::FINISHED).msg().to_vec() };
    server_cases(
        &|| client_flight(&pki, &none, &none),
        vec![
            case("a plaintext Finished after the ChangeCipherSpec", Error::BadRecordMac, move |i| {
                let f = fin_record(i);
                i.push(Item::plain(CT::HANDSHAKE, &f));
            }),
            case("a plaintext fatal alert after the ChangeCipherSpec", Error::BadRecordMac, |i| {
                take(i, H::FINISHED);
                i.push(Item::plain(CT::ALERT, &[2, 40]));
            }),
            case("a plaintext close_notify after the ChangeCipherSpec", Error::BadRecordMac, |i| {
                take(i, H::FINISHED);
                i.push(Item::plain(CT::ALERT, &[1, 0]));
            }),
            case("an empty encrypted handshake record", unexpected(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::HANDSHAKE, &[]))
            }),
            case("application data before the client Finished", unexpected_data(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::APPLICATION_DATA, b"early"))
            }),
            case("an encrypted record over 2^14 bytes", Error::RecordOverflow, |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::APPLICATION_DATA, &[1; 16_385]))
            }),
            case("a record shorter than the explicit nonce and tag", Error::BadRecordMac, |i| {
                take(i, H::FINISHED);
                i.push(Item::Raw(vec![22, 3, 3, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
            }),
            case("a ChangeCipherSpec splitting the client Finished", unexpected_ccs(), move |i| {
                let f = fin_record(i);
                i.push(Item::rec(CT::HANDSHAKE, &f[..2]));
                i.push(ccs());
                i.push(Item::rec(CT::HANDSHAKE, &f[2..]));
            }),
            case("an encrypted alert of three bytes", decode(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::ALERT, &[2, 40, 0]))
            }),
        ],
    );

    // Damage on the wire: a flipped bit in the sealed Finished, in its explicit nonce, and a replay.
    for (what, at) in [("a flipped bit in the encrypted Finished", 1usize), ("a flipped bit in the explicit nonce", 0)]
    {
        let (mut m, items) = client_flight(&pki, &none, &none);
        let mut wire = m.seal_to_server(&items);
        let records = split_records(&wire);
        let last = records.last().unwrap().len();
        let pos = if at == 1 { wire.len() - 1 } else { wire.len() - last + 5 };
        wire[pos] ^= 0x04;
        server_rejects(&mut m, &[Item::Raw(wire)], &Error::BadRecordMac, what);
    }
    client_cases(
        &|| server_finish(&pki, &none, &none),
        vec![
            case("a plaintext server Finished after the ChangeCipherSpec", Error::BadRecordMac, |i| {
                let f = take(i, H::FINISHED);
                i.push(Item::plain(CT::HANDSHAKE, f.msg()));
            }),
            case("an empty encrypted record from the server", unexpected(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::HANDSHAKE, &[]))
            }),
        ],
    );
}

#[test]
fn record_layer_after_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    server_cases(
        &|| (connected(&pki, &none, &none), Vec::new()),
        vec![
            case("an encrypted record over 2^14 bytes", Error::RecordOverflow, |i| {
                i.push(Item::rec(CT::APPLICATION_DATA, &[1; 16_385]))
            }),
            case("a record length over 2^14 + 2048", Error::RecordOverflow, |i| {
                i.push(Item::Raw(vec![23, 3, 3, 0x48, 0x01]))
            }),
            case("a plaintext application data record", Error::BadRecordMac, |i| {
                i.push(Item::plain(CT::APPLICATION_DATA, &[7; 40]))
            }),
            case("a plaintext alert", Error::BadRecordMac, |i| i.push(Item::plain(CT::ALERT, &[2, 40]))),
            case("33 empty records", unexpected_data(), |i| {
                i.extend((0..33).map(|_| Item::rec(CT::APPLICATION_DATA, &[])))
            }),
            case("an empty encrypted alert record", unexpected(), |i| i.push(Item::rec(CT::ALERT, &[]))),
            case("an encrypted heartbeat", unexpected(), |i| i.push(Item::rec(CT::HEARTBEAT, &[1, 0, 1, 0]))),
            case("an encrypted alert of one byte", decode(), |i| i.push(Item::rec(CT::ALERT, &[1]))),
            case("application data inside a fragmented handshake message", unexpected_data(), |i| {
                let msg = hs_msg(H::CLIENT_HELLO, &[3, 3, 0, 0]);
                i.push(Item::rec(CT::HANDSHAKE, &msg[..2]));
                i.push(Item::rec(CT::APPLICATION_DATA, b"x"));
            }),
        ],
    );
    // At the limits: the largest record, and 32 empty records, are accepted.
    let mut m = connected(&pki, &none, &none);
    let mut items: Vec<Item> = (0..32).map(|_| Item::rec(CT::APPLICATION_DATA, &[])).collect();
    items.push(Item::rec(CT::APPLICATION_DATA, &[7; 16_384]));
    m.deliver_to_server(&items).unwrap();
    assert_eq!(read_all(&mut m.server), vec![7; 16_384]);
    // A replayed record fails: the sequence number moved on.
    m.client.send(b"once").unwrap();
    let items = m.client_output();
    let wire = m.seal_to_server(&items);
    m.server.read_tls(&wire).unwrap();
    assert_eq!(read_all(&mut m.server), b"once");
    server_rejects(&mut m, &[Item::Raw(wire)], &Error::BadRecordMac, "a replayed record");
}

// ---------------------------------------------------------------------------
// Fuzzing smoke run
// ---------------------------------------------------------------------------

/// Applies one random byte-level mutation.
fn mutate_bytes(rng: &mut Prng, b: &mut Vec<u8>) {
    if b.is_empty() {
        let n = 1 + rng.below(8);
        b.extend(rng.bytes(n));
        return;
    }
    let at = rng.below(b.len());
    match rng.below(7) {
        0 => b[at] ^= 1 << rng.below(8),
        1 => b[at] = rng.next_u64() as u8,
        2 => b.truncate(at),
        3 => {
            let n = 1 + rng.below(16);
            let junk = rng.bytes(n);
            b.splice(at..at, junk);
        }
        4 => {
            let end = (at + 1 + rng.below(16)).min(b.len());
            b.drain(at..end);
        }
        5 => {
            let end = (at + 1 + rng.below(32)).min(b.len());
            let dup = b[at..end].to_vec();
            b.splice(at..at, dup);
        }
        _ => {
            // A length-looking field: set two bytes to a boundary value.
            let v: u16 = [0, 1, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0xffff][rng.below(8)];
            for (k, x) in v.to_be_bytes().iter().enumerate() {
                if at + k < b.len() {
                    b[at + k] = *x;
                }
            }
        }
    }
}

/// Applies one random mutation to a flight, at the message level.
fn mutate_items(rng: &mut Prng, items: &mut Vec<Item>) {
    if items.is_empty() {
        let n = 1 + rng.below(40);
        items.push(Item::Raw(rng.bytes(n)));
        return;
    }
    let at = rng.below(items.len());
    match rng.below(7) {
        0 => {
            items.remove(at);
        }
        1 => {
            let dup = items[at].clone();
            items.insert(at, dup);
        }
        2 if items.len() > 1 => {
            let other = rng.below(items.len());
            items.swap(at, other);
        }
        3 => {
            // Edit a message body and fix up its length.
            if let Item::Hs(m) = &items[at]
                && m.len() >= 4
            {
                let mut body = hs_body(m).to_vec();
                mutate_bytes(rng, &mut body);
                items[at] = Item::Hs(hs_msg(hs_type(m), &body));
            } else if let Item::Rec { data, .. } = &mut items[at] {
                mutate_bytes(rng, data);
            }
        }
        4 => {
            // A ChangeCipherSpec somewhere.
            items.insert(at, ccs());
        }
        _ => {
            // Edit the raw message, header included.
            match &mut items[at] {
                Item::Hs(m) | Item::Raw(m) => mutate_bytes(rng, m),
                Item::Rec { data, .. } => mutate_bytes(rng, data),
            }
        }
    }
}

/// An error is acceptable if it names an alert (and is not ours to blame)
/// or reports the peer's alert.
#[track_caller]
fn acceptable(e: &Error, what: &str) {
    match e {
        Error::PeerAlert(_) => {}
        Error::Internal(_) | Error::Config(_) => panic!("{what}: peer input caused {e:?}"),
        other => assert!(other.alert().is_some(), "{what}: {other:?} has no alert"),
    }
}

#[test]
fn fuzz_smoke() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let rsa = TestPki::new(KeyType::Rsa2048);
    let client_cert = with_client_cert(&pki);
    let cert_no_cache = |c: &mut Context| {
        no_cache(c);
        client_cert(c);
    };
    let dhe_no_cache = |c: &mut Context| {
        no_cache(c);
        dhe_client(c);
    };
    let reneg_no_cache = |c: &mut Context| {
        no_cache(c);
        renegotiation(c);
    };
    // (pki, client, server, renegotiate after the handshake). A client
    // without a cache makes full handshakes; one with a cache resumes (by
    // ticket, or by session ID from a server without tickets).
    let configs: Vec<(&TestPki, Cfg<'_>, Cfg<'_>, bool)> = vec![
        (&pki, &no_cache, &none, false),
        (&pki, &cert_no_cache, &require_client_cert, false),
        (&rsa, &dhe_no_cache, &none, false),
        (&pki, &reneg_no_cache, &renegotiation, true),
        (&pki, &none, &none, false),
        (&pki, &tls13_capable, &no_tickets, false),
    ];
    let contexts: Vec<_> = configs.iter().map(|(p, c, s, r)| (logged_contexts12(p, |x| c(x), |x| s(x)), *r)).collect();
    let mut rng = Prng::new(0x7e57_1202);
    let iterations = 3000;
    let (mut completed, mut failed, mut resumed, mut renegotiated) = (0, 0, 0, 0);
    for n in 0..iterations {
        let ((log, cctx, sctx), reneg) = &contexts[n % contexts.len()];
        let mut m = Mitm12::connect(log.clone(), cctx.clone(), sctx.clone(), Some("localhost"), None);
        m.client.send(b"queued before the handshake").unwrap();
        let target = rng.below(if *reneg { 8 } else { 5 });
        let mut renegotiating = false;
        let raw = rng.below(3) == 0;
        let mutations = 1 + rng.below(3);
        let mut flight = 0;
        let mut quiet = false;
        for round in 0..40 {
            let to_server = round % 2 == 0;
            let mut items = if to_server { m.client_output() } else { m.server_output() };
            if items.is_empty() {
                if quiet {
                    break;
                }
                quiet = true;
                continue;
            }
            quiet = false;
            if flight == target {
                if raw {
                    let mut wire = if to_server { m.seal_to_server(&items) } else { m.seal_to_client(&items) };
                    for _ in 0..mutations {
                        mutate_bytes(&mut rng, &mut wire);
                    }
                    items = vec![Item::Raw(wire)];
                } else {
                    for _ in 0..mutations {
                        mutate_items(&mut rng, &mut items);
                    }
                }
            }
            flight += 1;
            let _ = if to_server { m.deliver_to_server(&items) } else { m.deliver_to_client(&items) };
            if *reneg && !renegotiating && m.client.is_handshake_complete() && m.client.error().is_none() {
                // Give the later flights a renegotiation to carry.
                renegotiating = true;
                let _ = m.client.renegotiate();
            }
            assert!(round < 39, "iteration {n}: traffic never stopped");
        }
        for (conn, side) in [(&mut m.client, "client"), (&mut m.server, "server")] {
            match conn.error() {
                Some(e) => acceptable(e, &format!("iteration {n} {side}")),
                None if !conn.is_handshake_complete() => {
                    let e = conn.transport_eof().unwrap_err();
                    acceptable(&e, &format!("iteration {n} {side} at EOF"));
                }
                None => {}
            }
        }
        if m.client.error().is_some() || m.server.error().is_some() {
            failed += 1;
        } else if m.client.is_handshake_complete() && m.server.is_handshake_complete() {
            completed += 1;
            if m.client.negotiated().resumed {
                resumed += 1;
            }
            if m.client.handshakes() > 1 {
                renegotiated += 1;
            }
            let mut buf = [0u8; 64];
            let _ = m.server.recv(&mut buf);
        }
    }
    eprintln!("fuzz_smoke: {completed} completed ({resumed} resumed, {renegotiated} renegotiated), {failed} failed");
    // The run exercised every outcome.
    assert!(failed > iterations / 2, "failed {failed}");
    assert!(completed > 0 && resumed > 0 && renegotiated > 0, "{completed} {resumed} {renegotiated}");
}

#[test]
fn fuzz_garbage_first_flights() {
    // Random records straight at a fresh TLS 1.2 server and client.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (_, cctx, sctx) = logged_contexts12(&pki, none, none);
    let mut rng = Prng::new(1202);
    for n in 0..1500 {
        let typ = [20u8, 21, 22, 23, 24, 99][rng.below(6)];
        let len = rng.below(300);
        let mut wire = vec![typ, 3, [1u8, 3][rng.below(2)]];
        wire.extend_from_slice(&(len as u16).to_be_bytes());
        if rng.below(4) == 0 {
            // A handshake header of a real TLS 1.2 type.
            let t = [0u8, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20][rng.below(11)];
            wire.extend_from_slice(&[t, 0, (len >> 8) as u8, len as u8]);
        }
        wire.extend(rng.bytes(len));
        let cut = wire.len() - rng.below(wire.len().min(8));
        let mut server = ssl_core::Connection::server(sctx.clone());
        let mut client = ssl_core::Connection::client(cctx.clone(), Some("localhost"), None).unwrap();
        for conn in [&mut server, &mut client] {
            let r = conn.read_tls(&wire[..cut]);
            if let Err(e) = &r {
                acceptable(e, &format!("garbage {n}"));
                assert!(conn.wants_write(), "garbage {n}: an alert is queued for {e:?}");
            }
            let mut buf = [0u8; 16];
            assert!(!matches!(conn.recv(&mut buf), Ok(Received::Data(n)) if n > 0), "garbage {n}: data out of nothing");
        }
    }
}
