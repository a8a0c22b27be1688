//! Strongest or cheapest: how a context orders the suites and groups it
//! accepts. Pike always maximises the bits used; its Notes ask for the other
//! policy too — minimise the cost, above a threshold of security — and
//! both are here ([`Context::prefer`]).
//!
//! Security strengths are the usual equivalents (NIST SP 800-57 Part 1 for
//! ciphers, curves and hashes; RFC 7919 Appendix A for the FFDHE groups). A
//! suite is as strong as the weaker of its cipher and its hash (its PRF or
//! HKDF), and an 8-byte CCM tag counts as 64 bits. Costs are the ranks
//! measured on x86-64 with AES instructions (`ssl-bench`'s AEAD and
//! handshake figures): AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, then
//! CCM; X25519, P-256, P-384, P-521, then FFDHE by size; ECDHE before DHE.

use crate::constants::{BulkCipher, CipherSuite, HashAlgorithm, KeyExchange, NamedGroup};
use crate::context::Context;
use core::cmp::Reverse;

/// Which of the acceptable choices a context prefers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preference {
    /// The most bits of security first (Pike's behaviour), the cheaper of
    /// equally strong ones first.
    Strongest,
    /// The cheapest first, the stronger of equally cheap ones first.
    Cheapest,
}

/// Security strength of a key-exchange group, in bits; `None` for groups
/// we do not implement.
pub fn group_bits(group: NamedGroup) -> Option<u16> {
    Some(match group {
        NamedGroup::X25519 | NamedGroup::SECP256R1 => 128,
        NamedGroup::SECP384R1 => 192,
        NamedGroup::SECP521R1 => 256,
        NamedGroup::FFDHE2048 => 103,
        NamedGroup::FFDHE3072 => 125,
        NamedGroup::FFDHE4096 => 150,
        NamedGroup::FFDHE6144 => 175,
        NamedGroup::FFDHE8192 => 192,
        _ => return None,
    })
}

fn group_cost(group: NamedGroup) -> u16 {
    match group {
        NamedGroup::X25519 => 0,
        NamedGroup::SECP256R1 => 1,
        NamedGroup::SECP384R1 => 2,
        NamedGroup::SECP521R1 => 3,
        NamedGroup::FFDHE2048 => 4,
        NamedGroup::FFDHE3072 => 5,
        NamedGroup::FFDHE4096 => 6,
        NamedGroup::FFDHE6144 => 7,
        NamedGroup::FFDHE8192 => 8,
        _ => u16::MAX,
    }
}

fn cipher_bits(cipher: BulkCipher) -> u16 {
    match cipher {
        BulkCipher::Aes128Ccm8 | BulkCipher::Aes256Ccm8 => 64,
        BulkCipher::TripleDes => 112,
        BulkCipher::Des => 56,
        other => (other.key_len() * 8) as u16,
    }
}

fn cipher_cost(cipher: BulkCipher) -> u16 {
    match cipher {
        BulkCipher::Aes128Gcm => 0,
        BulkCipher::Aes256Gcm => 1,
        BulkCipher::Chacha20Poly1305 => 2,
        BulkCipher::Aes128Ccm | BulkCipher::Aes128Ccm8 => 3,
        BulkCipher::Aes256Ccm | BulkCipher::Aes256Ccm8 => 4,
        _ => 10,
    }
}

fn hash_bits(hash: HashAlgorithm) -> u16 {
    match hash {
        HashAlgorithm::Sha256 => 128,
        HashAlgorithm::Sha384 => 192,
    }
}

/// Security strength of a cipher suite in bits (the weaker of its cipher
/// and its hash); `None` for an unknown suite.
pub fn suite_bits(suite: CipherSuite) -> Option<u16> {
    let info = suite.info()?;
    Some(cipher_bits(info.cipher).min(hash_bits(info.prf)))
}

fn suite_cost(suite: CipherSuite) -> u16 {
    let Some(info) = suite.info() else { return u16::MAX };
    let kx = match info.kx {
        KeyExchange::Tls13 | KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => 0,
        _ => 20,
    };
    kx + cipher_cost(info.cipher)
}

/// Keeps the items of at least `min_bits` and orders them by `pref`.
fn order<T: Copy>(
    items: &mut Vec<T>,
    pref: Preference,
    min_bits: u16,
    bits: impl Fn(T) -> Option<u16>,
    cost: impl Fn(T) -> u16,
) {
    items.retain(|x| bits(*x).is_some_and(|b| b >= min_bits));
    match pref {
        Preference::Strongest => items.sort_by_key(|x| (Reverse(bits(*x)), cost(*x))),
        Preference::Cheapest => items.sort_by_key(|x| (cost(*x), Reverse(bits(*x)))),
    }
}

impl Context {
    /// Reorders the suites and groups this context already accepts by
    /// `pref`, dropping those below `min_bits` of security (0 keeps all).
    /// A server picks by its own order, so this chooses what it negotiates
    /// (except that a TLS 1.3 server takes an acceptable key share the
    /// client already sent rather than ask for another with a
    /// HelloRetryRequest); a client offers in this order and sends its key
    /// share for the first group. Certificates are not reordered: their
    /// strength is the keys you load.
    ///
    /// ```
    /// use ssl_core::Context;
    /// use ssl_core::constants::{CipherSuite, NamedGroup};
    /// use ssl_core::policy::Preference;
    /// let mut ctx = Context::new();
    /// ctx.prefer(Preference::Cheapest, 112); // cheapest first, nothing below 112 bits
    /// assert_eq!(ctx.preferred_suites[0], CipherSuite::TLS_AES_128_GCM_SHA256);
    /// assert_eq!(ctx.groups[0], NamedGroup::X25519);
    /// assert!(!ctx.groups.contains(&NamedGroup::FFDHE2048)); // 103 bits
    /// ```
    pub fn prefer(&mut self, pref: Preference, min_bits: u16) {
        order(&mut self.preferred_suites, pref, min_bits, suite_bits, suite_cost);
        order(&mut self.groups, pref, min_bits, group_bits, group_cost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{TLS12_SUITES, TLS13_SUITES};

    #[test]
    fn strongest_and_cheapest_orders() {
        let mut ctx = Context::new();
        ctx.preferred_suites = TLS13_SUITES.to_vec();
        ctx.groups = vec![
            NamedGroup::FFDHE2048,
            NamedGroup::X25519,
            NamedGroup::SECP521R1,
            NamedGroup::FFDHE8192,
            NamedGroup::SECP384R1,
            NamedGroup::SECP256R1,
        ];
        ctx.prefer(Preference::Strongest, 0);
        assert_eq!(ctx.preferred_suites[0], CipherSuite::TLS_AES_256_GCM_SHA384);
        assert_eq!(ctx.preferred_suites.last(), Some(&CipherSuite::TLS_AES_128_CCM_8_SHA256));
        assert_eq!(
            ctx.groups,
            [
                NamedGroup::SECP521R1,
                NamedGroup::SECP384R1,
                NamedGroup::FFDHE8192,
                NamedGroup::X25519,
                NamedGroup::SECP256R1,
                NamedGroup::FFDHE2048
            ]
        );
        ctx.prefer(Preference::Cheapest, 0);
        assert_eq!(
            ctx.preferred_suites[..3],
            [
                CipherSuite::TLS_AES_128_GCM_SHA256,
                CipherSuite::TLS_AES_256_GCM_SHA384,
                CipherSuite::TLS_CHACHA20_POLY1305_SHA256
            ]
        );
        assert_eq!(ctx.groups[..2], [NamedGroup::X25519, NamedGroup::SECP256R1]);
        assert_eq!(ctx.groups.last(), Some(&NamedGroup::FFDHE8192));
    }

    #[test]
    fn the_threshold_drops_weaker_choices_only() {
        let mut ctx = Context::new();
        ctx.preferred_suites = [TLS13_SUITES, TLS12_SUITES].concat();
        ctx.groups = crate::context::DEFAULT_GROUPS.to_vec();
        ctx.prefer(Preference::Cheapest, 128);
        assert!(!ctx.preferred_suites.contains(&CipherSuite::TLS_AES_128_CCM_8_SHA256), "64-bit tags");
        assert!(ctx.preferred_suites.iter().all(|s| suite_bits(*s).unwrap() >= 128));
        assert!(!ctx.groups.contains(&NamedGroup::FFDHE2048) && !ctx.groups.contains(&NamedGroup::FFDHE3072));
        // ECDHE before DHE among TLS 1.2 suites of the same cipher.
        let pos = |s| ctx.preferred_suites.iter().position(|x| *x == s).unwrap();
        assert!(
            pos(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
                < pos(CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256)
        );
        ctx.prefer(Preference::Strongest, 192);
        assert!(ctx.preferred_suites.iter().all(|s| suite_bits(*s).unwrap() >= 192));
        assert_eq!(ctx.groups, [NamedGroup::SECP521R1, NamedGroup::SECP384R1]);
        // Nothing is added: only what the context accepted is reordered.
        ctx.prefer(Preference::Cheapest, 0);
        assert_eq!(ctx.groups, [NamedGroup::SECP384R1, NamedGroup::SECP521R1]);
    }
}
