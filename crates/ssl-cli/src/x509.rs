//! Just enough DER to print a certificate: subject and issuer names,
//! validity, subject alternative names, and its SHA-256 fingerprint. Peer
//! input: every read is bounds-checked and a malformed certificate gives
//! `None`, never a panic.

use ssl_core::constants::HashAlgorithm;
use std::fmt;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const INTEGER: u8 = 0x02;
const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xa0;
const EXTENSIONS_TAG: u8 = 0xa3;
/// id-ce-subjectAltName (2.5.29.17).
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];

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

/// What we print about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// The subject, as `CN=..., O=...`.
    pub subject: String,
    /// The issuer, likewise.
    pub issuer: String,
    /// Start of the validity period.
    pub not_before: Time,
    /// End of the validity period.
    pub not_after: Time,
    /// DNS names and IP addresses of the subjectAltName extension.
    pub names: Vec<String>,
}

/// Decodes the parts of a DER certificate that [`CertInfo`] holds.
pub fn parse(der: &[u8]) -> Option<CertInfo> {
    let (cert, _) = expect(der, SEQUENCE)?;
    let (tbs, _) = expect(cert, SEQUENCE)?;
    let mut rest = tbs;
    if let Some((VERSION_TAG, _, after)) = element(rest) {
        rest = after;
    }
    let (_serial, rest) = expect(rest, INTEGER)?;
    let (_signature, rest) = expect(rest, SEQUENCE)?;
    let (issuer, rest) = expect(rest, SEQUENCE)?;
    let (validity, rest) = expect(rest, SEQUENCE)?;
    let (subject, rest) = expect(rest, SEQUENCE)?;
    let (_spki, mut rest) = expect(rest, SEQUENCE)?;
    let (not_before, after) = time(validity)?;
    let (not_after, after) = time(after)?;
    if !after.is_empty() {
        return None;
    }
    // issuerUniqueID [1], subjectUniqueID [2], extensions [3].
    let mut names = Vec::new();
    while !rest.is_empty() {
        let (tag, contents, after) = element(rest)?;
        rest = after;
        if tag == EXTENSIONS_TAG {
            names = alt_names(contents)?;
        }
    }
    Some(CertInfo { subject: name_to_string(subject)?, issuer: name_to_string(issuer)?, not_before, not_after, names })
}

/// The subject and issuer of a DER certificate, as `CN=..., O=...` strings.
#[cfg(test)]
fn subject_and_issuer(der: &[u8]) -> Option<(String, String)> {
    parse(der).map(|c| (c.subject, c.issuer))
}

/// The subjectAltName entries of an extensions block (`[3]` contents).
fn alt_names(block: &[u8]) -> Option<Vec<String>> {
    let (mut list, _) = expect(block, SEQUENCE)?;
    let mut names = Vec::new();
    while !list.is_empty() {
        let (ext, after) = expect(list, SEQUENCE)?;
        list = after;
        let (oid, mut rest) = expect(ext, OID)?;
        if let Some((BOOLEAN, _, after)) = element(rest) {
            rest = after;
        }
        let (value, _) = expect(rest, OCTET_STRING)?;
        if oid != SUBJECT_ALT_NAME {
            continue;
        }
        let (mut general, _) = expect(value, SEQUENCE)?;
        while !general.is_empty() {
            let (tag, contents, after) = element(general)?;
            general = after;
            match tag {
                // dNSName [2] IA5String
                0x82 => names.push(printable(&String::from_utf8_lossy(contents))),
                // iPAddress [7] OCTET STRING
                0x87 if contents.len() == 4 => {
                    names.push(std::net::Ipv4Addr::new(contents[0], contents[1], contents[2], contents[3]).to_string())
                }
                0x87 if contents.len() == 16 => {
                    let mut b = [0u8; 16];
                    b.copy_from_slice(contents);
                    names.push(std::net::Ipv6Addr::from(b).to_string());
                }
                // rfc822Name [1], URI [6]
                0x81 | 0x86 => names.push(printable(&String::from_utf8_lossy(contents))),
                _ => {}
            }
        }
    }
    Some(names)
}

/// A certificate time (UTC), to the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    year: i64,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Time {
    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Parses the contents of a UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime
    /// (`YYYYMMDDHHMMSSZ`), the forms DER allows.
    fn parse(tag: u8, text: &[u8]) -> Option<Time> {
        let digits = |s: &[u8]| -> Option<i64> {
            if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(s.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
        };
        let (year, rest) = match tag {
            UTC_TIME if text.len() == 13 => {
                let yy = digits(&text[..2])?;
                (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
            }
            GENERALIZED_TIME if text.len() == 15 => (digits(&text[..4])?, &text[4..]),
            _ => return None,
        };
        if rest[10] != b'Z' {
            return None;
        }
        let field = |i: usize| digits(&rest[i..i + 2]).and_then(|v| u8::try_from(v).ok());
        let t = Time { year, month: field(0)?, day: field(2)?, hour: field(4)?, minute: field(6)?, second: field(8)? };
        let valid = (1..=12).contains(&t.month)
            && (1..=days_in_month(t.year, t.month)).contains(&t.day)
            && t.hour < 24
            && t.minute < 60
            && t.second < 60;
        valid.then_some(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (proleptic Gregorian calendar).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    // Count years from March, so the leap day is the last day of the year.
    let (y, m) = if month <= 2 { (year - 1, i64::from(month) + 9) } else { (year, i64::from(month) - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let day_of_year = (153 * m + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Splits one Time element off `data`.
fn time(data: &[u8]) -> Option<(Time, &[u8])> {
    let (tag, contents, rest) = element(data)?;
    Some((Time::parse(tag, contents)?, rest))
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
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
    fn validity_and_alt_names() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["a.test".to_string(), "127.0.0.1".to_string(), "::1".to_string()])
                .unwrap();
        params.not_before = rcgen::date_time_ymd(1999, 12, 31);
        params.not_after = rcgen::date_time_ymd(2061, 2, 28);
        let cert = params.self_signed(&key).unwrap();
        let info = parse(cert.der()).unwrap();
        assert_eq!(info.not_before.to_string(), "1999-12-31 00:00:00 UTC");
        assert_eq!(info.not_after.to_string(), "2061-02-28 00:00:00 UTC");
        assert_eq!(info.not_before.unix(), 946_598_400);
        assert_eq!(info.not_after.unix(), 2_876_774_400);
        assert_eq!(info.names, vec!["a.test", "127.0.0.1", "::1"]);
        assert!(info.not_before < info.not_after);
    }

    #[test]
    fn times() {
        assert_eq!(Time::parse(UTC_TIME, b"700101000000Z").unwrap().unix(), 0);
        assert_eq!(Time::parse(UTC_TIME, b"491231235959Z").unwrap().to_string(), "2049-12-31 23:59:59 UTC");
        assert_eq!(Time::parse(UTC_TIME, b"500101000000Z").unwrap().to_string(), "1950-01-01 00:00:00 UTC");
        assert_eq!(Time::parse(GENERALIZED_TIME, b"20240229120000Z").unwrap().unix(), 1_709_208_000);
        assert_eq!(Time::parse(GENERALIZED_TIME, b"20230229120000Z"), None, "not a leap year");
        assert_eq!(Time::parse(UTC_TIME, b"700101000000+0100"), None);
        assert_eq!(Time::parse(UTC_TIME, b"701301000000Z"), None);
        assert_eq!(Time::parse(UTC_TIME, b"70010100000aZ"), None);
        assert_eq!(Time::parse(GENERALIZED_TIME, b"700101000000Z"), None);
        assert_eq!(Time::parse(OCTET_STRING, b"700101000000Z"), None);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    #[test]
    fn oids_and_strings() {
        assert_eq!(dotted_oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]), "1.2.840.113549");
        assert_eq!(dotted_oid(&[0x55, 0x1d, 0x11]), "2.5.29.17");
        assert_eq!(value_to_string(0x1e, &[0, b'h', 0, b'i']), "hi");
        assert_eq!(value_to_string(0x04, &[0xab, 0x01]), "#AB01");
    }
}
