//! Shards: disjoint slices of a plan for cluster tasks and for a sweep's `--jobs` worker
//! processes on one machine, dealt out by cost.

use super::pack::{pack_key, PackKey};
use super::{blocks, cost, cuda_of, Block};
use crate::error::{Error, Result};
use crate::plan::Plan;

/// The most slices a plan is cut into: as many as the largest plan has runs.
pub const MAX_SHARDS: usize = 1_000_000;

/// Slice `index` of `count` disjoint slices of a plan. The unit is a [`Block`]: a whole group
/// (the seeds of one configuration, trained as one replica batch), or, when a group alone is a
/// large part of the work, a part of its seeds. Replicas never interact, so training a group in
/// blocks gives the same numbers as training it whole (`tests/model.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N <= MAX_SHARDS`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            Error::Other(format!(
                "--shard {s}: expected I/N with 0 <= I < N <= {MAX_SHARDS}, e.g. 0/4"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let shard = Shard {
            index: i.trim().parse().map_err(|_| bad())?,
            count: n.trim().parse().map_err(|_| bad())?,
        };
        if shard.count == 0 || shard.index >= shard.count || shard.count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(shard)
    }

    /// The blocks of this shard, in plan order. Blocks are dealt out largest first to the
    /// currently lightest shard (longest-processing-time rule), on an estimate of each block's
    /// work; every worker computes the same assignment from the same plan. (On a cluster every
    /// task has its own GPU, so GPU groups are dealt out like the rest.)
    pub fn blocks(&self, plan: &Plan) -> Vec<Block> {
        let blocks = blocks(plan, self.count);
        let assignment = assign(plan, &blocks, self.count);
        mine(blocks, &assignment, self.index)
    }

    /// The blocks of this shard when the shards are a sweep's `--jobs` worker processes on one
    /// machine ([`LocalWorkers`]): the first shards deal out the CPU work as
    /// [`Shard::blocks`] does, each further shard trains every block of one GPU.
    pub fn local_blocks(&self, plan: &Plan) -> Vec<Block> {
        let layout = LocalWorkers::for_shards(plan, self.count);
        if self.index >= layout.cpu {
            let gpu = layout.gpus.get(self.index - layout.cpu).copied();
            let all = blocks(plan, 1);
            return all
                .into_iter()
                .filter(|b| gpu.is_some() && cuda_of(plan, b.group) == gpu)
                .collect();
        }
        let cpu_blocks = cpu_blocks(plan, layout.cpu);
        let assignment = assign(plan, &cpu_blocks, layout.cpu);
        mine(cpu_blocks, &assignment, self.index)
    }
}

/// The worker processes of a sweep with `--jobs` on one machine: `cpu` of them share the CPU
/// work, then one per GPU the plan uses trains all of that GPU's groups. So CPU and GPU work
/// run at the same time, each GPU is driven by exactly one process, and `--jobs` still counts
/// the processes doing CPU work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalWorkers {
    pub cpu: usize,
    /// The CUDA device indices of the plan's groups, in order.
    pub gpus: Vec<usize>,
}

impl LocalWorkers {
    /// The workers for `--jobs jobs`: no more CPU workers than bundles of CPU work to deal
    /// out (cut for that many workers, as they will cut it).
    pub fn new(plan: &Plan, jobs: usize) -> Self {
        let mut cpu = jobs.max(1);
        loop {
            let available = bundles(plan, &cpu_blocks(plan, cpu)).len();
            if available >= cpu || available == 0 {
                cpu = cpu.min(available);
                break;
            }
            cpu = available;
        }
        Self { cpu, gpus: gpus(plan) }
    }

    /// The layout a worker of `count` shards belongs to (the GPUs come from the plan).
    fn for_shards(plan: &Plan, count: usize) -> Self {
        let gpus = gpus(plan);
        Self {
            cpu: count.saturating_sub(gpus.len()),
            gpus,
        }
    }

    pub fn count(&self) -> usize {
        self.cpu + self.gpus.len()
    }
}

/// The blocks of the groups that train on the CPU, cut for `count` workers.
fn cpu_blocks(plan: &Plan, count: usize) -> Vec<Block> {
    let all = blocks(plan, count);
    all.into_iter().filter(|b| cuda_of(plan, b.group).is_none()).collect()
}

fn gpus(plan: &Plan) -> Vec<usize> {
    let mut gpus: Vec<usize> = (0..plan.groups.len()).filter_map(|g| cuda_of(plan, g)).collect();
    gpus.sort_unstable();
    gpus.dedup();
    gpus
}

/// The blocks assigned to shard `index`, in plan order.
fn mine(blocks: Vec<Block>, assignment: &[usize], index: usize) -> Vec<Block> {
    let mut mine: Vec<Block> = blocks
        .into_iter()
        .zip(assignment)
        .filter(|(_, &s)| s == index)
        .map(|(b, _)| b)
        .collect();
    mine.sort_by_key(|b| (b.group, b.runs.first().copied()));
    mine
}

/// Blocks dealt out together (indices into `blocks`): a block alone, or every block of one
/// pack key.
fn bundles(plan: &Plan, blocks: &[Block]) -> Vec<Vec<usize>> {
    // (`None`: not packable, a bundle of its own.)
    let mut keys: Vec<Option<PackKey>> = Vec::new();
    let mut bundles: Vec<Vec<usize>> = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let key = pack_key(plan, &plan.groups[b.group]);
        match keys.iter().position(|k| k.is_some() && *k == key) {
            Some(k) => bundles[k].push(i),
            None => {
                keys.push(key);
                bundles.push(vec![i]);
            }
        }
    }
    bundles
}

/// Shard of every block, by LPT. Blocks that `launch::pack` would train as one launch (groups
/// on the op-by-op path with equal shapes) are dealt out together, so that they meet in one
/// process and are packed there.
fn assign(plan: &Plan, blocks: &[Block], count: usize) -> Vec<usize> {
    let block_cost = |b: &Block| {
        let group = &plan.groups[b.group];
        cost(plan, b.group) * b.runs.len() as u128 / group.runs.len().max(1) as u128
    };
    let bundles = bundles(plan, blocks);
    let costs: Vec<u128> = bundles
        .iter()
        .map(|bundle| bundle.iter().map(|&i| block_cost(&blocks[i])).sum())
        .collect();
    let mut load = vec![0u128; count];
    let mut shard_of = vec![0; blocks.len()];
    let mut order: Vec<usize> = (0..bundles.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    for k in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).expect("count >= 1");
        load[lightest] += costs[k];
        for &i in &bundles[k] {
            shard_of[i] = lightest;
        }
    }
    shard_of
}
