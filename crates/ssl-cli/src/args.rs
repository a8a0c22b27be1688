//! Command-line parsing: a small hand parser (no parser crate), so every
//! mistake becomes one clear line and exit code 2.
//!
//! Flags take their value either as the next argument (`--alpn h2`) or
//! after `=` (`--alpn=h2`).

use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion, parse_version};
use ssl_core::context::Context;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// A mistake on the command line (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn usage<T>(msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(msg.into()))
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Print this text on stdout and exit 0.
    Help(&'static str),
    /// `ssl server ...`
    Server(ServerArgs),
    /// `ssl client ...`
    Client(ClientArgs),
}

/// Protocol options shared by the client and the server.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    /// Lowest version (`--min-version`, `--tls1.x`).
    pub min_version: Option<ProtocolVersion>,
    /// Highest version (`--max-version`, `--tls1.x`).
    pub max_version: Option<ProtocolVersion>,
    /// `--ciphers`, in preference order.
    pub ciphers: Option<Vec<CipherSuite>>,
    /// `--groups`, in preference order.
    pub groups: Option<Vec<NamedGroup>>,
    /// `--alpn`, in preference order.
    pub alpn: Vec<Vec<u8>>,
}

impl TlsOptions {
    /// Applies the options to a context.
    pub fn apply(&self, ctx: &mut Context) {
        if let Some(v) = self.min_version {
            ctx.min_version = v;
        }
        if let Some(v) = self.max_version {
            ctx.max_version = v;
        }
        if let Some(c) = &self.ciphers {
            ctx.preferred_suites = c.clone();
        }
        if let Some(g) = &self.groups {
            ctx.groups = g.clone();
        }
        ctx.advertised_protocols = self.alpn.clone();
    }
}

/// What the server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerMode {
    /// An HTML page describing the connection, for every GET.
    Www,
    /// Application data back to the sender.
    Echo,
}

/// `ssl server` options.
#[derive(Debug)]
pub struct ServerArgs {
    /// Address to listen on.
    pub listen: String,
    /// Certificate chain and key files, in pairs.
    pub certs: Vec<(PathBuf, PathBuf)>,
    /// `--www` or `--echo`.
    pub mode: ServerMode,
    /// Protocol options.
    pub tls: TlsOptions,
    /// CA file for required client certificates.
    pub verify_client: Option<PathBuf>,
    /// Hidden: where to write the generated self-signed certificate (PEM).
    pub cert_out: Option<PathBuf>,
}

/// `ssl client` options.
#[derive(Debug)]
pub struct ClientArgs {
    /// Host to connect to (without brackets for IPv6).
    pub host: String,
    /// Port to connect to.
    pub port: u16,
    /// Name sent as SNI and checked in the certificate.
    pub servername: String,
    /// Trust anchors.
    pub cafile: Option<PathBuf>,
    /// Skip certificate verification.
    pub insecure: bool,
    /// Client certificate chain and key.
    pub cert: Option<(PathBuf, PathBuf)>,
    /// Protocol options.
    pub tls: TlsOptions,
    /// Where to write the last session received.
    pub sess_out: Option<PathBuf>,
    /// Session to offer.
    pub sess_in: Option<PathBuf>,
    /// Key log file.
    pub keylog: Option<PathBuf>,
}

/// Top-level help.
pub const MAIN_HELP: &str = "\
ssl: TLS client and server for testing and interoperability

Usage:
  ssl server [OPTIONS]        serve TLS (an info page, or echo)
  ssl client HOST:PORT [OPTIONS]
                              connect, show the parameters, copy stdin/stdout

Run 'ssl server --help' or 'ssl client --help' for the options.
";

/// `ssl server --help`.
pub const SERVER_HELP: &str = "\
Usage: ssl server [OPTIONS]

Accepts TLS connections and answers each one (a thread per connection).
Prints 'listening on ADDR' on stderr once bound, then one line per connection.

Options:
  --listen ADDR          address to listen on (default 127.0.0.1:4433; port 0 picks one)
  --cert PEM --key PEM   certificate chain and private key; repeat the pair for
                         several certificates (chosen by SNI). Default: a fresh
                         self-signed ECDSA P-256 certificate for localhost and 127.0.0.1
  --www                  answer every GET with an HTML page describing the
                         connection (HTTP/1.1 keep-alive) [default]
  --echo                 send application data back
  --tls1.2, --tls1.3     use only this protocol version
  --min-version V        lowest version (ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3)
  --max-version V        highest version
  --ciphers LIST         cipher suites by IANA name, comma-separated, in preference order
  --groups LIST          key-exchange groups (x25519, secp256r1 or P-256, ffdhe2048, ...)
  --alpn LIST            application protocols, comma-separated, in preference order
  --verify-client CAFILE require client certificates issued by a CA in CAFILE
  -h, --help             this help

The SSLKEYLOGFILE environment variable, if set, names a key log file.
";

/// `ssl client --help`.
pub const CLIENT_HELP: &str = "\
Usage: ssl client HOST:PORT [OPTIONS]

Connects, prints the negotiated parameters and the peer's certificates on
stderr, then copies stdin to the connection and the connection to stdout.
At the end of stdin it sends close_notify and waits briefly for the peer's.
Exit status: 0 clean close, 1 TLS or connection error, 2 usage error.

Options:
  --servername NAME      name for SNI and certificate verification (default: HOST)
  --cafile PEM           trust the CA certificates in PEM (without it, nothing is trusted)
  --insecure             do not verify the server's certificate
  --cert PEM --key PEM   client certificate chain and private key
  --tls1.2, --tls1.3     use only this protocol version
  --ciphers LIST         cipher suites by IANA name, comma-separated, in preference order
  --groups LIST          key-exchange groups (x25519, secp256r1 or P-256, ffdhe2048, ...)
  --alpn LIST            application protocols to offer, comma-separated
  --sess-out FILE        save the last session received (for --sess-in)
  --sess-in FILE         offer the session saved in FILE
  --keylog FILE          append secrets to FILE (NSS key log format); without it,
                         the SSLKEYLOGFILE environment variable is used if set
  -h, --help             this help
";

/// Walks the arguments, splitting `--flag=value`.
struct Args {
    items: std::vec::IntoIter<String>,
    /// The value given with `=` for the current flag, if any.
    inline: Option<String>,
}

impl Args {
    fn new(argv: Vec<String>) -> Args {
        Args { items: argv.into_iter(), inline: None }
    }

    /// The next argument; a `--flag=value` is returned as `--flag` with the value kept.
    fn next(&mut self) -> Option<String> {
        let a = self.items.next()?;
        if a.starts_with("--")
            && let Some((flag, value)) = a.split_once('=')
        {
            self.inline = Some(value.to_string());
            return Some(flag.to_string());
        }
        self.inline = None;
        Some(a)
    }

    /// The value of `flag`.
    fn value(&mut self, flag: &str) -> Result<String, UsageError> {
        if let Some(v) = self.inline.take() {
            return Ok(v);
        }
        match self.items.next() {
            Some(v) => Ok(v),
            None => usage(format!("{flag} needs a value")),
        }
    }

    /// Fails if a value was attached to a flag that takes none.
    fn no_value(&mut self, flag: &str) -> Result<(), UsageError> {
        match self.inline.take() {
            Some(_) => usage(format!("{flag} takes no value")),
            None => Ok(()),
        }
    }
}

fn to_strings(argv: Vec<OsString>) -> Result<Vec<String>, UsageError> {
    argv.into_iter()
        .map(|a| a.into_string().map_err(|a| UsageError(format!("argument is not valid UTF-8: {a:?}"))))
        .collect()
}

/// Parses the arguments after the program name.
pub fn parse(argv: Vec<OsString>) -> Result<Command, UsageError> {
    let argv = to_strings(argv)?;
    let Some((sub, rest)) = argv.split_first() else {
        return usage("missing command: 'server' or 'client' (see 'ssl --help')");
    };
    match sub.as_str() {
        "server" => parse_server(rest.to_vec()),
        "client" => parse_client(rest.to_vec()),
        "-h" | "--help" | "help" => Ok(Command::Help(MAIN_HELP)),
        other => usage(format!("unknown command '{other}': expected 'server' or 'client' (see 'ssl --help')")),
    }
}

/// Collects the version flags so that conflicts can be reported.
#[derive(Default)]
struct Versions {
    exact: Option<(String, ProtocolVersion)>,
    min: Option<ProtocolVersion>,
    max: Option<ProtocolVersion>,
}

impl Versions {
    fn exact(&mut self, flag: &str, v: ProtocolVersion) -> Result<(), UsageError> {
        if let Some((other, _)) = &self.exact
            && other != flag
        {
            return usage(format!("{other} and {flag} cannot be combined"));
        }
        self.exact = Some((flag.to_string(), v));
        Ok(())
    }

    fn finish(self, tls: &mut TlsOptions) -> Result<(), UsageError> {
        if let Some((flag, v)) = self.exact {
            if self.min.is_some() || self.max.is_some() {
                return usage(format!("{flag} cannot be combined with --min-version or --max-version"));
            }
            tls.min_version = Some(v);
            tls.max_version = Some(v);
            return Ok(());
        }
        if let (Some(lo), Some(hi)) = (self.min, self.max)
            && lo > hi
        {
            return usage(format!("--min-version {lo} is higher than --max-version {hi}"));
        }
        tls.min_version = self.min;
        tls.max_version = self.max;
        Ok(())
    }
}

fn version(flag: &str, s: &str) -> Result<ProtocolVersion, UsageError> {
    parse_version(s).ok_or_else(|| {
        UsageError(format!("{flag}: unknown version '{s}' (use ssl3.0, tls1.0, tls1.1, tls1.2 or tls1.3)"))
    })
}

/// Splits a comma-separated list, rejecting empty items.
fn list<'a>(flag: &str, s: &'a str) -> Result<Vec<&'a str>, UsageError> {
    let items: Vec<&str> = s.split(',').map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return usage(format!("{flag}: empty item in '{s}'"));
    }
    Ok(items)
}

fn ciphers(flag: &str, s: &str) -> Result<Vec<CipherSuite>, UsageError> {
    list(flag, s)?
        .into_iter()
        .map(|name| {
            CipherSuite::from_name(name).ok_or_else(|| {
                UsageError(format!(
                    "{flag}: unknown cipher suite '{name}' (use IANA names such as TLS_AES_128_GCM_SHA256)"
                ))
            })
        })
        .collect()
}

fn groups(flag: &str, s: &str) -> Result<Vec<NamedGroup>, UsageError> {
    list(flag, s)?
        .into_iter()
        .map(|name| match NamedGroup::parse(name) {
            Some(g) if ssl_core::crypto::kx::is_supported(g) => Ok(g),
            Some(g) => usage(format!("{flag}: group {g} is not supported by this build")),
            None => usage(format!("{flag}: unknown group '{name}' (use names such as x25519, secp256r1, ffdhe2048)")),
        })
        .collect()
}

fn alpn(flag: &str, s: &str) -> Result<Vec<Vec<u8>>, UsageError> {
    list(flag, s)?
        .into_iter()
        .map(|p| {
            if p.len() > 255 {
                usage(format!("{flag}: protocol name longer than 255 bytes"))
            } else {
                Ok(p.as_bytes().to_vec())
            }
        })
        .collect()
}

/// Handles a protocol option; returns false if `flag` is not one.
fn tls_flag(
    flag: &str,
    args: &mut Args,
    tls: &mut TlsOptions,
    versions: &mut Versions,
    allow_min_max: bool,
) -> Result<bool, UsageError> {
    match flag {
        "--tls1.2" | "--tls1.3" => {
            args.no_value(flag)?;
            let v = if flag == "--tls1.2" { ProtocolVersion::TLS1_2 } else { ProtocolVersion::TLS1_3 };
            versions.exact(flag, v)?;
        }
        "--min-version" if allow_min_max => versions.min = Some(version(flag, &args.value(flag)?)?),
        "--max-version" if allow_min_max => versions.max = Some(version(flag, &args.value(flag)?)?),
        "--ciphers" => tls.ciphers = Some(ciphers(flag, &args.value(flag)?)?),
        "--groups" => tls.groups = Some(groups(flag, &args.value(flag)?)?),
        "--alpn" => tls.alpn = alpn(flag, &args.value(flag)?)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn unknown(flag: &str, sub: &str) -> UsageError {
    UsageError(format!("unknown option '{flag}' (see 'ssl {sub} --help')"))
}

fn parse_server(argv: Vec<String>) -> Result<Command, UsageError> {
    let mut args = Args::new(argv);
    let mut listen = None;
    let (mut certs, mut keys) = (Vec::new(), Vec::new());
    let mut mode = None;
    let mut tls = TlsOptions::default();
    let mut versions = Versions::default();
    let mut verify_client = None;
    let mut cert_out = None;
    while let Some(flag) = args.next() {
        if tls_flag(&flag, &mut args, &mut tls, &mut versions, true)? {
            continue;
        }
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help(SERVER_HELP)),
            "--listen" => listen = Some(args.value(&flag)?),
            "--cert" => certs.push(PathBuf::from(args.value(&flag)?)),
            "--key" => keys.push(PathBuf::from(args.value(&flag)?)),
            "--www" | "--echo" => {
                args.no_value(&flag)?;
                let m = if flag == "--www" { ServerMode::Www } else { ServerMode::Echo };
                if mode.is_some_and(|old| old != m) {
                    return usage("--www and --echo cannot be combined");
                }
                mode = Some(m);
            }
            "--verify-client" => verify_client = Some(PathBuf::from(args.value(&flag)?)),
            "--cert-out" => cert_out = Some(PathBuf::from(args.value(&flag)?)),
            f if f.starts_with('-') => return Err(unknown(f, "server")),
            other => return usage(format!("unexpected argument '{other}' (see 'ssl server --help')")),
        }
    }
    versions.finish(&mut tls)?;
    if certs.len() != keys.len() {
        return usage(format!("--cert and --key come in pairs (got {} --cert, {} --key)", certs.len(), keys.len()));
    }
    if cert_out.is_some() && !certs.is_empty() {
        return usage("--cert-out only applies to the generated certificate (without --cert)");
    }
    Ok(Command::Server(ServerArgs {
        listen: listen.unwrap_or_else(|| "127.0.0.1:4433".to_string()),
        certs: certs.into_iter().zip(keys).collect(),
        mode: mode.unwrap_or(ServerMode::Www),
        tls,
        verify_client,
        cert_out,
    }))
}

/// Splits `HOST:PORT` (`[v6]:PORT` for IPv6 addresses).
pub fn split_host_port(s: &str) -> Result<(String, u16), UsageError> {
    let bad = || UsageError(format!("expected HOST:PORT, got '{s}'"));
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let host = match host.strip_prefix('[') {
        Some(h) => h.strip_suffix(']').ok_or_else(bad)?,
        None => host,
    };
    if host.is_empty() {
        return Err(bad());
    }
    let port = port.parse::<u16>().map_err(|_| UsageError(format!("invalid port in '{s}'")))?;
    Ok((host.to_string(), port))
}

fn parse_client(argv: Vec<String>) -> Result<Command, UsageError> {
    let mut args = Args::new(argv);
    let mut target = None;
    let mut servername = None;
    let mut cafile = None;
    let mut insecure = false;
    let (mut cert, mut key) = (None, None);
    let mut tls = TlsOptions::default();
    let mut versions = Versions::default();
    let (mut sess_out, mut sess_in, mut keylog) = (None, None, None);
    while let Some(flag) = args.next() {
        if tls_flag(&flag, &mut args, &mut tls, &mut versions, false)? {
            continue;
        }
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help(CLIENT_HELP)),
            "--servername" => servername = Some(args.value(&flag)?),
            "--cafile" => cafile = Some(PathBuf::from(args.value(&flag)?)),
            "--insecure" => {
                args.no_value(&flag)?;
                insecure = true;
            }
            "--cert" => cert = Some(PathBuf::from(args.value(&flag)?)),
            "--key" => key = Some(PathBuf::from(args.value(&flag)?)),
            "--sess-out" => sess_out = Some(PathBuf::from(args.value(&flag)?)),
            "--sess-in" => sess_in = Some(PathBuf::from(args.value(&flag)?)),
            "--keylog" => keylog = Some(PathBuf::from(args.value(&flag)?)),
            f if f.starts_with('-') && f.len() > 1 => return Err(unknown(f, "client")),
            other => {
                if target.is_some() {
                    return usage(format!("unexpected argument '{other}' (see 'ssl client --help')"));
                }
                target = Some(other.to_string());
            }
        }
    }
    versions.finish(&mut tls)?;
    let Some(target) = target else {
        return usage("missing HOST:PORT (see 'ssl client --help')");
    };
    let (host, port) = split_host_port(&target)?;
    if insecure && cafile.is_some() {
        return usage("--cafile and --insecure cannot be combined");
    }
    let cert = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return usage("--cert and --key must be given together"),
    };
    if servername.as_deref() == Some("") {
        return usage("--servername must not be empty");
    }
    Ok(Command::Client(ClientArgs {
        servername: servername.unwrap_or_else(|| host.clone()),
        host,
        port,
        cafile,
        insecure,
        cert,
        tls,
        sess_out,
        sess_in,
        keylog,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from).collect())
    }

    fn client(args: &[&str]) -> ClientArgs {
        let mut v = vec!["client"];
        v.extend_from_slice(args);
        match run(&v) {
            Ok(Command::Client(c)) => c,
            other => panic!("not a client command: {other:?}"),
        }
    }

    fn server(args: &[&str]) -> ServerArgs {
        let mut v = vec!["server"];
        v.extend_from_slice(args);
        match run(&v) {
            Ok(Command::Server(s)) => s,
            other => panic!("not a server command: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> String {
        match run(args) {
            Err(UsageError(m)) => m,
            other => panic!("expected a usage error for {args:?}, got {other:?}"),
        }
    }

    #[test]
    fn server_defaults() {
        let s = server(&[]);
        assert_eq!(s.listen, "127.0.0.1:4433");
        assert_eq!(s.mode, ServerMode::Www);
        assert!(s.certs.is_empty());
        assert_eq!(s.tls, TlsOptions::default());
    }

    #[test]
    fn server_options() {
        let s = server(&[
            "--listen=127.0.0.1:0",
            "--echo",
            "--cert",
            "a.pem",
            "--key",
            "a.key",
            "--cert",
            "b.pem",
            "--key",
            "b.key",
            "--ciphers",
            "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256",
            "--groups",
            "P-256,x25519",
            "--alpn",
            "h2,http/1.1",
            "--min-version",
            "TLSv1.2",
            "--max-version",
            "tls1.3",
            "--verify-client",
            "ca.pem",
        ]);
        assert_eq!(s.listen, "127.0.0.1:0");
        assert_eq!(s.mode, ServerMode::Echo);
        assert_eq!(s.certs.len(), 2);
        assert_eq!(s.certs[1], (PathBuf::from("b.pem"), PathBuf::from("b.key")));
        assert_eq!(
            s.tls.ciphers,
            Some(vec![CipherSuite::TLS_AES_256_GCM_SHA384, CipherSuite::TLS_CHACHA20_POLY1305_SHA256])
        );
        assert_eq!(s.tls.groups, Some(vec![NamedGroup::SECP256R1, NamedGroup::X25519]));
        assert_eq!(s.tls.alpn, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert_eq!(s.tls.min_version, Some(ProtocolVersion::TLS1_2));
        assert_eq!(s.tls.max_version, Some(ProtocolVersion::TLS1_3));
        assert_eq!(s.verify_client, Some(PathBuf::from("ca.pem")));
    }

    #[test]
    fn exact_version_flags() {
        let c = client(&["h:1", "--tls1.2"]);
        assert_eq!(
            (c.tls.min_version, c.tls.max_version),
            (Some(ProtocolVersion::TLS1_2), Some(ProtocolVersion::TLS1_2))
        );
        let s = server(&["--tls1.3"]);
        assert_eq!(
            (s.tls.min_version, s.tls.max_version),
            (Some(ProtocolVersion::TLS1_3), Some(ProtocolVersion::TLS1_3))
        );
        assert!(error(&["client", "h:1", "--tls1.2", "--tls1.3"]).contains("cannot be combined"));
        assert!(error(&["server", "--tls1.3", "--min-version", "tls1.2"]).contains("cannot be combined"));
        assert!(error(&["server", "--min-version", "tls1.3", "--max-version", "tls1.2"]).contains("higher"));
        assert!(error(&["server", "--min-version", "tls9"]).contains("unknown version 'tls9'"));
        assert!(error(&["client", "h:1", "--tls1.3=x"]).contains("takes no value"));
    }

    #[test]
    fn client_defaults_and_target_forms() {
        let c = client(&["example.com:443"]);
        assert_eq!((c.host.as_str(), c.port, c.servername.as_str()), ("example.com", 443, "example.com"));
        assert!(!c.insecure && c.cafile.is_none() && c.cert.is_none());
        let c = client(&["[::1]:8443", "--servername", "localhost", "--insecure"]);
        assert_eq!((c.host.as_str(), c.port, c.servername.as_str()), ("::1", 8443, "localhost"));
        assert!(c.insecure);
        let c = client(&["--sess-in=s.bin", "127.0.0.1:1", "--sess-out", "t.bin", "--keylog", "k.log"]);
        assert_eq!(c.sess_in, Some(PathBuf::from("s.bin")));
        assert_eq!(c.sess_out, Some(PathBuf::from("t.bin")));
        assert_eq!(c.keylog, Some(PathBuf::from("k.log")));
    }

    #[test]
    fn usage_errors_are_clear() {
        assert!(error(&[]).contains("missing command"));
        assert!(error(&["serve"]).contains("unknown command 'serve'"));
        assert!(error(&["client"]).contains("missing HOST:PORT"));
        assert!(error(&["client", "example.com"]).contains("expected HOST:PORT"));
        assert!(error(&["client", "example.com:http"]).contains("invalid port"));
        assert!(error(&["client", "h:1", "h:2"]).contains("unexpected argument 'h:2'"));
        assert!(error(&["client", "h:1", "--bogus"]).contains("unknown option '--bogus'"));
        assert!(error(&["client", "h:1", "--cafile", "x", "--insecure"]).contains("cannot be combined"));
        assert!(error(&["client", "h:1", "--cert", "x"]).contains("together"));
        assert!(error(&["client", "h:1", "--alpn"]).contains("--alpn needs a value"));
        assert!(error(&["client", "h:1", "--alpn", "h2,,x"]).contains("empty item"));
        assert!(error(&["client", "h:1", "--ciphers", "TLS_FOO"]).contains("unknown cipher suite 'TLS_FOO'"));
        assert!(error(&["client", "h:1", "--groups", "curve9"]).contains("unknown group 'curve9'"));
        assert!(error(&["server", "--cert", "a.pem"]).contains("pairs"));
        assert!(error(&["server", "--www", "--echo"]).contains("cannot be combined"));
        assert!(error(&["server", "extra"]).contains("unexpected argument"));
    }

    #[test]
    fn help_is_available_everywhere() {
        assert!(matches!(run(&["--help"]), Ok(Command::Help(MAIN_HELP))));
        assert!(matches!(run(&["server", "--help"]), Ok(Command::Help(SERVER_HELP))));
        assert!(matches!(run(&["client", "-h"]), Ok(Command::Help(CLIENT_HELP))));
    }
}
