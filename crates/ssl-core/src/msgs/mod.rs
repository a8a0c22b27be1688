//! Handshake messages: decoding borrows from the input; encoding appends.
//!
//! Each message body decodes on its own ([`ClientHello::decode`] and so on);
//! [`HandshakeJoiner`] cuts the handshake byte stream into messages.

pub mod extensions;
pub mod tls12;

use crate::codec::{Prefix, Reader, U16List, put_prefixed, put_u8, put_u16, put_u24, put_u32, put_vec};
use crate::constants::{CipherSuite, ExtensionType, HandshakeType, KeyUpdateRequest, ProtocolVersion, SignatureScheme};
use crate::error::Error;
pub use extensions::Extensions;

/// The largest handshake message we accept (a certificate chain can be big).
pub const MAX_HANDSHAKE_MESSAGE: usize = 0x1_0000 * 4;

/// The ServerHello.random value that marks a HelloRetryRequest (RFC 8446 §4.1.3).
pub const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The downgrade sentinel a TLS 1.3 server puts in ServerHello.random when
/// negotiating TLS 1.2 (RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The sentinel for TLS 1.1 and below.
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// One complete handshake message as it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeMessage<'a> {
    /// The message type.
    pub typ: HandshakeType,
    /// The body, without the four-byte header.
    pub body: &'a [u8],
    /// The whole message, header included (what the transcript hashes).
    pub raw: &'a [u8],
}

/// Appends a handshake message header and the body written by `f`.
pub fn put_handshake(out: &mut Vec<u8>, typ: HandshakeType, f: impl FnOnce(&mut Vec<u8>)) {
    put_u8(out, typ.0);
    put_prefixed(out, Prefix::U24, f);
}

/// Reassembles handshake messages from record fragments.
#[derive(Debug, Default)]
pub struct HandshakeJoiner {
    buf: Vec<u8>,
    start: usize,
}

impl HandshakeJoiner {
    /// Appends the plaintext of one handshake record.
    pub fn push(&mut self, data: &[u8]) {
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Whether a partial message is buffered (a key change must not happen then).
    pub fn is_empty(&self) -> bool {
        self.start == self.buf.len()
    }

    /// The type of the next (possibly partial) message.
    pub fn peek_type(&self) -> HandshakeType {
        HandshakeType(self.buf.get(self.start).copied().unwrap_or(0))
    }

    /// The length of the next complete message, if one is buffered. A
    /// message announced longer than [`MAX_HANDSHAKE_MESSAGE`] is refused
    /// with record_overflow before it is buffered.
    pub fn next_len(&self) -> Result<Option<usize>, Error> {
        let avail = &self.buf[self.start..];
        if avail.len() < 4 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([0, avail[1], avail[2], avail[3]]) as usize;
        if len > MAX_HANDSHAKE_MESSAGE {
            return Err(Error::RecordOverflow);
        }
        if avail.len() < 4 + len { Ok(None) } else { Ok(Some(4 + len)) }
    }

    /// Takes the next complete message (call after [`HandshakeJoiner::next_len`] said one is there).
    pub fn take(&mut self, len: usize) -> HandshakeMessage<'_> {
        let raw = &self.buf[self.start..self.start + len];
        self.start += len;
        HandshakeMessage { typ: HandshakeType(raw[0]), body: &raw[4..], raw }
    }
}

/// ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// legacy_version (the highest version for TLS 1.2 and below).
    pub legacy_version: ProtocolVersion,
    /// Client random.
    pub random: [u8; 32],
    /// legacy_session_id.
    pub session_id: &'a [u8],
    /// Offered suites.
    pub cipher_suites: U16List<'a>,
    /// Offered compression methods.
    pub compression_methods: &'a [u8],
    /// Extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> ClientHello<'a> {
    /// Decodes a ClientHello body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let legacy_version = ProtocolVersion(r.u16("ClientHello version")?);
        let random = r.array::<32>("ClientHello random")?;
        let session_id = r.vec8("ClientHello session_id")?;
        if session_id.len() > 32 {
            return Err(Error::Decode("ClientHello session_id"));
        }
        let suites = r.nonempty_vec16("ClientHello cipher_suites")?;
        let cipher_suites = U16List::new(suites, "ClientHello cipher_suites")?;
        let compression_methods = r.nonempty_vec8("ClientHello compression_methods")?;
        let extensions = Extensions::decode_optional(&mut r)?;
        r.finish("ClientHello")?;
        Ok(ClientHello { legacy_version, random, session_id, cipher_suites, compression_methods, extensions })
    }

    /// Whether `suite` is offered.
    pub fn offers(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(suite.0)
    }
}

/// Encodes a ClientHello whose extension block is already encoded.
pub fn encode_client_hello(
    out: &mut Vec<u8>,
    legacy_version: ProtocolVersion,
    random: &[u8; 32],
    session_id: &[u8],
    suites: &[CipherSuite],
    compression_methods: &[u8],
    extensions: &[u8],
) {
    put_handshake(out, HandshakeType::CLIENT_HELLO, |o| {
        put_u16(o, legacy_version.0);
        o.extend_from_slice(random);
        put_vec(o, Prefix::U8, session_id);
        put_prefixed(o, Prefix::U16, |o| {
            for s in suites {
                put_u16(o, s.0);
            }
        });
        put_vec(o, Prefix::U8, compression_methods);
        if !extensions.is_empty() {
            put_vec(o, Prefix::U16, extensions);
        }
    });
}

/// ServerHello or HelloRetryRequest (RFC 8446 §4.1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// legacy_version.
    pub legacy_version: ProtocolVersion,
    /// Server random ([`HRR_RANDOM`] for a HelloRetryRequest).
    pub random: [u8; 32],
    /// legacy_session_id_echo.
    pub session_id: &'a [u8],
    /// The chosen suite.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method.
    pub compression_method: u8,
    /// Extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> ServerHello<'a> {
    /// Decodes a ServerHello body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let legacy_version = ProtocolVersion(r.u16("ServerHello version")?);
        let random = r.array::<32>("ServerHello random")?;
        let session_id = r.vec8("ServerHello session_id")?;
        if session_id.len() > 32 {
            return Err(Error::Decode("ServerHello session_id"));
        }
        let cipher_suite = CipherSuite(r.u16("ServerHello cipher_suite")?);
        let compression_method = r.u8("ServerHello compression_method")?;
        let extensions = Extensions::decode_optional(&mut r)?;
        r.finish("ServerHello")?;
        Ok(ServerHello { legacy_version, random, session_id, cipher_suite, compression_method, extensions })
    }

    /// Whether this is a HelloRetryRequest.
    pub fn is_retry_request(&self) -> bool {
        self.random == HRR_RANDOM
    }
}

/// Encodes a ServerHello (or HelloRetryRequest) with an encoded extension block.
pub fn encode_server_hello(
    out: &mut Vec<u8>,
    legacy_version: ProtocolVersion,
    random: &[u8; 32],
    session_id: &[u8],
    suite: CipherSuite,
    compression_method: u8,
    extensions: &[u8],
) {
    put_handshake(out, HandshakeType::SERVER_HELLO, |o| {
        put_u16(o, legacy_version.0);
        o.extend_from_slice(random);
        put_vec(o, Prefix::U8, session_id);
        put_u16(o, suite.0);
        put_u8(o, compression_method);
        put_vec(o, Prefix::U16, extensions);
    });
}

/// Decodes an EncryptedExtensions body.
pub fn decode_encrypted_extensions(body: &[u8]) -> Result<Extensions<'_>, Error> {
    let mut r = Reader::new(body);
    let raw = r.vec16("EncryptedExtensions")?;
    r.finish("EncryptedExtensions")?;
    Extensions::decode(raw)
}

/// One entry of a TLS 1.3 Certificate message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateEntry<'a> {
    /// The DER certificate.
    pub cert: &'a [u8],
    /// Its extensions (raw block).
    pub extensions: &'a [u8],
}

/// A TLS 1.3 Certificate message (RFC 8446 §4.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate13<'a> {
    /// certificate_request_context.
    pub context: &'a [u8],
    /// Certificates, end entity first.
    pub entries: Vec<CertificateEntry<'a>>,
}

impl<'a> Certificate13<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let context = r.vec8("Certificate context")?;
        let list = r.vec24("Certificate list")?;
        r.finish("Certificate")?;
        let mut lr = Reader::new(list);
        let mut entries = Vec::new();
        while !lr.is_empty() {
            let cert = lr.vec24("certificate")?;
            if cert.is_empty() {
                return Err(Error::Decode("empty certificate"));
            }
            let extensions = lr.vec16("certificate extensions")?;
            Extensions::decode(extensions)?;
            entries.push(CertificateEntry { cert, extensions });
        }
        Ok(Certificate13 { context, entries })
    }

    /// The DER certificates, end entity first.
    pub fn certs(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.entries.iter().map(|e| e.cert)
    }
}

/// Encodes a TLS 1.3 Certificate message without per-entry extensions.
pub fn encode_certificate13<C: AsRef<[u8]>>(out: &mut Vec<u8>, context: &[u8], chain: &[C]) {
    encode_certificate13_stapled(out, context, chain, None);
}

/// Encodes a TLS 1.3 Certificate message; with `ocsp`, the end entity's
/// entry carries it in a status_request extension (RFC 8446 §4.4.2.1).
pub fn encode_certificate13_stapled<C: AsRef<[u8]>>(
    out: &mut Vec<u8>,
    context: &[u8],
    chain: &[C],
    ocsp: Option<&[u8]>,
) {
    put_handshake(out, HandshakeType::CERTIFICATE, |o| {
        put_vec(o, Prefix::U8, context);
        put_prefixed(o, Prefix::U24, |o| {
            for (i, c) in chain.iter().enumerate() {
                put_vec(o, Prefix::U24, c.as_ref());
                match ocsp.filter(|_| i == 0) {
                    Some(resp) => put_prefixed(o, Prefix::U16, |o| {
                        extensions::put_ext(o, ExtensionType::STATUS_REQUEST, |o| {
                            extensions::encode_certificate_status(o, resp)
                        })
                    }),
                    None => put_u16(o, 0),
                }
            }
        });
    });
}

/// A TLS 1.3 CertificateRequest (RFC 8446 §4.3.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest13<'a> {
    /// certificate_request_context.
    pub context: &'a [u8],
    /// Extensions (signature_algorithms is required).
    pub extensions: Extensions<'a>,
}

impl<'a> CertificateRequest13<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let context = r.vec8("CertificateRequest context")?;
        let raw = r.vec16("CertificateRequest extensions")?;
        r.finish("CertificateRequest")?;
        Ok(CertificateRequest13 { context, extensions: Extensions::decode(raw)? })
    }
}

/// CertificateVerify (RFC 8446 §4.4.3; also TLS 1.2's digitally-signed form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateVerify<'a> {
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The signature.
    pub signature: &'a [u8],
}

impl<'a> CertificateVerify<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let scheme = SignatureScheme(r.u16("CertificateVerify scheme")?);
        let signature = r.nonempty_vec16("CertificateVerify signature")?;
        r.finish("CertificateVerify")?;
        Ok(CertificateVerify { scheme, signature })
    }

    /// Encodes the message.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_handshake(out, HandshakeType::CERTIFICATE_VERIFY, |o| {
            put_u16(o, self.scheme.0);
            put_vec(o, Prefix::U16, self.signature);
        });
    }
}

/// Encodes a Finished message.
pub fn encode_finished(out: &mut Vec<u8>, verify_data: &[u8]) {
    put_handshake(out, HandshakeType::FINISHED, |o| o.extend_from_slice(verify_data));
}

/// A TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSessionTicket13<'a> {
    /// Lifetime in seconds (at most 7 days).
    pub lifetime: u32,
    /// ticket_age_add.
    pub age_add: u32,
    /// ticket_nonce.
    pub nonce: &'a [u8],
    /// The ticket.
    pub ticket: &'a [u8],
    /// Extensions.
    pub extensions: Extensions<'a>,
}

impl<'a> NewSessionTicket13<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let lifetime = r.u32("NewSessionTicket lifetime")?;
        let age_add = r.u32("NewSessionTicket age_add")?;
        let nonce = r.vec8("NewSessionTicket nonce")?;
        let ticket = r.nonempty_vec16("NewSessionTicket ticket")?;
        let raw = r.vec16("NewSessionTicket extensions")?;
        r.finish("NewSessionTicket")?;
        if lifetime > 604_800 {
            return Err(Error::IllegalParameter("ticket lifetime over 7 days"));
        }
        Ok(NewSessionTicket13 { lifetime, age_add, nonce, ticket, extensions: Extensions::decode(raw)? })
    }

    /// Encodes the message.
    pub fn encode(&self, out: &mut Vec<u8>, extensions: &[u8]) {
        put_handshake(out, HandshakeType::NEW_SESSION_TICKET, |o| {
            put_u32(o, self.lifetime);
            put_u32(o, self.age_add);
            put_vec(o, Prefix::U8, self.nonce);
            put_vec(o, Prefix::U16, self.ticket);
            put_vec(o, Prefix::U16, extensions);
        });
    }
}

/// Decodes a KeyUpdate body.
pub fn decode_key_update(body: &[u8]) -> Result<KeyUpdateRequest, Error> {
    let mut r = Reader::new(body);
    let v = KeyUpdateRequest(r.u8("KeyUpdate")?);
    r.finish("KeyUpdate")?;
    if v != KeyUpdateRequest::UPDATE_NOT_REQUESTED && v != KeyUpdateRequest::UPDATE_REQUESTED {
        return Err(Error::IllegalParameter("KeyUpdate request value"));
    }
    Ok(v)
}

/// Encodes a KeyUpdate.
pub fn encode_key_update(out: &mut Vec<u8>, request: KeyUpdateRequest) {
    put_handshake(out, HandshakeType::KEY_UPDATE, |o| put_u8(o, request.0));
}

/// Writes the 24-bit length of a message at `at` (for messages built in place).
pub fn patch_u24(out: &mut [u8], at: usize, len: usize) {
    let mut tmp = Vec::with_capacity(3);
    put_u24(&mut tmp, len as u32);
    out[at..at + 3].copy_from_slice(&tmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::ExtensionType;

    fn ch_bytes() -> Vec<u8> {
        let mut ext = Vec::new();
        extensions::put_ext(&mut ext, ExtensionType::SUPPORTED_VERSIONS, |o| {
            extensions::encode_client_versions(o, &[ProtocolVersion::TLS1_3])
        });
        let mut out = Vec::new();
        encode_client_hello(
            &mut out,
            ProtocolVersion::TLS1_2,
            &[7; 32],
            &[1; 32],
            &[CipherSuite::TLS_AES_128_GCM_SHA256],
            &[0],
            &ext,
        );
        out
    }

    #[test]
    fn client_hello_round_trip() {
        let raw = ch_bytes();
        let mut j = HandshakeJoiner::default();
        j.push(&raw[..10]);
        assert_eq!(j.next_len().unwrap(), None);
        j.push(&raw[10..]);
        let n = j.next_len().unwrap().unwrap();
        let m = j.take(n);
        assert_eq!(m.typ, HandshakeType::CLIENT_HELLO);
        let ch = ClientHello::decode(m.body).unwrap();
        assert_eq!(ch.random, [7; 32]);
        assert!(ch.offers(CipherSuite::TLS_AES_128_GCM_SHA256));
        assert!(ch.extensions.has(ExtensionType::SUPPORTED_VERSIONS));
    }

    #[test]
    fn every_truncation_of_a_client_hello_fails_cleanly() {
        let raw = ch_bytes();
        let body = &raw[4..];
        // Cutting right before the extension block leaves a valid extension-less hello.
        let ext_start = 2 + 32 + 1 + 32 + 2 + 2 + 1 + 1;
        assert_eq!(ext_start, 73);
        for cut in 0..body.len() {
            if cut == ext_start {
                assert!(ClientHello::decode(&body[..cut]).unwrap().extensions.iter().next().is_none());
                continue;
            }
            assert!(ClientHello::decode(&body[..cut]).is_err(), "cut {cut}");
        }

        let mut extra = body.to_vec();
        extra.push(0);
        assert!(ClientHello::decode(&extra).is_err());
    }

    #[test]
    fn oversized_handshake_message_is_refused() {
        let mut j = HandshakeJoiner::default();
        j.push(&[1, 0xff, 0xff, 0xff]);
        assert_eq!(j.next_len(), Err(Error::RecordOverflow));
    }

    #[test]
    fn key_update_values() {
        assert_eq!(decode_key_update(&[1]).unwrap(), KeyUpdateRequest::UPDATE_REQUESTED);
        assert!(matches!(decode_key_update(&[2]), Err(Error::IllegalParameter(_))));
        assert!(matches!(decode_key_update(&[0, 0]), Err(Error::Decode(_))));
        assert!(matches!(decode_key_update(&[]), Err(Error::Decode(_))));
    }

    #[test]
    fn ticket_lifetime_is_bounded() {
        let mut out = Vec::new();
        NewSessionTicket13 {
            lifetime: 604_801,
            age_add: 0,
            nonce: b"",
            ticket: b"t",
            extensions: Extensions::default(),
        }
        .encode(&mut out, &[]);
        assert!(matches!(NewSessionTicket13::decode(&out[4..]), Err(Error::IllegalParameter(_))));
    }

    #[test]
    fn certificate_message_round_trip() {
        let mut out = Vec::new();
        encode_certificate13(&mut out, b"", &[b"cert-one".to_vec(), b"cert-two".to_vec()]);
        let c = Certificate13::decode(&out[4..]).unwrap();
        assert_eq!(c.certs().collect::<Vec<_>>(), vec![&b"cert-one"[..], &b"cert-two"[..]]);
        assert!(Certificate13::decode(&out[4..out.len() - 1]).is_err());
    }
}
