//! Which groups share a launch. Op-by-op training (CUDA; memoryless groups anywhere; and the
//! loss of `head: none` groups) costs per tensor operation, almost regardless of how many
//! replicas an operation covers; so groups whose models and data have the same shapes are
//! trained as one replica batch, one launch, instead of one launch each. Replicas never
//! interact, each reads its own group's dataset and steps with its own group's learning rate
//! (`crate::train`), so every run gets the numbers it gets alone: bit for bit on the CPU
//! backends (`tests/pack.rs`). On CUDA this is unverified: burn may pick its matmul and
//! reduction kernels by shape, and the replica count is part of the shape (`sweeplab
//! reproduce`, which retrains each group alone, would show a difference).
//!
//! Groups on the fused CPU kernels with a linear head are not packed: their cost is per
//! replica, so packing would save nothing, and they are cut into blocks for the worker
//! processes instead.

use super::Block;
use crate::model::ModelShape;
use crate::plan::{GroupSpec, Plan};
use crate::spec::{DeviceSpec, InitKind};
use crate::train::{batch_cost, BatchCost};

/// Groups trained together as one replica batch: each member is a group and the runs of it
/// to train now (indices into `plan.runs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Launch<'p> {
    pub members: Vec<(&'p GroupSpec, Vec<usize>)>,
}

impl Launch<'_> {
    pub fn runs(&self) -> usize {
        self.members.iter().map(|(_, runs)| runs.len()).sum()
    }
}

/// What groups must share to be packed: everything that fixes the model's parameter shapes,
/// the shape of the data, the number of steps and the optimiser's formula. Learning rate,
/// dataset contents and initial values may differ.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PackKey {
    device: DeviceSpec,
    shape: ModelShape,
    epochs: usize,
    torch_optimizer: bool,
    /// The optimiser and its arguments (the learning rate may differ per replica).
    options: crate::spec::OptimizerSpec,
    /// Dropout's rate and the training streams (the layers and embedding are in `shape`).
    model: crate::spec::ModelOptions,
    sequences: usize,
    steps: usize,
    last_step_only: bool,
}

/// What `group` must share with others to be packed with them; `None` on the per-replica path.
pub(crate) fn pack_key(plan: &Plan, group: &GroupSpec) -> Option<PackKey> {
    if batch_cost(group.device, group.cell, group.head) != BatchCost::PerOperation {
        return None;
    }
    let data = &plan.datasets[&group.dataset];
    Some(PackKey {
        device: group.device,
        shape: group.model_shape(data.vocab.len()),
        epochs: group.epochs,
        torch_optimizer: group.init == InitKind::Torch,
        options: group.optimizer,
        model: group.model,
        sequences: data.batch(),
        steps: data.steps(),
        last_step_only: matches!(data.targets, crate::data::Targets::LastStep(_)),
    })
}

/// Groups are packed into one launch only up to this many replicas (a group bigger than this is
/// still one launch): a launch's memory grows with its replicas, a failed launch fails all of
/// its groups, and its records are stored only when it ends.
pub const MAX_PACKED_REPLICAS: usize = 10_000;

/// The launches for `blocks` (each with the runs of it to train now, none empty), in the order
/// of their first block. A launch holds either one block on a per-replica path, or blocks with
/// the same pack key, up to [`MAX_PACKED_REPLICAS`].
pub fn pack<'p>(plan: &'p Plan, blocks: Vec<(&Block, Vec<usize>)>) -> Vec<Launch<'p>> {
    let mut launches: Vec<(Option<PackKey>, Launch<'p>)> = Vec::new();
    for (block, runs) in blocks {
        let group = &plan.groups[block.group];
        let key = pack_key(plan, group);
        let open = key.as_ref().and_then(|k| {
            launches
                .iter_mut()
                .find(|(other, launch)| other.as_ref() == Some(k) && launch.runs() + runs.len() <= MAX_PACKED_REPLICAS)
        });
        match open {
            Some((_, launch)) => launch.members.push((group, runs)),
            None => launches.push((
                key,
                Launch {
                    members: vec![(group, runs)],
                },
            )),
        }
    }
    launches.into_iter().map(|(_, launch)| launch).collect()
}
