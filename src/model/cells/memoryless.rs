use crate::model::host::HostParams;
use crate::model::{param, Recurrence, SequenceInput};
use burn::module::{Module, Param};
use burn::prelude::*;

/// Embedding -> tanh: the state at a position depends on the current token only (note 001).
#[derive(Module, Debug)]
pub struct MemorylessCell<B: Backend> {
    /// `[R, vocab, hidden]`
    pub embedding: Param<Tensor<B, 3>>,
}

impl<B: Backend> MemorylessCell<B> {
    pub fn from_host(p: &HostParams, device: &B::Device) -> Self {
        Self {
            embedding: param(p, "embedding", device),
        }
    }
}

impl<B: Backend> Recurrence<B> for MemorylessCell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        let table = self.embedding.val();
        let [r, _, hidden] = table.dims();
        let steps = input.steps.len();
        input
            .select_rows(table, &input.flat)
            .tanh()
            .reshape([r, input.batch, steps, hidden])
    }
}
