//! The learning-rate schedule of a run (`schedule`), as `torch.optim.lr_scheduler` names them;
//! the rate of each epoch is `super::OptimizerSpec::lr_at`.

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
