//! The learning-rate schedule of a run (`schedule`), as `torch.optim.lr_scheduler` names them
//! (the rate of each epoch is `super::OptimizerSpec::lr_at`), and when a run stops (`stop`).

use super::values::Param;
use serde::{Deserialize, Serialize};

/// `torch.optim.lr_scheduler`'s schedule of a run, stepped once per epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleName {
    #[default]
    Constant,
    /// `StepLR(step_size = step_every, gamma)`.
    Step,
    /// `ExponentialLR(gamma)`.
    Exponential,
    /// `CosineAnnealingLR(T_max = epochs - warmup, eta_min = min_lr)`.
    Cosine,
}

impl ScheduleName {
    pub const ALL: [ScheduleName; 4] = [
        ScheduleName::Constant,
        ScheduleName::Step,
        ScheduleName::Exponential,
        ScheduleName::Cosine,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScheduleName::Constant => "constant",
            ScheduleName::Step => "step",
            ScheduleName::Exponential => "exponential",
            ScheduleName::Cosine => "cosine",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == s)
    }

    /// Whether the schedule argument `param` applies to this schedule.
    pub fn takes(self, param: Param) -> bool {
        match param {
            Param::StepEvery => self == ScheduleName::Step,
            Param::Gamma => matches!(self, ScheduleName::Step | ScheduleName::Exponential),
            Param::MinLr => self == ScheduleName::Cosine,
            _ => true,
        }
    }

    /// The schedules `param` applies to, for messages.
    pub fn taking(param: Param) -> String {
        let names: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|o| o.takes(param))
            .map(|o| o.name())
            .collect();
        names.join(", ")
    }
}

/// When a run stops early (`stop`): after the pass of an epoch that meets it, that epoch's
/// update is not applied and the run's model stays the one the pass measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StopRule {
    #[default]
    Never,
    /// Every position predicted (100% accuracy).
    Success,
    /// The pass's loss is below the number.
    LossBelow(f64),
}

impl StopRule {
    /// `never`, `success`, `loss < 0.01`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "never" => Some(StopRule::Never),
            "success" => Some(StopRule::Success),
            other => {
                let x: f64 = other
                    .strip_prefix("loss")?
                    .trim_start()
                    .strip_prefix('<')?
                    .trim()
                    .parse()
                    .ok()?;
                (x.is_finite() && x > 0.0).then_some(StopRule::LossBelow(x))
            }
        }
    }

    pub fn name(&self) -> String {
        match self {
            StopRule::Never => "never".into(),
            StopRule::Success => "success".into(),
            StopRule::LossBelow(x) => format!("loss < {}", super::fmt_f64(*x)),
        }
    }

    /// Whether a pass with this loss and accuracy stops the run.
    pub fn met(&self, loss: f32, accuracy: f32) -> bool {
        match self {
            StopRule::Never => false,
            StopRule::Success => accuracy >= 1.0,
            StopRule::LossBelow(x) => f64::from(loss) < *x,
        }
    }
}
