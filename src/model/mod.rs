//! The replica-batched model: every parameter carries a leading replica dimension R, so the
//! runs of a group (same everything but the seed) train as one burn model. Replicas never mix:
//! each one's loss depends only on its own parameters, the losses are summed, so each replica
//! receives exactly its own gradient and (Adam being element-wise) its own update.
//!
//! The recurrence sits behind one narrow interface, [`Recurrence`]: token sequence in, hidden
//! states out. The cells are written from burn tensor ops with the same floating-point
//! association as burn's `nn::Rnn`/`Lstm`/`Gru` (`(x W_i + b_i) + (h W_h + b_h)`); they are the
//! reference. [`fused`] computes the same recurrence as one burn op ([`Kernel::Fused`]).

pub mod carry;
pub mod cells;
pub mod fused;
pub mod host;
pub mod init;
pub mod init_file;
mod input;
mod shape;
mod stack;
pub mod torch_init;

pub use carry::{CarriedState, LayerState};
pub use input::{replica_losses, LossTargets, Part, SequenceInput};
pub use shape::ModelShape;

use crate::spec::{CellKind, HeadKind};
use burn::module::{Module, Param};
use burn::prelude::*;
use carry::Carry;
use cells::{input_side, GruCell, LayerInput, LstmCell, MemorylessCell, RnnCell, StepState};
use fused::FusedBackend;
use host::{HostParams, HostTensor};
use std::sync::Arc;

/// The host name of the input embedding `[vocab, E]` in front of the first cell (the
/// memoryless model's own table is `embedding`).
pub const INPUT_EMBEDDING: &str = "input_embedding";

/// The host name of parameter `base` (`w_ih`, ...) of layer `l`: `w_ih` for the first layer
/// (the name it had before layers were options), `w_ih_l1` above it.
pub fn layer_name(base: &str, l: usize) -> String {
    if l == 0 {
        base.to_string()
    } else {
        format!("{base}_l{l}")
    }
}

/// How the recurrence of RNN, LSTM and GRU cells is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// One fused op for the whole sequence ([`fused`]); the fast path on the CPU.
    #[default]
    Fused,
    /// The cells written step by step from burn tensor ops: the reference.
    OpByOp,
}

/// Sequence in, states out: the seam where a fused kernel can replace the op-by-op cells.
pub trait Recurrence<B: Backend> {
    /// Hidden states `[R, batch, steps, hidden]`, starting from a zero state.
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4>;
}

/// One layer.
#[derive(Module, Debug)]
pub enum Cell<B: Backend> {
    Memoryless(MemorylessCell<B>),
    Rnn(RnnCell<B>),
    Lstm(LstmCell<B>),
    Gru(GruCell<B>),
}

impl<B: Backend> Cell<B> {
    fn from_host(cell: CellKind, params: &HostParams, l: usize, device: &B::Device) -> Self {
        match cell {
            CellKind::Memoryless => Cell::Memoryless(MemorylessCell::from_host(params, device)),
            CellKind::Rnn => Cell::Rnn(RnnCell::from_host(params, l, device)),
            CellKind::Lstm => Cell::Lstm(LstmCell::from_host(params, l, device)),
            CellKind::Gru => Cell::Gru(GruCell::from_host(params, l, device)),
        }
    }

    /// A recurrent cell's kind and `[w_ih, w_hh, b_ih, b_hh]`; `None` for the memoryless one.
    fn recurrent(&self) -> Option<(CellKind, [&Param<Tensor<B, 3>>; 4])> {
        Some(match self {
            Cell::Memoryless(_) => return None,
            Cell::Rnn(c) => (CellKind::Rnn, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
            Cell::Lstm(c) => (CellKind::Lstm, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
            Cell::Gru(c) => (CellKind::Gru, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
        })
    }

    /// The state after every step from `start` (`None`: zero), op by op (a recurrent cell),
    /// and the last state.
    fn op_steps(
        &self,
        input: LayerInput<'_, B>,
        start: Option<StepState<B>>,
    ) -> (Vec<Tensor<B, 3>>, Option<StepState<B>>) {
        let side = |w_ih: &Param<Tensor<B, 3>>, b_ih: &Param<Tensor<B, 3>>| input_side(w_ih.val(), b_ih.val(), input);
        match self {
            Cell::Memoryless(_) => unreachable!("the memoryless cell is not stacked"),
            Cell::Rnn(c) => c.steps(side(&c.w_ih, &c.b_ih), start),
            Cell::Lstm(c) => c.steps(side(&c.w_ih, &c.b_ih), start),
            Cell::Gru(c) => c.steps(side(&c.w_ih, &c.b_ih), start),
        }
    }
}

impl<B: Backend> Recurrence<B> for Cell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        match self {
            Cell::Memoryless(c) => c.states(input),
            _ => Tensor::stack(self.op_steps(LayerInput::Tokens(input), None).0, 2),
        }
    }
}

impl<B: FusedBackend> Cell<B> {
    /// States `[R, batch, steps, hidden]` of a one-hot input computed with `kernel` (the
    /// memoryless cell has no recurrence to fuse and is always op by op).
    pub fn sequence(&self, input: &SequenceInput<B>, kernel: Kernel) -> Tensor<B, 4> {
        match (kernel, self.recurrent()) {
            (Kernel::Fused, Some(_)) => self.fused_tokens(input, None),
            _ => self.states(input),
        }
    }

    /// Fused states of a recurrent cell reading one-hot tokens, from `carry`'s start.
    fn fused_tokens(&self, input: &SequenceInput<B>, carry: Option<Arc<Carry>>) -> Tensor<B, 4> {
        let (cell, p) = self.recurrent().expect("a recurrent cell");
        fused::recurrence(cell, p.map(Param::val), input.tokens.clone(), carry)
    }

    /// Fused states `[R, batch, steps, hidden]` of a recurrent cell reading dense vectors
    /// `x [R, batch * steps, in]`, from `carry`'s start: burn computes `x W_ih + b_ih` for
    /// every position at once, the projected op the recurrence.
    fn fused_dense(&self, x: Tensor<B, 3>, batch: usize, carry: Option<Arc<Carry>>) -> Tensor<B, 4> {
        let (cell, [w_ih, w_hh, b_ih, b_hh]) = self.recurrent().expect("a recurrent cell");
        let xp = x.matmul(w_ih.val()) + b_ih.val();
        fused::projected(cell, [xp, w_hh.val(), b_hh.val()], batch, carry)
    }
}

/// `Linear(hidden -> vocab)` per replica: weight `[R, hidden, vocab]`, bias `[R, 1, vocab]`.
#[derive(Module, Debug)]
pub struct Head<B: Backend> {
    pub weight: Param<Tensor<B, 3>>,
    pub bias: Param<Tensor<B, 3>>,
}

/// `nn.Embedding(vocab, E)` (optional) -> cell (`layers` stacked) -> head (optional).
#[derive(Module, Debug)]
pub struct ReplicaModel<B: Backend> {
    /// `[R, vocab, E]`: the input embedding, when the tokens are not one-hot.
    pub embedding: Option<Param<Tensor<B, 3>>>,
    /// The first layer.
    pub cell: Cell<B>,
    /// The layers above the first, bottom up.
    pub upper: Vec<Cell<B>>,
    pub head: Option<Head<B>>,
}

/// One epoch's pass over the data, per replica.
#[derive(Debug, Clone)]
pub struct EpochPass<B: Backend> {
    pub losses: Tensor<B, 1>,
    pub accuracy: Tensor<B, 1>,
}

/// What a forward pass produces for every prediction position.
#[derive(Debug, Clone)]
pub struct ForwardOutput<B: Backend> {
    /// `[R, positions, hidden]`
    pub states: Tensor<B, 3>,
    /// `[R, positions, vocab]`
    pub logits: Tensor<B, 3>,
}

pub(crate) fn param<B: Backend>(params: &HostParams, name: &str, device: &B::Device) -> Param<Tensor<B, 3>> {
    let t: &HostTensor = params.get(name).unwrap_or_else(|| panic!("missing parameter {name}"));
    Param::from_data(TensorData::new(t.data.clone(), t.shape), device)
}

impl<B: Backend> ReplicaModel<B> {
    pub fn from_host(shape: &ModelShape, params: &HostParams, device: &B::Device) -> Self {
        let recurrent = shape.cell != CellKind::Memoryless;
        let embedding = shape
            .embedding
            .filter(|_| recurrent)
            .map(|_| param(params, INPUT_EMBEDDING, device));
        let upper_layers = if recurrent { 1..shape.layers } else { 1..1 };
        let head = (shape.head == HeadKind::Linear).then(|| Head {
            weight: param(params, "head_w", device),
            bias: param(params, "head_b", device),
        });
        Self {
            embedding,
            cell: Cell::from_host(shape.cell, params, 0, device),
            upper: upper_layers
                .map(|l| Cell::from_host(shape.cell, params, l, device))
                .collect(),
            head,
        }
    }
}

impl<B: FusedBackend> ReplicaModel<B> {
    /// States and logits of every prediction position, without dropout (evaluation), from a
    /// zero state or from `carry`'s ([`Self::states`]).
    pub fn forward(
        &self,
        input: &SequenceInput<B>,
        kernel: Kernel,
        carry: Option<&mut CarriedState>,
    ) -> ForwardOutput<B> {
        self.forward_masked(input, kernel, &[], carry)
    }

    fn forward_masked(
        &self,
        input: &SequenceInput<B>,
        kernel: Kernel,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
    ) -> ForwardOutput<B> {
        let states = prediction_states(self.states(input, kernel, masks, carry), input.last_only);
        ForwardOutput {
            logits: self.logits(states.clone()),
            states,
        }
    }

    /// The head's logits of the last layer's `states` (the states themselves without a head).
    fn logits(&self, states: Tensor<B, 3>) -> Tensor<B, 3> {
        match &self.head {
            // Same association as burn's Linear: (h W) + b.
            Some(head) => states.matmul(head.weight.val()) + head.bias.val(),
            None => states,
        }
    }

    /// Mean cross-entropy of each replica, `[R]`: the training objective. With the fused kernel
    /// and a linear head, the head and the loss are one fused op too.
    /// Each replica's mean loss `[R]` (what training differentiates), and its accuracy `[R]`
    /// (the fraction of positions whose first largest logit is the target; no gradient).
    /// `masks`: dropout, `carry`: the state carried between windows ([`Self::states`]).
    pub fn losses(
        &self,
        input: &SequenceInput<B>,
        targets: &LossTargets<B>,
        kernel: Kernel,
        masks: &[Tensor<B, 4>],
        carry: Option<&mut CarriedState>,
    ) -> EpochPass<B> {
        match (kernel, &self.head) {
            (Kernel::Fused, Some(head)) => {
                let states = prediction_states(self.states(input, kernel, masks, carry), input.last_only);
                let out = fused::head_loss([states, head.weight.val(), head.bias.val()], targets.ids.clone());
                let r = out.dims()[0] / 2;
                EpochPass {
                    losses: out.clone().narrow(0, 0, r),
                    accuracy: out.narrow(0, r, r),
                }
            }
            _ => {
                let logits = self.forward_masked(input, kernel, masks, carry).logits;
                let r = logits.dims()[0];
                let correct = logits.clone().argmax(2).equal(targets.tensor.clone());
                EpochPass {
                    accuracy: correct.float().mean_dim(1).reshape([r]),
                    losses: replica_losses(logits, targets.tensor.clone()),
                }
            }
        }
    }
}

/// The states the model predicts from, `[R, positions, hidden]`: every step, or the last one.
fn prediction_states<B: Backend>(states: Tensor<B, 4>, last_only: bool) -> Tensor<B, 3> {
    let [r, batch, steps, hidden] = states.dims();
    if last_only {
        states.narrow(2, steps - 1, 1).reshape([r, batch, hidden])
    } else {
        states.reshape([r, batch * steps, hidden])
    }
}
