//! The machine's raw AEAD ceiling: ring's `LessSafeKey` sealing and opening
//! 16 KiB buffers in place on one core (a 5-byte AAD like a TLS record
//! header, a fresh nonce per record). Both libraries use ring's AEADs, so
//! their bulk figures are read as a fraction of these numbers.

use crate::pki::Bulk;
use ring::aead::{AES_128_GCM, AES_256_GCM, Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use std::hint::black_box;
use std::time::{Duration, Instant};

pub const RECORD: usize = 16 * 1024;

/// Seal and open throughput (MiB/s) over `total` bytes.
pub fn ceiling(bulk: Bulk, total: usize) -> (f64, f64) {
    let (alg, klen) = match bulk {
        Bulk::Aes128Gcm => (&AES_128_GCM, 16),
        Bulk::Aes256Gcm => (&AES_256_GCM, 32),
        Bulk::Chacha20Poly1305 => (&CHACHA20_POLY1305, 32),
    };
    let key = LessSafeKey::new(UnboundKey::new(alg, &[7u8; 32][..klen]).expect("AEAD key"));
    let mut buf: Vec<u8> = (0..RECORD).map(|i| i as u8).collect();
    let original = buf.clone();
    let header = [23u8, 3, 3, 0x40, 0x11];
    let mut with_tag = Vec::with_capacity(RECORD + 16);
    let (mut seal, mut open) = (Duration::ZERO, Duration::ZERO);
    let records = total.div_ceil(RECORD).max(1);
    for seq in 0..records as u64 {
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&seq.to_be_bytes());
        let t = Instant::now();
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(n), Aad::from(&header), &mut buf)
            .expect("seal");
        seal += t.elapsed();
        black_box(&tag);
        // open_in_place wants ciphertext and tag together (not timed: a TLS
        // record arrives that way).
        with_tag.clear();
        with_tag.extend_from_slice(&buf);
        with_tag.extend_from_slice(tag.as_ref());
        let t = Instant::now();
        let plain =
            key.open_in_place(Nonce::assume_unique_for_key(n), Aad::from(&header), &mut with_tag).expect("open");
        open += t.elapsed();
        black_box(plain);
        buf.copy_from_slice(&with_tag[..RECORD]);
    }
    assert_eq!(buf, original, "open undid seal");
    let mib = (records * RECORD) as f64 / (1024.0 * 1024.0);
    (mib / seal.as_secs_f64(), mib / open.as_secs_f64())
}
