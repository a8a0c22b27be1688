//! A real client and server in memory; the fuzz input says which bytes in
//! flight are changed.
//!
//! Input: a client configuration byte, a server configuration byte, a
//! flags byte (bit 0: the server speaks only TLS 1.2; bit 1: the client
//! renegotiates after a TLS 1.2 handshake), then mutations of five bytes each: `[when] [what] [offset hi] [offset lo]
//! [value]`. `when` picks the flight (bit 0: client→server or
//! server→client; bits 1–4: the round), `what` the change (flip bits,
//! insert a byte, delete a byte, truncate the flight, duplicate a range).
//! Checked: no panic, no endless loop (rounds are bounded), every error
//! names an alert or is the peer's; and when no byte was changed, the
//! handshake completes and application data arrives intact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssl_core::constants::ProtocolVersion;
use ssl_core::{Connection, Received};
use ssl_core_fuzz::{check_error, client_cfg, client_context, client_session, server_cfg, server_context_builder};
use std::sync::Arc;

const ROUNDS: u8 = 16;

struct Mutation {
    round: u8,
    to_server: bool,
    what: u8,
    offset: usize,
    value: u8,
}

/// Applies the mutations of one flight; returns whether the bytes changed.
fn mutate(bytes: &mut Vec<u8>, muts: &[Mutation], round: u8, to_server: bool) -> bool {
    let before = bytes.clone();
    for m in muts.iter().filter(|m| m.round == round && m.to_server == to_server) {
        let len = bytes.len();
        match m.what % 5 {
            0 if len > 0 => bytes[m.offset % len] ^= m.value.max(1),
            1 => bytes.insert(m.offset % (len + 1), m.value),
            2 if len > 0 => {
                bytes.remove(m.offset % len);
            }
            3 => bytes.truncate(m.offset % (len + 1)),
            4 if len > 0 => {
                let start = m.offset % len;
                let end = (start + m.value as usize + 1).min(len);
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            _ => {}
        }
    }
    *bytes != before
}

fuzz_target!(|data: &[u8]| {
    let &[ccfg, scfg, flags, ref rest @ ..] = data else { return };
    // No made-up sessions: the pair's handshakes are full ones.
    let ccfg = ccfg & !(client_cfg::RESUME12 | client_cfg::RESUME13);
    let muts: Vec<Mutation> = rest
        .chunks_exact(5)
        .map(|c| Mutation {
            round: (c[0] >> 1) % ROUNDS,
            to_server: c[0] & 1 == 0,
            what: c[1],
            offset: u16::from_be_bytes([c[2], c[3]]) as usize,
            value: c[4],
        })
        .collect();

    let mut server_ctx = server_context_builder(scfg);
    if flags & 1 != 0 {
        server_ctx.set_versions(ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_2);
    }
    // Renegotiation: TLS 1.2 only, and both ends must allow it.
    let renegotiate = flags & 3 == 3 && ccfg & client_cfg::LAX12 != 0 && scfg & server_cfg::LAX12 != 0;
    let mut client = Connection::client(client_context(ccfg), Some("localhost"), client_session(ccfg))
        .expect("a client always starts");
    let mut server = Connection::server(Arc::new(server_ctx));
    let mut tampered = false;
    let mut failed = false;
    let mut sent = false;
    let (mut got_c, mut got_s) = (Vec::new(), Vec::new());

    for round in 0..ROUNDS {
        if client.is_handshake_complete() && server.is_handshake_complete() && !sent {
            let _ = client.send(b"ping from the client");
            let _ = server.send(b"pong from the server");
            // After tampering the client may have failed already; untouched it must not.
            if client.version() == Some(ProtocolVersion::TLS1_3) {
                let r = client.key_update(true);
                assert!(tampered || r.is_ok(), "a key update cannot start: {r:?}");
            } else if renegotiate {
                let r = client.renegotiate();
                assert!(tampered || r.is_ok(), "a renegotiation cannot start: {r:?}");
            }
            sent = true;
        }
        if round == ROUNDS - 4 {
            client.close_notify();
            server.close_notify();
        }
        let mut a = client.take_tls();
        tampered |= mutate(&mut a, &muts, round, true);
        if !a.is_empty()
            && let Err(e) = server.read_tls(&a)
        {
            check_error(&e);
            failed = true;
        }
        let mut b = server.take_tls();
        tampered |= mutate(&mut b, &muts, round, false);
        if !b.is_empty()
            && let Err(e) = client.read_tls(&b)
        {
            check_error(&e);
            failed = true;
        }
        read_all(&mut client, &mut got_c);
        read_all(&mut server, &mut got_s);
        if a.is_empty() && b.is_empty() && (round > ROUNDS - 4 || failed) {
            break;
        }
    }

    if !tampered {
        if renegotiate {
            assert_eq!((client.handshakes(), server.handshakes()), (2, 2));
        }
        assert!(!failed, "an untouched handshake failed: {:?} / {:?}", client.error(), server.error());
        assert!(client.is_handshake_complete() && server.is_handshake_complete());
        assert_eq!(got_s, b"ping from the client");
        assert_eq!(got_c, b"pong from the server");
        assert!(client.peer_closed() && server.peer_closed());
    }
});

fn read_all(conn: &mut Connection, into: &mut Vec<u8>) {
    let mut buf = [0u8; 1024];
    for _ in 0..100 {
        match conn.recv(&mut buf) {
            Ok(Received::Data(n)) if n > 0 => into.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
}
