//! `init: {file: PATH}`: initial parameters given explicitly, in PyTorch's names and layout, so
//! that a notebook's `state_dict` values can be pasted (note 001 sets the 1-unit `abcd` model's
//! weights by hand).
//!
//! The file is YAML or JSON (JSON is YAML), one section per module:
//!
//! ```yaml
//! cell:              # nn.RNNCell / LSTMCell / GRUCell(vocab, hidden); nn.RNN's `_l0` names too
//!   weight_ih: [[...], ...]   # [gates*hidden, vocab], gate blocks i,f,g,o (LSTM) / r,z,n (GRU)
//!   weight_hh: [[...], ...]   # [gates*hidden, hidden]
//!   bias_ih: [...]            # [gates*hidden]
//!   bias_hh: [...]            # [gates*hidden]
//! embedding:         # memoryless only: nn.Embedding(vocab, hidden)
//!   weight: [[...], ...]      # [vocab, hidden]
//! head:              # head: linear only: nn.Linear(hidden, vocab)
//!   weight: [[...], ...]      # [vocab, hidden]
//!   bias: [...]               # [vocab]
//! ```
//!
//! Values are rounded to float32 as `torch.tensor` does. Converted to sweeplab's layout exactly
//! as `init: torch` converts PyTorch's parameters (weights transposed to `[in, out]`, biases
//! `[1, out]`, the embedding as is), under the names of [`super::init::seeded`].
//!
//! Every problem is one [`Error::Config`] naming the weights file, the line and the parameter.

use super::host::{HostParams, HostTensor};
use super::ModelShape;
use crate::error::{Error, Result};
use crate::spec::{CellKind, HeadKind, WeightsDigest};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

const SECTIONS: [&str; 3] = ["cell", "embedding", "head"];

fn known_parameters(section: &str) -> &'static [&'static str] {
    match section {
        "cell" => &["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
        "embedding" => &["weight"],
        _ => &["weight", "bias"],
    }
}

/// One array of the file: `shape` is `[n]` or `[rows, cols]`, values row-major.
#[derive(Debug, Clone, PartialEq)]
struct Array {
    shape: Vec<usize>,
    data: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    section: String,
    /// The parameter's name, `_l0` removed.
    name: String,
    /// As written in the file (for messages and line lookup).
    written: String,
    array: Array,
}

/// A parsed weights file, not yet checked against a model.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightsFile {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes: part of every run's identity.
    pub digest: WeightsDigest,
    source: String,
    entries: Vec<Entry>,
    /// Sections present, in file order.
    sections: Vec<String>,
}

/// A weights file converted for one model shape: what a group of runs starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenWeights {
    /// The path as the experiment writes it.
    pub path: String,
    pub digest: WeightsDigest,
    /// One replica, sweeplab's names and layout.
    pub params: HostParams,
}

impl GivenWeights {
    /// The same values for each of `n` replicas.
    pub fn replicated(&self, n: usize) -> HostParams {
        replicate(&self.params, n)
    }
}

/// Repeats a one-replica parameter set `n` times along the replica axis.
pub fn replicate(one: &HostParams, n: usize) -> HostParams {
    let mut out = HostParams::default();
    for (name, t) in one.iter() {
        let [_, rows, cols] = t.shape;
        let first = t.replica(0);
        let data = (0..n).flat_map(|_| first.iter().copied()).collect();
        out.insert(name, HostTensor::new([n, rows, cols], data));
    }
    out
}

impl WeightsFile {
    /// Reads and parses `path`. A file that cannot be read is an `Err(io error)` in the outer
    /// result, for the caller to report at the experiment's `init` line; a malformed file is a
    /// located error in the weights file.
    pub fn load(path: &Path) -> std::io::Result<Result<Self>> {
        let bytes = std::fs::read(path)?;
        let digest = WeightsDigest::of(&bytes);
        Ok(match String::from_utf8(bytes) {
            Ok(source) => Self::parse(path, source, digest),
            Err(_) => Err(Error::config(path, None, None, "not UTF-8 text")),
        })
    }

    pub fn from_source(path: &Path, source: String) -> Result<Self> {
        let digest = WeightsDigest::of(source.as_bytes());
        Self::parse(path, source, digest)
    }

    fn parse(path: &Path, source: String, digest: WeightsDigest) -> Result<Self> {
        let root: Value = serde_yaml_ng::from_str(&source).map_err(|e| crate::spec::yaml_error(path, e))?;
        let at = |keys: &[&str], message: String| {
            Error::config(path, line_of(&source, keys).or(Some(1)), Some(&keys.join(".")), message)
        };
        let Value::Mapping(root) = root else {
            return Err(Error::config(
                path,
                Some(1),
                None,
                "expected a mapping with the sections cell, embedding and/or head",
            ));
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut sections = Vec::new();
        for (key, value) in &root {
            let Some(section) = key.as_str() else {
                return Err(Error::config(
                    path,
                    Some(1),
                    None,
                    format!("section names are text, got {key:?}"),
                ));
            };
            if !SECTIONS.contains(&section) {
                let owner = SECTIONS
                    .into_iter()
                    .find(|s| known_parameters(s).contains(&strip_l0(section)));
                let hint = match owner {
                    Some(owner) => {
                        format!("; {section} is a parameter: put it under its module, e.g. {owner}: {{{section}: ...}}")
                    }
                    None if section.contains('.') => {
                        "; a state_dict key such as 0.weight goes under its module, e.g. embedding: {weight: ...}"
                            .into()
                    }
                    None => String::new(),
                };
                return Err(at(
                    &[section],
                    format!("unknown section (expected cell, embedding or head){hint}"),
                ));
            }
            let Value::Mapping(params) = value else {
                return Err(at(
                    &[section],
                    format!(
                        "expected a mapping of parameters ({})",
                        known_parameters(section).join(", ")
                    ),
                ));
            };
            sections.push(section.to_string());
            for (pkey, pvalue) in params {
                let Some(written) = pkey.as_str() else {
                    return Err(at(&[section], format!("parameter names are text, got {pkey:?}")));
                };
                let keys = [section, written];
                let name = if section == "cell" { strip_l0(written) } else { written };
                if !known_parameters(section).contains(&name) {
                    return Err(at(
                        &keys,
                        format!("unknown parameter (expected {})", known_parameters(section).join(", ")),
                    ));
                }
                if let Some(other) = entries.iter().find(|e| e.section == section && e.name == name) {
                    return Err(at(&keys, format!("given twice (also as {})", other.written)));
                }
                let array = parse_array(pvalue).map_err(|m| at(&keys, m))?;
                entries.push(Entry {
                    section: section.to_string(),
                    name: name.to_string(),
                    written: written.to_string(),
                    array,
                });
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            digest,
            source,
            entries,
            sections,
        })
    }

    /// The parameters for a model of `shape` (one replica, sweeplab's layout), or the first
    /// mismatch: a missing, unused or wrongly shaped parameter. `dataset` names the data in
    /// messages.
    pub fn params(&self, shape: &ModelShape, dataset: &str) -> Result<HostParams> {
        let (v, h) = (shape.vocab, shape.hidden);
        let g = shape.cell.gates() * h;
        let model = format!(
            "{} hidden {h} on '{dataset}' ({v} symbols{})",
            shape.cell.name(),
            if shape.head == HeadKind::None {
                ", head: none"
            } else {
                ""
            }
        );
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
                "cell" => (cell_module.as_str(), gates.as_str()),
                "embedding" => (cell_module.as_str(), ""),
                _ => (head_module.as_str(), ""),
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
        let at = |keys: &[&str], message: String| {
            Error::config(
                &self.path,
                line_of(&self.source, keys).or(Some(1)),
                Some(&keys.join(".")),
                message,
            )
        };

        // Sections this model has no use for.
        for section in &self.sections {
            if wanted.iter().any(|w| w.section == section) {
                continue;
            }
            let why = match section.as_str() {
                "head" => "the experiment has head: none".to_string(),
                "embedding" => format!("only a memoryless cell has an embedding, this is {}", shape.cell.name()),
                _ => "a memoryless cell has no recurrent weights (give embedding: {weight: ...})".to_string(),
            };
            return Err(at(&[section], format!("not used by {model}: {why}")));
        }

        let mut params = HostParams::default();
        for Wanted {
            section,
            name,
            torch_shape,
            ours,
            module,
            note,
        } in wanted
        {
            // PyTorch's weights are [out, in]; the embedding is a lookup table, kept as is.
            let transpose = section != "embedding";
            let Some(entry) = self.entries.iter().find(|e| e.section == section && e.name == name) else {
                let keys: &[&str] = if self.sections.iter().any(|s| s == section) {
                    &[section]
                } else {
                    &[]
                };
                let zeros = if name.starts_with("bias") {
                    " (give zeros for a module built with bias=False)"
                } else {
                    ""
                };
                return Err(Error::config(
                    &self.path,
                    line_of(&self.source, keys).or(Some(1)),
                    Some(&format!("{section}.{name}")),
                    format!(
                        "missing: {model} needs {module}.{name}, shape {}{note}{zeros}",
                        show_shape(&torch_shape)
                    ),
                ));
            };
            let a = &entry.array;
            if a.shape != torch_shape {
                return Err(at(
                    &[section, &entry.written],
                    format!(
                        "shape {} does not fit {model}: {module}.{name} is {}{note}",
                        show_shape(&a.shape),
                        show_shape(&torch_shape)
                    ),
                ));
            }
            let tensor = match (transpose, a.shape.as_slice()) {
                // A bias [out] becomes [1, out].
                (_, &[n]) => HostTensor::new([1, 1, n], a.data.clone()),
                // PyTorch's [out, in] becomes [in, out].
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
            };
            params.insert(ours, tensor);
        }
        Ok(params)
    }

    /// Parses and converts for one group: [`Self::params`] wrapped with the experiment's path.
    pub fn given(&self, written_path: &str, shape: &ModelShape, dataset: &str) -> Result<GivenWeights> {
        Ok(GivenWeights {
            path: written_path.to_string(),
            digest: self.digest,
            params: self.params(shape, dataset)?,
        })
    }
}

/// A parameter a model needs: where it sits in the file, PyTorch's shape, sweeplab's name, and
/// the module that owns it (for messages).
struct Wanted<'a> {
    section: &'a str,
    name: &'a str,
    torch_shape: Vec<usize>,
    ours: &'a str,
    module: &'a str,
    /// The gate layout, for cells with gates.
    note: &'a str,
}

fn strip_l0(name: &str) -> &str {
    name.strip_suffix("_l0").unwrap_or(name)
}

fn show_shape(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", parts.join(", "))
}

fn number(v: &Value) -> Result<f32, String> {
    let x = match v {
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .ok_or_else(|| {
        let shown = serde_yaml_ng::to_string(v).map_or_else(|_| "?".into(), |s| s.trim().to_string());
        format!("expected a number, got {shown}")
    })?;
    let f = x as f32;
    if !f.is_finite() {
        return Err(format!("values must be finite float32 numbers, got {x}"));
    }
    Ok(f)
}

/// A list of numbers (`[n]`) or a list of equally long lists of numbers (`[rows, cols]`).
fn parse_array(v: &Value) -> Result<Array, String> {
    const SHAPES: &str = "expected a list of numbers (a bias) or a list of rows (a weight matrix)";
    let Value::Sequence(items) = v else {
        return Err(SHAPES.into());
    };
    if items.iter().all(|x| !matches!(x, Value::Sequence(_))) {
        let data = items.iter().map(number).collect::<Result<Vec<_>, _>>()?;
        return Ok(Array {
            shape: vec![data.len()],
            data,
        });
    }
    let mut data = Vec::new();
    let mut cols = None;
    for (r, row) in items.iter().enumerate() {
        let Value::Sequence(row) = row else {
            return Err(format!("row {r} is not a list; {SHAPES}"));
        };
        if row.iter().any(|x| matches!(x, Value::Sequence(_))) {
            return Err(format!("row {r} holds lists; parameters have at most two dimensions"));
        }
        match cols {
            None => cols = Some(row.len()),
            Some(c) if c != row.len() => {
                return Err(format!(
                    "rows have different lengths: row 0 has {c} values, row {r} has {}",
                    row.len()
                ))
            }
            Some(_) => {}
        }
        for x in row {
            data.push(number(x)?);
        }
    }
    Ok(Array {
        shape: vec![items.len(), cols.unwrap_or(0)],
        data,
    })
}

/// 1-based line of the nested mapping key `keys` (each searched after the previous one), in
/// block YAML, flow YAML or JSON; `None` when a key is not found (or `keys` is empty).
fn line_of(source: &str, keys: &[&str]) -> Option<usize> {
    let mut line = 0usize;
    let mut col = 0usize;
    let lines: Vec<&str> = source.lines().collect();
    let mut found = None;
    for key in keys {
        let mut hit = None;
        'search: for (li, text) in lines.iter().enumerate().skip(line) {
            if text.trim_start().starts_with('#') {
                continue;
            }
            let from = if li == line { col } else { 0 };
            let mut start = from;
            while let Some(pos) = text.get(start..).and_then(|t| t.find(key)) {
                let at = start + pos;
                let end = at + key.len();
                let before = text[..at].chars().next_back();
                let quoted = matches!(before, Some('"' | '\''));
                let key_start = if quoted { at - 1 } else { at };
                let ok_before = text[..key_start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || c == '{' || c == ',' || c == '-');
                let mut rest = &text[end..];
                if quoted {
                    rest = rest.strip_prefix(before.unwrap()).unwrap_or("x");
                }
                if ok_before && rest.trim_start().starts_with(':') {
                    hit = Some((li, end));
                    break 'search;
                }
                start = end;
            }
        }
        let (li, end) = hit?;
        line = li;
        col = end;
        found = Some(li + 1);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_in_block_flow_and_json_text() {
        let block = "# weights\ncell:\n  weight_ih: [[1]]\nhead:\n  weight:\n    - [1]\n  bias: [0]\n";
        assert_eq!(line_of(block, &["head", "weight"]), Some(5));
        assert_eq!(line_of(block, &["head", "bias"]), Some(7));
        assert_eq!(line_of(block, &["cell", "weight_ih"]), Some(3));
        let json = "{\n  \"head\": {\n    \"weight\": [[1]],\n    \"bias\": [0]\n  },\n  \"embedding\": {\"weight\": [[2]]}\n}\n";
        assert_eq!(line_of(json, &["head", "bias"]), Some(4));
        assert_eq!(line_of(json, &["embedding", "weight"]), Some(6));
        assert_eq!(line_of(json, &["cell"]), None);
        let flow = "embedding: {weight: [[1]]}\nhead: {weight: [[1]], bias: [2]}\n";
        assert_eq!(line_of(flow, &["head", "bias"]), Some(2));
        // A key is not found inside a longer name.
        assert_eq!(line_of("cell:\n  weight_ih_l0: []\n", &["cell", "weight_ih"]), None);
    }
}
