//! The fused head and loss as plain loops: `logits = h W + b` per position, then the mean
//! softmax cross-entropy per replica, and its backward pass. Layouts: states `[R, P, H]`,
//! weight `[R, H, V]`, bias `[R, 1, V]`, targets `[P]` per replica
//! (one set shared by all, or a set per replica: [`ReplicaSets`]).

use super::kernels::Real;
use super::ReplicaSets;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LossDims {
    pub replicas: usize,
    pub positions: usize,
    pub hidden: usize,
    pub vocab: usize,
}

/// What the forward pass keeps: the softmax of every position.
#[derive(Debug, Clone, PartialEq)]
pub struct LossTrace<T> {
    /// Mean cross-entropy of each replica, `[R]`.
    pub losses: Vec<T>,
    /// Fraction of positions whose argmax (the first largest logit) is the target, `[R]`.
    pub accuracy: Vec<T>,
    /// `[R, P, V]`
    pub probs: Vec<T>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LossGrads<T> {
    pub states: Vec<T>,
    pub weight: Vec<T>,
    pub bias: Vec<T>,
}

fn check<T>(d: &LossDims, states: &[T], weight: &[T], bias: &[T], targets: &ReplicaSets) {
    assert_eq!(states.len(), d.replicas * d.positions * d.hidden, "states size");
    assert_eq!(weight.len(), d.replicas * d.hidden * d.vocab, "weight size");
    assert_eq!(bias.len(), d.replicas * d.vocab, "bias size");
    targets.check("targets", d.replicas, d.positions, d.vocab);
}

/// Logits are accumulated with plain multiply-adds (two roundings), unlike burn's matmul head
/// used for the final evaluation; the two differ in the last bits.
pub fn forward<T: Real>(d: &LossDims, states: &[T], weight: &[T], bias: &[T], targets: &ReplicaSets) -> LossTrace<T> {
    check(d, states, weight, bias, targets);
    let (p_n, h_n, v_n) = (d.positions, d.hidden, d.vocab);
    let mut trace = LossTrace {
        losses: vec![T::ZERO; d.replicas],
        accuracy: vec![T::ZERO; d.replicas],
        probs: vec![T::ZERO; d.replicas * p_n * v_n],
    };
    let blocks = trace
        .probs
        .chunks_mut(p_n * v_n)
        .zip(trace.losses.iter_mut().zip(trace.accuracy.iter_mut()));
    blocks.enumerate().for_each(|(r, (probs, (loss, accuracy)))| {
        let h = &states[r * p_n * h_n..(r + 1) * p_n * h_n];
        let w = &weight[r * h_n * v_n..(r + 1) * h_n * v_n];
        let b = &bias[r * v_n..(r + 1) * v_n];
        let targets = targets.of(r);
        let mut total = T::ZERO;
        let mut correct = 0usize;
        for p in 0..p_n {
            let z = &mut probs[p * v_n..(p + 1) * v_n];
            z.fill(T::ZERO);
            for (j, &hj) in h[p * h_n..(p + 1) * h_n].iter().enumerate() {
                for (zc, &wjc) in z.iter_mut().zip(&w[j * v_n..(j + 1) * v_n]) {
                    *zc += hj * wjc;
                }
            }
            let mut max = z[0] + b[0];
            let mut best = 0;
            for (c, (zc, &bc)) in z.iter_mut().zip(b).enumerate() {
                *zc += bc;
                if *zc > max {
                    max = *zc;
                    best = c;
                }
            }
            // A NaN logit is never the largest: such a position is not predicted (as `argmax`).
            if best == targets[p] as usize && z.iter().all(|x| x.partial_cmp(&T::ZERO).is_some()) {
                correct += 1;
            }
            let target = z[targets[p] as usize];
            let mut sum = T::ZERO;
            for zc in z.iter_mut() {
                *zc = (*zc - max).exp();
                sum += *zc;
            }
            // -log softmax(z)[y] = log(sum exp(z - max)) - (z_y - max)
            total += sum.ln() - (target - max);
            let inv = sum.recip();
            for zc in z.iter_mut() {
                *zc = *zc * inv;
            }
        }
        *loss = total * T::from_usize(p_n).recip();
        *accuracy = T::from_usize(correct) * T::from_usize(p_n).recip();
    });
    trace
}

/// Gradients of `sum_r d_losses[r] * losses[r]`.
#[allow(clippy::too_many_arguments)]
pub fn backward<T: Real>(
    d: &LossDims,
    states: &[T],
    weight: &[T],
    bias: &[T],
    targets: &ReplicaSets,
    trace: &LossTrace<T>,
    d_losses: &[T],
) -> LossGrads<T> {
    check(d, states, weight, bias, targets);
    assert_eq!(d_losses.len(), d.replicas, "d_losses size");
    let (p_n, h_n, v_n) = (d.positions, d.hidden, d.vocab);
    let mut g = LossGrads {
        states: vec![T::ZERO; d.replicas * p_n * h_n],
        weight: vec![T::ZERO; d.replicas * h_n * v_n],
        bias: vec![T::ZERO; d.replicas * v_n],
    };
    let blocks = g
        .states
        .chunks_mut(p_n * h_n)
        .zip(g.weight.chunks_mut(h_n * v_n))
        .zip(g.bias.chunks_mut(v_n));
    blocks.enumerate().for_each(|(r, ((ds, dw), db))| {
        let h = &states[r * p_n * h_n..(r + 1) * p_n * h_n];
        let w = &weight[r * h_n * v_n..(r + 1) * h_n * v_n];
        let probs = &trace.probs[r * p_n * v_n..(r + 1) * p_n * v_n];
        let targets = targets.of(r);
        let scale = d_losses[r] * T::from_usize(p_n).recip();
        let mut dz = vec![T::ZERO; v_n];
        for p in 0..p_n {
            for (c, dzc) in dz.iter_mut().enumerate() {
                let onehot = if c == targets[p] as usize { T::ONE } else { T::ZERO };
                *dzc = (probs[p * v_n + c] - onehot) * scale;
            }
            for (dbc, &dzc) in db.iter_mut().zip(&dz) {
                *dbc += dzc;
            }
            for j in 0..h_n {
                let hj = h[p * h_n + j];
                let mut sum = T::ZERO;
                for c in 0..v_n {
                    dw[j * v_n + c] += hj * dz[c];
                    sum += w[j * v_n + c] * dz[c];
                }
                ds[p * h_n + j] = sum;
            }
        }
    });
    g
}
