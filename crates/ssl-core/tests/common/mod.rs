//! Shared helpers for the in-memory tests: a test PKI and a pump.
#![allow(dead_code)]

use ssl_core::pki::CertifiedKey;
use ssl_core::{Connection, Context, Error, Received};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa2048,
}

/// A CA and a server certificate for `localhost` / `server.test`.
pub struct TestPki {
    pub ca_der: Vec<u8>,
    pub ca_pem: String,
    pub chain_pem: String,
    pub key_pem: String,
    ca_params: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
}

const RSA2048_PKCS8: &str = include_str!("rsa2048.pem");

pub fn keypair(kt: KeyType) -> rcgen::KeyPair {
    match kt {
        KeyType::EcdsaP256 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        KeyType::EcdsaP384 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        KeyType::Ed25519 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
        KeyType::Rsa2048 => rcgen::KeyPair::from_pem(RSA2048_PKCS8).unwrap(),
    }
}

impl TestPki {
    pub fn new(kt: KeyType) -> TestPki {
        let ca_key = keypair(KeyType::EcdsaP256);
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        // A unique name per CA, so two test PKIs never look like the same issuer.
        static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("sslfile test CA {n} {}", std::process::id()));
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let (chain_pem, key_pem) = {
            let issuer = rcgen::Issuer::new(ca_params.clone(), &ca_key);
            let key = keypair(kt);
            let mut p = rcgen::CertificateParams::new(vec!["localhost".into(), "server.test".into()]).unwrap();
            p.distinguished_name.push(rcgen::DnType::CommonName, "server.test");
            let cert = p.signed_by(&key, &issuer).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        TestPki { ca_der: ca.der().to_vec(), ca_pem: ca.pem(), chain_pem, key_pem, ca_params, ca_key }
    }

    /// Issues another leaf for `names` (server or client use).
    pub fn issue(&self, kt: KeyType, names: &[&str]) -> (String, String) {
        let issuer = rcgen::Issuer::new(self.ca_params.clone(), &self.ca_key);
        let key = keypair(kt);
        let mut p = rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, names.first().copied().unwrap_or("client"));
        let cert = p.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    pub fn server_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.add_cert_pem(self.chain_pem.as_bytes(), self.key_pem.as_bytes()).unwrap();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        f(&mut ctx);
        Arc::new(ctx)
    }

    pub fn client_ctx(&self, f: impl FnOnce(&mut Context)) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        f(&mut ctx);
        Arc::new(ctx)
    }

    pub fn certified_key(&self) -> CertifiedKey {
        CertifiedKey::from_pem(self.chain_pem.as_bytes(), self.key_pem.as_bytes()).unwrap()
    }
}

pub fn pair(client: Arc<Context>, server: Arc<Context>) -> (Connection, Connection) {
    (Connection::client(client, Some("localhost"), None).unwrap(), Connection::server(server))
}

/// Moves bytes both ways until nothing moves (alerts after a failure
/// included). Returns the first error of either side.
pub fn pump(c: &mut Connection, s: &mut Connection) -> Result<(), Error> {
    let mut first: Option<Error> = None;
    loop {
        let a = c.take_tls();
        if !a.is_empty()
            && let Err(e) = s.read_tls(&a)
        {
            first.get_or_insert(e);
        }
        let b = s.take_tls();
        if !b.is_empty()
            && let Err(e) = c.read_tls(&b)
        {
            first.get_or_insert(e);
        }
        if a.is_empty() && b.is_empty() {
            return first.map_or(Ok(()), Err);
        }
    }
}

/// Pumps until both sides finished the handshake.
pub fn handshake(c: &mut Connection, s: &mut Connection) -> Result<(), Error> {
    pump(c, s)?;
    if c.is_handshake_complete() && s.is_handshake_complete() {
        Ok(())
    } else {
        Err(Error::Internal("handshake stalled"))
    }
}

pub fn read_all(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        match conn.recv(&mut buf).unwrap() {
            Received::Data(0) | Received::WouldBlock | Received::Eof => return out,
            Received::Data(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `n` pseudo-random bytes each way and checks they arrive intact.
pub fn exchange_data(c: &mut Connection, s: &mut Connection, n: usize) {
    let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 255) as u8).collect();
    c.send(&data).unwrap();
    s.send(&data[..n / 2]).unwrap();
    let mut got_s = Vec::new();
    let mut got_c = Vec::new();
    for _ in 0..1000 {
        pump(c, s).unwrap();
        got_s.extend(read_all(s));
        got_c.extend(read_all(c));
        if got_s.len() >= n && got_c.len() >= n / 2 {
            break;
        }
    }
    assert_eq!(got_s, data);
    assert_eq!(got_c, &data[..n / 2]);
}
