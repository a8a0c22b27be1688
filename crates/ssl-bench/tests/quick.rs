//! Runs the benchmark binary briefly (`--quick`) and checks its JSON: every
//! case listed by `--list` reported, with positive numbers. No timing is
//! asserted: on a shared CI machine only the shape of the results is stable.

use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_ssl-bench");

/// Runs the binary, killing it if it takes longer than `limit`.
fn run(args: &[&str], limit: Duration) -> Output {
    let mut child =
        Command::new(EXE).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start ssl-bench");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!("ssl-bench {args:?} took longer than {limit:?}; stderr:\n{}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn cases() -> Vec<String> {
    let out = run(&["--list"], Duration::from_secs(30));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let cases: Vec<String> = text.lines().filter(|l| l.contains('/')).map(str::to_string).collect();
    assert!(cases.len() >= 15, "too few cases listed: {text}");
    cases
}

fn rows(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("the JSON file");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");
    v.as_array().expect("a JSON array").clone()
}

fn check_row(r: &Value) {
    let name = r["scenario"].as_str().expect("scenario");
    assert!(!r["unit"].as_str().expect("unit").is_empty(), "{name}: unit");
    for key in ["ours", "rustls", "ratio"] {
        let x = r[key].as_f64().unwrap_or_else(|| panic!("{name}: {key} is not a number"));
        assert!(x.is_finite() && x > 0.0, "{name}: {key} = {x}");
    }
}

#[test]
fn quick_run_reports_every_scenario_with_positive_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("bench.json");
    let out = run(&["--quick", "--json", json.to_str().expect("path")], Duration::from_secs(240));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ssl-bench failed:\n{stderr}");
    let rows = rows(&json);
    for r in &rows {
        check_row(r);
    }
    for case in cases() {
        let hits: Vec<&Value> =
            rows.iter().filter(|r| r["scenario"].as_str().is_some_and(|s| s == case || s.starts_with(&case))).collect();
        assert!(!hits.is_empty(), "no result for {case}");
    }
    // The table went to stdout, with the same rows.
    let table = String::from_utf8_lossy(&out.stdout);
    for r in &rows {
        assert!(table.contains(r["scenario"].as_str().expect("scenario")), "table lacks {}", r["scenario"]);
    }
}

#[test]
fn one_scenario_runs_alone_and_bad_arguments_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("one.json");
    let out = run(
        &["--quick", "--rounds", "1", "--scenario", "memory/idle", "--json", json.to_str().expect("path")],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows = rows(&json);
    assert_eq!(rows.len(), 3, "pair, client and server rows: {rows:?}");
    for r in &rows {
        check_row(r);
        assert!(r["scenario"].as_str().expect("scenario").starts_with("memory/idle/"));
        assert_eq!(r["rounds"], 1);
    }
    let bad = run(&["--scenario", "no-such-thing"], Duration::from_secs(30));
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(&["--rounds", "0"], Duration::from_secs(30));
    assert_eq!(bad.status.code(), Some(2));
}
