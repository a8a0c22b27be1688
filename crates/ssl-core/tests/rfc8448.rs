//! RFC 8448 (Example Handshake Traces for TLS 1.3), replayed against ssl-core.
//!
//! The traces live in `tests/data/rfc8448.json` (a copy of the shared vectors, so a fresh clone is
//! self-contained). Each test replays one section step by step, in trace order, with one state per
//! party (client and server), and reproduces every value the trace lists with ssl-core itself:
//!
//! - the key schedule (`handshake::key_schedule`) from the trace's only inputs (the PSK of section 4
//!   is derived from section 3; the (EC)DHE shared secret is the trace's "IKM", as `ring` cannot
//!   import the trace's private keys), with each party's own `Transcript`;
//! - every HKDF-Extract / HKDF-Expand-Label step, from the step's own PRK and context;
//! - every handshake message: decoded with `msgs`, re-encoded with our encoders (extension bodies
//!   through their typed decoder and encoder), compared with the trace;
//! - every record: sealed by the sender's `Direction` (byte-identical to the trace) and opened by the
//!   receiver's `Direction` once it has installed the matching keys, its handshake messages
//!   reassembled with `HandshakeJoiner`;
//! - Finished verify_data, the PSK binder, and the CertificateVerify signatures over our transcript.
//!
//! At the end of a section every trace value must have been reproduced or consumed as an input;
//! only the ephemeral private keys are left over.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::OnceLock;

use serde_json::Value;
use ssl_core::alert::Alert;
use ssl_core::codec::{Prefix, Reader, put_u16, put_u32, put_vec};
use ssl_core::constants::{
    AlertDescription, BulkCipher, CipherSuite, ContentType, ExtensionType as Ext, HandshakeType, HashAlgorithm,
    NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};
use ssl_core::crypto::Secret;
use ssl_core::crypto::hash::Transcript;
use ssl_core::crypto::hkdf;
use ssl_core::crypto::sign::{tls13_signed_content, verify_tls13};
use ssl_core::handshake::key_schedule::{self as ks, EarlySecret, HandshakeSecret, MasterSecret};
use ssl_core::msgs::extensions::{self as ext, Extensions, KeyShareEntry};
use ssl_core::msgs::{
    Certificate13, CertificateRequest13, CertificateVerify, ClientHello, HandshakeJoiner, NewSessionTicket13,
    ServerHello, decode_encrypted_extensions, encode_certificate13, encode_client_hello, encode_finished,
    encode_server_hello, put_handshake,
};
use ssl_core::record::Direction;

const TRACE_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rfc8448.json"));

/// Every RFC 8448 trace uses this suite.
const SUITE: CipherSuite = CipherSuite::TLS_AES_128_GCM_SHA256;

fn trace() -> &'static Value {
    static TRACE: OnceLock<Value> = OnceLock::new();
    TRACE.get_or_init(|| serde_json::from_str(TRACE_JSON).expect("tests/data/rfc8448.json is not valid JSON"))
}

// ---------------------------------------------------------------------------------------------
// The trace: sections, steps, values, and bookkeeping of which values were reproduced.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Client,
    Server,
}

impl Who {
    fn parse(s: &str) -> Who {
        match s {
            "client" => Who::Client,
            "server" => Who::Server,
            other => panic!("unknown party {other:?} in the trace"),
        }
    }

    fn peer(self) -> Who {
        match self {
            Who::Client => Who::Server,
            Who::Server => Who::Client,
        }
    }

    fn idx(self) -> usize {
        self as usize
    }
}

struct TraceValue {
    name: String,
    hex: Option<Vec<u8>>,
    text: Option<String>,
}

struct Step {
    party: Who,
    title: String,
    values: Vec<TraceValue>,
}

/// One section of the trace, with a record of the values reproduced (`checked`) or taken as
/// inputs (`inputs`).
struct Section {
    number: u64,
    steps: Vec<Step>,
    checked: RefCell<BTreeSet<(usize, String)>>,
    inputs: RefCell<BTreeSet<(usize, String)>>,
    comparisons: Cell<usize>,
}

impl Section {
    fn load(number: u64) -> Section {
        let sections = trace()["sections"].as_array().expect("trace has sections");
        let s = sections
            .iter()
            .find(|s| s["number"].as_u64() == Some(number))
            .unwrap_or_else(|| panic!("section {number} is not in tests/data/rfc8448.json"));
        let steps = s["steps"]
            .as_array()
            .expect("section has steps")
            .iter()
            .map(|st| Step {
                party: Who::parse(st["party"].as_str().expect("step party")),
                title: st["title"].as_str().expect("step title").to_string(),
                values: st["values"]
                    .as_array()
                    .expect("step values")
                    .iter()
                    .map(|v| TraceValue {
                        name: v["name"].as_str().expect("value name").to_string(),
                        hex: v["hex"].as_str().map(|h| hex::decode(h).expect("value hex")),
                        text: v["text"].as_str().map(str::to_string),
                    })
                    .collect(),
            })
            .collect();
        Section { number, steps, checked: RefCell::default(), inputs: RefCell::default(), comparisons: Cell::new(0) }
    }

    fn describe(&self, step: usize) -> String {
        let s = &self.steps[step];
        format!("section {} step {} ([{:?}] {})", self.number, step, s.party, s.title)
    }

    /// The index of the `nth` (0-based) step of `party` titled exactly `title`.
    fn find(&self, party: Who, title: &str, nth: usize) -> usize {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.party == party && s.title == title)
            .map(|(i, _)| i)
            .nth(nth)
            .unwrap_or_else(|| panic!("section {}: no step #{nth} by {party:?} titled {title:?}", self.number))
    }

    fn has(&self, step: usize, name: &str) -> bool {
        self.steps[step].values.iter().any(|v| v.name == name)
    }

    fn value(&self, step: usize, name: &str) -> &TraceValue {
        self.steps[step].values.iter().find(|v| v.name == name).unwrap_or_else(|| {
            let names: Vec<&str> = self.steps[step].values.iter().map(|v| v.name.as_str()).collect();
            panic!("{}: no value {name:?} (it has {names:?})", self.describe(step))
        })
    }

    /// The bytes of a value; the text "(empty)" is the empty string.
    fn bytes(&self, step: usize, name: &str) -> Vec<u8> {
        let v = self.value(step, name);
        match (&v.hex, v.text.as_deref()) {
            (Some(h), _) => h.clone(),
            (None, Some("(empty)")) => Vec::new(),
            (None, t) => panic!("{}: value {name:?} is not bytes but {t:?}", self.describe(step)),
        }
    }

    /// A value used as an input of the replay.
    fn input(&self, step: usize, name: &str) -> Vec<u8> {
        let b = self.bytes(step, name);
        self.inputs.borrow_mut().insert((step, name.to_string()));
        b
    }

    /// Asserts that `ours` (computed by ssl-core) equals the trace value.
    #[track_caller]
    fn check(&self, step: usize, name: &str, ours: &[u8], how: &str) {
        let expected = self.bytes(step, name);
        assert_eq!(
            hex::encode(ours),
            hex::encode(&expected),
            "{}: {name} differs from ours ({how})",
            self.describe(step)
        );
        self.comparisons.set(self.comparisons.get() + 1);
        self.checked.borrow_mut().insert((step, name.to_string()));
    }

    /// Asserts a textual value (the all-zero HKDF salt).
    #[track_caller]
    fn check_text(&self, step: usize, name: &str, text: &str) {
        assert_eq!(self.value(step, name).text.as_deref(), Some(text), "{}: {name}", self.describe(step));
        self.comparisons.set(self.comparisons.get() + 1);
        self.checked.borrow_mut().insert((step, name.to_string()));
    }

    /// Counts a comparison between two of our own derivations ("same as" steps, receiver checks).
    fn count(&self) {
        self.comparisons.set(self.comparisons.get() + 1);
    }

    /// (values, reproduced, inputs only, neither) — and the names of those in the last group.
    fn coverage(&self) -> (usize, usize, usize, Vec<String>) {
        let checked = self.checked.borrow();
        let inputs = self.inputs.borrow();
        let mut total = 0;
        let mut n_checked = 0;
        let mut n_inputs = 0;
        let mut left = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            for v in &s.values {
                total += 1;
                let key = (i, v.name.clone());
                if checked.contains(&key) {
                    n_checked += 1;
                } else if inputs.contains(&key) {
                    n_inputs += 1;
                } else {
                    left.push(format!("step {i} [{:?}] {}: {}", s.party, s.title, v.name));
                }
            }
        }
        (total, n_checked, n_inputs, left)
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: every HKDF step of the trace, recomputed from the step's own inputs.
// ---------------------------------------------------------------------------------------------

/// Recomputes each HKDF-Extract and HKDF-Expand-Label step from its PRK/salt and the label and
/// context carried by its `info`. Our `expand_label` (which builds the HkdfLabel itself) must
/// give the trace's output, and so must plain HKDF-Expand over the trace's `info`.
fn check_hkdf_steps(sec: &Section, hash: HashAlgorithm) -> usize {
    let mut steps = 0;
    for i in 0..sec.steps.len() {
        if sec.has(i, "IKM") {
            let salt = match sec.value(i, "salt").text.as_deref() {
                Some("0 (all zero octets)") => Vec::new(),
                Some(t) => panic!("{}: unexpected salt text {t:?}", sec.describe(i)),
                None => sec.input(i, "salt"),
            };
            let ikm = sec.input(i, "IKM");
            sec.check(i, "secret", hkdf::extract(hash, &salt, &ikm).as_bytes(), "HKDF-Extract(salt, IKM)");
            steps += 1;
        }
        for (info_name, out_name) in [("info", "expanded"), ("key info", "key expanded"), ("iv info", "iv expanded")] {
            if !sec.has(i, info_name) {
                continue;
            }
            let prk = sec.input(i, "PRK");
            let info = sec.input(i, info_name);
            let mut r = Reader::new(&info);
            let len = r.u16("HkdfLabel length").unwrap() as usize;
            let label = r.vec8("HkdfLabel label").unwrap();
            let context = r.vec8("HkdfLabel context").unwrap();
            r.finish("HkdfLabel").unwrap();
            let label = label
                .strip_prefix(b"tls13 ")
                .unwrap_or_else(|| panic!("{}: label without the tls13 prefix", sec.describe(i)));
            let mut ours = vec![0u8; len];
            hkdf::expand_label(hash, &prk, label, context, &mut ours);
            sec.check(i, out_name, &ours, "HKDF-Expand-Label(PRK, label, context)");
            let mut plain = vec![0u8; len];
            hkdf::expand(hash, &prk, &[&info], &mut plain);
            assert_eq!(plain, ours, "{}: HKDF-Expand over the trace's info differs from expand_label", sec.describe(i));
            sec.count();
            steps += 1;
        }
    }
    steps
}

// ---------------------------------------------------------------------------------------------
// Codec: decode each message and rebuild it with our encoders.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExtIn {
    ClientHello,
    ServerHello,
    HelloRetryRequest,
    EncryptedExtensions,
    CertificateRequest,
    NewSessionTicket,
}

/// Rebuilds one extension body from its typed decoding. `zero_binders` leaves the PSK binders
/// zeroed as a client does before computing them.
fn reencode_extension(within: ExtIn, typ: Ext, body: &[u8], zero_binders: bool, o: &mut Vec<u8>) {
    use ExtIn::*;
    match (typ, within) {
        (Ext::SERVER_NAME, ClientHello) => {
            let host = ext::decode_server_name(body).unwrap().expect("a host name");
            ext::encode_server_name(o, &host);
        }
        (Ext::SERVER_NAME | Ext::EARLY_DATA | Ext::SESSION_TICKET, _) if within != NewSessionTicket => {
            ext::decode_empty(body, "empty extension").unwrap();
        }
        (Ext::EARLY_DATA, NewSessionTicket) => put_u32(o, ext::decode_u32(body, "early_data").unwrap()),
        (Ext::SUPPORTED_GROUPS | Ext::SIGNATURE_ALGORITHMS, _) => {
            ext::encode_u16_list(o, ext::decode_u16_list(body, "u16 list").unwrap().iter());
        }
        (Ext::KEY_SHARE, ClientHello) => {
            ext::encode_client_key_shares(o, &ext::decode_client_key_shares(body).unwrap())
        }
        (Ext::KEY_SHARE, ServerHello) => ext::encode_server_key_share(o, &ext::decode_server_key_share(body).unwrap()),
        (Ext::KEY_SHARE, HelloRetryRequest) => put_u16(o, ext::decode_hrr_key_share(body).unwrap().0),
        (Ext::SUPPORTED_VERSIONS, ClientHello) => {
            let versions: Vec<ProtocolVersion> =
                ext::decode_client_versions(body).unwrap().iter().map(ProtocolVersion).collect();
            ext::encode_client_versions(o, &versions);
        }
        (Ext::SUPPORTED_VERSIONS, ServerHello | HelloRetryRequest) => {
            put_u16(o, ext::decode_server_version(body).unwrap().0)
        }
        (Ext::PSK_KEY_EXCHANGE_MODES, ClientHello) => {
            let modes: Vec<PskKeyExchangeMode> =
                ext::decode_psk_modes(body).unwrap().iter().map(|m| PskKeyExchangeMode(*m)).collect();
            ext::encode_psk_modes(o, &modes);
        }
        (Ext::RECORD_SIZE_LIMIT, _) => put_u16(o, ext::decode_u16(body, "record_size_limit").unwrap()),
        (Ext::COOKIE, ClientHello | HelloRetryRequest) => put_vec(o, Prefix::U16, ext::decode_cookie(body).unwrap()),
        (Ext::PRE_SHARED_KEY, ClientHello) => {
            let offered = ext::decode_offered_psks(body).unwrap();
            let lens: Vec<usize> = offered.binders.iter().map(|b| b.len()).collect();
            let n = ext::encode_offered_psks(o, &offered.identities, &lens);
            assert_eq!(n, offered.binders_len, "binders length as encoded vs as decoded");
            if !zero_binders {
                let mut at = o.len() - n + 2;
                for b in &offered.binders {
                    o[at + 1..at + 1 + b.len()].copy_from_slice(b);
                    at += 1 + b.len();
                }
            }
        }
        (Ext::PRE_SHARED_KEY, ServerHello) => put_u16(o, ext::decode_selected_psk(body).unwrap()),
        (Ext::RENEGOTIATION_INFO, ClientHello) => {
            // No decoder of ours: an empty renegotiated_connection.
            assert_eq!(body, [0], "renegotiation_info of an initial handshake");
            put_vec(o, Prefix::U8, &[]);
        }
        (Ext::PADDING, ClientHello) => {
            assert!(body.iter().all(|b| *b == 0), "padding must be zeros");
            o.resize(o.len() + body.len(), 0);
        }
        (t, w) => panic!("extension {t} in {w:?}: the trace has nothing like it"),
    }
}

fn reencode_extensions(within: ExtIn, exts: &Extensions<'_>, zero_binders: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (typ, body) in exts.iter() {
        ext::put_ext(&mut out, typ, |o| reencode_extension(within, typ, body, zero_binders, o));
    }
    out
}

/// Rebuilds a ClientHello with `encode_client_hello`. Returns the message and the length of its
/// PSK binders list (0 without one).
fn reencode_client_hello(ch: &ClientHello<'_>, zero_binders: bool) -> (Vec<u8>, usize) {
    let block = reencode_extensions(ExtIn::ClientHello, &ch.extensions, zero_binders);
    let suites: Vec<CipherSuite> = ch.cipher_suites.iter().map(CipherSuite).collect();
    let mut out = Vec::new();
    encode_client_hello(
        &mut out,
        ch.legacy_version,
        &ch.random,
        ch.session_id,
        &suites,
        ch.compression_methods,
        &block,
    );
    let binders_len = match ch.extensions.get(Ext::PRE_SHARED_KEY) {
        Some(b) => ext::decode_offered_psks(b).unwrap().binders_len,
        None => 0,
    };
    (out, binders_len)
}

fn body(raw: &[u8]) -> &[u8] {
    &raw[4..]
}

// ---------------------------------------------------------------------------------------------
// RSA-PSS verification for the trace's 1024-bit keys (ring and webpki want 2048 bits or more).
// ---------------------------------------------------------------------------------------------

/// One DER TLV: (tag, contents, rest).
fn der(input: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = input[0];
    let (len, hdr) = if input[1] < 0x80 {
        (input[1] as usize, 2)
    } else {
        let n = (input[1] & 0x7f) as usize;
        (input[2..2 + n].iter().fold(0usize, |a, b| (a << 8) | *b as usize), 2 + n)
    };
    (tag, &input[hdr..hdr + len], &input[hdr + len..])
}

/// The RSA modulus and exponent of an X.509 certificate (None for another key type).
fn rsa_public_key(cert: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    const RSA_ENCRYPTION: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    let (_, certificate, _) = der(cert);
    let (_, tbs, _) = der(certificate);
    let mut rest = tbs;
    if rest[0] == 0xa0 {
        rest = der(rest).2; // version
    }
    for _ in 0..5 {
        rest = der(rest).2; // serial, signature, issuer, validity, subject
    }
    let (_, spki, _) = der(rest);
    let (_, alg, rest) = der(spki);
    if !alg.starts_with(RSA_ENCRYPTION) {
        return None;
    }
    let (_, bits, _) = der(rest);
    let (_, key, _) = der(&bits[1..]);
    let (_, n, rest) = der(key);
    let (_, e, _) = der(rest);
    let n = n.strip_prefix(&[0]).unwrap_or(n);
    Some((n.to_vec(), e.to_vec()))
}

fn mgf1_sha256(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut counter = 0u32;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(HashAlgorithm::Sha256.hash(&input).as_bytes());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// RSASSA-PSS-VERIFY with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 §8.1.2, §9.1.2).
fn rsa_pss_sha256_verify(n: &[u8], e: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    use crypto_bigint::BoxedUint;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    let bits = (n.len() * 8).next_multiple_of(64) as u32;
    let modulus = BoxedUint::from_be_slice(n, bits).unwrap();
    let Some(odd) = modulus.to_odd().into_option() else { return false };
    let s = BoxedUint::from_be_slice(sig, bits).unwrap();
    if sig.len() != n.len() || s >= modulus {
        return false;
    }
    let exponent = BoxedUint::from_be_slice(e, bits).unwrap();
    let params = BoxedMontyParams::new_vartime(odd);
    let m = BoxedMontyForm::new(s, &params).pow(&exponent).retrieve().to_be_bytes();
    let mod_bits = n.len() * 8 - n[0].leading_zeros() as usize;
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let em = &m[m.len() - em_len..];
    if m[..m.len() - em_len].iter().any(|b| *b != 0) || em[em_len - 1] != 0xbc {
        return false;
    }
    let h_len = 32;
    let (masked_db, h) = em[..em_len - 1].split_at(em_len - h_len - 1);
    let top_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(top_bits as u32).unwrap_or(0);
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    let mut db: Vec<u8> = masked_db.iter().zip(mgf1_sha256(h, masked_db.len())).map(|(a, b)| a ^ b).collect();
    db[0] &= top_mask;
    let ps_len = em_len - h_len - 32 - 2;
    if db[..ps_len].iter().any(|b| *b != 0) || db[ps_len] != 1 {
        return false;
    }
    let salt = &db[ps_len + 1..];
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(HashAlgorithm::Sha256.hash(msg).as_bytes());
    m_prime.extend_from_slice(salt);
    HashAlgorithm::Sha256.hash(&m_prime).as_bytes() == h
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the replay.
// ---------------------------------------------------------------------------------------------

/// Which keys protect a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Epoch {
    Plaintext,
    Early,
    Handshake,
    Application,
}

/// A handshake message as constructed by its sender.
struct Msg {
    sender: Who,
    typ: HandshakeType,
    raw: Vec<u8>,
    hrr: bool,
    received: bool,
}

/// A record on its way to the receiver.
struct InFlight {
    epoch: Epoch,
    typ: ContentType,
    record: Vec<u8>,
    step: usize,
}

struct Party {
    who: Who,
    transcript: Transcript,
    /// How many of the replay's messages are in `transcript`.
    added: usize,
    early: Option<EarlySecret>,
    handshake: Option<HandshakeSecret>,
    master: Option<MasterSecret>,
    /// Every secret this party derived, by label.
    secrets: BTreeMap<&'static str, Secret>,
    /// Traffic keys by (write?, epoch).
    keys: BTreeMap<(bool, Epoch), (Vec<u8>, [u8; 12])>,
    /// Finished verify_data computed by this party, by whose Finished it is.
    finished: BTreeMap<Who, Secret>,
    write: Direction,
    write_epoch: Epoch,
    read: Direction,
    read_epoch: Epoch,
    inbox: VecDeque<InFlight>,
    joiner: HandshakeJoiner,
    /// Messages constructed but not yet sent in a record.
    unsent: Vec<u8>,
    records_opened: usize,
}

impl Party {
    fn new(who: Who) -> Party {
        Party {
            who,
            transcript: Transcript::default(),
            added: 0,
            early: None,
            handshake: None,
            master: None,
            secrets: BTreeMap::new(),
            keys: BTreeMap::new(),
            finished: BTreeMap::new(),
            write: Direction::default(),
            write_epoch: Epoch::Plaintext,
            read: Direction::default(),
            read_epoch: Epoch::Plaintext,
            inbox: VecDeque::new(),
            joiner: HandshakeJoiner::default(),
            unsent: Vec::new(),
            records_opened: 0,
        }
    }

    fn secret(&self, label: &str) -> Secret {
        self.secrets.get(label).cloned().unwrap_or_else(|| panic!("{:?} has not derived {label:?} yet", self.who))
    }
}

struct Replay<'s> {
    sec: &'s Section,
    hash: HashAlgorithm,
    cipher: BulkCipher,
    psk: Option<Vec<u8>>,
    shared: Option<Vec<u8>>,
    msgs: Vec<Msg>,
    parties: [Party; 2],
    /// Ephemeral key pair steps: (who, group, step).
    key_pairs: Vec<(Who, NamedGroup, usize)>,
    /// A ClientHello constructed without its binders (section 4): (step, bytes).
    partial_hello: Option<(usize, Vec<u8>)>,
    signatures_verified: usize,
}

/// What one replayed section produced.
struct Outcome {
    msgs: Vec<(Who, HandshakeType, Vec<u8>)>,
    secrets: [BTreeMap<&'static str, Secret>; 2],
    records: usize,
    signatures: usize,
}

impl Outcome {
    /// The `nth` message of type `typ` sent by `sender`.
    fn msg(&self, sender: Who, typ: HandshakeType, nth: usize) -> &[u8] {
        self.msgs
            .iter()
            .filter(|(w, t, _)| *w == sender && *t == typ)
            .nth(nth)
            .map(|(_, _, raw)| raw.as_slice())
            .unwrap_or_else(|| panic!("no {typ} #{nth} from {sender:?}"))
    }

    fn count(&self, typ: HandshakeType) -> usize {
        self.msgs.iter().filter(|(_, t, _)| *t == typ).count()
    }
}

/// Splits `title (same as X ...)` into the title and X.
fn split_same(title: &str) -> (&str, Option<Who>) {
    match title.find(" (same as ") {
        Some(at) => {
            let rest = &title[at + " (same as ".len()..];
            let who = Who::parse(rest.split([' ', ')']).next().unwrap());
            (&title[..at], Some(who))
        }
        None => (title, None),
    }
}

fn quoted(s: &str) -> &str {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or_else(|| panic!("{s:?} is not quoted"))
}

impl<'s> Replay<'s> {
    fn run(sec: &'s Section, psk: Option<Vec<u8>>) -> Outcome {
        let info = SUITE.info().unwrap();
        let mut r = Replay {
            sec,
            hash: info.prf,
            cipher: info.cipher,
            psk,
            shared: None,
            msgs: Vec::new(),
            parties: [Party::new(Who::Client), Party::new(Who::Server)],
            key_pairs: Vec::new(),
            partial_hello: None,
            signatures_verified: 0,
        };
        for i in 0..sec.steps.len() {
            r.step(i);
        }
        r.finish()
    }

    fn party(&mut self, who: Who) -> &mut Party {
        &mut self.parties[who.idx()]
    }

    fn step(&mut self, i: usize) {
        let sec = self.sec;
        let step = &sec.steps[i];
        let who = step.party;
        let (title, same) = split_same(&step.title);
        if let Some(peer) = same {
            assert_eq!(peer, who.peer(), "{}: \"same as\" names the party itself", sec.describe(i));
            assert!(step.values.is_empty(), "{}: a \"same as\" step with values", sec.describe(i));
        }
        if let Some(kind) = title.strip_prefix("create an ephemeral ") {
            let group = match kind {
                "x25519 key pair" => NamedGroup::X25519,
                "P-256 key pair" => NamedGroup::SECP256R1,
                other => panic!("{}: key pair {other:?}", sec.describe(i)),
            };
            self.key_pairs.push((who, group, i));
        } else if let Some(name) = title.strip_prefix("construct a ").and_then(|t| t.strip_suffix(" handshake message"))
        {
            self.construct(i, who, name);
        } else if let Some(kind) = title.strip_prefix("send ").and_then(|t| t.strip_suffix(" record")) {
            self.send(i, who, kind);
        } else if let Some(which) = title.strip_prefix("extract secret ") {
            self.extract(i, who, quoted(which), same);
        } else if let Some(stage) =
            title.strip_prefix("derive secret for ").and_then(|t| t.strip_suffix(" \"tls13 derived\""))
        {
            self.derived(i, who, stage, same);
        } else if let Some(label) = title.strip_prefix("derive secret ") {
            let label = quoted(label).strip_prefix("tls13 ").expect("tls13 label");
            self.derive_secret(i, who, label, same);
        } else if let Some(rest) = title.strip_prefix("derive ") {
            let (dir, data) = rest.split_once(" traffic keys for ").expect("traffic keys step");
            self.traffic_keys(i, who, dir == "write", data, same);
        } else if title == "calculate finished \"tls13 finished\"" {
            self.calculate_finished(i, who, same);
        } else if title == "calculate PSK binder" {
            self.binder(i, who, same);
        } else if title == "generate resumption secret \"tls13 resumption\"" {
            self.resumption(i, who, same);
        } else {
            panic!("{}: unknown kind of step", sec.describe(i));
        }
    }

    // ---- transcript ----

    /// Index just after the last message matching `f`.
    fn after(&self, what: &str, f: impl Fn(&Msg) -> bool) -> usize {
        self.msgs.iter().rposition(f).unwrap_or_else(|| panic!("section {}: no {what} yet", self.sec.number)) + 1
    }

    /// The hash of `who`'s transcript over the first `point` messages, adding messages as needed.
    /// A party only hashes messages it sent or has received (decrypted) by then.
    fn hash_at(&mut self, who: Who, point: usize) -> Secret {
        let hash = self.hash;
        let number = self.sec.number;
        let p = &mut self.parties[who.idx()];
        assert!(p.added <= point, "section {number}: {who:?}'s transcript is already past message {point}");
        for m in &self.msgs[p.added..point] {
            assert!(m.sender == who || m.received, "section {number}: {who:?} hashes a {} it has not received", m.typ);
            assert_ne!(m.typ, HandshakeType::NEW_SESSION_TICKET, "post-handshake messages are not hashed");
            if m.typ == HandshakeType::SERVER_HELLO {
                p.transcript.start_hash(hash);
                if m.hrr {
                    p.transcript.replace_with_message_hash();
                }
            }
            p.transcript.add(&m.raw);
        }
        p.added = point;
        let h = p.transcript.current_hash();
        assert_eq!(h.len(), hash.output_len(), "the transcript hash has started");
        h
    }

    fn point_client_hello(&self) -> usize {
        self.after("ClientHello", |m| m.typ == HandshakeType::CLIENT_HELLO)
    }

    fn point_server_hello(&self) -> usize {
        self.after("ServerHello", |m| m.typ == HandshakeType::SERVER_HELLO && !m.hrr)
    }

    fn point_finished(&self, of: Who) -> usize {
        self.after("Finished", |m| m.typ == HandshakeType::FINISHED && m.sender == of)
    }

    // ---- key schedule ----

    /// Records a derived secret: compared with the trace for a step with values, with the peer's
    /// own derivation for a "same as" step.
    /// `derivation` is (label, PRK, transcript hash, our result).
    fn derived_secret(
        &mut self,
        i: usize,
        who: Who,
        same: Option<Who>,
        derivation: (&'static str, Secret, Secret, Secret),
    ) {
        let (key, prk, transcript_hash, ours) = derivation;
        let sec = self.sec;
        match same {
            None => {
                sec.check(i, "PRK", prk.as_bytes(), "the secret it is derived from");
                sec.check(i, "hash", transcript_hash.as_bytes(), "our transcript hash");
                sec.check(i, "expanded", ours.as_bytes(), "our key schedule");
            }
            Some(peer) => {
                assert_eq!(ours, self.parties[peer.idx()].secret(key), "{}: {key} differs", sec.describe(i));
                sec.count();
            }
        }
        self.party(who).secrets.insert(key, ours);
    }

    fn extract(&mut self, i: usize, who: Who, which: &str, same: Option<Who>) {
        let sec = self.sec;
        let hash = self.hash;
        let zeros = vec![0u8; hash.output_len()];
        let (key, secret) = match which {
            "early" => {
                let early = EarlySecret::new(hash, self.psk.as_deref());
                if same.is_none() {
                    sec.check_text(i, "salt", "0 (all zero octets)");
                    sec.check(i, "IKM", self.psk.as_deref().unwrap_or(&zeros), "PSK, or zeros without one");
                }
                let s = early.secret().clone();
                self.party(who).early = Some(early);
                ("early", s)
            }
            "handshake" => {
                if same.is_none() {
                    // The (EC)DHE shared secret: the trace's, as ring cannot import its private keys.
                    self.shared = Some(sec.input(i, "IKM"));
                    let salt = self.party(who).secret("derived for handshake");
                    sec.check(i, "salt", salt.as_bytes(), "Derive-Secret(early, \"derived\", \"\")");
                }
                let shared = self.shared.clone().expect("the shared secret is in an earlier step");
                let p = self.party(who);
                let hs = p.early.take().expect("early secret").into_handshake(Some(&shared));
                let s = hs.secret().clone();
                p.handshake = Some(hs);
                ("handshake", s)
            }
            "master" => {
                if same.is_none() {
                    let salt = self.party(who).secret("derived for master");
                    sec.check(i, "salt", salt.as_bytes(), "Derive-Secret(handshake, \"derived\", \"\")");
                    sec.check(i, "IKM", &zeros, "zeros");
                }
                let p = self.party(who);
                let ms = p.handshake.take().expect("handshake secret").into_master();
                let s = ms.secret().clone();
                p.master = Some(ms);
                ("master", s)
            }
            other => panic!("{}: extract {other:?}", sec.describe(i)),
        };
        match same {
            None => sec.check(i, "secret", secret.as_bytes(), "our key schedule"),
            Some(peer) => {
                assert_eq!(secret, self.parties[peer.idx()].secret(key), "{}", sec.describe(i));
                sec.count();
            }
        }
        self.party(who).secrets.insert(key, secret);
    }

    fn derived(&mut self, i: usize, who: Who, stage: &str, same: Option<Who>) {
        let hash = self.hash;
        let empty = hash.empty_hash();
        let p = &self.parties[who.idx()];
        let (key, prk) = match stage {
            "handshake" => ("derived for handshake", p.early.as_ref().expect("early secret").secret().clone()),
            "master" => ("derived for master", p.handshake.as_ref().expect("handshake secret").secret().clone()),
            other => panic!("{}: derived for {other:?}", self.sec.describe(i)),
        };
        let ours = ks::derive_secret(hash, &prk, b"derived", empty.as_bytes());
        self.derived_secret(i, who, same, (key, prk, empty, ours));
    }

    fn derive_secret(&mut self, i: usize, who: Who, label: &str, same: Option<Who>) {
        let hash = self.hash;
        let (key, th, prk, ours) = match label {
            "c e traffic" | "e exp master" => {
                // ssl-core does not do 0-RTT: the early secrets come from the generic Derive-Secret.
                let th = self.hash_at(who, self.point_client_hello());
                let early = self.parties[who.idx()].early.as_ref().expect("early secret");
                let key = if label == "c e traffic" { "c e traffic" } else { "e exp master" };
                let ours = ks::derive_secret(hash, early.secret(), label.as_bytes(), th.as_bytes());
                (key, th, early.secret().clone(), ours)
            }
            "c hs traffic" | "s hs traffic" => {
                let th = self.hash_at(who, self.point_server_hello());
                let hs = self.parties[who.idx()].handshake.as_ref().expect("handshake secret");
                if label == "c hs traffic" {
                    ("c hs traffic", th.clone(), hs.secret().clone(), hs.client_traffic(th.as_bytes()))
                } else {
                    ("s hs traffic", th.clone(), hs.secret().clone(), hs.server_traffic(th.as_bytes()))
                }
            }
            "c ap traffic" | "s ap traffic" | "exp master" => {
                let th = self.hash_at(who, self.point_finished(Who::Server));
                let ms = self.parties[who.idx()].master.as_ref().expect("master secret");
                let (key, ours) = match label {
                    "c ap traffic" => ("c ap traffic", ms.client_traffic(th.as_bytes())),
                    "s ap traffic" => ("s ap traffic", ms.server_traffic(th.as_bytes())),
                    _ => ("exp master", ms.exporter(th.as_bytes())),
                };
                (key, th, ms.secret().clone(), ours)
            }
            "res master" => {
                let th = self.hash_at(who, self.point_finished(Who::Client));
                let ms = self.parties[who.idx()].master.as_ref().expect("master secret");
                ("res master", th.clone(), ms.secret().clone(), ms.resumption(th.as_bytes()))
            }
            other => panic!("{}: secret {other:?}", self.sec.describe(i)),
        };
        self.derived_secret(i, who, same, (key, prk, th, ours));
    }

    fn traffic_keys(&mut self, i: usize, who: Who, write: bool, data: &str, same: Option<Who>) {
        let sec = self.sec;
        let (hash, cipher) = (self.hash, self.cipher);
        let epoch = match data {
            "early application data" => Epoch::Early,
            "handshake data" => Epoch::Handshake,
            "application data" => Epoch::Application,
            other => panic!("{}: keys for {other:?}", sec.describe(i)),
        };
        let client_to_server = (who == Who::Client) == write;
        let label = match (epoch, client_to_server) {
            (Epoch::Early, true) => "c e traffic",
            (Epoch::Handshake, true) => "c hs traffic",
            (Epoch::Handshake, false) => "s hs traffic",
            (Epoch::Application, true) => "c ap traffic",
            (Epoch::Application, false) => "s ap traffic",
            _ => panic!("{}: no such traffic secret", sec.describe(i)),
        };
        let secret = self.party(who).secret(label);
        let (key, iv) = ks::traffic_key_iv(hash, cipher, &secret);
        match same {
            None => {
                sec.check(i, "PRK", secret.as_bytes(), label);
                sec.check(i, "key expanded", &key, "traffic_key_iv");
                sec.check(i, "iv expanded", &iv, "traffic_key_iv");
            }
            Some(peer) => {
                let theirs = self.parties[peer.idx()].keys.get(&(!write, epoch)).expect("the peer's keys");
                assert_eq!((key.to_vec(), iv), *theirs, "{}", sec.describe(i));
                sec.count();
            }
        }
        let protection = ks::protection(hash, cipher, &secret).expect("record protection");
        let p = self.party(who);
        p.keys.insert((write, epoch), (key.to_vec(), iv));
        if write {
            p.write.set(protection);
            p.write_epoch = epoch;
        } else {
            p.read.set(protection);
            p.read_epoch = epoch;
            self.flush(who);
        }
    }

    fn calculate_finished(&mut self, i: usize, who: Who, same: Option<Who>) {
        let sec = self.sec;
        let of = same.unwrap_or(who);
        let base = self.party(who).secret(if of == Who::Client { "c hs traffic" } else { "s hs traffic" });
        let existing = self.msgs.iter().position(|m| m.typ == HandshakeType::FINISHED && m.sender == of);
        let point = match existing {
            Some(at) => at,
            None => {
                assert_eq!(of, who, "{}: the peer's Finished has not been sent", sec.describe(i));
                self.msgs.len()
            }
        };
        let th = self.hash_at(who, point);
        let verify = ks::finished_mac(self.hash, &base, th.as_bytes());
        match same {
            None => {
                sec.check(i, "PRK", base.as_bytes(), "the handshake traffic secret");
                sec.check(i, "hash", &[], "the finished label's empty context");
                sec.check(i, "finished", verify.as_bytes(), "finished_mac over our transcript hash");
            }
            Some(peer) => {
                // The receiver's verification: ours equals the sender's and the Finished received.
                assert_eq!(Some(&verify), self.parties[peer.idx()].finished.get(&of), "{}", sec.describe(i));
                let at = existing.expect("the Finished was sent");
                assert_eq!(body(&self.msgs[at].raw), verify.as_bytes(), "{}: received Finished", sec.describe(i));
                sec.count();
            }
        }
        self.party(who).finished.insert(of, verify);
    }

    fn binder(&mut self, i: usize, who: Who, same: Option<Who>) {
        let sec = self.sec;
        let hash = self.hash;
        match same {
            None => {
                assert_eq!(who, Who::Client, "the client computes binders");
                let (ch_step, partial) = self.partial_hello.take().expect("a ClientHello awaiting its binders");
                // Our ClientHello with zeroed binders, rebuilt from the hello as sent in the next record.
                let send = (i..sec.steps.len())
                    .find(|&j| sec.steps[j].party == who && sec.steps[j].title == "send handshake record")
                    .expect("the ClientHello's record");
                let sent = sec.input(send, "payload");
                let ch = ClientHello::decode(body(&sent)).unwrap();
                for share in ext::decode_client_key_shares(ch.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap() {
                    self.check_key_share(who, share.group, share.key);
                }
                let (mut ours, binders_len) = reencode_client_hello(&ch, true);
                assert!(binders_len > 0, "the hello offers a PSK");
                let truncated = ours[..ours.len() - binders_len].to_vec();
                sec.check(ch_step, "ClientHello", &truncated, "our hello up to the binders");
                sec.check(i, "ClientHello prefix", &truncated, "our hello up to the binders");
                let p = self.party(who);
                p.transcript.start_hash(hash);
                let binder_hash = p.transcript.hash_with(&truncated);
                let early = p.early.as_ref().expect("early secret");
                let binder_key = early.resumption_binder_key();
                let binder = early.binder(binder_hash.as_bytes());
                sec.check(i, "binder hash", binder_hash.as_bytes(), "Transcript::hash_with(truncated hello)");
                sec.check(i, "PRK", binder_key.as_bytes(), "resumption_binder_key");
                sec.check(i, "hash", &[], "the finished label's empty context");
                sec.check(i, "finished", binder.as_bytes(), "EarlySecret::binder");
                assert_eq!(partial, truncated);
                let at = ours.len() - binder.len();
                ours[at..].copy_from_slice(binder.as_bytes());
                p.secrets.insert("binder", binder);
                self.push_msg(who, ours, false);
            }
            Some(peer) => {
                // The server checks the binder of the hello it received.
                let at = self.point_client_hello() - 1;
                let m = &self.msgs[at];
                assert!(m.received, "the server has the ClientHello");
                let raw = m.raw.clone();
                let ch = ClientHello::decode(body(&raw)).unwrap();
                assert_eq!(ch.extensions.last_type(), Some(Ext::PRE_SHARED_KEY), "pre_shared_key comes last");
                let offered = ext::decode_offered_psks(ch.extensions.get(Ext::PRE_SHARED_KEY).unwrap()).unwrap();
                let truncated = &raw[..raw.len() - offered.binders_len];
                let p = self.party(who);
                p.transcript.start_hash(hash);
                let h = p.transcript.hash_with(truncated);
                let binder = p.early.as_ref().expect("early secret").binder(h.as_bytes());
                assert_eq!(binder.as_bytes(), offered.binders[0], "{}: the received binder", sec.describe(i));
                assert_eq!(binder, self.parties[peer.idx()].secret("binder"));
                sec.count();
                self.party(who).secrets.insert("binder", binder);
            }
        }
    }

    fn resumption(&mut self, i: usize, who: Who, same: Option<Who>) {
        let sec = self.sec;
        let rms = self.party(who).secret("res master");
        let nonce = match same {
            None => {
                // The nonce is the one of the ticket constructed next.
                let nst_step = (i..sec.steps.len())
                    .find(|&j| sec.steps[j].party == who && sec.has(j, "NewSessionTicket"))
                    .expect("a NewSessionTicket follows");
                let nst_raw = sec.input(nst_step, "NewSessionTicket");
                let nonce = NewSessionTicket13::decode(body(&nst_raw)).unwrap().nonce.to_vec();
                sec.check(i, "hash", &nonce, "the ticket nonce");
                nonce
            }
            Some(_) => {
                let at = self.after("NewSessionTicket", |m| m.typ == HandshakeType::NEW_SESSION_TICKET) - 1;
                assert!(self.msgs[at].received, "the client has the ticket");
                NewSessionTicket13::decode(body(&self.msgs[at].raw)).unwrap().nonce.to_vec()
            }
        };
        let psk = ks::resumption_psk(self.hash, &rms, &nonce);
        match same {
            None => {
                sec.check(i, "PRK", rms.as_bytes(), "resumption_master_secret");
                sec.check(i, "expanded", psk.as_bytes(), "resumption_psk");
            }
            Some(peer) => {
                assert_eq!(psk, self.parties[peer.idx()].secret("resumption"), "{}", sec.describe(i));
                sec.count();
            }
        }
        self.party(who).secrets.insert("resumption", psk);
    }

    // ---- messages ----

    fn push_msg(&mut self, who: Who, raw: Vec<u8>, hrr: bool) {
        self.party(who).unsent.extend_from_slice(&raw);
        self.msgs.push(Msg { sender: who, typ: HandshakeType(raw[0]), raw, hrr, received: false });
    }

    /// Compares a key share with the public key of the party's latest key pair of that group.
    fn check_key_share(&self, who: Who, group: NamedGroup, key: &[u8]) {
        let (_, _, step) = self
            .key_pairs
            .iter()
            .rev()
            .find(|(w, g, _)| *w == who && *g == group)
            .unwrap_or_else(|| panic!("{who:?} made no {group} key pair"));
        self.sec.check(*step, "public key", key, "the key_share sent");
    }

    fn construct(&mut self, i: usize, who: Who, name: &str) {
        let sec = self.sec;
        let raw = sec.input(i, name);
        let typ = HandshakeType(raw[0]);
        let expected_type = match name {
            "ClientHello" => HandshakeType::CLIENT_HELLO,
            "ServerHello" => HandshakeType::SERVER_HELLO,
            "EncryptedExtensions" => HandshakeType::ENCRYPTED_EXTENSIONS,
            "CertificateRequest" => HandshakeType::CERTIFICATE_REQUEST,
            "Certificate" => HandshakeType::CERTIFICATE,
            "CertificateVerify" => HandshakeType::CERTIFICATE_VERIFY,
            "Finished" => HandshakeType::FINISHED,
            "NewSessionTicket" => HandshakeType::NEW_SESSION_TICKET,
            "EndOfEarlyData" => HandshakeType::END_OF_EARLY_DATA,
            other => panic!("{}: message {other:?}", sec.describe(i)),
        };
        assert_eq!(typ, expected_type, "{}", sec.describe(i));
        let declared = u32::from_be_bytes([0, raw[1], raw[2], raw[3]]) as usize + 4;
        if declared != raw.len() {
            // Section 4 lists the ClientHello up to its binders; the binder step completes it.
            assert!(typ == HandshakeType::CLIENT_HELLO && declared > raw.len(), "{}: truncated", sec.describe(i));
            self.partial_hello = Some((i, raw));
            return;
        }
        let mut hrr = false;
        let ours = match name {
            "ClientHello" => {
                let ch = ClientHello::decode(body(&raw)).unwrap();
                if let Some(shares) = ch.extensions.get(Ext::KEY_SHARE) {
                    for share in ext::decode_client_key_shares(shares).unwrap() {
                        self.check_key_share(who, share.group, share.key);
                    }
                }
                reencode_client_hello(&ch, false).0
            }
            "ServerHello" => {
                let sh = ServerHello::decode(body(&raw)).unwrap();
                hrr = sh.is_retry_request();
                assert_eq!(sh.cipher_suite, SUITE, "{}: the suite", sec.describe(i));
                let within = if hrr { ExtIn::HelloRetryRequest } else { ExtIn::ServerHello };
                if !hrr {
                    let share = ext::decode_server_key_share(sh.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap();
                    self.check_key_share(who, share.group, share.key);
                }
                let block = reencode_extensions(within, &sh.extensions, false);
                let mut out = Vec::new();
                encode_server_hello(
                    &mut out,
                    sh.legacy_version,
                    &sh.random,
                    sh.session_id,
                    sh.cipher_suite,
                    sh.compression_method,
                    &block,
                );
                out
            }
            "EncryptedExtensions" => {
                let ee = decode_encrypted_extensions(body(&raw)).unwrap();
                let block = reencode_extensions(ExtIn::EncryptedExtensions, &ee, false);
                let mut out = Vec::new();
                put_handshake(&mut out, HandshakeType::ENCRYPTED_EXTENSIONS, |o| put_vec(o, Prefix::U16, &block));
                out
            }
            "CertificateRequest" => {
                let cr = CertificateRequest13::decode(body(&raw)).unwrap();
                let block = reencode_extensions(ExtIn::CertificateRequest, &cr.extensions, false);
                let mut out = Vec::new();
                put_handshake(&mut out, HandshakeType::CERTIFICATE_REQUEST, |o| {
                    put_vec(o, Prefix::U8, cr.context);
                    put_vec(o, Prefix::U16, &block);
                });
                out
            }
            "Certificate" => {
                let c = Certificate13::decode(body(&raw)).unwrap();
                assert!(c.entries.iter().all(|e| e.extensions.is_empty()), "no per-certificate extensions");
                let certs: Vec<&[u8]> = c.certs().collect();
                let mut out = Vec::new();
                encode_certificate13(&mut out, c.context, &certs);
                out
            }
            "CertificateVerify" => {
                let cv = CertificateVerify::decode(body(&raw)).unwrap();
                self.verify_signature(i, who, &cv);
                let mut out = Vec::new();
                cv.encode(&mut out);
                out
            }
            "Finished" => {
                let verify = self.party(who).finished.get(&who).cloned().expect("Finished calculated first");
                let mut out = Vec::new();
                encode_finished(&mut out, verify.as_bytes());
                out
            }
            "NewSessionTicket" => {
                let t = NewSessionTicket13::decode(body(&raw)).unwrap();
                let block = reencode_extensions(ExtIn::NewSessionTicket, &t.extensions, false);
                let mut out = Vec::new();
                t.encode(&mut out, &block);
                out
            }
            "EndOfEarlyData" => {
                let mut out = Vec::new();
                put_handshake(&mut out, HandshakeType::END_OF_EARLY_DATA, |_| {});
                out
            }
            _ => unreachable!(),
        };
        sec.check(i, name, &ours, "decoded and re-encoded by ssl-core");
        self.push_msg(who, raw, hrr);
    }

    /// Verifies a CertificateVerify over our transcript hash with the signer's certificate.
    fn verify_signature(&mut self, i: usize, who: Who, cv: &CertificateVerify<'_>) {
        let sec = self.sec;
        let at = self.after("Certificate", |m| m.typ == HandshakeType::CERTIFICATE && m.sender == who) - 1;
        let cert_msg = self.msgs[at].raw.clone();
        let certs = Certificate13::decode(body(&cert_msg)).unwrap();
        let cert = certs.entries[0].cert;
        let th = self.hash_at(who, self.msgs.len());
        let content = tls13_signed_content(who == Who::Server, th.as_bytes());
        match rsa_public_key(cert) {
            Some((n, e)) if n.len() < 256 => {
                // 1024-bit RSA (RFC 8448 keys): below what ring and webpki verify.
                assert_eq!(cv.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256, "{}", sec.describe(i));
                assert!(rsa_pss_sha256_verify(&n, &e, &content, cv.signature), "{}: bad signature", sec.describe(i));
                let mut tampered = content.clone();
                tampered[70] ^= 1;
                assert!(!rsa_pss_sha256_verify(&n, &e, &tampered, cv.signature), "the PSS check can fail");
            }
            _ => verify_tls13(cert, cv.scheme, &content, cv.signature)
                .unwrap_or_else(|e| panic!("{}: CertificateVerify: {e:?}", sec.describe(i))),
        }
        self.signatures_verified += 1;
        sec.count();
    }

    // ---- records ----

    fn send(&mut self, i: usize, who: Who, kind: &str) {
        let sec = self.sec;
        let typ = match kind {
            "handshake" => ContentType::HANDSHAKE,
            "application_data" => ContentType::APPLICATION_DATA,
            "alert" => ContentType::ALERT,
            "change_cipher_spec" => ContentType::CHANGE_CIPHER_SPEC,
            other => panic!("{}: record {other:?}", sec.describe(i)),
        };
        let payload = match typ {
            ContentType::HANDSHAKE => {
                let ours = std::mem::take(&mut self.party(who).unsent);
                sec.check(i, "payload", &ours, "the messages constructed since the last record");
                ours
            }
            ContentType::ALERT => {
                let ours = Alert::warning(AlertDescription::CLOSE_NOTIFY).encode().to_vec();
                sec.check(i, "payload", &ours, "close_notify");
                ours
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                sec.check(i, "payload", &[1], "a middlebox-compatibility ChangeCipherSpec");
                vec![1]
            }
            _ => sec.input(i, "payload"),
        };
        // As our client does: TLS 1.0 on the record of the first ClientHello, TLS 1.2 after.
        let first_hello = who == Who::Client && !self.msgs.iter().any(|m| m.typ == HandshakeType::SERVER_HELLO);
        let version = if first_hello { ProtocolVersion::TLS1_0 } else { ProtocolVersion::TLS1_2 };
        let p = self.party(who);
        let epoch = if typ == ContentType::CHANGE_CIPHER_SPEC { Epoch::Plaintext } else { p.write_epoch };
        let mut out = Vec::new();
        // A ChangeCipherSpec is never protected (RFC 8446 §5), whatever keys the sender has.
        let mut plain = Direction::default();
        let direction = if typ == ContentType::CHANGE_CIPHER_SPEC { &mut plain } else { &mut p.write };
        direction.seal_record(&mut out, typ, version, &payload, 0).expect("seal");
        sec.check(i, "complete record", &out, "sealed by the sender's Direction");
        let record = sec.input(i, "complete record");
        self.party(who.peer()).inbox.push_back(InFlight { epoch, typ, record, step: i });
        self.flush(who.peer());
    }

    /// Opens the records waiting for `who` whose keys it has installed, in order.
    fn flush(&mut self, who: Who) {
        let sec = self.sec;
        loop {
            let p = &mut self.parties[who.idx()];
            let Some(front) = p.inbox.front() else { return };
            if front.typ != ContentType::CHANGE_CIPHER_SPEC && front.epoch != p.read_epoch {
                return;
            }
            let mut rec = p.inbox.pop_front().unwrap();
            let (typ, range) = p
                .read
                .open_record(&mut rec.record)
                .unwrap_or_else(|e| panic!("{}: {who:?} cannot open the record: {e:?}", sec.describe(rec.step)));
            assert_eq!(typ, rec.typ, "{}: inner content type", sec.describe(rec.step));
            let plaintext = rec.record[range].to_vec();
            sec.check(rec.step, "payload", &plaintext, "opened by the receiver's Direction");
            p.records_opened += 1;
            if typ == ContentType::HANDSHAKE {
                p.joiner.push(&plaintext);
                while let Some(n) = p.joiner.next_len().unwrap() {
                    let m = p.joiner.take(n);
                    let next = self
                        .msgs
                        .iter_mut()
                        .find(|x| x.sender == who.peer() && !x.received)
                        .unwrap_or_else(|| panic!("{}: {who:?} got an unsent message", sec.describe(rec.step)));
                    assert_eq!(m.raw, next.raw.as_slice(), "{}: reassembled message", sec.describe(rec.step));
                    next.received = true;
                }
            } else if typ == ContentType::ALERT {
                assert_eq!(Alert::decode(&plaintext).unwrap(), Alert::warning(AlertDescription::CLOSE_NOTIFY));
            }
        }
    }

    fn finish(self) -> Outcome {
        let sec = self.sec;
        for p in &self.parties {
            assert!(p.inbox.is_empty(), "section {}: {:?} never opened {} records", sec.number, p.who, p.inbox.len());
            assert!(p.unsent.is_empty(), "section {}: {:?} has unsent messages", sec.number, p.who);
            assert!(p.joiner.is_empty(), "section {}: {:?} has a partial message", sec.number, p.who);
        }
        assert!(self.partial_hello.is_none(), "a ClientHello never got its binders");
        assert!(self.msgs.iter().all(|m| m.received), "section {}: a message was never received", sec.number);
        let (total, checked, inputs, left) = sec.coverage();
        for l in &left {
            assert!(
                l.ends_with(": private key"),
                "section {}: trace value neither reproduced nor used: {l}",
                sec.number
            );
        }
        eprintln!(
            "section {}: {} trace values: {} reproduced, {} used as inputs only, {} not reproducible \
             (ephemeral private keys); {} comparisons, {} records sealed and opened, {} signatures verified",
            sec.number,
            total,
            checked,
            inputs,
            left.len(),
            sec.comparisons.get(),
            self.parties.iter().map(|p| p.records_opened).sum::<usize>(),
            self.signatures_verified,
        );
        let [client, server] = self.parties;
        Outcome {
            msgs: self.msgs.into_iter().map(|m| (m.sender, m.typ, m.raw)).collect(),
            secrets: [client.secrets, server.secrets],
            records: client.records_opened + server.records_opened,
            signatures: self.signatures_verified,
        }
    }
}

/// Both passes over one section.
fn replay(number: u64, psk: Option<Vec<u8>>) -> (Section, Outcome) {
    let sec = Section::load(number);
    let hash = SUITE.info().unwrap().prf;
    assert!(check_hkdf_steps(&sec, hash) > 0);
    let outcome = Replay::run(&sec, psk);
    (sec, outcome)
}

// ---------------------------------------------------------------------------------------------
// Field checks shared by the sections.
// ---------------------------------------------------------------------------------------------

/// The number of records in a section.
fn sends(sec: &Section) -> usize {
    sec.steps.iter().filter(|s| s.title.starts_with("send ")).count()
}

fn ext_types(e: &Extensions<'_>) -> Vec<Ext> {
    e.iter().map(|(t, _)| t).collect()
}

/// The ClientHello fields every RFC 8448 client sends.
fn check_common_client_hello(ch: &ClientHello<'_>) {
    assert_eq!(ch.legacy_version, ProtocolVersion::TLS1_2);
    assert_eq!(ch.cipher_suites.iter().collect::<Vec<_>>(), vec![0x1301, 0x1303, 0x1302]);
    assert!(ch.offers(CipherSuite::TLS_AES_128_GCM_SHA256));
    assert!(ch.offers(CipherSuite::TLS_CHACHA20_POLY1305_SHA256));
    assert_eq!(ch.compression_methods, [0]);
    let e = &ch.extensions;
    assert_eq!(ext::decode_server_name(e.get(Ext::SERVER_NAME).unwrap()).unwrap().as_deref(), Some("server"));
    let versions = ext::decode_client_versions(e.get(Ext::SUPPORTED_VERSIONS).unwrap()).unwrap();
    assert_eq!(versions.iter().collect::<Vec<_>>(), vec![ProtocolVersion::TLS1_3.0]);
    let schemes = ext::decode_u16_list(e.get(Ext::SIGNATURE_ALGORITHMS).unwrap(), "sig").unwrap();
    assert_eq!(schemes.len(), 15);
    assert!(schemes.contains(SignatureScheme::RSA_PSS_RSAE_SHA256.0));
    assert!(schemes.contains(SignatureScheme::ECDSA_SECP256R1_SHA256.0));
    assert_eq!(ext::decode_psk_modes(e.get(Ext::PSK_KEY_EXCHANGE_MODES).unwrap()).unwrap(), [1]);
    assert_eq!(ext::decode_u16(e.get(Ext::RECORD_SIZE_LIMIT).unwrap(), "rsl").unwrap(), 0x4001);
}

/// A ServerHello's chosen version and key share group; checks the rest of the TLS 1.3 form.
fn check_server_hello(sh: &ServerHello<'_>, group: NamedGroup) {
    assert!(!sh.is_retry_request());
    assert_eq!(sh.legacy_version, ProtocolVersion::TLS1_2);
    assert_eq!(sh.cipher_suite, SUITE);
    assert_eq!(sh.compression_method, 0);
    let v = ext::decode_server_version(sh.extensions.get(Ext::SUPPORTED_VERSIONS).unwrap()).unwrap();
    assert_eq!(v, ProtocolVersion::TLS1_3);
    let share: KeyShareEntry<'_> = ext::decode_server_key_share(sh.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap();
    assert_eq!(share.group, group);
}

fn server_rsa_modulus() -> Vec<u8> {
    let keys = trace()["private_keys_server_rsa"].as_array().unwrap();
    let m = keys.iter().find(|k| k["name"] == "modulus (public)").expect("server RSA modulus");
    hex::decode(m["hex"].as_str().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// One test per section.
// ---------------------------------------------------------------------------------------------

#[test]
fn section3_simple_1rtt() {
    let (sec, out) = replay(3, None);
    assert_eq!(out.records, sends(&sec));
    assert_eq!(out.signatures, 1);

    let ch = ClientHello::decode(body(out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 0))).unwrap();
    check_common_client_hello(&ch);
    assert!(ch.session_id.is_empty());
    assert_eq!(
        ext_types(&ch.extensions),
        [
            Ext::SERVER_NAME,
            Ext::RENEGOTIATION_INFO,
            Ext::SUPPORTED_GROUPS,
            Ext::SESSION_TICKET,
            Ext::KEY_SHARE,
            Ext::SUPPORTED_VERSIONS,
            Ext::SIGNATURE_ALGORITHMS,
            Ext::PSK_KEY_EXCHANGE_MODES,
            Ext::RECORD_SIZE_LIMIT,
        ]
    );
    let groups = ext::decode_u16_list(ch.extensions.get(Ext::SUPPORTED_GROUPS).unwrap(), "groups").unwrap();
    let groups: Vec<NamedGroup> = groups.iter().map(NamedGroup).collect();
    assert_eq!(groups[..4], [NamedGroup::X25519, NamedGroup::SECP256R1, NamedGroup::SECP384R1, NamedGroup::SECP521R1]);
    assert!(groups[4..].iter().all(|g| g.is_ffdhe()));
    let shares = ext::decode_client_key_shares(ch.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap();
    assert_eq!(shares.len(), 1);
    assert_eq!(shares[0].group, NamedGroup::X25519);

    let sh = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 0))).unwrap();
    check_server_hello(&sh, NamedGroup::X25519);
    assert!(!sh.extensions.has(Ext::PRE_SHARED_KEY));

    let ee = decode_encrypted_extensions(body(out.msg(Who::Server, HandshakeType::ENCRYPTED_EXTENSIONS, 0))).unwrap();
    assert_eq!(ext_types(&ee), [Ext::SUPPORTED_GROUPS, Ext::RECORD_SIZE_LIMIT, Ext::SERVER_NAME]);
    assert_eq!(ext::decode_u16(ee.get(Ext::RECORD_SIZE_LIMIT).unwrap(), "rsl").unwrap(), 0x4001);

    let cert = Certificate13::decode(body(out.msg(Who::Server, HandshakeType::CERTIFICATE, 0))).unwrap();
    assert!(cert.context.is_empty());
    assert_eq!(cert.entries.len(), 1);
    let (n, e) = rsa_public_key(cert.entries[0].cert).expect("an RSA certificate");
    assert_eq!(n, server_rsa_modulus(), "the certificate holds the key of section 2");
    assert_eq!(e, [1, 0, 1]);
    let cv = CertificateVerify::decode(body(out.msg(Who::Server, HandshakeType::CERTIFICATE_VERIFY, 0))).unwrap();
    assert_eq!(cv.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);
    assert_eq!(cv.signature.len(), 128);

    let nst = NewSessionTicket13::decode(body(out.msg(Who::Server, HandshakeType::NEW_SESSION_TICKET, 0))).unwrap();
    assert_eq!(nst.lifetime, 30);
    assert_eq!(nst.nonce, [0, 0]);
    assert_eq!(nst.ticket.len(), 178);
    assert_eq!(ext::decode_u32(nst.extensions.get(Ext::EARLY_DATA).unwrap(), "early_data").unwrap(), 1024);

    // Both sides agree on the resumption secret and the exporter secret.
    for key in ["resumption", "exp master", "res master"] {
        assert_eq!(out.secrets[0][key], out.secrets[1][key], "{key}");
    }
    assert_eq!(sec.coverage().3.len(), 2, "only the two x25519 private keys are left");
}

/// The PSK of section 4, from section 3's resumption master secret and ticket nonce.
fn section3_ticket_psk() -> (Vec<u8>, Vec<u8>, u32, u32) {
    let s3 = Section::load(3);
    let hash = SUITE.info().unwrap().prf;
    let rms = Secret::new(&s3.bytes(s3.find(Who::Client, "derive secret \"tls13 res master\"", 0), "expanded"));
    let nst_raw =
        s3.bytes(s3.find(Who::Server, "construct a NewSessionTicket handshake message", 0), "NewSessionTicket");
    let nst = NewSessionTicket13::decode(body(&nst_raw)).unwrap();
    let psk = ks::resumption_psk(hash, &rms, nst.nonce);
    let psk3 = s3.bytes(s3.find(Who::Server, "generate resumption secret \"tls13 resumption\"", 0), "expanded");
    assert_eq!(psk.as_bytes(), psk3, "section 3's resumption secret");
    (psk.as_bytes().to_vec(), nst.ticket.to_vec(), nst.age_add, nst.lifetime)
}

#[test]
fn section4_resumed_0rtt() {
    let (psk, ticket, age_add, lifetime) = section3_ticket_psk();
    let s4 = Section::load(4);
    let ikm = s4.bytes(s4.find(Who::Client, "extract secret \"early\"", 0), "IKM");
    assert_eq!(psk, ikm, "section 4's PSK is section 3's ticket");
    drop(s4);

    let (sec, out) = replay(4, Some(psk));
    assert_eq!(out.records, sends(&sec));
    assert_eq!(out.signatures, 0, "a resumed handshake has no CertificateVerify");
    assert_eq!(out.count(HandshakeType::CERTIFICATE), 0);

    let ch_raw = out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 0);
    let ch = ClientHello::decode(body(ch_raw)).unwrap();
    check_common_client_hello(&ch);
    assert_eq!(ch.extensions.last_type(), Some(Ext::PRE_SHARED_KEY));
    assert!(ch.extensions.has(Ext::EARLY_DATA));
    ext::decode_empty(ch.extensions.get(Ext::EARLY_DATA).unwrap(), "early_data").unwrap();
    let offered = ext::decode_offered_psks(ch.extensions.get(Ext::PRE_SHARED_KEY).unwrap()).unwrap();
    assert_eq!(offered.identities.len(), 1);
    assert_eq!(offered.identities[0].identity, ticket, "the identity is section 3's ticket");
    let age_ms = offered.identities[0].obfuscated_age.wrapping_sub(age_add);
    assert!(age_ms < lifetime * 1000, "ticket age {age_ms} ms");
    assert_eq!(offered.binders, [out.secrets[0]["binder"].as_bytes()]);
    assert_eq!(offered.binders_len, 2 + 1 + 32);

    let sh = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 0))).unwrap();
    check_server_hello(&sh, NamedGroup::X25519);
    assert_eq!(ext::decode_selected_psk(sh.extensions.get(Ext::PRE_SHARED_KEY).unwrap()).unwrap(), 0);
    let ee = decode_encrypted_extensions(body(out.msg(Who::Server, HandshakeType::ENCRYPTED_EXTENSIONS, 0))).unwrap();
    assert!(ee.has(Ext::EARLY_DATA), "the server accepts early data");
    assert_eq!(out.count(HandshakeType::END_OF_EARLY_DATA), 1);

    // The early data record carried "ABCDEF".
    let early = sec.bytes(sec.find(Who::Client, "send application_data record", 0), "payload");
    assert_eq!(early, b"ABCDEF");
    assert_eq!(sec.coverage().3.len(), 2, "only the two x25519 private keys are left");
}

#[test]
fn section5_hello_retry_request() {
    let (sec, out) = replay(5, None);
    assert_eq!(out.records, sends(&sec));
    assert_eq!(out.signatures, 1);

    let ch1 = ClientHello::decode(body(out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 0))).unwrap();
    let ch2 = ClientHello::decode(body(out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 1))).unwrap();
    check_common_client_hello(&ch1);
    check_common_client_hello(&ch2);
    let groups = ext::decode_u16_list(ch1.extensions.get(Ext::SUPPORTED_GROUPS).unwrap(), "groups").unwrap();
    assert_eq!(groups.iter().collect::<Vec<_>>(), [29, 23, 24]);
    let shares1 = ext::decode_client_key_shares(ch1.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap();
    assert_eq!(shares1.iter().map(|s| s.group).collect::<Vec<_>>(), [NamedGroup::X25519]);

    let hrr = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 0))).unwrap();
    assert!(hrr.is_retry_request());
    assert_eq!(hrr.cipher_suite, SUITE);
    assert_eq!(ext_types(&hrr.extensions), [Ext::KEY_SHARE, Ext::COOKIE, Ext::SUPPORTED_VERSIONS]);
    assert_eq!(ext::decode_hrr_key_share(hrr.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap(), NamedGroup::SECP256R1);
    let cookie = ext::decode_cookie(hrr.extensions.get(Ext::COOKIE).unwrap()).unwrap();
    assert_eq!(cookie.len(), 114);

    // The second hello: same random and session, the requested share, the cookie echoed, and
    // otherwise the same extensions (RFC 8446 §4.1.2) plus padding.
    assert_eq!(ch2.random, ch1.random);
    assert_eq!(ch2.session_id, ch1.session_id);
    let shares2 = ext::decode_client_key_shares(ch2.extensions.get(Ext::KEY_SHARE).unwrap()).unwrap();
    assert_eq!(shares2.iter().map(|s| s.group).collect::<Vec<_>>(), [NamedGroup::SECP256R1]);
    assert_eq!(ext::decode_cookie(ch2.extensions.get(Ext::COOKIE).unwrap()).unwrap(), cookie);
    for (t, b) in ch1.extensions.iter().filter(|(t, _)| *t != Ext::KEY_SHARE) {
        assert_eq!(ch2.extensions.get(t), Some(b), "{t} changed after the retry");
    }
    assert!(ch2.extensions.has(Ext::PADDING));

    let sh = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 1))).unwrap();
    check_server_hello(&sh, NamedGroup::SECP256R1);

    // The message_hash replacement matters: hashing ClientHello1 itself gives another transcript.
    let mut plain = Transcript::default();
    plain.start_hash(HashAlgorithm::Sha256);
    for raw in out.msgs.iter().take(4).map(|(_, _, raw)| raw) {
        plain.add(raw);
    }
    let c_hs = sec.find(Who::Server, "derive secret \"tls13 c hs traffic\"", 0);
    assert_ne!(plain.current_hash().as_bytes(), sec.bytes(c_hs, "hash"));
    assert_eq!(sec.coverage().3.len(), 3, "only the x25519 and P-256 private keys are left");
}

#[test]
fn section6_client_authentication() {
    let (sec, out) = replay(6, None);
    assert_eq!(out.records, sends(&sec));
    assert_eq!(out.signatures, 2, "the server's ECDSA and the client's RSA-PSS CertificateVerify");

    let ch = ClientHello::decode(body(out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 0))).unwrap();
    check_common_client_hello(&ch);
    let sh = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 0))).unwrap();
    check_server_hello(&sh, NamedGroup::X25519);

    let cr = CertificateRequest13::decode(body(out.msg(Who::Server, HandshakeType::CERTIFICATE_REQUEST, 0))).unwrap();
    assert!(cr.context.is_empty());
    assert_eq!(ext_types(&cr.extensions), [Ext::SIGNATURE_ALGORITHMS]);
    let schemes = ext::decode_u16_list(cr.extensions.get(Ext::SIGNATURE_ALGORITHMS).unwrap(), "sig").unwrap();
    assert!(schemes.contains(SignatureScheme::RSA_PSS_RSAE_SHA256.0));

    let server_cert = Certificate13::decode(body(out.msg(Who::Server, HandshakeType::CERTIFICATE, 0))).unwrap();
    assert!(rsa_public_key(server_cert.entries[0].cert).is_none(), "the server's key is ECDSA");
    let server_cv =
        CertificateVerify::decode(body(out.msg(Who::Server, HandshakeType::CERTIFICATE_VERIFY, 0))).unwrap();
    assert_eq!(server_cv.scheme, SignatureScheme::ECDSA_SECP256R1_SHA256);

    let client_cert = Certificate13::decode(body(out.msg(Who::Client, HandshakeType::CERTIFICATE, 0))).unwrap();
    assert_eq!(client_cert.context, cr.context, "the client echoes the request context");
    assert_eq!(client_cert.entries.len(), 1);
    assert!(rsa_public_key(client_cert.entries[0].cert).is_some(), "the client's key is RSA");
    let client_cv =
        CertificateVerify::decode(body(out.msg(Who::Client, HandshakeType::CERTIFICATE_VERIFY, 0))).unwrap();
    assert_eq!(client_cv.scheme, SignatureScheme::RSA_PSS_RSAE_SHA256);

    // The client's messages are in the resumption transcript, after the server's Finished.
    let order: Vec<(Who, HandshakeType)> = out.msgs.iter().map(|(w, t, _)| (*w, *t)).collect();
    assert_eq!(
        order[7..],
        [
            (Who::Client, HandshakeType::CERTIFICATE),
            (Who::Client, HandshakeType::CERTIFICATE_VERIFY),
            (Who::Client, HandshakeType::FINISHED),
        ]
    );
    assert_eq!(sec.coverage().3.len(), 2, "only the two x25519 private keys are left");
}

#[test]
fn section7_compatibility_mode() {
    let (sec, out) = replay(7, None);
    assert_eq!(out.records, sends(&sec), "two of them ChangeCipherSpec");
    assert_eq!(out.signatures, 1);

    let ch = ClientHello::decode(body(out.msg(Who::Client, HandshakeType::CLIENT_HELLO, 0))).unwrap();
    check_common_client_hello(&ch);
    assert_eq!(ch.session_id.len(), 32, "a legacy session id for middleboxes");
    let sh = ServerHello::decode(body(out.msg(Who::Server, HandshakeType::SERVER_HELLO, 0))).unwrap();
    check_server_hello(&sh, NamedGroup::X25519);
    assert_eq!(sh.session_id, ch.session_id, "the server echoes the session id");

    for who in [Who::Client, Who::Server] {
        let step = sec.find(who, "send change_cipher_spec record", 0);
        assert_eq!(sec.bytes(step, "complete record"), [20, 3, 3, 0, 1, 1]);
    }
    assert_eq!(sec.coverage().3.len(), 2, "only the two x25519 private keys are left");
}
