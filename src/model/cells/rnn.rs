use super::{recurrent_from_host, zero_state, StepState};
use burn::module::{Module, Param};
use burn::prelude::*;

/// Elman RNN: `h_t = tanh((x_t W_ih + b_ih) + (h_{t-1} W_hh + b_hh))`.
#[derive(Module, Debug)]
pub struct RnnCell<B: Backend> {
    pub w_ih: Param<Tensor<B, 3>>,
    pub w_hh: Param<Tensor<B, 3>>,
    pub b_ih: Param<Tensor<B, 3>>,
    pub b_hh: Param<Tensor<B, 3>>,
}

recurrent_from_host!(RnnCell);

impl<B: Backend> RnnCell<B> {
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
            h = (x + (h.matmul(w_hh.clone()) + b_hh.clone())).tanh();
            hs.push(h.clone());
        }
        (hs, Some(StepState { h, c: None }))
    }
}
