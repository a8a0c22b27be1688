//! Ephemeral key exchange for every supported group: X25519, P-256 and
//! P-384 through `ring`, P-521 and the RFC 7919 finite-field groups through
//! RustCrypto code.

use super::ffdhe::{DhGroup, DhPrivateKey};
use super::p521::P521PrivateKey;
use super::rand::{RngFill, SecureRandom};
use crate::constants::NamedGroup;
use crate::error::Error;
use zeroize::Zeroizing;

/// The groups this build can use, in our default preference order.
pub const SUPPORTED_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
    NamedGroup::FFDHE4096,
    NamedGroup::FFDHE6144,
    NamedGroup::FFDHE8192,
];

/// Whether `group` can be used.
pub fn is_supported(group: NamedGroup) -> bool {
    SUPPORTED_GROUPS.contains(&group)
}

enum Inner {
    Ring(ring::agreement::EphemeralPrivateKey),
    P521(P521PrivateKey),
    Ffdhe(DhPrivateKey),
}

/// Our half of an ephemeral key exchange.
pub struct KeyShare {
    group: NamedGroup,
    inner: Inner,
    public: Vec<u8>,
}

impl core::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyShare({})", self.group)
    }
}

fn ring_alg(group: NamedGroup) -> Option<&'static ring::agreement::Algorithm> {
    match group {
        NamedGroup::X25519 => Some(&ring::agreement::X25519),
        NamedGroup::SECP256R1 => Some(&ring::agreement::ECDH_P256),
        NamedGroup::SECP384R1 => Some(&ring::agreement::ECDH_P384),
        _ => None,
    }
}

/// The exact length of a valid public value for `group`.
pub fn public_len(group: NamedGroup) -> Option<usize> {
    Some(match group {
        NamedGroup::X25519 => 32,
        NamedGroup::SECP256R1 => 65,
        NamedGroup::SECP384R1 => 97,
        NamedGroup::SECP521R1 => 133,
        g if g.is_ffdhe() => DhGroup::named(g.0)?.prime_len(),
        _ => return None,
    })
}

impl KeyShare {
    /// Generates a key pair in `group`.
    pub fn generate(group: NamedGroup, rng: &dyn SecureRandom) -> Result<KeyShare, Error> {
        if let Some(alg) = ring_alg(group) {
            let sys = ring::rand::SystemRandom::new();
            let k = ring::agreement::EphemeralPrivateKey::generate(alg, &sys)
                .map_err(|_| Error::Internal("key generation"))?;
            let public = k.compute_public_key().map_err(|_| Error::Internal("key generation"))?.as_ref().to_vec();
            return Ok(KeyShare { group, inner: Inner::Ring(k), public });
        }
        let mut fill = RngFill::new(rng);
        let (inner, public) = match group {
            NamedGroup::SECP521R1 => {
                let k = P521PrivateKey::generate(&mut |b| fill.fill(b));
                let p = k.public_key();
                (Inner::P521(k), p)
            }
            g if g.is_ffdhe() => {
                let params = DhGroup::named(g.0).ok_or(Error::Internal("unsupported group"))?;
                let k = DhPrivateKey::generate(params, &mut |b| fill.fill(b));
                let p = k.public_key();
                (Inner::Ffdhe(k), p)
            }
            _ => return Err(Error::Internal("unsupported group")),
        };
        if fill.failed {
            return Err(Error::Internal("random generator failed"));
        }
        Ok(KeyShare { group, inner, public })
    }

    /// The group.
    pub fn group(&self) -> NamedGroup {
        self.group
    }

    /// Our public value as sent on the wire.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Completes the exchange with the peer's public value. An invalid peer
    /// value (wrong length, not on the curve, out of range, or giving an
    /// all-zero secret) is `illegal_parameter`.
    pub fn agree(self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let bad = Error::IllegalParameter("key share");
        if Some(peer.len()) != public_len(self.group) {
            return Err(bad);
        }
        match self.inner {
            Inner::Ring(k) => {
                let alg = ring_alg(self.group).ok_or(Error::Internal("group"))?;
                let peer = ring::agreement::UnparsedPublicKey::new(alg, peer);
                let secret = ring::agreement::agree_ephemeral(k, &peer, |s| Zeroizing::new(s.to_vec()))
                    .map_err(|_| bad.clone())?;
                if secret.iter().all(|b| *b == 0) {
                    return Err(bad);
                }
                Ok(secret)
            }
            Inner::P521(k) => k.agree(peer).map_err(|_| bad),
            Inner::Ffdhe(k) => k.agree(peer).map_err(|_| bad),
        }
    }
}

/// The RFC 7919 group whose prime and generator these are, if any.
pub fn ffdhe_group_of(p: &[u8], g: &[u8]) -> Option<NamedGroup> {
    let strip = |v: &[u8]| -> Vec<u8> { v.iter().skip_while(|b| **b == 0).copied().collect() };
    let (p, g) = (strip(p), strip(g));
    (256..=260u16)
        .map(NamedGroup)
        .find(|n| DhGroup::named(n.0).is_some_and(|grp| grp.p_bytes() == p && grp.g_bytes() == g))
}

/// TLS 1.2 DHE client side: validates the server's group (at least
/// `min_bits`) and public value, and returns our public value and the
/// premaster secret (leading zeros stripped, RFC 5246 §8.1.2).
pub fn dh_agree_with_params(
    p: &[u8],
    g: &[u8],
    peer: &[u8],
    min_bits: usize,
    rng: &dyn SecureRandom,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Error> {
    let group = DhGroup::from_params(p, g, min_bits).map_err(|e| match e {
        super::ffdhe::DhError::InvalidPrime if crate::crypto::kx::prime_bits(p) < min_bits => {
            Error::InsufficientSecurity("the server's DH group is too small")
        }
        _ => Error::IllegalParameter("DH parameters"),
    })?;
    let mut fill = RngFill::new(rng);
    let key = DhPrivateKey::generate(&group, &mut |b| fill.fill(b));
    if fill.failed {
        return Err(Error::Internal("random generator failed"));
    }
    let public = key.public_key();
    let secret = key.agree(peer).map_err(|_| Error::IllegalParameter("DH public value"))?;
    let stripped = Zeroizing::new(super::ffdhe::strip_leading_zeros(&secret).to_vec());
    Ok((public, stripped))
}

/// The bit length of a big-endian integer.
pub(crate) fn prime_bits(p: &[u8]) -> usize {
    let p: Vec<u8> = p.iter().skip_while(|b| **b == 0).copied().collect();
    match p.first() {
        Some(top) => p.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

/// TLS 1.2 DHE server side: a key in the RFC 7919 group `group`; returns
/// (p, g, our public value, the private key).
pub(crate) fn dh_server_key(group: NamedGroup, rng: &dyn SecureRandom) -> Result<DhServerKey, Error> {
    let params = DhGroup::named(group.0).ok_or(Error::Internal("not an FFDHE group"))?;
    let mut fill = RngFill::new(rng);
    let key = DhPrivateKey::generate(params, &mut |b| fill.fill(b));
    if fill.failed {
        return Err(Error::Internal("random generator failed"));
    }
    Ok(DhServerKey { p: params.p_bytes(), g: params.g_bytes(), public: key.public_key(), key })
}

/// A server's TLS 1.2 DHE key.
pub(crate) struct DhServerKey {
    pub p: Vec<u8>,
    pub g: Vec<u8>,
    pub public: Vec<u8>,
    key: DhPrivateKey,
}

impl DhServerKey {
    /// The premaster secret with the client's value (leading zeros stripped).
    pub fn agree(self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let s = self.key.agree(peer).map_err(|_| Error::IllegalParameter("DH public value"))?;
        Ok(Zeroizing::new(super::ffdhe::strip_leading_zeros(&s).to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SystemRandom;

    #[test]
    fn every_group_agrees_and_rejects_garbage() {
        let rng = SystemRandom::new();
        for g in [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::SECP521R1,
            NamedGroup::FFDHE2048,
        ] {
            let a = KeyShare::generate(g, &rng).unwrap();
            let b = KeyShare::generate(g, &rng).unwrap();
            assert_eq!(a.public_key().len(), public_len(g).unwrap());
            let pa = a.public_key().to_vec();
            let pb = b.public_key().to_vec();
            let s1 = a.agree(&pb).unwrap();
            let s2 = b.agree(&pa).unwrap();
            assert_eq!(*s1, *s2, "{g}");
            let c = KeyShare::generate(g, &rng).unwrap();
            assert_eq!(c.agree(&pb[1..]), Err(Error::IllegalParameter("key share")));
            if g != NamedGroup::X25519 {
                let c = KeyShare::generate(g, &rng).unwrap();
                let zeros = vec![0u8; pb.len()];
                assert!(c.agree(&zeros).is_err(), "{g} accepted zeros");
            }
        }
    }

    #[test]
    fn x25519_low_order_point_is_refused() {
        let rng = SystemRandom::new();
        let k = KeyShare::generate(NamedGroup::X25519, &rng).unwrap();
        assert!(k.agree(&[0u8; 32]).is_err());
    }
}
