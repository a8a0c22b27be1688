//! A blocking HTTPS client: the smallest complete use of [`SslFile`].
//!
//! It connects to HOST:PORT, verifies the server's certificate against a CA
//! file (or, with `--insecure`, accepts any certificate), sends an HTTP GET,
//! reads the whole response and closes cleanly.
//!
//! ```text
//! cargo run -p examples --example blocking_client -- [HOST:PORT] [--cafile PEM | --insecure] [--path /x]
//! ```

use crate::common::{self, Error, Trust};
use ssl_file::{CloseMode, SslFile};
use std::io::{Read, Write};
use std::time::Duration;

/// How long any one step (connect, handshake, a read, a write) may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the client got.
#[derive(Debug)]
pub struct Fetched {
    /// The negotiated protocol version, e.g. `tls1.3`.
    pub version: String,
    /// The negotiated cipher suite.
    pub cipher_suite: String,
    /// The raw HTTP response, head and body.
    pub response: Vec<u8>,
}

/// Fetches `path` from the HTTPS server at `addr` ("host:port"). The host
/// part is sent as SNI and must match the server's certificate (unless
/// `trust` is [`Trust::Insecure`]).
pub fn fetch(addr: &str, trust: &Trust, path: &str) -> Result<Fetched, Error> {
    let (host, _port) = addr.rsplit_once(':').ok_or_else(|| format!("{addr}: expected HOST:PORT"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');

    // 1. A context says what we trust (and could set versions, suites, ALPN...).
    //    It is shared (Arc) by every connection made with it.
    let ctx = common::client_context(trust)?;

    // 2. A TCP connection. SslFile wants a nonblocking mio stream: it does
    //    its own waiting in blocking mode.
    let tcp = common::connect(addr, TIMEOUT)?;
    let file = SslFile::new(tcp, ctx);

    // 3. Blocking mode: every call below waits until it is done, or fails
    //    with `TimedOut` after the timeout.
    file.set_blocking()?;
    file.set_timeout(Some(TIMEOUT));

    // 4. The handshake. The name is sent as SNI and checked against the
    //    certificate. A failure is an io::Error with the TLS error inside
    //    (`ssl_file::tls_error(&e)`), so `?` gives a readable message.
    file.connect(Some(host), None).map_err(|e| format!("handshake with {addr} failed: {e}"))?;

    // 5. `Read` and `Write` are implemented for `&SslFile`, so the std
    //    helpers work. (Clones of `file` could read and write from two
    //    threads at once.)
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    (&file).write_all(request.as_bytes())?;

    // 6. Read until the server closes. A clean close (close_notify) reads as
    //    end of file; a connection cut without one is an `UnexpectedEof`
    //    error, since an attacker could have cut the response short.
    let mut response = Vec::new();
    (&file).read_to_end(&mut response)?;

    // 7. Answer with our own close_notify.
    let version = file.version().map(|v| v.to_string()).unwrap_or_default();
    let cipher_suite = file.cipher_suite().map(|s| s.to_string()).unwrap_or_default();
    file.close(CloseMode::Normal)?;
    Ok(Fetched { version, cipher_suite, response })
}

/// The example's `main`: parses the command line, fetches, prints.
pub fn main_with_args(args: impl IntoIterator<Item = String>) -> Result<(), Error> {
    let cl = common::CommandLine::parse(args, &["--cafile", "--path"], &["--insecure"])?;
    let addr = cl.arg_or(0, "127.0.0.1:4433");
    let trust = match (cl.value("--cafile"), cl.has("--insecure")) {
        (Some(path), false) => Trust::CaPem(std::fs::read(path).map_err(|e| format!("--cafile {path}: {e}"))?),
        (None, true) => Trust::Insecure,
        _ => return Err("give --cafile FILE or --insecure (one of them)".into()),
    };
    let got = fetch(addr, &trust, cl.value("--path").unwrap_or("/"))?;
    eprintln!("connected with {} {}", got.version, got.cipher_suite);
    std::io::stdout().write_all(&got.response)?;
    Ok(())
}
