//! Our engine against rustls 0.23 (ring provider), in memory, both
//! directions: suites × groups, certificate types, data and close_notify
//! both ways, resumption, HelloRetryRequest, client certificates, ALPN,
//! KeyUpdate.
//!
//! rustls with ring supports only TLS_AES_128_GCM_SHA256,
//! TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 (no CCM suites),
//! and only the groups x25519, secp256r1 and secp384r1 (no secp521r1, no
//! FFDHE): the matrix covers exactly those, and `unsupported_by_rustls_*`
//! checks that offering only the others fails cleanly with an alert.

mod support;
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring as rr;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, HandshakeKind, RootCertStore, ServerConfig};
use ssl_core::constants::{AlertDescription, NamedGroup};
use ssl_core::{AuthLevel, Connection, Context, Error, Received};
use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use support::*;

/// The suites rustls-ring has, by IANA name.
const RUSTLS_SUITES: [&str; 3] = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];
/// The groups rustls-ring has.
const RUSTLS_GROUPS: [&str; 3] = ["x25519", "secp256r1", "secp384r1"];

fn rustls_suite(name: &str) -> rustls::SupportedCipherSuite {
    match name {
        "TLS_AES_128_GCM_SHA256" => rr::cipher_suite::TLS13_AES_128_GCM_SHA256,
        "TLS_AES_256_GCM_SHA384" => rr::cipher_suite::TLS13_AES_256_GCM_SHA384,
        "TLS_CHACHA20_POLY1305_SHA256" => rr::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
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

/// A ring provider limited to `suites` and `groups` (TLS 1.3 only).
fn provider(suites: &[&str], groups: &[&str]) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        cipher_suites: suites.iter().map(|s| rustls_suite(s)).collect(),
        kx_groups: groups.iter().map(|g| rustls_group(g)).collect(),
        ..rr::default_provider()
    })
}

fn all_rustls() -> Arc<CryptoProvider> {
    provider(&RUSTLS_SUITES, &RUSTLS_GROUPS)
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

fn rustls_client_config(pki: &Pki, prov: Arc<CryptoProvider>, client_cert: bool) -> ClientConfig {
    let b = ClientConfig::builder_with_provider(prov)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots(pki));
    if client_cert {
        let (chain, key) = chain_and_key(&pki.client);
        b.with_client_auth_cert(chain, key).unwrap()
    } else {
        b.with_no_client_auth()
    }
}

fn rustls_server_config(pki: &Pki, prov: Arc<CryptoProvider>, client_cert: bool) -> ServerConfig {
    let b =
        ServerConfig::builder_with_provider(prov.clone()).with_protocol_versions(&[&rustls::version::TLS13]).unwrap();
    let b = if client_cert {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(roots(pki), prov).build().unwrap();
        b.with_client_cert_verifier(verifier)
    } else {
        b.with_no_client_auth()
    };
    let (chain, key) = chain_and_key(&pki.server);
    b.with_single_cert(chain, key).unwrap()
}

/// Our connection and a rustls connection, joined in memory.
struct Pair {
    ours: Connection,
    theirs: rustls::Connection,
    /// Plaintext our side / rustls received.
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
    ours_eof: bool,
    theirs_eof: bool,
}

impl Pair {
    fn our_client(ctx: Arc<Context>, session: Option<ssl_core::Session>, cfg: Arc<ServerConfig>) -> Pair {
        let ours = Connection::client(ctx, Some("localhost"), session).unwrap();
        let theirs = rustls::ServerConnection::new(cfg).unwrap().into();
        Pair::new(ours, theirs)
    }

    fn our_server(ctx: Arc<Context>, cfg: Arc<ClientConfig>) -> Pair {
        let theirs = rustls::ClientConnection::new(cfg, ServerName::try_from("localhost").unwrap()).unwrap().into();
        Pair::new(Connection::server(ctx), theirs)
    }

    fn new(ours: Connection, theirs: rustls::Connection) -> Pair {
        Pair { ours, theirs, ours_got: Vec::new(), theirs_got: Vec::new(), ours_eof: false, theirs_eof: false }
    }

    /// Moves bytes both ways until nothing moves, reading plaintext on
    /// both sides as it arrives.
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
                        // Let our side hear rustls's alert, for the message.
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
                    // Let rustls hear our alert, for the message.
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

    /// Checks both sides agree on suite and group.
    fn check_params(&self, suite_name: &str, group_name: Option<&str>) -> Result<(), String> {
        let ours = (self.ours.cipher_suite(), self.ours.negotiated().group);
        let theirs = (
            self.theirs.negotiated_cipher_suite().map(|s| u16::from(s.suite())),
            self.theirs.negotiated_key_exchange_group().map(|g| u16::from(g.name())),
        );
        let want = (Some(suite(suite_name)), group_name.map(group));
        if ours != want || theirs != (want.0.map(|s| s.0), want.1.map(|g| g.0)) {
            return Err(format!("negotiated: ours {ours:?}, rustls {theirs:?}, wanted {want:?}"));
        }
        Ok(())
    }
}

/// Handshake, data both ways, close; `ours_closes_first` alternates who starts.
fn full_conversation(p: &mut Pair, seed: usize) -> Result<(), String> {
    p.handshake()?;
    p.exchange(40_000, seed)?;
    p.close(seed.is_multiple_of(2))
}

#[test]
fn our_client_suite_group_matrix() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let server_cfg = Arc::new(rustls_server_config(&pki, all_rustls(), false));
    let mut failures = Vec::new();
    let mut total = 0;
    for (i, s) in RUSTLS_SUITES.iter().enumerate() {
        for (j, g) in RUSTLS_GROUPS.iter().enumerate() {
            total += 1;
            let ctx = pki.client_ctx(|c| {
                c.preferred_suites = vec![suite(s)];
                c.groups = vec![group(g)];
            });
            let mut p = Pair::our_client(ctx, None, server_cfg.clone());
            let r = full_conversation(&mut p, i * 3 + j).and_then(|_| p.check_params(s, Some(g)));
            if let Err(e) = r {
                failures.push(format!("{s} + {g}: {e}"));
            }
        }
    }
    assert_no_failures("our client vs rustls", total, &failures);
}

#[test]
fn our_server_suite_group_matrix() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|_| {});
    let mut failures = Vec::new();
    let mut total = 0;
    for (i, s) in RUSTLS_SUITES.iter().enumerate() {
        for (j, g) in RUSTLS_GROUPS.iter().enumerate() {
            total += 1;
            let cfg = Arc::new(rustls_client_config(&pki, provider(&[s], &[g]), false));
            let mut p = Pair::our_server(ctx.clone(), cfg);
            let r = full_conversation(&mut p, i * 3 + j).and_then(|_| p.check_params(s, Some(g)));
            if let Err(e) = r {
                failures.push(format!("{s} + {g}: {e}"));
            }
        }
    }
    assert_no_failures("rustls client vs our server", total, &failures);
}

#[test]
fn certificate_types_both_directions() {
    let mut failures = Vec::new();
    for kt in ALL_KEY_TYPES {
        let pki = Pki::with_client(kt, kt);
        // Our client, rustls server (with a certificate of this type, and asking for ours).
        let server_cfg = Arc::new(rustls_server_config(&pki, all_rustls(), true));
        let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
        let mut p = Pair::our_client(ctx, None, server_cfg);
        let r = full_conversation(&mut p, 1).and_then(|_| {
            let got = p.theirs.peer_certificates().map(|c| c[0].to_vec());
            if got.as_deref() != Some(&pki.client.cert_der[..]) {
                Err("rustls saw no client certificate".into())
            } else {
                Ok(())
            }
        });
        if let Err(e) = r {
            failures.push(format!("{kt:?}, rustls server: {e}"));
        }
        // rustls client (with a client certificate of this type), our server.
        let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
        let cfg = Arc::new(rustls_client_config(&pki, all_rustls(), true));
        let mut p = Pair::our_server(ctx, cfg);
        let r = full_conversation(&mut p, 2).and_then(|_| {
            if p.ours.peer_certificates().first().map(|c| c.to_vec()) != Some(pki.client.cert_der.clone()) {
                return Err("we saw no client certificate".into());
            }
            Ok(())
        });
        if let Err(e) = r {
            failures.push(format!("{kt:?}, our server: {e}"));
        }
    }
    assert_no_failures("certificate types with rustls", 2 * ALL_KEY_TYPES.len(), &failures);
}

#[test]
fn missing_client_certificate_both_directions() {
    let pki = Pki::new(KeyType::EcdsaP256);
    // rustls server requires one; our client has none.
    let server_cfg = Arc::new(rustls_server_config(&pki, all_rustls(), true));
    let mut p = Pair::our_client(pki.client_ctx(|_| {}), None, server_cfg);
    let e = p.handshake().and_then(|_| p.exchange(10, 0)).expect_err("rustls accepted no client certificate");
    assert_eq!(p.ours.error(), Some(&Error::PeerAlert(AlertDescription::CERTIFICATE_REQUIRED)), "{e}");
    // Our server requires one; the rustls client has none.
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let mut p = Pair::our_server(ctx, Arc::new(rustls_client_config(&pki, all_rustls(), false)));
    let e = p.handshake().expect_err("we accepted no client certificate");
    assert_eq!(p.ours.error(), Some(&Error::Certificate(ssl_core::CertificateError::Missing)), "{e}");
    // rustls heard our certificate_required alert.
    assert!(e.contains("AlertReceived(CertificateRequired)"), "{e}");
}

#[test]
fn rustls_client_resumes_with_our_tickets() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|_| {});
    for s in RUSTLS_SUITES {
        // One ClientConfig: its in-memory session store keeps our tickets.
        let cfg = Arc::new(rustls_client_config(&pki, provider(&[s], &RUSTLS_GROUPS), false));
        let mut first = Pair::our_server(ctx.clone(), cfg.clone());
        full_conversation(&mut first, 0).unwrap();
        assert_eq!(first.theirs.handshake_kind(), Some(HandshakeKind::Full));
        assert!(!first.ours.negotiated().resumed);
        let mut second = Pair::our_server(ctx.clone(), cfg);
        full_conversation(&mut second, 1).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(second.theirs.handshake_kind(), Some(HandshakeKind::Resumed), "{s}");
        assert!(second.ours.negotiated().resumed, "{s}");
        second.check_params(s, Some("x25519")).unwrap();
    }
}

#[test]
fn our_client_resumes_with_rustls_tickets() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let stateful = rustls_server_config(&pki, all_rustls(), false);
    let mut stateless = rustls_server_config(&pki, all_rustls(), false);
    stateless.ticketer = rr::Ticketer::new().unwrap();
    for (kind, cfg) in [("stateful cache", stateful), ("stateless tickets", stateless)] {
        let cfg = Arc::new(cfg);
        for s in RUSTLS_SUITES {
            let ctx = pki.client_ctx(|c| c.preferred_suites = vec![suite(s)]);
            let mut first = Pair::our_client(ctx.clone(), None, cfg.clone());
            full_conversation(&mut first, 0).unwrap();
            let session = first.ours.session().cloned().unwrap_or_else(|| panic!("{kind}: no ticket"));
            let mut second = Pair::our_client(ctx, Some(session), cfg.clone());
            full_conversation(&mut second, 1).unwrap_or_else(|e| panic!("{kind} {s}: {e}"));
            assert!(second.ours.negotiated().resumed, "{kind} {s}: not resumed");
            assert_eq!(second.theirs.handshake_kind(), Some(HandshakeKind::Resumed));
            second.check_params(s, Some("x25519")).unwrap();
        }
    }
}

#[test]
fn hello_retry_both_directions() {
    let pki = Pki::new(KeyType::EcdsaP256);
    // rustls client's key share is x25519; our server takes only secp384r1.
    let ctx = pki.server_ctx(|c| c.groups = vec![NamedGroup::SECP384R1]);
    let cfg = Arc::new(rustls_client_config(&pki, provider(&RUSTLS_SUITES, &["x25519", "secp384r1"]), false));
    let mut p = Pair::our_server(ctx, cfg);
    full_conversation(&mut p, 0).unwrap();
    assert!(p.ours.negotiated().hello_retry);
    assert_eq!(p.theirs.handshake_kind(), Some(HandshakeKind::FullWithHelloRetryRequest));
    p.check_params("TLS_AES_128_GCM_SHA256", Some("secp384r1")).unwrap();

    // Our client's key share is x25519; the rustls server takes only secp384r1.
    let ctx = pki.client_ctx(|c| c.groups = vec![NamedGroup::X25519, NamedGroup::SECP384R1]);
    let cfg = Arc::new(rustls_server_config(&pki, provider(&RUSTLS_SUITES, &["secp384r1"]), false));
    let mut p = Pair::our_client(ctx, None, cfg);
    full_conversation(&mut p, 1).unwrap();
    assert!(p.ours.negotiated().hello_retry);
    assert_eq!(p.theirs.handshake_kind(), Some(HandshakeKind::FullWithHelloRetryRequest));
    p.check_params("TLS_AES_128_GCM_SHA256", Some("secp384r1")).unwrap();
}

#[test]
fn alpn_both_directions() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|c| c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    let mut cfg = rustls_client_config(&pki, all_rustls(), false);
    cfg.alpn_protocols = vec![b"spdy/1".to_vec(), b"http/1.1".to_vec()];
    let mut p = Pair::our_server(ctx, Arc::new(cfg));
    full_conversation(&mut p, 0).unwrap();
    assert_eq!(p.ours.alpn(), Some(&b"http/1.1"[..]));
    assert_eq!(p.theirs.alpn_protocol(), Some(&b"http/1.1"[..]));

    let ctx = pki.client_ctx(|c| c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    let mut cfg = rustls_server_config(&pki, all_rustls(), false);
    cfg.alpn_protocols = vec![b"http/1.1".to_vec(), b"h2".to_vec()];
    let mut p = Pair::our_client(ctx, None, Arc::new(cfg));
    full_conversation(&mut p, 1).unwrap();
    // rustls servers pick by their own preference.
    assert_eq!(p.ours.alpn(), Some(&b"http/1.1"[..]));
    assert_eq!(p.theirs.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn key_update_both_directions() {
    // rustls 0.23 has `refresh_traffic_keys`: KeyUpdate(update_requested).
    let pki = Pki::new(KeyType::EcdsaP256);
    for ours_is_client in [true, false] {
        let mut p = if ours_is_client {
            Pair::our_client(pki.client_ctx(|_| {}), None, Arc::new(rustls_server_config(&pki, all_rustls(), false)))
        } else {
            Pair::our_server(pki.server_ctx(|_| {}), Arc::new(rustls_client_config(&pki, all_rustls(), false)))
        };
        p.handshake().unwrap();
        p.exchange(1000, 0).unwrap();
        for round in 0..3 {
            // rustls asks, we answer with our own update.
            p.theirs.refresh_traffic_keys().unwrap();
            p.exchange(5000, round).unwrap_or_else(|e| panic!("after rustls's KeyUpdate {round}: {e}"));
            assert_eq!(p.ours.key_updates_received(), round as u32 * 2 + 1);
            // We ask, rustls answers (RFC 8446 §4.6.3: before its next
            // application data, so deliver our request before rustls writes).
            p.ours.key_update(true).unwrap();
            p.pump().unwrap();
            p.exchange(5000, round + 10).unwrap_or_else(|e| panic!("after our KeyUpdate {round}: {e}"));
            assert_eq!(p.ours.key_updates_received(), round as u32 * 2 + 2, "rustls did not answer our request");
        }
        p.close(ours_is_client).unwrap();
    }
}

#[test]
fn large_transfer_both_directions() {
    let pki = Pki::new(KeyType::EcdsaP256);
    for s in RUSTLS_SUITES {
        let ctx = pki.client_ctx(|c| c.preferred_suites = vec![suite(s)]);
        let mut p = Pair::our_client(ctx, None, Arc::new(rustls_server_config(&pki, all_rustls(), false)));
        p.handshake().unwrap();
        for i in 0..4 {
            p.exchange(60_000, i).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        p.close(false).unwrap();
    }
}

#[test]
fn unsupported_by_rustls_fails_with_an_alert() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let cfg = Arc::new(rustls_server_config(&pki, all_rustls(), false));
    // Only suites or only groups that rustls-ring lacks: handshake_failure.
    let offers: [(&str, &str); 3] = [
        ("TLS_AES_128_CCM_SHA256", "x25519"),
        ("TLS_AES_128_CCM_8_SHA256", "x25519"),
        ("TLS_AES_128_GCM_SHA256", "ffdhe2048"),
    ];
    for (s, g) in offers {
        let ctx = pki.client_ctx(|c| {
            c.preferred_suites = vec![suite(s)];
            c.groups = vec![group(g)];
        });
        let mut p = Pair::our_client(ctx, None, cfg.clone());
        assert!(p.handshake().is_err(), "{s} {g} succeeded?");
        assert_eq!(p.ours.error(), Some(&Error::PeerAlert(AlertDescription::HANDSHAKE_FAILURE)), "{s} {g}");
    }
    // secp521r1 only: rustls has no common group either.
    let ctx = pki.client_ctx(|c| c.groups = vec![NamedGroup::SECP521R1]);
    let mut p = Pair::our_client(ctx, None, cfg);
    assert!(p.handshake().is_err());
    assert_eq!(p.ours.error(), Some(&Error::PeerAlert(AlertDescription::HANDSHAKE_FAILURE)));
}

#[test]
fn resumption_variants_against_rustls_server() {
    let pki = Pki::new(KeyType::EcdsaP256);
    // (what, rustls server config, our client context)
    let mut hrr = rustls_server_config(&pki, provider(&RUSTLS_SUITES, &["secp384r1"]), false);
    hrr.ticketer = rr::Ticketer::new().unwrap();
    let mut early = rustls_server_config(&pki, all_rustls(), false);
    // Tickets that allow early data (we send none, but must take the tickets).
    early.max_early_data_size = 16384;
    let client_auth = rustls_server_config(&pki, all_rustls(), true);
    let cases = [
        (
            "through HelloRetryRequest",
            hrr,
            pki.client_ctx(|c| c.groups = vec![NamedGroup::X25519, NamedGroup::SECP384R1]),
        ),
        ("early-data tickets", early, pki.client_ctx(|_| {})),
        ("with a client certificate", client_auth, pki.client_ctx(|c| pki.add_client_cert(c))),
    ];
    let mut failures = Vec::new();
    for (what, cfg, ctx) in cases {
        let cfg = Arc::new(cfg);
        let r = (|| {
            let mut first = Pair::our_client(ctx.clone(), None, cfg.clone());
            full_conversation(&mut first, 0)?;
            let session = first.ours.session().cloned().ok_or("no ticket")?;
            let mut second = Pair::our_client(ctx.clone(), Some(session), cfg.clone());
            full_conversation(&mut second, 1)?;
            if !second.ours.negotiated().resumed || second.theirs.handshake_kind() != Some(HandshakeKind::Resumed) {
                return Err(format!("not resumed ({:?})", second.theirs.handshake_kind()));
            }
            if what.contains("Retry") && !second.ours.negotiated().hello_retry {
                return Err("no HelloRetryRequest the second time".to_string());
            }
            Ok(())
        })();
        if let Err(e) = r {
            failures.push(format!("{what}: {e}"));
        }
    }
    assert_no_failures("our client resuming with rustls", 3, &failures);
}

#[test]
fn rustls_client_resumes_with_a_client_certificate() {
    let pki = Pki::new(KeyType::EcdsaP256);
    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let cfg = Arc::new(rustls_client_config(&pki, all_rustls(), true));
    let mut first = Pair::our_server(ctx.clone(), cfg.clone());
    full_conversation(&mut first, 0).unwrap();
    let mut second = Pair::our_server(ctx, cfg);
    full_conversation(&mut second, 1).unwrap();
    assert_eq!(second.theirs.handshake_kind(), Some(HandshakeKind::Resumed));
    assert!(second.ours.negotiated().resumed);
    // The client's identity carries over from the session.
    assert_eq!(second.ours.peer_certificates().first().map(|c| c.to_vec()), Some(pki.client.cert_der.clone()));
}

#[test]
fn intermediate_chains_both_directions() {
    // Root → intermediate → leaf for both ends; each side trusts only the root.
    let pki = Pki::with_intermediate(KeyType::EcdsaP256);
    let ctx = pki.client_ctx(|c| pki.add_client_cert(c));
    let mut p = Pair::our_client(ctx, None, Arc::new(rustls_server_config(&pki, all_rustls(), true)));
    full_conversation(&mut p, 0).unwrap();
    assert_eq!(p.ours.peer_certificates().len(), 2);
    assert_eq!(p.theirs.peer_certificates().map(|c| c.len()), Some(2));

    let ctx = pki.server_ctx(|c| c.client_auth = AuthLevel::Require);
    let mut p = Pair::our_server(ctx, Arc::new(rustls_client_config(&pki, all_rustls(), true)));
    full_conversation(&mut p, 1).unwrap();
    assert_eq!(p.ours.peer_certificates().len(), 2);
    assert_eq!(p.theirs.peer_certificates().map(|c| c.len()), Some(2));
}
