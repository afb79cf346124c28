//! Typed values of the swept parameters, parsed from YAML scalars with our own messages.

pub use super::init_value::{InitKind, InitValue, WeightsDigest};
use super::optim::{OptimizerName, ScheduleName, StopRule};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most epochs a run may train (and a curves table may hold).
pub const MAX_EPOCHS: usize = 10_000_000;
/// The largest hidden size (figures size their grids by it).
pub const MAX_HIDDEN: usize = 4096;

/// The recurrent cell a run trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// Embedding -> tanh -> Linear: no recurrence at all (note 001's baseline).
    Memoryless,
    /// Elman RNN, tanh.
    Rnn,
    Lstm,
    Gru,
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl CellKind {
    pub const ALL: [CellKind; 4] = [CellKind::Memoryless, CellKind::Rnn, CellKind::Lstm, CellKind::Gru];

    pub fn name(self) -> &'static str {
        match self {
            CellKind::Memoryless => "memoryless",
            CellKind::Rnn => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// What turns hidden states into logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadKind {
    /// `Linear(hidden -> vocab)`.
    Linear,
    /// The hidden state itself is the logits (note 003); needs hidden == vocab.
    None,
}

impl HeadKind {
    pub fn name(self) -> &'static str {
        match self {
            HeadKind::Linear => "linear",
            HeadKind::None => "none",
        }
    }
}

/// Where a run trains: `cpu` (burn's flex backend), `ndarray`, or `cuda:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeviceSpec {
    Cpu,
    NdArray,
    Cuda(usize),
}

impl DeviceSpec {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cpu" | "flex" => Some(DeviceSpec::Cpu),
            "ndarray" => Some(DeviceSpec::NdArray),
            "cuda" => Some(DeviceSpec::Cuda(0)),
            _ => s.strip_prefix("cuda:")?.parse().ok().map(DeviceSpec::Cuda),
        }
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Cpu => write!(f, "cpu"),
            DeviceSpec::NdArray => write!(f, "ndarray"),
            DeviceSpec::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl Serialize for DeviceSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeviceSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DeviceSpec::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown device '{s}'")))
    }
}

/// The parameters a grid can sweep. Every run has a value for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    Dataset,
    Cell,
    Hidden,
    Device,
    Lr,
    Epochs,
    Head,
    Init,
    Optimizer,
    Momentum,
    Nesterov,
    Beta1,
    Beta2,
    Eps,
    Alpha,
    WeightDecay,
    Schedule,
    StepEvery,
    Gamma,
    MinLr,
    Warmup,
    ClipNorm,
    ClipValue,
    Stop,
    Layers,
    Embedding,
    Dropout,
    Batch,
    Bptt,
    Val,
    Seed,
}

impl Param {
    /// Expansion order (the order of [`super::PARAMS`]): seeds vary fastest so that a group's
    /// runs are contiguous.
    pub const ALL: [Param; super::PARAMS.len()] = {
        let mut all = [Param::Seed; super::PARAMS.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = super::PARAMS[i].param;
            i += 1;
        }
        all
    };

    pub fn name(self) -> &'static str {
        self.decl().name
    }

    pub fn parse(s: &str) -> Option<Self> {
        super::PARAMS.iter().find(|d| d.name == s).map(|d| d.param)
    }
}

/// One typed parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Dataset(String),
    Cell(CellKind),
    Hidden(usize),
    Device(DeviceSpec),
    Lr(f64),
    Epochs(usize),
    Head(HeadKind),
    Init(InitValue),
    Optimizer(OptimizerName),
    Momentum(f64),
    Nesterov(bool),
    Beta1(f64),
    Beta2(f64),
    /// `None`: the optimiser's default.
    Eps(Option<f64>),
    Alpha(f64),
    /// `None`: the optimiser's default.
    WeightDecay(Option<f64>),
    Schedule(ScheduleName),
    /// `None`: unset (required by `schedule: step`).
    StepEvery(Option<usize>),
    /// `None`: unset (required by `step` and `exponential`).
    Gamma(Option<f64>),
    MinLr(f64),
    Warmup(usize),
    /// `None`: no clipping.
    ClipNorm(Option<f64>),
    ClipValue(Option<f64>),
    Stop(StopRule),
    Layers(usize),
    /// `None`: one-hot input.
    Embedding(Option<usize>),
    Dropout(f64),
    Batch(usize),
    /// `None`: the whole sequence in one pass.
    Bptt(Option<usize>),
    /// The fraction of every stream's last positions held out for validation (0: none).
    Val(f64),
    Seed(u64),
}

impl ParamValue {
    pub fn param(&self) -> Param {
        match self {
            ParamValue::Dataset(_) => Param::Dataset,
            ParamValue::Cell(_) => Param::Cell,
            ParamValue::Hidden(_) => Param::Hidden,
            ParamValue::Device(_) => Param::Device,
            ParamValue::Lr(_) => Param::Lr,
            ParamValue::Epochs(_) => Param::Epochs,
            ParamValue::Head(_) => Param::Head,
            ParamValue::Init(_) => Param::Init,
            ParamValue::Optimizer(_) => Param::Optimizer,
            ParamValue::Momentum(_) => Param::Momentum,
            ParamValue::Nesterov(_) => Param::Nesterov,
            ParamValue::Beta1(_) => Param::Beta1,
            ParamValue::Beta2(_) => Param::Beta2,
            ParamValue::Eps(_) => Param::Eps,
            ParamValue::Alpha(_) => Param::Alpha,
            ParamValue::WeightDecay(_) => Param::WeightDecay,
            ParamValue::Schedule(_) => Param::Schedule,
            ParamValue::StepEvery(_) => Param::StepEvery,
            ParamValue::Gamma(_) => Param::Gamma,
            ParamValue::MinLr(_) => Param::MinLr,
            ParamValue::Warmup(_) => Param::Warmup,
            ParamValue::ClipNorm(_) => Param::ClipNorm,
            ParamValue::ClipValue(_) => Param::ClipValue,
            ParamValue::Stop(_) => Param::Stop,
            ParamValue::Layers(_) => Param::Layers,
            ParamValue::Embedding(_) => Param::Embedding,
            ParamValue::Dropout(_) => Param::Dropout,
            ParamValue::Batch(_) => Param::Batch,
            ParamValue::Bptt(_) => Param::Bptt,
            ParamValue::Val(_) => Param::Val,
            ParamValue::Seed(_) => Param::Seed,
        }
    }

    /// Parses one YAML scalar as a value of `param`; the error is a message without location.
    pub fn from_yaml(param: Param, v: &serde_yaml_ng::Value) -> Result<Self, String> {
        use serde_yaml_ng::Value;
        let as_str = || match v {
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        let as_uint = || match v {
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        // One line whatever the value: a list in flow style, a string with escapes.
        let shown = || match v {
            Value::String(s) => format!("'{}'", s.escape_debug()),
            Value::Number(_) | Value::Bool(_) | Value::Null => serde_yaml_ng::to_string(v)
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".into()),
            other => serde_json::to_string(other).unwrap_or_else(|_| "?".into()),
        };
        if let Some(parsed) = super::optim::parse(param, v, &shown()) {
            return parsed;
        }
        if let Some(parsed) = super::model_options::parse(param, v, &shown()) {
            return parsed;
        }
        match param {
            Param::Dataset => as_str()
                .map(ParamValue::Dataset)
                .ok_or_else(|| format!("expected a dataset name, got {}", shown())),
            Param::Cell => as_str()
                .and_then(|s| CellKind::parse(&s))
                .map(ParamValue::Cell)
                .ok_or_else(|| format!("unknown cell type {} (expected memoryless, rnn, lstm or gru)", shown())),
            Param::Hidden => match as_uint() {
                Some(0) => Err("hidden size must be at least 1, got 0".into()),
                Some(n) if n <= MAX_HIDDEN as u64 => Ok(ParamValue::Hidden(n as usize)),
                _ => Err(format!(
                    "hidden size must be an integer from 1 to {MAX_HIDDEN}, got {}",
                    shown()
                )),
            },
            Param::Device => as_str()
                .and_then(|s| DeviceSpec::parse(&s))
                .map(ParamValue::Device)
                .ok_or_else(|| format!("unknown device {} (expected cpu, ndarray, cuda or cuda:N)", shown())),
            Param::Lr => match v {
                Value::Number(n) => match n.as_f64() {
                    Some(x) if x.is_finite() && x > 0.0 => Ok(ParamValue::Lr(x)),
                    _ => Err(format!("learning rate must be a positive number, got {}", shown())),
                },
                _ => Err(format!("learning rate must be a positive number, got {}", shown())),
            },
            Param::Epochs => match as_uint() {
                Some(n) if (1..=MAX_EPOCHS as u64).contains(&n) => Ok(ParamValue::Epochs(n as usize)),
                _ => Err(format!(
                    "epochs must be an integer from 1 to {MAX_EPOCHS}, got {}",
                    shown()
                )),
            },
            Param::Head => match as_str().as_deref() {
                Some("linear") => Ok(ParamValue::Head(HeadKind::Linear)),
                Some("none") => Ok(ParamValue::Head(HeadKind::None)),
                _ => Err(format!("unknown head {} (expected linear or none)", shown())),
            },
            Param::Init => InitValue::from_yaml(v, &shown()).map(ParamValue::Init),
            Param::Seed => as_uint()
                .map(ParamValue::Seed)
                .ok_or_else(|| format!("a seed must be a non-negative integer, got {}", shown())),
            _ => unreachable!("the optimiser's parameters and the model options are parsed above"),
        }
    }

    /// Canonical text form: used in CSV columns, plan listings and run identity.
    pub fn canonical(&self) -> String {
        match self {
            ParamValue::Dataset(s) => s.clone(),
            ParamValue::Cell(c) => c.name().into(),
            ParamValue::Hidden(n) => n.to_string(),
            ParamValue::Device(d) => d.to_string(),
            ParamValue::Lr(x) => fmt_f64(*x),
            ParamValue::Epochs(n) => n.to_string(),
            ParamValue::Head(h) => h.name().into(),
            ParamValue::Init(i) => i.canonical(),
            ParamValue::Optimizer(o) => o.name().into(),
            ParamValue::Momentum(x) | ParamValue::Beta1(x) | ParamValue::Beta2(x) | ParamValue::Alpha(x) => fmt_f64(*x),
            ParamValue::Nesterov(b) => b.to_string(),
            // Empty: the optimiser's default.
            ParamValue::Eps(x) | ParamValue::WeightDecay(x) | ParamValue::Gamma(x) => {
                x.map(fmt_f64).unwrap_or_default()
            }
            ParamValue::ClipNorm(x) | ParamValue::ClipValue(x) => x.map(fmt_f64).unwrap_or_default(),
            ParamValue::Schedule(x) => x.name().into(),
            ParamValue::StepEvery(x) => x.map(|n| n.to_string()).unwrap_or_default(),
            ParamValue::MinLr(x) => fmt_f64(*x),
            ParamValue::Warmup(x) => x.to_string(),
            ParamValue::Stop(x) => x.name(),
            ParamValue::Layers(n) | ParamValue::Batch(n) => n.to_string(),
            ParamValue::Embedding(e) | ParamValue::Bptt(e) => e.map_or_else(|| "none".into(), |e| e.to_string()),
            ParamValue::Dropout(x) | ParamValue::Val(x) => fmt_f64(*x),
            ParamValue::Seed(s) => s.to_string(),
        }
    }
}

/// Short, exact text for a number: plain for ordinary sizes, scientific for huge or tiny ones.
pub fn fmt_f64(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
