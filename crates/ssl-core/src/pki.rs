//! Certificates: trust anchors, our certified keys, chain verification
//! (rustls-webpki) and PEM loading (rustls-pki-types).

use crate::crypto::sign::SigningKey;
use crate::error::{CertificateError, Error};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, TrustAnchor, UnixTime};
use std::sync::Arc;

/// The trust anchors certificates are verified against.
#[derive(Clone, Debug, Default)]
pub struct RootStore {
    anchors: Vec<TrustAnchor<'static>>,
    subjects: Vec<Vec<u8>>,
}

impl RootStore {
    /// An empty store.
    pub fn new() -> Self {
        RootStore::default()
    }

    /// Adds a trusted certificate (DER).
    pub fn add(&mut self, cert: &CertificateDer<'_>) -> Result<(), Error> {
        let a = webpki::anchor_from_trusted_cert(cert)
            .map_err(|e| Error::Config(format!("trust anchor does not parse: {e}")))?
            .to_owned();
        self.subjects.push(a.subject.as_ref().to_vec());
        self.anchors.push(a);
        Ok(())
    }

    /// Adds every certificate of a PEM file's contents; returns how many.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, Error> {
        let mut n = 0;
        for c in CertificateDer::pem_slice_iter(pem) {
            let c = c.map_err(|e| Error::Config(format!("PEM: {e}")))?;
            self.add(&c)?;
            n += 1;
        }
        Ok(n)
    }

    /// Adds anchors that are already parsed (e.g. `webpki-roots`).
    pub fn extend(&mut self, anchors: impl IntoIterator<Item = TrustAnchor<'static>>) {
        for a in anchors {
            self.subjects.push(a.subject.as_ref().to_vec());
            self.anchors.push(a);
        }
    }

    /// Adds the trust anchors of the operating system's store (on Linux the
    /// usual bundle files and directories, `SSL_CERT_FILE` / `SSL_CERT_DIR`;
    /// the keychain on macOS; the system store on Windows). Returns how many
    /// were added. Certificates of the store that do not parse as trust
    /// anchors are skipped; a machine without a store adds none (`Ok(0)`).
    /// It fails only when the store exists but none of it could be read.
    ///
    /// Needs the `system-roots` feature.
    ///
    /// ```
    /// let mut roots = ssl_core::pki::RootStore::new();
    /// match roots.add_system_roots() {
    ///     Ok(n) => assert_eq!(roots.len(), n),
    ///     Err(e) => eprintln!("no system store: {e}"),
    /// }
    /// ```
    #[cfg(feature = "system-roots")]
    pub fn add_system_roots(&mut self) -> Result<usize, Error> {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            log::debug!("system trust store: {e}");
        }
        if found.certs.is_empty() && !found.errors.is_empty() {
            let all: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
            return Err(Error::Config(format!("cannot read the system trust store: {}", all.join("; "))));
        }
        let mut added = 0;
        for cert in &found.certs {
            match self.add(cert) {
                Ok(()) => added += 1,
                Err(e) => log::debug!("system trust store: skipping a certificate: {e}"),
            }
        }
        log::debug!("added {added} trust anchors from the system store");
        Ok(added)
    }

    /// Adds the Mozilla root program's trust anchors, as compiled into the
    /// `webpki-roots` crate; returns how many.
    ///
    /// Needs the `webpki-roots` feature.
    ///
    /// ```
    /// let mut roots = ssl_core::pki::RootStore::new();
    /// let n = roots.add_webpki_roots();
    /// assert!(n > 100);
    /// assert_eq!(roots.len(), n);
    /// ```
    #[cfg(feature = "webpki-roots")]
    pub fn add_webpki_roots(&mut self) -> usize {
        let anchors = webpki_roots::TLS_SERVER_ROOTS;
        self.extend(anchors.iter().cloned());
        anchors.len()
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The DER subjects of the anchors (for certificate_authorities), as
    /// full Name SEQUENCEs.
    pub fn subjects(&self) -> impl Iterator<Item = Vec<u8>> + '_ {
        self.subjects.iter().map(|s| {
            let mut out = Vec::with_capacity(s.len() + 4);
            out.push(0x30);
            if s.len() < 0x80 {
                out.push(s.len() as u8);
            } else if s.len() < 0x100 {
                out.extend_from_slice(&[0x81, s.len() as u8]);
            } else {
                out.extend_from_slice(&[0x82, (s.len() >> 8) as u8, s.len() as u8]);
            }
            out.extend_from_slice(s);
            out
        })
    }

    pub(crate) fn anchors(&self) -> &[TrustAnchor<'static>] {
        &self.anchors
    }
}

#[allow(deprecated)] // the unit variants are still produced by webpki 0.103
fn map_webpki(e: webpki::Error) -> CertificateError {
    use webpki::Error as W;
    match e {
        W::CertExpired { .. } => CertificateError::Expired,
        W::CertNotValidYet { .. } => CertificateError::NotValidYet,
        W::UnknownIssuer => CertificateError::UnknownIssuer,
        W::CertNotValidForName(_) => CertificateError::NameMismatch,
        W::CertRevoked => CertificateError::Revoked,
        W::BadDer | W::BadDerTime | W::TrailingData(_) => CertificateError::BadEncoding,
        W::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => CertificateError::UnsupportedAlgorithm,
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => CertificateError::InvalidPurpose,
        other => CertificateError::Other(format!("{other:?}")),
    }
}

/// Which end of the connection a chain belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainRole<'a> {
    /// A server certificate, checked for this name (DNS name or IP address) if given.
    Server(Option<&'a str>),
    /// A client certificate.
    Client,
}

/// Verifies `chain` (end entity first) against `roots` at time `now`.
pub fn verify_chain(
    roots: &RootStore,
    chain: &[CertificateDer<'_>],
    role: ChainRole<'_>,
    now: UnixTime,
) -> Result<(), CertificateError> {
    let (ee, rest) = chain.split_first().ok_or(CertificateError::Missing)?;
    let cert = webpki::EndEntityCert::try_from(ee).map_err(map_webpki)?;
    let usage = match role {
        ChainRole::Server(_) => webpki::KeyUsage::server_auth(),
        ChainRole::Client => webpki::KeyUsage::client_auth(),
    };
    cert.verify_for_usage(webpki::ALL_VERIFICATION_ALGS, roots.anchors(), rest, now, usage, None, None)
        .map_err(map_webpki)?;
    if let ChainRole::Server(Some(name)) = role {
        let sn = ServerName::try_from(name).map_err(|_| CertificateError::NameMismatch)?;
        cert.verify_is_valid_for_subject_name(&sn).map_err(map_webpki)?;
    }
    Ok(())
}

/// A certificate chain with its private key.
pub struct CertifiedKey {
    /// The chain, end entity first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key of the end entity.
    pub key: SigningKey,
    /// The DNS names of the end entity (subjectAltName), lower case; used to
    /// pick a certificate by SNI.
    pub names: Vec<String>,
    /// A DER OCSP response for the end entity, stapled for clients that ask
    /// (RFC 6066 status_request; TLS 1.3 and TLS 1.2). Keep it fresh: it is
    /// sent as it is.
    pub ocsp: Option<Vec<u8>>,
}

impl core::fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertifiedKey").field("key", &self.key).field("names", &self.names).finish()
    }
}

impl CertifiedKey {
    /// Pairs a chain with its key. The names used for SNI matching are read
    /// from the end entity's subjectAltName.
    pub fn new(chain: Vec<CertificateDer<'static>>, key: &PrivateKeyDer<'_>) -> Result<CertifiedKey, Error> {
        let ee = chain.first().ok_or_else(|| Error::Config("empty certificate chain".into()))?;
        let names = dns_names(ee)?;
        let key = SigningKey::from_der(key)?;
        check_key_matches(ee, &key)?;
        Ok(CertifiedKey { chain, key, names, ocsp: None })
    }

    /// The same key with an OCSP response to staple.
    pub fn with_ocsp(mut self, der_response: Vec<u8>) -> CertifiedKey {
        self.ocsp = Some(der_response).filter(|r| !r.is_empty());
        self
    }

    /// Loads a chain and a key from PEM text (PKCS#8, PKCS#1 or SEC1 keys).
    pub fn from_pem(chain_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, Error> {
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Config(format!("certificate PEM: {e}")))?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| Error::Config(format!("key PEM: {e}")))?;
        CertifiedKey::new(chain, &key)
    }

    /// Loads a chain and a key from PEM files.
    pub fn from_pem_files(
        chain: impl AsRef<std::path::Path>,
        key: impl AsRef<std::path::Path>,
    ) -> Result<CertifiedKey, Error> {
        let c =
            std::fs::read(chain.as_ref()).map_err(|e| Error::Config(format!("{}: {e}", chain.as_ref().display())))?;
        let k = std::fs::read(key.as_ref()).map_err(|e| Error::Config(format!("{}: {e}", key.as_ref().display())))?;
        CertifiedKey::from_pem(&c, &k)
    }

    /// Whether this certificate is valid for `host` (exact or `*.` wildcard match).
    pub fn matches(&self, host: &str) -> bool {
        self.names.iter().any(|n| name_matches(n, host))
    }
}

/// Fails unless `key` is the private key of `cert` (like OpenSSL's
/// `SSL_CTX_check_private_key`): a probe message signed with the key must
/// verify with the certificate's public key.
fn check_key_matches(cert: &CertificateDer<'_>, key: &SigningKey) -> Result<(), Error> {
    let scheme = key.tls13_schemes()[0];
    let probe = b"sslfile: does this key belong to this certificate?";
    let sig = key.sign(scheme, probe)?;
    crate::crypto::sign::verify_tls13(cert, scheme, probe, &sig)
        .map_err(|_| Error::Config("the private key does not match the certificate".into()))
}

/// Matches a certificate name (possibly `*.example.com`) against a host name.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if let Some(suffix) = pattern.strip_prefix("*.") {
        match host.split_once('.') {
            Some((label, rest)) => !label.is_empty() && rest == suffix,
            None => false,
        }
    } else {
        pattern == host
    }
}

fn dns_names(ee: &CertificateDer<'_>) -> Result<Vec<String>, Error> {
    let cert =
        webpki::EndEntityCert::try_from(ee).map_err(|e| Error::Config(format!("certificate does not parse: {e}")))?;
    Ok(cert.valid_dns_names().map(|n| n.to_ascii_lowercase()).collect())
}

/// The certificates a server can present, chosen by SNI with a default.
#[derive(Clone, Debug, Default)]
pub struct CertStore {
    keys: Vec<Arc<CertifiedKey>>,
}

impl CertStore {
    /// Adds a certified key. The first one added is the default.
    pub fn add(&mut self, key: CertifiedKey) {
        self.keys.push(Arc::new(key));
    }

    /// Whether no certificate is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// All configured keys.
    pub fn all(&self) -> &[Arc<CertifiedKey>] {
        &self.keys
    }

    /// Chooses a certificate: among those valid for `sni` (or all, when no
    /// name matches or none was sent), the first whose key can sign with one
    /// of the schemes the peer accepts.
    pub fn choose(&self, sni: Option<&str>, usable: impl Fn(&CertifiedKey) -> bool) -> Option<Arc<CertifiedKey>> {
        if let Some(host) = sni
            && let Some(k) = self.keys.iter().find(|k| k.matches(host) && usable(k))
        {
            return Some(k.clone());
        }
        self.keys.iter().find(|k| usable(k)).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_label() {
        assert!(name_matches("*.example.com", "www.example.com"));
        assert!(!name_matches("*.example.com", "a.b.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(name_matches("example.com", "EXAMPLE.com"));
    }

    #[test]
    fn a_key_that_does_not_match_the_certificate_is_refused() {
        let key = rcgen::KeyPair::generate().unwrap();
        let other = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.test".into()]).unwrap().self_signed(&key).unwrap();
        assert!(CertifiedKey::from_pem(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).is_ok());
        let e = CertifiedKey::from_pem(cert.pem().as_bytes(), other.serialize_pem().as_bytes()).unwrap_err();
        assert_eq!(e, Error::Config("the private key does not match the certificate".into()));
    }

    #[test]
    fn chain_verification_outcomes() {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, &ca_key);
        let ee_key = rcgen::KeyPair::generate().unwrap();
        let mut ee_params = rcgen::CertificateParams::new(vec!["server.test".into()]).unwrap();
        ee_params.not_after = rcgen::date_time_ymd(2090, 1, 1);
        let ee = ee_params.signed_by(&ee_key, &issuer).unwrap();
        let mut roots = RootStore::new();
        roots.add(ca.der()).unwrap();
        let chain = vec![ee.der().clone()];
        let now = UnixTime::now();
        assert_eq!(verify_chain(&roots, &chain, ChainRole::Server(Some("server.test")), now), Ok(()));
        assert_eq!(
            verify_chain(&roots, &chain, ChainRole::Server(Some("other.test")), now),
            Err(CertificateError::NameMismatch)
        );
        assert_eq!(
            verify_chain(&RootStore::new(), &chain, ChainRole::Server(None), now),
            Err(CertificateError::UnknownIssuer)
        );
        let far = UnixTime::since_unix_epoch(core::time::Duration::from_secs(4_200_000_000));
        assert_eq!(verify_chain(&roots, &chain, ChainRole::Server(None), far), Err(CertificateError::Expired));
        assert_eq!(verify_chain(&roots, &[], ChainRole::Client, now), Err(CertificateError::Missing));
        assert_eq!(roots.subjects().count(), 1);
    }
}
