//! `sweeplab report`: a reader's summary of a results folder, as `report.md` and a
//! self-contained `report.html` (figures embedded). Both renderers draw from one [`Report`],
//! built from the stored CSVs, manifest and experiment only.

mod html;
mod markdown;

use crate::compare::Comparison;
use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::results::{group_stats, groups, GroupStats, ResultsFolder};
use std::path::{Path, PathBuf};

pub struct Report {
    pub name: String,
    pub description: Option<String>,
    pub experiment_yaml: String,
    pub manifest: Option<Manifest>,
    pub groups: Vec<GroupStats>,
    pub total_runs: usize,
    pub failed_runs: usize,
    pub figures: Vec<PathBuf>,
    pub results_dir: PathBuf,
    /// Runs on more than one device: each further device against the first (`None` when every
    /// run is on one device; the error's line if the comparison could not be built).
    pub devices: Option<std::result::Result<Vec<Comparison>, String>>,
}

/// How many of the largest per-run device differences the report lists.
pub const DEVICE_TOP: usize = 10;

/// What the "Devices compared" section measures, in one paragraph.
pub const DEVICES_EXPLAINED: &str = "Runs that differ only in their device are paired (same dataset, cell, hidden size, learning rate, epochs, head, init and seed). Loss diff: |final loss A - final loss B|. Prob diff: the largest |P_A - P_B| over the stored probabilities (states.csv, the first record.positions positions). Changed: whether the success count differs, counted over the pairs in which both runs trained (a failed run says nothing about numerics). `sweeplab compare` prints the same tables; `--csv FILE` writes every pair.";

impl Report {
    pub fn build(folder: &ResultsFolder) -> Self {
        let mut figures: Vec<PathBuf> = std::fs::read_dir(folder.dir.join("figures"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "png"))
                    .collect()
            })
            .unwrap_or_default();
        figures.sort();
        Report {
            name: folder.experiment.experiment.name.clone(),
            description: folder.experiment.experiment.description.clone(),
            experiment_yaml: folder.experiment.source.clone(),
            manifest: folder.manifest.clone(),
            groups: groups(&folder.runs).iter().map(|g| group_stats(g)).collect(),
            total_runs: folder.runs.len(),
            failed_runs: folder.runs.iter().filter(|r| r.status == "failed").count(),
            figures,
            results_dir: folder.dir.clone(),
            devices: (crate::compare::devices(&folder.runs).len() > 1)
                .then(|| crate::compare::within(folder).map_err(|e| e.to_string())),
        }
    }

    /// The commands that recreate and verify these results.
    pub fn reproduce_commands(&self) -> Vec<String> {
        let mut cmds = Vec::new();
        if let Some(m) = &self.manifest {
            if let Some(git) = &m.git {
                cmds.push(format!(
                    "git checkout {}{}",
                    git.commit,
                    if git.dirty {
                        "   # note: the working tree had uncommitted changes"
                    } else {
                        ""
                    }
                ));
            }
            cmds.push(format!(
                "sweeplab sweep {} --out {}",
                m.experiment_path,
                self.results_dir.display()
            ));
        } else {
            cmds.push(format!("sweeplab sweep {}/experiment.yaml", self.results_dir.display()));
        }
        cmds.push(format!("sweeplab reproduce {}", self.results_dir.display()));
        cmds
    }

    /// Settings every run shares, stated once (the NeurIPS checklist's "training details").
    pub fn training_details(&self) -> Vec<String> {
        vec![
            "Full-batch training on one sequence (or one batch of sentences), mean cross-entropy over positions."
                .into(),
            "Optimiser: Adam (burn), betas 0.9 / 0.999, epsilon 1e-8, no weight decay; learning rate and epochs per group below."
                .into(),
            "Initialisation: sweeplab's seeded scheme - U(-1/sqrt(H), 1/sqrt(H)) for cell and head weights and biases, N(0, 1) for embeddings; hidden state starts at zeros."
                .into(),
            "Success = 100% argmax accuracy over all positions; the interval is the 95% Wilson score interval over the seeds of a group."
                .into(),
            "Runs of a group (same everything but the seed) are trained together as one replica-batched model; train time is the group's wall time shared equally."
                .into(),
        ]
    }
}

/// Writes `report.md` and `report.html` into the results folder.
pub fn write(folder: &ResultsFolder) -> Result<Vec<PathBuf>> {
    let report = Report::build(folder);
    let md = folder.dir.join("report.md");
    let html = folder.dir.join("report.html");
    write_atomic(&md, markdown::render(&report).as_bytes())?;
    write_atomic(&html, html::render(&report)?.as_bytes())?;
    Ok(vec![md, html])
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| Error::io(path, "write", e))
}

pub(crate) fn fmt_loss(x: f64) -> String {
    crate::check::fmt_value(x)
}
