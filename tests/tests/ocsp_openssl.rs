//! OCSP stapling (RFC 6066 status_request; RFC 8446 §4.4.2.1) against
//! OpenSSL 3, in TLS 1.3 and TLS 1.2: `openssl s_client -status` prints the
//! response our server staples, and our client gets the one
//! `openssl s_server -status_file` staples.

mod support;
use ssl_core::pki::CertifiedKey;
use std::net::TcpListener;
use std::time::Duration;
use support::*;

/// A whole OCSPResponse (RFC 6960 §4.2.1) with the status "unauthorized"
/// and no response bytes: the smallest response OpenSSL parses and prints.
const UNAUTHORIZED: &[u8] = &[0x30, 0x03, 0x0a, 0x01, 0x06];

#[test]
fn s_client_status_prints_the_response_our_server_staples() {
    if skip_without_openssl("s_client_status_prints_the_response_our_server_staples") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    for version in ["-tls1_3", "-tls1_2"] {
        for staple in [true, false] {
            let ctx = pki.server_ctx(|c| {
                c.certificates = Default::default();
                let ck = CertifiedKey::from_pem(pki.server.cert_pem.as_bytes(), pki.server.key_pem.as_bytes()).unwrap();
                c.add_cert(if staple { ck.with_ocsp(UNAUTHORIZED.to_vec()) } else { ck });
            });
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let server = std::thread::spawn(move || -> Result<Vec<u8>, String> {
                let sock = accept_timeout(&listener, Duration::from_secs(20)).map_err(|e| e.to_string())?;
                let mut s = TlsStream::accept(sock, ctx).map_err(|e| e.to_string())?;
                let line = s.read_until(|d| d.contains(&b'\n')).map_err(|e| e.to_string())?;
                s.write_all(b"bye\n").map_err(|e| e.to_string())?;
                s.close_and_wait().map_err(|e| e.to_string())?;
                Ok(line)
            });
            let args = strings(&[
                "-connect",
                &addr.to_string(),
                version,
                "-servername",
                "localhost",
                "-CAfile",
                &p(&files.ca),
                "-verify_return_error",
                "-status",
                "-ign_eof",
            ]);
            let run = s_client(&args, b"hello\n", Duration::from_secs(20));
            let line = server.join().unwrap();
            assert_eq!(line.as_deref(), Ok(&b"hello\n"[..]), "{version}: {}", run.describe());
            let printed = run.stdout.contains("OCSP Response Status: unauthorized");
            assert_eq!(printed, staple, "{version} staple={staple}: {}", run.describe());
            if !staple {
                assert!(run.stdout.contains("OCSP response: no response sent"), "{}", run.describe());
            }
        }
    }
}

#[test]
fn our_client_gets_the_response_s_server_staples() {
    if skip_without_openssl("our_client_gets_the_response_s_server_staples") {
        return;
    }
    let pki = Pki::new(KeyType::EcdsaP256);
    let files = pki.write_files();
    let response = files.path("ocsp.der");
    std::fs::write(&response, UNAUTHORIZED).unwrap();
    for version in ["-tls1_3", "-tls1_2"] {
        let server = OpenSslServer::start(&strings(&[
            "-cert",
            &p(&files.server_cert),
            "-key",
            &p(&files.server_key),
            version,
            "-rev",
            "-status_file",
            &p(&response),
        ]));
        for ask in [true, false] {
            let ctx = pki.client_ctx(|c| c.request_ocsp = ask);
            let mut s = TlsStream::connect(server.addr, ctx, Some("localhost"), None)
                .unwrap_or_else(|e| panic!("{version}: handshake: {e}"));
            let expected = if ask { Some(UNAUTHORIZED) } else { None };
            assert_eq!(s.conn.peer_ocsp_response(), expected, "{version}, asked: {ask}");
            s.write_all(b"abc\n").unwrap();
            assert_eq!(s.read_exact_len(4).unwrap(), b"cba\n");
            s.close_and_wait().unwrap();
        }
    }
}
