//! `runs.csv` read back (written by [`crate::output::RunsCsv`]).

use super::table::Table;
use crate::error::Result;
use crate::output::RUNS_COLUMNS;
use std::path::Path;

/// One row of `runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub run_id: String,
    pub experiment: String,
    pub group: usize,
    pub dataset: String,
    pub cell: String,
    pub hidden: usize,
    pub seed: u64,
    pub device: String,
    pub epochs: u64,
    /// As written in the CSV, so titles show the value the user typed.
    pub lr: String,
    pub head: String,
    pub final_loss: f32,
    pub accuracy: f32,
    pub success: bool,
    pub train_seconds: f64,
    /// `ok`, `diverged` or `failed`.
    pub status: String,
    /// Why a run failed; empty otherwise.
    pub error: String,
    /// `sweeplab` when the column is absent (tables written before `init` existed).
    pub init: String,
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
            "hidden" => self.hidden.to_string(),
            "device" => self.device.clone(),
            "lr" => self.lr.clone(),
            "epochs" => self.epochs.to_string(),
            "head" => self.head.clone(),
            "init" => self.init.clone(),
            "seed" => self.seed.to_string(),
            _ => return None,
        })
    }
}

pub fn read_runs(path: &Path) -> Result<Vec<RunRow>> {
    let mut table = Table::open(path)?;
    // The writer's column list: the first 16 are required; `error` and `init` (the last two)
    // may be absent from older files.
    let [id, experiment, group, dataset, cell, hidden, seed, device, epochs, lr, head, loss, acc, success, seconds, status] =
        table.columns(std::array::from_fn(|i| RUNS_COLUMNS[i]))?;
    let [error, init] = [RUNS_COLUMNS[16], RUNS_COLUMNS[17]].map(|name| table.column(name));
    let mut runs = Vec::new();
    table.for_each(|c| {
        let optional = |column: Option<usize>, absent: &str| column.map_or(absent, |i| c.text(i)).to_string();
        runs.push(RunRow {
            run_id: c.text(id).to_string(),
            experiment: c.text(experiment).to_string(),
            group: c.parse(group)?,
            dataset: c.text(dataset).to_string(),
            cell: c.text(cell).to_string(),
            hidden: c.parse(hidden)?,
            seed: c.parse(seed)?,
            device: c.text(device).to_string(),
            epochs: c.parse(epochs)?,
            lr: c.text(lr).to_string(),
            head: c.text(head).to_string(),
            final_loss: c.parse(loss)?,
            accuracy: c.parse(acc)?,
            success: c.parse(success)?,
            train_seconds: c.parse(seconds)?,
            status: c.text(status).to_string(),
            error: optional(error, ""),
            init: optional(init, "sweeplab"),
        });
        Ok(())
    })?;
    Ok(runs)
}
