//! The runs and groups of a plan, one assignment at a time: each value checked against the
//! dataset it trains on, weights files read once, run ids from the canonical configuration,
//! groups by everything but the seed.

use super::data_fit::data_problem;
use super::identity::canonical_config;
use super::locate::locate_param;
use super::{ConfigHash, GroupSpec, RunConfig, RunSpec};
use crate::data::Dataset;
use crate::error::Result;
use crate::model::init_file::WeightsFile;
use crate::spec::{ExperimentFile, HeadKind, InitKind, InitValue, Param, ParamValue, Seg};
use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

pub(super) struct Builder<'a> {
    file: &'a ExperimentFile,
    datasets: &'a BTreeMap<String, Dataset>,
    runs: Vec<RunSpec>,
    groups: Vec<GroupSpec>,
    /// Groups by the SHA-256 of their key (see `group`).
    group_of: HashMap<[u8; 32], usize>,
    /// The first 8 bytes of every run's hash: its id, as a number (already uniform, so it is
    /// its own hash).
    ids: HashSet<u64, BuildHasherDefault<IdentityHasher>>,
    fingerprints: HashMap<String, String>,
    /// Weights files by the path the experiment writes, read once.
    weight_files: HashMap<String, WeightsFile>,
    /// Optimiser arguments and model options set to something else than their default for
    /// some run that takes them.
    applied: HashSet<Param>,
    /// Optimiser arguments and model options reset for a run that does not take them, with
    /// what did not (`optimizer adam (only to sgd, rmsprop)`).
    reset: BTreeMap<Param, String>,
    /// The configuration of the previous assignment: consecutive assignments usually differ
    /// in their seed only (the seed axis turns fastest), and then share everything else.
    last: Option<Configured>,
}

/// Hashes a `u64` that is a digest's prefix as itself.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// `n` in decimal digits, written into `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// An assignment's configuration, everything but its seed worked out.
struct Configured {
    config: Arc<RunConfig>,
    group: usize,
    /// The canonical configuration's text before and after the seed's digits.
    canonical: (String, String),
}

impl<'a> Builder<'a> {
    /// A builder for a plan of at most `capacity` runs.
    pub(super) fn new(file: &'a ExperimentFile, datasets: &'a BTreeMap<String, Dataset>, capacity: usize) -> Self {
        Self {
            file,
            datasets,
            runs: Vec::with_capacity(capacity),
            groups: Vec::new(),
            group_of: HashMap::new(),
            ids: HashSet::with_capacity_and_hasher(capacity, Default::default()),
            fingerprints: HashMap::new(),
            weight_files: HashMap::new(),
            last: None,
            applied: HashSet::new(),
            reset: BTreeMap::new(),
        }
    }

    /// Adds the run of one assignment of every parameter.
    /// `changed`: the index of the first value of `combo` that may differ from the previous
    /// assignment added.
    pub(super) fn add(&mut self, combo: &[ParamValue], changed: usize) -> Result<()> {
        let Some(&ParamValue::Seed(seed)) = combo.iter().rev().find(|v| v.param() == Param::Seed) else {
            unreachable!("every parameter is set")
        };
        let last_config_value = combo.iter().rposition(|v| v.param() != Param::Seed);
        let same = self.last.is_some() && last_config_value.is_none_or(|i| i < changed);
        if !same {
            self.last = Some(self.configure(combo)?);
        }
        let last = self.last.as_ref().expect("configured above");
        let mut hasher = Sha256::new();
        hasher.update(last.canonical.0.as_bytes());
        let mut digits = [0u8; 20];
        hasher.update(decimal(seed, &mut digits));
        hasher.update(last.canonical.1.as_bytes());
        let config_hash = ConfigHash(hasher.finalize().into());
        let id = config_hash.id();
        let number = u64::from_be_bytes(config_hash.0[..8].try_into().expect("8 bytes"));
        if !self.ids.insert(number) {
            return Err(self
                .file
                .error_at(&[Seg::Key("grid")], format!("run {id} appears twice in the expansion")));
        }
        self.groups[last.group].runs.push(self.runs.len());
        self.runs.push(RunSpec {
            id,
            config_hash,
            group: last.group,
            config: last.config.clone(),
            seed,
        });
        Ok(())
    }

    /// Everything about an assignment but its seed: configuration (checked against its
    /// dataset), group, and the canonical text around the seed.
    fn configure(&mut self, combo: &[ParamValue]) -> Result<Configured> {
        let get = |p: Param| combo.iter().find(|v| v.param() == p).expect("every parameter is set");
        let (ParamValue::Dataset(dataset), ParamValue::Init(init_value)) = (get(Param::Dataset), get(Param::Init))
        else {
            unreachable!("values are typed by their parameter")
        };
        let ds = self.dataset(dataset)?;
        let init = self.resolve_init(init_value)?;
        let mut config = RunConfig::from_values(combo, init);
        self.check_against_dataset(&config, ds)?;
        self.normalize_options(&mut config)?;
        let fingerprint = self
            .fingerprints
            .entry(config.dataset.clone())
            .or_insert_with(|| ds.fingerprint())
            .clone();
        let canonical = canonical_around_seed(&fingerprint, &config);
        let config = Arc::new(config);
        let group = self.group(&config, init_value, &canonical)?;
        Ok(Configured {
            config,
            group,
            canonical,
        })
    }

    /// The runs and groups, after the checks that need whole groups.
    pub(super) fn finish(self) -> Result<(Vec<RunSpec>, Vec<GroupSpec>)> {
        let exp = &self.file.experiment;
        if self.runs.is_empty() {
            return Err(self
                .file
                .error_at(&[Seg::Key("exclude")], "every combination is excluded; nothing to run"));
        }
        // An optimiser argument or model option that applies to none of the runs is a mistake,
        // not a default.
        if let Some((&p, why)) = self.reset.iter().find(|(p, _)| !self.applied.contains(p)) {
            return Err(self.file.error_at(
                &locate_param(&exp.zip, p),
                format!("{} does not apply to {why}", p.name()),
            ));
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

    /// The optimiser's arguments and model options that do not apply to this run (to its
    /// optimiser, schedule or model), reset to their defaults before the run's id is computed
    /// (remembered, to refuse one that applies to no run at all in `finish`).
    fn normalize_options(&mut self, config: &mut RunConfig) -> Result<()> {
        let (optimizer, reset) = config.optimizer.normalized();
        let (model, model_reset) = config.model.normalized(config.cell);
        if let Some((p, why)) = optimizer.problem(config.epochs) {
            return Err(self.file.error_at(&locate_param(&self.file.experiment.zip, p), why));
        }
        config.optimizer = optimizer;
        config.model = model;
        for p in Param::ALL {
            let option = optimizer.value(p).or_else(|| model.value(p));
            if option.is_some() && config.applies(p) && option != p.decl().default_value() {
                self.applied.insert(p);
            }
        }
        for p in reset {
            self.reset.entry(p).or_insert_with(|| optimizer.not_taking(p));
        }
        for p in model_reset {
            self.reset.entry(p).or_insert_with(|| model.not_taking(config.cell, p));
        }
        Ok(())
    }

    /// The checks of a configuration that need its dataset.
    fn check_against_dataset(&self, config: &RunConfig, ds: &Dataset) -> Result<()> {
        if let Some((param, why)) = data_problem(&config.model, ds, &config.dataset) {
            return Err(self.file.error_at(&locate_param(&self.file.experiment.zip, param), why));
        }
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
    /// Its key is its canonical text without the seed, plus the dataset's name (two datasets
    /// of equal content are two groups), hashed: 32 bytes per group however many there are.
    fn group(
        &mut self,
        config: &Arc<RunConfig>,
        init_value: &InitValue,
        canonical: &(String, String),
    ) -> Result<usize> {
        let mut hasher = Sha256::new();
        for part in [config.dataset.as_str(), &canonical.0, &canonical.1] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let key: [u8; 32] = hasher.finalize().into();
        if let Some(&g) = self.group_of.get(&key) {
            return Ok(g);
        }
        let init_file = match init_value {
            InitValue::File(rel) => {
                let shape = config.model_shape(self.datasets[&config.dataset].vocab.len());
                Some(Arc::new(self.weight_files[rel].given(rel, &shape, &config.dataset)?))
            }
            InitValue::Kind(_) => None,
        };
        self.groups.push(GroupSpec {
            index: self.groups.len(),
            config: Arc::clone(config),
            init_file,
            runs: Vec::new(),
        });
        self.group_of.insert(key, self.groups.len() - 1);
        Ok(self.groups.len() - 1)
    }
}

/// The canonical configuration of `config` ([`canonical_config`]) split around its seed's
/// digits: a run's text is the first part, its seed, the second part. Exact, because the seed
/// is one number under one key and no other value holds the mark's digits (names enter as
/// digests, numbers as themselves); `tests/plan.rs` compares ids with whole texts.
fn canonical_around_seed(fingerprint: &str, config: &RunConfig) -> (String, String) {
    const MARK: u64 = 9_876_543_210_123_456_789;
    let text = canonical_config(fingerprint, config, MARK);
    let mark = MARK.to_string();
    let at = text
        .find(&format!("\"seed\":{mark}"))
        .expect("the seed is in the canonical text")
        + "\"seed\":".len();
    let parts = (text[..at].to_string(), text[at + mark.len()..].to_string());
    debug_assert_eq!(
        format!("{}0{}", parts.0, parts.1),
        canonical_config(fingerprint, config, 0)
    );
    parts
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
