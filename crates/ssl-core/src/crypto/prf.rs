//! The TLS 1.2 PRF (RFC 5246 §5): P_SHA256 or P_SHA384 over HMAC.

use crate::constants::HashAlgorithm;

/// PRF(secret, label, seed) filling `out`.
pub fn prf(hash: HashAlgorithm, secret: &[u8], label: &[u8], seeds: &[&[u8]], out: &mut [u8]) {
    let key = ring::hmac::Key::new(hash.hmac_algorithm(), secret);
    // A(1) = HMAC(secret, label + seed)
    let mut a = {
        let mut ctx = ring::hmac::Context::with_key(&key);
        ctx.update(label);
        for s in seeds {
            ctx.update(s);
        }
        ctx.sign()
    };
    for chunk in out.chunks_mut(hash.output_len()) {
        let mut ctx = ring::hmac::Context::with_key(&key);
        ctx.update(a.as_ref());
        ctx.update(label);
        for s in seeds {
            ctx.update(s);
        }
        let block = ctx.sign();
        chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        a = ring::hmac::sign(&key, a.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A widely published TLS 1.2 PRF test vector (P_SHA256, 100 bytes).
    #[test]
    fn tls12_prf_sha256_vector() {
        let secret = hex::decode("9bbe436ba940f017b17652849a71db35").unwrap();
        let seed = hex::decode("a0ba9f936cda311827a6f796ffd5198c").unwrap();
        let mut out = [0u8; 100];
        prf(HashAlgorithm::Sha256, &secret, b"test label", &[&seed], &mut out);
        assert_eq!(
            hex::encode(out),
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa0\
             22f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"
        );
    }

    #[test]
    fn tls12_prf_sha384_vector() {
        let secret = hex::decode("b80b733d6ceefcdc71566ea48e5567df").unwrap();
        let seed = hex::decode("cd665cf6a8447dd6ff8b27555edb7465").unwrap();
        let mut out = [0u8; 148];
        prf(HashAlgorithm::Sha384, &secret, b"test label", &[&seed], &mut out);
        assert_eq!(hex::encode(&out[..32]), "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd");
    }
}
