//! Hostile input against the TLS 1.3 engine: every handshake message
//! truncated, padded with garbage, sent out of order or twice, and bent in
//! each way the state machines check; the record layer abused; and a seeded
//! fuzzing smoke run.
//!
//! A tampering proxy ([`Mitm`]) sits between an in-memory client and server.
//! Both log their secrets to one key log, so the proxy can open each
//! encrypted flight, change a message, seal it again at the right sequence
//! number and hand it on. Every case checks both ends: the side that sees the
//! damage fails with the typed error RFC 8446 calls for, and the other side
//! receives the matching alert (`Error::PeerAlert`).

mod common;
use common::*;
use ssl_core::constants::{
    AlertDescription as A, CipherSuite, ContentType as CT, ExtensionType as X, HandshakeType as H, NamedGroup,
    SignatureScheme,
};
use ssl_core::error::MessageKind;
use ssl_core::{AuthLevel, CertificateError, Context, Error, Received};
use std::mem::discriminant;

// ---------------------------------------------------------------------------
// Expected errors and checks
// ---------------------------------------------------------------------------

fn decode() -> Error {
    Error::Decode("")
}
fn illegal() -> Error {
    Error::IllegalParameter("")
}
fn unexpected() -> Error {
    Error::UnexpectedMessage { expected: "", got: MessageKind::Alert }
}
fn missing(x: X) -> Error {
    Error::MissingExtension(x)
}
fn unsupported() -> Error {
    Error::UnsupportedExtension(X(0))
}
fn decrypt() -> Error {
    Error::DecryptError("")
}

/// `got` is the same kind of error as `like` and sends the same alert;
/// missing extensions and certificate errors must match exactly.
#[track_caller]
fn assert_like(got: &Error, like: &Error, case: &str) {
    assert_eq!(discriminant(got), discriminant(like), "{case}: got {got:?}, want an error like {like:?}");
    assert_eq!(got.alert(), like.alert(), "{case}: {got:?}");
    if matches!(like, Error::MissingExtension(_) | Error::Certificate(_)) {
        assert_eq!(got, like, "{case}");
    }
}

/// Delivers `items` to the client, which must fail like `like`; its alert
/// must then reach the server.
#[track_caller]
fn client_rejects(m: &mut Mitm, items: &[Item], like: &Error, case: &str) {
    let got = match m.deliver_to_client(items) {
        Ok(()) => panic!("{case}: the client accepted it"),
        Err(e) => e,
    };
    assert_like(&got, like, case);
    assert_eq!(m.client.error(), Some(&got), "{case}: the error is sticky");
    assert!(m.client.send(b"more").is_err(), "{case}: a failed connection sends nothing");
    let alert = like.alert().expect("an alert is due");
    let back = m.client_output();
    assert_eq!(m.deliver_to_server(&back), Err(Error::PeerAlert(alert)), "{case}: the server hears {alert}");
    assert_eq!(m.server.error(), Some(&Error::PeerAlert(alert)), "{case}");
}

/// Delivers `items` to the server, which must fail like `like`; its alert
/// must then reach the client.
#[track_caller]
fn server_rejects(m: &mut Mitm, items: &[Item], like: &Error, case: &str) {
    let got = match m.deliver_to_server(items) {
        Ok(()) => panic!("{case}: the server accepted it"),
        Err(e) => e,
    };
    assert_like(&got, like, case);
    assert_eq!(m.server.error(), Some(&got), "{case}: the error is sticky");
    assert!(m.server.send(b"more").is_err(), "{case}: a failed connection sends nothing");
    let alert = like.alert().expect("an alert is due");
    let back = m.server_output();
    assert_eq!(m.deliver_to_client(&back), Err(Error::PeerAlert(alert)), "{case}: the client hears {alert}");
    assert_eq!(m.client.error(), Some(&Error::PeerAlert(alert)), "{case}");
}

/// An edit of a captured flight.
type Edit = Box<dyn Fn(&mut Vec<Item>)>;

/// One tampering: a name, the error it must cause, and the edit.
struct Case {
    name: &'static str,
    like: Error,
    edit: Edit,
}

fn case(name: &'static str, like: Error, edit: impl Fn(&mut Vec<Item>) + 'static) -> Case {
    Case { name, like, edit: Box::new(edit) }
}

/// Runs each case on a fresh capture from `setup`; the client must reject.
fn client_cases(setup: &dyn Fn() -> (Mitm, Vec<Item>), cases: Vec<Case>) {
    for c in cases {
        let (mut m, mut items) = setup();
        (c.edit)(&mut items);
        client_rejects(&mut m, &items, &c.like, c.name);
    }
}

/// Runs each case on a fresh capture from `setup`; the server must reject.
fn server_cases(setup: &dyn Fn() -> (Mitm, Vec<Item>), cases: Vec<Case>) {
    for c in cases {
        let (mut m, mut items) = setup();
        (c.edit)(&mut items);
        server_rejects(&mut m, &items, &c.like, c.name);
    }
}

// ---------------------------------------------------------------------------
// Captures
// ---------------------------------------------------------------------------

type Cfg<'a> = &'a dyn Fn(&mut Context);

fn none(_: &mut Context) {}

/// The client's first flight (ClientHello), not delivered.
fn hello_capture(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm, Vec<Item>) {
    let mut m = Mitm::start(pki, |x| c(x), |x| s(x));
    let items = m.client_output();
    (m, items)
}

/// The server's flight (ServerHello … Finished, or a HelloRetryRequest), not delivered.
fn server_flight(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm, Vec<Item>) {
    let mut m = Mitm::start(pki, |x| c(x), |x| s(x));
    m.forward_to_server().unwrap();
    let items = m.server_output();
    (m, items)
}

/// The client's second flight (CCS, [Certificate, CertificateVerify,] Finished), not delivered.
fn client_flight(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm, Vec<Item>) {
    let mut m = Mitm::start(pki, |x| c(x), |x| s(x));
    m.forward_to_server().unwrap();
    m.forward_to_client().unwrap();
    let items = m.client_output();
    (m, items)
}

/// The server's tickets after the handshake, not delivered.
fn tickets(pki: &TestPki, c: Cfg<'_>, s: Cfg<'_>) -> (Mitm, Vec<Item>) {
    let (mut m, items) = client_flight(pki, c, s);
    m.deliver_to_server(&items).unwrap();
    assert!(m.server.is_handshake_complete());
    let items = m.server_output();
    assert!(items.iter().all(|i| i.hs_type() == Some(H::NEW_SESSION_TICKET)), "{items:?}");
    (m, items)
}

/// A completed handshake through the proxy.
fn connected(pki: &TestPki) -> Mitm {
    let mut m = Mitm::start(pki, none, none);
    m.handshake();
    m
}

/// A client that will be sent a HelloRetryRequest (x25519 offered, the server only takes P-384).
fn hrr_client(c: &mut Context) {
    c.groups = vec![NamedGroup::X25519, NamedGroup::SECP384R1];
}
fn hrr_server(s: &mut Context) {
    s.groups = vec![NamedGroup::SECP384R1];
}

/// A second connection resuming the session of a first one; its
/// ClientHello (with pre_shared_key) is captured.
fn resumption_hello(pki: &TestPki) -> (Mitm, Vec<Item>) {
    let (log, cctx, sctx) = logged_contexts(pki, none, none);
    let mut first = Mitm::connect(log.clone(), cctx.clone(), sctx.clone(), Some("localhost"), None);
    first.handshake();
    let session = first.client.session().cloned().expect("a ticket");
    let mut m = Mitm::connect(log, cctx, sctx, Some("localhost"), Some(session));
    let items = m.client_output();
    let ch = Hello::parse(items[0].msg());
    assert_eq!(ch.exts.last().map(|e| e.0), Some(X::PRE_SHARED_KEY));
    (m, items)
}

/// The server's flight of a resumed handshake.
fn resumption_flight(pki: &TestPki) -> (Mitm, Vec<Item>) {
    let (mut m, items) = resumption_hello(pki);
    m.deliver_to_server(&items).unwrap();
    let items = m.server_output();
    assert!(Hello::parse(items[0].msg()).ext(X::PRE_SHARED_KEY).is_some());
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

/// Edits the first ClientHello or ServerHello field by field.
fn hello(items: &mut [Item], t: H, f: impl FnOnce(&mut Hello)) {
    edit(items, t, |m| edit_hello(m, f));
}

fn ch(items: &mut [Item], f: impl FnOnce(&mut Hello)) {
    hello(items, H::CLIENT_HELLO, f);
}

fn sh(items: &mut [Item], f: impl FnOnce(&mut Hello)) {
    hello(items, H::SERVER_HELLO, f);
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

/// One key_share entry.
fn share(g: NamedGroup, key: &[u8]) -> Vec<u8> {
    cat(&[&g.0.to_be_bytes(), &vec16(key)])
}

/// The ClientHello form of key_share.
fn client_shares(entries: &[Vec<u8>]) -> Vec<u8> {
    vec16(&entries.concat())
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

/// A pre_shared_key offer with one identity and one binder.
fn psk_offer(binder_len: usize) -> Vec<u8> {
    cat(&[&vec16(&cat(&[&vec16(b"identity"), &[0, 0, 0, 1]])), &vec16(&vec8(&vec![7; binder_len]))])
}

/// The extensions of an EncryptedExtensions message.
fn ee_exts(msg: &[u8]) -> Exts {
    parse_exts(Cursor(hs_body(msg)).v16())
}

fn ee(exts: &[(X, Vec<u8>)]) -> Vec<u8> {
    hs_msg(H::ENCRYPTED_EXTENSIONS, &encode_exts(exts))
}

/// Edits the extensions of the EncryptedExtensions in `items`.
fn ee_edit(items: &mut [Item], f: impl FnOnce(&mut Exts)) {
    edit(items, H::ENCRYPTED_EXTENSIONS, |m| {
        let mut e = ee_exts(m);
        f(&mut e);
        ee(&e)
    });
}

/// A CertificateRequest with this context and extensions.
fn cert_request(context: &[u8], exts: &[(X, Vec<u8>)]) -> Vec<u8> {
    hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(context), &encode_exts(exts)]))
}

fn cert_request_exts(msg: &[u8]) -> Exts {
    let mut r = Cursor(hs_body(msg));
    r.v8();
    parse_exts(r.v16())
}

/// A Certificate message from entries (certificate, extension block body).
fn certificate(context: &[u8], entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let list: Vec<u8> = entries.iter().flat_map(|(c, e)| cat(&[&vec24(c), &vec16(e)])).collect();
    hs_msg(H::CERTIFICATE, &cat(&[&vec8(context), &vec24(&list)]))
}

/// The first certificate of a Certificate message.
fn first_cert(msg: &[u8]) -> Vec<u8> {
    let mut r = Cursor(hs_body(msg));
    r.v8();
    let mut list = Cursor(r.v24());
    list.v24().to_vec()
}

fn cert_verify(scheme: SignatureScheme, sig: &[u8]) -> Vec<u8> {
    hs_msg(H::CERTIFICATE_VERIFY, &cat(&[&scheme.0.to_be_bytes(), &vec16(sig)]))
}

fn cv_signature(msg: &[u8]) -> Vec<u8> {
    let mut r = Cursor(hs_body(msg));
    r.u16();
    r.v16().to_vec()
}

/// NewSessionTicket fields.
struct Ticket {
    lifetime: u32,
    age_add: u32,
    nonce: Vec<u8>,
    ticket: Vec<u8>,
    exts: Vec<u8>,
}

impl Ticket {
    fn parse(msg: &[u8]) -> Ticket {
        let mut r = Cursor(hs_body(msg));
        Ticket {
            lifetime: r.u32(),
            age_add: r.u32(),
            nonce: r.v8().to_vec(),
            ticket: r.v16().to_vec(),
            exts: r.v16().to_vec(),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let body = cat(&[
            &self.lifetime.to_be_bytes(),
            &self.age_add.to_be_bytes(),
            &vec8(&self.nonce),
            &vec16(&self.ticket),
            &vec16(&self.exts),
        ]);
        hs_msg(H::NEW_SESSION_TICKET, &body)
    }
}

fn ticket_edit(items: &mut [Item], f: impl FnOnce(&mut Ticket)) {
    edit(items, H::NEW_SESSION_TICKET, |m| {
        let mut t = Ticket::parse(m);
        f(&mut t);
        t.encode()
    });
}

fn ku(value: u8) -> Item {
    Item::Hs(hs_msg(H::KEY_UPDATE, &[value]))
}

// ---------------------------------------------------------------------------
// The proxy itself
// ---------------------------------------------------------------------------

#[test]
fn the_proxy_is_transparent() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut m = connected(&pki);
    assert_eq!(m.epochs(), [(Epoch::App(0), Epoch::App(0)), (Epoch::App(0), Epoch::App(0))]);
    m.client.send(b"ping").unwrap();
    m.client.key_update(true).unwrap();
    m.client.send(b"after update").unwrap();
    m.pump().unwrap();
    assert_eq!(read_all(&mut m.server), b"pingafter update");
    m.server.send(b"pong").unwrap();
    m.pump().unwrap();
    assert_eq!(read_all(&mut m.client), b"pong");
    assert_eq!(m.epochs(), [(Epoch::App(1), Epoch::App(1)), (Epoch::App(1), Epoch::App(1))]);
    assert!(!m.lost());
    // A message the proxy re-seals is accepted: the keys and sequence numbers are right.
    m.deliver_to_server(&[Item::rec(CT::APPLICATION_DATA, b"injected")]).unwrap();
    assert_eq!(read_all(&mut m.server), b"injected");
}

// ---------------------------------------------------------------------------
// ClientHello (the server detects)
// ---------------------------------------------------------------------------

#[test]
fn client_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || hello_capture(&pki, &none, &none);
    let psk_ext = psk_offer(32);
    server_cases(
        &setup,
        vec![
            case("ClientHello cut by one byte", decode(), |i| edit(i, H::CLIENT_HELLO, short)),
            case("ClientHello cut after the random", decode(), |i| edit(i, H::CLIENT_HELLO, |m| truncated(m, 34))),
            case("empty ClientHello", decode(), |i| edit(i, H::CLIENT_HELLO, empty_body)),
            case("ClientHello with a trailing byte", decode(), |i| edit(i, H::CLIENT_HELLO, trailing)),
            case("ClientHello with half an extension", decode(), |i| {
                edit(i, H::CLIENT_HELLO, |m| {
                    // Grow the extension block by one byte inside its own length.
                    let h = Hello::parse(m);
                    let mut block = encode_exts(&h.exts)[2..].to_vec();
                    block.push(0x7f);
                    let mut no_ext = h.clone();
                    no_ext.exts.clear();
                    let head = hs_body(&no_ext.encode())[..hs_body(&no_ext.encode()).len() - 2].to_vec();
                    hs_msg(H::CLIENT_HELLO, &cat(&[&head, &vec16(&block)]))
                })
            }),
            case("a ServerHello to the server", unexpected(), |i| {
                edit(i, H::CLIENT_HELLO, |m| retyped(m, H::SERVER_HELLO))
            }),
            case("Finished before any hello", unexpected(), |i| *i = vec![Item::Hs(hs_msg(H::FINISHED, &[0; 32]))]),
            case("no supported_versions", Error::ProtocolVersion, |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::SUPPORTED_VERSIONS))
            }),
            case("supported_versions without TLS 1.3", Error::ProtocolVersion, |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &vec8(&[3, 3])))
            }),
            case("supported_versions of odd length", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &vec8(&[3, 4, 3])))
            }),
            case("compression method 1", illegal(), |i| ch(i, |h| h.compression = vec![1])),
            case("compression methods null and 1", illegal(), |i| ch(i, |h| h.compression = vec![0, 1])),
            case("no compression methods", decode(), |i| ch(i, |h| h.compression = vec![])),
            case("supported_groups twice", illegal(), |i| {
                ch(i, |h| {
                    let g = h.ext(X::SUPPORTED_GROUPS).unwrap().to_vec();
                    h.exts.insert(0, (X::SUPPORTED_GROUPS, g));
                })
            }),
            case("no key_share", missing(X::KEY_SHARE), |i| ch(i, |h| remove_ext(&mut h.exts, X::KEY_SHARE))),
            case("no supported_groups", missing(X::SUPPORTED_GROUPS), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::SUPPORTED_GROUPS))
            }),
            case("neither key_share nor supported_groups", missing(X::KEY_SHARE), |i| {
                ch(i, |h| {
                    remove_ext(&mut h.exts, X::KEY_SHARE);
                    remove_ext(&mut h.exts, X::SUPPORTED_GROUPS);
                })
            }),
            case("no signature_algorithms", missing(X::SIGNATURE_ALGORITHMS), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::SIGNATURE_ALGORITHMS))
            }),
            case("empty signature_algorithms", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SIGNATURE_ALGORITHMS, &[0, 0]))
            }),
            case("x25519 share of 31 bytes", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &client_shares(&[share(NamedGroup::X25519, &[9; 31])])))
            }),
            case("all-zero x25519 share", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &client_shares(&[share(NamedGroup::X25519, &[0; 32])])))
            }),
            case("P-256 share off the curve", illegal(), |i| {
                let point = cat(&[&[4], &[1; 64]]);
                ch(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &client_shares(&[share(NamedGroup::SECP256R1, &point)])))
            }),
            case("share for a group not in supported_groups", illegal(), |i| {
                ch(i, |h| {
                    let mut body = Cursor(h.ext(X::KEY_SHARE).unwrap()).v16().to_vec();
                    body.extend_from_slice(&share(NamedGroup(0x0999), &[1; 8]));
                    set_ext(&mut h.exts, X::KEY_SHARE, &vec16(&body));
                })
            }),
            case("two shares for one group", illegal(), |i| {
                ch(i, |h| {
                    let entries = Cursor(h.ext(X::KEY_SHARE).unwrap()).v16().to_vec();
                    set_ext(&mut h.exts, X::KEY_SHARE, &vec16(&cat(&[&entries, &entries])));
                })
            }),
            case("key_share cut inside an entry", decode(), |i| {
                ch(i, |h| {
                    let entries = Cursor(h.ext(X::KEY_SHARE).unwrap()).v16().to_vec();
                    set_ext(&mut h.exts, X::KEY_SHARE, &vec16(&entries[..entries.len() - 1]));
                })
            }),
            case("a cookie in the first ClientHello", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::COOKIE, &vec16(b"never sent")))
            }),
            case("session_id of 33 bytes", decode(), |i| ch(i, |h| h.session_id = vec![1; 33])),
            case("no cipher suites", decode(), |i| ch(i, |h| h.suites.clear())),
            case("no cipher suite in common", Error::HandshakeFailure(""), |i| ch(i, |h| h.suites = vec![0x00ff])),
            case("server name with a trailing dot", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &sni("localhost.")))
            }),
            case("empty server name list", decode(), |i| ch(i, |h| set_ext(&mut h.exts, X::SERVER_NAME, &[0, 0]))),
            case("ALPN with an empty name", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, &alpn(&[b"h2", b""])))
            }),
            case("record_size_limit 63", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RECORD_SIZE_LIMIT, &63u16.to_be_bytes()))
            }),
            case("record_size_limit of three bytes", decode(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::RECORD_SIZE_LIMIT, &[1, 0, 0]))
            }),
            case("pre_shared_key not last", illegal(), move |i| {
                let p = psk_ext.clone();
                ch(i, |h| h.exts.insert(0, (X::PRE_SHARED_KEY, p)))
            }),
            case("pre_shared_key without psk_key_exchange_modes", missing(X::PSK_KEY_EXCHANGE_MODES), |i| {
                ch(i, |h| {
                    remove_ext(&mut h.exts, X::PSK_KEY_EXCHANGE_MODES);
                    h.exts.push((X::PRE_SHARED_KEY, psk_offer(32)));
                })
            }),
            case("pre_shared_key with no identities", decode(), |i| {
                ch(i, |h| h.exts.push((X::PRE_SHARED_KEY, cat(&[&[0, 0], &vec16(&vec8(&[7; 32]))]))))
            }),
            case("psk binder of 16 bytes", decode(), |i| ch(i, |h| h.exts.push((X::PRE_SHARED_KEY, psk_offer(16))))),
        ],
    );
}

#[test]
fn a_changed_client_hello_breaks_the_handshake_keys() {
    // A change the server accepts still changes its transcript: the client
    // cannot open the server's encrypted flight.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut m, mut items) = hello_capture(&pki, &none, &none);
    ch(&mut items, |h| h.exts.insert(0, (X(0x7777), vec![1, 2, 3])));
    m.deliver_to_server(&items).unwrap();
    let flight = m.server_output();
    let e = m.deliver_to_client(&flight).unwrap_err();
    assert_eq!(e, Error::BadRecordMac);
    let back = m.client.take_tls();
    let e = m.server.read_tls(&back).unwrap_err();
    // The client's alert is sealed with its own (different) handshake key.
    assert!(e == Error::PeerAlert(A::BAD_RECORD_MAC) || e == Error::BadRecordMac, "{e:?}");
}

// ---------------------------------------------------------------------------
// ServerHello (the client detects)
// ---------------------------------------------------------------------------

fn only_aes128(c: &mut Context) {
    c.preferred_suites = vec![CipherSuite::TLS_AES_128_GCM_SHA256];
}

#[test]
fn server_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &only_aes128, &none);
    client_cases(
        &setup,
        vec![
            case("ServerHello cut by one byte", decode(), |i| edit(i, H::SERVER_HELLO, short)),
            case("empty ServerHello", decode(), |i| edit(i, H::SERVER_HELLO, empty_body)),
            case("ServerHello cut inside the random", decode(), |i| edit(i, H::SERVER_HELLO, |m| truncated(m, 20))),
            case("ServerHello with a trailing byte", decode(), |i| edit(i, H::SERVER_HELLO, trailing)),
            case("EncryptedExtensions before ServerHello", unexpected(), |i| {
                *i = vec![Item::Hs(ee(&[]))];
            }),
            case("a ClientHello to the client", unexpected(), |i| {
                edit(i, H::SERVER_HELLO, |m| retyped(m, H::CLIENT_HELLO))
            }),
            case("Certificate before ServerHello", unexpected(), |i| {
                let cert = copy(i, H::CERTIFICATE);
                i.insert(0, cert);
            }),
            case("a suite the client did not offer", illegal(), |i| {
                sh(i, |h| h.suites = vec![CipherSuite::TLS_AES_256_GCM_SHA384.0])
            }),
            case("an unknown suite", illegal(), |i| sh(i, |h| h.suites = vec![0x13ff])),
            case("session_id echo changed", illegal(), |i| sh(i, |h| h.session_id[0] ^= 1)),
            case("session_id echo missing", illegal(), |i| sh(i, |h| h.session_id.clear())),
            case("compression method 1", illegal(), |i| sh(i, |h| h.compression = vec![1])),
            case("no supported_versions", Error::ProtocolVersion, |i| {
                sh(i, |h| remove_ext(&mut h.exts, X::SUPPORTED_VERSIONS))
            }),
            case("supported_versions selects TLS 1.2", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &[3, 3]))
            }),
            case("supported_versions selects an unknown version", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &[3, 5]))
            }),
            case("supported_versions of three bytes", decode(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::SUPPORTED_VERSIONS, &[3, 4, 0]))
            }),
            case("legacy_version 0x0304", illegal(), |i| sh(i, |h| h.version = 0x0304)),
            case("TLS 1.2 with the downgrade sentinel", illegal(), |i| {
                sh(i, |h| {
                    remove_ext(&mut h.exts, X::SUPPORTED_VERSIONS);
                    h.random[24..].copy_from_slice(b"DOWNGRD\x01");
                })
            }),
            case("key_share twice", illegal(), |i| {
                sh(i, |h| {
                    let k = h.ext(X::KEY_SHARE).unwrap().to_vec();
                    h.exts.push((X::KEY_SHARE, k));
                })
            }),
            case("ALPN in ServerHello", illegal(), |i| {
                sh(i, |h| h.exts.push((X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, alpn(&[b"h2"]))))
            }),
            case("cookie in ServerHello", illegal(), |i| sh(i, |h| h.exts.push((X::COOKIE, vec16(b"c"))))),
            case("an unknown extension in ServerHello", unsupported(), |i| sh(i, |h| h.exts.push((X(0x7777), vec![])))),
            case("no key_share", missing(X::KEY_SHARE), |i| sh(i, |h| remove_ext(&mut h.exts, X::KEY_SHARE))),
            case("x25519 share of 31 bytes", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &share(NamedGroup::X25519, &[5; 31])))
            }),
            case("all-zero x25519 share", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &share(NamedGroup::X25519, &[0; 32])))
            }),
            case("key share for a group the client did not share", illegal(), |i| {
                let point = cat(&[&[4], &[1; 64]]);
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &share(NamedGroup::SECP256R1, &point)))
            }),
            case("key_share with a trailing byte", decode(), |i| {
                sh(i, |h| {
                    let k = cat(&[h.ext(X::KEY_SHARE).unwrap(), &[0]]);
                    set_ext(&mut h.exts, X::KEY_SHARE, &k);
                })
            }),
            case("pre_shared_key the client did not offer", illegal(), |i| {
                sh(i, |h| h.exts.push((X::PRE_SHARED_KEY, vec![0, 0])))
            }),
            case("a second ServerHello under the handshake key", unexpected(), |i| {
                let again = copy(i, H::SERVER_HELLO);
                insert_after(i, H::SERVER_HELLO, again);
            }),
            case("a HelloRetryRequest after the ServerHello", unexpected(), |i| {
                let hrr = edit_hello(copy(i, H::SERVER_HELLO).msg(), |h| h.random = ssl_core::msgs::HRR_RANDOM);
                insert_after(i, H::SERVER_HELLO, Item::Hs(hrr));
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// HelloRetryRequest (the client detects) and the second ClientHello (the server detects)
// ---------------------------------------------------------------------------

fn hrr_only_aes128(c: &mut Context) {
    hrr_client(c);
    only_aes128(c);
}

#[test]
fn hello_retry_request() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || {
        let (m, items) = server_flight(&pki, &hrr_only_aes128, &hrr_server);
        assert!(Hello::parse(items[0].msg()).is_retry_request());
        (m, items)
    };
    client_cases(
        &setup,
        vec![
            case("HelloRetryRequest cut by one byte", decode(), |i| edit(i, H::SERVER_HELLO, short)),
            case("HelloRetryRequest with a trailing byte", decode(), |i| edit(i, H::SERVER_HELLO, trailing)),
            case("a HelloRetryRequest that changes nothing", illegal(), |i| {
                sh(i, |h| {
                    remove_ext(&mut h.exts, X::KEY_SHARE);
                    remove_ext(&mut h.exts, X::COOKIE);
                })
            }),
            case("asks for the group already shared", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &NamedGroup::X25519.0.to_be_bytes()))
            }),
            case("asks for a group the client does not support", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &0x0999u16.to_be_bytes()))
            }),
            case("selected group of four bytes", decode(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &[0, 24, 0, 0]))
            }),
            case("a suite the client did not offer", illegal(), |i| {
                sh(i, |h| h.suites = vec![CipherSuite::TLS_CHACHA20_POLY1305_SHA256.0])
            }),
            case("pre_shared_key in a HelloRetryRequest", illegal(), |i| {
                sh(i, |h| h.exts.push((X::PRE_SHARED_KEY, vec![0, 0])))
            }),
            case("an unknown extension in a HelloRetryRequest", unsupported(), |i| {
                sh(i, |h| h.exts.push((X(0x7777), vec![])))
            }),
            case("cookie twice", illegal(), |i| sh(i, |h| h.exts.push((X::COOKIE, vec16(b"again"))))),
            case("empty cookie", decode(), |i| sh(i, |h| set_ext(&mut h.exts, X::COOKIE, &[0, 0]))),
            case("session_id echo changed", illegal(), |i| sh(i, |h| h.session_id[5] ^= 0x80)),
            case("compression method 1", illegal(), |i| sh(i, |h| h.compression = vec![1])),
            case("no supported_versions", Error::ProtocolVersion, |i| {
                sh(i, |h| remove_ext(&mut h.exts, X::SUPPORTED_VERSIONS))
            }),
        ],
    );
}

#[test]
fn hello_retry_request_sequences() {
    let pki = TestPki::new(KeyType::EcdsaP256);

    // A second HelloRetryRequest.
    let (mut m, items) = server_flight(&pki, &hrr_client, &hrr_server);
    m.deliver_to_client(&items).unwrap();
    let second_hello = m.client_output();
    assert!(second_hello.iter().any(|i| i.hs_type() == Some(H::CLIENT_HELLO)));
    client_rejects(&mut m, &[copy(&items, H::SERVER_HELLO)], &unexpected(), "a second HelloRetryRequest");

    // After the retry, the ServerHello changes the suite or the group.
    let after_retry = || {
        let (mut m, items) = server_flight(&pki, &hrr_client, &hrr_server);
        m.deliver_to_client(&items).unwrap();
        m.forward_to_server().unwrap();
        let flight = m.server_output();
        (m, flight)
    };
    client_cases(
        &after_retry,
        vec![
            case("ServerHello suite differs from the HelloRetryRequest", illegal(), |i| {
                sh(i, |h| h.suites = vec![CipherSuite::TLS_AES_256_GCM_SHA384.0])
            }),
            case("ServerHello group differs from the HelloRetryRequest", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &share(NamedGroup::X25519, &[9; 32])))
            }),
            case("another HelloRetryRequest instead of the ServerHello", unexpected(), |i| {
                sh(i, |h| h.random = ssl_core::msgs::HRR_RANDOM)
            }),
        ],
    );

    // The second ClientHello, checked by the server.
    let second = || {
        let (mut m, items) = server_flight(&pki, &hrr_client, &hrr_server);
        m.deliver_to_client(&items).unwrap();
        let items = m.client_output();
        assert_eq!(items.iter().filter(|i| i.hs_type() == Some(H::CLIENT_HELLO)).count(), 1);
        (m, items)
    };
    server_cases(
        &second,
        vec![
            case("second ClientHello cut by one byte", decode(), |i| edit(i, H::CLIENT_HELLO, short)),
            case("second ClientHello changes the random", illegal(), |i| ch(i, |h| h.random[0] ^= 1)),
            case("second ClientHello drops the cookie", illegal(), |i| ch(i, |h| remove_ext(&mut h.exts, X::COOKIE))),
            case("second ClientHello changes the cookie", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::COOKIE, &vec16(b"forged")))
            }),
            case("second ClientHello shares another group", illegal(), |i| {
                ch(i, |h| set_ext(&mut h.exts, X::KEY_SHARE, &client_shares(&[share(NamedGroup::X25519, &[9; 32])])))
            }),
            case("second ClientHello without key_share", missing(X::KEY_SHARE), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::KEY_SHARE))
            }),
            case("second ClientHello changes the suites", illegal(), |i| {
                ch(i, |h| h.suites = vec![CipherSuite::TLS_AES_256_GCM_SHA384.0])
            }),
            case("the second ClientHello twice", unexpected(), |i| {
                let again = copy(i, H::CLIENT_HELLO);
                i.push(again);
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// EncryptedExtensions (the client detects)
// ---------------------------------------------------------------------------

fn alpn_and_limit(c: &mut Context) {
    c.advertised_protocols = vec![b"h2".to_vec()];
    c.record_size_limit = Some(4096);
}

#[test]
fn encrypted_extensions() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("EncryptedExtensions cut by one byte", decode(), |i| edit(i, H::ENCRYPTED_EXTENSIONS, short)),
            case("empty EncryptedExtensions", decode(), |i| edit(i, H::ENCRYPTED_EXTENSIONS, empty_body)),
            case("EncryptedExtensions with a trailing byte", decode(), |i| edit(i, H::ENCRYPTED_EXTENSIONS, trailing)),
            case("EncryptedExtensions left out", unexpected(), |i| {
                take(i, H::ENCRYPTED_EXTENSIONS);
            }),
            case("EncryptedExtensions twice", unexpected(), |i| {
                let again = copy(i, H::ENCRYPTED_EXTENSIONS);
                insert_after(i, H::ENCRYPTED_EXTENSIONS, again);
            }),
            case("server_name twice", illegal(), |i| ee_edit(i, |e| e.push((X::SERVER_NAME, vec![])))),
            case("key_share in EncryptedExtensions", illegal(), |i| {
                ee_edit(i, |e| e.push((X::KEY_SHARE, share(NamedGroup::X25519, &[1; 32]))))
            }),
            case("supported_versions in EncryptedExtensions", illegal(), |i| {
                ee_edit(i, |e| e.push((X::SUPPORTED_VERSIONS, vec![3, 4])))
            }),
            case("pre_shared_key in EncryptedExtensions", illegal(), |i| {
                ee_edit(i, |e| e.push((X::PRE_SHARED_KEY, vec![0, 0])))
            }),
            case("signature_algorithms in EncryptedExtensions", illegal(), |i| {
                ee_edit(i, |e| e.push((X::SIGNATURE_ALGORITHMS, u16s(&[0x0403]))))
            }),
            case("an unknown extension in EncryptedExtensions", unsupported(), |i| {
                ee_edit(i, |e| e.push((X(0x7777), vec![])))
            }),
            case("early_data the client did not offer", unsupported(), |i| {
                ee_edit(i, |e| e.push((X::EARLY_DATA, vec![])))
            }),
            case("ALPN the client did not offer", unsupported(), |i| {
                ee_edit(i, |e| e.push((X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, alpn(&[b"h2"]))))
            }),
            case("record_size_limit the client did not offer", unsupported(), |i| {
                ee_edit(i, |e| e.push((X::RECORD_SIZE_LIMIT, 1000u16.to_be_bytes().to_vec())))
            }),
            case("server_name with a body", decode(), |i| ee_edit(i, |e| set_ext(e, X::SERVER_NAME, &sni("x")))),
            case("supported_groups of one byte", decode(), |i| {
                ee_edit(i, |e| e.push((X::SUPPORTED_GROUPS, vec![0, 1, 0])))
            }),
        ],
    );

    let setup = || server_flight(&pki, &alpn_and_limit, &none);
    client_cases(
        &setup,
        vec![
            case("ALPN protocol the client did not offer", illegal(), |i| {
                ee_edit(i, |e| e.push((X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, alpn(&[b"spdy/1"]))))
            }),
            case("ALPN with two protocols", illegal(), |i| {
                ee_edit(i, |e| e.push((X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, alpn(&[b"h2", b"h2"]))))
            }),
            case("ALPN with an empty name", decode(), |i| {
                ee_edit(i, |e| e.push((X::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, alpn(&[b""]))))
            }),
            case("record_size_limit 63", illegal(), |i| {
                ee_edit(i, |e| e.push((X::RECORD_SIZE_LIMIT, 63u16.to_be_bytes().to_vec())))
            }),
            case("record_size_limit of one byte", decode(), |i| {
                ee_edit(i, |e| e.push((X::RECORD_SIZE_LIMIT, vec![1])))
            }),
        ],
    );

    // No SNI was sent (the client connects to an address): acknowledging one is unsolicited.
    let (log, cctx, sctx) = logged_contexts(&pki, none, none);
    let mut m = Mitm::connect(log, cctx, sctx, Some("127.0.0.1"), None);
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    assert!(find_ext(&ee_exts(copy(&items, H::ENCRYPTED_EXTENSIONS).msg()), X::SERVER_NAME).is_none());
    ee_edit(&mut items, |e| e.push((X::SERVER_NAME, vec![])));
    client_rejects(&mut m, &items, &unsupported(), "server_name acknowledged though none was sent");
}

// ---------------------------------------------------------------------------
// CertificateRequest (the client detects)
// ---------------------------------------------------------------------------

fn require_client_cert(s: &mut Context) {
    s.client_auth = AuthLevel::Require;
}

#[test]
fn certificate_request() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &require_client_cert);
    client_cases(
        &setup,
        vec![
            case("CertificateRequest cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, short)),
            case("empty CertificateRequest", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, empty_body)),
            case("CertificateRequest with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE_REQUEST, trailing)),
            case("CertificateRequest with a context", illegal(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |m| cert_request(b"ctx", &cert_request_exts(m)))
            }),
            case("CertificateRequest without signature_algorithms", missing(X::SIGNATURE_ALGORITHMS), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |m| {
                    let mut e = cert_request_exts(m);
                    remove_ext(&mut e, X::SIGNATURE_ALGORITHMS);
                    cert_request(b"", &e)
                })
            }),
            case("empty signature_algorithms", decode(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |m| {
                    let mut e = cert_request_exts(m);
                    set_ext(&mut e, X::SIGNATURE_ALGORITHMS, &[0, 0]);
                    cert_request(b"", &e)
                })
            }),
            case("signature_algorithms twice", illegal(), |i| {
                edit(i, H::CERTIFICATE_REQUEST, |m| {
                    let mut e = cert_request_exts(m);
                    e.push((X::SIGNATURE_ALGORITHMS, u16s(&[0x0403])));
                    cert_request(b"", &e)
                })
            }),
            case("CertificateRequest twice", unexpected(), |i| {
                let again = copy(i, H::CERTIFICATE_REQUEST);
                insert_after(i, H::CERTIFICATE_REQUEST, again);
            }),
            case("CertificateRequest after the Certificate", unexpected(), |i| {
                let cr = take(i, H::CERTIFICATE_REQUEST);
                insert_after(i, H::CERTIFICATE, cr);
            }),
            case("CertificateRequest before EncryptedExtensions", unexpected(), |i| {
                let cr = take(i, H::CERTIFICATE_REQUEST);
                insert_before(i, H::ENCRYPTED_EXTENSIONS, cr);
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// Certificate (the client detects; the server detects the client's)
// ---------------------------------------------------------------------------

#[test]
fn server_certificate() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let other_ca = TestPki::new(KeyType::EcdsaP256);
    let foreign = other_ca.certified_key().chain[0].to_vec();
    let (wrong_name_pem, _) = pki.issue(KeyType::EcdsaP256, &["other.test"]);
    let wrong_name = pem_der(&wrong_name_pem);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("Certificate cut by one byte", decode(), |i| edit(i, H::CERTIFICATE, short)),
            case("empty Certificate", decode(), |i| edit(i, H::CERTIFICATE, empty_body)),
            case("Certificate with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE, trailing)),
            case("no certificates", decode(), |i| edit(i, H::CERTIFICATE, |_| certificate(b"", &[]))),
            case("Certificate with a context", illegal(), |i| {
                edit(i, H::CERTIFICATE, |m| certificate(b"ctx", &[(&first_cert(m), b"")]))
            }),
            case("a zero-length certificate", decode(), |i| {
                edit(i, H::CERTIFICATE, |m| certificate(b"", &[(&first_cert(m), b""), (b"", b"")]))
            }),
            case("certificate extensions cut short", decode(), |i| {
                edit(i, H::CERTIFICATE, |m| certificate(b"", &[(&first_cert(m), &[0])]))
            }),
            case("a certificate extension twice", illegal(), |i| {
                let exts = cat(&[&encode_exts(&[(X::STATUS_REQUEST, vec![]), (X::STATUS_REQUEST, vec![])])[2..]]);
                edit(i, H::CERTIFICATE, |m| certificate(b"", &[(&first_cert(m), &exts)]))
            }),
            case("an OCSP response the client did not ask for", unsupported(), |i| {
                let exts = encode_exts(&[(X::STATUS_REQUEST, vec![1, 0, 0, 3, 1, 2, 3])])[2..].to_vec();
                edit(i, H::CERTIFICATE, |m| certificate(b"", &[(&first_cert(m), &exts)]))
            }),
            case("not DER", Error::Certificate(CertificateError::BadEncoding), |i| {
                edit(i, H::CERTIFICATE, |_| certificate(b"", &[(&[0x30, 3, 1, 2, 3], b"")]))
            }),
            case("from an unknown CA", Error::Certificate(CertificateError::UnknownIssuer), move |i| {
                let f = foreign.clone();
                edit(i, H::CERTIFICATE, |_| certificate(b"", &[(&f, b"")]))
            }),
            case("for another name", Error::Certificate(CertificateError::NameMismatch), move |i| {
                let w = wrong_name.clone();
                edit(i, H::CERTIFICATE, |_| certificate(b"", &[(&w, b"")]))
            }),
            case("Certificate twice", unexpected(), |i| {
                let again = copy(i, H::CERTIFICATE);
                insert_after(i, H::CERTIFICATE, again);
            }),
            case("Certificate before EncryptedExtensions", unexpected(), |i| {
                let c = take(i, H::CERTIFICATE);
                insert_before(i, H::ENCRYPTED_EXTENSIONS, c);
            }),
        ],
    );
}

/// A client that asked for OCSP: malformed CertificateStatus bodies in the
/// end entity's status_request are decode_error.
#[test]
fn stapled_ocsp_response() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let asking = |c: &mut Context| c.request_ocsp = true;
    let setup = || server_flight(&pki, &asking, &none);
    let with_status = |body: Vec<u8>| {
        move |i: &mut Vec<Item>| {
            let exts = encode_exts(&[(X::STATUS_REQUEST, body.clone())])[2..].to_vec();
            edit(i, H::CERTIFICATE, |m| certificate(b"", &[(&first_cert(m), &exts)]))
        }
    };
    client_cases(
        &setup,
        vec![
            case("a status type other than ocsp", decode(), with_status(vec![2, 0, 0, 1, 9])),
            case("an empty OCSP response", decode(), with_status(vec![1, 0, 0, 0])),
            case("an OCSP response cut short", decode(), with_status(vec![1, 0, 0, 5, 1])),
            case("a trailing byte after the OCSP response", decode(), with_status(vec![1, 0, 0, 1, 9, 9])),
            case("an empty status_request", decode(), with_status(vec![])),
        ],
    );
}

/// The DER of the first certificate in a PEM string.
fn pem_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
}

fn with_client_cert<'a>(pki: &'a TestPki) -> impl Fn(&mut Context) + 'a {
    let (chain, key) = pki.issue(KeyType::EcdsaP256, &["client.test"]);
    move |c: &mut Context| c.add_cert_pem(chain.as_bytes(), key.as_bytes()).unwrap()
}

#[test]
fn client_certificate_flight() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let client = with_client_cert(&pki);
    let setup = || {
        let (m, items) = client_flight(&pki, &client, &require_client_cert);
        let types: Vec<_> = items.iter().filter_map(|i| i.hs_type()).collect();
        assert_eq!(types, [H::CERTIFICATE, H::CERTIFICATE_VERIFY, H::FINISHED]);
        (m, items)
    };
    server_cases(
        &setup,
        vec![
            case("client Certificate cut by one byte", decode(), |i| edit(i, H::CERTIFICATE, short)),
            case("client Certificate with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE, trailing)),
            case("client Certificate with a context", illegal(), |i| {
                edit(i, H::CERTIFICATE, |m| certificate(b"ctx", &[(&first_cert(m), b"")]))
            }),
            case("no client certificate though one is required", Error::Certificate(CertificateError::Missing), |i| {
                edit(i, H::CERTIFICATE, |_| certificate(b"", &[]));
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("client certificate not DER", Error::Certificate(CertificateError::BadEncoding), |i| {
                edit(i, H::CERTIFICATE, |_| certificate(b"", &[(&[0x30, 3, 1, 2, 3], b"")]))
            }),
            case("no client Certificate message", unexpected(), |i| {
                take(i, H::CERTIFICATE);
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("client CertificateVerify cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, short)),
            case("client CertificateVerify with a trailing byte", decode(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, trailing)
            }),
            case("client signature flipped", decrypt(), |i| edit(i, H::CERTIFICATE_VERIFY, flip_last)),
            case("client signature scheme not offered", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme::RSA_PKCS1_SHA256, &cv_signature(m)))
            }),
            case("client signature scheme not fitting the key", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme::ED25519, &cv_signature(m)))
            }),
            case("client CertificateVerify left out", unexpected(), |i| {
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("client CertificateVerify twice", unexpected(), |i| {
                let again = copy(i, H::CERTIFICATE_VERIFY);
                insert_after(i, H::CERTIFICATE_VERIFY, again);
            }),
            case("client Finished flipped", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
        ],
    );
}

#[test]
fn client_finished_flight() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || client_flight(&pki, &none, &none);
    let cert = {
        let (_, items) = server_flight(&pki, &none, &none);
        copy(&items, H::CERTIFICATE)
    };
    server_cases(
        &setup,
        vec![
            case("client Finished cut by one byte", decode(), |i| edit(i, H::FINISHED, short)),
            case("empty client Finished", decode(), |i| edit(i, H::FINISHED, empty_body)),
            case("client Finished with a trailing byte", decode(), |i| edit(i, H::FINISHED, trailing)),
            case("client Finished flipped", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
            case("a Certificate nobody asked for", unexpected(), move |i| {
                insert_before(i, H::FINISHED, cert.clone());
            }),
            case("client Finished twice", unexpected(), |i| {
                let again = copy(i, H::FINISHED);
                i.push(again);
            }),
            case("KeyUpdate before the client Finished", unexpected(), |i| {
                insert_before(i, H::FINISHED, ku(0));
            }),
            case("a ClientHello under the handshake key", unexpected(), |i| {
                insert_before(i, H::FINISHED, Item::Hs(hs_msg(H::CLIENT_HELLO, &[3, 3])));
            }),
            case("a NewSessionTicket from the client", unexpected(), |i| {
                insert_before(i, H::FINISHED, Item::Hs(hs_msg(H::NEW_SESSION_TICKET, &[0; 13])));
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// CertificateVerify and Finished (the client detects)
// ---------------------------------------------------------------------------

#[test]
fn certificate_verify() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("CertificateVerify cut by one byte", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, short)),
            case("empty CertificateVerify", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, empty_body)),
            case("CertificateVerify with a trailing byte", decode(), |i| edit(i, H::CERTIFICATE_VERIFY, trailing)),
            case("empty signature", decode(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |_| cert_verify(SignatureScheme::ECDSA_SECP256R1_SHA256, &[]))
            }),
            case("signature flipped", decrypt(), |i| edit(i, H::CERTIFICATE_VERIFY, flip_last)),
            case("signature of another transcript", decrypt(), |i| {
                // A well-formed signature, made over something else.
                edit(i, H::CERTIFICATE_VERIFY, |m| {
                    let sig = cv_signature(m);
                    let mut der = sig.clone();
                    let n = der.len();
                    der[n - 5] ^= 0x10;
                    cert_verify(SignatureScheme::ECDSA_SECP256R1_SHA256, &der)
                })
            }),
            case("scheme the client did not offer", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme::RSA_PKCS1_SHA256, &cv_signature(m)))
            }),
            case("scheme that does not fit the key", illegal(), |i| {
                edit(i, H::CERTIFICATE_VERIFY, |m| cert_verify(SignatureScheme::ED25519, &cv_signature(m)))
            }),
            case("CertificateVerify left out", unexpected(), |i| {
                take(i, H::CERTIFICATE_VERIFY);
            }),
            case("CertificateVerify twice", unexpected(), |i| {
                let again = copy(i, H::CERTIFICATE_VERIFY);
                insert_after(i, H::CERTIFICATE_VERIFY, again);
            }),
            case("CertificateVerify before the Certificate", unexpected(), |i| {
                let cv = take(i, H::CERTIFICATE_VERIFY);
                insert_before(i, H::CERTIFICATE, cv);
            }),
        ],
    );
}

#[test]
fn server_finished() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("Finished cut by one byte", decode(), |i| edit(i, H::FINISHED, short)),
            case("empty Finished", decode(), |i| edit(i, H::FINISHED, empty_body)),
            case("Finished with a trailing byte", decode(), |i| edit(i, H::FINISHED, trailing)),
            case("Finished flipped", decrypt(), |i| edit(i, H::FINISHED, flip_last)),
            case("Finished before the CertificateVerify", unexpected(), |i| {
                let fin = take(i, H::FINISHED);
                insert_before(i, H::CERTIFICATE_VERIFY, fin);
            }),
            case("Finished twice", unexpected(), |i| {
                let again = copy(i, H::FINISHED);
                i.push(again);
            }),
            case("KeyUpdate during the handshake", unexpected(), |i| {
                edit(i, H::ENCRYPTED_EXTENSIONS, |_| hs_msg(H::KEY_UPDATE, &[0]))
            }),
            case("NewSessionTicket during the handshake", unexpected(), |i| {
                let t = Ticket { lifetime: 60, age_add: 1, nonce: vec![0], ticket: vec![1; 16], exts: vec![] };
                edit(i, H::ENCRYPTED_EXTENSIONS, |_| t.encode())
            }),
            case("an unknown handshake type", unexpected(), |i| {
                insert_after(i, H::SERVER_HELLO, Item::Hs(hs_msg(H(99), &[1, 2, 3])))
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// Resumption: PSK binders and the server's answer
// ---------------------------------------------------------------------------

#[test]
fn resumption() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let hello_setup = || resumption_hello(&pki);
    let psk = |i: &mut Vec<Item>, f: &dyn Fn(&[u8]) -> Vec<u8>| {
        ch(i, |h| {
            let body = f(h.ext(X::PRE_SHARED_KEY).unwrap());
            set_ext(&mut h.exts, X::PRE_SHARED_KEY, &body);
        })
    };
    server_cases(
        &hello_setup,
        vec![
            case("PSK binder wrong", decrypt(), |i| edit(i, H::CLIENT_HELLO, flip_last)),
            case("pre_shared_key moved to the front", illegal(), |i| {
                ch(i, |h| {
                    let p = h.exts.pop().unwrap();
                    h.exts.insert(0, p);
                })
            }),
            case("psk_key_exchange_modes removed", missing(X::PSK_KEY_EXCHANGE_MODES), |i| {
                ch(i, |h| remove_ext(&mut h.exts, X::PSK_KEY_EXCHANGE_MODES))
            }),
            case("two binders for one identity", illegal(), move |i| {
                psk(i, &|b| {
                    let mut r = Cursor(b);
                    let ids = r.v16().to_vec();
                    let binders = r.v16().to_vec();
                    cat(&[&vec16(&ids), &vec16(&cat(&[&binders, &binders]))])
                })
            }),
            case("pre_shared_key cut by one byte", decode(), move |i| psk(i, &|b| b[..b.len() - 1].to_vec())),
            // The binder covers the whole hello: any other change shows there first.
            case("key_share removed from a resumption hello", decrypt(), |i| {
                ch(i, |h| {
                    remove_ext(&mut h.exts, X::KEY_SHARE);
                    remove_ext(&mut h.exts, X::SUPPORTED_GROUPS);
                })
            }),
        ],
    );

    let flight_setup = || resumption_flight(&pki);
    let cr = {
        let (_, items) = server_flight(&pki, &none, &require_client_cert);
        copy(&items, H::CERTIFICATE_REQUEST)
    };
    let cert = {
        let (_, items) = server_flight(&pki, &none, &none);
        copy(&items, H::CERTIFICATE)
    };
    client_cases(
        &flight_setup,
        vec![
            case("ServerHello selects PSK identity 1", illegal(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::PRE_SHARED_KEY, &[0, 1]))
            }),
            case("selected identity of three bytes", decode(), |i| {
                sh(i, |h| set_ext(&mut h.exts, X::PRE_SHARED_KEY, &[0, 0, 0]))
            }),
            case("PSK without key exchange the client did not allow", missing(X::KEY_SHARE), |i| {
                sh(i, |h| remove_ext(&mut h.exts, X::KEY_SHARE))
            }),
            case("CertificateRequest in a resumed handshake", unexpected(), move |i| {
                insert_after(i, H::ENCRYPTED_EXTENSIONS, cr.clone())
            }),
            case("Certificate in a resumed handshake", unexpected(), move |i| {
                insert_after(i, H::ENCRYPTED_EXTENSIONS, cert.clone())
            }),
        ],
    );
}

// ---------------------------------------------------------------------------
// NewSessionTicket and KeyUpdate (after the handshake)
// ---------------------------------------------------------------------------

#[test]
fn new_session_ticket() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || tickets(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("NewSessionTicket cut by one byte", decode(), |i| edit(i, H::NEW_SESSION_TICKET, short)),
            case("empty NewSessionTicket", decode(), |i| edit(i, H::NEW_SESSION_TICKET, empty_body)),
            case("NewSessionTicket with a trailing byte", decode(), |i| edit(i, H::NEW_SESSION_TICKET, trailing)),
            case("ticket lifetime over 7 days", illegal(), |i| ticket_edit(i, |t| t.lifetime = 604_801)),
            case("empty ticket", decode(), |i| ticket_edit(i, |t| t.ticket.clear())),
            case("a ticket extension twice", illegal(), |i| {
                ticket_edit(i, |t| {
                    t.exts = encode_exts(&[(X::EARLY_DATA, vec![0; 4]), (X::EARLY_DATA, vec![0; 4])])[2..].to_vec()
                })
            }),
            case("early_data of two bytes", decode(), |i| {
                ticket_edit(i, |t| t.exts = encode_exts(&[(X::EARLY_DATA, vec![0; 2])])[2..].to_vec())
            }),
            case("ticket extensions cut short", decode(), |i| ticket_edit(i, |t| t.exts = vec![0, 42, 0])),
            case("a ServerHello after the handshake", unexpected(), |i| {
                edit(i, H::NEW_SESSION_TICKET, |_| hs_msg(H::SERVER_HELLO, &[3, 3]))
            }),
            case("a CertificateRequest after the handshake (not offered)", unexpected(), |i| {
                edit(i, H::NEW_SESSION_TICKET, |_| cert_request(b"x", &[(X::SIGNATURE_ALGORITHMS, u16s(&[0x0403]))]))
            }),
            case("Finished after the handshake", unexpected(), |i| {
                edit(i, H::NEW_SESSION_TICKET, |_| hs_msg(H::FINISHED, &[0; 32]))
            }),
        ],
    );

    // What a client must accept: the longest lifetime, and extensions it does not know.
    let (mut m, mut items) = tickets(&pki, &none, &none);
    ticket_edit(&mut items, |t| {
        t.lifetime = 604_800;
        t.exts = encode_exts(&[(X(0x7777), vec![1])])[2..].to_vec();
    });
    m.deliver_to_client(&items).unwrap();
    assert!(m.client.session().is_some());

    // The client sends no tickets.
    let mut m = connected(&pki);
    let t = Ticket { lifetime: 60, age_add: 1, nonce: vec![0], ticket: vec![1; 16], exts: vec![] };
    server_rejects(&mut m, &[Item::Hs(t.encode())], &unexpected(), "a NewSessionTicket from the client");
}

#[test]
fn key_update() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let from_server = || {
        let mut m = connected(&pki);
        m.server.key_update(false).unwrap();
        let items = m.server_output();
        assert_eq!(items, [ku(0)]);
        (m, items)
    };
    let cases = || {
        vec![
            case("empty KeyUpdate", decode(), |i: &mut Vec<Item>| edit(i, H::KEY_UPDATE, empty_body)),
            case("KeyUpdate with a trailing byte", decode(), |i| edit(i, H::KEY_UPDATE, trailing)),
            case("KeyUpdate request value 2", illegal(), |i| *i = vec![ku(2)]),
            case("KeyUpdate request value 255", illegal(), |i| *i = vec![ku(255)]),
            case("a KeyUpdate and the start of a message in one record", unexpected(), |i| {
                *i = vec![Item::rec(CT::HANDSHAKE, &cat(&[&hs_msg(H::KEY_UPDATE, &[0]), &[4, 0]]))]
            }),
        ]
    };
    client_cases(&from_server, cases());
    let from_client = || {
        let mut m = connected(&pki);
        m.client.key_update(false).unwrap();
        let items = m.client_output();
        assert_eq!(items, [ku(0)]);
        (m, items)
    };
    server_cases(&from_client, cases());

    // After a KeyUpdate, a record under the old key does not open.
    let mut m = connected(&pki);
    m.client.send(b"before").unwrap();
    let items = m.client_output();
    let old = m.seal_to_server(&items);
    m.server.read_tls(&old).unwrap();
    assert_eq!(read_all(&mut m.server), b"before");
    m.client.key_update(false).unwrap();
    m.forward_to_server().unwrap();
    server_rejects(&mut m, &[Item::Raw(old)], &Error::BadRecordMac, "a record under the old key");
}

// ---------------------------------------------------------------------------
// The record layer
// ---------------------------------------------------------------------------

#[test]
fn record_layer_before_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || hello_capture(&pki, &none, &none);
    server_cases(
        &setup,
        vec![
            case("a plaintext record over 2^14 bytes", Error::RecordOverflow, |i| {
                let big = edit_hello(i[0].msg(), |h| h.exts.insert(0, (X::PADDING, vec![0; 17_000])));
                *i = vec![Item::Raw(record(CT::HANDSHAKE, &big))];
            }),
            case("a record length over 2^14 + 2048", Error::RecordOverflow, |i| {
                *i = vec![Item::Raw(vec![22, 3, 1, 0x48, 0x01])]
            }),
            case("an unknown content type", unexpected(), |i| *i = vec![Item::Raw(record(CT(99), &[1]))]),
            case("a heartbeat record", unexpected(), |i| *i = vec![Item::Raw(record(CT::HEARTBEAT, &[1, 0, 0]))]),
            case("a zero-length handshake record", unexpected(), |i| i.insert(0, Item::plain(CT::HANDSHAKE, &[]))),
            case("application data before the ClientHello", unexpected(), |i| {
                i.insert(0, Item::plain(CT::APPLICATION_DATA, b"GET /"))
            }),
            case("a ChangeCipherSpec before the ClientHello", unexpected(), |i| {
                i.insert(0, Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]))
            }),
            case("an alert of one byte", decode(), |i| *i = vec![Item::plain(CT::ALERT, &[2])]),
            case("an alert of three bytes", decode(), |i| *i = vec![Item::plain(CT::ALERT, &[2, 40, 0])]),
            case("an alert of level 3", illegal(), |i| *i = vec![Item::plain(CT::ALERT, &[3, 40])]),
            case("a handshake message over 256 KiB", Error::RecordOverflow, |i| {
                *i = vec![Item::plain(CT::HANDSHAKE, &[1, 0x04, 0x00, 0x01])]
            }),
            case("close_notify inside a fragmented ClientHello", unexpected(), |i| {
                let m = i[0].msg().to_vec();
                *i = vec![Item::plain(CT::HANDSHAKE, &m[..20]), Item::plain(CT::ALERT, &[1, 0])];
            }),
            case("a ChangeCipherSpec inside a fragmented ClientHello", unexpected(), |i| {
                let m = i[0].msg().to_vec();
                *i = vec![Item::plain(CT::HANDSHAKE, &m[..20]), Item::plain(CT::CHANGE_CIPHER_SPEC, &[1])];
            }),
        ],
    );

    // A ClientHello split over several records is fine.
    let (mut m, items) = hello_capture(&pki, &none, &none);
    let msg = items[0].msg().to_vec();
    let pieces: Vec<Item> = msg.chunks(7).map(|c| Item::plain(CT::HANDSHAKE, c)).collect();
    m.deliver_to_server(&pieces).unwrap();
    m.handshake();
}

#[test]
fn record_layer_during_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || server_flight(&pki, &none, &none);
    client_cases(
        &setup,
        vec![
            case("a plaintext handshake record after the keys changed", unexpected(), |i| {
                let e = take(i, H::ENCRYPTED_EXTENSIONS);
                i.insert(2, Item::plain(CT::HANDSHAKE, e.msg()));
            }),
            case("a zero-length encrypted handshake record", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT::HANDSHAKE, &[]))
            }),
            case("application data before the server Finished", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT::APPLICATION_DATA, b"early"))
            }),
            case("an empty application data record during the handshake", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT::APPLICATION_DATA, &[]))
            }),
            case("an encrypted ChangeCipherSpec", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT::CHANGE_CIPHER_SPEC, &[1]))
            }),
            case("a ChangeCipherSpec of value 2", unexpected(), |i| {
                i[1] = Item::plain(CT::CHANGE_CIPHER_SPEC, &[2]);
            }),
            case("a ChangeCipherSpec of two bytes", unexpected(), |i| {
                i[1] = Item::plain(CT::CHANGE_CIPHER_SPEC, &[1, 1]);
            }),
            case("an empty ChangeCipherSpec", unexpected(), |i| {
                i[1] = Item::plain(CT::CHANGE_CIPHER_SPEC, &[]);
            }),
            case("three ChangeCipherSpecs", unexpected(), |i| {
                let ccs = i[1].clone();
                i.insert(1, ccs.clone());
                i.insert(1, ccs);
            }),
            case("an unknown inner content type", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT(99), &[1]))
            }),
            case("an encrypted record without a content type", unexpected(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::Rec { typ: CT(0), data: vec![], pad: 4, plain: false })
            }),
            case("an encrypted alert of three bytes", decode(), |i| {
                insert_before(i, H::ENCRYPTED_EXTENSIONS, Item::rec(CT::ALERT, &[2, 40, 0]))
            }),
            case("ServerHello and the start of EncryptedExtensions in one record", unexpected(), |i| {
                let sh = take(i, H::SERVER_HELLO);
                let ee = take(i, H::ENCRYPTED_EXTENSIONS);
                i.insert(0, Item::plain(CT::HANDSHAKE, &cat(&[sh.msg(), &ee.msg()[..2]])));
            }),
            case("Finished and the start of another message in one record", unexpected(), |i| {
                let fin = take(i, H::FINISHED);
                i.push(Item::rec(CT::HANDSHAKE, &cat(&[fin.msg(), &[4, 0, 0]])));
            }),
            case("a ChangeCipherSpec between two halves of EncryptedExtensions", unexpected(), |i| {
                let ee = take(i, H::ENCRYPTED_EXTENSIONS).msg().to_vec();
                i.insert(2, Item::rec(CT::HANDSHAKE, &ee[..3]));
                i.insert(3, Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]));
                i.insert(4, Item::rec(CT::HANDSHAKE, &ee[3..]));
            }),
        ],
    );

    // A bad tag: seal the genuine flight, then damage its last record on the wire.
    let (mut m, items) = server_flight(&pki, &none, &none);
    let mut wire = m.seal_to_client(&items);
    let last = wire.len() - 1;
    wire[last] ^= 0x01;
    let e = m.client.read_tls(&wire).unwrap_err();
    assert_eq!(e, Error::BadRecordMac);
    let back = m.client_output();
    assert_eq!(m.deliver_to_server(&back), Err(Error::PeerAlert(A::BAD_RECORD_MAC)));

    // The client's flight: application data and CCS checks at the server.
    let setup = || client_flight(&pki, &none, &none);
    server_cases(
        &setup,
        vec![
            case("client application data before its Finished", unexpected(), |i| {
                insert_before(i, H::FINISHED, Item::rec(CT::APPLICATION_DATA, b"early"))
            }),
            case("a plaintext client Finished", unexpected(), |i| {
                let fin = take(i, H::FINISHED);
                i.push(Item::plain(CT::HANDSHAKE, fin.msg()));
            }),
            case("a client ChangeCipherSpec of value 2", unexpected(), |i| {
                i[0] = Item::plain(CT::CHANGE_CIPHER_SPEC, &[2]);
            }),
            case("a record shorter than the tag", Error::BadRecordMac, |i| {
                i.insert(1, Item::Raw(vec![23, 3, 3, 0, 3, 1, 2, 3]));
            }),
        ],
    );
}

/// RFC 8449 §4: a record whose plaintext (content type and padding
/// included) is larger than the limit we announced is record_overflow.
/// Both sides announce 1,000 bytes (TLS 1.3 counts the content type, so
/// 999 bytes of data fit); the proxy then sends larger records.
#[test]
fn records_over_our_record_size_limit_are_record_overflow() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let limited = |c: &mut Context| c.record_size_limit = Some(1000);
    let setup = || {
        let mut m = Mitm::start(&pki, limited, limited);
        m.handshake();
        (m, Vec::new())
    };
    let over = || {
        vec![
            case("1,000 bytes of data (1,001 with the content type)", Error::RecordOverflow, |i| {
                i.push(Item::rec(CT::APPLICATION_DATA, &[1; 1000]))
            }),
            case("999 bytes of data and one byte of padding", Error::RecordOverflow, |i| {
                i.push(Item::Rec { typ: CT::APPLICATION_DATA, data: vec![1; 999], pad: 1, plain: false })
            }),
            case("a handshake record over the limit", Error::RecordOverflow, |i| {
                let ku = hs_msg(H::KEY_UPDATE, &[0]);
                i.push(Item::Rec { typ: CT::HANDSHAKE, data: ku, pad: 1000, plain: false })
            }),
        ]
    };
    server_cases(&setup, over());
    client_cases(&setup, over());
    // The largest record that fits is accepted, on both sides.
    let (mut m, _) = setup();
    m.deliver_to_server(&[Item::rec(CT::APPLICATION_DATA, &[1; 999])]).unwrap();
    m.deliver_to_client(&[Item::rec(CT::APPLICATION_DATA, &[2; 999])]).unwrap();
    assert_eq!(read_all(&mut m.server), [1; 999]);
    assert_eq!(read_all(&mut m.client), [2; 999]);
    let (mut m, _) = setup();
    m.deliver_to_server(&[Item::Rec { typ: CT::APPLICATION_DATA, data: vec![3; 900], pad: 99, plain: false }]).unwrap();
    assert_eq!(read_all(&mut m.server), [3; 900]);
    // Without a limit, a full record with the padding that fits is accepted.
    let mut m = connected(&pki);
    m.deliver_to_server(&[Item::Rec { typ: CT::APPLICATION_DATA, data: vec![4; 16_383], pad: 1, plain: false }])
        .unwrap();
    assert_eq!(read_all(&mut m.server), [4; 16_383]);
}

#[test]
fn record_layer_after_the_handshake() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let setup = || (connected(&pki), Vec::new());
    server_cases(
        &setup,
        vec![
            case("an encrypted record over 2^14 + 256 bytes", Error::RecordOverflow, |i| {
                i.push(Item::Rec { typ: CT::APPLICATION_DATA, data: vec![1; 16_384], pad: 300, plain: false })
            }),
            case("an inner plaintext over 2^14 bytes", Error::RecordOverflow, |i| {
                i.push(Item::rec(CT::APPLICATION_DATA, &[1; 16_385]))
            }),
            // RFC 8446 §5.4: padding counts; 2^14 bytes of data leave room for none.
            case("2^14 bytes of data and 100 bytes of padding", Error::RecordOverflow, |i| {
                i.push(Item::Rec { typ: CT::APPLICATION_DATA, data: vec![1; 16_384], pad: 100, plain: false })
            }),
            case("2^14 - 1 bytes of data and 2 bytes of padding", Error::RecordOverflow, |i| {
                i.push(Item::Rec { typ: CT::APPLICATION_DATA, data: vec![1; 16_383], pad: 2, plain: false })
            }),
            case("a ChangeCipherSpec after the handshake", unexpected(), |i| {
                i.push(Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]))
            }),
            case("a plaintext alert after the handshake", unexpected(), |i| i.push(Item::plain(CT::ALERT, &[2, 40]))),
            case("33 empty records", unexpected(), |i| i.extend((0..33).map(|_| Item::rec(CT::APPLICATION_DATA, &[])))),
            case("an encrypted alert of one byte", decode(), |i| i.push(Item::rec(CT::ALERT, &[1]))),
            case("application data inside a fragmented KeyUpdate", unexpected(), |i| {
                let ku = hs_msg(H::KEY_UPDATE, &[0]);
                i.push(Item::rec(CT::HANDSHAKE, &ku[..2]));
                i.push(Item::rec(CT::APPLICATION_DATA, b"x"));
                i.push(Item::rec(CT::HANDSHAKE, &ku[2..]));
            }),
            case("a ClientHello after the handshake", unexpected(), |i| {
                i.push(Item::Hs(hs_msg(H::CLIENT_HELLO, &[3, 3])))
            }),
        ],
    );
    client_cases(
        &|| (connected(&pki), Vec::new()),
        vec![
            case("a ChangeCipherSpec after the handshake", unexpected(), |i| {
                i.push(Item::plain(CT::CHANGE_CIPHER_SPEC, &[1]))
            }),
            case("application data inside a fragmented NewSessionTicket", unexpected(), |i| {
                let t = Ticket { lifetime: 60, age_add: 1, nonce: vec![0], ticket: vec![1; 16], exts: vec![] };
                let msg = t.encode();
                i.push(Item::rec(CT::HANDSHAKE, &msg[..10]));
                i.push(Item::rec(CT::APPLICATION_DATA, b"x"));
                i.push(Item::rec(CT::HANDSHAKE, &msg[10..]));
            }),
            case("close_notify inside a fragmented NewSessionTicket", unexpected(), |i| {
                let t = Ticket { lifetime: 60, age_add: 1, nonce: vec![0], ticket: vec![1; 16], exts: vec![] };
                let msg = t.encode();
                i.push(Item::rec(CT::HANDSHAKE, &msg[..10]));
                i.push(Item::rec(CT::ALERT, &[1, 0]));
            }),
            case("a flipped bit in application data", Error::BadRecordMac, |i| {
                i.push(Item::Raw(vec![23, 3, 3, 0, 20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]))
            }),
        ],
    );

    // At the limits: the largest record, and 32 empty records, are accepted.
    let mut m = connected(&pki);
    let mut items: Vec<Item> = (0..32).map(|_| Item::rec(CT::APPLICATION_DATA, &[])).collect();
    // The largest TLSInnerPlaintext is 2^14 + 1 bytes, padding included (RFC 8446 §5.4).
    items.push(Item::Rec { typ: CT::APPLICATION_DATA, data: vec![7; 16_000], pad: 384, plain: false });
    items.push(Item::rec(CT::APPLICATION_DATA, &[8; 16_384]));
    m.deliver_to_server(&items).unwrap();
    assert_eq!(read_all(&mut m.server), [vec![7; 16_000], vec![8; 16_384]].concat());
    // And a genuine record with one bit flipped is not.
    m.client.send(b"hello").unwrap();
    let items = m.client_output();
    let mut wire = m.seal_to_server(&items);
    wire[7] ^= 0x20;
    server_rejects(&mut m, &[Item::Raw(wire)], &Error::BadRecordMac, "a flipped bit in a genuine record");
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
    match rng.below(6) {
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
    let client_cert = with_client_cert(&pki);
    let configs: Vec<(Cfg<'_>, Cfg<'_>)> = vec![
        (&none, &none),
        (&hrr_client, &hrr_server),
        (&client_cert, &require_client_cert),
        (&alpn_and_limit, &none),
    ];
    let contexts: Vec<_> = configs.iter().map(|(c, s)| logged_contexts(&pki, |x| c(x), |x| s(x))).collect();
    let mut rng = Prng::new(0x7e57_ab1e);
    let iterations = 3000;
    let (mut completed, mut failed) = (0, 0);
    for n in 0..iterations {
        let (log, cctx, sctx) = &contexts[n % contexts.len()];
        let mut m = Mitm::connect(log.clone(), cctx.clone(), sctx.clone(), Some("localhost"), None);
        m.client.send(b"queued before the handshake").unwrap();
        let target = rng.below(5);
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
            if flight == 3 && m.client.is_handshake_complete() && m.client.error().is_none() {
                // Give the later flights something to carry.
                let _ = m.client.key_update(true);
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
            let mut buf = [0u8; 64];
            let _ = m.server.recv(&mut buf);
        }
    }
    // The run exercised both outcomes.
    assert!(failed > iterations / 2, "failed {failed}");
    assert!(completed > 0, "completed {completed}");
}

#[test]
fn fuzz_garbage_first_flights() {
    // Random records straight at a fresh server and a fresh client.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (_, cctx, sctx) = logged_contexts(&pki, none, none);
    let mut rng = Prng::new(42);
    for n in 0..1500 {
        let typ = [20u8, 21, 22, 23, 24, 99][rng.below(6)];
        let len = rng.below(300);
        let mut wire = vec![typ, 3, [1u8, 3, 4][rng.below(3)]];
        wire.extend_from_slice(&(len as u16).to_be_bytes());
        if rng.below(4) == 0 {
            // A handshake header of a real type.
            let t = [1u8, 2, 4, 8, 11, 13, 15, 20, 24][rng.below(9)];
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
