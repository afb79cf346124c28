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
