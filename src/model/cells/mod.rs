//! One file per cell. Each stores its weights as `[R, in, out]` (burn's Linear layout with a
//! replica axis); gate blocks are concatenated along `out` in PyTorch's order (LSTM i, f, g, o;
//! GRU r, z, n).

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

/// The input projection `x W_ih + b_ih` for every vocabulary entry at once: with one-hot inputs
/// the product picks a row, so selecting rows of this table per step is exact and avoids
/// slicing a precomputed sequence (whose backward is O(T^2) on some backends).
pub(crate) fn input_table<B: Backend>(w_ih: Tensor<B, 3>, b_ih: Tensor<B, 3>) -> Tensor<B, 3> {
    w_ih + b_ih
}

pub(crate) fn zero_state<B: Backend>(
    r: usize,
    input: &SequenceInput<B>,
    hidden: usize,
    device: &B::Device,
) -> Tensor<B, 3> {
    Tensor::zeros([r, input.batch, hidden], device)
}
