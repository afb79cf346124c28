//! Expands an experiment into its runs: the cartesian product of `grid` and `zip` blocks, minus
//! `exclude`, with defaults filled in and every value checked. Runs that differ only in their
//! seed form a group, which the trainer runs as one replica-batched model.

use crate::data::{self, Dataset};
use crate::error::Result;
use crate::model::init_file::{GivenWeights, WeightsFile};
use crate::model::ModelShape;
use crate::spec::{
    Axes, CellKind, DeviceSpec, ExperimentFile, HeadKind, InitKind, InitValue, Param, ParamValue, RecordSpec, Seg,
};
use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Bumped when the meaning of a configuration changes (initialisation, loss), so that run ids
/// of old results no longer match.
pub const TRAINING_SEMANTICS: &str = "sweeplab-train-v2";

/// One training run: one point of the grid.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunSpec {
    /// Hash of the run's full configuration (not its position in the grid): the first 16 hex
    /// digits of `config_hash`.
    pub id: String,
    /// SHA-256 of the canonical JSON configuration (`RunSpec::canonical_config`).
    pub config_hash: String,
    pub group: usize,
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
    pub seed: u64,
}

/// Runs that differ only in their seed.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSpec {
    pub index: usize,
    pub dataset: String,
    pub cell: CellKind,
    pub hidden: usize,
    pub device: DeviceSpec,
    pub lr: f64,
    pub epochs: usize,
    pub head: HeadKind,
    pub init: InitKind,
    /// For `init: {file: PATH}`: the weights, converted for this group's model.
    pub init_file: Option<Arc<GivenWeights>>,
    /// Indices into `Plan::runs`, in seed order of the expansion.
    pub runs: Vec<usize>,
}

impl GroupSpec {
    pub fn label(&self) -> String {
        let label = format!(
            "{} {}({}) head={} lr={} epochs={} on {}",
            self.dataset,
            self.cell.name(),
            self.hidden,
            self.head.name(),
            crate::spec::fmt_f64(self.lr),
            self.epochs,
            self.device
        );
        match (self.init, &self.init_file) {
            (InitKind::Sweeplab, _) => label,
            (InitKind::File(_), Some(given)) => format!("{label} init=file:{}", given.path),
            (init, _) => format!("{label} init={}", init.name()),
        }
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

type Assignment = Vec<ParamValue>;

/// A list of values for one parameter: a YAML scalar, a sequence, or (for seeds) `"a..b"`.
/// Grid lists must not repeat a value (that would run a point twice); zip lists may.
fn parse_values(
    file: &ExperimentFile,
    path: &[Seg<'_>],
    param: Param,
    v: &Value,
    allow_repeats: bool,
) -> Result<Vec<ParamValue>> {
    let items: Vec<&Value> = match v {
        Value::Sequence(items) => items.iter().collect(),
        other => vec![other],
    };
    if items.is_empty() {
        return Err(file.error_at(path, "empty list; give at least one value"));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut item_path = path.to_vec();
        if matches!(v, Value::Sequence(_)) {
            item_path.push(Seg::Index(i));
        }
        if param == Param::Seed {
            if let Value::String(s) = item {
                let range = parse_range(s).ok_or_else(|| {
                    file.error_at(
                        &item_path,
                        format!("'{s}' is not a seed range; write e.g. 0..25 (25 seeds, 0 to 24)"),
                    )
                })?;
                if range.is_empty() {
                    return Err(file.error_at(&item_path, format!("seed range '{s}' is empty")));
                }
                out.extend(range.map(ParamValue::Seed));
                continue;
            }
        }
        out.push(ParamValue::from_yaml(param, item).map_err(|m| file.error_at(&item_path, m))?);
    }
    let mut seen = HashSet::new();
    for value in out.iter().filter(|_| !allow_repeats) {
        if !seen.insert(value.canonical()) {
            return Err(file.error_at(path, format!("{} is listed twice", value.canonical())));
        }
    }
    Ok(out)
}

fn parse_range(s: &str) -> Option<std::ops::Range<u64>> {
    let (a, b) = s.split_once("..")?;
    Some(a.trim().parse().ok()?..b.trim().parse().ok()?)
}

fn block_axes(
    file: &ExperimentFile,
    axes: &Axes,
    base: &[Seg<'static>],
    zipped: bool,
) -> Result<Vec<(Vec<Param>, Vec<Assignment>)>> {
    let mut lists: Vec<(Param, Vec<ParamValue>)> = Vec::new();
    for (param, value) in axes.entries() {
        let mut path = base.to_vec();
        path.push(Seg::Key(param.name()));
        lists.push((param, parse_values(file, &path, param, value, zipped)?));
    }
    if !zipped {
        return Ok(lists
            .into_iter()
            .map(|(p, vs)| (vec![p], vs.into_iter().map(|v| vec![v]).collect()))
            .collect());
    }
    if lists.is_empty() {
        return Err(file.error_at(base, "a zip block needs at least one parameter"));
    }
    // Scalars broadcast; lists must agree in length.
    let len = lists.iter().map(|(_, v)| v.len()).max().unwrap_or(1);
    for ((param, values), (_, raw)) in lists.iter().zip(axes.entries()) {
        let broadcast = values.len() == 1 && !matches!(raw, Value::Sequence(_));
        if values.len() != len && !broadcast {
            let mut path = base.to_vec();
            path.push(Seg::Key(param.name()));
            return Err(file.error_at(
                &path,
                format!(
                    "zip lists must have equal lengths: {} has {}, another has {len}",
                    param.name(),
                    values.len()
                ),
            ));
        }
    }
    let params = lists.iter().map(|(p, _)| *p).collect();
    let assignments = (0..len)
        .map(|i| {
            lists
                .iter()
                .map(|(_, vs)| vs[if vs.len() == 1 { 0 } else { i }].clone())
                .collect()
        })
        .collect();
    Ok(vec![(params, assignments)])
}

/// Builds the plan: every check that can fail on user input happens here, before any training
/// or any write to the output folder.
pub fn build(file: &ExperimentFile) -> Result<Plan> {
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

    // Datasets.
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

    // Axes: grid parameters (seed last), then zip blocks.
    let mut axes = block_axes(file, &exp.grid, &[Seg::Key("grid")], false)?;
    let seed_axis = axes
        .iter()
        .position(|(p, _)| p == &[Param::Seed])
        .map(|i| axes.remove(i));
    const ZIP_PATHS: [&str; 1] = ["zip"];
    for (i, block) in exp.zip.iter().enumerate() {
        axes.extend(block_axes(file, block, &[Seg::Key(ZIP_PATHS[0]), Seg::Index(i)], true)?);
    }
    axes.extend(seed_axis);

    let mut set_by: HashMap<Param, usize> = HashMap::new();
    for (ai, (params, _)) in axes.iter().enumerate() {
        for p in params {
            if set_by.insert(*p, ai).is_some() {
                return Err(file.error_at(
                    &[Seg::Key("zip")],
                    format!("{} is set twice (in grid and zip, or in two zip blocks)", p.name()),
                ));
            }
        }
    }
    let defaults = [
        (Param::Dataset, None),
        (Param::Device, Some(ParamValue::Device(DeviceSpec::Cpu))),
        (Param::Head, Some(ParamValue::Head(HeadKind::Linear))),
        (Param::Init, Some(ParamValue::Init(InitValue::Kind(InitKind::Sweeplab)))),
    ];
    for (param, default) in defaults {
        if set_by.contains_key(&param) {
            continue;
        }
        let values = match default {
            Some(v) => vec![v],
            None => datasets.keys().map(|k| ParamValue::Dataset(k.clone())).collect(),
        };
        axes.insert(0, (vec![param], values.into_iter().map(|v| vec![v]).collect()));
        set_by.insert(param, usize::MAX);
    }
    for param in [Param::Cell, Param::Hidden, Param::Lr, Param::Epochs, Param::Seed] {
        if !set_by.contains_key(&param) {
            return Err(file.error_at(
                &[Seg::Key("grid")],
                format!(
                    "missing parameter '{}' (set it in grid or in a zip block)",
                    param.name()
                ),
            ));
        }
    }

    // Exclusions.
    let mut excludes: Vec<Vec<ParamValue>> = Vec::new();
    for (i, entry) in exp.exclude.iter().enumerate() {
        let mut conds = Vec::new();
        if entry.is_empty() {
            return Err(file.error_at(
                &[Seg::Key("exclude"), Seg::Index(i)],
                "an empty exclude entry would drop every run",
            ));
        }
        for (key, value) in entry {
            let path = [Seg::Key("exclude"), Seg::Index(i), Seg::Key(key.as_str())];
            let param = Param::parse(key).ok_or_else(|| {
                file.error_at(&path, format!("unknown parameter '{key}' (expected one of dataset, cell, hidden, device, lr, epochs, head, init, seed)"))
            })?;
            conds.push(ParamValue::from_yaml(param, value).map_err(|m| file.error_at(&path, m))?);
        }
        excludes.push(conds);
    }

    // Cartesian product, first axis slowest.
    let mut combos: Vec<Assignment> = vec![Vec::new()];
    for (_, values) in &axes {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for combo in &combos {
            for v in values {
                let mut c = combo.clone();
                c.extend(v.iter().cloned());
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > 1_000_000 {
            return Err(file.error_at(&[Seg::Key("grid")], "the grid expands to more than a million runs"));
        }
    }

    let mut runs: Vec<RunSpec> = Vec::new();
    let mut groups: Vec<GroupSpec> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut ids = HashSet::new();
    let mut fingerprints: HashMap<String, String> = HashMap::new();
    // Weights files by the path the experiment writes, read once.
    let mut weight_files: HashMap<String, WeightsFile> = HashMap::new();
    for combo in combos {
        if excludes.iter().any(|conds| conds.iter().all(|c| combo.contains(c))) {
            continue;
        }
        let get = |p: Param| combo.iter().find(|v| v.param() == p).expect("every parameter is set");
        let dataset = match get(Param::Dataset) {
            ParamValue::Dataset(d) => d.clone(),
            _ => unreachable!(),
        };
        let ds = datasets.get(&dataset).ok_or_else(|| {
            let place = if set_by.get(&Param::Dataset) == Some(&usize::MAX) {
                "grid"
            } else {
                "grid.dataset"
            };
            file.error_at(
                &locate_param(&exp.zip, Param::Dataset),
                format!(
                    "unknown dataset '{dataset}' in {place} (declared: {})",
                    datasets.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let init_value = match get(Param::Init) {
            ParamValue::Init(i) => i.clone(),
            _ => unreachable!("values are typed by their parameter"),
        };
        let init = match &init_value {
            InitValue::Kind(kind) => *kind,
            InitValue::File(rel) => {
                if !weight_files.contains_key(rel) {
                    let path = file.base_dir().join(rel);
                    let loaded = WeightsFile::load(&path).map_err(|e| {
                        file.error_at(
                            &locate_init_file(exp, rel),
                            format!("cannot read weights file {}: {e}", path.display()),
                        )
                    })??;
                    weight_files.insert(rel.clone(), loaded);
                }
                InitKind::File(weight_files[rel].digest)
            }
        };
        let (cell, hidden, device, lr, epochs, head, seed) = match (
            get(Param::Cell),
            get(Param::Hidden),
            get(Param::Device),
            get(Param::Lr),
            get(Param::Epochs),
            get(Param::Head),
            get(Param::Seed),
        ) {
            (
                ParamValue::Cell(c),
                ParamValue::Hidden(h),
                ParamValue::Device(d),
                ParamValue::Lr(l),
                ParamValue::Epochs(e),
                ParamValue::Head(hd),
                ParamValue::Seed(s),
            ) => (*c, *h, *d, *l, *e, *hd, *s),
            _ => unreachable!("values are typed by their parameter"),
        };
        if head == HeadKind::None && hidden != ds.vocab.len() {
            return Err(file.error_at(
                &locate_param(&exp.zip, Param::Head),
                format!(
                    "head: none uses the hidden state as logits, so hidden must equal the vocabulary size of '{dataset}' ({}), got hidden {hidden}",
                    ds.vocab.len()
                ),
            ));
        }
        let fingerprint = fingerprints
            .entry(dataset.clone())
            .or_insert_with(|| ds.fingerprint())
            .clone();
        let config = canonical_config(&fingerprint, cell, hidden, device, lr, epochs, head, init, seed);
        let config_hash: String = Sha256::digest(config.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let id = config_hash[..16].to_string();
        if !ids.insert(id.clone()) {
            return Err(file.error_at(&[Seg::Key("grid")], format!("run {id} appears twice in the expansion")));
        }
        let key =
            format!("{dataset}\u{1}{cell:?}\u{1}{hidden}\u{1}{device}\u{1}{lr}\u{1}{epochs}\u{1}{head:?}\u{1}{init:?}");
        let gi = match group_of.get(&key) {
            Some(&gi) => gi,
            None => {
                // A weights file must fit this group's model exactly.
                let init_file = match &init_value {
                    InitValue::File(rel) => {
                        let shape = ModelShape {
                            cell,
                            vocab: ds.vocab.len(),
                            hidden,
                            head,
                        };
                        Some(Arc::new(weight_files[rel].given(rel, &shape, &dataset)?))
                    }
                    InitValue::Kind(_) => None,
                };
                groups.push(GroupSpec {
                    index: groups.len(),
                    dataset: dataset.clone(),
                    cell,
                    hidden,
                    device,
                    lr,
                    epochs,
                    head,
                    init,
                    init_file,
                    runs: Vec::new(),
                });
                group_of.insert(key, groups.len() - 1);
                groups.len() - 1
            }
        };
        groups[gi].runs.push(runs.len());
        runs.push(RunSpec {
            id,
            config_hash,
            group: gi,
            dataset,
            cell,
            hidden,
            device,
            lr,
            epochs,
            head,
            init,
            seed,
        });
    }
    if runs.is_empty() {
        return Err(file.error_at(&[Seg::Key("exclude")], "every combination is excluded; nothing to run"));
    }
    // Given weights leave the seed nothing to do: several seeds would be identical runs,
    // counted as independent restarts by every statistic.
    for group in &groups {
        if let (Some(given), [_, _, ..]) = (&group.init_file, group.runs.as_slice()) {
            let mut seeds: Vec<String> = group.runs.iter().take(3).map(|&r| runs[r].seed.to_string()).collect();
            if group.runs.len() > 3 {
                seeds.push("...".into());
            }
            return Err(file.error_at(
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

    let swept = Param::ALL
        .into_iter()
        .filter(|&p| {
            let distinct: HashSet<String> = runs.iter().map(|r| r.value(p).canonical()).collect();
            distinct.len() > 1
        })
        .collect();

    Ok(Plan {
        experiment: exp.name.clone(),
        datasets,
        runs,
        groups,
        record: exp.record.clone(),
        swept,
    })
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
        match &axes.init {
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

/// The canonical JSON text of a run's configuration; its hash is the run's identity.
#[allow(clippy::too_many_arguments)]
pub fn canonical_config(
    dataset_fingerprint: &str,
    cell: CellKind,
    hidden: usize,
    device: DeviceSpec,
    lr: f64,
    epochs: usize,
    head: HeadKind,
    init: InitKind,
    seed: u64,
) -> String {
    let mut canonical = serde_json::json!({
        "semantics": TRAINING_SEMANTICS,
        "dataset": dataset_fingerprint,
        "cell": cell.name(),
        "hidden": hidden,
        "device": device.to_string(),
        "lr": lr,
        "epochs": epochs,
        "head": head.name(),
        "seed": seed,
    });
    // Only when not the default, so that the ids of runs from before `init` existed still hold.
    match init {
        InitKind::Sweeplab => {}
        InitKind::Torch => canonical["init"] = "torch".into(),
        // The file's content, not its path: editing the weights retrains, moving the file does not.
        InitKind::File(digest) => {
            canonical["init"] = "file".into();
            canonical["init_file_sha256"] = digest.to_string().into();
        }
    }
    canonical.to_string()
}

impl RunSpec {
    pub fn value(&self, p: Param) -> ParamValue {
        match p {
            Param::Dataset => ParamValue::Dataset(self.dataset.clone()),
            Param::Cell => ParamValue::Cell(self.cell),
            Param::Hidden => ParamValue::Hidden(self.hidden),
            Param::Device => ParamValue::Device(self.device),
            Param::Lr => ParamValue::Lr(self.lr),
            Param::Epochs => ParamValue::Epochs(self.epochs),
            Param::Head => ParamValue::Head(self.head),
            Param::Init => ParamValue::Init(InitValue::Kind(self.init)),
            Param::Seed => ParamValue::Seed(self.seed),
        }
    }
}
