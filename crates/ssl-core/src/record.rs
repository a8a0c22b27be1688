//! The record layer: framing, deframing and protection.
//!
//! Records are built straight into the output buffer with the header
//! reserved, sealed in place, and opened in place in the input buffer, so
//! plaintext is copied once on the way in (caller → output buffer) and
//! once on the way out (input buffer → caller).

use crate::constants::{BulkCipher, ContentType, ProtocolVersion};
use crate::crypto::aead::{AeadKey, xor_nonce};
use crate::error::{Error, MessageKind};

/// Bytes in a record header.
pub const HEADER_LEN: usize = 5;
/// The largest plaintext fragment (2^14).
pub const MAX_FRAGMENT: usize = 16384;
/// The largest TLS 1.3 ciphertext (2^14 + 256).
pub const MAX_CIPHERTEXT_TLS13: usize = MAX_FRAGMENT + 256;
/// The largest TLS 1.2 ciphertext (2^14 + 2048).
pub const MAX_CIPHERTEXT_TLS12: usize = MAX_FRAGMENT + 2048;

/// A parsed record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Outer content type.
    pub typ: ContentType,
    /// legacy_record_version.
    pub version: ProtocolVersion,
    /// Length of the fragment.
    pub len: usize,
}

impl Header {
    /// Parses the five header bytes (the first five of `b`; fewer are a
    /// decode error). A major version other than 3 or an oversized length
    /// is refused here, before the body is buffered.
    pub fn parse(b: &[u8]) -> Result<Header, Error> {
        if b.len() < HEADER_LEN {
            return Err(Error::Decode("record header"));
        }
        let typ = ContentType(b[0]);
        let version = ProtocolVersion(u16::from_be_bytes([b[1], b[2]]));
        let len = u16::from_be_bytes([b[3], b[4]]) as usize;
        if typ.name().is_none() {
            return Err(Error::unexpected("a TLS record", MessageKind::Unknown(typ.0)));
        }
        if b[1] != 3 {
            return Err(Error::Decode("record version"));
        }
        if len > MAX_CIPHERTEXT_TLS12 {
            return Err(Error::RecordOverflow);
        }
        Ok(Header { typ, version, len })
    }
}

/// TLS 1.3 record protection for one direction: AEAD key and IV.
pub struct Tls13Protection {
    key: AeadKey,
    iv: [u8; 12],
}

impl core::fmt::Debug for Tls13Protection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Tls13Protection")
    }
}

impl Tls13Protection {
    /// Builds protection from a key and IV.
    pub fn new(cipher: BulkCipher, key: &[u8], iv: [u8; 12]) -> Result<Self, Error> {
        Ok(Tls13Protection { key: AeadKey::new(cipher, key)?, iv })
    }
}

/// TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3): AES-GCM and AES-CCM
/// carry an 8-byte explicit nonce after a 4-byte implicit salt (RFC 5288,
/// RFC 6655); ChaCha20-Poly1305 XORs the sequence number into a 12-byte IV
/// (RFC 7905).
pub struct Tls12Protection {
    key: AeadKey,
    iv: [u8; 12],
    explicit_nonce: bool,
}

impl core::fmt::Debug for Tls12Protection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Tls12Protection")
    }
}

impl Tls12Protection {
    /// Builds protection from the key and the write IV of the key block
    /// (4 bytes for GCM/CCM, 12 for ChaCha20-Poly1305).
    pub fn new(cipher: BulkCipher, key: &[u8], write_iv: &[u8]) -> Result<Self, Error> {
        let explicit_nonce = cipher != BulkCipher::Chacha20Poly1305;
        let mut iv = [0u8; 12];
        let want = if explicit_nonce { 4 } else { 12 };
        if write_iv.len() != want {
            return Err(Error::Internal("TLS 1.2 IV length"));
        }
        iv[..want].copy_from_slice(write_iv);
        Ok(Tls12Protection { key: AeadKey::new(cipher, key)?, iv, explicit_nonce })
    }

    fn nonce(&self, seq: u64, explicit: Option<&[u8]>) -> [u8; 12] {
        if self.explicit_nonce {
            let mut n = self.iv;
            match explicit {
                Some(e) => n[4..].copy_from_slice(e),
                None => n[4..].copy_from_slice(&seq.to_be_bytes()),
            }
            n
        } else {
            xor_nonce(&self.iv, seq)
        }
    }

    fn explicit_len(&self) -> usize {
        if self.explicit_nonce { 8 } else { 0 }
    }
}

/// The additional data of a TLS 1.2 AEAD record.
fn tls12_aad(seq: u64, typ: ContentType, len: usize) -> [u8; 13] {
    let mut aad = [0u8; 13];
    aad[..8].copy_from_slice(&seq.to_be_bytes());
    aad[8] = typ.0;
    aad[9] = 3;
    aad[10] = 3;
    aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
    aad
}

/// The protection of one direction.
#[derive(Debug, Default)]
#[allow(clippy::large_enum_variant)] // inline on purpose: used for every record
pub enum Protection {
    /// No protection (initial handshake).
    #[default]
    Plaintext,
    /// TLS 1.3 AEAD.
    Tls13(Tls13Protection),
    /// TLS 1.2 AEAD.
    Tls12(Tls12Protection),
}

/// One direction of the record layer: protection plus sequence number.
#[derive(Debug, Default)]
pub struct Direction {
    protection: Protection,
    seq: u64,
}

impl Direction {
    /// Installs new keys and resets the sequence number.
    pub fn set(&mut self, protection: Protection) {
        self.protection = protection;
        self.seq = 0;
    }

    /// Whether records are protected.
    pub fn is_protected(&self) -> bool {
        !matches!(self.protection, Protection::Plaintext)
    }

    /// The next sequence number.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Sets the next sequence number back to `seq`: a record a server
    /// skipped as early data it could not open (RFC 8446 §4.2.10) did not
    /// use one.
    pub(crate) fn rewind_seq(&mut self, seq: u64) {
        self.seq = seq.min(self.seq);
    }

    /// Appends one record carrying `payload` (at most 2^14 bytes) to `out`.
    /// `pad` zero bytes of TLS 1.3 padding are added to protected records.
    pub fn seal_record(
        &mut self,
        out: &mut Vec<u8>,
        typ: ContentType,
        record_version: ProtocolVersion,
        payload: &[u8],
        pad: usize,
    ) -> Result<(), Error> {
        debug_assert!(payload.len() <= MAX_FRAGMENT);
        let start = out.len();
        match &self.protection {
            Protection::Plaintext => {
                out.reserve(HEADER_LEN + payload.len());
                out.push(typ.0);
                out.extend_from_slice(&record_version.0.to_be_bytes());
                out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
                out.extend_from_slice(payload);
                Ok(())
            }
            Protection::Tls13(p) => {
                let tag_len = p.key.tag_len();
                let inner_len = payload.len() + 1 + pad;
                let total = inner_len + tag_len;
                let seq = next_seq(&mut self.seq)?;
                out.reserve(HEADER_LEN + total);
                let header = [ContentType::APPLICATION_DATA.0, 3, 3, (total >> 8) as u8, total as u8];
                out.extend_from_slice(&header);
                out.extend_from_slice(payload);
                out.push(typ.0);
                out.resize(start + HEADER_LEN + total, 0);
                let (body, tag) = out[start + HEADER_LEN..].split_at_mut(inner_len);
                p.key.seal(xor_nonce(&p.iv, seq), &header, body, tag)
            }
            Protection::Tls12(p) => {
                let explicit = p.explicit_len();
                let total = explicit + payload.len() + p.key.tag_len();
                let seq = next_seq(&mut self.seq)?;
                out.reserve(HEADER_LEN + total);
                out.extend_from_slice(&[typ.0, 3, 3, (total >> 8) as u8, total as u8]);
                if explicit > 0 {
                    out.extend_from_slice(&seq.to_be_bytes());
                }
                out.extend_from_slice(payload);
                out.resize(start + HEADER_LEN + total, 0);
                let aad = tls12_aad(seq, typ, payload.len());
                let (body, tag) = out[start + HEADER_LEN + explicit..].split_at_mut(payload.len());
                p.key.seal(p.nonce(seq, None), &aad, body, tag)
            }
        }
    }

    /// Opens a record in place. `record` is the whole record (header
    /// included). Returns the inner content type and the plaintext range
    /// within `record`.
    pub fn open_record(&mut self, record: &mut [u8]) -> Result<(ContentType, core::ops::Range<usize>), Error> {
        let header = Header::parse(record)?;
        if record.len() != HEADER_LEN + header.len {
            return Err(Error::Decode("record length"));
        }
        match &self.protection {
            Protection::Plaintext => {
                if header.len > MAX_FRAGMENT {
                    return Err(Error::RecordOverflow);
                }
                Ok((header.typ, HEADER_LEN..record.len()))
            }
            Protection::Tls13(p) => {
                if header.typ == ContentType::CHANGE_CIPHER_SPEC {
                    // Middlebox compatibility CCS is never protected; the caller decides.
                    return Ok((header.typ, HEADER_LEN..record.len()));
                }
                if header.typ != ContentType::APPLICATION_DATA {
                    return Err(Error::unexpected("an encrypted record", kind_of(header.typ)));
                }
                if header.len > MAX_CIPHERTEXT_TLS13 {
                    return Err(Error::RecordOverflow);
                }
                let seq = next_seq(&mut self.seq)?;
                let (hdr, body) = record.split_at_mut(HEADER_LEN);
                let n = p.key.open(xor_nonce(&p.iv, seq), hdr, body)?;
                // Strip the padding: the content type is the last non-zero byte.
                let Some(pos) = body[..n].iter().rposition(|b| *b != 0) else {
                    return Err(Error::unexpected("an inner content type", MessageKind::Unknown(0)));
                };
                // RFC 8446 §5.4: content type and padding included, at most 2^14 + 1 bytes.
                if n > MAX_FRAGMENT + 1 {
                    return Err(Error::RecordOverflow);
                }
                let typ = ContentType(body[pos]);
                if typ == ContentType::CHANGE_CIPHER_SPEC {
                    // RFC 8446 §5: a protected change_cipher_spec is unexpected_message.
                    return Err(Error::unexpected("an encrypted record", MessageKind::ChangeCipherSpec));
                }
                Ok((typ, HEADER_LEN..HEADER_LEN + pos))
            }
            Protection::Tls12(p) => {
                // Everything is protected here, a renegotiation's ChangeCipherSpec included.
                let explicit = p.explicit_len();
                let tag = p.key.tag_len();
                if header.len < explicit + tag {
                    return Err(Error::BadRecordMac);
                }
                let plain_len = header.len - explicit - tag;
                if plain_len > MAX_FRAGMENT {
                    return Err(Error::RecordOverflow);
                }
                let seq = next_seq(&mut self.seq)?;
                let aad = tls12_aad(seq, header.typ, plain_len);
                let (nonce_part, body) = record[HEADER_LEN..].split_at_mut(explicit);
                let nonce = p.nonce(seq, if explicit > 0 { Some(nonce_part) } else { None });
                let n = p.key.open(nonce, &aad, body)?;
                let start = HEADER_LEN + explicit;
                Ok((header.typ, start..start + n))
            }
        }
    }

    /// The length a record size limit counts for a record of `body_len`
    /// bytes (after the header) that opened to `content_len` bytes of
    /// content: under TLS 1.3 protection the content and its padding (the
    /// TLSInnerPlaintext without its content type byte, which RFC 8449 §4
    /// counts and the limits we keep leave room for); otherwise the content.
    pub fn limited_len(&self, body_len: usize, content_len: usize) -> usize {
        match &self.protection {
            Protection::Tls13(p) => body_len.saturating_sub(p.key.tag_len() + 1).max(content_len),
            _ => content_len,
        }
    }

    /// Bytes a protected record adds to its payload (without padding).
    pub fn overhead(&self) -> usize {
        match &self.protection {
            Protection::Plaintext => HEADER_LEN,
            Protection::Tls13(p) => HEADER_LEN + 1 + p.key.tag_len(),
            Protection::Tls12(p) => HEADER_LEN + p.explicit_len() + p.key.tag_len(),
        }
    }
}

/// Takes the next sequence number; RFC 8446 §5.3 forbids wrapping.
fn next_seq(seq: &mut u64) -> Result<u64, Error> {
    let s = *seq;
    *seq = s.checked_add(1).ok_or(Error::Internal("sequence number exhausted"))?;
    Ok(s)
}

/// The message kind of a content type, for error reports.
pub fn kind_of(typ: ContentType) -> MessageKind {
    match typ {
        ContentType::CHANGE_CIPHER_SPEC => MessageKind::ChangeCipherSpec,
        ContentType::ALERT => MessageKind::Alert,
        ContentType::APPLICATION_DATA => MessageKind::ApplicationData,
        ContentType::HEARTBEAT => MessageKind::Heartbeat,
        ContentType::HANDSHAKE => MessageKind::Handshake(crate::constants::HandshakeType(0)),
        other => MessageKind::Unknown(other.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(cipher: BulkCipher) -> (Direction, Direction) {
        let key = vec![3u8; cipher.key_len()];
        let mut w = Direction::default();
        let mut r = Direction::default();
        w.set(Protection::Tls13(Tls13Protection::new(cipher, &key, [9; 12]).unwrap()));
        r.set(Protection::Tls13(Tls13Protection::new(cipher, &key, [9; 12]).unwrap()));
        (w, r)
    }

    #[test]
    fn protected_records_round_trip_with_padding() {
        let (mut w, mut r) = pair(BulkCipher::Aes128Gcm);
        let mut out = Vec::new();
        w.seal_record(&mut out, ContentType::HANDSHAKE, ProtocolVersion::TLS1_2, b"hello", 10).unwrap();
        assert_eq!(out.len(), HEADER_LEN + 5 + 1 + 10 + 16);
        assert_eq!(out[0], 23);
        let (typ, range) = r.open_record(&mut out).unwrap();
        assert_eq!(typ, ContentType::HANDSHAKE);
        assert_eq!(&out[range], b"hello");
    }

    #[test]
    fn tampering_and_replay_fail() {
        let (mut w, mut r) = pair(BulkCipher::Chacha20Poly1305);
        let mut a = Vec::new();
        w.seal_record(&mut a, ContentType::APPLICATION_DATA, ProtocolVersion::TLS1_2, b"one", 0).unwrap();
        let mut tampered = a.clone();
        tampered[7] ^= 0x40;
        assert_eq!(r.open_record(&mut tampered), Err(Error::BadRecordMac));
        // The failed record consumed sequence number 0, so the genuine one now fails too.
        let mut again = a.clone();
        assert_eq!(r.open_record(&mut again), Err(Error::BadRecordMac));
    }

    #[test]
    fn all_zero_inner_plaintext_is_unexpected() {
        let (mut w, mut r) = pair(BulkCipher::Aes256Gcm);
        let mut out = Vec::new();
        w.seal_record(&mut out, ContentType(0), ProtocolVersion::TLS1_2, b"", 3).unwrap();
        assert!(matches!(r.open_record(&mut out), Err(Error::UnexpectedMessage { .. })));
    }

    #[test]
    fn tls12_records_round_trip_for_explicit_and_implicit_nonces() {
        for (cipher, iv_len) in
            [(BulkCipher::Aes128Gcm, 4), (BulkCipher::Chacha20Poly1305, 12), (BulkCipher::Aes128Ccm8, 4)]
        {
            let key = vec![1u8; cipher.key_len()];
            let iv = vec![2u8; iv_len];
            let mut w = Direction::default();
            let mut r = Direction::default();
            w.set(Protection::Tls12(Tls12Protection::new(cipher, &key, &iv).unwrap()));
            r.set(Protection::Tls12(Tls12Protection::new(cipher, &key, &iv).unwrap()));
            for msg in [&b"first"[..], b"", b"third record"] {
                let mut out = Vec::new();
                w.seal_record(&mut out, ContentType::APPLICATION_DATA, ProtocolVersion::TLS1_2, msg, 0).unwrap();
                assert_eq!(out[0], 23);
                let (typ, range) = r.open_record(&mut out).unwrap();
                assert_eq!(typ, ContentType::APPLICATION_DATA);
                assert_eq!(&out[range], msg);
            }
            let mut out = Vec::new();
            w.seal_record(&mut out, ContentType::HANDSHAKE, ProtocolVersion::TLS1_2, b"x", 0).unwrap();
            out[0] = ContentType::ALERT.0; // the type is authenticated
            assert_eq!(r.open_record(&mut out), Err(Error::BadRecordMac));
        }
        assert!(Tls12Protection::new(BulkCipher::Aes128Gcm, &[0; 16], &[0; 12]).is_err());
    }

    #[test]
    fn headers_are_checked() {
        assert!(matches!(Header::parse(&[99, 3, 3, 0, 1]), Err(Error::UnexpectedMessage { .. })));
        assert_eq!(Header::parse(&[22, 4, 0, 0, 1]), Err(Error::Decode("record version")));
        assert_eq!(Header::parse(&[23, 3, 3, 0xff, 0xff]), Err(Error::RecordOverflow));
        // Found by the `record` fuzz target: fewer than five bytes indexed out of bounds.
        for short in [&[][..], &[22], &[22, 3, 3, 0]] {
            assert_eq!(Header::parse(short), Err(Error::Decode("record header")));
        }
        // Also found by the fuzzer: open_record trusted the slice to hold
        // the whole record (a short one panicked slicing the header or,
        // in TLS 1.2, the explicit nonce).
        let (mut w, _) = pair(BulkCipher::Aes128Gcm);
        let mut sealed = Vec::new();
        w.seal_record(&mut sealed, ContentType::HANDSHAKE, ProtocolVersion::TLS1_2, b"hello", 0).unwrap();
        for cut in [0, 2, HEADER_LEN, sealed.len() - 1] {
            let (_, mut r) = pair(BulkCipher::Aes128Gcm);
            assert!(r.open_record(&mut sealed.clone()[..cut]).is_err(), "cut at {cut}");
        }
        let key = [1u8; 16];
        let mut r12 = Direction::default();
        r12.set(Protection::Tls12(Tls12Protection::new(BulkCipher::Aes128Gcm, &key, &[2; 4]).unwrap()));
        let mut short = vec![23, 3, 3, 0, 40, 1, 2];
        assert_eq!(r12.open_record(&mut short), Err(Error::Decode("record length")));
        let mut long = sealed.clone();
        long.push(0);
        let (_, mut r) = pair(BulkCipher::Aes128Gcm);
        assert_eq!(r.open_record(&mut long), Err(Error::Decode("record length")));
        let (_, mut r) = pair(BulkCipher::Aes128Gcm);
        let mut plain = vec![22, 3, 3, 0, 2, 1, 2];
        assert!(matches!(r.open_record(&mut plain), Err(Error::UnexpectedMessage { .. })));
    }
}
