//! The axes of an experiment: the lists of values of `grid` and of each `zip` block, the
//! defaults of the parameters it does not set (from their declarations), the exclusions, and
//! their cartesian product.

use crate::data::Dataset;
use crate::error::Result;
use crate::spec::{Axes, ExperimentFile, Param, ParamDefault, ParamValue, Seg, PARAMS};
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, HashSet};

/// One value of each parameter of an axis.
pub(super) type Assignment = Vec<ParamValue>;

/// Parameters that vary together, and their assignments (one axis of the product).
pub(super) type Axis = (Vec<Param>, Vec<Assignment>);

/// The product is refused beyond this many runs.
const MAX_RUNS: usize = 1_000_000;

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

fn block_axes(file: &ExperimentFile, axes: &Axes, base: &[Seg<'static>], zipped: bool) -> Result<Vec<Axis>> {
    if let Some(key) = axes.unknown_keys().into_iter().next() {
        let mut path: Vec<Seg<'_>> = base.to_vec();
        path.push(Seg::Key(&key));
        return Err(file.error_at(
            &path,
            format!("unknown parameter '{key}' (expected one of {})", Param::names()),
        ));
    }
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

/// Every axis: the grid's parameters (the seed last), then the zip blocks, with the defaults of
/// the parameters neither sets in front; a required parameter missing is an error.
pub(super) fn axes(file: &ExperimentFile, datasets: &BTreeMap<String, Dataset>) -> Result<Vec<Axis>> {
    let exp = &file.experiment;
    let mut axes = block_axes(file, &exp.grid, &[Seg::Key("grid")], false)?;
    let seed_axis = axes
        .iter()
        .position(|(p, _)| p == &[Param::Seed])
        .map(|i| axes.remove(i));
    for (i, block) in exp.zip.iter().enumerate() {
        axes.extend(block_axes(file, block, &[Seg::Key("zip"), Seg::Index(i)], true)?);
    }
    axes.extend(seed_axis);

    let mut set: HashSet<Param> = HashSet::new();
    for (params, _) in &axes {
        for p in params {
            if !set.insert(*p) {
                return Err(file.error_at(
                    &[Seg::Key("zip")],
                    format!("{} is set twice (in grid and zip, or in two zip blocks)", p.name()),
                ));
            }
        }
    }
    // Each default axis is inserted first, so they end up in front in reverse declaration
    // order (the last declared varies slowest).
    for decl in PARAMS.iter().filter(|d| !set.contains(&d.param)) {
        let values: Vec<ParamValue> = match decl.default {
            ParamDefault::Required => {
                return Err(file.error_at(
                    &[Seg::Key("grid")],
                    format!("missing parameter '{}' (set it in grid or in a zip block)", decl.name),
                ))
            }
            ParamDefault::EveryDataset => datasets.keys().map(|k| ParamValue::Dataset(k.clone())).collect(),
            ParamDefault::Value(default) => vec![default()],
        };
        axes.insert(0, (vec![decl.param], values.into_iter().map(|v| vec![v]).collect()));
    }
    Ok(axes)
}

/// The `exclude` entries, each a list of values a run must all have to be dropped.
pub(super) fn excludes(file: &ExperimentFile) -> Result<Vec<Vec<ParamValue>>> {
    let mut excludes = Vec::new();
    for (i, entry) in file.experiment.exclude.iter().enumerate() {
        if entry.is_empty() {
            return Err(file.error_at(
                &[Seg::Key("exclude"), Seg::Index(i)],
                "an empty exclude entry would drop every run",
            ));
        }
        let mut conds = Vec::new();
        for (key, value) in entry {
            let path = [Seg::Key("exclude"), Seg::Index(i), Seg::Key(key.as_str())];
            let param = Param::parse(key).ok_or_else(|| {
                file.error_at(
                    &path,
                    format!("unknown parameter '{key}' (expected one of {})", Param::names()),
                )
            })?;
            conds.push(ParamValue::from_yaml(param, value).map_err(|m| file.error_at(&path, m))?);
        }
        excludes.push(conds);
    }
    Ok(excludes)
}

/// The cartesian product of the axes, first axis slowest.
pub(super) fn product(file: &ExperimentFile, axes: &[Axis]) -> Result<Vec<Assignment>> {
    let mut combos: Vec<Assignment> = vec![Vec::new()];
    for (_, values) in axes {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for combo in &combos {
            for v in values {
                let mut c = combo.clone();
                c.extend(v.iter().cloned());
                next.push(c);
            }
        }
        combos = next;
        if combos.len() > MAX_RUNS {
            return Err(file.error_at(&[Seg::Key("grid")], "the grid expands to more than a million runs"));
        }
    }
    Ok(combos)
}
