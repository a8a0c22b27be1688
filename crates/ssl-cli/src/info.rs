//! Describing a connection: the negotiated parameters and the peer's
//! certificates, for the client's report, the server's log and its page.

use crate::x509;
use ssl_core::Connection;
use std::fmt::Display;

/// `value`, or `none`.
pub fn or_none<T: Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_else(|| "none".to_string())
}

/// The negotiated application protocol, printable.
pub fn alpn(conn: &Connection) -> String {
    or_none(conn.alpn().map(|p| x509::printable(&String::from_utf8_lossy(p))))
}

/// The server name the client sent, printable.
pub fn sni(conn: &Connection) -> String {
    or_none(conn.server_name().map(x509::printable))
}

/// `yes` or `no`.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The negotiated parameters as `key=value` pairs on one line.
pub fn summary(conn: &Connection) -> String {
    let n = conn.negotiated();
    format!(
        "version={} suite={} group={} alpn={} sni={} resumed={} hrr={}",
        or_none(conn.version()),
        or_none(conn.cipher_suite()),
        or_none(n.group),
        alpn(conn),
        sni(conn),
        yes_no(n.resumed),
        yes_no(n.hello_retry),
    )
}

/// One entry per certificate: index, subject, issuer, validity, names,
/// size and fingerprint.
pub fn certificates(certs: &[impl AsRef<[u8]>]) -> Vec<String> {
    let now = x509::now_unix();
    certs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let der = c.as_ref();
            let tail = format!("    {} bytes, SHA-256 {}", der.len(), x509::fingerprint(der));
            let Some(info) = x509::parse(der) else {
                return format!("  {i} subject: (unparsable)\n    issuer:  (unparsable)\n{tail}");
            };
            let state = if info.not_after.unix() < now {
                " (EXPIRED)"
            } else if info.not_before.unix() > now {
                " (NOT YET VALID)"
            } else {
                ""
            };
            let mut out = format!(
                "  {i} subject: {}\n    issuer:  {}\n    valid:   {} to {}{state}\n",
                info.subject, info.issuer, info.not_before, info.not_after
            );
            if !info.names.is_empty() {
                out.push_str(&format!("    names:   {}\n", info.names.join(", ")));
            }
            out.push_str(&tail);
            out
        })
        .collect()
}
