//! `sweeplab report`: a reader's summary of a results folder, as `report.md` and a
//! self-contained `report.html` (figures embedded). Both renderers draw from one [`Report`],
//! built from the stored CSVs, manifest and experiment only.

mod html;
mod markdown;

use crate::compare::Comparison;
use crate::error::Result;
use crate::folder::write_file;
use crate::folder::{Manifest, ResultsFolder, FIGURES_DIR, REPORT_HTML, REPORT_MD};
use crate::record::RunStatus;
use crate::stats::GroupStats;
use std::path::PathBuf;

pub struct Report {
    pub name: String,
    pub description: Option<String>,
    pub experiment_yaml: String,
    pub manifest: Option<Manifest>,
    /// Per group (by its key: everything but the seed), its statistics.
    pub groups: Vec<(String, GroupStats)>,
    pub total_runs: usize,
    pub failed_runs: usize,
    /// The distinct `init` values of the runs (runs.csv's column), in order of appearance.
    pub inits: Vec<String>,
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
        let mut figures: Vec<PathBuf> = std::fs::read_dir(folder.dir.join(FIGURES_DIR))
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
            groups: folder
                .groups()
                .iter()
                .map(|rows| (rows[0].group_key(), crate::folder::group_stats(rows)))
                .collect(),
            total_runs: folder.runs.len(),
            failed_runs: folder.runs.iter().filter(|r| r.status == RunStatus::Failed).count(),
            inits: folder.runs.iter().fold(Vec::new(), |mut inits, r| {
                if !inits.contains(&r.init) {
                    inits.push(r.init.clone());
                }
                inits
            }),
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

    /// Settings every run shares, stated once (the NeurIPS checklist's "training details");
    /// the optimiser's formula and the initialisation follow each group's `init`.
    pub fn training_details(&self) -> Vec<String> {
        let scope = |inits: &[&str]| {
            if inits.len() == self.inits.len() {
                String::new()
            } else {
                format!(" (groups with init {})", inits.join(", "))
            }
        };
        let (torch, burn): (Vec<&str>, Vec<&str>) = self.inits.iter().map(String::as_str).partition(|i| *i == "torch");
        let mut details = vec![
            "Full-batch training on one sequence (or one batch of sentences), mean cross-entropy over positions."
                .to_string(),
        ];
        let adam = "Optimiser: Adam, betas 0.9 / 0.999, epsilon 1e-8, no weight decay";
        if !burn.is_empty() {
            details.push(format!(
                "{adam}, burn's update formula{}; learning rate and epochs per group below.",
                scope(&burn)
            ));
        }
        if !torch.is_empty() {
            details.push(format!(
                "{adam}, PyTorch's update formula (`torch.optim.Adam`){}; learning rate and epochs per group below.",
                scope(&torch)
            ));
        }
        for init in &self.inits {
            let how = match init.as_str() {
                "sweeplab" => "sweeplab's seeded scheme - U(-1/sqrt(H), 1/sqrt(H)) for cell and head weights and biases, N(0, 1) for embeddings".to_string(),
                "torch" => "PyTorch's, bit for bit - torch.manual_seed(seed), then the cell, then nn.Linear(hidden, vocab)".to_string(),
                file => format!("given in a weights file (SHA-256 {}...), the same values for every seed", file.trim_start_matches("file:")),
            };
            details.push(format!(
                "Initialisation{}: {how}; hidden state starts at zeros.",
                scope(&[init.as_str()])
            ));
        }
        details.extend([
            "Success = 100% argmax accuracy over all positions; the interval is the 95% Wilson score interval over the seeds of a group."
                .to_string(),
            "Median final loss: over all runs of a group, a failed run or a non-finite loss counting as infinite."
                .to_string(),
            "Runs of a group (same everything but the seed) are trained together as one replica-batched model; train time is the group's wall time shared equally."
                .to_string(),
        ]);
        details
    }
}

/// Writes `report.md` and `report.html` into the results folder.
pub fn write(folder: &ResultsFolder) -> Result<Vec<PathBuf>> {
    let report = Report::build(folder);
    let md = folder.dir.join(REPORT_MD);
    let html = folder.dir.join(REPORT_HTML);
    let html_text = html::render(&report)?;
    write_file(&md, |out| out.write_all(markdown::render(&report).as_bytes()))?;
    write_file(&html, |out| out.write_all(html_text.as_bytes()))?;
    Ok(vec![md, html])
}
