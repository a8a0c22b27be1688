//! The TLS 1.3 server (RFC 8446): ClientHello (with HelloRetryRequest and
//! PSK resumption from stateless tickets), our flight, the client's
//! certificate and Finished, then tickets and KeyUpdates.

use super::key_schedule::{self, EarlySecret, finished_mac};
use super::{State, unexpected};
use crate::codec::{Prefix, put_u16, put_vec};
use crate::connection::{Common, EarlyDataSkip, TrafficSecrets};
use crate::constants::{
    CipherSuite, ExtensionType as Ext, HandshakeType, HashAlgorithm, NamedGroup, ProtocolVersion, PskKeyExchangeMode,
    SignatureScheme,
};
use crate::context::AuthLevel;
use crate::crypto::Secret;
use crate::crypto::hash::Transcript;
use crate::crypto::kx::KeyShare;
use crate::crypto::rand::random_array;
use crate::crypto::sign::{tls13_signed_content, verify_tls13};
use crate::error::{CertificateError, Error};
use crate::msgs::extensions::{self as ext, KeyShareEntry, put_ext};
use crate::msgs::{
    Certificate13, CertificateVerify, ClientHello, HRR_RANDOM, HandshakeMessage, NewSessionTicket13, decode_key_update,
    encode_certificate13_stapled, encode_finished, encode_server_hello, put_handshake,
};
use crate::pki::ChainRole;
use crate::session::Session;
use rustls_pki_types::CertificateDer;
use subtle::ConstantTimeEq;

pub(crate) fn start() -> Box<dyn State> {
    Box::new(ExpectClientHello { retry: None })
}

/// What a HelloRetryRequest fixed.
struct Retry {
    transcript: Transcript,
    suite: CipherSuite,
    group: NamedGroup,
    cookie: Option<Vec<u8>>,
    random: [u8; 32],
    /// The first ClientHello's legacy_session_id and server_name body, which
    /// the second one must repeat (RFC 8446 §4.1.2).
    session_id: Vec<u8>,
    server_name: Option<Vec<u8>>,
}

struct ExpectClientHello {
    retry: Option<Retry>,
}

/// The extensions RFC 8446 §4.2 allows in no TLS 1.3 ClientHello (only in a
/// CertificateRequest); one of them is illegal_parameter.
const NOT_IN_CLIENT_HELLO: &[Ext] = &[Ext::OID_FILTERS];

impl State for ExpectClientHello {
    fn expecting(&self) -> &'static str {
        "ClientHello"
    }

    fn handle(self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::CLIENT_HELLO {
            return Err(unexpected("ClientHello", &m));
        }
        let ch = ClientHello::decode(m.body)?;
        // Version
        let ctx = cx.ctx.clone();
        let tls13 = ctx.allows_version(ProtocolVersion::TLS1_3) && ctx.tls13_suites().next().is_some();
        let tls12 = ctx.allows_version(ProtocolVersion::TLS1_2) && ctx.tls12_suites().next().is_some();
        let version = match ch.extensions.get(Ext::SUPPORTED_VERSIONS) {
            Some(sv) => {
                let offered = ext::decode_client_versions(sv)?;
                if tls13 && offered.contains(ProtocolVersion::TLS1_3.0) {
                    ProtocolVersion::TLS1_3
                } else if tls12 && offered.contains(ProtocolVersion::TLS1_2.0) {
                    ProtocolVersion::TLS1_2
                } else {
                    return Err(Error::ProtocolVersion);
                }
            }
            None if tls12 && ch.legacy_version >= ProtocolVersion::TLS1_2 => ProtocolVersion::TLS1_2,
            None => return Err(Error::ProtocolVersion),
        };
        if version == ProtocolVersion::TLS1_2 {
            if self.retry.is_some() {
                return Err(Error::IllegalParameter("second ClientHello without TLS 1.3"));
            }
            return super::tls12_server::handle_client_hello(cx, &ch, m.raw);
        }
        cx.negotiated.version = Some(ProtocolVersion::TLS1_3);
        if ch.extensions.iter().any(|(t, _)| NOT_IN_CLIENT_HELLO.contains(&t)) {
            return Err(Error::IllegalParameter("extension not allowed in a ClientHello"));
        }
        if ch.compression_methods != [0] {
            return Err(Error::IllegalParameter("TLS 1.3 ClientHello compression methods"));
        }
        // We never accept 0-RTT data: it is skipped (RFC 8446 §4.2.10), and
        // a second ClientHello must not offer it again (§4.1.2).
        let early_data = ch.extensions.has(Ext::EARLY_DATA);
        if let Some(r) = &self.retry {
            cx.early_skip = None;
            if early_data {
                return Err(Error::IllegalParameter("early_data after a HelloRetryRequest"));
            }
            if r.random != ch.random {
                return Err(Error::IllegalParameter("second ClientHello changed the random"));
            }
            if r.session_id != ch.session_id || r.server_name.as_deref() != ch.extensions.get(Ext::SERVER_NAME) {
                return Err(Error::IllegalParameter("second ClientHello changed the session ID or server name"));
            }
        }
        if let Some(b) = ch.extensions.get(Ext::SERVER_NAME) {
            cx.negotiated.server_name = ext::decode_server_name(b)?;
        }
        let client_alpn = match ch.extensions.get(Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION) {
            Some(b) => ext::decode_alpn(b)?,
            None => Vec::new(),
        };
        if let Some(other) = cx.ctx.hooks.select_context(cx.negotiated.server_name.as_deref(), &client_alpn) {
            cx.ctx = other;
        }
        let ctx = cx.ctx.clone();
        // Suite: our preference among the client's offer.
        let suite =
            ctx.tls13_suites().find(|s| ch.offers(*s)).ok_or(Error::HandshakeFailure("no cipher suite in common"))?;
        let info = suite.info().ok_or(Error::Internal("suite table"))?;
        let hash = info.prf;
        if let Some(r) = &self.retry
            && r.suite != suite
        {
            return Err(Error::IllegalParameter("second ClientHello changed the suites"));
        }
        // Cookie
        if let Some(r) = &self.retry {
            if let Some(c) = &r.cookie {
                let got = ch.extensions.get(Ext::COOKIE).map(ext::decode_cookie).transpose()?;
                if got != Some(c.as_slice()) {
                    return Err(Error::IllegalParameter("cookie"));
                }
            }
        } else if ch.extensions.has(Ext::COOKIE) {
            return Err(Error::IllegalParameter("cookie in the first ClientHello"));
        }
        // Groups and key shares
        let client_groups = match ch.extensions.get(Ext::SUPPORTED_GROUPS) {
            Some(b) => Some(ext::decode_u16_list(b, "supported_groups")?),
            None => None,
        };
        let shares = match ch.extensions.get(Ext::KEY_SHARE) {
            Some(b) => {
                let s = ext::decode_client_key_shares(b)?;
                let Some(groups) = &client_groups else {
                    return Err(Error::MissingExtension(Ext::SUPPORTED_GROUPS));
                };
                if s.iter().any(|e| !groups.contains(e.group.0)) {
                    return Err(Error::IllegalParameter("key share for a group not in supported_groups"));
                }
                Some(s)
            }
            None => None,
        };
        if client_groups.is_some() && shares.is_none() {
            return Err(Error::MissingExtension(Ext::KEY_SHARE));
        }
        // PSK
        let mut transcript = match &self.retry {
            Some(r) => r.transcript.clone(),
            None => Transcript::default(),
        };
        let psk = choose_psk(cx, &ch, m.raw, &transcript, suite, hash)?;
        let use_dhe = match &psk {
            Some((_, _, mode)) => *mode == PskKeyExchangeMode::PSK_DHE_KE,
            None => true,
        };
        if psk.is_none() && shares.is_none() {
            return Err(Error::MissingExtension(Ext::KEY_SHARE));
        }
        let mut chosen_share: Option<KeyShareEntry<'_>> = None;
        if use_dhe {
            let shares = shares.as_deref().unwrap_or(&[]);
            let groups = client_groups.as_ref().ok_or(Error::MissingExtension(Ext::SUPPORTED_GROUPS))?;
            chosen_share = ctx.usable_groups().find_map(|g| shares.iter().find(|s| s.group == g).copied());
            if let Some(r) = &self.retry
                && chosen_share.map(|s| s.group) != Some(r.group)
            {
                return Err(Error::IllegalParameter("second ClientHello lacks the requested key share"));
            }
            if chosen_share.is_none() {
                let Some(group) = ctx.usable_groups().find(|g| groups.contains(g.0)) else {
                    return Err(Error::HandshakeFailure("no key exchange group in common"));
                };
                return send_retry(cx, &ch, m.raw, suite, hash, group);
            }
        }
        // Certificate (not for PSK)
        let sigalgs: Vec<SignatureScheme> = match ch.extensions.get(Ext::SIGNATURE_ALGORITHMS) {
            Some(b) => ext::decode_u16_list(b, "signature_algorithms")?.iter().map(SignatureScheme).collect(),
            None => Vec::new(),
        };
        let cert = if psk.is_none() {
            if sigalgs.is_empty() {
                return Err(Error::MissingExtension(Ext::SIGNATURE_ALGORITHMS));
            }
            let ck = ctx
                .certificates
                .choose(cx.negotiated.server_name.as_deref(), |k| {
                    k.key.choose_tls13_scheme(|s| sigalgs.contains(&s)).is_some()
                })
                .ok_or(Error::HandshakeFailure("no certificate fits the client's signature algorithms"))?;
            let scheme = ck.key.choose_tls13_scheme(|s| sigalgs.contains(&s)).ok_or(Error::Internal("scheme"))?;
            Some((ck, scheme))
        } else {
            None
        };
        // ALPN
        if !ctx.advertised_protocols.is_empty() && !client_alpn.is_empty() {
            let p = ctx
                .advertised_protocols
                .iter()
                .find(|p| client_alpn.contains(&p.as_slice()))
                .ok_or(Error::NoApplicationProtocol)?;
            cx.negotiated.alpn = Some(p.clone());
        }
        // record_size_limit
        let mut send_rsl = false;
        let wants_ocsp = ext::asks_for_ocsp(&ch.extensions)?;
        if let Some(b) = ch.extensions.get(Ext::RECORD_SIZE_LIMIT) {
            let limit = ext::decode_u16(b, "record_size_limit")?;
            if limit < 64 {
                return Err(Error::IllegalParameter("record_size_limit below 64"));
            }
            cx.max_fragment = (limit as usize - 1).min(crate::record::MAX_FRAGMENT);
            send_rsl = ctx.record_size_limit.is_some();
            if let Some(ours) = ctx.record_size_limit {
                cx.max_inbound = (ours.max(64) as usize - 1).min(crate::record::MAX_FRAGMENT);
            }
        }
        // ServerHello
        transcript.start_hash(hash);
        transcript.add(m.raw);
        let mut sh_ext = Vec::with_capacity(128);
        put_ext(&mut sh_ext, Ext::SUPPORTED_VERSIONS, |o| put_u16(o, ProtocolVersion::TLS1_3.0));
        let mut shared = None;
        if let Some(share) = chosen_share {
            let ours = KeyShare::generate(share.group, &*ctx.rng)?;
            let public = ours.public_key().to_vec();
            shared = Some(ours.agree(share.key)?);
            put_ext(&mut sh_ext, Ext::KEY_SHARE, |o| {
                ext::encode_server_key_share(o, &KeyShareEntry { group: share.group, key: &public })
            });
            cx.negotiated.group = Some(share.group);
        }
        if let Some((index, _, _)) = &psk {
            put_ext(&mut sh_ext, Ext::PRE_SHARED_KEY, |o| put_u16(o, *index));
        }
        let random = random_array::<32>(&*ctx.rng)?;
        cx.client_random = ch.random;
        let mut sh = Vec::with_capacity(sh_ext.len() + 64);
        encode_server_hello(&mut sh, ProtocolVersion::TLS1_2, &random, ch.session_id, suite, 0, &sh_ext);
        transcript.add(&sh);
        cx.record_version = ProtocolVersion::TLS1_2;
        cx.send_handshake(&sh)?;
        if !ch.session_id.is_empty() && self.retry.is_none() {
            cx.send_compat_ccs();
        }
        cx.negotiated.suite = Some(suite);
        // Key schedule
        let (session, early) = match psk {
            Some((_, s, _)) => {
                let e = EarlySecret::new(hash, Some(s.secret.as_bytes()));
                (Some(s), e)
            }
            None => (None, EarlySecret::new(hash, None)),
        };
        let hs = early.into_handshake(shared.as_deref().map(|v| v.as_slice()));
        let hello_hash = transcript.current_hash();
        let client_hs = hs.client_traffic(hello_hash.as_bytes());
        let server_hs = hs.server_traffic(hello_hash.as_bytes());
        cx.log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", &client_hs);
        cx.log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", &server_hs);
        cx.write.set(key_schedule::protection(hash, info.cipher, &server_hs)?);
        cx.set_read(key_schedule::protection(hash, info.cipher, &client_hs)?);
        if early_data {
            cx.early_skip = Some(EarlyDataSkip::Undecryptable);
        }
        // EncryptedExtensions
        let mut ee = Vec::new();
        if cx.negotiated.server_name.is_some() && session.is_none() {
            put_ext(&mut ee, Ext::SERVER_NAME, |_| {});
        }
        if let Some(p) = &cx.negotiated.alpn {
            put_ext(&mut ee, Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |o| {
                ext::encode_alpn(o, std::slice::from_ref(p))
            });
        }
        if let (true, Some(limit)) = (send_rsl, ctx.record_size_limit) {
            put_ext(&mut ee, Ext::RECORD_SIZE_LIMIT, |o| put_u16(o, limit.max(64)));
        }
        let mut msg = Vec::new();
        put_handshake(&mut msg, HandshakeType::ENCRYPTED_EXTENSIONS, |o| put_vec(o, Prefix::U16, &ee));
        transcript.add(&msg);
        cx.send_handshake(&msg)?;
        let mut requested_cert = false;
        if let Some(s) = &session {
            cx.negotiated.resumed = true;
            cx.negotiated.peer_certificates =
                s.peer_certificates.iter().map(|c| CertificateDer::from(c.clone())).collect();
        }
        if let Some((ck, scheme)) = cert {
            if ctx.client_auth >= AuthLevel::Ask {
                let mut cr_ext = Vec::new();
                put_ext(&mut cr_ext, Ext::SIGNATURE_ALGORITHMS, |o| {
                    ext::encode_u16_list(o, ctx.signature_algorithms.iter().map(|s| s.0))
                });
                if !ctx.trusted_issuers.is_empty() {
                    put_ext(&mut cr_ext, Ext::CERTIFICATE_AUTHORITIES, |o| {
                        crate::codec::put_prefixed(o, Prefix::U16, |o| {
                            for dn in ctx.trusted_issuers.subjects() {
                                put_vec(o, Prefix::U16, &dn);
                            }
                        })
                    });
                }
                let mut msg = Vec::new();
                put_handshake(&mut msg, HandshakeType::CERTIFICATE_REQUEST, |o| {
                    put_vec(o, Prefix::U8, &[]);
                    put_vec(o, Prefix::U16, &cr_ext);
                });
                transcript.add(&msg);
                cx.send_handshake(&msg)?;
                requested_cert = true;
            }
            let mut msg = Vec::new();
            let staple = ck.ocsp.as_deref().filter(|_| wants_ocsp);
            encode_certificate13_stapled(&mut msg, &[], &ck.chain, staple);
            transcript.add(&msg);
            cx.send_handshake(&msg)?;
            let content = tls13_signed_content(true, transcript.current_hash().as_bytes());
            let sig = ck.key.sign(scheme, &content)?;
            let mut msg = Vec::new();
            CertificateVerify { scheme, signature: &sig }.encode(&mut msg);
            transcript.add(&msg);
            cx.send_handshake(&msg)?;
        }
        let verify = finished_mac(hash, &server_hs, transcript.current_hash().as_bytes());
        let mut fin = Vec::new();
        encode_finished(&mut fin, verify.as_bytes());
        transcript.add(&fin);
        cx.send_handshake(&fin)?;
        let master = hs.into_master();
        let h = transcript.current_hash();
        let client_ap = master.client_traffic(h.as_bytes());
        let server_ap = master.server_traffic(h.as_bytes());
        let exporter = master.exporter(h.as_bytes());
        cx.log_secret("CLIENT_TRAFFIC_SECRET_0", &client_ap);
        cx.log_secret("SERVER_TRAFFIC_SECRET_0", &server_ap);
        cx.log_secret("EXPORTER_SECRET", &exporter);
        cx.write.set(key_schedule::protection(hash, info.cipher, &server_ap)?);
        cx.exporter = Some(crate::connection::Exporter::Tls13 { hash, secret: exporter });
        let keys = ServerKeys { hash, cipher: info.cipher, suite, client_hs, client_ap, server_ap, master };
        if requested_cert {
            Ok(Box::new(ExpectCertificate { keys, transcript }))
        } else {
            if session.is_none() && ctx.client_auth == AuthLevel::Require {
                return Err(Error::Internal("client certificate required without a request"));
            }
            Ok(Box::new(ExpectFinished { keys, transcript }))
        }
    }
}

/// Looks for an acceptable PSK among the client's identities. Returns the
/// index, the session and the key-exchange mode.
fn choose_psk(
    cx: &Common,
    ch: &ClientHello<'_>,
    raw: &[u8],
    transcript: &Transcript,
    suite: CipherSuite,
    hash: HashAlgorithm,
) -> Result<Option<(u16, Session, PskKeyExchangeMode)>, Error> {
    let Some(body) = ch.extensions.get(Ext::PRE_SHARED_KEY) else {
        return Ok(None);
    };
    if ch.extensions.last_type() != Some(Ext::PRE_SHARED_KEY) {
        return Err(Error::IllegalParameter("pre_shared_key is not the last extension"));
    }
    let Some(modes) = ch.extensions.get(Ext::PSK_KEY_EXCHANGE_MODES) else {
        return Err(Error::MissingExtension(Ext::PSK_KEY_EXCHANGE_MODES));
    };
    let modes = ext::decode_psk_modes(modes)?;
    let offered = ext::decode_offered_psks(body)?;
    let ctx = &cx.ctx;
    let mode = [PskKeyExchangeMode::PSK_DHE_KE, PskKeyExchangeMode::PSK_KE]
        .into_iter()
        .find(|m| modes.contains(&m.0) && ctx.psk_modes.contains(m));
    let Some(mode) = mode else {
        return Ok(None);
    };
    if ctx.tickets == 0 && !ctx.use_cache {
        return Ok(None);
    }
    let now = ctx.now_ms();
    for (i, id) in offered.identities.iter().enumerate() {
        let Some(plain) = ctx.ticket_keys.open(now, id.identity) else { continue };
        let Ok(session) = Session::from_bytes(&plain) else { continue };
        if session.version != ProtocolVersion::TLS1_3
            || session.suite.info().map(|i| i.prf) != Some(hash)
            || !session.is_fresh(now)
            || session.server_name != cx.negotiated.server_name
        {
            continue;
        }
        if ctx.client_auth == AuthLevel::Require && session.peer_certificates.is_empty() {
            continue;
        }
        // The binder covers the ClientHello up to the binders list.
        let truncated = &raw[..raw.len() - offered.binders_len];
        let h = match transcript {
            Transcript::Hashing(..) => transcript.hash_with(truncated),
            Transcript::Buffered(_) => hash.hash(truncated),
        };
        let early = EarlySecret::new(hash, Some(session.secret.as_bytes()));
        let expect = early.binder(h.as_bytes());
        if !bool::from(expect.as_bytes().ct_eq(offered.binders[i])) {
            return Err(Error::DecryptError("PSK binder"));
        }
        let _ = suite;
        return Ok(Some((i as u16, session, mode)));
    }
    Ok(None)
}

fn send_retry(
    cx: &mut Common,
    ch: &ClientHello<'_>,
    raw: &[u8],
    suite: CipherSuite,
    hash: HashAlgorithm,
    group: NamedGroup,
) -> Result<Box<dyn State>, Error> {
    let ctx = cx.ctx.clone();
    let cookie = if ctx.hrr_cookie { Some(random_array::<32>(&*ctx.rng)?.to_vec()) } else { None };
    let mut e = Vec::new();
    put_ext(&mut e, Ext::SUPPORTED_VERSIONS, |o| put_u16(o, ProtocolVersion::TLS1_3.0));
    put_ext(&mut e, Ext::KEY_SHARE, |o| put_u16(o, group.0));
    if let Some(c) = &cookie {
        put_ext(&mut e, Ext::COOKIE, |o| put_vec(o, Prefix::U16, c));
    }
    let mut hrr = Vec::new();
    encode_server_hello(&mut hrr, ProtocolVersion::TLS1_2, &HRR_RANDOM, ch.session_id, suite, 0, &e);
    let mut transcript = Transcript::default();
    transcript.add(raw);
    transcript.start_hash(hash);
    transcript.replace_with_message_hash();
    transcript.add(&hrr);
    cx.record_version = ProtocolVersion::TLS1_2;
    cx.send_handshake(&hrr)?;
    if !ch.session_id.is_empty() {
        cx.send_compat_ccs();
    }
    cx.negotiated.hello_retry = true;
    if ch.extensions.has(Ext::EARLY_DATA) {
        cx.early_skip = Some(EarlyDataSkip::UntilHello);
    }
    let retry = Retry {
        transcript,
        suite,
        group,
        cookie,
        random: ch.random,
        session_id: ch.session_id.to_vec(),
        server_name: ch.extensions.get(Ext::SERVER_NAME).map(<[u8]>::to_vec),
    };
    Ok(Box::new(ExpectClientHello { retry: Some(retry) }))
}

struct ServerKeys {
    hash: HashAlgorithm,
    cipher: crate::constants::BulkCipher,
    suite: CipherSuite,
    client_hs: Secret,
    client_ap: Secret,
    server_ap: Secret,
    master: key_schedule::MasterSecret,
}

struct ExpectCertificate {
    keys: ServerKeys,
    transcript: Transcript,
}

impl State for ExpectCertificate {
    fn expecting(&self) -> &'static str {
        "client Certificate"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::CERTIFICATE {
            return Err(unexpected("client Certificate", &m));
        }
        let cert = Certificate13::decode(m.body)?;
        if !cert.context.is_empty() {
            return Err(Error::IllegalParameter("client Certificate context"));
        }
        self.transcript.add(m.raw);
        if cert.entries.is_empty() {
            if cx.ctx.client_auth == AuthLevel::Require {
                return Err(Error::Certificate(CertificateError::Missing));
            }
            return Ok(Box::new(ExpectFinished { keys: self.keys, transcript: self.transcript }));
        }
        cx.accept_peer_chain(cert.certs(), ChainRole::Client)?;
        Ok(Box::new(ExpectCertificateVerify { keys: self.keys, transcript: self.transcript }))
    }
}

struct ExpectCertificateVerify {
    keys: ServerKeys,
    transcript: Transcript,
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
        if !cx.ctx.signature_algorithms.contains(&cv.scheme) {
            return Err(Error::IllegalParameter("CertificateVerify scheme was not offered"));
        }
        let ee = cx.negotiated.peer_certificates.first().ok_or(Error::Internal("no client certificate"))?;
        let content = tls13_signed_content(false, self.transcript.current_hash().as_bytes());
        verify_tls13(ee, cv.scheme, &content, cv.signature)?;
        self.transcript.add(m.raw);
        Ok(Box::new(ExpectFinished { keys: self.keys, transcript: self.transcript }))
    }
}

struct ExpectFinished {
    keys: ServerKeys,
    transcript: Transcript,
}

impl State for ExpectFinished {
    fn expecting(&self) -> &'static str {
        "client Finished"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::FINISHED {
            return Err(unexpected("client Finished", &m));
        }
        let k = self.keys;
        if m.body.len() != k.hash.output_len() {
            return Err(Error::Decode("Finished"));
        }
        let expect = finished_mac(k.hash, &k.client_hs, self.transcript.current_hash().as_bytes());
        if !bool::from(expect.as_bytes().ct_eq(m.body)) {
            return Err(Error::DecryptError("client Finished"));
        }
        self.transcript.add(m.raw);
        cx.set_read(key_schedule::protection(k.hash, k.cipher, &k.client_ap)?);
        let resumption = k.master.resumption(self.transcript.current_hash().as_bytes());
        cx.traffic = Some(TrafficSecrets { hash: k.hash, cipher: k.cipher, ours: k.server_ap, theirs: k.client_ap });
        cx.finish_handshake()?;
        send_tickets(cx, k.hash, k.suite, &resumption)?;
        Ok(Box::new(ServerTraffic))
    }
}

fn send_tickets(cx: &mut Common, hash: HashAlgorithm, suite: CipherSuite, resumption: &Secret) -> Result<(), Error> {
    let ctx = cx.ctx.clone();
    let lifetime = ctx.session_lifetime.as_secs().min(604_800) as u32;
    for i in 0..ctx.tickets {
        let nonce = (i as u64).to_be_bytes();
        let age_add = u32::from_be_bytes(random_array::<4>(&*ctx.rng)?);
        let secret = key_schedule::resumption_psk(hash, resumption, &nonce);
        let session = Session { age_add, ..cx.new_session(ProtocolVersion::TLS1_3, suite, secret, lifetime) };
        let ticket = ctx.ticket_keys.seal(&*ctx.rng, ctx.now_ms(), &session.to_bytes())?;
        let mut msg = Vec::new();
        NewSessionTicket13 { lifetime, age_add, nonce: &nonce, ticket: &ticket, extensions: Default::default() }
            .encode(&mut msg, &[]);
        cx.send_handshake(&msg)?;
    }
    Ok(())
}

struct ServerTraffic;

impl State for ServerTraffic {
    fn expecting(&self) -> &'static str {
        "KeyUpdate"
    }

    fn handle(self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        match m.typ {
            HandshakeType::KEY_UPDATE => {
                let req = decode_key_update(m.body)?;
                cx.receive_key_update(req)?;
                Ok(self)
            }
            _ => Err(unexpected("KeyUpdate", &m)),
        }
    }
}
