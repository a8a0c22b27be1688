//! The record layer: `Header::parse` and `Direction::open_record` with a
//! fixed key (TLS 1.3 and TLS 1.2 protection, every AEAD, and plaintext).
//!
//! Input: a selector byte (bits 0–2 the cipher, 7 meaning plaintext; bit 3
//! TLS 1.2 instead of TLS 1.3; bit 4 the sealing mode), then:
//! - opening mode: records as they come off the wire (the last one may be
//!   cut short), each opened in turn;
//! - sealing mode: a content type, a padding length, a byte offset and an
//!   XOR mask, then a payload. The payload is sealed and opened again (it
//!   must come back unchanged), then sealed once more, one body byte is
//!   flipped, and opening must fail with bad_record_mac.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssl_core::Error;
use ssl_core::constants::{BulkCipher, ContentType, ProtocolVersion};
use ssl_core::record::{Direction, HEADER_LEN, Header, MAX_FRAGMENT, Protection, Tls12Protection, Tls13Protection};

const CIPHERS: [BulkCipher; 7] = BulkCipher::IMPLEMENTED_AEADS;

fn direction(sel: u8) -> Direction {
    let mut d = Direction::default();
    let Some(&cipher) = CIPHERS.get((sel & 7) as usize) else { return d };
    let key = vec![0x42; cipher.key_len()];
    let p = if sel & 8 != 0 {
        let iv_len = if cipher == BulkCipher::Chacha20Poly1305 { 12 } else { 4 };
        Protection::Tls12(Tls12Protection::new(cipher, &key, &vec![0x24; iv_len]).expect("TLS 1.2 key"))
    } else {
        Protection::Tls13(Tls13Protection::new(cipher, &key, [0x24; 12]).expect("TLS 1.3 key"))
    };
    d.set(p);
    d
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else { return };
    let _ = Header::parse(rest);
    if sel & 16 == 0 {
        open_all(sel, rest);
    } else {
        seal_and_open(sel, rest);
    }
});

/// Opens the records of `wire` one after the other.
fn open_all(sel: u8, mut wire: &[u8]) {
    let mut reader = direction(sel);
    while !wire.is_empty() {
        let len = if wire.len() >= HEADER_LEN { u16::from_be_bytes([wire[3], wire[4]]) as usize } else { 0 };
        let take = (HEADER_LEN + len).min(wire.len());
        let mut record = wire[..take].to_vec();
        wire = &wire[take..];
        let _ = Header::parse(&record);
        if let Ok((_, range)) = reader.open_record(&mut record) {
            assert!(range.start >= HEADER_LEN && range.start <= range.end && range.end <= record.len());
        }
    }
}

/// Seals a payload, opens it, then checks that a flipped body byte is caught.
fn seal_and_open(sel: u8, rest: &[u8]) {
    let [typ, pad, off_hi, off_lo, mask, payload @ ..] = rest else { return };
    let payload = &payload[..payload.len().min(MAX_FRAGMENT)];
    let typ = ContentType(*typ);
    let protected = (sel & 7) < 7;
    let tls13 = protected && sel & 8 == 0;
    // The padding the sending side would allow: the inner plaintext stays within 2^14 + 1.
    let pad = if tls13 { (*pad as usize).min(MAX_FRAGMENT - payload.len()) } else { 0 };
    let mut writer = direction(sel);
    let mut reader = direction(sel);

    let mut record = Vec::new();
    writer.seal_record(&mut record, typ, ProtocolVersion::TLS1_2, payload, pad).expect("sealing never fails");
    let opened = reader.open_record(&mut record);
    let plain_types = [ContentType::ALERT, ContentType::HANDSHAKE, ContentType::APPLICATION_DATA];
    if plain_types.contains(&typ) {
        let (got, range) = opened.expect("a sealed record opens");
        assert_eq!(got, typ);
        assert_eq!(&record[range], payload);
    }

    if !protected {
        return;
    }
    let mut record = Vec::new();
    writer.seal_record(&mut record, typ, ProtocolVersion::TLS1_2, payload, pad).expect("sealing never fails");
    let body_len = record.len() - HEADER_LEN;
    let at = HEADER_LEN + u16::from_be_bytes([*off_hi, *off_lo]) as usize % body_len;
    let mask = if *mask == 0 { 1 } else { *mask };
    record[at] ^= mask;
    if plain_types.contains(&typ) {
        assert_eq!(reader.open_record(&mut record), Err(Error::BadRecordMac));
    } else {
        let _ = reader.open_record(&mut record);
    }
}
