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
use crate::error::{Error, Result, EXIT_CONFIG, EXIT_FAILED, EXIT_OK};
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

/// What came out of the worker processes.
struct ShardsDone {
    /// Workers that ended without finishing (killed, crashed): their runs train in the parent.
    unfinished: usize,
    /// The first error a worker reported before exiting with a configuration or I/O error
    /// status: retrying in the parent could not help (a full disk, an unreadable file).
    error: Option<String>,
}

/// A line a worker wrote.
enum WorkerLine {
    Progress(String),
    Stderr(String),
}

/// Runs shard i/N of `experiment` in worker i, for i in 0..N, and waits for all of them,
/// handing each line a worker writes on stdout to `on_line` with the worker's number (from 1).
/// A worker's error line is held back (every worker may hit the same full disk), its other
/// stderr lines pass through.
fn run_shards(
    experiment: &Path,
    out: &Path,
    jobs: usize,
    force: bool,
    on_line: &mut dyn FnMut(usize, &str),
) -> Result<ShardsDone> {
    let exe = std::env::current_exe().map_err(|e| Error::Other(format!("cannot locate this binary: {e}")))?;
    let mut children = Vec::with_capacity(jobs);
    let (lines, received) = std::sync::mpsc::channel::<(usize, WorkerLine)>();
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
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if force {
            cmd.arg("--force");
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::Other(format!("cannot start a worker process: {e}")))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        // Each ends when the worker exits (end of its output).
        forward(stdout, i + 1, WorkerLine::Progress, lines.clone());
        forward(stderr, i + 1, WorkerLine::Stderr, lines.clone());
        children.push(child);
    }
    drop(lines);
    let mut errors: Vec<Option<String>> = vec![None; jobs];
    for (worker, line) in received {
        match line {
            WorkerLine::Progress(line) => on_line(worker, &line),
            WorkerLine::Stderr(line) => match line.strip_prefix("error: ") {
                Some(e) => errors[worker - 1] = Some(e.to_string()),
                None => eprintln!("{line}"),
            },
        }
    }
    // `wait` would close a child's stdin first; the pipes stay open until every worker is done.
    let pipes: Vec<_> = children.iter_mut().map(|c| c.stdin.take()).collect();
    let mut done = ShardsDone {
        unfinished: 0,
        error: None,
    };
    for (mut child, error) in children.into_iter().zip(errors) {
        match child.wait().map(|s| s.code()) {
            // Exit 1 means the worker finished but some runs failed (recorded as failed).
            Ok(Some(EXIT_OK | EXIT_FAILED)) => {}
            Ok(Some(EXIT_CONFIG)) if error.is_some() => done.error = done.error.or(error),
            _ => done.unfinished += 1,
        }
    }
    drop(pipes);
    Ok(done)
}

/// Sends every line of `from` to `to`, tagged with the worker's number, on a thread of its own.
fn forward(
    from: impl std::io::Read + Send + 'static,
    worker: usize,
    tag: fn(String) -> WorkerLine,
    to: std::sync::mpsc::Sender<(usize, WorkerLine)>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(std::io::Result::ok) {
            if to.send((worker, tag(line))).is_err() {
                break;
            }
        }
    });
}

/// What the worker processes did, for the final pass in the parent.
pub(super) struct WorkersDone {
    /// Runs finished before the workers started (the pass counts the rest as trained now).
    pub finished_before: usize,
    pub seconds: f64,
    /// A worker died under `--force`: records of runs it never retrained are the old ones,
    /// so the final pass retrains everything, as `--force` promises.
    pub retrain_all: bool,
    /// Every worker finished: each failed record is a failure of this sweep, not to retry now.
    pub all_finished: bool,
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
    let done = run_shards(experiment, &results.path, workers, force, &mut |worker, line| {
        relay.line(worker, line, reporter)
    })?;
    if let Some(error) = done.error {
        return Err(Error::Other(error));
    }
    if done.unfinished > 0 {
        eprintln!(
            "{} worker process(es) did not finish; their unfinished runs train now",
            done.unfinished
        );
    }
    Ok(Some(WorkersDone {
        finished_before,
        seconds: started.elapsed().as_secs_f64(),
        retrain_all: done.unfinished > 0 && force,
        all_finished: done.unfinished == 0,
    }))
}

/// How many worker processes a sweep with `--jobs jobs` starts ([`LocalWorkers`]): up to
/// `jobs` for the CPU work (no more than it has blocks) and one per GPU. One means none: this
/// process trains.
pub fn worker_count(plan: &Plan, jobs: usize) -> usize {
    LocalWorkers::new(plan, jobs).count().max(1)
}
