//! Watching the handshake through the engine's trace hook.
//!
//! An [`Observer`] sees every handshake message, ChangeCipherSpec and alert
//! of the connections of one context. It always keeps what the client and
//! the scanner need to know about the server's answers (its certificates,
//! the extensions it echoed, its tickets); with `--trace` it also prints
//! each message, decoded, on stderr as it goes out or comes in.
//!
//! Messages are peer input: every decoder is bounds-checked, and whatever
//! does not decode is printed as malformed, never a panic.

use crate::x509;
use ssl_core::Side;
use ssl_core::codec::Reader;
use ssl_core::constants::{
    CipherSuite, EcPointFormat, ExtensionType as Ext, HandshakeType as Hs, KeyExchange, NamedGroup, ProtocolVersion,
    PskKeyExchangeMode, SignatureScheme,
};
use ssl_core::msgs::extensions as ext;
use ssl_core::msgs::tls12::{CertificateRequest12, KxKind, NewSessionTicket12, ServerKeyExchange, ServerParams};
use ssl_core::msgs::{
    Certificate13, CertificateRequest13, CertificateVerify, ClientHello, Extensions, NewSessionTicket13, ServerHello,
    decode_encrypted_extensions, decode_key_update,
};
use ssl_core::trace::{Trace, TraceDirection, TraceEvent};
use std::sync::{Mutex, MutexGuard};

/// What the server told us during the last handshake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// The version the server chose.
    pub version: Option<ProtocolVersion>,
    /// The suite the server chose.
    pub suite: Option<CipherSuite>,
    /// Whether a HelloRetryRequest came.
    pub hello_retry: bool,
    /// Extensions of the ServerHello and EncryptedExtensions.
    pub server_extensions: Vec<Ext>,
    /// The server's record_size_limit, if it sent one.
    pub record_size_limit: Option<u16>,
    /// NewSessionTicket messages received (with a non-empty ticket).
    pub tickets: usize,
    /// The server's certificate chain (DER), end entity first.
    pub server_certificates: Vec<Vec<u8>>,
    /// The key exchange of a TLS 1.2 ServerKeyExchange, described.
    pub kx: Option<String>,
    /// The server asked for a client certificate.
    pub certificate_requested: bool,
    /// We sent our second ClientHello after a HelloRetryRequest.
    awaiting_second_hello: bool,
}

impl Observed {
    /// Whether the server sent extension `e`.
    pub fn server_sent(&self, e: Ext) -> bool {
        self.server_extensions.contains(&e)
    }
}

/// Where printed lines go.
type Sink = Box<dyn Fn(&str) + Send + Sync>;

/// The context's trace hook.
pub struct Observer {
    sink: Option<Sink>,
    state: Mutex<Observed>,
}

impl Observer {
    /// An observer that only records.
    pub fn quiet() -> Observer {
        Observer { sink: None, state: Mutex::new(Observed::default()) }
    }

    /// An observer that also prints every message on stderr.
    pub fn printing() -> Observer {
        Observer::with_sink(Box::new(|line| eprintln!("{line}")))
    }

    /// An observer that prints every message to `sink`.
    pub fn with_sink(sink: Sink) -> Observer {
        Observer { sink: Some(sink), state: Mutex::new(Observed::default()) }
    }

    fn lock(&self) -> MutexGuard<'_, Observed> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the last handshake showed so far.
    pub fn observed(&self) -> Observed {
        self.lock().clone()
    }
}

impl Trace for Observer {
    fn event(&self, side: Side, direction: TraceDirection, event: TraceEvent<'_>) {
        let from_server = matches!(
            (side, direction),
            (Side::Client, TraceDirection::Received) | (Side::Server, TraceDirection::Sent)
        );
        let arrow = if direction == TraceDirection::Sent { ">>>" } else { "<<<" };
        let mut st = self.lock();
        let lines = match event {
            TraceEvent::Handshake { typ, raw } => {
                if typ == Hs::CLIENT_HELLO && !from_server {
                    if st.awaiting_second_hello {
                        st.awaiting_second_hello = false;
                    } else {
                        *st = Observed::default();
                    }
                }
                describe_message(typ, raw, &mut st, from_server)
            }
            TraceEvent::ChangeCipherSpec => vec!["ChangeCipherSpec".to_string()],
            TraceEvent::Alert(a) => vec![format!("alert {} {}", a.level, a.description)],
        };
        drop(st);
        if let Some(sink) = &self.sink {
            let mut out = String::new();
            for (i, line) in lines.iter().enumerate() {
                if i == 0 {
                    out.push_str(&format!("{arrow} {line}"));
                } else {
                    out.push_str(&format!("\n      {line}"));
                }
            }
            sink(&out);
        }
    }
}

/// A list of values, comma-separated.
fn join<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let v: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if v.is_empty() { "(none)".to_string() } else { v.join(", ") }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// Message name as the RFCs write it.
fn message_name(typ: Hs) -> String {
    let name = match typ {
        Hs::HELLO_REQUEST => "HelloRequest",
        Hs::CLIENT_HELLO => "ClientHello",
        Hs::SERVER_HELLO => "ServerHello",
        Hs::NEW_SESSION_TICKET => "NewSessionTicket",
        Hs::END_OF_EARLY_DATA => "EndOfEarlyData",
        Hs::ENCRYPTED_EXTENSIONS => "EncryptedExtensions",
        Hs::CERTIFICATE => "Certificate",
        Hs::SERVER_KEY_EXCHANGE => "ServerKeyExchange",
        Hs::CERTIFICATE_REQUEST => "CertificateRequest",
        Hs::SERVER_HELLO_DONE => "ServerHelloDone",
        Hs::CERTIFICATE_VERIFY => "CertificateVerify",
        Hs::CLIENT_KEY_EXCHANGE => "ClientKeyExchange",
        Hs::FINISHED => "Finished",
        Hs::KEY_UPDATE => "KeyUpdate",
        Hs::CERTIFICATE_STATUS => "CertificateStatus",
        other => return other.to_string(),
    };
    name.to_string()
}

fn malformed(e: impl std::fmt::Display) -> String {
    format!("(malformed: {e})")
}

/// The headline and detail lines of one handshake message; updates what
/// we know about the server.
fn describe_message(typ: Hs, raw: &[u8], st: &mut Observed, from_server: bool) -> Vec<String> {
    let body = raw.get(4..).unwrap_or(&[]);
    let mut head = format!("{}, {} bytes", message_name(typ), raw.len());
    let mut lines = Vec::new();
    let tls13 = st.version == Some(ProtocolVersion::TLS1_3);
    match typ {
        Hs::CLIENT_HELLO => match ClientHello::decode(body) {
            Ok(ch) => {
                lines.push(format!(
                    "legacy_version {}, session_id {} bytes, {}",
                    ch.legacy_version,
                    ch.session_id.len(),
                    plural(ch.cipher_suites.len(), "cipher suite")
                ));
                lines.push(format!("cipher_suites: {}", join(ch.cipher_suites.iter().map(CipherSuite))));
                lines.extend(describe_extensions(&ch.extensions, Where::ClientHello));
            }
            Err(e) => lines.push(malformed(e)),
        },
        Hs::SERVER_HELLO => match ServerHello::decode(body) {
            Ok(sh) => {
                let retry = sh.is_retry_request();
                let version = sh
                    .extensions
                    .get(Ext::SUPPORTED_VERSIONS)
                    .and_then(|b| ext::decode_server_version(b).ok())
                    .unwrap_or(sh.legacy_version);
                if from_server {
                    st.version = Some(version);
                    st.suite = Some(sh.cipher_suite);
                    st.server_extensions.extend(sh.extensions.iter().map(|(t, _)| t));
                    if retry {
                        st.hello_retry = true;
                        st.awaiting_second_hello = true;
                    }
                    if let Some(b) = sh.extensions.get(Ext::RECORD_SIZE_LIMIT) {
                        st.record_size_limit = ext::decode_u16(b, "record_size_limit").ok();
                    }
                }
                let place = if retry {
                    head = format!("HelloRetryRequest, {} bytes", raw.len());
                    Where::HelloRetryRequest
                } else {
                    Where::ServerHello
                };
                lines.push(format!(
                    "version {version}, cipher_suite {}, session_id {} bytes",
                    sh.cipher_suite,
                    sh.session_id.len()
                ));
                lines.extend(describe_extensions(&sh.extensions, place));
            }
            Err(e) => lines.push(malformed(e)),
        },
        Hs::ENCRYPTED_EXTENSIONS => match decode_encrypted_extensions(body) {
            Ok(exts) => {
                if from_server {
                    st.server_extensions.extend(exts.iter().map(|(t, _)| t));
                    if let Some(b) = exts.get(Ext::RECORD_SIZE_LIMIT) {
                        st.record_size_limit = ext::decode_u16(b, "record_size_limit").ok();
                    }
                }
                let described = describe_extensions(&exts, Where::EncryptedExtensions);
                if described.is_empty() {
                    lines.push("no extensions".to_string());
                }
                lines.extend(described);
            }
            Err(e) => lines.push(malformed(e)),
        },
        Hs::CERTIFICATE => {
            let chain: Result<Vec<&[u8]>, _> = if tls13 {
                Certificate13::decode(body).map(|c| c.certs().collect())
            } else {
                ssl_core::msgs::tls12::decode_certificate12(body)
            };
            match chain {
                Ok(chain) => {
                    if from_server {
                        st.server_certificates = chain.iter().map(|c| c.to_vec()).collect();
                    }
                    if chain.is_empty() {
                        lines.push("no certificate".to_string());
                    }
                    for (i, c) in chain.iter().enumerate() {
                        match x509::parse(c) {
                            Some(info) => {
                                lines.push(format!("{i} subject: {}", info.subject));
                                lines.push(format!("  issuer:  {}", info.issuer));
                            }
                            None => lines.push(format!("{i} (unparsable certificate, {} bytes)", c.len())),
                        }
                    }
                }
                Err(e) => lines.push(malformed(e)),
            }
        }
        Hs::CERTIFICATE_REQUEST => {
            if from_server {
                st.certificate_requested = true;
            }
            if tls13 {
                match CertificateRequest13::decode(body) {
                    Ok(cr) => lines.extend(describe_extensions(&cr.extensions, Where::CertificateRequest)),
                    Err(e) => lines.push(malformed(e)),
                }
            } else {
                match CertificateRequest12::decode(body) {
                    Ok(cr) => {
                        let types = cr.types.iter().map(|t| match *t {
                            1 => "rsa_sign".to_string(),
                            64 => "ecdsa_sign".to_string(),
                            other => format!("type {other}"),
                        });
                        lines.push(format!("certificate types: {}", join(types)));
                        lines.push(format!("signature_algorithms: {}", join(cr.schemes.iter().map(SignatureScheme))));
                        lines.push(format!("certificate authorities: {}", cr.authorities.len()));
                    }
                    Err(e) => lines.push(malformed(e)),
                }
            }
        }
        Hs::SERVER_KEY_EXCHANGE => {
            let kind = match st.suite.and_then(|s| s.info()).map(|i| i.kx) {
                Some(KeyExchange::DheRsa | KeyExchange::DheDss) => KxKind::Dhe,
                _ => KxKind::Ecdhe,
            };
            match ServerKeyExchange::decode(body, kind) {
                Ok(ske) => {
                    let kx = match ske.params {
                        ServerParams::Ecdhe { group, public } => {
                            format!("ECDHE group {group}, public key {} bytes", public.len())
                        }
                        ServerParams::Dhe { p, .. } => {
                            let bits = p.len() * 8 - p.first().map_or(0, |b| b.leading_zeros() as usize);
                            format!("DHE {bits}-bit prime")
                        }
                    };
                    if from_server {
                        st.kx = Some(kx.clone());
                    }
                    lines.push(kx);
                    lines.push(format!("signature {} ({} bytes)", ske.scheme, ske.signature.len()));
                }
                Err(e) => lines.push(malformed(e)),
            }
        }
        Hs::CERTIFICATE_VERIFY => match CertificateVerify::decode(body) {
            Ok(cv) => {
                head = format!("CertificateVerify, {} bytes: {}", raw.len(), cv.scheme);
                lines.push(format!("signature {} bytes", cv.signature.len()));
            }
            Err(e) => lines.push(malformed(e)),
        },
        Hs::FINISHED => head = format!("Finished, {} bytes of verify_data", body.len()),
        Hs::NEW_SESSION_TICKET => {
            if tls13 {
                match NewSessionTicket13::decode(body) {
                    Ok(t) => {
                        if from_server {
                            st.tickets += 1;
                        }
                        lines.push(format!(
                            "lifetime {} s, ticket {} bytes, nonce {} bytes",
                            t.lifetime,
                            t.ticket.len(),
                            t.nonce.len()
                        ));
                        lines.extend(describe_extensions(&t.extensions, Where::NewSessionTicket));
                    }
                    Err(e) => lines.push(malformed(e)),
                }
            } else {
                match NewSessionTicket12::decode(body) {
                    Ok(t) => {
                        if from_server && !t.ticket.is_empty() {
                            st.tickets += 1;
                        }
                        lines.push(format!("lifetime hint {} s, ticket {} bytes", t.lifetime_hint, t.ticket.len()));
                    }
                    Err(e) => lines.push(malformed(e)),
                }
            }
        }
        Hs::KEY_UPDATE => match decode_key_update(body) {
            Ok(r) => lines.push(r.to_string()),
            Err(e) => lines.push(malformed(e)),
        },
        Hs::CLIENT_KEY_EXCHANGE => lines.push(format!("public key {} bytes", body.len().saturating_sub(1))),
        _ => {}
    }
    let mut out = vec![head];
    out.extend(lines);
    out
}

/// Which message an extension block belongs to (the forms differ).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    ClientHello,
    ServerHello,
    HelloRetryRequest,
    EncryptedExtensions,
    CertificateRequest,
    NewSessionTicket,
}

fn describe_extensions(exts: &Extensions<'_>, place: Where) -> Vec<String> {
    exts.iter().map(|(typ, body)| format!("{typ}: {}", describe_extension(typ, body, place))).collect()
}

/// One extension's contents, decoded where we know the form.
fn describe_extension(typ: Ext, body: &[u8], place: Where) -> String {
    let client = place == Where::ClientHello;
    let r: Result<String, ssl_core::Error> = (|| {
        Ok(match typ {
            Ext::SERVER_NAME if body.is_empty() => "(acknowledged)".to_string(),
            Ext::SERVER_NAME => ext::decode_server_name(body)?.unwrap_or_else(|| "(no host name)".to_string()),
            Ext::SUPPORTED_VERSIONS if client => join(ext::decode_client_versions(body)?.iter().map(ProtocolVersion)),
            Ext::SUPPORTED_VERSIONS => ext::decode_server_version(body)?.to_string(),
            Ext::SUPPORTED_GROUPS => join(ext::decode_u16_list(body, "supported_groups")?.iter().map(NamedGroup)),
            Ext::KEY_SHARE if client => join(
                ext::decode_client_key_shares(body)?.iter().map(|s| format!("{} ({} bytes)", s.group, s.key.len())),
            ),
            Ext::KEY_SHARE if place == Where::HelloRetryRequest => {
                format!("retry with {}", ext::decode_hrr_key_share(body)?)
            }
            Ext::KEY_SHARE => {
                let s = ext::decode_server_key_share(body)?;
                format!("{} ({} bytes)", s.group, s.key.len())
            }
            Ext::SIGNATURE_ALGORITHMS | Ext::SIGNATURE_ALGORITHMS_CERT => {
                join(ext::decode_u16_list(body, "signature_algorithms")?.iter().map(SignatureScheme))
            }
            Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION => {
                join(ext::decode_alpn(body)?.iter().map(|p| crate::x509::printable(&String::from_utf8_lossy(p))))
            }
            Ext::PSK_KEY_EXCHANGE_MODES => join(ext::decode_psk_modes(body)?.iter().map(|m| PskKeyExchangeMode(*m))),
            Ext::PRE_SHARED_KEY if client => {
                let psks = ext::decode_offered_psks(body)?;
                plural(psks.identities.len(), "identity")
            }
            Ext::PRE_SHARED_KEY => format!("selected identity {}", ext::decode_selected_psk(body)?),
            Ext::EXTENDED_MASTER_SECRET | Ext::POST_HANDSHAKE_AUTH if body.is_empty() => "yes".to_string(),
            Ext::RENEGOTIATION_INFO => {
                let mut r = Reader::new(body);
                let data = r.vec8("renegotiation_info")?;
                r.finish("renegotiation_info")?;
                if data.is_empty() {
                    "initial handshake (secure renegotiation supported)".to_string()
                } else {
                    format!("renegotiation, {} bytes of verify data", data.len())
                }
            }
            Ext::SESSION_TICKET if body.is_empty() && client => "empty (asks for a ticket)".to_string(),
            Ext::SESSION_TICKET if body.is_empty() => "(a ticket will follow)".to_string(),
            Ext::SESSION_TICKET => format!("ticket {} bytes", body.len()),
            Ext::RECORD_SIZE_LIMIT => ext::decode_u16(body, "record_size_limit")?.to_string(),
            Ext::EC_POINT_FORMATS => {
                let mut r = Reader::new(body);
                let formats = r.nonempty_vec8("ec_point_formats")?;
                r.finish("ec_point_formats")?;
                join(formats.iter().map(|f| EcPointFormat(*f)))
            }
            Ext::MAX_FRAGMENT_LENGTH if body.len() == 1 && (1..=4).contains(&body[0]) => {
                format!("{} bytes", 1u32 << (8 + body[0]))
            }
            Ext::COOKIE => format!("{} bytes", ext::decode_cookie(body)?.len()),
            Ext::EARLY_DATA if body.is_empty() => "yes".to_string(),
            Ext::EARLY_DATA if place == Where::NewSessionTicket => {
                format!("max_early_data_size {}", ext::decode_u32(body, "early_data")?)
            }
            Ext::PADDING => format!("{} bytes", body.len()),
            Ext::STATUS_REQUEST if client => "OCSP requested".to_string(),
            Ext::CERTIFICATE_AUTHORITIES => plural(ext::decode_authorities(body)?.len(), "authority"),
            _ if body.is_empty() => "(empty)".to_string(),
            _ => format!("{} bytes", body.len()),
        })
    })();
    r.unwrap_or_else(malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssl_core::{AuthLevel, Connection, Context};
    use std::sync::Arc;

    /// Runs a handshake in memory with an observer printing into a buffer
    /// on the client side; returns the printed text and what it observed.
    fn traced(client: impl FnOnce(&mut Context), server: impl FnOnce(&mut Context)) -> (String, Observed) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "trace test");
        let cert = params.self_signed(&key).unwrap();
        let mut sctx = Context::new();
        sctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();
        server(&mut sctx);
        let text = Arc::new(Mutex::new(String::new()));
        let sink = text.clone();
        let observer = Arc::new(Observer::with_sink(Box::new(move |l| {
            let mut t = sink.lock().unwrap();
            t.push_str(l);
            t.push('\n');
        })));
        let mut cctx = Context::new();
        cctx.server_auth = AuthLevel::None;
        cctx.use_cache = true;
        cctx.trace = Some(observer.clone());
        client(&mut cctx);
        let mut c = Connection::client(Arc::new(cctx), Some("localhost"), None).unwrap();
        let mut s = Connection::server(Arc::new(sctx));
        for _ in 0..10 {
            let out = c.take_tls();
            s.read_tls(&out).unwrap();
            let out = s.take_tls();
            c.read_tls(&out).unwrap();
        }
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        c.close_notify();
        s.read_tls(&c.take_tls()).unwrap();
        let t = text.lock().unwrap().clone();
        (t, observer.observed())
    }

    #[test]
    fn tls13_handshake_is_decoded() {
        let (text, seen) = traced(
            |c| {
                c.advertised_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
                c.record_size_limit = Some(4096);
            },
            |s| {
                s.advertised_protocols = vec![b"http/1.1".to_vec()];
                s.record_size_limit = Some(8192);
            },
        );
        for needle in [
            ">>> ClientHello, ",
            "server_name: localhost",
            "supported_versions: tls1.3, tls1.2",
            "key_share: x25519 (32 bytes)",
            "supported_groups: x25519, secp256r1",
            "signature_algorithms: ecdsa_secp256r1_sha256",
            "application_layer_protocol_negotiation: h2, http/1.1",
            "psk_key_exchange_modes: psk_dhe_ke",
            "extended_master_secret: yes",
            "renegotiation_info: initial handshake",
            "session_ticket: empty (asks for a ticket)",
            "record_size_limit: 4096",
            "ec_point_formats: uncompressed",
            "<<< ServerHello, ",
            "version tls1.3, cipher_suite TLS_AES_128_GCM_SHA256",
            "supported_versions: tls1.3",
            "<<< ChangeCipherSpec",
            "<<< EncryptedExtensions",
            "application_layer_protocol_negotiation: http/1.1",
            "record_size_limit: 8192",
            "<<< Certificate, ",
            "0 subject: CN=trace test",
            "<<< CertificateVerify, ",
            ": ecdsa_secp256r1_sha256",
            "<<< Finished, 32 bytes of verify_data",
            ">>> Finished, 32 bytes of verify_data",
            "<<< NewSessionTicket, ",
            "lifetime 7200 s",
            ">>> alert warning close_notify",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(seen.version, Some(ProtocolVersion::TLS1_3));
        assert_eq!(seen.record_size_limit, Some(8192));
        assert_eq!(seen.tickets, 2);
        assert_eq!(seen.server_certificates.len(), 1);
        assert!(seen.server_sent(Ext::APPLICATION_LAYER_PROTOCOL_NEGOTIATION));
        assert!(!seen.hello_retry);
    }

    #[test]
    fn tls12_handshake_and_retry_are_decoded() {
        let (text, seen) =
            traced(|c| c.max_version = ProtocolVersion::TLS1_2, |s| s.groups = vec![NamedGroup::SECP384R1]);
        for needle in [
            "version tls1.2, cipher_suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "extended_master_secret: yes",
            "renegotiation_info: initial handshake",
            "session_ticket: (a ticket will follow)",
            "<<< ServerKeyExchange, ",
            "ECDHE group secp384r1, public key 97 bytes",
            "<<< ServerHelloDone",
            ">>> ClientKeyExchange",
            ">>> ChangeCipherSpec",
            "<<< NewSessionTicket, ",
            "lifetime hint ",
            "<<< Finished, 12 bytes of verify_data",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
        assert_eq!(seen.version, Some(ProtocolVersion::TLS1_2));
        assert!(seen.server_sent(Ext::EXTENDED_MASTER_SECRET) && seen.server_sent(Ext::RENEGOTIATION_INFO));
        assert_eq!(seen.tickets, 1);
        assert_eq!(seen.kx.as_deref(), Some("ECDHE group secp384r1, public key 97 bytes"));

        let (text, seen) = traced(|_| {}, |s| s.groups = vec![NamedGroup::SECP384R1]);
        assert!(text.contains("<<< HelloRetryRequest, "), "{text}");
        assert!(text.contains("key_share: retry with secp384r1"), "{text}");
        assert!(text.contains("key_share: secp384r1 (97 bytes)"), "{text}");
        assert!(seen.hello_retry, "the retry is remembered across the second ClientHello");
    }

    /// Keeps every handshake message of both sides.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(Hs, Vec<u8>)>>);

    impl Trace for Recorder {
        fn event(&self, _side: Side, _direction: TraceDirection, event: TraceEvent<'_>) {
            if let TraceEvent::Handshake { typ, raw } = event {
                self.0.lock().unwrap().push((typ, raw.to_vec()));
            }
        }
    }

    #[test]
    fn cut_and_corrupted_messages_never_panic() {
        let rec = Arc::new(Recorder::default());
        for version in [ProtocolVersion::TLS1_3, ProtocolVersion::TLS1_2] {
            let r = rec.clone();
            traced(
                move |c| {
                    c.max_version = version;
                    c.trace = Some(r);
                    c.advertised_protocols = vec![b"h2".to_vec()];
                },
                |_| {},
            );
        }
        let messages = rec.0.lock().unwrap().clone();
        assert!(messages.len() > 10);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for (typ, raw) in &messages {
            for version in [None, Some(ProtocolVersion::TLS1_2), Some(ProtocolVersion::TLS1_3)] {
                let mut st = Observed { version, ..Observed::default() };
                for cut in 0..raw.len() {
                    describe_message(*typ, &raw[..cut], &mut st, true);
                }
                for _ in 0..50 {
                    let mut bad = raw.clone();
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let at = (seed as usize) % bad.len();
                    bad[at] ^= (seed >> 32) as u8 | 1;
                    describe_message(*typ, &bad, &mut st, true);
                }
            }
        }
    }

    #[test]
    fn malformed_messages_are_reported_not_fatal() {
        let mut st = Observed::default();
        for typ in [
            Hs::CLIENT_HELLO,
            Hs::SERVER_HELLO,
            Hs::ENCRYPTED_EXTENSIONS,
            Hs::CERTIFICATE,
            Hs::CERTIFICATE_REQUEST,
            Hs::SERVER_KEY_EXCHANGE,
            Hs::CERTIFICATE_VERIFY,
            Hs::NEW_SESSION_TICKET,
            Hs::KEY_UPDATE,
        ] {
            for raw in [&[typ.0][..], &[typ.0, 0, 0, 3, 1, 2, 3][..]] {
                let lines = describe_message(typ, raw, &mut st, true);
                assert!(lines.iter().any(|l| l.contains("malformed")), "{typ}: {lines:?}");
            }
        }
        assert!(describe_extension(Ext::KEY_SHARE, &[0, 5, 0], Where::ClientHello).contains("malformed"));
        assert!(describe_extension(Ext::RENEGOTIATION_INFO, &[2, 1], Where::ServerHello).contains("malformed"));
        assert_eq!(describe_extension(Ext(0x7777), &[1, 2], Where::ServerHello), "2 bytes");
    }
}
