//! Running a sweep on engines that hand each task an index (Slurm job arrays, Kubernetes
//! Indexed Jobs, GNU parallel, CI matrices): a numbered plan file, sbatch scripts, and the
//! merge of the tasks' results. The shards themselves are `crate::schedule`'s; a task is a
//! sweep in the role `crate::sweep::Role::ClusterTask`.

pub mod merge;
pub mod slurm;

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::spec::Param;
use std::io::Write;
use std::path::Path;

/// One JSON object per run: `{"index", "run_id", "group", "shard_unit", <parameters>}`.
pub fn write_plan_jsonl(plan: &Plan, out: &mut dyn Write) -> std::io::Result<()> {
    for (i, run) in plan.runs.iter().enumerate() {
        let mut obj = serde_json::Map::new();
        obj.insert("index".into(), i.into());
        obj.insert("run_id".into(), run.id.clone().into());
        obj.insert("group".into(), run.group.into());
        for p in Param::ALL {
            obj.insert(p.name().into(), run.value(p).canonical().into());
        }
        writeln!(out, "{}", serde_json::Value::Object(obj))?;
    }
    Ok(())
}

/// Checks that `plan_file` (written by `plan --write`) lists exactly the runs of `plan`, in
/// order: a worker must never run a differently expanded grid.
pub fn verify_plan_file(plan: &Plan, plan_file: &Path) -> Result<()> {
    let text = crate::input::read_text(plan_file, "read the plan file", crate::input::MAX_RECORD_BYTES)?;
    let ids: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v.get("run_id").and_then(|x| x.as_str()).map(String::from))
                .ok_or_else(|| Error::Other(format!("{}: not a sweeplab plan line: {l}", plan_file.display())))
        })
        .collect::<Result<_>>()?;
    let expected: Vec<&str> = plan.runs.iter().map(|r| r.id.as_str()).collect();
    if ids != expected {
        return Err(Error::Other(format!(
            "{}: the plan file does not match the experiment as this sweeplab expands it ({} runs in the file, {} now); rewrite it with `sweeplab plan --write`",
            plan_file.display(),
            ids.len(),
            expected.len()
        )));
    }
    Ok(())
}
