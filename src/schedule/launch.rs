//! Running one launch: the initial parameters of every member group, one training job, and
//! the run records it gives (a run that could not train gets a failed record, never an error:
//! one bad launch must not stop a sweep).

use super::Launch;
use crate::model::host::HostParams;
use crate::model::{init, torch_init};
use crate::plan::{GroupSpec, Plan};
use crate::record::{RunRecord, RunStatus};
use crate::spec::InitKind;
use crate::train::{self, GroupResult, JobPart, OptimizerKind, TrainJob};

/// Trains the runs of `group` listed in `pending` (indices into `plan.runs`) as one batch.
pub fn train_runs(
    plan: &Plan,
    group: &GroupSpec,
    pending: &[usize],
    on_epoch: &mut dyn FnMut(usize),
) -> Vec<RunRecord> {
    let launch = Launch {
        members: vec![(group, pending.to_vec())],
    };
    train_launch(plan, &launch, on_epoch).pop().unwrap_or_default()
}

/// Trains every member of `launch` as one replica batch; the records of each member's runs.
pub fn train_launch(plan: &Plan, launch: &Launch<'_>, on_epoch: &mut dyn FnMut(usize)) -> Vec<Vec<RunRecord>> {
    let (first, _) = launch.members[0];
    let shape = first.model_shape(plan.datasets[&first.dataset].vocab.len());
    let mut params = Vec::new();
    let mut parts = Vec::new();
    let mut optimizer = OptimizerKind::Burn;
    let mut all_seeds = Vec::new();
    for (group, pending) in &launch.members {
        let seeds: Vec<u64> = pending.iter().map(|&i| plan.runs[i].seed).collect();
        all_seeds.extend_from_slice(&seeds);
        // `init: torch` reproduces a PyTorch notebook: its initial values and its Adam formula.
        // (Groups of one launch agree on the formula: `launch::pack`.)
        let (init, kind) = match group.init {
            InitKind::Sweeplab => (init::seeded(&shape, &seeds), OptimizerKind::Burn),
            InitKind::Torch => (torch_init::torch_seeded(&shape, &seeds), OptimizerKind::Torch),
            // Given weights: the same values for every replica, burn's Adam.
            InitKind::File(_) => {
                let given = group.init_file.as_ref().expect("the plan converts every weights file");
                (given.replicated(seeds.len()), OptimizerKind::Burn)
            }
        };
        params.push(init);
        optimizer = kind;
        parts.push(JobPart {
            data: &plan.datasets[&group.dataset],
            lr: group.lr,
            replicas: seeds.len(),
        });
    }
    let params = HostParams::concat(&params);
    let job = TrainJob {
        shape,
        parts: &parts,
        epochs: first.epochs,
        init: &params,
        seeds: &all_seeds,
        model: first.model,
        keep_positions: plan.record.positions,
        all_layers: plan.record.layers == crate::spec::RecordLayers::All,
        optimizer,
        options: first.optimizer,
        kernel: train::kernel_for(first.device),
    };
    let outcome: std::result::Result<GroupResult, String> = train::train_on(first.device, &job, on_epoch);
    let runs = launch.runs();
    let mut replicas = match outcome {
        Ok(result) => {
            let share = result.seconds / runs as f64;
            Ok(result.replicas.into_iter().map(move |replica| (replica, share)))
        }
        Err(message) => Err(message),
    };
    launch
        .members
        .iter()
        .map(|(group, pending)| {
            let data = &plan.datasets[&group.dataset];
            let positions = data.position_labels(plan.record.positions);
            pending
                .iter()
                .map(|&ri| match &mut replicas {
                    Ok(trained) => {
                        let (replica, share) = trained.next().expect("one result per replica");
                        RunRecord::trained(
                            plan.runs[ri].clone(),
                            replica,
                            share,
                            positions.clone(),
                            data.vocab.clone(),
                        )
                    }
                    Err(message) => RunRecord::failed(plan.runs[ri].clone(), message.clone()),
                })
                .collect()
        })
        .collect()
}

/// Trains `launch`; a packed launch that failed as a whole (out of memory, say) may still fit
/// group by group, so then each member gets a launch of its own. `on_epoch` hears the group
/// that trains and its epoch.
pub fn train_with_fallback(
    plan: &Plan,
    launch: &Launch<'_>,
    on_epoch: &mut dyn FnMut(&GroupSpec, usize),
) -> Vec<Vec<RunRecord>> {
    let (lead, _) = launch.members[0];
    let records = train_launch(plan, launch, &mut |epoch| on_epoch(lead, epoch));
    let all_failed = records.iter().flatten().all(|r| r.status == RunStatus::Failed);
    // A missing GPU stays missing: trying each group alone would only fail again.
    let device_present = launch.members.iter().all(|(g, _)| match g.device {
        crate::spec::DeviceSpec::Cuda(i) => crate::device::check_cuda(i).is_ok(),
        _ => true,
    });
    if launch.members.len() == 1 || !all_failed || !device_present {
        return records;
    }
    launch
        .members
        .iter()
        .map(|(group, pending)| {
            let alone = Launch {
                members: vec![(*group, pending.clone())],
            };
            train_launch(plan, &alone, &mut |epoch| on_epoch(group, epoch))
                .pop()
                .unwrap_or_default()
        })
        .collect()
}
