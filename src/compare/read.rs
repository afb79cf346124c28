//! The parts of a results folder `compare` reads beyond `results::read_runs`: the stored
//! probabilities of states.csv and the `error` column of runs.csv.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Stored probabilities by run id: (position, symbol index) -> value.
pub(super) type Probs = HashMap<String, BTreeMap<(u32, u32), f32>>;

/// `error` column of runs.csv by run id (the typed reader leaves it out); empty if unreadable.
pub(super) fn read_errors(path: &Path) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Ok(mut reader) = csv::Reader::from_path(path) else {
        return out;
    };
    let Ok(header) = reader.headers().cloned() else {
        return out;
    };
    let (Some(id), Some(err)) = (
        header.iter().position(|h| h == "run_id"),
        header.iter().position(|h| h == "error"),
    ) else {
        return out;
    };
    for rec in reader.records().flatten() {
        if let (Some(i), Some(e)) = (rec.get(id), rec.get(err)) {
            if !e.is_empty() {
                out.insert(i.to_string(), e.to_string());
            }
        }
    }
    out
}

/// The `prob` rows of states.csv for the given runs: (position, index) -> value. A folder
/// without states.csv (nothing recorded) has none.
pub(super) fn read_probs(path: &Path, ids: &HashSet<&str>) -> Result<Probs> {
    let mut out = Probs::new();
    if !path.exists() {
        return Ok(out);
    }
    let bad = |msg: String| Error::Other(format!("{}: {msg}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no column '{name}'")))
    };
    let (c_id, c_pos, c_kind, c_index, c_value) = (
        col("run_id")?,
        col("position")?,
        col("kind")?,
        col("index")?,
        col("value")?,
    );
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    while reader.read_record(&mut record).map_err(|e| bad(e.to_string()))? {
        line += 1;
        let field = |i: usize| record.get(i).unwrap_or("");
        if field(c_kind) != "prob" || !ids.contains(field(c_id)) {
            continue;
        }
        let parse_err = |what: &str, v: &str| bad(format!("row {line}: {what} is not a number: '{v}'"));
        let pos: u32 = field(c_pos).parse().map_err(|_| parse_err("position", field(c_pos)))?;
        let idx: u32 = field(c_index).parse().map_err(|_| parse_err("index", field(c_index)))?;
        let value: f32 = field(c_value).parse().map_err(|_| parse_err("value", field(c_value)))?;
        out.entry(field(c_id).to_string())
            .or_default()
            .insert((pos, idx), value);
    }
    Ok(out)
}
