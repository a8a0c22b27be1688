//! `Context`: the policy shared by many connections (versions, suites,
//! groups, certificates, trust anchors, ALPN, session cache, tickets, …).
//!
//! Build one, put it in an `Arc`, and give it to each connection.
//!
//! ```
//! use std::sync::Arc;
//! use ssl_core::{Context, constants::ProtocolVersion};
//! let mut ctx = Context::new();
//! ctx.max_version = ProtocolVersion::TLS1_3;
//! ctx.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
//! let ctx = Arc::new(ctx);
//! # let _ = ctx;
//! ```

use crate::constants::{CipherSuite, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme};
use crate::crypto::rand::{SecureRandom, SystemRandom};
use crate::keylog::KeyLog;
use crate::pki::{CertStore, CertifiedKey, RootStore};
use crate::session::{MemorySessionCache, SessionStore};
use crate::ticket::TicketKeys;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The clock the engine reads (never the system clock directly).
pub trait TimeSource: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl TimeSource for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }
}

/// A clock moved by hand (tests, simulations).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock showing `ms`.
    pub fn new(ms: u64) -> Self {
        ManualClock(AtomicU64::new(ms))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl TimeSource for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// How the certificates of the peer are treated (Pike's `AUTHLEVEL_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AuthLevel {
    /// Do not ask for certificates, and do not verify them.
    None,
    /// Do not ask, but verify any certificates that arrive.
    Verify,
    /// Ask for certificates and verify them if sent (a server asks the client).
    Ask,
    /// Require valid certificates.
    Require,
}

/// How much padding protected TLS 1.3 records get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordPadding {
    /// No padding.
    None,
    /// Pad the inner plaintext up to a multiple of this many bytes.
    Block(u16),
}

/// Hooks for what Pike did by subclassing `Context`.
pub trait ContextHooks: Send + Sync {
    /// Chooses another context for a server connection once the client's
    /// server name and ALPN offer are known (different certificates and
    /// parameters on one port). `None` keeps the current one.
    fn select_context(&self, _server_name: Option<&str>, _alpn: &[&[u8]]) -> Option<Arc<Context>> {
        None
    }
}

/// The default hooks: they change nothing.
#[derive(Debug, Default)]
pub struct NoHooks;
impl ContextHooks for NoHooks {}

/// Shared TLS policy and state.
///
/// Every field is public: build a context with [`Context::new`] (secure
/// defaults), change what you need, and share it in an `Arc` between the
/// connections that use it. A client needs trust anchors
/// ([`Context::trusted_issuers`]); a server needs at least one certificate
/// ([`Context::add_cert_pem`]).
///
/// ```
/// # fn main() -> Result<(), ssl_core::Error> {
/// use std::sync::Arc;
/// use ssl_core::{AuthLevel, Context};
/// use ssl_core::constants::ProtocolVersion;
/// # let key = rcgen::KeyPair::generate().unwrap();
/// # let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
/// # let (ca_pem, chain_pem, key_pem) = (cert.pem(), cert.pem(), key.serialize_pem());
/// // Client: verify servers against these CAs (the default AuthLevel::Require).
/// let mut client = Context::new();
/// client.trusted_issuers.add_pem(ca_pem.as_bytes())?;
/// client.advertised_protocols = vec![b"http/1.1".to_vec()];
/// assert_eq!(client.server_auth, AuthLevel::Require);
///
/// // Server: a certificate chain and its key; TLS 1.3 only.
/// let mut server = Context::new();
/// server.add_cert_pem(chain_pem.as_bytes(), key_pem.as_bytes())?;
/// server.set_versions(ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_3);
///
/// let (client, server) = (Arc::new(client), Arc::new(server));
/// # let _ = (client, server);
/// # Ok(()) }
/// ```
pub struct Context {
    /// Lowest version we negotiate.
    pub min_version: ProtocolVersion,
    /// Highest version we negotiate.
    pub max_version: ProtocolVersion,
    /// Suites in preference order.
    pub preferred_suites: Vec<CipherSuite>,
    /// Key-exchange groups in preference order.
    pub groups: Vec<NamedGroup>,
    /// How many groups (from the front of `groups`) a client sends key shares for.
    pub key_shares: usize,
    /// Signature schemes we accept from the peer, in preference order.
    pub signature_algorithms: Vec<SignatureScheme>,
    /// Our certificates (a server's; a client's for client authentication).
    pub certificates: CertStore,
    /// Trust anchors for the peer's certificates.
    pub trusted_issuers: RootStore,
    /// How a client treats the server's certificate (default: `Require`).
    pub server_auth: AuthLevel,
    /// How a server treats client certificates (default: `None`).
    pub client_auth: AuthLevel,
    /// ALPN protocols, in preference order.
    pub advertised_protocols: Vec<Vec<u8>>,
    /// record_size_limit to announce (RFC 8449), if any.
    pub record_size_limit: Option<u16>,
    /// Padding of protected TLS 1.3 records.
    pub padding: RecordPadding,
    /// A TLS 1.3 client sends a legacy session ID and a ChangeCipherSpec (RFC 8446 Appendix D.4).
    pub middlebox_compat: bool,
    /// A TLS 1.3 server answers a ClientHello without a usable key share with a HelloRetryRequest carrying a cookie.
    pub hrr_cookie: bool,
    /// PSK modes a client offers / a server accepts.
    pub psk_modes: Vec<PskKeyExchangeMode>,
    /// Tickets a TLS 1.3 server sends after the handshake (0 disables resumption).
    pub tickets: usize,
    /// Lifetime of tickets and cached sessions.
    pub session_lifetime: Duration,
    /// Whether sessions are cached (client: by server name; server: TLS 1.2 session IDs).
    pub use_cache: bool,
    /// A client asks the server to staple an OCSP response for its
    /// certificate (RFC 6066 status_request); see
    /// [`Connection::peer_ocsp_response`](crate::Connection::peer_ocsp_response).
    /// A server staples the response of the chosen [`CertifiedKey`]
    /// (`ocsp`) when asked, whatever this says.
    pub request_ocsp: bool,
    /// The session store.
    pub session_cache: Arc<dyn SessionStore>,
    /// The server's rotating ticket keys.
    pub ticket_keys: Arc<TicketKeys>,
    /// Where secrets are logged (SSLKEYLOGFILE format), if anywhere.
    pub key_log: Option<Arc<dyn KeyLog>>,
    /// The random generator.
    pub rng: Arc<dyn SecureRandom>,
    /// The clock.
    pub clock: Arc<dyn TimeSource>,
    /// Hooks.
    pub hooks: Arc<dyn ContextHooks>,
    /// TLS 1.2: require the extended master secret (RFC 7627) from the peer.
    pub require_ems: bool,
    /// TLS 1.2: allow renegotiation (always the secure kind, RFC 5746).
    /// When off, a renegotiation request is refused with a no_renegotiation warning.
    pub enable_renegotiation: bool,
    /// max_fragment_length a client asks for (RFC 6066: 512, 1024, 2048 or 4096).
    pub max_fragment_length: Option<u16>,
    /// A client sends TLS_FALLBACK_SCSV (RFC 7507), for a retry at a lower version.
    pub fallback_scsv: bool,
    /// The smallest finite-field DH prime we accept from a server (bits).
    pub dh_min_bits: usize,
    /// A client pads its ClientHello out of the 256–511 byte range (RFC 7685).
    pub padding_extension: bool,
    /// Receives every handshake message, ChangeCipherSpec and alert, if set.
    pub trace: Option<Arc<dyn crate::trace::Trace>>,
}

impl core::fmt::Debug for Context {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("min_version", &self.min_version)
            .field("max_version", &self.max_version)
            .field("preferred_suites", &self.preferred_suites)
            .field("groups", &self.groups)
            .field("server_auth", &self.server_auth)
            .field("client_auth", &self.client_auth)
            .finish_non_exhaustive()
    }
}

/// The TLS 1.3 suites this build implements.
pub const TLS13_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_AES_128_CCM_SHA256,
    CipherSuite::TLS_AES_128_CCM_8_SHA256,
];

/// The TLS 1.2 suites this build implements: ephemeral key exchange with AEADs.
pub const TLS12_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_CCM,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_CCM,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_CCM_8,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_CCM_8,
];

/// The suites a new `Context` prefers: TLS 1.3 first, then TLS 1.2; CCM_8
/// (64-bit tags) only when configured.
pub const DEFAULT_SUITES: &[CipherSuite] = &[
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_AES_128_CCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
    CipherSuite::TLS_DHE_RSA_WITH_AES_128_CCM,
    CipherSuite::TLS_DHE_RSA_WITH_AES_256_CCM,
];

/// The default groups: the elliptic curves, then FFDHE 2048 and 3072.
pub const DEFAULT_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
];

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    /// A context with secure defaults: TLS 1.2–1.3, AEAD suites, ECDHE and
    /// FFDHE ≥ 2048, servers verified against `trusted_issuers` (empty until
    /// you add anchors), no client certificates requested.
    pub fn new() -> Context {
        let clock: Arc<dyn TimeSource> = Arc::new(SystemClock);
        let lifetime = Duration::from_secs(2 * 3600);
        Context {
            min_version: ProtocolVersion::TLS1_2,
            max_version: ProtocolVersion::TLS1_3,
            preferred_suites: DEFAULT_SUITES.to_vec(),
            groups: DEFAULT_GROUPS.to_vec(),
            key_shares: 1,
            signature_algorithms: crate::handshake::tls12::TLS12_VERIFY_SCHEMES.to_vec(),
            certificates: CertStore::default(),
            trusted_issuers: RootStore::new(),
            server_auth: AuthLevel::Require,
            client_auth: AuthLevel::None,
            advertised_protocols: Vec::new(),
            record_size_limit: None,
            padding: RecordPadding::None,
            middlebox_compat: true,
            hrr_cookie: true,
            psk_modes: vec![PskKeyExchangeMode::PSK_DHE_KE],
            tickets: 2,
            session_lifetime: lifetime,
            use_cache: true,
            request_ocsp: false,
            session_cache: Arc::new(MemorySessionCache::new(10_000, lifetime, clock.clone())),
            ticket_keys: Arc::new(TicketKeys::new(Duration::from_secs(12 * 3600))),
            key_log: None,
            rng: Arc::new(SystemRandom::new()),
            clock,
            hooks: Arc::new(NoHooks),
            require_ems: true,
            enable_renegotiation: false,
            max_fragment_length: None,
            fallback_scsv: false,
            dh_min_bits: 2048,
            padding_extension: true,
            trace: None,
        }
    }

    /// Adds a certificate chain and key (the first added is the default).
    pub fn add_cert(&mut self, key: CertifiedKey) {
        self.certificates.add(key);
    }

    /// Adds a certificate chain and key from PEM text.
    pub fn add_cert_pem(&mut self, chain_pem: &[u8], key_pem: &[u8]) -> Result<(), crate::Error> {
        self.certificates.add(CertifiedKey::from_pem(chain_pem, key_pem)?);
        Ok(())
    }

    /// Restricts the versions to `min..=max`.
    pub fn set_versions(&mut self, min: ProtocolVersion, max: ProtocolVersion) {
        self.min_version = min;
        self.max_version = max;
    }

    /// Whether `v` is within the configured range.
    pub fn allows_version(&self, v: ProtocolVersion) -> bool {
        self.min_version <= v && v <= self.max_version
    }

    /// The configured TLS 1.3 suites we can use, in preference order.
    pub fn tls13_suites(&self) -> impl Iterator<Item = CipherSuite> + '_ {
        self.preferred_suites.iter().copied().filter(|s| TLS13_SUITES.contains(s))
    }

    /// The configured TLS 1.2 suites we can use, in preference order.
    pub fn tls12_suites(&self) -> impl Iterator<Item = CipherSuite> + '_ {
        self.preferred_suites.iter().copied().filter(|s| TLS12_SUITES.contains(s))
    }

    /// The configured groups this build supports, in preference order.
    pub fn usable_groups(&self) -> impl Iterator<Item = NamedGroup> + '_ {
        self.groups.iter().copied().filter(|g| crate::crypto::kx::is_supported(*g))
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub(crate) fn log_key(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if let Some(k) = &self.key_log {
            k.log(label, client_random, secret);
        }
    }
}
