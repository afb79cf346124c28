//! PyTorch-compatible initialisation (`init: torch`): the values a notebook gets from
//! `torch.manual_seed(seed)` followed by creating the cell and then the head
//! `nn.Linear(hidden, vocab)`, bit for bit on an x86-64 CPU (torch's AVX2/AVX512 kernels).
//!
//! The values are converted to sweeplab's layout: weights `[R, in, out]` (PyTorch's `[out, in]`
//! transposed), gate blocks along `out` in PyTorch's order, biases `[R, 1, out]`; the same names
//! as [`super::init::seeded`]. Each replica uses its own seed.

pub mod distributions;
pub mod modules;
pub mod mt19937;

pub use distributions::TorchGenerator;
pub use modules::TorchParam;

use super::host::{HostParams, HostTensor};
use super::{layer_name, ModelShape, INPUT_EMBEDDING};
use crate::spec::{CellKind, HeadKind};

/// The parameters of one replica built after `torch.manual_seed(seed)`, in creation order and
/// PyTorch's layout, with sweeplab's names: the input embedding (`nn.Embedding(vocab, E)`)
/// if there is one, the cell (`nn.RNN`/`LSTM`/`GRU(in, hidden, num_layers)`, which draws each
/// layer as `nn.RNNCell`/... of that layer's input width; or `nn.Embedding(vocab, hidden)` for
/// the memoryless cell), then the head.
pub fn torch_modules(shape: &ModelShape, seed: u64) -> Vec<(String, TorchParam)> {
    let mut gen = TorchGenerator::manual_seed(seed);
    let (v, h) = (shape.vocab, shape.hidden);
    let mut out: Vec<(String, TorchParam)> = Vec::new();
    match shape.cell {
        CellKind::Memoryless => out.extend(
            modules::embedding(&mut gen, v, h)
                .into_iter()
                .map(|p| ("embedding".into(), p)),
        ),
        cell => {
            if let Some(e) = shape.embedding {
                out.extend(
                    modules::embedding(&mut gen, v, e)
                        .into_iter()
                        .map(|p| (INPUT_EMBEDDING.into(), p)),
                );
            }
            for l in 0..shape.layers {
                let names = ["w_ih", "w_hh", "b_ih", "b_hh"].map(|n| layer_name(n, l));
                let params = modules::recurrent_cell(&mut gen, cell.gates(), shape.input_width(l), h);
                out.extend(names.into_iter().zip(params));
            }
        }
    }
    if shape.head == HeadKind::Linear {
        let names = ["head_w", "head_b"].map(String::from);
        out.extend(names.into_iter().zip(modules::linear(&mut gen, h, v)));
    }
    out
}

/// Initial parameters for `seeds.len()` replicas, each as PyTorch creates them after
/// `torch.manual_seed(seed)`, in sweeplab's layout.
pub fn torch_seeded(shape: &ModelShape, seeds: &[u64]) -> HostParams {
    let per_seed: Vec<Vec<(String, TorchParam)>> = seeds.iter().map(|&s| torch_modules(shape, s)).collect();
    let mut params = HostParams::default();
    let Some(first) = per_seed.first() else {
        return params;
    };
    for (k, (name, p0)) in first.iter().enumerate() {
        // Embeddings are already [vocab, width]; weights and biases are transposed to
        // [in, out] (a bias [out, 1] becomes [1, out]).
        let transpose = name != "embedding" && name != INPUT_EMBEDDING;
        let [rows, cols] = if transpose {
            [p0.shape[1], p0.shape[0]]
        } else {
            p0.shape
        };
        let mut data = Vec::with_capacity(seeds.len() * rows * cols);
        for replica in &per_seed {
            let p = &replica[k].1;
            if transpose {
                let [out_n, in_n] = p.shape;
                for i in 0..in_n {
                    for o in 0..out_n {
                        data.push(p.data[o * in_n + i]);
                    }
                }
            } else {
                data.extend_from_slice(&p.data);
            }
        }
        params.insert(name, HostTensor::new([seeds.len(), rows, cols], data));
    }
    params
}
