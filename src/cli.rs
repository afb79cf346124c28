//! The command line. Every error becomes one line on stderr and an exit status:
//! 0 success, 1 some runs failed, 2 bad input (experiment, arguments, output folder).

use crate::error::{Error, Result, EXIT_CONFIG, EXIT_RUNS_FAILED};
use crate::output::ResultsDir;
use crate::plan::{self, Plan};
use crate::record::RunStatus;
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
    },
    /// Print the expanded list of runs without training.
    Plan { experiment: PathBuf },
    /// Redraw the figures of a results folder from its stored data, without training.
    Plot {
        /// A folder written by `sweeplab sweep` (holds experiment.yaml, runs.csv, ...).
        results_dir: PathBuf,
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
    Ok((file, plan))
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Sweep { experiment, out } => {
            let (file, plan) = load(&experiment)?;
            let out = out.unwrap_or_else(|| Path::new("results").join(&plan.experiment));
            let results = ResultsDir::prepare(&out)?;
            let mut reporter = crate::progress::for_stderr();
            let records = crate::sweep::run(&file, &plan, &results, reporter.as_mut())?;
            let failed = records
                .iter()
                .filter(|r| r.status == RunStatus::Failed)
                .count();
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
