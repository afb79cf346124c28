//! The command line. Every error becomes one line on stderr and an exit status:
//! 0 success, 1 some runs failed (retrying may help), 2 bad input (experiment, arguments, output
//! folder: do not retry), 3 incomplete results (`merge` found runs without a record).

use crate::cluster::Shard;
use crate::error::{Error, Result, EXIT_CONFIG, EXIT_INCOMPLETE, EXIT_RUNS_FAILED};
use crate::output::ResultsDir;
use crate::plan::{self, Plan};
use crate::record::RunStatus;
use crate::results::ResultsFolder;
use crate::spec::{ExperimentFile, Param};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "sweeplab",
    version,
    about = "Declarative grids of small sequence-model trainings on burn"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train every run of an experiment and write runs.csv, curves.csv and states.csv.
    Sweep {
        /// The experiment YAML file.
        experiment: PathBuf,
        /// Results folder (default: results/<name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Retrain every run, even those already finished in the results folder.
        #[arg(long)]
        force: bool,
        /// Train only slice I of N disjoint slices of the plan (blocks of one group's seeds).
        #[arg(long, value_name = "I/N", conflicts_with = "jobs")]
        shard: Option<String>,
        /// Train the CPU work in at most this many worker processes, each training blocks of
        /// runs (default: every core of this machine); each GPU the plan uses gets one more.
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Print the expanded list of runs without training.
    Plan {
        experiment: PathBuf,
        /// Write the numbered plan as JSON lines (for cluster workers) instead of printing it.
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
    /// Run one task of an array job: shard (INDEX + OFFSET) of TASKS.
    RunTask {
        experiment: PathBuf,
        /// Number of tasks the plan is split into.
        #[arg(long)]
        tasks: usize,
        /// Task index; default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX.
        #[arg(long)]
        index: Option<usize>,
        /// Added to the index (arrays chunked below Slurm's MaxArraySize).
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Plan file from `plan --write`; the task refuses to run if the experiment expands differently.
        #[arg(long)]
        plan: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write sbatch scripts for a Slurm job array over the plan, plus a merge job.
    Slurm {
        experiment: PathBuf,
        /// Number of array tasks (default: one per group of seeds).
        #[arg(long)]
        tasks: Option<usize>,
        /// At most this many tasks at once (`--array=...%P`).
        #[arg(long)]
        max_parallel: Option<usize>,
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per task, in Slurm's format (e.g. 00:30:00).
        #[arg(long)]
        time: Option<String>,
        #[arg(long, default_value_t = 1)]
        cpus_per_task: usize,
        /// The cluster's MaxArraySize (`scontrol show config`); larger arrays are chunked.
        #[arg(long, default_value_t = 1001)]
        max_array_size: usize,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Submit with sbatch after writing the scripts.
        #[arg(long)]
        submit: bool,
    },
    /// Assemble runs.csv, curves.csv, figures and manifest from shard results folders.
    Merge {
        #[arg(required = true)]
        results_dirs: Vec<PathBuf>,
        /// Where to write the merged folder (default: the first folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Redraw the figures of a results folder from its stored data, without training.
    Plot {
        /// A folder written by `sweeplab sweep` (holds experiment.yaml, runs.csv, ...).
        results_dir: PathBuf,
    },
    /// Verify the experiment's `checks:` on a results folder (exit 0 all pass, 1 any fails).
    Check {
        results_dir: PathBuf,
        /// Also fail a group whose success rate or median final loss got worse than here.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// How much worse than the baseline (absolute, per metric) still passes.
        #[arg(long, default_value_t = 0.0, requires = "baseline")]
        tolerance: f64,
    },
    /// Write report.md and a self-contained report.html into a results folder.
    Report { results_dir: PathBuf },
    /// Put runs that differ only in their device side by side: per run the largest difference
    /// in final loss and stored probabilities, per group the success count on each device.
    Compare {
        /// One results folder with runs on two or more devices, or two folders of the same
        /// experiment (run on different machines or devices).
        #[arg(required = true, num_args = 1..=2, value_name = "RESULTS_DIR")]
        results_dirs: Vec<PathBuf>,
        /// Also write the per-run comparison to this CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// How many of the largest per-run differences to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Retrain stored runs and verify the numbers are bit-identical (exit 1 if any differ).
    Reproduce {
        results_dir: PathBuf,
        /// Retrain only this many runs, spread evenly over the grid.
        #[arg(long)]
        runs: Option<usize>,
    },
    /// List the devices this machine can train on.
    Devices,
}

pub fn main() -> i32 {
    crate::device::install_quiet_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_CONFIG } else { 0 };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn load(path: &Path) -> Result<(ExperimentFile, Plan)> {
    let file = ExperimentFile::load(path)?;
    let plan = plan::build(&file)?;
    crate::check::parse(&file)?;
    Ok((file, plan))
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Sweep {
            experiment,
            out,
            force,
            shard,
            jobs,
        } => {
            let shard = shard.as_deref().map(Shard::parse).transpose()?;
            crate::workers::exit_with_parent();
            let jobs = jobs.unwrap_or_else(crate::workers::cores);
            if jobs == 0 {
                return Err(Error::Other("--jobs must be at least 1".into()));
            }
            let (file, plan) = load(&experiment)?;
            let out = out.unwrap_or_else(|| Path::new("results").join(&plan.experiment));
            let results = ResultsDir::prepare(&out)?;
            let mut reporter = crate::progress::for_stderr();
            let mut force = force;
            let workers = crate::workers::worker_count(&plan, jobs, shard.is_some());
            let mut finished_before_workers = None;
            let workers_started = std::time::Instant::now();
            let unfinished = if workers > 1 {
                crate::sweep::unfinished_runs(&plan, &results.path, force)?
            } else {
                Vec::new()
            };
            let before = if force { 0 } else { plan.runs.len() - unfinished.len() };
            // Workers only when there is something to train (a resumed, finished folder only
            // needs assembling).
            if workers > 1 && before < plan.runs.len() {
                reporter.event(&crate::progress::Event::SweepStarted {
                    experiment: &plan.experiment,
                    runs: plan.runs.len(),
                    already_done: before,
                    groups: plan.groups.len(),
                    out: &results.path,
                });
                let mut relay = crate::progress::Relay::new(&plan, workers, &results.path, &unfinished)?;
                let failed =
                    crate::workers::run_shards(&experiment, &results.path, workers, force, &mut |worker, line| {
                        relay.line(worker, line, reporter.as_mut())
                    })?;
                if failed > 0 {
                    eprintln!("{failed} worker process(es) did not finish; their unfinished runs train now");
                }
                if failed == 0 || !force {
                    // The workers did the training; this pass resumes and assembles.
                    finished_before_workers = Some(before);
                    force = false;
                }
                // Else (--force and a worker died): records of runs it never retrained are the
                // old ones, so this pass retrains everything, as --force promises.
            }
            let options = crate::sweep::SweepOptions {
                force,
                shard,
                finished_before_workers,
                workers_seconds: if workers > 1 {
                    workers_started.elapsed().as_secs_f64()
                } else {
                    0.0
                },
                local_worker: shard.is_some() && std::env::var_os(crate::workers::WORKER_ENV).is_some(),
            };
            let (records, _) = crate::sweep::run(&file, &plan, &results, options, reporter.as_mut())?;
            let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
            Ok(if failed > 0 { EXIT_RUNS_FAILED } else { 0 })
        }
        Command::Plan {
            experiment,
            write: Some(path),
        } => {
            let (_, plan) = load(&experiment)?;
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let name = path
                .file_name()
                .ok_or_else(|| Error::Other(format!("{}: not a file name", path.display())))?;
            ResultsDir::prepare(dir)?
                .write_file(&name.to_string_lossy(), |o| crate::cluster::write_plan_jsonl(&plan, o))?;
            eprintln!("wrote {} runs to {}", plan.runs.len(), path.display());
            Ok(0)
        }
        Command::RunTask {
            experiment,
            tasks,
            index,
            offset,
            plan: plan_file,
            out,
        } => {
            let index = match index {
                Some(i) => i,
                None => ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
                    .iter()
                    .find_map(|v| std::env::var(v).ok())
                    .ok_or_else(|| {
                        Error::Other(
                            "no task index: pass --index or set SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX".into(),
                        )
                    })?
                    .trim()
                    .parse()
                    .map_err(|_| Error::Other("the task index in the environment is not a number".into()))?,
            };
            let shard = Shard::parse(&format!("{}/{tasks}", index + offset))?;
            let (file, plan) = load(&experiment)?;
            if let Some(plan_file) = plan_file {
                crate::cluster::verify_plan_file(&plan, &plan_file)?;
            }
            let out = out.unwrap_or_else(|| Path::new("results").join(&plan.experiment));
            let results = ResultsDir::prepare(&out)?;
            let mut reporter = crate::progress::LineReporter;
            let options = crate::sweep::SweepOptions {
                force: false,
                shard: Some(shard),
                ..Default::default()
            };
            let (records, _) = crate::sweep::run(&file, &plan, &results, options, &mut reporter)?;
            let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
            Ok(if failed > 0 { EXIT_RUNS_FAILED } else { 0 })
        }
        Command::Slurm {
            experiment,
            tasks,
            max_parallel,
            partition,
            time,
            cpus_per_task,
            max_array_size,
            out,
            submit,
        } => {
            let (_, plan) = load(&experiment)?;
            let options = crate::cluster::slurm::SlurmOptions {
                experiment: experiment.clone(),
                results_dir: out.unwrap_or_else(|| Path::new("results").join(&plan.experiment)),
                binary: std::env::current_exe().map_err(|e| Error::Other(format!("cannot locate this binary: {e}")))?,
                tasks: tasks.unwrap_or(plan.groups.len()),
                max_parallel,
                partition,
                time,
                cpus_per_task,
                max_array_size,
            };
            let files = crate::cluster::slurm::write(&plan, &options)?;
            for f in files.arrays.iter().chain([&files.merge, &files.submit, &files.plan]) {
                println!("{}", f.display());
            }
            if submit {
                let status = std::process::Command::new("bash")
                    .arg(&files.submit)
                    .status()
                    .map_err(|e| Error::Other(format!("cannot run {}: {e}", files.submit.display())))?;
                if !status.success() {
                    return Err(Error::Other(format!("{} failed ({status})", files.submit.display())));
                }
            }
            Ok(0)
        }
        Command::Merge { results_dirs, out } => {
            let out = out.unwrap_or_else(|| results_dirs[0].clone());
            let outcome = crate::cluster::merge::merge(&results_dirs, &out)?;
            for run in &outcome.missing {
                eprintln!(
                    "missing: run {} ({} {}({}) seed {} on {})",
                    run.id,
                    run.dataset,
                    run.cell.name(),
                    run.hidden,
                    run.seed,
                    run.device
                );
            }
            eprintln!(
                "merged {} runs into {}: {} missing, {} failed",
                outcome.records.len(),
                out.display(),
                outcome.missing.len(),
                outcome.failed
            );
            Ok(if !outcome.missing.is_empty() {
                EXIT_INCOMPLETE
            } else if outcome.failed > 0 {
                EXIT_RUNS_FAILED
            } else {
                0
            })
        }
        Command::Plan {
            experiment,
            write: None,
        } => {
            let (_, plan) = load(&experiment)?;
            match print_plan(&plan) {
                // `sweeplab plan x.yaml | head` is fine.
                Err(e) if is_broken_pipe(&e) => {}
                other => other.map_err(|e| Error::Other(format!("cannot print the plan: {e}")))?,
            }
            Ok(0)
        }
        Command::Plot { results_dir } => {
            let file = ExperimentFile::load(&results_dir.join("experiment.yaml"))?;
            for path in crate::figures::draw_all(&results_dir, &file.experiment.figures)? {
                println!("{}", path.display());
            }
            Ok(0)
        }
        Command::Check {
            results_dir,
            baseline,
            tolerance,
        } => {
            let current = ResultsFolder::open(&results_dir)?;
            let checks = crate::check::parse(&current.experiment)?;
            let base = baseline.as_deref().map(ResultsFolder::open).transpose()?;
            if checks.is_empty() && base.is_none() {
                return Err(Error::Other(format!(
                    "{}: the experiment has no `checks:` and no --baseline was given; nothing to check",
                    results_dir.join("experiment.yaml").display()
                )));
            }
            if tolerance.is_nan() || tolerance < 0.0 {
                return Err(Error::Other("--tolerance must be a non-negative number".into()));
            }
            let outcomes = crate::check::evaluate(&checks, &current, base.as_ref().map(|b| (b, tolerance)));
            print!("{}", crate::check::render(&outcomes));
            Ok(if outcomes.iter().all(|o| o.pass) { 0 } else { 1 })
        }
        Command::Report { results_dir } => {
            let folder = ResultsFolder::open(&results_dir)?;
            for path in crate::report::write(&folder)? {
                println!("{}", path.display());
            }
            Ok(0)
        }
        Command::Compare { results_dirs, csv, top } => {
            crate::compare::run(&results_dirs, csv.as_deref(), top)?;
            Ok(0)
        }
        Command::Reproduce { results_dir, runs } => {
            let folder = ResultsFolder::open(&results_dir)?;
            let comparisons = crate::reproduce::reproduce(&folder, runs, &mut |label, n| {
                eprintln!("retraining {n} runs of {label}")
            })?;
            let differing: Vec<_> = comparisons.iter().filter(|c| !c.identical).collect();
            let max = comparisons.iter().map(|c| c.max_diff).fold(0.0, f64::max);
            for c in &differing {
                println!(
                    "DIFFERS {}: stored final loss {}, retrained {} (max difference {:e})",
                    c.run_id, c.stored_loss, c.retrained_loss, c.max_diff
                );
            }
            println!(
                "retrained {} runs: {} bit-identical, {} differ; largest difference {max:e}",
                comparisons.len(),
                comparisons.len() - differing.len(),
                differing.len()
            );
            Ok(if differing.is_empty() { 0 } else { 1 })
        }
        Command::Devices => {
            for (name, status) in crate::device::describe() {
                match status {
                    Ok(()) => println!("{name}: available"),
                    Err(why) => println!("{name}: unavailable ({why})"),
                }
            }
            Ok(0)
        }
    }
}

/// The reader of our stdout has gone; the csv writer wraps that io error in its own.
fn is_broken_pipe(e: &std::io::Error) -> bool {
    let wrapped = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<csv::Error>())
        .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe));
    e.kind() == std::io::ErrorKind::BrokenPipe || wrapped
}

fn print_plan(plan: &Plan) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# {}: {} runs in {} groups (runs of a group train together as one replica-batched model)",
        plan.experiment,
        plan.runs.len(),
        plan.groups.len()
    )?;
    let blocks = crate::cluster::Block::whole_groups(plan);
    let launches = crate::launch::pack(plan, blocks.iter().map(|b| (b, b.runs.clone())).collect());
    for launch in launches.iter().filter(|l| l.members.len() > 1) {
        let groups: Vec<String> = launch.members.iter().map(|(g, _)| g.index.to_string()).collect();
        writeln!(
            out,
            "# groups {} (the group column) train as one launch (op by op, same shapes: packed into one replica batch)",
            groups.join(", ")
        )?;
    }
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header = vec!["index", "run_id", "group"];
    header.extend(Param::ALL.iter().map(|p| p.name()));
    w.write_record(&header)?;
    for (i, run) in plan.runs.iter().enumerate() {
        let mut row = vec![i.to_string(), run.id.clone(), run.group.to_string()];
        row.extend(Param::ALL.iter().map(|&p| run.value(p).canonical()));
        w.write_record(&row)?;
    }
    w.flush()
}
