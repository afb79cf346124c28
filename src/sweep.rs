//! Drives a sweep: plan -> training of each launch (a group, or groups packed together:
//! `crate::launch`) -> records -> files, with progress events.
//!
//! Resumable: each finished run is stored atomically as its own record (`runs/<id>.json`)
//! before anything else is written; runs whose record exists are skipped on the next
//! invocation (failed runs are retried, `force` retrains everything), and the CSVs are
//! rebuilt from the records after every group. A group whose seeds are partly done trains only
//! the missing seeds, which is exact because replicas never interact.

use crate::cluster::{Block, Shard};
use crate::error::Result;
use crate::launch::{self, Launch};
use crate::manifest::Manifest;
use crate::model::host::HostParams;
use crate::model::{init, torch_init, ModelShape};
use crate::output::{RecordStore, ResultsDir};
use crate::plan::{GroupSpec, Plan};
use crate::progress::{Event, Reporter};
use crate::record::{RunRecord, RunStatus};
use crate::spec::{ExperimentFile, InitKind};
use crate::train::{self, GroupResult, JobPart, OptimizerKind, TrainJob};
use std::collections::HashMap;
use std::time::{Instant, SystemTime};

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SweepOptions {
    /// Retrain every run even if a finished record exists.
    pub force: bool,
    /// Train only this slice of the plan (cluster array tasks).
    pub shard: Option<Shard>,
    /// How many runs were finished before `--jobs` worker processes trained just ahead of
    /// this pass: the runs this pass finds finished beyond those were trained by the workers,
    /// and count as trained now, not as resumed.
    pub finished_before_workers: Option<usize>,
    /// Seconds those workers took, included in the sweep's reported time.
    pub workers_seconds: f64,
    /// This process is a `--jobs` worker of a sweep on this machine (not a cluster task): its
    /// shard keeps each GPU to one worker, and it writes no shard manifest (the parent writes
    /// the sweep's manifest).
    pub local_worker: bool,
}

/// The runs of `plan` without a finished (not failed) record in `dir` (all of them with
/// `force`): indices into `plan.runs`.
pub fn unfinished_runs(plan: &Plan, dir: &std::path::Path, force: bool) -> Result<Vec<usize>> {
    if force {
        return Ok((0..plan.runs.len()).collect());
    }
    let stored = RecordStore::open(dir)?.load_all()?;
    let finished = |id: &str| stored.get(id).is_some_and(|rec| rec.status != RunStatus::Failed);
    Ok((0..plan.runs.len()).filter(|&i| !finished(&plan.runs[i].id)).collect())
}

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
    let shape = ModelShape {
        cell: first.cell,
        vocab: plan.datasets[&first.dataset].vocab.len(),
        hidden: first.hidden,
        head: first.head,
    };
    let mut params = Vec::new();
    let mut parts = Vec::new();
    let mut optimizer = OptimizerKind::Burn;
    for (group, pending) in &launch.members {
        let seeds: Vec<u64> = pending.iter().map(|&i| plan.runs[i].seed).collect();
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
        keep_positions: plan.record.positions,
        optimizer,
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

/// Runs every unfinished run of `plan` (or of one shard of it), writing into `results` as it
/// goes. Returns the records of the runs in scope (resumed and new) in plan order, and how many
/// trained now.
pub fn run(
    file: &ExperimentFile,
    plan: &Plan,
    results: &ResultsDir,
    options: SweepOptions,
    reporter: &mut dyn Reporter,
) -> Result<(Vec<RunRecord>, usize)> {
    let started = Instant::now();
    // Worker processes, if any, started the sweep earlier.
    let started_at = SystemTime::now() - std::time::Duration::from_secs_f64(options.workers_seconds.max(0.0));
    let store = RecordStore::open(&results.path)?;
    if options.shard.is_none() {
        // This process owns the folder: leftovers of killed writes can go.
        store.remove_temporaries();
    }
    let blocks: Vec<Block> = match options.shard {
        Some(shard) if options.local_worker => shard.local_blocks(plan),
        Some(shard) => shard.blocks(plan),
        None => Block::whole_groups(plan),
    };
    let in_scope: Vec<usize> = blocks.iter().flat_map(|b| b.runs.iter().copied()).collect();
    let mut done: Vec<Option<RunRecord>> = vec![None; plan.runs.len()];
    if !options.force {
        let mut stored: HashMap<String, RunRecord> = store.load_all()?;
        for &i in &in_scope {
            if let Some(record) = stored.remove(&plan.runs[i].id) {
                if record.status != RunStatus::Failed {
                    done[i] = Some(record);
                }
            }
        }
    }
    let found = done.iter().flatten().count();
    let by_workers = options
        .finished_before_workers
        .map_or(0, |before| found.saturating_sub(before));
    let resumed = found - by_workers;
    results.write_file("experiment.yaml", |out| out.write_all(file.source.as_bytes()))?;
    results.write_file("resolved.yaml", |out| {
        let text = serde_yaml_ng::to_string(&file.experiment).map_err(std::io::Error::other)?;
        out.write_all(text.as_bytes())
    })?;
    // After `--jobs` workers the sweep has been announced already (`sweep::announce`).
    if options.finished_before_workers.is_none() {
        reporter.event(&Event::SweepStarted {
            experiment: &plan.experiment,
            runs: in_scope.len(),
            already_done: resumed,
            groups: blocks.len(),
            out: &results.path,
        });
    }

    // A shard worker writes run records only; `merge` assembles the tables of all shards.
    let write_tables = |done: &[Option<RunRecord>]| {
        if options.shard.is_some() {
            return Ok(());
        }
        let finished: Vec<RunRecord> = done.iter().flatten().cloned().collect();
        results.write_exports(&plan.experiment, &finished)
    };
    write_tables(&done)?;
    let mut trained_now = by_workers;
    let pending: Vec<(&Block, Vec<usize>)> = blocks
        .iter()
        .map(|block| {
            (
                block,
                block.runs.iter().copied().filter(|&i| done[i].is_none()).collect(),
            )
        })
        .filter(|(_, pending): &(_, Vec<usize>)| !pending.is_empty())
        .collect();
    for launch in launch::pack(plan, pending) {
        let groups = plan.groups.len();
        if launch.members.len() > 1 {
            reporter.event(&Event::Packed {
                groups: launch.members.len(),
                runs: launch.runs(),
            });
        }
        for (group, pending) in &launch.members {
            reporter.event(&Event::GroupStarted {
                group,
                runs: pending.len(),
                groups,
            });
        }
        let launch_started = Instant::now();
        let (lead, _) = launch.members[0];
        let mut records = train_launch(plan, &launch, &mut |epoch| {
            reporter.event(&Event::Epoch { group: lead, epoch })
        });
        // A packed launch that failed as a whole (out of memory, say) may still fit group by
        // group: each member gets a launch of its own.
        let all_failed = records.iter().flatten().all(|r| r.status == RunStatus::Failed);
        if launch.members.len() > 1 && all_failed {
            records = launch
                .members
                .iter()
                .map(|(group, pending)| {
                    let alone = Launch {
                        members: vec![(*group, pending.clone())],
                    };
                    let mut on_epoch = |epoch| reporter.event(&Event::Epoch { group, epoch });
                    train_launch(plan, &alone, &mut on_epoch).pop().unwrap_or_default()
                })
                .collect();
        }
        // The record is the run's commit point: stored first, then the tables.
        store.save_all(records.iter().flatten())?;
        for ((_, pending), records) in launch.members.iter().zip(&records) {
            trained_now += records.len();
            for (&ri, record) in pending.iter().zip(records) {
                done[ri] = Some(record.clone());
            }
        }
        write_tables(&done)?;
        let seconds = launch_started.elapsed().as_secs_f64();
        reporter.event(&Event::RunsFinished {
            runs: records.iter().map(Vec::len).sum(),
        });
        for ((group, _), records) in launch.members.iter().zip(&records) {
            reporter.event(&Event::GroupFinished {
                group,
                groups,
                runs: records.len(),
                summary: &crate::progress::group_summary(records),
                seconds,
            });
        }
    }
    let records: Vec<RunRecord> = done.into_iter().flatten().collect();
    let manifest = Manifest::new(
        plan,
        &file.path,
        &file.source,
        &records,
        started_at,
        SystemTime::now(),
        trained_now,
    );
    match options.shard {
        None => finish(file, results, &manifest)?,
        Some(_) if options.local_worker => {}
        Some(shard) => {
            let shards = ResultsDir::prepare(&results.path.join("shards"))?;
            shards.write_file(&format!("shard-{}-of-{}.json", shard.index, shard.count), |out| {
                serde_json::to_writer_pretty(&mut *out, &manifest).map_err(std::io::Error::other)
            })?;
        }
    }
    reporter.event(&Event::SweepFinished {
        records: &records,
        trained_now,
        seconds: options.workers_seconds + started.elapsed().as_secs_f64(),
    });
    Ok((records, trained_now))
}

/// The last steps of a complete results folder: figures from the tables, then the manifest.
pub fn finish(file: &ExperimentFile, results: &ResultsDir, manifest: &Manifest) -> Result<()> {
    crate::figures::draw_all(&results.path, &file.experiment.figures)?;
    results.write_file("manifest.json", |out| {
        serde_json::to_writer_pretty(&mut *out, manifest).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}
