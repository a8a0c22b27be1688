//! TLS 1.2 handshake messages (RFC 5246 §7.4, RFC 8422 §5, RFC 5077 §3.3).

use super::put_handshake;
use crate::codec::{Prefix, Reader, U16List, put_prefixed, put_u8, put_u16, put_u32, put_vec};
use crate::constants::{HandshakeType, NamedGroup, SignatureScheme};
use crate::error::Error;

/// A TLS 1.2 Certificate message: the chain, end entity first.
pub fn decode_certificate12(body: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let mut r = Reader::new(body);
    let list = r.vec24("Certificate list")?;
    r.finish("Certificate")?;
    let mut lr = Reader::new(list);
    let mut out = Vec::new();
    while !lr.is_empty() {
        let c = lr.vec24("certificate")?;
        if c.is_empty() {
            return Err(Error::Decode("empty certificate"));
        }
        out.push(c);
    }
    Ok(out)
}

/// Encodes a TLS 1.2 Certificate message.
pub fn encode_certificate12<C: AsRef<[u8]>>(out: &mut Vec<u8>, chain: &[C]) {
    put_handshake(out, HandshakeType::CERTIFICATE, |o| {
        put_prefixed(o, Prefix::U24, |o| {
            for c in chain {
                put_vec(o, Prefix::U24, c.as_ref());
            }
        })
    });
}

/// The key-exchange parameters of a ServerKeyExchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerParams<'a> {
    /// ECDHE over a named curve (RFC 8422 §5.4).
    Ecdhe {
        /// The group.
        group: NamedGroup,
        /// The server's public point.
        public: &'a [u8],
    },
    /// Finite-field DHE (RFC 5246 §7.4.3).
    Dhe {
        /// The prime.
        p: &'a [u8],
        /// The generator.
        g: &'a [u8],
        /// The server's public value.
        public: &'a [u8],
    },
}

/// A decoded ServerKeyExchange: parameters, their raw bytes (what the
/// signature covers) and the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The parameters.
    pub params: ServerParams<'a>,
    /// The encoded parameters.
    pub params_raw: &'a [u8],
    /// The signature scheme.
    pub scheme: SignatureScheme,
    /// The signature over client_random + server_random + params.
    pub signature: &'a [u8],
}

/// Which kind of ServerKeyExchange to expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KxKind {
    /// ECDHE.
    Ecdhe,
    /// DHE.
    Dhe,
}

impl<'a> ServerKeyExchange<'a> {
    /// Decodes a signed ServerKeyExchange of the given kind.
    pub fn decode(body: &'a [u8], kind: KxKind) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let params = match kind {
            KxKind::Ecdhe => {
                let curve_type = r.u8("ECParameters curve_type")?;
                if curve_type != 3 {
                    return Err(Error::IllegalParameter("ECParameters curve_type is not named_curve"));
                }
                let group = NamedGroup(r.u16("ECParameters named_curve")?);
                let public = r.nonempty_vec8("ECDH public point")?;
                ServerParams::Ecdhe { group, public }
            }
            KxKind::Dhe => {
                let p = r.nonempty_vec16("dh_p")?;
                let g = r.nonempty_vec16("dh_g")?;
                let public = r.nonempty_vec16("dh_Ys")?;
                ServerParams::Dhe { p, g, public }
            }
        };
        let params_raw = &body[..body.len() - r.remaining()];
        let scheme = SignatureScheme(r.u16("ServerKeyExchange scheme")?);
        let signature = r.nonempty_vec16("ServerKeyExchange signature")?;
        r.finish("ServerKeyExchange")?;
        Ok(ServerKeyExchange { params, params_raw, scheme, signature })
    }
}

/// Encodes ECDHE parameters (what the server signs).
pub fn encode_ecdhe_params(out: &mut Vec<u8>, group: NamedGroup, public: &[u8]) {
    put_u8(out, 3);
    put_u16(out, group.0);
    put_vec(out, Prefix::U8, public);
}

/// Encodes DHE parameters (what the server signs).
pub fn encode_dhe_params(out: &mut Vec<u8>, p: &[u8], g: &[u8], public: &[u8]) {
    put_vec(out, Prefix::U16, p);
    put_vec(out, Prefix::U16, g);
    put_vec(out, Prefix::U16, public);
}

/// Encodes a ServerKeyExchange from encoded parameters and a signature.
pub fn encode_server_key_exchange(out: &mut Vec<u8>, params: &[u8], scheme: SignatureScheme, signature: &[u8]) {
    put_handshake(out, HandshakeType::SERVER_KEY_EXCHANGE, |o| {
        o.extend_from_slice(params);
        put_u16(o, scheme.0);
        put_vec(o, Prefix::U16, signature);
    });
}

/// A TLS 1.2 CertificateRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest12<'a> {
    /// ClientCertificateType values.
    pub types: &'a [u8],
    /// Acceptable signature schemes.
    pub schemes: U16List<'a>,
    /// Acceptable certificate authorities (DER names).
    pub authorities: Vec<&'a [u8]>,
}

/// ClientCertificateType rsa_sign.
pub const CERT_TYPE_RSA_SIGN: u8 = 1;
/// ClientCertificateType ecdsa_sign.
pub const CERT_TYPE_ECDSA_SIGN: u8 = 64;

impl<'a> CertificateRequest12<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let types = r.nonempty_vec8("CertificateRequest types")?;
        let schemes = r.u16_list("CertificateRequest signature algorithms")?;
        if schemes.is_empty() {
            return Err(Error::Decode("CertificateRequest signature algorithms"));
        }
        let cas = r.vec16("CertificateRequest authorities")?;
        r.finish("CertificateRequest")?;
        let mut cr = Reader::new(cas);
        let mut authorities = Vec::new();
        while !cr.is_empty() {
            authorities.push(cr.nonempty_vec16("distinguished name")?);
        }
        Ok(CertificateRequest12 { types, schemes, authorities })
    }
}

/// Encodes a TLS 1.2 CertificateRequest.
pub fn encode_certificate_request12(
    out: &mut Vec<u8>,
    types: &[u8],
    schemes: &[SignatureScheme],
    authorities: &[Vec<u8>],
) {
    put_handshake(out, HandshakeType::CERTIFICATE_REQUEST, |o| {
        put_vec(o, Prefix::U8, types);
        put_prefixed(o, Prefix::U16, |o| {
            for s in schemes {
                put_u16(o, s.0);
            }
        });
        put_prefixed(o, Prefix::U16, |o| {
            for dn in authorities {
                put_vec(o, Prefix::U16, dn);
            }
        });
    });
}

/// Decodes a ClientKeyExchange carrying an ECDH point (vec8) or a DH value (vec16).
pub fn decode_client_key_exchange(body: &[u8], kind: KxKind) -> Result<&[u8], Error> {
    let mut r = Reader::new(body);
    let v = match kind {
        KxKind::Ecdhe => r.nonempty_vec8("ClientKeyExchange point")?,
        KxKind::Dhe => r.nonempty_vec16("ClientKeyExchange dh_Yc")?,
    };
    r.finish("ClientKeyExchange")?;
    Ok(v)
}

/// Encodes a ClientKeyExchange.
pub fn encode_client_key_exchange(out: &mut Vec<u8>, kind: KxKind, public: &[u8]) {
    put_handshake(out, HandshakeType::CLIENT_KEY_EXCHANGE, |o| match kind {
        KxKind::Ecdhe => put_vec(o, Prefix::U8, public),
        KxKind::Dhe => put_vec(o, Prefix::U16, public),
    });
}

/// A TLS 1.2 NewSessionTicket (RFC 5077 §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewSessionTicket12<'a> {
    /// ticket_lifetime_hint in seconds (0: unspecified).
    pub lifetime_hint: u32,
    /// The ticket (may be empty: the server will not resume).
    pub ticket: &'a [u8],
}

impl<'a> NewSessionTicket12<'a> {
    /// Decodes the body.
    pub fn decode(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let lifetime_hint = r.u32("NewSessionTicket lifetime")?;
        let ticket = r.vec16("NewSessionTicket ticket")?;
        r.finish("NewSessionTicket")?;
        Ok(NewSessionTicket12 { lifetime_hint, ticket })
    }

    /// Encodes the message.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_handshake(out, HandshakeType::NEW_SESSION_TICKET, |o| {
            put_u32(o, self.lifetime_hint);
            put_vec(o, Prefix::U16, self.ticket);
        });
    }
}

/// Fails unless the body is empty (ServerHelloDone, HelloRequest).
pub fn decode_empty_message(body: &[u8], what: &'static str) -> Result<(), Error> {
    if body.is_empty() { Ok(()) } else { Err(Error::Decode(what)) }
}

/// Encodes an empty message (ServerHelloDone, HelloRequest).
pub fn encode_empty_message(out: &mut Vec<u8>, typ: HandshakeType) {
    put_handshake(out, typ, |_| {});
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_key_exchange_round_trip_and_truncation() {
        let mut params = Vec::new();
        encode_ecdhe_params(&mut params, NamedGroup::X25519, &[9; 32]);
        let mut msg = Vec::new();
        encode_server_key_exchange(&mut msg, &params, SignatureScheme::ECDSA_SECP256R1_SHA256, &[1, 2, 3]);
        let ske = ServerKeyExchange::decode(&msg[4..], KxKind::Ecdhe).unwrap();
        assert_eq!(ske.params, ServerParams::Ecdhe { group: NamedGroup::X25519, public: &[9; 32] });
        assert_eq!(ske.params_raw, &params[..]);
        assert_eq!(ske.signature, &[1, 2, 3]);
        for cut in 0..msg.len() - 4 {
            assert!(ServerKeyExchange::decode(&msg[4..4 + cut], KxKind::Ecdhe).is_err(), "cut {cut}");
        }
        let mut bad = msg[4..].to_vec();
        bad[0] = 1; // explicit_prime curves are not allowed
        assert!(matches!(ServerKeyExchange::decode(&bad, KxKind::Ecdhe), Err(Error::IllegalParameter(_))));
        let mut params = Vec::new();
        encode_dhe_params(&mut params, &[0xff; 256], &[2], &[5; 256]);
        let mut msg = Vec::new();
        encode_server_key_exchange(&mut msg, &params, SignatureScheme::RSA_PSS_RSAE_SHA256, &[7; 256]);
        let ske = ServerKeyExchange::decode(&msg[4..], KxKind::Dhe).unwrap();
        assert!(matches!(ske.params, ServerParams::Dhe { g: &[2], .. }));
    }

    #[test]
    fn certificate_request_and_key_exchange() {
        let mut msg = Vec::new();
        encode_certificate_request12(&mut msg, &[1, 64], &[SignatureScheme::ED25519], &[vec![0x30, 0]]);
        let cr = CertificateRequest12::decode(&msg[4..]).unwrap();
        assert_eq!(cr.types, &[1, 64]);
        assert!(cr.schemes.contains(SignatureScheme::ED25519.0));
        assert_eq!(cr.authorities, vec![&[0x30, 0][..]]);
        assert!(CertificateRequest12::decode(&[0, 0, 2, 8, 7, 0, 0]).is_err());
        let mut msg = Vec::new();
        encode_client_key_exchange(&mut msg, KxKind::Dhe, &[3; 300]);
        assert_eq!(decode_client_key_exchange(&msg[4..], KxKind::Dhe).unwrap(), &[3; 300][..]);
        assert!(decode_client_key_exchange(&msg[4..], KxKind::Ecdhe).is_err());
        assert!(decode_client_key_exchange(&[0], KxKind::Ecdhe).is_err());
    }

    #[test]
    fn certificate12_and_ticket() {
        let mut msg = Vec::new();
        encode_certificate12(&mut msg, &[b"aa".to_vec(), b"b".to_vec()]);
        assert_eq!(decode_certificate12(&msg[4..]).unwrap(), vec![&b"aa"[..], &b"b"[..]]);
        assert!(decode_certificate12(&[0, 0, 3, 0, 0, 0]).is_err());
        let mut msg = Vec::new();
        NewSessionTicket12 { lifetime_hint: 5, ticket: b"t" }.encode(&mut msg);
        assert_eq!(NewSessionTicket12::decode(&msg[4..]).unwrap().ticket, b"t");
        assert!(NewSessionTicket12::decode(&msg[4..msg.len() - 1]).is_err());
        assert!(decode_empty_message(&[0], "ServerHelloDone").is_err());
    }
}
