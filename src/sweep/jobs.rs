//! `sweep --jobs N`: trains disjoint shards of the plan (blocks of runs, see
//! [`Shard::local_blocks`]) in worker processes - N for the CPU work, one per GPU - that write
//! run records into the same results folder and send their progress on the wire
//! (`super::wire`); the parent then resumes the sweep, which finds every run done and
//! assembles tables, figures and manifest (and trains anything a worker left).
//!
//! Processes, not threads. Measured on 2 cores with the fused kernels: two worker processes
//! made `rnn_vs_lstm.yaml` 2.0x faster, splitting each kernel call over two rayon threads
//! 1.1x (per-call hand-offs, and burn's per-op work between the calls stays serial; op by op,
//! burn-autodiff's process-wide lock serialises training threads entirely).

use super::progress::{Event, Reporter};
use super::wire::Relay;
use crate::error::{Error, Result};
use crate::folder::ResultsDir;
use crate::plan::Plan;
use crate::schedule::{LocalWorkers, Shard};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Set in the environment of worker processes (to their shard, `I/N`): they exit when their
/// parent does, and send their progress to it as wire events on stdout, which the parent
/// renders ([`Relay`]). Read once, by [`super::Role::decide`].
pub(super) const WORKER_ENV: &str = "SWEEPLAB_WORKER";

/// In a worker process, exits as soon as the parent sweep dies (killed, Ctrl-C): the parent
/// holds the write end of the worker's stdin, so the worker reads end-of-file then. Records
/// are written atomically, so exiting at any point leaves the results folder consistent.
pub(super) fn exit_with_parent() {
    std::thread::spawn(|| {
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        loop {
            match std::io::Read::read(&mut stdin, &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        std::process::exit(130);
    });
}

/// Runs shard i/N of `experiment` in worker i, for i in 0..N, and waits for all of them,
/// handing each line a worker writes on stdout to `on_line` with the worker's number (from 1).
/// Returns how many workers exited unsuccessfully.
fn run_shards(
    experiment: &Path,
    out: &Path,
    jobs: usize,
    force: bool,
    on_line: &mut dyn FnMut(usize, &str),
) -> Result<usize> {
    let exe = std::env::current_exe().map_err(|e| Error::Other(format!("cannot locate this binary: {e}")))?;
    let mut children = Vec::with_capacity(jobs);
    let (lines, received) = std::sync::mpsc::channel::<(usize, String)>();
    for i in 0..jobs {
        let shard = Shard { index: i, count: jobs };
        let mut cmd = Command::new(&exe);
        cmd.arg("sweep")
            .arg(experiment)
            .arg("--out")
            .arg(out)
            .arg("--shard")
            .arg(format!("{}/{}", shard.index, shard.count))
            .env(WORKER_ENV, format!("{}/{}", shard.index + 1, shard.count))
            // Kept open until the worker is waited for; see `exit_with_parent`.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if force {
            cmd.arg("--force");
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::Other(format!("cannot start a worker process: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = lines.clone();
        // Ends when the worker exits (end of its stdout).
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(std::io::Result::ok) {
                if lines.send((i + 1, line)).is_err() {
                    break;
                }
            }
        });
        children.push(child);
    }
    drop(lines);
    for (worker, line) in received {
        on_line(worker, &line);
    }
    // `wait` would close a child's stdin first; the pipes stay open until every worker is done.
    let pipes: Vec<_> = children.iter_mut().map(|c| c.stdin.take()).collect();
    let mut failed = 0;
    for mut child in children {
        match child.wait() {
            // Exit 1 means the worker finished but some runs failed; the final pass retries them.
            Ok(status) if matches!(status.code(), Some(0) | Some(1)) => {}
            _ => failed += 1,
        }
    }
    drop(pipes);
    Ok(failed)
}

/// What the worker processes did, for the final pass in the parent.
pub(super) struct WorkersDone {
    /// Runs finished before the workers started (the pass counts the rest as trained now).
    pub finished_before: usize,
    pub seconds: f64,
    /// A worker died under `--force`: records of runs it never retrained are the old ones,
    /// so the final pass retrains everything, as `--force` promises.
    pub retrain_all: bool,
}

/// Trains the unfinished runs of `plan` in `workers` worker processes, relaying their progress
/// to `reporter`. `None` when there is nothing to train (the final pass only assembles).
pub(super) fn train_in_workers(
    experiment: &Path,
    plan: &Plan,
    results: &ResultsDir,
    workers: usize,
    force: bool,
    reporter: &mut dyn Reporter,
) -> Result<Option<WorkersDone>> {
    let started = Instant::now();
    let unfinished = super::unfinished_runs(plan, &results.path, force)?;
    let finished_before = plan.runs.len() - unfinished.len();
    if unfinished.is_empty() {
        return Ok(None);
    }
    reporter.event(&Event::SweepStarted {
        experiment: &plan.experiment,
        runs: plan.runs.len(),
        already_done: finished_before,
        groups: plan.groups.len(),
        out: &results.path,
    });
    let mut relay = Relay::new(plan, workers, &unfinished);
    let failed = run_shards(experiment, &results.path, workers, force, &mut |worker, line| {
        relay.line(worker, line, reporter)
    })?;
    if failed > 0 {
        eprintln!("{failed} worker process(es) did not finish; their unfinished runs train now");
    }
    Ok(Some(WorkersDone {
        finished_before,
        seconds: started.elapsed().as_secs_f64(),
        retrain_all: failed > 0 && force,
    }))
}

/// How many worker processes a sweep with `--jobs jobs` starts ([`LocalWorkers`]): up to
/// `jobs` for the CPU work (no more than it has blocks) and one per GPU. One means none: this
/// process trains.
pub fn worker_count(plan: &Plan, jobs: usize) -> usize {
    LocalWorkers::new(plan, jobs).count().max(1)
}
