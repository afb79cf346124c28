use super::{input_table, zero_state};
use crate::model::host::HostParams;
use crate::model::{param, Recurrence, SequenceInput};
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

impl<B: Backend> RnnCell<B> {
    pub fn from_host(p: &HostParams, device: &B::Device) -> Self {
        Self {
            w_ih: param(p, "w_ih", device),
            w_hh: param(p, "w_hh", device),
            b_ih: param(p, "b_ih", device),
            b_hh: param(p, "b_hh", device),
        }
    }
}

impl<B: Backend> Recurrence<B> for RnnCell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        let table = input_table(self.w_ih.val(), self.b_ih.val());
        let [r, _, hidden] = table.dims();
        let (w_hh, b_hh) = (self.w_hh.val(), self.b_hh.val());
        let mut h = zero_state(r, input, hidden, &table.device());
        let mut hs = Vec::with_capacity(input.steps.len());
        for ids in &input.steps {
            let x = input.select_rows(table.clone(), ids);
            h = (x + (h.matmul(w_hh.clone()) + b_hh.clone())).tanh();
            hs.push(h.clone());
        }
        Tensor::stack(hs, 2)
    }
}
