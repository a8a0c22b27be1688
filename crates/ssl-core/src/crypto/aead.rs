//! AEAD keys: AES-GCM and ChaCha20-Poly1305 from `ring`, AES-CCM and
//! AES-CCM-8 from RustCrypto. Both seal and open work in place.

use crate::constants::BulkCipher;
use crate::error::Error;
use ccm::aead::{AeadInOut, KeyInit};
use ccm::consts::{U8, U12, U16};

type Aes128Ccm = ccm::Ccm<aes::Aes128, U16, U12>;
type Aes128Ccm8 = ccm::Ccm<aes::Aes128, U8, U12>;
type Aes256Ccm = ccm::Ccm<aes::Aes256, U16, U12>;
type Aes256Ccm8 = ccm::Ccm<aes::Aes256, U8, U12>;

// The ring key stays inline: it is used for every record.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Ring(ring::aead::LessSafeKey),
    Aes128Ccm(Box<Aes128Ccm>),
    Aes128Ccm8(Box<Aes128Ccm8>),
    Aes256Ccm(Box<Aes256Ccm>),
    Aes256Ccm8(Box<Aes256Ccm8>),
}

/// An AEAD key with a 12-byte nonce.
pub struct AeadKey {
    inner: Inner,
    tag_len: usize,
}

impl core::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AeadKey(tag {} bytes)", self.tag_len)
    }
}

/// Whether `cipher` is an AEAD this module implements.
pub fn is_supported(cipher: BulkCipher) -> bool {
    matches!(
        cipher,
        BulkCipher::Aes128Gcm
            | BulkCipher::Aes256Gcm
            | BulkCipher::Chacha20Poly1305
            | BulkCipher::Aes128Ccm
            | BulkCipher::Aes128Ccm8
            | BulkCipher::Aes256Ccm
            | BulkCipher::Aes256Ccm8
    )
}

macro_rules! ccm_seal {
    ($k:expr, $nonce:expr, $aad:expr, $buf:expr, $tag:expr) => {{
        let t =
            $k.encrypt_inout_detached(&$nonce.into(), $aad, $buf.into()).map_err(|_| Error::Internal("AEAD seal"))?;
        $tag.copy_from_slice(&t);
    }};
}

macro_rules! ccm_open {
    ($k:expr, $nonce:expr, $aad:expr, $buf:expr, $tag:expr) => {{
        let tag = ccm::Tag::try_from($tag).map_err(|_| Error::BadRecordMac)?;
        $k.decrypt_inout_detached(&$nonce.into(), $aad, $buf.into(), &tag).map_err(|_| Error::BadRecordMac)?;
    }};
}

impl AeadKey {
    /// Builds a key; `key` must have the cipher's key length.
    pub fn new(cipher: BulkCipher, key: &[u8]) -> Result<AeadKey, Error> {
        if key.len() != cipher.key_len() {
            return Err(Error::Internal("AEAD key length"));
        }
        let ring_alg = match cipher {
            BulkCipher::Aes128Gcm => Some(&ring::aead::AES_128_GCM),
            BulkCipher::Aes256Gcm => Some(&ring::aead::AES_256_GCM),
            BulkCipher::Chacha20Poly1305 => Some(&ring::aead::CHACHA20_POLY1305),
            _ => None,
        };
        let bad = |_| Error::Internal("AEAD key");
        let inner = if let Some(alg) = ring_alg {
            Inner::Ring(ring::aead::LessSafeKey::new(
                ring::aead::UnboundKey::new(alg, key).map_err(|_| Error::Internal("AEAD key"))?,
            ))
        } else {
            match cipher {
                BulkCipher::Aes128Ccm => Inner::Aes128Ccm(Box::new(Aes128Ccm::new_from_slice(key).map_err(bad)?)),
                BulkCipher::Aes128Ccm8 => Inner::Aes128Ccm8(Box::new(Aes128Ccm8::new_from_slice(key).map_err(bad)?)),
                BulkCipher::Aes256Ccm => Inner::Aes256Ccm(Box::new(Aes256Ccm::new_from_slice(key).map_err(bad)?)),
                BulkCipher::Aes256Ccm8 => Inner::Aes256Ccm8(Box::new(Aes256Ccm8::new_from_slice(key).map_err(bad)?)),
                _ => return Err(Error::Internal("not an AEAD cipher")),
            }
        };
        Ok(AeadKey { inner, tag_len: cipher.tag_len() })
    }

    /// Length of the authentication tag.
    pub fn tag_len(&self) -> usize {
        self.tag_len
    }

    /// Encrypts `buf` in place and writes the tag to `tag` (which must be
    /// `tag_len()` bytes).
    pub fn seal(&self, nonce: [u8; 12], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<(), Error> {
        match &self.inner {
            Inner::Ring(k) => {
                let t = k
                    .seal_in_place_separate_tag(
                        ring::aead::Nonce::assume_unique_for_key(nonce),
                        ring::aead::Aad::from(aad),
                        buf,
                    )
                    .map_err(|_| Error::Internal("AEAD seal"))?;
                tag.copy_from_slice(t.as_ref());
            }
            Inner::Aes128Ccm(k) => ccm_seal!(k, nonce, aad, buf, tag),
            Inner::Aes128Ccm8(k) => ccm_seal!(k, nonce, aad, buf, tag),
            Inner::Aes256Ccm(k) => ccm_seal!(k, nonce, aad, buf, tag),
            Inner::Aes256Ccm8(k) => ccm_seal!(k, nonce, aad, buf, tag),
        }
        Ok(())
    }

    /// Decrypts `buf` (ciphertext followed by the tag) in place; returns the
    /// plaintext length. Authentication failure is `bad_record_mac`.
    pub fn open(&self, nonce: [u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
        if buf.len() < self.tag_len {
            return Err(Error::BadRecordMac);
        }
        let n = buf.len() - self.tag_len;
        match &self.inner {
            Inner::Ring(k) => {
                k.open_in_place(ring::aead::Nonce::assume_unique_for_key(nonce), ring::aead::Aad::from(aad), buf)
                    .map_err(|_| Error::BadRecordMac)?;
            }
            Inner::Aes128Ccm(k) => {
                let (data, tag) = buf.split_at_mut(n);
                ccm_open!(k, nonce, aad, data, &*tag)
            }
            Inner::Aes128Ccm8(k) => {
                let (data, tag) = buf.split_at_mut(n);
                ccm_open!(k, nonce, aad, data, &*tag)
            }
            Inner::Aes256Ccm(k) => {
                let (data, tag) = buf.split_at_mut(n);
                ccm_open!(k, nonce, aad, data, &*tag)
            }
            Inner::Aes256Ccm8(k) => {
                let (data, tag) = buf.split_at_mut(n);
                ccm_open!(k, nonce, aad, data, &*tag)
            }
        }
        Ok(n)
    }
}

/// Computes the per-record nonce: the IV XOR the sequence number (RFC 8446 §5.3).
#[inline]
pub fn xor_nonce(iv: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut n = *iv;
    for (b, s) in n[4..].iter_mut().zip(seq.to_be_bytes()) {
        *b ^= s;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(cipher: BulkCipher) {
        let key = vec![7u8; cipher.key_len()];
        let k = AeadKey::new(cipher, &key).unwrap();
        let mut buf = b"attack at dawn".to_vec();
        let mut tag = vec![0u8; k.tag_len()];
        k.seal([1; 12], b"aad", &mut buf, &mut tag).unwrap();
        assert_ne!(&buf, b"attack at dawn");
        let mut wire = buf.clone();
        wire.extend_from_slice(&tag);
        let mut ok = wire.clone();
        let n = k.open([1; 12], b"aad", &mut ok).unwrap();
        assert_eq!(&ok[..n], b"attack at dawn");
        let mut bad = wire.clone();
        bad[0] ^= 1;
        assert_eq!(k.open([1; 12], b"aad", &mut bad), Err(Error::BadRecordMac));
        let mut bad_aad = wire.clone();
        assert_eq!(k.open([1; 12], b"aaD", &mut bad_aad), Err(Error::BadRecordMac));
        assert_eq!(k.open([1; 12], b"aad", &mut [0u8; 3]), Err(Error::BadRecordMac));
    }

    #[test]
    fn all_aeads_round_trip_and_reject_tampering() {
        for c in BulkCipher::IMPLEMENTED_AEADS {
            round_trip(c);
        }
    }

    #[test]
    fn nonce_xor() {
        let iv = [0u8; 12];
        assert_eq!(xor_nonce(&iv, 1)[11], 1);
        assert_eq!(xor_nonce(&[0xff; 12], 0x0100)[10], 0xfe);
    }
}
