//! Wycheproof known-answer tests (C2SP, Apache-2.0; copies under
//! tests/data/wycheproof) for the AEADs behind our suites and for HKDF.

use ssl_core::constants::{BulkCipher, HashAlgorithm};
use ssl_core::crypto::aead::AeadKey;
use ssl_core::crypto::hkdf;

fn load(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/data/wycheproof/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn h(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// Runs every vector with a 96-bit nonce and a tag size we use; returns how many were checked.
fn aead_vectors(file: &str, cipher_for: impl Fn(usize, usize) -> Option<BulkCipher>) -> usize {
    let doc = load(file);
    let mut checked = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let key_bits = group["keySize"].as_u64().unwrap() as usize;
        let tag_bits = group["tagSize"].as_u64().unwrap() as usize;
        if group["ivSize"].as_u64() != Some(96) {
            continue;
        }
        let Some(cipher) = cipher_for(key_bits, tag_bits) else { continue };
        for t in group["tests"].as_array().unwrap() {
            let key = AeadKey::new(cipher, &h(&t["key"])).unwrap();
            let nonce: [u8; 12] = h(&t["iv"]).try_into().unwrap();
            let (aad, msg, ct, tag) = (h(&t["aad"]), h(&t["msg"]), h(&t["ct"]), h(&t["tag"]));
            let valid = t["result"] == "valid";
            let mut wire = ct.clone();
            wire.extend_from_slice(&tag);
            let opened = key.open(nonce, &aad, &mut wire);
            match (valid, opened) {
                (true, Ok(n)) => assert_eq!(&wire[..n], &msg[..], "{file} tc {}", t["tcId"]),
                (false, Err(_)) => {}
                (v, r) => panic!("{file} tc {}: valid={v} but open gave {r:?}", t["tcId"]),
            }
            if valid {
                let mut buf = msg.clone();
                let mut out_tag = vec![0u8; key.tag_len()];
                key.seal(nonce, &aad, &mut buf, &mut out_tag).unwrap();
                assert_eq!((buf, out_tag), (ct, tag), "{file} tc {} seal", t["tcId"]);
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn aes_gcm() {
    let n = aead_vectors("aes_gcm_test.json", |k, t| match (k, t) {
        (128, 128) => Some(BulkCipher::Aes128Gcm),
        (256, 128) => Some(BulkCipher::Aes256Gcm),
        _ => None,
    });
    assert!(n > 100, "only {n} vectors");
}

#[test]
fn aes_ccm_and_ccm8() {
    let n = aead_vectors("aes_ccm_test.json", |k, t| match (k, t) {
        (128, 128) => Some(BulkCipher::Aes128Ccm),
        (256, 128) => Some(BulkCipher::Aes256Ccm),
        (128, 64) => Some(BulkCipher::Aes128Ccm8),
        (256, 64) => Some(BulkCipher::Aes256Ccm8),
        _ => None,
    });
    assert!(n > 50, "only {n} vectors");
}

#[test]
fn chacha20_poly1305() {
    let n = aead_vectors("chacha20_poly1305_test.json", |k, t| {
        (k == 256 && t == 128).then_some(BulkCipher::Chacha20Poly1305)
    });
    assert!(n > 100, "only {n} vectors");
}

#[test]
fn hkdf_extract_and_expand() {
    for (file, hash) in
        [("hkdf_sha256_test.json", HashAlgorithm::Sha256), ("hkdf_sha384_test.json", HashAlgorithm::Sha384)]
    {
        let doc = load(file);
        let mut checked = 0;
        for group in doc["testGroups"].as_array().unwrap() {
            for t in group["tests"].as_array().unwrap() {
                let size = t["size"].as_u64().unwrap() as usize;
                if t["result"] != "valid" || size > 255 * hash.output_len() {
                    continue;
                }
                let prk = hkdf::extract(hash, &h(&t["salt"]), &h(&t["ikm"]));
                let mut okm = vec![0u8; size];
                hkdf::expand(hash, prk.as_bytes(), &[&h(&t["info"])], &mut okm);
                assert_eq!(okm, h(&t["okm"]), "{file} tc {}", t["tcId"]);
                checked += 1;
            }
        }
        assert!(checked > 50, "{file}: only {checked} vectors");
    }
}
