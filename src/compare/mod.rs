//! `sweeplab compare`: the same experiment run on two devices (or two machines), side by side.
//!
//! Runs that differ only in their device form pairs (same dataset, cell, hidden size, learning
//! rate, epochs, head, init and seed). Per pair: the absolute difference of the final losses
//! (`runs.csv`) and the largest absolute difference of the stored softmax probabilities
//! (`states.csv`, kind `prob`, the first `record.positions` positions), and whether each run
//! succeeded. Per group (pairs grouped by everything but the seed): the success count on each
//! side and whether it changed. Reads only the stored CSVs and experiment; knows nothing of burn.
//!
//! `render` draws the tables (terminal, and the cells the report's markdown and HTML use) and
//! writes the per-run CSV.

mod pairs;
mod render;

pub use render::{write_csv, Table};

use pairs::{build, max_diff, read_probs, SideInputs};

use crate::error::{Error, Result};
use crate::folder::{ResultsFolder, RunRow};
use crate::record::RunStatus;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One run of a pair, as `runs.csv` stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSide {
    pub run_id: String,
    pub device: String,
    pub status: RunStatus,
    /// Why the run failed (the `error` column); empty otherwise.
    pub error: String,
    pub final_loss: f32,
    pub success: bool,
}

/// Two runs with the same configuration but for the device (or the results folder).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The group the pair belongs to: everything but the seed (and the device).
    pub group: String,
    pub dataset: String,
    pub cell: String,
    pub hidden: String,
    pub lr: String,
    pub epochs: String,
    pub head: String,
    pub init: String,
    pub seed: u64,
    /// `None` when the other side has this run but this side does not.
    pub a: Option<RunSide>,
    pub b: Option<RunSide>,
    /// |final loss A - final loss B|; `None` unless both runs trained (NaN if one diverged).
    pub loss_diff: Option<f64>,
    /// max |P_A - P_B| over the stored probabilities both runs have; `None` if there are none.
    pub prob_diff: Option<f64>,
    /// How many probability values entered `prob_diff`.
    pub prob_values: usize,
}

impl Pair {
    /// `ok` (both trained), `diverged`, `failed` (either run failed), `missing_a`, `missing_b`.
    pub fn state(&self) -> &'static str {
        match (&self.a, &self.b) {
            (None, _) => "missing_a",
            (_, None) => "missing_b",
            (Some(a), Some(b)) if a.status == RunStatus::Failed || b.status == RunStatus::Failed => "failed",
            (Some(a), Some(b)) if a.status != RunStatus::Ok || b.status != RunStatus::Ok => "diverged",
            _ => "ok",
        }
    }

    /// Both runs trained (present, not failed).
    pub fn both_trained(&self) -> bool {
        let trained = |s: &Option<RunSide>| s.as_ref().is_some_and(|s| s.status != RunStatus::Failed);
        trained(&self.a) && trained(&self.b)
    }

    /// Both runs trained and exactly one of them succeeded.
    pub fn success_changed(&self) -> bool {
        self.both_trained() && self.a.as_ref().map(|s| s.success) != self.b.as_ref().map(|s| s.success)
    }
}

/// The pairs of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupComparison {
    pub key: String,
    pub pairs: usize,
    /// Runs present on each side (failed ones included).
    pub runs_a: usize,
    pub runs_b: usize,
    pub successes_a: usize,
    pub successes_b: usize,
    pub failed_a: usize,
    pub failed_b: usize,
    pub diverged_a: usize,
    pub diverged_b: usize,
    /// Pairs in which both runs trained, and their successes on each side.
    pub trained_pairs: usize,
    pub trained_successes_a: usize,
    pub trained_successes_b: usize,
    /// Pairs in which both runs trained and exactly one succeeded.
    pub flips: usize,
    pub max_loss_diff: Option<f64>,
    pub max_prob_diff: Option<f64>,
}

impl GroupComparison {
    /// How the success count changed from A to B over the pairs in which both runs trained
    /// (a failed run says nothing about numerics); `None` when there are no such pairs.
    pub fn change(&self) -> Option<i64> {
        (self.trained_pairs > 0).then(|| self.trained_successes_b as i64 - self.trained_successes_a as i64)
    }
}

/// One side of a comparison: a device in a results folder, or a whole folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// Short name used in column headings (`cpu`, `cuda:0`, or a folder name).
    pub label: String,
    pub dir: PathBuf,
    /// The devices of this side's runs, in order of first appearance.
    pub devices: Vec<String>,
}

/// Everything `compare` prints and writes, for one pair of sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub experiment: String,
    /// Both sides are devices of one results folder (`compare DIR`).
    pub within: bool,
    pub a: Side,
    pub b: Side,
    pub pairs: Vec<Pair>,
    pub groups: Vec<GroupComparison>,
}

/// The devices of a folder's runs, in order of first appearance.
pub fn devices(rows: &[RunRow]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r.device) {
            out.push(r.device.clone());
        }
    }
    out
}

/// Pairs the runs of one folder across devices: every further device against the first one.
pub fn within(folder: &ResultsFolder) -> Result<Vec<Comparison>> {
    let devs = devices(&folder.runs);
    if devs.len() < 2 {
        return Err(Error::Other(format!(
            "{}: every run is on one device ({}); compare needs the runs on two devices (e.g. `device: [cpu, cuda]` in the grid) or two results folders",
            folder.dir.display(),
            if devs.is_empty() { "no runs".to_string() } else { devs[0].clone() }
        )));
    }
    let rows: Vec<&RunRow> = folder.runs.iter().collect();
    let probs = read_probs(&folder.dir)?;
    let on = |d: &str| rows.iter().copied().filter(|r| r.device == d).collect::<Vec<_>>();
    let reference = on(&devs[0]);
    let side = |d: &String| Side {
        label: d.clone(),
        dir: folder.dir.clone(),
        devices: vec![d.clone()],
    };
    devs[1..]
        .iter()
        .map(|d| {
            let inputs = SideInputs {
                rows: &reference,
                probs: &probs,
            };
            let other = on(d);
            let other_inputs = SideInputs {
                rows: &other,
                probs: &probs,
            };
            build(
                &folder.experiment.experiment.name,
                side(&devs[0]),
                side(d),
                inputs,
                other_inputs,
                false,
            )
        })
        .collect()
}

/// Pairs the runs of two folders of the same experiment (run on different machines or devices)
/// by their configuration except the device. If either folder holds several devices, runs pair
/// only with the same device in the other folder.
pub fn between(a: &ResultsFolder, b: &ResultsFolder) -> Result<Comparison> {
    if a.dir.canonicalize().ok() == b.dir.canonicalize().ok() {
        return Err(Error::Other(format!(
            "{}: the same results folder twice; to compare its devices, name it once",
            a.dir.display()
        )));
    }
    let (name_a, name_b) = (&a.experiment.experiment.name, &b.experiment.experiment.name);
    if name_a != name_b {
        return Err(Error::Other(format!(
            "{} and {} hold different experiments ('{name_a}' and '{name_b}'); compare needs the same experiment run twice",
            a.dir.display(),
            b.dir.display()
        )));
    }
    check_same_datasets(a, b)?;
    let (devs_a, devs_b) = (devices(&a.runs), devices(&b.runs));
    let with_device = devs_a.len() != 1 || devs_b.len() != 1;
    let (label_a, label_b) = if !with_device && devs_a != devs_b {
        (devs_a[0].clone(), devs_b[0].clone())
    } else {
        folder_labels(&a.dir, &b.dir)
    };
    let rows_a: Vec<&RunRow> = a.runs.iter().collect();
    let rows_b: Vec<&RunRow> = b.runs.iter().collect();
    let (probs_a, probs_b) = (read_probs(&a.dir)?, read_probs(&b.dir)?);
    let cmp = build(
        name_a,
        Side {
            label: label_a,
            dir: a.dir.clone(),
            devices: devs_a,
        },
        Side {
            label: label_b,
            dir: b.dir.clone(),
            devices: devs_b,
        },
        SideInputs {
            rows: &rows_a,
            probs: &probs_a,
        },
        SideInputs {
            rows: &rows_b,
            probs: &probs_b,
        },
        with_device,
    )?;
    if cmp.pairs.iter().all(|p| p.a.is_none() || p.b.is_none()) {
        return Err(Error::Other(format!(
            "{} and {}: no run of one folder has the configuration of a run in the other; nothing to compare",
            a.dir.display(),
            b.dir.display()
        )));
    }
    Ok(cmp)
}

/// Datasets of the same name must have the same contents in both folders (when both stored
/// experiments still expand on this machine; a text file that is not here skips the check).
fn check_same_datasets(a: &ResultsFolder, b: &ResultsFolder) -> Result<()> {
    let fingerprints = |f: &ResultsFolder| {
        crate::plan::build(&f.experiment).ok().map(|p| {
            p.datasets
                .iter()
                .map(|(n, d)| (n.clone(), d.fingerprint()))
                .collect::<HashMap<_, _>>()
        })
    };
    if let (Some(fa), Some(fb)) = (fingerprints(a), fingerprints(b)) {
        let mut names: Vec<&String> = fa.keys().filter(|n| fb.get(*n).is_some_and(|x| x != &fa[*n])).collect();
        names.sort();
        if let Some(name) = names.first() {
            return Err(Error::Other(format!(
                "{} and {}: dataset '{name}' has different contents; compare needs the same experiment run twice",
                a.dir.display(),
                b.dir.display()
            )));
        }
    }
    Ok(())
}

/// Column labels for two folders: their names, or their paths when the names are equal.
fn folder_labels(a: &Path, b: &Path) -> (String, String) {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| p.display().to_string())
    };
    if name(a) != name(b) {
        (name(a), name(b))
    } else if a != b {
        (a.display().to_string(), b.display().to_string())
    } else {
        ("A".into(), "B".into())
    }
}

/// `sweeplab compare DIR [DIR_B] [--csv FILE] [--top N]`: prints the comparison.
pub fn run(dirs: &[PathBuf], csv: Option<&Path>, top: usize) -> Result<()> {
    let comparisons = match dirs {
        [one] => within(&ResultsFolder::open(one)?)?,
        [a, b] => {
            let (a, b) = (ResultsFolder::open(a)?, ResultsFolder::open(b)?);
            vec![between(&a, &b)?]
        }
        _ => return Err(Error::Other("compare takes one or two results folders".into())),
    };
    if let Some(path) = csv {
        let mut bytes = Vec::new();
        write_csv(&comparisons, &mut bytes).map_err(|e| Error::io(path, "write", e))?;
        std::fs::write(path, bytes).map_err(|e| Error::io(path, "write", e))?;
    }
    let text: Vec<String> = comparisons.iter().map(|c| c.render_text(top)).collect();
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.join("\n").as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::Other(format!("cannot print the comparison: {e}"))),
    }
}
