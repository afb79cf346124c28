//! Expands an experiment into its runs: the cartesian product of `grid` and `zip` blocks, minus
//! `exclude`, with defaults filled in and every value checked. Runs that differ only in their
//! seed form a group, which the trainer runs as one replica-batched model.
//!
//! Stages of [`build`]: the header checks, the datasets, the axes (`axes`: lists of values,
//! defaults, the required parameters, exclusions), the product, the runs and groups (`runs`),
//! and the checks that need whole groups. A run's identity (its id and group key) is in
//! `identity`. Every parameter is declared once, in `crate::spec::PARAMS`.

mod axes;
mod data_fit;
mod identity;
mod locate;
mod runs;

pub use identity::{canonical_config, group_label, TRAINING_SEMANTICS};

use crate::data::{self, Dataset};
use crate::error::Result;
use crate::model::init_file::GivenWeights;
use crate::model::ModelShape;
use crate::spec::{
    CellKind, DeviceSpec, ExperimentFile, HeadKind, InitKind, InitValue, ModelOptions, OptimizerSpec, Param,
    ParamValue, RecordSpec, Seg,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The configuration of a run but its seed: what the runs of one group share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    pub dataset: String,
    pub cell: CellKind,
    pub hidden: usize,
    pub device: DeviceSpec,
    pub lr: f64,
    pub epochs: usize,
    pub head: HeadKind,
    /// Absent in records written before `init` existed: sweeplab's own.
    #[serde(default)]
    pub init: InitKind,
    /// Absent in records written before optimisers were options: Adam.
    #[serde(default)]
    pub optimizer: OptimizerSpec,
    /// Absent in records written before the model options: one layer, one-hot input.
    #[serde(default)]
    pub model: ModelOptions,
}

impl RunConfig {
    /// The value of `p`; `None` for the seed, which is not part of the configuration.
    pub fn value(&self, p: Param) -> Option<ParamValue> {
        Some(match p {
            Param::Dataset => ParamValue::Dataset(self.dataset.clone()),
            Param::Cell => ParamValue::Cell(self.cell),
            Param::Hidden => ParamValue::Hidden(self.hidden),
            Param::Device => ParamValue::Device(self.device),
            Param::Lr => ParamValue::Lr(self.lr),
            Param::Epochs => ParamValue::Epochs(self.epochs),
            Param::Head => ParamValue::Head(self.head),
            Param::Init => ParamValue::Init(InitValue::Kind(self.init)),
            Param::Seed => return None,
            p => return self.optimizer.value(p).or_else(|| self.model.value(p)),
        })
    }

    /// Whether `p` means anything for this run (`momentum` does not for Adam): a parameter
    /// that does not is at its default, and runs.csv leaves its cell empty.
    pub fn applies(&self, p: Param) -> bool {
        self.optimizer.takes(p) && self.model.takes(self.cell, p)
    }

    /// The shapes of this run's model on a dataset of `vocab` symbols.
    pub fn model_shape(&self, vocab: usize) -> ModelShape {
        ModelShape {
            cell: self.cell,
            vocab,
            hidden: self.hidden,
            head: self.head,
            layers: self.model.layers,
            embedding: self.model.embedding,
        }
    }

    /// The configuration of an assignment of every parameter (`init` already resolved).
    fn from_values(values: &[ParamValue], init: InitKind) -> Self {
        let mut config = RunConfig {
            dataset: String::new(),
            cell: CellKind::Rnn,
            hidden: 0,
            device: DeviceSpec::Cpu,
            lr: 0.0,
            epochs: 0,
            head: HeadKind::Linear,
            init,
            optimizer: OptimizerSpec::default(),
            model: ModelOptions::default(),
        };
        for value in values {
            if config.optimizer.set(value) || config.model.set(value) {
                continue;
            }
            match value {
                ParamValue::Dataset(d) => config.dataset = d.clone(),
                ParamValue::Cell(c) => config.cell = *c,
                ParamValue::Hidden(h) => config.hidden = *h,
                ParamValue::Device(d) => config.device = *d,
                ParamValue::Lr(l) => config.lr = *l,
                ParamValue::Epochs(e) => config.epochs = *e,
                ParamValue::Head(h) => config.head = *h,
                _ => {}
            }
        }
        config
    }
}

/// One training run: one point of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// Hash of the run's full configuration (not its position in the grid): the first 16 hex
    /// digits of `config_hash`.
    pub id: String,
    /// SHA-256 of the canonical JSON configuration ([`canonical_config`]).
    pub config_hash: ConfigHash,
    pub group: usize,
    /// Shared by the runs of a group (a million-run plan holds one copy per group).
    #[serde(
        flatten,
        serialize_with = "shared_config::serialize",
        deserialize_with = "shared_config::deserialize"
    )]
    pub config: Arc<RunConfig>,
    pub seed: u64,
}

/// A SHA-256 digest, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConfigHash(pub [u8; 32]);

impl ConfigHash {
    /// The run id: the first 16 hex digits.
    pub fn id(&self) -> String {
        let mut id = String::with_capacity(16);
        push_hex(&self.0[..8], &mut id);
        id
    }
}

/// Appends `bytes` as lowercase hex digits.
fn push_hex(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

impl std::fmt::Display for ConfigHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::with_capacity(64);
        push_hex(&self.0, &mut text);
        f.write_str(&text)
    }
}

impl std::fmt::Debug for ConfigHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Serialize for ConfigHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConfigHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let bad = || serde::de::Error::custom(format!("`{text}` is not a SHA-256 digest (64 hex digits)"));
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(ConfigHash(out))
    }
}

/// `RunSpec::config` written inline, as if it were not shared.
mod shared_config {
    use super::RunConfig;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(config: &Arc<RunConfig>, s: S) -> Result<S::Ok, S::Error> {
        config.as_ref().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<RunConfig>, D::Error> {
        RunConfig::deserialize(d).map(Arc::new)
    }
}

/// A run is its configuration plus an identity and a seed: `run.hidden` reads the config.
impl std::ops::Deref for RunSpec {
    type Target = RunConfig;
    fn deref(&self) -> &RunConfig {
        &self.config
    }
}

impl RunSpec {
    pub fn value(&self, p: Param) -> ParamValue {
        self.config.value(p).unwrap_or(ParamValue::Seed(self.seed))
    }
}

/// Runs that differ only in their seed.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub index: usize,
    pub config: Arc<RunConfig>,
    /// For `init: {file: PATH}`: the weights, converted for this group's model.
    pub init_file: Option<Arc<GivenWeights>>,
    /// Indices into `Plan::runs`, in seed order of the expansion.
    pub runs: Vec<usize>,
}

impl std::ops::Deref for GroupSpec {
    type Target = RunConfig;
    fn deref(&self) -> &RunConfig {
        &self.config
    }
}

impl GroupSpec {
    /// `AbAcAd rnn(2) head=linear lr=0.1 epochs=200 on cpu`, plus ` init=...` when not the
    /// default (a weights file by its path).
    pub fn label(&self) -> String {
        let init = match (&self.init_file, self.init) {
            (Some(given), _) => format!("file:{}", given.path),
            (None, init) => init.name().into_owned(),
        };
        identity::group_label(
            &|p| match p {
                Param::Init => init.clone(),
                p => self.value(p).map(|v| v.canonical()).unwrap_or_default(),
            },
            true,
        )
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub experiment: String,
    pub datasets: BTreeMap<String, Dataset>,
    pub runs: Vec<RunSpec>,
    pub groups: Vec<GroupSpec>,
    pub record: RecordSpec,
    /// Parameters that take more than one value in this plan.
    pub swept: Vec<Param>,
}

/// Builds the plan: every check that can fail on user input happens here, before any training
/// or any write to the output folder.
pub fn build(file: &ExperimentFile) -> Result<Plan> {
    check_header(file)?;
    let datasets = resolve_datasets(file)?;
    let axes = axes::axes(file, &datasets)?;
    let excludes = axes::excludes(file)?;
    let mut builder = runs::Builder::new(file, &datasets, axes::product_size(file, &axes)?);
    // The first value that differs from the last point added (excluded points in between).
    let mut changed_since_added = 0;
    axes::for_each_combo(&axes, |combo, changed| {
        changed_since_added = changed_since_added.min(changed);
        if excludes.iter().any(|conds| conds.iter().all(|c| combo.contains(c))) {
            return Ok(());
        }
        let changed = std::mem::replace(&mut changed_since_added, usize::MAX);
        builder.add(combo, changed)
    })?;
    let (runs, groups) = builder.finish()?;
    // Every configuration is some group's; seeds are the runs'.
    let swept = Param::ALL
        .into_iter()
        .filter(|&p| match p {
            Param::Seed => runs.iter().any(|r| r.seed != runs[0].seed),
            p => groups.iter().any(|g| g.value(p) != groups[0].value(p)),
        })
        .collect();
    Ok(Plan {
        experiment: file.experiment.name.clone(),
        datasets,
        runs,
        groups,
        record: file.experiment.record.clone(),
        swept,
    })
}

/// The experiment's name, figures and record sections.
fn check_header(file: &ExperimentFile) -> Result<()> {
    let exp = &file.experiment;
    if let Some(why) = name_problem(&exp.name) {
        return Err(file.error_at(&[Seg::Key("name")], why));
    }
    exp.figures
        .check()
        .map_err(|(key, why)| file.error_at(&[Seg::Key("figures"), Seg::Key(key)], why))?;
    if exp.record.positions == 0 || exp.record.positions > crate::spec::MAX_RECORD_POSITIONS {
        return Err(file.error_at(
            &[Seg::Key("record"), Seg::Key("positions")],
            format!("must be from 1 to {}", crate::spec::MAX_RECORD_POSITIONS),
        ));
    }
    Ok(())
}

/// The longest experiment or dataset name.
const MAX_NAME_CHARS: usize = 100;

/// Why `name` cannot name an experiment. It becomes a folder name, a Slurm job name and part of
/// generated scripts, so it is restricted to characters no file system or shell treats
/// specially: ASCII letters, digits, `_`, `-` and `.`, starting with a letter or digit.
fn name_problem(name: &str) -> Option<String> {
    let shown = name.escape_debug();
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
    if name.is_empty() {
        Some("name must not be empty".into())
    } else if let Some(c) = bad {
        Some(format!(
            "name \"{shown}\" contains {:?}; use only letters, digits, '_', '-' and '.'",
            c
        ))
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Some(format!("name \"{shown}\" must start with a letter or a digit"))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("name is longer than {MAX_NAME_CHARS} characters"))
    } else {
        None
    }
}

/// Why `name` cannot name a dataset: it appears in tables, figure titles, progress lines and
/// reports, each one line, so control characters (a newline) are refused.
fn dataset_name_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("dataset name must not be empty".into())
    } else if let Some(c) = name.chars().find(|c| c.is_control()) {
        Some(format!(
            "dataset name \"{}\" contains the control character {c:?}",
            name.escape_debug()
        ))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(format!("dataset name is longer than {MAX_NAME_CHARS} characters"))
    } else {
        None
    }
}

/// The declared datasets by name, each read and tokenised.
fn resolve_datasets(file: &ExperimentFile) -> Result<BTreeMap<String, Dataset>> {
    let exp = &file.experiment;
    if exp.datasets.is_empty() {
        return Err(file.error_at(&[Seg::Key("datasets")], "declare at least one dataset"));
    }
    let mut datasets = BTreeMap::new();
    for (i, spec) in exp.datasets.iter().enumerate() {
        if let Some(why) = dataset_name_problem(&spec.name) {
            return Err(file.error_at(&[Seg::Key("datasets"), Seg::Index(i), Seg::Key("name")], why));
        }
        let ds = data::resolve(spec, i, file)?;
        if datasets.insert(spec.name.clone(), ds).is_some() {
            return Err(file.error_at(
                &[Seg::Key("datasets"), Seg::Index(i), Seg::Key("name")],
                format!("dataset name '{}' is used twice", spec.name),
            ));
        }
    }
    Ok(datasets)
}
