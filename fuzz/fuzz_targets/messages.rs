//! Every message and extension decoder on the fuzz input, plus the
//! handshake message joiner and the saved-session parser.
//!
//! Checked: no decoder panics; where an encoder exists, what decodes
//! encodes back to the same bytes (or decodes again to the same value).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssl_core::Session;
use ssl_core::alert::Alert;
use ssl_core::codec::Reader;
use ssl_core::constants::PskKeyExchangeMode;
use ssl_core::msgs::extensions as ext;
use ssl_core::msgs::tls12::{self, KxKind};
use ssl_core::msgs::{self, Extensions, HandshakeJoiner};

fuzz_target!(|data: &[u8]| {
    decode_all(data);
    // The same decoders one byte in: a different alignment of the same bytes.
    if let Some(rest) = data.get(1..) {
        decode_all(rest);
    }
    join(data);
});

fn decode_all(b: &[u8]) {
    // Handshake messages (TLS 1.3 and shared).
    if let Ok(ch) = msgs::ClientHello::decode(b) {
        let _ = ch.offers(ssl_core::constants::CipherSuite::TLS_AES_128_GCM_SHA256);
        for (typ, body) in ch.extensions.iter() {
            decode_extension_body(body);
            let _ = typ.name();
        }
        let _ = ch.extensions.last_type();
    }
    if let Ok(sh) = msgs::ServerHello::decode(b) {
        let _ = sh.is_retry_request();
        let _ = sh.extensions.only(&[]);
    }
    let _ = msgs::decode_encrypted_extensions(b);
    if let Ok(c) = msgs::Certificate13::decode(b) {
        assert!(c.certs().all(|c| !c.is_empty()));
        // Without per-entry extensions the message encodes back to the same body.
        if c.entries.iter().all(|e| e.extensions.is_empty()) {
            let chain: Vec<&[u8]> = c.certs().collect();
            let mut out = Vec::new();
            msgs::encode_certificate13(&mut out, c.context, &chain);
            assert_eq!(&out[4..], b);
        }
    }
    let _ = msgs::CertificateRequest13::decode(b);
    if let Ok(cv) = msgs::CertificateVerify::decode(b) {
        let mut out = Vec::new();
        cv.encode(&mut out);
        assert_eq!(&out[4..], b);
    }
    if let Ok(t) = msgs::NewSessionTicket13::decode(b) {
        assert!(t.lifetime <= 604_800);
    }
    let _ = msgs::decode_key_update(b);

    // TLS 1.2 messages.
    if let Ok(chain) = tls12::decode_certificate12(b) {
        let mut out = Vec::new();
        tls12::encode_certificate12(&mut out, &chain);
        assert_eq!(&out[4..], b);
    }
    for kind in [KxKind::Ecdhe, KxKind::Dhe] {
        if let Ok(ske) = tls12::ServerKeyExchange::decode(b, kind) {
            let mut out = Vec::new();
            tls12::encode_server_key_exchange(&mut out, ske.params_raw, ske.scheme, ske.signature);
            assert_eq!(&out[4..], b);
        }
        if let Ok(public) = tls12::decode_client_key_exchange(b, kind) {
            let mut out = Vec::new();
            tls12::encode_client_key_exchange(&mut out, kind, public);
            assert_eq!(&out[4..], b);
        }
    }
    let _ = tls12::CertificateRequest12::decode(b);
    if let Ok(t) = tls12::NewSessionTicket12::decode(b) {
        let mut out = Vec::new();
        t.encode(&mut out);
        assert_eq!(&out[4..], b);
    }
    let _ = tls12::decode_empty_message(b, "fuzz");

    // Extension blocks and bodies.
    if let Ok(e) = Extensions::decode(b) {
        for (_, body) in e.iter() {
            decode_extension_body(body);
        }
    }
    let mut r = Reader::new(b);
    let _ = Extensions::decode_optional(&mut r);
    decode_extension_body(b);

    // Alerts and saved sessions.
    if let Ok(a) = Alert::decode(b) {
        assert_eq!(&a.encode()[..], b);
    }
    if let Ok(s) = Session::from_bytes(b) {
        assert_eq!(Session::from_bytes(&s.to_bytes()).as_ref(), Ok(&s));
        let _ = s.is_fresh(0);
    }
}

/// Every typed extension decoder on one body.
fn decode_extension_body(b: &[u8]) {
    let _ = ext::decode_server_name(b);
    let _ = ext::decode_u16_list(b, "fuzz");
    let _ = ext::decode_client_versions(b);
    let _ = ext::decode_server_version(b);
    if let Ok(shares) = ext::decode_client_key_shares(b) {
        let mut out = Vec::new();
        ext::encode_client_key_shares(&mut out, &shares);
        assert_eq!(out, b);
    }
    if let Ok(share) = ext::decode_server_key_share(b) {
        let mut out = Vec::new();
        ext::encode_server_key_share(&mut out, &share);
        assert_eq!(out, b);
    }
    let _ = ext::decode_hrr_key_share(b);
    if let Ok(modes) = ext::decode_psk_modes(b) {
        let modes: Vec<PskKeyExchangeMode> = modes.iter().map(|m| PskKeyExchangeMode(*m)).collect();
        let mut out = Vec::new();
        ext::encode_psk_modes(&mut out, &modes);
        assert_eq!(out, b);
    }
    if let Ok(psks) = ext::decode_offered_psks(b) {
        assert_eq!(psks.identities.len(), psks.binders.len());
        assert!(psks.binders_len <= b.len());
        // The identities encode back to the same bytes; the binders as zeroes of the same lengths.
        let lens: Vec<usize> = psks.binders.iter().map(|x| x.len()).collect();
        let mut out = Vec::new();
        let binders_len = ext::encode_offered_psks(&mut out, &psks.identities, &lens);
        assert_eq!(binders_len, psks.binders_len);
        assert_eq!(out.len(), b.len());
        assert_eq!(out[..b.len() - binders_len], b[..b.len() - binders_len]);
    }
    let _ = ext::decode_selected_psk(b);
    if let Ok(protocols) = ext::decode_alpn(b) {
        let owned: Vec<Vec<u8>> = protocols.iter().map(|p| p.to_vec()).collect();
        let mut out = Vec::new();
        ext::encode_alpn(&mut out, &owned);
        assert_eq!(out, b);
    }
    let _ = ext::decode_u16(b, "fuzz");
    let _ = ext::decode_u32(b, "fuzz");
    let _ = ext::decode_empty(b, "fuzz");
    let _ = ext::decode_cookie(b);
    let _ = ext::decode_authorities(b);
}

/// The handshake joiner, fed the input in pieces of the sizes its bytes say.
fn join(data: &[u8]) {
    let mut j = HandshakeJoiner::default();
    let mut rest = data;
    let mut taken = 0usize;
    while !rest.is_empty() {
        let n = (rest[0] as usize % 64 + 1).min(rest.len());
        j.push(&rest[..n]);
        rest = &rest[n..];
        let _ = j.peek_type();
        loop {
            match j.next_len() {
                Ok(Some(len)) => {
                    let m = j.take(len);
                    assert_eq!(m.raw.len(), len);
                    assert_eq!(m.body.len() + 4, len);
                    taken += len;
                }
                Ok(None) | Err(_) => break,
            }
        }
        if j.next_len().is_err() {
            return;
        }
    }
    assert!(taken <= data.len());
}
