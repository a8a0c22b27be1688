//! Shared helpers: a test PKI and connected pairs.
#![allow(dead_code)]

use mio::net::UnixStream;
use ssl_file::{Backend, Context, SslFile};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Pki {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl Pki {
    pub fn new() -> Pki {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("ssl-file test CA {}", std::process::id()));
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, &ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap().signed_by(&key, &issuer).unwrap();
        Pki { ca_pem: ca.pem(), cert_pem: cert.pem(), key_pem: key.serialize_pem() }
    }

    pub fn server_ctx(&self) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.add_cert_pem(self.cert_pem.as_bytes(), self.key_pem.as_bytes()).unwrap();
        Arc::new(ctx)
    }

    pub fn client_ctx(&self) -> Arc<Context> {
        let mut ctx = Context::new();
        ctx.trusted_issuers.add_pem(self.ca_pem.as_bytes()).unwrap();
        Arc::new(ctx)
    }
}

/// A client and a server file over a Unix socket pair, both on `backend`.
pub fn unix_pair(pki: &Pki, backend: &Backend) -> (SslFile<UnixStream>, SslFile<UnixStream>) {
    let (a, b) = UnixStream::pair().unwrap();
    (
        SslFile::with_backend(a, pki.client_ctx(), backend.clone()),
        SslFile::with_backend(b, pki.server_ctx(), backend.clone()),
    )
}

/// Rotates `backend` until `done` or the time limit.
pub fn run_until(backend: &Backend, limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        backend.run_once(Some(Duration::from_millis(20))).unwrap();
    }
    done()
}

pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}
