//! The command line: `main -> try_main -> one function per command`. Every error becomes one
//! line on stderr and an exit status, named in `crate::error` (0 success, 1 some runs or
//! checks failed, 2 bad input, 3 incomplete results, 141 closed output pipe).

use crate::error::{Error, Result, EXIT_CONFIG, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_OK};
use crate::folder::{Access, FolderLock, ResultsDir, ResultsFolder};
use crate::plan::{self, Plan};
use crate::schedule::Shard;
use crate::spec::ExperimentFile;
use crate::sweep::Role;
use args::{Cli, Command};
use clap::Parser;
use std::path::{Path, PathBuf};

mod args;
mod listing;

use listing::{is_broken_pipe, write_plan_listing};

pub fn main() -> i32 {
    crate::device::install_quiet_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_CONFIG } else { EXIT_OK };
        }
    };
    match try_main(cli) {
        Ok(code) => code,
        Err(e) => {
            // One error, one line, whatever a message from a library holds.
            eprintln!("error: {}", e.to_string().replace(['\n', '\r'], " "));
            e.exit_code()
        }
    }
}

fn try_main(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Sweep {
            experiment,
            out,
            force,
            replace,
            shard,
            jobs,
        } => sweep(&experiment, out, Retrain { force, replace }, shard.as_deref(), jobs),
        Command::Plan { experiment, write } => match write {
            Some(path) => write_plan(&experiment, &path),
            None => print_plan(&experiment),
        },
        Command::RunTask {
            experiment,
            tasks,
            index,
            offset,
            plan,
            out,
        } => run_task(&experiment, tasks, index, offset, plan.as_deref(), out),
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
                results_dir: out.unwrap_or_else(|| default_out(&plan)),
                binary: std::env::current_exe().map_err(|e| Error::Other(format!("cannot locate this binary: {e}")))?,
                tasks: tasks.unwrap_or(plan.groups.len()),
                max_parallel,
                partition,
                time,
                cpus_per_task,
                max_array_size,
            };
            slurm(&plan, &options, submit)
        }
        Command::Merge { results_dirs, out } => merge(&results_dirs, out),
        Command::Plot { results_dir } => plot(&results_dir),
        Command::Check {
            results_dir,
            baseline,
            tolerance,
        } => check(&results_dir, baseline.as_deref(), tolerance),
        Command::Report { results_dir } => report(&results_dir),
        Command::Compare { results_dirs, csv, top } => {
            crate::compare::run(&results_dirs, csv.as_deref(), top)?;
            Ok(EXIT_OK)
        }
        Command::Reproduce { results_dir, runs } => reproduce(&results_dir, runs),
        Command::Show {
            results_dir,
            by,
            filters,
            sort,
            columns,
            format,
        } => show(&results_dir, by, &filters, sort, columns, &format),
        Command::Export {
            results_dir,
            tensorboard,
        } => {
            let runs = crate::export::write_tensorboard(&results_dir, &tensorboard)?;
            eprintln!("wrote the event files of {runs} runs to {}", tensorboard.display());
            Ok(EXIT_OK)
        }
        Command::Devices => devices(),
    }
}

fn load(path: &Path) -> Result<(ExperimentFile, Plan)> {
    let file = ExperimentFile::load(path)?;
    let plan = plan::build(&file)?;
    crate::check::parse(&file)?;
    Ok((file, plan))
}

/// `results/<experiment name>/`.
fn default_out(plan: &Plan) -> PathBuf {
    Path::new("results").join(&plan.experiment)
}

/// The status of a sweep that ran: 1 when some runs failed.
fn runs_status(failed: usize) -> i32 {
    if failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// What `sweep` may throw away: finished runs (`--force`), another experiment's results
/// in the folder (`--replace`).
struct Retrain {
    force: bool,
    replace: bool,
}

fn sweep(
    experiment: &Path,
    out: Option<PathBuf>,
    retrain: Retrain,
    shard: Option<&str>,
    jobs: Option<usize>,
) -> Result<i32> {
    let shard = shard.map(Shard::parse).transpose()?;
    let role = Role::decide(shard, jobs.unwrap_or_else(cores));
    let (file, plan) = load(experiment)?;
    let out = out.unwrap_or_else(|| default_out(&plan));
    // A `--jobs` worker writes under its parent's exclusive lock.
    let (results, _lock) = match role {
        Role::Whole { .. } => ResultsDir::claim(&out, &plan.experiment, Access::Exclusive, retrain.replace, "sweep")
            .map(|(r, l)| (r, Some(l)))?,
        Role::ClusterTask(_) => {
            ResultsDir::claim(&out, &plan.experiment, Access::Shared, retrain.replace, "sweep --shard")
                .map(|(r, l)| (r, Some(l)))?
        }
        Role::LocalWorker(_) => (ResultsDir::prepare(&out)?, None),
    };
    let outcome = crate::sweep::run(&file, &plan, &results, role, retrain.force, role.reporter().as_mut())?;
    Ok(runs_status(outcome.failed()))
}

/// Logical cores of this machine: the default `--jobs`.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn run_task(
    experiment: &Path,
    tasks: usize,
    index: Option<usize>,
    offset: usize,
    plan_file: Option<&Path>,
    out: Option<PathBuf>,
) -> Result<i32> {
    let index = match index {
        Some(i) => i,
        None => task_index_from_env()?,
    };
    let task = index
        .checked_add(offset)
        .filter(|&t| t < tasks)
        .ok_or_else(|| Error::Other(format!("task {index} + offset {offset} is not below --tasks {tasks}")))?;
    let shard = Shard {
        index: task,
        count: tasks,
    };
    let (file, plan) = load(experiment)?;
    if let Some(plan_file) = plan_file {
        crate::cluster::verify_plan_file(&plan, plan_file)?;
    }
    let out = out.unwrap_or_else(|| default_out(&plan));
    let (results, _lock) = ResultsDir::claim(&out, &plan.experiment, Access::Shared, false, "run-task")?;
    let mut reporter = crate::sweep::LineReporter::new(std::io::stderr());
    let outcome = crate::sweep::run(&file, &plan, &results, Role::ClusterTask(shard), false, &mut reporter)?;
    Ok(runs_status(outcome.failed()))
}

/// The array task's index as Slurm or Kubernetes sets it.
fn task_index_from_env() -> Result<usize> {
    ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .ok_or_else(|| {
            Error::Other("no task index: pass --index or set SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX".into())
        })?
        .trim()
        .parse()
        .map_err(|_| Error::Other("the task index in the environment is not a number".into()))
}

fn write_plan(experiment: &Path, path: &Path) -> Result<i32> {
    let (_, plan) = load(experiment)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| Error::Other(format!("{}: not a file name", path.display())))?;
    ResultsDir::prepare(dir)?.write_file(&name.to_string_lossy(), |o| crate::cluster::write_plan_jsonl(&plan, o))?;
    eprintln!("wrote {} runs to {}", plan.runs.len(), path.display());
    Ok(EXIT_OK)
}

fn print_plan(experiment: &Path) -> Result<i32> {
    let (_, plan) = load(experiment)?;
    match write_plan_listing(&plan) {
        // `sweeplab plan x.yaml | head` is fine.
        Err(e) if is_broken_pipe(&e) => {}
        other => other.map_err(|e| Error::Other(format!("cannot print the plan: {e}")))?,
    }
    Ok(EXIT_OK)
}

fn slurm(plan: &Plan, options: &crate::cluster::slurm::SlurmOptions, submit: bool) -> Result<i32> {
    let files = crate::cluster::slurm::write(plan, options)?;
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
    Ok(EXIT_OK)
}

fn merge(results_dirs: &[PathBuf], out: Option<PathBuf>) -> Result<i32> {
    let out = out.unwrap_or_else(|| results_dirs[0].clone());
    let outcome = crate::cluster::merge::merge(results_dirs, &out)?;
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
    } else {
        runs_status(outcome.failed)
    })
}

fn plot(results_dir: &Path) -> Result<i32> {
    let file = crate::folder::stored_experiment(results_dir)?;
    let _lock = FolderLock::take(results_dir, Access::Exclusive, "plot")?;
    for path in crate::figures::draw_all(results_dir, &file.experiment.figures)? {
        println!("{}", path.display());
    }
    Ok(EXIT_OK)
}

fn check(results_dir: &Path, baseline: Option<&Path>, tolerance: f64) -> Result<i32> {
    let current = ResultsFolder::open(results_dir)?;
    let checks = crate::check::parse(&current.experiment)?;
    let base = baseline.map(ResultsFolder::open).transpose()?;
    if checks.is_empty() && base.is_none() {
        return Err(Error::Other(format!(
            "{}: the experiment has no `checks:` and no --baseline was given; nothing to check",
            results_dir.join(crate::folder::EXPERIMENT_YAML).display()
        )));
    }
    if tolerance.is_nan() || tolerance < 0.0 {
        return Err(Error::Other("--tolerance must be a non-negative number".into()));
    }
    let outcomes = crate::check::evaluate(&checks, &current, base.as_ref().map(|b| (b, tolerance)));
    print!("{}", crate::check::render(&outcomes));
    Ok(if outcomes.iter().all(|o| o.pass) {
        EXIT_OK
    } else {
        EXIT_FAILED
    })
}

fn report(results_dir: &Path) -> Result<i32> {
    let folder = ResultsFolder::open(results_dir)?;
    let _lock = FolderLock::take(results_dir, Access::Exclusive, "report")?;
    for path in crate::report::write(&folder)? {
        println!("{}", path.display());
    }
    Ok(EXIT_OK)
}

fn reproduce(results_dir: &Path, runs: Option<usize>) -> Result<i32> {
    let folder = ResultsFolder::open(results_dir)?;
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
    Ok(if differing.is_empty() { EXIT_OK } else { EXIT_FAILED })
}

fn show(
    results_dir: &Path,
    by: Option<String>,
    filters: &[String],
    sort: Option<String>,
    columns: Option<String>,
    format: &str,
) -> Result<i32> {
    let list = |s: Option<String>| s.map(|s| s.split(',').map(|c| c.trim().to_string()).collect::<Vec<_>>());
    let mut filter = crate::spec::Filter::default();
    for text in filters {
        let parsed = crate::spec::Filter::parse(text).map_err(|e| Error::Other(format!("--where {e}")))?;
        filter.conditions.extend(parsed.conditions);
    }
    let options = crate::show::ShowOptions {
        by: list(by).unwrap_or_default(),
        filter,
        sort,
        columns: list(columns),
        format: crate::show::Format::parse(format)
            .ok_or_else(|| Error::Other(format!("--format {format}: expected table, md, csv or json")))?,
    };
    use std::io::IsTerminal;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let table = crate::show::table(results_dir, &options)?;
    match crate::show::render(&table, options.format, colour, &mut std::io::stdout().lock()) {
        // `sweeplab show ... | head` is fine.
        Err(e) if is_broken_pipe(&e) => {}
        other => other.map_err(|e| Error::Other(format!("cannot print the table: {e}")))?,
    }
    Ok(EXIT_OK)
}

fn devices() -> Result<i32> {
    for (name, status) in crate::device::describe() {
        match status {
            Ok(()) => println!("{name}: available"),
            Err(why) => println!("{name}: unavailable ({why})"),
        }
    }
    Ok(EXIT_OK)
}
