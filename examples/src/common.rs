//! What the examples share: a self-signed certificate, server and client
//! contexts, connecting a nonblocking TCP stream, and a tiny command-line
//! parser.

use ssl_file::{AuthLevel, Context};
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::time::Duration;

/// The error type of the examples: anything, with a readable message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A certificate and its private key, in PEM.
#[derive(Clone, Debug)]
pub struct Identity {
    /// The certificate.
    pub cert_pem: String,
    /// Its private key (PKCS#8).
    pub key_pem: String,
}

/// A fresh self-signed ECDSA P-256 certificate for `names` (DNS names or IP
/// addresses). A client trusts it by adding `cert_pem` to its trusted issuers.
pub fn self_signed(names: &[&str]) -> Result<Identity, Error> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, names.first().copied().unwrap_or("localhost"));
    let cert = params.self_signed(&key)?;
    Ok(Identity { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// A server context that presents `id`.
pub fn server_context(id: &Identity) -> Result<Arc<Context>, Error> {
    let mut ctx = Context::new();
    ctx.add_cert_pem(id.cert_pem.as_bytes(), id.key_pem.as_bytes())?;
    Ok(Arc::new(ctx))
}

/// What a client trusts.
#[derive(Clone, Debug)]
pub enum Trust {
    /// The CA certificates in this PEM text.
    CaPem(Vec<u8>),
    /// Nothing is verified (for tests against self-signed servers only).
    Insecure,
}

/// A client context for `trust`.
pub fn client_context(trust: &Trust) -> Result<Arc<Context>, Error> {
    let mut ctx = Context::new();
    match trust {
        Trust::CaPem(pem) => {
            if ctx.trusted_issuers.add_pem(pem)? == 0 {
                return Err("no certificate found in the CA file".into());
            }
        }
        Trust::Insecure => ctx.server_auth = AuthLevel::None,
    }
    Ok(Arc::new(ctx))
}

/// Connects a TCP stream (within `timeout`) and makes it nonblocking, as
/// `SslFile` requires: the file emulates blocking mode itself.
pub fn connect(addr: impl ToSocketAddrs, timeout: Duration) -> Result<mio::net::TcpStream, Error> {
    let mut last: Option<std::io::Error> = None;
    for a in addr.to_socket_addrs()? {
        match std::net::TcpStream::connect_timeout(&a, timeout) {
            Ok(tcp) => {
                tcp.set_nonblocking(true)?;
                tcp.set_nodelay(true)?;
                return Ok(mio::net::TcpStream::from_std(tcp));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => format!("cannot connect: {e}").into(),
        None => "cannot connect: the name has no address".into(),
    })
}

/// A command line: positional arguments, `--name VALUE` options and `--name` switches.
#[derive(Debug, Default)]
pub struct CommandLine {
    /// The arguments that are not options, in order.
    pub positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl CommandLine {
    /// Parses `args` (without the program name). `with_value` lists the
    /// options that take a value, `switches` those that do not; anything
    /// else starting with `--` is an error.
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        with_value: &[&str],
        switches: &[&str],
    ) -> Result<CommandLine, Error> {
        let mut cl = CommandLine::default();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            if !a.starts_with("--") {
                cl.positional.push(a);
            } else if with_value.contains(&a.as_str()) {
                let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
                cl.options.push((a, Some(v)));
            } else if switches.contains(&a.as_str()) {
                cl.options.push((a, None));
            } else {
                let mut known: Vec<&str> = with_value.iter().chain(switches).copied().collect();
                known.sort_unstable();
                return Err(format!("unknown option {a} (known: {})", known.join(" ")).into());
            }
        }
        Ok(cl)
    }

    /// The value of option `name`, if given.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.options.iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }

    /// Whether switch `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    /// The `n`th positional argument, or `default`.
    pub fn arg_or<'a>(&'a self, n: usize, default: &'a str) -> &'a str {
        self.positional.get(n).map(String::as_str).unwrap_or(default)
    }

    /// How many connections a server should serve: `--count N`, `--once`
    /// (1), or `None` (until killed).
    pub fn count(&self) -> Result<Option<usize>, Error> {
        if self.has("--once") {
            return Ok(Some(1));
        }
        match self.value("--count") {
            None => Ok(None),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(format!("--count {v}: not a positive number").into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(args: &[&str]) -> Result<CommandLine, Error> {
        CommandLine::parse(args.iter().map(|s| s.to_string()), &["--count", "--cafile"], &["--once", "--insecure"])
    }

    #[test]
    fn command_lines() {
        let c = cl(&["127.0.0.1:1", "--count", "3", "--insecure"]).unwrap();
        assert_eq!(c.positional, ["127.0.0.1:1"]);
        assert_eq!(c.count().unwrap(), Some(3));
        assert!(c.has("--insecure") && !c.has("--once"));
        assert_eq!(c.arg_or(1, "d"), "d");
        assert_eq!(cl(&["--once"]).unwrap().count().unwrap(), Some(1));
        assert_eq!(cl(&[]).unwrap().count().unwrap(), None);
        assert!(cl(&["--count", "0"]).unwrap().count().is_err());
        assert!(cl(&["--count"]).unwrap_err().to_string().contains("needs a value"));
        assert!(cl(&["--nope"]).unwrap_err().to_string().contains("--nope"));
    }
}
