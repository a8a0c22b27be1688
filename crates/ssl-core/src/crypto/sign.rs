//! Our signing keys (RSA, ECDSA P-256/P-384, Ed25519 through `ring`) and
//! verification of the peer's handshake signatures (through rustls-webpki's
//! algorithm table, so the key is read from the peer's certificate).

use crate::constants::SignatureScheme;
use crate::error::{CertificateError, Error};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, SignatureVerificationAlgorithm};

/// The kind of a key, which decides the schemes it can sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA.
    Rsa,
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
}

enum Inner {
    Rsa(ring::signature::RsaKeyPair),
    Ecdsa(ring::signature::EcdsaKeyPair),
    Ed25519(ring::signature::Ed25519KeyPair),
}

/// A private key we sign handshakes with.
pub struct SigningKey {
    inner: Inner,
    kind: KeyKind,
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SigningKey({:?})", self.kind)
    }
}

const TLS13_RSA: &[SignatureScheme] =
    &[SignatureScheme::RSA_PSS_RSAE_SHA256, SignatureScheme::RSA_PSS_RSAE_SHA384, SignatureScheme::RSA_PSS_RSAE_SHA512];
const TLS12_RSA: &[SignatureScheme] = &[
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

// DER pieces for wrapping a SEC1 EC key into PKCS#8 (RFC 5915, RFC 5208).
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

fn der_tlv(tag: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(tag);
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(body);
}

fn sec1_to_pkcs8(sec1: &[u8], curve_oid: &[u8]) -> Vec<u8> {
    let mut alg = Vec::new();
    alg.extend_from_slice(OID_EC_PUBLIC_KEY);
    alg.extend_from_slice(curve_oid);
    let mut body = vec![0x02, 0x01, 0x00];
    der_tlv(0x30, &alg, &mut body);
    der_tlv(0x04, sec1, &mut body);
    let mut out = Vec::new();
    der_tlv(0x30, &body, &mut out);
    out
}

fn bad_key(_: impl core::fmt::Debug) -> Error {
    Error::Config("private key not usable (RSA 2048-4096 bits, ECDSA P-256/P-384 or Ed25519 expected)".into())
}

impl SigningKey {
    /// Loads a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key.
    ///
    /// ```
    /// # fn main() -> Result<(), ssl_core::Error> {
    /// use ssl_core::crypto::sign::{KeyKind, SigningKey};
    /// let pair = rcgen::KeyPair::generate().unwrap(); // ECDSA P-256
    /// let der = rustls_pki_types::PrivateKeyDer::Pkcs8(pair.serialize_der().into());
    /// assert_eq!(SigningKey::from_der(&der)?.kind(), KeyKind::EcdsaP256);
    /// # Ok(()) }
    /// ```
    pub fn from_der(key: &PrivateKeyDer<'_>) -> Result<SigningKey, Error> {
        use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING as P256, ECDSA_P384_SHA384_ASN1_SIGNING as P384};
        let sys = ring::rand::SystemRandom::new();
        match key {
            PrivateKeyDer::Pkcs1(k) => {
                let kp = ring::signature::RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(bad_key)?;
                Ok(SigningKey { inner: Inner::Rsa(kp), kind: KeyKind::Rsa })
            }
            PrivateKeyDer::Sec1(k) => {
                let der = k.secret_sec1_der();
                for (oid, alg, kind) in [(OID_P256, &P256, KeyKind::EcdsaP256), (OID_P384, &P384, KeyKind::EcdsaP384)] {
                    let p8 = zeroize::Zeroizing::new(sec1_to_pkcs8(der, oid));
                    if let Ok(kp) = ring::signature::EcdsaKeyPair::from_pkcs8(alg, &p8, &sys) {
                        return Ok(SigningKey { inner: Inner::Ecdsa(kp), kind });
                    }
                }
                Err(bad_key("sec1"))
            }
            PrivateKeyDer::Pkcs8(k) => {
                let der = k.secret_pkcs8_der();
                if let Ok(kp) = ring::signature::RsaKeyPair::from_pkcs8(der) {
                    return Ok(SigningKey { inner: Inner::Rsa(kp), kind: KeyKind::Rsa });
                }
                if let Ok(kp) = ring::signature::EcdsaKeyPair::from_pkcs8(&P256, der, &sys) {
                    return Ok(SigningKey { inner: Inner::Ecdsa(kp), kind: KeyKind::EcdsaP256 });
                }
                if let Ok(kp) = ring::signature::EcdsaKeyPair::from_pkcs8(&P384, der, &sys) {
                    return Ok(SigningKey { inner: Inner::Ecdsa(kp), kind: KeyKind::EcdsaP384 });
                }
                let kp = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(bad_key)?;
                Ok(SigningKey { inner: Inner::Ed25519(kp), kind: KeyKind::Ed25519 })
            }
            _ => Err(bad_key("unknown format")),
        }
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The schemes this key can sign with in TLS 1.3, best first.
    pub fn tls13_schemes(&self) -> &'static [SignatureScheme] {
        match self.kind {
            KeyKind::Rsa => TLS13_RSA,
            KeyKind::EcdsaP256 => &[SignatureScheme::ECDSA_SECP256R1_SHA256],
            KeyKind::EcdsaP384 => &[SignatureScheme::ECDSA_SECP384R1_SHA384],
            KeyKind::Ed25519 => &[SignatureScheme::ED25519],
        }
    }

    /// The schemes this key can sign with in TLS 1.2, best first.
    pub fn tls12_schemes(&self) -> &'static [SignatureScheme] {
        match self.kind {
            KeyKind::Rsa => TLS12_RSA,
            _ => self.tls13_schemes(),
        }
    }

    /// Picks the first of our TLS 1.3 schemes the peer offers.
    pub fn choose_tls13_scheme(&self, offered: impl Fn(SignatureScheme) -> bool) -> Option<SignatureScheme> {
        self.tls13_schemes().iter().copied().find(|s| offered(*s))
    }

    /// Signs `msg` with `scheme`.
    pub fn sign(&self, scheme: SignatureScheme, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let sys = ring::rand::SystemRandom::new();
        let fail = |_| Error::Internal("signing failed");
        match &self.inner {
            Inner::Rsa(kp) => {
                let enc: &'static dyn ring::signature::RsaEncoding = match scheme {
                    SignatureScheme::RSA_PSS_RSAE_SHA256 => &ring::signature::RSA_PSS_SHA256,
                    SignatureScheme::RSA_PSS_RSAE_SHA384 => &ring::signature::RSA_PSS_SHA384,
                    SignatureScheme::RSA_PSS_RSAE_SHA512 => &ring::signature::RSA_PSS_SHA512,
                    SignatureScheme::RSA_PKCS1_SHA256 => &ring::signature::RSA_PKCS1_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA384 => &ring::signature::RSA_PKCS1_SHA384,
                    SignatureScheme::RSA_PKCS1_SHA512 => &ring::signature::RSA_PKCS1_SHA512,
                    _ => return Err(Error::Internal("scheme does not fit an RSA key")),
                };
                let mut sig = vec![0u8; kp.public().modulus_len()];
                kp.sign(enc, &sys, msg, &mut sig).map_err(fail)?;
                Ok(sig)
            }
            Inner::Ecdsa(kp) => {
                if !self.tls12_schemes().contains(&scheme) {
                    return Err(Error::Internal("scheme does not fit the ECDSA key"));
                }
                Ok(kp.sign(&sys, msg).map_err(fail)?.as_ref().to_vec())
            }
            Inner::Ed25519(kp) => {
                if scheme != SignatureScheme::ED25519 {
                    return Err(Error::Internal("scheme does not fit the Ed25519 key"));
                }
                Ok(kp.sign(msg).as_ref().to_vec())
            }
        }
    }
}

/// The verification algorithm for a TLS 1.3 signature scheme (which binds
/// the curve and forbids PKCS#1 v1.5 for handshake signatures).
pub fn tls13_verify_algorithm(scheme: SignatureScheme) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    use webpki::ring as alg;
    Some(match scheme {
        SignatureScheme::ECDSA_SECP256R1_SHA256 => alg::ECDSA_P256_SHA256,
        SignatureScheme::ECDSA_SECP384R1_SHA384 => alg::ECDSA_P384_SHA384,
        SignatureScheme::ED25519 => alg::ED25519,
        SignatureScheme::RSA_PSS_RSAE_SHA256 => alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        SignatureScheme::RSA_PSS_RSAE_SHA384 => alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        SignatureScheme::RSA_PSS_RSAE_SHA512 => alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        _ => return None,
    })
}

/// The schemes we accept in TLS 1.3 CertificateVerify, in our preference order.
pub const TLS13_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
];

/// Verifies a TLS 1.3 handshake signature made by the key of `cert`.
/// A scheme we did not offer is illegal_parameter; a wrong signature is decrypt_error.
#[allow(deprecated)] // the unit variants are still produced by webpki 0.103
pub fn verify_tls13(cert: &[u8], scheme: SignatureScheme, msg: &[u8], sig: &[u8]) -> Result<(), Error> {
    let alg = tls13_verify_algorithm(scheme).ok_or(Error::IllegalParameter("signature scheme"))?;
    let der = CertificateDer::from(cert);
    let ee = webpki::EndEntityCert::try_from(&der).map_err(|_| Error::Certificate(CertificateError::BadEncoding))?;
    ee.verify_signature(alg, msg, sig).map_err(|e| match e {
        webpki::Error::UnsupportedSignatureAlgorithmForPublicKey
        | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            Error::IllegalParameter("signature scheme does not match the certificate key")
        }
        _ => Error::DecryptError("CertificateVerify signature"),
    })
}

/// The content a TLS 1.3 CertificateVerify signs (RFC 8446 §4.4.3).
pub fn tls13_signed_content(server: bool, transcript_hash: &[u8]) -> Vec<u8> {
    let mut out = vec![0x20u8; 64];
    out.extend_from_slice(if server {
        b"TLS 1.3, server CertificateVerify"
    } else {
        b"TLS 1.3, client CertificateVerify"
    });
    out.push(0);
    out.extend_from_slice(transcript_hash);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert_and_key(alg: &'static rcgen::SignatureAlgorithm) -> (Vec<u8>, SigningKey) {
        let kp = rcgen::KeyPair::generate_for(alg).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["test.example".into()]).unwrap().self_signed(&kp).unwrap();
        let der = PrivateKeyDer::Pkcs8(kp.serialize_der().into());
        (cert.der().to_vec(), SigningKey::from_der(&der).unwrap())
    }

    #[test]
    fn sign_and_verify_with_every_key_kind() {
        for (alg, kind) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, KeyKind::EcdsaP256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, KeyKind::EcdsaP384),
            (&rcgen::PKCS_ED25519, KeyKind::Ed25519),
        ] {
            let (cert, key) = cert_and_key(alg);
            assert_eq!(key.kind(), kind);
            let scheme = key.tls13_schemes()[0];
            let sig = key.sign(scheme, b"message").unwrap();
            verify_tls13(&cert, scheme, b"message", &sig).unwrap();
            assert_eq!(
                verify_tls13(&cert, scheme, b"messagE", &sig),
                Err(Error::DecryptError("CertificateVerify signature"))
            );
        }
    }

    #[test]
    fn scheme_must_match_the_certificate_key() {
        let (cert, key) = cert_and_key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let sig = key.sign(SignatureScheme::ECDSA_SECP256R1_SHA256, b"m").unwrap();
        assert!(matches!(
            verify_tls13(&cert, SignatureScheme::ECDSA_SECP384R1_SHA384, b"m", &sig),
            Err(Error::IllegalParameter(_))
        ));
        assert!(matches!(
            verify_tls13(&cert, SignatureScheme::RSA_PKCS1_SHA256, b"m", &sig),
            Err(Error::IllegalParameter(_))
        ));
        assert!(key.sign(SignatureScheme::ED25519, b"m").is_err());
    }
}
