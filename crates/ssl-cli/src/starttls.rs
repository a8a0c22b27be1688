//! `--starttls`: the plaintext dialogue that comes before TLS on the same
//! connection. SMTP (RFC 3207): read the 220 greeting, say EHLO, check that
//! the 250 reply offers STARTTLS, send STARTTLS and expect 220.
//!
//! The server's replies are peer input: lines are bounded, codes are
//! checked, and anything the server sends after its final 220 (before our
//! ClientHello) is refused, since it would be taken as TLS-protected
//! (the STARTTLS command-injection problem).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long the plaintext part may wait for each reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest reply line we accept (RFC 5321 §4.5.3.1.5 says 512 bytes).
const MAX_LINE: usize = 4096;
/// Most lines in one reply.
const MAX_LINES: usize = 200;

/// One side of the plaintext dialogue.
struct Dialogue<'a, S: Read + Write> {
    stream: &'a mut S,
    buf: Vec<u8>,
    /// Print the dialogue on stderr (`--trace`).
    echo: bool,
}

/// A multi-line reply: its code and the text of each line.
#[derive(Debug, PartialEq, Eq)]
struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn first(&self) -> String {
        format!("{} {}", self.code, self.lines.first().map(String::as_str).unwrap_or(""))
    }
}

impl<S: Read + Write> Dialogue<'_, S> {
    /// Reads one line (without its CRLF).
    fn line(&mut self) -> Result<String, String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                if end > MAX_LINE {
                    return Err("the SMTP server sent a line that is too long".to_string());
                }
                let mut line: Vec<u8> = self.buf.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let text = crate::x509::printable(&String::from_utf8_lossy(&line));
                if self.echo {
                    eprintln!("S: {text}");
                }
                return Ok(text);
            }
            if self.buf.len() > MAX_LINE {
                return Err("the SMTP server sent a line that is too long".to_string());
            }
            let mut chunk = [0u8; 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("the SMTP server closed the connection".to_string()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    return Err("timed out waiting for the SMTP server".to_string());
                }
                Err(e) => return Err(format!("reading from the SMTP server: {e}")),
            }
        }
    }

    /// Reads a reply: `CODE-text` lines up to the `CODE text` one.
    fn reply(&mut self) -> Result<Reply, String> {
        let mut lines = Vec::new();
        let mut code = None;
        loop {
            let line = self.line()?;
            let bytes = line.as_bytes();
            let parsed = line.get(..3).and_then(|c| c.parse::<u16>().ok()).filter(|c| (200..=599).contains(c));
            let Some(c) = parsed else {
                return Err(format!("the server does not speak SMTP (it sent '{line}')"));
            };
            if code.is_some_and(|old| old != c) {
                return Err(format!("the SMTP server changed its reply code within a reply ('{line}')"));
            }
            code = Some(c);
            lines.push(line.get(4..).unwrap_or("").to_string());
            match bytes.get(3) {
                None | Some(b' ') => return Ok(Reply { code: c, lines }),
                Some(b'-') if lines.len() < MAX_LINES => {}
                Some(b'-') => return Err("the SMTP server's reply has too many lines".to_string()),
                Some(_) => return Err(format!("malformed SMTP reply line '{line}'")),
            }
        }
    }

    fn send(&mut self, command: &str) -> Result<(), String> {
        if self.echo {
            eprintln!("C: {command}");
        }
        self.stream
            .write_all(format!("{command}\r\n").as_bytes())
            .and_then(|()| self.stream.flush())
            .map_err(|e| format!("writing to the SMTP server: {e}"))
    }
}

/// Runs the SMTP part on a stream; afterwards the stream is ready for the
/// ClientHello. Errors are one line, without the `STARTTLS:` prefix.
fn smtp_on<S: Read + Write>(stream: &mut S, echo: bool) -> Result<(), String> {
    let mut d = Dialogue { stream, buf: Vec::new(), echo };
    let greeting = d.reply()?;
    if greeting.code != 220 {
        return Err(format!("the SMTP server is not ready: {}", greeting.first()));
    }
    d.send("EHLO ssl-client")?;
    let ehlo = d.reply()?;
    if ehlo.code != 250 {
        return Err(format!("the SMTP server refused EHLO: {}", ehlo.first()));
    }
    // The first line is the server's name; each later one is a keyword with parameters.
    let offered = ehlo
        .lines
        .iter()
        .skip(1)
        .any(|l| l.split_whitespace().next().is_some_and(|k| k.eq_ignore_ascii_case("STARTTLS")));
    if !offered {
        return Err("the SMTP server does not offer STARTTLS in its EHLO reply".to_string());
    }
    d.send("STARTTLS")?;
    let go = d.reply()?;
    if go.code != 220 {
        return Err(format!("the SMTP server refused STARTTLS: {}", go.first()));
    }
    if !d.buf.is_empty() {
        return Err("the SMTP server sent data after its answer to STARTTLS (refused: it could be injected)".into());
    }
    Ok(())
}

/// `--starttls smtp` on a connected socket.
pub fn smtp(sock: &TcpStream, echo: bool) -> Result<(), String> {
    let fail = |e: io::Error| format!("STARTTLS: {e}");
    sock.set_read_timeout(Some(REPLY_TIMEOUT)).map_err(fail)?;
    let mut s = sock;
    let r = smtp_on(&mut s, echo).map_err(|m| format!("STARTTLS: {m}"));
    sock.set_read_timeout(None).map_err(fail)?;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted server: what it sends, and what the client wrote.
    struct Script {
        input: io::Cursor<Vec<u8>>,
        written: Vec<u8>,
    }

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            // One line at a time, like a server waiting for each command;
            // the last line comes with whatever follows it.
            let pos = self.input.position() as usize;
            let data = self.input.get_ref();
            let mut end = data[pos..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| pos + i + 1);
            if !data[end..].contains(&b'\n') {
                end = data.len();
            }
            let n = (end - pos).min(buf.len());
            buf[..n].copy_from_slice(&data[pos..pos + n]);
            self.input.set_position((pos + n) as u64);
            Ok(n)
        }
    }

    impl Write for Script {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(server: &str) -> (Result<(), String>, String) {
        let mut s = Script { input: io::Cursor::new(server.as_bytes().to_vec()), written: Vec::new() };
        let r = smtp_on(&mut s, false);
        (r, String::from_utf8_lossy(&s.written).into_owned())
    }

    #[test]
    fn a_good_dialogue() {
        let (r, written) =
            run("220-mx.test ESMTP\r\n220 ready\r\n250-mx.test hello\r\n250-SIZE 1000\r\n250 starttls\r\n220 go\r\n");
        assert_eq!(r, Ok(()));
        assert_eq!(written, "EHLO ssl-client\r\nSTARTTLS\r\n");
    }

    #[test]
    fn refusals_are_one_clear_line() {
        let cases = [
            ("554 no service\r\n", "not ready: 554 no service"),
            ("220 ok\r\n250-mx\r\n250 PIPELINING\r\n", "does not offer STARTTLS"),
            ("220 ok\r\n250 STARTTLS\r\n", "does not offer STARTTLS"), // the first line is the server's name
            ("220 ok\r\n250-mx\r\n250 STARTTLS\r\n454 TLS not available\r\n", "refused STARTTLS: 454"),
            ("220 ok\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n\x16\x03\x01", "sent data after"),
            ("HTTP/1.1 400 Bad Request\r\n", "does not speak SMTP"),
            ("220-a\r\n250 b\r\n", "changed its reply code"),
            ("220 ok\r\n", "closed the connection"),
            ("220xok\r\n", "malformed"),
        ];
        for (server, needle) in cases {
            let (r, _) = run(server);
            let e = r.expect_err(server);
            assert!(e.contains(needle) && !e.contains('\n'), "{server:?}: {e}");
        }
        let long = format!("220-{}\r\n", "x".repeat(MAX_LINE + 10));
        assert!(run(&long).0.unwrap_err().contains("too long"));
        let many = "220-x\r\n".repeat(MAX_LINES + 1);
        assert!(run(&many).0.unwrap_err().contains("too many lines"));
    }
}
