//! What the fuzz targets share: a deterministic random generator and clock,
//! the contexts each target builds from a configuration byte, the way an
//! input is cut into a configuration, split points and wire bytes, and the
//! check every error must pass.
//!
//! Determinism matters: with the same input a target must do the same
//! thing every time, or libFuzzer cannot reproduce what it found. Our own
//! random values come from [`DetRng`]; the key shares that come from `ring`
//! (X25519, P-256, P-384) and ECDSA signatures do not, so the contexts that
//! should replay a recorded peer byte for byte use only P-521 and FFDHE
//! (made from the context's generator) and Ed25519 signatures.

use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme};
use ssl_core::context::ManualClock;
use ssl_core::crypto::Secret;
use ssl_core::crypto::rand::SecureRandom;
use ssl_core::pki::{CertStore, CertifiedKey};
use ssl_core::{AuthLevel, Connection, Context, Error, Received, Session};
use std::sync::{Arc, LazyLock, Mutex};

/// The ECDSA P-256 certificate (self-signed, `localhost`) of the server targets.
pub const ECDSA_CERT: &[u8] = include_bytes!("../certs/ecdsa.pem");
/// Its private key (a test key, generated once with openssl; never a real secret).
pub const ECDSA_KEY: &[u8] = include_bytes!("../certs/ecdsa.key");
/// An Ed25519 certificate: its signatures are deterministic, so a recorded
/// client flight stays valid against a server that signs with it.
pub const ED25519_CERT: &[u8] = include_bytes!("../certs/ed25519.pem");
/// Its private key (a test key).
pub const ED25519_KEY: &[u8] = include_bytes!("../certs/ed25519.key");

/// The fixed time of every target (2030-01-01, inside the certificates' validity).
pub const NOW_MS: u64 = 1_893_456_000_000;

/// A deterministic generator (SplitMix64): not secure, only repeatable.
#[derive(Debug)]
pub struct DetRng(Mutex<u64>);

impl DetRng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> DetRng {
        DetRng(Mutex::new(seed))
    }
}

impl SecureRandom for DetRng {
    fn fill(&self, dest: &mut [u8]) -> Result<(), Error> {
        let mut s = self.0.lock().map_err(|_| Error::Internal("rng lock"))?;
        for chunk in dest.chunks_mut(8) {
            *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = *s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_be_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// The server certificates: ECDSA first (the default), then Ed25519 (chosen
/// by a client that accepts only Ed25519 signatures). Parsed once.
pub fn server_certs() -> CertStore {
    static CERTS: LazyLock<CertStore> = LazyLock::new(|| {
        let mut store = CertStore::default();
        // The ECDSA certificate staples an OCSP response to clients that ask.
        let ocsp = vec![0x30, 0x03, 0x0a, 0x01, 0x06];
        store.add(CertifiedKey::from_pem(ECDSA_CERT, ECDSA_KEY).expect("ECDSA test certificate").with_ocsp(ocsp));
        store.add(CertifiedKey::from_pem(ED25519_CERT, ED25519_KEY).expect("Ed25519 test certificate"));
        store
    });
    CERTS.clone()
}

/// A context with the deterministic generator and clock; nothing cached
/// between executions.
fn base_context(seed: u64) -> Context {
    let mut ctx = Context::new();
    ctx.rng = Arc::new(DetRng::new(seed));
    ctx.clock = Arc::new(ManualClock::new(NOW_MS));
    ctx.use_cache = false;
    ctx
}

/// Client configuration bits (the first byte of a `client` input).
pub mod client_cfg {
    /// Offer only P-521 and FFDHE-2048 (deterministic key shares: recorded servers replay).
    pub const DETERMINISTIC_GROUPS: u8 = 1;
    /// Offer ALPN (h2, http/1.1).
    pub const ALPN: u8 = 2;
    /// Offer a TLS 1.3 session (a PSK with a made-up ticket).
    pub const RESUME13: u8 = 4;
    /// Offer a TLS 1.2 session (a session ID).
    pub const RESUME12: u8 = 8;
    /// Ask for small records: record_size_limit 512 and max_fragment_length 1024.
    pub const SMALL_RECORDS: u8 = 16;
    /// Allow renegotiation and do not require the extended master secret.
    pub const LAX12: u8 = 32;
    /// No middlebox-compatibility mode; pad TLS 1.3 records.
    pub const NO_COMPAT: u8 = 64;
    /// Accept only Ed25519 signatures (a recorded Ed25519 server replays).
    pub const ED25519_ONLY: u8 = 128;
}

/// The client context of configuration `cfg` (see [`client_cfg`]): TLS 1.2
/// and 1.3, the server's certificate not verified (`AuthLevel::None`), so
/// fuzz input reaches the messages after the Certificate.
pub fn client_context(cfg: u8) -> Arc<Context> {
    Arc::new(client_context_builder(cfg))
}

/// [`client_context`] before it is shared (for the seed generator to adjust).
pub fn client_context_builder(cfg: u8) -> Context {
    use client_cfg::*;
    let mut ctx = base_context(0x636c_6965_6e74 ^ cfg as u64);
    ctx.server_auth = AuthLevel::None;
    // Ask for a stapled OCSP response, so the input reaches its parsing.
    ctx.request_ocsp = true;
    if cfg & DETERMINISTIC_GROUPS != 0 {
        ctx.groups = vec![NamedGroup::SECP521R1, NamedGroup::FFDHE2048];
    }
    if cfg & ALPN != 0 {
        ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    if cfg & SMALL_RECORDS != 0 {
        ctx.record_size_limit = Some(512);
        ctx.max_fragment_length = Some(1024);
    }
    if cfg & LAX12 != 0 {
        ctx.enable_renegotiation = true;
        ctx.require_ems = false;
    }
    if cfg & NO_COMPAT != 0 {
        ctx.middlebox_compat = false;
        ctx.padding = ssl_core::context::RecordPadding::Block(64);
    }
    if cfg & ED25519_ONLY != 0 {
        ctx.signature_algorithms = vec![SignatureScheme::ED25519];
    }
    // A client certificate, for servers that ask for one.
    ctx.certificates = server_certs();
    ctx
}

/// The session a `client` input with [`client_cfg::RESUME13`] or
/// [`client_cfg::RESUME12`] offers.
pub fn client_session(cfg: u8) -> Option<Session> {
    let tls13 = cfg & client_cfg::RESUME13 != 0;
    if !tls13 && cfg & client_cfg::RESUME12 == 0 {
        return None;
    }
    Some(Session {
        version: if tls13 { ProtocolVersion::TLS1_3 } else { ProtocolVersion::TLS1_2 },
        suite: if tls13 {
            CipherSuite::TLS_AES_128_GCM_SHA256
        } else {
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        },
        secret: Secret::new(&[0x5a; 48][..if tls13 { 32 } else { 48 }]),
        ticket: if tls13 { vec![0x71; 48] } else { Vec::new() },
        session_id: if tls13 { Vec::new() } else { vec![0x12; 32] },
        lifetime: 7200,
        age_add: 0x0102_0304,
        created_ms: NOW_MS - 1000,
        server_name: Some("localhost".into()),
        alpn: None,
        peer_certificates: Vec::new(),
        extended_master_secret: true,
    })
}

/// Server configuration bits (the first byte of a `server` input).
pub mod server_cfg {
    /// Ask for a client certificate, verify it if one comes (the certificates are their own trust anchors).
    pub const REQUEST_CLIENT_CERT: u8 = 1;
    /// Require a verified client certificate.
    pub const REQUIRE_CLIENT_CERT: u8 = 2;
    /// No HelloRetryRequest cookie.
    pub const NO_HRR_COOKIE: u8 = 4;
    /// Accept ALPN h2 and http/1.1.
    pub const ALPN: u8 = 8;
    /// Allow renegotiation and do not require the extended master secret.
    pub const LAX12: u8 = 16;
    /// Announce record_size_limit 1024 and pad TLS 1.3 records.
    pub const SMALL_RECORDS: u8 = 32;
    /// Accept only P-521 and FFDHE-2048 (a client offering X25519 gets a HelloRetryRequest).
    pub const DETERMINISTIC_GROUPS: u8 = 64;
    /// Send no TLS 1.3 tickets; accept the psk_ke mode too.
    pub const NO_TICKETS: u8 = 128;
}

/// The server context of configuration `cfg` (see [`server_cfg`]): TLS 1.2
/// and 1.3, the ECDSA certificate (and an Ed25519 one), ticket keys made
/// from the deterministic generator.
pub fn server_context(cfg: u8) -> Arc<Context> {
    Arc::new(server_context_builder(cfg))
}

/// [`server_context`] before it is shared (for the seed generator to adjust).
pub fn server_context_builder(cfg: u8) -> Context {
    use server_cfg::*;
    let mut ctx = base_context(0x7365_7276_6572 ^ cfg as u64);
    ctx.certificates = server_certs();
    if cfg & REQUEST_CLIENT_CERT != 0 {
        ctx.client_auth = AuthLevel::Ask;
    }
    if cfg & REQUIRE_CLIENT_CERT != 0 {
        ctx.client_auth = AuthLevel::Require;
    }
    if cfg & (REQUEST_CLIENT_CERT | REQUIRE_CLIENT_CERT) != 0 {
        ctx.trusted_issuers.add_pem(ECDSA_CERT).expect("trust anchor");
        ctx.trusted_issuers.add_pem(ED25519_CERT).expect("trust anchor");
    }
    if cfg & NO_HRR_COOKIE != 0 {
        ctx.hrr_cookie = false;
    }
    if cfg & ALPN != 0 {
        ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    }
    if cfg & LAX12 != 0 {
        ctx.enable_renegotiation = true;
        ctx.require_ems = false;
    }
    if cfg & SMALL_RECORDS != 0 {
        ctx.record_size_limit = Some(1024);
        ctx.padding = ssl_core::context::RecordPadding::Block(32);
    }
    if cfg & DETERMINISTIC_GROUPS != 0 {
        ctx.groups = vec![NamedGroup::SECP521R1, NamedGroup::FFDHE2048];
    }
    if cfg & NO_TICKETS != 0 {
        ctx.tickets = 0;
        ctx.psk_modes =
            vec![ssl_core::constants::PskKeyExchangeMode::PSK_DHE_KE, ssl_core::constants::PskKeyExchangeMode::PSK_KE];
    }
    // Make the first ticket key now, from a generator of its own, so a
    // ticket recorded in one run opens in the next.
    let keygen = DetRng::new(0x7469_636b_6574);
    let _ = ctx.ticket_keys.seal(&keygen, NOW_MS, b"");
    ctx
}

/// A fuzz input cut into its parts: a configuration byte, up to three split
/// points, and the bytes that arrive from the peer.
pub struct Input<'a> {
    /// The configuration byte.
    pub cfg: u8,
    /// Where the peer's bytes are cut into separate `read_tls` calls.
    pub splits: Vec<usize>,
    /// The peer's bytes.
    pub wire: &'a [u8],
}

/// Bytes before the wire bytes: the configuration and three split bytes.
pub const PREFIX_LEN: usize = 4;

impl<'a> Input<'a> {
    /// Cuts `data`; `None` when it is too short to hold the prefix.
    pub fn parse(data: &'a [u8]) -> Option<Input<'a>> {
        if data.len() < PREFIX_LEN {
            return None;
        }
        let wire = &data[PREFIX_LEN..];
        // A split byte of 0 means "no split"; otherwise it is a fraction of the length.
        let mut splits: Vec<usize> =
            data[1..PREFIX_LEN].iter().filter(|b| **b != 0).map(|b| wire.len() * *b as usize / 256).collect();
        splits.sort_unstable();
        splits.dedup();
        Some(Input { cfg: data[0], splits, wire })
    }

    /// The wire bytes in the chunks the split points make.
    pub fn chunks(&self) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut at = 0;
        for &s in &self.splits {
            out.push(&self.wire[at..s]);
            at = s;
        }
        out.push(&self.wire[at..]);
        out
    }
}

/// The contract of `read_tls`: a failure either names the alert we send
/// or reports what the peer did (its alert, its close, its silence).
pub fn check_error(e: &Error) {
    let ok = e.alert().is_some() || matches!(e, Error::PeerAlert(_) | Error::PeerClosed | Error::Truncated);
    assert!(ok, "peer input produced an error without an alert: {e:?}");
}

/// Feeds `chunks` to `conn` one `read_tls` call each, checking errors and
/// draining output and plaintext as a real caller would. Stops at the first
/// error (after checking that it stays sticky).
pub fn feed(conn: &mut Connection, chunks: &[&[u8]]) -> Result<(), Error> {
    for chunk in chunks {
        if let Err(e) = conn.read_tls(chunk) {
            check_error(&e);
            // Sticky: the same error again, and no panic on the way.
            assert_eq!(conn.read_tls(b"\x16\x03\x03\x00\x01\x01").err(), Some(e.clone()));
            let _ = conn.take_tls();
            return Err(e);
        }
        let _ = conn.take_tls();
        drain_plaintext(conn);
    }
    Ok(())
}

/// Reads all the plaintext there is.
pub fn drain_plaintext(conn: &mut Connection) {
    let mut buf = [0u8; 4096];
    for _ in 0..1000 {
        match conn.recv(&mut buf) {
            Ok(Received::Data(0)) | Ok(Received::WouldBlock) | Ok(Received::Eof) | Err(_) => return,
            Ok(Received::Data(_)) => {}
        }
    }
}

/// After the input: use the rest of the API (queries, sending, key updates,
/// renegotiation, exporters, closing). Nothing of it may panic.
pub fn exercise(conn: &mut Connection) {
    let _ = (conn.version(), conn.cipher_suite(), conn.alpn(), conn.server_name(), conn.peer_certificates().len());
    let _ = conn.negotiated().clone();
    let _ = conn.session().map(|s| Session::from_bytes(&s.to_bytes()));
    let _ = conn.unprocessed_input().len();
    let mut ekm = [0u8; 32];
    let _ = conn.export_keying_material(b"EXPORTER-fuzz", Some(b"ctx"), &mut ekm);
    let _ = conn.send(b"fuzz data");
    let _ = conn.key_update(true);
    let _ = conn.renegotiate();
    conn.close_notify();
    let _ = conn.take_tls();
    drain_plaintext(conn);
    let _ = conn.take_leftover();
    let _ = conn.transport_eof();
}
