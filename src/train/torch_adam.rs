//! Adam with PyTorch's CPU update formula (`torch.optim.Adam`, single-tensor path, defaults),
//! used for `init: torch` runs so that training follows a PyTorch notebook as closely as float32
//! allows. burn's Adam is the same mathematics but folds the bias corrections into one factor,
//! which rounds differently; at lr 0.1 those last-bit differences grow over the epochs.
//!
//! The update is computed on the host in f32 with the same operation order and multiply-add
//! fusions as torch's AVX2/AVX512 kernels (`lerp` and `addcmul` fused):
//!
//! ```text
//! m = fma(1 - b1, g - m, m)                      // exp_avg.lerp_(grad, 1 - beta1)
//! v = fma((1 - b2) * g, g, v * b2)               // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
//! denom = sqrt(v) / sqrt(1 - b2^t) + eps         // bias corrections in f64, then rounded
//! p = p + (-(lr / (1 - b1^t)) * m) / denom       // param.addcdiv_(exp_avg, denom, value=-step_size)
//! ```
//!
//! The parameters of these models are tiny, so the host round trip costs little.

use super::replica_adam::ReplicaRates;
use burn::optim::{AdaptiveMomentumState, LearningRate, SimpleOptimizer};
use burn::prelude::*;

#[derive(Debug, Clone)]
pub struct TorchAdam {
    pub beta_1: f64,
    pub beta_2: f64,
    pub epsilon: f64,
    /// Each replica's learning rate (groups packed into one launch may differ); the rate
    /// passed to each step multiplies these (the trainer passes 1).
    pub rates: ReplicaRates,
}

impl TorchAdam {
    /// PyTorch's defaults.
    pub fn new(rates: ReplicaRates) -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            rates,
        }
    }
}

fn host(t: Tensor<impl Backend, 1>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec::<f32>().expect("f32 tensor data")
}

impl TorchAdam {
    /// One update of `p` in place; `m`, `v` are the moments, `step` counts from 1.
    pub fn update(&self, lr: f64, step: usize, p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let w1 = (1.0 - self.beta_1) as f32;
        let b2 = self.beta_2 as f32;
        let w2 = (1.0 - self.beta_2) as f32;
        let bc1 = 1.0 - self.beta_1.powi(step as i32);
        let bc2 = 1.0 - self.beta_2.powi(step as i32);
        let bc2_sqrt = bc2.sqrt() as f32;
        let value = (-(lr / bc1)) as f32;
        let eps = self.epsilon as f32;
        for i in 0..p.len() {
            m[i] = w1.mul_add(g[i] - m[i], m[i]);
            v[i] = (w2 * g[i]).mul_add(g[i], v[i] * b2);
            let denom = v[i].sqrt() / bc2_sqrt + eps;
            p[i] += value * m[i] / denom;
        }
    }
}

impl<B: Backend> SimpleOptimizer<B> for TorchAdam {
    type State<const D: usize> = AdaptiveMomentumState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        let shape = tensor.shape();
        let device = tensor.device();
        let n = shape.num_elements();
        let mut p = host(tensor.reshape([n]));
        let g = host(grad.reshape([n]));
        let (step, mut m, mut v) = match state {
            Some(s) => (s.time + 1, host(s.moment_1.reshape([n])), host(s.moment_2.reshape([n]))),
            None => (1, vec![0.0; n], vec![0.0; n]),
        };
        // The replica axis is first: each replica's elements are one contiguous chunk.
        let chunk = n / self.rates.len().max(1);
        assert_eq!(chunk * self.rates.len(), n, "one learning rate per replica");
        for r in 0..self.rates.len() {
            let range = r * chunk..(r + 1) * chunk;
            self.update(
                lr * self.rates.of(r),
                step,
                &mut p[range.clone()],
                &g[range.clone()],
                &mut m[range.clone()],
                &mut v[range],
            );
        }
        let back = |x: Vec<f32>| Tensor::<B, 1>::from_data(TensorData::new(x, [n]), &device).reshape(shape.clone());
        let state = AdaptiveMomentumState::new(step, back(m), back(v));
        (back(p), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        state.to_device(device)
    }
}
