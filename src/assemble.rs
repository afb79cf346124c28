//! The last step of a complete results folder, one step for `sweep` and `merge` alike: the
//! tables from the run records, the figures from the tables, then the manifest (written last:
//! a folder with a manifest is complete).

use crate::error::Result;
use crate::folder::{Manifest, ResultsDir};
use crate::record::RunRecord;
use crate::spec::ExperimentFile;

/// Writes the whole folder from `records`: the stored experiment, the tables, then [`finish`].
pub fn folder(file: &ExperimentFile, results: &ResultsDir, records: &[RunRecord], manifest: &Manifest) -> Result<()> {
    results.write_experiment(file, false)?;
    results.write_tables(&manifest.experiment, records)?;
    finish(file, results, manifest)
}

/// Figures from the tables already written, then the manifest.
pub fn finish(file: &ExperimentFile, results: &ResultsDir, manifest: &Manifest) -> Result<()> {
    crate::figures::draw_all(&results.path, &file.experiment.figures)?;
    results.write_manifest(manifest)
}
