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
                // Counted before anything is allocated: `0..10000000000` must not reach memory.
                let total = (range.end - range.start).saturating_add(out.len() as u64);
                if total > MAX_RUNS as u64 {
                    return Err(file.error_at(
                        &item_path,
                        format!("{total} seeds; a plan holds at most {MAX_RUNS} runs"),
                    ));
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

/// The number of points of the cartesian product of the axes, computed from their lengths
/// (checked arithmetic), so that an oversized grid is refused before any of it is built.
pub(super) fn product_size(file: &ExperimentFile, axes: &[Axis]) -> Result<usize> {
    let size = axes
        .iter()
        .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()))
        .filter(|&n| n <= MAX_RUNS);
    size.ok_or_else(|| {
        let lengths: Vec<String> = axes
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(p, v)| {
                format!(
                    "{} {}",
                    v.len(),
                    p.iter().map(|p| p.name()).collect::<Vec<_>>().join("+")
                )
            })
            .collect();
        file.error_at(
            &[Seg::Key("grid")],
            format!(
                "the grid expands to more than {MAX_RUNS} runs ({}); a plan holds at most {MAX_RUNS}",
                lengths.join(" x ")
            ),
        )
    })
}

/// Calls `f` with every point of the cartesian product of the axes, first axis slowest, one
/// point at a time (the product itself is never held), and the index of the first value that
/// differs from the previous point's (0 for the first point): only the axes that turned are
/// rebuilt, which for a million seeds is the seed alone.
pub(super) fn for_each_combo(axes: &[Axis], mut f: impl FnMut(&[ParamValue], usize) -> Result<()>) -> Result<()> {
    if axes.iter().any(|(_, values)| values.is_empty()) {
        return Ok(());
    }
    let mut index = vec![0usize; axes.len()];
    // Where each axis's values start in the point.
    let mut starts = Vec::with_capacity(axes.len());
    let mut combo: Vec<ParamValue> = Vec::new();
    for (_, values) in axes {
        starts.push(combo.len());
        combo.extend(values[0].iter().cloned());
    }
    let mut changed = 0;
    loop {
        f(&combo, changed)?;
        // The odometer: the last axis turns fastest.
        let mut axis = axes.len();
        loop {
            if axis == 0 {
                return Ok(());
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < axes[axis].1.len() {
                break;
            }
            index[axis] = 0;
        }
        changed = starts[axis];
        combo.truncate(changed);
        for ((_, values), &i) in axes[axis..].iter().zip(&index[axis..]) {
            combo.extend(values[i].iter().cloned());
        }
    }
}
