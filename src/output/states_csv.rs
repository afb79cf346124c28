use super::{fmt_f32, Export};
use crate::record::RunRecord;
use std::io::Write;

/// `states.csv`: for the first positions of each trained run, the hidden state (`kind` = `h`,
/// labels `h1..hk`), the logits (`logit`) and the softmax output (`prob`), labelled with the
/// vocabulary symbol. One value per row, so any figure can be drawn without retraining.
pub struct StatesCsv;

impl Export for StatesCsv {
    fn file_name(&self) -> &'static str {
        "states.csv"
    }

    fn write(&self, _experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "run_id", "position", "input", "target", "kind", "index", "label", "value",
        ])?;
        for r in records {
            let Some(snap) = &r.snapshot else { continue };
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
                    row("h", i, format!("h{}", i + 1), v)?;
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
