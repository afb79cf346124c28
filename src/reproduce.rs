//! `sweeplab reproduce`: retrains runs of a results folder from its stored experiment and
//! compares them with what `runs.csv` and `curves.csv` say. On the same machine and backend the
//! numbers must be bit-identical; any difference means non-determinism or an edited result.

use crate::error::{Error, Result};
use crate::folder::{read_curves, ResultsFolder, CURVES_CSV};
use crate::plan::{self, Plan};
use crate::record::RunStatus;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Comparison {
    pub run_id: String,
    pub stored_loss: f32,
    pub retrained_loss: f32,
    /// Largest absolute difference over final loss and every epoch of the curve.
    pub max_diff: f64,
    pub identical: bool,
}

/// Evenly spaced choice of `k` of `n` indices (deterministic, covers the whole grid).
pub fn sample(n: usize, k: usize) -> Vec<usize> {
    if k >= n {
        return (0..n).collect();
    }
    let mut out: Vec<usize> = (0..k).map(|i| i * n / k).collect();
    out.dedup();
    out
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Retrains `runs` (all trained runs, or `k` of them) and compares.
pub fn reproduce(
    folder: &ResultsFolder,
    k: Option<usize>,
    on_group: &mut dyn FnMut(&str, usize),
) -> Result<Vec<Comparison>> {
    let plan: Plan = plan::build(&folder.experiment)?;
    let curves = read_curves(&folder.dir.join(CURVES_CSV))?;
    let trained: Vec<_> = folder.runs.iter().filter(|r| r.status != RunStatus::Failed).collect();
    let chosen: Vec<_> = sample(trained.len(), k.unwrap_or(trained.len()))
        .into_iter()
        .map(|i| trained[i])
        .collect();
    let index_of: HashMap<&str, usize> = plan.runs.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    // Runs to retrain, by group, in plan order.
    let mut by_group: Vec<Vec<usize>> = vec![Vec::new(); plan.groups.len()];
    for row in &chosen {
        let &i = index_of.get(row.run_id.as_str()).ok_or_else(|| {
            Error::Other(format!(
                "run {} of runs.csv is not in the experiment's plan: the stored experiment or its data changed",
                row.run_id
            ))
        })?;
        by_group[plan.runs[i].group].push(i);
    }
    let stored: HashMap<&str, f32> = chosen.iter().map(|r| (r.run_id.as_str(), r.final_loss)).collect();
    let mut out = Vec::new();
    for (g, pending) in by_group.iter().enumerate() {
        if pending.is_empty() {
            continue;
        }
        let group = &plan.groups[g];
        on_group(&group.label(), pending.len());
        for record in crate::schedule::train_runs(&plan, group, pending, &mut |_| {}) {
            let id = record.spec.id.clone();
            let stored_loss = stored[id.as_str()];
            let stored_curve = curves.get(&id).cloned().unwrap_or_default();
            let mut identical = same(stored_loss, record.final_loss) && stored_curve.len() == record.curve.len();
            let mut max_diff = (stored_loss as f64 - record.final_loss as f64).abs();
            for (a, b) in stored_curve.iter().zip(&record.curve) {
                identical &= same(*a, *b);
                let d = (*a as f64 - *b as f64).abs();
                if d.is_finite() {
                    max_diff = max_diff.max(d);
                }
            }
            if !max_diff.is_finite() {
                max_diff = if identical { 0.0 } else { f64::INFINITY };
            }
            out.push(Comparison {
                run_id: id,
                stored_loss,
                retrained_loss: record.final_loss,
                max_diff,
                identical,
            });
        }
    }
    Ok(out)
}
