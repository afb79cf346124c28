use super::{fmt_f32, Export};
use crate::record::RunRecord;
use std::io::Write;

/// `curves.csv`: the loss of every epoch of every run (epochs count from 1).
pub struct CurvesCsv;

impl Export for CurvesCsv {
    fn file_name(&self) -> &'static str {
        "curves.csv"
    }

    fn write(&self, _experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["run_id", "epoch", "loss"])?;
        for r in records {
            for (e, loss) in r.curve.iter().enumerate() {
                w.write_record([r.spec.id.as_str(), &(e + 1).to_string(), &fmt_f32(*loss)])?;
            }
        }
        w.flush()
    }
}
