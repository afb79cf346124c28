//! Statistics of a group of runs (the seeds of one configuration), computed one way for every
//! consumer: the progress line, `summary.png`, `report.md`/`report.html`, `check` and the
//! `--jobs` relay all take their numbers from [`GroupStats`] and print them with [`fmt_loss`].
//!
//! The one median rule: the median final loss is taken over **every** run of the group, and a
//! run that failed (never trained) or ended with a non-finite loss (diverged) counts as an
//! infinite loss. A group where most runs diverged has an infinite median: it did not learn,
//! and no statistic should hide that by looking only at the runs that survived.

use crate::record::{RunRecord, RunStatus};
use serde::{Deserialize, Serialize};

/// What the statistics need of one run: as stored in its record or read back from runs.csv.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: RunStatus,
    #[serde(with = "crate::record::json_f32")]
    pub final_loss: f32,
    #[serde(with = "crate::record::json_f32")]
    pub accuracy: f32,
    /// 100% accuracy and not diverged or failed.
    pub success: bool,
    pub train_seconds: f64,
    /// Why the run failed; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    /// The first epoch whose pass predicted every position; `None`: never (or not measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs_to_success: Option<usize>,
    /// The trained model's held-out loss and accuracy; `None` without a validation split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val_loss: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub val_accuracy: Option<f32>,
}

impl From<&RunRecord> for Outcome {
    fn from(r: &RunRecord) -> Self {
        Outcome {
            status: r.status,
            final_loss: r.final_loss,
            accuracy: r.accuracy,
            success: r.succeeded(),
            train_seconds: r.train_seconds,
            error: r.error.clone(),
            epochs_to_success: r.epochs_to_success(),
            val_loss: r.val.as_ref().map(|v| v.final_loss),
            val_accuracy: r.val.as_ref().map(|v| v.accuracy),
        }
    }
}

impl Outcome {
    /// The loss the statistics use: the final loss, or infinity for a failed run or a
    /// non-finite final loss.
    pub fn ranked_loss(&self) -> f64 {
        if self.status != RunStatus::Failed && self.final_loss.is_finite() {
            f64::from(self.final_loss)
        } else {
            f64::INFINITY
        }
    }
}

/// Statistics of one group of runs.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupStats {
    pub n: usize,
    pub successes: usize,
    pub diverged: usize,
    pub failed: usize,
    /// The first failed run's error, for the one-line summary.
    pub first_error: Option<String>,
    /// 95% Wilson score interval of the success rate.
    pub wilson: (f64, f64),
    /// Over all runs; a failed run or a non-finite loss counts as infinite (the module's rule).
    pub median_loss: f64,
    pub mean_loss: f64,
    pub sd_loss: f64,
    pub min_loss: f64,
    pub max_loss: f64,
    /// A run without an accuracy (failed) counts as 0.
    pub mean_accuracy: f64,
    pub min_accuracy: f64,
    /// Median of the runs' epochs to success, a run that never succeeded counting as infinite
    /// (the module's rule, as for losses).
    pub median_epochs_to_success: f64,
    pub train_seconds: f64,
    /// The held-out statistics; `None` when no run of the group has a validation split.
    pub val: Option<ValStats>,
}

/// A group's held-out losses and accuracies (`val`), by the rules of the final ones: a run
/// without a value (failed) or with a non-finite loss counts as infinite, its accuracy as 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ValStats {
    pub median_loss: f64,
    pub mean_loss: f64,
    pub min_loss: f64,
    pub max_loss: f64,
    pub mean_accuracy: f64,
    pub min_accuracy: f64,
}

impl ValStats {
    fn of(outcomes: &[&Outcome]) -> Option<Self> {
        if outcomes.iter().all(|o| o.val_loss.is_none()) {
            return None;
        }
        let mut losses: Vec<f64> = outcomes
            .iter()
            .map(|o| o.val_loss.filter(|l| l.is_finite()).map_or(f64::INFINITY, f64::from))
            .collect();
        losses.sort_by(f64::total_cmp);
        let accuracies: Vec<f64> = outcomes
            .iter()
            .map(|o| o.val_accuracy.filter(|a| a.is_finite()).map_or(0.0, f64::from))
            .collect();
        let n = outcomes.len() as f64;
        Some(ValStats {
            median_loss: median_of_sorted(&losses),
            mean_loss: losses.iter().sum::<f64>() / n,
            min_loss: losses[0],
            max_loss: losses[losses.len() - 1],
            mean_accuracy: accuracies.iter().sum::<f64>() / n,
            min_accuracy: accuracies.iter().copied().fold(f64::INFINITY, f64::min),
        })
    }
}

impl GroupStats {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let outcomes: Vec<&Outcome> = outcomes.into_iter().collect();
        let n = outcomes.len();
        let count = |status: RunStatus| outcomes.iter().filter(|o| o.status == status).count();
        let successes = outcomes.iter().filter(|o| o.success).count();
        let mut losses: Vec<f64> = outcomes.iter().map(|o| o.ranked_loss()).collect();
        losses.sort_by(f64::total_cmp);
        let mean = losses.iter().sum::<f64>() / n.max(1) as f64;
        let sd = if n > 1 {
            (losses.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let accuracies: Vec<f64> = outcomes
            .iter()
            .map(|o| {
                if o.accuracy.is_finite() {
                    f64::from(o.accuracy)
                } else {
                    0.0
                }
            })
            .collect();
        GroupStats {
            n,
            successes,
            diverged: count(RunStatus::Diverged),
            failed: count(RunStatus::Failed),
            first_error: outcomes
                .iter()
                .find(|o| o.status == RunStatus::Failed)
                .map(|o| o.error.clone()),
            wilson: wilson(successes, n),
            median_loss: median_of_sorted(&losses),
            mean_loss: mean,
            sd_loss: sd,
            min_loss: losses.first().copied().unwrap_or(f64::NAN),
            max_loss: losses.last().copied().unwrap_or(f64::NAN),
            mean_accuracy: accuracies.iter().sum::<f64>() / n.max(1) as f64,
            min_accuracy: accuracies.iter().copied().fold(f64::INFINITY, f64::min),
            median_epochs_to_success: {
                let mut epochs: Vec<f64> = outcomes
                    .iter()
                    .map(|o| o.epochs_to_success.map_or(f64::INFINITY, |e| e as f64))
                    .collect();
                epochs.sort_by(f64::total_cmp);
                median_of_sorted(&epochs)
            },
            train_seconds: outcomes.iter().map(|o| o.train_seconds).sum(),
            val: ValStats::of(&outcomes),
        }
    }

    pub fn success_rate(&self) -> f64 {
        self.successes as f64 / self.n.max(1) as f64
    }

    /// The one-line summary of a finished group (progress lines):
    /// `8/25 succeeded, median final loss 0.0123, 2 diverged, 1 FAILED: why`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}/{} succeeded, median final loss {}",
            self.successes,
            self.n,
            fmt_loss(self.median_loss)
        );
        if self.diverged > 0 {
            s.push_str(&format!(", {} diverged", self.diverged));
        }
        if self.failed > 0 {
            let why = self.first_error.as_deref().unwrap_or("");
            s.push_str(&format!(", {} FAILED: {why}", self.failed));
        }
        s
    }
}

/// 95% Wilson score interval for `k` successes out of `n`.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Median of values sorted ascending (mean of the middle two for an even count); NaN if empty.
pub fn median_of_sorted(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The one number format for losses, everywhere they are shown: three significant digits
/// (`0.551`, `0.0160`, `12.3`), scientific below 1e-3 (`4.20e-5`), `inf` and `NaN` as such.
/// A median number of epochs: whole (or halfway, for an even count), `never` when most runs
/// never succeeded.
pub fn fmt_epochs(epochs: f64) -> String {
    if epochs.is_finite() {
        format!("{epochs}")
    } else {
        "never".into()
    }
}

pub fn fmt_loss(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && x.abs() < 1e-3 {
        return format!("{x:.2e}");
    }
    let digits = if x == 0.0 {
        0
    } else {
        (2 - x.abs().log10().floor() as i32).max(0)
    };
    format!("{x:.*}", digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: RunStatus, loss: f32) -> Outcome {
        Outcome {
            status,
            final_loss: loss,
            accuracy: if status == RunStatus::Failed { f32::NAN } else { 0.5 },
            success: false,
            train_seconds: 1.0,
            error: if status == RunStatus::Failed {
                "no GPU".into()
            } else {
                String::new()
            },
            epochs_to_success: None,
            val_loss: None,
            val_accuracy: None,
        }
    }

    #[test]
    fn wilson_interval_matches_known_values() {
        // 8 of 25: 0.32, Wilson 95% [0.172, 0.516].
        let (lo, hi) = wilson(8, 25);
        assert!((lo - 0.1720).abs() < 5e-4 && (hi - 0.5159).abs() < 5e-4, "{lo} {hi}");
        let (lo, hi) = wilson(25, 25);
        assert!((lo - 0.8668).abs() < 5e-4 && (hi - 1.0).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn failed_and_diverged_runs_rank_as_infinite_losses() {
        // Two finite losses, one diverged, two failed: the median is the third smallest of
        // [0.1, 0.3, inf, inf, inf].
        let runs = [
            run(RunStatus::Ok, 0.3),
            run(RunStatus::Diverged, f32::NAN),
            run(RunStatus::Ok, 0.1),
            run(RunStatus::Failed, f32::NAN),
            run(RunStatus::Failed, f32::NAN),
        ];
        let stats = GroupStats::of(&runs);
        assert_eq!(stats.median_loss, f64::INFINITY);
        assert_eq!((stats.min_loss, stats.max_loss), (0.1f32 as f64, f64::INFINITY));
        assert_eq!((stats.diverged, stats.failed), (1, 2));
        assert_eq!(
            stats.summary(),
            "0/5 succeeded, median final loss inf, 1 diverged, 2 FAILED: no GPU"
        );
        // The rule the terminal line and summary.png used to follow (finite losses only) would
        // have said 0.2 here.
        let three = GroupStats::of(&runs[..3]);
        assert_eq!(three.median_loss, 0.3f32 as f64);
        assert_eq!(three.summary(), "0/3 succeeded, median final loss 0.300, 1 diverged");
    }

    #[test]
    fn losses_print_with_three_significant_digits() {
        assert_eq!(fmt_loss(0.55123), "0.551");
        assert_eq!(fmt_loss(0.016), "0.0160");
        assert_eq!(fmt_loss(12.34), "12.3");
        assert_eq!(fmt_loss(4.2e-5), "4.20e-5");
        assert_eq!(fmt_loss(0.0), "0");
        assert_eq!(fmt_loss(f64::INFINITY), "inf");
        assert_eq!(fmt_loss(f64::NAN), "NaN");
    }
}
