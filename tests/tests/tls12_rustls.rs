//! TLS 1.2 between our engine and rustls 0.23 (ring provider, TLS 1.2 only
//! on the rustls side), in memory, both directions: every suite rustls has
//! × its groups × the certificate types that fit, data and close_notify both
//! ways, resumption by session ID and by ticket (rustls's client cache; its
//! server's session cache and `Ticketer`), client certificates, ALPN, a
//! refused renegotiation (rustls answers a HelloRequest or a renegotiating
//! ClientHello with a no_renegotiation warning: the connection goes on),
//! and version negotiation with peers that also have TLS 1.3.
//!
//! rustls with ring has, for TLS 1.2, the ECDHE_ECDSA and ECDHE_RSA suites
//! with AES-GCM and ChaCha20-Poly1305 only (no DHE, no CCM), and the groups
//! x25519, secp256r1 and secp384r1: the matrix covers exactly those.

mod support;
use rustls::client::{Resumption, Tls12Resumption};
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring as rr;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, HandshakeKind, RootCertStore, ServerConfig, SupportedProtocolVersion};
use ssl_core::constants::{CipherSuite, ProtocolVersion};
use ssl_core::{AuthLevel, Connection, Context, Received, Session};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use support::*;

/// The TLS 1.2 suites rustls-ring has, by IANA name.
const RUSTLS12_SUITES: [&str; 6] = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];
/// The groups rustls-ring has.
const RUSTLS_GROUPS: [&str; 3] = ["x25519", "secp256r1", "secp384r1"];

const TLS12: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];
const TLS12_AND_13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13, &rustls::version::TLS12];

fn rustls_suite(name: &str) -> rustls::SupportedCipherSuite {
    use rr::cipher_suite as cs;
    match name {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        _ => panic!("rustls-ring has no {name}"),
    }
}

fn rustls_group(name: &str) -> &'static dyn rustls::crypto::SupportedKxGroup {
    match name {
        "x25519" => rr::kx_group::X25519,
        "secp256r1" => rr::kx_group::SECP256R1,
        "secp384r1" => rr::kx_group::SECP384R1,
        _ => panic!("rustls-ring has no {name}"),
    }
}

/// A ring provider limited to `suites` (plus TLS 1.3's, for 1.2+1.3 configs) and `groups`.
fn provider(suites: &[&str], groups: &[&str]) -> Arc<CryptoProvider> {
    let mut cipher_suites: Vec<_> = suites.iter().map(|s| rustls_suite(s)).collect();
    cipher_suites.push(rr::cipher_suite::TLS13_AES_128_GCM_SHA256);
    Arc::new(CryptoProvider {
        cipher_suites,
        kx_groups: groups.iter().map(|g| rustls_group(g)).collect(),
        ..rr::default_provider()
    })
}

fn all_rustls() -> Arc<CryptoProvider> {
    provider(&RUSTLS12_SUITES, &RUSTLS_GROUPS)
}

fn roots(pki: &Pki) -> Arc<RootCertStore> {
    let mut r = RootCertStore::empty();
    r.add(CertificateDer::from(pki.ca_der.clone())).unwrap();
    Arc::new(r)
}

fn chain_and_key(leaf: &Leaf) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let chain = std::iter::once(&leaf.cert_der).chain(&leaf.chain_der).map(|d| CertificateDer::from(d.clone()));
    (chain.collect(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())))
}

fn client_config(pki: &Pki, prov: Arc<CryptoProvider>, client_cert: bool) -> ClientConfig {
    client_config_versions(pki, prov, client_cert, TLS12)
}

fn client_config_versions(
    pki: &Pki,
    prov: Arc<CryptoProvider>,
    client_cert: bool,
    versions: &[&'static SupportedProtocolVersion],
) -> ClientConfig {
    let b = ClientConfig::builder_with_provider(prov)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots(pki));
    if client_cert {
        let (chain, key) = chain_and_key(&pki.client);
        b.with_client_auth_cert(chain, key).unwrap()
    } else {
        b.with_no_client_auth()
    }
}

fn server_config(pki: &Pki, prov: Arc<CryptoProvider>, client_cert: bool) -> ServerConfig {
    server_config_versions(pki, prov, client_cert, TLS12)
}

fn server_config_versions(
    pki: &Pki,
    prov: Arc<CryptoProvider>,
    client_cert: bool,
    versions: &[&'static SupportedProtocolVersion],
) -> ServerConfig {
    let b = ServerConfig::builder_with_provider(prov.clone()).with_protocol_versions(versions).unwrap();
    let b = if client_cert {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(roots(pki), prov).build().unwrap();
        b.with_client_cert_verifier(verifier)
    } else {
        b.with_no_client_auth()
    };
    let (chain, key) = chain_and_key(&pki.server);
    b.with_single_cert(chain, key).unwrap()
}

fn tls12_only(c: &mut Context) {
    c.max_version = ProtocolVersion::TLS1_2;
}

/// Our connection and a rustls connection, joined in memory.
struct Pair {
    ours: Connection,
    theirs: rustls::Connection,
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
    ours_eof: bool,
    theirs_eof: bool,
}

impl Pair {
    fn our_client(ctx: Arc<Context>, session: Option<Session>, cfg: Arc<ServerConfig>) -> Pair {
        let ours = Connection::client(ctx, Some("localhost"), session).unwrap();
        Pair::new(ours, rustls::ServerConnection::new(cfg).unwrap().into())
    }

    fn our_server(ctx: Arc<Context>, cfg: Arc<ClientConfig>) -> Pair {
        let theirs = rustls::ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap();
        Pair::new(Connection::server(ctx), theirs.into())
    }

    fn new(ours: Connection, theirs: rustls::Connection) -> Pair {
        Pair { ours, theirs, ours_got: Vec::new(), theirs_got: Vec::new(), ours_eof: false, theirs_eof: false }
    }

    /// Moves bytes both ways until nothing moves, reading plaintext on both sides.
    fn pump(&mut self) -> Result<(), String> {
        for _ in 0..10_000 {
            let mut moved = false;
            let out = self.ours.take_tls();
            if !out.is_empty() {
                moved = true;
                let mut rd = &out[..];
                while !rd.is_empty() {
                    self.theirs.read_tls(&mut rd).map_err(|e| format!("rustls read_tls: {e}"))?;
                    if let Err(e) = self.theirs.process_new_packets() {
                        let mut alert = Vec::new();
                        while self.theirs.wants_write() && self.theirs.write_tls(&mut alert).is_ok() {}
                        let ours = self.ours.read_tls(&alert).err();
                        return Err(format!("rustls: {e} (our side then: {ours:?})"));
                    }
                    self.drain_theirs()?;
                }
            }
            let mut buf = Vec::new();
            while self.theirs.wants_write() {
                self.theirs.write_tls(&mut buf).map_err(|e| format!("rustls write_tls: {e}"))?;
            }
            if !buf.is_empty() {
                moved = true;
                if let Err(e) = self.ours.read_tls(&buf) {
                    let alert = self.ours.take_tls();
                    let theirs = self.theirs.read_tls(&mut &alert[..]).ok().map(|_| self.theirs.process_new_packets());
                    return Err(format!("ours: {e} (rustls then: {:?})", theirs.map(|r| r.err())));
                }
            }
            self.drain_ours()?;
            if !moved {
                return Ok(());
            }
        }
        Err("the pump never settled".into())
    }

    fn drain_theirs(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 16384];
        loop {
            match self.theirs.reader().read(&mut buf) {
                Ok(0) => {
                    self.theirs_eof = true;
                    return Ok(());
                }
                Ok(n) => self.theirs_got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(format!("rustls reader: {e}")),
            }
        }
    }

    fn drain_ours(&mut self) -> Result<(), String> {
        let mut buf = [0u8; 16384];
        loop {
            match self.ours.recv(&mut buf).map_err(|e| format!("ours recv: {e}"))? {
                Received::Data(n) if n > 0 => self.ours_got.extend_from_slice(&buf[..n]),
                Received::Eof => {
                    self.ours_eof = true;
                    return Ok(());
                }
                Received::Data(_) | Received::WouldBlock => return Ok(()),
            }
        }
    }

    fn handshake(&mut self) -> Result<(), String> {
        self.pump()?;
        if self.ours.is_handshake_complete() && !self.theirs.is_handshaking() {
            Ok(())
        } else {
            Err(format!("handshake stalled (ours done {})", self.ours.is_handshake_complete()))
        }
    }

    /// Sends `n` bytes each way (several records) and checks they arrive.
    fn exchange(&mut self, n: usize, seed: usize) -> Result<(), String> {
        let a = text(n, seed);
        let b = text(n / 2 + 1, seed + 1);
        let (ours_before, theirs_before) = (self.ours_got.len(), self.theirs_got.len());
        self.ours.send(&a).map_err(|e| format!("ours send: {e}"))?;
        self.theirs.writer().write_all(&b).map_err(|e| format!("rustls write: {e}"))?;
        self.pump()?;
        if self.theirs_got[theirs_before..] != a[..] {
            return Err(format!(
                "rustls received {} bytes, not our {}",
                self.theirs_got.len() - theirs_before,
                a.len()
            ));
        }
        if self.ours_got[ours_before..] != b[..] {
            return Err(format!("we received {} bytes, not rustls's {}", self.ours_got.len() - ours_before, b.len()));
        }
        Ok(())
    }

    /// close_notify from `ours_first ? us : rustls`, answered by the other.
    fn close(&mut self, ours_first: bool) -> Result<(), String> {
        if ours_first {
            self.ours.close_notify();
            self.pump()?;
            if !self.theirs_eof {
                return Err("rustls did not see our close_notify".into());
            }
            self.theirs.send_close_notify();
        } else {
            self.theirs.send_close_notify();
            self.pump()?;
            if !self.ours_eof {
                return Err("we did not see rustls's close_notify".into());
            }
            self.ours.close_notify();
        }
        self.pump()?;
        if self.ours_eof && self.theirs_eof { Ok(()) } else { Err("close_notify did not arrive both ways".into()) }
    }

    /// Checks both sides agree on TLS 1.2, the suite and the group (none
    /// for a resumed TLS 1.2 session: there is no key exchange).
    fn check_params(&self, suite_name: &str, group_name: Option<&str>) -> Result<(), String> {
        let ours = (self.ours.version(), self.ours.cipher_suite(), self.ours.negotiated().group);
        let theirs = (
            self.theirs.protocol_version().map(u16::from),
            self.theirs.negotiated_cipher_suite().map(|s| u16::from(s.suite())),
            self.theirs.negotiated_key_exchange_group().map(|g| u16::from(g.name())),
        );
        let want = (Some(ProtocolVersion::TLS1_2), Some(suite(suite_name)), group_name.map(group));
        if ours != want || theirs != (Some(0x0303), want.1.map(|s| s.0), want.2.map(|g| g.0)) {
            return Err(format!("negotiated: ours {ours:?}, rustls {theirs:?}, wanted {want:?}"));
        }
        Ok(())
    }
}

/// Handshake, data both ways, close (who starts alternates with `seed`).
fn full_conversation(p: &mut Pair, seed: usize) -> Result<(), String> {
    p.handshake()?;
    p.exchange(40_000, seed)?;
    p.close(seed.is_multiple_of(2))
}

/// The PKIs: one per server key type.
fn pkis() -> Vec<(KeyType, Pki)> {
    ALL_KEY_TYPES.iter().map(|&kt| (kt, Pki::new(kt))).collect()
}

/// Every rustls TLS 1.2 suite × group × fitting key type.
fn matrix() -> Vec<(&'static str, &'static str, KeyType)> {
    let mut v = Vec::new();
    for s in RUSTLS12_SUITES {
        for g in RUSTLS_GROUPS {
            for &kt in Tls12Family::of(suite(s)).key_types() {
                v.push((s, g, kt));
            }
        }
    }
    v
}

/// The groups a client offers for `g` with a `kt` certificate: `g`, and
/// (RFC 8422 §5.1) the curve of an ECDSA certificate.
fn offered_groups(g: &'static str, kt: KeyType) -> Vec<&'static str> {
    let mut v = vec![g];
    let curve = match kt {
        KeyType::EcdsaP256 => Some("secp256r1"),
        KeyType::EcdsaP384 => Some("secp384r1"),
        _ => None,
    };
    if let Some(c) = curve.filter(|c| *c != g) {
        v.push(c);
    }
    v
}

#[test]
fn our_client_suite_group_certificate_matrix() {
    let pkis = pkis();
    let combos = matrix();
    let mut failures = Vec::new();
    for (i, &(s, g, kt)) in combos.iter().enumerate() {
        let pki = &pkis.iter().find(|(k, _)| *k == kt).unwrap().1;
        let cfg = Arc::new(server_config(pki, all_rustls(), false));
        let ctx = pki.client_ctx(|c| {
            tls12_only(c);
            c.preferred_suites = vec![suite(s)];
            c.groups = offered_groups(g, kt).iter().map(|g| group(g)).collect();
        });
        let mut p = Pair::our_client(ctx, None, cfg);
        if let Err(e) = full_conversation(&mut p, i).and_then(|_| p.check_params(s, Some(g))) {
            failures.push(format!("{s} + {g} + {kt:?}: {e}"));
        }
    }
    eprintln!("our client vs rustls (TLS 1.2): {} combinations", combos.len());
    assert_no_failures("our client vs rustls (TLS 1.2)", combos.len(), &failures);
}

#[test]
fn our_server_suite_group_certificate_matrix() {
    let pkis = pkis();
    let combos = matrix();
    let mut failures = Vec::new();
    for (i, &(s, g, kt)) in combos.iter().enumerate() {
        let pki = &pkis.iter().find(|(k, _)| *k == kt).unwrap().1;
        // Our server has only `g`; rustls offers `s` and `g` (and the certificate's curve).
        let ctx = pki.server_ctx(|c| c.groups = vec![group(g)]);
        let cfg = Arc::new(client_config(pki, provider(&[s], &offered_groups(g, kt)), false));
        let mut p = Pair::our_server(ctx, cfg);
        if let Err(e) = full_conversation(&mut p, i).and_then(|_| p.check_params(s, Some(g))) {
            failures.push(format!("{s} + {g} + {kt:?}: {e}"));
        }
    }
    eprintln!("rustls client vs our server (TLS 1.2): {} combinations", combos.len());
    assert_no_failures("rustls client vs our server (TLS 1.2)", combos.len(), &failures);
}

/// One suite per rustls key-exchange family, with a certificate that fits.
const FAMILIES: [(&str, KeyType); 2] = [
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", KeyType::EcdsaP256),
    ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KeyType::Rsa2048),
];

#[test]
fn rustls_client_resumes_with_our_server() {
    let mut failures = Vec::new();
    for (s, kt) in FAMILIES {
        let pki = Pki::new(kt);
        // By ticket: our server keeps no session cache (and sends no session
        // IDs), so only its ticket can resume. By session ID: the rustls
        // client does not ask for tickets.
        let by_ticket = pki.server_ctx(|c| c.use_cache = false);
        let by_id = pki.server_ctx(|_| {});
        let mut id_only = client_config(&pki, provider(&[s], &RUSTLS_GROUPS), false);
        id_only.resumption = Resumption::in_memory_sessions(16).tls12_resumption(Tls12Resumption::SessionIdOnly);
        let cases = [
            ("ticket", by_ticket, client_config(&pki, provider(&[s], &RUSTLS_GROUPS), false)),
            ("session ID", by_id, id_only),
        ];
        for (kind, ctx, cfg) in cases {
            // One ClientConfig: its in-memory store keeps what our server gave.
            let cfg = Arc::new(cfg);
            let r = (|| {
                let mut first = Pair::our_server(ctx.clone(), cfg.clone());
                full_conversation(&mut first, 0)?;
                if first.theirs.handshake_kind() != Some(HandshakeKind::Full) || first.ours.negotiated().resumed {
                    return Err("the first connection was resumed".to_string());
                }
                for round in 1..3 {
                    let mut next = Pair::our_server(ctx.clone(), cfg.clone());
                    full_conversation(&mut next, round)?;
                    if next.theirs.handshake_kind() != Some(HandshakeKind::Resumed) || !next.ours.negotiated().resumed {
                        return Err(format!("connection {round} not resumed ({:?})", next.theirs.handshake_kind()));
                    }
                    next.check_params(s, None)?;
                }
                Ok(())
            })();
            if let Err(e) = r {
                failures.push(format!("{s} by {kind}: {e}"));
            }
        }
    }
    assert_no_failures("rustls client resuming with our server", 4, &failures);
}

#[test]
fn our_client_resumes_with_rustls_server() {
    let mut failures = Vec::new();
    for (s, kt) in FAMILIES {
        let pki = Pki::new(kt);
        // The rustls server's session-ID cache (its default; it makes no
        // tickets), or its Ticketer with no cache at all.
        let by_id = server_config(&pki, all_rustls(), false);
        let mut by_ticket = server_config(&pki, all_rustls(), false);
        by_ticket.ticketer = rr::Ticketer::new().unwrap();
        by_ticket.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        // Our client asks for tickets when its context caches sessions.
        let cases = [("session ID", by_id, false), ("ticket", by_ticket, true)];
        for (kind, cfg, tickets) in cases {
            let cfg = Arc::new(cfg);
            let ctx = pki.client_ctx(|c| {
                tls12_only(c);
                c.preferred_suites = vec![suite(s)];
                c.use_cache = tickets;
            });
            let r = (|| {
                let mut first = Pair::our_client(ctx.clone(), None, cfg.clone());
                full_conversation(&mut first, 0)?;
                let session = first.ours.session().cloned().ok_or("no session")?;
                if session.ticket.is_empty() == tickets || !session.extended_master_secret {
                    return Err(format!(
                        "session: ticket of {} bytes, EMS {}",
                        session.ticket.len(),
                        session.extended_master_secret
                    ));
                }
                let mut second = Pair::our_client(ctx.clone(), Some(session), cfg.clone());
                full_conversation(&mut second, 1)?;
                if !second.ours.negotiated().resumed || second.theirs.handshake_kind() != Some(HandshakeKind::Resumed) {
                    return Err(format!("not resumed ({:?})", second.theirs.handshake_kind()));
                }
                second.check_params(s, None)
            })();
            if let Err(e) = r {
                failures.push(format!("{s} by {kind}: {e}"));
            }
        }
    }
    assert_no_failures("our client resuming with rustls", 4, &failures);
}

#[test]
fn client_certificates_both_directions() {
    let mut failures = Vec::new();
    for kt in ALL_KEY_TYPES {
        let pki = Pki::with_client(KeyType::EcdsaP256, kt);
        // Our client with a certificate; the rustls server requires one.
        let cfg = Arc::new(server_config(&pki, all_rustls(), true));
        let ctx = pki.client_ctx(|c| {
            tls12_only(c);
            pki.add_client_cert(c);
        });
        let mut p = Pair::our_client(ctx, None, cfg);
        let r = full_conversation(&mut p, 1).and_then(|_| match p.theirs.peer_certificates().map(|c| c[0].to_vec()) {
            Some(c) if c == pki.client.cert_der => Ok(()),
            _ => Err("rustls saw no client certificate".to_string()),
        });
        if let Err(e) = r {
            failures.push(format!("our client, {kt:?}: {e}"));
        }
        // The rustls client with a certificate; our server requires one.
        let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
        let mut p = Pair::our_server(ctx, Arc::new(client_config(&pki, all_rustls(), true)));
        let r = full_conversation(&mut p, 2).and_then(|_| {
            if p.ours.peer_certificates().first().map(|c| c.to_vec()) != Some(pki.client.cert_der.clone()) {
                return Err("we saw no client certificate".to_string());
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("rustls client, {kt:?}: {e}"));
        }
    }
    assert_no_failures("TLS 1.2 client certificates with rustls", 2 * ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn missing_client_certificate_is_refused() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let mut p = Pair::our_server(ctx, Arc::new(client_config(&pki, all_rustls(), false)));
    let e = p.handshake().expect_err("we accepted no client certificate");
    assert!(matches!(p.ours.error(), Some(ssl_core::Error::HandshakeFailure(_))), "{e}");
    assert!(e.contains("AlertReceived(HandshakeFailure)"), "{e}");
}

#[test]
fn alpn_both_directions() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|c| c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    let mut cfg = client_config(&pki, all_rustls(), false);
    cfg.alpn_protocols = vec![b"spdy/1".to_vec(), b"http/1.1".to_vec()];
    let mut p = Pair::our_server(ctx, Arc::new(cfg));
    full_conversation(&mut p, 0).unwrap();
    assert_eq!(p.ours.version(), Some(ProtocolVersion::TLS1_2));
    assert_eq!(p.ours.alpn(), Some(&b"http/1.1"[..]));
    assert_eq!(p.theirs.alpn_protocol(), Some(&b"http/1.1"[..]));

    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    });
    let mut cfg = server_config(&pki, all_rustls(), false);
    cfg.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut p = Pair::our_client(ctx, None, Arc::new(cfg));
    full_conversation(&mut p, 1).unwrap();
    // rustls servers pick by their own preference.
    assert_eq!(p.ours.alpn(), Some(&b"http/1.1"[..]));
    assert_eq!(p.theirs.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn refused_renegotiation_keeps_the_connection() {
    // rustls does not renegotiate: it answers our HelloRequest (as a
    // client) or our renegotiating ClientHello (as a server) with a
    // no_renegotiation warning, and the connection goes on as it was.
    let pki = Pki::new(KeyType::EcdsaP256);

    // Our server asks; the rustls client declines.
    let ctx = pki.server_ctx(|c| c.enable_renegotiation = true);
    let mut p = Pair::our_server(ctx, Arc::new(client_config(&pki, all_rustls(), false)));
    p.handshake().unwrap();
    p.exchange(1000, 0).unwrap();
    p.ours.renegotiate().unwrap();
    p.exchange(20_000, 1).unwrap();
    assert!(p.ours.error().is_none());
    assert_eq!(p.ours.handshakes(), 1);
    p.close(true).unwrap();

    // Our client asks; the rustls server declines. The data we send right
    // after asking is held back while the renegotiation is pending and
    // goes out once the refusal arrived.
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.enable_renegotiation = true;
    });
    let mut p = Pair::our_client(ctx, None, Arc::new(server_config(&pki, all_rustls(), false)));
    p.handshake().unwrap();
    p.ours.renegotiate().unwrap();
    p.exchange(20_000, 2).unwrap();
    assert!(p.ours.error().is_none());
    assert_eq!(p.ours.handshakes(), 1);
    p.exchange(1000, 3).unwrap();
    p.close(false).unwrap();
}

#[test]
fn version_negotiation_with_peers_that_also_have_tls13() {
    let pki = Pki::new(KeyType::EcdsaP256);
    // Our default client (1.2 and 1.3) against a TLS 1.2-only rustls server.
    let mut p = Pair::our_client(pki.client_ctx(|_| {}), None, Arc::new(server_config(&pki, all_rustls(), false)));
    full_conversation(&mut p, 0).unwrap();
    assert_eq!(p.ours.version(), Some(ProtocolVersion::TLS1_2));
    // A TLS 1.2-only rustls client against our default server (whose random
    // then carries the downgrade sentinel, which a 1.2-only client ignores).
    let mut p = Pair::our_server(pki.server_ctx(|_| {}), Arc::new(client_config(&pki, all_rustls(), false)));
    full_conversation(&mut p, 1).unwrap();
    assert_eq!(p.ours.version(), Some(ProtocolVersion::TLS1_2));
    // A 1.2+1.3 rustls client against our TLS 1.2-only server: TLS 1.2, and
    // no downgrade sentinel (rustls would refuse one).
    let cfg = client_config_versions(&pki, all_rustls(), false, TLS12_AND_13);
    let mut p = Pair::our_server(pki.server_ctx(tls12_only), Arc::new(cfg));
    full_conversation(&mut p, 2).unwrap();
    assert_eq!(p.theirs.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
    // Our TLS 1.2-only client against a 1.2+1.3 rustls server.
    let cfg = server_config_versions(&pki, all_rustls(), false, TLS12_AND_13);
    let mut p = Pair::our_client(pki.client_ctx(tls12_only), None, Arc::new(cfg));
    full_conversation(&mut p, 3).unwrap();
    assert_eq!(p.ours.version(), Some(ProtocolVersion::TLS1_2));
    // Our default client against a 1.2+1.3 rustls server that got a 1.2-only
    // ClientHello would be 1.2; ours offers 1.3 too, so 1.3 wins.
    let cfg = server_config_versions(&pki, all_rustls(), false, TLS12_AND_13);
    let mut p = Pair::our_client(pki.client_ctx(|_| {}), None, Arc::new(cfg));
    full_conversation(&mut p, 4).unwrap();
    assert_eq!(p.ours.version(), Some(ProtocolVersion::TLS1_3));
}

#[test]
fn extended_master_secret_both_directions() {
    // Both sides require the extended master secret by default (RFC 7627):
    // rustls offers and accepts it; our session records it.
    let pki = Pki::new(KeyType::Rsa2048);
    let ctx = pki.client_ctx(|c| {
        tls12_only(c);
        c.preferred_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
    });
    assert!(ctx.require_ems);
    let mut p = Pair::our_client(ctx, None, Arc::new(server_config(&pki, all_rustls(), false)));
    full_conversation(&mut p, 0).unwrap();
    p.check_params("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Some("x25519")).unwrap();
    assert!(p.ours.session().is_some_and(|s| s.extended_master_secret));
    let ctx = pki.server_ctx(|c| assert!(c.require_ems));
    let mut p = Pair::our_server(ctx, Arc::new(client_config(&pki, all_rustls(), false)));
    full_conversation(&mut p, 1).unwrap();
}
