//! What the model reads: token sequences on a device ([`SequenceInput`]) and the targets of
//! the loss ([`LossTargets`]), for one group or for several packed into one launch ([`Part`]).

use super::fused::{ReplicaSets, Tokens};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use std::sync::Arc;

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
