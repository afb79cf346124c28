//! `init`: how a run's initial parameters are drawn, or the weights file they come from.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

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
    pub(super) fn from_yaml(v: &serde_yaml_ng::Value, shown: &str) -> Result<Self, String> {
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
