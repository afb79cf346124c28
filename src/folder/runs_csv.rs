//! `runs.csv`: one row per run. Its columns, its writer and its typed reader.

use super::table::Table;
use super::{fmt_f32, Export};
use crate::error::Result;
use crate::plan::group_label;
use crate::record::{RunRecord, RunStatus};
use crate::spec::{CellKind, Param, ParamDecl, PARAMS};
use crate::stats::{GroupStats, Outcome};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Writes `runs.csv`: the columns of [`RUNS_COLUMNS`], then one for every parameter declared
/// after them ([`later_params`]), each with its canonical value.
pub struct RunsCsv;

/// The columns runs.csv had before parameters were declared in `crate::spec::PARAMS`; every
/// parameter declared since gets a column of its own after them, under its name.
pub const RUNS_COLUMNS: [&str; 18] = [
    "run_id",
    "experiment",
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
    "error",
    // Appended last so that positional readers of the older columns keep working.
    "init",
];

/// Measurements added after the parameters' columns (readers find every column by name);
/// the `val_` ones are empty for a run without a validation split.
pub const METRIC_COLUMNS: [&str; 4] = ["epochs_to_success", "stopped_epoch", "val_final_loss", "val_accuracy"];

/// The parameters whose column comes after [`RUNS_COLUMNS`], in declaration order.
pub fn later_params() -> impl Iterator<Item = &'static ParamDecl> {
    PARAMS.iter().filter(|d| !RUNS_COLUMNS.contains(&d.name))
}

impl Export for RunsCsv {
    fn file_name(&self) -> &'static str {
        super::RUNS_CSV
    }

    fn write(&self, experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let later: Vec<&ParamDecl> = later_params().collect();
        let header = RUNS_COLUMNS.iter().copied().chain(later.iter().map(|d| d.name));
        w.write_record(header.chain(METRIC_COLUMNS))?;
        for r in records {
            let s = &r.spec;
            let fixed = [
                s.id.clone(),
                experiment.to_string(),
                s.group.to_string(),
                s.dataset.clone(),
                s.cell.name().to_string(),
                s.hidden.to_string(),
                s.seed.to_string(),
                s.device.to_string(),
                s.epochs.to_string(),
                crate::spec::fmt_f64(s.lr),
                s.head.name().to_string(),
                fmt_f32(r.final_loss),
                fmt_f32(r.accuracy),
                r.succeeded().to_string(),
                format!("{:.4}", r.train_seconds),
                r.status.name().to_string(),
                r.error.clone(),
                s.init.name().to_string(),
            ];
            let params = later.iter().map(|d| match s.applies(d.param) {
                true => s.value(d.param).canonical(),
                false => String::new(),
            });
            let epochs = [r.epochs_to_success(), r.stopped_epoch].map(|e| e.map(|e| e.to_string()).unwrap_or_default());
            let val = [r.val.as_ref().map(|v| v.final_loss), r.val.as_ref().map(|v| v.accuracy)];
            let val = val.map(|x| x.map(fmt_f32).unwrap_or_default());
            w.write_record(fixed.into_iter().chain(params).chain(epochs).chain(val))?;
        }
        w.flush()
    }
}

/// One row of `runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub run_id: String,
    pub experiment: String,
    pub group: usize,
    pub dataset: String,
    pub cell: CellKind,
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
    pub status: RunStatus,
    /// Why a run failed; empty otherwise.
    pub error: String,
    /// `sweeplab` when the column is absent (tables written before `init` existed).
    pub init: String,
    /// Empty in the table: never, or not measured (tables and records from before).
    pub epochs_to_success: Option<usize>,
    /// The epoch whose pass stopped the run (`stop`); empty: it trained every epoch.
    pub stopped_epoch: Option<usize>,
    /// The held-out loss and accuracy of the trained model; empty without a validation split.
    pub val_final_loss: Option<f32>,
    pub val_accuracy: Option<f32>,
    /// The text of every declared parameter, as written (the default's text for a parameter
    /// declared after the table was written).
    pub params: BTreeMap<Param, String>,
}

impl RunRow {
    /// Everything but the seed: rows with equal keys are one group, across results folders.
    pub fn group_key(&self) -> String {
        group_label(&|p| self.value(p), true)
    }

    /// The text of parameter `p` in this row (the seed too).
    pub fn value(&self, p: Param) -> String {
        self.params.get(&p).cloned().unwrap_or_default()
    }

    /// The text of column `name` (a parameter or a result column), for filters.
    pub fn column(&self, name: &str) -> Option<String> {
        if let Some(p) = Param::parse(name) {
            return Some(self.value(p));
        }
        Some(match name {
            "run_id" => self.run_id.clone(),
            "experiment" => self.experiment.clone(),
            "group" => self.group.to_string(),
            "final_loss" => fmt_f32(self.final_loss),
            "accuracy" => fmt_f32(self.accuracy),
            "success" => self.success.to_string(),
            "train_seconds" => self.train_seconds.to_string(),
            "status" => self.status.name().to_string(),
            "error" => self.error.clone(),
            "epochs_to_success" => self.epochs_to_success.map(|e| e.to_string()).unwrap_or_default(),
            "stopped_epoch" => self.stopped_epoch.map(|e| e.to_string()).unwrap_or_default(),
            "val_final_loss" => self.val_final_loss.map(fmt_f32).unwrap_or_default(),
            "val_accuracy" => self.val_accuracy.map(fmt_f32).unwrap_or_default(),
            _ => return None,
        })
    }

    /// What the group statistics need of this run.
    pub fn outcome(&self) -> Outcome {
        Outcome {
            status: self.status,
            final_loss: self.final_loss,
            accuracy: self.accuracy,
            success: self.success,
            train_seconds: self.train_seconds,
            error: self.error.clone(),
            epochs_to_success: self.epochs_to_success,
            val_loss: self.val_final_loss,
            val_accuracy: self.val_accuracy,
        }
    }
}

/// The statistics of a group of rows ([`GroupStats`]: the one median rule).
pub fn group_stats(rows: &[&RunRow]) -> GroupStats {
    let outcomes: Vec<Outcome> = rows.iter().map(|r| r.outcome()).collect();
    GroupStats::of(&outcomes)
}

/// An epoch column's cell: empty (or an absent column) is `None`.
fn epoch_cell(c: &super::table::Cells<'_>, column: Option<usize>) -> Result<Option<usize>> {
    match column {
        Some(i) if !c.text(i).trim().is_empty() => Ok(Some(c.parse_at_most(i, crate::spec::MAX_EPOCHS)?)),
        _ => Ok(None),
    }
}

/// A number column's cell: empty (or an absent column) is `None`.
fn number_cell(c: &super::table::Cells<'_>, column: Option<usize>) -> Result<Option<f32>> {
    match column {
        Some(i) if !c.text(i).trim().is_empty() => Ok(Some(c.parse(i)?)),
        _ => Ok(None),
    }
}

pub fn read_runs(path: &Path) -> Result<Vec<RunRow>> {
    let mut table = Table::open(path)?;
    // The writer's column list: the first 16 are required; `error` and `init` (the last two)
    // may be absent from older files.
    let [id, experiment, group, dataset, cell, hidden, seed, device, epochs, lr, head, loss, acc, success, seconds, status] =
        table.columns(std::array::from_fn(|i| RUNS_COLUMNS[i]))?;
    let [error, init] = [RUNS_COLUMNS[16], RUNS_COLUMNS[17]].map(|name| table.column(name));
    let [epochs_to_success, stopped_epoch, val_loss, val_accuracy] = METRIC_COLUMNS.map(|name| table.column(name));
    let params: Vec<(&ParamDecl, Option<usize>)> = PARAMS.iter().map(|d| (d, table.column(d.name))).collect();
    let mut runs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    table.for_each(|c| {
        if !seen.insert(c.text(id).to_string()) {
            return Err(c.error("run_id", format!("run {} is listed twice", c.text(id))));
        }
        let optional = |column: Option<usize>, absent: &str| column.map_or(absent, |i| c.text(i)).to_string();
        runs.push(RunRow {
            run_id: c.text(id).to_string(),
            experiment: c.text(experiment).to_string(),
            group: c.parse(group)?,
            dataset: c.text(dataset).to_string(),
            cell: CellKind::parse(c.text(cell))
                .ok_or_else(|| c.error("cell", format!("unknown cell type `{}`", c.text(cell))))?,
            hidden: c.parse_at_most(hidden, crate::spec::MAX_HIDDEN)?,
            seed: c.parse(seed)?,
            device: c.text(device).to_string(),
            epochs: c.parse_at_most(epochs, crate::spec::MAX_EPOCHS)? as u64,
            lr: c.text(lr).to_string(),
            head: c.text(head).to_string(),
            final_loss: c.parse(loss)?,
            accuracy: c.parse(acc)?,
            success: c.parse(success)?,
            train_seconds: c.parse(seconds)?,
            status: RunStatus::parse(c.text(status)).ok_or_else(|| {
                c.error(
                    "status",
                    format!("unknown status `{}` (expected ok, diverged or failed)", c.text(status)),
                )
            })?,
            error: optional(error, ""),
            init: optional(init, "sweeplab"),
            epochs_to_success: epoch_cell(c, epochs_to_success)?,
            stopped_epoch: epoch_cell(c, stopped_epoch)?,
            val_final_loss: number_cell(c, val_loss)?,
            val_accuracy: number_cell(c, val_accuracy)?,
            params: params
                .iter()
                .map(|(d, column)| {
                    let absent = d.default_value().map(|v| v.canonical()).unwrap_or_default();
                    (d.param, optional(*column, &absent))
                })
                .collect(),
        });
        Ok(())
    })?;
    Ok(runs)
}
