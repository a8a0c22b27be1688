//! The README's quick start, driven as written: `ssl server` with no
//! arguments (an HTTPS server on 127.0.0.1:4433 with a generated
//! certificate), fetched with `openssl s_client` and with `ssl client`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run_with_input(cmd: &mut Command, input: &[u8], limit: Duration) -> (bool, String, String) {
    let mut child = Guard(cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap());
    child.0.stdin.take().unwrap().write_all(input).unwrap();
    let (tx, rx) = mpsc::channel();
    let mut out = child.0.stdout.take().unwrap();
    let mut err = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut o = String::new();
        let mut e = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut o);
        let _ = std::io::Read::read_to_string(&mut err, &mut e);
        let _ = tx.send((o, e));
    });
    let (o, e) = rx.recv_timeout(limit).expect("command timed out");
    let ok = child.0.wait().map(|s| s.success()).unwrap_or(false);
    (ok, o, e)
}

#[test]
fn readme_quick_start_server_answers_openssl_and_ssl_client() {
    // `cargo run --release -p ssl-cli -- server` runs this binary with the argument `server`.
    let mut server = Guard(
        Command::new(env!("CARGO_BIN_EXE_ssl"))
            .arg("server")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (tx, rx) = mpsc::channel();
    let stderr = server.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(20)).expect("the server printed nothing");
    assert_eq!(first, "listening on 127.0.0.1:4433", "is port 4433 free?");

    if Command::new("openssl").arg("version").output().is_ok() {
        let (ok, out, err) = run_with_input(
            Command::new("openssl").args([
                "s_client",
                "-connect",
                "127.0.0.1:4433",
                "-servername",
                "localhost",
                "-ign_eof",
            ]),
            b"GET / HTTP/1.0\r\n\r\n",
            Duration::from_secs(20),
        );
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("HTTP/1.0 200") || out.contains("HTTP/1.1 200"), "{out}");
        assert!(out.contains("TLSv1.3") && out.contains("TLS_AES_"), "{out}");
    } else {
        eprintln!("!!! openssl not found: the s_client half of the README test is skipped");
    }

    let (ok, out, err) = run_with_input(
        Command::new(env!("CARGO_BIN_EXE_ssl")).args(["client", "127.0.0.1:4433", "--insecure"]),
        b"GET / HTTP/1.0\r\n\r\n",
        Duration::from_secs(20),
    );
    assert!(ok, "ssl client failed:\n{out}\n{err}");
    assert!(out.contains("200"), "{out}");
    assert!(out.to_lowercase().contains("x25519"), "the page shows the group: {out}");
}
