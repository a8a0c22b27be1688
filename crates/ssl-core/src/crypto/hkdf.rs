//! HKDF (RFC 5869) and the TLS 1.3 HKDF-Expand-Label (RFC 8446 §7.1), on
//! `ring`'s HMAC so every secret stays available as bytes (key log, export,
//! resumption).

use super::hash::Secret;
use crate::constants::HashAlgorithm;

/// HMAC of `data` under `key`.
pub fn hmac(hash: HashAlgorithm, key: &[u8], data: &[&[u8]]) -> Secret {
    let k = ring::hmac::Key::new(hash.hmac_algorithm(), key);
    let mut ctx = ring::hmac::Context::with_key(&k);
    for d in data {
        ctx.update(d);
    }
    Secret::new(ctx.sign().as_ref())
}

/// HKDF-Extract(salt, ikm).
pub fn extract(hash: HashAlgorithm, salt: &[u8], ikm: &[u8]) -> Secret {
    let zeros = [0u8; 64];
    let salt = if salt.is_empty() { &zeros[..hash.output_len()] } else { salt };
    hmac(hash, salt, &[ikm])
}

/// HKDF-Expand(prk, info, out.len()).
pub fn expand(hash: HashAlgorithm, prk: &[u8], info: &[&[u8]], out: &mut [u8]) {
    let k = ring::hmac::Key::new(hash.hmac_algorithm(), prk);
    let mut prev: Option<ring::hmac::Tag> = None;
    for (i, chunk) in out.chunks_mut(hash.output_len()).enumerate() {
        let mut ctx = ring::hmac::Context::with_key(&k);
        if let Some(p) = &prev {
            ctx.update(p.as_ref());
        }
        for part in info {
            ctx.update(part);
        }
        ctx.update(&[(i + 1) as u8]);
        let t = ctx.sign();
        chunk.copy_from_slice(&t.as_ref()[..chunk.len()]);
        prev = Some(t);
    }
}

/// HKDF-Expand-Label(secret, label, context, out.len()) with the "tls13 " prefix.
pub fn expand_label(hash: HashAlgorithm, secret: &[u8], label: &[u8], context: &[u8], out: &mut [u8]) {
    let len = (out.len() as u16).to_be_bytes();
    let label_len = [(6 + label.len()) as u8];
    let ctx_len = [context.len() as u8];
    expand(hash, secret, &[&len, &label_len, b"tls13 ", label, &ctx_len, context], out);
}

/// HKDF-Expand-Label producing a secret as long as the hash.
pub fn expand_label_secret(hash: HashAlgorithm, secret: &[u8], label: &[u8], context: &[u8]) -> Secret {
    let mut buf = [0u8; 64];
    let n = hash.output_len();
    expand_label(hash, secret, label, context, &mut buf[..n]);
    let s = Secret::new(&buf[..n]);
    zeroize::Zeroize::zeroize(&mut buf);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5869 test case 1 (SHA-256).
    #[test]
    fn rfc5869_case1() {
        let ikm = [0x0bu8; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let prk = extract(HashAlgorithm::Sha256, &salt, &ikm);
        assert_eq!(hex::encode(prk.as_bytes()), "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        let mut okm = [0u8; 42];
        expand(HashAlgorithm::Sha256, prk.as_bytes(), &[&info], &mut okm);
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }
}
