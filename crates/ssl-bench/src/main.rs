//! `ssl-bench`: our TLS implementation (ssl-core, ssl-file) and rustls 0.23
//! (ring provider) measured side by side in one process.
//!
//! ```text
//! ssl-bench [--quick] [--scenario NAME]... [--rounds N] [--json FILE] [--list] [--batch-kib N]
//! ```
//!
//! Every case runs ours and rustls alternately (the order flips every
//! round) for several rounds and reports the median and the min–max
//! spread. `ratio > 1` always means ours is better: ours/rustls for rates,
//! rustls/ours for bytes and allocation counts. Both libraries get the
//! same work: the same suite, group, certificate and key, record size and
//! trust anchor (a CA made with rcgen), and both verify the server's
//! certificate. How each scenario is measured is documented in its module.

mod aead;
mod alloc;
mod bulk;
mod engine;
mod handshake;
mod memory;
mod pki;
mod report;
mod tcp;

use pki::{Bulk, KeyKind, Pki, Resume, Setup, Version};
use report::{Better, Row};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tcp::Tcp;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Sizes and durations of one run.
#[derive(Clone, Debug)]
struct Params {
    quick: bool,
    rounds: usize,
    aead_bytes: usize,
    bulk_bytes: usize,
    batch_bytes: usize,
    hs_budget: Duration,
    hs_min: usize,
    mem_pairs: usize,
    mem_peak_runs: usize,
    tcp_bytes: usize,
    tcp_clients: usize,
    tcp_budget: Duration,
    tcp_min: usize,
}

const MIB: usize = 1024 * 1024;

impl Params {
    fn full() -> Params {
        Params {
            quick: false,
            rounds: 5,
            aead_bytes: 512 * MIB,
            bulk_bytes: 512 * MIB,
            batch_bytes: MIB,
            hs_budget: Duration::from_millis(1000),
            hs_min: 20,
            mem_pairs: 1000,
            mem_peak_runs: 20,
            tcp_bytes: 256 * MIB,
            tcp_clients: 64,
            tcp_budget: Duration::from_secs(2),
            tcp_min: 128,
        }
    }

    /// Seconds in all, for CI (no timing is asserted anywhere).
    fn quick() -> Params {
        Params {
            quick: true,
            rounds: 2,
            aead_bytes: 4 * MIB,
            bulk_bytes: 4 * MIB,
            batch_bytes: MIB / 2,
            hs_budget: Duration::ZERO,
            hs_min: 10,
            mem_pairs: 50,
            mem_peak_runs: 2,
            tcp_bytes: 4 * MIB,
            tcp_clients: 64,
            tcp_budget: Duration::ZERO,
            tcp_min: 128,
        }
    }
}

/// The runnable cases, `group/case`.
const CASES: &[&str] = &[
    "aead/aes128gcm",
    "aead/aes256gcm",
    "aead/chacha20poly1305",
    "bulk/tls13-aes128gcm",
    "bulk/tls13-aes256gcm",
    "bulk/tls13-chacha20poly1305",
    "bulk/tls12-ecdhe-rsa-aes128gcm",
    "handshake/tls13-ecdsa-p256-x25519",
    "handshake/tls13-rsa2048-x25519",
    "handshake/tls12-ecdhe-ecdsa-p256-x25519",
    "resume/tls13-ticket",
    "resume/tls12-session-id",
    "resume/tls12-ticket",
    "memory/idle",
    "memory/idle-after-data",
    "memory/handshake",
    "tcp/throughput",
    "tcp/handshakes",
];

/// Runs ours (`run(true)`) and rustls (`run(false)`) alternately, `rounds`
/// times each, ours first in even rounds.
fn alternate<T>(rounds: usize, mut run: impl FnMut(bool) -> T) -> (Vec<T>, Vec<T>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..rounds {
        for ours in [r % 2 == 0, r % 2 != 0] {
            let x = run(ours);
            if ours { a.push(x) } else { b.push(x) }
        }
    }
    (a, b)
}

/// `alternate` over the same expression for both libraries: `lib` is bound
/// to `$ours` (our contexts) or `$theirs` (the rustls configurations).
macro_rules! both {
    ($rounds:expr, $ours:expr, $theirs:expr, |$lib:ident| $body:expr) => {
        alternate($rounds, |ours| {
            if ours {
                let $lib = &$ours;
                $body
            } else {
                let $lib = &$theirs;
                $body
            }
        })
    };
}

fn col<T>(v: &[T], f: impl Fn(&T) -> f64) -> Vec<f64> {
    v.iter().map(f).collect()
}

fn bulk_cipher(name: &str) -> Bulk {
    if name.contains("aes128") {
        Bulk::Aes128Gcm
    } else if name.contains("aes256") {
        Bulk::Aes256Gcm
    } else {
        Bulk::Chacha20Poly1305
    }
}

struct Runner {
    p: Params,
    pki: Pki,
    rows: Vec<Row>,
    /// Best-round seal/open MiB/s per cipher, once the aead cases ran.
    ceiling: HashMap<&'static str, (f64, f64)>,
    batch: Option<bulk::Batch>,
}

fn cipher_key(b: Bulk) -> &'static str {
    match b {
        Bulk::Aes128Gcm => "aes128gcm",
        Bulk::Aes256Gcm => "aes256gcm",
        Bulk::Chacha20Poly1305 => "chacha20poly1305",
    }
}

impl Runner {
    fn row(&mut self, name: String, unit: &'static str, better: Better, ours: Vec<f64>, theirs: Vec<f64>) -> &mut Row {
        assert!(ours.iter().chain(&theirs).all(|x| x.is_finite() && *x > 0.0), "{name}: a non-positive result");
        self.rows.push(Row::new(name, unit, better, &ours, &theirs));
        self.rows.last_mut().expect("row")
    }

    fn run(&mut self, case: &str) {
        let (group, rest) = case.split_once('/').expect("group/case");
        let rounds = self.p.rounds;
        match group {
            "aead" => {
                let b = bulk_cipher(rest);
                let r: Vec<(f64, f64)> = (0..rounds).map(|_| aead::ceiling(b, self.p.aead_bytes)).collect();
                let (seal, open) = (col(&r, |x| x.0), col(&r, |x| x.1));
                let note = "machine ceiling: ring LessSafeKey on 16 KiB buffers, one core (both libraries use ring)";
                for (what, v) in [("seal", seal.clone()), ("open", open.clone())] {
                    let mut row = Row::new(format!("{case}/{what}"), "MiB/s", Better::Higher, &v, &v);
                    row.rustls = None;
                    row.note = Some(note.into());
                    self.rows.push(row);
                }
                // A ceiling: the best round (the others lost time to other load).
                let best = |v: &[f64]| report::Summary::of(v).max;
                self.ceiling.insert(cipher_key(b), (best(&seal), best(&open)));
            }
            "bulk" => {
                let b = bulk_cipher(rest);
                let setup = match rest {
                    r if r.starts_with("tls12") => Setup::new(Version::Tls12, KeyKind::Rsa2048, b),
                    _ => Setup::new(Version::Tls13, KeyKind::EcdsaP256, b),
                };
                let (o, t) = (setup.ours(&self.pki), setup.rustls(&self.pki));
                let batch = self.batch.get_or_insert_with(|| bulk::Batch::new(self.p.batch_bytes));
                let total = self.p.bulk_bytes;
                let (ours, theirs) = both!(rounds, o, t, |lib| bulk::round(lib, total, batch));
                for (a, b) in ours.iter().zip(&theirs) {
                    assert_eq!(a.record_wire, b.record_wire, "{case}: the libraries frame records differently");
                }
                let ceiling = self.ceiling.get(cipher_key(b)).copied();
                let wire = ours[0].record_wire;
                for (what, idx) in [("send", 0), ("recv", 1)] {
                    let f = |r: &bulk::BulkRound| if idx == 0 { r.send_mib_s } else { r.recv_mib_s };
                    let row =
                        self.row(format!("{case}/{what}"), "MiB/s", Better::Higher, col(&ours, f), col(&theirs, f));
                    row.note = Some(format!("{} B on the wire per 16 KiB record", wire));
                    if let Some((seal, open)) = ceiling {
                        let c = if idx == 0 { seal } else { open };
                        let rustls = row.rustls.expect("rustls").median;
                        row.of_ceiling = Some((100.0 * row.ours.median / c, 100.0 * rustls / c));
                    }
                }
            }
            "handshake" | "resume" => {
                let setup = match rest {
                    "tls13-ecdsa-p256-x25519" => Setup::new(Version::Tls13, KeyKind::EcdsaP256, Bulk::Aes128Gcm),
                    "tls13-rsa2048-x25519" => Setup::new(Version::Tls13, KeyKind::Rsa2048, Bulk::Aes128Gcm),
                    "tls12-ecdhe-ecdsa-p256-x25519" => Setup::new(Version::Tls12, KeyKind::EcdsaP256, Bulk::Aes128Gcm),
                    "tls13-ticket" => {
                        Setup::new(Version::Tls13, KeyKind::EcdsaP256, Bulk::Aes128Gcm).resume(Resume::Tls13Ticket)
                    }
                    "tls12-session-id" => {
                        Setup::new(Version::Tls12, KeyKind::EcdsaP256, Bulk::Aes128Gcm).resume(Resume::Tls12SessionId)
                    }
                    "tls12-ticket" => {
                        Setup::new(Version::Tls12, KeyKind::EcdsaP256, Bulk::Aes128Gcm).resume(Resume::Tls12Ticket)
                    }
                    other => panic!("unknown case {other}"),
                };
                let resumed = group == "resume";
                let (budget, min) = (self.p.hs_budget, self.p.hs_min);
                let (o, t) = (setup.ours(&self.pki), setup.rustls(&self.pki));
                let (ours, theirs) = both!(rounds, o, t, |lib| handshake::round(lib, budget, min, resumed));
                let f = |r: &handshake::HsRound| r.client_per_s;
                self.row(format!("{case}/client"), "hs/s", Better::Higher, col(&ours, f), col(&theirs, f));
                let f = |r: &handshake::HsRound| r.server_per_s;
                self.row(format!("{case}/server"), "hs/s", Better::Higher, col(&ours, f), col(&theirs, f));
            }
            "memory" => {
                let setup = Setup::new(Version::Tls13, KeyKind::EcdsaP256, Bulk::Aes128Gcm);
                let (o, t) = (setup.ours(&self.pki), setup.rustls(&self.pki));
                let n = self.p.mem_pairs;
                match rest {
                    "idle" | "idle-after-data" => {
                        let data = rest == "idle-after-data";
                        let (ours, theirs) = both!(rounds, o, t, |lib| memory::idle(lib, n, data));
                        let f = |r: &memory::Idle| r.client + r.server;
                        let row = self.row(
                            format!("{case}/pair"),
                            "bytes/conn",
                            Better::Lower,
                            col(&ours, f),
                            col(&theirs, f),
                        );
                        row.note = Some(format!(
                            "{n} idle TLS 1.3 pairs held{}; bytes per client+server pair",
                            if data { " after one 16 KiB record each way" } else { "" }
                        ));
                        let f = |r: &memory::Idle| r.client;
                        self.row(format!("{case}/client"), "bytes/conn", Better::Lower, col(&ours, f), col(&theirs, f));
                        let f = |r: &memory::Idle| r.server;
                        self.row(format!("{case}/server"), "bytes/conn", Better::Lower, col(&ours, f), col(&theirs, f));
                    }
                    "handshake" => {
                        let runs = self.p.mem_peak_runs.max(1) * rounds;
                        let (ours, theirs) = both!(runs, o, t, |lib| memory::handshake_peak(lib));
                        let f = |r: &memory::Peak| r.peak_bytes;
                        let row =
                            self.row(format!("{case}/peak"), "bytes", Better::Lower, col(&ours, f), col(&theirs, f));
                        row.note = Some(format!(
                            "peak heap above the start during one TLS 1.3 handshake, client and server together \
                             (median of {runs} handshakes)"
                        ));
                        let f = |r: &memory::Peak| r.allocs;
                        let row =
                            self.row(format!("{case}/allocs"), "allocs", Better::Lower, col(&ours, f), col(&theirs, f));
                        row.note = Some("allocation calls for one handshake, client and server together".into());
                    }
                    other => panic!("unknown case {other}"),
                }
            }
            "tcp" => {
                let setup = Setup::new(Version::Tls13, KeyKind::EcdsaP256, Bulk::Aes128Gcm);
                let (o, t) = (setup.ours(&self.pki), setup.rustls(&self.pki));
                match rest {
                    "throughput" => {
                        let total = self.p.tcp_bytes;
                        let (ours, theirs) = both!(rounds, o, t, |lib| lib.throughput(total));
                        let row = self.row(case.to_string(), "MiB/s", Better::Higher, ours, theirs);
                        row.note = Some(format!(
                            "{} MiB over one loopback connection, 16 KiB writes, writer and reader threads; \
                             ours SslFile (blocking) / rustls StreamOwned",
                            total / MIB
                        ));
                    }
                    "handshakes" => {
                        let (c, budget, min) = (self.p.tcp_clients, self.p.tcp_budget, self.p.tcp_min);
                        let (ours, theirs) = both!(rounds, o, t, |lib| lib.handshakes(c, budget, min));
                        let name = format!("{case}-{c}");
                        let f = |r: &tcp::TcpHandshakes| r.per_s;
                        let row = self.row(name.clone(), "hs/s", Better::Higher, col(&ours, f), col(&theirs, f));
                        row.note = Some(format!(
                            "{c} concurrent clients (one mio thread) against one server thread (ours: SslPort \
                             accept callback on a Backend; rustls: mio loop); TLS 1.3 x25519 ECDSA P-256"
                        ));
                        let per_cpu = |count: usize, cpu: Option<Duration>| {
                            cpu.map(|d| count as f64 / d.as_secs_f64().max(0.01)).unwrap_or(f64::NAN)
                        };
                        let so = col(&ours, |r| per_cpu(r.count, r.server_cpu));
                        let st = col(&theirs, |r| per_cpu(r.count, r.server_cpu));
                        let co = col(&ours, |r| per_cpu(r.count, r.client_cpu));
                        let ct = col(&theirs, |r| per_cpu(r.count, r.client_cpu));
                        if so.iter().chain(&st).chain(&co).chain(&ct).all(|x| x.is_finite()) {
                            let row = self.row(format!("{name}/server-cpu"), "hs/cpu-s", Better::Higher, so, st);
                            row.note = Some("handshakes per CPU-second of the server thread (10 ms ticks)".into());
                            let row = self.row(format!("{name}/client-cpu"), "hs/cpu-s", Better::Higher, co, ct);
                            row.note = Some("handshakes per CPU-second of the client thread (10 ms ticks)".into());
                        }
                    }
                    other => panic!("unknown case {other}"),
                }
            }
            other => panic!("unknown group {other}"),
        }
    }
}

struct Cli {
    quick: bool,
    scenarios: Vec<String>,
    rounds: Option<usize>,
    json: Option<String>,
    list: bool,
    batch_kib: Option<usize>,
}

const USAGE: &str =
    "usage: ssl-bench [--quick] [--scenario NAME]... [--rounds N] [--json FILE] [--list] [--batch-kib N]
  --quick          everything briefly (seconds; for CI, asserts no timing)
  --scenario NAME  run a group (aead, bulk, handshake, resume, memory, tcp) or one case (see --list); repeatable
  --rounds N       rounds per case (default 5, quick 2)
  --json FILE      also write the results as a JSON array
  --batch-kib N    bulk: ciphertext prepared per batch (default 1024 KiB: stays in cache)
  --list           list the groups and cases";

fn parse_args() -> Result<Cli, String> {
    let mut cli = Cli { quick: false, scenarios: Vec::new(), rounds: None, json: None, list: false, batch_kib: None };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => cli.quick = true,
            "--list" => cli.list = true,
            "--scenario" => cli.scenarios.push(args.next().ok_or("--scenario needs a name")?),
            "--rounds" => {
                let n: usize = args.next().ok_or("--rounds needs a number")?.parse().map_err(|e| format!("{e}"))?;
                if n == 0 {
                    return Err("--rounds must be at least 1".into());
                }
                cli.rounds = Some(n);
            }
            "--json" => cli.json = Some(args.next().ok_or("--json needs a file")?),
            "--batch-kib" => {
                let n: usize = args.next().ok_or("--batch-kib needs a number")?.parse().map_err(|e| format!("{e}"))?;
                if n < 16 {
                    return Err("--batch-kib must be at least 16".into());
                }
                cli.batch_kib = Some(n);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(cli)
}

fn selected(cli: &Cli) -> Result<Vec<&'static str>, String> {
    if cli.scenarios.is_empty() {
        return Ok(CASES.to_vec());
    }
    let mut out = Vec::new();
    for s in &cli.scenarios {
        let s = s.trim_end_matches('/');
        let hits: Vec<&str> = CASES.iter().copied().filter(|c| *c == s || c.starts_with(&format!("{s}/"))).collect();
        if hits.is_empty() {
            return Err(format!("no scenario {s} (see --list)"));
        }
        for h in hits {
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    // The AEAD ceiling first, so bulk rows can be read against it.
    out.sort_by_key(|c| CASES.iter().position(|x| x == c));
    Ok(out)
}

fn main() {
    let cli = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("ssl-bench: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    if cli.list {
        let mut groups: Vec<&str> = CASES.iter().map(|c| c.split('/').next().unwrap_or(c)).collect();
        groups.dedup();
        println!("groups: {}", groups.join(" "));
        for c in CASES {
            println!("{c}");
        }
        return;
    }
    let cases = match selected(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ssl-bench: {e}");
            std::process::exit(2);
        }
    };
    let mut p = if cli.quick { Params::quick() } else { Params::full() };
    if let Some(r) = cli.rounds {
        p.rounds = r;
    }
    if let Some(k) = cli.batch_kib {
        p.batch_bytes = k * 1024;
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    eprintln!(
        "ssl-bench: {} mode, {} rounds, {cpus} CPUs, load average {}",
        if p.quick { "quick" } else { "full" },
        p.rounds,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let mut runner = Runner { p, pki: Pki::new(), rows: Vec::new(), ceiling: HashMap::new(), batch: None };
    let all = Instant::now();
    for case in &cases {
        let t = Instant::now();
        eprint!("  {case} ... ");
        runner.run(case);
        eprintln!("{:.1} s", t.elapsed().as_secs_f64());
    }
    runner.batch = None;
    eprintln!("done in {:.1} s\n", all.elapsed().as_secs_f64());
    print!("{}", report::table(&runner.rows));
    if let Some(path) = &cli.json {
        let v = serde_json::Value::Array(runner.rows.iter().map(Row::to_json).collect());
        let text = serde_json::to_string_pretty(&v).expect("JSON");
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("ssl-bench: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}
