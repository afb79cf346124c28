//! Pairing the runs of two sides: by configuration but the device, with the differences of
//! their final losses and stored probabilities, grouped by everything but the seed.

use super::{Comparison, GroupComparison, Pair, RunSide, Side};
use crate::error::{Error, Result};
use crate::folder::{read_states, RunRow, STATES_CSV};
use crate::record::RunStatus;
use crate::spec::{Param, PARAMS};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Stored probabilities by run id: (position, symbol index) -> value.
pub(super) type Probs = HashMap<String, BTreeMap<(u32, u32), f32>>;

/// The `prob` values of a folder's states.csv by run id. A folder without states.csv (nothing
/// recorded) has none.
pub(super) fn read_probs(dir: &Path) -> Result<Probs> {
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

pub(super) struct SideInputs<'a> {
    pub(super) rows: &'a [&'a RunRow],
    pub(super) probs: &'a Probs,
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

pub(super) fn build(
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
pub(super) fn max_diff(acc: Option<f64>, x: Option<f64>) -> Option<f64> {
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

pub(super) fn group_pairs(pairs: &[Pair]) -> Vec<GroupComparison> {
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

#[cfg(test)]
mod tests {
    use super::super::render::fmt_diff;
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
