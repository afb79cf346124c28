use super::{input_table, zero_state};
use crate::model::host::HostParams;
use crate::model::{param, Recurrence, SequenceInput};
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

impl<B: Backend> GruCell<B> {
    pub fn from_host(p: &HostParams, device: &B::Device) -> Self {
        Self {
            w_ih: param(p, "w_ih", device),
            w_hh: param(p, "w_hh", device),
            b_ih: param(p, "b_ih", device),
            b_hh: param(p, "b_hh", device),
        }
    }
}

impl<B: Backend> Recurrence<B> for GruCell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        let table = input_table(self.w_ih.val(), self.b_ih.val());
        let [r, _, gates] = table.dims();
        let hidden = gates / 3;
        let (w_hh, b_hh) = (self.w_hh.val(), self.b_hh.val());
        let mut h = zero_state(r, input, hidden, &table.device());
        let mut hs = Vec::with_capacity(input.steps.len());
        for ids in &input.steps {
            let gi = input.select_rows(table.clone(), ids).chunk(3, 2);
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
        Tensor::stack(hs, 2)
    }
}
