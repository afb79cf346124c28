//! `curves.csv`: the loss of every epoch of every run (epochs count from 1). Its writer and
//! its typed reader.

use super::table::Table;
use super::{fmt_f32, Export};
use crate::error::Result;
use crate::record::RunRecord;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The columns of `curves.csv` that every version wrote.
pub const CURVES_COLUMNS: [&str; 3] = ["run_id", "epoch", "loss"];
/// The accuracy of the epoch's pass (empty for records that did not measure it).
pub const ACCURACY_COLUMN: &str = "accuracy";
/// The held-out loss of the model entering the epoch (`val`); the column is there only when
/// some run of the folder has a validation split, and empty for the runs without one.
pub const VAL_LOSS_COLUMN: &str = "val_loss";

/// Writes `curves.csv`.
pub struct CurvesCsv;

impl Export for CurvesCsv {
    fn file_name(&self) -> &'static str {
        super::CURVES_CSV
    }

    fn write(&self, _experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let with_val = records.iter().any(|r| r.val.is_some());
        let val_column = with_val.then_some(VAL_LOSS_COLUMN);
        w.write_record(
            CURVES_COLUMNS
                .iter()
                .copied()
                .chain([ACCURACY_COLUMN])
                .chain(val_column),
        )?;
        for r in records {
            for (e, loss) in r.curve.iter().enumerate() {
                let accuracy = r.accuracy_curve.get(e).map(|&a| fmt_f32(a)).unwrap_or_default();
                let val = with_val.then(|| {
                    let value = r.val.as_ref().and_then(|v| v.curve.get(e));
                    value.map(|&l| fmt_f32(l)).unwrap_or_default()
                });
                let cells = [r.spec.id.clone(), (e + 1).to_string(), fmt_f32(*loss), accuracy];
                w.write_record(cells.into_iter().chain(val))?;
            }
        }
        w.flush()
    }
}

/// A value per epoch (epoch 1 first) by run id.
pub type Curves = BTreeMap<String, Vec<f32>>;

/// Loss per epoch (epoch 1 first) by run id, as the f32s the sweep wrote; an epoch missing
/// from the file is `NaN`.
pub fn read_curves(path: &Path) -> Result<Curves> {
    read_curves_and_val(path).map(|(loss, _)| loss)
}

/// [`read_curves`] and, in the same pass, the held-out loss per epoch (`val_loss`) of the runs
/// with a validation split; that map is empty when the file has no such column (no run of the
/// folder had a split), and a run's empty cells are no held-out loss.
pub fn read_curves_and_val(path: &Path) -> Result<(Curves, Curves)> {
    let mut table = Table::open(path)?;
    let [id, epoch, loss] = table.columns(CURVES_COLUMNS)?;
    let val = table.column(VAL_LOSS_COLUMN);
    let (mut curves, mut val_curves) = (BTreeMap::new(), BTreeMap::new());
    table.for_each(|c| {
        let e: usize = c.parse(epoch)?;
        if e == 0 || e > crate::spec::MAX_EPOCHS {
            return Err(c.error("epoch", format!("epoch {e} is outside 1..={}", crate::spec::MAX_EPOCHS)));
        }
        set_epoch(&mut curves, c.text(id), e, c.parse(loss)?);
        if let Some(v) = val.filter(|&v| !c.text(v).trim().is_empty()) {
            set_epoch(&mut val_curves, c.text(id), e, c.parse(v)?);
        }
        Ok(())
    })?;
    Ok((curves, val_curves))
}

/// Stores `value` as epoch `e` (from 1) of run `id`'s curve; epochs not (yet) read are `NaN`.
fn set_epoch(curves: &mut Curves, id: &str, e: usize, value: f32) {
    let curve = curves.entry(id.to_string()).or_default();
    if curve.len() < e {
        curve.resize(e, f32::NAN);
    }
    curve[e - 1] = value;
}
