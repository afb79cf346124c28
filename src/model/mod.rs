//! The replica-batched model: every parameter carries a leading replica dimension R, so the
//! runs of a group (same everything but the seed) train as one burn model. Replicas never mix:
//! each one's loss depends only on its own parameters, the losses are summed, so each replica
//! receives exactly its own gradient and (Adam being element-wise) its own update.
//!
//! The recurrence sits behind one narrow interface, [`Recurrence`]: token sequence in, hidden
//! states out. The cells are written from burn tensor ops with the same floating-point
//! association as burn's `nn::Rnn`/`Lstm`/`Gru` (`(x W_i + b_i) + (h W_h + b_h)`).

pub mod cells;
pub mod host;
pub mod init;
pub mod torch_init;

use crate::spec::{CellKind, HeadKind};
use burn::module::{Module, Param};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use cells::{GruCell, LstmCell, MemorylessCell, RnnCell};
use host::{HostParams, HostTensor};

/// The sizes that fix a model's parameter shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelShape {
    pub cell: CellKind,
    pub vocab: usize,
    pub hidden: usize,
    pub head: HeadKind,
}

impl CellKind {
    /// Number of gate blocks in the input and hidden weight matrices.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Memoryless | CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }
}

/// A batch of token sequences on a device: `steps[t]` holds token t of every sequence.
#[derive(Debug, Clone)]
pub struct SequenceInput<B: Backend> {
    pub steps: Vec<Tensor<B, 1, Int>>,
    /// All tokens, sequence-major (`[b][t]`), for cells without recurrence.
    pub flat: Tensor<B, 1, Int>,
    pub batch: usize,
    /// Only the state after the last step is used (many-to-one).
    pub last_only: bool,
}

impl<B: Backend> SequenceInput<B> {
    pub fn new(inputs: &[Vec<usize>], last_only: bool, device: &B::Device) -> Self {
        let batch = inputs.len();
        let steps_n = inputs.first().map_or(0, Vec::len);
        let to_tensor =
            |ids: Vec<i64>| Tensor::<B, 1, Int>::from_data(TensorData::new(ids.clone(), [ids.len()]), device);
        let steps = (0..steps_n)
            .map(|t| to_tensor(inputs.iter().map(|seq| seq[t] as i64).collect()))
            .collect();
        let flat = to_tensor(inputs.iter().flatten().map(|&x| x as i64).collect());
        Self {
            steps,
            flat,
            batch,
            last_only,
        }
    }
}

/// Sequence in, states out: the seam where a fused kernel can replace the op-by-op cells.
pub trait Recurrence<B: Backend> {
    /// Hidden states `[R, batch, steps, hidden]`, starting from a zero state.
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4>;
}

#[derive(Module, Debug)]
pub enum Cell<B: Backend> {
    Memoryless(MemorylessCell<B>),
    Rnn(RnnCell<B>),
    Lstm(LstmCell<B>),
    Gru(GruCell<B>),
}

impl<B: Backend> Recurrence<B> for Cell<B> {
    fn states(&self, input: &SequenceInput<B>) -> Tensor<B, 4> {
        match self {
            Cell::Memoryless(c) => c.states(input),
            Cell::Rnn(c) => c.states(input),
            Cell::Lstm(c) => c.states(input),
            Cell::Gru(c) => c.states(input),
        }
    }
}

/// `Linear(hidden -> vocab)` per replica: weight `[R, hidden, vocab]`, bias `[R, 1, vocab]`.
#[derive(Module, Debug)]
pub struct Head<B: Backend> {
    pub weight: Param<Tensor<B, 3>>,
    pub bias: Param<Tensor<B, 3>>,
}

#[derive(Module, Debug)]
pub struct ReplicaModel<B: Backend> {
    pub cell: Cell<B>,
    pub head: Option<Head<B>>,
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
        let cell = match shape.cell {
            CellKind::Memoryless => Cell::Memoryless(MemorylessCell::from_host(params, device)),
            CellKind::Rnn => Cell::Rnn(RnnCell::from_host(params, device)),
            CellKind::Lstm => Cell::Lstm(LstmCell::from_host(params, device)),
            CellKind::Gru => Cell::Gru(GruCell::from_host(params, device)),
        };
        let head = (shape.head == HeadKind::Linear).then(|| Head {
            weight: param(params, "head_w", device),
            bias: param(params, "head_b", device),
        });
        Self { cell, head }
    }

    pub fn forward(&self, input: &SequenceInput<B>) -> ForwardOutput<B> {
        let states = self.cell.states(input);
        let [r, batch, steps, hidden] = states.dims();
        let states = if input.last_only {
            states.narrow(2, steps - 1, 1).reshape([r, batch, hidden])
        } else {
            states.reshape([r, batch * steps, hidden])
        };
        let logits = match &self.head {
            // Same association as burn's Linear: (h W) + b.
            Some(head) => states.clone().matmul(head.weight.val()) + head.bias.val(),
            None => states.clone(),
        };
        ForwardOutput { states, logits }
    }
}

/// Mean cross-entropy over positions, per replica: `[R]`. `targets` is `[R, positions, 1]`.
pub fn replica_losses<B: Backend>(logits: Tensor<B, 3>, targets: Tensor<B, 3, Int>) -> Tensor<B, 1> {
    let r = logits.dims()[0];
    log_softmax(logits, 2).gather(2, targets).mean_dim(1).reshape([r]).neg()
}
