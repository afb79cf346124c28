//! Gradient clipping per replica, between the backward pass and the optimiser step, as
//! `torch.nn.utils` does it for one run: `clip_grad_value_` clamps every element to
//! `[-c, c]`; `clip_grad_norm_` scales a replica's gradients by
//! `min(1, max_norm / (total_norm + 1e-6))`, where `total_norm` is the 2-norm of the per-tensor
//! 2-norms of that replica's gradients. Every parameter tensor has the replica axis first, so
//! a replica's part of each is one contiguous chunk; replicas never see each other's norms.

use crate::model::ReplicaModel;
use crate::spec::OptimizerSpec;
use burn::module::ParamId;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

/// Clips `grads` of `model` (with `replicas` replicas) as `spec` says; nothing without clipping.
pub(super) fn clip<B: AutodiffBackend>(
    spec: &OptimizerSpec,
    model: &ReplicaModel<B>,
    grads: &mut GradientsParams,
    replicas: usize,
) {
    if spec.clip_value.is_none() && spec.clip_norm.is_none() {
        return;
    }
    let taken: Vec<(ParamId, Tensor<B::InnerBackend, 3>)> = burn::module::list_param_ids(model)
        .into_iter()
        .filter_map(|id| grads.remove::<B::InnerBackend, 3>(id).map(|g| (id, g)))
        .collect();
    let scale = spec.clip_norm.map(|max_norm| {
        let device = taken.first().map(|(_, g)| g.device()).unwrap_or_default();
        let coefficients = norm_coefficients(&taken, replicas, max_norm as f32);
        Tensor::<B::InnerBackend, 3>::from_data(TensorData::new(coefficients, [replicas, 1, 1]), &device)
    });
    for (id, g) in taken {
        let g = match (spec.clip_value, &scale) {
            (Some(c), _) => g.clamp(-c as f32, c as f32),
            (None, Some(scale)) => g.mul(scale.clone()),
            (None, None) => g,
        };
        grads.register(id, g);
    }
}

/// `min(1, max_norm / (total_norm + 1e-6))` of each replica, in f32 as torch computes it (each
/// tensor's norm accumulated in f64 and rounded, the norm of the norms likewise).
fn norm_coefficients<B: Backend>(grads: &[(ParamId, Tensor<B, 3>)], replicas: usize, max_norm: f32) -> Vec<f32> {
    let mut total_sq = vec![0.0f64; replicas];
    for (_, g) in grads {
        let values = super::to_vec(g.clone().into_data());
        let chunk = values.len() / replicas.max(1);
        for (r, part) in values.chunks(chunk.max(1)).take(replicas).enumerate() {
            let norm = part.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>().sqrt() as f32;
            total_sq[r] += f64::from(norm) * f64::from(norm);
        }
    }
    total_sq
        .into_iter()
        .map(|sq| (max_norm / (sq.sqrt() as f32 + 1e-6)).min(1.0))
        .collect()
}
