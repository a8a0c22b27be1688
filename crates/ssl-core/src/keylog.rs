//! Key logging in the NSS key log format (SSLKEYLOGFILE), for Wireshark.

use std::io::Write;
use std::sync::Mutex;

/// Receives secrets as they are derived.
///
/// Labels are those of the NSS format: `CLIENT_HANDSHAKE_TRAFFIC_SECRET`,
/// `SERVER_HANDSHAKE_TRAFFIC_SECRET`, `CLIENT_TRAFFIC_SECRET_0`,
/// `SERVER_TRAFFIC_SECRET_0`, `EXPORTER_SECRET`, and `CLIENT_RANDOM` for
/// TLS 1.2 master secrets.
pub trait KeyLog: Send + Sync {
    /// Records one secret.
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]);
}

/// Formats one line of the key log format.
pub fn format_line(label: &str, client_random: &[u8; 32], secret: &[u8]) -> String {
    let mut s = String::with_capacity(label.len() + 2 + 64 + 2 * secret.len() + 1);
    s.push_str(label);
    s.push(' ');
    for b in client_random {
        s.push_str(&format!("{b:02x}"));
    }
    s.push(' ');
    for b in secret {
        s.push_str(&format!("{b:02x}"));
    }
    s.push('\n');
    s
}

/// Appends key log lines to a file.
///
/// ```no_run
/// use std::sync::Arc;
/// use ssl_core::keylog::KeyLogFile;
/// let mut ctx = ssl_core::Context::new();
/// // The file named by SSLKEYLOGFILE if it is set, else a fixed one.
/// let log = match KeyLogFile::from_env() {
///     Some(log) => log,
///     None => KeyLogFile::create("/tmp/keys.log").unwrap(),
/// };
/// ctx.key_log = Some(Arc::new(log));
/// ```
pub struct KeyLogFile {
    file: Mutex<std::fs::File>,
}

impl KeyLogFile {
    /// Opens (creating or appending to) `path`.
    pub fn create(path: impl AsRef<std::path::Path>) -> std::io::Result<KeyLogFile> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(KeyLogFile { file: Mutex::new(file) })
    }

    /// Opens the file named by the `SSLKEYLOGFILE` environment variable, if
    /// set (a file that cannot be opened is logged as a warning and ignored).
    pub fn from_env() -> Option<KeyLogFile> {
        let path = std::env::var_os("SSLKEYLOGFILE")?;
        match KeyLogFile::create(&path) {
            Ok(f) => Some(f),
            Err(e) => {
                log::warn!("SSLKEYLOGFILE {}: {e}", std::path::Path::new(&path).display());
                None
            }
        }
    }
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        let line = format_line(label, client_random, secret);
        if let Ok(mut f) = self.file.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// Keeps key log lines in memory (useful in tests).
///
/// ```
/// use std::sync::Arc;
/// use ssl_core::keylog::{KeyLog, KeyLogMemory};
/// let log = Arc::new(KeyLogMemory::default());
/// let mut ctx = ssl_core::Context::new();
/// ctx.key_log = Some(log.clone()); // every connection of `ctx` logs here
/// log.log("CLIENT_RANDOM", &[1; 32], &[2; 48]);
/// assert!(log.lines()[0].starts_with("CLIENT_RANDOM 0101"));
/// ```
#[derive(Default)]
pub struct KeyLogMemory {
    lines: Mutex<Vec<String>>,
}

impl KeyLogMemory {
    /// The lines logged so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl KeyLog for KeyLogMemory {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        if let Ok(mut l) = self.lines.lock() {
            l.push(format_line(label, client_random, secret));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_format() {
        let line = super::format_line("CLIENT_RANDOM", &[0xab; 32], &[1, 2]);
        assert_eq!(line, format!("CLIENT_RANDOM {} 0102\n", "ab".repeat(32)));
    }
}
