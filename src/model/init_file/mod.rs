//! `init: {file: PATH}`: initial parameters given explicitly, in PyTorch's names and layout, so
//! that a notebook's `state_dict` values can be pasted (note 001 sets the 1-unit `abcd` model's
//! weights by hand).
//!
//! The file is YAML or JSON (JSON is YAML), one section per module:
//!
//! ```yaml
//! input_embedding:   # with `embedding: E` only: nn.Embedding(vocab, E) before the cell
//!   weight: [[...], ...]      # [vocab, E]
//! cell:              # nn.RNNCell / LSTMCell / GRUCell(vocab, hidden); nn.RNN's `_l0` names too
//!   weight_ih: [[...], ...]   # [gates*hidden, vocab (or E)], gate blocks i,f,g,o (LSTM) / r,z,n (GRU)
//!   weight_hh: [[...], ...]   # [gates*hidden, hidden]
//!   bias_ih: [...]            # [gates*hidden]
//!   bias_hh: [...]            # [gates*hidden]
//!   weight_ih_l1: [[...], ...] # with `layers: 2` or more: nn.LSTM(num_layers)'s names, [gates*hidden, hidden]
//!   ...                       # weight_hh_l1, bias_ih_l1, bias_hh_l1, then _l2, ...
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

mod convert;
mod parse;

use super::host::{HostParams, HostTensor};
use super::ModelShape;
use crate::error::{Error, Result};
use crate::spec::WeightsDigest;
use std::path::{Path, PathBuf};

/// One array of the file: `shape` is `[n]` or `[rows, cols]`, values row-major.
#[derive(Debug, Clone, PartialEq)]
struct Array {
    shape: Vec<usize>,
    data: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    section: String,
    /// The parameter's name, `_l0` removed (`weight_ih`, `weight_ih_l1`, ...).
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
        let bytes = crate::input::read_limited(path, crate::input::MAX_DATA_BYTES)?;
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

    /// Parses and converts for one group: [`Self::params`] wrapped with the experiment's path.
    pub fn given(&self, written_path: &str, shape: &ModelShape, dataset: &str) -> Result<GivenWeights> {
        Ok(GivenWeights {
            path: written_path.to_string(),
            digest: self.digest,
            params: self.params(shape, dataset)?,
        })
    }
}
