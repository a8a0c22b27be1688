//! ECDHE over secp521r1 (NIST P-521) with uncompressed SEC1 points.
//!
//! Wraps the RustCrypto `p521` crate; randomness comes from the caller.

use std::fmt;

use ::p521::elliptic_curve::ecdh::diffie_hellman;
use ::p521::elliptic_curve::sec1::ToSec1Point;
use ::p521::{NonZeroScalar, PublicKey};
use zeroize::{Zeroize, Zeroizing};

/// Length of a P-521 scalar or field element in bytes.
const SCALAR_LEN: usize = 66;

/// Length of an uncompressed SEC1 point: 0x04 || X || Y.
const POINT_LEN: usize = 1 + 2 * SCALAR_LEN;

/// Errors from P-521 ECDH (mapped to `illegal_parameter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum P521Error {
    /// The peer's point is not a valid uncompressed point on the curve.
    InvalidPublicKey,
}

impl fmt::Display for P521Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            P521Error::InvalidPublicKey => f.write_str("invalid P-521 public key"),
        }
    }
}

impl std::error::Error for P521Error {}

/// An ephemeral P-521 private key (zeroized on drop).
pub(crate) struct P521PrivateKey {
    /// The secret scalar, 0 < d < n.
    scalar: NonZeroScalar,
    /// The uncompressed public point d·G.
    public: Vec<u8>,
}

impl fmt::Debug for P521PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P521PrivateKey").finish_non_exhaustive()
    }
}

impl Drop for P521PrivateKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl P521PrivateKey {
    /// Generates a key from caller randomness: draws 66 bytes, keeps 521 bits, and retries
    /// until the value is a non-zero scalar below the group order n.
    pub(crate) fn generate(rng: &mut dyn FnMut(&mut [u8])) -> P521PrivateKey {
        let mut buf = Zeroizing::new([0u8; SCALAR_LEN]);
        loop {
            rng(&mut buf[..]);
            buf[0] &= 0x01;
            if let Some(key) = Self::from_bytes(&buf) {
                return key;
            }
        }
    }

    /// Builds a key from a 66-byte big-endian scalar; `None` unless 0 < d < n.
    fn from_bytes(bytes: &[u8; SCALAR_LEN]) -> Option<P521PrivateKey> {
        let scalar = NonZeroScalar::try_from(&bytes[..]).ok()?;
        let point = PublicKey::from_secret_scalar(&scalar).as_affine().to_sec1_point(false);
        Some(P521PrivateKey { scalar, public: point.as_bytes().to_vec() })
    }

    /// Test-only constructor from a big-endian scalar (leading zero bytes allowed).
    #[cfg(test)]
    pub(crate) fn from_scalar_bytes(bytes: &[u8]) -> P521PrivateKey {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        assert!(bytes.len() <= SCALAR_LEN, "scalar too long");
        let mut buf = Zeroizing::new([0u8; SCALAR_LEN]);
        buf[SCALAR_LEN - bytes.len()..].copy_from_slice(bytes);
        Self::from_bytes(&buf).expect("scalar in range")
    }

    /// The uncompressed SEC1 point (0x04 || X || Y), 133 bytes.
    pub(crate) fn public_key(&self) -> Vec<u8> {
        self.public.clone()
    }

    /// ECDH with the peer's uncompressed point; rejects compressed, identity, off-curve or
    /// wrongly sized encodings with [`P521Error::InvalidPublicKey`]. Returns the 66-byte
    /// X coordinate of the shared point.
    pub(crate) fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, P521Error> {
        if peer.len() != POINT_LEN || peer[0] != 0x04 {
            return Err(P521Error::InvalidPublicKey);
        }
        // Decoding checks that the coordinates are reduced and the point is on the curve
        // (and not the identity); P-521 has cofactor 1, so no subgroup check is needed.
        let peer = PublicKey::from_sec1_bytes(peer).map_err(|_| P521Error::InvalidPublicKey)?;
        let shared = diffie_hellman(&self.scalar, peer.as_affine());
        Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wycheproof ECDH vectors, relative to the `ssl-core` crate directory.
    const WYCHEPROOF: &str =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wycheproof/ecdh_secp521r1_ecpoint_test.json");

    /// Deterministic SplitMix64 byte generator for tests only.
    fn test_rng(seed: u64) -> impl FnMut(&mut [u8]) {
        let mut state = seed;
        move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *b = (z ^ (z >> 31)) as u8;
            }
        }
    }

    #[test]
    fn two_keys_agree() {
        let mut rng = test_rng(1);
        let alice = P521PrivateKey::generate(&mut rng);
        let bob = P521PrivateKey::generate(&mut rng);
        let (pa, pb) = (alice.public_key(), bob.public_key());
        assert_eq!(pa.len(), 133);
        assert_eq!(pa[0], 0x04);
        assert_ne!(pa, pb);
        let s1 = alice.agree(&pb).unwrap();
        let s2 = bob.agree(&pa).unwrap();
        assert_eq!(s1.len(), 66);
        assert_eq!(*s1, *s2);
    }

    #[test]
    fn generate_retries_out_of_range_values() {
        // First draw is all ones (>= n after masking), second all zeros (zero scalar),
        // third is a valid small scalar.
        let mut calls = 0u8;
        let mut rng = |buf: &mut [u8]| {
            calls += 1;
            match calls {
                1 => buf.fill(0xff),
                2 => buf.fill(0),
                _ => {
                    buf.fill(0);
                    buf[65] = 7;
                }
            }
        };
        let key = P521PrivateKey::generate(&mut rng);
        assert_eq!(calls, 3);
        let expected = P521PrivateKey::from_scalar_bytes(&[7]);
        assert_eq!(key.public_key(), expected.public_key());
    }

    #[test]
    fn rejects_malformed_points() {
        let key = P521PrivateKey::generate(&mut test_rng(2));
        let good = P521PrivateKey::generate(&mut test_rng(3)).public_key();
        assert!(key.agree(&good).is_ok());
        let mut compressed = vec![0x02 | (good[132] & 1)];
        compressed.extend_from_slice(&good[1..67]);
        let mut off_curve = good.clone();
        off_curve[132] ^= 1;
        let mut hybrid = good.clone();
        hybrid[0] = 0x06 | (good[132] & 1);
        for bad in [
            &[][..],
            &[0x00],
            &compressed,
            &off_curve,
            &hybrid,
            &good[..132],
            &[&good[..], &[0]].concat(),
            &[0x04; 133],
            &{
                let mut zero = vec![0u8; 133];
                zero[0] = 0x04;
                zero
            },
        ] {
            assert_eq!(key.agree(bad).unwrap_err(), P521Error::InvalidPublicKey);
        }
    }

    #[test]
    fn wycheproof_ecpoint_vectors() {
        let text = std::fs::read_to_string(WYCHEPROOF).unwrap_or_else(|e| {
            panic!("Wycheproof vectors missing at {WYCHEPROOF}: {e}");
        });
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
        for group in json["testGroups"].as_array().expect("testGroups") {
            assert_eq!(group["curve"], "secp521r1");
            for test in group["tests"].as_array().expect("tests") {
                let id = &test["tcId"];
                let field = |name: &str| hex::decode(test[name].as_str().unwrap()).unwrap();
                let key = P521PrivateKey::from_scalar_bytes(&field("private"));
                let result = key.agree(&field("public"));
                match test["result"].as_str().unwrap() {
                    "valid" => {
                        let shared = result.unwrap_or_else(|e| panic!("tcId {id}: {e}"));
                        assert_eq!(*shared, field("shared"), "tcId {id}");
                        valid += 1;
                    }
                    "invalid" => {
                        assert!(result.is_err(), "tcId {id} should be rejected");
                        invalid += 1;
                    }
                    _ => skipped += 1,
                }
            }
        }
        println!("wycheproof secp521r1: {valid} valid, {invalid} invalid, {skipped} skipped");
        assert!(valid > 600 && invalid > 20, "too few vectors checked");
    }
}
