//! Stateless session tickets: the server seals the session with a key held
//! by the [`Context`](crate::Context); keys rotate, and a ticket made with
//! the previous key is still accepted for one more rotation period.

use crate::constants::BulkCipher;
use crate::crypto::SecureRandom;
use crate::crypto::aead::AeadKey;
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
pub struct TicketKeys {
    state: Mutex<KeyState>,
    rotation: Duration,
}

impl core::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TicketKeys").field("rotation", &self.rotation).finish()
    }
}

impl TicketKeys {
    /// Keys that rotate every `rotation`. The first key is made on first use.
    pub fn new(rotation: Duration) -> TicketKeys {
        TicketKeys { state: Mutex::new(KeyState { current: None, previous: None }), rotation }
    }

    fn rotation_ms(&self) -> u64 {
        self.rotation.as_millis().max(1) as u64
    }

    /// Encrypts `plaintext` into a ticket: key id, nonce, ciphertext, tag.
    pub fn seal(&self, rng: &dyn SecureRandom, now_ms: u64, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut st = self.state.lock().map_err(|_| Error::Internal("ticket key lock"))?;
        let stale = st.current.as_ref().is_none_or(|k| now_ms >= k.created_ms + self.rotation_ms());
        if stale {
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
        let st = self.state.lock().ok()?;
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
}
