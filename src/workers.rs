//! `sweep --jobs N`: trains disjoint shards of the plan (blocks of runs, see
//! [`Shard::blocks`]) in N worker processes that write run records into the same results
//! folder; the parent then resumes the sweep, which finds every run done and assembles tables,
//! figures and manifest (and trains anything a worker left).
//!
//! Processes, not threads. Measured on 2 cores with the fused kernels: two worker processes
//! made `rnn_vs_lstm.yaml` 2.0x faster, splitting each kernel call over two rayon threads
//! 1.1x (per-call hand-offs, and burn's per-op work between the calls stays serial; op by op,
//! burn-autodiff's process-wide lock serialises training threads entirely).

use crate::cluster::Shard;
use crate::error::{Error, Result};
use crate::plan::Plan;
use std::path::Path;
use std::process::{Command, Stdio};

/// Environment variable that makes a process report progress as plain lines (workers share
/// the terminal, where bars would overwrite each other).
pub const PLAIN_PROGRESS_ENV: &str = "SWEEPLAB_PLAIN_PROGRESS";

/// Logical cores of this machine: the default `--jobs`.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How many worker processes a sweep with `--jobs jobs` starts: none (train in this process)
/// for one job, a shard (it is already a worker) or a single run; else at most one per run.
pub fn worker_count(plan: &Plan, jobs: usize, sharded: bool) -> usize {
    if sharded || jobs <= 1 || plan.runs.len() <= 1 {
        1
    } else {
        jobs.min(plan.runs.len())
    }
}

/// Runs shard i/N of `experiment` in worker i, for i in 0..N, and waits for all of them.
/// Returns how many workers exited unsuccessfully.
pub fn run_shards(experiment: &Path, out: &Path, jobs: usize, force: bool) -> Result<usize> {
    let exe = std::env::current_exe().map_err(|e| Error::Other(format!("cannot locate this binary: {e}")))?;
    let mut children = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let shard = Shard { index: i, count: jobs };
        let mut cmd = Command::new(&exe);
        cmd.arg("sweep")
            .arg(experiment)
            .arg("--out")
            .arg(out)
            .arg("--shard")
            .arg(format!("{}/{}", shard.index, shard.count))
            .env(PLAIN_PROGRESS_ENV, "1")
            .stdin(Stdio::null());
        if force {
            cmd.arg("--force");
        }
        children.push(
            cmd.spawn()
                .map_err(|e| Error::Other(format!("cannot start a worker process: {e}")))?,
        );
    }
    let mut failed = 0;
    for mut child in children {
        match child.wait() {
            // Exit 1 means the worker finished but some runs failed; the final pass reports them.
            Ok(status) if matches!(status.code(), Some(0) | Some(1)) => {}
            _ => failed += 1,
        }
    }
    Ok(failed)
}
