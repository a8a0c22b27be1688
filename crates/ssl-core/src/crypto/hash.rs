//! Hash algorithms (via `ring`), secrets, and the streaming transcript hash.

use crate::constants::HashAlgorithm;
use zeroize::Zeroize;

impl HashAlgorithm {
    /// The `ring` digest algorithm.
    pub fn digest_algorithm(self) -> &'static ring::digest::Algorithm {
        match self {
            HashAlgorithm::Sha256 => &ring::digest::SHA256,
            HashAlgorithm::Sha384 => &ring::digest::SHA384,
        }
    }

    /// The `ring` HMAC algorithm.
    pub fn hmac_algorithm(self) -> ring::hmac::Algorithm {
        match self {
            HashAlgorithm::Sha256 => ring::hmac::HMAC_SHA256,
            HashAlgorithm::Sha384 => ring::hmac::HMAC_SHA384,
        }
    }

    /// Hash of `data`.
    pub fn hash(self, data: &[u8]) -> Secret {
        Secret::new(ring::digest::digest(self.digest_algorithm(), data).as_ref())
    }

    /// Hash of the empty string.
    pub fn empty_hash(self) -> Secret {
        self.hash(&[])
    }
}

/// A secret or digest of up to 64 bytes, wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    buf: [u8; 64],
    len: u8,
}

impl Secret {
    /// Copies `bytes` (at most 64) into a new secret.
    pub fn new(bytes: &[u8]) -> Secret {
        assert!(bytes.len() <= 64, "secret too long");
        let mut buf = [0u8; 64];
        buf[..bytes.len()].copy_from_slice(bytes);
        Secret { buf, len: bytes.len() as u8 }
    }

    /// An all-zero secret of `len` bytes.
    pub fn zero(len: usize) -> Secret {
        Secret::new(&[0u8; 64][..len])
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len as usize]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<[u8]> for Secret {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Secret({} bytes)", self.len)
    }
}

/// The handshake transcript: raw bytes until the hash is known, then a
/// streaming hash (the raw bytes are dropped as soon as the hash starts).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // one per handshake; boxing buys nothing
pub enum Transcript {
    /// Hash not chosen yet: the messages so far.
    Buffered(Vec<u8>),
    /// Streaming hash.
    Hashing(HashAlgorithm, ring::digest::Context),
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript::Buffered(Vec::new())
    }
}

impl Transcript {
    /// Adds a handshake message (header included).
    pub fn add(&mut self, msg: &[u8]) {
        match self {
            Transcript::Buffered(b) => b.extend_from_slice(msg),
            Transcript::Hashing(_, ctx) => ctx.update(msg),
        }
    }

    /// Chooses the hash, feeding it what was buffered.
    pub fn start_hash(&mut self, alg: HashAlgorithm) {
        if let Transcript::Buffered(b) = self {
            let mut ctx = ring::digest::Context::new(alg.digest_algorithm());
            ctx.update(b);
            *self = Transcript::Hashing(alg, ctx);
        }
    }

    /// The hash so far (the hash must have been chosen).
    pub fn current_hash(&self) -> Secret {
        match self {
            Transcript::Hashing(_, ctx) => Secret::new(ctx.clone().finish().as_ref()),
            Transcript::Buffered(_) => Secret::new(&[]),
        }
    }

    /// The hash of the transcript as if `extra` were added, without adding it.
    pub fn hash_with(&self, extra: &[u8]) -> Secret {
        match self {
            Transcript::Hashing(_, ctx) => {
                let mut c = ctx.clone();
                c.update(extra);
                Secret::new(c.finish().as_ref())
            }
            Transcript::Buffered(_) => Secret::new(&[]),
        }
    }

    /// The chosen hash algorithm.
    pub fn algorithm(&self) -> Option<HashAlgorithm> {
        match self {
            Transcript::Hashing(a, _) => Some(*a),
            Transcript::Buffered(_) => None,
        }
    }

    /// Replaces ClientHello1 by `message_hash(Hash(ClientHello1))` for a
    /// HelloRetryRequest (RFC 8446 §4.4.1). The hash must have been chosen.
    pub fn replace_with_message_hash(&mut self) {
        if let Transcript::Hashing(alg, _) = self {
            let alg = *alg;
            let h = self.current_hash();
            let mut ctx = ring::digest::Context::new(alg.digest_algorithm());
            ctx.update(&[crate::constants::HandshakeType::MESSAGE_HASH.0, 0, 0, h.len() as u8]);
            ctx.update(h.as_bytes());
            *self = Transcript::Hashing(alg, ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffered_then_streaming_equals_one_shot() {
        let mut t = Transcript::default();
        t.add(b"hello ");
        t.start_hash(HashAlgorithm::Sha256);
        t.add(b"world");
        assert_eq!(t.current_hash(), HashAlgorithm::Sha256.hash(b"hello world"));
        assert_eq!(t.hash_with(b"!"), HashAlgorithm::Sha256.hash(b"hello world!"));
        assert_eq!(t.algorithm(), Some(HashAlgorithm::Sha256));
    }

    #[test]
    fn message_hash_replacement() {
        let mut t = Transcript::default();
        t.add(b"ch1");
        t.start_hash(HashAlgorithm::Sha384);
        t.replace_with_message_hash();
        let h = HashAlgorithm::Sha384.hash(b"ch1");
        let mut expect = vec![254, 0, 0, 48];
        expect.extend_from_slice(h.as_bytes());
        assert_eq!(t.current_hash(), HashAlgorithm::Sha384.hash(&expect));
    }
}
