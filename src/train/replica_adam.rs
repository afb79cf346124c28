//! burn's Adam with a learning rate per replica. burn's `Adam` takes one rate for the whole
//! model, but groups packed into one launch (`crate::sweep`) may differ in their rate. The
//! update below is burn 0.21's `Adam::step` operation for operation (same f32 constants, same
//! order, no weight decay, no AMSGrad); only the last multiplication by the rate takes a rate
//! per replica. With equal rates it is a scalar multiplication, as in burn, so a lone group
//! gets burn's numbers bit for bit, and a packed group the numbers it would get alone
//! (`tests/pack.rs`, on flex; on CUDA, where burn fuses element-wise operations into kernels,
//! a broadcast multiplication and a scalar one compile to different kernels: unverified).

use burn::optim::{AdaptiveMomentumState, LearningRate, SimpleOptimizer};
use burn::prelude::*;
use std::sync::{Arc, RwLock};

/// The learning rate of every replica of a launch, in replica order, and which replicas are
/// frozen (stopped early: their parameters and optimiser state no longer change). Shared: the
/// epochs set rates and freeze replicas through a clone while the optimiser holds the original.
#[derive(Debug, Clone)]
pub struct ReplicaRates(Arc<RwLock<Vec<f64>>>, Arc<RwLock<Vec<bool>>>);

impl PartialEq for ReplicaRates {
    fn eq(&self, other: &Self) -> bool {
        *self.read() == *other.read()
    }
}

impl ReplicaRates {
    pub fn new(rates: Vec<f64>) -> Self {
        let frozen = vec![false; rates.len()];
        Self(Arc::new(RwLock::new(rates)), Arc::new(RwLock::new(frozen)))
    }

    /// Stops updating replica `r`.
    pub fn freeze(&self, r: usize) {
        self.1.write().unwrap_or_else(|poisoned| poisoned.into_inner())[r] = true;
    }

    /// Which replicas are frozen, if any is.
    pub fn frozen(&self) -> Option<Vec<bool>> {
        let frozen = self.1.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        frozen.iter().any(|&f| f).then(|| frozen.clone())
    }

    /// `true` at every element of a frozen replica, for a tensor of `dims` (replica axis first).
    pub fn frozen_mask<B: Backend, const D: usize>(
        frozen: &[bool],
        dims: [usize; D],
        device: &B::Device,
    ) -> Tensor<B, D, Bool> {
        let per_replica: usize = dims[1..].iter().product();
        let values: Vec<bool> = frozen
            .iter()
            .flat_map(|&f| std::iter::repeat_n(f, per_replica))
            .collect();
        Tensor::from_data(TensorData::new(values, dims), device)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<f64>> {
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces every replica's rate (same count).
    pub fn set(&self, rates: Vec<f64>) {
        let mut held = self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        assert_eq!(held.len(), rates.len(), "one learning rate per replica");
        *held = rates;
    }

    /// The rate of replica `r`.
    pub fn of(&self, r: usize) -> f64 {
        self.read()[r]
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The one rate of all replicas, if they share it.
    fn uniform(&self) -> Option<f64> {
        let rates = self.read();
        let first = *rates.first()?;
        rates.iter().all(|&r| r.to_bits() == first.to_bits()).then_some(first)
    }

    /// `t * rate` with each replica's rate times `scale`: `t` has the replica axis first.
    pub fn scale<B: Backend, const D: usize>(&self, t: Tensor<B, D>, scale: f64) -> Tensor<B, D> {
        if let Some(rate) = self.uniform() {
            return t.mul_scalar(rate * scale);
        }
        let replicas = t.dims()[0];
        assert_eq!(replicas, self.len(), "one learning rate per replica");
        let mut shape = [1usize; D];
        shape[0] = replicas;
        // burn's `mul_scalar` rounds the f64 rate to the float type; so does this.
        let rates: Vec<f32> = self.read().iter().map(|&r| (r * scale) as f32).collect();
        let rates = Tensor::<B, D>::from_data(TensorData::new(rates, shape), &t.device());
        t.mul(rates)
    }
}

/// Adam (burn's formula) stepping each replica with its own rate.
#[derive(Debug, Clone)]
pub struct ReplicaAdam {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    /// L2 penalty added to the gradient (`torch.optim.Adam(weight_decay=...)`); 0: none.
    pub weight_decay: f32,
    /// The rate passed to each step multiplies these (the trainer passes 1).
    pub rates: ReplicaRates,
}

impl ReplicaAdam {
    /// Adam as PyTorch configures it by default (burn's default epsilon is 1e-5).
    pub fn new(rates: ReplicaRates) -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            weight_decay: 0.0,
            rates,
        }
    }
}

impl<B: Backend> SimpleOptimizer<B> for ReplicaAdam {
    type State<const D: usize> = AdaptiveMomentumState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        // Stopped replicas keep their values and moments: computed as for the others, then
        // the old ones selected back (the others' bits are untouched by the selection).
        let frozen = self.rates.frozen();
        let before = frozen.as_ref().map(|_| (tensor.clone(), state.clone()));
        let (tensor, state) = self.update(lr, tensor, grad, state);
        let (Some(frozen), Some((old_tensor, old_state))) = (frozen, before) else {
            return (tensor, state);
        };
        let dims = tensor.dims();
        let mask = ReplicaRates::frozen_mask::<B, D>(&frozen, dims, &tensor.device());
        let tensor = tensor.mask_where(mask.clone(), old_tensor);
        let state = state.map(|mut s| {
            let (m1, m2) = match old_state {
                Some(old) => (old.moment_1, old.moment_2),
                None => (s.moment_1.zeros_like(), s.moment_2.zeros_like()),
            };
            s.moment_1 = s.moment_1.mask_where(mask.clone(), m1);
            s.moment_2 = s.moment_2.mask_where(mask, m2);
            s
        });
        (tensor, state)
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        state.to_device(device)
    }
}

impl ReplicaAdam {
    /// burn 0.21's Adam step for every replica.
    fn update<B: Backend, const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<AdaptiveMomentumState<B, D>>,
    ) -> (Tensor<B, D>, Option<AdaptiveMomentumState<B, D>>) {
        let grad = if self.weight_decay == 0.0 {
            grad
        } else {
            grad.add(tensor.clone().mul_scalar(self.weight_decay))
        };
        let state = match state {
            Some(mut state) => {
                state.moment_1 = state
                    .moment_1
                    .mul_scalar(self.beta_1)
                    .add(grad.clone().mul_scalar(1.0 - self.beta_1));
                state.moment_2 = state
                    .moment_2
                    .mul_scalar(self.beta_2)
                    .add(grad.square().mul_scalar(1.0 - self.beta_2));
                state.time += 1;
                state
            }
            None => AdaptiveMomentumState::new(
                1,
                grad.clone().mul_scalar(1.0 - self.beta_1),
                grad.square().mul_scalar(1.0 - self.beta_2),
            ),
        };
        let time = state.time as i32;
        let bias_correction2_sqrt = (1.0 - self.beta_2.powi(time)).sqrt();
        let combined_factor = bias_correction2_sqrt / (1.0 - self.beta_1.powi(time));
        let update = state.moment_1.clone().mul_scalar(combined_factor).div(
            state
                .moment_2
                .clone()
                .sqrt()
                .add_scalar(self.epsilon * bias_correction2_sqrt),
        );
        let delta = self.rates.scale(update, lr);
        (tensor - delta, Some(state))
    }
}
