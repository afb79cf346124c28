use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::spec::DeviceSpec;
use crate::train::{batch_cost, BatchCost};

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
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::Other(format!("--shard {s}: expected I/N with 0 <= I < N, e.g. 0/4"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let shard = Shard {
            index: i.trim().parse().map_err(|_| bad())?,
            count: n.trim().parse().map_err(|_| bad())?,
        };
        if shard.count == 0 || shard.index >= shard.count {
            return Err(bad());
        }
        Ok(shard)
    }

    /// The blocks of this shard, in plan order. Blocks are dealt out largest first to the
    /// currently lightest shard (longest-processing-time rule), on an estimate of each block's
    /// work; every worker computes the same assignment from the same plan.
    pub fn blocks(&self, plan: &Plan) -> Vec<Block> {
        self.blocks_with(plan, false)
    }

    /// The blocks of this shard when the shards are `--jobs` worker processes on one machine:
    /// as [`Shard::blocks`], except that all blocks of one GPU go to one shard (`cuda:N` to
    /// shard N mod count), so the workers never share a GPU and CPU blocks run beside it. (On a
    /// cluster every task has its own GPU, so there GPU groups are dealt out like the rest.)
    pub fn local_blocks(&self, plan: &Plan) -> Vec<Block> {
        self.blocks_with(plan, true)
    }

    fn blocks_with(&self, plan: &Plan, pin_gpus: bool) -> Vec<Block> {
        let blocks = blocks(plan, self.count);
        let assignment = assign(plan, &blocks, self.count, pin_gpus);
        let mut mine: Vec<Block> = blocks
            .into_iter()
            .zip(assignment)
            .filter(|(_, s)| *s == self.index)
            .map(|(b, _)| b)
            .collect();
        mine.sort_by_key(|b| (b.group, b.runs.first().copied()));
        mine
    }
}

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

/// How many blocks the plan is cut into for `count` shards.
pub fn block_count(plan: &Plan, count: usize) -> usize {
    blocks(plan, count.max(1)).len()
}

/// The plan cut into blocks for `count` shards: a group stays whole unless it is more than
/// a quarter of one shard's fair share of the work; then it is cut into near-equal parts of
/// about that size (never smaller than one run), so that a plan of one or two big groups still
/// keeps every shard busy. Only groups on the fused CPU path are cut: their cost grows with the
/// number of replicas, while op-by-op training (memoryless, `head: none`, CUDA) costs mostly per
/// operation, about the same for 1 or 25 replicas, so cutting it would multiply its cost.
fn blocks(plan: &Plan, count: usize) -> Vec<Block> {
    let total: u128 = (0..plan.groups.len()).map(|g| cost(plan, g)).sum();
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
fn cost(plan: &Plan, g: usize) -> u128 {
    let group = &plan.groups[g];
    let data = &plan.datasets[&group.dataset];
    let width = group.hidden * group.cell.gates() * (group.hidden + data.vocab.len()) + 1;
    group.runs.len() as u128 * group.epochs as u128 * (data.positions() as u128 + 1) * width as u128
}

/// Shard of every block, by LPT; with `pin_gpus` the blocks of `cuda:N` first all go to shard
/// N mod count.
fn assign(plan: &Plan, blocks: &[Block], count: usize, pin_gpus: bool) -> Vec<usize> {
    let block_cost = |b: &Block| {
        let group = &plan.groups[b.group];
        cost(plan, b.group) * b.runs.len() as u128 / group.runs.len().max(1) as u128
    };
    let mut load = vec![0u128; count];
    let mut shard_of = vec![0; blocks.len()];
    let mut order = Vec::with_capacity(blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        match plan.groups[b.group].device {
            DeviceSpec::Cuda(n) if pin_gpus => {
                shard_of[i] = n % count;
                load[n % count] += block_cost(b);
            }
            _ => order.push(i),
        }
    }
    order.sort_by(|&a, &b| block_cost(&blocks[b]).cmp(&block_cost(&blocks[a])).then(a.cmp(&b)));
    for i in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).expect("count >= 1");
        load[lightest] += block_cost(&blocks[i]);
        shard_of[i] = lightest;
    }
    shard_of
}
