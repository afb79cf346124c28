//! A weights file checked against one model and converted to sweeplab's layout.

use super::parse::line_of;
use super::{Entry, WeightsFile};
use crate::error::{Error, Result};
use crate::model::host::{HostParams, HostTensor};
use crate::model::{layer_name, ModelShape, INPUT_EMBEDDING};
use crate::spec::{CellKind, HeadKind};

impl WeightsFile {
    /// The parameters for a model of `shape` (one replica, sweeplab's layout), or the first
    /// mismatch: a missing, unused or wrongly shaped parameter. `dataset` names the data in
    /// messages.
    pub fn params(&self, shape: &ModelShape, dataset: &str) -> Result<HostParams> {
        let model = describe(shape, dataset);
        let wanted = wanted(shape);
        self.check_sections(&wanted, shape, &model)?;
        // A parameter of a layer the model does not have.
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| !wanted.iter().any(|w| w.section == e.section && w.name == e.name))
        {
            return Err(self.at(
                &[&e.section, &e.written],
                format!(
                    "not used by {model}: it has {} layer{}",
                    shape.layers,
                    if shape.layers == 1 { "" } else { "s" }
                ),
            ));
        }
        let mut params = HostParams::default();
        for w in &wanted {
            let entry = self.entry(w, &model)?;
            params.insert(
                &w.ours,
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
                "input_embedding" => "the experiment has no embedding (set embedding: E)".to_string(),
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

/// The model in messages: `rnn hidden 2 on 'abcd' (4 symbols)`, plus `, 2 layers` and
/// `, embedding 3` where they are not the default.
fn describe(shape: &ModelShape, dataset: &str) -> String {
    let mut extra = String::new();
    if shape.layers > 1 {
        extra.push_str(&format!(", {} layers", shape.layers));
    }
    if let Some(e) = shape.embedding {
        extra.push_str(&format!(", embedding {e}"));
    }
    if shape.head == HeadKind::None {
        extra.push_str(", head: none");
    }
    format!(
        "{} hidden {} on '{dataset}' ({} symbols{extra})",
        shape.cell.name(),
        shape.hidden,
        shape.vocab
    )
}

/// Every parameter a model of `shape` needs, in file order.
fn wanted(shape: &ModelShape) -> Vec<Wanted> {
    let (v, h, layers) = (shape.vocab, shape.hidden, shape.layers);
    let g = shape.cell.gates() * h;
    let input = shape.input_width(0);
    let cell_module = match (shape.cell, layers) {
        (CellKind::Memoryless, _) => format!("nn.Embedding({v}, {h})"),
        (CellKind::Rnn, 1) => format!("nn.RNNCell({input}, {h})"),
        (CellKind::Lstm, 1) => format!("nn.LSTMCell({input}, {h})"),
        (CellKind::Gru, 1) => format!("nn.GRUCell({input}, {h})"),
        (cell, _) => format!("nn.{}({input}, {h}, num_layers={layers})", cell.name().to_uppercase()),
    };
    let gates = match shape.cell {
        CellKind::Lstm => format!(" (4 blocks of {h} rows: i, f, g, o)"),
        CellKind::Gru => format!(" (3 blocks of {h} rows: r, z, n)"),
        _ => String::new(),
    };
    let head_module = format!("nn.Linear({h}, {v})");
    let wanted_for = |section, name: String, torch_shape, ours: String| {
        let (module, note) = match section {
            "cell" => (cell_module.clone(), gates.clone()),
            "embedding" => (cell_module.clone(), String::new()),
            "input_embedding" => (format!("nn.Embedding({v}, {input})"), String::new()),
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
        CellKind::Memoryless => vec![wanted_for("embedding", "weight".into(), vec![v, h], "embedding".into())],
        _ => {
            let embedding = shape
                .embedding
                .map(|e| wanted_for("input_embedding", "weight".into(), vec![v, e], INPUT_EMBEDDING.into()));
            let mut cell: Vec<Wanted> = embedding.into_iter().collect();
            for l in 0..layers {
                // PyTorch's names: `weight_ih` (or `weight_ih_l0`) for the first layer.
                let torch = |n: &str| if l == 0 { n.to_string() } else { format!("{n}_l{l}") };
                cell.extend([
                    wanted_for(
                        "cell",
                        torch("weight_ih"),
                        vec![g, shape.input_width(l)],
                        layer_name("w_ih", l),
                    ),
                    wanted_for("cell", torch("weight_hh"), vec![g, h], layer_name("w_hh", l)),
                    wanted_for("cell", torch("bias_ih"), vec![g], layer_name("b_ih", l)),
                    wanted_for("cell", torch("bias_hh"), vec![g], layer_name("b_hh", l)),
                ]);
            }
            cell
        }
    };
    if shape.head == HeadKind::Linear {
        wanted.push(wanted_for("head", "weight".into(), vec![v, h], "head_w".into()));
        wanted.push(wanted_for("head", "bias".into(), vec![v], "head_b".into()));
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
    let transpose = w.section != "embedding" && w.section != "input_embedding";
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
    /// PyTorch's name in the section, `_l0` removed.
    name: String,
    torch_shape: Vec<usize>,
    ours: String,
    module: String,
    /// The gate layout, for cells with gates.
    note: String,
}

fn show_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", parts.join(", "))
}
