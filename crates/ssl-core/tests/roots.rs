//! Trust anchors from outside the program: the `webpki-roots` and
//! `system-roots` features (`cargo test -p ssl-core --all-features --test roots`).

#[cfg(feature = "webpki-roots")]
#[test]
fn webpki_roots_add_the_mozilla_program() {
    let mut roots = ssl_core::pki::RootStore::new();
    let n = roots.add_webpki_roots();
    assert!(n > 100, "only {n} anchors");
    assert_eq!(roots.len(), n);
    // Every anchor has a subject for certificate_authorities.
    assert_eq!(roots.subjects().count(), n);
    assert!(roots.subjects().all(|s| s.len() > 4 && s[0] == 0x30));
    // Adding twice adds them again (the store does not deduplicate).
    assert_eq!(roots.add_webpki_roots(), n);
    assert_eq!(roots.len(), 2 * n);
}

#[cfg(feature = "system-roots")]
#[test]
fn system_roots_load_what_the_machine_has() {
    let mut roots = ssl_core::pki::RootStore::new();
    let n = roots.add_system_roots().expect("reading the system store");
    eprintln!("system trust store: {n} anchors");
    assert_eq!(roots.len(), n);
}

#[cfg(feature = "system-roots")]
#[test]
fn system_roots_from_ssl_cert_file() {
    // A bundle named by SSL_CERT_FILE is what the store holds: one CA we made.
    // (Run in a child process so the variable does not leak into other tests.)
    if std::env::var_os("SSL_ROOTS_CHILD").is_some() {
        let mut roots = ssl_core::pki::RootStore::new();
        let n = roots.add_system_roots().expect("reading SSL_CERT_FILE");
        println!("anchors={n}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("ssl-core-roots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, "roots test CA");
    let ca = params.self_signed(&key).unwrap();
    let bundle = dir.join("bundle.pem");
    std::fs::write(&bundle, ca.pem()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args(["--exact", "system_roots_from_ssl_cert_file", "--nocapture", "--test-threads=1"])
        .env("SSL_ROOTS_CHILD", "1")
        .env("SSL_CERT_FILE", &bundle)
        .env("SSL_CERT_DIR", dir.join("nonexistent"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("anchors=1"), "{stdout}");
}
