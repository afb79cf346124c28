//! `sweeplab merge`: assembles the tables, figures and manifest of a complete results folder
//! from the run records of one or more shard folders. Idempotent: merging again (or merging a
//! folder into itself) gives the same tables.

use crate::error::{Error, Result};
use crate::manifest::Manifest;
use crate::output::{RecordStore, ResultsDir};
use crate::plan::{self, RunSpec};
use crate::record::{RunRecord, RunStatus};
use crate::spec::ExperimentFile;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct MergeOutcome {
    pub records: Vec<RunRecord>,
    /// Runs of the plan with no record in any folder.
    pub missing: Vec<RunSpec>,
    pub failed: usize,
}

/// The experiment stored in a results folder, with text-file datasets resolved against the
/// original experiment file (recorded by the manifests) when it still exists.
pub fn stored_experiment(dir: &Path) -> Result<ExperimentFile> {
    let stored = dir.join("experiment.yaml");
    let source = std::fs::read_to_string(&stored).map_err(|e| Error::io(&stored, "read the stored experiment", e))?;
    let mut manifests: Vec<PathBuf> = vec![dir.join("manifest.json")];
    if let Ok(entries) = std::fs::read_dir(dir.join("shards")) {
        let mut shard_files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        shard_files.sort();
        manifests.extend(shard_files);
    }
    let origin = manifests
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .map(|m| PathBuf::from(m.experiment_path))
        .find(|p| p.parent().is_some_and(Path::is_dir))
        .unwrap_or(stored);
    ExperimentFile::from_source(&origin, source)
}

pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutcome> {
    let first = dirs
        .first()
        .ok_or_else(|| Error::Other("merge needs at least one results folder".into()))?;
    let file = stored_experiment(first)?;
    let plan = plan::build(&file)?;
    let results = ResultsDir::prepare(out)?;
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
        if !out_store.dir.join(format!("{}.json", record.spec.id)).exists() {
            out_store.save(record)?;
        }
    }
    results.write_file("experiment.yaml", |o| o.write_all(file.source.as_bytes()))?;
    results.write_exports(&plan.experiment, &records)?;
    let manifest = Manifest::new(
        &plan,
        &file.path,
        &file.source,
        &records,
        SystemTime::now(),
        SystemTime::now(),
        0,
    );
    crate::sweep::finish(&file, &results, &manifest)?;
    let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
    Ok(MergeOutcome {
        records,
        missing,
        failed,
    })
}
