use crate::error::{Error, Result};
use crate::plan::Plan;

/// Slice `index` of `count` disjoint slices of a plan. The unit is a group (the seeds of one
/// configuration), so replica batching still works inside a shard.
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

    /// The groups of this shard, in plan order. Groups are dealt out largest first to the
    /// currently lightest shard (longest-processing-time rule), on an estimate of each group's
    /// work; every worker computes the same assignment from the same plan.
    pub fn groups(&self, plan: &Plan) -> Vec<usize> {
        let assignment = assign(plan, self.count);
        let mut mine: Vec<usize> = (0..plan.groups.len())
            .filter(|&g| assignment[g] == self.index)
            .collect();
        mine.sort_unstable();
        mine
    }
}

/// Relative cost of a group: replicas x epochs x positions x the cell's per-step work.
fn cost(plan: &Plan, g: usize) -> u128 {
    let group = &plan.groups[g];
    let data = &plan.datasets[&group.dataset];
    let width = group.hidden * group.cell.gates() * (group.hidden + data.vocab.len()) + 1;
    group.runs.len() as u128 * group.epochs as u128 * (data.positions() as u128 + 1) * width as u128
}

/// Shard of every group.
pub fn assign(plan: &Plan, count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plan.groups.len()).collect();
    order.sort_by(|&a, &b| cost(plan, b).cmp(&cost(plan, a)).then(a.cmp(&b)));
    let mut load = vec![0u128; count];
    let mut shard_of = vec![0; plan.groups.len()];
    for g in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).expect("count >= 1");
        load[lightest] += cost(plan, g);
        shard_of[g] = lightest;
    }
    shard_of
}
