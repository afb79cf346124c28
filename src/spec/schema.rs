//! The YAML schema of an experiment file. Every struct denies unknown keys, so a typo is an
//! error with a line number instead of a silently ignored setting.

use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Param, PARAMS};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// Names the results folder (`results/<name>/`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub datasets: Vec<DatasetSpec>,
    /// Parameters crossed with each other (cartesian product). A scalar is a one-value list.
    pub grid: Axes,
    /// Blocks of parameters whose lists vary together (same length, taken position by position);
    /// each block is one more axis of the product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zip: Vec<Axes>,
    /// Combinations to skip: a run matching every key of an entry is dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<BTreeMap<String, Value>>,
    #[serde(default)]
    pub record: RecordSpec,
    /// Conditions on groups of runs that `sweeplab check` verifies (CI regression gates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSpec>,
    /// Which figures to draw and how; defaults draw the standard set.
    #[serde(default)]
    pub figures: super::FiguresSpec,
}

/// The swept parameters of `grid` or of a `zip` block: each key a declared parameter
/// (`crate::spec::PARAMS`; an unknown key is an error with its line when the plan is built),
/// each value a scalar or a list; `seed` also accepts a range `"0..25"`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Axes(pub serde_yaml_ng::Mapping);

impl Axes {
    /// The value given for `param`, if any.
    pub fn get(&self, param: Param) -> Option<&Value> {
        self.0.get(param.name())
    }

    /// The parameters this block sets, in expansion order.
    pub fn entries(&self) -> Vec<(Param, &Value)> {
        PARAMS
            .iter()
            .filter_map(|d| Some((d.param, self.get(d.param)?)))
            .collect()
    }

    /// The keys that name no parameter, as written.
    pub fn unknown_keys(&self) -> Vec<String> {
        self.0
            .keys()
            .filter(|k| k.as_str().and_then(Param::parse).is_none())
            .map(|k| match k.as_str() {
                Some(s) => s.to_string(),
                None => serde_yaml_ng::to_string(k).map_or_else(|_| "?".into(), |t| t.trim().to_string()),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// One token per Unicode character.
    Char,
    /// One token per whitespace-separated word.
    Word,
}

/// A dataset: exactly one of `cyclic` (with `repeat`), `text`, `file` or `sentences`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSpec {
    pub name: String,
    /// A pattern repeated `repeat` times (`AbAcAd` x 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cyclic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<usize>,
    /// Literal text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A UTF-8 text file, relative to the experiment file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// Many-to-one: predict each sentence's last word from the words before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentences: Option<Vec<String>>,
    /// `char` (default for text) or `word` (default for sentences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenKind>,
    /// Vocabulary order; by default the sorted set of tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab: Option<Vec<String>>,
}

/// What each run keeps besides its loss curve, for figures drawn without retraining.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// Hidden states, logits and probabilities are stored for this many first positions.
    #[serde(default = "default_positions")]
    pub positions: usize,
    /// Whose hidden states: the last layer's (`last`, the default) or every layer's (`all`,
    /// labelled `l1.h1`, ...).
    #[serde(default, skip_serializing_if = "RecordLayers::is_last")]
    pub layers: RecordLayers,
}

/// `record: layers:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordLayers {
    /// The last layer's states (what the head reads).
    #[default]
    Last,
    /// Every layer's, bottom up.
    All,
}

impl RecordLayers {
    fn is_last(&self) -> bool {
        *self == RecordLayers::Last
    }
}

/// The most positions whose states a run records (and a states table may hold).
pub const MAX_RECORD_POSITIONS: usize = 100_000;

fn default_positions() -> usize {
    15
}

impl Default for RecordSpec {
    fn default() -> Self {
        Self {
            positions: default_positions(),
            layers: RecordLayers::Last,
        }
    }
}

/// One CI condition: `require: "<metric> <op> <number>"`, evaluated for every group (the seeds
/// of one configuration) matching `where`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Parameter values a group must have, e.g. `{cell: lstm, hidden: 4}`; absent: every group.
    #[serde(default, rename = "where", skip_serializing_if = "BTreeMap::is_empty")]
    pub selector: BTreeMap<String, Value>,
    pub require: String,
}
