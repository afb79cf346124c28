//! `sweep --jobs N`: trains disjoint shards of the plan in N worker processes that write run
//! records into the same results folder; the parent then resumes the sweep, which finds every
//! run done and assembles tables, figures and manifest (and trains anything a worker left).
//!
//! Processes, not threads: burn-autodiff records every operation under one process-wide lock,
//! so training threads in one process serialise; separate processes do not share it.

use crate::cluster::Shard;
use crate::error::{Error, Result};
use std::path::Path;
use std::process::{Command, Stdio};

/// Environment variable that makes a process report progress as plain lines (workers share
/// the terminal, where bars would overwrite each other).
pub const PLAIN_PROGRESS_ENV: &str = "SWEEPLAB_PLAIN_PROGRESS";

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
