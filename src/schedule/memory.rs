//! Memory before training: what a launch will allocate, estimated from its shapes, against what
//! this process may use. A launch that would not fit is split into launches of fewer replicas
//! (exact: replicas never interact, `tests/model.rs`), and a run whose single replica cannot
//! fit fails with a message instead of the process aborting on an allocation mid-training.
//! CUDA launches are not estimated (their memory is the GPU's).

use super::Launch;
use crate::plan::{GroupSpec, Plan};
use crate::spec::{DeviceSpec, HeadKind};

/// The part of the available memory a sweep plans for (the rest is the process itself, the
/// allocator's slack, other programs).
const USABLE_PERCENT: u64 = 80;

/// Bytes one replica of `group` needs, estimated generously: its f32 parameters four times
/// (values, gradients, the optimiser's two moments), plus what backpropagation keeps per
/// sequence step: eight values per gate unit (pre-activations, activations, states and their
/// gradients) and four per vocabulary entry (logits, probabilities, their gradients).
pub fn replica_bytes(plan: &Plan, group: &GroupSpec) -> u64 {
    let data = &plan.datasets[&group.dataset];
    let (v, h, g) = (data.vocab.len() as u64, group.hidden as u64, group.cell.gates() as u64);
    let head = if group.head == HeadKind::Linear { h * v + v } else { 0 };
    let params = g * h * (v + h) + 2 * g * h + head;
    let positions = (data.batch() as u64).saturating_mul(data.steps() as u64);
    let activations = positions.saturating_mul(8 * g * h + 4 * v);
    4u64.saturating_mul(4u64.saturating_mul(params).saturating_add(activations))
}

/// What the launches of this process may allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    /// `None`: unknown (not Linux), nothing is split or refused.
    pub bytes: Option<u64>,
    /// What was available, for messages.
    pub available: Option<u64>,
}

impl MemoryBudget {
    /// A share of the memory available now, for one of `processes` training side by side.
    pub fn of_this_machine(processes: usize) -> Result<Self, String> {
        let available = crate::device::available_memory()?;
        Ok(Self {
            bytes: available.map(|a| a / 100 * USABLE_PERCENT / processes.max(1) as u64),
            available,
        })
    }

    /// Each launch, split into launches of fewer replicas where its estimate exceeds the
    /// budget: every member alone, its runs in chunks that fit (at least one run each, which
    /// [`MemoryBudget::refuse`] then judges).
    pub fn fit<'p>(&self, plan: &Plan, launches: Vec<Launch<'p>>) -> Vec<Launch<'p>> {
        let Some(budget) = self.bytes else {
            return launches;
        };
        let mut out = Vec::with_capacity(launches.len());
        for launch in launches {
            let need: u64 = launch
                .members
                .iter()
                .map(|(g, runs)| replica_bytes(plan, g).saturating_mul(runs.len() as u64))
                .fold(0, u64::saturating_add);
            if need <= budget || on_gpu(&launch) {
                out.push(launch);
                continue;
            }
            for (group, runs) in launch.members {
                let per_launch = (budget / replica_bytes(plan, group).max(1)).max(1) as usize;
                for chunk in runs.chunks(per_launch) {
                    out.push(Launch {
                        members: vec![(group, chunk.to_vec())],
                    });
                }
            }
        }
        out
    }

    /// Why `launch` cannot train in this process: one replica alone exceeds the budget.
    pub fn refuse(&self, plan: &Plan, launch: &Launch<'_>) -> Option<String> {
        let budget = self.bytes?;
        if on_gpu(launch) {
            return None;
        }
        let (group, _) = launch.members.iter().find(|(g, _)| replica_bytes(plan, g) > budget)?;
        Some(format!(
            "one run of {} needs about {} of memory, more than the {} this process may use ({} available); \
             use a smaller hidden size or a shorter dataset, or fewer --jobs",
            group.label(),
            gib(replica_bytes(plan, group)),
            gib(budget),
            self.available.map_or("?".into(), gib),
        ))
    }
}

fn on_gpu(launch: &Launch<'_>) -> bool {
    launch
        .members
        .iter()
        .any(|(g, _)| matches!(g.device, DeviceSpec::Cuda(_)))
}

fn gib(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        n if n >= 1 << 30 => format!("{:.2} GiB", b / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MiB", b / f64::from(1u32 << 20)),
        _ => format!("{:.0} KiB", b / 1024.0),
    }
}
