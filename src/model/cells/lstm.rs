use super::{recurrent_from_host, zero_state, StepState};
use burn::module::{Module, Param};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// LSTM, gates i, f, g, o: `c = f * c + i * g`, `h = o * tanh(c)` (burn's and PyTorch's order
/// of operations).
#[derive(Module, Debug)]
pub struct LstmCell<B: Backend> {
    pub w_ih: Param<Tensor<B, 3>>,
    pub w_hh: Param<Tensor<B, 3>>,
    pub b_ih: Param<Tensor<B, 3>>,
    pub b_hh: Param<Tensor<B, 3>>,
}

recurrent_from_host!(LstmCell);

impl<B: Backend> LstmCell<B> {
    /// The state after every step from `start` (`None`: zero), and the last state with its
    /// cell state (`None` for no step); `xs` is the input side of each step.
    pub fn steps(
        &self,
        xs: Vec<Tensor<B, 3>>,
        start: Option<StepState<B>>,
    ) -> (Vec<Tensor<B, 3>>, Option<StepState<B>>) {
        let Some(first) = xs.first() else {
            return (Vec::new(), None);
        };
        let (w_hh, b_hh) = (self.w_hh.val(), self.b_hh.val());
        let hidden = w_hh.dims()[1];
        let (mut h, mut c) = match start {
            Some(StepState { h, c: Some(c) }) => (h, c),
            _ => (zero_state(first, hidden), zero_state(first, hidden)),
        };
        let mut hs = Vec::with_capacity(xs.len());
        for x in xs {
            let z = x + (h.matmul(w_hh.clone()) + b_hh.clone());
            let mut parts = z.chunk(4, 2).into_iter();
            let mut next = || parts.next().expect("four gate blocks");
            let (i, f, g, o) = (sigmoid(next()), sigmoid(next()), next().tanh(), sigmoid(next()));
            c = f * c + i * g;
            h = o * c.clone().tanh();
            hs.push(h.clone());
        }
        (hs, Some(StepState { h, c: Some(c) }))
    }
}
