//! `states.csv` read back (written by [`crate::output::StatesCsv`]).

use super::table::Table;
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// What one run's model computed at one position. Values are the f32s the sweep wrote,
/// widened to f64 for drawing (exactly: `as f32` gives them back).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PositionStates {
    pub input: String,
    pub target: String,
    pub h: Vec<f64>,
    pub logits: Vec<f64>,
    pub probs: Vec<f64>,
}

/// The recorded positions of one run, plus the vocabulary order of its logits/probabilities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunStates {
    pub positions: Vec<PositionStates>,
    pub vocab: Vec<String>,
}

/// The recorded states by run id; a value missing from the file is `NaN`.
pub fn read_states(path: &Path) -> Result<BTreeMap<String, RunStates>> {
    let mut table = Table::open(path)?;
    let [id, position, input, target, kind, index, label, value] = table.columns([
        "run_id", "position", "input", "target", "kind", "index", "label", "value",
    ])?;
    let mut states: BTreeMap<String, RunStates> = BTreeMap::new();
    table.for_each(|c| {
        let p: usize = c.parse(position)?;
        let i: usize = c.parse(index)?;
        let v = f64::from(c.parse::<f32>(value)?);
        let run = states.entry(c.text(id).to_string()).or_default();
        if run.positions.len() <= p {
            run.positions.resize(p + 1, PositionStates::default());
        }
        let pos = &mut run.positions[p];
        pos.input = c.text(input).to_string();
        pos.target = c.text(target).to_string();
        let column = match c.text(kind) {
            "h" => &mut pos.h,
            "logit" => &mut pos.logits,
            "prob" => {
                if run.vocab.len() <= i {
                    run.vocab.resize(i + 1, String::new());
                }
                run.vocab[i] = c.text(label).to_string();
                &mut pos.probs
            }
            other => return Err(c.error("kind", format!("unknown kind `{other}` (expected h, logit or prob)"))),
        };
        if column.len() <= i {
            column.resize(i + 1, f64::NAN);
        }
        column[i] = v;
        Ok(())
    })?;
    Ok(states)
}
