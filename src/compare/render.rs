//! The comparison as text: aligned terminal tables (whose cells the report's markdown and HTML
//! reuse) and the per-run CSV of `compare --csv`.

use super::{max_diff, Comparison, GroupComparison, Pair, RunSide, Side};
use crate::record::RunStatus;

/// A difference for tables: `-` when there is none, `0`, `NaN`, or three significant digits.
pub fn fmt_diff(x: Option<f64>) -> String {
    match x {
        None => "-".into(),
        Some(x) if x.is_nan() => "NaN".into(),
        Some(0.0) => "0".into(),
        Some(x) => format!("{x:.2e}"),
    }
}

fn fmt_loss(s: &Option<RunSide>) -> String {
    match s {
        None => "missing".into(),
        Some(s) if s.status == RunStatus::Failed => "failed".into(),
        Some(s) => crate::stats::fmt_loss(s.final_loss as f64),
    }
}

fn fmt_success(s: &Option<RunSide>) -> &'static str {
    match s {
        None => "missing",
        Some(s) if s.status == RunStatus::Failed => "failed",
        Some(s) if s.success => "yes",
        Some(_) => "no",
    }
}

/// One side of a pair.
type PickSide = fn(&Pair) -> Option<&RunSide>;

/// A table as header and rows of cells, shared by the terminal, markdown and HTML renderers.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Columns aligned with spaces; the first `left` columns left-aligned, the rest right.
    pub fn render_text(&self, left: usize) -> String {
        let n = self.header.len();
        let width: Vec<usize> = (0..n)
            .map(|c| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|r| r[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut s = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let cells: Vec<String> = (0..n)
                .map(|c| {
                    if c < left {
                        format!("{:<w$}", row[c], w = width[c])
                    } else {
                        format!("{:>w$}", row[c], w = width[c])
                    }
                })
                .collect();
            s.push_str(cells.join("  ").trim_end());
            s.push('\n');
        }
        s
    }
}

impl Comparison {
    /// Pairs by state: (both trained, some run failed, some run diverged, missing on one side).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |s: &[&str]| self.pairs.iter().filter(|p| s.contains(&p.state())).count();
        (
            n(&["ok"]),
            n(&["failed"]),
            n(&["diverged"]),
            n(&["missing_a", "missing_b"]),
        )
    }

    pub fn max_loss_diff(&self) -> Option<f64> {
        self.pairs.iter().fold(None, |m, p| max_diff(m, p.loss_diff))
    }

    pub fn max_prob_diff(&self) -> Option<f64> {
        self.pairs.iter().fold(None, |m, p| max_diff(m, p.prob_diff))
    }

    /// Sentences summarising the comparison (no trailing newlines).
    pub fn summary(&self) -> Vec<String> {
        let (ok, failed, diverged, missing) = self.counts();
        let mut lines = vec![format!(
            "{} pairs of runs that differ only in {}: {ok} with both runs trained, {failed} with a failed run, {diverged} with a diverged run, {missing} missing on one side",
            self.pairs.len(),
            if self.within { "the device" } else { "the results folder" },
        )];
        let values = self.pairs.iter().map(|p| p.prob_values).max().unwrap_or(0);
        let total = |f: fn(&GroupComparison) -> usize| self.groups.iter().map(f).sum::<usize>();
        lines.push(format!(
            "successes: {} {} of {}, {} {} of {}",
            self.a.label,
            total(|g| g.successes_a),
            total(|g| g.runs_a),
            self.b.label,
            total(|g| g.successes_b),
            total(|g| g.runs_b),
        ));
        if ok + diverged == 0 {
            lines.push("no pair has both runs trained: nothing to measure".into());
        } else {
            lines.push(format!(
                "largest final-loss difference {}, largest probability difference {} (over up to {values} stored probabilities per run)",
                fmt_diff(self.max_loss_diff()),
                fmt_diff(self.max_prob_diff())
            ));
            let changed = self
                .groups
                .iter()
                .filter(|g| g.change().is_some_and(|d| d != 0))
                .count();
            let compared = self.groups.iter().filter(|g| g.change().is_some()).count();
            lines.push(format!(
                "over the pairs with both runs trained: {changed} of {compared} groups changed their success count, {} runs changed success",
                total(|g| g.flips)
            ));
        }
        let sides: [(&String, PickSide); 2] = [(&self.a.label, |p| p.a.as_ref()), (&self.b.label, |p| p.b.as_ref())];
        for (label, pick) in sides {
            let failed: Vec<&RunSide> = self
                .pairs
                .iter()
                .filter_map(pick)
                .filter(|s| s.status == RunStatus::Failed)
                .collect();
            if let Some(first) = failed.first() {
                lines.push(format!(
                    "{label}: {} runs failed ({})",
                    failed.len(),
                    if first.error.is_empty() {
                        "no reason recorded"
                    } else {
                        &first.error
                    }
                ));
            }
        }
        let missing_in = |f: fn(&Pair) -> bool| self.pairs.iter().filter(|p| f(p)).count();
        for (label, other, n) in [
            (&self.a.label, &self.b.label, missing_in(|p| p.a.is_none())),
            (&self.b.label, &self.a.label, missing_in(|p| p.b.is_none())),
        ] {
            if n > 0 {
                lines.push(format!("{label}: {n} runs of {other} have no counterpart"));
            }
        }
        lines
    }

    /// One row per group: pairs, success counts on each side, whether they changed.
    pub fn group_table(&self) -> Table {
        let (a, b) = (&self.a.label, &self.b.label);
        let header = vec![
            "group".to_string(),
            "pairs".into(),
            format!("successes {a}"),
            format!("successes {b}"),
            "changed".into(),
            "runs changed".into(),
            "max loss diff".into(),
            "max prob diff".into(),
            "notes".into(),
        ];
        let rows = self
            .groups
            .iter()
            .map(|g| {
                let mut notes = Vec::new();
                for (label, runs, failed, diverged) in [
                    (a, g.runs_a, g.failed_a, g.diverged_a),
                    (b, g.runs_b, g.failed_b, g.diverged_b),
                ] {
                    if failed > 0 {
                        notes.push(format!("{failed} failed on {label}"));
                    }
                    if diverged > 0 {
                        notes.push(format!("{diverged} diverged on {label}"));
                    }
                    if runs < g.pairs {
                        notes.push(format!("{} missing on {label}", g.pairs - runs));
                    }
                }
                vec![
                    g.key.clone(),
                    g.pairs.to_string(),
                    format!("{}/{}", g.successes_a, g.runs_a),
                    format!("{}/{}", g.successes_b, g.runs_b),
                    match g.change() {
                        None => "-".into(),
                        Some(0) => "no".into(),
                        Some(d) => format!("yes ({d:+})"),
                    },
                    g.flips.to_string(),
                    fmt_diff(g.max_loss_diff),
                    fmt_diff(g.max_prob_diff),
                    notes.join(", "),
                ]
            })
            .collect();
        Table { header, rows }
    }

    /// The pairs with the largest differences (probability first, then final loss), at most `n`.
    pub fn top_pairs(&self, n: usize) -> Vec<&Pair> {
        let mut ranked: Vec<&Pair> = self
            .pairs
            .iter()
            .filter(|p| p.prob_diff.is_some() || p.loss_diff.is_some())
            .collect();
        let rank = |x: Option<f64>| x.map(|x| if x.is_nan() { f64::INFINITY } else { x }).unwrap_or(-1.0);
        ranked.sort_by(|p, q| {
            rank(q.prob_diff)
                .total_cmp(&rank(p.prob_diff))
                .then(rank(q.loss_diff).total_cmp(&rank(p.loss_diff)))
        });
        ranked.truncate(n);
        ranked
    }

    pub fn top_table(&self, n: usize) -> Table {
        let (a, b) = (&self.a.label, &self.b.label);
        let header = vec![
            "group".to_string(),
            "seed".into(),
            format!("run {a}"),
            format!("run {b}"),
            format!("loss {a}"),
            format!("loss {b}"),
            "loss diff".into(),
            "prob diff".into(),
            format!("success {a}"),
            format!("success {b}"),
        ];
        let id = |s: &Option<RunSide>| s.as_ref().map(|s| s.run_id.clone()).unwrap_or_else(|| "-".into());
        let rows = self
            .top_pairs(n)
            .into_iter()
            .map(|p| {
                vec![
                    p.group.clone(),
                    p.seed.to_string(),
                    id(&p.a),
                    id(&p.b),
                    fmt_loss(&p.a),
                    fmt_loss(&p.b),
                    fmt_diff(p.loss_diff),
                    fmt_diff(p.prob_diff),
                    fmt_success(&p.a).into(),
                    fmt_success(&p.b).into(),
                ]
            })
            .collect();
        Table { header, rows }
    }

    /// The terminal rendering `sweeplab compare` prints.
    pub fn render_text(&self, top: usize) -> String {
        let mut s = if self.within {
            format!(
                "compare {} ({}): {} vs {}\n",
                self.experiment,
                self.a.dir.display(),
                self.a.label,
                self.b.label
            )
        } else {
            let side = |s: &Side| format!("{} = {} ({})", s.label, s.dir.display(), s.devices.join(", "));
            format!("compare {}: {} vs {}\n", self.experiment, side(&self.a), side(&self.b))
        };
        for line in self.summary() {
            s.push_str(&line);
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.group_table().render_text(1));
        let table = self.top_table(top);
        if top > 0 && !table.rows.is_empty() {
            s.push_str(&format!(
                "\nlargest differences per run ({} of {} pairs, by probability, then final loss):\n",
                table.rows.len(),
                self.pairs.len()
            ));
            s.push_str(&table.render_text(1));
        }
        s
    }
}

/// Column names of the per-run CSV `compare --csv` writes.
pub const CSV_COLUMNS: [&str; 27] = [
    "side_a",
    "side_b",
    "group",
    "dataset",
    "cell",
    "hidden",
    "lr",
    "epochs",
    "head",
    "init",
    "seed",
    "device_a",
    "device_b",
    "run_id_a",
    "run_id_b",
    "status_a",
    "status_b",
    "final_loss_a",
    "final_loss_b",
    "final_loss_diff",
    "max_prob_diff",
    "prob_values",
    "success_a",
    "success_b",
    "success_changed",
    "pair",
    "error",
];

/// The per-run comparison as CSV (every comparison's pairs, one row each). Differences are
/// written with full precision (shortest text that reads back to the same f64); empty when
/// there is none.
pub fn write_csv(comparisons: &[Comparison], out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    let diff = |x: Option<f64>| match x {
        None => String::new(),
        Some(x) if x.is_nan() => "NaN".into(),
        Some(0.0) => "0".into(),
        Some(x) => format!("{x:e}"),
    };
    for c in comparisons {
        for p in &c.pairs {
            let get = |s: &Option<RunSide>, f: fn(&RunSide) -> String| s.as_ref().map(f).unwrap_or_default();
            let status = |s: &Option<RunSide>| s.as_ref().map_or("missing", |s| s.status.name()).to_string();
            let error = [&p.a, &p.b]
                .into_iter()
                .flatten()
                .map(|s| s.error.as_str())
                .find(|e| !e.is_empty())
                .unwrap_or("");
            w.write_record([
                c.a.label.clone(),
                c.b.label.clone(),
                p.group.clone(),
                p.dataset.clone(),
                p.cell.clone(),
                p.hidden.clone(),
                p.lr.clone(),
                p.epochs.clone(),
                p.head.clone(),
                p.init.clone(),
                p.seed.to_string(),
                get(&p.a, |s| s.device.clone()),
                get(&p.b, |s| s.device.clone()),
                get(&p.a, |s| s.run_id.clone()),
                get(&p.b, |s| s.run_id.clone()),
                status(&p.a),
                status(&p.b),
                get(&p.a, |s| crate::folder::fmt_f32(s.final_loss)),
                get(&p.b, |s| crate::folder::fmt_f32(s.final_loss)),
                diff(p.loss_diff),
                diff(p.prob_diff),
                p.prob_values.to_string(),
                get(&p.a, |s| s.success.to_string()),
                get(&p.b, |s| s.success.to_string()),
                p.success_changed().to_string(),
                p.state().to_string(),
                error.to_string(),
            ])?;
        }
    }
    w.flush()
}
