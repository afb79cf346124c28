//! Reading a results folder back: the stored experiment, `runs.csv` as typed rows, and the
//! manifest. Used by `check`, `report` and `reproduce`; knows nothing of burn.

use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::spec::ExperimentFile;
use std::path::{Path, PathBuf};

/// One row of `runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub run_id: String,
    pub group: usize,
    pub dataset: String,
    pub cell: String,
    pub hidden: String,
    pub seed: u64,
    pub device: String,
    pub epochs: String,
    pub lr: String,
    pub head: String,
    /// `sweeplab` when the column is absent (tables written before `init` existed).
    pub init: String,
    pub final_loss: f32,
    pub accuracy: f32,
    pub success: bool,
    pub train_seconds: f64,
    pub status: String,
}

impl RunRow {
    /// Everything but the seed: rows with equal keys are one group, across results folders.
    pub fn group_key(&self) -> String {
        let key = format!(
            "{} {}({}) head={} lr={} epochs={} on {}",
            self.dataset, self.cell, self.hidden, self.head, self.lr, self.epochs, self.device
        );
        match self.init.as_str() {
            "sweeplab" => key,
            init => format!("{key} init={init}"),
        }
    }

    /// The value of a swept parameter column, for `where` selectors.
    pub fn param(&self, name: &str) -> Option<String> {
        Some(match name {
            "dataset" => self.dataset.clone(),
            "cell" => self.cell.clone(),
            "hidden" => self.hidden.clone(),
            "device" => self.device.clone(),
            "lr" => self.lr.clone(),
            "epochs" => self.epochs.clone(),
            "head" => self.head.clone(),
            "init" => self.init.clone(),
            "seed" => self.seed.to_string(),
            _ => return None,
        })
    }
}

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

/// The runs.csv columns the readers need, in the order `read_runs` indexes them.
const READ_COLUMNS: [&str; 15] = [
    "run_id",
    "group",
    "dataset",
    "cell",
    "hidden",
    "seed",
    "device",
    "epochs",
    "lr",
    "head",
    "final_loss",
    "accuracy",
    "success",
    "train_seconds",
    "status",
];

pub fn read_runs(path: &Path) -> Result<Vec<RunRow>> {
    let bad = |msg: String| Error::Other(format!("{}: {msg}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column '{name}'")))
    };
    let cols = READ_COLUMNS.map(col);
    let idx: Vec<usize> = cols.into_iter().collect::<Result<_>>()?;
    let init_col = header.iter().position(|h| h == "init");
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let get = |i: usize| record.get(idx[i]).unwrap_or("").to_string();
        let num = |i: usize| -> Result<f64> {
            get(i).parse::<f64>().map_err(|_| {
                bad(format!(
                    "row {}: {} is not a number: '{}'",
                    line + 2,
                    READ_COLUMNS[i],
                    get(i)
                ))
            })
        };
        rows.push(RunRow {
            run_id: get(0),
            group: num(1)? as usize,
            dataset: get(2),
            cell: get(3),
            hidden: get(4),
            seed: num(5)? as u64,
            device: get(6),
            epochs: get(7),
            lr: get(8),
            head: get(9),
            init: init_col.and_then(|i| record.get(i)).unwrap_or("sweeplab").to_string(),
            final_loss: num(10)? as f32,
            accuracy: num(11)? as f32,
            success: get(12) == "true",
            train_seconds: num(13)?,
            status: get(14),
        });
    }
    Ok(rows)
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
