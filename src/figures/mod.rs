//! Figures drawn with plotters from a results folder's stored CSVs (never from burn), so
//! `sweeplab plot` redraws exactly what `sweeplab sweep` drew, without retraining.
//!
//! One file per figure kind; `data` reads the CSVs, `canvas` holds the pixel-level drawing
//! helpers (fonts, text, heat maps, PNG writing) they share, `colormap` the colour scales.
//! Every figure is a pure function of the CSVs: no clock, no randomness, no hash-map order,
//! so the same results folder gives byte-identical PNGs.

pub mod canvas;
pub mod colormap;
pub mod data;
pub mod loss_curves;
pub mod memoryless;
pub mod state_grid;
pub mod summary;

pub use crate::spec::FiguresSpec;

use crate::error::{Error, Result};
use crate::folder::FIGURES_DIR;
use crate::spec::CellKind;
use std::path::{Path, PathBuf};

/// Draws every figure `spec` asks for from the results in `results_dir` into
/// `results_dir/figures/`, returning the files written (in drawing order).
pub fn draw_all(results_dir: &Path, spec: &FiguresSpec) -> Result<Vec<PathBuf>> {
    spec.check()
        .map_err(|(key, why)| Error::Other(format!("figures.{key}: {why}")))?;
    let results = data::Results::load(results_dir)?;
    let out = results_dir.join(FIGURES_DIR);
    std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, "create the figures folder", e))?;
    let mut written = Vec::new();
    let groups = results.groups();
    // What sets each group apart beyond what its figures' titles name (`dropout 0.25`).
    let grid_labels = summary::distinguishing_labels(&groups, state_grid::TITLED);
    let loss_labels = summary::distinguishing_labels(&groups, loss_curves::TITLED);
    for ((group, grid_label), loss_label) in groups.iter().zip(&grid_labels).zip(&loss_labels) {
        if spec.state_grid {
            written.extend(state_grid::draw(&results, group, grid_label, spec, &out)?);
        }
        if spec.loss_curves {
            written.extend(loss_curves::draw(&results, group, loss_label, &out)?);
        }
        if spec.memoryless && group.cell() == CellKind::Memoryless {
            written.extend(memoryless::draw(&results, group, spec, &out)?);
        }
    }
    if spec.summary && !results.runs.is_empty() {
        written.push(summary::draw(&results, &out)?);
    }
    remove_stale(&out, &written);
    Ok(written)
}

/// Deletes the PNGs of `out` that this drawing did not write: figures of groups, datasets or
/// kinds the experiment no longer has must not mix with the new ones.
fn remove_stale(out: &Path, written: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "png") && !written.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
