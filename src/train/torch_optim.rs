//! `torch.optim.SGD`, `RMSprop`, `Adagrad`, `Adam` and `AdamW` on PyTorch's CPU formulas
//! (single-tensor path, `maximize=False`, `dampening=0`, `centered=False`, `lr_decay=0`,
//! `amsgrad=False`), each replica stepped with its own rate. Computed on the host in f32 like
//! [`TorchAdam`], with torch's operation order (`addcmul` fused into one multiply-add, as its
//! vector kernels do):
//!
//! ```text
//! L2 (all but AdamW)   g = g + wd * p                          grad.add(param, alpha=wd)
//! SGD                  b = g (first step) | b = b * mu + g      buf.mul_(mu).add_(g)
//!                      d = g + mu * b (nesterov) | b            grad.add(buf, alpha=mu)
//!                      p = p - lr * d                           param.add_(d, alpha=-lr)
//! RMSprop              s = fma((1 - a) * g, g, s * a)           square_avg.mul_(a).addcmul_(g, g, 1-a)
//!                      q = sqrt(s) + eps
//!                      b = b * mu + g / q; p = p - lr * b       (momentum > 0)
//!                      p = p + (-lr * g) / q                    param.addcdiv_(g, avg, value=-lr)
//! Adagrad              s = fma(g, g, s); p = p + (-lr * g) / (sqrt(s) + eps)
//! AdamW                p = p * (1 - lr * wd), then Adam         param.mul_(1 - lr * wd)
//! ```

use super::replica_adam::ReplicaRates;
use super::torch_adam::TorchAdam;
use crate::spec::{OptimizerName, OptimizerSpec};
use burn::optim::{AdaptiveMomentumState, LearningRate, SimpleOptimizer};
use burn::prelude::*;

#[derive(Debug, Clone)]
pub struct TorchOptim {
    pub spec: OptimizerSpec,
    /// Each replica's learning rate; the rate passed to each step multiplies these.
    pub rates: ReplicaRates,
}

impl TorchOptim {
    /// One update of one replica's `p` in place. `a` and `b` are the optimiser's two buffers
    /// (Adam's moments, RMSprop's square average and momentum buffer, SGD's momentum buffer,
    /// Adagrad's sum); `step` counts from 1.
    pub fn update(&self, lr: f64, step: usize, p: &mut [f32], g: &[f32], a: &mut [f32], b: &mut [f32]) {
        let s = &self.spec;
        let wd = s.weight_decay() as f32;
        let decayed: Vec<f32>;
        let g = if wd != 0.0 && s.optimizer != OptimizerName::AdamW {
            decayed = g.iter().zip(p.iter()).map(|(&g, &p)| g + wd * p).collect();
            &decayed[..]
        } else {
            g
        };
        let eps = s.eps() as f32;
        match s.optimizer {
            OptimizerName::Sgd => {
                let (mu, neg_lr) = (s.momentum as f32, (-lr) as f32);
                for i in 0..p.len() {
                    let d = if s.momentum == 0.0 {
                        g[i]
                    } else {
                        a[i] = if step == 1 { g[i] } else { a[i] * mu + g[i] };
                        if s.nesterov {
                            g[i] + mu * a[i]
                        } else {
                            a[i]
                        }
                    };
                    p[i] += neg_lr * d;
                }
            }
            OptimizerName::RmsProp => {
                let (alpha, w, mu) = (s.alpha as f32, (1.0 - s.alpha) as f32, s.momentum as f32);
                let neg_lr = (-lr) as f32;
                for i in 0..p.len() {
                    a[i] = (w * g[i]).mul_add(g[i], a[i] * alpha);
                    let q = a[i].sqrt() + eps;
                    if s.momentum > 0.0 {
                        b[i] = b[i] * mu + g[i] / q;
                        p[i] += neg_lr * b[i];
                    } else {
                        p[i] += neg_lr * g[i] / q;
                    }
                }
            }
            OptimizerName::Adagrad => {
                let neg_lr = (-lr) as f32;
                for i in 0..p.len() {
                    a[i] = g[i].mul_add(g[i], a[i]);
                    p[i] += neg_lr * g[i] / (a[i].sqrt() + eps);
                }
            }
            OptimizerName::Adam | OptimizerName::AdamW => {
                if s.optimizer == OptimizerName::AdamW && wd != 0.0 {
                    let keep = (1.0 - lr * s.weight_decay()) as f32;
                    p.iter_mut().for_each(|x| *x *= keep);
                }
                let adam = TorchAdam {
                    beta_1: s.beta1,
                    beta_2: s.beta2,
                    epsilon: s.eps(),
                };
                adam.update(lr, step, p, g, a, b);
            }
        }
    }
}

fn host(t: Tensor<impl Backend, 1>) -> Vec<f32> {
    super::to_vec(t.into_data())
}

impl<B: Backend> SimpleOptimizer<B> for TorchOptim {
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
        let (step, mut a, mut b) = match state {
            Some(s) => (s.time + 1, host(s.moment_1.reshape([n])), host(s.moment_2.reshape([n]))),
            None => (1, vec![0.0; n], vec![0.0; n]),
        };
        // The replica axis is first: each replica's elements are one contiguous chunk.
        let chunk = n / self.rates.len().max(1);
        assert_eq!(chunk * self.rates.len(), n, "one learning rate per replica");
        let frozen = self.rates.frozen();
        for r in 0..self.rates.len() {
            // A stopped replica keeps its values and its buffers.
            if frozen.as_ref().is_some_and(|f| f[r]) {
                continue;
            }
            let range = r * chunk..(r + 1) * chunk;
            self.update(
                lr * self.rates.of(r),
                step,
                &mut p[range.clone()],
                &g[range.clone()],
                &mut a[range.clone()],
                &mut b[range],
            );
        }
        let back = |x: Vec<f32>| Tensor::<B, 1>::from_data(TensorData::new(x, [n]), &device).reshape(shape.clone());
        let state = AdaptiveMomentumState::new(step, back(a), back(b));
        (back(p), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        state.to_device(device)
    }
}
