//! What a launch trains and evaluates on, on its device: the parts' sequences and targets,
//! whole or a range of their steps (a window of truncated BPTT, a chunk of the evaluation).

use super::TrainJob;
use crate::data::{Dataset, Targets};
use crate::model::{LossTargets, Part, SequenceInput};
use burn::prelude::*;
use std::ops::Range;

/// Consecutive windows of `k` steps over `steps` (the last may be shorter).
pub(super) fn windows(steps: usize, k: usize) -> Vec<Range<usize>> {
    (0..steps).step_by(k.max(1)).map(|a| a..(a + k).min(steps)).collect()
}

/// Steps `range` of the sequences and targets of the launch's parts on `device` (one dataset
/// per part), with each part's targets on the host. Many-to-one data is always whole.
pub(super) fn launch_data<B: Backend>(
    job: &TrainJob<'_>,
    datasets: &[&Dataset],
    last_only: bool,
    range: Range<usize>,
    device: &B::Device,
) -> (SequenceInput<B>, LossTargets<B>, Vec<Vec<usize>>) {
    let sliced: Vec<Vec<Vec<usize>>> = datasets
        .iter()
        .map(|d| d.inputs.iter().map(|s| s[range.clone()].to_vec()).collect())
        .collect();
    let inputs: Vec<Part<'_, Vec<usize>>> = sliced
        .iter()
        .zip(job.parts)
        .map(|(values, p)| Part {
            values,
            replicas: p.replicas,
        })
        .collect();
    let input = SequenceInput::<B>::packed(&inputs, last_only, device);
    let flat_targets: Vec<Vec<usize>> = datasets
        .iter()
        .map(|d| match &d.targets {
            Targets::EveryStep(t) => t.iter().flat_map(|s| s[range.clone()].iter().copied()).collect(),
            Targets::LastStep(t) => t.clone(),
        })
        .collect();
    let parts: Vec<Part<'_, usize>> = flat_targets
        .iter()
        .zip(job.parts)
        .map(|(t, p)| Part {
            values: t,
            replicas: p.replicas,
        })
        .collect();
    let targets = LossTargets::<B>::packed(&parts, device);
    (input, targets, flat_targets)
}

/// One optimiser step's data (the whole streamed sequences, or one window of them), or one
/// chunk of an evaluation; `steps` long.
pub(super) struct Window<B: Backend> {
    pub input: SequenceInput<B>,
    pub targets: LossTargets<B>,
    pub steps: usize,
}

/// What each part trains on, and what it holds out: its sequences (cut into `batch` streams),
/// less the last steps of every one that `val` holds out; and those held-out steps (an empty
/// list without `val`).
pub(super) fn training_sets(
    job: &TrainJob<'_>,
    datasets: &[&Dataset],
    last_only: bool,
) -> (Vec<Dataset>, Vec<Dataset>) {
    let streamed: Vec<Dataset> = match job.model.batch {
        1 => datasets.iter().map(|&d| d.clone()).collect(),
        b => datasets.iter().map(|d| d.streams(b)).collect(),
    };
    if job.model.val == 0.0 || last_only {
        return (streamed, Vec::new());
    }
    streamed
        .iter()
        .map(|d| d.split_tail(d.held_out_steps(job.model.val)))
        .unzip()
}

/// `sets` on `device`, in windows of `window` steps (the last may be shorter), or whole.
pub(super) fn training_windows<B: Backend>(
    job: &TrainJob<'_>,
    sets: &[&Dataset],
    last_only: bool,
    window: Option<usize>,
    device: &B::Device,
) -> Vec<Window<B>> {
    let steps = sets[0].steps();
    let ranges = match window {
        Some(k) if !last_only => windows(steps, k),
        _ => std::iter::once(0..steps).collect(),
    };
    ranges
        .into_iter()
        .map(|range| {
            let steps = range.len();
            let (input, targets, _) = launch_data::<B>(job, sets, last_only, range, device);
            Window { input, targets, steps }
        })
        .collect()
}
