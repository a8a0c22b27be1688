//! Command-line parsing: a small hand parser (no parser crate), so every
//! mistake becomes one clear line and exit code 2.
//!
//! Flags take their value either as the next argument (`--alpn h2`) or
//! after `=` (`--alpn=h2`).

use ssl_core::constants::{CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme, parse_version};
use ssl_core::context::Context;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

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
    /// `ssl scan ...`
    Scan(ScanArgs),
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
    /// `--sigalgs`, in preference order.
    pub sigalgs: Option<Vec<SignatureScheme>>,
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
        if let Some(s) = &self.sigalgs {
            ctx.signature_algorithms = s.clone();
        }
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
    /// CA file for requested (optional) client certificates.
    pub ask_client: Option<PathBuf>,
    /// Serve the files under this directory (`--www-root`).
    pub www_root: Option<PathBuf>,
    /// A DER OCSP response to staple for clients that ask (`--status-file`).
    pub status_file: Option<PathBuf>,
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
    /// Print every handshake message, decoded.
    pub trace: bool,
    /// Plaintext protocol to speak before TLS.
    pub starttls: Option<Starttls>,
    /// How many times to reconnect, resuming the session.
    pub reconnect: u32,
    /// Trust the operating system's store.
    pub system_roots: bool,
    /// Trust the Mozilla root program (compiled in).
    pub webpki_roots: bool,
    /// Ask the server to staple an OCSP response, and report it (`--status`).
    pub status: bool,
}

/// The plaintext protocols `--starttls` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Starttls {
    /// SMTP (RFC 3207).
    Smtp,
}

/// `ssl scan` options.
#[derive(Debug)]
pub struct ScanArgs {
    /// Host to probe.
    pub host: String,
    /// Port to probe.
    pub port: u16,
    /// Name sent as SNI.
    pub servername: String,
    /// How long one probe may take.
    pub timeout: Duration,
    /// How many probes run at once.
    pub threads: usize,
}

/// Top-level help.
pub const MAIN_HELP: &str = "\
ssl: TLS client and server for testing and interoperability

Usage:
  ssl server [OPTIONS]        serve TLS (an info page, files, or echo)
  ssl client HOST:PORT [OPTIONS]
                              connect, show the parameters, copy stdin/stdout
  ssl scan HOST:PORT [OPTIONS]
                              probe a server's versions, suites, groups and features

Run 'ssl server --help', 'ssl client --help' or 'ssl scan --help' for the options.
";

/// `ssl server --help`.
pub const SERVER_HELP: &str = "\
Usage: ssl server [OPTIONS]

Accepts TLS connections and answers each one (a thread per connection).
Prints 'listening on ADDR' on stderr once bound, then one line per connection
when it ends: peer, version, suite, group, ALPN, SNI, resumed, bytes in and
out, duration, and the error if any.

Options:
  --listen ADDR          address to listen on (default 127.0.0.1:4433; port 0 picks one)
  --cert PEM --key PEM   certificate chain and private key; repeat the pair for
                         several certificates (chosen by SNI). Default: a fresh
                         self-signed ECDSA P-256 certificate for localhost and 127.0.0.1
  --www                  answer every GET with an HTML page describing the
                         connection (HTTP/1.1 keep-alive) [default]
  --www-root DIR         serve the files under DIR for GET and HEAD (HTTP/1.0 and
                         keep-alive HTTP/1.1); a directory serves its index.html;
                         404 when missing, 403 for paths leaving DIR
  --echo                 send application data back
  --tls1.2, --tls1.3     use only this protocol version
  --min-version V        lowest version (ssl3.0, tls1.0, tls1.1, tls1.2, tls1.3)
  --max-version V        highest version
  --ciphers LIST         cipher suites by IANA name, comma-separated, in preference order
  --groups LIST          key-exchange groups (x25519, secp256r1 or P-256, ffdhe2048, ...)
  --alpn LIST            application protocols, comma-separated, in preference order
  --sigalgs LIST         signature schemes accepted from clients (see 'ssl client --help')
  --verify-client CAFILE require client certificates issued by a CA in CAFILE
  --ask-client CAFILE    ask for client certificates (optional) and verify those sent
  --status-file FILE     staple the DER OCSP response in FILE (all certificates) for
                         clients that ask (status_request)
  -h, --help             this help

Several --cert/--key pairs: the engine picks, for each connection, one valid
for the client's server name (SNI) whose key can sign with one of the
client's signature algorithms; the first pair is the default.
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
  --cafile PEM           trust the CA certificates in PEM
  --system-roots         trust the operating system's CA store
  --webpki-roots         trust the Mozilla root program (built in)
                         (without one of these three, nothing is trusted)
  --insecure             do not verify the server's certificate (the report still
                         says whether it would have verified)
  --cert PEM --key PEM   client certificate chain and private key
  --tls1.2, --tls1.3     use only this protocol version
  --ciphers LIST         cipher suites by IANA name, comma-separated, in preference order
  --groups LIST          key-exchange groups (x25519, secp256r1 or P-256, ffdhe2048, ...)
  --sigalgs LIST         signature schemes to accept, in preference order: IANA names
                         (rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256, ed25519, ...)
                         or OpenSSL's (RSA-PSS+SHA256, ECDSA+SHA256, RSA+SHA256)
  --alpn LIST            application protocols to offer, comma-separated
  --starttls smtp        speak SMTP first (EHLO, STARTTLS), then TLS on the same connection
  --reconnect N          after the first connection, connect N more times resuming
                         the session; prints 'reconnect I: resumed|new (VERSION, SUITE)'
                         for every connection
  --trace                print every handshake message, ChangeCipherSpec and alert,
                         decoded, on stderr as it goes out or comes in
  --sess-out FILE        save the last session received (for --sess-in)
  --sess-in FILE         offer the session saved in FILE
  --keylog FILE          append secrets to FILE (NSS key log format); without it,
                         the SSLKEYLOGFILE environment variable is used if set
  --status               ask the server to staple an OCSP response (status_request);
                         prints 'OCSP response: N bytes' or 'OCSP response: none'
                         (the response is not verified)
  -h, --help             this help
";

/// `ssl scan --help`.
pub const SCAN_HELP: &str = "\
Usage: ssl scan HOST:PORT [OPTIONS]

Probes a TLS server with one connection per probe (certificates are not
verified) and prints a table: the protocol versions (tls1.2, tls1.3), each
cipher suite per version, each key-exchange group (TLS 1.3 key shares,
TLS 1.2 ECDHE curves and FFDHE groups), and features: ALPN, extended master
secret, secure renegotiation, session tickets, session-ID and TLS 1.3
resumption, record_size_limit. Each row is 'accepted', 'rejected' with the
alert or the reason, or 'not tested'.
Exit status: 0 if the server answered at all, 1 if nothing connects, 2 usage error.

Options:
  --servername NAME      name for SNI (default: HOST)
  --timeout SECS         time limit of one probe (default 3)
  --threads N            probes run at once (default 4)
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
        return usage("missing command: 'server', 'client' or 'scan' (see 'ssl --help')");
    };
    match sub.as_str() {
        "server" => parse_server(rest.to_vec()),
        "client" => parse_client(rest.to_vec()),
        "scan" => parse_scan(rest.to_vec()),
        "-h" | "--help" => Ok(Command::Help(MAIN_HELP)),
        "help" => match rest.first().map(String::as_str) {
            None => Ok(Command::Help(MAIN_HELP)),
            Some("server") => Ok(Command::Help(SERVER_HELP)),
            Some("client") => Ok(Command::Help(CLIENT_HELP)),
            Some("scan") => Ok(Command::Help(SCAN_HELP)),
            Some(other) => usage(format!("no help for '{other}': expected 'server', 'client' or 'scan'")),
        },
        other => usage(format!("unknown command '{other}': expected 'server', 'client' or 'scan' (see 'ssl --help')")),
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

/// The signature schemes the engine can verify.
fn supported_scheme(s: SignatureScheme) -> bool {
    ssl_core::crypto::sign::TLS13_VERIFY_SCHEMES.contains(&s)
        || [SignatureScheme::RSA_PKCS1_SHA256, SignatureScheme::RSA_PKCS1_SHA384, SignatureScheme::RSA_PKCS1_SHA512]
            .contains(&s)
}

/// A signature scheme by IANA name or by OpenSSL's `SIG+HASH` name.
fn scheme_by_name(name: &str) -> Option<SignatureScheme> {
    if let Some(s) = SignatureScheme::from_name(name) {
        return Some(s);
    }
    let upper = name.to_ascii_uppercase();
    let (sig, hash) = upper.split_once('+')?;
    Some(match (sig, hash) {
        ("RSA", "SHA256") => SignatureScheme::RSA_PKCS1_SHA256,
        ("RSA", "SHA384") => SignatureScheme::RSA_PKCS1_SHA384,
        ("RSA", "SHA512") => SignatureScheme::RSA_PKCS1_SHA512,
        ("RSA-PSS" | "PSS", "SHA256") => SignatureScheme::RSA_PSS_RSAE_SHA256,
        ("RSA-PSS" | "PSS", "SHA384") => SignatureScheme::RSA_PSS_RSAE_SHA384,
        ("RSA-PSS" | "PSS", "SHA512") => SignatureScheme::RSA_PSS_RSAE_SHA512,
        ("ECDSA", "SHA256") => SignatureScheme::ECDSA_SECP256R1_SHA256,
        ("ECDSA", "SHA384") => SignatureScheme::ECDSA_SECP384R1_SHA384,
        ("ECDSA", "SHA512") => SignatureScheme::ECDSA_SECP521R1_SHA512,
        _ => return None,
    })
}

fn sigalgs(flag: &str, s: &str) -> Result<Vec<SignatureScheme>, UsageError> {
    // Commas, or colons as OpenSSL writes the list.
    let items: Vec<&str> = s.split([',', ':']).map(str::trim).collect();
    if items.iter().any(|i| i.is_empty()) {
        return usage(format!("{flag}: empty item in '{s}'"));
    }
    items
        .into_iter()
        .map(|name| match scheme_by_name(name) {
            Some(s) if supported_scheme(s) => Ok(s),
            Some(s) => usage(format!("{flag}: signature scheme {s} is not supported by this build")),
            None => usage(format!(
                "{flag}: unknown signature scheme '{name}' (use names such as rsa_pss_rsae_sha256 or RSA-PSS+SHA256)"
            )),
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
        "--sigalgs" => tls.sigalgs = Some(sigalgs(flag, &args.value(flag)?)?),
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
    let mut ask_client = None;
    let mut www_root = None;
    let mut status_file = None;
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
            "--ask-client" => ask_client = Some(PathBuf::from(args.value(&flag)?)),
            "--www-root" => www_root = Some(PathBuf::from(args.value(&flag)?)),
            "--status-file" => status_file = Some(PathBuf::from(args.value(&flag)?)),
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
    if verify_client.is_some() && ask_client.is_some() {
        return usage("--verify-client and --ask-client cannot be combined");
    }
    if www_root.is_some() && mode == Some(ServerMode::Echo) {
        return usage("--www-root and --echo cannot be combined");
    }
    Ok(Command::Server(ServerArgs {
        listen: listen.unwrap_or_else(|| "127.0.0.1:4433".to_string()),
        certs: certs.into_iter().zip(keys).collect(),
        mode: mode.unwrap_or(ServerMode::Www),
        tls,
        verify_client,
        ask_client,
        www_root,
        status_file,
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
    let (mut trace, mut system_roots, mut webpki_roots, mut status) = (false, false, false, false);
    let mut starttls = None;
    let mut reconnect = 0;
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
            "--trace" | "--system-roots" | "--webpki-roots" | "--status" => {
                args.no_value(&flag)?;
                match flag.as_str() {
                    "--trace" => trace = true,
                    "--system-roots" => system_roots = true,
                    "--status" => status = true,
                    _ => webpki_roots = true,
                }
            }
            "--starttls" => {
                let v = args.value(&flag)?;
                starttls = Some(match v.to_ascii_lowercase().as_str() {
                    "smtp" => Starttls::Smtp,
                    _ => return usage(format!("--starttls: unsupported protocol '{v}' (supported: smtp)")),
                });
            }
            "--reconnect" => {
                let v = args.value(&flag)?;
                reconnect = match v.parse::<u32>() {
                    Ok(n) if n <= 1000 => n,
                    _ => return usage(format!("--reconnect: expected a count from 0 to 1000, got '{v}'")),
                };
            }
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
        trace,
        starttls,
        reconnect,
        system_roots,
        webpki_roots,
        status,
    }))
}

fn parse_scan(argv: Vec<String>) -> Result<Command, UsageError> {
    let mut args = Args::new(argv);
    let mut target = None;
    let mut servername = None;
    let mut timeout = Duration::from_secs(3);
    let mut threads = 4;
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help(SCAN_HELP)),
            "--servername" => servername = Some(args.value(&flag)?),
            "--timeout" => {
                let v = args.value(&flag)?;
                timeout = match v.parse::<f64>() {
                    Ok(s) if s > 0.0 && s <= 600.0 => Duration::from_secs_f64(s),
                    _ => return usage(format!("--timeout: expected seconds from 0 to 600, got '{v}'")),
                };
            }
            "--threads" => {
                let v = args.value(&flag)?;
                threads = match v.parse::<usize>() {
                    Ok(n) if (1..=64).contains(&n) => n,
                    _ => return usage(format!("--threads: expected a count from 1 to 64, got '{v}'")),
                };
            }
            f if f.starts_with('-') && f.len() > 1 => return Err(unknown(f, "scan")),
            other => {
                if target.is_some() {
                    return usage(format!("unexpected argument '{other}' (see 'ssl scan --help')"));
                }
                target = Some(other.to_string());
            }
        }
    }
    let Some(target) = target else {
        return usage("missing HOST:PORT (see 'ssl scan --help')");
    };
    let (host, port) = split_host_port(&target)?;
    if servername.as_deref() == Some("") {
        return usage("--servername must not be empty");
    }
    Ok(Command::Scan(ScanArgs { servername: servername.unwrap_or_else(|| host.clone()), host, port, timeout, threads }))
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
        assert!(matches!(run(&["scan", "--help"]), Ok(Command::Help(SCAN_HELP))));
        assert!(matches!(run(&["help", "scan"]), Ok(Command::Help(SCAN_HELP))));
        assert!(error(&["help", "bogus"]).contains("no help for 'bogus'"));
    }

    #[test]
    fn new_client_options() {
        let c = client(&[
            "h:1",
            "--trace",
            "--starttls",
            "SMTP",
            "--reconnect=3",
            "--system-roots",
            "--webpki-roots",
            "--sigalgs",
            "RSA-PSS+SHA256,ecdsa_secp256r1_sha256:ed25519",
        ]);
        assert!(c.trace && c.system_roots && c.webpki_roots);
        assert_eq!(c.starttls, Some(Starttls::Smtp));
        assert_eq!(c.reconnect, 3);
        assert_eq!(
            c.tls.sigalgs,
            Some(vec![
                SignatureScheme::RSA_PSS_RSAE_SHA256,
                SignatureScheme::ECDSA_SECP256R1_SHA256,
                SignatureScheme::ED25519
            ])
        );
        let c = client(&["h:1", "--insecure", "--webpki-roots"]);
        assert!(c.insecure && c.webpki_roots, "roots still tell whether the chain would verify");
        assert!(error(&["client", "h:1", "--starttls", "imap"]).contains("unsupported protocol 'imap'"));
        assert!(error(&["client", "h:1", "--reconnect", "-1"]).contains("--reconnect"));
        assert!(error(&["client", "h:1", "--reconnect", "5000"]).contains("--reconnect"));
        assert!(error(&["client", "h:1", "--sigalgs", "RSA+MD5"]).contains("unknown signature scheme 'RSA+MD5'"));
        assert!(error(&["client", "h:1", "--sigalgs", "ecdsa_sha1"]).contains("not supported"));
        assert!(error(&["client", "h:1", "--trace=yes"]).contains("takes no value"));
    }

    #[test]
    fn new_server_options() {
        let s = server(&["--www-root", "/srv/www", "--ask-client", "ca.pem"]);
        assert_eq!(s.www_root, Some(PathBuf::from("/srv/www")));
        assert_eq!(s.ask_client, Some(PathBuf::from("ca.pem")));
        assert_eq!(s.mode, ServerMode::Www);
        assert!(error(&["server", "--www-root", "d", "--echo"]).contains("cannot be combined"));
        assert!(error(&["server", "--ask-client", "a", "--verify-client", "b"]).contains("cannot be combined"));
    }

    #[test]
    fn scan_options() {
        let Ok(Command::Scan(s)) = run(&["scan", "[::1]:443", "--servername", "a.test", "--timeout", "1.5"]) else {
            panic!("not a scan command");
        };
        assert_eq!((s.host.as_str(), s.port, s.servername.as_str()), ("::1", 443, "a.test"));
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert_eq!(s.threads, 4);
        let Ok(Command::Scan(s)) = run(&["scan", "h:1", "--threads=2"]) else { panic!("not a scan command") };
        assert_eq!((s.servername.as_str(), s.threads), ("h", 2));
        assert!(error(&["scan"]).contains("missing HOST:PORT"));
        assert!(error(&["scan", "h"]).contains("expected HOST:PORT"));
        assert!(error(&["scan", "h:1", "--timeout", "0"]).contains("--timeout"));
        assert!(error(&["scan", "h:1", "--threads", "0"]).contains("--threads"));
        assert!(error(&["scan", "h:1", "--insecure"]).contains("unknown option '--insecure'"));
        assert!(error(&["scan", "h:1", "h:2"]).contains("unexpected argument"));
    }
}
