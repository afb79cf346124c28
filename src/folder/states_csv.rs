//! `states.csv`: for the first positions of each trained run, the hidden state (`kind` = `h`,
//! labels `h1..hk`), the logits (`logit`) and the softmax output (`prob`), labelled with the
//! vocabulary symbol. One value per row, so any figure can be drawn without retraining. Its
//! columns, writer and typed reader.

use super::table::Table;
use super::{fmt_f32, Export};
use crate::error::Result;
use crate::record::RunRecord;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The columns of `states.csv`.
pub const STATES_COLUMNS: [&str; 8] = [
    "run_id", "position", "input", "target", "kind", "index", "label", "value",
];

/// Writes `states.csv`.
pub struct StatesCsv;

impl Export for StatesCsv {
    fn file_name(&self) -> &'static str {
        super::STATES_CSV
    }

    fn write(&self, _experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(STATES_COLUMNS)?;
        for r in records {
            let Some(snap) = &r.snapshot else { continue };
            let label = unit_labels(r, snap.states.first().map_or(0, Vec::len));
            for (p, pos) in r.positions.iter().enumerate() {
                let mut row = |kind: &str, i: usize, label: String, v: f32| {
                    w.write_record([
                        r.spec.id.as_str(),
                        &p.to_string(),
                        &pos.input,
                        &pos.target,
                        kind,
                        &i.to_string(),
                        &label,
                        &fmt_f32(v),
                    ])
                };
                for (i, &v) in snap.states[p].iter().enumerate() {
                    row("h", i, label(i), v)?;
                }
                for (i, &v) in snap.logits[p].iter().enumerate() {
                    row("logit", i, r.vocab_symbol(i), v)?;
                }
                for (i, &v) in snap.probs[p].iter().enumerate() {
                    row("prob", i, r.vocab_symbol(i), v)?;
                }
            }
        }
        w.flush()
    }
}

/// The label of hidden unit `i` of a run's recorded states, `width` values per position:
/// `h1..hk` for one layer's, `l1.h1..lL.hk` for every layer's (`record: layers: all`).
fn unit_labels(r: &RunRecord, width: usize) -> impl Fn(usize) -> String {
    let (hidden, layers) = (r.spec.config.hidden, r.spec.config.model.layers);
    let by_layer = layers > 1 && hidden > 0 && width == layers * hidden;
    move |i| {
        if by_layer {
            format!("l{}.h{}", i / hidden + 1, i % hidden + 1)
        } else {
            format!("h{}", i + 1)
        }
    }
}

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
    /// The labels of the hidden units, in index order (`h1`, ... or `l1.h1`, ...).
    pub units: Vec<String>,
}

/// The largest hidden-unit or vocabulary index a states table may hold, plus one.
const MAX_INDEX: usize = 1 << 16;

/// The recorded states by run id; a value missing from the file is `NaN`.
pub fn read_states(path: &Path) -> Result<BTreeMap<String, RunStates>> {
    let mut table = Table::open(path)?;
    let [id, position, input, target, kind, index, label, value] = table.columns(STATES_COLUMNS)?;
    let mut states: BTreeMap<String, RunStates> = BTreeMap::new();
    table.for_each(|c| {
        let p: usize = c.parse(position)?;
        let i: usize = c.parse(index)?;
        // Sizes below come from these two numbers: bound them before anything is allocated.
        if p >= crate::spec::MAX_RECORD_POSITIONS {
            return Err(c.error(
                "position",
                format!("position {p} is not below {}", crate::spec::MAX_RECORD_POSITIONS),
            ));
        }
        if i >= MAX_INDEX {
            return Err(c.error("index", format!("index {i} is not below {MAX_INDEX}")));
        }
        let v = f64::from(c.parse::<f32>(value)?);
        let run = states.entry(c.text(id).to_string()).or_default();
        if run.positions.len() <= p {
            run.positions.resize(p + 1, PositionStates::default());
        }
        let pos = &mut run.positions[p];
        pos.input = c.text(input).to_string();
        pos.target = c.text(target).to_string();
        let column = match c.text(kind) {
            "h" => {
                if run.units.len() <= i {
                    run.units.resize(i + 1, String::new());
                }
                run.units[i] = c.text(label).to_string();
                &mut pos.h
            }
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
