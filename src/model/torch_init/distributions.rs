//! PyTorch's CPU generator (`torch.manual_seed`) and its float32 `uniform_` / `normal_` kernels,
//! bit for bit as torch 2.x's AVX2/AVX512 kernel builds compute them (torch_init.md §1-3).

use super::mt19937::Mt19937;

const TWO_POW_M24: f32 = 1.0 / (1u32 << 24) as f32;
const TWO_POW_M53: f64 = 1.0 / (1u64 << 53) as f64;
const MASK53: u64 = (1u64 << 53) - 1;

/// The global CPU generator after `torch.manual_seed(seed)`.
#[derive(Clone)]
pub struct TorchGenerator {
    mt: Mt19937,
    /// The second value of the last scalar Box-Muller pair (`next_double_normal_sample`).
    cached_normal: Option<f64>,
}

impl TorchGenerator {
    /// `torch.manual_seed(seed)`: a fresh engine and no cached normal sample.
    pub fn manual_seed(seed: u64) -> Self {
        Self {
            mt: Mt19937::new(seed),
            cached_normal: None,
        }
    }

    /// `random()`: one 32-bit output.
    pub fn random(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// `random64()`: two outputs `a` then `b`, `(a << 32) | b`.
    pub fn random64(&mut self) -> u64 {
        let a = self.random() as u64;
        let b = self.random() as u64;
        (a << 32) | b
    }

    /// A float32 uniform in [0, 1) on a 2^-24 grid.
    fn uniform24(&mut self) -> f32 {
        (self.random() & 0x00ff_ffff) as f32 * TWO_POW_M24
    }

    /// `tensor.uniform_(from, to)` on a contiguous float32 tensor, in memory order.
    pub fn uniform_(&mut self, out: &mut [f32], from: f64, to: f64) {
        let f = from as f32;
        let t = to as f32;
        for v in out.iter_mut() {
            let x = self.uniform24();
            // Torch's AVX2/AVX512 kernels contract x*(t-f)+f into one fused multiply-add.
            let y = x.mul_add(t - f, f);
            *v = if y == t { f } else { y };
        }
    }

    /// `tensor.normal_(mean, std)` on a contiguous float32 tensor.
    pub fn normal_(&mut self, out: &mut [f32], mean: f64, std: f64) {
        if out.len() < 16 {
            for v in out.iter_mut() {
                *v = (self.normal_f64() * std + mean) as f32;
            }
        } else {
            self.normal_vectorised(out, mean as f32, std as f32);
        }
    }

    /// `at::normal_distribution<double>` with the generator's cache (the n < 16 path).
    fn normal_f64(&mut self) -> f64 {
        if let Some(z) = self.cached_normal.take() {
            return z;
        }
        let u1 = (self.random64() & MASK53) as f64 * TWO_POW_M53;
        let u2 = (self.random64() & MASK53) as f64 * TWO_POW_M53;
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.cached_normal = Some(r * theta.sin());
        r * theta.cos()
    }

    /// The n >= 16 path: float32 Box-Muller over blocks of 16, the tail block re-drawn.
    fn normal_vectorised(&mut self, out: &mut [f32], mean: f32, std: f32) {
        let n = out.len();
        for v in out.iter_mut() {
            *v = self.uniform24();
        }
        let mut i = 0;
        while i + 16 <= n {
            fill16(&mut out[i..i + 16], mean, std);
            i += 16;
        }
        if !n.is_multiple_of(16) {
            let tail = &mut out[n - 16..];
            for v in tail.iter_mut() {
                *v = self.uniform24();
            }
            fill16(tail, mean, std);
        }
    }
}

fn fill16(d: &mut [f32], mean: f32, std: f32) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0f32 * log_ps(u1)).sqrt();
        let theta = (2.0 * std::f64::consts::PI) as f32 * u2;
        let (s, c) = sincos_ps(theta);
        d[j] = (radius * c).mul_add(std, mean);
        d[j + 8] = (radius * s).mul_add(std, mean);
    }
}

/// `log256_ps` from ATen's avx_mathfun.h with GCC's multiply-add contractions.
#[allow(clippy::excessive_precision)]
fn log_ps(x: f32) -> f32 {
    let x = x.max(f32::from_bits(0x0080_0000));
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 127) as f32 + 1.0;
    let mut m = f32::from_bits((bits & 0x807f_ffff) | 0.5f32.to_bits());
    if m < std::f32::consts::FRAC_1_SQRT_2 {
        e -= 1.0;
        m = (m - 1.0) + m;
    } else {
        m -= 1.0;
    }
    let z = m * m;
    let mut y = 7.037_683_629_2e-2f32;
    for p in [
        -1.151_461_031_0e-1f32,
        1.167_699_874_0e-1,
        -1.242_014_084_6e-1,
        1.424_932_278_7e-1,
        -1.666_805_766_5e-1,
        2.000_071_476_5e-1,
        -2.499_999_399_3e-1,
        3.333_333_117_4e-1,
    ] {
        y = y.mul_add(m, p);
    }
    y *= m;
    y = y.mul_add(z, e * -2.121_944_40e-4f32);
    y = (-z).mul_add(0.5, y);
    e.mul_add(0.693_359_375, m + y)
}

/// `sincos256_ps` from ATen's avx_mathfun.h with GCC's multiply-add contractions: (sin, cos).
#[allow(clippy::excessive_precision)]
fn sincos_ps(x: f32) -> (f32, f32) {
    let mut sign_s = x.is_sign_negative();
    let mut x = x.abs();
    let mut j = (x * 1.273_239_544_735_16f32) as i32;
    j = (j + 1) & !1;
    let y = j as f32;
    let swap_s = j & 4 != 0;
    let poly = j & 2 == 0;
    x = y.mul_add(-0.785_156_25f32, x);
    x = y.mul_add(-2.418_756_484_985_351_562_5e-4f32, x);
    x = y.mul_add(-3.774_894_977_445_941_08e-8f32, x);
    let sign_c = (!(j.wrapping_sub(2))) & 4 != 0;
    sign_s ^= swap_s;
    let z = x * x;
    let mut yc = 2.443_315_711_809_948e-5f32.mul_add(z, -1.388_731_625_493_765e-3);
    yc = yc.mul_add(z, 4.166_664_568_298_827e-2);
    yc *= z;
    yc = yc.mul_add(z, -(z * 0.5));
    yc += 1.0;
    let mut ys = (-1.951_529_589_1e-4f32).mul_add(z, 8.332_160_873_6e-3);
    ys = ys.mul_add(z, -1.666_665_461_1e-1);
    ys *= z;
    ys = ys.mul_add(x, x);
    let (s, c) = if poly { (ys, yc) } else { (yc, ys) };
    (if sign_s { -s } else { s }, if sign_c { -c } else { c })
}
