//! Just enough DER to print a certificate's subject and issuer names, and
//! its SHA-256 fingerprint. Peer input: every read is bounds-checked and a
//! malformed certificate gives `None`, never a panic.

use ssl_core::constants::HashAlgorithm;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;
const VERSION_TAG: u8 = 0xa0;

/// Splits one DER element off `data`: (tag, contents, rest).
fn element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // high tag numbers do not occur in these structures
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None; // indefinite or absurd lengths
        }
        let (bytes, after) = rest.split_at(n);
        rest = after;
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let (contents, rest) = rest.split_at(len);
    Some((tag, contents, rest))
}

/// Splits an element that must have `tag`.
fn expect(data: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, contents, rest) = element(data)?;
    (t == tag).then_some((contents, rest))
}

/// The subject and issuer of a DER certificate, as `CN=..., O=...` strings.
pub fn subject_and_issuer(der: &[u8]) -> Option<(String, String)> {
    let (cert, _) = expect(der, SEQUENCE)?;
    let (tbs, _) = expect(cert, SEQUENCE)?;
    let mut rest = tbs;
    if let Some((VERSION_TAG, _, after)) = element(rest) {
        rest = after;
    }
    let (_serial, rest) = expect(rest, INTEGER)?;
    let (_signature, rest) = expect(rest, SEQUENCE)?;
    let (issuer, rest) = expect(rest, SEQUENCE)?;
    let (_validity, rest) = expect(rest, SEQUENCE)?;
    let (subject, _) = expect(rest, SEQUENCE)?;
    Some((name_to_string(subject)?, name_to_string(issuer)?))
}

/// Formats the contents of a Name (a SEQUENCE of SETs of attributes).
fn name_to_string(mut name: &[u8]) -> Option<String> {
    let mut rdns = Vec::new();
    while !name.is_empty() {
        let (mut set, rest) = expect(name, SET)?;
        name = rest;
        let mut attrs = Vec::new();
        while !set.is_empty() {
            let (attr, rest) = expect(set, SEQUENCE)?;
            set = rest;
            let (oid, value) = expect(attr, OID)?;
            let (vtag, value, _) = element(value)?;
            attrs.push(format!("{}={}", attribute_name(oid), value_to_string(vtag, value)));
        }
        rdns.push(attrs.join("+"));
    }
    if rdns.is_empty() {
        return Some("(empty)".to_string());
    }
    Some(rdns.join(", "))
}

fn attribute_name(oid: &[u8]) -> String {
    match oid {
        [0x55, 0x04, 0x03] => "CN".into(),
        [0x55, 0x04, 0x05] => "serialNumber".into(),
        [0x55, 0x04, 0x06] => "C".into(),
        [0x55, 0x04, 0x07] => "L".into(),
        [0x55, 0x04, 0x08] => "ST".into(),
        [0x55, 0x04, 0x09] => "street".into(),
        [0x55, 0x04, 0x0a] => "O".into(),
        [0x55, 0x04, 0x0b] => "OU".into(),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "emailAddress".into(),
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] => "DC".into(),
        _ => dotted_oid(oid),
    }
}

/// Prints an OID's contents as dotted decimal.
fn dotted_oid(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in oid {
        acc = acc.saturating_mul(128).saturating_add(u64::from(b & 0x7f));
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(".")
}

/// Decodes a directory string; other types are shown as `#hex`.
fn value_to_string(tag: u8, value: &[u8]) -> String {
    let text: Option<String> = match tag {
        // UTF8String, PrintableString, IA5String, VisibleString, NumericString
        0x0c | 0x13 | 0x16 | 0x1a | 0x12 => Some(String::from_utf8_lossy(value).into_owned()),
        // TeletexString: treated as Latin-1
        0x14 => Some(value.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UCS-2 big-endian
        0x1e if value.len().is_multiple_of(2) => Some(
            value
                .chunks_exact(2)
                .map(|c| char::from_u32(u32::from(u16::from_be_bytes([c[0], c[1]]))).unwrap_or('\u{fffd}'))
                .collect(),
        ),
        // UniversalString: UCS-4 big-endian
        0x1c if value.len().is_multiple_of(4) => Some(
            value
                .chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])).unwrap_or('\u{fffd}'))
                .collect(),
        ),
        _ => None,
    };
    match text {
        Some(t) => printable(&t),
        None => format!("#{}", hex(value, "")),
    }
}

/// Escapes control characters, so a certificate cannot drive the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn hex(bytes: &[u8], sep: &str) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(sep)
}

/// The SHA-256 fingerprint, as colon-separated hex (like OpenSSL prints it).
pub fn fingerprint(der: &[u8]) -> String {
    hex(HashAlgorithm::Sha256.hash(der).as_bytes(), ":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_generated_certificate() {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name = rcgen::DistinguishedName::new();
        ca.distinguished_name.push(rcgen::DnType::CountryName, "NL");
        ca.distinguished_name.push(rcgen::DnType::OrganizationName, "Test Org");
        ca.distinguished_name.push(rcgen::DnType::CommonName, "Test CA");
        let issuer = rcgen::Issuer::new(ca, &ca_key);
        let key = rcgen::KeyPair::generate().unwrap();
        let mut leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        leaf.distinguished_name = rcgen::DistinguishedName::new();
        leaf.distinguished_name.push(rcgen::DnType::CommonName, "leaf\u{7}name");
        let cert = leaf.signed_by(&key, &issuer).unwrap();
        let (subject, issuer) = subject_and_issuer(cert.der()).unwrap();
        assert_eq!(subject, "CN=leaf\\x07name");
        assert_eq!(issuer, "C=NL, O=Test Org, CN=Test CA");
        let fp = fingerprint(cert.der());
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert_eq!(fp, fingerprint(cert.der()));
        assert_ne!(fp, fingerprint(&cert.der()[1..]));
    }

    #[test]
    fn malformed_input_gives_none() {
        assert_eq!(subject_and_issuer(&[]), None);
        assert_eq!(subject_and_issuer(&[0x30]), None);
        assert_eq!(subject_and_issuer(&[0x30, 0x85, 1, 2, 3, 4, 5]), None);
        assert_eq!(subject_and_issuer(&[0x30, 0x03, 0x30, 0x01]), None);
        assert_eq!(subject_and_issuer(&[0x30, 0x02, 0x30, 0x00]), None);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap().self_signed(&key).unwrap();
        let der = cert.der().to_vec();
        for cut in 0..der.len() {
            assert_eq!(subject_and_issuer(&der[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn oids_and_strings() {
        assert_eq!(dotted_oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]), "1.2.840.113549");
        assert_eq!(dotted_oid(&[0x55, 0x1d, 0x11]), "2.5.29.17");
        assert_eq!(value_to_string(0x1e, &[0, b'h', 0, b'i']), "hi");
        assert_eq!(value_to_string(0x04, &[0xab, 0x01]), "#AB01");
    }
}
