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
//! The parameters of these models are tiny, so the host round trip costs little. The optimiser
//! that steps a model with it, replica by replica, is `super::torch_optim::TorchOptim`.

#[derive(Debug, Clone)]
pub struct TorchAdam {
    pub beta_1: f64,
    pub beta_2: f64,
    pub epsilon: f64,
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
