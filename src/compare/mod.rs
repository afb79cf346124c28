//! `sweeplab compare`: the same experiment run on two devices (or two machines), side by side.
//!
//! Runs that differ only in their device form pairs (same dataset, cell, hidden size, learning
//! rate, epochs, head, init and seed). Per pair: the absolute difference of the final losses
//! (`runs.csv`) and the largest absolute difference of the stored softmax probabilities
//! (`states.csv`, kind `prob`, the first `record.positions` positions), and whether each run
//! succeeded. Per group (pairs grouped by everything but the seed): the success count on each
//! side and whether it changed. Reads only the stored CSVs and experiment; knows nothing of burn.
//!
//! `render` draws the tables (terminal, and the cells the report's markdown and HTML use) and
//! writes the per-run CSV.

mod render;

pub use render::{fmt_diff, write_csv, Table, CSV_COLUMNS};

use crate::error::{Error, Result};
use crate::folder::{read_states, ResultsFolder, RunRow, STATES_CSV};
use crate::record::RunStatus;
use crate::spec::{Param, PARAMS};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One run of a pair, as `runs.csv` stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSide {
    pub run_id: String,
    pub device: String,
    pub status: RunStatus,
    /// Why the run failed (the `error` column); empty otherwise.
    pub error: String,
    pub final_loss: f32,
    pub success: bool,
}

/// Two runs with the same configuration but for the device (or the results folder).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The group the pair belongs to: everything but the seed (and the device).
    pub group: String,
    pub dataset: String,
    pub cell: String,
    pub hidden: String,
    pub lr: String,
    pub epochs: String,
    pub head: String,
    pub init: String,
    pub seed: u64,
    /// `None` when the other side has this run but this side does not.
    pub a: Option<RunSide>,
    pub b: Option<RunSide>,
    /// |final loss A - final loss B|; `None` unless both runs trained (NaN if one diverged).
    pub loss_diff: Option<f64>,
    /// max |P_A - P_B| over the stored probabilities both runs have; `None` if there are none.
    pub prob_diff: Option<f64>,
    /// How many probability values entered `prob_diff`.
    pub prob_values: usize,
}

impl Pair {
    /// `ok` (both trained), `diverged`, `failed` (either run failed), `missing_a`, `missing_b`.
    pub fn state(&self) -> &'static str {
        match (&self.a, &self.b) {
            (None, _) => "missing_a",
            (_, None) => "missing_b",
            (Some(a), Some(b)) if a.status == RunStatus::Failed || b.status == RunStatus::Failed => "failed",
            (Some(a), Some(b)) if a.status != RunStatus::Ok || b.status != RunStatus::Ok => "diverged",
            _ => "ok",
        }
    }

    /// Both runs trained (present, not failed).
    pub fn both_trained(&self) -> bool {
        let trained = |s: &Option<RunSide>| s.as_ref().is_some_and(|s| s.status != RunStatus::Failed);
        trained(&self.a) && trained(&self.b)
    }

    /// Both runs trained and exactly one of them succeeded.
    pub fn success_changed(&self) -> bool {
        self.both_trained() && self.a.as_ref().map(|s| s.success) != self.b.as_ref().map(|s| s.success)
    }
}

/// The pairs of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupComparison {
    pub key: String,
    pub pairs: usize,
    /// Runs present on each side (failed ones included).
    pub runs_a: usize,
    pub runs_b: usize,
    pub successes_a: usize,
    pub successes_b: usize,
    pub failed_a: usize,
    pub failed_b: usize,
    pub diverged_a: usize,
    pub diverged_b: usize,
    /// Pairs in which both runs trained, and their successes on each side.
    pub trained_pairs: usize,
    pub trained_successes_a: usize,
    pub trained_successes_b: usize,
    /// Pairs in which both runs trained and exactly one succeeded.
    pub flips: usize,
    pub max_loss_diff: Option<f64>,
    pub max_prob_diff: Option<f64>,
}

impl GroupComparison {
    /// How the success count changed from A to B over the pairs in which both runs trained
    /// (a failed run says nothing about numerics); `None` when there are no such pairs.
    pub fn change(&self) -> Option<i64> {
        (self.trained_pairs > 0).then(|| self.trained_successes_b as i64 - self.trained_successes_a as i64)
    }
}

/// One side of a comparison: a device in a results folder, or a whole folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// Short name used in column headings (`cpu`, `cuda:0`, or a folder name).
    pub label: String,
    pub dir: PathBuf,
    /// The devices of this side's runs, in order of first appearance.
    pub devices: Vec<String>,
}

/// Everything `compare` prints and writes, for one pair of sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub experiment: String,
    /// Both sides are devices of one results folder (`compare DIR`).
    pub within: bool,
    pub a: Side,
    pub b: Side,
    pub pairs: Vec<Pair>,
    pub groups: Vec<GroupComparison>,
}

/// The devices of a folder's runs, in order of first appearance.
pub fn devices(rows: &[RunRow]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r.device) {
            out.push(r.device.clone());
        }
    }
    out
}

/// Pairs the runs of one folder across devices: every further device against the first one.
pub fn within(folder: &ResultsFolder) -> Result<Vec<Comparison>> {
    let devs = devices(&folder.runs);
    if devs.len() < 2 {
        return Err(Error::Other(format!(
            "{}: every run is on one device ({}); compare needs the runs on two devices (e.g. `device: [cpu, cuda]` in the grid) or two results folders",
            folder.dir.display(),
            if devs.is_empty() { "no runs".to_string() } else { devs[0].clone() }
        )));
    }
    let rows: Vec<&RunRow> = folder.runs.iter().collect();
    let probs = read_probs(&folder.dir)?;
    let on = |d: &str| rows.iter().copied().filter(|r| r.device == d).collect::<Vec<_>>();
    let reference = on(&devs[0]);
    let side = |d: &String| Side {
        label: d.clone(),
        dir: folder.dir.clone(),
        devices: vec![d.clone()],
    };
    devs[1..]
        .iter()
        .map(|d| {
            let inputs = SideInputs {
                rows: &reference,
                probs: &probs,
            };
            let other = on(d);
            let other_inputs = SideInputs {
                rows: &other,
                probs: &probs,
            };
            build(
                &folder.experiment.experiment.name,
                side(&devs[0]),
                side(d),
                inputs,
                other_inputs,
                false,
            )
        })
        .collect()
}

/// Pairs the runs of two folders of the same experiment (run on different machines or devices)
/// by their configuration except the device. If either folder holds several devices, runs pair
/// only with the same device in the other folder.
pub fn between(a: &ResultsFolder, b: &ResultsFolder) -> Result<Comparison> {
    if a.dir.canonicalize().ok() == b.dir.canonicalize().ok() {
        return Err(Error::Other(format!(
            "{}: the same results folder twice; to compare its devices, name it once",
            a.dir.display()
        )));
    }
    let (name_a, name_b) = (&a.experiment.experiment.name, &b.experiment.experiment.name);
    if name_a != name_b {
        return Err(Error::Other(format!(
            "{} and {} hold different experiments ('{name_a}' and '{name_b}'); compare needs the same experiment run twice",
            a.dir.display(),
            b.dir.display()
        )));
    }
    check_same_datasets(a, b)?;
    let (devs_a, devs_b) = (devices(&a.runs), devices(&b.runs));
    let with_device = devs_a.len() != 1 || devs_b.len() != 1;
    let (label_a, label_b) = if !with_device && devs_a != devs_b {
        (devs_a[0].clone(), devs_b[0].clone())
    } else {
        folder_labels(&a.dir, &b.dir)
    };
    let rows_a: Vec<&RunRow> = a.runs.iter().collect();
    let rows_b: Vec<&RunRow> = b.runs.iter().collect();
    let (probs_a, probs_b) = (read_probs(&a.dir)?, read_probs(&b.dir)?);
    let cmp = build(
        name_a,
        Side {
            label: label_a,
            dir: a.dir.clone(),
            devices: devs_a,
        },
        Side {
            label: label_b,
            dir: b.dir.clone(),
            devices: devs_b,
        },
        SideInputs {
            rows: &rows_a,
            probs: &probs_a,
        },
        SideInputs {
            rows: &rows_b,
            probs: &probs_b,
        },
        with_device,
    )?;
    if cmp.pairs.iter().all(|p| p.a.is_none() || p.b.is_none()) {
        return Err(Error::Other(format!(
            "{} and {}: no run of one folder has the configuration of a run in the other; nothing to compare",
            a.dir.display(),
            b.dir.display()
        )));
    }
    Ok(cmp)
}

/// Datasets of the same name must have the same contents in both folders (when both stored
/// experiments still expand on this machine; a text file that is not here skips the check).
fn check_same_datasets(a: &ResultsFolder, b: &ResultsFolder) -> Result<()> {
    let fingerprints = |f: &ResultsFolder| {
        crate::plan::build(&f.experiment).ok().map(|p| {
            p.datasets
                .iter()
                .map(|(n, d)| (n.clone(), d.fingerprint()))
                .collect::<HashMap<_, _>>()
        })
    };
    if let (Some(fa), Some(fb)) = (fingerprints(a), fingerprints(b)) {
        let mut names: Vec<&String> = fa.keys().filter(|n| fb.get(*n).is_some_and(|x| x != &fa[*n])).collect();
        names.sort();
        if let Some(name) = names.first() {
            return Err(Error::Other(format!(
                "{} and {}: dataset '{name}' has different contents; compare needs the same experiment run twice",
                a.dir.display(),
                b.dir.display()
            )));
        }
    }
    Ok(())
}

/// Column labels for two folders: their names, or their paths when the names are equal.
fn folder_labels(a: &Path, b: &Path) -> (String, String) {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| p.display().to_string())
    };
    if name(a) != name(b) {
        (name(a), name(b))
    } else if a != b {
        (a.display().to_string(), b.display().to_string())
    } else {
        ("A".into(), "B".into())
    }
}

/// Stored probabilities by run id: (position, symbol index) -> value.
type Probs = HashMap<String, BTreeMap<(u32, u32), f32>>;

/// The `prob` values of a folder's states.csv by run id. A folder without states.csv (nothing
/// recorded) has none.
fn read_probs(dir: &Path) -> Result<Probs> {
    let path = dir.join(STATES_CSV);
    if !path.exists() {
        return Ok(Probs::new());
    }
    let probs = |positions: &[crate::folder::PositionStates]| {
        let mut out = BTreeMap::new();
        for (p, pos) in positions.iter().enumerate() {
            for (i, &v) in pos.probs.iter().enumerate() {
                out.insert((p as u32, i as u32), v as f32);
            }
        }
        out
    };
    Ok(read_states(&path)?
        .into_iter()
        .map(|(id, run)| (id, probs(&run.positions)))
        .collect())
}

struct SideInputs<'a> {
    rows: &'a [&'a RunRow],
    probs: &'a Probs,
}

/// What makes two runs a pair: the configuration but the device (unless `with_device`).
fn pair_key(r: &RunRow, with_device: bool) -> String {
    let values: Vec<String> = PARAMS
        .iter()
        .filter(|d| with_device || d.param != Param::Device)
        .map(|d| r.value(d.param))
        .collect();
    values.join("\u{1}")
}

/// The group label without the device (with it when runs pair only on the same device).
fn group_label(r: &RunRow, with_device: bool) -> String {
    crate::plan::group_label(&|p| r.value(p), with_device)
}

fn build(
    experiment: &str,
    a: Side,
    b: Side,
    in_a: SideInputs<'_>,
    in_b: SideInputs<'_>,
    with_device: bool,
) -> Result<Comparison> {
    let index = |side: &SideInputs<'_>, label: &str| -> Result<HashMap<String, usize>> {
        let mut m = HashMap::new();
        for (i, r) in side.rows.iter().enumerate() {
            if m.insert(pair_key(r, with_device), i).is_some() {
                return Err(Error::Other(format!(
                    "{label}: two runs share the configuration of run {} ({}, seed {}); cannot pair them",
                    r.run_id,
                    group_label(r, true),
                    r.seed
                )));
            }
        }
        Ok(m)
    };
    let index_b = index(&in_b, &b.label)?;
    index(&in_a, &a.label)?;
    let side_of = |r: &RunRow| RunSide {
        run_id: r.run_id.clone(),
        device: r.device.clone(),
        status: r.status,
        error: r.error.clone(),
        final_loss: r.final_loss,
        success: r.success,
    };
    let mut pairs = Vec::new();
    let mut used_b = vec![false; in_b.rows.len()];
    let mut push = |ra: Option<&RunRow>, rb: Option<&RunRow>| {
        let r = ra.or(rb).expect("one side of a pair exists");
        let sa = ra.map(&side_of);
        let sb = rb.map(&side_of);
        let trained = |s: &Option<RunSide>| s.as_ref().is_some_and(|s| s.status != RunStatus::Failed);
        let loss_diff = (trained(&sa) && trained(&sb)).then(|| {
            let (x, y) = (sa.as_ref().unwrap().final_loss, sb.as_ref().unwrap().final_loss);
            abs_diff(x, y)
        });
        let (prob_diff, prob_values) = match (ra, rb) {
            (Some(x), Some(y)) => prob_difference(in_a.probs.get(&x.run_id), in_b.probs.get(&y.run_id)),
            _ => (None, 0),
        };
        pairs.push(Pair {
            group: group_label(r, with_device),
            dataset: r.dataset.clone(),
            cell: r.cell.name().to_string(),
            hidden: r.hidden.to_string(),
            lr: r.lr.clone(),
            epochs: r.epochs.to_string(),
            head: r.head.clone(),
            init: r.init.clone(),
            seed: r.seed,
            a: sa,
            b: sb,
            loss_diff,
            prob_diff,
            prob_values,
        });
    };
    for ra in in_a.rows {
        let j = index_b.get(&pair_key(ra, with_device)).copied();
        if let Some(j) = j {
            used_b[j] = true;
        }
        push(Some(ra), j.map(|j| in_b.rows[j]));
    }
    for (j, rb) in in_b.rows.iter().enumerate() {
        if !used_b[j] {
            push(None, Some(rb));
        }
    }
    let groups = group_pairs(&pairs);
    Ok(Comparison {
        experiment: experiment.to_string(),
        within: !with_device && a.dir == b.dir,
        a,
        b,
        pairs,
        groups,
    })
}

/// |x - y| in f64 of the stored f32 values; NaN when either is not finite.
fn abs_diff(x: f32, y: f32) -> f64 {
    if x.is_finite() && y.is_finite() {
        (x as f64 - y as f64).abs()
    } else if x == y {
        0.0
    } else {
        f64::NAN
    }
}

/// The larger of two differences; NaN (a diverged run) wins, `None` is ignored.
fn max_diff(acc: Option<f64>, x: Option<f64>) -> Option<f64> {
    match (acc, x) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) if a.is_nan() || b.is_nan() => Some(f64::NAN),
        (Some(a), Some(b)) => Some(a.max(b)),
    }
}

fn prob_difference(
    a: Option<&BTreeMap<(u32, u32), f32>>,
    b: Option<&BTreeMap<(u32, u32), f32>>,
) -> (Option<f64>, usize) {
    let (Some(a), Some(b)) = (a, b) else {
        return (None, 0);
    };
    let mut max = None;
    let mut n = 0;
    for (k, &x) in a {
        if let Some(&y) = b.get(k) {
            max = max_diff(max, Some(abs_diff(x, y)));
            n += 1;
        }
    }
    (max, n)
}

fn group_pairs(pairs: &[Pair]) -> Vec<GroupComparison> {
    let mut out: Vec<GroupComparison> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for p in pairs {
        let i = *index.entry(p.group.as_str()).or_insert_with(|| {
            out.push(GroupComparison {
                key: p.group.clone(),
                pairs: 0,
                runs_a: 0,
                runs_b: 0,
                successes_a: 0,
                successes_b: 0,
                failed_a: 0,
                failed_b: 0,
                diverged_a: 0,
                diverged_b: 0,
                trained_pairs: 0,
                trained_successes_a: 0,
                trained_successes_b: 0,
                flips: 0,
                max_loss_diff: None,
                max_prob_diff: None,
            });
            out.len() - 1
        });
        let g = &mut out[i];
        g.pairs += 1;
        let count = |s: &Option<RunSide>, runs: &mut usize, ok: &mut usize, failed: &mut usize, div: &mut usize| {
            if let Some(s) = s {
                *runs += 1;
                *ok += s.success as usize;
                *failed += (s.status == RunStatus::Failed) as usize;
                *div += (s.status == RunStatus::Diverged) as usize;
            }
        };
        count(
            &p.a,
            &mut g.runs_a,
            &mut g.successes_a,
            &mut g.failed_a,
            &mut g.diverged_a,
        );
        count(
            &p.b,
            &mut g.runs_b,
            &mut g.successes_b,
            &mut g.failed_b,
            &mut g.diverged_b,
        );
        if p.both_trained() {
            g.trained_pairs += 1;
            g.trained_successes_a += p.a.as_ref().is_some_and(|s| s.success) as usize;
            g.trained_successes_b += p.b.as_ref().is_some_and(|s| s.success) as usize;
        }
        g.flips += p.success_changed() as usize;
        g.max_loss_diff = max_diff(g.max_loss_diff, p.loss_diff);
        g.max_prob_diff = max_diff(g.max_prob_diff, p.prob_diff);
    }
    out
}

/// `sweeplab compare DIR [DIR_B] [--csv FILE] [--top N]`: prints the comparison.
pub fn run(dirs: &[PathBuf], csv: Option<&Path>, top: usize) -> Result<()> {
    let comparisons = match dirs {
        [one] => within(&ResultsFolder::open(one)?)?,
        [a, b] => {
            let (a, b) = (ResultsFolder::open(a)?, ResultsFolder::open(b)?);
            vec![between(&a, &b)?]
        }
        _ => return Err(Error::Other("compare takes one or two results folders".into())),
    };
    if let Some(path) = csv {
        let mut bytes = Vec::new();
        write_csv(&comparisons, &mut bytes).map_err(|e| Error::io(path, "write", e))?;
        std::fs::write(path, bytes).map_err(|e| Error::io(path, "write", e))?;
    }
    let text: Vec<String> = comparisons.iter().map(|c| c.render_text(top)).collect();
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.join("\n").as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::Other(format!("cannot print the comparison: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_ignore_missing_and_let_nan_win() {
        assert_eq!(max_diff(None, Some(1.0)), Some(1.0));
        assert_eq!(max_diff(Some(2.0), Some(1.0)), Some(2.0));
        assert!(max_diff(Some(2.0), Some(f64::NAN)).unwrap().is_nan());
        assert_eq!(abs_diff(0.5, 0.25), 0.25);
        assert!(abs_diff(f32::NAN, 0.25).is_nan());
        assert_eq!(fmt_diff(Some(0.0)), "0");
        assert_eq!(fmt_diff(Some(1.234e-5)), "1.23e-5");
        assert_eq!(fmt_diff(None), "-");
    }

    #[test]
    fn probability_difference_is_over_shared_positions() {
        let a: BTreeMap<(u32, u32), f32> = [((0, 0), 0.5), ((0, 1), 0.5), ((1, 0), 0.25)].into();
        let b: BTreeMap<(u32, u32), f32> = [((0, 0), 0.75), ((0, 1), 0.25)].into();
        assert_eq!(prob_difference(Some(&a), Some(&b)), (Some(0.25), 2));
        assert_eq!(prob_difference(Some(&a), None), (None, 0));
    }
}
