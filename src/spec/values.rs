//! Typed values of the swept parameters, parsed from YAML scalars with our own messages.

use serde::{Deserialize, Serialize};
use std::fmt;

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

/// How the initial parameters are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum InitKind {
    /// sweeplab's own seeded init (PyTorch's distributions, not its random stream).
    #[default]
    Sweeplab,
    /// PyTorch's: `torch.manual_seed(seed)`, then the cell, then `nn.Linear(hidden, vocab)`,
    /// bit for bit (and PyTorch's formula for the Adam update).
    Torch,
}

impl InitKind {
    pub fn name(self) -> &'static str {
        match self {
            InitKind::Sweeplab => "sweeplab",
            InitKind::Torch => "torch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [InitKind::Sweeplab, InitKind::Torch]
            .into_iter()
            .find(|i| i.name() == s)
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
    Seed,
}

impl Param {
    /// Expansion order: seeds vary fastest so that a group's runs are contiguous.
    pub const ALL: [Param; 9] = [
        Param::Dataset,
        Param::Cell,
        Param::Hidden,
        Param::Device,
        Param::Lr,
        Param::Epochs,
        Param::Head,
        Param::Init,
        Param::Seed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Param::Dataset => "dataset",
            Param::Cell => "cell",
            Param::Hidden => "hidden",
            Param::Device => "device",
            Param::Lr => "lr",
            Param::Epochs => "epochs",
            Param::Head => "head",
            Param::Init => "init",
            Param::Seed => "seed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == s)
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
    Init(InitKind),
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
        let shown = || match v {
            Value::String(s) => format!("'{s}'"),
            other => serde_yaml_ng::to_string(other)
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".into()),
        };
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
                Some(n) if n <= 4096 => Ok(ParamValue::Hidden(n as usize)),
                _ => Err(format!(
                    "hidden size must be an integer from 1 to 4096, got {}",
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
                Some(n) if (1..=10_000_000).contains(&n) => Ok(ParamValue::Epochs(n as usize)),
                _ => Err(format!("epochs must be a positive integer, got {}", shown())),
            },
            Param::Head => match as_str().as_deref() {
                Some("linear") => Ok(ParamValue::Head(HeadKind::Linear)),
                Some("none") => Ok(ParamValue::Head(HeadKind::None)),
                _ => Err(format!("unknown head {} (expected linear or none)", shown())),
            },
            Param::Init => as_str()
                .and_then(|s| InitKind::parse(&s))
                .map(ParamValue::Init)
                .ok_or_else(|| format!("unknown init {} (expected sweeplab or torch)", shown())),
            Param::Seed => as_uint()
                .map(ParamValue::Seed)
                .ok_or_else(|| format!("a seed must be a non-negative integer, got {}", shown())),
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
            ParamValue::Init(i) => i.name().into(),
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
