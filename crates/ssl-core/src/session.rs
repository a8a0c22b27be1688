//! Sessions: what a client keeps to resume, what a server seals into a
//! ticket. A session serializes to bytes (with a format tag) so caches can
//! be shared between processes and tickets can be stateless.

use crate::codec::{Prefix, Reader, put_u8, put_u16, put_u32, put_vec};
use crate::constants::{CipherSuite, ProtocolVersion};
use crate::crypto::Secret;
use crate::error::Error;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

const FORMAT_TAG: &[u8; 4] = b"SSF1";

/// Everything needed to resume a connection.
///
/// A client gets one from [`Connection::session`](crate::Connection::session)
/// (or `SslFile::session` in `ssl-file`), may store it with
/// [`Session::to_bytes`], and offers it again to
/// [`Connection::client`](crate::Connection::client); the crate
/// documentation has a complete example. It holds a secret: store it like a
/// key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Negotiated version.
    pub version: ProtocolVersion,
    /// Negotiated suite.
    pub suite: CipherSuite,
    /// TLS 1.3: the resumption PSK; TLS 1.2: the master secret.
    pub secret: Secret,
    /// The ticket (TLS 1.3 PSK identity, or a TLS 1.2 session ticket).
    pub ticket: Vec<u8>,
    /// TLS 1.2 session ID.
    pub session_id: Vec<u8>,
    /// Ticket lifetime in seconds, as announced by the server.
    pub lifetime: u32,
    /// ticket_age_add (TLS 1.3).
    pub age_add: u32,
    /// When the session was created or the ticket received (milliseconds since the Unix epoch).
    pub created_ms: u64,
    /// The server name it was made with.
    pub server_name: Option<String>,
    /// The negotiated application protocol.
    pub alpn: Option<Vec<u8>>,
    /// The peer's certificate chain (DER), end entity first.
    pub peer_certificates: Vec<Vec<u8>>,
    /// Whether the extended master secret was used (TLS 1.2).
    pub extended_master_secret: bool,
}

impl Session {
    /// Whether the session may still be offered/accepted at `now_ms`.
    pub fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms < self.created_ms.saturating_add(u64::from(self.lifetime) * 1000) && now_ms + 10_000 >= self.created_ms
    }

    /// Serializes the session (secrets included: store it like a key).
    ///
    /// ```
    /// # use ssl_core::{Session, constants::{CipherSuite, ProtocolVersion}, crypto::Secret};
    /// let s = Session {
    ///     version: ProtocolVersion::TLS1_3, suite: CipherSuite::TLS_AES_128_GCM_SHA256,
    ///     secret: Secret::new(&[1; 32]), ticket: vec![9; 40], session_id: vec![], lifetime: 7200,
    ///     age_add: 5, created_ms: 1, server_name: Some("a.example".into()), alpn: None,
    ///     peer_certificates: vec![], extended_master_secret: false,
    /// };
    /// assert_eq!(Session::from_bytes(&s.to_bytes()).unwrap(), s);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut o = Vec::with_capacity(128 + self.ticket.len());
        o.extend_from_slice(FORMAT_TAG);
        put_u16(&mut o, self.version.0);
        put_u16(&mut o, self.suite.0);
        put_vec(&mut o, Prefix::U8, self.secret.as_bytes());
        put_vec(&mut o, Prefix::U16, &self.ticket);
        put_vec(&mut o, Prefix::U8, &self.session_id);
        put_u32(&mut o, self.lifetime);
        put_u32(&mut o, self.age_add);
        o.extend_from_slice(&self.created_ms.to_be_bytes());
        put_vec(&mut o, Prefix::U8, self.server_name.as_deref().unwrap_or("").as_bytes());
        match &self.alpn {
            Some(a) => {
                put_u8(&mut o, 1);
                put_vec(&mut o, Prefix::U8, a);
            }
            None => put_u8(&mut o, 0),
        }
        // One count byte: a longer chain (only a hostile peer sends one) keeps its first 255.
        let certs = &self.peer_certificates[..self.peer_certificates.len().min(255)];
        put_u8(&mut o, certs.len() as u8);
        for c in certs {
            put_vec(&mut o, Prefix::U24, c);
        }
        put_u8(&mut o, self.extended_master_secret as u8);
        o
    }

    /// Parses bytes made by [`Session::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Session, Error> {
        let mut r = Reader::new(b);
        if r.take(4, "session tag")? != FORMAT_TAG {
            return Err(Error::Decode("session format tag"));
        }
        let version = ProtocolVersion(r.u16("session")?);
        let suite = CipherSuite(r.u16("session")?);
        let secret = r.vec8("session")?;
        if secret.len() > 64 {
            return Err(Error::Decode("session secret"));
        }
        let secret = Secret::new(secret);
        let ticket = r.vec16("session")?.to_vec();
        let session_id = r.vec8("session")?.to_vec();
        let lifetime = r.u32("session")?;
        let age_add = r.u32("session")?;
        let created_ms = u64::from_be_bytes(r.array::<8>("session")?);
        let name = r.vec8("session")?;
        // to_bytes writes a String: anything else is corrupt (a lossy
        // conversion could grow the name past what to_bytes can write back).
        let name = core::str::from_utf8(name).map_err(|_| Error::Decode("session server name"))?;
        let server_name = if name.is_empty() { None } else { Some(name.to_owned()) };
        let alpn = match r.u8("session")? {
            0 => None,
            _ => Some(r.vec8("session")?.to_vec()),
        };
        let n = r.u8("session")?;
        let mut peer_certificates = Vec::with_capacity(n as usize);
        for _ in 0..n {
            peer_certificates.push(r.vec24("session")?.to_vec());
        }
        let extended_master_secret = r.u8("session")? != 0;
        r.finish("session")?;
        Ok(Session {
            version,
            suite,
            secret,
            ticket,
            session_id,
            lifetime,
            age_add,
            created_ms,
            server_name,
            alpn,
            peer_certificates,
            extended_master_secret,
        })
    }
}

/// Where sessions are kept. Implement it to share a cache between
/// processes; the default is [`MemorySessionCache`].
pub trait SessionStore: Send + Sync {
    /// Stores a session under `key`.
    fn put(&self, key: &[u8], session: Session);
    /// Returns a copy of the freshest session under `key`.
    fn get(&self, key: &[u8]) -> Option<Session>;
    /// Removes and returns the freshest session under `key` (single use, as
    /// TLS 1.3 tickets should be).
    fn take(&self, key: &[u8]) -> Option<Session>;
    /// Removes everything under `key`.
    fn remove(&self, key: &[u8]);
}

/// A bounded in-memory cache with expiry: at most `capacity` keys, each
/// holding up to `per_key` sessions; the oldest key is evicted first.
pub struct MemorySessionCache {
    inner: std::sync::Mutex<CacheInner>,
    capacity: usize,
    per_key: usize,
    lifetime: Duration,
    clock: std::sync::Arc<dyn crate::context::TimeSource>,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<Vec<u8>, VecDeque<Session>>,
    order: VecDeque<Vec<u8>>,
}

impl MemorySessionCache {
    /// A cache holding at most `capacity` keys, whose entries expire after `lifetime`.
    pub fn new(capacity: usize, lifetime: Duration, clock: std::sync::Arc<dyn crate::context::TimeSource>) -> Self {
        MemorySessionCache { inner: Default::default(), capacity, per_key: 4, lifetime, clock }
    }

    fn fresh(&self, s: &Session, now: u64) -> bool {
        s.is_fresh(now) && now < s.created_ms.saturating_add(self.lifetime.as_millis() as u64)
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.map.len()).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SessionStore for MemorySessionCache {
    fn put(&self, key: &[u8], session: Session) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else { return };
        let inner = &mut *inner;
        if !inner.map.contains_key(key) {
            while inner.map.len() >= self.capacity {
                match inner.order.pop_front() {
                    Some(old) => {
                        inner.map.remove(&old);
                    }
                    None => break,
                }
            }
            inner.order.push_back(key.to_vec());
        }
        let q = inner.map.entry(key.to_vec()).or_default();
        q.push_back(session);
        while q.len() > self.per_key {
            q.pop_front();
        }
    }

    fn get(&self, key: &[u8]) -> Option<Session> {
        let now = self.clock.now_ms();
        let inner = self.inner.lock().ok()?;
        inner.map.get(key)?.iter().rev().find(|s| self.fresh(s, now)).cloned()
    }

    fn take(&self, key: &[u8]) -> Option<Session> {
        let now = self.clock.now_ms();
        let mut inner = self.inner.lock().ok()?;
        let q = inner.map.get_mut(key)?;
        q.retain(|s| self.fresh(s, now));
        let s = q.pop_back();
        if q.is_empty() {
            inner.map.remove(key);
            inner.order.retain(|k| k != key);
        }
        s
    }

    fn remove(&self, key: &[u8]) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.map.remove(key);
            inner.order.retain(|k| k != key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{ManualClock, TimeSource};
    use std::sync::Arc;

    fn session(created_ms: u64) -> Session {
        Session {
            version: ProtocolVersion::TLS1_3,
            suite: CipherSuite::TLS_AES_256_GCM_SHA384,
            secret: Secret::new(&[7; 48]),
            ticket: vec![1, 2, 3],
            session_id: vec![],
            lifetime: 100,
            age_add: 99,
            created_ms,
            server_name: None,
            alpn: Some(b"h2".to_vec()),
            peer_certificates: vec![vec![0x30, 0x00]],
            extended_master_secret: true,
        }
    }

    #[test]
    fn serialization_round_trip_and_corruption() {
        let s = session(5);
        let b = s.to_bytes();
        assert_eq!(Session::from_bytes(&b).unwrap(), s);
        for cut in 0..b.len() {
            assert!(Session::from_bytes(&b[..cut]).is_err());
        }
        let mut bad = b.clone();
        bad[0] = b'X';
        assert!(Session::from_bytes(&bad).is_err());
    }

    /// A chain longer than the count byte can say (a peer that is not
    /// verified may send one) used to write a wrapped count before all the
    /// certificates, so the bytes did not parse back.
    #[test]
    fn a_chain_of_more_than_255_certificates_keeps_its_first_255() {
        let mut s = session(5);
        s.peer_certificates = (0..300u16).map(|i| i.to_be_bytes().to_vec()).collect();
        let back = Session::from_bytes(&s.to_bytes()).expect("the bytes parse back");
        assert_eq!(back.peer_certificates.len(), 255);
        assert_eq!(back.peer_certificates[..], s.peer_certificates[..255]);
    }

    /// Found by the `messages` fuzz target: a stored server name that is not
    /// UTF-8 was converted lossily (each bad byte becoming a three-byte
    /// U+FFFD), so the parsed session no longer fit `to_bytes`'s one-byte
    /// length prefix (a debug assertion; a corrupt length in release).
    #[test]
    fn a_server_name_that_is_not_utf8_is_refused() {
        let mut s = session(5);
        s.server_name = Some("a".repeat(200));
        let good = s.to_bytes();
        let at = good.windows(200).position(|w| w.iter().all(|b| *b == b'a')).unwrap();
        let mut bad = good.clone();
        bad[at..at + 200].fill(0xd2);
        assert_eq!(Session::from_bytes(&bad), Err(Error::Decode("session server name")));
        let parsed = Session::from_bytes(&good).unwrap();
        assert_eq!(Session::from_bytes(&parsed.to_bytes()).unwrap(), s);
    }

    #[test]
    fn cache_is_bounded_and_expires() {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let cache = MemorySessionCache::new(2, Duration::from_secs(50), clock.clone());
        cache.put(b"a", session(clock.now_ms()));
        cache.put(b"b", session(clock.now_ms()));
        cache.put(b"c", session(clock.now_ms()));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(b"a").is_none(), "oldest key evicted");
        assert!(cache.get(b"b").is_some());
        clock.advance(Duration::from_secs(60));
        assert!(cache.get(b"b").is_none(), "expired by the cache lifetime");
        assert!(cache.take(b"c").is_none());
        cache.put(b"d", session(clock.now_ms()));
        assert!(cache.take(b"d").is_some());
        assert!(cache.take(b"d").is_none(), "take is single use");
    }
}
