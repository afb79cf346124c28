//! The optimiser of a run and its arguments, as `torch.optim` names them: which optimiser, and
//! the parameters that apply to it (`momentum` to SGD and RMSprop, `beta1`/`beta2` to Adam and
//! AdamW, ...). A parameter that does not apply to a run's optimiser is reset to its default
//! for that run (`crate::plan`), so a grid `optimizer: [adam, sgd]` with `momentum: 0.9` gives
//! Adam runs with the ids they have today.

pub use super::schedule::{ScheduleName, StopRule};
use super::values::{Param, ParamValue};
use serde::{Deserialize, Serialize};

/// `torch.optim.Adam`, `AdamW`, `SGD`, `RMSprop`, `Adagrad`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerName {
    #[default]
    Adam,
    AdamW,
    Sgd,
    RmsProp,
    Adagrad,
}

impl OptimizerName {
    pub const ALL: [OptimizerName; 5] = [
        OptimizerName::Adam,
        OptimizerName::AdamW,
        OptimizerName::Sgd,
        OptimizerName::RmsProp,
        OptimizerName::Adagrad,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerName::Adam => "adam",
            OptimizerName::AdamW => "adamw",
            OptimizerName::Sgd => "sgd",
            OptimizerName::RmsProp => "rmsprop",
            OptimizerName::Adagrad => "adagrad",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == s)
    }

    /// PyTorch's default `eps`.
    pub fn default_eps(self) -> f64 {
        match self {
            OptimizerName::Adagrad => 1e-10,
            _ => 1e-8,
        }
    }

    /// PyTorch's default `weight_decay`.
    pub fn default_weight_decay(self) -> f64 {
        match self {
            OptimizerName::AdamW => 0.01,
            _ => 0.0,
        }
    }

    /// Whether the optimiser argument `param` applies to this optimiser (every other
    /// parameter applies to all of them).
    pub fn takes(self, param: Param) -> bool {
        use OptimizerName::*;
        match param {
            Param::Momentum => matches!(self, Sgd | RmsProp),
            Param::Nesterov => self == Sgd,
            Param::Beta1 | Param::Beta2 => matches!(self, Adam | AdamW),
            Param::Eps => self != Sgd,
            Param::Alpha => self == RmsProp,
            _ => true,
        }
    }

    /// The optimisers `param` applies to, for messages: `sgd, rmsprop`.
    pub fn taking(param: Param) -> String {
        let names: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|o| o.takes(param))
            .map(|o| o.name())
            .collect();
        names.join(", ")
    }
}

/// A run's optimiser with all of its arguments. `eps` and `weight_decay` are `None` at the
/// optimiser's own default (which differs between optimisers), so that a value equal to it
/// gives the same run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerSpec {
    pub optimizer: OptimizerName,
    pub momentum: f64,
    pub nesterov: bool,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: Option<f64>,
    pub alpha: f64,
    pub weight_decay: Option<f64>,
    pub schedule: ScheduleName,
    /// Required by `step`.
    pub step_every: Option<usize>,
    /// Required by `step` and `exponential`.
    pub gamma: Option<f64>,
    pub min_lr: f64,
    /// Epochs of linear warm-up before the schedule.
    pub warmup: usize,
    /// `clip_grad_norm_(max_norm)` over each replica's gradients.
    pub clip_norm: Option<f64>,
    /// `clip_grad_value_(clip_value)`.
    pub clip_value: Option<f64>,
    pub stop: StopRule,
}

impl Default for OptimizerSpec {
    /// Adam with PyTorch's defaults: what every run trained before optimisers were options.
    fn default() -> Self {
        Self {
            optimizer: OptimizerName::Adam,
            momentum: 0.0,
            nesterov: false,
            beta1: 0.9,
            beta2: 0.999,
            eps: None,
            alpha: 0.99,
            weight_decay: None,
            schedule: ScheduleName::Constant,
            step_every: None,
            gamma: None,
            min_lr: 0.0,
            warmup: 0,
            clip_norm: None,
            clip_value: None,
            stop: StopRule::Never,
        }
    }
}

impl OptimizerSpec {
    /// Whether `param` means anything for this run's optimiser and schedule.
    pub fn takes(&self, param: Param) -> bool {
        self.optimizer.takes(param) && self.schedule.takes(param)
    }

    /// What does not take `param` in this run, for messages: `optimizer adam (only to sgd,
    /// rmsprop)`.
    pub fn not_taking(&self, param: Param) -> String {
        if self.optimizer.takes(param) {
            format!(
                "schedule {} (only to {})",
                self.schedule.name(),
                ScheduleName::taking(param)
            )
        } else {
            format!(
                "optimizer {} (only to {})",
                self.optimizer.name(),
                OptimizerName::taking(param)
            )
        }
    }

    /// Why this combination cannot train for `epochs` epochs, with the parameter to blame.
    pub fn problem(&self, epochs: usize) -> Option<(Param, String)> {
        match self.schedule {
            ScheduleName::Step if self.step_every.is_none() => {
                return Some((
                    Param::Schedule,
                    "schedule step needs step_every (StepLR's step_size)".into(),
                ))
            }
            ScheduleName::Step | ScheduleName::Exponential if self.gamma.is_none() => {
                return Some((
                    Param::Schedule,
                    format!("schedule {} needs gamma", self.schedule.name()),
                ))
            }
            _ => {}
        }
        if self.nesterov && self.momentum == 0.0 {
            return Some((
                Param::Nesterov,
                "nesterov needs momentum > 0 (as torch.optim.SGD)".into(),
            ));
        }
        if self.clip_norm.is_some() && self.clip_value.is_some() {
            return Some((
                Param::ClipValue,
                "clip_norm and clip_value exclude each other; set one".into(),
            ));
        }
        if self.warmup > 0 && self.warmup >= epochs {
            return Some((
                Param::Warmup,
                format!("warmup {} must be fewer than the {epochs} epochs", self.warmup),
            ));
        }
        None
    }

    /// The learning rate of epoch `epoch` (from 0) for a run of base rate `lr` and `epochs`
    /// epochs: `lr * (e+1)/w` during the warm-up, then the schedule over the epochs after it,
    /// as `torch.optim.lr_scheduler` computes it (in closed form).
    pub fn lr_at(&self, lr: f64, epoch: usize, epochs: usize) -> f64 {
        let w = self.warmup;
        if epoch < w {
            return lr * (epoch + 1) as f64 / w as f64;
        }
        let e = epoch - w;
        match self.schedule {
            ScheduleName::Constant => lr,
            ScheduleName::Step => {
                let every = self.step_every.unwrap_or(1).max(1);
                lr * self.gamma.unwrap_or(1.0).powi((e / every) as i32)
            }
            ScheduleName::Exponential => lr * self.gamma.unwrap_or(1.0).powi(e as i32),
            ScheduleName::Cosine => {
                let t = epochs.saturating_sub(w).max(1) as f64;
                self.min_lr + (lr - self.min_lr) * (1.0 + (std::f64::consts::PI * e as f64 / t).cos()) / 2.0
            }
        }
    }

    /// Whether the learning rate changes over the epochs.
    pub fn scheduled(&self) -> bool {
        self.schedule != ScheduleName::Constant || self.warmup > 0
    }

    /// The `eps` this run trains with.
    pub fn eps(&self) -> f64 {
        self.eps.unwrap_or(self.optimizer.default_eps())
    }

    /// The `weight_decay` this run trains with.
    pub fn weight_decay(&self) -> f64 {
        self.weight_decay.unwrap_or(self.optimizer.default_weight_decay())
    }

    /// The value of `param`, if it is one of the optimiser's.
    pub fn value(&self, param: Param) -> Option<ParamValue> {
        Some(match param {
            Param::Optimizer => ParamValue::Optimizer(self.optimizer),
            Param::Momentum => ParamValue::Momentum(self.momentum),
            Param::Nesterov => ParamValue::Nesterov(self.nesterov),
            Param::Beta1 => ParamValue::Beta1(self.beta1),
            Param::Beta2 => ParamValue::Beta2(self.beta2),
            Param::Eps => ParamValue::Eps(self.eps),
            Param::Alpha => ParamValue::Alpha(self.alpha),
            Param::WeightDecay => ParamValue::WeightDecay(self.weight_decay),
            Param::Schedule => ParamValue::Schedule(self.schedule),
            Param::StepEvery => ParamValue::StepEvery(self.step_every),
            Param::Gamma => ParamValue::Gamma(self.gamma),
            Param::MinLr => ParamValue::MinLr(self.min_lr),
            Param::Warmup => ParamValue::Warmup(self.warmup),
            Param::ClipNorm => ParamValue::ClipNorm(self.clip_norm),
            Param::ClipValue => ParamValue::ClipValue(self.clip_value),
            Param::Stop => ParamValue::Stop(self.stop),
            _ => return None,
        })
    }

    /// Sets the field of `value`; false if it is not one of the optimiser's.
    pub fn set(&mut self, value: &ParamValue) -> bool {
        match *value {
            ParamValue::Optimizer(o) => self.optimizer = o,
            ParamValue::Momentum(x) => self.momentum = x,
            ParamValue::Nesterov(b) => self.nesterov = b,
            ParamValue::Beta1(x) => self.beta1 = x,
            ParamValue::Beta2(x) => self.beta2 = x,
            ParamValue::Eps(x) => self.eps = x,
            ParamValue::Alpha(x) => self.alpha = x,
            ParamValue::WeightDecay(x) => self.weight_decay = x,
            ParamValue::Schedule(x) => self.schedule = x,
            ParamValue::StepEvery(x) => self.step_every = x,
            ParamValue::Gamma(x) => self.gamma = x,
            ParamValue::MinLr(x) => self.min_lr = x,
            ParamValue::Warmup(x) => self.warmup = x,
            ParamValue::ClipNorm(x) => self.clip_norm = x,
            ParamValue::ClipValue(x) => self.clip_value = x,
            ParamValue::Stop(x) => self.stop = x,
            _ => return false,
        }
        true
    }

    /// The arguments that do not apply to the optimiser reset to their defaults, and `eps` and
    /// `weight_decay` equal to the optimiser's defaults written as defaults: one spelling per
    /// training. Returns the parameters that were reset from a value that was not the default.
    pub fn normalized(mut self) -> (Self, Vec<Param>) {
        let default = Self::default();
        let mut reset = Vec::new();
        for param in Param::ALL {
            if self.value(param).is_some() && !self.takes(param) && self.value(param) != default.value(param) {
                self.set(&default.value(param).expect("an optimiser argument"));
                reset.push(param);
            }
        }
        if self.eps == Some(self.optimizer.default_eps()) {
            self.eps = None;
        }
        if self.weight_decay == Some(self.optimizer.default_weight_decay()) {
            self.weight_decay = None;
        }
        (self, reset)
    }
}

/// Parses a value of one of the optimiser's parameters; `None` for any other parameter.
pub(super) fn parse(param: Param, v: &serde_yaml_ng::Value, shown: &str) -> Option<Result<ParamValue, String>> {
    use serde_yaml_ng::Value;
    let number = || match v {
        Value::Number(n) => n.as_f64().filter(|x| x.is_finite()),
        _ => None,
    };
    let in_range = |ok: fn(f64) -> bool, what: &str, make: fn(f64) -> ParamValue| {
        number()
            .filter(|&x| ok(x))
            .map(make)
            .ok_or_else(|| format!("{} must be {what}, got {shown}", param.name()))
    };
    let count = |least: u64| {
        match v {
            Value::Number(n) => n
                .as_u64()
                .filter(|&n| n >= least && n <= crate::spec::MAX_EPOCHS as u64)
                .map(|n| n as usize),
            _ => None,
        }
        .ok_or_else(|| {
            format!(
                "{} must be an integer from {least} to {}, got {shown}",
                param.name(),
                crate::spec::MAX_EPOCHS
            )
        })
    };
    Some(match param {
        Param::Optimizer => match v {
            Value::String(s) => OptimizerName::parse(s).map(ParamValue::Optimizer),
            _ => None,
        }
        .ok_or_else(|| {
            let names: Vec<&str> = OptimizerName::ALL.iter().map(|o| o.name()).collect();
            format!("unknown optimizer {shown} (expected {})", names.join(", "))
        }),
        Param::Momentum => in_range(|x| x >= 0.0, "a number >= 0", ParamValue::Momentum),
        Param::Nesterov => match v {
            Value::Bool(b) => Ok(ParamValue::Nesterov(*b)),
            _ => Err(format!("nesterov must be true or false, got {shown}")),
        },
        Param::Beta1 => in_range(|x| (0.0..1.0).contains(&x), "a number in [0, 1)", ParamValue::Beta1),
        Param::Beta2 => in_range(|x| (0.0..1.0).contains(&x), "a number in [0, 1)", ParamValue::Beta2),
        Param::Eps => in_range(|x| x > 0.0, "a number > 0", |x| ParamValue::Eps(Some(x))),
        Param::Alpha => in_range(|x| x > 0.0 && x < 1.0, "a number in (0, 1)", ParamValue::Alpha),
        Param::WeightDecay => in_range(|x| x >= 0.0, "a number >= 0", |x| ParamValue::WeightDecay(Some(x))),
        Param::Schedule => match v {
            Value::String(s) => ScheduleName::parse(s).map(ParamValue::Schedule),
            _ => None,
        }
        .ok_or_else(|| {
            let names: Vec<&str> = ScheduleName::ALL.iter().map(|o| o.name()).collect();
            format!("unknown schedule {shown} (expected {})", names.join(", "))
        }),
        Param::StepEvery => count(1).map(|n| ParamValue::StepEvery(Some(n))),
        Param::Gamma => in_range(|x| x > 0.0, "a number > 0", |x| ParamValue::Gamma(Some(x))),
        Param::MinLr => in_range(|x| x >= 0.0, "a number >= 0", ParamValue::MinLr),
        Param::Warmup => count(0).map(ParamValue::Warmup),
        // `none` as a value, so that one grid can compare clipping with none.
        Param::ClipNorm | Param::ClipValue if v.as_str() == Some("none") => Ok(match param {
            Param::ClipNorm => ParamValue::ClipNorm(None),
            _ => ParamValue::ClipValue(None),
        }),
        Param::ClipNorm => in_range(|x| x > 0.0, "a number > 0 or none", |x| ParamValue::ClipNorm(Some(x))),
        Param::ClipValue => in_range(|x| x > 0.0, "a number > 0 or none", |x| ParamValue::ClipValue(Some(x))),
        Param::Stop => match v {
            Value::String(s) => StopRule::parse(s).map(ParamValue::Stop),
            _ => None,
        }
        .ok_or_else(|| format!("stop must be never, success or `loss < X` with X > 0, got {shown}")),
        _ => return None,
    })
}
