//! RFC conformance checks found in a review of the handshake code against
//! RFC 8446, RFC 5246 and the extension RFCs: each test names the section
//! it holds us to.

mod common;
use common::*;
use ssl_core::constants::{
    BulkCipher, CipherSuite, ContentType as CT, ExtensionType as X, HandshakeType as H, HashAlgorithm, NamedGroup,
    ProtocolVersion, SignatureScheme,
};
use ssl_core::crypto::SystemRandom;
use ssl_core::crypto::kx::KeyShare;
use ssl_core::crypto::sign::tls13_signed_content;
use ssl_core::handshake::key_schedule::{self, EarlySecret, finished_mac};
use ssl_core::msgs::extensions::{self as ext, KeyShareEntry, put_ext};
use ssl_core::msgs::{ServerHello, encode_client_hello};
use ssl_core::record::{Direction, Protection};
use ssl_core::{Connection, Error, Received};

// ---------------------------------------------------------------------------
// RFC 8446 §5.5: limits on key usage
// ---------------------------------------------------------------------------

/// The number of application data records in `bytes` (all TLS 1.3 records
/// after the handshake look like application data on the wire).
fn records(bytes: &[u8]) -> usize {
    split_records(bytes).len()
}

#[test]
fn tls13_write_key_is_updated_before_the_usage_limit() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let cctx = pki.client_ctx(|c| c.min_version = ProtocolVersion::TLS1_3);
    let sctx = pki.server_ctx(|_| {});
    let (mut c, mut s) = pair(cctx, sctx);
    handshake(&mut c, &mut s).unwrap();
    assert_eq!(s.key_updates_received(), 0);
    c.set_key_update_interval(4);
    // Ten full records: the client changes keys after every four records it sent.
    let data: Vec<u8> = (0..10 * 16384).map(|i| (i % 251) as u8).collect();
    c.send(&data).unwrap();
    let wire = c.take_tls();
    // 10 data records and the KeyUpdates that came between them.
    let n = records(&wire);
    assert!(n > 10, "{n} records");
    s.read_tls(&wire).unwrap();
    let mut got = Vec::new();
    loop {
        let before = got.len();
        got.extend(read_all(&mut s));
        if got.len() == before {
            break;
        }
    }
    assert_eq!(got, data, "every byte arrives intact across the key changes");
    let updates = s.key_updates_received();
    assert_eq!(updates as usize, n - 10, "every extra record was a KeyUpdate");
    assert!(updates >= 2, "{updates} KeyUpdates");
    // The client asked for nothing: the server's write key is unchanged.
    assert_eq!(c.key_updates_received(), 0);
    assert!(s.take_tls().is_empty());
    // Both directions still work.
    exchange_data(&mut c, &mut s, 1000);
}

#[test]
fn no_key_update_after_close_notify() {
    // RFC 8446 §6.1: after close_notify nothing more is sent.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (mut c, mut s) = pair(pki.client_ctx(|c| c.min_version = ProtocolVersion::TLS1_3), pki.server_ctx(|_| {}));
    handshake(&mut c, &mut s).unwrap();
    c.close_notify();
    let closing = c.take_tls();
    assert_eq!(c.key_update(false), Err(Error::Closed));
    assert!(c.take_tls().is_empty(), "nothing follows the close_notify");
    s.read_tls(&closing).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(s.recv(&mut buf), Ok(Received::Eof));
}

// ---------------------------------------------------------------------------
// RFC 8446 §4.2.10: a server that does not accept 0-RTT skips the early data
// ---------------------------------------------------------------------------

/// A scripted TLS 1.3 client (TLS_AES_128_GCM_SHA256, one key share, no
/// certificate checks) for what our own client never does: send 0-RTT data.
struct EarlyClient {
    share: Option<KeyShare>,
    groups: Vec<NamedGroup>,
    transcript: Vec<u8>,
}

const HASH: HashAlgorithm = HashAlgorithm::Sha256;

impl EarlyClient {
    fn new(share_group: NamedGroup, groups: &[NamedGroup]) -> EarlyClient {
        let share = KeyShare::generate(share_group, &SystemRandom::new()).unwrap();
        EarlyClient { share: Some(share), groups: groups.to_vec(), transcript: Vec::new() }
    }

    /// A ClientHello; with `early_data` it carries the early_data extension.
    fn hello(&mut self, random: [u8; 32], early_data: bool) -> Vec<u8> {
        let share = self.share.as_ref().unwrap();
        let mut e = Vec::new();
        put_ext(&mut e, X::SUPPORTED_VERSIONS, |o| ext::encode_client_versions(o, &[ProtocolVersion::TLS1_3]));
        put_ext(&mut e, X::SUPPORTED_GROUPS, |o| ext::encode_u16_list(o, self.groups.iter().map(|g| g.0)));
        put_ext(&mut e, X::KEY_SHARE, |o| {
            ext::encode_client_key_shares(o, &[KeyShareEntry { group: share.group(), key: share.public_key() }])
        });
        let schemes = [SignatureScheme::ECDSA_SECP256R1_SHA256, SignatureScheme::RSA_PSS_RSAE_SHA256];
        put_ext(&mut e, X::SIGNATURE_ALGORITHMS, |o| ext::encode_u16_list(o, schemes.iter().map(|s| s.0)));
        if early_data {
            put_ext(&mut e, X::EARLY_DATA, |_| {});
        }
        let mut ch = Vec::new();
        encode_client_hello(
            &mut ch,
            ProtocolVersion::TLS1_2,
            &random,
            &[],
            &[CipherSuite::TLS_AES_128_GCM_SHA256],
            &[0],
            &e,
        );
        self.transcript.extend_from_slice(&ch);
        ch
    }

    /// Reads the server's flight (ServerHello ... Finished), then returns
    /// our Finished, sealed, and the client's application write direction.
    fn finish(&mut self, flight: &[u8]) -> (Vec<u8>, Direction) {
        let recs = split_records(flight);
        assert_eq!(recs[0][0], CT::HANDSHAKE.0, "a plaintext ServerHello first");
        let sh_msg = recs[0][5..].to_vec();
        assert_eq!(hs_type(&sh_msg), H::SERVER_HELLO);
        let sh = ServerHello::decode(hs_body(&sh_msg)).unwrap();
        assert!(!sh.is_retry_request());
        let server_share = ext::decode_server_key_share(sh.extensions.get(X::KEY_SHARE).unwrap()).unwrap();
        let shared = self.share.take().unwrap().agree(server_share.key).unwrap();
        self.transcript.extend_from_slice(&sh_msg);
        let hs = EarlySecret::new(HASH, None).into_handshake(Some(&shared));
        let hello_hash = HASH.hash(&self.transcript);
        let client_hs = hs.client_traffic(hello_hash.as_bytes());
        let server_hs = hs.server_traffic(hello_hash.as_bytes());
        let mut read = Direction::default();
        read.set(key_schedule::protection(HASH, BulkCipher::Aes128Gcm, &server_hs).unwrap());
        let mut msgs = Vec::new();
        for mut r in recs.into_iter().skip(1) {
            if r[0] == CT::CHANGE_CIPHER_SPEC.0 {
                continue;
            }
            let (typ, range) = read.open_record(&mut r).unwrap();
            assert_eq!(typ, CT::HANDSHAKE);
            msgs.extend_from_slice(&r[range]);
        }
        assert_eq!(hs_type(&msgs), H::ENCRYPTED_EXTENSIONS);
        let ee = hs_body(&msgs[..4 + u32::from_be_bytes([0, msgs[1], msgs[2], msgs[3]]) as usize]).to_vec();
        assert!(
            !parse_exts(&ee[2..]).iter().any(|(t, _)| *t == X::EARLY_DATA),
            "the server does not accept early data"
        );
        self.transcript.extend_from_slice(&msgs);
        let server_fin_hash = HASH.hash(&self.transcript);
        let verify = finished_mac(HASH, &client_hs, server_fin_hash.as_bytes());
        let fin = hs_msg(H::FINISHED, verify.as_bytes());
        let mut write = Direction::default();
        write.set(key_schedule::protection(HASH, BulkCipher::Aes128Gcm, &client_hs).unwrap());
        let mut out = Vec::new();
        write.seal_record(&mut out, CT::HANDSHAKE, ProtocolVersion::TLS1_2, &fin, 0).unwrap();
        let client_ap = hs.into_master().client_traffic(server_fin_hash.as_bytes());
        let mut app = Direction::default();
        app.set(key_schedule::protection(HASH, BulkCipher::Aes128Gcm, &client_ap).unwrap());
        (out, app)
    }
}

/// Records of 0-RTT data as the server sees them: protected with a key it
/// does not have (the client's early traffic key).
fn early_records(sizes: &[usize]) -> Vec<u8> {
    let mut w = Direction::default();
    let p = ssl_core::record::Tls13Protection::new(BulkCipher::Aes128Gcm, &[0x5a; 16], [7; 12]).unwrap();
    w.set(Protection::Tls13(p));
    let mut out = Vec::new();
    for n in sizes {
        w.seal_record(&mut out, CT::APPLICATION_DATA, ProtocolVersion::TLS1_2, &vec![b'e'; *n], 0).unwrap();
    }
    out
}

fn early_server(pki: &TestPki, f: impl FnOnce(&mut ssl_core::Context)) -> Connection {
    Connection::server(pki.server_ctx(|c| {
        c.min_version = ProtocolVersion::TLS1_3;
        f(c)
    }))
}

#[test]
fn rejected_early_data_is_skipped_after_the_server_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut s = early_server(&pki, |_| {});
    let mut client = EarlyClient::new(NamedGroup::X25519, &[NamedGroup::X25519]);
    // ClientHello, the middlebox ChangeCipherSpec and three records of 0-RTT data, in one go.
    let mut first = record(CT::HANDSHAKE, &client.hello([1; 32], true));
    first.extend_from_slice(&record(CT::CHANGE_CIPHER_SPEC, &[1]));
    first.extend_from_slice(&early_records(&[100, 16384, 5]));
    s.read_tls(&first).unwrap();
    // More 0-RTT data after the server answered, then the client's Finished.
    let flight = s.take_tls();
    let (fin, mut app) = client.finish(&flight);
    let mut second = early_records(&[700]);
    second.extend_from_slice(&fin);
    app.seal_record(&mut second, CT::APPLICATION_DATA, ProtocolVersion::TLS1_2, b"after 0-RTT", 0).unwrap();
    s.read_tls(&second).unwrap();
    assert!(s.is_handshake_complete());
    assert_eq!(read_all(&mut s), b"after 0-RTT");
    // Once the second flight started, a record that does not open is an attack again.
    assert_eq!(s.read_tls(&early_records(&[10])), Err(Error::BadRecordMac));
}

#[test]
fn early_data_is_skipped_only_when_offered_and_only_up_to_the_limit() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // Without the early_data extension a record that does not open is bad_record_mac.
    let mut s = early_server(&pki, |_| {});
    let mut client = EarlyClient::new(NamedGroup::X25519, &[NamedGroup::X25519]);
    let mut first = record(CT::HANDSHAKE, &client.hello([2; 32], false));
    first.extend_from_slice(&early_records(&[10]));
    assert_eq!(s.read_tls(&first), Err(Error::BadRecordMac));
    // With it, the skipped bytes are bounded.
    let mut s = early_server(&pki, |_| {});
    let mut client = EarlyClient::new(NamedGroup::X25519, &[NamedGroup::X25519]);
    let mut first = record(CT::HANDSHAKE, &client.hello([3; 32], true));
    first.extend_from_slice(&early_records(&[16384; 3]));
    s.read_tls(&first).unwrap();
    let limit = ssl_core::connection::EARLY_DATA_SKIP_LIMIT;
    let more = limit / 16384 + 1;
    assert_eq!(s.read_tls(&early_records(&vec![16384; more])), Err(Error::BadRecordMac));
}

/// A server that only takes P-384 and sends no cookie (the scripted client echoes none).
fn retry_only(c: &mut ssl_core::Context) {
    c.groups = vec![NamedGroup::SECP384R1];
    c.hrr_cookie = false;
}

#[test]
fn early_data_is_skipped_until_the_second_client_hello() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    // The server only takes P-384: our x25519 share gets a HelloRetryRequest.
    let groups = [NamedGroup::X25519, NamedGroup::SECP384R1];
    let mut s = early_server(&pki, retry_only);
    let mut client = EarlyClient::new(NamedGroup::X25519, &groups);
    let mut first = record(CT::HANDSHAKE, &client.hello([4; 32], true));
    first.extend_from_slice(&record(CT::CHANGE_CIPHER_SPEC, &[1]));
    first.extend_from_slice(&early_records(&[300, 400]));
    s.read_tls(&first).unwrap();
    let hrr = s.take_tls();
    let recs = split_records(&hrr);
    assert!(ServerHello::decode(hs_body(&recs[0][5..])).unwrap().is_retry_request());
    // Early data still in flight when the retry request arrived is skipped too.
    s.read_tls(&early_records(&[1000])).unwrap();
    // The second ClientHello (no early_data, a P-384 share) is answered with a ServerHello.
    let mut client2 = EarlyClient::new(NamedGroup::SECP384R1, &groups);
    let ch2 = client2.hello([4; 32], false);
    s.read_tls(&record(CT::HANDSHAKE, &ch2)).unwrap();
    let out = s.take_tls();
    let recs = split_records(&out);
    assert!(!ServerHello::decode(hs_body(&recs[0][5..])).unwrap().is_retry_request());
    assert_eq!(s.negotiated().group, Some(NamedGroup::SECP384R1));
    // Skipping is over: a record that does not open is bad_record_mac again.
    assert!(matches!(s.read_tls(&record(CT::APPLICATION_DATA, b"x")), Err(Error::BadRecordMac)));

    // RFC 8446 §4.1.2: early data is not permitted after a HelloRetryRequest.
    let mut s = early_server(&pki, retry_only);
    let mut client = EarlyClient::new(NamedGroup::X25519, &groups);
    s.read_tls(&record(CT::HANDSHAKE, &client.hello([5; 32], true))).unwrap();
    let _hrr = s.take_tls();
    let mut client2 = EarlyClient::new(NamedGroup::SECP384R1, &groups);
    let ch2 = client2.hello([5; 32], true);
    let e = s.read_tls(&record(CT::HANDSHAKE, &ch2)).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e:?}");
}

// ---------------------------------------------------------------------------
// RFC 6066 §4 and RFC 8449 §5: max_fragment_length and record_size_limit
// ---------------------------------------------------------------------------

/// Edits the extensions of the EncryptedExtensions message in `items`.
fn edit_ee(items: &mut [Item], f: impl FnOnce(&mut Exts)) {
    let i = find_msg(items, H::ENCRYPTED_EXTENSIONS);
    let mut exts = parse_exts(&hs_body(items[i].msg())[2..]);
    f(&mut exts);
    items[i] = Item::Hs(hs_msg(H::ENCRYPTED_EXTENSIONS, &encode_exts(&exts)));
}

/// Signs the server's CertificateVerify again and recomputes its Finished
/// over `ch` and the (edited) server flight, with the server's key and its
/// handshake secret from the key log, so the client accepts an edit.
fn refinish_server_flight(pki: &TestPki, m: &Mitm, ch: &[u8], items: &mut [Item]) {
    let random = hex::encode(&ch[6..38]);
    let prefix = format!("SERVER_HANDSHAKE_TRAFFIC_SECRET {random} ");
    let line = m.log.lines().into_iter().find(|l| l.starts_with(&prefix)).unwrap();
    let secret = ssl_core::crypto::Secret::new(&hex::decode(line[prefix.len()..].trim()).unwrap());
    let suite = CipherSuite(Hello::parse(items[0].msg()).suites[0]);
    let hash = suite.info().unwrap().prf;
    let transcript_before = |items: &[Item], end: usize| {
        let mut t = ch.to_vec();
        for item in &items[..end] {
            if let Item::Hs(msg) = item {
                t.extend_from_slice(msg);
            }
        }
        t
    };
    let cv = find_msg(items, H::CERTIFICATE_VERIFY);
    let scheme = SignatureScheme(u16::from_be_bytes([items[cv].msg()[4], items[cv].msg()[5]]));
    let content = tls13_signed_content(true, hash.hash(&transcript_before(items, cv)).as_bytes());
    let sig = pki.certified_key().key.sign(scheme, &content).unwrap();
    let mut msg = Vec::new();
    ssl_core::msgs::CertificateVerify { scheme, signature: &sig }.encode(&mut msg);
    items[cv] = Item::Hs(msg);
    let fin = find_msg(items, H::FINISHED);
    let transcript = transcript_before(items, fin);
    let verify = finished_mac(hash, &secret, hash.hash(&transcript).as_bytes());
    items[fin] = Item::Hs(hs_msg(H::FINISHED, verify.as_bytes()));
}

/// A client offering TLS 1.3 and 1.2 (so it sends max_fragment_length) to a TLS 1.3 server.
fn mfl_client(mfl: u16, rsl: Option<u16>) -> impl FnOnce(&mut ssl_core::Context) {
    move |c: &mut ssl_core::Context| {
        c.min_version = ProtocolVersion::TLS1_2;
        c.max_fragment_length = Some(mfl);
        c.record_size_limit = rsl;
    }
}

#[test]
fn max_fragment_length_is_accepted_in_tls13_encrypted_extensions() {
    // RFC 8446 §4.2 lists max_fragment_length for the ClientHello and
    // EncryptedExtensions: a TLS 1.3 server may grant what we asked for.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut m = Mitm::start(&pki, mfl_client(512, None), |_| {});
    let ch_items = m.client_output();
    let ch = ch_items[0].msg().to_vec();
    assert_eq!(Hello::parse(&ch).ext(X::MAX_FRAGMENT_LENGTH), Some(&[1u8][..]));
    m.deliver_to_server(&ch_items).unwrap();
    let mut items = m.server_output();
    edit_ee(&mut items, |e| e.push((X::MAX_FRAGMENT_LENGTH, vec![1])));
    refinish_server_flight(&pki, &m, &ch, &mut items);
    m.deliver_to_client(&items).unwrap();
    assert!(m.client.is_handshake_complete());
    assert_eq!(m.client.version(), Some(ProtocolVersion::TLS1_3));
    let _finished = m.client.take_tls();
    m.client.send(&[7u8; 3000]).unwrap();
    let wire = m.client.take_tls();
    let recs = split_records(&wire);
    assert_eq!(recs.len(), 6, "3000 bytes in records of at most 512");
    // Header, at most 512 bytes of data, the content type and the tag.
    assert!(recs.iter().all(|r| r.len() <= 5 + 512 + 1 + 16), "{:?}", recs.iter().map(|r| r.len()).collect::<Vec<_>>());

    // A length other than the one we asked for is illegal_parameter (RFC 6066 §4).
    let mut m = Mitm::start(&pki, mfl_client(512, None), |_| {});
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    edit_ee(&mut items, |e| e.push((X::MAX_FRAGMENT_LENGTH, vec![2])));
    assert!(matches!(m.deliver_to_client(&items), Err(Error::IllegalParameter(_))));
    // Not asked for at all: unsupported_extension (RFC 8446 §4.2).
    let mut m = Mitm::start(&pki, |c| c.min_version = ProtocolVersion::TLS1_2, |_| {});
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    edit_ee(&mut items, |e| e.push((X::MAX_FRAGMENT_LENGTH, vec![1])));
    assert!(matches!(m.deliver_to_client(&items), Err(Error::UnsupportedExtension(_))));
}

#[test]
fn max_fragment_length_and_record_size_limit_together_are_illegal() {
    // RFC 8449 §5: "A client MUST treat receipt of both max_fragment_length
    // and record_size_limit as a fatal error" (illegal_parameter).
    let pki = TestPki::new(KeyType::EcdsaP256);
    // TLS 1.3: in EncryptedExtensions.
    let mut m = Mitm::start(&pki, mfl_client(512, Some(1000)), |s| s.record_size_limit = Some(2000));
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    let ee = parse_exts(&hs_body(items[find_msg(&items, H::ENCRYPTED_EXTENSIONS)].msg())[2..]);
    assert!(find_ext(&ee, X::RECORD_SIZE_LIMIT).is_some());
    assert!(find_ext(&ee, X::MAX_FRAGMENT_LENGTH).is_none());
    edit_ee(&mut items, |e| e.push((X::MAX_FRAGMENT_LENGTH, vec![1])));
    let e = m.deliver_to_client(&items).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e:?}");
    // TLS 1.2: in the ServerHello.
    let mut m = Mitm12::start(
        &pki,
        |c| {
            c.max_fragment_length = Some(512);
            c.record_size_limit = Some(1000);
        },
        |s| s.record_size_limit = Some(2000),
    );
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    let i = find_msg(&items, H::SERVER_HELLO);
    let sh = edit_hello(items[i].msg(), |h| {
        // Asked for both, our server answers record_size_limit only (RFC 8449 §5).
        assert!(h.ext(X::RECORD_SIZE_LIMIT).is_some());
        assert!(h.ext(X::MAX_FRAGMENT_LENGTH).is_none());
        h.exts.push((X::MAX_FRAGMENT_LENGTH, vec![1]));
    });
    items[i] = Item::Hs(sh);
    let e = m.deliver_to_client(&items).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e:?}");
}

#[test]
fn a_renegotiation_asks_for_the_same_record_limits() {
    // RFC 6066 §4 / RFC 8449: the limits are negotiated by each handshake. A
    // renegotiation ClientHello without them asks for full-size records, which
    // a server (OpenSSL) then sends, over the limit we still enforce.
    let pki = TestPki::new(KeyType::EcdsaP256);
    for (mfl, rsl) in [(Some(512), None), (None, Some(1000))] {
        let cfg = move |c: &mut ssl_core::Context| {
            c.enable_renegotiation = true;
            c.max_fragment_length = mfl;
            c.record_size_limit = rsl;
        };
        let mut m = Mitm12::start(&pki, cfg, |s| {
            s.enable_renegotiation = true;
            s.record_size_limit = Some(2000);
        });
        let first = m.client_output();
        let first_ch = Hello::parse(first[0].msg());
        m.deliver_to_server(&first).unwrap();
        m.handshake();
        m.client.renegotiate().unwrap();
        let items = m.client_output();
        let ch = Hello::parse(items[0].msg());
        assert_eq!(ch.typ, H::CLIENT_HELLO);
        for x in [X::MAX_FRAGMENT_LENGTH, X::RECORD_SIZE_LIMIT] {
            assert_eq!(ch.ext(x), first_ch.ext(x), "{x:?} in the renegotiation ClientHello");
        }
        m.deliver_to_server(&items).unwrap();
        m.pump().unwrap();
        assert_eq!(m.client.handshakes(), 2);
        // The server still sends records the client accepts.
        m.server.send(&[1u8; 5000]).unwrap();
        m.pump().unwrap();
        assert_eq!(read_all(&mut m.client).len(), 5000);
    }
}

// ---------------------------------------------------------------------------
// RFC 5246 §7.4.6: a client certificate fits the CertificateRequest's types
// ---------------------------------------------------------------------------

#[test]
fn tls12_client_certificate_matches_the_requested_types() {
    let pki = TestPki::new(KeyType::EcdsaP256);
    let (cert, key) = pki.issue(KeyType::EcdsaP256, &["client.test"]);
    // `types`: the ClientCertificateType list the server's request is edited to.
    let run = |types: &[u8]| {
        let mut m = Mitm12::start(
            &pki,
            |c| c.add_cert_pem(cert.as_bytes(), key.as_bytes()).unwrap(),
            |s| s.client_auth = ssl_core::AuthLevel::Ask,
        );
        m.forward_to_server().unwrap();
        let mut items = m.server_output();
        let i = find_msg(&items, H::CERTIFICATE_REQUEST);
        let body = hs_body(items[i].msg()).to_vec();
        let rest = &body[1 + body[0] as usize..];
        items[i] = Item::Hs(hs_msg(H::CERTIFICATE_REQUEST, &cat(&[&vec8(types), rest])));
        m.deliver_to_client(&items).unwrap();
        let out = m.client_output();
        let certs = hs_body(out[find_msg(&out, H::CERTIFICATE)].msg()).to_vec();
        // The certificate_list's length: 0 for an empty Certificate message.
        u32::from_be_bytes([0, certs[0], certs[1], certs[2]])
    };
    // ecdsa_sign (64) is asked for: our P-256 certificate goes.
    assert!(run(&[64]) > 0);
    assert!(run(&[1, 64]) > 0);
    // Only rsa_sign (1): an ECDSA certificate does not fit, so none is sent.
    assert_eq!(run(&[1]), 0);
}

// ---------------------------------------------------------------------------
// RFC 8446 §4.2.1 and §4.2: versions and the extensions table
// ---------------------------------------------------------------------------

#[test]
fn a_version_we_did_not_offer_in_supported_versions_is_illegal_parameter() {
    // RFC 8446 §4.2.1: "If the "supported_versions" extension in the
    // ServerHello contains a version not offered by the client ..., the client
    // MUST abort the handshake with an "illegal_parameter" alert."
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut m = Mitm12::start(&pki, |_| {}, |_| {});
    let ch = m.client_output();
    assert!(Hello::parse(ch[0].msg()).ext(X::SUPPORTED_VERSIONS).is_none(), "a TLS 1.2-only client");
    m.deliver_to_server(&ch).unwrap();
    let mut items = m.server_output();
    let i = find_msg(&items, H::SERVER_HELLO);
    items[i] = Item::Hs(edit_hello(items[i].msg(), |h| h.exts.push((X::SUPPORTED_VERSIONS, vec![3, 4]))));
    let e = m.deliver_to_client(&items).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e:?}");
}

#[test]
fn oid_filters_in_a_client_hello_is_illegal_parameter() {
    // RFC 8446 §4.2: oid_filters belongs in a CertificateRequest only; a
    // recognised extension in the wrong message is illegal_parameter.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let mut m = Mitm::start(&pki, |_| {}, |_| {});
    let mut items = m.client_output();
    let i = find_msg(&items, H::CLIENT_HELLO);
    items[i] = Item::Hs(edit_hello(items[i].msg(), |h| h.exts.push((X::OID_FILTERS, vec![0, 0]))));
    let e = m.deliver_to_server(&items).unwrap_err();
    assert!(matches!(e, Error::IllegalParameter(_)), "{e:?}");
}

// ---------------------------------------------------------------------------
// Alerts (RFC 5246 §7.2, RFC 8446 §6)
// ---------------------------------------------------------------------------

#[test]
fn a_fatal_user_canceled_ends_a_tls12_connection() {
    use ssl_core::constants::AlertDescription as A;
    let pki = TestPki::new(KeyType::EcdsaP256);
    // A warning user_canceled is harmless...
    let mut m = Mitm12::start(&pki, |_| {}, |_| {});
    m.handshake();
    m.deliver_to_client(&[Item::rec(CT::ALERT, &[1, A::USER_CANCELED.0])]).unwrap();
    assert!(m.client.error().is_none());
    // ... a fatal one ends the connection (RFC 5246 §7.2: "Upon ... receipt
    // of a fatal alert message, both parties immediately close the connection").
    let mut m = Mitm12::start(&pki, |_| {}, |_| {});
    m.handshake();
    let e = m.deliver_to_client(&[Item::rec(CT::ALERT, &[2, A::USER_CANCELED.0])]).unwrap_err();
    assert_eq!(e, Error::PeerAlert(A::USER_CANCELED));
    // TLS 1.3 ignores the level of this closure alert (§6.1).
    let mut m = Mitm::start(&pki, |_| {}, |_| {});
    m.handshake();
    m.deliver_to_client(&[Item::rec(CT::ALERT, &[2, A::USER_CANCELED.0])]).unwrap();
    assert!(m.client.error().is_none());
    // During a TLS 1.3 handshake any other alert is fatal, whatever its level (§6).
    let mut m = Mitm::start(&pki, |_| {}, |_| {});
    m.forward_to_server().unwrap();
    let mut items = m.server_output();
    items.insert(find_msg(&items, H::ENCRYPTED_EXTENSIONS), Item::rec(CT::ALERT, &[1, A::UNRECOGNIZED_NAME.0]));
    assert_eq!(m.deliver_to_client(&items), Err(Error::PeerAlert(A::UNRECOGNIZED_NAME)));
}

// ---------------------------------------------------------------------------
// RFC 8446 §4.1.2: the second ClientHello after a HelloRetryRequest
// ---------------------------------------------------------------------------

#[test]
fn a_second_client_hello_may_not_change_the_session_id_or_server_name() {
    // "the client MUST send the same ClientHello without modification, except
    // as follows" (key_share, early_data, cookie, pre_shared_key, padding).
    let pki = TestPki::new(KeyType::EcdsaP256);
    let second_hello = || {
        let mut m = Mitm::start(
            &pki,
            |c| c.groups = vec![NamedGroup::X25519, NamedGroup::SECP384R1],
            |s| s.groups = vec![NamedGroup::SECP384R1],
        );
        m.forward_to_server().unwrap();
        m.forward_to_client().unwrap();
        let items = m.client_output();
        let i = find_msg(&items, H::CLIENT_HELLO);
        (m, items, i)
    };
    // Unchanged, it goes through.
    let (mut m, items, _) = second_hello();
    m.deliver_to_server(&items).unwrap();
    m.pump().unwrap();
    assert!(m.server.is_handshake_complete() && m.server.negotiated().hello_retry);
    type HelloEdit = fn(&mut Hello);
    let edits: [(&str, HelloEdit); 2] = [
        ("another legacy_session_id", |h| h.session_id = vec![0x42; 32]),
        ("another server_name", |h| {
            let mut name = vec![0u8];
            name.extend_from_slice(&vec16(b"server.test"));
            set_ext(&mut h.exts, X::SERVER_NAME, &vec16(&name));
        }),
    ];
    for (what, f) in edits {
        let (mut m, mut items, i) = second_hello();
        items[i] = Item::Hs(edit_hello(items[i].msg(), f));
        let e = m.deliver_to_server(&items).unwrap_err();
        assert!(matches!(e, Error::IllegalParameter(_)), "{what}: {e:?}");
    }
}

// ---------------------------------------------------------------------------
// RFC 8446 §4.1.3: the downgrade sentinel in every TLS 1.2 ServerHello
// ---------------------------------------------------------------------------

#[test]
fn a_resumed_tls12_server_hello_carries_the_downgrade_sentinel() {
    // "TLS 1.3 servers which negotiate TLS 1.2 or below in response to a
    // ClientHello MUST set the last 8 bytes of their Random value specially":
    // the abbreviated handshake is no exception.
    let pki = TestPki::new(KeyType::EcdsaP256);
    let sctx = pki.server_ctx(|_| {});
    for tickets in [true, false] {
        let cctx = pki.client_ctx(|c| {
            c.max_version = ProtocolVersion::TLS1_2;
            c.use_cache = false;
        });
        let sctx = if tickets { sctx.clone() } else { pki.server_ctx(|s| s.tickets = 0) };
        let (mut c, mut s) = pair(cctx.clone(), sctx.clone());
        handshake(&mut c, &mut s).unwrap();
        let session = c.session().cloned().expect("a session to resume");
        let mut c = Connection::client(cctx, Some("localhost"), Some(session)).unwrap();
        let mut s = Connection::server(sctx);
        s.read_tls(&c.take_tls()).unwrap();
        let out = s.take_tls();
        let sh = &split_records(&out)[0][5..];
        assert_eq!(hs_type(sh), H::SERVER_HELLO);
        assert_eq!(&sh[6 + 24..6 + 32], b"DOWNGRD\x01", "tickets: {tickets}");
        c.read_tls(&out).unwrap();
        pump(&mut c, &mut s).unwrap();
        assert!(c.negotiated().resumed && s.negotiated().resumed, "tickets: {tickets}");
    }
}
