//! Stateless session tickets: the server seals the session with a key held
//! by the [`Context`](crate::Context); keys rotate, and a ticket made with
//! the previous key is still accepted for one more rotation period.
//!
//! Keys are random and private to one process ([`TicketKeys::new`]), or
//! derived from a secret the servers of a cluster share
//! ([`TicketKeys::from_shared_secret`]): then every server derives the same
//! key for each rotation period, so a ticket made by one is accepted by the
//! others without any exchange between them.

use crate::constants::{BulkCipher, HashAlgorithm};
use crate::crypto::SecureRandom;
use crate::crypto::aead::AeadKey;
use crate::crypto::hkdf;
use crate::error::Error;
use std::sync::Mutex;
use std::time::Duration;

const ID_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

struct TicketKey {
    id: [u8; ID_LEN],
    key: AeadKey,
    created_ms: u64,
}

impl TicketKey {
    /// The key of rotation period `period`, derived from a shared secret's
    /// pseudorandom key: HKDF-Expand with the period number in the info.
    fn derive(prk: &[u8], period: u64, period_ms: u64) -> Result<TicketKey, Error> {
        let p = period.to_be_bytes();
        let mut id = [0u8; ID_LEN];
        hkdf::expand(HashAlgorithm::Sha256, prk, &[b"sslfile ticket key id", &p], &mut id);
        let mut k = zeroize::Zeroizing::new([0u8; 32]);
        hkdf::expand(HashAlgorithm::Sha256, prk, &[b"sslfile ticket key", &p], &mut k[..]);
        let created_ms = period.saturating_mul(period_ms);
        Ok(TicketKey { id, key: AeadKey::new(BulkCipher::Aes256Gcm, &k[..])?, created_ms })
    }

    fn generate(rng: &dyn SecureRandom, now_ms: u64) -> Result<TicketKey, Error> {
        let mut id = [0u8; ID_LEN];
        rng.fill(&mut id)?;
        let mut k = zeroize::Zeroizing::new([0u8; 32]);
        rng.fill(&mut k[..])?;
        Ok(TicketKey { id, key: AeadKey::new(BulkCipher::Aes256Gcm, &k[..])?, created_ms: now_ms })
    }
}

struct KeyState {
    current: Option<TicketKey>,
    previous: Option<TicketKey>,
}

/// The rotating ticket keys of a server context.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ssl_core::{Context, ticket::TicketKeys};
/// // Every server of the cluster reads the same 32 secret bytes (e.g. from a file).
/// let secret = [7u8; 32];
/// let mut ctx = Context::new();
/// ctx.ticket_keys = Arc::new(TicketKeys::from_shared_secret(&secret, Duration::from_secs(3600)));
/// ```
pub struct TicketKeys {
    state: Mutex<KeyState>,
    rotation: Duration,
    /// With a shared secret: its HKDF pseudorandom key (keys are derived);
    /// without: keys are random.
    shared: Option<crate::crypto::hash::Secret>,
}

impl core::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TicketKeys").field("rotation", &self.rotation).finish()
    }
}

impl TicketKeys {
    /// Keys that rotate every `rotation`. The first key is made on first use.
    pub fn new(rotation: Duration) -> TicketKeys {
        TicketKeys { state: Mutex::new(KeyState { current: None, previous: None }), rotation, shared: None }
    }

    /// Keys derived from `secret` (at least 32 random bytes, the same on
    /// every server that must accept the others' tickets): the key of each
    /// rotation period (counted from the Unix epoch of the context's clock)
    /// is derived with HKDF-SHA256, so servers whose clocks agree use the
    /// same key without talking to each other. A ticket stays valid for the
    /// period after its own, as with random keys. Whoever holds the secret
    /// can open every ticket of every period: protect it like a private
    /// key, and change it from time to time.
    pub fn from_shared_secret(secret: &[u8], rotation: Duration) -> TicketKeys {
        let prk = hkdf::extract(HashAlgorithm::Sha256, b"sslfile shared ticket keys", secret);
        TicketKeys { shared: Some(prk), ..TicketKeys::new(rotation) }
    }

    /// With a shared secret: makes sure the keys of the period of `now_ms`
    /// and of the one before are in `st` (current and previous).
    fn derive_for(&self, st: &mut KeyState, now_ms: u64) -> Result<(), Error> {
        let Some(prk) = &self.shared else { return Ok(()) };
        let period_ms = self.rotation_ms();
        let period = now_ms / period_ms;
        let have = |k: &Option<TicketKey>, p: u64| k.as_ref().is_some_and(|k| k.created_ms == p * period_ms);
        if have(&st.current, period) && (period == 0 || have(&st.previous, period - 1)) {
            return Ok(());
        }
        st.current = Some(TicketKey::derive(prk.as_bytes(), period, period_ms)?);
        st.previous = match period {
            0 => None,
            p => Some(TicketKey::derive(prk.as_bytes(), p - 1, period_ms)?),
        };
        Ok(())
    }

    fn rotation_ms(&self) -> u64 {
        self.rotation.as_millis().max(1) as u64
    }

    /// Encrypts `plaintext` into a ticket: key id, nonce, ciphertext, tag.
    pub fn seal(&self, rng: &dyn SecureRandom, now_ms: u64, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut st = self.state.lock().map_err(|_| Error::Internal("ticket key lock"))?;
        self.derive_for(&mut st, now_ms)?;
        let stale = st.current.as_ref().is_none_or(|k| now_ms >= k.created_ms + self.rotation_ms());
        if stale && self.shared.is_none() {
            let fresh = TicketKey::generate(rng, now_ms)?;
            st.previous = st.current.replace(fresh);
        }
        let key = st.current.as_ref().ok_or(Error::Internal("ticket key"))?;
        let mut out = Vec::with_capacity(ID_LEN + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.extend_from_slice(&key.id);
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill(&mut nonce)?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        out.resize(out.len() + TAG_LEN, 0);
        let (head, rest) = out.split_at_mut(ID_LEN + NONCE_LEN);
        let (body, tag) = rest.split_at_mut(plaintext.len());
        key.key.seal(nonce, &head[..ID_LEN], body, tag)?;
        Ok(out)
    }

    /// Decrypts a ticket made by [`TicketKeys::seal`] with the current key or
    /// a previous key that has not expired. Anything else gives `None`.
    pub fn open(&self, now_ms: u64, ticket: &[u8]) -> Option<Vec<u8>> {
        if ticket.len() < ID_LEN + NONCE_LEN + TAG_LEN {
            return None;
        }
        let mut st = self.state.lock().ok()?;
        self.derive_for(&mut st, now_ms).ok()?;
        let (id, rest) = ticket.split_at(ID_LEN);
        let key = [st.current.as_ref(), st.previous.as_ref()].into_iter().flatten().find(|k| k.id == id)?;
        if now_ms >= key.created_ms + 2 * self.rotation_ms() {
            return None;
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&rest[..NONCE_LEN]);
        let mut body = rest[NONCE_LEN..].to_vec();
        let n = key.key.open(nonce, id, &mut body).ok()?;
        body.truncate(n);
        Some(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SystemRandom;

    #[test]
    fn tickets_survive_one_rotation_only() {
        let rng = SystemRandom::new();
        let keys = TicketKeys::new(Duration::from_secs(10));
        let t0 = keys.seal(&rng, 0, b"session state").unwrap();
        assert_eq!(keys.open(1_000, &t0).as_deref(), Some(&b"session state"[..]));
        // A seal after the rotation period makes a new key; the old one still opens.
        let t1 = keys.seal(&rng, 11_000, b"newer").unwrap();
        assert_ne!(t0[..16], t1[..16]);
        assert!(keys.open(11_000, &t0).is_some());
        assert!(keys.open(11_000, &t1).is_some());
        // Two periods after its creation the first key is dead.
        assert!(keys.open(20_000, &t0).is_none());
        let mut bad = t1.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(keys.open(11_000, &bad).is_none());
        assert!(keys.open(11_000, &t1[..20]).is_none());
    }

    #[test]
    fn servers_sharing_a_secret_open_each_others_tickets() {
        let rng = SystemRandom::new();
        let hour = Duration::from_secs(3600);
        let a = TicketKeys::from_shared_secret(&[9u8; 32], hour);
        let b = TicketKeys::from_shared_secret(&[9u8; 32], hour);
        let other = TicketKeys::from_shared_secret(&[8u8; 32], hour);
        let random = TicketKeys::new(hour);
        let t = 1_800_000_000_000u64; // some time in 2027, in ms
        let ticket = a.seal(&rng, t, b"state").unwrap();
        // Another server with the same secret, which never sealed anything.
        assert_eq!(b.open(t + 1_000, &ticket).as_deref(), Some(&b"state"[..]));
        assert!(other.open(t, &ticket).is_none());
        assert!(random.open(t, &ticket).is_none());
        // Valid through the next period, not after it.
        let period_end = (t / 3_600_000 + 1) * 3_600_000;
        assert!(b.open(period_end + 3_599_999, &ticket).is_some());
        assert!(b.open(period_end + 3_600_000, &ticket).is_none());
        // The key changes with the period, the same way on both servers.
        let later = b.seal(&rng, period_end + 10, b"later").unwrap();
        assert_ne!(later[..ID_LEN], ticket[..ID_LEN]);
        assert_eq!(a.open(period_end + 20, &later).as_deref(), Some(&b"later"[..]));
        // A server whose clock is a period behind does not derive the key of
        // a later period: the servers' clocks must agree.
        assert!(a.open(period_end - 1, &later).is_none());
    }
}
