//! Training: one launch of replicas, a fixed number of epochs of full-batch passes (or, under
//! truncated BPTT, of windows: one optimiser step per window, the state carried between
//! windows). Knows nothing of files or of the experiment; it takes token sequences and initial
//! parameters and returns numbers.
//!
//! A launch is usually one group (the seeds of one configuration). Several groups whose models
//! have the same shapes and whose datasets have the same shape can share a launch ([`JobPart`]s,
//! one per group): each part brings its own dataset and learning rate. Replicas never interact
//! (see `crate::model`), each replica reads its own part's tokens and targets, and the
//! optimiser steps each replica with its own part's rate, so a packed group gets the numbers it
//! would get alone (bit for bit on the CPU backends, `tests/pack.rs`) while the launch pays the
//! per-operation cost once.

mod backend;
mod clip;
mod data;
mod evaluate;
mod held_out;
pub mod replica_adam;
pub mod torch_adam;
pub mod torch_optim;

pub use backend::{batch_cost, kernel_for, train_on, BatchCost};

pub use evaluate::EVAL_CHUNK;

use crate::data::{Dataset, Targets};
use crate::model::fused::FusedBackend;
use crate::model::host::HostParams;
use crate::model::init;
use crate::model::{CarriedState, Kernel, ModelShape, ReplicaModel, SequenceInput};
use crate::record::ReplicaResult;
use crate::spec::{ModelOptions, OptimizerName, OptimizerSpec};
use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use data::Window;
use held_out::HeldOut;
use replica_adam::{ReplicaAdam, ReplicaRates};
use std::time::Instant;

/// One group's share of a launch: the next `replicas` replicas train on `data` at rate `lr`.
#[derive(Debug, Clone, Copy)]
pub struct JobPart<'a> {
    pub data: &'a Dataset,
    pub lr: f64,
    pub replicas: usize,
}

/// Everything the trainer needs for one launch.
#[derive(Debug, Clone, Copy)]
pub struct TrainJob<'a> {
    pub shape: ModelShape,
    /// The groups of the launch, in replica order; their datasets have equal shapes (the same
    /// number of sequences and steps, the same kind of targets).
    pub parts: &'a [JobPart<'a>],
    pub epochs: usize,
    /// Initial parameters, one replica per run, in the parts' order.
    pub init: &'a HostParams,
    /// The seed of each replica's run (its dropout masks are drawn from it).
    pub seeds: &'a [u64],
    /// Dropout, and how training reads the data: `batch` contiguous streams
    /// ([`Dataset::streams`]), in windows of `bptt` steps. The layers and the embedding are in
    /// `shape`; the final evaluation reads the data as it is.
    pub model: ModelOptions,
    /// How many first positions to keep states, logits and probabilities for.
    pub keep_positions: usize,
    /// Whether the kept states are every layer's, side by side (`record: layers: all`), or
    /// the last layer's.
    pub all_layers: bool,
    pub optimizer: OptimizerKind,
    /// Which optimiser, with its arguments (shared by every part of the launch).
    pub options: OptimizerSpec,
    /// How the recurrence is computed ([`Kernel::Fused`] on the CPU).
    pub kernel: Kernel,
}

/// Which update formula Adam trains the group with; every other optimiser has PyTorch's
/// ([`torch_optim::TorchOptim`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptimizerKind {
    /// burn's Adam (bias corrections folded into one factor): `init: sweeplab`'s, as ever.
    #[default]
    Burn,
    /// PyTorch's CPU formula, operation by operation ([`torch_adam::TorchAdam`]).
    Torch,
}

impl TrainJob<'_> {
    pub fn replicas(&self) -> usize {
        self.init.iter().next().map_or(0, |(_, t)| t.shape[0])
    }

    /// The part each replica belongs to.
    fn part_of_replica(&self) -> Vec<usize> {
        let parts = self.parts.iter().enumerate();
        parts.flat_map(|(i, p)| std::iter::repeat_n(i, p.replicas)).collect()
    }
}

#[derive(Debug, Clone)]
pub struct GroupResult {
    pub replicas: Vec<ReplicaResult>,
    /// Wall time of the whole group (all replicas together).
    pub seconds: f64,
}

/// burn 0.21's autodiff sweeps every graph of the process at the end of each `backward()` and
/// can free the steps of a graph another thread is still building, so that a parameter's
/// gradient silently goes missing (tracel-ai/burn#5573). A sweep trains one launch per
/// process at a time anyway; this lock makes that a rule for every caller (the tests train on
/// several threads of one process).
static AUTODIFF: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the process's autodiff for the caller: every training takes it, and so must code
/// that calls `backward()` itself.
pub fn autodiff_guard() -> std::sync::MutexGuard<'static, ()> {
    // A training that panicked (caught and reported as a failed run) left nothing to protect.
    AUTODIFF.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
    let _autodiff = autodiff_guard();
    let started = Instant::now();
    let r = job.replicas();
    let part_of = job.part_of_replica();
    assert_eq!(part_of.len(), r, "the parts' replicas add up to the launch's");
    let first = job.parts.first().expect("a launch has at least one part").data;
    let last_only = matches!(first.targets, Targets::LastStep(_));
    assert!(
        job.parts
            .iter()
            .all(|p| matches!(p.data.targets, Targets::LastStep(_)) == last_only),
        "the datasets of a launch have one kind of targets"
    );
    let datasets: Vec<&Dataset> = job.parts.iter().map(|p| p.data).collect();
    let (fitted, held) = data::training_sets(job, &datasets, last_only);
    let fitted: Vec<&Dataset> = fitted.iter().collect();
    let windows = data::training_windows::<B>(job, &fitted, last_only, job.model.bptt, device);
    let held = HeldOut::<B::InnerBackend>::new(job, &held, device);
    let base_rates: Vec<f64> = part_of.iter().map(|&i| job.parts[i].lr).collect();
    let rates = ReplicaRates::new(base_rates.clone());
    let schedule = Schedule {
        rates: rates.clone(),
        base: base_rates,
    };

    let model = ReplicaModel::<B>::from_host(&job.shape, job.init, device);
    let options = job.options;
    let (model, mut curves) = match (options.optimizer, job.optimizer) {
        (OptimizerName::Adam, OptimizerKind::Burn) => {
            let adam = ReplicaAdam {
                beta_1: options.beta1 as f32,
                beta_2: options.beta2 as f32,
                epsilon: options.eps() as f32,
                weight_decay: options.weight_decay() as f32,
                rates,
            };
            let optim: OptimizerAdaptor<_, ReplicaModel<B>, B> = adam.into();
            fit(job, model, optim, &schedule, &windows, held.as_ref(), on_epoch)
        }
        _ => {
            let optim: OptimizerAdaptor<_, ReplicaModel<B>, B> =
                torch_optim::TorchOptim { spec: options, rates }.into();
            fit(job, model, optim, &schedule, &windows, held.as_ref(), on_epoch)
        }
    };
    drop(windows);

    let model = model.valid();
    let val = held.map(|held| held.finish(job, &model, std::mem::take(&mut curves.val)));
    let mut replicas = evaluate::evaluate(job, &model, &datasets, last_only, &part_of, curves, device);
    if let Some(val) = val {
        for (replica, val) in replicas.iter_mut().zip(val) {
            replica.val = Some(val);
        }
    }
    GroupResult {
        replicas,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Per replica, every epoch's loss and accuracy (of the pass before that epoch's update).
struct Curves {
    loss: Vec<Vec<f32>>,
    accuracy: Vec<Vec<f32>>,
    /// The held-out positions' loss of the model entering each epoch (empty without `val`).
    val: Vec<Vec<f32>>,
    /// The epoch whose pass stopped each replica (`stop`), if one did.
    stopped: Vec<Option<usize>>,
}

/// Each replica's learning rate, epoch by epoch: the optimiser reads `rates`, which the
/// epochs set from `base` when the options schedule the rate.
struct Schedule {
    rates: ReplicaRates,
    base: Vec<f64>,
}

/// The epochs. One window (no `bptt`): forward, per-replica losses, the stopping rule on this
/// pass, then one update. Several windows: an update per window, the state carried from
/// window to window, the epoch's curves the unweighted means of its windows' values, and the
/// stopping rule on those at the end of the epoch (a replica that meets it takes no further
/// step).
fn fit<B: AutodiffBackend + FusedBackend, O: Optimizer<ReplicaModel<B>, B>>(
    job: &TrainJob<'_>,
    mut model: ReplicaModel<B>,
    mut optim: O,
    schedule: &Schedule,
    windows: &[Window<B>],
    held: Option<&HeldOut<B::InnerBackend>>,
    on_epoch: &mut dyn FnMut(usize),
) -> (ReplicaModel<B>, Curves)
where
    B::InnerBackend: FusedBackend,
{
    let r = job.replicas();
    let mut curves = Curves {
        loss: vec![Vec::with_capacity(job.epochs); r],
        accuracy: vec![Vec::with_capacity(job.epochs); r],
        val: vec![Vec::new(); r],
        stopped: vec![None; r],
    };
    let windowed = job.model.bptt.is_some();
    for epoch in 0..job.epochs {
        if let Some(held) = held {
            let (losses, _) = held.pass(job, &model.valid());
            for ((curve, loss), stopped) in curves.val.iter_mut().zip(losses).zip(&curves.stopped) {
                if stopped.is_none() {
                    curve.push(loss);
                }
            }
        }
        let mut carry = CarriedState::default();
        let mut sums = vec![(0.0f64, 0.0f64); r];
        for (w, window) in windows.iter().enumerate() {
            let (input, targets) = (&window.input, &window.targets);
            let masks = dropout_masks::<B>(job, epoch, windowed.then_some(w), input, &input.flat.device());
            let carried = windowed.then_some(&mut carry);
            let pass = model.losses(input, targets, job.kernel, &masks, carried);
            let losses = to_vec(pass.losses.clone().inner().into_data());
            let accuracy = to_vec(pass.accuracy.inner().into_data());
            if windowed {
                for (sum, (l, a)) in sums.iter_mut().zip(losses.iter().zip(&accuracy)) {
                    sum.0 += f64::from(*l);
                    sum.1 += f64::from(*a);
                }
            } else {
                record_epoch(job, schedule, &mut curves, epoch, &losses, &accuracy);
                // A launch ends when every replica has stopped.
                if curves.stopped.iter().all(Option::is_some) {
                    return (model, curves);
                }
            }
            model = update(job, model, &mut optim, schedule, pass.losses, epoch);
        }
        if windowed {
            let n = windows.len() as f64;
            let losses: Vec<f32> = sums.iter().map(|s| (s.0 / n) as f32).collect();
            let accuracy: Vec<f32> = sums.iter().map(|s| (s.1 / n) as f32).collect();
            record_epoch(job, schedule, &mut curves, epoch, &losses, &accuracy);
        }
        on_epoch(epoch + 1);
        if curves.stopped.iter().all(Option::is_some) {
            break;
        }
    }
    (model, curves)
}

/// Adds an epoch's loss and accuracy to the curves of the replicas still training, and stops
/// (freezes) those that meet the stopping rule.
fn record_epoch(
    job: &TrainJob<'_>,
    schedule: &Schedule,
    curves: &mut Curves,
    epoch: usize,
    losses: &[f32],
    accuracy: &[f32],
) {
    for ri in 0..job.replicas() {
        if curves.stopped[ri].is_some() {
            continue;
        }
        curves.loss[ri].push(losses[ri]);
        curves.accuracy[ri].push(accuracy[ri]);
        // Without windows this pass precedes its epoch's update, which is then not applied:
        // the model stays.
        if job.options.stop.met(losses[ri], accuracy[ri]) {
            curves.stopped[ri] = Some(epoch + 1);
            schedule.rates.freeze(ri);
        }
    }
}

/// Backward from the replicas' losses, clipping, this epoch's rates, one optimiser step.
fn update<B: AutodiffBackend, O: Optimizer<ReplicaModel<B>, B>>(
    job: &TrainJob<'_>,
    model: ReplicaModel<B>,
    optim: &mut O,
    schedule: &Schedule,
    losses: Tensor<B, 1>,
    epoch: usize,
) -> ReplicaModel<B> {
    let grads = losses.sum().backward();
    let mut grads = GradientsParams::from_grads(grads, &model);
    clip::clip(&job.options, &model, &mut grads, job.replicas());
    if job.options.scheduled() {
        let rates = schedule
            .base
            .iter()
            .map(|&lr| job.options.lr_at(lr, epoch, job.epochs))
            .collect();
        schedule.rates.set(rates);
    }
    // Each replica's rate is in the optimiser (`ReplicaRates`); 1 scales none of them.
    optim.step(1.0, model, grads)
}

/// This epoch's (and window's, under `bptt`) dropout masks, one `[R, batch, steps, hidden]`
/// per layer below the last; none without dropout. Replica r's masks come from its run's
/// seed alone.
fn dropout_masks<B: Backend>(
    job: &TrainJob<'_>,
    epoch: usize,
    window: Option<usize>,
    input: &SequenceInput<B>,
    device: &B::Device,
) -> Vec<Tensor<B, 4>> {
    let p = job.model.dropout;
    if p == 0.0 {
        return Vec::new();
    }
    assert_eq!(job.seeds.len(), job.replicas(), "a seed per replica");
    let (batch, steps, hidden) = (input.batch, input.steps.len(), job.shape.hidden);
    let len = batch * steps * hidden;
    (0..job.shape.layers.saturating_sub(1))
        .map(|l| {
            let data: Vec<f32> = job
                .seeds
                .iter()
                .flat_map(|&seed| match window {
                    None => init::dropout_mask(seed, epoch, l, len, p),
                    Some(w) => init::window_dropout_mask(seed, epoch, w, l, len, p),
                })
                .collect();
            Tensor::from_data(TensorData::new(data, [job.seeds.len(), batch, steps, hidden]), device)
        })
        .collect()
}

/// A tensor's data as f32s on the host.
pub(super) fn to_vec(data: TensorData) -> Vec<f32> {
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
