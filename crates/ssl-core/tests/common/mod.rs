//! Shared helpers for the in-memory tests: a test PKI and a pump.
#![allow(dead_code)]

use ssl_core::pki::CertifiedKey;
use ssl_core::{Connection, Context, Error, Received};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa2048,
}

/// A CA and a server certificate for `localhost` / `server.test`.
pub struct TestPki {
    pub ca_der: Vec<u8>,
    pub ca_pem: String,
    pub chain_pem: String,
    pub key_pem: String,
    ca_params: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
}

const RSA2048_PKCS8: &str = include_str!("rsa2048.pem");

pub fn keypair(kt: KeyType) -> rcgen::KeyPair {
    match kt {
        KeyType::EcdsaP256 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        KeyType::EcdsaP384 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        KeyType::Ed25519 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        KeyType::Rsa2048 => rcgen::KeyPair::from_pem(RSA2048_PKCS8).unwrap(),
    }
}

impl TestPki {
    pub fn new(kt: KeyType) -> TestPki {
        let ca_key = keypair(KeyType::EcdsaP256);
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        // A unique name per CA, so two test PKIs never look like the same issuer.
        static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("sslfile test CA {n} {}", std::process::id()));
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let (chain_pem, key_pem) = {
            let issuer = rcgen::Issuer::new(ca_params.clone(), &ca_key);
            let key = keypair(kt);
            let mut p = rcgen::CertificateParams::new(vec!["localhost".into(), "server.test".into()]).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, "server.test");
            let cert = p.signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        TestPki { ca_der: ca.der().to_vec(), ca_pem: ca.pem(), chain_pem, key_pem, ca_params, ca_key }
    }

    /// Issues another leaf for `names` (server or client use).
    pub fn issue(&self, kt: KeyType, names: &[&str]) -> (String, String) {
        let issuer = rcgen::Issuer::new(self.ca_params.clone(), &self.ca_key);
        let key = keypair(kt);
        let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, names.first().copied().unwrap_or("client"));
        let cert = p.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    pub fn server_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.add_cert_pem(self.chain_pem.as_bytes(), self.key_pem.as_bytes()).unwrap();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        f(&mut ctx);
        Arc::new(ctx)
    }

    pub fn client_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        f(&mut ctx);
        Arc::new(ctx)
    }

    pub fn certified_key(&self) -> CertifiedKey {
        CertifiedKey::from_pem(self.chain_pem.as_bytes(), self.key_pem.as_bytes()).unwrap()
    }
}

pub fn pair(client: Arc<Context>, server: Arc<Context>) -> (Connection, Connection) {
    (Connection::client(client, Some("localhost"), None).unwrap(), Connection::server(server))
}

/// Moves bytes both ways until nothing moves (alerts after a failure
/// included). Returns the first error of either side.
pub fn pump(c: &mut Connection, s: &mut Connection) -> Result<(), Error> {
    let mut first: Option<Error> = None;
    loop {
        let a = c.take_tls();
        if !a.is_empty()
            && let Err(e) = s.read_tls(&a)
        {
            first.get_or_insert(e);
        }
        let b = s.take_tls();
        if !b.is_empty()
            && let Err(e) = c.read_tls(&b)
        {
            first.get_or_insert(e);
        }
        if a.is_empty() && b.is_empty() {
            return first.map_or(Ok(()), Err);
        }
    }
}

/// Pumps until both sides finished the handshake.
pub fn handshake(c: &mut Connection, s: &mut Connection) -> Result<(), Error> {
    pump(c, s)?;
    if c.is_handshake_complete() && s.is_handshake_complete() {
        Ok(())
    } else {
        Err(Error::Internal("handshake stalled"))
    }
}

pub fn read_all(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        match conn.recv(&mut buf).unwrap() {
            Received::Data(0) | Received::WouldBlock | Received::Eof => return out,
            Received::Data(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `n` pseudo-random bytes each way and checks they arrive intact.
pub fn exchange_data(c: &mut Connection, s: &mut Connection, n: usize) {
    let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 255) as u8).collect();
    c.send(&data).unwrap();
    s.send(&data[..n / 2]).unwrap();
    let mut got_s = Vec::new();
    let mut got_c = Vec::new();
    for _ in 0..1000 {
        pump(c, s).unwrap();
        got_s.extend(read_all(s));
        got_c.extend(read_all(c));
        if got_s.len() >= n && got_c.len() >= n / 2 {
            break;
        }
    }
    assert_eq!(got_s, data);
    assert_eq!(got_c, &data[..n / 2]);
}

// ---------------------------------------------------------------------------
// Hostile-input helpers: byte builders, handshake message editing, a
// deterministic PRNG, and `Mitm`, a tampering proxy that sits between an
// in-memory client and server, opens every record with the secrets both
// sides wrote to a shared key log, and seals what a test hands it again.
// ---------------------------------------------------------------------------

use ssl_core::constants::{CipherSuite, ContentType, ExtensionType, HandshakeType};
use ssl_core::crypto::Secret;
use ssl_core::crypto::aead::{AeadKey, xor_nonce};
use ssl_core::handshake::key_schedule;
use ssl_core::keylog::KeyLogMemory;

/// `b` with a one-byte length prefix.
pub fn vec8(b: &[u8]) -> Vec<u8> {
    let mut v = vec![b.len() as u8];
    v.extend_from_slice(b);
    v
}

/// `b` with a two-byte length prefix.
pub fn vec16(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(b);
    v
}

/// `b` with a three-byte length prefix.
pub fn vec24(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as u32).to_be_bytes()[1..].to_vec();
    v.extend_from_slice(b);
    v
}

/// Concatenates byte strings.
pub fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A handshake message: type, 24-bit length, body.
pub fn hs_msg(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
    let mut v = vec![typ.0];
    v.extend_from_slice(&vec24(body));
    v
}

/// The type of a handshake message.
pub fn hs_type(msg: &[u8]) -> HandshakeType {
    HandshakeType(msg[0])
}

/// The body of a handshake message.
pub fn hs_body(msg: &[u8]) -> &[u8] {
    &msg[4..]
}

/// `msg` with its body cut to `len` bytes; the header says the new length,
/// so the message is complete but its body is short.
pub fn truncated(msg: &[u8], len: usize) -> Vec<u8> {
    hs_msg(hs_type(msg), &hs_body(msg)[..len])
}

/// `msg` with `extra` bytes after its body (header length updated).
pub fn with_trailing(msg: &[u8], extra: &[u8]) -> Vec<u8> {
    hs_msg(hs_type(msg), &cat(&[hs_body(msg), extra]))
}

/// `msg` with the message type replaced.
pub fn retyped(msg: &[u8], typ: HandshakeType) -> Vec<u8> {
    hs_msg(typ, hs_body(msg))
}

/// A plaintext record.
pub fn record(typ: ContentType, data: &[u8]) -> Vec<u8> {
    let mut v = vec![typ.0, 3, 3];
    v.extend_from_slice(&vec16(data));
    v
}

/// Splits a byte stream into whole records (header included); a partial
/// record at the end is returned as is.
pub fn split_records(mut b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while b.len() >= 5 {
        let n = (5 + u16::from_be_bytes([b[3], b[4]]) as usize).min(b.len());
        out.push(b[..n].to_vec());
        b = &b[n..];
    }
    if !b.is_empty() {
        out.push(b.to_vec());
    }
    out
}

/// A reader over well-formed test input (it panics on short input: only
/// genuine messages from our own peers are parsed with it).
pub struct Cursor<'a>(pub &'a [u8]);

impl<'a> Cursor<'a> {
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
    pub fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    pub fn u16(&mut self) -> u16 {
        let b = self.take(2);
        u16::from_be_bytes([b[0], b[1]])
    }
    pub fn u24(&mut self) -> usize {
        let b = self.take(3);
        u32::from_be_bytes([0, b[0], b[1], b[2]]) as usize
    }
    pub fn u32(&mut self) -> u32 {
        let b = self.take(4);
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
    pub fn v8(&mut self) -> &'a [u8] {
        let n = self.u8() as usize;
        self.take(n)
    }
    pub fn v16(&mut self) -> &'a [u8] {
        let n = self.u16() as usize;
        self.take(n)
    }
    pub fn v24(&mut self) -> &'a [u8] {
        let n = self.u24();
        self.take(n)
    }
}

/// An extension list: (type, body) in wire order.
pub type Exts = Vec<(ExtensionType, Vec<u8>)>;

/// Parses an extension block body (without its length prefix).
pub fn parse_exts(block: &[u8]) -> Exts {
    let mut r = Cursor(block);
    let mut out = Vec::new();
    while !r.0.is_empty() {
        let t = ExtensionType(r.u16());
        out.push((t, r.v16().to_vec()));
    }
    out
}

/// Encodes an extension block with its two-byte length prefix.
pub fn encode_exts(exts: &[(ExtensionType, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, b) in exts {
        body.extend_from_slice(&t.0.to_be_bytes());
        body.extend_from_slice(&vec16(b));
    }
    vec16(&body)
}

/// Finds an extension.
pub fn find_ext(exts: &[(ExtensionType, Vec<u8>)], t: ExtensionType) -> Option<&[u8]> {
    exts.iter().find(|(x, _)| *x == t).map(|(_, b)| b.as_slice())
}

/// Replaces an extension's body in place, or appends the extension.
pub fn set_ext(exts: &mut Exts, t: ExtensionType, body: &[u8]) {
    match exts.iter_mut().find(|(x, _)| *x == t) {
        Some(e) => e.1 = body.to_vec(),
        None => exts.push((t, body.to_vec())),
    }
}

/// Removes an extension.
pub fn remove_ext(exts: &mut Exts, t: ExtensionType) {
    exts.retain(|(x, _)| *x != t);
}

/// A ClientHello, ServerHello or HelloRetryRequest, field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    pub typ: HandshakeType,
    pub version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    /// The offered suites (ClientHello) or the one chosen (ServerHello).
    pub suites: Vec<u16>,
    /// The offered compression methods, or the one chosen.
    pub compression: Vec<u8>,
    pub exts: Exts,
}

impl Hello {
    pub fn parse(msg: &[u8]) -> Hello {
        let typ = hs_type(msg);
        let mut r = Cursor(hs_body(msg));
        let version = r.u16();
        let random: [u8; 32] = r.take(32).try_into().unwrap();
        let session_id = r.v8().to_vec();
        let (suites, compression) = if typ == HandshakeType::CLIENT_HELLO {
            let s = r.v16().chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            (s, r.v8().to_vec())
        } else {
            (vec![r.u16()], vec![r.u8()])
        };
        let exts = if r.0.is_empty() { Vec::new() } else { parse_exts(r.v16()) };
        Hello { typ, version, random, session_id, suites, compression, exts }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut b = self.version.to_be_bytes().to_vec();
        b.extend_from_slice(&self.random);
        b.extend_from_slice(&vec8(&self.session_id));
        if self.typ == HandshakeType::CLIENT_HELLO {
            let s: Vec<u8> = self.suites.iter().flat_map(|s| s.to_be_bytes()).collect();
            b.extend_from_slice(&vec16(&s));
            b.extend_from_slice(&vec8(&self.compression));
        } else {
            b.extend_from_slice(&self.suites[0].to_be_bytes());
            b.extend_from_slice(&self.compression);
        }
        b.extend_from_slice(&encode_exts(&self.exts));
        hs_msg(self.typ, &b)
    }

    pub fn ext(&self, t: ExtensionType) -> Option<&[u8]> {
        find_ext(&self.exts, t)
    }

    pub fn is_retry_request(&self) -> bool {
        self.random == ssl_core::msgs::HRR_RANDOM
    }
}

/// Parses, edits and re-encodes a hello message.
pub fn edit_hello(msg: &[u8], f: impl FnOnce(&mut Hello)) -> Vec<u8> {
    let mut h = Hello::parse(msg);
    f(&mut h);
    h.encode()
}

/// A small deterministic PRNG (xorshift64*), so fuzz runs repeat exactly.
pub struct Prng(u64);

impl Prng {
    pub fn new(seed: u64) -> Prng {
        Prng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// One unit of traffic as the proxy sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A whole handshake message (header included). It is sent in a record
    /// of its own under the lane's current key, and the key changes after it
    /// as TLS 1.3 says (ServerHello, Finished, KeyUpdate).
    Hs(Vec<u8>),
    /// One record with this inner content type, payload and zero padding;
    /// `plain` sends it unprotected even when keys are on.
    Rec { typ: ContentType, data: Vec<u8>, pad: usize, plain: bool },
    /// Bytes put on the wire as they are.
    Raw(Vec<u8>),
}

impl Item {
    /// A record protected with the current key (if any).
    pub fn rec(typ: ContentType, data: &[u8]) -> Item {
        Item::Rec { typ, data: data.to_vec(), pad: 0, plain: false }
    }

    /// An unprotected record.
    pub fn plain(typ: ContentType, data: &[u8]) -> Item {
        Item::Rec { typ, data: data.to_vec(), pad: 0, plain: true }
    }

    /// The handshake type of an `Hs` item.
    pub fn hs_type(&self) -> Option<HandshakeType> {
        match self {
            Item::Hs(m) => Some(hs_type(m)),
            _ => None,
        }
    }

    /// The message of an `Hs` item.
    pub fn msg(&self) -> &[u8] {
        match self {
            Item::Hs(m) => m,
            other => panic!("not a handshake message: {other:?}"),
        }
    }
}

/// The index of the first handshake message of type `t`.
pub fn find_msg(items: &[Item], t: HandshakeType) -> usize {
    items.iter().position(|i| i.hs_type() == Some(t)).unwrap_or_else(|| panic!("no {t} in {items:?}"))
}

/// Which traffic keys protect a direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Epoch {
    #[default]
    Plain,
    Handshake,
    /// Application traffic secret N.
    App(u32),
}

/// AEAD key, IV and sequence number of one direction.
struct LaneKeys {
    aead: AeadKey,
    iv: [u8; 12],
    seq: u64,
}

impl LaneKeys {
    fn seal(&mut self, typ: ContentType, data: &[u8], pad: usize) -> Vec<u8> {
        let mut inner = data.to_vec();
        inner.push(typ.0);
        inner.resize(inner.len() + pad, 0);
        let total = inner.len() + self.aead.tag_len();
        let header = [ContentType::APPLICATION_DATA.0, 3, 3, (total >> 8) as u8, total as u8];
        let mut tag = vec![0u8; self.aead.tag_len()];
        self.aead.seal(xor_nonce(&self.iv, self.seq), &header, &mut inner, &mut tag).unwrap();
        self.seq += 1;
        cat(&[&header, &inner, &tag])
    }

    fn open(&mut self, rec: &[u8]) -> Option<(ContentType, Vec<u8>)> {
        let mut body = rec[5..].to_vec();
        let n = self.aead.open(xor_nonce(&self.iv, self.seq), &rec[..5], &mut body).ok()?;
        self.seq += 1;
        body.truncate(n);
        let pos = body.iter().rposition(|b| *b != 0)?;
        let typ = ContentType(body[pos]);
        body.truncate(pos);
        Some((typ, body))
    }
}

/// One direction through the proxy: what the sender protects with (open)
/// and what the receiver expects (seal).
#[derive(Default)]
struct Lane {
    open_epoch: Epoch,
    open: Option<LaneKeys>,
    seal_epoch: Epoch,
    seal: Option<LaneKeys>,
    joiner: Vec<u8>,
    pending: Vec<u8>,
    /// The proxy could not open a record (the peers' keys left what the key
    /// log describes): everything is passed on unopened from then on.
    lost: bool,
}

const C2S: usize = 0;
const S2C: usize = 1;

/// A tampering proxy between a client and a server.
pub struct Mitm {
    pub client: Connection,
    pub server: Connection,
    pub log: Arc<KeyLogMemory>,
    client_random: Option<[u8; 32]>,
    suite: Option<CipherSuite>,
    lanes: [Lane; 2],
}

/// A client and a server context writing their secrets to one key log.
pub fn logged_contexts(
    pki: &TestPki,
    client: impl FnOnce(&mut Context),
    server: impl FnOnce(&mut Context),
) -> (Arc<KeyLogMemory>, Arc<Context>, Arc<Context>) {
    let log = Arc::new(KeyLogMemory::default());
    let (l1, l2) = (log.clone(), log.clone());
    // The tampering proxy speaks TLS 1.3 (TLS 1.2 has its own hostile tests).
    let cctx = pki.client_ctx(|c| {
        c.key_log = Some(l1);
        c.min_version = ssl_core::constants::ProtocolVersion::TLS1_3;
        client(c)
    });
    let sctx = pki.server_ctx(|c| {
        c.key_log = Some(l2);
        c.min_version = ssl_core::constants::ProtocolVersion::TLS1_3;
        server(c)
    });
    (log, cctx, sctx)
}

impl Mitm {
    /// A fresh client (for `localhost`) and server, nothing sent yet.
    pub fn start(pki: &TestPki, client: impl FnOnce(&mut Context), server: impl FnOnce(&mut Context)) -> Mitm {
        let (log, cctx, sctx) = logged_contexts(pki, client, server);
        Mitm::connect(log, cctx, sctx, Some("localhost"), None)
    }

    /// A client and server on contexts that log to `log`.
    pub fn connect(
        log: Arc<KeyLogMemory>,
        cctx: Arc<Context>,
        sctx: Arc<Context>,
        name: Option<&str>,
        session: Option<ssl_core::Session>,
    ) -> Mitm {
        let client = Connection::client(cctx, name, session).unwrap();
        let server = Connection::server(sctx);
        Mitm { client, server, log, client_random: None, suite: None, lanes: Default::default() }
    }

    /// Takes what the client sent and opens it.
    pub fn client_output(&mut self) -> Vec<Item> {
        let b = self.client.take_tls();
        self.decode(C2S, b)
    }

    /// Takes what the server sent and opens it.
    pub fn server_output(&mut self) -> Vec<Item> {
        let b = self.server.take_tls();
        self.decode(S2C, b)
    }

    /// Seals `items` and feeds them to the server.
    pub fn deliver_to_server(&mut self, items: &[Item]) -> Result<(), Error> {
        let b = self.encode(C2S, items);
        self.server.read_tls(&b)
    }

    /// Seals `items` and feeds them to the client.
    pub fn deliver_to_client(&mut self, items: &[Item]) -> Result<(), Error> {
        let b = self.encode(S2C, items);
        self.client.read_tls(&b)
    }

    /// Seals `items` for the server without delivering them.
    pub fn seal_to_server(&mut self, items: &[Item]) -> Vec<u8> {
        self.encode(C2S, items)
    }

    /// Seals `items` for the client without delivering them.
    pub fn seal_to_client(&mut self, items: &[Item]) -> Vec<u8> {
        self.encode(S2C, items)
    }

    /// Passes the client's output on unchanged.
    pub fn forward_to_server(&mut self) -> Result<(), Error> {
        let items = self.client_output();
        self.deliver_to_server(&items)
    }

    /// Passes the server's output on unchanged.
    pub fn forward_to_client(&mut self) -> Result<(), Error> {
        let items = self.server_output();
        self.deliver_to_client(&items)
    }

    /// Passes traffic both ways until nothing moves; returns the first
    /// error. Panics if traffic still moves after many rounds (a livelock).
    pub fn pump(&mut self) -> Result<(), Error> {
        let mut first = None;
        for _ in 0..64 {
            let a = self.client_output();
            if !a.is_empty()
                && let Err(e) = self.deliver_to_server(&a)
            {
                first.get_or_insert(e);
            }
            let b = self.server_output();
            if !b.is_empty()
                && let Err(e) = self.deliver_to_client(&b)
            {
                first.get_or_insert(e);
            }
            if a.is_empty() && b.is_empty() {
                return first.map_or(Ok(()), Err);
            }
        }
        panic!("traffic never stopped");
    }

    /// Pumps until both sides completed the handshake.
    pub fn handshake(&mut self) {
        self.pump().unwrap();
        assert!(self.client.is_handshake_complete() && self.server.is_handshake_complete());
    }

    /// The epochs (open, seal) of the client→server and server→client lanes.
    pub fn epochs(&self) -> [(Epoch, Epoch); 2] {
        [(self.lanes[0].open_epoch, self.lanes[0].seal_epoch), (self.lanes[1].open_epoch, self.lanes[1].seal_epoch)]
    }

    /// Whether the proxy lost track of the keys of either lane.
    pub fn lost(&self) -> bool {
        self.lanes.iter().any(|l| l.lost)
    }

    fn secret(&self, lane: usize, epoch: Epoch) -> Option<Secret> {
        let random = self.client_random?;
        let hash = self.suite?.info()?.prf;
        let label = match (lane, epoch) {
            (_, Epoch::Plain) => return None,
            (C2S, Epoch::Handshake) => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            (_, Epoch::Handshake) => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            (C2S, Epoch::App(_)) => "CLIENT_TRAFFIC_SECRET_0",
            (_, Epoch::App(_)) => "SERVER_TRAFFIC_SECRET_0",
        };
        let prefix = format!("{label} {} ", hex::encode(random));
        let line = self.log.lines().into_iter().find(|l| l.starts_with(&prefix))?;
        let mut secret = Secret::new(&hex::decode(line[prefix.len()..].trim()).ok()?);
        if let Epoch::App(n) = epoch {
            for _ in 0..n {
                secret = key_schedule::next_traffic_secret(hash, &secret);
            }
        }
        Some(secret)
    }

    fn keys(&self, lane: usize, epoch: Epoch) -> Option<LaneKeys> {
        let info = self.suite?.info()?;
        let secret = self.secret(lane, epoch)?;
        let (key, iv) = key_schedule::traffic_key_iv(info.prf, info.cipher, &secret);
        Some(LaneKeys { aead: AeadKey::new(info.cipher, &key).ok()?, iv, seq: 0 })
    }

    fn set_epoch(&mut self, lane: usize, opening: bool, epoch: Epoch) {
        let l = &mut self.lanes[lane];
        if opening {
            l.open_epoch = epoch;
            l.open = None;
        } else {
            l.seal_epoch = epoch;
            l.seal = None;
        }
    }

    /// Follows the key changes a handshake message causes. `opening` is
    /// true when the sender produced it, false when it is delivered.
    fn observe(&mut self, lane: usize, msg: &[u8], opening: bool) {
        let typ = hs_type(msg);
        let current = if opening { self.lanes[lane].open_epoch } else { self.lanes[lane].seal_epoch };
        match typ {
            HandshakeType::CLIENT_HELLO if lane == C2S && opening => {
                if let Some(r) = msg.get(6..38) {
                    self.client_random = Some(r.try_into().unwrap());
                }
            }
            HandshakeType::SERVER_HELLO if lane == S2C => {
                let sid_len = *msg.get(38).unwrap_or(&0) as usize;
                let Some(s) = msg.get(39 + sid_len..41 + sid_len) else { return };
                let hrr = msg.get(6..38) == Some(&ssl_core::msgs::HRR_RANDOM[..]);
                if opening {
                    self.suite = Some(CipherSuite(u16::from_be_bytes([s[0], s[1]])));
                }
                if !hrr && current == Epoch::Plain {
                    if opening {
                        // The server now writes with its handshake key and reads the client's;
                        // the client writes with its handshake key once it has this message.
                        self.set_epoch(S2C, true, Epoch::Handshake);
                        self.set_epoch(C2S, true, Epoch::Handshake);
                        self.set_epoch(C2S, false, Epoch::Handshake);
                    } else {
                        self.set_epoch(S2C, false, Epoch::Handshake);
                    }
                }
            }
            HandshakeType::FINISHED if current == Epoch::Handshake => self.set_epoch(lane, opening, Epoch::App(0)),
            HandshakeType::KEY_UPDATE => {
                if let Epoch::App(n) = current {
                    self.set_epoch(lane, opening, Epoch::App(n + 1));
                }
            }
            _ => {}
        }
    }

    fn decode(&mut self, lane: usize, bytes: Vec<u8>) -> Vec<Item> {
        let mut items = Vec::new();
        self.lanes[lane].pending.extend_from_slice(&bytes);
        loop {
            let l = &mut self.lanes[lane];
            if l.pending.len() < 5 {
                break;
            }
            let len = u16::from_be_bytes([l.pending[3], l.pending[4]]) as usize;
            if l.pending.len() < 5 + len {
                break;
            }
            let rec: Vec<u8> = l.pending.drain(..5 + len).collect();
            if l.lost {
                items.push(Item::Raw(rec));
                continue;
            }
            let outer = ContentType(rec[0]);
            let (typ, data, plain) = if outer != ContentType::APPLICATION_DATA || l.open_epoch == Epoch::Plain {
                (outer, rec[5..].to_vec(), true)
            } else {
                if self.lanes[lane].open.is_none() {
                    self.lanes[lane].open = self.keys(lane, self.lanes[lane].open_epoch);
                }
                let l = &mut self.lanes[lane];
                match l.open.as_mut().and_then(|k| k.open(&rec)) {
                    Some((t, d)) => (t, d, false),
                    None => {
                        l.lost = true;
                        items.push(Item::Raw(rec));
                        continue;
                    }
                }
            };
            if typ != ContentType::HANDSHAKE {
                items.push(Item::Rec { typ, data, pad: 0, plain });
                continue;
            }
            self.lanes[lane].joiner.extend_from_slice(&data);
            loop {
                let j = &mut self.lanes[lane].joiner;
                if j.len() < 4 {
                    break;
                }
                let n = 4 + u32::from_be_bytes([0, j[1], j[2], j[3]]) as usize;
                if j.len() < n {
                    break;
                }
                let msg: Vec<u8> = j.drain(..n).collect();
                self.observe(lane, &msg, true);
                items.push(Item::Hs(msg));
            }
        }
        items
    }

    fn seal_into(&mut self, lane: usize, out: &mut Vec<u8>, typ: ContentType, data: &[u8], pad: usize, plain: bool) {
        let epoch = self.lanes[lane].seal_epoch;
        if plain || epoch == Epoch::Plain {
            out.extend_from_slice(&record(typ, data));
            return;
        }
        if self.lanes[lane].seal.is_none() {
            self.lanes[lane].seal = self.keys(lane, epoch);
        }
        match self.lanes[lane].seal.as_mut() {
            Some(k) => out.extend_from_slice(&k.seal(typ, data, pad)),
            None => out.extend_from_slice(&record(typ, data)),
        }
    }

    fn encode(&mut self, lane: usize, items: &[Item]) -> Vec<u8> {
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Raw(b) => out.extend_from_slice(b),
                Item::Hs(msg) => {
                    self.seal_into(lane, &mut out, ContentType::HANDSHAKE, msg, 0, false);
                    if msg.len() >= 4 {
                        self.observe(lane, msg, false);
                    }
                }
                Item::Rec { typ, data, pad, plain } => self.seal_into(lane, &mut out, *typ, data, *pad, *plain),
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// TLS 1.2: `Mitm12`, a tampering proxy for TLS 1.2 connections. Both ends log
// `CLIENT_RANDOM <client_random> <master_secret>` to one key log; with the
// randoms and the suite of the handshake the proxy derives the key block
// (RFC 5246 §6.3) itself and follows every ChangeCipherSpec, so it can open
// the protected records of either side (renegotiations included), change
// them and seal them again at the right sequence number. Its record
// protection is written here, independently of `ssl_core::record`.
// ---------------------------------------------------------------------------

use ssl_core::constants::{BulkCipher, ProtocolVersion};

/// The randoms and the suite of one TLS 1.2 handshake, as the proxy saw
/// them go by (the ClientHello and ServerHello as their senders wrote them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Handshake12 {
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub suite: Option<CipherSuite>,
}

/// TLS 1.2 AEAD protection of one direction (RFC 5288, RFC 6655, RFC 7905).
struct Keys12 {
    aead: AeadKey,
    /// The write IV: a 4-byte salt (GCM, CCM) or a 12-byte IV (ChaCha20-Poly1305).
    iv: Vec<u8>,
    seq: u64,
}

impl Keys12 {
    fn explicit_nonce(&self) -> bool {
        self.iv.len() == 4
    }

    fn nonce(&self, explicit: &[u8]) -> [u8; 12] {
        if self.explicit_nonce() {
            let mut n = [0u8; 12];
            n[..4].copy_from_slice(&self.iv);
            n[4..].copy_from_slice(explicit);
            n
        } else {
            let iv: [u8; 12] = self.iv.as_slice().try_into().unwrap();
            xor_nonce(&iv, self.seq)
        }
    }

    fn aad(&self, typ: ContentType, len: usize) -> Vec<u8> {
        cat(&[&self.seq.to_be_bytes(), &[typ.0, 3, 3], &(len as u16).to_be_bytes()])
    }

    /// Seals one record of any length (oversized ones included).
    fn seal(&mut self, typ: ContentType, data: &[u8]) -> Vec<u8> {
        let explicit = if self.explicit_nonce() { self.seq.to_be_bytes().to_vec() } else { Vec::new() };
        let nonce = self.nonce(&explicit);
        let aad = self.aad(typ, data.len());
        let mut body = data.to_vec();
        let mut tag = vec![0u8; self.aead.tag_len()];
        self.aead.seal(nonce, &aad, &mut body, &mut tag).unwrap();
        self.seq += 1;
        let fragment = cat(&[&explicit, &body, &tag]);
        let mut rec = vec![typ.0, 3, 3];
        rec.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        rec.extend_from_slice(&fragment);
        rec
    }

    fn open(&mut self, rec: &[u8]) -> Option<Vec<u8>> {
        let typ = ContentType(rec[0]);
        let explicit_len = if self.explicit_nonce() { 8 } else { 0 };
        let fragment = &rec[5..];
        if fragment.len() < explicit_len + self.aead.tag_len() {
            return None;
        }
        let (explicit, sealed) = fragment.split_at(explicit_len);
        let nonce = self.nonce(explicit);
        let aad = self.aad(typ, sealed.len() - self.aead.tag_len());
        let mut body = sealed.to_vec();
        let n = self.aead.open(nonce, &aad, &mut body).ok()?;
        self.seq += 1;
        body.truncate(n);
        Some(body)
    }
}

/// The master secret the key log holds for `client_random`.
pub fn logged_master(log: &KeyLogMemory, client_random: &[u8; 32]) -> Option<Vec<u8>> {
    let prefix = format!("CLIENT_RANDOM {} ", hex::encode(client_random));
    let line = log.lines().into_iter().find(|l| l.starts_with(&prefix))?;
    hex::decode(line[prefix.len()..].trim()).ok()
}

/// The key of `lane` (client→server or server→client) after a handshake.
fn keys12(log: &KeyLogMemory, hs: &Handshake12, lane: usize) -> Option<Keys12> {
    let info = hs.suite?.info()?;
    let master = logged_master(log, &hs.client_random)?;
    let key_len = info.cipher.key_len();
    let iv_len = if info.cipher == BulkCipher::Chacha20Poly1305 { 12 } else { 4 };
    let mut block = vec![0u8; 2 * (key_len + iv_len)];
    ssl_core::crypto::prf::prf(
        info.prf,
        &master,
        b"key expansion",
        &[&hs.server_random, &hs.client_random],
        &mut block,
    );
    let (client_key, rest) = block.split_at(key_len);
    let (server_key, rest) = rest.split_at(key_len);
    let (client_iv, server_iv) = rest.split_at(iv_len);
    let (key, iv) = if lane == C2S { (client_key, client_iv) } else { (server_key, server_iv) };
    Some(Keys12 { aead: AeadKey::new(info.cipher, key).ok()?, iv: iv.to_vec(), seq: 0 })
}

/// One direction through the TLS 1.2 proxy.
#[derive(Default)]
struct Lane12 {
    /// The handshake whose keys the sender writes with (None: plaintext).
    open_hs: Option<Handshake12>,
    open: Option<Keys12>,
    /// The handshake whose keys the receiver reads with.
    seal_hs: Option<Handshake12>,
    seal: Option<Keys12>,
    joiner: Vec<u8>,
    pending: Vec<u8>,
    lost: bool,
}

/// A tampering proxy between a TLS 1.2 client and server.
pub struct Mitm12 {
    pub client: Connection,
    pub server: Connection,
    pub log: Arc<KeyLogMemory>,
    /// The handshake under way (or the last one).
    pub current: Handshake12,
    /// Every handshake message the proxy opened, with its lane (0: from the
    /// client, 1: from the server), as the sender wrote it.
    pub seen: Vec<(usize, Vec<u8>)>,
    lanes: [Lane12; 2],
}

/// A client and a server context for TLS 1.2 (both at most TLS 1.2 unless
/// the closures say otherwise) writing their secrets to one key log.
pub fn logged_contexts12(
    pki: &TestPki,
    client: impl FnOnce(&mut Context),
    server: impl FnOnce(&mut Context),
) -> (Arc<KeyLogMemory>, Arc<Context>, Arc<Context>) {
    let log = Arc::new(KeyLogMemory::default());
    let (l1, l2) = (log.clone(), log.clone());
    let cctx = pki.client_ctx(|c| {
        c.key_log = Some(l1);
        c.max_version = ProtocolVersion::TLS1_2;
        client(c)
    });
    let sctx = pki.server_ctx(|c| {
        c.key_log = Some(l2);
        c.max_version = ProtocolVersion::TLS1_2;
        server(c)
    });
    (log, cctx, sctx)
}

impl Mitm12 {
    /// A fresh TLS 1.2 client (for `localhost`) and server, nothing sent yet.
    pub fn start(pki: &TestPki, client: impl FnOnce(&mut Context), server: impl FnOnce(&mut Context)) -> Mitm12 {
        let (log, cctx, sctx) = logged_contexts12(pki, client, server);
        Mitm12::connect(log, cctx, sctx, Some("localhost"), None)
    }

    /// A client and server on contexts that log to `log`.
    pub fn connect(
        log: Arc<KeyLogMemory>,
        cctx: Arc<Context>,
        sctx: Arc<Context>,
        name: Option<&str>,
        session: Option<ssl_core::Session>,
    ) -> Mitm12 {
        let client = Connection::client(cctx, name, session).unwrap();
        let server = Connection::server(sctx);
        Mitm12 { client, server, log, current: Handshake12::default(), seen: Vec::new(), lanes: Default::default() }
    }

    /// Takes what the client sent and opens it.
    pub fn client_output(&mut self) -> Vec<Item> {
        let b = self.client.take_tls();
        self.decode(C2S, b)
    }

    /// Takes what the server sent and opens it.
    pub fn server_output(&mut self) -> Vec<Item> {
        let b = self.server.take_tls();
        self.decode(S2C, b)
    }

    /// Seals `items` and feeds them to the server.
    pub fn deliver_to_server(&mut self, items: &[Item]) -> Result<(), Error> {
        let b = self.encode(C2S, items);
        self.server.read_tls(&b)
    }

    /// Seals `items` and feeds them to the client.
    pub fn deliver_to_client(&mut self, items: &[Item]) -> Result<(), Error> {
        let b = self.encode(S2C, items);
        self.client.read_tls(&b)
    }

    /// Seals `items` for the server without delivering them.
    pub fn seal_to_server(&mut self, items: &[Item]) -> Vec<u8> {
        self.encode(C2S, items)
    }

    /// Seals `items` for the client without delivering them.
    pub fn seal_to_client(&mut self, items: &[Item]) -> Vec<u8> {
        self.encode(S2C, items)
    }

    /// Passes the client's output on unchanged.
    pub fn forward_to_server(&mut self) -> Result<(), Error> {
        let items = self.client_output();
        self.deliver_to_server(&items)
    }

    /// Passes the server's output on unchanged.
    pub fn forward_to_client(&mut self) -> Result<(), Error> {
        let items = self.server_output();
        self.deliver_to_client(&items)
    }

    /// Passes traffic both ways until nothing moves; returns the first
    /// error. Panics if traffic still moves after many rounds (a livelock).
    pub fn pump(&mut self) -> Result<(), Error> {
        let mut first = None;
        for _ in 0..64 {
            let a = self.client_output();
            if !a.is_empty()
                && let Err(e) = self.deliver_to_server(&a)
            {
                first.get_or_insert(e);
            }
            let b = self.server_output();
            if !b.is_empty()
                && let Err(e) = self.deliver_to_client(&b)
            {
                first.get_or_insert(e);
            }
            if a.is_empty() && b.is_empty() {
                return first.map_or(Ok(()), Err);
            }
        }
        panic!("traffic never stopped");
    }

    /// Pumps until both sides completed the handshake.
    pub fn handshake(&mut self) {
        self.pump().unwrap();
        assert!(self.client.is_handshake_complete() && self.server.is_handshake_complete());
    }

    /// Whether the proxy lost track of the keys of either lane.
    pub fn lost(&self) -> bool {
        self.lanes.iter().any(|l| l.lost)
    }

    /// The last handshake message of type `t` the client (lane 0) or the
    /// server (lane 1) sent.
    pub fn sent(&self, lane: usize, t: HandshakeType) -> Vec<u8> {
        let found = self.seen.iter().rev().find(|(l, m)| *l == lane && hs_type(m) == t);
        found.map(|(_, m)| m.clone()).unwrap_or_else(|| panic!("lane {lane} sent no {t}"))
    }

    /// Whether records of the client→server (0) or server→client (1) lane
    /// are protected, as (sender writes, receiver reads).
    pub fn protected(&self, lane: usize) -> (bool, bool) {
        (self.lanes[lane].open_hs.is_some(), self.lanes[lane].seal_hs.is_some())
    }

    /// Follows the randoms and suite of the handshake a sender's hello names.
    fn observe(&mut self, lane: usize, msg: &[u8]) {
        let Some(random) = msg.get(6..38) else { return };
        match hs_type(msg) {
            HandshakeType::CLIENT_HELLO if lane == C2S => {
                self.current = Handshake12 { client_random: random.try_into().unwrap(), ..Handshake12::default() };
            }
            HandshakeType::SERVER_HELLO if lane == S2C => {
                self.current.server_random = random.try_into().unwrap();
                let sid_len = *msg.get(38).unwrap_or(&0) as usize;
                if let Some(s) = msg.get(39 + sid_len..41 + sid_len) {
                    self.current.suite = Some(CipherSuite(u16::from_be_bytes([s[0], s[1]])));
                }
            }
            _ => {}
        }
    }

    fn decode(&mut self, lane: usize, bytes: Vec<u8>) -> Vec<Item> {
        let mut items = Vec::new();
        self.lanes[lane].pending.extend_from_slice(&bytes);
        loop {
            let l = &mut self.lanes[lane];
            if l.pending.len() < 5 {
                break;
            }
            let len = u16::from_be_bytes([l.pending[3], l.pending[4]]) as usize;
            if l.pending.len() < 5 + len {
                break;
            }
            let rec: Vec<u8> = l.pending.drain(..5 + len).collect();
            if l.lost {
                items.push(Item::Raw(rec));
                continue;
            }
            let typ = ContentType(rec[0]);
            let data = match l.open_hs {
                None => rec[5..].to_vec(),
                Some(hs) => {
                    if l.open.is_none() {
                        l.open = keys12(&self.log, &hs, lane);
                    }
                    match l.open.as_mut().and_then(|k| k.open(&rec)) {
                        Some(d) => d,
                        None => {
                            l.lost = true;
                            items.push(Item::Raw(rec));
                            continue;
                        }
                    }
                }
            };
            if typ == ContentType::CHANGE_CIPHER_SPEC {
                // The sender writes with the keys of the current handshake from here on.
                l.open_hs = Some(self.current);
                l.open = None;
            }
            if typ != ContentType::HANDSHAKE {
                // Sealed again as the receiver's state says (`Item::plain` forces plaintext).
                items.push(Item::Rec { typ, data, pad: 0, plain: false });
                continue;
            }
            self.lanes[lane].joiner.extend_from_slice(&data);
            loop {
                let j = &mut self.lanes[lane].joiner;
                if j.len() < 4 {
                    break;
                }
                let n = 4 + u32::from_be_bytes([0, j[1], j[2], j[3]]) as usize;
                if j.len() < n {
                    break;
                }
                let msg: Vec<u8> = j.drain(..n).collect();
                self.observe(lane, &msg);
                self.seen.push((lane, msg.clone()));
                items.push(Item::Hs(msg));
            }
        }
        items
    }

    fn seal_into(&mut self, lane: usize, out: &mut Vec<u8>, typ: ContentType, data: &[u8], plain: bool) {
        let l = &mut self.lanes[lane];
        let Some(hs) = l.seal_hs.filter(|_| !plain) else {
            out.extend_from_slice(&record(typ, data));
            return;
        };
        if l.seal.is_none() {
            l.seal = keys12(&self.log, &hs, lane);
        }
        match l.seal.as_mut() {
            Some(k) => out.extend_from_slice(&k.seal(typ, data)),
            // The keys are not known yet (nothing was logged): send it in the clear.
            None => out.extend_from_slice(&record(typ, data)),
        }
    }

    fn encode(&mut self, lane: usize, items: &[Item]) -> Vec<u8> {
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Raw(b) => out.extend_from_slice(b),
                Item::Hs(msg) => {
                    for chunk in msg.chunks(16_384) {
                        self.seal_into(lane, &mut out, ContentType::HANDSHAKE, chunk, false);
                    }
                    if msg.is_empty() {
                        self.seal_into(lane, &mut out, ContentType::HANDSHAKE, msg, false);
                    }
                }
                Item::Rec { typ, data, plain, .. } => {
                    self.seal_into(lane, &mut out, *typ, data, *plain);
                    if *typ == ContentType::CHANGE_CIPHER_SPEC {
                        // The receiver reads with the keys of the current handshake from here on.
                        let l = &mut self.lanes[lane];
                        l.seal_hs = Some(self.current);
                        l.seal = None;
                    }
                }
            }
        }
        out
    }
}
