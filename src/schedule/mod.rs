//! Scheduling: which runs train together and where. A [`Block`] is runs of one group trained as
//! one replica batch; `pack` decides which blocks share a launch, `shard` deals blocks out to
//! cluster tasks and local worker processes, and `launch` trains one launch (with the
//! group-by-group fallback) into run records.

mod launch;
mod memory;
mod pack;
mod shard;

pub use launch::{train_launch, train_runs, train_with_fallback};
pub use memory::{replica_bytes, MemoryBudget};
pub use pack::{pack, Launch, MAX_PACKED_REPLICAS};
pub use shard::{LocalWorkers, Shard, MAX_SHARDS};

use crate::plan::Plan;
use crate::spec::DeviceSpec;
use crate::train::{batch_cost, BatchCost};

/// Runs of one group trained together as one replica batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Index into `plan.groups`.
    pub group: usize,
    /// Indices into `plan.runs`, a contiguous part of the group's runs.
    pub runs: Vec<usize>,
}

impl Block {
    /// Every group whole: the blocks of an unsharded sweep.
    pub fn whole_groups(plan: &Plan) -> Vec<Block> {
        blocks(plan, 1)
    }
}

/// The plan cut into blocks for `count` shards: a group stays whole unless it is more than
/// a quarter of one shard's fair share of the work; then it is cut into near-equal parts of
/// about that size (never smaller than one run), so that a plan of one or two big groups still
/// keeps every shard busy. Only groups on the fused CPU path are cut: their cost grows with the
/// number of replicas, while op-by-op training (memoryless, `head: none`, CUDA) costs mostly per
/// operation, about the same for 1 or 25 replicas, so cutting it would multiply its cost. The
/// fair share is of the CPU work (a GPU's groups are trained beside it).
pub(crate) fn blocks(plan: &Plan, count: usize) -> Vec<Block> {
    let on_cpu = (0..plan.groups.len()).filter(|&g| cuda_of(plan, g).is_none());
    let total: u128 = on_cpu.map(|g| cost(plan, g)).sum();
    let grain = (total / (4 * count as u128)).max(1);
    let mut blocks = Vec::new();
    for (g, group) in plan.groups.iter().enumerate() {
        let n = group.runs.len();
        let per_replica = batch_cost(group.device, group.cell, group.head) == BatchCost::PerReplica;
        let pieces = if count == 1 || !per_replica {
            1
        } else {
            (cost(plan, g).div_ceil(grain) as usize).clamp(1, n.max(1))
        };
        for p in 0..pieces {
            let (start, end) = (p * n / pieces, (p + 1) * n / pieces);
            blocks.push(Block {
                group: g,
                runs: group.runs[start..end].to_vec(),
            });
        }
    }
    blocks
}

/// Relative cost of a group: replicas x epochs x positions x the cell's per-step work.
pub(crate) fn cost(plan: &Plan, g: usize) -> u128 {
    let group = &plan.groups[g];
    let data = &plan.datasets[&group.dataset];
    let width = group.hidden * group.cell.gates() * (group.hidden + data.vocab.len()) + 1;
    group.runs.len() as u128 * group.epochs as u128 * (data.positions() as u128 + 1) * width as u128
}

/// The CUDA device of group `g`, if it trains on one.
pub(crate) fn cuda_of(plan: &Plan, g: usize) -> Option<usize> {
    match plan.groups[g].device {
        DeviceSpec::Cuda(n) => Some(n),
        _ => None,
    }
}
