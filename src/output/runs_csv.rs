use super::{fmt_f32, Export};
use crate::record::RunRecord;
use std::io::Write;

/// `runs.csv`: one row per run.
pub struct RunsCsv;

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

impl Export for RunsCsv {
    fn file_name(&self) -> &'static str {
        "runs.csv"
    }

    fn write(&self, experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(RUNS_COLUMNS)?;
        for r in records {
            let s = &r.spec;
            w.write_record([
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
            ])?;
        }
        w.flush()
    }
}
