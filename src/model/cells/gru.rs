use super::{recurrent_from_host, zero_state, StepState};
use burn::module::{Module, Param};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// GRU with the reset gate applied after the hidden product (PyTorch, burn `reset_after`):
/// `n = tanh(gi_n + r * gh_n)`, `h = n * (1 - z) + z * h`.
#[derive(Module, Debug)]
pub struct GruCell<B: Backend> {
    pub w_ih: Param<Tensor<B, 3>>,
    pub w_hh: Param<Tensor<B, 3>>,
    pub b_ih: Param<Tensor<B, 3>>,
    pub b_hh: Param<Tensor<B, 3>>,
}

recurrent_from_host!(GruCell);

impl<B: Backend> GruCell<B> {
    /// The state after every step from `start` (`None`: zero), and the last state (`None`
    /// for no step); `xs` is the input side of each step.
    pub fn steps(
        &self,
        xs: Vec<Tensor<B, 3>>,
        start: Option<StepState<B>>,
    ) -> (Vec<Tensor<B, 3>>, Option<StepState<B>>) {
        let Some(first) = xs.first() else {
            return (Vec::new(), None);
        };
        let (w_hh, b_hh) = (self.w_hh.val(), self.b_hh.val());
        let mut h = start.map_or_else(|| zero_state(first, w_hh.dims()[1]), |s| s.h);
        let mut hs = Vec::with_capacity(xs.len());
        for x in xs {
            let gi = x.chunk(3, 2);
            let gh = (h.clone().matmul(w_hh.clone()) + b_hh.clone()).chunk(3, 2);
            let [gi_r, gi_z, gi_n]: [Tensor<B, 3>; 3] = gi.try_into().expect("three gate blocks");
            let [gh_r, gh_z, gh_n]: [Tensor<B, 3>; 3] = gh.try_into().expect("three gate blocks");
            let reset = sigmoid(gi_r + gh_r);
            let update = sigmoid(gi_z + gh_z);
            let candidate = (gi_n + reset * gh_n).tanh();
            let one_minus_z = update.clone().neg().add_scalar(1.0);
            h = candidate * one_minus_z + update * h;
            hs.push(h.clone());
        }
        (hs, Some(StepState { h, c: None }))
    }
}
