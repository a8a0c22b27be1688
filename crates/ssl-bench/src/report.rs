//! Results: per-round samples, their summary, the table and the JSON.

use serde_json::{Value, json};

/// Whether a bigger number is better (rates) or a smaller one (bytes, allocations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// Median and spread of the samples of several rounds.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Summary {
    pub fn of(samples: &[f64]) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        let mut v = samples.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
        Summary { median, min: v[0], max: v[n - 1], n }
    }
}

/// One line of the result table.
#[derive(Clone, Debug)]
pub struct Row {
    pub scenario: String,
    pub unit: &'static str,
    pub better: Better,
    pub ours: Summary,
    /// `None` for a measurement that is not per library (the AEAD ceiling).
    pub rustls: Option<Summary>,
    /// Free-form remarks (printed under the table, kept in the JSON).
    pub note: Option<String>,
    /// Bulk rows: the medians as a share of the raw AEAD ceiling (its best
    /// round), ours and rustls, in percent.
    pub of_ceiling: Option<(f64, f64)>,
}

impl Row {
    pub fn new(scenario: String, unit: &'static str, better: Better, ours: &[f64], rustls: &[f64]) -> Row {
        Row {
            scenario,
            unit,
            better,
            ours: Summary::of(ours),
            rustls: Some(Summary::of(rustls)),
            note: None,
            of_ceiling: None,
        }
    }

    /// `> 1` always means ours is better.
    pub fn ratio(&self) -> f64 {
        match (&self.rustls, self.better) {
            (None, _) => 1.0,
            (Some(r), Better::Higher) => self.ours.median / r.median,
            (Some(r), Better::Lower) => r.median / self.ours.median,
        }
    }

    pub fn to_json(&self) -> Value {
        let rustls = self.rustls.unwrap_or(self.ours);
        let mut v = json!({
            "scenario": self.scenario,
            "unit": self.unit,
            "ours": self.ours.median,
            "rustls": rustls.median,
            "ratio": self.ratio(),
            "higher_is_better": self.better == Better::Higher,
            "rounds": self.ours.n,
            "ours_min": self.ours.min,
            "ours_max": self.ours.max,
            "rustls_min": rustls.min,
            "rustls_max": rustls.max,
        });
        if let Some(n) = &self.note {
            v["note"] = json!(n);
        }
        if let Some((o, r)) = self.of_ceiling {
            v["ours_pct_of_ceiling"] = json!(o);
            v["rustls_pct_of_ceiling"] = json!(r);
        }
        v
    }
}

fn num(x: f64) -> String {
    let a = x.abs();
    if a >= 100_000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn cell(s: &Summary) -> String {
    format!("{} [{}–{}]", num(s.median), num(s.min), num(s.max))
}

/// The table: scenario, unit, ours median [min–max], rustls, ratio.
pub fn table(rows: &[Row]) -> String {
    let w0 = rows.iter().map(|r| r.scenario.len()).max().unwrap_or(8).max(8);
    let w1 = rows.iter().map(|r| r.unit.len()).max().unwrap_or(4).max(4);
    let ours: Vec<String> = rows.iter().map(|r| cell(&r.ours)).collect();
    let theirs: Vec<String> =
        rows.iter().map(|r| r.rustls.as_ref().map(cell).unwrap_or_else(|| "(same: machine ceiling)".into())).collect();
    let w2 = ours.iter().map(|s| s.chars().count()).max().unwrap_or(4).max(26);
    let w3 = theirs.iter().map(|s| s.chars().count()).max().unwrap_or(6).max(26);
    let mut out = String::new();
    let head = format!(
        "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {:>6}\n",
        "scenario", "unit", "ours median [min–max]", "rustls median [min–max]", "ratio"
    );
    out.push_str(&head);
    out.push_str(&"-".repeat(head.chars().count() - 1));
    out.push('\n');
    for (i, r) in rows.iter().enumerate() {
        let ratio = if r.rustls.is_some() { format!("{:.2}", r.ratio()) } else { "—".into() };
        let pad2 = w2 - ours[i].chars().count();
        let pad3 = w3 - theirs[i].chars().count();
        out.push_str(&format!(
            "{:<w0$}  {:<w1$}  {}{}  {}{}  {:>6}\n",
            r.scenario,
            r.unit,
            ours[i],
            " ".repeat(pad2),
            theirs[i],
            " ".repeat(pad3),
            ratio
        ));
    }
    let notes: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let mut parts = Vec::new();
            if let Some((o, t)) = r.of_ceiling {
                parts.push(format!("ours = {o:.1} % of ceiling, rustls = {t:.1} % of ceiling (best AEAD round)"));
            }
            if let Some(n) = &r.note {
                parts.push(n.clone());
            }
            (!parts.is_empty()).then(|| format!("  {}: {}", r.scenario, parts.join("; ")))
        })
        .collect();
    if !notes.is_empty() {
        out.push_str("\nnotes (ratio > 1 means ours is better):\n");
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_spread() {
        let s = Summary::of(&[3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        let s = Summary::of(&[4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn ratio_direction() {
        let r = Row::new("x".into(), "MiB/s", Better::Higher, &[200.0], &[100.0]);
        assert_eq!(r.ratio(), 2.0);
        let r = Row::new("x".into(), "bytes", Better::Lower, &[200.0], &[100.0]);
        assert_eq!(r.ratio(), 0.5);
    }
}
