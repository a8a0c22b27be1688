//! The TLS 1.2 client (RFC 5246): the server's flight after a ServerHello
//! that chose TLS 1.2, our key exchange and Finished, session resumption by
//! ID or ticket (RFC 5077), the extended master secret (RFC 7627) and secure
//! renegotiation (RFC 5746).

use super::tls12::{
    self, VERIFY_DATA_LEN, check_renegotiation_info, kx_kind, master_secret, offered_schemes, protections,
    signed_params, verify_data, verify_tls12,
};
use super::{State, unexpected};
use crate::connection::Common;
use crate::constants::{
    CipherSuite, ExtensionType as Ext, HandshakeType, HashAlgorithm, KeyExchange, ProtocolVersion, SignatureScheme,
};
use crate::crypto::Secret;
use crate::crypto::hash::Transcript;
use crate::crypto::kx::KeyShare;
use crate::crypto::rand::random_array;
use crate::error::{CertificateError, Error, MessageKind};
use crate::msgs::extensions::{self as ext, put_ext};
use crate::msgs::tls12::{
    CertificateRequest12, KxKind, NewSessionTicket12, ServerKeyExchange, ServerParams, decode_certificate12,
    decode_empty_message, encode_certificate12, encode_client_key_exchange,
};
use crate::msgs::{CertificateVerify, HandshakeMessage, ServerHello, encode_client_hello, encode_finished};
use crate::pki::ChainRole;
use crate::session::Session;
use rustls_pki_types::CertificateDer;
use subtle::ConstantTimeEq;

/// What the client offered that the TLS 1.2 path needs.
pub(crate) struct Offer12 {
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub suites: Vec<CipherSuite>,
    pub session: Option<Session>,
    pub offered_ticket: bool,
    pub offered_tls13: bool,
    pub verify_name: Option<String>,
    pub cache_name: Option<String>,
    /// The ClientHello bytes (for CertificateVerify, which signs the raw transcript).
    pub hello: Vec<u8>,
}

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
    ticket_expected: bool,
    /// The server said it may send a CertificateStatus (RFC 6066 §8).
    status_expected: bool,
    transcript: Transcript,
    /// The raw handshake messages, kept while a client certificate may need them.
    raw: Option<Vec<u8>>,
    verify_name: Option<String>,
    cache_name: Option<String>,
    new_ticket: Option<(Vec<u8>, u32)>,
    /// Our Finished verify_data, once sent.
    client_verify: Vec<u8>,
}

impl Hs {
    fn add(&mut self, msg: &[u8]) {
        self.transcript.add(msg);
        if let Some(r) = &mut self.raw {
            r.extend_from_slice(msg);
        }
    }
}

/// Continues after a ServerHello that negotiated TLS 1.2.
pub(crate) fn handle_server_hello(
    cx: &mut Common,
    offer: Offer12,
    mut transcript: Transcript,
    sh: &ServerHello<'_>,
    raw: &[u8],
) -> Result<Box<dyn State>, Error> {
    if offer.offered_tls13 && sh.random[24..] == crate::msgs::DOWNGRADE_TLS12 {
        return Err(Error::IllegalParameter("downgrade sentinel in ServerHello.random"));
    }
    if sh.random[24..] == crate::msgs::DOWNGRADE_TLS11 {
        return Err(Error::IllegalParameter("downgrade sentinel in ServerHello.random"));
    }
    if sh.compression_method != 0 {
        return Err(Error::IllegalParameter("ServerHello compression method"));
    }
    if !offer.suites.contains(&sh.cipher_suite) || !tls12::is_tls12_suite(sh.cipher_suite) {
        return Err(Error::IllegalParameter("ServerHello cipher suite was not offered"));
    }
    let info = sh.cipher_suite.info().ok_or(Error::IllegalParameter("cipher suite"))?;
    let kx = kx_kind(info).ok_or(Error::IllegalParameter("cipher suite"))?;
    let ctx = cx.ctx.clone();
    // Every extension must answer one we sent.
    for (t, body) in sh.extensions.iter() {
        match t {
            Ext::SERVER_NAME => {
                ext::decode_empty(body, "server_name")?;
                if cx.negotiated.server_name.is_none() {
                    return Err(Error::UnsupportedExtension(t));
                }
            }
            Ext::EC_POINT_FORMATS => {
                let mut r = crate::codec::Reader::new(body);
                let f = r.nonempty_vec8("ec_point_formats")?;
                r.finish("ec_point_formats")?;
                if kx == KxKind::Ecdhe && !f.contains(&0) {
                    return Err(Error::IllegalParameter("ec_point_formats lacks uncompressed"));
                }
            }
            Ext::EXTENDED_MASTER_SECRET | Ext::RENEGOTIATION_INFO => {}
            Ext::STATUS_REQUEST => {
                ext::decode_empty(body, "status_request")?;
                if !ctx.request_ocsp {
                    return Err(Error::UnsupportedExtension(t));
                }
            }
            Ext::SESSION_TICKET => {
                ext::decode_empty(body, "session_ticket")?;
                if !offer.offered_ticket {
                    return Err(Error::UnsupportedExtension(t));
                }
            }
            Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                if ctx.advertised_protocols.is_empty() {
                    return Err(Error::UnsupportedExtension(t));
                }
                let list = ext::decode_alpn(body)?;
                if list.len() != 1 || !ctx.advertised_protocols.iter().any(|p| p.as_slice() == list[0]) {
                    return Err(Error::IllegalParameter("ALPN protocol was not offered"));
                }
                cx.negotiated.alpn = Some(list[0].to_vec());
            }
            Ext::RECORD_SIZE_LIMIT => {
                if ctx.record_size_limit.is_none() {
                    return Err(Error::UnsupportedExtension(t));
                }
                let limit = ext::decode_u16(body, "record_size_limit")?;
                if limit < 64 {
                    return Err(Error::IllegalParameter("record_size_limit below 64"));
                }
                cx.max_fragment = (limit as usize).min(crate::record::MAX_FRAGMENT);
                if let Some(ours) = ctx.record_size_limit {
                    cx.max_inbound = (ours.max(64) as usize).min(crate::record::MAX_FRAGMENT);
                }
            }
            Ext::MAX_FRAGMENT_LENGTH => {
                let Some(ours) = ctx.max_fragment_length else {
                    return Err(Error::UnsupportedExtension(t));
                };
                let mut r = crate::codec::Reader::new(body);
                let code = r.u8("max_fragment_length")?;
                r.finish("max_fragment_length")?;
                if Some(code) != mfl_code(ours) {
                    return Err(Error::IllegalParameter("max_fragment_length differs from our request"));
                }
                // RFC 8449 §5: a server never grants both.
                if sh.extensions.has(Ext::RECORD_SIZE_LIMIT) {
                    return Err(Error::IllegalParameter("both max_fragment_length and record_size_limit"));
                }
                cx.max_fragment = cx.max_fragment.min(ours as usize);
                cx.max_inbound = cx.max_inbound.min(ours as usize);
            }
            other => {
                return Err(Error::UnsupportedExtension(other));
            }
        }
    }
    let ems = sh.extensions.has(Ext::EXTENDED_MASTER_SECRET);
    if let Some(b) = sh.extensions.get(Ext::EXTENDED_MASTER_SECRET) {
        ext::decode_empty(b, "extended_master_secret")?;
    }
    let secure_reneg = match sh.extensions.get(Ext::RENEGOTIATION_INFO) {
        Some(b) => {
            check_renegotiation_info(cx, b, true)?;
            true
        }
        None => {
            if cx.reneg.is_some() {
                return Err(Error::HandshakeFailure("renegotiation_info missing in a renegotiation"));
            }
            false
        }
    };
    let hello_raw = offer.hello.clone();
    transcript.start_hash(info.prf);
    transcript.add(raw);
    cx.negotiated.version = Some(ProtocolVersion::TLS1_2);
    cx.negotiated.suite = Some(sh.cipher_suite);
    let mut hs = Hs {
        suite: sh.cipher_suite,
        hash: info.prf,
        kx,
        client_random: offer.random,
        server_random: sh.random,
        session_id: sh.session_id.to_vec(),
        ems,
        secure_reneg,
        ticket_expected: sh.extensions.has(Ext::SESSION_TICKET),
        status_expected: sh.extensions.has(Ext::STATUS_REQUEST),
        transcript,
        raw: Some([hello_raw.as_slice(), raw].concat()),
        verify_name: offer.verify_name,
        cache_name: offer.cache_name,
        new_ticket: None,
        client_verify: Vec::new(),
    };
    // Resumption: the server echoed the session ID we offered.
    if let Some(session) = offer.session
        && !offer.session_id.is_empty()
        && sh.session_id == offer.session_id.as_slice()
    {
        if session.suite != sh.cipher_suite {
            return Err(Error::IllegalParameter("resumed session with another cipher suite"));
        }
        if session.extended_master_secret != ems {
            return Err(Error::HandshakeFailure("extended_master_secret differs from the resumed session"));
        }
        cx.negotiated.resumed = true;
        cx.negotiated.peer_certificates =
            session.peer_certificates.iter().map(|c| CertificateDer::from(c.clone())).collect();
        if cx.negotiated.alpn.is_none() {
            cx.negotiated.alpn = session.alpn.clone();
        }
        hs.raw = None;
        let master = session.secret.clone();
        // The key log names each connection's master secret, resumed ones included.
        cx.ctx.log_key("CLIENT_RANDOM", &hs.client_random, master.as_bytes());
        let (c, s) = protections(hs.hash, info.cipher, &master, &hs.client_random, &hs.server_random)?;
        return Ok(Box::new(ExpectCcs {
            hs,
            master,
            pending_write: Some(c),
            pending_read: Some(s),
            resumed: Some(session),
        }));
    }
    // An echo of our session ID that resumes no session we offered (a TLS 1.3
    // client's random legacy_session_id, RFC 8446 §4.1.2) is a forgery.
    if !sh.session_id.is_empty() && sh.session_id == offer.session_id.as_slice() {
        return Err(Error::IllegalParameter("ServerHello echoes a session ID that was not offered for resumption"));
    }
    if ctx.require_ems && !ems {
        return Err(Error::HandshakeFailure("the server does not support the extended master secret"));
    }
    Ok(Box::new(ExpectCertificate { hs }))
}

/// RFC 5246 §7.4.1.1: a HelloRequest that arrives during a handshake is
/// ignored, and kept out of the transcript. Returns whether `m` is one.
fn ignored_hello_request(m: &HandshakeMessage<'_>) -> Result<bool, Error> {
    if m.typ != HandshakeType::HELLO_REQUEST {
        return Ok(false);
    }
    decode_empty_message(m.body, "HelloRequest")?;
    Ok(true)
}

fn mfl_code(len: u16) -> Option<u8> {
    match len {
        512 => Some(1),
        1024 => Some(2),
        2048 => Some(3),
        4096 => Some(4),
        _ => None,
    }
}

/// The max_fragment_length code for a length, for building hellos.
pub(crate) fn max_fragment_code(len: u16) -> Option<u8> {
    mfl_code(len)
}

struct ExpectCertificate {
    hs: Hs,
}

impl State for ExpectCertificate {
    fn expecting(&self) -> &'static str {
        "Certificate"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ != HandshakeType::CERTIFICATE {
            return Err(unexpected("Certificate", &m));
        }
        let certs = decode_certificate12(m.body)?;
        if certs.is_empty() {
            return Err(Error::Decode("empty server Certificate"));
        }
        cx.accept_peer_chain(certs.iter().copied(), ChainRole::Server(self.hs.verify_name.as_deref()))?;
        // The certificate's key must fit the suite.
        let info = self.hs.suite.info().ok_or(Error::Internal("suite"))?;
        let wants_rsa = matches!(info.kx, KeyExchange::EcdheRsa | KeyExchange::DheRsa);
        if cert_is_rsa(&cx.negotiated.peer_certificates[0]) != Some(wants_rsa) {
            return Err(Error::Certificate(CertificateError::UnsupportedAlgorithm));
        }
        self.hs.add(m.raw);
        Ok(Box::new(ExpectServerKeyExchange { hs: self.hs }))
    }
}

/// Whether the certificate holds an RSA key (`None` if it does not parse).
fn cert_is_rsa(cert: &CertificateDer<'_>) -> Option<bool> {
    let ee = webpki::EndEntityCert::try_from(cert).ok()?;
    let spki = ee.subject_public_key_info();
    // rsaEncryption OID 1.2.840.113549.1.1.1
    const RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    Some(spki.as_ref().windows(RSA.len()).any(|w| w == RSA))
}

struct ExpectServerKeyExchange {
    hs: Hs,
}

impl State for ExpectServerKeyExchange {
    fn expecting(&self) -> &'static str {
        "ServerKeyExchange"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ == HandshakeType::CERTIFICATE_STATUS && self.hs.status_expected {
            // RFC 6066 §8: optional, once, right after the Certificate.
            self.hs.status_expected = false;
            cx.negotiated.peer_ocsp = Some(ext::decode_certificate_status(m.body)?.to_vec());
            self.hs.add(m.raw);
            return Ok(self);
        }
        if m.typ != HandshakeType::SERVER_KEY_EXCHANGE {
            return Err(unexpected("ServerKeyExchange", &m));
        }
        let ske = ServerKeyExchange::decode(m.body, self.hs.kx)?;
        let offered = offered_schemes(cx);
        let content = signed_params(&self.hs.client_random, &self.hs.server_random, ske.params_raw);
        let ee = cx.negotiated.peer_certificates.first().ok_or(Error::Internal("no server certificate"))?;
        verify_tls12(ee, &offered, ske.scheme, &content, ske.signature)?;
        let ctx = cx.ctx.clone();
        let (public, premaster) = match ske.params {
            ServerParams::Ecdhe { group, public } => {
                if !tls12::is_ec_group(group) || !ctx.usable_groups().any(|g| g == group) {
                    return Err(Error::IllegalParameter("ServerKeyExchange curve was not offered"));
                }
                cx.negotiated.group = Some(group);
                let ours = KeyShare::generate(group, &*ctx.rng)?;
                let p = ours.public_key().to_vec();
                (p, ours.agree(public)?)
            }
            ServerParams::Dhe { p, g, public } => {
                let named = crate::crypto::kx::ffdhe_group_of(p, g);
                cx.negotiated.group = named;
                let (ours, secret) = crate::crypto::kx::dh_agree_with_params(p, g, public, ctx.dh_min_bits, &*ctx.rng)?;
                (ours, secret)
            }
        };
        self.hs.add(m.raw);
        Ok(Box::new(ExpectCertificateRequestOrDone { hs: self.hs, public, premaster, request: None }))
    }
}

struct ExpectCertificateRequestOrDone {
    hs: Hs,
    public: Vec<u8>,
    premaster: zeroize::Zeroizing<Vec<u8>>,
    /// The CertificateRequest: the schemes and the certificate types it asks for.
    request: Option<(Vec<SignatureScheme>, Vec<u8>)>,
}

impl State for ExpectCertificateRequestOrDone {
    fn expecting(&self) -> &'static str {
        if self.request.is_some() { "ServerHelloDone" } else { "CertificateRequest or ServerHelloDone" }
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ == HandshakeType::CERTIFICATE_REQUEST && self.request.is_none() {
            let cr = CertificateRequest12::decode(m.body)?;
            self.request = Some((cr.schemes.iter().map(SignatureScheme).collect(), cr.types.to_vec()));
            self.hs.add(m.raw);
            return Ok(self);
        }
        if m.typ != HandshakeType::SERVER_HELLO_DONE {
            return Err(unexpected(self.expecting(), &m));
        }
        decode_empty_message(m.body, "ServerHelloDone")?;
        self.hs.add(m.raw);
        let mut hs = self.hs;
        if self.request.is_none() {
            hs.raw = None;
        }
        // Our flight: [Certificate] ClientKeyExchange [CertificateVerify] CCS Finished.
        let mut signer = None;
        if let Some((schemes, types)) = &self.request {
            // RFC 5246 §7.4.6: the key must fit one of the requested certificate types.
            let chosen = cx.ctx.certificates.choose(None, |k| {
                fits_certificate_types(k.key.kind(), types) && k.key.tls12_schemes().iter().any(|s| schemes.contains(s))
            });
            let mut msg = Vec::new();
            match &chosen {
                Some(ck) => encode_certificate12(&mut msg, &ck.chain),
                None => encode_certificate12::<Vec<u8>>(&mut msg, &[]),
            }
            hs.add(&msg);
            cx.send_handshake(&msg)?;
            if let Some(ck) = chosen {
                let scheme = ck.key.tls12_schemes().iter().copied().find(|s| schemes.contains(s));
                signer = scheme.map(|s| (ck, s));
            }
        }
        let mut cke = Vec::new();
        encode_client_key_exchange(&mut cke, hs.kx, &self.public);
        hs.add(&cke);
        cx.send_handshake(&cke)?;
        let session_hash = hs.transcript.current_hash();
        let master = master_secret(
            hs.hash,
            &self.premaster,
            hs.ems.then_some(session_hash.as_bytes()),
            &hs.client_random,
            &hs.server_random,
        );
        cx.ctx.log_key("CLIENT_RANDOM", &hs.client_random, master.as_bytes());
        if let Some((ck, scheme)) = signer {
            let raw = hs.raw.take().ok_or(Error::Internal("handshake messages"))?;
            let sig = ck.key.sign(scheme, &raw)?;
            let mut msg = Vec::new();
            CertificateVerify { scheme, signature: &sig }.encode(&mut msg);
            hs.add(&msg);
            cx.send_handshake(&msg)?;
        }
        hs.raw = None;
        let info = hs.suite.info().ok_or(Error::Internal("suite"))?;
        let (c, s) = protections(hs.hash, info.cipher, &master, &hs.client_random, &hs.server_random)?;
        send_ccs_and_finished(cx, &mut hs, &master, c)?;
        Ok(Box::new(ExpectCcs { hs, master, pending_write: None, pending_read: Some(s), resumed: None }))
    }
}

/// Whether a key of `kind` fits one of the ClientCertificateTypes of a
/// CertificateRequest: rsa_sign for RSA, ecdsa_sign for ECDSA and (RFC 8422
/// §5.5) EdDSA keys.
fn fits_certificate_types(kind: crate::crypto::sign::KeyKind, types: &[u8]) -> bool {
    use crate::crypto::sign::KeyKind;
    use crate::msgs::tls12::{CERT_TYPE_ECDSA_SIGN, CERT_TYPE_RSA_SIGN};
    let wanted = match kind {
        KeyKind::Rsa => CERT_TYPE_RSA_SIGN,
        KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::Ed25519 => CERT_TYPE_ECDSA_SIGN,
    };
    types.contains(&wanted)
}

fn send_ccs_and_finished(
    cx: &mut Common,
    hs: &mut Hs,
    master: &Secret,
    write: crate::record::Protection,
) -> Result<Vec<u8>, Error> {
    cx.send_ccs()?;
    cx.write.set(write);
    let vd = verify_data(hs.hash, master, true, hs.transcript.current_hash().as_bytes());
    let mut fin = Vec::new();
    encode_finished(&mut fin, &vd);
    hs.add(&fin);
    cx.send_handshake(&fin)?;
    hs.client_verify = vd.clone();
    Ok(vd)
}

/// Waits for the server's [NewSessionTicket] and ChangeCipherSpec.
struct ExpectCcs {
    hs: Hs,
    master: Secret,
    /// Our write keys, when we still have to send our Finished (resumption).
    pending_write: Option<crate::record::Protection>,
    pending_read: Option<crate::record::Protection>,
    resumed: Option<Session>,
}

impl State for ExpectCcs {
    fn expecting(&self) -> &'static str {
        if self.hs.ticket_expected && self.hs.new_ticket.is_none() { "NewSessionTicket" } else { "ChangeCipherSpec" }
    }

    fn handle(mut self: Box<Self>, _cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ == HandshakeType::NEW_SESSION_TICKET && self.hs.ticket_expected && self.hs.new_ticket.is_none() {
            let t = NewSessionTicket12::decode(m.body)?;
            self.hs.new_ticket = Some((t.ticket.to_vec(), t.lifetime_hint));
            self.hs.add(m.raw);
            return Ok(self);
        }
        Err(unexpected(self.expecting(), &m))
    }

    fn handle_ccs(mut self: Box<Self>, cx: &mut Common) -> Result<Box<dyn State>, Error> {
        if self.hs.ticket_expected && self.hs.new_ticket.is_none() {
            return Err(Error::unexpected("NewSessionTicket", MessageKind::ChangeCipherSpec));
        }
        let read = self.pending_read.take().ok_or(Error::Internal("read keys"))?;
        cx.set_read(read);
        Ok(Box::new(ExpectFinished {
            hs: self.hs,
            master: self.master,
            pending_write: self.pending_write,
            resumed: self.resumed,
        }))
    }
}

struct ExpectFinished {
    hs: Hs,
    master: Secret,
    pending_write: Option<crate::record::Protection>,
    resumed: Option<Session>,
}

impl State for ExpectFinished {
    fn expecting(&self) -> &'static str {
        "Finished"
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ != HandshakeType::FINISHED {
            return Err(unexpected("Finished", &m));
        }
        if m.body.len() != VERIFY_DATA_LEN {
            return Err(Error::Decode("Finished"));
        }
        let hs = &mut self.hs;
        let expect = verify_data(hs.hash, &self.master, false, hs.transcript.current_hash().as_bytes());
        if !bool::from(expect.as_slice().ct_eq(m.body)) {
            return Err(Error::DecryptError("server Finished"));
        }
        hs.add(m.raw);
        if let Some(w) = self.pending_write.take() {
            // Abbreviated handshake: our CCS and Finished come last.
            send_ccs_and_finished(cx, hs, &self.master, w)?;
        }
        let client_vd = hs.client_verify.clone();
        let server_vd = expect;
        // The session to resume later.
        let mut session = self.resumed.take().unwrap_or_else(|| Session {
            session_id: hs.session_id.clone(),
            extended_master_secret: hs.ems,
            ..cx.new_session(ProtocolVersion::TLS1_2, hs.suite, self.master.clone(), cx.lifetime_secs(u32::MAX as u64))
        });
        if let Some((ticket, hint)) = hs.new_ticket.take()
            && !ticket.is_empty()
        {
            session.ticket = ticket;
            session.created_ms = cx.ctx.now_ms();
            if hint > 0 {
                session.lifetime = hint.min(cx.ctx.session_lifetime.as_secs() as u32);
            }
        }
        if !session.session_id.is_empty() || !session.ticket.is_empty() {
            if let (true, Some(name)) = (cx.ctx.use_cache, &hs.cache_name) {
                cx.ctx.session_cache.put(&tls12::client_cache_key(name), session.clone());
            }
            cx.sessions.push(session);
        }
        tls12::finish(
            cx,
            hs.hash,
            &self.master,
            (&hs.client_random, &hs.server_random),
            client_vd,
            server_vd,
            hs.secure_reneg,
        )?;
        Ok(Box::new(Traffic { cache_name: hs.cache_name.clone(), verify_name: hs.verify_name.clone() }))
    }
}

/// After the handshake: HelloRequest (renegotiation).
pub(crate) struct Traffic {
    cache_name: Option<String>,
    verify_name: Option<String>,
}

impl State for Traffic {
    fn expecting(&self) -> &'static str {
        "HelloRequest"
    }

    fn handle(self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if m.typ != HandshakeType::HELLO_REQUEST {
            return Err(unexpected("HelloRequest", &m));
        }
        decode_empty_message(m.body, "HelloRequest")?;
        if !cx.ctx.enable_renegotiation || cx.reneg.is_none() {
            log::warn!(
                "refusing the server's renegotiation request (HelloRequest): disabled, or the server lacks secure renegotiation"
            );
            cx.send_alert(crate::alert::Alert::warning(crate::constants::AlertDescription::NO_RENEGOTIATION));
            return Ok(self);
        }
        self.renegotiate(cx)
    }

    fn renegotiate(self: Box<Self>, cx: &mut Common) -> Result<Box<dyn State>, Error> {
        if !cx.ctx.enable_renegotiation || cx.reneg.is_none() {
            return Err(Error::Config("renegotiation is disabled or the peer does not support it securely".into()));
        }
        start_renegotiation(cx, self.cache_name, self.verify_name)
    }
}

/// Sends a TLS 1.2-only ClientHello for a renegotiation (RFC 5746).
fn start_renegotiation(
    cx: &mut Common,
    cache_name: Option<String>,
    verify_name: Option<String>,
) -> Result<Box<dyn State>, Error> {
    let ctx = cx.ctx.clone();
    let random = random_array::<32>(&*ctx.rng)?;
    let suites: Vec<CipherSuite> = ctx.tls12_suites().collect();
    let mut e = Vec::new();
    if let Some(name) = &cx.negotiated.server_name {
        put_ext(&mut e, Ext::SERVER_NAME, |o| ext::encode_server_name(o, name));
    }
    let groups: Vec<u16> = ctx.usable_groups().map(|g| g.0).collect();
    put_ext(&mut e, Ext::SUPPORTED_GROUPS, |o| ext::encode_u16_list(o, groups.iter().copied()));
    put_ext(&mut e, Ext::EC_POINT_FORMATS, |o| crate::codec::put_vec(o, crate::codec::Prefix::U8, &[0]));
    let schemes = offered_schemes(cx);
    put_ext(&mut e, Ext::SIGNATURE_ALGORITHMS, |o| ext::encode_u16_list(o, schemes.iter().map(|s| s.0)));
    put_ext(&mut e, Ext::EXTENDED_MASTER_SECRET, |_| {});
    let ri = tls12::renegotiation_body(cx, false);
    put_ext(&mut e, Ext::RENEGOTIATION_INFO, |o| o.extend_from_slice(&ri));
    if !ctx.advertised_protocols.is_empty() {
        put_ext(&mut e, Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION, |o| {
            ext::encode_alpn(o, &ctx.advertised_protocols)
        });
    }
    // The record limits are negotiated per handshake (RFC 6066 §4, RFC 8449):
    // ask for the same ones again, or the server may go back to full size.
    if let Some(limit) = ctx.record_size_limit {
        put_ext(&mut e, Ext::RECORD_SIZE_LIMIT, |o| crate::codec::put_u16(o, limit.max(64)));
    }
    if let Some(code) = ctx.max_fragment_length.and_then(mfl_code) {
        put_ext(&mut e, Ext::MAX_FRAGMENT_LENGTH, |o| o.push(code));
    }
    let mut ch = Vec::new();
    encode_client_hello(&mut ch, ProtocolVersion::TLS1_2, &random, &[], &suites, &[0], &e);
    cx.send_handshake(&ch)?;
    cx.client_random = random;
    cx.renegotiating = true;
    let mut transcript = Transcript::default();
    transcript.add(&ch);
    let offer = Offer12 {
        random,
        session_id: Vec::new(),
        suites,
        session: None,
        offered_ticket: false,
        offered_tls13: false,
        verify_name,
        cache_name,
        hello: ch,
    };
    Ok(Box::new(ExpectRenegotiationHello { offer: Some(offer), transcript: Some(transcript) }))
}

/// Waits for the ServerHello of a renegotiation.
struct ExpectRenegotiationHello {
    offer: Option<Offer12>,
    transcript: Option<Transcript>,
}

impl State for ExpectRenegotiationHello {
    fn expecting(&self) -> &'static str {
        "ServerHello"
    }

    fn renegotiation_refused(self: Box<Self>, cx: &mut Common) -> Result<Box<dyn State>, Error> {
        let offer = self.offer.ok_or(Error::Internal("offer"))?;
        cx.renegotiating = false;
        cx.send_held_data()?;
        Ok(Box::new(Traffic { cache_name: offer.cache_name, verify_name: offer.verify_name }))
    }

    fn handle(mut self: Box<Self>, cx: &mut Common, m: HandshakeMessage<'_>) -> Result<Box<dyn State>, Error> {
        if ignored_hello_request(&m)? {
            return Ok(self);
        }
        if m.typ != HandshakeType::SERVER_HELLO {
            return Err(unexpected("ServerHello", &m));
        }
        let sh = ServerHello::decode(m.body)?;
        if sh.legacy_version != ProtocolVersion::TLS1_2 || sh.extensions.has(Ext::SUPPORTED_VERSIONS) {
            return Err(Error::IllegalParameter("renegotiation must keep TLS 1.2"));
        }
        let offer = self.offer.take().ok_or(Error::Internal("offer"))?;
        let transcript = self.transcript.take().ok_or(Error::Internal("transcript"))?;
        // The verify data of our next Finished replaces the current one only when it is sent.
        handle_server_hello(cx, offer, transcript, &sh, m.raw)
    }
}
