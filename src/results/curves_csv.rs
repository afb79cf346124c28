//! `curves.csv` read back (written by [`crate::output::CurvesCsv`]).

use super::table::Table;
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// Loss per epoch (epoch 1 first) by run id, as the f32s the sweep wrote; an epoch missing
/// from the file is `NaN`.
pub fn read_curves(path: &Path) -> Result<BTreeMap<String, Vec<f32>>> {
    let mut table = Table::open(path)?;
    let [id, epoch, loss] = table.columns(["run_id", "epoch", "loss"])?;
    let mut curves: BTreeMap<String, Vec<f32>> = BTreeMap::new();
    table.for_each(|c| {
        let e: usize = c.parse(epoch)?;
        let value: f32 = c.parse(loss)?;
        if e == 0 {
            return Err(c.error("epoch", "epochs count from 1"));
        }
        let curve = curves.entry(c.text(id).to_string()).or_default();
        if curve.len() < e {
            curve.resize(e, f32::NAN);
        }
        curve[e - 1] = value;
        Ok(())
    })?;
    Ok(curves)
}
