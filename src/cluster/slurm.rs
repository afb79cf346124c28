//! `sweeplab slurm`: sbatch scripts for a job array over the shards of a plan, chunked below
//! the cluster's MaxArraySize, plus a merge job that runs after the arrays (`afterany`, so it
//! also reports the runs of tasks that failed).

use crate::error::{Error, Result};
use crate::folder::{Access, ResultsDir, SLURM_DIR};
use crate::plan::Plan;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct SlurmOptions {
    pub experiment: PathBuf,
    pub results_dir: PathBuf,
    /// The sweeplab binary the jobs run.
    pub binary: PathBuf,
    pub tasks: usize,
    pub max_parallel: Option<usize>,
    pub partition: Option<String>,
    pub time: Option<String>,
    pub cpus_per_task: usize,
    /// Slurm's MaxArraySize: array indices must stay below it.
    pub max_array_size: usize,
}

#[derive(Debug, Clone)]
pub struct SlurmFiles {
    pub plan: PathBuf,
    pub arrays: Vec<PathBuf>,
    pub merge: PathBuf,
    pub submit: PathBuf,
    pub log_dir: PathBuf,
}

/// Characters an `#SBATCH` directive value may hold as is: sbatch splits on whitespace, does
/// not understand shell quoting the way bash does, and expands `%` patterns.
fn directive_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | ',' | '+' | '-')
}

/// Single-quotes a path for bash: the only character special inside single quotes is the
/// quote itself, written as `'\''`.
fn q(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or(p.to_path_buf()))
}

/// The `(offset, length)` of each array: chunks of at most `max_array_size` tasks.
pub fn chunks(tasks: usize, max_array_size: usize) -> Vec<(usize, usize)> {
    (0..tasks)
        .step_by(max_array_size.max(1))
        .map(|start| (start, max_array_size.min(tasks - start)))
        .collect()
}

pub fn write(plan: &Plan, opts: &SlurmOptions) -> Result<SlurmFiles> {
    if opts.tasks == 0 || opts.max_array_size == 0 || opts.cpus_per_task == 0 || opts.max_parallel == Some(0) {
        return Err(Error::Other(
            "--tasks, --max-parallel, --cpus-per-task and --max-array-size must be at least 1".into(),
        ));
    }
    for (flag, value) in [("--partition", &opts.partition), ("--time", &opts.time)] {
        if let Some(bad) = value.as_deref().and_then(|v| v.chars().find(|&c| !directive_safe(c))) {
            return Err(Error::Other(format!(
                "{flag}: {bad:?} cannot be written into an #SBATCH line (use letters, digits and _ . : , + -)"
            )));
        }
    }
    // `#SBATCH` lines are not shell: nothing can be quoted there, and Slurm expands `%`.
    if let Some(bad) = absolute(&opts.results_dir)
        .to_string_lossy()
        .chars()
        .find(|&c| !directive_safe(c) && c != '/')
    {
        return Err(Error::Other(format!(
            "{}: the results folder's path contains {bad:?}, which the #SBATCH --output line cannot hold; choose an --out without it",
            opts.results_dir.display()
        )));
    }
    let (results, _lock) = ResultsDir::claim(&opts.results_dir, &plan.experiment, Access::Exclusive, false, "slurm")?;
    let out = absolute(&results.path);
    let slurm = ResultsDir::prepare(&out.join(SLURM_DIR))?;
    let log_dir = out.join(SLURM_DIR).join("logs");
    let experiment = absolute(&opts.experiment);
    let binary = absolute(&opts.binary);
    let plan_path = slurm.path.join("plan.jsonl");
    slurm.write_file("plan.jsonl", |o| super::write_plan_jsonl(plan, o))?;

    let header = sbatch_header(opts);
    let mut arrays = Vec::new();
    for (c, (offset, len)) in chunks(opts.tasks, opts.max_array_size).into_iter().enumerate() {
        let name = format!("array-{c}.sbatch");
        let script = array_script(
            plan,
            opts,
            &header,
            (c, offset, len),
            &ScriptPaths {
                binary: &binary,
                experiment: &experiment,
                plan: &plan_path,
                out: &out,
                logs: &log_dir,
            },
        );
        slurm.write_file(&name, |o| o.write_all(script.as_bytes()))?;
        arrays.push(slurm.path.join(name));
    }
    let merge_script = format!(
        "#!/bin/bash\n\
         #SBATCH --job-name=sweeplab-{exp}-merge\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --output={logs}/merge-%j.out\n\
         {header}\
         # Runs after every array task has ended (afterany); reports missing and failed runs.\n\
         exec {bin} merge {out}\n",
        exp = plan.experiment,
        logs = log_dir.display(),
        bin = q(&binary),
        out = q(&out),
    );
    slurm.write_file("merge.sbatch", |o| o.write_all(merge_script.as_bytes()))?;
    let submit = submit_script(&arrays, &slurm.path.join("merge.sbatch"), &log_dir);
    slurm.write_file("submit.sh", |o| o.write_all(submit.as_bytes()))?;
    let submit_path = slurm.path.join("submit.sh");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&submit_path, std::fs::Permissions::from_mode(0o755));
    }
    Ok(SlurmFiles {
        plan: plan_path,
        arrays,
        merge: slurm.path.join("merge.sbatch"),
        submit: submit_path,
        log_dir,
    })
}

/// The `#SBATCH` lines every script shares (partition, time limit).
fn sbatch_header(opts: &SlurmOptions) -> String {
    let mut header = String::new();
    if let Some(p) = &opts.partition {
        header.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = &opts.time {
        header.push_str(&format!("#SBATCH --time={t}\n"));
    }
    header
}

/// The absolute paths the scripts name.
struct ScriptPaths<'a> {
    binary: &'a Path,
    experiment: &'a Path,
    plan: &'a Path,
    out: &'a Path,
    logs: &'a Path,
}

/// Array job `c`: tasks `offset..offset + len` of the plan's shards.
fn array_script(
    plan: &Plan,
    opts: &SlurmOptions,
    header: &str,
    (c, offset, len): (usize, usize, usize),
    paths: &ScriptPaths<'_>,
) -> String {
    let throttle = opts.max_parallel.map(|p| format!("%{p}")).unwrap_or_default();
    format!(
        "#!/bin/bash\n\
         #SBATCH --job-name=sweeplab-{exp}-{c}\n\
         #SBATCH --array=0-{last}{throttle}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --output={logs}/task-%A_%a.out\n\
         {header}\
         # Task {offset}+SLURM_ARRAY_TASK_ID of {tasks}: one shard of the plan. A task whose runs are\n\
         # already finished exits 0 at once. Exit 1: some runs failed (retry may help);\n\
         # exit 2: configuration error (do not retry).\n\
         exec {bin} run-task {exp_path} --tasks {tasks} --offset {offset} --plan {plan} --out {out}\n",
        exp = plan.experiment,
        last = len - 1,
        cpus = opts.cpus_per_task,
        logs = paths.logs.display(),
        tasks = opts.tasks,
        bin = q(paths.binary),
        exp_path = q(paths.experiment),
        plan = q(paths.plan),
        out = q(paths.out),
    )
}

/// Submits the arrays, then the merge job that depends on all of them.
fn submit_script(arrays: &[PathBuf], merge: &Path, log_dir: &Path) -> String {
    let mut submit = String::from(
        "#!/usr/bin/env bash\n# Submits the arrays, then the merge job that depends on all of them.\nset -euo pipefail\n",
    );
    submit.push_str(&format!("mkdir -p {}\n", q(log_dir)));
    submit.push_str("ids=()\n");
    for a in arrays {
        submit.push_str(&format!("ids+=(\"$(sbatch --parsable {} | cut -d';' -f1)\")\n", q(a)));
    }
    submit.push_str("deps=$(IFS=:; echo \"${ids[*]}\")\n");
    submit.push_str(&format!(
        "merge=$(sbatch --parsable --dependency=afterany:\"$deps\" {} | cut -d';' -f1)\n",
        q(merge)
    ));
    submit.push_str("echo \"array jobs: ${ids[*]}; merge job: $merge\"\n");
    submit
}
