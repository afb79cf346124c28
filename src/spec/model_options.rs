//! The model and data options of a run, as `torch.nn` names them: stacked layers
//! (`num_layers`), an input embedding (`nn.Embedding(vocab, E)` in front of the first cell),
//! dropout between layers, and the data's layout in training (`batch` contiguous streams,
//! cut into windows of `bptt` steps: truncated backpropagation through time).
//! Like the optimiser's arguments (`super::optim`), an option that does not apply to a run
//! (`layers` to the memoryless model, `dropout` to one layer) is reset to its default for that
//! run, and refused when it applies to no run at all (`crate::plan`).

use super::values::{CellKind, Param, ParamValue};
use serde::{Deserialize, Serialize};

/// The most stacked layers a model may have.
pub const MAX_LAYERS: usize = 64;
/// The largest embedding width.
pub const MAX_EMBEDDING: usize = 4096;
/// The most streams (`batch`) a sequence may be cut into.
pub const MAX_STREAMS: usize = 1_000_000;
/// The longest `bptt` window.
pub const MAX_BPTT: usize = 1_000_000;

/// A run's model options. The defaults are the model every run trained before these were
/// options: one layer, one-hot input, no dropout, the sequence as one stream.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelOptions {
    /// Stacked cells; the head reads the last one.
    pub layers: usize,
    /// `Some(E)`: the tokens enter through an `nn.Embedding(vocab, E)`; `None`: one-hot.
    pub embedding: Option<usize>,
    /// Dropout on the outputs of every layer but the last, in training only.
    pub dropout: f64,
    /// Training cuts the sequence into this many contiguous streams, trained side by side.
    pub batch: usize,
    /// `Some(k)`: truncated BPTT, one optimiser step per window of k steps of every stream,
    /// the state carried from window to window without a gradient; `None`: one pass over the
    /// whole sequence per epoch.
    pub bptt: Option<usize>,
    /// The fraction of every stream's last positions held out of training and measured as
    /// the validation loss (0: none).
    pub val: f64,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            layers: 1,
            embedding: None,
            dropout: 0.0,
            batch: 1,
            bptt: None,
            val: 0.0,
        }
    }
}

impl ModelOptions {
    /// The value of `param`, if it is one of the model options.
    pub fn value(&self, param: Param) -> Option<ParamValue> {
        Some(match param {
            Param::Layers => ParamValue::Layers(self.layers),
            Param::Embedding => ParamValue::Embedding(self.embedding),
            Param::Dropout => ParamValue::Dropout(self.dropout),
            Param::Batch => ParamValue::Batch(self.batch),
            Param::Bptt => ParamValue::Bptt(self.bptt),
            Param::Val => ParamValue::Val(self.val),
            _ => return None,
        })
    }

    /// Sets the field of `value`; false if it is not a model option.
    pub fn set(&mut self, value: &ParamValue) -> bool {
        match *value {
            ParamValue::Layers(n) => self.layers = n,
            ParamValue::Embedding(e) => self.embedding = e,
            ParamValue::Dropout(p) => self.dropout = p,
            ParamValue::Batch(n) => self.batch = n,
            ParamValue::Bptt(k) => self.bptt = k,
            ParamValue::Val(v) => self.val = v,
            _ => return false,
        }
        true
    }

    /// Whether `param` means anything for a model of `cell` with these options (every other
    /// parameter: true).
    pub fn takes(&self, cell: CellKind, param: Param) -> bool {
        match param {
            Param::Layers | Param::Embedding => cell != CellKind::Memoryless,
            Param::Dropout => cell != CellKind::Memoryless && self.layers > 1,
            _ => true,
        }
    }

    /// What does not take `param`, for messages: `cell memoryless (only to rnn, lstm, gru)`.
    pub fn not_taking(&self, cell: CellKind, param: Param) -> String {
        if cell == CellKind::Memoryless || param != Param::Dropout {
            "cell memoryless (only to rnn, lstm and gru)".into()
        } else {
            format!("layers {} (only to layers >= 2, as torch.nn's rule)", self.layers)
        }
    }

    /// The options that do not apply to a model of `cell` reset to their defaults; returns the
    /// parameters that were reset from a value that was not the default.
    pub fn normalized(mut self, cell: CellKind) -> (Self, Vec<Param>) {
        let default = Self::default();
        let mut reset = Vec::new();
        for param in Param::ALL {
            if self.value(param).is_some() && !self.takes(cell, param) && self.value(param) != default.value(param) {
                self.set(&default.value(param).expect("a model option"));
                reset.push(param);
            }
        }
        (self, reset)
    }
}

/// Parses a value of one of the model options; `None` for any other parameter.
pub(super) fn parse(param: Param, v: &serde_yaml_ng::Value, shown: &str) -> Option<Result<ParamValue, String>> {
    use serde_yaml_ng::Value;
    let count = |most: usize| match v {
        Value::Number(n) => n.as_u64().filter(|&n| n >= 1 && n <= most as u64).map(|n| n as usize),
        _ => None,
    };
    Some(match param {
        Param::Layers => count(MAX_LAYERS)
            .map(ParamValue::Layers)
            .ok_or_else(|| format!("layers must be an integer from 1 to {MAX_LAYERS}, got {shown}")),
        Param::Embedding if v.as_str() == Some("none") => Ok(ParamValue::Embedding(None)),
        Param::Embedding => count(MAX_EMBEDDING)
            .map(|e| ParamValue::Embedding(Some(e)))
            .ok_or_else(|| format!("embedding must be an integer from 1 to {MAX_EMBEDDING} or none, got {shown}")),
        Param::Dropout => fraction(v)
            .map(ParamValue::Dropout)
            .ok_or_else(|| format!("dropout must be a number in [0, 1), got {shown}")),
        Param::Val => fraction(v)
            .map(ParamValue::Val)
            .ok_or_else(|| format!("val must be a number in [0, 1), got {shown}")),
        Param::Batch => count(MAX_STREAMS)
            .map(ParamValue::Batch)
            .ok_or_else(|| format!("batch must be an integer from 1 to {MAX_STREAMS}, got {shown}")),
        Param::Bptt if v.as_str() == Some("none") => Ok(ParamValue::Bptt(None)),
        Param::Bptt => count(MAX_BPTT)
            .map(|k| ParamValue::Bptt(Some(k)))
            .ok_or_else(|| format!("bptt must be an integer from 1 to {MAX_BPTT} or none, got {shown}")),
        _ => return None,
    })
}

/// A number in [0, 1) (a dropout probability, a validation fraction).
fn fraction(v: &serde_yaml_ng::Value) -> Option<f64> {
    match v {
        serde_yaml_ng::Value::Number(n) => n.as_f64().filter(|x| (0.0..1.0).contains(x)),
        _ => None,
    }
}
