//! The TLS 1.2 server (RFC 5246): suite, group and certificate selection,
//! ServerKeyExchange, client certificates, resumption by session ID and by
//! ticket (RFC 5077) with the extended master secret (RFC 7627), secure
//! renegotiation (RFC 5746) and the fallback SCSV (RFC 7507).

use super::tls12::{
    self, VERIFY_DATA_LEN, check_renegotiation_info, key_fits_suite, kx_kind, master_secret, offered_schemes,
    protections, signed_params, verify_data, verify_tls12,
};
use super::{State, unexpected};
use crate::connection::Common;
use crate::constants::{
    CipherSuite, ExtensionType as Ext, HandshakeType, HashAlgorithm, NamedGroup, ProtocolVersion, SignatureScheme,
};
use crate::context::AuthLevel;
use crate::crypto::Secret;
use crate::crypto::hash::Transcript;
use crate::crypto::kx::{DhServerKey, KeyShare};
use crate::crypto::rand::random_array;
use crate::error::Error;
use crate::msgs::extensions::{self as ext, put_ext};
use crate::msgs::tls12::{
    CERT_TYPE_ECDSA_SIGN, CERT_TYPE_RSA_SIGN, KxKind, NewSessionTicket12, decode_certificate12,
    decode_client_key_exchange, encode_certificate_request12, encode_certificate12, encode_dhe_params,
    encode_ecdhe_params, encode_empty_message, encode_server_key_exchange,
};
use crate::msgs::{
    CertificateVerify, ClientHello, HandshakeMessage, encode_finished, encode_server_hello, put_handshake,
};
use crate::pki::ChainRole;
use crate::session::Session;
use rustls_pki_types::CertificateDer;
use subtle::ConstantTimeEq;

/// The handshake state kept across TLS 1.2 messages.
struct Hs {
    suite: CipherSuite,
    hash: HashAlgorithm,
    kx: KxKind,
    client_random: [u8; 32],
    server_random: [u8; 32],
    session_id: Vec<u8>,
    ems: bool,
    secure_reneg: bool,
    send_ticket: bool,
    transcript: Transcript,
    raw: Option<Vec<u8>>,
    server_verify: Vec<u8>,
}

impl Hs {
    fn add(&mut self, msg: &[u8]) {
        self.transcript.add(msg);
        if let Some(r) = &mut self.raw {
            r.extend_from_slice(msg);
        }
    }
}

enum ServerKey {
    Ec(KeyShare),
    Dh(DhServerKey),
}

/// The highest version the client offers (supported_versions or legacy_version).
fn client_max_version(ch: &ClientHello<'_>) -> ProtocolVersion {
    match ch.extensions.get(Ext::SUPPORTED_VERSIONS).and_then(|b| ext::decode_client_versions(b).ok()) {
        Some(list) => list
            .iter()
            .filter(|v| (0x0300..=0x0304).contains(v))
            .max()
            .map(ProtocolVersion)
            .unwrap_or(ch.legacy_version),
        None => ch.legacy_version,
    }
}

/// Handles a ClientHello that negotiates TLS 1.2 (first handshake or renegotiation).
pub(crate) fn handle_client_hello(cx: &mut Common, ch: &ClientHello<'_>, raw: &[u8]) -> Result<Box<dyn State>, Error> {
    let renegotiating = cx.handshake_done;
    if !ch.compression_methods.contains(&0) {
        return Err(Error::IllegalParameter("ClientHello lacks the null compression method"));
    }
    // RFC 7507: a fallback retry while we could do better is refused.
    if ch.offers(CipherSuite::TLS_FALLBACK_SCSV) && client_max_version(ch) < cx.ctx.max_version {
        return Err(Error::InappropriateFallback);
    }
    // RFC 5746 §3.6/3.7 (a renegotiating client never sends the SCSV, whatever else it sends).
    if renegotiating && ch.offers(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        return Err(Error::HandshakeFailure("SCSV in a renegotiation"));
    }
    let secure_reneg = if let Some(b) = ch.extensions.get(Ext::RENEGOTIATION_INFO) {
        check_renegotiation_info(cx, b, false)?;
        true
    } else if ch.offers(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        if renegotiating {
            return Err(Error::HandshakeFailure("SCSV in a renegotiation"));
        }
        true
    } else {
        if renegotiating {
            return Err(Error::HandshakeFailure("renegotiation without renegotiation_info"));
        }
        false
    };
    if !renegotiating && let Some(b) = ch.extensions.get(Ext::SERVER_NAME) {
        cx.negotiated.server_name = ext::decode_server_name(b)?;
    }
    let client_alpn = match ch.extensions.get(Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
        Some(b) => ext::decode_alpn(b)?,
        None => Vec::new(),
    };
    if !renegotiating
        && let Some(other) = cx.ctx.hooks.select_context(cx.negotiated.server_name.as_deref(), &client_alpn)
    {
        cx.ctx = other;
    }
    let ctx = cx.ctx.clone();
    let client_ems = match ch.extensions.get(Ext::EXTENDED_MASTER_SECRET) {
        Some(b) => {
            ext::decode_empty(b, "extended_master_secret")?;
            true
        }
        None => false,
    };
    let client_groups: Vec<NamedGroup> = match ch.extensions.get(Ext::SUPPORTED_GROUPS) {
        Some(b) => ext::decode_u16_list(b, "supported_groups")?.iter().map(NamedGroup).collect(),
        None => Vec::new(),
    };
    // RFC 8422 §5.1.2: point formats that leave out uncompressed, from a client
    // that names an RFC 8422 curve, are illegal_parameter.
    if let Some(b) = ch.extensions.get(Ext::EC_POINT_FORMATS) {
        let mut r = crate::codec::Reader::new(b);
        let formats = r.nonempty_vec8("ec_point_formats")?;
        r.finish("ec_point_formats")?;
        if !formats.contains(&0) && client_groups.iter().any(|g| matches!(g.0, 23 | 24 | 25 | 29 | 30)) {
            return Err(Error::IllegalParameter("ec_point_formats lacks uncompressed"));
        }
    }
    let client_schemes: Vec<SignatureScheme> = match ch.extensions.get(Ext::SIGNATURE_ALGORITHMS) {
        Some(b) => ext::decode_u16_list(b, "signature_algorithms")?.iter().map(SignatureScheme).collect(),
        None => Vec::new(),
    };
    let offered_ticket = ch.extensions.get(Ext::SESSION_TICKET);
    let mut alpn = None;
    if !ctx.advertised_protocols.is_empty() && !client_alpn.is_empty() {
        let p = ctx
            .advertised_protocols
            .iter()
            .find(|p| client_alpn.contains(&p.as_slice()))
            .ok_or(Error::NoApplicationProtocol)?;
        alpn = Some(p.clone());
    }
    // Record size: record_size_limit wins over max_fragment_length (RFC 8449 §5).
    let mut rsl_reply = None;
    let mut mfl_reply = None;
    if let Some(b) = ch.extensions.get(Ext::RECORD_SIZE_LIMIT) {
        let limit = ext::decode_u16(b, "record_size_limit")?;
        if limit < 64 {
            return Err(Error::IllegalParameter("record_size_limit below 64"));
        }
        cx.max_fragment = (limit as usize).min(crate::record::MAX_FRAGMENT);
        if let Some(ours) = ctx.record_size_limit {
            rsl_reply = Some(ours.max(64));
            cx.max_inbound = (ours.max(64) as usize).min(crate::record::MAX_FRAGMENT);
        }
    } else if let Some(b) = ch.extensions.get(Ext::MAX_FRAGMENT_LENGTH) {
        let mut r = crate::codec::Reader::new(b);
        let code = r.u8("max_fragment_length")?;
        r.finish("max_fragment_length")?;
        let len = match code {
            1 => 512,
            2 => 1024,
            3 => 2048,
            4 => 4096,
            _ => return Err(Error::IllegalParameter("max_fragment_length value")),
        };
        cx.max_fragment = len;
        cx.max_inbound = len;
        mfl_reply = Some(code);
    }
    let mut transcript = Transcript::default();
    transcript.add(raw);
    // Resumption by ticket, then by session ID.
    if !renegotiating && let Some(session) = find_session(cx, ch, offered_ticket, client_ems)? {
        let info = session.suite.info().ok_or(Error::Internal("suite"))?;
        let kx = kx_kind(info).ok_or(Error::Internal("suite"))?;
        let server_random = server_random(&ctx)?;
        let hs = Hs {
            suite: session.suite,
            hash: info.prf,
            kx,
            client_random: ch.random,
            server_random,
            session_id: ch.session_id.to_vec(),
            ems: session.extended_master_secret,
            secure_reneg,
            send_ticket: offered_ticket.is_some() && ctx.tickets > 0,
            transcript,
            raw: None,
            server_verify: Vec::new(),
        };
        return resume(cx, hs, session, alpn, rsl_reply, mfl_reply);
    }
    if ctx.require_ems && !client_ems {
        return Err(Error::HandshakeFailure("the client does not offer the extended master secret"));
    }
    // Suite, group and certificate.
    let mut chosen = None;
    for suite in ctx.tls12_suites() {
        if !ch.offers(suite) {
            continue;
        }
        let Some(info) = suite.info() else { continue };
        let Some(kx) = kx_kind(info) else { continue };
        let group = match kx {
            KxKind::Ecdhe => {
                let g = ctx
                    .usable_groups()
                    .filter(|g| tls12::is_ec_group(*g))
                    .find(|g| client_groups.is_empty() && *g == NamedGroup::SECP256R1 || client_groups.contains(g));
                match g {
                    Some(g) => g,
                    None => continue,
                }
            }
            KxKind::Dhe => {
                let ffdhe: Vec<NamedGroup> = client_groups.iter().copied().filter(|g| g.is_ffdhe()).collect();
                // RFC 7919 §4: a client that names FFDHE groups gets one of them; one that names none gets ours.
                let g = ctx.usable_groups().filter(|g| g.is_ffdhe()).find(|g| ffdhe.is_empty() || ffdhe.contains(g));
                match g {
                    Some(g) => g,
                    None => continue,
                }
            }
        };
        let cert = ctx.certificates.choose(cx.negotiated.server_name.as_deref(), |k| {
            key_fits_suite(k.key.kind(), info)
                && curve_offered(k.key.kind(), &client_groups)
                && k.key.tls12_schemes().iter().any(|s| client_schemes.contains(s))
        });
        if let Some(ck) = cert {
            let scheme = ck.key.tls12_schemes().iter().copied().find(|s| client_schemes.contains(s));
            if let Some(scheme) = scheme {
                chosen = Some((suite, info, kx, group, ck, scheme));
                break;
            }
        }
    }
    let Some((suite, info, kx, group, ck, scheme)) = chosen else {
        // RFC 7919 §4: DHE offered with FFDHE groups (known to us or not), none of them acceptable.
        let dhe_offered = ctx.tls12_suites().any(|s| ch.offers(s) && s.info().and_then(kx_kind) == Some(KxKind::Dhe));
        let ffdhe_offered = client_groups.iter().any(|g| (0x0100..=0x01ff).contains(&g.0));
        let ffdhe_common = ctx.usable_groups().any(|g| g.is_ffdhe() && client_groups.contains(&g));
        if dhe_offered && ffdhe_offered && !ffdhe_common {
            return Err(Error::InsufficientSecurity("no FFDHE group in common"));
        }
        return Err(Error::HandshakeFailure("no TLS 1.2 cipher suite, group and certificate in common"));
    };
    cx.negotiated.alpn = alpn;
    cx.negotiated.version = Some(ProtocolVersion::TLS1_2);
    cx.negotiated.suite = Some(suite);
    cx.negotiated.group = Some(group);
    cx.negotiated.resumed = false;
    let server_random = server_random(&ctx)?;
    let session_id = if ctx.use_cache { random_array::<32>(&*ctx.rng)?.to_vec() } else { Vec::new() };
    let send_ticket = offered_ticket.is_some() && ctx.tickets > 0;
    let mut e = Vec::new();
    let ri = tls12::renegotiation_body(cx, true);
    if secure_reneg {
        put_ext(&mut e, Ext::RENEGOTIATION_INFO, |o| o.extend_from_slice(&ri));
    }
    if client_ems {
        put_ext(&mut e, Ext::EXTENDED_MASTER_SECRET, |_| {});
    }
    if cx.negotiated.server_name.is_some() && !renegotiating {
        put_ext(&mut e, Ext::SERVER_NAME, |_| {});
    }
    if kx == KxKind::Ecdhe && ch.extensions.has(Ext::EC_POINT_FORMATS) {
        put_ext(&mut e, Ext::EC_POINT_FORMATS, |o| crate::codec::put_vec(o, crate::codec::Prefix::U8, &[0]));
    }
    if send_ticket {
        put_ext(&mut e, Ext::SESSION_TICKET, |_| {});
    }
    // RFC 6066 §8: an empty status_request, then a CertificateStatus after the Certificate.
    let wants_ocsp = ext::asks_for_ocsp(&ch.extensions)?;
    let staple = ck.ocsp.as_deref().filter(|_| wants_ocsp);
    if staple.is_some() {
        put_ext(&mut e, Ext::STATUS_REQUEST, |_| {});
    }
    put_common_extensions(&mut e, cx, rsl_reply, mfl_reply);
    let mut sh = Vec::new();
    encode_server_hello(&mut sh, ProtocolVersion::TLS1_2, &server_random, &session_id, suite, 0, &e);
    let mut hs = Hs {
        suite,
        hash: info.prf,
        kx,
        client_random: ch.random,
        server_random,
        session_id,
        ems: client_ems,
        secure_reneg,
        send_ticket,
        transcript,
        // Kept for a client CertificateVerify, which signs the raw messages.
        raw: (ctx.client_auth >= AuthLevel::Ask).then(|| raw.to_vec()),
        server_verify: Vec::new(),
    };
    hs.transcript.start_hash(info.prf);
    hs.add(&sh);
    cx.record_version = ProtocolVersion::TLS1_2;
    cx.client_random = ch.random;
    cx.send_handshake(&sh)?;
    let mut msg = Vec::new();
    encode_certificate12(&mut msg, &ck.chain);
    hs.add(&msg);
    cx.send_handshake(&msg)?;
    if let Some(resp) = staple {
        let mut msg = Vec::new();
        put_handshake(&mut msg, HandshakeType::CERTIFICATE_STATUS, |o| ext::encode_certificate_status(o, resp));
        hs.add(&msg);
        cx.send_handshake(&msg)?;
    }
    // ServerKeyExchange
    let mut params = Vec::new();
    let key = match kx {
        KxKind::Ecdhe => {
            let k = KeyShare::generate(group, &*ctx.rng)?;
            encode_ecdhe_params(&mut params, group, k.public_key());
            ServerKey::Ec(k)
        }
        KxKind::Dhe => {
            let k = crate::crypto::kx::dh_server_key(group, &*ctx.rng)?;
            encode_dhe_params(&mut params, &k.p, &k.g, &k.public);
            ServerKey::Dh(k)
        }
    };
    let sig = ck.key.sign(scheme, &signed_params(&hs.client_random, &hs.server_random, &params))?;
    let mut msg = Vec::new();
    encode_server_key_exchange(&mut msg, &params, scheme, &sig);
    hs.add(&msg);
    cx.send_handshake(&msg)?;
    let request = ctx.client_auth >= AuthLevel::Ask;
    if request {
        let schemes: Vec<SignatureScheme> =
            offered_schemes(cx).into_iter().filter(|s| !tls12::tls12_verify_algorithms(*s).is_empty()).collect();
        let authorities: Vec<Vec<u8>> = ctx.trusted_issuers.subjects().collect();
        let mut msg = Vec::new();
        encode_certificate_request12(&mut msg, &[CERT_TYPE_RSA_SIGN, CERT_TYPE_ECDSA_SIGN], &schemes, &authorities);
        hs.add(&msg);
        cx.send_handshake(&msg)?;
    }
    let mut msg = Vec::new();
    encode_empty_message(&mut msg, HandshakeType::SERVER_HELLO_DONE);
    hs.add(&msg);
    cx.send_handshake(&msg)?;
    Ok(Box::new(ExpectClientKeyExchange { hs, key: Some(key), expect_certificate: request }))
}

/// A TLS 1.2 ServerHello.random: with the downgrade sentinel when we could
/// do TLS 1.3 (RFC 8446 §4.1.3), in full and abbreviated handshakes alike.
fn server_random(ctx: &crate::context::Context) -> Result<[u8; 32], Error> {
    let mut random = random_array::<32>(&*ctx.rng)?;
    if ctx.max_version >= ProtocolVersion::TLS1_3 {
        random[24..].copy_from_slice(&crate::msgs::DOWNGRADE_TLS12);
    }
    Ok(random)
}

/// RFC 8422 §5.1: the client's supported_groups also limit the curve of an
/// ECDSA server certificate (OpenSSL clients refuse others with
/// illegal_parameter). Without the extension any curve will do.
fn curve_offered(kind: crate::crypto::sign::KeyKind, client_groups: &[NamedGroup]) -> bool {
    use crate::crypto::sign::KeyKind;
    let curve = match kind {
        KeyKind::EcdsaP256 => NamedGroup::SECP256R1,
        KeyKind::EcdsaP384 => NamedGroup::SECP384R1,
        KeyKind::Rsa | KeyKind::Ed25519 => return true,
    };
    client_groups.is_empty() || client_groups.contains(&curve)
}

fn put_common_extensions(e: &mut Vec<u8>, cx: &Common, rsl: Option<u16>, mfl: Option<u8>) {
    if let Some(p) = &cx.negotiated.alpn {
        put_ext(e, Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |o| ext::encode_alpn(o, std::slice::from_ref(p)));
    }
    if let Some(limit) = rsl {
        put_ext(e, Ext::RECORD_SIZE_LIMIT, |o| crate::codec::put_u16(o, limit));
    }
    if let Some(code) = mfl {
        put_ext(e, Ext::MAX_FRAGMENT_LENGTH, |o| o.push(code));
    }
}

/// Looks for a resumable session: from the ticket, or the session cache by ID.
fn find_session(
    cx: &Common,
    ch: &ClientHello<'_>,
    ticket: Option<&[u8]>,
    client_ems: bool,
) -> Result<Option<Session>, Error> {
    let ctx = &cx.ctx;
    let now = ctx.now_ms();
    let session = match ticket {
        Some(t) if !t.is_empty() && ctx.tickets > 0 => {
            ctx.ticket_keys.open(now, t).and_then(|p| Session::from_bytes(&p).ok())
        }
        _ => None,
    };
    let session = session.or_else(|| {
        if ch.session_id.is_empty() || !ctx.use_cache {
            None
        } else {
            ctx.session_cache.get(&tls12::server_cache_key(ch.session_id))
        }
    });
    let Some(session) = session else { return Ok(None) };
    if session.version != ProtocolVersion::TLS1_2
        || !session.is_fresh(now)
        || !ch.offers(session.suite)
        || !ctx.tls12_suites().any(|s| s == session.suite)
        || session.server_name != cx.negotiated.server_name
    {
        return Ok(None);
    }
    if ctx.client_auth == AuthLevel::Require && session.peer_certificates.is_empty() {
        return Ok(None);
    }
    // RFC 7627 §5.3.
    match (session.extended_master_secret, client_ems) {
        (true, false) => Err(Error::HandshakeFailure("resumption without the extended master secret")),
        (false, true) => Ok(None),
        _ => Ok(Some(session)),
    }
}

fn resume(
    cx: &mut Common,
    mut hs: Hs,
    session: Session,
    alpn: Option<Vec<u8>>,
    rsl: Option<u16>,
    mfl: Option<u8>,
) -> Result<Box<dyn State>, Error> {
    cx.negotiated.version = Some(ProtocolVersion::TLS1_2);
    cx.negotiated.suite = Some(hs.suite);
    cx.negotiated.resumed = true;
    cx.negotiated.alpn = alpn;
    cx.negotiated.peer_certificates =
        session.peer_certificates.iter().map(|c| CertificateDer::from(c.clone())).collect();
    let mut e = Vec::new();
    if hs.secure_reneg {
        let ri = tls12::renegotiation_body(cx, true);
        put_ext(&mut e, Ext::RENEGOTIATION_INFO, |o| o.extend_from_slice(&ri));
    }
    if hs.ems {
        put_ext(&mut e, Ext::EXTENDED_MASTER_SECRET, |_| {});
    }
    if hs.send_ticket {
        put_ext(&mut e, Ext::SESSION_TICKET, |_| {});
    }
    put_common_extensions(&mut e, cx, rsl, mfl);
    let mut sh = Vec::new();
    encode_server_hello(&mut sh, ProtocolVersion::TLS1_2, &hs.server_random, &hs.session_id, hs.suite, 0, &e);
    hs.transcript.start_hash(hs.hash);
    hs.add(&sh);
    cx.record_version = ProtocolVersion::TLS1_2;
    cx.client_random = hs.client_random;
    cx.send_handshake(&sh)?;
    let master = session.secret.clone();
    // The key log names each connection's master secret, resumed ones included.
    cx.ctx.log_key("CLIENT_RANDOM", &hs.client_random, master.as_bytes());
    if hs.send_ticket {
        send_ticket(cx, &mut hs, &master, &session)?;
    }
    let info = hs.suite.info().ok_or(Error::Internal("suite"))?;
    let (c, s) = protections(hs.hash, info.cipher, &master, &hs.client_random, &hs.server_random)?;
    send_ccs_and_finished(cx, &mut hs, &master, s)?;
    Ok(Box::new(ExpectCcs { hs, master, read: Some(c), resumed: Some(session) }))
}

fn send_ticket(cx: &mut Common, hs: &mut Hs, master: &Secret, template: &Session) -> Result<(), Error> {
    let ctx = cx.ctx.clone();
    let mut s = template.clone();
    s.secret = master.clone();
    s.created_ms = ctx.now_ms();
    s.ticket = Vec::new();
    let ticket = ctx.ticket_keys.seal(&*ctx.rng, ctx.now_ms(), &s.to_bytes())?;
    let lifetime = ctx.session_lifetime.as_secs().min(u32::MAX as u64) as u32;
    let mut msg = Vec::new();
    NewSessionTicket12 { lifetime_hint: lifetime, ticket: &ticket }.encode(&mut msg);
    hs.add(&msg);
    cx.send_handshake(&msg)
}

fn send_ccs_and_finished(
    cx: &mut Common,
    hs: &mut Hs,
    master: &Secret,
    write: crate::record::Protection,
) -> Result<(), Error> {
    cx.send_ccs()?;
    cx.write.set(write);
    let vd = verify_data(hs.hash, master, false, hs.transcript.current_hash().as_bytes());
    let mut fin = Vec::new();
    encode_finished(&mut fin, &vd);
    hs.add(&fin);
    cx.send_handshake(&fin)?;
    hs.server_verify = vd;
    Ok(())
}

struct ExpectClientKeyExchange {
    hs: Hs,
    key: Option<ServerKey>,
    expect_certificate: bool,
}

impl State for ExpectClientKeyExchange {
    fn expecting(&self) -> &'static str {
        if self.expect_certificate { "client Certificate" } else { "ClientKeyExchange" }
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if self.expect_certificate {
            if m.typ != HandshakeType::CERTIFICATE {
                return Err(unexpected("client Certificate", &m));
            }
            let certs = decode_certificate12(m.body)?;
            self.hs.add(m.raw);
            self.expect_certificate = false;
            if certs.is_empty() {
                if cx.ctx.client_auth == AuthLevel::Require {
                    return Err(Error::HandshakeFailure("a client certificate is required"));
                }
                self.hs.raw = None;
                return Ok(self);
            }
            cx.accept_peer_chain(certs.iter().copied(), ChainRole::Client)?;
            return Ok(self);
        }
        if m.typ != HandshakeType::CLIENT_KEY_EXCHANGE {
            return Err(unexpected("ClientKeyExchange", &m));
        }
        let public = decode_client_key_exchange(m.body, self.hs.kx)?;
        let key = self.key.take().ok_or(Error::Internal("server key"))?;
        let premaster = match key {
            ServerKey::Ec(k) => k.agree(public)?,
            ServerKey::Dh(k) => k.agree(public)?,
        };
        self.hs.add(m.raw);
        let hs = self.hs;
        let session_hash = hs.transcript.current_hash();
        let master = master_secret(
            hs.hash,
            &premaster,
            hs.ems.then_some(session_hash.as_bytes()),
            &hs.client_random,
            &hs.server_random,
        );
        cx.ctx.log_key("CLIENT_RANDOM", &hs.client_random, master.as_bytes());
        let info = hs.suite.info().ok_or(Error::Internal("suite"))?;
        let (c, _) = protections(hs.hash, info.cipher, &master, &hs.client_random, &hs.server_random)?;
        if !cx.negotiated.peer_certificates.is_empty() && hs.raw.is_some() {
            return Ok(Box::new(ExpectCertificateVerify { hs, master, read: Some(c) }));
        }
        Ok(Box::new(ExpectCcs { hs, master, read: Some(c), resumed: None }))
    }
}

struct ExpectCertificateVerify {
    hs: Hs,
    master: Secret,
    read: Option<crate::record::Protection>,
}

impl State for ExpectCertificateVerify {
    fn expecting(&self) -> &'static str {
        "client CertificateVerify"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::CERTIFICATE_VERIFY {
            return Err(unexpected("client CertificateVerify", &m));
        }
        let cv = CertificateVerify::decode(m.body)?;
        let raw = self.hs.raw.take().ok_or(Error::Internal("handshake messages"))?;
        let offered: Vec<SignatureScheme> = offered_schemes(cx);
        let ee = cx.negotiated.peer_certificates.first().ok_or(Error::Internal("no client certificate"))?;
        verify_tls12(ee, &offered, cv.scheme, &raw, cv.signature)?;
        self.hs.add(m.raw);
        Ok(Box::new(ExpectCcs { hs: self.hs, master: self.master, read: self.read, resumed: None }))
    }
}

struct ExpectCcs {
    hs: Hs,
    master: Secret,
    read: Option<crate::record::Protection>,
    resumed: Option<Session>,
}

impl State for ExpectCcs {
    fn expecting(&self) -> &'static str {
        "ChangeCipherSpec"
    }

    fn handle(self: Box<Self>, _cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        Err(unexpected("ChangeCipherSpec", &m))
    }

    fn handle_ccs(mut self: Box<Self>, cx: &mut Common) -> Result<Box<dyn State>, Error> {
        let read = self.read.take().ok_or(Error::Internal("read keys"))?;
        cx.set_read(read);
        Ok(Box::new(ExpectFinished { hs: self.hs, master: self.master, resumed: self.resumed }))
    }
}

struct ExpectFinished {
    hs: Hs,
    master: Secret,
    resumed: Option<Session>,
}

impl State for ExpectFinished {
    fn expecting(&self) -> &'static str {
        "client Finished"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::FINISHED {
            return Err(unexpected("client Finished", &m));
        }
        if m.body.len() != VERIFY_DATA_LEN {
            return Err(Error::Decode("Finished"));
        }
        let hs = &mut self.hs;
        let expect = verify_data(hs.hash, &self.master, true, hs.transcript.current_hash().as_bytes());
        if !bool::from(expect.as_slice().ct_eq(m.body)) {
            return Err(Error::DecryptError("client Finished"));
        }
        hs.add(m.raw);
        let ctx = cx.ctx.clone();
        if self.resumed.is_none() {
            let session = Session {
                session_id: hs.session_id.clone(),
                extended_master_secret: hs.ems,
                ..cx.new_session(
                    ProtocolVersion::TLS1_2,
                    hs.suite,
                    self.master.clone(),
                    cx.lifetime_secs(u32::MAX as u64),
                )
            };
            if hs.send_ticket {
                send_ticket(cx, hs, &self.master, &session)?;
            }
            if ctx.use_cache && !hs.session_id.is_empty() {
                ctx.session_cache.put(&tls12::server_cache_key(&hs.session_id), session);
            }
            let info = hs.suite.info().ok_or(Error::Internal("suite"))?;
            let (_, s) = protections(hs.hash, info.cipher, &self.master, &hs.client_random, &hs.server_random)?;
            send_ccs_and_finished(cx, hs, &self.master, s)?;
        }
        let client_vd = expect;
        let server_vd = hs.server_verify.clone();
        tls12::finish(
            cx,
            hs.hash,
            &self.master,
            (&hs.client_random, &hs.server_random),
            client_vd,
            server_vd,
            hs.secure_reneg,
        )?;
        Ok(Box::new(Traffic))
    }
}

/// After the handshake: a ClientHello starts a renegotiation.
pub(crate) struct Traffic;

impl State for Traffic {
    fn expecting(&self) -> &'static str {
        "ClientHello"
    }

    fn handle(self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::CLIENT_HELLO {
            return Err(unexpected("ClientHello", &m));
        }
        let ch = ClientHello::decode(m.body)?;
        if !cx.ctx.enable_renegotiation || cx.reneg.is_none() {
            log::warn!(
                "refusing the client's renegotiation (ClientHello after the handshake): disabled, or not secure"
            );
            cx.send_alert(crate::alert::Alert::warning(crate::constants::AlertDescription::NO_RENEGOTIATION));
            return Ok(self);
        }
        if ch.legacy_version < ProtocolVersion::TLS1_2 {
            return Err(Error::ProtocolVersion);
        }
        cx.renegotiating = true;
        handle_client_hello(cx, &ch, m.raw)
    }

    fn renegotiate(self: Box<Self>, cx: &mut Common) -> Result<Box<dyn State>, Error> {
        if !cx.ctx.enable_renegotiation || cx.reneg.is_none() {
            return Err(Error::Config("renegotiation is disabled or the peer does not support it securely".into()));
        }
        let mut msg = Vec::new();
        encode_empty_message(&mut msg, HandshakeType::HELLO_REQUEST);
        cx.send_handshake(&msg)?;
        Ok(self)
    }
}
