//! Drives a sweep: plan -> launches (`crate::schedule`) -> run records -> the assembled results
//! folder (`crate::assemble`), with progress events (`progress`). With `--jobs`, worker
//! processes train first (`jobs`, speaking the `wire` protocol) and this process assembles.
//!
//! Resumable: each finished run is stored atomically as its own record (`runs/<id>.json`)
//! before anything else is written; runs whose record exists are skipped on the next
//! invocation (failed runs are retried, `force` retrains everything), and the tables are
//! rebuilt from the records after every launch. A group whose seeds are partly done trains only
//! the missing seeds, which is exact because replicas never interact.

mod jobs;
mod progress;
mod wire;

pub use jobs::worker_count;
pub use progress::{for_stderr, BarReporter, Event, LineReporter, Reporter, SweepTally};
pub use wire::{Relay, WireEvent, WireReporter};

use crate::error::{Error, Result};
use crate::folder::{Manifest, RecordStore, ResultsDir};
use crate::plan::Plan;
use crate::record::{RunRecord, RunStatus};
use crate::schedule::{self, Block, MemoryBudget, Shard};
use crate::spec::ExperimentFile;
use crate::stats::{GroupStats, Outcome};
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

/// What this process is in a sweep, decided once ([`Role::decide`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole plan: trains it (in up to `jobs` worker processes for the CPU work, plus one
    /// per GPU, when that is more than one) and assembles the results folder.
    Whole { jobs: usize },
    /// One task of an array job (`run-task`, `sweep --shard`): trains its shard, writes the
    /// run records and a shard manifest; `merge` assembles the folder.
    ClusterTask(Shard),
    /// A `--jobs` worker of a sweep on this machine: trains its shard (each GPU's groups in
    /// one worker), sends its progress on the wire, exits with its parent, and writes no
    /// manifest (the parent assembles the folder).
    LocalWorker(Shard),
}

impl Role {
    /// The role of `sweep [--shard I/N] [--jobs N]`: a shard is a local worker when the parent
    /// sweep set the worker variable in its environment (the one place it is read).
    pub fn decide(shard: Option<Shard>, jobs: usize) -> Self {
        match shard {
            Some(shard) if std::env::var_os(jobs::WORKER_ENV).is_some() => Role::LocalWorker(shard),
            Some(shard) => Role::ClusterTask(shard),
            None => Role::Whole { jobs },
        }
    }

    /// The reporter this role renders progress with.
    pub fn reporter(&self) -> Box<dyn Reporter> {
        match self {
            Role::LocalWorker(_) => Box::new(WireReporter),
            _ => for_stderr(),
        }
    }

    /// The blocks this process trains.
    fn blocks(&self, plan: &Plan) -> Vec<Block> {
        match self {
            Role::Whole { .. } => Block::whole_groups(plan),
            Role::ClusterTask(shard) => shard.blocks(plan),
            Role::LocalWorker(shard) => shard.local_blocks(plan),
        }
    }
}

/// What a sweep did: the records of the runs in scope (resumed and new) in plan order, and
/// how many trained now.
pub struct SweepOutcome {
    pub records: Vec<RunRecord>,
    pub trained_now: usize,
}

impl SweepOutcome {
    pub fn failed(&self) -> usize {
        self.records.iter().filter(|r| r.status == RunStatus::Failed).count()
    }
}

/// Runs every unfinished run of `plan` that `role` covers, writing into `results` as it goes.
pub fn run(
    file: &ExperimentFile,
    plan: &Plan,
    results: &ResultsDir,
    role: Role,
    force: bool,
    reporter: &mut dyn Reporter,
) -> Result<SweepOutcome> {
    let mut pass = Pass {
        file,
        plan,
        results,
        role,
        force,
        workers: None,
        workers_seconds: 0.0,
        keep_failed: false,
    };
    match role {
        Role::LocalWorker(_) => jobs::exit_with_parent(),
        Role::Whole { jobs: 0 } => return Err(Error::Other("--jobs must be at least 1".into())),
        Role::Whole { jobs } => {
            let workers = worker_count(plan, jobs);
            if workers > 1 {
                if let Some(done) = jobs::train_in_workers(&file.path, plan, results, workers, force, reporter)? {
                    pass.workers_seconds = done.seconds;
                    if !done.retrain_all {
                        pass.force = false;
                        pass.workers = Some(done.finished_before);
                        pass.keep_failed = done.all_finished;
                    }
                }
            }
        }
        Role::ClusterTask(_) => {}
    }
    pass.run(reporter)
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

/// One training pass of this process over its blocks.
struct Pass<'a> {
    file: &'a ExperimentFile,
    plan: &'a Plan,
    results: &'a ResultsDir,
    role: Role,
    force: bool,
    /// After `--jobs` workers: how many runs were finished before they started (the runs this
    /// pass finds finished beyond those were trained by the workers, so count as trained now).
    workers: Option<usize>,
    /// The workers' time, part of the sweep's.
    workers_seconds: f64,
    /// Every `--jobs` worker finished, so each failed record is a run tried in this sweep:
    /// kept as failed (the next sweep retries it), not retried at once.
    keep_failed: bool,
}

impl Pass<'_> {
    fn run(&self, reporter: &mut dyn Reporter) -> Result<SweepOutcome> {
        let started = Instant::now();
        let started_at = SystemTime::now() - Duration::from_secs_f64(self.workers_seconds.max(0.0));
        let (plan, results) = (self.plan, self.results);
        let store = RecordStore::open(&results.path)?;
        let blocks = self.role.blocks(plan);
        let mut done = self.resumed(&store, &blocks)?;
        let found = done.iter().flatten().count();
        let by_workers = self.workers.map_or(0, |before| found.saturating_sub(before));
        results.write_experiment(self.file, true)?;
        // After `--jobs` workers the sweep has been announced already.
        if self.workers.is_none() {
            reporter.event(&Event::SweepStarted {
                experiment: &plan.experiment,
                runs: blocks.iter().map(|b| b.runs.len()).sum(),
                already_done: found - by_workers,
                groups: blocks.len(),
                out: &results.path,
            });
        }
        self.write_tables(&done)?;
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
        // Local workers share this machine's memory.
        let processes = match self.role {
            Role::LocalWorker(shard) => shard.count,
            _ => 1,
        };
        let budget = MemoryBudget::of_this_machine(processes).map_err(Error::Other)?;
        for launch in budget.fit(plan, schedule::pack(plan, pending)) {
            trained_now += self.train(&launch, &budget, &store, &mut done, reporter)?;
        }
        let records: Vec<RunRecord> = done.into_iter().flatten().collect();
        let manifest = Manifest::new(
            plan,
            &self.file.path,
            &self.file.source,
            &records,
            started_at,
            SystemTime::now(),
            trained_now,
        );
        match self.role {
            Role::Whole { .. } => crate::assemble::finish(self.file, results, &manifest)?,
            Role::ClusterTask(shard) => results.write_shard_manifest(shard.index, shard.count, &manifest)?,
            Role::LocalWorker(_) => {}
        }
        reporter.event(&Event::SweepFinished {
            tally: SweepTally::of(&records),
            trained_now,
            seconds: self.workers_seconds + started.elapsed().as_secs_f64(),
        });
        Ok(SweepOutcome { records, trained_now })
    }

    /// The stored, finished records of the runs in `blocks` (none with `force`), by plan index.
    /// With `keep_failed`, failed records count too.
    fn resumed(&self, store: &RecordStore, blocks: &[Block]) -> Result<Vec<Option<RunRecord>>> {
        let mut done: Vec<Option<RunRecord>> = vec![None; self.plan.runs.len()];
        if self.force {
            return Ok(done);
        }
        let mut stored: HashMap<String, RunRecord> = store.load_all()?;
        for &i in blocks.iter().flat_map(|b| b.runs.iter()) {
            if let Some(record) = stored.remove(&self.plan.runs[i].id) {
                if record.status != RunStatus::Failed || self.keep_failed {
                    done[i] = Some(record);
                }
            }
        }
        Ok(done)
    }

    /// The tables of the finished runs; only a whole sweep writes them (`merge` assembles the
    /// tables of cluster tasks, the parent those of local workers).
    fn write_tables(&self, done: &[Option<RunRecord>]) -> Result<()> {
        if !matches!(self.role, Role::Whole { .. }) {
            return Ok(());
        }
        let finished: Vec<RunRecord> = done.iter().flatten().cloned().collect();
        self.results.write_tables(&self.plan.experiment, &finished)
    }

    /// Trains one launch, stores its records (the run's commit point: records first, then the
    /// tables) and reports each member group; returns how many runs trained.
    fn train(
        &self,
        launch: &schedule::Launch<'_>,
        budget: &MemoryBudget,
        store: &RecordStore,
        done: &mut [Option<RunRecord>],
        reporter: &mut dyn Reporter,
    ) -> Result<usize> {
        let groups = self.plan.groups.len();
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
        let records = match budget.refuse(self.plan, launch) {
            Some(why) => launch
                .members
                .iter()
                .map(|(_, pending)| {
                    pending
                        .iter()
                        .map(|&ri| RunRecord::failed(self.plan.runs[ri].clone(), why.clone()))
                        .collect()
                })
                .collect(),
            None => schedule::train_with_fallback(self.plan, launch, &mut |group, epoch| {
                reporter.event(&Event::Epoch { group, epoch })
            }),
        };
        store.save_all(records.iter().flatten())?;
        for ((_, pending), records) in launch.members.iter().zip(&records) {
            for (&ri, record) in pending.iter().zip(records) {
                done[ri] = Some(record.clone());
            }
        }
        self.write_tables(done)?;
        let seconds = launch_started.elapsed().as_secs_f64();
        for ((group, _), records) in launch.members.iter().zip(&records) {
            let outcomes: Vec<Outcome> = records.iter().map(Outcome::from).collect();
            reporter.event(&Event::RunsFinished {
                group,
                outcomes: &outcomes,
            });
            reporter.event(&Event::GroupFinished {
                group,
                groups,
                stats: &GroupStats::of(&outcomes),
                seconds,
            });
        }
        Ok(records.iter().map(Vec::len).sum())
    }
}
