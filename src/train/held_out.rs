//! The validation split (`val`): the last steps of every stream, held out of training. Their
//! loss is measured for the model entering every epoch (curves.csv's `val_loss`) and for the
//! trained model (runs.csv's `val_final_loss`, `val_accuracy`), from a zero state at the first
//! held-out step, without dropout.

use super::data::{training_windows, Window};
use super::evaluate::EVAL_CHUNK;
use super::{to_vec, TrainJob};
use crate::data::Dataset;
use crate::model::fused::FusedBackend;
use crate::model::{CarriedState, ReplicaModel};
use crate::record::Validation;
use burn::prelude::*;

/// The held-out steps of every part, on the device: whole, or under `bptt` in chunks of
/// [`EVAL_CHUNK`] steps with the state carried over (as the final evaluation reads a long text).
pub(super) struct HeldOut<B: Backend> {
    chunks: Vec<Window<B>>,
}

impl<B: Backend + FusedBackend> HeldOut<B> {
    /// `None` without `val` (no held-out data).
    pub fn new(job: &TrainJob<'_>, held: &[Dataset], device: &B::Device) -> Option<Self> {
        if held.is_empty() {
            return None;
        }
        let sets: Vec<&Dataset> = held.iter().collect();
        let chunk = job.model.bptt.map(|_| EVAL_CHUNK);
        Some(Self {
            chunks: training_windows::<B>(job, &sets, false, chunk, device),
        })
    }

    /// Each replica's mean loss and accuracy over the held-out positions: one pass's own
    /// values, or the chunks' weighted by their steps (in f64).
    pub fn pass(&self, job: &TrainJob<'_>, model: &ReplicaModel<B>) -> (Vec<f32>, Vec<f32>) {
        let r = job.replicas();
        let mut carry = CarriedState::default();
        let whole = self.chunks.len() == 1;
        let total: usize = self.chunks.iter().map(|c| c.steps).sum();
        let mut sums = vec![(0.0f64, 0.0f64); r];
        for chunk in &self.chunks {
            let carried = (!whole).then_some(&mut carry);
            let pass = model.losses(&chunk.input, &chunk.targets, job.kernel, &[], carried);
            let losses = to_vec(pass.losses.into_data());
            let accuracy = to_vec(pass.accuracy.into_data());
            if whole {
                return (losses, accuracy);
            }
            let w = chunk.steps as f64 / total as f64;
            for (sum, (l, a)) in sums.iter_mut().zip(losses.iter().zip(&accuracy)) {
                sum.0 += f64::from(*l) * w;
                sum.1 += f64::from(*a) * w;
            }
        }
        sums.iter().map(|&(l, a)| (l as f32, a as f32)).unzip()
    }

    /// The trained model's held-out loss and accuracy, with each replica's curve.
    pub fn finish(&self, job: &TrainJob<'_>, model: &ReplicaModel<B>, curves: Vec<Vec<f32>>) -> Vec<Validation> {
        let (losses, accuracy) = self.pass(job, model);
        curves
            .into_iter()
            .zip(losses.into_iter().zip(accuracy))
            .map(|(curve, (final_loss, accuracy))| Validation {
                curve,
                final_loss,
                accuracy,
            })
            .collect()
    }
}
