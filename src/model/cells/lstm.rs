use super::{input_table, zero_state};
use crate::model::host::HostParams;
use crate::model::{param, Recurrence, SequenceInput};
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

impl<B: Backend> LstmCell<B> {
    pub fn from_host(p: &HostParams, device: &B::Device) -> Self {
        Self {
            w_ih: param(p, "w_ih", device),
            w_hh: param(p, "w_hh", device),
            b_ih: param(p, "b_ih", device),
            b_hh: param(p, "b_hh", device),
        }
    }
}

impl<B: Backend> Recurrence<B> for LstmCell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        let table = input_table(self.w_ih.val(), self.b_ih.val());
        let [r, _, gates] = table.dims();
        let hidden = gates / 4;
        let device = table.device();
        let (w_hh, b_hh) = (self.w_hh.val(), self.b_hh.val());
        let mut h = zero_state(r, input, hidden, &device);
        let mut c = zero_state(r, input, hidden, &device);
        let mut hs = Vec::with_capacity(input.steps.len());
        for ids in &input.steps {
            let z = input.select_rows(table.clone(), ids) + (h.matmul(w_hh.clone()) + b_hh.clone());
            let mut parts = z.chunk(4, 2).into_iter();
            let mut next = || parts.next().expect("four gate blocks");
            let (i, f, g, o) = (sigmoid(next()), sigmoid(next()), next().tanh(), sigmoid(next()));
            c = f * c + i * g;
            h = o * c.clone().tanh();
            hs.push(h.clone());
        }
        Tensor::stack(hs, 2)
    }
}
