//! The TLS 1.3 client (RFC 8446): ClientHello, HelloRetryRequest,
//! ServerHello, EncryptedExtensions, CertificateRequest, Certificate,
//! CertificateVerify, Finished, then tickets and KeyUpdates.

use super::key_schedule::{self, EarlySecret, HandshakeSecret, MasterSecret, finished_mac};
use super::{State, unexpected};
use crate::connection::Common;
use crate::constants::{
    CipherSuite, ExtensionType as Ext, HandshakeType, NamedGroup, ProtocolVersion, PskKeyExchangeMode, SignatureScheme,
};
use crate::context::Context;
use crate::crypto::Secret;
use crate::crypto::hash::Transcript;
use crate::crypto::kx::KeyShare;
use crate::crypto::rand::random_array;
use crate::crypto::sign::{tls13_signed_content, verify_tls13};
use crate::error::Error;
use crate::msgs::extensions::{self as ext, KeyShareEntry, PskIdentity, put_ext};
use crate::msgs::{
    Certificate13, CertificateRequest13, CertificateVerify, HandshakeMessage, NewSessionTicket13, ServerHello,
    decode_encrypted_extensions, decode_key_update, encode_certificate13, encode_client_hello, encode_finished,
};
use crate::pki::{CertifiedKey, ChainRole};
use crate::session::Session;
use rustls_pki_types::CertificateDer;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The cache key under which a client keeps TLS 1.3 sessions for a server.
pub(crate) fn cache_key(server_name: &str) -> Vec<u8> {
    let mut k = b"tls13 ".to_vec();
    k.extend_from_slice(server_name.as_bytes());
    k
}

/// What the client offered, kept to build a second ClientHello and to check the ServerHello.
struct Offer {
    sni: Option<String>,
    verify_name: Option<String>,
    random: [u8; 32],
    session_id: Vec<u8>,
    suites: Vec<CipherSuite>,
    shares: Vec<KeyShare>,
    session: Option<Session>,
    early: Option<EarlySecret>,
    cookie: Option<Vec<u8>>,
    /// Whether TLS 1.3 / TLS 1.2 are offered.
    tls13: bool,
    tls12: bool,
    /// A TLS 1.2 session offered by session ID or ticket.
    session12: Option<Session>,
    offered_ticket12: bool,
    cache_name: Option<String>,
}

fn is_ip(name: &str) -> bool {
    name.parse::<std::net::IpAddr>().is_ok()
}

/// Whether `name` is a DNS name we can send as SNI and check certificates against.
fn valid_dns_name(name: &str) -> bool {
    rustls_pki_types::ServerName::try_from(name.trim_end_matches('.'))
        .is_ok_and(|n| matches!(n, rustls_pki_types::ServerName::DnsName(_)))
}

pub(crate) fn start(
    cx: &mut Common,
    server_name: Option<&str>,
    session: Option<Session>,
) -> Result<Box<dyn State>, Error> {
    let ctx = cx.ctx.clone();
    let tls13 = ctx.allows_version(ProtocolVersion::TLS1_3) && ctx.tls13_suites().next().is_some();
    let tls12 = ctx.allows_version(ProtocolVersion::TLS1_2) && ctx.tls12_suites().next().is_some();
    if !tls13 && !tls12 {
        return Err(Error::Config(
            "no implemented protocol version with a cipher suite is enabled (TLS 1.2 or 1.3)".into(),
        ));
    }
    if let Some(name) = server_name
        && !is_ip(name)
        && !valid_dns_name(name)
    {
        return Err(Error::Config(format!("not a valid server name: {name:?}")));
    }
    let mut suites: Vec<CipherSuite> = Vec::new();
    if tls13 {
        suites.extend(ctx.tls13_suites());
    }
    if tls12 {
        suites.extend(ctx.tls12_suites());
    }
    let groups: Vec<NamedGroup> = ctx.usable_groups().collect();
    if groups.is_empty() {
        return Err(Error::Config("no supported group is enabled".into()));
    }
    let random = random_array::<32>(&*ctx.rng)?;
    cx.client_random = random;
    let mut shares = Vec::new();
    if tls13 {
        for g in groups.iter().take(ctx.key_shares.max(1)) {
            shares.push(KeyShare::generate(*g, &*ctx.rng)?);
        }
    }
    let sni = server_name.filter(|n| !is_ip(n)).map(|n| n.trim_end_matches('.').to_ascii_lowercase());
    let cache_name = server_name.map(|n| n.trim_end_matches('.').to_ascii_lowercase());
    let now = ctx.now_ms();
    let (given13, given12) = match session {
        Some(s) if s.version == ProtocolVersion::TLS1_3 => (Some(s), None),
        Some(s) if s.version == ProtocolVersion::TLS1_2 => (None, Some(s)),
        _ => (None, None),
    };
    let session = given13.or_else(|| {
        let name = cache_name.as_deref()?;
        if ctx.use_cache && tls13 { ctx.session_cache.take(&cache_key(name)) } else { None }
    });
    // A session is only offered to the server it was made with.
    let session = session.filter(|s| {
        tls13
            && s.server_name == sni
            && s.version == ProtocolVersion::TLS1_3
            && s.is_fresh(now)
            && suites.contains(&s.suite)
            && !ctx.psk_modes.is_empty()
    });
    let session12 = given12
        .or_else(|| {
            let name = cache_name.as_deref()?;
            if ctx.use_cache && tls12 { ctx.session_cache.get(&super::tls12::client_cache_key(name)) } else { None }
        })
        .filter(|s| {
            tls12
                && s.server_name == sni
                && s.version == ProtocolVersion::TLS1_2
                && s.is_fresh(now)
                && suites.contains(&s.suite)
        })
        .filter(|s| s.extended_master_secret || !ctx.require_ems);
    // The legacy session ID: a TLS 1.2 session's own, or random (a ticket
    // resumption is recognised by its echo; TLS 1.3 middlebox compatibility).
    let session_id = match &session12 {
        Some(s) if s.ticket.is_empty() => s.session_id.clone(),
        Some(_) => random_array::<32>(&*ctx.rng)?.to_vec(),
        None if ctx.middlebox_compat && tls13 => random_array::<32>(&*ctx.rng)?.to_vec(),
        None => Vec::new(),
    };
    let offered_ticket12 = tls12 && (ctx.use_cache || session12.is_some());
    let mut offer = Offer {
        sni,
        verify_name: server_name.map(|n| n.trim_end_matches('.').to_string()),
        random,
        session_id,
        suites,
        shares,
        session,
        early: None,
        cookie: None,
        tls13,
        tls12,
        session12,
        offered_ticket12,
        cache_name,
    };
    let mut transcript = Transcript::default();
    let ch = build_hello(&ctx, &mut offer, &transcript)?;
    transcript.add(&ch);
    cx.record_version = ProtocolVersion::TLS1_0;
    cx.send_handshake(&ch)?;
    cx.record_version = ProtocolVersion::TLS1_2;
    cx.negotiated.server_name = offer.sni.clone();
    cx.cache_name = offer.cache_name.clone();
    Ok(Box::new(ExpectServerHello { offer, transcript, retried: None }))
}

/// Builds a ClientHello for `offer`, computing the PSK binder over
/// `transcript` (empty for the first hello).
fn build_hello(ctx: &Context, offer: &mut Offer, transcript: &Transcript) -> Result<Vec<u8>, Error> {
    let mut e = Vec::with_capacity(512);
    if let Some(name) = &offer.sni {
        put_ext(&mut e, Ext::SERVER_NAME, |o| ext::encode_server_name(o, name));
    }
    if offer.tls13 {
        let mut versions = vec![ProtocolVersion::TLS1_3];
        if offer.tls12 {
            versions.push(ProtocolVersion::TLS1_2);
        }
        put_ext(&mut e, Ext::SUPPORTED_VERSIONS, |o| ext::encode_client_versions(o, &versions));
    }
    put_ext(&mut e, Ext::SUPPORTED_GROUPS, |o| ext::encode_u16_list(o, ctx.usable_groups().map(|g| g.0)));
    if ctx.request_ocsp {
        put_ext(&mut e, Ext::STATUS_REQUEST, ext::encode_ocsp_status_request);
    }
    if offer.tls13 {
        let entries: Vec<KeyShareEntry<'_>> =
            offer.shares.iter().map(|s| KeyShareEntry { group: s.group(), key: s.public_key() }).collect();
        put_ext(&mut e, Ext::KEY_SHARE, |o| ext::encode_client_key_shares(o, &entries));
    }
    let schemes = &ctx.signature_algorithms;
    put_ext(&mut e, Ext::SIGNATURE_ALGORITHMS, |o| ext::encode_u16_list(o, schemes.iter().map(|s| s.0)));
    if offer.tls12 {
        put_ext(&mut e, Ext::EC_POINT_FORMATS, |o| crate::codec::put_vec(o, crate::codec::Prefix::U8, &[0]));
        put_ext(&mut e, Ext::EXTENDED_MASTER_SECRET, |_| {});
        put_ext(&mut e, Ext::RENEGOTIATION_INFO, |o| o.push(0));
        if offer.offered_ticket12 {
            let ticket = offer.session12.as_ref().map(|s| s.ticket.clone()).unwrap_or_default();
            put_ext(&mut e, Ext::SESSION_TICKET, |o| o.extend_from_slice(&ticket));
        }
        if let Some(code) = ctx.max_fragment_length.and_then(super::tls12_client::max_fragment_code) {
            put_ext(&mut e, Ext::MAX_FRAGMENT_LENGTH, |o| o.push(code));
        }
    }
    if !ctx.advertised_protocols.is_empty() {
        put_ext(&mut e, Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |o| {
            ext::encode_alpn(o, &ctx.advertised_protocols)
        });
    }
    if let Some(limit) = ctx.record_size_limit {
        put_ext(&mut e, Ext::RECORD_SIZE_LIMIT, |o| crate::codec::put_u16(o, limit.max(64)));
    }
    if let Some(c) = &offer.cookie {
        put_ext(&mut e, Ext::COOKIE, |o| crate::codec::put_vec(o, crate::codec::Prefix::U16, c));
    }
    if !ctx.psk_modes.is_empty() && offer.tls13 {
        put_ext(&mut e, Ext::PSK_KEY_EXCHANGE_MODES, |o| ext::encode_psk_modes(o, &ctx.psk_modes));
    }
    let mut suites = offer.suites.clone();
    if ctx.fallback_scsv {
        suites.push(CipherSuite::TLS_FALLBACK_SCSV);
    }
    // Offer the PSK only if its hash fits the transcript (after a HelloRetryRequest).
    let psk_hash = offer.session.as_ref().and_then(|s| s.suite.info()).map(|i| i.prf);
    let offer_psk = match (psk_hash, transcript.algorithm()) {
        (Some(h), Some(t)) => h == t,
        (Some(_), None) => true,
        _ => false,
    };
    let mut psk_ext = Vec::new();
    let mut binders_len = 0;
    if let (true, Some(s), Some(hash)) = (offer_psk, &offer.session, psk_hash) {
        let age = (ctx.now_ms().saturating_sub(s.created_ms) as u32).wrapping_add(s.age_add);
        let ids = [PskIdentity { identity: &s.ticket, obfuscated_age: age }];
        put_ext(&mut psk_ext, Ext::PRE_SHARED_KEY, |o| {
            binders_len = ext::encode_offered_psks(o, &ids, &[hash.output_len()]);
        });
    }
    // RFC 7685: keep the hello out of the 256-511 byte range some servers choke on.
    let base = 4 + 2 + 32 + 1 + offer.session_id.len() + 2 + 2 * suites.len() + 2 + 2 + e.len() + psk_ext.len();
    if ctx.padding_extension && (256..512).contains(&base) {
        let pad = (512 - base).saturating_sub(4).max(1);
        put_ext(&mut e, Ext::PADDING, |o| o.extend(std::iter::repeat_n(0u8, pad)));
    }
    e.extend_from_slice(&psk_ext);
    let mut ch = Vec::with_capacity(e.len() + 128);
    encode_client_hello(&mut ch, ProtocolVersion::TLS1_2, &offer.random, &offer.session_id, &suites, &[0], &e);
    offer.early = None;
    if let (true, Some(s), Some(hash)) = (offer_psk, &offer.session, psk_hash) {
        let early = EarlySecret::new(hash, Some(s.secret.as_bytes()));
        let truncated = &ch[..ch.len() - binders_len];
        let h = match transcript {
            Transcript::Hashing(..) => transcript.hash_with(truncated),
            Transcript::Buffered(_) => hash.hash(truncated),
        };
        let binder = early.binder(h.as_bytes());
        let at = ch.len() - binder.len();
        ch[at..].copy_from_slice(binder.as_bytes());
        offer.early = Some(early);
    }
    Ok(ch)
}

struct ExpectServerHello {
    offer: Offer,
    transcript: Transcript,
    /// The suite and group of a HelloRetryRequest already received.
    retried: Option<(CipherSuite, NamedGroup)>,
}

impl State for ExpectServerHello {
    fn expecting(&self) -> &'static str {
        "ServerHello"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::SERVER_HELLO {
            return Err(unexpected("ServerHello", &m));
        }
        let sh = ServerHello::decode(m.body)?;
        let version = match sh.extensions.get(Ext::SUPPORTED_VERSIONS) {
            // RFC 8446 §4.2.1: only TLS 1.3 is negotiated through this extension.
            Some(b) => match ext::decode_server_version(b)? {
                ProtocolVersion::TLS1_3 if self.offer.tls13 => ProtocolVersion::TLS1_3,
                _ => return Err(Error::IllegalParameter("supported_versions selects a version that was not offered")),
            },
            None => sh.legacy_version,
        };
        if version == ProtocolVersion::TLS1_2 && self.offer.tls12 && !sh.is_retry_request() {
            if self.retried.is_some() {
                return Err(Error::IllegalParameter("TLS 1.2 ServerHello after a HelloRetryRequest"));
            }
            if sh.session_id.len() > 32 {
                return Err(Error::Decode("ServerHello session_id"));
            }
            let hello = match &self.transcript {
                Transcript::Buffered(b) => b.clone(),
                Transcript::Hashing(..) => return Err(Error::Internal("transcript")),
            };
            let offer = super::tls12_client::Offer12 {
                random: self.offer.random,
                session_id: self.offer.session_id.clone(),
                suites: self.offer.suites.clone(),
                session: self.offer.session12.take(),
                offered_ticket: self.offer.offered_ticket12,
                offered_tls13: self.offer.tls13,
                verify_name: self.offer.verify_name.clone(),
                cache_name: self.offer.cache_name.clone(),
                hello,
            };
            return super::tls12_client::handle_server_hello(cx, offer, self.transcript, &sh, m.raw);
        }
        if version != ProtocolVersion::TLS1_3 || !self.offer.tls13 {
            if sh.random[24..] == crate::msgs::DOWNGRADE_TLS12 || sh.random[24..] == crate::msgs::DOWNGRADE_TLS11 {
                return Err(Error::IllegalParameter("downgrade sentinel in ServerHello.random"));
            }
            return Err(Error::ProtocolVersion);
        }
        if sh.legacy_version != ProtocolVersion::TLS1_2 {
            return Err(Error::IllegalParameter("ServerHello legacy_version"));
        }
        if sh.session_id != self.offer.session_id.as_slice() {
            return Err(Error::IllegalParameter("ServerHello session_id echo"));
        }
        if sh.compression_method != 0 {
            return Err(Error::IllegalParameter("ServerHello compression method"));
        }
        if !self.offer.suites.contains(&sh.cipher_suite) || !sh.cipher_suite.is_tls13() {
            return Err(Error::IllegalParameter("ServerHello cipher suite was not offered"));
        }
        let info = sh.cipher_suite.info().ok_or(Error::IllegalParameter("cipher suite"))?;
        cx.negotiated.version = Some(ProtocolVersion::TLS1_3);
        if sh.is_retry_request() {
            return self.retry(cx, &sh, m.raw);
        }
        sh.extensions.only(&[Ext::SUPPORTED_VERSIONS, Ext::KEY_SHARE, Ext::PRE_SHARED_KEY]).map_err(illegal_in_sh)?;
        if let Some((suite, _)) = self.retried
            && suite != sh.cipher_suite
        {
            return Err(Error::IllegalParameter("ServerHello suite differs from HelloRetryRequest"));
        }
        let hash = info.prf;
        self.transcript.start_hash(hash);
        self.transcript.add(m.raw);
        // PSK
        let mut resumed = None;
        if let Some(b) = sh.extensions.get(Ext::PRE_SHARED_KEY) {
            let idx = ext::decode_selected_psk(b)?;
            let (Some(session), Some(early)) = (self.offer.session.take(), self.offer.early.take()) else {
                return Err(Error::IllegalParameter("pre_shared_key was not offered"));
            };
            if idx != 0 {
                return Err(Error::IllegalParameter("selected PSK identity"));
            }
            if session.suite.info().map(|i| i.prf) != Some(hash) {
                return Err(Error::IllegalParameter("PSK hash does not match the suite"));
            }
            resumed = Some((session, early));
        }
        // Key exchange
        let shared = match sh.extensions.get(Ext::KEY_SHARE) {
            Some(b) => {
                let entry = ext::decode_server_key_share(b)?;
                if let Some((_, g)) = self.retried
                    && g != entry.group
                {
                    return Err(Error::IllegalParameter("key share group differs from HelloRetryRequest"));
                }
                let pos = self.offer.shares.iter().position(|s| s.group() == entry.group);
                let Some(pos) = pos else {
                    return Err(Error::IllegalParameter("key share group was not offered"));
                };
                let share = self.offer.shares.swap_remove(pos);
                cx.negotiated.group = Some(entry.group);
                Some(share.agree(entry.key)?)
            }
            None => {
                if resumed.is_none() || !cx.ctx.psk_modes.contains(&PskKeyExchangeMode::PSK_KE) {
                    return Err(Error::MissingExtension(Ext::KEY_SHARE));
                }
                None
            }
        };
        self.offer.shares.clear();
        let (session, early) = match resumed {
            Some((s, e)) => (Some(s), e),
            None => (None, EarlySecret::new(hash, None)),
        };
        let hs = early.into_handshake(shared.as_deref().map(|v| v.as_slice()));
        let hello_hash = self.transcript.current_hash();
        let client_hs = hs.client_traffic(hello_hash.as_bytes());
        let server_hs = hs.server_traffic(hello_hash.as_bytes());
        cx.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &client_hs);
        cx.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", &server_hs);
        cx.set_read(key_schedule::protection(hash, info.cipher, &server_hs)?);
        if cx.ctx.middlebox_compat && self.retried.is_none() {
            cx.send_compat_ccs();
        }
        cx.write.set(key_schedule::protection(hash, info.cipher, &client_hs)?);
        cx.negotiated.suite = Some(sh.cipher_suite);
        cx.negotiated.resumed = session.is_some();
        if let Some(s) = &session {
            cx.negotiated.peer_certificates =
                s.peer_certificates.iter().map(|c| CertificateDer::from(c.clone())).collect();
        }
        // We ask for max_fragment_length when we offer TLS 1.2 too (see build_hello).
        let offered_mfl = if self.offer.tls12 {
            cx.ctx.max_fragment_length.and_then(super::tls12_client::max_fragment_code)
        } else {
            None
        };
        Ok(Box::new(ExpectEncryptedExtensions {
            keys: Keys { hash, cipher: info.cipher, suite: sh.cipher_suite, hs, client_hs, server_hs },
            transcript: self.transcript,
            verify_name: self.offer.verify_name,
            resumed: session,
            offered_mfl,
        }))
    }
}

fn illegal_in_sh(e: Error) -> Error {
    match e {
        Error::UnsupportedExtension(t) if is_known_tls13(t) => Error::IllegalParameter("extension not allowed here"),
        other => other,
    }
}

/// Extensions RFC 8446 defines: a known one in the wrong message is illegal_parameter.
fn is_known_tls13(t: Ext) -> bool {
    t.name().is_some()
}

impl ExpectServerHello {
    fn retry(mut self: Box<Self>, cx: &mut Common, hrr: &ServerHello<'_>, raw: &[u8]) -> Result<Box<dyn State>, Error> {
        if self.retried.is_some() {
            return Err(Error::unexpected(
                "ServerHello",
                crate::error::MessageKind::Handshake(HandshakeType::SERVER_HELLO),
            ));
        }
        hrr.extensions.only(&[Ext::SUPPORTED_VERSIONS, Ext::KEY_SHARE, Ext::COOKIE]).map_err(illegal_in_sh)?;
        let info = hrr.cipher_suite.info().ok_or(Error::IllegalParameter("cipher suite"))?;
        let cookie = hrr.extensions.get(Ext::COOKIE).map(ext::decode_cookie).transpose()?;
        let group = hrr.extensions.get(Ext::KEY_SHARE).map(ext::decode_hrr_key_share).transpose()?;
        if cookie.is_none() && group.is_none() {
            return Err(Error::IllegalParameter("HelloRetryRequest changes nothing"));
        }
        let ctx = cx.ctx.clone();
        if let Some(g) = group {
            if !ctx.usable_groups().any(|x| x == g) || self.offer.shares.iter().any(|s| s.group() == g) {
                return Err(Error::IllegalParameter("HelloRetryRequest group"));
            }
            self.offer.shares = vec![KeyShare::generate(g, &*ctx.rng)?];
        }
        self.offer.cookie = cookie.map(|c| c.to_vec());
        self.transcript.start_hash(info.prf);
        self.transcript.replace_with_message_hash();
        self.transcript.add(raw);
        let ch2 = build_hello(&ctx, &mut self.offer, &self.transcript)?;
        self.transcript.add(&ch2);
        if ctx.middlebox_compat {
            cx.send_compat_ccs();
        }
        cx.send_handshake(&ch2)?;
        cx.negotiated.hello_retry = true;
        let group = group.unwrap_or_else(|| self.offer.shares.first().map(|s| s.group()).unwrap_or(NamedGroup(0)));
        self.retried = Some((hrr.cipher_suite, group));
        Ok(self)
    }
}

/// Handshake keys of a connection in progress.
pub(crate) struct Keys {
    pub hash: crate::constants::HashAlgorithm,
    pub cipher: crate::constants::BulkCipher,
    pub suite: CipherSuite,
    pub hs: HandshakeSecret,
    pub client_hs: Secret,
    pub server_hs: Secret,
}

struct ExpectEncryptedExtensions {
    keys: Keys,
    transcript: Transcript,
    verify_name: Option<String>,
    resumed: Option<Session>,
    /// The max_fragment_length code our ClientHello asked for.
    offered_mfl: Option<u8>,
}

/// Extensions a server may put in EncryptedExtensions (and the client must have offered).
const EE_ALLOWED: &[Ext] = &[
    Ext::SERVER_NAME,
    Ext::SUPPORTED_GROUPS,
    Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
    Ext::RECORD_SIZE_LIMIT,
    Ext::MAX_FRAGMENT_LENGTH,
];

impl State for ExpectEncryptedExtensions {
    fn expecting(&self) -> &'static str {
        "EncryptedExtensions"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::ENCRYPTED_EXTENSIONS {
            return Err(unexpected("EncryptedExtensions", &m));
        }
        let exts = decode_encrypted_extensions(m.body)?;
        for (t, body) in exts.iter() {
            if !EE_ALLOWED.contains(&t) {
                return Err(if is_known_tls13(t) && t != Ext::EARLY_DATA {
                    Error::IllegalParameter("extension not allowed in EncryptedExtensions")
                } else {
                    Error::UnsupportedExtension(t)
                });
            }
            match t {
                Ext::SERVER_NAME => {
                    ext::decode_empty(body, "server_name")?;
                    if cx.negotiated.server_name.is_none() {
                        return Err(Error::UnsupportedExtension(t));
                    }
                }
                Ext::SUPPORTED_GROUPS => {
                    ext::decode_u16_list(body, "supported_groups")?;
                }
                Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                    if cx.ctx.advertised_protocols.is_empty() {
                        return Err(Error::UnsupportedExtension(t));
                    }
                    let list = ext::decode_alpn(body)?;
                    if list.len() != 1 || !cx.ctx.advertised_protocols.iter().any(|p| p.as_slice() == list[0]) {
                        return Err(Error::IllegalParameter("ALPN protocol was not offered"));
                    }
                    cx.negotiated.alpn = Some(list[0].to_vec());
                }
                Ext::RECORD_SIZE_LIMIT => {
                    if cx.ctx.record_size_limit.is_none() {
                        return Err(Error::UnsupportedExtension(t));
                    }
                    let limit = ext::decode_u16(body, "record_size_limit")?;
                    if limit < 64 {
                        return Err(Error::IllegalParameter("record_size_limit below 64"));
                    }
                    cx.max_fragment = (limit as usize - 1).min(crate::record::MAX_FRAGMENT);
                    if let Some(ours) = cx.ctx.record_size_limit {
                        cx.max_inbound = (ours.max(64) as usize - 1).min(crate::record::MAX_FRAGMENT);
                    }
                }
                Ext::MAX_FRAGMENT_LENGTH => {
                    // RFC 6066 §4: the server grants exactly the length we asked for.
                    let Some(code) = self.offered_mfl else {
                        return Err(Error::UnsupportedExtension(t));
                    };
                    if body != [code] {
                        return Err(Error::IllegalParameter("max_fragment_length differs from our request"));
                    }
                    // RFC 8449 §5: never together with record_size_limit.
                    if exts.has(Ext::RECORD_SIZE_LIMIT) {
                        return Err(Error::IllegalParameter("both max_fragment_length and record_size_limit"));
                    }
                    let len = 256usize << code;
                    cx.max_fragment = cx.max_fragment.min(len);
                    cx.max_inbound = cx.max_inbound.min(len);
                }
                _ => {}
            }
        }
        self.transcript.add(m.raw);
        if self.resumed.is_some() {
            return Ok(Box::new(ExpectFinished { keys: self.keys, transcript: self.transcript, client_auth: None }));
        }
        Ok(Box::new(ExpectCertificate {
            keys: self.keys,
            transcript: self.transcript,
            verify_name: self.verify_name,
            request: None,
        }))
    }
}

/// A CertificateRequest received from the server.
struct ClientAuthRequest {
    context: Vec<u8>,
    schemes: Vec<SignatureScheme>,
}

struct ExpectCertificate {
    keys: Keys,
    transcript: Transcript,
    verify_name: Option<String>,
    request: Option<ClientAuthRequest>,
}

impl State for ExpectCertificate {
    fn expecting(&self) -> &'static str {
        if self.request.is_some() { "Certificate" } else { "Certificate or CertificateRequest" }
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ == HandshakeType::CERTIFICATE_REQUEST && self.request.is_none() {
            let cr = CertificateRequest13::decode(m.body)?;
            if !cr.context.is_empty() {
                return Err(Error::IllegalParameter("CertificateRequest context in the handshake"));
            }
            let Some(sa) = cr.extensions.get(Ext::SIGNATURE_ALGORITHMS) else {
                return Err(Error::MissingExtension(Ext::SIGNATURE_ALGORITHMS));
            };
            let schemes = ext::decode_u16_list(sa, "signature_algorithms")?.iter().map(SignatureScheme).collect();
            self.transcript.add(m.raw);
            self.request = Some(ClientAuthRequest { context: cr.context.to_vec(), schemes });
            return Ok(self);
        }
        if m.typ != HandshakeType::CERTIFICATE {
            return Err(unexpected(self.expecting(), &m));
        }
        let cert = Certificate13::decode(m.body)?;
        if !cert.context.is_empty() {
            return Err(Error::IllegalParameter("server Certificate context"));
        }
        if cert.entries.is_empty() {
            return Err(Error::Decode("empty server Certificate"));
        }
        // RFC 8446 §4.4.2: the end entity's extensions answer ClientHello
        // extensions; status_request carries the stapled OCSP response.
        if let Some(b) = crate::msgs::Extensions::decode(cert.entries[0].extensions)?.get(Ext::STATUS_REQUEST) {
            if !cx.ctx.request_ocsp {
                return Err(Error::UnsupportedExtension(Ext::STATUS_REQUEST));
            }
            cx.negotiated.peer_ocsp = Some(ext::decode_certificate_status(b)?.to_vec());
        }
        cx.accept_peer_chain(cert.certs(), ChainRole::Server(self.verify_name.as_deref()))?;
        self.transcript.add(m.raw);
        Ok(Box::new(ExpectCertificateVerify { keys: self.keys, transcript: self.transcript, request: self.request }))
    }
}

struct ExpectCertificateVerify {
    keys: Keys,
    transcript: Transcript,
    request: Option<ClientAuthRequest>,
}

impl State for ExpectCertificateVerify {
    fn expecting(&self) -> &'static str {
        "CertificateVerify"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::CERTIFICATE_VERIFY {
            return Err(unexpected("CertificateVerify", &m));
        }
        let cv = CertificateVerify::decode(m.body)?;
        if !cx.ctx.signature_algorithms.contains(&cv.scheme) {
            return Err(Error::IllegalParameter("CertificateVerify scheme was not offered"));
        }
        let ee = cx.negotiated.peer_certificates.first().ok_or(Error::Internal("no server certificate"))?;
        let content = tls13_signed_content(true, self.transcript.current_hash().as_bytes());
        verify_tls13(ee, cv.scheme, &content, cv.signature)?;
        self.transcript.add(m.raw);
        Ok(Box::new(ExpectFinished { keys: self.keys, transcript: self.transcript, client_auth: self.request }))
    }
}

struct ExpectFinished {
    keys: Keys,
    transcript: Transcript,
    client_auth: Option<ClientAuthRequest>,
}

impl State for ExpectFinished {
    fn expecting(&self) -> &'static str {
        "Finished"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::FINISHED {
            return Err(unexpected("Finished", &m));
        }
        let k = self.keys;
        if m.body.len() != k.hash.output_len() {
            return Err(Error::Decode("Finished"));
        }
        let expect = finished_mac(k.hash, &k.server_hs, self.transcript.current_hash().as_bytes());
        if !bool::from(expect.as_bytes().ct_eq(m.body)) {
            return Err(Error::DecryptError("server Finished"));
        }
        self.transcript.add(m.raw);
        let master: MasterSecret = k.hs.into_master();
        let h = self.transcript.current_hash();
        let client_ap = master.client_traffic(h.as_bytes());
        let server_ap = master.server_traffic(h.as_bytes());
        let exporter = master.exporter(h.as_bytes());
        cx.log_secret("CLIENT_TRAFFIC_SECRET_0", &client_ap);
        cx.log_secret("SERVER_TRAFFIC_SECRET_0", &server_ap);
        cx.log_secret("EXPORTER_SECRET", &exporter);
        cx.set_read(key_schedule::protection(k.hash, k.cipher, &server_ap)?);
        // Client authentication, then our Finished, under the handshake key.
        if let Some(req) = &self.client_auth {
            let chosen = choose_client_cert(&cx.ctx, &req.schemes);
            let mut msg = Vec::new();
            match &chosen {
                Some((ck, _)) => encode_certificate13(&mut msg, &req.context, &ck.chain),
                None => encode_certificate13::<Vec<u8>>(&mut msg, &req.context, &[]),
            }
            self.transcript.add(&msg);
            cx.send_handshake(&msg)?;
            if let Some((ck, scheme)) = chosen {
                let content = tls13_signed_content(false, self.transcript.current_hash().as_bytes());
                let sig = ck.key.sign(scheme, &content)?;
                let mut msg = Vec::new();
                CertificateVerify { scheme, signature: &sig }.encode(&mut msg);
                self.transcript.add(&msg);
                cx.send_handshake(&msg)?;
            }
        }
        let verify = finished_mac(k.hash, &k.client_hs, self.transcript.current_hash().as_bytes());
        let mut fin = Vec::new();
        encode_finished(&mut fin, verify.as_bytes());
        self.transcript.add(&fin);
        cx.send_handshake(&fin)?;
        cx.write.set(key_schedule::protection(k.hash, k.cipher, &client_ap)?);
        let resumption = master.resumption(self.transcript.current_hash().as_bytes());
        cx.traffic = Some(crate::connection::TrafficSecrets {
            hash: k.hash,
            cipher: k.cipher,
            ours: client_ap,
            theirs: server_ap,
        });
        cx.exporter = Some(crate::connection::Exporter::Tls13 { hash: k.hash, secret: exporter });
        cx.finish_handshake()?;
        Ok(Box::new(ClientTraffic { hash: k.hash, suite: k.suite, resumption }))
    }
}

/// Picks a certificate whose key can sign with one of `schemes`.
fn choose_client_cert(ctx: &Context, schemes: &[SignatureScheme]) -> Option<(Arc<CertifiedKey>, SignatureScheme)> {
    let ck = ctx.certificates.choose(None, |k| k.key.choose_tls13_scheme(|s| schemes.contains(&s)).is_some())?;
    let scheme = ck.key.choose_tls13_scheme(|s| schemes.contains(&s))?;
    Some((ck, scheme))
}

/// After the handshake: tickets, KeyUpdates.
struct ClientTraffic {
    hash: crate::constants::HashAlgorithm,
    suite: CipherSuite,
    resumption: Secret,
}

impl State for ClientTraffic {
    fn expecting(&self) -> &'static str {
        "NewSessionTicket or KeyUpdate"
    }

    fn handle(self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        match m.typ {
            HandshakeType::NEW_SESSION_TICKET => {
                let t = NewSessionTicket13::decode(m.body)?;
                for (typ, body) in t.extensions.iter() {
                    if typ == Ext::EARLY_DATA {
                        ext::decode_u32(body, "early_data")?;
                    }
                }
                let psk = key_schedule::resumption_psk(self.hash, &self.resumption, t.nonce);
                let lifetime = t.lifetime.min(cx.lifetime_secs(u32::MAX as u64));
                let session = Session {
                    ticket: t.ticket.to_vec(),
                    age_add: t.age_add,
                    ..cx.new_session(ProtocolVersion::TLS1_3, self.suite, psk, lifetime)
                };
                if t.lifetime > 0 {
                    if let (true, Some(name)) = (cx.ctx.use_cache, &cx.cache_name) {
                        cx.ctx.session_cache.put(&cache_key(name), session.clone());
                    }
                    cx.sessions.push(session);
                    if cx.sessions.len() > 8 {
                        cx.sessions.remove(0);
                    }
                }
                Ok(self)
            }
            HandshakeType::KEY_UPDATE => {
                let req = decode_key_update(m.body)?;
                cx.receive_key_update(req)?;
                Ok(self)
            }
            _ => Err(unexpected(self.expecting(), &m)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ip_addresses_are_not_sent_as_sni() {
        assert!(super::is_ip("127.0.0.1"));
        assert!(super::is_ip("::1"));
        assert!(!super::is_ip("example.com"));
    }
}
