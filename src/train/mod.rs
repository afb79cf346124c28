//! Training: one group of replicas, full batch, Adam, a fixed number of epochs. Knows nothing
//! of files or of the experiment; it takes token sequences and initial parameters and returns
//! numbers.

mod backend;
pub mod torch_adam;

pub use backend::{kernel_for, train_on};

use crate::data::{Dataset, Targets};
use crate::model::fused::FusedBackend;
use crate::model::host::HostParams;
use crate::model::{replica_losses, Kernel, LossTargets, ModelShape, ReplicaModel, SequenceInput};
use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use burn::tensor::backend::AutodiffBackend;
use std::time::Instant;

/// Everything the trainer needs for one group.
#[derive(Debug, Clone, Copy)]
pub struct TrainJob<'a> {
    pub shape: ModelShape,
    pub lr: f64,
    pub epochs: usize,
    pub data: &'a Dataset,
    /// Initial parameters, one replica per run.
    pub init: &'a HostParams,
    /// How many first positions to keep states, logits and probabilities for.
    pub keep_positions: usize,
    pub optimizer: OptimizerKind,
    /// How the recurrence is computed ([`Kernel::Fused`] on the CPU).
    pub kernel: Kernel,
}

/// Which Adam update formula trains the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptimizerKind {
    /// burn's Adam (bias corrections folded into one factor).
    #[default]
    Burn,
    /// PyTorch's CPU formula, operation by operation ([`torch_adam::TorchAdam`]).
    Torch,
}

impl TrainJob<'_> {
    pub fn replicas(&self) -> usize {
        self.init.iter().next().map_or(0, |(_, t)| t.shape[0])
    }
}

/// The per-position view of a trained replica that figures need.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// `states[p]`: hidden state at prediction position p.
    pub states: Vec<Vec<f32>>,
    pub logits: Vec<Vec<f32>>,
    pub probs: Vec<Vec<f32>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaResult {
    /// Loss of each epoch's forward pass (before that epoch's update).
    pub curve: Vec<f32>,
    /// Loss of the trained model over the whole data.
    pub final_loss: f32,
    /// Fraction of positions whose argmax is the target.
    pub accuracy: f32,
    pub snapshot: Snapshot,
}

#[derive(Debug, Clone)]
pub struct GroupResult {
    pub replicas: Vec<ReplicaResult>,
    /// Wall time of the whole group (all replicas together).
    pub seconds: f64,
}

/// Adam as PyTorch configures it by default (burn's default epsilon is 1e-5).
pub fn adam() -> AdamConfig {
    AdamConfig::new().with_beta_1(0.9).with_beta_2(0.999).with_epsilon(1e-8)
}

/// Trains all replicas of `job` together on `device`; `on_epoch` hears each finished epoch.
pub fn train<B: AutodiffBackend + FusedBackend>(
    job: &TrainJob<'_>,
    device: &B::Device,
    on_epoch: &mut dyn FnMut(usize),
) -> GroupResult
where
    B::InnerBackend: FusedBackend,
{
    let started = Instant::now();
    let r = job.replicas();
    let data = job.data;
    let input = SequenceInput::<B>::new(&data.inputs, matches!(data.targets, Targets::LastStep(_)), device);
    let flat_targets = data.flat_targets();
    let n = flat_targets.len();
    let targets = LossTargets::<B>::new(&flat_targets, r, device);

    let model = ReplicaModel::<B>::from_host(&job.shape, job.init, device);
    let (model, mut curves) = match job.optimizer {
        OptimizerKind::Burn => fit(
            job,
            model,
            adam().init::<B, ReplicaModel<B>>(),
            &input,
            &targets,
            on_epoch,
        ),
        OptimizerKind::Torch => {
            let optim: OptimizerAdaptor<_, ReplicaModel<B>, B> = torch_adam::TorchAdam::default().into();
            fit(job, model, optim, &input, &targets, on_epoch)
        }
    };

    // Evaluate the trained model without recording a graph.
    let model = model.valid();
    let input = SequenceInput::<B::InnerBackend>::new(&data.inputs, input.last_only, device);
    let targets = targets.inner();
    let out = model.forward(&input, job.kernel);
    let losses = to_vec(replica_losses(out.logits.clone(), targets.tensor).into_data());
    let v = job.shape.vocab;
    let h = out.states.dims()[2];
    let probs = to_vec(softmax(out.logits.clone(), 2).into_data());
    let logits = to_vec(out.logits.into_data());
    let states = to_vec(out.states.into_data());
    let keep = job.keep_positions.min(n);
    let replicas = (0..r)
        .map(|ri| {
            let row =
                |buf: &[f32], width: usize, p: usize| buf[(ri * n + p) * width..(ri * n + p + 1) * width].to_vec();
            let correct = (0..n)
                .filter(|&p| argmax(&logits[(ri * n + p) * v..(ri * n + p + 1) * v]) == Some(flat_targets[p]))
                .count();
            ReplicaResult {
                curve: std::mem::take(&mut curves[ri]),
                final_loss: losses[ri],
                accuracy: correct as f32 / n as f32,
                snapshot: Snapshot {
                    states: (0..keep).map(|p| row(&states, h, p)).collect(),
                    logits: (0..keep).map(|p| row(&logits, v, p)).collect(),
                    probs: (0..keep).map(|p| row(&probs, v, p)).collect(),
                },
            }
        })
        .collect();
    GroupResult {
        replicas,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The epochs: forward, per-replica losses, backward, one optimiser step.
fn fit<B: AutodiffBackend + FusedBackend, O: Optimizer<ReplicaModel<B>, B>>(
    job: &TrainJob<'_>,
    mut model: ReplicaModel<B>,
    mut optim: O,
    input: &SequenceInput<B>,
    targets: &LossTargets<B>,
    on_epoch: &mut dyn FnMut(usize),
) -> (ReplicaModel<B>, Vec<Vec<f32>>) {
    let r = job.replicas();
    let mut curves = vec![Vec::with_capacity(job.epochs); r];
    for epoch in 0..job.epochs {
        let losses = model.losses(input, targets, job.kernel);
        let grads = losses.clone().sum().backward();
        let values = to_vec(losses.inner().into_data());
        for (curve, v) in curves.iter_mut().zip(values) {
            curve.push(v);
        }
        let grads = GradientsParams::from_grads(grads, &model);
        model = optim.step(job.lr, model, grads);
        on_epoch(epoch + 1);
    }
    (model, curves)
}

fn to_vec(data: TensorData) -> Vec<f32> {
    data.convert::<f32>().to_vec::<f32>().expect("f32 tensor data")
}

/// Index of the largest value (first on ties); `None` if any value is NaN.
fn argmax(xs: &[f32]) -> Option<usize> {
    if xs.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    Some(best)
}
