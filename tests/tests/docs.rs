//! The guides in `docs/` stay in step with the code: every page exists and
//! names what it documents, the API names the pages lean on still exist in
//! the sources, the `ssl` command-line flags `from-openssl.md` lists are
//! still parsed by `crates/ssl-cli/src/args.rs`, and every relative link in
//! `docs/*.md` and the top-level `README.md` points to an existing file.
//!
//! (The Rust code of the pages is compiled separately, as doc tests of
//! `ssl-file`; `cargo doc` is not run from here.)

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (this package lives in `tests/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every page, and the words each must contain: the types and ideas it documents.
const PAGES: &[(&str, &[&str])] = &[
    (
        "docs/README.md",
        &["event-model.md", "security.md", "from-pike.md", "from-rustls.md", "from-openssl.md", "performance.md"],
    ),
    ("docs/performance.md", &["ssl-bench", "rustls", "ratio", "ceiling", "cargo run --release -p ssl-bench"]),
    (
        "docs/from-pike.md",
        &[
            "SSL.File",
            "SSL.Context",
            "SSL.Port",
            "SslFile",
            "Context",
            "Session",
            "SslPort",
            "Backend",
            "CloseMode",
            "OpenState",
            "AuthLevel",
            "io::Error",
            "set_buffer_mode",
            "no equivalent",
            "not implemented",
            "server_auth",
            "client_auth",
        ],
    ),
    (
        "docs/from-rustls.md",
        &[
            "ClientConfig",
            "ServerConfig",
            "StreamOwned",
            "SslFile",
            "Context",
            "Connection",
            "RootStore",
            "CertifiedKey",
            "advertised_protocols",
            "Session",
            "AuthLevel",
            "KeyLogFile",
            "TlsError",
        ],
    ),
    (
        "docs/from-openssl.md",
        &[
            "s_client",
            "s_server",
            "ssl client",
            "ssl server",
            "SSL_CTX_",
            "Context",
            "Connection",
            "SslFile",
            "CertificateError",
            "tls_error",
            "ERR_get_error",
        ],
    ),
    (
        "docs/security.md",
        &[
            "Context",
            "AuthLevel",
            "RFC 7457",
            "require_ems",
            "enable_renegotiation",
            "dh_min_bits",
            "fallback_scsv",
            "CCM_8",
            "ticket_keys",
            "SSL stripping",
            "STARTTLS",
            "BEAST",
            "Lucky Thirteen",
            "POODLE",
            "RC4",
            "CRIME",
            "BREACH",
            "Triple Handshake",
            "FREAK",
            "Logjam",
            "SHA-1",
            "Heartbleed",
            "RFC 5746",
        ],
    ),
    (
        "docs/event-model.md",
        &[
            "Backend",
            "SslFile",
            "SslPort",
            "run_once",
            "call_out",
            "is_running",
            "Backend::main",
            "set_blocking",
            "re-entrant",
            "keeps itself alive",
            "set_read_threshold",
            "set_handshake_timeout",
            "WeakSslFile",
        ],
    ),
];

#[test]
fn every_page_exists_and_names_what_it_documents() {
    for (page, words) in PAGES {
        let text = read(page);
        let missing: Vec<&str> = words.iter().copied().filter(|w| !text.contains(w)).collect();
        assert!(missing.is_empty(), "{page} does not mention {missing:?}");
    }
}

#[test]
fn every_page_in_docs_is_listed_in_the_index() {
    let index = read("docs/README.md");
    let listed: BTreeSet<&str> = PAGES.iter().map(|(p, _)| *p).collect();
    for entry in fs::read_dir(root().join("docs")).expect("docs/ exists") {
        let name = entry.expect("directory entry").file_name().to_string_lossy().into_owned();
        if !name.ends_with(".md") || name == "README.md" {
            continue;
        }
        assert!(index.contains(&format!("]({name})")), "docs/README.md does not link to {name}");
        assert!(listed.contains(format!("docs/{name}").as_str()), "docs/{name} has no entry in PAGES of this test");
    }
}

/// The targets of the Markdown links `[text](target)` of `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn link_extraction_finds_markdown_links() {
    let t = link_targets("see [a](a.md), [b](../b.md#part) and [web](https://x.example/).");
    assert_eq!(t, vec!["a.md", "../b.md#part", "https://x.example/"]);
}

#[test]
fn relative_links_point_to_existing_files() {
    let mut pages = vec![root().join("README.md")];
    for entry in fs::read_dir(root().join("docs")).expect("docs/ exists") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut checked = 0;
    for page in &pages {
        let text = fs::read_to_string(page).expect("readable page");
        let dir = page.parent().expect("a page has a directory");
        for target in link_targets(&text) {
            if target.is_empty() || target.starts_with('#') || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let file = target.split('#').next().unwrap_or_default();
            let resolved = dir.join(file);
            assert!(resolved.exists(), "{}: the link '{target}' points to a missing file", page.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "expected the index's links at least, checked {checked}");
}

/// All Rust sources under `dir`, concatenated.
fn sources(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&fs::read_to_string(&path).expect("readable source"));
                out.push('\n');
            }
        }
    }
    out
}

/// Functions and fields the pages present as the API: each must still
/// exist (as `fn NAME` or `pub NAME:`) in ssl-core or ssl-file.
const API: &[(&str, &[&str])] = &[
    (
        "docs/event-model.md",
        &[
            "run",
            "run_once",
            "stop",
            "is_running",
            "call_out",
            "remove_call_out",
            "pending_call_outs",
            "set_blocking",
            "set_blocking_keep_callbacks",
            "set_nonblocking",
            "set_nonblocking_keep_callbacks",
            "set_read_callback",
            "set_write_callback",
            "set_close_callback",
            "set_accept_callback",
            "set_alert_callback",
            "clear_callbacks",
            "set_timeout",
            "linger",
            "set_read_threshold",
            "buffered",
            "shutdown",
            "downgrade",
            "upgrade",
            "set_handshake_timeout",
            "set_error_callback",
            "set_prepare_callback",
            "bind_with_backend",
        ],
    ),
    (
        "docs/from-pike.md",
        &[
            "with_backend",
            "connect",
            "accept",
            "session",
            "read_pike",
            "flush_output",
            "renegotiate",
            "close",
            "is_open",
            "set_backend",
            "backend",
            "set_nodelay",
            "last_error",
            "version",
            "cipher_suite",
            "alpn",
            "server_name",
            "peer_certificates",
            "peer_addr",
            "local_addr",
            "with_connection",
            "context",
            "mode",
            "is_handshake_complete",
            "shutdown_if_handshaking",
            "min_version",
            "max_version",
            "set_versions",
            "preferred_suites",
            "enable_renegotiation",
            "advertised_protocols",
            "rng",
            "clock",
            "groups",
            "key_shares",
            "signature_algorithms",
            "trusted_issuers",
            "use_cache",
            "session_lifetime",
            "session_cache",
            "ticket_keys",
            "tickets",
            "hooks",
            "trace",
            "select_context",
            "add_cert",
            "add_cert_pem",
            "from_pem_files",
            "choose",
            "all",
        ],
    ),
    (
        "docs/from-rustls.md",
        &[
            "add_pem",
            "extend",
            "export_keying_material",
            "key_update",
            "negotiated",
            "read_tls",
            "read_tls_from",
            "process_new_packets",
            "write_tls",
            "take_tls",
            "pending_tls",
            "consume_tls",
            "wants_read",
            "wants_write",
            "recv",
            "send",
            "from_env",
            "to_bytes",
            "from_bytes",
            "record_size_limit",
            "max_fragment_length",
            "require_ems",
            "psk_modes",
        ],
    ),
    (
        "docs/from-openssl.md",
        &["fallback_scsv", "padding", "dh_min_bits", "key_log", "plaintext_len", "tls_error", "alert"],
    ),
];

#[test]
fn api_names_used_by_the_pages_exist() {
    let code = sources(&root().join("crates/ssl-core/src")) + &sources(&root().join("crates/ssl-file/src"));
    for (page, names) in API {
        let text = read(page);
        for name in *names {
            let mentioned =
                [format!("`{name}"), format!("{name}("), format!(".{name}")].iter().any(|m| text.contains(m));
            assert!(mentioned, "{page} does not mention `{name}`");
            let defined =
                [format!("fn {name}("), format!("fn {name}<"), format!("pub {name}:")].iter().any(|d| code.contains(d));
            assert!(defined, "{page} documents `{name}`, which no longer exists in ssl-core or ssl-file");
        }
    }
}

/// The `--flags` of `ssl client` / `ssl server` named in `text` (OpenSSL's
/// own flags have one dash, so they are not picked up).
fn cli_flags(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for piece in text.split('`') {
        for word in piece.split(|c: char| c.is_whitespace() || c == ',' || c == '/') {
            if let Some(name) = word.strip_prefix("--")
                && name.starts_with(|c: char| c.is_ascii_lowercase())
            {
                let flag: String =
                    word.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.')).collect();
                out.insert(flag.trim_end_matches('.').to_string());
            }
        }
    }
    out
}

#[test]
fn cli_flag_extraction_ignores_openssl_flags() {
    let flags = cli_flags("| `-connect host:port` | `--servername NAME` | `--tls1.2`, `--tls1.3` |");
    assert_eq!(flags.into_iter().collect::<Vec<_>>(), vec!["--servername", "--tls1.2", "--tls1.3"]);
}

#[test]
fn ssl_command_flags_in_from_openssl_exist() {
    let page = read("docs/from-openssl.md");
    let args = read("crates/ssl-cli/src/args.rs");
    let flags = cli_flags(&page);
    assert!(flags.len() >= 15, "expected the flag tables, found {flags:?}");
    let missing: Vec<&String> = flags.iter().filter(|f| !args.contains(&format!("\"{f}\""))).collect();
    assert!(missing.is_empty(), "from-openssl.md names flags that ssl-cli does not parse: {missing:?}");
}
