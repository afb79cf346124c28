//! One file per cell. Each stores its weights as `[R, in, out]` (burn's Linear layout with a
//! replica axis); gate blocks are concatenated along `out` in PyTorch's order (LSTM i, f, g, o;
//! GRU r, z, n). A recurrent cell is one layer: it reads the input side of every step
//! ([`input_side`]) and returns its hidden state after every step.

mod gru;
mod lstm;
mod memoryless;
mod rnn;

pub use gru::GruCell;
pub use lstm::LstmCell;
pub use memoryless::MemorylessCell;
pub use rnn::RnnCell;

use super::SequenceInput;
use burn::prelude::*;

/// What a layer reads, step by step.
#[derive(Debug, Clone, Copy)]
pub enum LayerInput<'a, B: Backend> {
    /// Token ids, one-hot: the first layer without an embedding.
    Tokens(&'a SequenceInput<B>),
    /// `[R, batch, in]` per step: the embedded tokens, or the layer below's states.
    Dense(&'a [Tensor<B, 3>]),
}

/// The input side `x_t W_ih + b_ih` of every step, `[R, batch, G]` each. With one-hot inputs
/// the product picks a row, so selecting rows of the table `W_ih + b_ih` per step is exact and
/// avoids slicing a precomputed sequence (whose backward is O(T^2) on some backends).
pub(crate) fn input_side<B: Backend>(
    w_ih: Tensor<B, 3>,
    b_ih: Tensor<B, 3>,
    input: LayerInput<'_, B>,
) -> Vec<Tensor<B, 3>> {
    match input {
        LayerInput::Tokens(seq) => {
            let table = w_ih + b_ih;
            seq.steps
                .iter()
                .map(|ids| seq.select_rows(table.clone(), ids))
                .collect()
        }
        // Same association as burn's Linear: (x W) + b.
        LayerInput::Dense(xs) => xs
            .iter()
            .map(|x| x.clone().matmul(w_ih.clone()) + b_ih.clone())
            .collect(),
    }
}

/// A layer's state between steps, `[R, batch, hidden]`: `h`, and LSTM's cell state `c`.
#[derive(Debug, Clone)]
pub struct StepState<B: Backend> {
    pub h: Tensor<B, 3>,
    pub c: Option<Tensor<B, 3>>,
}

/// A zero state `[R, batch, hidden]`, shaped after a step's input side `[R, batch, G]`.
pub(crate) fn zero_state<B: Backend>(first: &Tensor<B, 3>, hidden: usize) -> Tensor<B, 3> {
    let [r, batch, _] = first.dims();
    Tensor::zeros([r, batch, hidden], &first.device())
}

/// The four parameters of layer `l` of a recurrent cell from the host.
macro_rules! recurrent_from_host {
    ($cell:ident) => {
        impl<B: Backend> $cell<B> {
            pub fn from_host(p: &crate::model::host::HostParams, l: usize, device: &B::Device) -> Self {
                let named = |base: &str| crate::model::param(p, &crate::model::layer_name(base, l), device);
                Self {
                    w_ih: named("w_ih"),
                    w_hh: named("w_hh"),
                    b_ih: named("b_ih"),
                    b_hh: named("b_hh"),
                }
            }
        }
    };
}
pub(crate) use recurrent_from_host;
