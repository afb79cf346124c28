//! The runs and groups of a plan, one assignment at a time: each value checked against the
//! dataset it trains on, weights files read once, run ids from the canonical configuration,
//! groups by everything but the seed.

use super::axes::Assignment;
use super::identity::{canonical_config, group_key};
use super::{GroupSpec, RunConfig, RunSpec};
use crate::data::Dataset;
use crate::error::Result;
use crate::model::init_file::WeightsFile;
use crate::model::ModelShape;
use crate::spec::{Axes, ExperimentFile, HeadKind, InitKind, InitValue, Param, ParamValue, Seg};
use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

pub(super) struct Builder<'a> {
    file: &'a ExperimentFile,
    datasets: &'a BTreeMap<String, Dataset>,
    runs: Vec<RunSpec>,
    groups: Vec<GroupSpec>,
    group_of: HashMap<String, usize>,
    ids: HashSet<String>,
    fingerprints: HashMap<String, String>,
    /// Weights files by the path the experiment writes, read once.
    weight_files: HashMap<String, WeightsFile>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(file: &'a ExperimentFile, datasets: &'a BTreeMap<String, Dataset>) -> Self {
        Self {
            file,
            datasets,
            runs: Vec::new(),
            groups: Vec::new(),
            group_of: HashMap::new(),
            ids: HashSet::new(),
            fingerprints: HashMap::new(),
            weight_files: HashMap::new(),
        }
    }

    /// Adds the run of one assignment of every parameter.
    pub(super) fn add(&mut self, combo: &Assignment) -> Result<()> {
        let get = |p: Param| combo.iter().find(|v| v.param() == p).expect("every parameter is set");
        let (ParamValue::Dataset(dataset), ParamValue::Init(init_value), ParamValue::Seed(seed)) =
            (get(Param::Dataset), get(Param::Init), get(Param::Seed))
        else {
            unreachable!("values are typed by their parameter")
        };
        let ds = self.dataset(dataset)?;
        let init = self.resolve_init(init_value)?;
        let config = RunConfig::from_values(combo, init);
        self.check_against_dataset(&config, ds)?;
        let fingerprint = self
            .fingerprints
            .entry(config.dataset.clone())
            .or_insert_with(|| ds.fingerprint())
            .clone();
        let config_hash: String = Sha256::digest(canonical_config(&fingerprint, &config, *seed).as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let id = config_hash[..16].to_string();
        if !self.ids.insert(id.clone()) {
            return Err(self
                .file
                .error_at(&[Seg::Key("grid")], format!("run {id} appears twice in the expansion")));
        }
        let group = self.group(&config, init_value)?;
        self.groups[group].runs.push(self.runs.len());
        self.runs.push(RunSpec {
            id,
            config_hash,
            group,
            config,
            seed: *seed,
        });
        Ok(())
    }

    /// The runs and groups, after the checks that need whole groups.
    pub(super) fn finish(self) -> Result<(Vec<RunSpec>, Vec<GroupSpec>)> {
        let exp = &self.file.experiment;
        if self.runs.is_empty() {
            return Err(self
                .file
                .error_at(&[Seg::Key("exclude")], "every combination is excluded; nothing to run"));
        }
        // Given weights leave the seed nothing to do: several seeds would be identical runs,
        // counted as independent restarts by every statistic.
        for group in &self.groups {
            if let (Some(given), [_, _, ..]) = (&group.init_file, group.runs.as_slice()) {
                let mut seeds: Vec<String> = group
                    .runs
                    .iter()
                    .take(3)
                    .map(|&r| self.runs[r].seed.to_string())
                    .collect();
                if group.runs.len() > 3 {
                    seeds.push("...".into());
                }
                return Err(self.file.error_at(
                    &locate_init_file(exp, &given.path),
                    format!(
                        "weights from a file are the same for every seed, so the {} seeds ({}) of {} would train identically; give it one seed",
                        group.runs.len(),
                        seeds.join(", "),
                        group.label(),
                    ),
                ));
            }
        }
        Ok((self.runs, self.groups))
    }

    fn dataset(&self, name: &str) -> Result<&'a Dataset> {
        let exp = &self.file.experiment;
        self.datasets.get(name).ok_or_else(|| {
            let set_by_experiment = exp
                .zip
                .iter()
                .chain([&exp.grid])
                .any(|axes| axes.get(Param::Dataset).is_some());
            let place = if set_by_experiment { "grid.dataset" } else { "grid" };
            self.file.error_at(
                &locate_param(&exp.zip, Param::Dataset),
                format!(
                    "unknown dataset '{name}' in {place} (declared: {})",
                    self.datasets.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// The checks of a configuration that need its dataset.
    fn check_against_dataset(&self, config: &RunConfig, ds: &Dataset) -> Result<()> {
        if config.head == HeadKind::None && config.hidden != ds.vocab.len() {
            return Err(self.file.error_at(
                &locate_param(&self.file.experiment.zip, Param::Head),
                format!(
                    "head: none uses the hidden state as logits, so hidden must equal the vocabulary size of '{}' ({}), got hidden {}",
                    config.dataset,
                    ds.vocab.len(),
                    config.hidden
                ),
            ));
        }
        Ok(())
    }

    /// `init` as written, resolved: a weights file is read (once) and known by its digest.
    fn resolve_init(&mut self, value: &InitValue) -> Result<InitKind> {
        let rel = match value {
            InitValue::Kind(kind) => return Ok(*kind),
            InitValue::File(rel) => rel,
        };
        if !self.weight_files.contains_key(rel) {
            let path = self.file.base_dir().join(rel);
            let loaded = WeightsFile::load(&path).map_err(|e| {
                self.file.error_at(
                    &locate_init_file(&self.file.experiment, rel),
                    format!("cannot read weights file {}: {e}", path.display()),
                )
            })??;
            self.weight_files.insert(rel.clone(), loaded);
        }
        Ok(InitKind::File(self.weight_files[rel].digest))
    }

    /// The group of `config`, created on its first run (a weights file must fit its model).
    fn group(&mut self, config: &RunConfig, init_value: &InitValue) -> Result<usize> {
        let key = group_key(config);
        if let Some(&g) = self.group_of.get(&key) {
            return Ok(g);
        }
        let init_file = match init_value {
            InitValue::File(rel) => {
                let shape = ModelShape {
                    cell: config.cell,
                    vocab: self.datasets[&config.dataset].vocab.len(),
                    hidden: config.hidden,
                    head: config.head,
                };
                Some(Arc::new(self.weight_files[rel].given(rel, &shape, &config.dataset)?))
            }
            InitValue::Kind(_) => None,
        };
        self.groups.push(GroupSpec {
            index: self.groups.len(),
            config: config.clone(),
            init_file,
            runs: Vec::new(),
        });
        self.group_of.insert(key, self.groups.len() - 1);
        Ok(self.groups.len() - 1)
    }
}

/// Where the experiment names the weights file `rel`: `grid.init.file`, `grid.init[1].file`,
/// `zip[0].init[2].file`, ...
fn locate_init_file(exp: &crate::spec::Experiment, rel: &str) -> Vec<Seg<'static>> {
    let names = |v: &Value| matches!(ParamValue::from_yaml(Param::Init, v), Ok(ParamValue::Init(InitValue::File(p))) if p == rel);
    let blocks = std::iter::once((vec![Seg::Key("grid")], &exp.grid)).chain(
        exp.zip
            .iter()
            .enumerate()
            .map(|(i, b)| (vec![Seg::Key("zip"), Seg::Index(i)], b)),
    );
    for (mut path, axes) in blocks {
        path.push(Seg::Key("init"));
        match axes.get(Param::Init) {
            Some(Value::Sequence(items)) => {
                if let Some(i) = items.iter().position(names) {
                    path.extend([Seg::Index(i), Seg::Key("file")]);
                    return path;
                }
            }
            Some(v) if names(v) => {
                path.push(Seg::Key("file"));
                return path;
            }
            _ => {}
        }
    }
    locate_param(&exp.zip, Param::Init)
}

fn locate_param(zip: &[Axes], param: Param) -> Vec<Seg<'static>> {
    for (i, block) in zip.iter().enumerate() {
        if block.entries().iter().any(|(p, _)| *p == param) {
            return vec![Seg::Key("zip"), Seg::Index(i), Seg::Key(param.name())];
        }
    }
    vec![Seg::Key("grid"), Seg::Key(param.name())]
}
