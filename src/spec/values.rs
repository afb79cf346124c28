//! Typed values of the swept parameters, parsed from YAML scalars with our own messages.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The recurrent cell a run trains.
/// The most epochs a run may train (and a curves table may hold).
pub const MAX_EPOCHS: usize = 10_000_000;
/// The largest hidden size (figures size their grids by it).
pub const MAX_HIDDEN: usize = 4096;

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
    /// Given explicitly in a weights file (`init: {file: PATH}`), identified by the SHA-256 of
    /// the file's bytes; the same values for every seed.
    File(WeightsDigest),
}

impl InitKind {
    /// `sweeplab`, `torch`, or `file:` and the first 12 hex digits of the weights file's SHA-256
    /// (runs.csv's `init` column).
    pub fn name(self) -> Cow<'static, str> {
        match self {
            InitKind::Sweeplab => "sweeplab".into(),
            InitKind::Torch => "torch".into(),
            InitKind::File(digest) => format!("file:{}", &digest.to_string()[..12]).into(),
        }
    }

    /// `sweeplab` or `torch` (a file init is written `{file: PATH}`).
    pub fn parse(s: &str) -> Option<Self> {
        [InitKind::Sweeplab, InitKind::Torch]
            .into_iter()
            .find(|i| i.name() == s)
    }
}

/// SHA-256 of a weights file's bytes; serialised as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WeightsDigest(pub [u8; 32]);

impl WeightsDigest {
    pub fn of(bytes: &[u8]) -> Self {
        use sha2::Digest;
        WeightsDigest(sha2::Sha256::digest(bytes).into())
    }
}

impl fmt::Display for WeightsDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for WeightsDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeightsDigest({self})")
    }
}

impl Serialize for WeightsDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WeightsDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("'{s}' is not a SHA-256 (64 hex digits)"));
        if s.len() != 64 || !s.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(WeightsDigest(out))
    }
}

/// `init` as the experiment writes it. A file is resolved (read, hashed, checked against the
/// model) when the plan is built, becoming [`InitKind::File`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InitValue {
    Kind(InitKind),
    /// `{file: PATH}`, the path as written (relative to the experiment file).
    File(String),
}

impl InitValue {
    fn from_yaml(v: &serde_yaml_ng::Value, shown: &str) -> Result<Self, String> {
        use serde_yaml_ng::Value;
        const EXPECTED: &str = "expected sweeplab or torch, or {file: PATH} for weights given in a file";
        match v {
            Value::String(s) if s == "file" => Err(
                "init: file needs the weights file: write init: {file: PATH} (PATH relative to this experiment file)"
                    .into(),
            ),
            Value::String(s) => InitKind::parse(s)
                .map(InitValue::Kind)
                .ok_or_else(|| format!("unknown init {shown} ({EXPECTED})")),
            Value::Mapping(m) => {
                if let Some((k, _)) = m.iter().find(|(k, _)| k.as_str() != Some("file")) {
                    let k = k.as_str().map_or_else(|| format!("{k:?}"), |k| format!("'{k}'"));
                    return Err(format!("unknown init key {k} ({EXPECTED})"));
                }
                match m.get("file") {
                    Some(Value::String(path)) if !path.trim().is_empty() => Ok(InitValue::File(path.clone())),
                    _ => Err("init: {file: PATH} needs PATH, the weights file relative to this experiment file".into()),
                }
            }
            _ => Err(format!("unknown init {shown} ({EXPECTED})")),
        }
    }

    /// `sweeplab`, `torch`, `file:<sha-256 prefix>` once resolved, `file:PATH` as written.
    pub fn canonical(&self) -> String {
        match self {
            InitValue::Kind(k) => k.name().into_owned(),
            InitValue::File(path) => format!("file:{path}"),
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
        // One line whatever the value: a list in flow style, a string with escapes.
        let shown = || match v {
            Value::String(s) => format!("'{}'", s.escape_debug()),
            Value::Number(_) | Value::Bool(_) | Value::Null => serde_yaml_ng::to_string(v)
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".into()),
            other => serde_json::to_string(other).unwrap_or_else(|_| "?".into()),
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
