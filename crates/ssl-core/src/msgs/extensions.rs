//! Extension blocks: decoding (with duplicate detection) and typed
//! encoders/decoders for each extension body we use.

use crate::codec::{DecodeError, Prefix, Reader, U16List, put_prefixed, put_u8, put_u16, put_vec};
use crate::constants::{ExtensionType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, ServerNameType};
use crate::error::Error;

/// A decoded extension block: types in order with their raw bodies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions<'a> {
    items: Vec<(ExtensionType, &'a [u8])>,
}

impl<'a> Extensions<'a> {
    /// Decodes an extension block body (without its two-byte length prefix).
    /// Two extensions of the same type are an illegal_parameter error
    /// (RFC 8446 §4.2).
    pub fn decode(raw: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(raw);
        let mut items: Vec<(ExtensionType, &'a [u8])> = Vec::new();
        while !r.is_empty() {
            let typ = ExtensionType(r.u16("extension type")?);
            let body = r.vec16("extension body")?;
            if items.iter().any(|(t, _)| *t == typ) {
                return Err(Error::IllegalParameter("duplicate extension"));
            }
            items.push((typ, body));
        }
        Ok(Extensions { items })
    }

    /// Reads an optional, two-byte-prefixed extension block at the end of a message.
    pub fn decode_optional(r: &mut Reader<'a>) -> Result<Self, Error> {
        if r.is_empty() {
            return Ok(Extensions::default());
        }
        let raw = r.vec16("extensions")?;
        Extensions::decode(raw)
    }

    /// The body of extension `typ`, if present.
    pub fn get(&self, typ: ExtensionType) -> Option<&'a [u8]> {
        self.items.iter().find(|(t, _)| *t == typ).map(|(_, b)| *b)
    }

    /// Whether extension `typ` is present.
    pub fn has(&self, typ: ExtensionType) -> bool {
        self.get(typ).is_some()
    }

    /// All extensions in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (ExtensionType, &'a [u8])> + '_ {
        self.items.iter().copied()
    }

    /// The type of the last extension (pre_shared_key must be last).
    pub fn last_type(&self) -> Option<ExtensionType> {
        self.items.last().map(|(t, _)| *t)
    }

    /// Fails with unsupported_extension if any extension is outside `allowed`.
    pub fn only(&self, allowed: &[ExtensionType]) -> Result<(), Error> {
        for (t, _) in &self.items {
            if !allowed.contains(t) {
                return Err(Error::UnsupportedExtension(*t));
            }
        }
        Ok(())
    }
}

/// Appends one extension (type, length, body written by `f`).
pub fn put_ext(out: &mut Vec<u8>, typ: ExtensionType, f: impl FnOnce(&mut Vec<u8>)) {
    put_u16(out, typ.0);
    put_prefixed(out, Prefix::U16, f);
}

fn whole<'a, T>(
    body: &'a [u8],
    what: &'static str,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T, DecodeError>,
) -> Result<T, Error> {
    let mut r = Reader::new(body);
    let v = f(&mut r)?;
    r.finish(what)?;
    Ok(v)
}

// ---- server_name (RFC 6066 §3) ----

/// Encodes a server_name body with one host name.
pub fn encode_server_name(out: &mut Vec<u8>, host: &str) {
    put_prefixed(out, Prefix::U16, |o| {
        put_u8(o, ServerNameType::HOST_NAME.0);
        put_vec(o, Prefix::U16, host.as_bytes());
    });
}

/// Decodes a ClientHello server_name body: the host name, if one is given.
/// The name must be ASCII without a trailing dot (RFC 6066 §3).
pub fn decode_server_name(body: &[u8]) -> Result<Option<String>, Error> {
    let list = whole(body, "server_name", |r| r.nonempty_vec16("server_name list"))?;
    let mut r = Reader::new(list);
    let mut host = None;
    while !r.is_empty() {
        let typ = ServerNameType(r.u8("server_name type")?);
        let name = r.nonempty_vec16("server_name")?;
        if typ == ServerNameType::HOST_NAME {
            if host.is_some() {
                return Err(Error::IllegalParameter("two host names in server_name"));
            }
            // At most 253 bytes, as a DNS name (RFC 1035 §2.3.4): the name is kept in
            // sessions, whose serialization has one length byte for it.
            if !name.iter().all(|b| b.is_ascii_graphic()) || name.ends_with(b".") || name.len() > 253 {
                return Err(Error::IllegalParameter("server_name host name"));
            }
            host = Some(String::from_utf8_lossy(name).to_ascii_lowercase());
        }
    }
    Ok(host)
}

// ---- lists of u16 ----

/// Encodes a two-byte-prefixed list of u16 (supported_groups, signature_algorithms, …).
pub fn encode_u16_list(out: &mut Vec<u8>, values: impl IntoIterator<Item = u16>) {
    put_prefixed(out, Prefix::U16, |o| {
        for v in values {
            put_u16(o, v);
        }
    });
}

/// Decodes a non-empty two-byte-prefixed list of u16 filling the whole body.
pub fn decode_u16_list<'a>(body: &'a [u8], what: &'static str) -> Result<U16List<'a>, Error> {
    let l = whole(body, what, |r| r.u16_list(what))?;
    if l.is_empty() {
        return Err(Error::Decode(what));
    }
    Ok(l)
}

// ---- supported_versions (RFC 8446 §4.2.1) ----

/// Encodes the ClientHello form: a one-byte-prefixed version list.
pub fn encode_client_versions(out: &mut Vec<u8>, versions: &[ProtocolVersion]) {
    put_prefixed(out, Prefix::U8, |o| {
        for v in versions {
            put_u16(o, v.0);
        }
    });
}

/// Decodes the ClientHello form.
pub fn decode_client_versions(body: &[u8]) -> Result<U16List<'_>, Error> {
    let raw = whole(body, "supported_versions", |r| r.nonempty_vec8("supported_versions"))?;
    Ok(U16List::new(raw, "supported_versions")?)
}

/// Decodes the ServerHello form: one version.
pub fn decode_server_version(body: &[u8]) -> Result<ProtocolVersion, Error> {
    whole(body, "supported_versions", |r| r.u16("supported_versions")).map(ProtocolVersion)
}

// ---- key_share (RFC 8446 §4.2.8) ----

/// One key share offered or chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    /// The group.
    pub group: NamedGroup,
    /// The public value.
    pub key: &'a [u8],
}

fn read_share<'a>(r: &mut Reader<'a>) -> Result<KeyShareEntry<'a>, DecodeError> {
    let group = NamedGroup(r.u16("key_share group")?);
    let key = r.nonempty_vec16("key_share key")?;
    Ok(KeyShareEntry { group, key })
}

fn put_share(out: &mut Vec<u8>, e: &KeyShareEntry<'_>) {
    put_u16(out, e.group.0);
    put_vec(out, Prefix::U16, e.key);
}

/// Encodes the ClientHello form (a list of shares).
pub fn encode_client_key_shares(out: &mut Vec<u8>, shares: &[KeyShareEntry<'_>]) {
    put_prefixed(out, Prefix::U16, |o| {
        for s in shares {
            put_share(o, s);
        }
    });
}

/// Decodes the ClientHello form; a group offered twice is illegal_parameter.
pub fn decode_client_key_shares(body: &[u8]) -> Result<Vec<KeyShareEntry<'_>>, Error> {
    let list = whole(body, "key_share", |r| r.vec16("key_share list"))?;
    let mut r = Reader::new(list);
    let mut out: Vec<KeyShareEntry<'_>> = Vec::new();
    while !r.is_empty() {
        let e = read_share(&mut r)?;
        if out.iter().any(|x| x.group == e.group) {
            return Err(Error::IllegalParameter("duplicate key_share group"));
        }
        out.push(e);
    }
    Ok(out)
}

/// Encodes the ServerHello form (one share).
pub fn encode_server_key_share(out: &mut Vec<u8>, share: &KeyShareEntry<'_>) {
    put_share(out, share);
}

/// Decodes the ServerHello form.
pub fn decode_server_key_share(body: &[u8]) -> Result<KeyShareEntry<'_>, Error> {
    whole(body, "key_share", read_share)
}

/// Decodes the HelloRetryRequest form (the selected group).
pub fn decode_hrr_key_share(body: &[u8]) -> Result<NamedGroup, Error> {
    whole(body, "key_share", |r| r.u16("key_share group")).map(NamedGroup)
}

// ---- psk_key_exchange_modes (RFC 8446 §4.2.9) ----

/// Encodes the mode list.
pub fn encode_psk_modes(out: &mut Vec<u8>, modes: &[PskKeyExchangeMode]) {
    put_prefixed(out, Prefix::U8, |o| {
        for m in modes {
            put_u8(o, m.0);
        }
    });
}

/// Decodes the mode list.
pub fn decode_psk_modes(body: &[u8]) -> Result<&[u8], Error> {
    whole(body, "psk_key_exchange_modes", |r| r.nonempty_vec8("psk_key_exchange_modes"))
}

// ---- pre_shared_key (RFC 8446 §4.2.11) ----

/// One offered PSK identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PskIdentity<'a> {
    /// The identity (a ticket, or an external PSK name).
    pub identity: &'a [u8],
    /// The obfuscated ticket age.
    pub obfuscated_age: u32,
}

/// The ClientHello pre_shared_key body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferedPsks<'a> {
    /// Identities in order.
    pub identities: Vec<PskIdentity<'a>>,
    /// Binders, one per identity.
    pub binders: Vec<&'a [u8]>,
    /// Length of the binders list on the wire, its two-byte prefix included.
    pub binders_len: usize,
}

/// Decodes the ClientHello pre_shared_key body.
pub fn decode_offered_psks(body: &[u8]) -> Result<OfferedPsks<'_>, Error> {
    let mut r = Reader::new(body);
    let ids = r.nonempty_vec16("psk identities")?;
    let binders_start = body.len() - r.remaining();
    let binders_raw = r.nonempty_vec16("psk binders")?;
    r.finish("pre_shared_key")?;
    let mut ir = Reader::new(ids);
    let mut identities = Vec::new();
    while !ir.is_empty() {
        let identity = ir.nonempty_vec16("psk identity")?;
        let obfuscated_age = ir.u32("psk age")?;
        identities.push(PskIdentity { identity, obfuscated_age });
    }
    let mut br = Reader::new(binders_raw);
    let mut binders = Vec::new();
    while !br.is_empty() {
        let b = br.vec8("psk binder")?;
        if b.len() < 32 {
            return Err(Error::Decode("psk binder"));
        }
        binders.push(b);
    }
    if binders.len() != identities.len() {
        return Err(Error::IllegalParameter("psk binder count"));
    }
    Ok(OfferedPsks { identities, binders, binders_len: body.len() - binders_start })
}

/// Encodes a ClientHello pre_shared_key body with zeroed binders of the
/// given lengths; returns the binders list length (prefix included), so the
/// caller can hash the truncated ClientHello and patch the binders in.
pub fn encode_offered_psks(out: &mut Vec<u8>, identities: &[PskIdentity<'_>], binder_lens: &[usize]) -> usize {
    put_prefixed(out, Prefix::U16, |o| {
        for id in identities {
            put_vec(o, Prefix::U16, id.identity);
            crate::codec::put_u32(o, id.obfuscated_age);
        }
    });
    let start = out.len();
    put_prefixed(out, Prefix::U16, |o| {
        for len in binder_lens {
            put_u8(o, *len as u8);
            o.extend(core::iter::repeat_n(0u8, *len));
        }
    });
    out.len() - start
}

/// Decodes the ServerHello pre_shared_key body (the selected identity).
pub fn decode_selected_psk(body: &[u8]) -> Result<u16, Error> {
    whole(body, "pre_shared_key", |r| r.u16("selected identity"))
}

// ---- ALPN (RFC 7301) ----

/// Encodes a protocol name list.
pub fn encode_alpn(out: &mut Vec<u8>, protocols: &[Vec<u8>]) {
    put_prefixed(out, Prefix::U16, |o| {
        for p in protocols {
            put_vec(o, Prefix::U8, p);
        }
    });
}

/// Decodes a protocol name list (non-empty, no empty names).
pub fn decode_alpn(body: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let list = whole(body, "application_layer_protocol_negotiation", |r| r.nonempty_vec16("alpn list"))?;
    let mut r = Reader::new(list);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.nonempty_vec8("alpn protocol")?);
    }
    Ok(out)
}

// ---- single-value extensions ----

/// Decodes a body holding exactly one u16 (record_size_limit).
pub fn decode_u16(body: &[u8], what: &'static str) -> Result<u16, Error> {
    whole(body, what, |r| r.u16(what))
}

/// Decodes a body holding exactly one u32 (early_data in NewSessionTicket).
pub fn decode_u32(body: &[u8], what: &'static str) -> Result<u32, Error> {
    whole(body, what, |r| r.u32(what))
}

/// Fails unless the body is empty.
pub fn decode_empty(body: &[u8], what: &'static str) -> Result<(), Error> {
    if body.is_empty() { Ok(()) } else { Err(Error::Decode(what)) }
}

/// CertificateStatusType `ocsp` (RFC 6066 §8).
pub const STATUS_TYPE_OCSP: u8 = 1;

/// A ClientHello's status_request asking for OCSP with no responder IDs
/// and no request extensions (RFC 6066 §8).
pub fn encode_ocsp_status_request(out: &mut Vec<u8>) {
    out.push(STATUS_TYPE_OCSP);
    put_u16(out, 0);
    put_u16(out, 0);
}

/// Whether a ClientHello's extensions ask for a stapled OCSP response.
pub fn asks_for_ocsp(exts: &Extensions<'_>) -> Result<bool, Error> {
    exts.get(ExtensionType::STATUS_REQUEST).map(decode_status_request).transpose().map(|a| a.unwrap_or(false))
}

/// Decodes a ClientHello's status_request: whether it asks for OCSP (a
/// status type we do not know is not an error, it is only not OCSP).
pub fn decode_status_request(body: &[u8]) -> Result<bool, Error> {
    let mut r = Reader::new(body);
    let typ = r.u8("status_request")?;
    if typ != STATUS_TYPE_OCSP {
        return Ok(false);
    }
    r.vec16("status_request responder_id_list")?;
    r.vec16("status_request request_extensions")?;
    r.finish("status_request")?;
    Ok(true)
}

/// Encodes a CertificateStatus body (RFC 6066 §8; in TLS 1.3 the body of
/// the end entity's status_request extension, RFC 8446 §4.4.2.1).
pub fn encode_certificate_status(out: &mut Vec<u8>, ocsp_response: &[u8]) {
    out.push(STATUS_TYPE_OCSP);
    put_vec(out, Prefix::U24, ocsp_response);
}

/// Decodes a CertificateStatus body: the OCSP response (not empty).
pub fn decode_certificate_status(body: &[u8]) -> Result<&[u8], Error> {
    whole(body, "CertificateStatus", |r| {
        if r.u8("CertificateStatus type")? != STATUS_TYPE_OCSP {
            return Err(DecodeError("CertificateStatus type"));
        }
        let resp = r.vec24("OCSPResponse")?;
        if resp.is_empty() {
            return Err(DecodeError("empty OCSPResponse"));
        }
        Ok(resp)
    })
}

/// Decodes a cookie body.
pub fn decode_cookie(body: &[u8]) -> Result<&[u8], Error> {
    whole(body, "cookie", |r| r.nonempty_vec16("cookie"))
}

/// Decodes certificate_authorities: a list of DER distinguished names.
pub fn decode_authorities(body: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let list = whole(body, "certificate_authorities", |r| r.nonempty_vec16("certificate_authorities"))?;
    let mut r = Reader::new(list);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.nonempty_vec16("distinguished name")?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut v = Vec::new();
        f(&mut v);
        v
    }

    #[test]
    fn duplicate_extensions_are_illegal() {
        let raw = block(|o| {
            put_ext(o, ExtensionType::SERVER_NAME, |_| {});
            put_ext(o, ExtensionType::SERVER_NAME, |_| {});
        });
        assert_eq!(Extensions::decode(&raw), Err(Error::IllegalParameter("duplicate extension")));
    }

    #[test]
    fn truncated_extension_block_is_a_decode_error() {
        let mut raw = block(|o| put_ext(o, ExtensionType::COOKIE, |o| put_vec(o, Prefix::U16, b"abc")));
        raw.pop();
        assert!(matches!(Extensions::decode(&raw), Err(Error::Decode(_))));
    }

    #[test]
    fn server_name_round_trip_and_bad_names() {
        let body = block(|o| encode_server_name(o, "Example.COM"));
        assert_eq!(decode_server_name(&body).unwrap().as_deref(), Some("example.com"));
        let body = block(|o| encode_server_name(o, "trailing.dot."));
        assert!(decode_server_name(&body).is_err());
        let body = block(|o| encode_server_name(o, "nul\0byte"));
        assert!(decode_server_name(&body).is_err());
        assert!(decode_server_name(&[0, 0]).is_err());
        // Longer than a DNS name can be: a server would put it into its
        // session tickets, whose one length byte cannot hold it.
        let long = format!("{}.example", "a".repeat(250));
        let body = block(|o| encode_server_name(o, &long));
        assert_eq!(decode_server_name(&body), Err(Error::IllegalParameter("server_name host name")));
        let longest = "b".repeat(253);
        let body = block(|o| encode_server_name(o, &longest));
        assert_eq!(decode_server_name(&body).unwrap().as_deref(), Some(&longest[..]));
    }

    #[test]
    fn key_share_decoding() {
        let shares = [
            KeyShareEntry { group: NamedGroup::X25519, key: &[1; 32] },
            KeyShareEntry { group: NamedGroup::SECP256R1, key: &[4; 65] },
        ];
        let body = block(|o| encode_client_key_shares(o, &shares));
        assert_eq!(decode_client_key_shares(&body).unwrap(), shares.to_vec());
        let dup = [shares[0], shares[0]];
        let body = block(|o| encode_client_key_shares(o, &dup));
        assert!(matches!(decode_client_key_shares(&body), Err(Error::IllegalParameter(_))));
        let body = block(|o| encode_server_key_share(o, &shares[0]));
        assert_eq!(decode_server_key_share(&body).unwrap(), shares[0]);
        assert!(decode_server_key_share(&body[..body.len() - 1]).is_err());
        assert!(decode_server_key_share(&[0, 29, 0, 0]).is_err());
    }

    #[test]
    fn psk_offer_round_trip() {
        let ids = [PskIdentity { identity: b"ticket", obfuscated_age: 77 }];
        let body = block(|o| {
            let n = encode_offered_psks(o, &ids, &[32]);
            assert_eq!(n, 2 + 1 + 32);
        });
        let p = decode_offered_psks(&body).unwrap();
        assert_eq!(p.identities, ids.to_vec());
        assert_eq!(p.binders.len(), 1);
        assert_eq!(p.binders_len, 35);
        let body = block(|o| {
            encode_offered_psks(o, &ids, &[32, 32]);
        });
        assert!(decode_offered_psks(&body).is_err());
    }

    #[test]
    fn alpn_rejects_empty_names() {
        let body = block(|o| encode_alpn(o, &[b"h2".to_vec(), b"http/1.1".to_vec()]));
        assert_eq!(decode_alpn(&body).unwrap(), vec![&b"h2"[..], &b"http/1.1"[..]]);
        assert!(decode_alpn(&[0, 1, 0]).is_err());
        assert!(decode_alpn(&[0, 0]).is_err());
    }

    #[test]
    fn only_allows_listed_extensions() {
        let raw = block(|o| put_ext(o, ExtensionType::COOKIE, |o| put_vec(o, Prefix::U16, b"c")));
        let e = Extensions::decode(&raw).unwrap();
        assert!(e.only(&[ExtensionType::COOKIE]).is_ok());
        assert_eq!(e.only(&[]), Err(Error::UnsupportedExtension(ExtensionType::COOKIE)));
    }
}
