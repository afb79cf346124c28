//! The cells stacked (`layers`): the first layer reads the tokens (one-hot, or through the
//! input embedding), every layer above reads the states of the one below, dropout masks sit
//! between them, and truncated BPTT's carried state enters and leaves every layer.

use super::carry::{host_state, step_state, Carry};
use super::cells::LayerInput;
use super::fused::FusedBackend;
use super::{prediction_states, CarriedState, ForwardOutput, Kernel, Recurrence, ReplicaModel, SequenceInput};
use burn::prelude::*;
use std::sync::Arc;

/// Which layers' states a pass hands back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The last layer's (what the head reads).
    Last,
    /// Every layer's, bottom up (`record: layers: all`).
    All,
}

impl<B: FusedBackend> ReplicaModel<B> {
    /// The last layer's states `[R, batch, steps, hidden]`. `masks` (training with dropout)
    /// multiply the outputs of the layers below the last, one `[R, batch, steps, hidden]` mask
    /// per layer; empty: no dropout. With a `carry`, every layer starts from its carried state
    /// and the carry is left holding the state after the last step (truncated BPTT's windows);
    /// without one, from a zero state.
    pub fn states(
        &self,
        input: &SequenceInput<B>,
        kernel: Kernel,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
    ) -> Tensor<B, 4> {
        let mut layers = self.layer_states(input, kernel, masks, carry, Keep::Last);
        layers.pop().expect("the last layer's states")
    }

    /// Like [`Self::forward`], and with `all_layers` the states of every layer side by side,
    /// `[R, positions, layers * hidden]` (layer 1 first), as `record: layers: all` stores them.
    pub fn forward_recorded(
        &self,
        input: &SequenceInput<B>,
        kernel: Kernel,
        carry: Option<&mut CarriedState>,
        all_layers: bool,
    ) -> ForwardOutput<B> {
        if !all_layers || self.upper.is_empty() {
            return self.forward(input, kernel, carry);
        }
        let layers: Vec<Tensor<B, 3>> = self
            .layer_states(input, kernel, &[], carry, Keep::All)
            .into_iter()
            .map(|s| prediction_states(s, input.last_only))
            .collect();
        let last = layers.last().expect("the last layer's states").clone();
        ForwardOutput {
            logits: self.logits(last),
            states: Tensor::cat(layers, 2),
        }
    }

    /// The states of the layers `keep` asks for, bottom up.
    fn layer_states(
        &self,
        input: &SequenceInput<B>,
        kernel: Kernel,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
        keep: Keep,
    ) -> Vec<Tensor<B, 4>> {
        if self.cell.recurrent().is_none() {
            // No recurrence, nothing to carry.
            return vec![self.cell.states(input)];
        }
        match kernel {
            Kernel::Fused => self.fused_layers(input, masks, carry, keep),
            Kernel::OpByOp => self.op_layers(input, masks, carry, keep),
        }
    }

    /// [`Self::layer_states`] with the fused kernels: one op per layer.
    fn fused_layers(
        &self,
        input: &SequenceInput<B>,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
        keep: Keep,
    ) -> Vec<Tensor<B, 4>> {
        let mut kept = Vec::new();
        let layers = 1 + self.upper.len();
        let carries: Vec<Option<Arc<Carry>>> = (0..layers)
            .map(|l| carry.as_ref().map(|c| Carry::new(c.layer(l))))
            .collect();
        let mut states = match &self.embedding {
            None => self.cell.fused_tokens(input, carries[0].clone()),
            Some(e) => {
                let x = input.select_rows(e.val(), &input.flat);
                self.cell.fused_dense(x, input.batch, carries[0].clone())
            }
        };
        for (l, cell) in self.upper.iter().enumerate() {
            if keep == Keep::All {
                kept.push(states.clone());
            }
            if let Some(mask) = masks.get(l) {
                states = states * mask.clone();
            }
            let [r, batch, steps, hidden] = states.dims();
            states = cell.fused_dense(
                states.reshape([r, batch * steps, hidden]),
                batch,
                carries[l + 1].clone(),
            );
        }
        if let Some(carry) = carry {
            carry.layers = carries.iter().flatten().map(|c| c.take_end()).collect();
        }
        kept.push(states);
        kept
    }

    /// [`Self::layer_states`] with the op-by-op cells (the reference), step by step.
    fn op_layers(
        &self,
        input: &SequenceInput<B>,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
        keep: Keep,
    ) -> Vec<Tensor<B, 4>> {
        let mut kept = Vec::new();
        let device = input.flat.device();
        let [r, hidden] = [self.cell_replicas(), self.hidden()];
        let start = |l: usize| {
            let state = carry.as_ref().map(|c| c.layer(l)).unwrap_or_default();
            step_state::<B>(state, [r, input.batch, hidden], &device)
        };
        let mut ends = Vec::with_capacity(1 + self.upper.len());
        let embedded: Option<Vec<Tensor<B, 3>>> = self.embedding.as_ref().map(|e| {
            let table = e.val();
            input
                .steps
                .iter()
                .map(|ids| input.select_rows(table.clone(), ids))
                .collect()
        });
        let (mut hs, end) = self.cell.op_steps(
            match &embedded {
                Some(xs) => LayerInput::Dense(xs),
                None => LayerInput::Tokens(input),
            },
            start(0),
        );
        ends.push(end);
        for (l, cell) in self.upper.iter().enumerate() {
            if keep == Keep::All {
                kept.push(Tensor::stack(hs.clone(), 2));
            }
            if let Some(mask) = masks.get(l) {
                hs = hs
                    .into_iter()
                    .enumerate()
                    .map(|(t, h)| {
                        let [r, batch, hidden] = h.dims();
                        h * mask.clone().narrow(2, t, 1).reshape([r, batch, hidden])
                    })
                    .collect();
            }
            let (next, end) = cell.op_steps(LayerInput::Dense(&hs), start(l + 1));
            hs = next;
            ends.push(end);
        }
        if let Some(carry) = carry {
            carry.layers = ends.into_iter().flatten().map(host_state).collect();
        }
        kept.push(Tensor::stack(hs, 2));
        kept
    }

    /// The replica count R (every parameter's first dimension).
    fn cell_replicas(&self) -> usize {
        let (_, [_, w_hh, ..]) = self.cell.recurrent().expect("a recurrent cell");
        w_hh.val().dims()[0]
    }

    /// The hidden size (of every layer).
    fn hidden(&self) -> usize {
        let (_, [_, w_hh, ..]) = self.cell.recurrent().expect("a recurrent cell");
        w_hh.val().dims()[1]
    }
}
