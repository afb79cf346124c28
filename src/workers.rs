//! `sweep --jobs N`: trains disjoint shards of the plan (blocks of runs, see
//! [`Shard::local_blocks`]) in worker processes - N for the CPU work, one per GPU - that write
//! run records into the same results folder; the parent then resumes the sweep, which finds every run done and assembles tables,
//! figures and manifest (and trains anything a worker left).
//!
//! Processes, not threads. Measured on 2 cores with the fused kernels: two worker processes
//! made `rnn_vs_lstm.yaml` 2.0x faster, splitting each kernel call over two rayon threads
//! 1.1x (per-call hand-offs, and burn's per-op work between the calls stays serial; op by op,
//! burn-autodiff's process-wide lock serialises training threads entirely).

use crate::cluster::{LocalWorkers, Shard};
use crate::error::{Error, Result};
use crate::plan::Plan;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Set in the environment of worker processes (to their shard, `I/N`): they exit when their
/// parent does, and send their progress to it as [`crate::progress::WireEvent`] lines on
/// stdout, which the parent renders ([`crate::progress::Relay`]).
pub const WORKER_ENV: &str = "SWEEPLAB_WORKER";

/// In a worker process, exits as soon as the parent sweep dies (killed, Ctrl-C): the parent
/// holds the write end of the worker's stdin, so the worker reads end-of-file then. Records
/// are written atomically, so exiting at any point leaves the results folder consistent.
pub fn exit_with_parent() {
    if std::env::var_os(WORKER_ENV).is_none() {
        return;
    }
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

/// Logical cores of this machine: the default `--jobs`.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How many worker processes a sweep with `--jobs jobs` starts ([`LocalWorkers`]): up to
/// `jobs` for the CPU work (no more than it has blocks) and one per GPU. One means none: this
/// process trains (also in a shard, which is already a worker).
pub fn worker_count(plan: &Plan, jobs: usize, sharded: bool) -> usize {
    if sharded {
        1
    } else {
        LocalWorkers::new(plan, jobs).count().max(1)
    }
}

/// Runs shard i/N of `experiment` in worker i, for i in 0..N, and waits for all of them,
/// handing each line a worker writes on stdout to `on_line` with the worker's number (from 1).
/// Returns how many workers exited unsuccessfully.
pub fn run_shards(
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
