//! The replica-batched model: every parameter carries a leading replica dimension R, so the
//! runs of a group (same everything but the seed) train as one burn model. Replicas never mix:
//! each one's loss depends only on its own parameters, the losses are summed, so each replica
//! receives exactly its own gradient and (Adam being element-wise) its own update.
//!
//! The recurrence sits behind one narrow interface, [`Recurrence`]: token sequence in, hidden
//! states out. The cells are written from burn tensor ops with the same floating-point
//! association as burn's `nn::Rnn`/`Lstm`/`Gru` (`(x W_i + b_i) + (h W_h + b_h)`); they are the
//! reference. [`fused`] computes the same recurrence as one burn op ([`Kernel::Fused`]).

pub mod cells;
pub mod fused;
pub mod host;
pub mod init;
pub mod init_file;
pub mod torch_init;

use crate::spec::{CellKind, HeadKind};
use burn::module::{Module, Param};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use cells::{GruCell, LstmCell, MemorylessCell, RnnCell};
use fused::{FusedBackend, ReplicaSets, Tokens};
use host::{HostParams, HostTensor};
use std::sync::Arc;

/// How the recurrence of RNN, LSTM and GRU cells is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// One fused op for the whole sequence ([`fused`]); the fast path on the CPU.
    #[default]
    Fused,
    /// The cells written step by step from burn tensor ops: the reference.
    OpByOp,
}

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

/// The sequences (or targets) of `replicas` consecutive replicas: one part per group of a
/// launch. Groups packed into one launch have sequences of equal shape.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a, T> {
    pub values: &'a [T],
    pub replicas: usize,
}

/// Distinct sets, and the set of each replica (empty when there is only one).
fn replica_sets(sets: Vec<Vec<u32>>, replicas: impl Iterator<Item = usize>) -> ReplicaSets {
    let mut distinct: Vec<Vec<u32>> = Vec::new();
    let mut set_of = Vec::new();
    for (set, n) in sets.into_iter().zip(replicas) {
        let index = match distinct.iter().position(|d| *d == set) {
            Some(i) => i,
            None => {
                distinct.push(set);
                distinct.len() - 1
            }
        };
        set_of.extend(std::iter::repeat_n(index as u32, n));
    }
    let len = distinct.first().map_or(0, Vec::len);
    if distinct.len() <= 1 {
        return ReplicaSets::shared(distinct.pop().unwrap_or_default());
    }
    ReplicaSets {
        values: distinct.concat(),
        len,
        set_of,
    }
}

/// A batch of token sequences on a device: `steps[t]` holds token t of every sequence.
///
/// When every replica reads the same sequences, `steps[t]` is `[batch]` and `flat`
/// `[batch * steps]`, and the cells pick rows with `select` along the vocabulary axis. When
/// replicas read different sequences (groups with different datasets packed into one launch),
/// both hold one block per replica (`[R * batch]`, `[R * batch * steps]`) and rows are picked
/// per replica with `gather`. Picking rows is a copy either way, so the two give the same
/// numbers; on CUDA both backward passes (`select_assign`, `scatter`) run one thread per
/// replica and column.
#[derive(Debug, Clone)]
pub struct SequenceInput<B: Backend> {
    pub steps: Vec<Tensor<B, 1, Int>>,
    /// All tokens, sequence-major (`[b][t]`), for cells without recurrence.
    pub flat: Tensor<B, 1, Int>,
    pub batch: usize,
    /// The same tokens on the host, for the fused op.
    pub tokens: Arc<Tokens>,
    /// Only the state after the last step is used (many-to-one).
    pub last_only: bool,
    /// `steps` and `flat` hold a block of tokens per replica.
    per_replica: bool,
}

impl<B: Backend> SequenceInput<B> {
    /// Sequences shared by every replica.
    pub fn new(inputs: &[Vec<usize>], last_only: bool, device: &B::Device) -> Self {
        let parts = [Part {
            values: inputs,
            replicas: 1,
        }];
        Self::packed(&parts, last_only, device)
    }

    /// The sequences of each part's replicas (all parts: the same number and length of
    /// sequences).
    pub fn packed(parts: &[Part<'_, Vec<usize>>], last_only: bool, device: &B::Device) -> Self {
        let first = parts.first().map_or(&[][..], |p| p.values);
        let batch = first.len();
        let steps_n = first.first().map_or(0, Vec::len);
        assert!(
            parts
                .iter()
                .all(|p| p.values.len() == batch && p.values.iter().all(|s| s.len() == steps_n)),
            "the sequences of a launch have one shape"
        );
        let ids = replica_sets(
            parts
                .iter()
                .map(|p| p.values.iter().flatten().map(|&x| x as u32).collect())
                .collect(),
            parts.iter().map(|p| p.replicas),
        );
        let per_replica = !ids.set_of.is_empty();
        // Shared: one block for all replicas.
        let blocks = if per_replica { ids.set_of.len() } else { 1 };
        let to_tensor = |ids: Vec<i64>| {
            let n = ids.len();
            Tensor::<B, 1, Int>::from_data(TensorData::new(ids, [n]), device)
        };
        let steps = (0..steps_n)
            .map(|t| {
                let at_t = (0..blocks).flat_map(|r| (0..batch).map(move |b| (r, b * steps_n + t)));
                to_tensor(at_t.map(|(r, i)| ids.of(r)[i] as i64).collect())
            })
            .collect();
        let flat = to_tensor((0..blocks).flat_map(|r| ids.of(r).iter().map(|&x| x as i64)).collect());
        Self {
            steps,
            flat,
            batch,
            tokens: Arc::new(Tokens {
                ids,
                batch,
                steps: steps_n,
            }),
            last_only,
            per_replica,
        }
    }

    /// The same sequences without autodiff.
    pub fn inner(&self) -> SequenceInput<B::InnerBackend>
    where
        B: burn::tensor::backend::AutodiffBackend,
    {
        SequenceInput {
            steps: self.steps.iter().map(|t| t.clone().inner()).collect(),
            flat: self.flat.clone().inner(),
            batch: self.batch,
            tokens: self.tokens.clone(),
            last_only: self.last_only,
            per_replica: self.per_replica,
        }
    }

    /// Rows of a per-replica table `[R, vocab, width]` for `ids` (one of `steps`, or `flat`):
    /// `[R, ids per replica, width]`.
    pub fn select_rows(&self, table: Tensor<B, 3>, ids: &Tensor<B, 1, Int>) -> Tensor<B, 3> {
        if !self.per_replica {
            return table.select(1, ids.clone());
        }
        let [r, _, width] = table.dims();
        let n = ids.dims()[0] / r;
        table.gather(1, ids.clone().reshape([r, n, 1]).repeat_dim(2, width))
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

impl<B: FusedBackend> Cell<B> {
    /// States `[R, batch, steps, hidden]` computed with `kernel` (the memoryless cell has no
    /// recurrence to fuse and is always op by op).
    pub fn sequence(&self, input: &SequenceInput<B>, kernel: Kernel) -> Tensor<B, 4> {
        let fused = |cell: CellKind, p: [&Param<Tensor<B, 3>>; 4]| {
            fused::recurrence(cell, p.map(Param::val), input.tokens.clone())
        };
        match (kernel, self) {
            (Kernel::Fused, Cell::Rnn(c)) => fused(CellKind::Rnn, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
            (Kernel::Fused, Cell::Lstm(c)) => fused(CellKind::Lstm, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
            (Kernel::Fused, Cell::Gru(c)) => fused(CellKind::Gru, [&c.w_ih, &c.w_hh, &c.b_ih, &c.b_hh]),
            _ => self.states(input),
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
}

impl<B: FusedBackend> ReplicaModel<B> {
    pub fn forward(&self, input: &SequenceInput<B>, kernel: Kernel) -> ForwardOutput<B> {
        let states = prediction_states(self.cell.sequence(input, kernel), input.last_only);
        let logits = match &self.head {
            // Same association as burn's Linear: (h W) + b.
            Some(head) => states.clone().matmul(head.weight.val()) + head.bias.val(),
            None => states.clone(),
        };
        ForwardOutput { states, logits }
    }

    /// Mean cross-entropy of each replica, `[R]`: the training objective. With the fused kernel
    /// and a linear head, the head and the loss are one fused op too.
    /// Each replica's mean loss `[R]` (what training differentiates), and its accuracy `[R]`
    /// (the fraction of positions whose first largest logit is the target; no gradient).
    pub fn losses(&self, input: &SequenceInput<B>, targets: &LossTargets<B>, kernel: Kernel) -> EpochPass<B> {
        match (kernel, &self.head) {
            (Kernel::Fused, Some(head)) => {
                let states = prediction_states(self.cell.sequence(input, kernel), input.last_only);
                let out = fused::head_loss([states, head.weight.val(), head.bias.val()], targets.ids.clone());
                let r = out.dims()[0] / 2;
                EpochPass {
                    losses: out.clone().narrow(0, 0, r),
                    accuracy: out.narrow(0, r, r),
                }
            }
            _ => {
                let logits = self.forward(input, kernel).logits;
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

/// The token to predict at every position, for all replicas: as a tensor `[R, positions, 1]`
/// for the op-by-op loss, and on the host for the fused one.
#[derive(Debug, Clone)]
pub struct LossTargets<B: Backend> {
    pub tensor: Tensor<B, 3, Int>,
    pub ids: Arc<ReplicaSets>,
}

impl<B: Backend> LossTargets<B> {
    /// The same targets for `replicas` replicas.
    pub fn new(targets: &[usize], replicas: usize, device: &B::Device) -> Self {
        Self::packed(
            &[Part {
                values: targets,
                replicas,
            }],
            device,
        )
    }

    /// The targets of each part's replicas (all parts have the same number of positions).
    pub fn packed(parts: &[Part<'_, usize>], device: &B::Device) -> Self {
        let n = parts.first().map_or(0, |p| p.values.len());
        let replicas: usize = parts.iter().map(|p| p.replicas).sum();
        let repeated: Vec<i64> = parts
            .iter()
            .flat_map(|p| (0..p.replicas).flat_map(|_| p.values.iter().map(|&t| t as i64)))
            .collect();
        let ids = replica_sets(
            parts
                .iter()
                .map(|p| p.values.iter().map(|&t| t as u32).collect())
                .collect(),
            parts.iter().map(|p| p.replicas),
        );
        Self {
            tensor: Tensor::from_data(TensorData::new(repeated, [replicas, n, 1]), device),
            ids: Arc::new(ids),
        }
    }

    /// The same targets without autodiff.
    pub fn inner(&self) -> LossTargets<B::InnerBackend>
    where
        B: burn::tensor::backend::AutodiffBackend,
    {
        LossTargets {
            tensor: self.tensor.clone().inner(),
            ids: self.ids.clone(),
        }
    }
}

/// Mean cross-entropy over positions, per replica: `[R]`. `targets` is `[R, positions, 1]`.
pub fn replica_losses<B: Backend>(logits: Tensor<B, 3>, targets: Tensor<B, 3, Int>) -> Tensor<B, 1> {
    let r = logits.dims()[0];
    log_softmax(logits, 2).gather(2, targets).mean_dim(1).reshape([r]).neg()
}
