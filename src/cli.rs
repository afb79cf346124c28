//! The command line. Every error becomes one line on stderr and an exit status:
//! 0 success, 1 some runs failed, 2 bad input (experiment, arguments, output folder).

use crate::error::{Error, Result, EXIT_CONFIG, EXIT_RUNS_FAILED};
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
    },
    /// Print the expanded list of runs without training.
    Plan { experiment: PathBuf },
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
        Command::Sweep { experiment, out, force } => {
            let (file, plan) = load(&experiment)?;
            let out = out.unwrap_or_else(|| Path::new("results").join(&plan.experiment));
            let results = ResultsDir::prepare(&out)?;
            let mut reporter = crate::progress::for_stderr();
            let options = crate::sweep::SweepOptions { force };
            let (records, _) = crate::sweep::run(&file, &plan, &results, options, reporter.as_mut())?;
            let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
            Ok(if failed > 0 { EXIT_RUNS_FAILED } else { 0 })
        }
        Command::Plan { experiment } => {
            let (_, plan) = load(&experiment)?;
            match print_plan(&plan) {
                // `sweeplab plan x.yaml | head` is fine.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
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
