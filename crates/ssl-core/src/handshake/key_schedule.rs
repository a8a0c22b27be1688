//! The TLS 1.3 key schedule (RFC 8446 §7.1), as types consumed by value:
//! [`EarlySecret`] → [`HandshakeSecret`] → [`MasterSecret`], so a secret
//! cannot be used in the wrong phase.

use crate::constants::{BulkCipher, HashAlgorithm};
use crate::crypto::Secret;
use crate::crypto::hkdf::{expand_label, expand_label_secret, extract, hmac};
use crate::error::Error;
use crate::record::{Protection, Tls13Protection};

/// Derive-Secret(secret, label, transcript hash).
pub fn derive_secret(hash: HashAlgorithm, secret: &Secret, label: &[u8], transcript_hash: &[u8]) -> Secret {
    expand_label_secret(hash, secret.as_bytes(), label, transcript_hash)
}

/// The early secret, from a PSK or from zeros.
pub struct EarlySecret {
    hash: HashAlgorithm,
    secret: Secret,
}

impl EarlySecret {
    /// HKDF-Extract(0, psk), with an all-zero PSK when there is none.
    pub fn new(hash: HashAlgorithm, psk: Option<&[u8]>) -> EarlySecret {
        let zeros = [0u8; 64];
        let ikm = psk.unwrap_or(&zeros[..hash.output_len()]);
        EarlySecret { hash, secret: extract(hash, &[], ikm) }
    }

    /// The binder key for a resumption PSK.
    pub fn resumption_binder_key(&self) -> Secret {
        derive_secret(self.hash, &self.secret, b"res binder", self.hash.empty_hash().as_bytes())
    }

    /// Computes a PSK binder over the hash of the truncated ClientHello.
    pub fn binder(&self, truncated_hello_hash: &[u8]) -> Secret {
        finished_mac(self.hash, &self.resumption_binder_key(), truncated_hello_hash)
    }

    /// Mixes in the (EC)DHE shared secret (zeros for psk_ke).
    pub fn into_handshake(self, shared: Option<&[u8]>) -> HandshakeSecret {
        let zeros = [0u8; 64];
        let derived = derive_secret(self.hash, &self.secret, b"derived", self.hash.empty_hash().as_bytes());
        let ikm = shared.unwrap_or(&zeros[..self.hash.output_len()]);
        HandshakeSecret { hash: self.hash, secret: extract(self.hash, derived.as_bytes(), ikm) }
    }

    /// The raw secret (for tests against RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

/// The handshake secret.
pub struct HandshakeSecret {
    hash: HashAlgorithm,
    secret: Secret,
}

impl HandshakeSecret {
    /// client_handshake_traffic_secret for the transcript up to ServerHello.
    pub fn client_traffic(&self, hello_hash: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"c hs traffic", hello_hash)
    }

    /// server_handshake_traffic_secret.
    pub fn server_traffic(&self, hello_hash: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"s hs traffic", hello_hash)
    }

    /// Moves on to the master secret.
    pub fn into_master(self) -> MasterSecret {
        let derived = derive_secret(self.hash, &self.secret, b"derived", self.hash.empty_hash().as_bytes());
        let zeros = [0u8; 64];
        MasterSecret {
            hash: self.hash,
            secret: extract(self.hash, derived.as_bytes(), &zeros[..self.hash.output_len()]),
        }
    }

    /// The raw secret (for tests against RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

/// The master secret.
pub struct MasterSecret {
    hash: HashAlgorithm,
    secret: Secret,
}

impl MasterSecret {
    /// client_application_traffic_secret_0 (transcript up to server Finished).
    pub fn client_traffic(&self, hash_to_server_finished: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"c ap traffic", hash_to_server_finished)
    }

    /// server_application_traffic_secret_0.
    pub fn server_traffic(&self, hash_to_server_finished: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"s ap traffic", hash_to_server_finished)
    }

    /// exporter_master_secret.
    pub fn exporter(&self, hash_to_server_finished: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"exp master", hash_to_server_finished)
    }

    /// resumption_master_secret (transcript up to client Finished).
    pub fn resumption(&self, hash_to_client_finished: &[u8]) -> Secret {
        derive_secret(self.hash, &self.secret, b"res master", hash_to_client_finished)
    }

    /// The raw secret (for tests against RFC 8448).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }
}

/// HMAC(finished_key(base), transcript hash): Finished verify_data and PSK binders.
pub fn finished_mac(hash: HashAlgorithm, base_key: &Secret, transcript_hash: &[u8]) -> Secret {
    let key = expand_label_secret(hash, base_key.as_bytes(), b"finished", &[]);
    hmac(hash, key.as_bytes(), &[transcript_hash])
}

/// The key and IV of a traffic secret.
pub fn traffic_key_iv(
    hash: HashAlgorithm,
    cipher: BulkCipher,
    secret: &Secret,
) -> (zeroize::Zeroizing<Vec<u8>>, [u8; 12]) {
    let mut key = zeroize::Zeroizing::new(vec![0u8; cipher.key_len()]);
    expand_label(hash, secret.as_bytes(), b"key", &[], &mut key);
    let mut iv = [0u8; 12];
    expand_label(hash, secret.as_bytes(), b"iv", &[], &mut iv);
    (key, iv)
}

/// Record protection for a traffic secret.
pub fn protection(hash: HashAlgorithm, cipher: BulkCipher, secret: &Secret) -> Result<Protection, Error> {
    let (key, iv) = traffic_key_iv(hash, cipher, secret);
    Ok(Protection::Tls13(Tls13Protection::new(cipher, &key, iv)?))
}

/// application_traffic_secret_N+1 (RFC 8446 §7.2).
pub fn next_traffic_secret(hash: HashAlgorithm, secret: &Secret) -> Secret {
    expand_label_secret(hash, secret.as_bytes(), b"traffic upd", &[])
}

/// The PSK of a ticket (RFC 8446 §4.6.1).
pub fn resumption_psk(hash: HashAlgorithm, resumption_master: &Secret, nonce: &[u8]) -> Secret {
    expand_label_secret(hash, resumption_master.as_bytes(), b"resumption", nonce)
}

/// TLS-Exporter(label, context, length) (RFC 8446 §7.5).
pub fn export(hash: HashAlgorithm, exporter_master: &Secret, label: &[u8], context: &[u8], out: &mut [u8]) {
    let secret = derive_secret(hash, exporter_master, label, hash.empty_hash().as_bytes());
    let ctx_hash = hash.hash(context);
    expand_label(hash, secret.as_bytes(), b"exporter", ctx_hash.as_bytes(), out);
}
