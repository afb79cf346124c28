//! The final evaluation of a trained launch: loss, accuracy and the recorded positions of
//! every replica, from a forward pass that records no graph. It is one pass over the whole
//! sequence from a zero state; under truncated BPTT (`bptt`) that pass streams through the
//! sequence in chunks of [`EVAL_CHUNK`] steps, the state carried from chunk to chunk, so that
//! a long text never has its states, logits and probabilities in memory at once.

use super::data::{launch_data, windows};
use super::{argmax, to_vec, Curves, TrainJob};
use crate::data::Dataset;
use crate::model::fused::FusedBackend;
use crate::model::{replica_losses, CarriedState, ReplicaModel};
use crate::record::{ReplicaResult, Snapshot};
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Steps per chunk of a streamed evaluation.
pub const EVAL_CHUNK: usize = 4096;

/// Each replica's results, in replica order; `part_of` names each replica's part.
pub(super) fn evaluate<B: Backend + FusedBackend>(
    job: &TrainJob<'_>,
    model: &ReplicaModel<B>,
    datasets: &[&Dataset],
    last_only: bool,
    part_of: &[usize],
    mut curves: Curves,
    device: &B::Device,
) -> Vec<ReplicaResult> {
    let r = job.replicas();
    let steps = datasets[0].steps();
    let chunks = match job.model.bptt {
        Some(_) if !last_only => windows(steps, EVAL_CHUNK),
        _ => std::iter::once(0..steps).collect(),
    };
    let whole = chunks.len() == 1;
    let mut carry = CarriedState::default();
    let positions = datasets[0].positions();
    let keep = job.keep_positions.min(positions);
    let mut loss_sum = vec![0.0f64; r];
    let mut last_loss = vec![0.0f32; r];
    let mut correct = vec![0usize; r];
    let empty = Snapshot {
        states: vec![Vec::new(); keep],
        logits: vec![Vec::new(); keep],
        probs: vec![Vec::new(); keep],
    };
    let mut snapshots = vec![empty; r];
    let v = job.shape.vocab;
    for range in chunks {
        let (input, targets, flat_targets) = launch_data::<B>(job, datasets, last_only, range.clone(), device);
        let out = model.forward_recorded(&input, job.kernel, (!whole).then_some(&mut carry), job.all_layers);
        let losses = to_vec(replica_losses(out.logits.clone(), targets.tensor.clone()).into_data());
        let h = out.states.dims()[2];
        let probs = to_vec(softmax(out.logits.clone(), 2).into_data());
        let logits = to_vec(out.logits.into_data());
        let states = to_vec(out.states.into_data());
        let n = flat_targets[0].len();
        let width = range.len();
        // The position (in the whole data's order, sequence-major) of the chunk's q-th.
        let global = |q: usize| {
            if last_only {
                q
            } else {
                (q / width) * steps + range.start + q % width
            }
        };
        for ri in 0..r {
            let row = |buf: &[f32], w: usize, q: usize| buf[(ri * n + q) * w..(ri * n + q + 1) * w].to_vec();
            let targets = &flat_targets[part_of[ri]];
            correct[ri] += (0..n)
                .filter(|&q| argmax(&logits[(ri * n + q) * v..(ri * n + q + 1) * v]) == Some(targets[q]))
                .count();
            loss_sum[ri] += f64::from(losses[ri]) * n as f64;
            last_loss[ri] = losses[ri];
            let snapshot = &mut snapshots[ri];
            for q in (0..n).filter(|&q| global(q) < keep) {
                let p = global(q);
                snapshot.states[p] = row(&states, h, q);
                snapshot.logits[p] = row(&logits, v, q);
                snapshot.probs[p] = row(&probs, v, q);
            }
        }
    }
    (0..r)
        .zip(snapshots)
        .map(|(ri, snapshot)| ReplicaResult {
            curve: std::mem::take(&mut curves.loss[ri]),
            accuracy_curve: std::mem::take(&mut curves.accuracy[ri]),
            stopped_epoch: curves.stopped[ri],
            // One pass: the pass's own mean, as it always was.
            final_loss: if whole {
                last_loss[ri]
            } else {
                (loss_sum[ri] / positions as f64) as f32
            },
            accuracy: correct[ri] as f32 / positions as f32,
            snapshot,
            val: None,
        })
        .collect()
}
