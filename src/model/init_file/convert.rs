//! A weights file checked against one model and converted to sweeplab's layout.

use super::parse::line_of;
use super::{Entry, WeightsFile};
use crate::error::{Error, Result};
use crate::model::host::{HostParams, HostTensor};
use crate::model::ModelShape;
use crate::spec::{CellKind, HeadKind};

impl WeightsFile {
    /// The parameters for a model of `shape` (one replica, sweeplab's layout), or the first
    /// mismatch: a missing, unused or wrongly shaped parameter. `dataset` names the data in
    /// messages.
    pub fn params(&self, shape: &ModelShape, dataset: &str) -> Result<HostParams> {
        let model = describe(shape, dataset);
        let wanted = wanted(shape);
        self.check_sections(&wanted, shape, &model)?;
        let mut params = HostParams::default();
        for w in &wanted {
            let entry = self.entry(w, &model)?;
            params.insert(
                w.ours,
                convert(entry, w, &model).map_err(|m| self.at(&[w.section, &entry.written], m))?,
            );
        }
        Ok(params)
    }

    /// An error at `keys` of this file (its first line when they are not found).
    fn at(&self, keys: &[&str], message: String) -> Error {
        Error::config(
            &self.path,
            line_of(&self.source, keys).or(Some(1)),
            Some(&keys.join(".")),
            message,
        )
    }

    /// Rejects a section this model has no use for.
    fn check_sections(&self, wanted: &[Wanted], shape: &ModelShape, model: &str) -> Result<()> {
        for section in &self.sections {
            if wanted.iter().any(|w| w.section == section) {
                continue;
            }
            let why = match section.as_str() {
                "head" => "the experiment has head: none".to_string(),
                "embedding" => format!("only a memoryless cell has an embedding, this is {}", shape.cell.name()),
                _ => "a memoryless cell has no recurrent weights (give embedding: {weight: ...})".to_string(),
            };
            return Err(self.at(&[section], format!("not used by {model}: {why}")));
        }
        Ok(())
    }

    /// The file's entry for `w`, or the error that it is missing.
    fn entry(&self, w: &Wanted, model: &str) -> Result<&Entry> {
        let found = self.entries.iter().find(|e| e.section == w.section && e.name == w.name);
        found.ok_or_else(|| {
            let keys: &[&str] = if self.sections.iter().any(|s| s == w.section) {
                &[w.section]
            } else {
                &[]
            };
            let zeros = if w.name.starts_with("bias") {
                " (give zeros for a module built with bias=False)"
            } else {
                ""
            };
            Error::config(
                &self.path,
                line_of(&self.source, keys).or(Some(1)),
                Some(&format!("{}.{}", w.section, w.name)),
                format!(
                    "missing: {model} needs {}.{}, shape {}{}{zeros}",
                    w.module,
                    w.name,
                    show_shape(&w.torch_shape),
                    w.note
                ),
            )
        })
    }
}

/// The model in messages: `rnn hidden 2 on 'abcd' (4 symbols)`.
fn describe(shape: &ModelShape, dataset: &str) -> String {
    let none = if shape.head == HeadKind::None {
        ", head: none"
    } else {
        ""
    };
    format!(
        "{} hidden {} on '{dataset}' ({} symbols{none})",
        shape.cell.name(),
        shape.hidden,
        shape.vocab
    )
}

/// Every parameter a model of `shape` needs, in file order.
fn wanted(shape: &ModelShape) -> Vec<Wanted> {
    let (v, h) = (shape.vocab, shape.hidden);
    let g = shape.cell.gates() * h;
    let cell_module = match shape.cell {
        CellKind::Memoryless => format!("nn.Embedding({v}, {h})"),
        CellKind::Rnn => format!("nn.RNNCell({v}, {h})"),
        CellKind::Lstm => format!("nn.LSTMCell({v}, {h})"),
        CellKind::Gru => format!("nn.GRUCell({v}, {h})"),
    };
    let gates = match shape.cell {
        CellKind::Lstm => format!(" (4 blocks of {h} rows: i, f, g, o)"),
        CellKind::Gru => format!(" (3 blocks of {h} rows: r, z, n)"),
        _ => String::new(),
    };
    let head_module = format!("nn.Linear({h}, {v})");
    let wanted_for = |section, name, torch_shape, ours| {
        let (module, note) = match section {
            "cell" => (cell_module.clone(), gates.clone()),
            "embedding" => (cell_module.clone(), String::new()),
            _ => (head_module.clone(), String::new()),
        };
        Wanted {
            section,
            name,
            torch_shape,
            ours,
            module,
            note,
        }
    };
    let mut wanted = match shape.cell {
        CellKind::Memoryless => vec![wanted_for("embedding", "weight", vec![v, h], "embedding")],
        _ => vec![
            wanted_for("cell", "weight_ih", vec![g, v], "w_ih"),
            wanted_for("cell", "weight_hh", vec![g, h], "w_hh"),
            wanted_for("cell", "bias_ih", vec![g], "b_ih"),
            wanted_for("cell", "bias_hh", vec![g], "b_hh"),
        ],
    };
    if shape.head == HeadKind::Linear {
        wanted.push(wanted_for("head", "weight", vec![v, h], "head_w"));
        wanted.push(wanted_for("head", "bias", vec![v], "head_b"));
    }
    wanted
}

/// One array in sweeplab's layout, or why its shape does not fit: PyTorch's weights are
/// `[out, in]` and become `[in, out]`, a bias `[out]` becomes `[1, out]`, the embedding (a
/// lookup table) is kept as is.
fn convert(entry: &Entry, w: &Wanted, model: &str) -> Result<HostTensor, String> {
    let a = &entry.array;
    if a.shape != w.torch_shape {
        return Err(format!(
            "shape {} does not fit {model}: {}.{} is {}{}",
            show_shape(&a.shape),
            w.module,
            w.name,
            show_shape(&w.torch_shape),
            w.note
        ));
    }
    let transpose = w.section != "embedding";
    Ok(match (transpose, a.shape.as_slice()) {
        (_, &[n]) => HostTensor::new([1, 1, n], a.data.clone()),
        (true, &[out_n, in_n]) => {
            let mut data = Vec::with_capacity(a.data.len());
            for i in 0..in_n {
                for o in 0..out_n {
                    data.push(a.data[o * in_n + i]);
                }
            }
            HostTensor::new([1, in_n, out_n], data)
        }
        (false, &[rows, cols]) => HostTensor::new([1, rows, cols], a.data.clone()),
        _ => unreachable!("arrays are one- or two-dimensional"),
    })
}

/// A parameter a model needs: where it sits in the file, PyTorch's shape, sweeplab's name, and
/// the module that owns it (for messages).
struct Wanted {
    section: &'static str,
    name: &'static str,
    torch_shape: Vec<usize>,
    ours: &'static str,
    module: String,
    /// The gate layout, for cells with gates.
    note: String,
}

fn show_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", parts.join(", "))
}
