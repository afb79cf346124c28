//! `sweeplab merge`: assembles the tables, figures and manifest of a complete results folder
//! from the run records of one or more shard folders. Idempotent: merging again (or merging a
//! folder into itself) gives the same tables.

use crate::error::{Error, Result};
use crate::folder::{experiment_of, stored_experiment, Access, Manifest, RecordStore, ResultsDir};
use crate::plan::{self, RunSpec};
use crate::record::{RunRecord, RunStatus};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct MergeOutcome {
    pub records: Vec<RunRecord>,
    /// Runs of the plan with no record in any folder.
    pub missing: Vec<RunSpec>,
    pub failed: usize,
}

pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutcome> {
    let first = dirs
        .first()
        .ok_or_else(|| Error::Other("merge needs at least one results folder".into()))?;
    let file = stored_experiment(first)?;
    let experiment = &file.experiment.name;
    for dir in &dirs[1..] {
        match experiment_of(dir)? {
            Some(name) if &name != experiment => {
                return Err(Error::Other(format!(
                    "{} holds experiment '{name}', {} holds '{experiment}': merge only folders of one experiment",
                    dir.display(),
                    first.display()
                )))
            }
            _ => {}
        }
    }
    let plan = plan::build(&file)?;
    let (results, _lock) = ResultsDir::claim(out, experiment, Access::Exclusive, false, "merge")?;
    let out_store = RecordStore::open(out)?;
    // Union of all records; a finished record wins over a failed one of the same run.
    let mut found: std::collections::HashMap<String, RunRecord> = Default::default();
    for dir in dirs {
        let store = RecordStore::open(dir)?;
        for (id, record) in store.load_all()? {
            let better = match found.get(&id) {
                None => true,
                Some(old) => old.status == RunStatus::Failed && record.status != RunStatus::Failed,
            };
            if better {
                found.insert(id, record);
            }
        }
    }
    let mut records = Vec::new();
    let mut missing = Vec::new();
    for run in &plan.runs {
        match found.remove(&run.id) {
            Some(record) => records.push(record),
            None => missing.push(run.clone()),
        }
    }
    // The merged folder holds its own records, so it can be resumed, checked and reproduced.
    for record in &records {
        if !out_store.contains(&record.spec.id) {
            out_store.save(record)?;
        }
    }
    let manifest = Manifest::new(
        &plan,
        &file.path,
        &file.source,
        &records,
        SystemTime::now(),
        SystemTime::now(),
        0,
    );
    crate::assemble::folder(&file, &results, &records, &manifest)?;
    let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
    Ok(MergeOutcome {
        records,
        missing,
        failed,
    })
}
