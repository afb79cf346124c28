//! A results folder in the shapes the figures need, read with the typed readers of
//! [`crate::folder`] (a missing file, column or unparsable value is an error naming the file,
//! line and column).

use crate::error::Result;
use crate::folder::{
    group_stats, read_curves_and_val, read_runs, read_states, RunRow, RunStates, CURVES_CSV, RUNS_CSV, STATES_CSV,
};
use crate::spec::CellKind;
use crate::stats::GroupStats;
use std::collections::BTreeMap;
use std::path::Path;

/// Everything the figures read from one results folder. Maps are ordered (BTreeMap) so that
/// nothing drawn depends on hashing order.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The experiment name (from runs.csv).
    pub experiment: String,
    pub runs: Vec<RunRow>,
    /// Loss per epoch (epoch 1 first), by run id.
    pub curves: BTreeMap<String, Vec<f32>>,
    /// The held-out loss per epoch (`val_loss`) of the runs with a validation split.
    pub val_curves: BTreeMap<String, Vec<f32>>,
    pub states: BTreeMap<String, RunStates>,
}

/// The runs that differ only in their seed (one `group` value of runs.csv), sorted by seed.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub index: usize,
    pub runs: Vec<&'a RunRow>,
}

impl Group<'_> {
    pub fn first(&self) -> &RunRow {
        self.runs[0]
    }
    pub fn cell(&self) -> CellKind {
        self.first().cell
    }
    pub fn successes(&self) -> usize {
        self.runs.iter().filter(|r| r.success).count()
    }
    /// The group's statistics (`crate::stats`: one median rule for every output).
    pub fn stats(&self) -> GroupStats {
        group_stats(&self.runs)
    }
    /// A file-name stem for this group's figures: `00_AbAcAd_rnn2`.
    pub fn file_stem(&self) -> String {
        let r = self.first();
        let dataset: String = r
            .dataset
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        format!("{:02}_{}_{}{}", self.index, dataset, r.cell, r.hidden)
    }
}

impl Results {
    pub fn load(dir: &Path) -> Result<Self> {
        let runs = read_runs(&dir.join(RUNS_CSV))?;
        let (curves, val_curves) = read_curves_and_val(&dir.join(CURVES_CSV))?;
        let states = read_states(&dir.join(STATES_CSV))?;
        Ok(Self {
            experiment: runs.last().map(|r| r.experiment.clone()).unwrap_or_default(),
            runs,
            curves,
            val_curves,
            states,
        })
    }

    /// The seed groups in group order, each with its runs sorted by seed.
    pub fn groups(&self) -> Vec<Group<'_>> {
        let mut by_index: BTreeMap<usize, Vec<&RunRow>> = BTreeMap::new();
        for run in &self.runs {
            by_index.entry(run.group).or_default().push(run);
        }
        by_index
            .into_iter()
            .map(|(index, mut runs)| {
                runs.sort_by(|a, b| a.seed.cmp(&b.seed).then(a.run_id.cmp(&b.run_id)));
                Group { index, runs }
            })
            .collect()
    }
}
