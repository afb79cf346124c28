//! Expands an experiment into its runs: the cartesian product of `grid` and `zip` blocks, minus
//! `exclude`, with defaults filled in and every value checked. Runs that differ only in their
//! seed form a group, which the trainer runs as one replica-batched model.
//!
//! Stages of [`build`]: the header checks, the datasets, the axes (`axes`: lists of values,
//! defaults, the required parameters, exclusions), the product, the runs and groups (`runs`),
//! and the checks that need whole groups. A run's identity (its id and group key) is in
//! `identity`. Every parameter is declared once, in `crate::spec::PARAMS`.

mod axes;
mod identity;
mod runs;

pub use identity::{canonical_config, group_label, TRAINING_SEMANTICS};

use crate::data::{self, Dataset};
use crate::error::Result;
use crate::model::init_file::GivenWeights;
use crate::spec::{
    CellKind, DeviceSpec, ExperimentFile, HeadKind, InitKind, InitValue, Param, ParamValue, RecordSpec, Seg,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
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
        })
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
        };
        for value in values {
            match value {
                ParamValue::Dataset(d) => config.dataset = d.clone(),
                ParamValue::Cell(c) => config.cell = *c,
                ParamValue::Hidden(h) => config.hidden = *h,
                ParamValue::Device(d) => config.device = *d,
                ParamValue::Lr(l) => config.lr = *l,
                ParamValue::Epochs(e) => config.epochs = *e,
                ParamValue::Head(h) => config.head = *h,
                ParamValue::Init(_) | ParamValue::Seed(_) => {}
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
    pub config_hash: String,
    pub group: usize,
    #[serde(flatten)]
    pub config: RunConfig,
    pub seed: u64,
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
    pub config: RunConfig,
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
    let combos = axes::product(file, &axes)?;
    let mut builder = runs::Builder::new(file, &datasets);
    for combo in combos {
        if !excludes.iter().any(|conds| conds.iter().all(|c| combo.contains(c))) {
            builder.add(&combo)?;
        }
    }
    let (runs, groups) = builder.finish()?;
    let swept = Param::ALL
        .into_iter()
        .filter(|&p| {
            let distinct: HashSet<String> = runs.iter().map(|r| r.value(p).canonical()).collect();
            distinct.len() > 1
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
    if exp.name.trim().is_empty() || exp.name.contains(['/', '\\']) || exp.name == "." || exp.name == ".." {
        return Err(file.error_at(&[Seg::Key("name")], "name must be a non-empty folder name (no slashes)"));
    }
    exp.figures
        .check()
        .map_err(|(key, why)| file.error_at(&[Seg::Key("figures"), Seg::Key(key)], why))?;
    if exp.record.positions == 0 {
        return Err(file.error_at(&[Seg::Key("record"), Seg::Key("positions")], "must be at least 1"));
    }
    Ok(())
}

/// The declared datasets by name, each read and tokenised.
fn resolve_datasets(file: &ExperimentFile) -> Result<BTreeMap<String, Dataset>> {
    let exp = &file.experiment;
    if exp.datasets.is_empty() {
        return Err(file.error_at(&[Seg::Key("datasets")], "declare at least one dataset"));
    }
    let mut datasets = BTreeMap::new();
    for (i, spec) in exp.datasets.iter().enumerate() {
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
