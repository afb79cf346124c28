//! sweeplab's own seeded initialisation, computed on the host so that it is identical on every
//! backend and independent of how many replicas share a model: replica r's values depend only
//! on its seed and the parameter's name and shape. Distributions follow PyTorch's defaults
//! (U(-1/sqrt(H), 1/sqrt(H)) for recurrent weights and biases, the same bound with fan-in H for
//! the head, N(0, 1) for embeddings) but not its random generator.

use super::host::{HostParams, HostTensor};
use super::{layer_name, ModelShape, INPUT_EMBEDDING};
use crate::spec::{CellKind, HeadKind};

/// SplitMix64: tiny, well-mixed, and fully specified here (no dependency whose stream could
/// change between versions and silently change every result).
struct SplitMix64(u64);

impl SplitMix64 {
    fn new(seed: u64, name: &str) -> Self {
        // FNV-1a of the name, mixed with the seed: one independent stream per parameter.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        SplitMix64(seed ^ h.rotate_left(17))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn uniform(&mut self, bound: f64) -> f32 {
        ((self.next_f64() * 2.0 - 1.0) * bound) as f32
    }

    fn normal(&mut self) -> f32 {
        // Box-Muller; 1 - u keeps the logarithm finite.
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
    }
}

enum Dist {
    Uniform(f64),
    Normal,
}

/// Initial parameters for `seeds.len()` replicas of a model of `shape`. Every layer's weights
/// and biases draw from U(-1/sqrt(H), 1/sqrt(H)) (PyTorch's rule for all layers), an input
/// embedding from N(0, 1).
pub fn seeded(shape: &ModelShape, seeds: &[u64]) -> HostParams {
    let v = shape.vocab;
    let h = shape.hidden;
    let g = shape.cell.gates() * h;
    let k = 1.0 / (h as f64).sqrt();
    let mut specs: Vec<(String, [usize; 2], Dist)> = match shape.cell {
        CellKind::Memoryless => vec![("embedding".into(), [v, h], Dist::Normal)],
        _ => {
            let embedding = shape.embedding.map(|e| (INPUT_EMBEDDING.into(), [v, e], Dist::Normal));
            let layers = (0..shape.layers).flat_map(|l| {
                [
                    (layer_name("w_ih", l), [shape.input_width(l), g], Dist::Uniform(k)),
                    (layer_name("w_hh", l), [h, g], Dist::Uniform(k)),
                    (layer_name("b_ih", l), [1, g], Dist::Uniform(k)),
                    (layer_name("b_hh", l), [1, g], Dist::Uniform(k)),
                ]
            });
            embedding.into_iter().chain(layers).collect()
        }
    };
    if shape.head == HeadKind::Linear {
        specs.push(("head_w".into(), [h, v], Dist::Uniform(k)));
        specs.push(("head_b".into(), [1, v], Dist::Uniform(k)));
    }
    let mut params = HostParams::default();
    for (name, [rows, cols], dist) in specs {
        let mut data = Vec::with_capacity(seeds.len() * rows * cols);
        for &seed in seeds {
            let mut rng = SplitMix64::new(seed, &name);
            for _ in 0..rows * cols {
                data.push(match dist {
                    Dist::Uniform(b) => rng.uniform(b),
                    Dist::Normal => rng.normal(),
                });
            }
        }
        params.insert(&name, HostTensor::new([seeds.len(), rows, cols], data));
    }
    params
}

/// A dropout mask of `len` values for the run of `seed`: each value is `1 / (1 - p)` (kept,
/// scaled as `torch.nn.functional.dropout` scales) with probability `1 - p`, else 0. The
/// stream is the run's own for `(epoch, layer)`, so the mask does not depend on the other
/// replicas of a launch.
pub fn dropout_mask(seed: u64, epoch: usize, layer: usize, len: usize, p: f64) -> Vec<f32> {
    mask_from(SplitMix64::new(seed, &format!("dropout/{epoch}/{layer}")), len, p)
}

/// The mask of window `window` of an epoch under truncated BPTT (`bptt`), as
/// [`dropout_mask`]; each window has its own stream.
pub fn window_dropout_mask(seed: u64, epoch: usize, window: usize, layer: usize, len: usize, p: f64) -> Vec<f32> {
    mask_from(
        SplitMix64::new(seed, &format!("dropout/{epoch}/w{window}/{layer}")),
        len,
        p,
    )
}

fn mask_from(mut rng: SplitMix64, len: usize, p: f64) -> Vec<f32> {
    let kept = (1.0 / (1.0 - p)) as f32;
    (0..len).map(|_| if rng.next_f64() < p { 0.0 } else { kept }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_values_do_not_depend_on_the_other_replicas() {
        let shape = ModelShape::single(CellKind::Lstm, 4, 3, HeadKind::Linear);
        let together = seeded(&shape, &[7, 8, 9]);
        let alone = seeded(&shape, &[8]);
        for (name, t) in together.iter() {
            assert_eq!(t.replica(1), alone.get(name).unwrap().replica(0), "{name}");
        }
        // Different seeds give different values; bounds hold.
        assert_ne!(
            together.get("w_ih").unwrap().replica(0),
            together.get("w_ih").unwrap().replica(1)
        );
        let bound = 1.0 / 3f32.sqrt();
        assert!(together.get("w_hh").unwrap().data.iter().all(|x| x.abs() <= bound));
    }
}
