//! IANA numbers: one table per registry.
//!
//! Every registry is a newtype over its wire integer, so unknown values
//! round-trip unchanged. Known values are associated constants named as in
//! the IANA registry, and each type can print and parse its names.

mod suites;
pub use suites::*;

/// Declares a wire-number newtype with named constants, `name()`,
/// `from_name()`, and `Debug`/`Display` that print the name.
macro_rules! registry {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty) {
            $( $(#[$vmeta:meta])* $konst:ident = $value:expr => $text:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $int);

        impl $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("`", $text, "` (", stringify!($value), ").")]
                pub const $konst: $name = $name($value);
            )*

            /// Every value this registry names, in declaration order.
            pub const ALL: &'static [$name] = &[$($name($value)),*];

            /// The registry name of this value, if it is known.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            /// Parses a registry name (case-insensitive).
            pub fn from_name(name: &str) -> Option<$name> {
                $( if name.eq_ignore_ascii_case($text) { return Some($name($value)); } )*
                None
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }
    };
}

registry! {
    /// A protocol version as it appears on the wire.
    ///
    /// ```
    /// use ssl_core::constants::ProtocolVersion;
    /// assert_eq!(ProtocolVersion::from_name("tls1.3"), Some(ProtocolVersion::TLS1_3));
    /// assert!(ProtocolVersion::TLS1_2 < ProtocolVersion::TLS1_3);
    /// ```
    ProtocolVersion(u16) {
        SSL3_0 = 0x0300 => "ssl3.0",
        TLS1_0 = 0x0301 => "tls1.0",
        TLS1_1 = 0x0302 => "tls1.1",
        TLS1_2 = 0x0303 => "tls1.2",
        TLS1_3 = 0x0304 => "tls1.3",
    }
}

impl ProtocolVersion {
    /// Whether this is one of the versions this library can speak.
    pub fn is_known(self) -> bool {
        self.name().is_some()
    }
}

registry! {
    /// Record-layer content type (RFC 8446 §5.1).
    ContentType(u8) {
        CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
        ALERT = 21 => "alert",
        HANDSHAKE = 22 => "handshake",
        APPLICATION_DATA = 23 => "application_data",
        HEARTBEAT = 24 => "heartbeat",
    }
}

registry! {
    /// Handshake message type (RFC 8446 §4, RFC 5246 §7.4).
    HandshakeType(u8) {
        HELLO_REQUEST = 0 => "hello_request",
        CLIENT_HELLO = 1 => "client_hello",
        SERVER_HELLO = 2 => "server_hello",
        HELLO_VERIFY_REQUEST = 3 => "hello_verify_request",
        NEW_SESSION_TICKET = 4 => "new_session_ticket",
        END_OF_EARLY_DATA = 5 => "end_of_early_data",
        ENCRYPTED_EXTENSIONS = 8 => "encrypted_extensions",
        CERTIFICATE = 11 => "certificate",
        SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
        CERTIFICATE_REQUEST = 13 => "certificate_request",
        SERVER_HELLO_DONE = 14 => "server_hello_done",
        CERTIFICATE_VERIFY = 15 => "certificate_verify",
        CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
        FINISHED = 20 => "finished",
        CERTIFICATE_URL = 21 => "certificate_url",
        CERTIFICATE_STATUS = 22 => "certificate_status",
        SUPPLEMENTAL_DATA = 23 => "supplemental_data",
        KEY_UPDATE = 24 => "key_update",
        MESSAGE_HASH = 254 => "message_hash",
    }
}

registry! {
    /// Alert level (RFC 8446 §6).
    AlertLevel(u8) {
        WARNING = 1 => "warning",
        FATAL = 2 => "fatal",
    }
}

registry! {
    /// Alert description (RFC 8446 §6, RFC 5246 §7.2 and later RFCs).
    AlertDescription(u8) {
        CLOSE_NOTIFY = 0 => "close_notify",
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        DECRYPTION_FAILED = 21 => "decryption_failed",
        RECORD_OVERFLOW = 22 => "record_overflow",
        DECOMPRESSION_FAILURE = 30 => "decompression_failure",
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        NO_CERTIFICATE = 41 => "no_certificate",
        BAD_CERTIFICATE = 42 => "bad_certificate",
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        CERTIFICATE_REVOKED = 44 => "certificate_revoked",
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        UNKNOWN_CA = 48 => "unknown_ca",
        ACCESS_DENIED = 49 => "access_denied",
        DECODE_ERROR = 50 => "decode_error",
        DECRYPT_ERROR = 51 => "decrypt_error",
        EXPORT_RESTRICTION = 60 => "export_restriction",
        PROTOCOL_VERSION = 70 => "protocol_version",
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        INTERNAL_ERROR = 80 => "internal_error",
        INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
        USER_CANCELED = 90 => "user_canceled",
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        MISSING_EXTENSION = 109 => "missing_extension",
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
        CERTIFICATE_UNOBTAINABLE = 111 => "certificate_unobtainable",
        UNRECOGNIZED_NAME = 112 => "unrecognized_name",
        BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
        BAD_CERTIFICATE_HASH_VALUE = 114 => "bad_certificate_hash_value",
        UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
        CERTIFICATE_REQUIRED = 116 => "certificate_required",
        NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
    }
}

registry! {
    /// TLS extension type (IANA "TLS ExtensionType Values").
    ExtensionType(u16) {
        SERVER_NAME = 0 => "server_name",
        MAX_FRAGMENT_LENGTH = 1 => "max_fragment_length",
        CLIENT_CERTIFICATE_URL = 2 => "client_certificate_url",
        TRUSTED_CA_KEYS = 3 => "trusted_ca_keys",
        TRUNCATED_HMAC = 4 => "truncated_hmac",
        STATUS_REQUEST = 5 => "status_request",
        USER_MAPPING = 6 => "user_mapping",
        CLIENT_AUTHZ = 7 => "client_authz",
        SERVER_AUTHZ = 8 => "server_authz",
        CERT_TYPE = 9 => "cert_type",
        SUPPORTED_GROUPS = 10 => "supported_groups",
        EC_POINT_FORMATS = 11 => "ec_point_formats",
        SRP = 12 => "srp",
        SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
        USE_SRTP = 14 => "use_srtp",
        HEARTBEAT = 15 => "heartbeat",
        APPLICATION_LAYER_PROTOCOL_NEGOTIATION = 16 => "application_layer_protocol_negotiation",
        STATUS_REQUEST_V2 = 17 => "status_request_v2",
        SIGNED_CERTIFICATE_TIMESTAMP = 18 => "signed_certificate_timestamp",
        CLIENT_CERTIFICATE_TYPE = 19 => "client_certificate_type",
        SERVER_CERTIFICATE_TYPE = 20 => "server_certificate_type",
        PADDING = 21 => "padding",
        ENCRYPT_THEN_MAC = 22 => "encrypt_then_mac",
        EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
        RECORD_SIZE_LIMIT = 28 => "record_size_limit",
        SESSION_TICKET = 35 => "session_ticket",
        PRE_SHARED_KEY = 41 => "pre_shared_key",
        EARLY_DATA = 42 => "early_data",
        SUPPORTED_VERSIONS = 43 => "supported_versions",
        COOKIE = 44 => "cookie",
        PSK_KEY_EXCHANGE_MODES = 45 => "psk_key_exchange_modes",
        CERTIFICATE_AUTHORITIES = 47 => "certificate_authorities",
        OID_FILTERS = 48 => "oid_filters",
        POST_HANDSHAKE_AUTH = 49 => "post_handshake_auth",
        SIGNATURE_ALGORITHMS_CERT = 50 => "signature_algorithms_cert",
        KEY_SHARE = 51 => "key_share",
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

registry! {
    /// Named group for key exchange (RFC 8446 §4.2.7, RFC 8422, RFC 7919).
    ///
    /// OpenSSL's curve names (`P-256`, `prime256v1`, …) are accepted by
    /// [`NamedGroup::parse`].
    NamedGroup(u16) {
        SECP192R1 = 19 => "secp192r1",
        SECP224R1 = 21 => "secp224r1",
        SECP256R1 = 23 => "secp256r1",
        SECP384R1 = 24 => "secp384r1",
        SECP521R1 = 25 => "secp521r1",
        BRAINPOOLP256R1 = 26 => "brainpoolP256r1",
        BRAINPOOLP384R1 = 27 => "brainpoolP384r1",
        BRAINPOOLP512R1 = 28 => "brainpoolP512r1",
        X25519 = 29 => "x25519",
        X448 = 30 => "x448",
        FFDHE2048 = 256 => "ffdhe2048",
        FFDHE3072 = 257 => "ffdhe3072",
        FFDHE4096 = 258 => "ffdhe4096",
        FFDHE6144 = 259 => "ffdhe6144",
        FFDHE8192 = 260 => "ffdhe8192",
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
    }
}

impl NamedGroup {
    /// Parses an IANA group name or one of OpenSSL's aliases (`P-256`,
    /// `prime256v1`, `X25519`, …).
    ///
    /// ```
    /// use ssl_core::constants::NamedGroup;
    /// assert_eq!(NamedGroup::parse("P-384"), Some(NamedGroup::SECP384R1));
    /// assert_eq!(NamedGroup::parse("ffdhe2048"), Some(NamedGroup::FFDHE2048));
    /// ```
    pub fn parse(name: &str) -> Option<NamedGroup> {
        let alias = match name.to_ascii_lowercase().as_str() {
            "p-256" | "prime256v1" | "p256" => Some(NamedGroup::SECP256R1),
            "p-384" | "p384" => Some(NamedGroup::SECP384R1),
            "p-521" | "p521" => Some(NamedGroup::SECP521R1),
            _ => None,
        };
        alias.or_else(|| NamedGroup::from_name(name))
    }

    /// Whether the group is a finite-field (RFC 7919) group.
    pub fn is_ffdhe(self) -> bool {
        (256..=511).contains(&self.0)
    }
}

registry! {
    /// Signature scheme (RFC 8446 §4.2.3), including the TLS 1.2
    /// hash/signature pairs that share its code points.
    SignatureScheme(u16) {
        RSA_PKCS1_MD5 = 0x0101 => "rsa_pkcs1_md5",
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        DSA_SHA1 = 0x0202 => "dsa_sha1",
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
        RSA_PKCS1_SHA224 = 0x0301 => "rsa_pkcs1_sha224",
        DSA_SHA224 = 0x0302 => "dsa_sha224",
        ECDSA_SHA224 = 0x0303 => "ecdsa_sha224",
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        DSA_SHA256 = 0x0402 => "dsa_sha256",
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        DSA_SHA384 = 0x0502 => "dsa_sha384",
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        DSA_SHA512 = 0x0602 => "dsa_sha512",
        ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
        RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
        ED25519 = 0x0807 => "ed25519",
        ED448 = 0x0808 => "ed448",
        RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
        RSA_PSS_PSS_SHA384 = 0x080a => "rsa_pss_pss_sha384",
        RSA_PSS_PSS_SHA512 = 0x080b => "rsa_pss_pss_sha512",
    }
}

registry! {
    /// Compression method (RFC 5246 §6.1, RFC 3749).
    CompressionMethod(u8) {
        NULL = 0 => "null",
        DEFLATE = 1 => "deflate",
    }
}

registry! {
    /// PSK key exchange mode (RFC 8446 §4.2.9).
    PskKeyExchangeMode(u8) {
        PSK_KE = 0 => "psk_ke",
        PSK_DHE_KE = 1 => "psk_dhe_ke",
    }
}

registry! {
    /// KeyUpdate request (RFC 8446 §4.6.3).
    KeyUpdateRequest(u8) {
        UPDATE_NOT_REQUESTED = 0 => "update_not_requested",
        UPDATE_REQUESTED = 1 => "update_requested",
    }
}

registry! {
    /// Server name type (RFC 6066 §3).
    ServerNameType(u8) {
        HOST_NAME = 0 => "host_name",
    }
}

registry! {
    /// EC point format (RFC 8422 §5.1.2).
    EcPointFormat(u8) {
        UNCOMPRESSED = 0 => "uncompressed",
        ANSIX962_COMPRESSED_PRIME = 1 => "ansiX962_compressed_prime",
        ANSIX962_COMPRESSED_CHAR2 = 2 => "ansiX962_compressed_char2",
    }
}

/// Parses a version name (`tls1.2`) or an OpenSSL-style one (`TLSv1.2`).
pub fn parse_version(name: &str) -> Option<ProtocolVersion> {
    let lower = name.to_ascii_lowercase();
    let normal = lower.replace('v', "").replace('_', ".");
    ProtocolVersion::from_name(&normal).or(match normal.as_str() {
        "ssl3" => Some(ProtocolVersion::SSL3_0),
        "tls1" => Some(ProtocolVersion::TLS1_0),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_every_registry() {
        for v in ProtocolVersion::ALL {
            assert_eq!(ProtocolVersion::from_name(v.name().unwrap()), Some(*v));
        }
        for a in AlertDescription::ALL {
            assert_eq!(AlertDescription::from_name(&a.to_string()), Some(*a));
        }
        for g in NamedGroup::ALL {
            assert_eq!(NamedGroup::parse(g.name().unwrap()), Some(*g));
        }
        for s in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_name(s.name().unwrap()), Some(*s));
        }
        for e in ExtensionType::ALL {
            assert_eq!(ExtensionType::from_name(e.name().unwrap()), Some(*e));
        }
    }

    #[test]
    fn unknown_values_print_their_number() {
        assert_eq!(format!("{}", ExtensionType(0x1234)), "ExtensionType(0x1234)");
        assert_eq!(ExtensionType(0x1234).name(), None);
        assert_eq!(format!("{}", NamedGroup::X25519), "x25519");
    }

    #[test]
    fn version_aliases() {
        assert_eq!(parse_version("TLSv1.2"), Some(ProtocolVersion::TLS1_2));
        assert_eq!(parse_version("tls1.3"), Some(ProtocolVersion::TLS1_3));
        assert_eq!(parse_version("ssl3"), Some(ProtocolVersion::SSL3_0));
        assert_eq!(parse_version("tls9"), None);
        assert_eq!(NamedGroup::parse("prime256v1"), Some(NamedGroup::SECP256R1));
        assert!(NamedGroup::FFDHE8192.is_ffdhe());
        assert!(!NamedGroup::X25519.is_ffdhe());
    }
}
