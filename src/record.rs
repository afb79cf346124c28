//! The result of one run, as the trainer hands it over ([`ReplicaResult`]) and as every writer
//! and later stage sees it ([`RunRecord`]).

use crate::data::Position;
use crate::plan::RunSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    /// The loss became NaN or infinite at some epoch.
    Diverged,
    /// The run could not train (e.g. its device is unavailable).
    Failed,
}

impl RunStatus {
    pub fn parse(s: &str) -> Option<Self> {
        [RunStatus::Ok, RunStatus::Diverged, RunStatus::Failed]
            .into_iter()
            .find(|x| x.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Diverged => "diverged",
            RunStatus::Failed => "failed",
        }
    }
}

/// The per-position view of a trained replica that figures need.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// `states[p]`: hidden state at prediction position p.
    pub states: Vec<Vec<f32>>,
    pub logits: Vec<Vec<f32>>,
    pub probs: Vec<Vec<f32>>,
}

/// The held-out positions of a run trained with a validation split (`val`).
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// The held-out loss of the model entering each epoch (as long as the loss curve).
    pub curve: Vec<f32>,
    /// The trained model's held-out loss and accuracy.
    pub final_loss: f32,
    pub accuracy: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaResult {
    /// Loss of each epoch's forward pass (before that epoch's update).
    pub curve: Vec<f32>,
    /// Accuracy of each epoch's forward pass (the same pass).
    pub accuracy_curve: Vec<f32>,
    /// The epoch whose pass met the run's `stop` rule (the curves end there).
    pub stopped_epoch: Option<usize>,
    /// Loss of the trained model over the whole data.
    pub final_loss: f32,
    /// Fraction of positions whose argmax is the target.
    pub accuracy: f32,
    pub snapshot: Snapshot,
    /// `None` without a validation split.
    pub val: Option<Validation>,
}

#[derive(Debug, Clone)]
pub struct RunRecord {
    pub spec: RunSpec,
    pub status: RunStatus,
    /// Why a run failed; empty otherwise.
    pub error: String,
    pub final_loss: f32,
    pub accuracy: f32,
    /// This run's share of its group's wall time (replicas train together).
    pub train_seconds: f64,
    pub curve: Vec<f32>,
    /// Accuracy of each epoch's pass; empty in records written before it was measured.
    pub accuracy_curve: Vec<f32>,
    /// The epoch whose pass stopped the run early (`stop`); `None`: it trained every epoch.
    pub stopped_epoch: Option<usize>,
    pub snapshot: Option<Snapshot>,
    /// Labels of the snapshot's positions.
    pub positions: Vec<Position>,
    /// `None` without a validation split (and for failed runs).
    pub val: Option<Validation>,
    /// The dataset's vocabulary, in model output order.
    pub vocab: Vec<String>,
}

impl RunRecord {
    pub fn trained(
        spec: RunSpec,
        result: ReplicaResult,
        train_seconds: f64,
        positions: Vec<Position>,
        vocab: Vec<String>,
    ) -> Self {
        let diverged = !result.final_loss.is_finite() || result.curve.iter().any(|l| !l.is_finite());
        Self {
            spec,
            status: if diverged { RunStatus::Diverged } else { RunStatus::Ok },
            error: String::new(),
            final_loss: result.final_loss,
            accuracy: result.accuracy,
            train_seconds,
            curve: result.curve,
            accuracy_curve: result.accuracy_curve,
            stopped_epoch: result.stopped_epoch,
            snapshot: Some(result.snapshot),
            val: result.val,
            positions,
            vocab,
        }
    }

    pub fn failed(spec: RunSpec, error: String) -> Self {
        Self {
            spec,
            status: RunStatus::Failed,
            error,
            final_loss: f32::NAN,
            accuracy: f32::NAN,
            train_seconds: 0.0,
            curve: Vec::new(),
            accuracy_curve: Vec::new(),
            stopped_epoch: None,
            snapshot: None,
            val: None,
            positions: Vec::new(),
            vocab: Vec::new(),
        }
    }

    pub fn vocab_symbol(&self, i: usize) -> String {
        self.vocab.get(i).cloned().unwrap_or_else(|| format!("#{i}"))
    }

    /// The first epoch (from 1) whose pass predicted every position: `None` if none did (or
    /// the record predates per-epoch accuracy).
    pub fn epochs_to_success(&self) -> Option<usize> {
        if self.status != RunStatus::Ok {
            return None;
        }
        self.accuracy_curve.iter().position(|&a| a >= 1.0).map(|e| e + 1)
    }

    /// Every position predicted correctly: the notes' notion of a restart that "learned it".
    pub fn succeeded(&self) -> bool {
        self.status == RunStatus::Ok && self.accuracy >= 1.0
    }
}

/// An f32 that survives JSON (run records, `--jobs` wire events): finite values as numbers,
/// NaN and the infinities as the strings `NaN`, `inf`, `-inf`. For `#[serde(with = ...)]`.
pub(crate) mod json_f32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f32(*x)
        } else {
            s.collect_str(x)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f32),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Number(x) => Ok(x),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}
