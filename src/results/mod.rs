//! Reading a results folder back (its writers are in [`crate::output`]): one typed reader per
//! table, `runs_csv`, `curves_csv` and `states_csv`, with errors that name the file, line and
//! column; the folder as a whole ([`ResultsFolder`]: stored experiment, runs, manifest); and
//! the per-group statistics. Used by `check`, `report`, `reproduce`, `compare` and the figures;
//! knows nothing of burn.

mod curves_csv;
mod runs_csv;
mod states_csv;
mod table;

pub use curves_csv::read_curves;
pub use runs_csv::{read_runs, RunRow};
pub use states_csv::{read_states, PositionStates, RunStates};

use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::spec::ExperimentFile;
use std::path::{Path, PathBuf};

pub struct ResultsFolder {
    pub dir: PathBuf,
    pub experiment: ExperimentFile,
    pub runs: Vec<RunRow>,
    pub manifest: Option<Manifest>,
}

impl ResultsFolder {
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::Other(format!(
                "{}: not a results folder (no such directory)",
                dir.display()
            )));
        }
        let manifest: Option<Manifest> = std::fs::read(dir.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        // Text-file datasets are relative to the original experiment file, recorded in the
        // manifest; the copy in the results folder stands in for its text.
        let stored = dir.join("experiment.yaml");
        let source =
            std::fs::read_to_string(&stored).map_err(|e| Error::io(&stored, "read the stored experiment", e))?;
        let origin = manifest
            .as_ref()
            .map(|m| PathBuf::from(&m.experiment_path))
            .filter(|p| p.parent().is_some_and(Path::is_dir))
            .unwrap_or_else(|| stored.clone());
        let mut experiment = ExperimentFile::from_source(&origin, source)?;
        experiment.path = origin;
        let runs = read_runs(&dir.join("runs.csv"))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            experiment,
            runs,
            manifest,
        })
    }
}

/// Statistics of one group of runs (the seeds of one configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStats {
    pub key: String,
    pub n: usize,
    pub successes: usize,
    /// 95% Wilson score interval of the success rate.
    pub wilson: (f64, f64),
    /// Over all runs; a failed or diverged run counts as an infinite loss.
    pub median_loss: f64,
    pub mean_loss: f64,
    pub sd_loss: f64,
    pub min_loss: f64,
    pub max_loss: f64,
    pub mean_accuracy: f64,
    pub min_accuracy: f64,
    pub train_seconds: f64,
}

impl GroupStats {
    pub fn success_rate(&self) -> f64 {
        self.successes as f64 / self.n.max(1) as f64
    }
}

/// 95% Wilson score interval for `k` successes out of `n`.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Median of values sorted ascending (mean of the middle two for an even count); NaN if empty.
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

pub fn group_stats(rows: &[&RunRow]) -> GroupStats {
    let n = rows.len();
    let successes = rows.iter().filter(|r| r.success).count();
    let mut losses: Vec<f64> = rows
        .iter()
        .map(|r| {
            if r.final_loss.is_finite() && r.status != "failed" {
                r.final_loss as f64
            } else {
                f64::INFINITY
            }
        })
        .collect();
    losses.sort_by(f64::total_cmp);
    let median = median_of_sorted(&losses);
    let mean = losses.iter().sum::<f64>() / n.max(1) as f64;
    let sd = if n > 1 {
        (losses.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let accs: Vec<f64> = rows
        .iter()
        .map(|r| if r.accuracy.is_finite() { r.accuracy as f64 } else { 0.0 })
        .collect();
    GroupStats {
        key: rows.first().map(|r| r.group_key()).unwrap_or_default(),
        n,
        successes,
        wilson: wilson(successes, n),
        median_loss: median,
        mean_loss: mean,
        sd_loss: sd,
        min_loss: losses.first().copied().unwrap_or(f64::NAN),
        max_loss: losses.last().copied().unwrap_or(f64::NAN),
        mean_accuracy: accs.iter().sum::<f64>() / n.max(1) as f64,
        min_accuracy: accs.iter().copied().fold(f64::INFINITY, f64::min),
        train_seconds: rows.iter().map(|r| r.train_seconds).sum(),
    }
}

/// Rows grouped by configuration, in order of first appearance.
pub fn groups(rows: &[RunRow]) -> Vec<Vec<&RunRow>> {
    let mut out: Vec<Vec<&RunRow>> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    for r in rows {
        let i = *index.entry(r.group_key()).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[i].push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_known_values() {
        // 8 of 25: 0.32, Wilson 95% [0.172, 0.516].
        let (lo, hi) = wilson(8, 25);
        assert!((lo - 0.1720).abs() < 5e-4 && (hi - 0.5159).abs() < 5e-4, "{lo} {hi}");
        let (lo, hi) = wilson(25, 25);
        assert!((lo - 0.8668).abs() < 5e-4 && (hi - 1.0).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }
}
