//! The command line's arguments (clap), with their ranges.

use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// A count that must be at least 1 (`--jobs`, `--top`, ...).
fn at_least_one() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..)
}

/// A number of tasks or shards: at least 1 and at most the largest plan (more tasks than runs
/// would only be empty).
fn task_count() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=crate::schedule::MAX_SHARDS as u64)
}

/// A number of local worker processes.
fn job_count() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=1024)
}

#[derive(Parser, Debug)]
#[command(
    name = "sweeplab",
    version,
    about = "Declarative grids of small sequence-model trainings on burn"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
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
        /// The folder holds another experiment's results: delete them (and only them) first.
        #[arg(long, conflicts_with = "shard")]
        replace: bool,
        /// Train only slice I of N disjoint slices of the plan (blocks of one group's seeds).
        #[arg(long, value_name = "I/N", conflicts_with = "jobs")]
        shard: Option<String>,
        /// Train the CPU work in at most this many worker processes, each training blocks of
        /// runs (default: every core of this machine); each GPU the plan uses gets one more.
        #[arg(long, value_parser = job_count())]
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
        #[arg(long, value_parser = task_count())]
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
        #[arg(long, value_parser = task_count())]
        tasks: Option<usize>,
        /// At most this many tasks at once (`--array=...%P`).
        #[arg(long, value_parser = at_least_one())]
        max_parallel: Option<usize>,
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per task, in Slurm's format (e.g. 00:30:00).
        #[arg(long)]
        time: Option<String>,
        #[arg(long, default_value_t = 1, value_parser = at_least_one())]
        cpus_per_task: usize,
        /// The cluster's MaxArraySize (`scontrol show config`); larger arrays are chunked.
        #[arg(long, default_value_t = 1001, value_parser = at_least_one())]
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
        #[arg(long, default_value_t = 10, value_parser = at_least_one())]
        top: usize,
    },
    /// Retrain stored runs and verify the numbers are bit-identical (exit 1 if any differ).
    Reproduce {
        results_dir: PathBuf,
        /// Retrain only this many runs, spread evenly over the grid.
        #[arg(long, value_parser = at_least_one())]
        runs: Option<usize>,
    },
    /// Query a results folder: per-run rows, or aggregates per combination of --by columns.
    Show {
        results_dir: PathBuf,
        /// Group by these columns (comma-separated), e.g. `cell,hidden`.
        #[arg(long, value_name = "COLUMNS")]
        by: Option<String>,
        /// Keep rows matching KEY=VALUE, KEY!=VALUE, KEY<=N, KEY>=N, KEY<N, KEY>N (comma = and;
        /// repeatable). Quote `>` and `<` for the shell.
        #[arg(long = "where", value_name = "EXPR")]
        filters: Vec<String>,
        /// Sort by a column; `-COLUMN` for descending.
        #[arg(long, value_name = "COLUMN", allow_hyphen_values = true)]
        sort: Option<String>,
        /// Show exactly these columns (comma-separated).
        #[arg(long, value_name = "COLUMNS")]
        columns: Option<String>,
        /// table (aligned), md, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Write a results folder in other tools' formats: TensorBoard event files, one run each.
    Export {
        results_dir: PathBuf,
        /// The folder to write the event files into (`tensorboard --logdir DIR`).
        #[arg(long, value_name = "DIR", required = true)]
        tensorboard: PathBuf,
    },
    /// List the devices this machine can train on.
    Devices,
}
