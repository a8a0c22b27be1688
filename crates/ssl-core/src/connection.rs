//! `Connection`: the sans-IO engine. Ciphertext in, plaintext out;
//! plaintext in, ciphertext out. It never touches a socket.
//!
//! ```
//! # fn main() -> Result<(), ssl_core::Error> {
//! use std::sync::Arc;
//! use ssl_core::{Connection, Context, Received, pki::CertifiedKey};
//! let key = rcgen::KeyPair::generate().unwrap();
//! let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().self_signed(&key).unwrap();
//! let mut server_ctx = Context::new();
//! server_ctx.add_cert_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes())?;
//! let mut client_ctx = Context::new();
//! client_ctx.trusted_issuers.add(cert.der())?;
//! let mut client = Connection::client(Arc::new(client_ctx), Some("localhost"), None)?;
//! let mut server = Connection::server(Arc::new(server_ctx));
//! client.send(b"hello")?;
//! while !(client.is_handshake_complete() && server.is_handshake_complete()) {
//!     let out = client.take_tls();
//!     server.read_tls(&out)?;
//!     let out = server.take_tls();
//!     client.read_tls(&out)?;
//! }
//! server.read_tls(&client.take_tls())?;
//! let mut buf = [0u8; 16];
//! assert_eq!(server.recv(&mut buf)?, Received::Data(5));
//! assert_eq!(&buf[..5], b"hello");
//! # Ok(()) }
//! ```

use crate::alert::Alert;
use crate::constants::{
    AlertDescription, AlertLevel, CipherSuite, ContentType, HandshakeType, HashAlgorithm, KeyUpdateRequest, NamedGroup,
    ProtocolVersion,
};
use crate::context::{Context, RecordPadding};
use crate::crypto::Secret;
use crate::error::{Error, MessageKind};
use crate::handshake::State;
use crate::handshake::key_schedule;
use crate::msgs::{HandshakeJoiner, encode_key_update};
use crate::record::{Direction, HEADER_LEN, Header, MAX_FRAGMENT, kind_of};
use crate::session::Session;
use crate::trace::{TraceDirection, TraceEvent};
use rustls_pki_types::CertificateDer;
use std::collections::VecDeque;
use std::sync::Arc;

/// Which end of the connection we are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// We sent the ClientHello.
    Client,
    /// We answered it.
    Server,
}

/// The result of [`Connection::recv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Received {
    /// This many bytes were copied into the buffer.
    Data(usize),
    /// No application data is available yet.
    WouldBlock,
    /// The peer closed the connection cleanly (close_notify) and all data was read.
    Eof,
}

/// The default amount of decrypted data held before we stop decrypting
/// (back-pressure): Pike's `DATA_CHUNK_SIZE`.
pub const DEFAULT_READ_LIMIT: usize = 64 * 1024;

/// TLS 1.3 application traffic secrets, kept for KeyUpdate.
pub(crate) struct TrafficSecrets {
    pub hash: HashAlgorithm,
    pub cipher: crate::constants::BulkCipher,
    pub ours: Secret,
    pub theirs: Secret,
}

/// What a keying-material exporter needs.
pub(crate) enum Exporter {
    /// RFC 8446 §7.5.
    Tls13 { hash: HashAlgorithm, secret: Secret },
    /// RFC 5705 over the TLS 1.2 PRF.
    Tls12 { hash: HashAlgorithm, master: Secret, randoms: [u8; 64] },
}

/// The Finished values of the last TLS 1.2 handshake (RFC 5746).
#[derive(Clone, Debug, Default)]
pub(crate) struct RenegotiationInfo {
    pub client_verify: Vec<u8>,
    pub server_verify: Vec<u8>,
}

/// What the handshake negotiated.
#[derive(Clone, Debug, Default)]
pub struct Negotiated {
    /// Protocol version.
    pub version: Option<ProtocolVersion>,
    /// Cipher suite.
    pub suite: Option<CipherSuite>,
    /// Key-exchange group (None for psk_ke resumption).
    pub group: Option<NamedGroup>,
    /// Application protocol.
    pub alpn: Option<Vec<u8>>,
    /// Server name the client asked for.
    pub server_name: Option<String>,
    /// The peer's certificate chain.
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// Whether a session was resumed.
    pub resumed: bool,
    /// Whether the server sent a HelloRetryRequest.
    pub hello_retry: bool,
    /// The OCSP response the server stapled (a client that asked only).
    pub peer_ocsp: Option<Vec<u8>>,
}

/// Connection state shared by every handshake state.
pub(crate) struct Common {
    pub side: Side,
    pub ctx: Arc<Context>,
    pub read: Direction,
    pub write: Direction,
    pub read_key_changed: bool,
    out: Vec<u8>,
    out_start: usize,
    pub record_version: ProtocolVersion,
    pub negotiated: Negotiated,
    pub handshake_done: bool,
    pub max_fragment: usize,
    /// The largest plaintext the peer may send us (our record_size_limit or max_fragment_length).
    pub max_inbound: usize,
    pending_app: Vec<u8>,
    pub sessions: Vec<Session>,
    pub traffic: Option<TrafficSecrets>,
    pub exporter: Option<Exporter>,
    /// RFC 5746: the verify_data of the last handshake, when the peer supports secure renegotiation.
    pub reneg: Option<RenegotiationInfo>,
    /// The name a client keeps its sessions under.
    pub cache_name: Option<String>,
    pub client_random: [u8; 32],
    pub peer_closed: bool,
    pub sent_close: bool,
    pub tls13_ccs_seen: usize,
    pub key_updates_received: u32,
    /// Handshakes completed: the first, then each TLS 1.2 renegotiation.
    pub handshakes: u32,
    /// A TLS 1.2 renegotiation runs (from its ClientHello to the Finished
    /// messages): application data is held back meanwhile, as OpenSSL
    /// refuses it there (unexpected_message).
    pub renegotiating: bool,
    /// TLS 1.3: after this many records under one write key we send a
    /// KeyUpdate before the next application data (RFC 8446 §5.5).
    pub key_update_after: u64,
    /// A TLS 1.3 server that did not accept the client's 0-RTT data skips it (RFC 8446 §4.2.10).
    pub early_skip: Option<EarlyDataSkip>,
    /// Bytes of early data skipped so far.
    pub early_skipped: usize,
}

/// Records sent under one TLS 1.3 write key before we update it: RFC 8446
/// §5.5 allows about 2^24.5 full-size AES-GCM records per key.
pub const KEY_UPDATE_AFTER_RECORDS: u64 = 1 << 24;
// 2^24.5 is about 23.7 million.
const _: () = assert!(KEY_UPDATE_AFTER_RECORDS < 23_726_566);

/// The most early data (ciphertext bytes) a server that refused 0-RTT skips
/// (RFC 8446 §4.2.10: "up to the configured max_early_data_size"; we accept
/// no early data, so this only bounds what a client may have been allowed
/// by a ticket from another server).
pub const EARLY_DATA_SKIP_LIMIT: usize = 1 << 16;

/// How a TLS 1.3 server skips early data it did not accept (RFC 8446 §4.2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EarlyDataSkip {
    /// After a HelloRetryRequest: every application_data record before the second ClientHello.
    UntilHello,
    /// After the ServerHello: application_data records that fail to decrypt
    /// under the client's handshake key, until the first one that does.
    Undecryptable,
}

impl Common {
    fn new(side: Side, ctx: Arc<Context>) -> Common {
        Common {
            side,
            ctx,
            read: Direction::default(),
            write: Direction::default(),
            read_key_changed: false,
            out: Vec::new(),
            out_start: 0,
            record_version: ProtocolVersion::TLS1_0,
            negotiated: Negotiated::default(),
            handshake_done: false,
            max_fragment: MAX_FRAGMENT,
            max_inbound: MAX_FRAGMENT,
            pending_app: Vec::new(),
            sessions: Vec::new(),
            traffic: None,
            exporter: None,
            reneg: None,
            cache_name: None,
            client_random: [0; 32],
            peer_closed: false,
            sent_close: false,
            tls13_ccs_seen: 0,
            key_updates_received: 0,
            handshakes: 0,
            renegotiating: false,
            key_update_after: KEY_UPDATE_AFTER_RECORDS,
            early_skip: None,
            early_skipped: 0,
        }
    }

    pub fn is_tls13(&self) -> bool {
        self.negotiated.version == Some(ProtocolVersion::TLS1_3)
    }

    fn padding_for(&self, len: usize) -> usize {
        match self.ctx.padding {
            RecordPadding::None => 0,
            RecordPadding::Block(b) if self.write.is_protected() && self.is_tls13() => {
                let b = b.max(1) as usize;
                let inner = len + 1;
                let padded = inner.div_ceil(b) * b;
                (padded - inner).min(self.max_fragment + 1 - inner.min(self.max_fragment + 1))
            }
            RecordPadding::Block(_) => 0,
        }
    }

    /// Queues records of `typ` carrying `data`, fragmented to the limit.
    pub fn send_fragmented(&mut self, typ: ContentType, data: &[u8]) -> Result<(), Error> {
        if data.is_empty() {
            let pad = self.padding_for(0);
            return self.write.seal_record(&mut self.out, typ, self.record_version, &[], pad);
        }
        for chunk in data.chunks(self.max_fragment) {
            if typ == ContentType::APPLICATION_DATA
                && self.write.seq() >= self.key_update_after
                && self.traffic.is_some()
                && self.handshake_done
            {
                // RFC 8446 §5.5: change keys before the AEAD's limit is reached.
                self.send_key_update(KeyUpdateRequest::UPDATE_NOT_REQUESTED)?;
            }
            let pad = self.padding_for(chunk.len());
            self.write.seal_record(&mut self.out, typ, self.record_version, chunk, pad)?;
        }
        Ok(())
    }

    /// Queues a handshake message (header included).
    pub fn send_handshake(&mut self, msg: &[u8]) -> Result<(), Error> {
        if let (Some(t), Some(typ)) = (&self.ctx.trace, msg.first()) {
            t.event(self.side, TraceDirection::Sent, TraceEvent::Handshake { typ: HandshakeType(*typ), raw: msg });
        }
        if let Some(typ) = msg.first() {
            log::trace!("{:?} sent {} ({} bytes)", self.side, HandshakeType(*typ), msg.len());
        }
        self.send_fragmented(ContentType::HANDSHAKE, msg)
    }

    /// Queues a TLS 1.2 ChangeCipherSpec (protected by the current keys).
    pub fn send_ccs(&mut self) -> Result<(), Error> {
        if let Some(t) = &self.ctx.trace {
            t.event(self.side, TraceDirection::Sent, TraceEvent::ChangeCipherSpec);
        }
        self.send_fragmented(ContentType::CHANGE_CIPHER_SPEC, &[1])
    }

    /// Queues the unprotected middlebox-compatibility ChangeCipherSpec.
    pub fn send_compat_ccs(&mut self) {
        if let Some(t) = &self.ctx.trace {
            t.event(self.side, TraceDirection::Sent, TraceEvent::ChangeCipherSpec);
        }
        self.out.extend_from_slice(&[ContentType::CHANGE_CIPHER_SPEC.0, 3, 3, 0, 1, 1]);
    }

    /// Queues an alert.
    pub fn send_alert(&mut self, alert: Alert) {
        if let Some(t) = &self.ctx.trace {
            t.event(self.side, TraceDirection::Sent, TraceEvent::Alert(alert));
        }
        log::trace!("{:?} sent alert {} ({:?})", self.side, alert.description, alert.level);
        let _ = self.write.seal_record(&mut self.out, ContentType::ALERT, self.record_version, &alert.encode(), 0);
    }

    /// Installs new read protection.
    pub fn set_read(&mut self, p: crate::record::Protection) {
        self.read.set(p);
        self.read_key_changed = true;
    }

    /// A session for what this connection negotiated, created now; the
    /// caller fills in the ticket, session ID and age_add where they apply.
    pub fn new_session(&self, version: ProtocolVersion, suite: CipherSuite, secret: Secret, lifetime: u32) -> Session {
        Session {
            version,
            suite,
            secret,
            ticket: Vec::new(),
            session_id: Vec::new(),
            lifetime,
            age_add: 0,
            created_ms: self.ctx.now_ms(),
            server_name: self.negotiated.server_name.clone(),
            alpn: self.negotiated.alpn.clone(),
            peer_certificates: self.negotiated.peer_certificates.iter().map(|c| c.to_vec()).collect(),
            extended_master_secret: false,
        }
    }

    /// The session lifetime of the context, in seconds (at most `max`).
    pub fn lifetime_secs(&self, max: u64) -> u32 {
        self.ctx.session_lifetime.as_secs().min(max) as u32
    }

    /// Takes the peer's certificate chain: verifies it as the context's
    /// authentication level for that peer asks (a server's certificates
    /// against `server_auth` and the name, a client's against
    /// `client_auth`), then records it.
    pub fn accept_peer_chain<'a>(
        &mut self,
        certs: impl Iterator<Item = &'a [u8]>,
        role: crate::pki::ChainRole<'_>,
    ) -> Result<(), Error> {
        let chain: Vec<CertificateDer<'static>> = certs.map(|c| CertificateDer::from(c.to_vec())).collect();
        let verify = match role {
            crate::pki::ChainRole::Server(_) => self.ctx.server_auth != crate::context::AuthLevel::None,
            crate::pki::ChainRole::Client => self.ctx.client_auth >= crate::context::AuthLevel::Verify,
        };
        if verify {
            let now = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_millis(self.ctx.now_ms()));
            crate::pki::verify_chain(&self.ctx.trusted_issuers, &chain, role, now).map_err(Error::Certificate)?;
        }
        self.negotiated.peer_certificates = chain;
        Ok(())
    }

    /// Logs a secret to the key log.
    pub fn log_secret(&self, label: &str, secret: &Secret) {
        self.ctx.log_key(label, &self.client_random, secret.as_bytes());
    }

    /// Marks the handshake complete and sends what the user queued.
    pub fn finish_handshake(&mut self) -> Result<(), Error> {
        self.handshake_done = true;
        self.handshakes += 1;
        let n = &self.negotiated;
        log::debug!(
            "{:?} handshake {} complete: {} {} group={} resumed={}",
            self.side,
            self.handshakes,
            n.version.map_or_else(|| "?".to_string(), |v| v.to_string()),
            n.suite.map_or_else(|| "?".to_string(), |s| s.to_string()),
            n.group.map_or_else(|| "none".to_string(), |g| g.to_string()),
            n.resumed,
        );
        self.record_version = ProtocolVersion::TLS1_2;
        self.send_held_data()
    }

    /// Sends the application data held back while a handshake ran.
    pub fn send_held_data(&mut self) -> Result<(), Error> {
        let pending = std::mem::take(&mut self.pending_app);
        if !pending.is_empty() {
            self.send_fragmented(ContentType::APPLICATION_DATA, &pending)?;
        }
        Ok(())
    }

    /// Sends a KeyUpdate and switches our write key (TLS 1.3).
    pub fn send_key_update(&mut self, request: KeyUpdateRequest) -> Result<(), Error> {
        let t = self.traffic.as_mut().ok_or(Error::Config("key update needs TLS 1.3 after the handshake".into()))?;
        let mut msg = Vec::with_capacity(5);
        encode_key_update(&mut msg, request);
        let (hash, cipher) = (t.hash, t.cipher);
        self.send_fragmented(ContentType::HANDSHAKE, &msg)?;
        let t = self.traffic.as_mut().ok_or(Error::Internal("traffic secrets"))?;
        t.ours = key_schedule::next_traffic_secret(hash, &t.ours);
        let p = key_schedule::protection(hash, cipher, &t.ours)?;
        self.write.set(p);
        Ok(())
    }

    /// Handles a KeyUpdate from the peer (TLS 1.3).
    pub fn receive_key_update(&mut self, request: KeyUpdateRequest) -> Result<(), Error> {
        self.key_updates_received += 1;
        let t = self.traffic.as_mut().ok_or(Error::Internal("traffic secrets"))?;
        t.theirs = key_schedule::next_traffic_secret(t.hash, &t.theirs);
        let p = key_schedule::protection(t.hash, t.cipher, &t.theirs)?;
        self.set_read(p);
        if request == KeyUpdateRequest::UPDATE_REQUESTED && !self.sent_close {
            self.send_key_update(KeyUpdateRequest::UPDATE_NOT_REQUESTED)?;
        }
        Ok(())
    }
}

/// The input buffer: ciphertext waiting to be opened, and opened
/// application data waiting to be read, in one allocation.
#[derive(Default)]
struct Deframer {
    buf: Vec<u8>,
    /// End of the bytes received.
    end: usize,
    /// Start of the bytes not yet opened.
    parsed: usize,
    /// Plaintext ranges waiting for the reader (indices into `buf`).
    plain: VecDeque<(usize, usize)>,
    plain_len: usize,
    /// Start of the record being (or last) processed.
    record_start: usize,
}

impl Deframer {
    /// Makes room for at least `need` more bytes at the end.
    fn reserve(&mut self, need: usize) {
        if self.buf.len() - self.end >= need {
            return;
        }
        // Move everything still needed to the front.
        let keep_from = self.plain.front().map(|r| r.0).unwrap_or(self.parsed);
        if keep_from > 0 {
            self.buf.copy_within(keep_from..self.end, 0);
            self.end -= keep_from;
            self.parsed -= keep_from;
            self.record_start = self.record_start.saturating_sub(keep_from);
            for r in self.plain.iter_mut() {
                r.0 -= keep_from;
                r.1 -= keep_from;
            }
        }
        if self.buf.len() - self.end < need {
            // Grow to what is needed (doubling), never beyond a few records.
            let doubled = (self.buf.len() * 2).min(self.end + need + MAX_RECORD);
            let want = (self.end + need).max(doubled).max(MIN_READ);
            self.buf.resize(want, 0);
        }
    }

    fn unparsed(&self) -> usize {
        self.end - self.parsed
    }

    /// Whether nothing is buffered at all.
    fn is_idle(&self) -> bool {
        self.plain.is_empty() && self.parsed == self.end
    }

    /// How many bytes the next read should at least make room for: the
    /// rest of a partly received record, or a modest default.
    fn wanted(&self) -> usize {
        let avail = &self.buf[self.parsed..self.end];
        let rest = if avail.len() >= HEADER_LEN {
            let len = u16::from_be_bytes([avail[3], avail[4]]) as usize;
            (HEADER_LEN + len).saturating_sub(avail.len())
        } else {
            HEADER_LEN - avail.len()
        };
        rest.max(MIN_READ)
    }

    /// Gives the buffer back (when idle).
    fn release(&mut self) {
        *self = Deframer::default();
    }
}

/// The largest record on the wire.
const MAX_RECORD: usize = HEADER_LEN + crate::record::MAX_CIPHERTEXT_TLS12;
/// The smallest read we make room for.
const MIN_READ: usize = 4096;
/// Sent output at the front of the buffer is dropped once it passes this.
const OUT_COMPACT: usize = 64 * 1024;

/// A TLS connection, client or server.
pub struct Connection {
    common: Common,
    deframer: Deframer,
    joiner: HandshakeJoiner,
    state: Option<Box<dyn State>>,
    error: Option<Error>,
    read_limit: usize,
    empty_records: u32,
    /// Whether the handshake buffers were given back.
    slimmed: bool,
    /// Whether the last `read_tls_from` got less than it had room for.
    last_read_short: bool,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("side", &self.common.side)
            .field("negotiated", &self.common.negotiated)
            .field("handshake_done", &self.common.handshake_done)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    fn new(side: Side, ctx: Arc<Context>) -> Connection {
        Connection {
            common: Common::new(side, ctx),
            deframer: Deframer::default(),
            joiner: HandshakeJoiner::default(),
            state: None,
            error: None,
            read_limit: DEFAULT_READ_LIMIT,
            empty_records: 0,
            slimmed: false,
            last_read_short: false,
        }
    }

    /// Starts a client connection: the ClientHello is queued at once.
    /// `server_name` is sent as SNI (unless it is an IP address) and is the
    /// name the server certificate is checked against. `session` resumes an
    /// earlier session; without one, the context's cache is asked.
    pub fn client(ctx: Arc<Context>, server_name: Option<&str>, session: Option<Session>) -> Result<Connection, Error> {
        let mut c = Connection::new(Side::Client, ctx);
        let state = crate::handshake::tls13_client::start(&mut c.common, server_name, session)?;
        c.state = Some(state);
        Ok(c)
    }

    /// Starts a server connection, waiting for a ClientHello.
    pub fn server(ctx: Arc<Context>) -> Connection {
        let mut c = Connection::new(Side::Server, ctx);
        c.state = Some(crate::handshake::tls13_server::start());
        c
    }

    /// Which side this is.
    pub fn side(&self) -> Side {
        self.common.side
    }

    /// The context.
    pub fn context(&self) -> &Arc<Context> {
        &self.common.ctx
    }

    // ---- input ----

    /// Feeds bytes received from the peer and processes every complete
    /// record (up to the read limit). Errors are sticky; the alert that
    /// reports one to the peer is queued for [`Connection::take_tls`].
    pub fn read_tls(&mut self, data: &[u8]) -> Result<(), Error> {
        self.check()?;
        self.deframer.reserve(data.len());
        let d = &mut self.deframer;
        d.buf[d.end..d.end + data.len()].copy_from_slice(data);
        d.end += data.len();
        self.process_new_packets()
    }

    /// Reads once from `rd` straight into the input buffer (no copy), without
    /// processing. Returns what `rd.read` returned; `Ok(0)` is the peer's EOF.
    pub fn read_tls_from(&mut self, rd: &mut dyn std::io::Read) -> std::io::Result<usize> {
        let want = self.deframer.wanted();
        self.deframer.reserve(want);
        let d = &mut self.deframer;
        let space = d.buf.len() - d.end;
        let n = rd.read(&mut d.buf[d.end..])?;
        d.end += n;
        self.last_read_short = n < space;
        Ok(n)
    }

    /// Whether the last [`Connection::read_tls_from`] returned less than the
    /// room it offered: for a stream socket that means the kernel's buffer
    /// was empty, so another read now would only say "would block".
    pub fn last_read_was_short(&self) -> bool {
        self.last_read_short
    }

    /// Whether the connection wants more input (no sticky error, no
    /// close_notify yet, and the reader has consumed enough).
    pub fn wants_read(&self) -> bool {
        self.error.is_none()
            && !self.common.peer_closed
            && self.deframer.plain_len < self.read_limit
            && self.deframer.unparsed() < self.read_limit + HEADER_LEN + crate::record::MAX_CIPHERTEXT_TLS12
    }

    /// Sets how much decrypted data may wait for the reader before we stop
    /// decrypting (back-pressure).
    pub fn set_read_limit(&mut self, limit: usize) {
        self.read_limit = limit.max(1);
    }

    fn check(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: Error) -> Error {
        if self.error.is_none() {
            if let Some(desc) = e.alert()
                && !self.common.sent_close
            {
                self.common.send_alert(Alert::fatal(desc));
                self.common.sent_close = true;
            }
            log::debug!("{:?} connection failed: {e}", self.common.side);
            // Like Pike: a session that ended in an error is not offered again.
            if let (Side::Client, Some(name)) = (self.common.side, &self.common.cache_name) {
                self.common.ctx.session_cache.remove(&crate::handshake::tls12::client_cache_key(name));
            }
            self.error = Some(e.clone());
            self.state = None;
        }
        e
    }

    /// Processes buffered records (after [`Connection::read_tls_from`]).
    pub fn process_new_packets(&mut self) -> Result<(), Error> {
        self.check()?;
        match self.process() {
            Ok(()) => {
                self.slim();
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    fn process(&mut self) -> Result<(), Error> {
        while self.deframer.plain_len < self.read_limit && !self.common.peer_closed {
            let d = &mut self.deframer;
            if d.unparsed() < HEADER_LEN {
                break;
            }
            d.record_start = d.parsed;
            let header = Header::parse(&d.buf[d.parsed..d.parsed + HEADER_LEN])?;
            if d.unparsed() < HEADER_LEN + header.len {
                break;
            }
            let rec = d.parsed..d.parsed + HEADER_LEN + header.len;
            d.parsed = rec.end;
            // A peer that rejected our hello never installed its keys, so its
            // alert comes in plaintext (its current write state, RFC 8446 §6):
            // accept one until the first record under the new keys arrives.
            // Not in TLS 1.2: there both ends change keys at the ChangeCipherSpec,
            // so a plaintext record after it is forged.
            let plaintext_alert = header.typ == ContentType::ALERT
                && header.len <= 2
                && self.common.read.is_protected()
                && self.common.read.seq() == 0
                && !self.common.handshake_done
                && self.common.negotiated.version != Some(ProtocolVersion::TLS1_2);
            let seq = self.common.read.seq();
            let opened = if plaintext_alert {
                Ok((ContentType::ALERT, HEADER_LEN..HEADER_LEN + header.len))
            } else {
                self.common.read.open_record(&mut d.buf[rec.clone()])
            };
            if let Some(mode) = self.common.early_skip
                && header.typ == ContentType::APPLICATION_DATA
            {
                // RFC 8446 §4.2.10: early data we did not accept is skipped, up to a limit.
                let early = match mode {
                    EarlyDataSkip::UntilHello => !self.common.read.is_protected(),
                    EarlyDataSkip::Undecryptable => matches!(opened, Err(Error::BadRecordMac)),
                };
                if early && self.common.early_skipped + header.len <= EARLY_DATA_SKIP_LIMIT {
                    self.common.early_skipped += header.len;
                    self.common.read.rewind_seq(seq);
                    log::trace!("{:?} skipped {} bytes of early data", self.common.side, header.len);
                    continue;
                }
                if mode == EarlyDataSkip::Undecryptable && opened.is_ok() {
                    // The first record that opens starts the client's second flight.
                    self.common.early_skip = None;
                }
            }
            let (typ, range) = opened?;
            let (ps, pe) = (rec.start + range.start, rec.start + range.end);
            if self.common.read.limited_len(header.len, pe - ps) > self.common.max_inbound {
                // RFC 8449 §4, RFC 6066 §4: larger than we announced.
                return Err(Error::RecordOverflow);
            }
            if pe == ps && typ != ContentType::APPLICATION_DATA {
                return Err(Error::unexpected("a non-empty record", kind_of(typ)));
            }
            if pe == ps {
                self.empty_records += 1;
                if self.empty_records > 32 {
                    return Err(Error::unexpected("application data", MessageKind::ApplicationData));
                }
            } else {
                self.empty_records = 0;
            }
            // RFC 8446 §5.1: nothing may come between the records of one handshake message.
            if !self.joiner.is_empty() && matches!(typ, ContentType::APPLICATION_DATA | ContentType::CHANGE_CIPHER_SPEC)
            {
                return Err(Error::unexpected("the rest of a handshake message", kind_of(typ)));
            }
            match typ {
                ContentType::APPLICATION_DATA => {
                    if !self.common.handshake_done {
                        return Err(Error::unexpected("a handshake message", MessageKind::ApplicationData));
                    }
                    if pe > ps {
                        self.deframer.plain.push_back((ps, pe));
                        self.deframer.plain_len += pe - ps;
                    }
                }
                ContentType::HANDSHAKE => {
                    self.joiner.push(&self.deframer.buf[ps..pe]);
                    self.process_handshake()?;
                }
                ContentType::ALERT => {
                    let alert = Alert::decode(&self.deframer.buf[ps..pe])?;
                    self.process_alert(alert)?;
                }
                ContentType::CHANGE_CIPHER_SPEC => {
                    let body_ok = pe - ps == 1 && self.deframer.buf[ps] == 1;
                    self.process_ccs(body_ok)?;
                }
                other => return Err(Error::unexpected("a TLS record", kind_of(other))),
            }
        }
        Ok(())
    }

    fn process_ccs(&mut self, body_ok: bool) -> Result<(), Error> {
        if let Some(t) = &self.common.ctx.trace {
            t.event(self.common.side, TraceDirection::Received, TraceEvent::ChangeCipherSpec);
        }
        if self.common.is_tls13() || (self.common.side == Side::Server && self.common.negotiated.version.is_none()) {
            // RFC 8446 §5: a CCS of value 1 is dropped during the handshake.
            self.common.tls13_ccs_seen += 1;
            if self.common.handshake_done || !body_ok || self.common.tls13_ccs_seen > 2 {
                return Err(Error::unexpected("a handshake message", MessageKind::ChangeCipherSpec));
            }
            // Before the first ClientHello a CCS is never allowed (RFC 8446 §5).
            if self.common.side == Side::Server && self.common.negotiated.version.is_none() {
                return Err(Error::unexpected("a ClientHello", MessageKind::ChangeCipherSpec));
            }
            return Ok(());
        }
        if !body_ok {
            return Err(Error::Decode("ChangeCipherSpec"));
        }
        if !self.joiner.is_empty() {
            return Err(Error::unexpected("the rest of a handshake message", MessageKind::ChangeCipherSpec));
        }
        let state = self.state.take().ok_or(Error::Closed)?;
        self.state = Some(state.handle_ccs(&mut self.common)?);
        Ok(())
    }

    fn process_alert(&mut self, alert: Alert) -> Result<(), Error> {
        if let Some(t) = &self.common.ctx.trace {
            t.event(self.common.side, TraceDirection::Received, TraceEvent::Alert(alert));
        }
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            if !self.joiner.is_empty() {
                return Err(Error::unexpected("the rest of a handshake message", MessageKind::Alert));
            }
            self.common.peer_closed = true;
            return Ok(());
        }
        if alert.level != AlertLevel::FATAL && alert.level != AlertLevel::WARNING {
            return Err(Error::IllegalParameter("alert level"));
        }
        if alert.description == AlertDescription::USER_CANCELED
            && (alert.level == AlertLevel::WARNING || self.common.is_tls13())
        {
            // A closure alert (RFC 8446 §6.1), whose level TLS 1.3 ignores;
            // a fatal one before TLS 1.3 ends the connection (RFC 5246 §7.2).
            return Ok(());
        }
        if alert.level == AlertLevel::WARNING && !self.common.is_tls13() && self.common.negotiated.version.is_some() {
            if alert.description == AlertDescription::NO_RENEGOTIATION && self.common.renegotiating {
                // RFC 5246 §7.2.2: the server declined our renegotiation; the connection goes on as it was.
                log::warn!("{:?}: the peer refused our renegotiation (no_renegotiation)", self.common.side);
                let state = self.state.take().ok_or(Error::Closed)?;
                self.state = Some(state.renegotiation_refused(&mut self.common)?);
                return Ok(());
            }
            log::debug!("ignoring warning alert {}", alert.description);
            return Ok(());
        }
        // A fatal alert ends the connection; no alert goes back.
        log::debug!("{:?} received fatal alert {}", self.common.side, alert.description);
        self.common.sent_close = true;
        Err(Error::PeerAlert(alert.description))
    }

    fn process_handshake(&mut self) -> Result<(), Error> {
        while let Some(len) = self.joiner.next_len()? {
            let msg = self.joiner.take(len);
            if let Some(t) = &self.common.ctx.trace {
                t.event(
                    self.common.side,
                    TraceDirection::Received,
                    TraceEvent::Handshake { typ: msg.typ, raw: msg.raw },
                );
            }
            let state = self.state.take().ok_or(Error::Closed)?;
            log::trace!("{:?} received {}", self.common.side, msg.typ);
            self.common.read_key_changed = false;
            self.state = Some(state.handle(&mut self.common, msg)?);
            if self.common.read_key_changed && !self.joiner.is_empty() {
                return Err(Error::unexpected(
                    "a key change at a record boundary",
                    MessageKind::Handshake(self.joiner.peek_type()),
                ));
            }
        }
        Ok(())
    }

    // ---- output ----

    /// The bytes waiting to be sent.
    pub fn pending_tls(&self) -> &[u8] {
        &self.common.out[self.common.out_start..]
    }

    /// Marks `n` bytes of [`Connection::pending_tls`] as sent.
    pub fn consume_tls(&mut self, n: usize) {
        let c = &mut self.common;
        c.out_start += n.min(c.out.len() - c.out_start);
        if c.out_start == c.out.len() {
            c.out.clear();
            c.out_start = 0;
            self.slim();
        } else if c.out_start > OUT_COMPACT && c.out_start > c.out.len() / 2 {
            // A transport that never drains completely must not make the buffer grow without bound.
            c.out.drain(..c.out_start);
            c.out_start = 0;
        }
    }

    /// Once the handshake is over and nothing is buffered, gives the
    /// handshake's buffers back, so an idle connection holds little memory.
    fn slim(&mut self) {
        if self.slimmed || !self.common.handshake_done {
            return;
        }
        if self.deframer.is_idle() && self.joiner.is_empty() && !self.wants_write() {
            self.deframer.release();
            self.joiner = HandshakeJoiner::default();
            self.common.out = Vec::new();
            self.common.out_start = 0;
            self.slimmed = true;
        }
    }

    /// Takes all pending output.
    pub fn take_tls(&mut self) -> Vec<u8> {
        let out = self.pending_tls().to_vec();
        self.consume_tls(out.len());
        out
    }

    /// Writes pending output to `w` (one write call).
    pub fn write_tls(&mut self, w: &mut dyn std::io::Write) -> std::io::Result<usize> {
        let n = w.write(self.pending_tls())?;
        self.consume_tls(n);
        Ok(n)
    }

    /// Whether output is waiting.
    pub fn wants_write(&self) -> bool {
        self.common.out.len() > self.common.out_start
    }

    // ---- application data ----

    /// Queues application data. Before the handshake completes it is held
    /// and sent right after. Returns the number of bytes taken (all of them).
    pub fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check()?;
        if self.common.sent_close {
            return Err(Error::Closed);
        }
        if !self.common.handshake_done || self.common.renegotiating {
            self.common.pending_app.extend_from_slice(data);
            return Ok(data.len());
        }
        self.common.send_fragmented(ContentType::APPLICATION_DATA, data).map_err(|e| self.fail(e))?;
        Ok(data.len())
    }

    /// Copies decrypted application data into `buf`.
    pub fn recv(&mut self, buf: &mut [u8]) -> Result<Received, Error> {
        let mut n = 0;
        let d = &mut self.deframer;
        while n < buf.len() {
            let Some(r) = d.plain.front_mut() else { break };
            let take = (r.1 - r.0).min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&d.buf[r.0..r.0 + take]);
            r.0 += take;
            n += take;
            if r.0 == r.1 {
                d.plain.pop_front();
            }
        }
        d.plain_len -= n;
        if n > 0 {
            // Reading made room: open records that were held back.
            if self.error.is_none() && self.deframer.unparsed() > 0 {
                let _ = self.process_new_packets();
            }
            return Ok(Received::Data(n));
        }
        if !self.deframer.plain.is_empty() {
            return Ok(Received::Data(0));
        }
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.common.peer_closed {
            return Ok(Received::Eof);
        }
        Ok(Received::WouldBlock)
    }

    /// The capacity of the input and output buffers, in bytes (for memory
    /// accounting: an idle connection gives its handshake buffers back).
    pub fn buffer_capacity(&self) -> (usize, usize) {
        (self.deframer.buf.len(), self.common.out.capacity())
    }

    /// Bytes of decrypted application data waiting to be read.
    pub fn plaintext_len(&self) -> usize {
        self.deframer.plain_len
    }

    /// Tells the engine the transport reached EOF. Without a close_notify
    /// this is truncation ([`Error::Truncated`]).
    pub fn transport_eof(&mut self) -> Result<(), Error> {
        if self.common.peer_closed {
            return Ok(());
        }
        self.check()?;
        let e = if self.common.handshake_done {
            Error::Truncated
        } else {
            Error::HandshakeFailure("connection closed during the handshake")
        };
        self.error = Some(e.clone());
        self.state = None;
        Err(e)
    }

    /// Queues close_notify; no more data can be sent.
    pub fn close_notify(&mut self) {
        if !self.common.sent_close && self.error.is_none() {
            self.common.send_alert(Alert::warning(AlertDescription::CLOSE_NOTIFY));
            self.common.sent_close = true;
        }
    }

    /// Starts a renegotiation (TLS 1.2 with secure renegotiation, when the
    /// context enables it): a client sends a new ClientHello, a server a
    /// HelloRequest.
    pub fn renegotiate(&mut self) -> Result<(), Error> {
        self.check()?;
        if !self.common.handshake_done || self.common.is_tls13() {
            return Err(Error::Config("renegotiation needs a completed TLS 1.2 handshake".into()));
        }
        if !self.common.ctx.enable_renegotiation || self.common.reneg.is_none() {
            // Checked before the state is taken, so a refusal leaves the connection as it was.
            return Err(Error::Config("renegotiation is disabled or the peer does not support it securely".into()));
        }
        let state = self.state.take().ok_or(Error::Closed)?;
        match state.renegotiate(&mut self.common) {
            Ok(s) => {
                self.state = Some(s);
                Ok(())
            }
            Err(e @ Error::Config(_)) => Err(e),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Updates our write key (TLS 1.3 KeyUpdate); with `request_peer` the
    /// peer is asked to update its key too.
    pub fn key_update(&mut self, request_peer: bool) -> Result<(), Error> {
        self.check()?;
        if !self.common.handshake_done || !self.common.is_tls13() {
            return Err(Error::Config("key update needs a completed TLS 1.3 handshake".into()));
        }
        if self.common.sent_close {
            // RFC 8446 §6.1: nothing is sent after close_notify.
            return Err(Error::Closed);
        }
        let req =
            if request_peer { KeyUpdateRequest::UPDATE_REQUESTED } else { KeyUpdateRequest::UPDATE_NOT_REQUESTED };
        self.common.send_key_update(req).map_err(|e| self.fail(e))
    }

    /// Sets after how many records under one write key a TLS 1.3 connection
    /// updates that key by itself (default [`KEY_UPDATE_AFTER_RECORDS`]).
    /// For tests, which cannot send 2^24 records.
    #[doc(hidden)]
    pub fn set_key_update_interval(&mut self, records: u64) {
        self.common.key_update_after = records.max(1);
    }

    /// Derives keying material (RFC 8446 §7.5 exporter).
    pub fn export_keying_material(&self, label: &[u8], context: Option<&[u8]>, out: &mut [u8]) -> Result<(), Error> {
        match self.common.exporter.as_ref().ok_or(Error::Config("handshake not complete".into()))? {
            Exporter::Tls13 { hash, secret } => key_schedule::export(*hash, secret, label, context.unwrap_or(&[]), out),
            Exporter::Tls12 { hash, master, randoms } => {
                // RFC 5705: PRF(master, label, client_random + server_random [+ len + context]).
                let ctx_part;
                let seeds: Vec<&[u8]> = match context {
                    Some(c) => {
                        ctx_part = (c.len() as u16).to_be_bytes();
                        vec![&randoms[..], &ctx_part[..], c]
                    }
                    None => vec![&randoms[..]],
                };
                crate::crypto::prf::prf(*hash, master.as_bytes(), label, &seeds, out);
            }
        }
        Ok(())
    }

    // ---- queries ----

    /// Whether the handshake completed.
    pub fn is_handshake_complete(&self) -> bool {
        self.common.handshake_done
    }

    /// Whether the peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.common.peer_closed
    }

    /// Whether we sent close_notify (or a fatal alert).
    pub fn is_closing(&self) -> bool {
        self.common.sent_close
    }

    /// The sticky error, if the connection failed.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// What was negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.common.negotiated
    }

    /// The protocol version.
    pub fn version(&self) -> Option<ProtocolVersion> {
        self.common.negotiated.version
    }

    /// The cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.common.negotiated.suite
    }

    /// The application protocol (ALPN).
    pub fn alpn(&self) -> Option<&[u8]> {
        self.common.negotiated.alpn.as_deref()
    }

    /// The server name (SNI).
    pub fn server_name(&self) -> Option<&str> {
        self.common.negotiated.server_name.as_deref()
    }

    /// The peer's certificates, end entity first.
    pub fn peer_certificates(&self) -> &[CertificateDer<'static>] {
        &self.common.negotiated.peer_certificates
    }

    /// The DER OCSP response the server stapled for its certificate, if the
    /// client asked ([`Context::request_ocsp`](crate::Context::request_ocsp))
    /// and the server sent one. It is not checked here: give it to your
    /// OCSP verifier with the chain.
    pub fn peer_ocsp_response(&self) -> Option<&[u8]> {
        self.common.negotiated.peer_ocsp.as_deref()
    }

    /// The latest session usable for resumption (client side: from the
    /// tickets received so far).
    pub fn session(&self) -> Option<&Session> {
        self.common.sessions.last()
    }

    /// Number of handshakes completed on this connection: 1 after the first,
    /// one more for each completed TLS 1.2 renegotiation.
    pub fn handshakes(&self) -> u32 {
        self.common.handshakes
    }

    /// Number of KeyUpdates received from the peer.
    pub fn key_updates_received(&self) -> u32 {
        self.common.key_updates_received
    }

    /// The raw bytes received from the start of the last record processed
    /// (the one that failed, after an error) to the end of the input. An
    /// alert callback uses them to sniff what the peer really sent (e.g.
    /// plaintext HTTP on a TLS port).
    pub fn unprocessed_input(&self) -> &[u8] {
        let d = &self.deframer;
        &d.buf[d.record_start.min(d.end)..d.end]
    }

    /// Bytes that arrived after the peer's close_notify (for reusing the
    /// transport after TLS, e.g. a protocol that falls back to plaintext).
    pub fn take_leftover(&mut self) -> Vec<u8> {
        if !self.common.peer_closed {
            return Vec::new();
        }
        let d = &mut self.deframer;
        let out = d.buf[d.parsed..d.end].to_vec();
        d.parsed = d.end;
        out
    }
}
