//! Writes seed inputs for the fuzz targets: real flights recorded from
//! in-memory handshakes, in each target's input format.
//!
//! `cargo run --release --example gen_seeds -- [OUT_DIR]` (default `seeds`,
//! run from `fuzz/`) writes `OUT_DIR/<target>/<name>`. The side a target
//! plays is built exactly as the target builds it (same configuration byte,
//! same deterministic generator and clock), so a recorded peer replays:
//! each client and server seed is checked to complete its handshake again.

use ssl_core::constants::{ContentType, HandshakeType, NamedGroup, ProtocolVersion};
use ssl_core::record::{Direction, Protection, Tls12Protection, Tls13Protection};
use ssl_core::trace::{Trace, TraceDirection, TraceEvent};
use ssl_core::{Connection, Context, Received, Session, Side};
use ssl_core_fuzz::{
    PREFIX_LEN, client_cfg as cc, client_context, client_context_builder, client_session, server_cfg as sc,
    server_context, server_context_builder,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Keeps the first few handshake messages of each type (for the `messages` target).
#[derive(Default)]
struct Collect(Mutex<BTreeMap<u8, Vec<Vec<u8>>>>);

impl Trace for Collect {
    fn event(&self, _side: Side, dir: TraceDirection, ev: TraceEvent<'_>) {
        if let (TraceDirection::Sent, TraceEvent::Handshake { typ, raw }) = (dir, ev) {
            let mut m = self.0.lock().unwrap();
            let list = m.entry(typ.0).or_default();
            if list.len() < 4 && !list.iter().any(|r| r == raw) {
                list.push(raw.to_vec());
            }
        }
    }
}

/// What the peer does after the handshake.
#[derive(Clone, Copy, Default)]
struct After {
    renegotiate_client: bool,
    renegotiate_server: bool,
}

/// Runs a client and a server to the end; returns (client→server, server→client) bytes.
fn run(client: &mut Connection, server: &mut Connection, after: After) -> (Vec<u8>, Vec<u8>) {
    let (mut c2s, mut s2c) = (Vec::new(), Vec::new());
    let mut done_round = None;
    let mut buf = [0u8; 4096];
    for round in 0..40 {
        if done_round.is_none() && client.is_handshake_complete() && server.is_handshake_complete() {
            done_round = Some(round);
            client.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
            server.send(b"HTTP/1.0 200 OK\r\n\r\nhello").unwrap();
            if client.version() == Some(ProtocolVersion::TLS1_3) {
                server.key_update(true).unwrap();
            } else if after.renegotiate_client {
                client.renegotiate().unwrap();
            } else if after.renegotiate_server {
                server.renegotiate().unwrap();
            }
        }
        if done_round.is_some_and(|r| round == r + 6) {
            server.close_notify();
            client.close_notify();
        }
        let a = client.take_tls();
        if !a.is_empty() {
            c2s.extend_from_slice(&a);
            server.read_tls(&a).unwrap_or_else(|e| panic!("server: {e}"));
        }
        let b = server.take_tls();
        if !b.is_empty() {
            s2c.extend_from_slice(&b);
            client.read_tls(&b).unwrap_or_else(|e| panic!("client: {e}"));
        }
        while let Ok(Received::Data(n)) = client.recv(&mut buf) {
            if n == 0 {
                break;
            }
        }
        while let Ok(Received::Data(n)) = server.recv(&mut buf) {
            if n == 0 {
                break;
            }
        }
        if a.is_empty() && b.is_empty() && done_round.is_some_and(|r| round > r + 6) {
            break;
        }
    }
    assert!(client.is_handshake_complete() && server.is_handshake_complete(), "handshake did not complete");
    (c2s, s2c)
}

fn with_trace(mut ctx: Context, t: &Arc<Collect>) -> Arc<Context> {
    ctx.trace = Some(t.clone());
    Arc::new(ctx)
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let d = dir.join(target);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(name), bytes).unwrap();
}

fn seed(cfg: u8, wire: &[u8]) -> Vec<u8> {
    let mut v = vec![cfg, 0, 0, 0];
    assert_eq!(v.len(), PREFIX_LEN);
    v.extend_from_slice(wire);
    v
}

/// Whether the recorded server bytes take a fresh target client through the handshake.
fn client_replays(cfg: u8, s2c: &[u8]) -> bool {
    let mut c = Connection::client(client_context(cfg), Some("localhost"), client_session(cfg)).unwrap();
    c.read_tls(s2c).is_ok() && c.is_handshake_complete()
}

/// Whether the recorded client bytes take a fresh target server through the handshake.
fn server_replays(cfg: u8, c2s: &[u8]) -> bool {
    let mut s = Connection::server(server_context(cfg));
    s.read_tls(c2s).is_ok() && s.is_handshake_complete()
}

fn main() {
    let out: PathBuf = std::env::args().nth(1).unwrap_or_else(|| "seeds".into()).into();
    let trace = Arc::new(Collect::default());
    let det = cc::DETERMINISTIC_GROUPS;

    // ---- client target: the client as the target builds it, a server of any kind ----
    let tls12 = |mut c: Context| {
        c.set_versions(ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_2);
        c
    };
    let client_cases: Vec<(&str, u8, Context, After)> = vec![
        ("tls13_p521_ecdsa", det, server_context_builder(0), After::default()),
        ("tls13_alpn_ed25519", det | cc::ALPN | cc::ED25519_ONLY, server_context_builder(sc::ALPN), After::default()),
        (
            "tls13_hrr_ffdhe",
            det,
            {
                let mut s = server_context_builder(0);
                s.groups = vec![NamedGroup::FFDHE2048];
                s
            },
            After::default(),
        ),
        ("tls13_client_auth", det | cc::NO_COMPAT, server_context_builder(sc::REQUEST_CLIENT_CERT), After::default()),
        ("tls13_small_records", det | cc::SMALL_RECORDS, server_context_builder(sc::SMALL_RECORDS), After::default()),
        ("tls13_x25519", 0, server_context_builder(0), After::default()),
        ("tls12_ecdhe_ecdsa", det, tls12(server_context_builder(0)), After::default()),
        // The server asks for Ed25519 signatures, so the client's CertificateVerify replays.
        (
            "tls12_client_auth",
            det,
            {
                let mut s = tls12(server_context_builder(sc::REQUEST_CLIENT_CERT));
                s.signature_algorithms = vec![ssl_core::constants::SignatureScheme::ED25519];
                s
            },
            After::default(),
        ),
        (
            "tls12_renegotiation",
            det | cc::LAX12,
            tls12(server_context_builder(sc::LAX12)),
            After { renegotiate_server: true, ..After::default() },
        ),
        ("tls12_small_records", det | cc::SMALL_RECORDS, tls12(server_context_builder(0)), After::default()),
    ];
    for (name, cfg, server_ctx, after) in client_cases {
        let mut client =
            Connection::client(with_trace(client_context_builder(cfg), &trace), Some("localhost"), client_session(cfg))
                .unwrap();
        let mut server = Connection::server(with_trace(server_ctx, &trace));
        let (_, s2c) = run(&mut client, &mut server, after);
        let replays = client_replays(cfg, &s2c);
        println!("client/{name}: {} bytes, replays: {replays}", s2c.len());
        write(&out, "client", name, &seed(cfg, &s2c));
    }

    // ---- server target: the server as the target builds it, a client whose
    // flights replay (P-521/FFDHE key shares, Ed25519 signatures) ----
    let det_client = |extra: u8, f: &dyn Fn(&mut Context)| {
        let mut c = client_context_builder(det | cc::ED25519_ONLY | extra);
        f(&mut c);
        c.trace = Some(trace.clone());
        Arc::new(c)
    };
    let none = |_: &mut Context| {};
    let only12 = |c: &mut Context| c.set_versions(ProtocolVersion::TLS1_2, ProtocolVersion::TLS1_2);
    let x25519 = |c: &mut Context| c.groups = vec![NamedGroup::X25519, NamedGroup::SECP521R1];
    let server_cases: Vec<(&str, u8, Arc<Context>, After)> = vec![
        ("tls13", 0, det_client(0, &none), After::default()),
        ("tls13_alpn", sc::ALPN, det_client(cc::ALPN, &none), After::default()),
        ("tls13_client_auth", sc::REQUEST_CLIENT_CERT, det_client(0, &none), After::default()),
        ("tls13_hrr", sc::DETERMINISTIC_GROUPS, det_client(0, &x25519), After::default()),
        (
            "tls13_small_records",
            sc::SMALL_RECORDS,
            det_client(cc::SMALL_RECORDS | cc::NO_COMPAT, &none),
            After::default(),
        ),
        ("tls12", 0, det_client(0, &only12), After::default()),
        ("tls12_client_auth", sc::REQUEST_CLIENT_CERT, det_client(0, &only12), After::default()),
        (
            "tls12_renegotiation",
            sc::LAX12,
            det_client(cc::LAX12, &only12),
            After { renegotiate_client: true, ..After::default() },
        ),
    ];
    for (name, cfg, client_ctx, after) in server_cases {
        let mut client = Connection::client(client_ctx, Some("localhost"), None).unwrap();
        let mut server = Connection::server(with_trace(server_context_builder(cfg), &trace));
        let (c2s, _) = run(&mut client, &mut server, after);
        println!("server/{name}: {} bytes, replays: {}", c2s.len(), server_replays(cfg, &c2s));
        write(&out, "server", name, &seed(cfg, &c2s));
    }

    // Resumption: a first connection gets a session, a second one offers it.
    let only12_cached = |c: &mut Context| {
        only12(c);
        c.use_cache = true; // so the client offers a TLS 1.2 ticket
    };
    for (name, f) in [("tls13_resumed", &none as &dyn Fn(&mut Context)), ("tls12_resumed", &only12_cached)] {
        let client_ctx = det_client(0, f);
        let mut client = Connection::client(client_ctx.clone(), Some("localhost"), None).unwrap();
        let mut server = Connection::server(server_context(0));
        run(&mut client, &mut server, After::default());
        let session: Session = client.session().expect("a session").clone();
        let mut client = Connection::client(client_ctx, Some("localhost"), Some(session.clone())).unwrap();
        let mut server = Connection::server(server_context(0));
        let (c2s, _) = run(&mut client, &mut server, After::default());
        println!(
            "server/{name}: {} bytes, resumed: {}, replays: {}",
            c2s.len(),
            server.negotiated().resumed,
            server_replays(0, &c2s)
        );
        write(&out, "server", name, &seed(0, &c2s));
        write(&out, "messages", &format!("session_{name}"), &session.to_bytes());
    }

    // ---- messages: the bodies of the handshake messages seen above ----
    for (typ, list) in trace.0.lock().unwrap().iter() {
        for (i, raw) in list.iter().enumerate() {
            let name = HandshakeType(*typ).to_string().replace(' ', "_");
            write(&out, "messages", &format!("{name}_{i}"), &raw[4..]);
        }
    }
    write(&out, "messages", "alert", &[2, 40]);

    // ---- record: a sealed record per protection, and the sealing mode ----
    for (sel, cipher_idx) in [(0u8, 0usize), (2, 2), (3, 3), (4, 4), (8, 0), (10, 2), (12, 4), (7, 7)] {
        let mut w = Direction::default();
        if cipher_idx < 7 {
            use ssl_core::constants::BulkCipher as B;
            let cipher = [B::Aes128Gcm, B::Aes256Gcm, B::Chacha20Poly1305, B::Aes128Ccm, B::Aes128Ccm8][cipher_idx];
            let key = vec![0x42; cipher.key_len()];
            w.set(if sel & 8 != 0 {
                let iv = vec![0x24; if cipher == B::Chacha20Poly1305 { 12 } else { 4 }];
                Protection::Tls12(Tls12Protection::new(cipher, &key, &iv).unwrap())
            } else {
                Protection::Tls13(Tls13Protection::new(cipher, &key, [0x24; 12]).unwrap())
            });
        }
        let mut rec = vec![sel];
        w.seal_record(&mut rec, ContentType::HANDSHAKE, ProtocolVersion::TLS1_2, b"\x14\x00\x00\x04abcd", 3).unwrap();
        w.seal_record(&mut rec, ContentType::APPLICATION_DATA, ProtocolVersion::TLS1_2, b"hello", 0).unwrap();
        write(&out, "record", &format!("open_{sel}"), &rec);
        let mut s = vec![sel | 16, ContentType::APPLICATION_DATA.0, 4, 0, 7, 0x80];
        s.extend_from_slice(b"some application data");
        write(&out, "record", &format!("seal_{sel}"), &s);
    }

    // ---- handshake_pair: untouched handshakes, and one flipped byte ----
    for (name, c, s, flags) in [
        ("tls13", det, 0u8, 0u8),
        ("tls13_ed25519_alpn", det | cc::ED25519_ONLY | cc::ALPN, sc::ALPN, 0),
        ("tls13_hrr", 0, sc::DETERMINISTIC_GROUPS, 0),
        ("tls13_client_auth", det, sc::REQUEST_CLIENT_CERT, 0),
        ("tls12", det, 0, 1),
        ("tls12_renegotiation", det | cc::LAX12, sc::LAX12 | sc::REQUEST_CLIENT_CERT, 3),
    ] {
        write(&out, "handshake_pair", name, &[c, s, flags]);
        write(&out, "handshake_pair", &format!("{name}_flip"), &[c, s, flags, 0, 0, 0, 60, 0x01]);
    }
    println!("seeds written to {}", out.display());
}
