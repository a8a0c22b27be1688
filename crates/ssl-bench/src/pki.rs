//! The test PKI (an ECDSA P-256 CA made with rcgen, and server leaves for
//! `localhost`) and the matching configurations of both libraries.
//!
//! Both libraries get the same material: the same CA as their only trust
//! anchor, the same leaf and key, one cipher suite, the groups x25519 (the
//! one used, one key share) and secp256r1 (listed only), one protocol
//! version, the same resumption mechanism.

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::crypto::ring as rr;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedCipherSuite};
use ssl_core::Context;
use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion};
use std::sync::Arc;

/// A fixed RSA-2048 key (PKCS#8, made once with `openssl genpkey`), so the
/// benchmark never waits for RSA key generation.
const RSA2048_PEM: &str = include_str!("../rsa2048.pem");

/// The server name every client connects to (and every leaf is issued for).
pub const SERVER_NAME: &str = "localhost";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    EcdsaP256,
    Rsa2048,
}

/// A server certificate and its key.
pub struct Leaf {
    pub chain_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

/// The CA and one leaf per key kind.
pub struct Pki {
    pub ca_pem: String,
    pub ca_der: Vec<u8>,
    pub ecdsa: Leaf,
    pub rsa: Leaf,
}

impl Pki {
    pub fn new() -> Pki {
        let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "ssl-bench test CA");
        let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = rcgen::Issuer::new(ca_params, &ca_key);
        let leaf = |key: rcgen::KeyPair| {
            let mut p = rcgen::CertificateParams::new(vec![SERVER_NAME.to_string()]).expect("leaf params");
            p.distinguished_name.push(rcgen::DnType::CommonName, SERVER_NAME);
            let cert = p.signed_by(&key, &issuer).expect("leaf certificate");
            Leaf {
                chain_pem: cert.pem(),
                key_pem: key.serialize_pem(),
                cert_der: cert.der().to_vec(),
                key_der: key.serialize_der(),
            }
        };
        let ecdsa = leaf(rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key"));
        let rsa = leaf(rcgen::KeyPair::from_pem(RSA2048_PEM).expect("the RSA-2048 key"));
        Pki { ca_pem: ca.pem(), ca_der: ca.der().to_vec(), ecdsa, rsa }
    }

    pub fn leaf(&self, k: KeyKind) -> &Leaf {
        match k {
            KeyKind::EcdsaP256 => &self.ecdsa,
            KeyKind::Rsa2048 => &self.rsa,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Tls12,
    Tls13,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    Aes128Gcm,
    Aes256Gcm,
    Chacha20Poly1305,
}

/// How a handshake may be resumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Full handshakes only: no tickets, no caches.
    Off,
    /// TLS 1.3 tickets (psk_dhe_ke), one per handshake, stateless on the server.
    Tls13Ticket,
    /// TLS 1.2 session IDs (server-side cache, no tickets).
    Tls12SessionId,
    /// TLS 1.2 tickets (RFC 5077, stateless; no server cache).
    Tls12Ticket,
}

/// What a scenario negotiates.
#[derive(Clone, Copy, Debug)]
pub struct Setup {
    pub version: Version,
    pub key: KeyKind,
    pub bulk: Bulk,
    pub resume: Resume,
}

impl Setup {
    pub fn new(version: Version, key: KeyKind, bulk: Bulk) -> Setup {
        Setup { version, key, bulk, resume: Resume::Off }
    }

    pub fn resume(mut self, r: Resume) -> Setup {
        self.resume = r;
        self
    }

    fn ours_suite(&self) -> CipherSuite {
        use Bulk::*;
        use KeyKind::*;
        match (self.version, self.key, self.bulk) {
            (Version::Tls13, _, Aes128Gcm) => CipherSuite::TLS_AES_128_GCM_SHA256,
            (Version::Tls13, _, Aes256Gcm) => CipherSuite::TLS_AES_256_GCM_SHA384,
            (Version::Tls13, _, Chacha20Poly1305) => CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            (Version::Tls12, EcdsaP256, Aes128Gcm) => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            (Version::Tls12, EcdsaP256, Aes256Gcm) => CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            (Version::Tls12, EcdsaP256, Chacha20Poly1305) => CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            (Version::Tls12, Rsa2048, Aes128Gcm) => CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            (Version::Tls12, Rsa2048, Aes256Gcm) => CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            (Version::Tls12, Rsa2048, Chacha20Poly1305) => CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        }
    }

    fn rustls_suite(&self) -> SupportedCipherSuite {
        use Bulk::*;
        use KeyKind::*;
        use rr::cipher_suite as cs;
        match (self.version, self.key, self.bulk) {
            (Version::Tls13, _, Aes128Gcm) => cs::TLS13_AES_128_GCM_SHA256,
            (Version::Tls13, _, Aes256Gcm) => cs::TLS13_AES_256_GCM_SHA384,
            (Version::Tls13, _, Chacha20Poly1305) => cs::TLS13_CHACHA20_POLY1305_SHA256,
            (Version::Tls12, EcdsaP256, Aes128Gcm) => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            (Version::Tls12, EcdsaP256, Aes256Gcm) => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            (Version::Tls12, EcdsaP256, Chacha20Poly1305) => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            (Version::Tls12, Rsa2048, Aes128Gcm) => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            (Version::Tls12, Rsa2048, Aes256Gcm) => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            (Version::Tls12, Rsa2048, Chacha20Poly1305) => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        }
    }

    /// Our client and server contexts.
    pub fn ours(&self, pki: &Pki) -> Ours {
        let v = match self.version {
            Version::Tls12 => ProtocolVersion::TLS1_2,
            Version::Tls13 => ProtocolVersion::TLS1_3,
        };
        let base = |ctx: &mut Context| {
            ctx.set_versions(v, v);
            ctx.preferred_suites = vec![self.ours_suite()];
            // x25519 is used; P-256 is listed too because our TLS 1.2 server (rightly,
            // RFC 8422 §5.1) only picks an ECDSA P-256 certificate when the client lists that curve.
            ctx.groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
            ctx.key_shares = 1;
            ctx.trusted_issuers.add_pem(pki.ca_pem.as_bytes()).expect("CA");
        };
        let mut client = Context::new();
        base(&mut client);
        // The client cache keeps what it resumes with (tickets and TLS 1.2 sessions).
        client.use_cache = self.resume != Resume::Off;
        client.tickets = 0;
        let mut server = Context::new();
        base(&mut server);
        let leaf = pki.leaf(self.key);
        server.add_cert_pem(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes()).expect("server certificate");
        server.use_cache = self.resume == Resume::Tls12SessionId;
        server.tickets = match self.resume {
            Resume::Tls13Ticket | Resume::Tls12Ticket => 1,
            Resume::Off | Resume::Tls12SessionId => 0,
        };
        Ours { client: Arc::new(client), server: Arc::new(server) }
    }

    /// The rustls client and server configurations.
    pub fn rustls(&self, pki: &Pki) -> Rustls {
        let provider = Arc::new(CryptoProvider {
            cipher_suites: vec![self.rustls_suite()],
            kx_groups: vec![rr::kx_group::X25519, rr::kx_group::SECP256R1],
            ..rr::default_provider()
        });
        let versions: &[&'static rustls::SupportedProtocolVersion] = match self.version {
            Version::Tls12 => &[&rustls::version::TLS12],
            Version::Tls13 => &[&rustls::version::TLS13],
        };
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(pki.ca_der.clone())).expect("CA");
        let mut client = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .expect("client versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        client.resumption = match self.resume {
            Resume::Off => Resumption::disabled(),
            _ => Resumption::in_memory_sessions(256),
        };
        let leaf = pki.leaf(self.key);
        let chain = vec![CertificateDer::from(leaf.cert_der.clone())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("server versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server certificate");
        server.send_tls13_tickets = usize::from(self.resume == Resume::Tls13Ticket);
        server.session_storage = match self.resume {
            Resume::Tls12SessionId => ServerSessionMemoryCache::new(10_000),
            _ => Arc::new(NoServerSessionStorage {}),
        };
        if matches!(self.resume, Resume::Tls13Ticket | Resume::Tls12Ticket) {
            server.ticketer = rr::Ticketer::new().expect("ticketer");
        }
        Rustls {
            client: Arc::new(client),
            server: Arc::new(server),
            name: ServerName::try_from(SERVER_NAME).expect("server name"),
        }
    }
}

/// Our side of a scenario.
pub struct Ours {
    pub client: Arc<Context>,
    pub server: Arc<Context>,
}

/// The rustls side of a scenario.
pub struct Rustls {
    pub client: Arc<ClientConfig>,
    pub server: Arc<ServerConfig>,
    pub name: ServerName<'static>,
}
