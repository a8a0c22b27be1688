//! What the TLS 1.2 client and server share (RFC 5246, RFC 7627, RFC 5746):
//! key derivation, Finished, the signed ServerKeyExchange content, suite
//! and signature-scheme selection.

use crate::connection::Common;
use crate::constants::{
    BulkCipher, CipherSuite, HashAlgorithm, KeyExchange, NamedGroup, ProtocolVersion, SignatureScheme, SuiteInfo,
};
use crate::crypto::Secret;
use crate::crypto::prf::prf;
use crate::crypto::sign::KeyKind;
use crate::error::{CertificateError, Error};
use crate::msgs::tls12::KxKind;
use crate::record::{Protection, Tls12Protection};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};

/// The length of TLS 1.2 Finished verify_data.
pub const VERIFY_DATA_LEN: usize = 12;

/// The cache key under which a client keeps TLS 1.2 sessions for a server.
pub(crate) fn client_cache_key(server_name: &str) -> Vec<u8> {
    let mut k = b"tls12 ".to_vec();
    k.extend_from_slice(server_name.as_bytes());
    k
}

/// The cache key under which a server keeps a TLS 1.2 session ID.
pub(crate) fn server_cache_key(session_id: &[u8]) -> Vec<u8> {
    let mut k = b"tls12-id ".to_vec();
    k.extend_from_slice(session_id);
    k
}

/// The key exchange of an implemented TLS 1.2 suite.
pub(crate) fn kx_kind(info: &SuiteInfo) -> Option<KxKind> {
    match info.kx {
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => Some(KxKind::Ecdhe),
        KeyExchange::DheRsa => Some(KxKind::Dhe),
        _ => None,
    }
}

/// Whether a certificate key of `kind` can authenticate `info`'s key exchange.
pub(crate) fn key_fits_suite(kind: KeyKind, info: &SuiteInfo) -> bool {
    match info.kx {
        KeyExchange::EcdheEcdsa => matches!(kind, KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::Ed25519),
        KeyExchange::EcdheRsa | KeyExchange::DheRsa => kind == KeyKind::Rsa,
        _ => false,
    }
}

/// The master secret: with the extended master secret (RFC 7627) over the
/// session hash, or the classic one over the randoms.
pub(crate) fn master_secret(
    hash: HashAlgorithm,
    premaster: &[u8],
    session_hash: Option<&[u8]>,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Secret {
    let mut out = [0u8; 48];
    match session_hash {
        Some(h) => prf(hash, premaster, b"extended master secret", &[h], &mut out),
        None => prf(hash, premaster, b"master secret", &[client_random, server_random], &mut out),
    }
    let s = Secret::new(&out);
    zeroize::Zeroize::zeroize(&mut out);
    s
}

/// Record protection for both directions from the key block.
pub(crate) fn protections(
    hash: HashAlgorithm,
    cipher: BulkCipher,
    master: &Secret,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> Result<(Protection, Protection), Error> {
    let key_len = cipher.key_len();
    let iv_len = if cipher == BulkCipher::Chacha20Poly1305 { 12 } else { 4 };
    let mut block = zeroize::Zeroizing::new(vec![0u8; 2 * (key_len + iv_len)]);
    prf(hash, master.as_bytes(), b"key expansion", &[server_random, client_random], &mut block);
    let (ck, rest) = block.split_at(key_len);
    let (sk, rest) = rest.split_at(key_len);
    let (civ, siv) = rest.split_at(iv_len);
    Ok((
        Protection::Tls12(Tls12Protection::new(cipher, ck, civ)?),
        Protection::Tls12(Tls12Protection::new(cipher, sk, siv)?),
    ))
}

/// Finished verify_data for the transcript hash.
pub(crate) fn verify_data(hash: HashAlgorithm, master: &Secret, client: bool, handshake_hash: &[u8]) -> Vec<u8> {
    let label: &[u8] = if client { b"client finished" } else { b"server finished" };
    let mut out = vec![0u8; VERIFY_DATA_LEN];
    prf(hash, master.as_bytes(), label, &[handshake_hash], &mut out);
    out
}

/// What a ServerKeyExchange signature covers.
pub(crate) fn signed_params(client_random: &[u8; 32], server_random: &[u8; 32], params: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(64 + params.len());
    m.extend_from_slice(client_random);
    m.extend_from_slice(server_random);
    m.extend_from_slice(params);
    m
}

/// The verification algorithms for a TLS 1.2 signature scheme. ECDSA code
/// points name only the hash in TLS 1.2, so either curve may follow.
pub(crate) fn tls12_verify_algorithms(scheme: SignatureScheme) -> Vec<&'static dyn SignatureVerificationAlgorithm> {
    use webpki::ring as alg;
    match scheme {
        SignatureScheme::ECDSA_SECP256R1_SHA256 => vec![alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        SignatureScheme::ECDSA_SECP384R1_SHA384 => vec![alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        SignatureScheme::ED25519 => vec![alg::ED25519],
        SignatureScheme::RSA_PSS_RSAE_SHA256 => vec![alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        SignatureScheme::RSA_PSS_RSAE_SHA384 => vec![alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        SignatureScheme::RSA_PSS_RSAE_SHA512 => vec![alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        SignatureScheme::RSA_PKCS1_SHA256 => vec![alg::RSA_PKCS1_2048_8192_SHA256],
        SignatureScheme::RSA_PKCS1_SHA384 => vec![alg::RSA_PKCS1_2048_8192_SHA384],
        SignatureScheme::RSA_PKCS1_SHA512 => vec![alg::RSA_PKCS1_2048_8192_SHA512],
        _ => Vec::new(),
    }
}

/// Every signature scheme we can verify, in our default preference order
/// (the default `Context::signature_algorithms`). TLS 1.3 handshake
/// signatures never use the PKCS#1 ones; they still matter for the
/// certificates' own signatures.
pub const TLS12_VERIFY_SCHEMES: &[SignatureScheme] = &[
    SignatureScheme::ECDSA_SECP256R1_SHA256,
    SignatureScheme::ECDSA_SECP384R1_SHA384,
    SignatureScheme::ED25519,
    SignatureScheme::RSA_PSS_RSAE_SHA256,
    SignatureScheme::RSA_PSS_RSAE_SHA384,
    SignatureScheme::RSA_PSS_RSAE_SHA512,
    SignatureScheme::RSA_PKCS1_SHA256,
    SignatureScheme::RSA_PKCS1_SHA384,
    SignatureScheme::RSA_PKCS1_SHA512,
];

/// The schemes we offer for TLS 1.2 signatures: the context's list plus the
/// PKCS#1 schemes TLS 1.2 also allows.
pub(crate) fn offered_schemes(cx: &Common) -> Vec<SignatureScheme> {
    cx.ctx.signature_algorithms.clone()
}

/// Verifies a TLS 1.2 signature by the key of `cert`. A scheme we did not
/// offer or that does not fit the key is illegal_parameter; a bad
/// signature is decrypt_error.
#[allow(deprecated)] // the unit variants are still produced by webpki 0.103
pub(crate) fn verify_tls12(
    cert: &CertificateDer<'_>,
    offered: &[SignatureScheme],
    scheme: SignatureScheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    if !offered.contains(&scheme) {
        return Err(Error::IllegalParameter("signature scheme was not offered"));
    }
    let ee = webpki::EndEntityCert::try_from(cert).map_err(|_| Error::Certificate(CertificateError::BadEncoding))?;
    let mut mismatch = true;
    for alg in tls12_verify_algorithms(scheme) {
        match ee.verify_signature(alg, msg, sig) {
            Ok(()) => return Ok(()),
            Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKey)
            | Err(webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_)) => {}
            Err(_) => mismatch = false,
        }
    }
    if mismatch {
        Err(Error::IllegalParameter("signature scheme does not match the certificate key"))
    } else {
        Err(Error::DecryptError("TLS 1.2 signature"))
    }
}

/// Whether `group` can be used for TLS 1.2 ECDHE.
pub(crate) fn is_ec_group(group: NamedGroup) -> bool {
    matches!(group, NamedGroup::X25519 | NamedGroup::SECP256R1 | NamedGroup::SECP384R1 | NamedGroup::SECP521R1)
}

/// Whether this is an implemented TLS 1.2 suite.
pub(crate) fn is_tls12_suite(suite: CipherSuite) -> bool {
    crate::context::TLS12_SUITES.contains(&suite)
}

/// Marks the handshake done and records what renegotiation and export need.
pub(crate) fn finish(
    cx: &mut Common,
    hash: HashAlgorithm,
    master: &Secret,
    (client_random, server_random): (&[u8; 32], &[u8; 32]),
    client_verify: Vec<u8>,
    server_verify: Vec<u8>,
    secure_renegotiation: bool,
) -> Result<(), Error> {
    let mut randoms = [0u8; 64];
    randoms[..32].copy_from_slice(client_random);
    randoms[32..].copy_from_slice(server_random);
    cx.exporter = Some(crate::connection::Exporter::Tls12 { hash, master: master.clone(), randoms });
    cx.reneg = secure_renegotiation.then_some(crate::connection::RenegotiationInfo { client_verify, server_verify });
    cx.negotiated.version = Some(ProtocolVersion::TLS1_2);
    if cx.handshake_done {
        // A renegotiation completed: what was held back during it goes now.
        cx.handshakes += 1;
        cx.renegotiating = false;
        return cx.send_held_data();
    }
    cx.finish_handshake()
}

/// The renegotiation_info body we send: the verify data of the last
/// handshake (empty on the first one).
pub(crate) fn renegotiation_body(cx: &Common, server: bool) -> Vec<u8> {
    let mut body = Vec::new();
    match &cx.reneg {
        Some(r) => {
            let mut v = r.client_verify.clone();
            if server {
                v.extend_from_slice(&r.server_verify);
            }
            body.push(v.len() as u8);
            body.extend_from_slice(&v);
        }
        None => body.push(0),
    }
    body
}

/// Checks the peer's renegotiation_info against what it must be.
pub(crate) fn check_renegotiation_info(cx: &Common, body: &[u8], from_server: bool) -> Result<(), Error> {
    let mut r = crate::codec::Reader::new(body);
    let v = r.vec8("renegotiation_info")?;
    r.finish("renegotiation_info")?;
    let expect = match &cx.reneg {
        Some(ri) if from_server => [ri.client_verify.as_slice(), ri.server_verify.as_slice()].concat(),
        Some(ri) => ri.client_verify.clone(),
        None => Vec::new(),
    };
    use subtle::ConstantTimeEq;
    if v.len() != expect.len() || !bool::from(v.ct_eq(&expect)) {
        return Err(Error::HandshakeFailure("renegotiation_info does not match"));
    }
    Ok(())
}
