//! TLS cipher suites: wire identifiers, IANA names and the parameters each
//! suite selects (key exchange, bulk cipher, MAC, PRF hash, protocol range).
//!
//! [`SUITES`] mirrors the IANA "TLS Cipher Suites" registry for the families
//! this library knows about, sorted by identifier so that lookups can use a
//! binary search. Every row also has an associated constant on
//! [`CipherSuite`] spelled exactly like its IANA name.

use core::fmt;

/// A TLS cipher suite identifier, as the two-byte value sent on the wire.
///
/// Any `u16` can be held, including values this library does not know; use
/// [`CipherSuite::info`] to find out whether a value is a known suite.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CipherSuite(pub u16);

/// The key exchange (and authentication) method of a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// TLS 1.3 suite: key exchange and authentication are negotiated separately.
    Tls13,
    /// No key exchange at all (`TLS_NULL_WITH_NULL_NULL`).
    Null,
    /// RSA key transport, server certificate holds an RSA key.
    Rsa,
    /// Export-grade RSA key transport (512-bit temporary RSA keys).
    RsaExport,
    /// Static Diffie-Hellman with a DSS-signed DH certificate.
    DhDss,
    /// Static Diffie-Hellman with an RSA-signed DH certificate.
    DhRsa,
    /// Ephemeral Diffie-Hellman signed with a DSS key.
    DheDss,
    /// Ephemeral Diffie-Hellman signed with an RSA key.
    DheRsa,
    /// Export-grade ephemeral Diffie-Hellman signed with a DSS key.
    DheDssExport,
    /// Export-grade ephemeral Diffie-Hellman signed with an RSA key.
    DheRsaExport,
    /// Anonymous (unauthenticated) ephemeral Diffie-Hellman.
    DhAnon,
    /// Export-grade anonymous ephemeral Diffie-Hellman.
    DhAnonExport,
    /// Static ECDH with an ECDSA-signed EC certificate.
    EcdhEcdsa,
    /// Static ECDH with an RSA-signed EC certificate.
    EcdhRsa,
    /// Ephemeral ECDH signed with an ECDSA key.
    EcdheEcdsa,
    /// Ephemeral ECDH signed with an RSA key.
    EcdheRsa,
    /// Anonymous (unauthenticated) ephemeral ECDH.
    EcdhAnon,
    /// Plain pre-shared key.
    Psk,
    /// Pre-shared key combined with ephemeral Diffie-Hellman.
    DhePsk,
    /// Pre-shared key combined with RSA key transport.
    RsaPsk,
    /// Pre-shared key combined with ephemeral ECDH.
    EcdhePsk,
    /// Kerberos 5 (RFC 2712).
    Krb5,
    /// Export-grade Kerberos 5 (RFC 2712).
    Krb5Export,
    /// SRP password authentication without a certificate (RFC 5054).
    Srp,
    /// SRP password authentication, server also signs with an RSA key.
    SrpRsa,
    /// SRP password authentication, server also signs with a DSS key.
    SrpDss,
}

/// The bulk (record protection) cipher of a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// No encryption.
    Null,
    /// Export RC4 with a 40-bit secret key.
    Rc4_40,
    /// RC4 with a 128-bit key.
    Rc4_128,
    /// Export RC2 in CBC mode with a 40-bit secret key.
    Rc2Cbc40,
    /// IDEA in CBC mode.
    Idea,
    /// Export DES in CBC mode with a 40-bit secret key.
    Des40,
    /// Single DES in CBC mode (56-bit effective key).
    Des,
    /// Triple DES (EDE) in CBC mode.
    TripleDes,
    /// AES-128 in CBC mode.
    Aes128Cbc,
    /// AES-256 in CBC mode.
    Aes256Cbc,
    /// Camellia-128 in CBC mode.
    Camellia128Cbc,
    /// Camellia-256 in CBC mode.
    Camellia256Cbc,
    /// SEED in CBC mode.
    SeedCbc,
    /// ARIA-128 in CBC mode.
    Aria128Cbc,
    /// ARIA-256 in CBC mode.
    Aria256Cbc,
    /// AES-128 in GCM mode.
    Aes128Gcm,
    /// AES-256 in GCM mode.
    Aes256Gcm,
    /// Camellia-128 in GCM mode.
    Camellia128Gcm,
    /// Camellia-256 in GCM mode.
    Camellia256Gcm,
    /// ARIA-128 in GCM mode.
    Aria128Gcm,
    /// ARIA-256 in GCM mode.
    Aria256Gcm,
    /// AES-128 in CCM mode with a 16-byte tag.
    Aes128Ccm,
    /// AES-256 in CCM mode with a 16-byte tag.
    Aes256Ccm,
    /// AES-128 in CCM mode with an 8-byte tag.
    Aes128Ccm8,
    /// AES-256 in CCM mode with an 8-byte tag.
    Aes256Ccm8,
    /// ChaCha20 with the Poly1305 authenticator.
    Chacha20Poly1305,
}

impl BulkCipher {
    /// The AEAD ciphers the record layer implements (TLS 1.3 and TLS 1.2).
    pub const IMPLEMENTED_AEADS: [BulkCipher; 7] = [
        BulkCipher::Aes128Gcm,
        BulkCipher::Aes256Gcm,
        BulkCipher::Chacha20Poly1305,
        BulkCipher::Aes128Ccm,
        BulkCipher::Aes128Ccm8,
        BulkCipher::Aes256Ccm,
        BulkCipher::Aes256Ccm8,
    ];

    /// Key length in bytes (for export ciphers the 5-byte secret part).
    pub const fn key_len(self) -> usize {
        match self {
            BulkCipher::Null => 0,
            BulkCipher::Rc4_40 | BulkCipher::Rc2Cbc40 | BulkCipher::Des40 => 5,
            BulkCipher::Des => 8,
            BulkCipher::TripleDes => 24,
            BulkCipher::Rc4_128
            | BulkCipher::Idea
            | BulkCipher::Aes128Cbc
            | BulkCipher::Camellia128Cbc
            | BulkCipher::SeedCbc
            | BulkCipher::Aria128Cbc
            | BulkCipher::Aes128Gcm
            | BulkCipher::Camellia128Gcm
            | BulkCipher::Aria128Gcm
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8 => 16,
            BulkCipher::Aes256Cbc
            | BulkCipher::Camellia256Cbc
            | BulkCipher::Aria256Cbc
            | BulkCipher::Aes256Gcm
            | BulkCipher::Camellia256Gcm
            | BulkCipher::Aria256Gcm
            | BulkCipher::Aes256Ccm
            | BulkCipher::Aes256Ccm8
            | BulkCipher::Chacha20Poly1305 => 32,
        }
    }

    /// Block length in bytes for CBC ciphers, `None` for stream, AEAD and null.
    pub const fn block_len(self) -> Option<usize> {
        match self {
            BulkCipher::Rc2Cbc40 | BulkCipher::Idea | BulkCipher::Des40 | BulkCipher::Des | BulkCipher::TripleDes => {
                Some(8)
            }
            BulkCipher::Aes128Cbc
            | BulkCipher::Aes256Cbc
            | BulkCipher::Camellia128Cbc
            | BulkCipher::Camellia256Cbc
            | BulkCipher::SeedCbc
            | BulkCipher::Aria128Cbc
            | BulkCipher::Aria256Cbc => Some(16),
            _ => None,
        }
    }

    /// Whether this is an AEAD cipher (GCM, CCM or ChaCha20-Poly1305).
    pub const fn is_aead(self) -> bool {
        matches!(
            self,
            BulkCipher::Aes128Gcm
                | BulkCipher::Aes256Gcm
                | BulkCipher::Camellia128Gcm
                | BulkCipher::Camellia256Gcm
                | BulkCipher::Aria128Gcm
                | BulkCipher::Aria256Gcm
                | BulkCipher::Aes128Ccm
                | BulkCipher::Aes256Ccm
                | BulkCipher::Aes128Ccm8
                | BulkCipher::Aes256Ccm8
                | BulkCipher::Chacha20Poly1305
        )
    }

    /// Length in bytes of the IV part derived from the key block.
    ///
    /// TLS 1.2 AEAD: 4 (GCM/CCM salt) or 12 (ChaCha20-Poly1305); CBC: the block
    /// length (the SSL 3.0 / TLS 1.0 initial IV); stream and null ciphers: 0.
    pub const fn fixed_iv_len(self) -> usize {
        match self {
            BulkCipher::Chacha20Poly1305 => 12,
            _ if self.is_aead() => 4,
            _ => match self.block_len() {
                Some(n) => n,
                None => 0,
            },
        }
    }

    /// Length in bytes of the explicit per-record nonce or IV.
    ///
    /// TLS 1.2 AEAD: 8 for GCM/CCM, 0 for ChaCha20-Poly1305. CBC: the block
    /// length (the explicit IV of TLS 1.1 and later; SSL 3.0 and TLS 1.0 send
    /// none). Stream and null ciphers: 0.
    pub const fn record_iv_len(self) -> usize {
        match self {
            BulkCipher::Chacha20Poly1305 => 0,
            _ if self.is_aead() => 8,
            _ => match self.block_len() {
                Some(n) => n,
                None => 0,
            },
        }
    }

    /// Authentication tag length in bytes: 16, 8 for CCM_8, 0 if not AEAD.
    pub const fn tag_len(self) -> usize {
        match self {
            BulkCipher::Aes128Ccm8 | BulkCipher::Aes256Ccm8 => 8,
            _ if self.is_aead() => 16,
            _ => 0,
        }
    }

    /// Effective key strength in bits (40 for export, 56 for DES, 112 for 3DES).
    pub const fn effective_key_bits(self) -> u32 {
        match self {
            BulkCipher::Null => 0,
            BulkCipher::Rc4_40 | BulkCipher::Rc2Cbc40 | BulkCipher::Des40 => 40,
            BulkCipher::Des => 56,
            BulkCipher::TripleDes => 112,
            _ => self.key_len() as u32 * 8,
        }
    }
}

/// The record MAC algorithm of a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// No MAC.
    Null,
    /// HMAC-MD5 (or the SSL 3.0 MD5 MAC).
    Md5,
    /// HMAC-SHA1 (or the SSL 3.0 SHA-1 MAC).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// No separate MAC: the AEAD cipher authenticates the record.
    Aead,
}

impl MacAlgorithm {
    /// MAC output (and key) length in bytes; 0 for `Null` and `Aead`.
    pub const fn mac_len(self) -> usize {
        match self {
            MacAlgorithm::Null | MacAlgorithm::Aead => 0,
            MacAlgorithm::Md5 => 16,
            MacAlgorithm::Sha1 => 20,
            MacAlgorithm::Sha256 => 32,
            MacAlgorithm::Sha384 => 48,
        }
    }
}

/// The hash of the TLS 1.2 PRF or of the TLS 1.3 HKDF for a cipher suite.
///
/// Suites usable only before TLS 1.2 record `Sha256` here; the SSL 3.0 and
/// TLS 1.0/1.1 PRFs do not use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
        }
    }
}

/// The key type the server certificate must hold for a cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureKind {
    /// An RSA key.
    Rsa,
    /// A DSA (DSS) key.
    Dsa,
    /// An ECDSA (EC) key.
    Ecdsa,
}

/// Everything known about one cipher suite: one row of [`SUITES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteInfo {
    /// The wire identifier.
    pub suite: CipherSuite,
    /// The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub name: &'static str,
    /// Key exchange and authentication method.
    pub kx: KeyExchange,
    /// Bulk cipher protecting records.
    pub cipher: BulkCipher,
    /// Record MAC ([`MacAlgorithm::Aead`] for AEAD suites).
    pub mac: MacAlgorithm,
    /// TLS 1.2 PRF hash, or TLS 1.3 HKDF hash.
    pub prf: HashAlgorithm,
    /// Lowest protocol version (wire value, 0x0300 = SSL 3.0) allowing the suite.
    pub min_version: u16,
    /// Highest protocol version (wire value, 0x0304 = TLS 1.3) allowing the suite.
    pub max_version: u16,
}

impl SuiteInfo {
    /// Whether this is an export-grade suite (export key exchange or 40-bit cipher).
    pub const fn is_export(&self) -> bool {
        matches!(
            self.kx,
            KeyExchange::RsaExport
                | KeyExchange::DheDssExport
                | KeyExchange::DheRsaExport
                | KeyExchange::DhAnonExport
                | KeyExchange::Krb5Export
        ) || matches!(self.cipher, BulkCipher::Rc4_40 | BulkCipher::Rc2Cbc40 | BulkCipher::Des40)
    }

    /// Whether the server is unauthenticated (`DH_anon` and `ECDH_anon` suites).
    pub const fn is_anonymous(&self) -> bool {
        matches!(self.kx, KeyExchange::DhAnon | KeyExchange::DhAnonExport | KeyExchange::EcdhAnon)
    }

    /// Whether the key exchange involves a pre-shared key.
    pub const fn uses_psk(&self) -> bool {
        matches!(self.kx, KeyExchange::Psk | KeyExchange::DhePsk | KeyExchange::RsaPsk | KeyExchange::EcdhePsk)
    }

    /// Whether the key exchange uses ephemeral (EC)DH keys (always for TLS 1.3).
    pub const fn is_ephemeral(&self) -> bool {
        matches!(
            self.kx,
            KeyExchange::Tls13
                | KeyExchange::DheDss
                | KeyExchange::DheRsa
                | KeyExchange::DheDssExport
                | KeyExchange::DheRsaExport
                | KeyExchange::DhAnon
                | KeyExchange::DhAnonExport
                | KeyExchange::EcdheEcdsa
                | KeyExchange::EcdheRsa
                | KeyExchange::EcdhAnon
                | KeyExchange::DhePsk
                | KeyExchange::EcdhePsk
        )
    }

    /// The key type the server certificate must hold, if the suite needs one.
    ///
    /// `None` for TLS 1.3 (chosen by signature_algorithms instead), anonymous,
    /// plain/DHE/ECDHE PSK, Kerberos, plain SRP and the null suite.
    pub const fn signature_kind(&self) -> Option<SignatureKind> {
        match self.kx {
            KeyExchange::Rsa
            | KeyExchange::RsaExport
            | KeyExchange::DhRsa
            | KeyExchange::DheRsa
            | KeyExchange::DheRsaExport
            | KeyExchange::EcdhRsa
            | KeyExchange::EcdheRsa
            | KeyExchange::RsaPsk
            | KeyExchange::SrpRsa => Some(SignatureKind::Rsa),
            KeyExchange::DhDss | KeyExchange::DheDss | KeyExchange::DheDssExport | KeyExchange::SrpDss => {
                Some(SignatureKind::Dsa)
            }
            KeyExchange::EcdhEcdsa | KeyExchange::EcdheEcdsa => Some(SignatureKind::Ecdsa),
            KeyExchange::Tls13
            | KeyExchange::Null
            | KeyExchange::DhAnon
            | KeyExchange::DhAnonExport
            | KeyExchange::EcdhAnon
            | KeyExchange::Psk
            | KeyExchange::DhePsk
            | KeyExchange::EcdhePsk
            | KeyExchange::Krb5
            | KeyExchange::Krb5Export
            | KeyExchange::Srp => None,
        }
    }
}

/// The signalling cipher-suite values, which name no real suite.
const SIGNALLING: [(CipherSuite, &str); 2] = [
    (CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
    (CipherSuite::TLS_FALLBACK_SCSV, "TLS_FALLBACK_SCSV"),
];

impl CipherSuite {
    /// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (0x00FF, RFC 5746); not a real suite.
    pub const TLS_EMPTY_RENEGOTIATION_INFO_SCSV: CipherSuite = CipherSuite(0x00FF);
    /// `TLS_FALLBACK_SCSV` (0x5600, RFC 7507); not a real suite.
    pub const TLS_FALLBACK_SCSV: CipherSuite = CipherSuite(0x5600);

    /// The table row for this suite, or `None` for unknown and signalling values.
    #[inline]
    pub fn info(self) -> Option<&'static SuiteInfo> {
        match SUITES.binary_search_by_key(&self.0, |row| row.suite.0) {
            Ok(index) => Some(&SUITES[index]),
            Err(_) => None,
        }
    }

    /// The IANA name, including the two signalling values; `None` if unknown.
    pub fn name(self) -> Option<&'static str> {
        match SIGNALLING.iter().find(|(suite, _)| *suite == self) {
            Some((_, name)) => Some(*name),
            None => self.info().map(|row| row.name),
        }
    }

    /// Looks a suite up by IANA name (ASCII case-insensitive), SCSVs included.
    pub fn from_name(name: &str) -> Option<CipherSuite> {
        SUITES
            .iter()
            .find(|row| row.name.eq_ignore_ascii_case(name))
            .map(|row| row.suite)
            .or_else(|| SIGNALLING.iter().find(|(_, known)| known.eq_ignore_ascii_case(name)).map(|(suite, _)| *suite))
    }

    /// Whether this is one of the known TLS 1.3 suites (0x1301..=0x1305).
    #[inline]
    pub const fn is_tls13(self) -> bool {
        matches!(self.0, 0x1301..=0x1305)
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Unknown(0x{:04x})", self.0),
        }
    }
}

impl fmt::Debug for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Defines one `CipherSuite` constant per row and the [`SUITES`] table.
///
/// Row: `id NAME => kx, cipher, mac, prf, min_version, max_version;`
macro_rules! cipher_suites {
    ($(
        $id:literal $name:ident =>
            $kx:ident, $cipher:ident, $mac:ident, $prf:ident, $min:literal, $max:literal;
    )*) => {
        // The registry spells the anonymous families `DH_anon` / `ECDH_anon`;
        // the constants keep the exact IANA spelling.
        #[allow(non_upper_case_globals)]
        impl CipherSuite {
            $(
                #[doc = concat!("`", stringify!($name), "` (", stringify!($id), ").")]
                pub const $name: CipherSuite = CipherSuite($id);
            )*
        }

        /// The known cipher suites (IANA registry rows), sorted by identifier.
        ///
        /// Versions are wire values: 0x0300 SSL 3.0, 0x0301 TLS 1.0,
        /// 0x0302 TLS 1.1, 0x0303 TLS 1.2, 0x0304 TLS 1.3.
        pub static SUITES: &[SuiteInfo] = &[
            $(
                SuiteInfo {
                    suite: CipherSuite::$name,
                    name: stringify!($name),
                    kx: KeyExchange::$kx,
                    cipher: BulkCipher::$cipher,
                    mac: MacAlgorithm::$mac,
                    prf: HashAlgorithm::$prf,
                    min_version: $min,
                    max_version: $max,
                },
            )*
        ];
    };
}

cipher_suites! {
    0x0000 TLS_NULL_WITH_NULL_NULL                       => Null,         Null,             Null,   Sha256, 0x0300, 0x0303;
    0x0001 TLS_RSA_WITH_NULL_MD5                         => Rsa,          Null,             Md5,    Sha256, 0x0300, 0x0303;
    0x0002 TLS_RSA_WITH_NULL_SHA                         => Rsa,          Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0x0003 TLS_RSA_EXPORT_WITH_RC4_40_MD5                => RsaExport,    Rc4_40,           Md5,    Sha256, 0x0300, 0x0302;
    0x0004 TLS_RSA_WITH_RC4_128_MD5                      => Rsa,          Rc4_128,          Md5,    Sha256, 0x0300, 0x0303;
    0x0005 TLS_RSA_WITH_RC4_128_SHA                      => Rsa,          Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0006 TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5            => RsaExport,    Rc2Cbc40,         Md5,    Sha256, 0x0300, 0x0302;
    0x0007 TLS_RSA_WITH_IDEA_CBC_SHA                     => Rsa,          Idea,             Sha1,   Sha256, 0x0300, 0x0302;
    0x0008 TLS_RSA_EXPORT_WITH_DES40_CBC_SHA             => RsaExport,    Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x0009 TLS_RSA_WITH_DES_CBC_SHA                      => Rsa,          Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x000A TLS_RSA_WITH_3DES_EDE_CBC_SHA                 => Rsa,          TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x000B TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA          => DhDss,        Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x000C TLS_DH_DSS_WITH_DES_CBC_SHA                   => DhDss,        Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x000D TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA              => DhDss,        TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x000E TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA          => DhRsa,        Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x000F TLS_DH_RSA_WITH_DES_CBC_SHA                   => DhRsa,        Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x0010 TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA              => DhRsa,        TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0011 TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA         => DheDssExport, Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x0012 TLS_DHE_DSS_WITH_DES_CBC_SHA                  => DheDss,       Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x0013 TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA             => DheDss,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0014 TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA         => DheRsaExport, Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x0015 TLS_DHE_RSA_WITH_DES_CBC_SHA                  => DheRsa,       Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x0016 TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA             => DheRsa,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0017 TLS_DH_anon_EXPORT_WITH_RC4_40_MD5            => DhAnonExport, Rc4_40,           Md5,    Sha256, 0x0300, 0x0302;
    0x0018 TLS_DH_anon_WITH_RC4_128_MD5                  => DhAnon,       Rc4_128,          Md5,    Sha256, 0x0300, 0x0303;
    0x0019 TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA         => DhAnonExport, Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x001A TLS_DH_anon_WITH_DES_CBC_SHA                  => DhAnon,       Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x001B TLS_DH_anon_WITH_3DES_EDE_CBC_SHA             => DhAnon,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x001E TLS_KRB5_WITH_DES_CBC_SHA                     => Krb5,         Des,              Sha1,   Sha256, 0x0300, 0x0302;
    0x001F TLS_KRB5_WITH_3DES_EDE_CBC_SHA                => Krb5,         TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0020 TLS_KRB5_WITH_RC4_128_SHA                     => Krb5,         Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0021 TLS_KRB5_WITH_IDEA_CBC_SHA                    => Krb5,         Idea,             Sha1,   Sha256, 0x0300, 0x0302;
    0x0022 TLS_KRB5_WITH_DES_CBC_MD5                     => Krb5,         Des,              Md5,    Sha256, 0x0300, 0x0302;
    0x0023 TLS_KRB5_WITH_3DES_EDE_CBC_MD5                => Krb5,         TripleDes,        Md5,    Sha256, 0x0300, 0x0303;
    0x0024 TLS_KRB5_WITH_RC4_128_MD5                     => Krb5,         Rc4_128,          Md5,    Sha256, 0x0300, 0x0303;
    0x0025 TLS_KRB5_WITH_IDEA_CBC_MD5                    => Krb5,         Idea,             Md5,    Sha256, 0x0300, 0x0302;
    0x0026 TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA           => Krb5Export,   Des40,            Sha1,   Sha256, 0x0300, 0x0302;
    0x0027 TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA           => Krb5Export,   Rc2Cbc40,         Sha1,   Sha256, 0x0300, 0x0302;
    0x0028 TLS_KRB5_EXPORT_WITH_RC4_40_SHA               => Krb5Export,   Rc4_40,           Sha1,   Sha256, 0x0300, 0x0302;
    0x0029 TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5           => Krb5Export,   Des40,            Md5,    Sha256, 0x0300, 0x0302;
    0x002A TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5           => Krb5Export,   Rc2Cbc40,         Md5,    Sha256, 0x0300, 0x0302;
    0x002B TLS_KRB5_EXPORT_WITH_RC4_40_MD5               => Krb5Export,   Rc4_40,           Md5,    Sha256, 0x0300, 0x0302;
    0x002C TLS_PSK_WITH_NULL_SHA                         => Psk,          Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0x002D TLS_DHE_PSK_WITH_NULL_SHA                     => DhePsk,       Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0x002E TLS_RSA_PSK_WITH_NULL_SHA                     => RsaPsk,       Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0x002F TLS_RSA_WITH_AES_128_CBC_SHA                  => Rsa,          Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0030 TLS_DH_DSS_WITH_AES_128_CBC_SHA               => DhDss,        Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0031 TLS_DH_RSA_WITH_AES_128_CBC_SHA               => DhRsa,        Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0032 TLS_DHE_DSS_WITH_AES_128_CBC_SHA              => DheDss,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0033 TLS_DHE_RSA_WITH_AES_128_CBC_SHA              => DheRsa,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0034 TLS_DH_anon_WITH_AES_128_CBC_SHA              => DhAnon,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0035 TLS_RSA_WITH_AES_256_CBC_SHA                  => Rsa,          Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0036 TLS_DH_DSS_WITH_AES_256_CBC_SHA               => DhDss,        Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0037 TLS_DH_RSA_WITH_AES_256_CBC_SHA               => DhRsa,        Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0038 TLS_DHE_DSS_WITH_AES_256_CBC_SHA              => DheDss,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0039 TLS_DHE_RSA_WITH_AES_256_CBC_SHA              => DheRsa,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x003A TLS_DH_anon_WITH_AES_256_CBC_SHA              => DhAnon,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x003B TLS_RSA_WITH_NULL_SHA256                      => Rsa,          Null,             Sha256, Sha256, 0x0303, 0x0303;
    0x003C TLS_RSA_WITH_AES_128_CBC_SHA256               => Rsa,          Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x003D TLS_RSA_WITH_AES_256_CBC_SHA256               => Rsa,          Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x003E TLS_DH_DSS_WITH_AES_128_CBC_SHA256            => DhDss,        Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x003F TLS_DH_RSA_WITH_AES_128_CBC_SHA256            => DhRsa,        Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x0040 TLS_DHE_DSS_WITH_AES_128_CBC_SHA256           => DheDss,       Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x0041 TLS_RSA_WITH_CAMELLIA_128_CBC_SHA             => Rsa,          Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0042 TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA          => DhDss,        Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0043 TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA          => DhRsa,        Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0044 TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA         => DheDss,       Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0045 TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA         => DheRsa,       Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0046 TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA         => DhAnon,       Camellia128Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0067 TLS_DHE_RSA_WITH_AES_128_CBC_SHA256           => DheRsa,       Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x0068 TLS_DH_DSS_WITH_AES_256_CBC_SHA256            => DhDss,        Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x0069 TLS_DH_RSA_WITH_AES_256_CBC_SHA256            => DhRsa,        Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x006A TLS_DHE_DSS_WITH_AES_256_CBC_SHA256           => DheDss,       Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x006B TLS_DHE_RSA_WITH_AES_256_CBC_SHA256           => DheRsa,       Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x006C TLS_DH_anon_WITH_AES_128_CBC_SHA256           => DhAnon,       Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x006D TLS_DH_anon_WITH_AES_256_CBC_SHA256           => DhAnon,       Aes256Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x0084 TLS_RSA_WITH_CAMELLIA_256_CBC_SHA             => Rsa,          Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0085 TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA          => DhDss,        Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0086 TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA          => DhRsa,        Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0087 TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA         => DheDss,       Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0088 TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA         => DheRsa,       Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x0089 TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA         => DhAnon,       Camellia256Cbc,   Sha1,   Sha256, 0x0300, 0x0303;
    0x008A TLS_PSK_WITH_RC4_128_SHA                      => Psk,          Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0x008B TLS_PSK_WITH_3DES_EDE_CBC_SHA                 => Psk,          TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x008C TLS_PSK_WITH_AES_128_CBC_SHA                  => Psk,          Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x008D TLS_PSK_WITH_AES_256_CBC_SHA                  => Psk,          Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x008E TLS_DHE_PSK_WITH_RC4_128_SHA                  => DhePsk,       Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0x008F TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA             => DhePsk,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0090 TLS_DHE_PSK_WITH_AES_128_CBC_SHA              => DhePsk,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0091 TLS_DHE_PSK_WITH_AES_256_CBC_SHA              => DhePsk,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0092 TLS_RSA_PSK_WITH_RC4_128_SHA                  => RsaPsk,       Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0093 TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA             => RsaPsk,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0094 TLS_RSA_PSK_WITH_AES_128_CBC_SHA              => RsaPsk,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0095 TLS_RSA_PSK_WITH_AES_256_CBC_SHA              => RsaPsk,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0x0096 TLS_RSA_WITH_SEED_CBC_SHA                     => Rsa,          SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0097 TLS_DH_DSS_WITH_SEED_CBC_SHA                  => DhDss,        SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0098 TLS_DH_RSA_WITH_SEED_CBC_SHA                  => DhRsa,        SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x0099 TLS_DHE_DSS_WITH_SEED_CBC_SHA                 => DheDss,       SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x009A TLS_DHE_RSA_WITH_SEED_CBC_SHA                 => DheRsa,       SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x009B TLS_DH_anon_WITH_SEED_CBC_SHA                 => DhAnon,       SeedCbc,          Sha1,   Sha256, 0x0300, 0x0303;
    0x009C TLS_RSA_WITH_AES_128_GCM_SHA256               => Rsa,          Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x009D TLS_RSA_WITH_AES_256_GCM_SHA384               => Rsa,          Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x009E TLS_DHE_RSA_WITH_AES_128_GCM_SHA256           => DheRsa,       Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x009F TLS_DHE_RSA_WITH_AES_256_GCM_SHA384           => DheRsa,       Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00A0 TLS_DH_RSA_WITH_AES_128_GCM_SHA256            => DhRsa,        Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00A1 TLS_DH_RSA_WITH_AES_256_GCM_SHA384            => DhRsa,        Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00A2 TLS_DHE_DSS_WITH_AES_128_GCM_SHA256           => DheDss,       Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00A3 TLS_DHE_DSS_WITH_AES_256_GCM_SHA384           => DheDss,       Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00A4 TLS_DH_DSS_WITH_AES_128_GCM_SHA256            => DhDss,        Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00A5 TLS_DH_DSS_WITH_AES_256_GCM_SHA384            => DhDss,        Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00A6 TLS_DH_anon_WITH_AES_128_GCM_SHA256           => DhAnon,       Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00A7 TLS_DH_anon_WITH_AES_256_GCM_SHA384           => DhAnon,       Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00A8 TLS_PSK_WITH_AES_128_GCM_SHA256               => Psk,          Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00A9 TLS_PSK_WITH_AES_256_GCM_SHA384               => Psk,          Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00AA TLS_DHE_PSK_WITH_AES_128_GCM_SHA256           => DhePsk,       Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00AB TLS_DHE_PSK_WITH_AES_256_GCM_SHA384           => DhePsk,       Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00AC TLS_RSA_PSK_WITH_AES_128_GCM_SHA256           => RsaPsk,       Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0x00AD TLS_RSA_PSK_WITH_AES_256_GCM_SHA384           => RsaPsk,       Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0x00AE TLS_PSK_WITH_AES_128_CBC_SHA256               => Psk,          Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x00AF TLS_PSK_WITH_AES_256_CBC_SHA384               => Psk,          Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0x00B0 TLS_PSK_WITH_NULL_SHA256                      => Psk,          Null,             Sha256, Sha256, 0x0303, 0x0303;
    0x00B1 TLS_PSK_WITH_NULL_SHA384                      => Psk,          Null,             Sha384, Sha384, 0x0303, 0x0303;
    0x00B2 TLS_DHE_PSK_WITH_AES_128_CBC_SHA256           => DhePsk,       Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x00B3 TLS_DHE_PSK_WITH_AES_256_CBC_SHA384           => DhePsk,       Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0x00B4 TLS_DHE_PSK_WITH_NULL_SHA256                  => DhePsk,       Null,             Sha256, Sha256, 0x0303, 0x0303;
    0x00B5 TLS_DHE_PSK_WITH_NULL_SHA384                  => DhePsk,       Null,             Sha384, Sha384, 0x0303, 0x0303;
    0x00B6 TLS_RSA_PSK_WITH_AES_128_CBC_SHA256           => RsaPsk,       Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0x00B7 TLS_RSA_PSK_WITH_AES_256_CBC_SHA384           => RsaPsk,       Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0x00B8 TLS_RSA_PSK_WITH_NULL_SHA256                  => RsaPsk,       Null,             Sha256, Sha256, 0x0303, 0x0303;
    0x00B9 TLS_RSA_PSK_WITH_NULL_SHA384                  => RsaPsk,       Null,             Sha384, Sha384, 0x0303, 0x0303;
    0x00BA TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256          => Rsa,          Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00BB TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256       => DhDss,        Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00BC TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256       => DhRsa,        Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00BD TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256      => DheDss,       Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00BE TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256      => DheRsa,       Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00BF TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256      => DhAnon,       Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C0 TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256          => Rsa,          Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C1 TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256       => DhDss,        Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C2 TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256       => DhRsa,        Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C3 TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256      => DheDss,       Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C4 TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256      => DheRsa,       Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x00C5 TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256      => DhAnon,       Camellia256Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0x1301 TLS_AES_128_GCM_SHA256                        => Tls13,        Aes128Gcm,        Aead,   Sha256, 0x0304, 0x0304;
    0x1302 TLS_AES_256_GCM_SHA384                        => Tls13,        Aes256Gcm,        Aead,   Sha384, 0x0304, 0x0304;
    0x1303 TLS_CHACHA20_POLY1305_SHA256                  => Tls13,        Chacha20Poly1305, Aead,   Sha256, 0x0304, 0x0304;
    0x1304 TLS_AES_128_CCM_SHA256                        => Tls13,        Aes128Ccm,        Aead,   Sha256, 0x0304, 0x0304;
    0x1305 TLS_AES_128_CCM_8_SHA256                      => Tls13,        Aes128Ccm8,       Aead,   Sha256, 0x0304, 0x0304;
    0xC001 TLS_ECDH_ECDSA_WITH_NULL_SHA                  => EcdhEcdsa,    Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC002 TLS_ECDH_ECDSA_WITH_RC4_128_SHA               => EcdhEcdsa,    Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC003 TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA          => EcdhEcdsa,    TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC004 TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA           => EcdhEcdsa,    Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC005 TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA           => EcdhEcdsa,    Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC006 TLS_ECDHE_ECDSA_WITH_NULL_SHA                 => EcdheEcdsa,   Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC007 TLS_ECDHE_ECDSA_WITH_RC4_128_SHA              => EcdheEcdsa,   Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC008 TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA         => EcdheEcdsa,   TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC009 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA          => EcdheEcdsa,   Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC00A TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA          => EcdheEcdsa,   Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC00B TLS_ECDH_RSA_WITH_NULL_SHA                    => EcdhRsa,      Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC00C TLS_ECDH_RSA_WITH_RC4_128_SHA                 => EcdhRsa,      Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC00D TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA            => EcdhRsa,      TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC00E TLS_ECDH_RSA_WITH_AES_128_CBC_SHA             => EcdhRsa,      Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC00F TLS_ECDH_RSA_WITH_AES_256_CBC_SHA             => EcdhRsa,      Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC010 TLS_ECDHE_RSA_WITH_NULL_SHA                   => EcdheRsa,     Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC011 TLS_ECDHE_RSA_WITH_RC4_128_SHA                => EcdheRsa,     Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC012 TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA           => EcdheRsa,     TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC013 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA            => EcdheRsa,     Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC014 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA            => EcdheRsa,     Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC015 TLS_ECDH_anon_WITH_NULL_SHA                   => EcdhAnon,     Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC016 TLS_ECDH_anon_WITH_RC4_128_SHA                => EcdhAnon,     Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC017 TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA           => EcdhAnon,     TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC018 TLS_ECDH_anon_WITH_AES_128_CBC_SHA            => EcdhAnon,     Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC019 TLS_ECDH_anon_WITH_AES_256_CBC_SHA            => EcdhAnon,     Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01A TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA             => Srp,          TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01B TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA         => SrpRsa,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01C TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA         => SrpDss,       TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01D TLS_SRP_SHA_WITH_AES_128_CBC_SHA              => Srp,          Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01E TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA          => SrpRsa,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC01F TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA          => SrpDss,       Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC020 TLS_SRP_SHA_WITH_AES_256_CBC_SHA              => Srp,          Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC021 TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA          => SrpRsa,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC022 TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA          => SrpDss,       Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC023 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256       => EcdheEcdsa,   Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0xC024 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384       => EcdheEcdsa,   Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0xC025 TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256        => EcdhEcdsa,    Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0xC026 TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384        => EcdhEcdsa,    Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0xC027 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256         => EcdheRsa,     Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0xC028 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384         => EcdheRsa,     Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0xC029 TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256          => EcdhRsa,      Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0xC02A TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384          => EcdhRsa,      Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0xC02B TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       => EcdheEcdsa,   Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC02C TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       => EcdheEcdsa,   Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0xC02D TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256        => EcdhEcdsa,    Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC02E TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384        => EcdhEcdsa,    Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0xC02F TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         => EcdheRsa,     Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC030 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         => EcdheRsa,     Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0xC031 TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256          => EcdhRsa,      Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC032 TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384          => EcdhRsa,      Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0xC033 TLS_ECDHE_PSK_WITH_RC4_128_SHA                => EcdhePsk,     Rc4_128,          Sha1,   Sha256, 0x0300, 0x0303;
    0xC034 TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA           => EcdhePsk,     TripleDes,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC035 TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA            => EcdhePsk,     Aes128Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC036 TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA            => EcdhePsk,     Aes256Cbc,        Sha1,   Sha256, 0x0300, 0x0303;
    0xC037 TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256         => EcdhePsk,     Aes128Cbc,        Sha256, Sha256, 0x0303, 0x0303;
    0xC038 TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384         => EcdhePsk,     Aes256Cbc,        Sha384, Sha384, 0x0303, 0x0303;
    0xC039 TLS_ECDHE_PSK_WITH_NULL_SHA                   => EcdhePsk,     Null,             Sha1,   Sha256, 0x0300, 0x0303;
    0xC03A TLS_ECDHE_PSK_WITH_NULL_SHA256                => EcdhePsk,     Null,             Sha256, Sha256, 0x0303, 0x0303;
    0xC03B TLS_ECDHE_PSK_WITH_NULL_SHA384                => EcdhePsk,     Null,             Sha384, Sha384, 0x0303, 0x0303;
    0xC03C TLS_RSA_WITH_ARIA_128_CBC_SHA256              => Rsa,          Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC03D TLS_RSA_WITH_ARIA_256_CBC_SHA384              => Rsa,          Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC03E TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256           => DhDss,        Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC03F TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384           => DhDss,        Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC040 TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256           => DhRsa,        Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC041 TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384           => DhRsa,        Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC042 TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256          => DheDss,       Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC043 TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384          => DheDss,       Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC044 TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256          => DheRsa,       Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC045 TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384          => DheRsa,       Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC046 TLS_DH_anon_WITH_ARIA_128_CBC_SHA256          => DhAnon,       Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC047 TLS_DH_anon_WITH_ARIA_256_CBC_SHA384          => DhAnon,       Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC048 TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256      => EcdheEcdsa,   Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC049 TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384      => EcdheEcdsa,   Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC04A TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256       => EcdhEcdsa,    Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC04B TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384       => EcdhEcdsa,    Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC04C TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256        => EcdheRsa,     Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC04D TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384        => EcdheRsa,     Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC04E TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256         => EcdhRsa,      Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC04F TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384         => EcdhRsa,      Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC050 TLS_RSA_WITH_ARIA_128_GCM_SHA256              => Rsa,          Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC051 TLS_RSA_WITH_ARIA_256_GCM_SHA384              => Rsa,          Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC052 TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256          => DheRsa,       Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC053 TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384          => DheRsa,       Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC054 TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256           => DhRsa,        Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC055 TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384           => DhRsa,        Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC056 TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256          => DheDss,       Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC057 TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384          => DheDss,       Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC058 TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256           => DhDss,        Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC059 TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384           => DhDss,        Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC05A TLS_DH_anon_WITH_ARIA_128_GCM_SHA256          => DhAnon,       Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC05B TLS_DH_anon_WITH_ARIA_256_GCM_SHA384          => DhAnon,       Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC05C TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256      => EcdheEcdsa,   Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC05D TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384      => EcdheEcdsa,   Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC05E TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256       => EcdhEcdsa,    Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC05F TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384       => EcdhEcdsa,    Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC060 TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256        => EcdheRsa,     Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC061 TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384        => EcdheRsa,     Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC062 TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256         => EcdhRsa,      Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC063 TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384         => EcdhRsa,      Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC064 TLS_PSK_WITH_ARIA_128_CBC_SHA256              => Psk,          Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC065 TLS_PSK_WITH_ARIA_256_CBC_SHA384              => Psk,          Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC066 TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256          => DhePsk,       Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC067 TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384          => DhePsk,       Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC068 TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256          => RsaPsk,       Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC069 TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384          => RsaPsk,       Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC06A TLS_PSK_WITH_ARIA_128_GCM_SHA256              => Psk,          Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC06B TLS_PSK_WITH_ARIA_256_GCM_SHA384              => Psk,          Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC06C TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256          => DhePsk,       Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC06D TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384          => DhePsk,       Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC06E TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256          => RsaPsk,       Aria128Gcm,       Aead,   Sha256, 0x0303, 0x0303;
    0xC06F TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384          => RsaPsk,       Aria256Gcm,       Aead,   Sha384, 0x0303, 0x0303;
    0xC070 TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256        => EcdhePsk,     Aria128Cbc,       Sha256, Sha256, 0x0303, 0x0303;
    0xC071 TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384        => EcdhePsk,     Aria256Cbc,       Sha384, Sha384, 0x0303, 0x0303;
    0xC072 TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256  => EcdheEcdsa,   Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC073 TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384  => EcdheEcdsa,   Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC074 TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256   => EcdhEcdsa,    Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC075 TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384   => EcdhEcdsa,    Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC076 TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256    => EcdheRsa,     Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC077 TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384    => EcdheRsa,     Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC078 TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256     => EcdhRsa,      Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC079 TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384     => EcdhRsa,      Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC07A TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256          => Rsa,          Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC07B TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384          => Rsa,          Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC07C TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256      => DheRsa,       Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC07D TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384      => DheRsa,       Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC07E TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256       => DhRsa,        Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC07F TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384       => DhRsa,        Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC080 TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256      => DheDss,       Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC081 TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384      => DheDss,       Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC082 TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256       => DhDss,        Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC083 TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384       => DhDss,        Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC084 TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256      => DhAnon,       Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC085 TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384      => DhAnon,       Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC086 TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256  => EcdheEcdsa,   Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC087 TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384  => EcdheEcdsa,   Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC088 TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256   => EcdhEcdsa,    Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC089 TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384   => EcdhEcdsa,    Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC08A TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256    => EcdheRsa,     Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC08B TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384    => EcdheRsa,     Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC08C TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256     => EcdhRsa,      Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC08D TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384     => EcdhRsa,      Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC08E TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256          => Psk,          Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC08F TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384          => Psk,          Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC090 TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256      => DhePsk,       Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC091 TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384      => DhePsk,       Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC092 TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256      => RsaPsk,       Camellia128Gcm,   Aead,   Sha256, 0x0303, 0x0303;
    0xC093 TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384      => RsaPsk,       Camellia256Gcm,   Aead,   Sha384, 0x0303, 0x0303;
    0xC094 TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256          => Psk,          Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC095 TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384          => Psk,          Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC096 TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256      => DhePsk,       Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC097 TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384      => DhePsk,       Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC098 TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256      => RsaPsk,       Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC099 TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384      => RsaPsk,       Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC09A TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256    => EcdhePsk,     Camellia128Cbc,   Sha256, Sha256, 0x0303, 0x0303;
    0xC09B TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384    => EcdhePsk,     Camellia256Cbc,   Sha384, Sha384, 0x0303, 0x0303;
    0xC09C TLS_RSA_WITH_AES_128_CCM                      => Rsa,          Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC09D TLS_RSA_WITH_AES_256_CCM                      => Rsa,          Aes256Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC09E TLS_DHE_RSA_WITH_AES_128_CCM                  => DheRsa,       Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC09F TLS_DHE_RSA_WITH_AES_256_CCM                  => DheRsa,       Aes256Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0A0 TLS_RSA_WITH_AES_128_CCM_8                    => Rsa,          Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0A1 TLS_RSA_WITH_AES_256_CCM_8                    => Rsa,          Aes256Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0A2 TLS_DHE_RSA_WITH_AES_128_CCM_8                => DheRsa,       Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0A3 TLS_DHE_RSA_WITH_AES_256_CCM_8                => DheRsa,       Aes256Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0A4 TLS_PSK_WITH_AES_128_CCM                      => Psk,          Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0A5 TLS_PSK_WITH_AES_256_CCM                      => Psk,          Aes256Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0A6 TLS_DHE_PSK_WITH_AES_128_CCM                  => DhePsk,       Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0A7 TLS_DHE_PSK_WITH_AES_256_CCM                  => DhePsk,       Aes256Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0A8 TLS_PSK_WITH_AES_128_CCM_8                    => Psk,          Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0A9 TLS_PSK_WITH_AES_256_CCM_8                    => Psk,          Aes256Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0AA TLS_PSK_DHE_WITH_AES_128_CCM_8                => DhePsk,       Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0AB TLS_PSK_DHE_WITH_AES_256_CCM_8                => DhePsk,       Aes256Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0AC TLS_ECDHE_ECDSA_WITH_AES_128_CCM              => EcdheEcdsa,   Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0AD TLS_ECDHE_ECDSA_WITH_AES_256_CCM              => EcdheEcdsa,   Aes256Ccm,        Aead,   Sha256, 0x0303, 0x0303;
    0xC0AE TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8            => EcdheEcdsa,   Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xC0AF TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8            => EcdheEcdsa,   Aes256Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xCCA8 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   => EcdheRsa,     Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCA9 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => EcdheEcdsa,   Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCAA TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256     => DheRsa,       Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCAB TLS_PSK_WITH_CHACHA20_POLY1305_SHA256         => Psk,          Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCAC TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256   => EcdhePsk,     Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCAD TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256     => DhePsk,       Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xCCAE TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256     => RsaPsk,       Chacha20Poly1305, Aead,   Sha256, 0x0303, 0x0303;
    0xD001 TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256         => EcdhePsk,     Aes128Gcm,        Aead,   Sha256, 0x0303, 0x0303;
    0xD002 TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384         => EcdhePsk,     Aes256Gcm,        Aead,   Sha384, 0x0303, 0x0303;
    0xD003 TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256       => EcdhePsk,     Aes128Ccm8,       Aead,   Sha256, 0x0303, 0x0303;
    0xD005 TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256         => EcdhePsk,     Aes128Ccm,        Aead,   Sha256, 0x0303, 0x0303;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Versions as wire values.
    const SSL3: u16 = 0x0300;
    const TLS11: u16 = 0x0302;
    const TLS12: u16 = 0x0303;
    const TLS13: u16 = 0x0304;

    fn row(id: u16) -> &'static SuiteInfo {
        CipherSuite(id).info().unwrap_or_else(|| panic!("0x{id:04x} missing"))
    }

    fn count(pred: impl Fn(&SuiteInfo) -> bool) -> usize {
        SUITES.iter().filter(|s| pred(s)).count()
    }

    #[test]
    fn table_is_sorted_without_duplicates() {
        assert_eq!(SUITES.len(), 333);
        for pair in SUITES.windows(2) {
            assert!(pair[0].suite < pair[1].suite, "{} not before {}", pair[0].name, pair[1].name);
        }
        for (i, a) in SUITES.iter().enumerate() {
            for b in &SUITES[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{}", a.name);
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in SUITES {
            assert_eq!(CipherSuite::from_name(s.name), Some(s.suite));
            assert_eq!(CipherSuite::from_name(&s.name.to_ascii_lowercase()), Some(s.suite));
            assert_eq!(CipherSuite::from_name(&s.name.to_ascii_uppercase()), Some(s.suite));
            assert_eq!(s.suite.name(), Some(s.name));
            assert_eq!(s.suite.to_string(), s.name);
            assert_eq!(format!("{:?}", s.suite), s.name);
        }
        assert_eq!(CipherSuite::from_name(""), None);
        assert_eq!(CipherSuite::from_name("TLS_RSA_WITH_AES_128_CBC_SHA "), None);
        assert_eq!(CipherSuite::from_name("TLS_RSA_WITH_AES_128_CBC"), None);
    }

    #[test]
    fn info_agrees_with_table() {
        for s in SUITES {
            let info = s.suite.info().expect("row present");
            assert!(core::ptr::eq(info, s));
            assert_eq!(s.suite.is_tls13(), s.kx == KeyExchange::Tls13, "{}", s.name);
        }
        for id in [
            0x00FF, 0x5600, 0x001C, 0x001D, 0x0047, 0x0066, 0x006E, 0x00C6, 0x0100, 0x0A0A, 0x1300, 0x1306, 0xC000,
            0xC0B0, 0xCCA7, 0xCCAF, 0xD000, 0xD004, 0xD006, 0xFAFA, 0xFFFF,
        ] {
            assert_eq!(CipherSuite(id).info(), None, "0x{id:04x}");
            assert!(!CipherSuite(id).is_tls13());
        }
    }

    #[test]
    fn signalling_values() {
        let renego = CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
        let fallback = CipherSuite::TLS_FALLBACK_SCSV;
        assert_eq!(renego, CipherSuite(0x00FF));
        assert_eq!(fallback, CipherSuite(0x5600));
        assert_eq!(renego.info(), None);
        assert_eq!(fallback.info(), None);
        assert_eq!(renego.name(), Some("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"));
        assert_eq!(fallback.to_string(), "TLS_FALLBACK_SCSV");
        assert_eq!(CipherSuite::from_name("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"), Some(renego));
        assert_eq!(CipherSuite::from_name("tls_fallback_scsv"), Some(fallback));
    }

    #[test]
    fn unknown_formatting() {
        assert_eq!(CipherSuite(0xabcd).to_string(), "Unknown(0xabcd)");
        assert_eq!(format!("{:?}", CipherSuite(0x0a0a)), "Unknown(0x0a0a)");
        assert_eq!(CipherSuite(0xabcd).name(), None);
    }

    #[test]
    fn spot_checks_against_iana() {
        let known: &[(u16, &str)] = &[
            (0x0000, "TLS_NULL_WITH_NULL_NULL"),
            (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
            (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
            (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
            (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
            (0x001E, "TLS_KRB5_WITH_DES_CBC_SHA"),
            (0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5"),
            (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
            (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
            (0x003B, "TLS_RSA_WITH_NULL_SHA256"),
            (0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
            (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
            (0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
            (0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA"),
            (0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"),
            (0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            (0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
            (0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256"),
            (0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384"),
            (0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),
            (0x1301, "TLS_AES_128_GCM_SHA256"),
            (0x1302, "TLS_AES_256_GCM_SHA384"),
            (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
            (0x1305, "TLS_AES_128_CCM_8_SHA256"),
            (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
            (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            (0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),
            (0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA"),
            (0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"),
            (0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            (0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            (0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            (0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            (0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"),
            (0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256"),
            (0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
            (0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384"),
            (0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"),
            (0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384"),
            (0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"),
            (0xC09C, "TLS_RSA_WITH_AES_128_CCM"),
            (0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"),
            (0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8"),
            (0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"),
            (0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"),
            (0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            (0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            (0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"),
            (0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"),
            (0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"),
            (0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"),
        ];
        for &(id, name) in known {
            assert_eq!(row(id).name, name);
            assert_eq!(CipherSuite::from_name(name), Some(CipherSuite(id)));
        }
        assert_eq!(CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite(0x1301));
        assert_eq!(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite(0xC02F));
        assert_eq!(CipherSuite::TLS_DH_anon_WITH_AES_128_CBC_SHA, CipherSuite(0x0034));
        assert_eq!(CipherSuite::TLS_ECDH_anon_WITH_NULL_SHA, CipherSuite(0xC015));
    }

    #[test]
    fn row_details() {
        let s = row(0xC02F);
        assert_eq!(s.kx, KeyExchange::EcdheRsa);
        assert_eq!(s.cipher, BulkCipher::Aes128Gcm);
        assert_eq!(s.mac, MacAlgorithm::Aead);
        assert_eq!(s.prf, HashAlgorithm::Sha256);
        assert_eq!((s.min_version, s.max_version), (TLS12, TLS12));
        assert!(s.is_ephemeral() && !s.is_anonymous() && !s.uses_psk() && !s.is_export());
        assert_eq!(s.signature_kind(), Some(SignatureKind::Rsa));

        let s = row(0x000A);
        assert_eq!(s.kx, KeyExchange::Rsa);
        assert_eq!(s.cipher, BulkCipher::TripleDes);
        assert_eq!(s.mac, MacAlgorithm::Sha1);
        assert_eq!((s.min_version, s.max_version), (SSL3, TLS12));
        assert!(!s.is_ephemeral());

        let s = row(0x0003);
        assert_eq!(s.kx, KeyExchange::RsaExport);
        assert_eq!(s.cipher, BulkCipher::Rc4_40);
        assert_eq!(s.mac, MacAlgorithm::Md5);
        assert!(s.is_export());
        assert_eq!((s.min_version, s.max_version), (SSL3, TLS11));

        let s = row(0x000B);
        assert_eq!(s.kx, KeyExchange::DhDss);
        assert_eq!(s.cipher, BulkCipher::Des40);
        assert!(s.is_export());
        assert_eq!(s.signature_kind(), Some(SignatureKind::Dsa));

        let s = row(0x0009);
        assert_eq!(s.cipher, BulkCipher::Des);
        assert!(!s.is_export());
        assert_eq!((s.min_version, s.max_version), (SSL3, TLS11));
        assert_eq!(row(0x0007).cipher, BulkCipher::Idea);
        assert_eq!(row(0x0007).max_version, TLS11);

        let s = row(0x0027);
        assert_eq!(s.kx, KeyExchange::Krb5Export);
        assert_eq!(s.cipher, BulkCipher::Rc2Cbc40);
        assert_eq!(s.signature_kind(), None);

        let s = row(0x1302);
        assert_eq!(s.kx, KeyExchange::Tls13);
        assert_eq!(s.prf, HashAlgorithm::Sha384);
        assert!(s.is_ephemeral());
        assert_eq!(s.signature_kind(), None);

        let s = row(0xC0AE);
        assert_eq!(s.cipher, BulkCipher::Aes128Ccm8);
        assert_eq!(s.signature_kind(), Some(SignatureKind::Ecdsa));
        assert_eq!(s.prf, HashAlgorithm::Sha256);

        let s = row(0xC0AB);
        assert_eq!(s.kx, KeyExchange::DhePsk);
        assert_eq!(s.cipher, BulkCipher::Aes256Ccm8);
        assert!(s.uses_psk() && s.is_ephemeral() && !s.is_anonymous());

        let s = row(0x00AF);
        assert_eq!(s.cipher, BulkCipher::Aes256Cbc);
        assert_eq!(s.mac, MacAlgorithm::Sha384);
        assert_eq!(s.prf, HashAlgorithm::Sha384);
        assert_eq!((s.min_version, s.max_version), (TLS12, TLS12));

        let s = row(0xC016);
        assert_eq!(s.kx, KeyExchange::EcdhAnon);
        assert!(s.is_anonymous() && s.is_ephemeral());
        assert_eq!(s.signature_kind(), None);

        let s = row(0xC01B);
        assert_eq!(s.kx, KeyExchange::SrpRsa);
        assert_eq!(s.signature_kind(), Some(SignatureKind::Rsa));
        assert_eq!(row(0xC01A).signature_kind(), None);
        assert_eq!(row(0xC01C).signature_kind(), Some(SignatureKind::Dsa));

        let s = row(0x0000);
        assert_eq!(s.kx, KeyExchange::Null);
        assert_eq!(s.cipher, BulkCipher::Null);
        assert_eq!(s.mac, MacAlgorithm::Null);
    }

    #[test]
    fn version_ranges() {
        for s in SUITES {
            let range = (s.min_version, s.max_version);
            if s.kx == KeyExchange::Tls13 {
                assert_eq!(range, (TLS13, TLS13), "{}", s.name);
            } else if s.cipher.is_aead() || matches!(s.mac, MacAlgorithm::Sha256 | MacAlgorithm::Sha384) {
                assert_eq!(range, (TLS12, TLS12), "{}", s.name);
            } else if s.is_export() || matches!(s.cipher, BulkCipher::Des | BulkCipher::Idea) {
                assert_eq!(range, (SSL3, TLS11), "{}", s.name);
            } else {
                assert_eq!(range, (SSL3, TLS12), "{}", s.name);
            }
            if s.name.contains("_GCM") {
                let expected = if s.suite.is_tls13() { TLS13 } else { TLS12 };
                assert_eq!(s.min_version, expected, "{}", s.name);
            }
        }
    }

    #[test]
    fn parameters_follow_names() {
        for s in SUITES {
            let n = s.name;
            assert_eq!(s.cipher.is_aead(), s.mac == MacAlgorithm::Aead, "{n}");
            assert_eq!(n.ends_with("SHA384"), s.prf == HashAlgorithm::Sha384, "{n}");
            if !s.cipher.is_aead() {
                let mac = if n.ends_with("_SHA256") {
                    MacAlgorithm::Sha256
                } else if n.ends_with("_SHA384") {
                    MacAlgorithm::Sha384
                } else if n.ends_with("_SHA") {
                    MacAlgorithm::Sha1
                } else if n.ends_with("_MD5") {
                    MacAlgorithm::Md5
                } else {
                    MacAlgorithm::Null
                };
                assert_eq!(s.mac, mac, "{n}");
            }
            let gcm = matches!(
                s.cipher,
                BulkCipher::Aes128Gcm
                    | BulkCipher::Aes256Gcm
                    | BulkCipher::Camellia128Gcm
                    | BulkCipher::Camellia256Gcm
                    | BulkCipher::Aria128Gcm
                    | BulkCipher::Aria256Gcm
            );
            assert_eq!(n.contains("_GCM_"), gcm, "{n}");
            assert_eq!(n.contains("CCM_8"), s.cipher.tag_len() == 8, "{n}");
            assert_eq!(n.contains("CHACHA20"), s.cipher == BulkCipher::Chacha20Poly1305, "{n}");
            assert_eq!(n.contains("_EXPORT"), s.is_export(), "{n}");
            assert_eq!(n.contains("_anon_"), s.is_anonymous(), "{n}");
            assert_eq!(n.contains("PSK"), s.uses_psk(), "{n}");
            if n.contains("_128_") {
                assert_eq!(s.cipher.key_len(), 16, "{n}");
            }
            if n.contains("_256_") {
                assert_eq!(s.cipher.key_len(), 32, "{n}");
            }
            if n.contains("_CBC") {
                assert!(s.cipher.block_len().is_some(), "{n}");
            }
        }
    }

    #[test]
    fn family_counts() {
        assert_eq!(count(|s| s.kx == KeyExchange::Tls13), 5);
        // RFC 7905 defines seven TLS 1.2 ChaCha20 suites; TLS 1.3 adds one more.
        let chacha = |s: &SuiteInfo| s.cipher == BulkCipher::Chacha20Poly1305;
        assert_eq!(count(|s| chacha(s) && !s.suite.is_tls13()), 7);
        assert_eq!(count(chacha), 8);
        assert_eq!(count(|s| s.is_export()), 15);
        assert_eq!(count(|s| s.is_anonymous()), 27);
        assert_eq!(count(|s| s.uses_psk()), 86);
        assert_eq!(count(|s| matches!(s.kx, KeyExchange::Krb5 | KeyExchange::Krb5Export)), 14);
        assert_eq!(count(|s| matches!(s.kx, KeyExchange::Srp | KeyExchange::SrpRsa | KeyExchange::SrpDss)), 9);
        assert_eq!(count(|s| s.name.contains("_ARIA_")), 54);
        assert_eq!(count(|s| s.name.contains("_CAMELLIA_")), 66);
        assert_eq!(count(|s| s.cipher == BulkCipher::SeedCbc), 6);
        assert_eq!(count(|s| s.name.contains("_CCM")), 24);
        assert_eq!(count(|s| s.name.starts_with("TLS_ECDH_anon_")), 5);
        assert_eq!(count(|s| (0xC001..=0xC019).contains(&s.suite.0)), 25);
        assert_eq!(count(|s| (0x009C..=0x00A7).contains(&s.suite.0)), 12);
        assert_eq!(count(|s| (0x00A8..=0x00B9).contains(&s.suite.0)), 18);
        assert_eq!(count(|s| (0xD001..=0xD005).contains(&s.suite.0)), 4);
    }

    #[test]
    fn cipher_parameters() {
        use BulkCipher::*;
        assert_eq!(Aes128Gcm.key_len(), 16);
        assert_eq!(Aes256Gcm.key_len(), 32);
        assert_eq!(Chacha20Poly1305.key_len(), 32);
        assert_eq!(TripleDes.key_len(), 24);
        assert_eq!(Des.key_len(), 8);
        assert_eq!(Des40.key_len(), 5);
        assert_eq!(Rc4_40.key_len(), 5);
        assert_eq!(Rc2Cbc40.key_len(), 5);
        assert_eq!(Null.key_len(), 0);

        assert_eq!(TripleDes.block_len(), Some(8));
        assert_eq!(Idea.block_len(), Some(8));
        assert_eq!(Aes128Cbc.block_len(), Some(16));
        assert_eq!(SeedCbc.block_len(), Some(16));
        assert_eq!(Rc4_128.block_len(), None);
        assert_eq!(Aes128Gcm.block_len(), None);
        assert_eq!(Null.block_len(), None);

        assert!(Aes128Ccm8.is_aead() && Aria256Gcm.is_aead() && Chacha20Poly1305.is_aead());
        assert!(!Aes128Cbc.is_aead() && !Rc4_128.is_aead() && !Null.is_aead());

        assert_eq!(Aes128Gcm.fixed_iv_len(), 4);
        assert_eq!(Aes256Ccm8.fixed_iv_len(), 4);
        assert_eq!(Chacha20Poly1305.fixed_iv_len(), 12);
        assert_eq!(Aes256Cbc.fixed_iv_len(), 16);
        assert_eq!(TripleDes.fixed_iv_len(), 8);
        assert_eq!(Rc4_128.fixed_iv_len(), 0);
        assert_eq!(Null.fixed_iv_len(), 0);

        assert_eq!(Aes128Gcm.record_iv_len(), 8);
        assert_eq!(Aes128Ccm.record_iv_len(), 8);
        assert_eq!(Chacha20Poly1305.record_iv_len(), 0);
        assert_eq!(Rc4_128.record_iv_len(), 0);

        assert_eq!(Aes128Gcm.tag_len(), 16);
        assert_eq!(Aes128Ccm.tag_len(), 16);
        assert_eq!(Aes128Ccm8.tag_len(), 8);
        assert_eq!(Chacha20Poly1305.tag_len(), 16);
        assert_eq!(Aes128Cbc.tag_len(), 0);

        assert_eq!(Null.effective_key_bits(), 0);
        assert_eq!(Rc4_40.effective_key_bits(), 40);
        assert_eq!(Des40.effective_key_bits(), 40);
        assert_eq!(Des.effective_key_bits(), 56);
        assert_eq!(TripleDes.effective_key_bits(), 112);
        assert_eq!(Aes128Gcm.effective_key_bits(), 128);
        assert_eq!(Camellia256Cbc.effective_key_bits(), 256);

        assert_eq!(MacAlgorithm::Null.mac_len(), 0);
        assert_eq!(MacAlgorithm::Md5.mac_len(), 16);
        assert_eq!(MacAlgorithm::Sha1.mac_len(), 20);
        assert_eq!(MacAlgorithm::Sha256.mac_len(), 32);
        assert_eq!(MacAlgorithm::Sha384.mac_len(), 48);
        assert_eq!(MacAlgorithm::Aead.mac_len(), 0);
        assert_eq!(HashAlgorithm::Sha256.output_len(), 32);
        assert_eq!(HashAlgorithm::Sha384.output_len(), 48);
    }
}
