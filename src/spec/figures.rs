//! The `figures:` section of an experiment file (drawn by `crate::figures`).

use serde::{Deserialize, Serialize};

/// The `figures:` section of an experiment file. Every key is optional; an absent section
/// draws the standard set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresSpec {
    /// Draw one state grid per seed group (`states_*.png`).
    #[serde(default = "yes")]
    pub state_grid: bool,
    /// Draw one loss-curve plot per seed group (`loss_*.png`).
    #[serde(default = "yes")]
    pub loss_curves: bool,
    /// Draw note 001's two views for `memoryless` groups (`memoryless_vis1_*`, `_vis2_*`).
    #[serde(default = "yes")]
    pub memoryless: bool,
    /// Draw the one-picture summary of the sweep (`summary.png`).
    #[serde(default = "yes")]
    pub summary: bool,
    /// Positions (heat-map rows) shown in each state-grid subplot.
    #[serde(default = "default_positions")]
    pub positions: usize,
    /// Subplots in one state grid: the group's first runs in seed order (the subtitle still
    /// counts every run). A group of 10,000 seeds would otherwise be a 100x100 grid, a
    /// 20,000-pixel-square image.
    #[serde(default = "default_state_grid_runs")]
    pub state_grid_runs: usize,
    /// Value range of the state grid's colour map: `[low, high]`, white at 0.
    #[serde(default = "default_range")]
    pub range: [f64; 2],
    /// Positions plotted in the memoryless line plots (Vis1).
    #[serde(default = "default_memoryless_lines")]
    pub memoryless_lines: usize,
    /// Positions shown in the memoryless heat map (Vis2).
    #[serde(default = "default_memoryless_positions")]
    pub memoryless_positions: usize,
    /// Colour range of Vis2 is `[-r, r]`; absent: the largest |value| shown, rounded up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memoryless_range: Option<f64>,
}

fn yes() -> bool {
    true
}
fn default_positions() -> usize {
    8
}
fn default_state_grid_runs() -> usize {
    100
}
fn default_range() -> [f64; 2] {
    [-1.0, 1.0]
}
fn default_memoryless_lines() -> usize {
    9
}
fn default_memoryless_positions() -> usize {
    15
}

impl Default for FiguresSpec {
    fn default() -> Self {
        Self {
            state_grid: true,
            loss_curves: true,
            memoryless: true,
            summary: true,
            positions: default_positions(),
            state_grid_runs: default_state_grid_runs(),
            range: default_range(),
            memoryless_lines: default_memoryless_lines(),
            memoryless_positions: default_memoryless_positions(),
            memoryless_range: None,
        }
    }
}

impl FiguresSpec {
    /// Rejects settings no figure can be drawn with: the key (under `figures:`) and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let bad = |key: &'static str, why: String| Err((key, why));
        let [lo, hi] = self.range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return bad("range", format!("need two finite numbers low < high, got [{lo}, {hi}]"));
        }
        for (key, n) in [
            ("positions", self.positions),
            ("state_grid_runs", self.state_grid_runs),
            ("memoryless_lines", self.memoryless_lines),
            ("memoryless_positions", self.memoryless_positions),
        ] {
            if n == 0 {
                return bad(key, "must be at least 1".into());
            }
        }
        if let Some(r) = self.memoryless_range {
            if !(r.is_finite() && r > 0.0) {
                return bad("memoryless_range", format!("must be a positive number, got {r}"));
            }
        }
        Ok(())
    }
}
