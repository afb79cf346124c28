//! The fused recurrences as plain loops: the forward pass over all time steps of all replicas,
//! and its backward pass (backpropagation through time), on contiguous row-major slices.
//!
//! Layouts are the model's (`[R, in, out]`, gate blocks concatenated along `out`):
//! `w_ih [R, V, G*H]`, `w_hh [R, H, G*H]`, `b_ih`/`b_hh [R, 1, G*H]`, tokens `[batch, steps]`
//! per replica ([`ReplicaSets`]), states `[R, batch, steps, H]`. One thread: parallelism comes from training independent blocks
//! of replicas in separate processes (`sweep --jobs`), which measured faster than splitting one
//! call over threads. Inside a replica nothing is allocated in the time loop: the scratch rows
//! are allocated once per replica.
//!
//! The input side of a step's pre-activations comes from one-hot tokens (row `token` of `W_ih`
//! plus `b_ih`: [`forward`]) or is given precomputed (`x W_ih + b_ih`, `[R, batch, steps, G*H]`:
//! [`forward_projected`], for an embedded input or a layer above the first); both run the same
//! loops.
//!
//! A call starts from a given state (truncated BPTT's carried state: [`State`]) or from zero,
//! and the trace gives the state it ends in ([`Trace::end`]); no gradient flows into the start.
//!
//! The arithmetic follows the op-by-op cells' association (`(x W_ih + b_ih) + (h W_hh + b_hh)`,
//! the same gate formulas), so the two paths differ only in the last bits of a dot product's
//! accumulation order and of `tanh`/`exp`. The code is generic over the float type so that the
//! gradient check can run the very same loops in f64.

use super::ReplicaSets;
use crate::spec::CellKind;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

/// The float types the kernels run in: f32 for training, f64 for the gradient check.
pub trait Real:
    Copy
    + std::fmt::Debug
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    fn tanh(self) -> Self;
    fn exp(self) -> Self;
    fn recip(self) -> Self;
    /// `self * a + b` with one rounding (what gemm's kernels do, so dot products round like
    /// burn's matmul).
    fn mul_add(self, a: Self, b: Self) -> Self;
    fn ln(self) -> Self;
    fn from_usize(n: usize) -> Self;
}

macro_rules! real {
    ($t:ty) => {
        impl Real for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            fn recip(self) -> Self {
                1.0 / self
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            fn from_usize(n: usize) -> Self {
                n as $t
            }
        }
    };
}
real!(f32);
real!(f64);

/// burn-flex's sigmoid, branch for branch (exact in both tails).
#[inline(always)]
fn sigmoid<T: Real>(x: T) -> T {
    if x >= T::ZERO {
        T::ONE / (T::ONE + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::ONE + e)
    }
}

/// The sizes of one fused call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub cell: CellKind,
    pub replicas: usize,
    pub vocab: usize,
    pub hidden: usize,
    pub batch: usize,
    pub steps: usize,
}

impl Dims {
    fn gates(&self) -> usize {
        self.cell.gates() * self.hidden
    }
    /// Length of each per-replica block: `(w_ih, w_hh, bias, states, acts, extra)`.
    fn per_replica(&self) -> (usize, usize, usize, usize, usize, usize) {
        let g = self.gates();
        let positions = self.batch * self.steps;
        let extra = match self.cell {
            CellKind::Lstm | CellKind::Gru => positions * self.hidden,
            _ => 0,
        };
        (
            self.vocab * g,
            self.hidden * g,
            g,
            positions * self.hidden,
            positions * g,
            extra,
        )
    }
}

/// The parameters of all replicas.
#[derive(Debug, Clone, Copy)]
pub struct Weights<'a, T> {
    pub w_ih: &'a [T],
    pub w_hh: &'a [T],
    pub b_ih: &'a [T],
    pub b_hh: &'a [T],
}

/// The recurrent state of every replica and sequence, `[R, batch, H]` each: `h`, and LSTM's
/// cell state `c` (empty for the other cells). Both empty: the zero state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State<T> {
    pub h: Vec<T>,
    pub c: Vec<T>,
}

impl<T: Real> State<T> {
    /// Replica r's `(h, c)` `[batch, H]` each; zeros where the state is empty.
    fn of<'a>(&'a self, d: &Dims, r: usize, zero: &'a [T]) -> (&'a [T], &'a [T]) {
        let n = d.batch * d.hidden;
        let part = |v: &'a [T]| if v.is_empty() { zero } else { &v[r * n..(r + 1) * n] };
        (part(&self.h), part(&self.c))
    }

    fn check(&self, d: &Dims) {
        let n = d.replicas * d.batch * d.hidden;
        assert!(self.h.is_empty() || self.h.len() == n, "start state h size");
        let lstm = d.cell == CellKind::Lstm;
        assert!(self.c.is_empty() || (lstm && self.c.len() == n), "start state c size");
    }
}

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace<T> {
    /// `[R, batch, steps, H]`: the op's output.
    pub states: Vec<T>,
    /// Post-activation gates `[R, batch, steps, G*H]` (LSTM i, f, g, o; GRU r, z, n; RNN h).
    pub acts: Vec<T>,
    /// LSTM: cell state c; GRU: the hidden part of the candidate `h W_hn + b_hn`; `[R, batch, steps, H]`.
    pub extra: Vec<T>,
    /// The state before the first step.
    pub start: State<T>,
}

impl<T: Real> Trace<T> {
    /// The state after the last step of every sequence (the next window's start).
    pub fn end(&self, d: &Dims) -> State<T> {
        let h_n = d.hidden;
        let last = |buf: &[T]| -> Vec<T> {
            (0..d.replicas * d.batch)
                .flat_map(|rb| {
                    let at = (rb * d.steps + d.steps - 1) * h_n;
                    buf[at..at + h_n].iter().copied()
                })
                .collect()
        };
        State {
            h: last(&self.states),
            c: if d.cell == CellKind::Lstm {
                last(&self.extra)
            } else {
                Vec::new()
            },
        }
    }
}

/// Gradients of all replicas' parameters, in the [`Weights`] layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Grads<T> {
    pub w_ih: Vec<T>,
    pub w_hh: Vec<T>,
    pub b_ih: Vec<T>,
    pub b_hh: Vec<T>,
}

/// Panics unless `d` has a fused kernel and `w_hh`, `b_hh` fit it.
fn check_hidden<T>(d: &Dims, w_hh: &[T], b_hh: &[T]) {
    let (_, wh, b, ..) = d.per_replica();
    assert!(
        matches!(d.cell, CellKind::Rnn | CellKind::Lstm | CellKind::Gru),
        "no fused kernel for {:?}",
        d.cell
    );
    assert_eq!(w_hh.len(), d.replicas * wh, "w_hh size");
    assert_eq!(b_hh.len(), d.replicas * b, "b_hh size");
}

fn check(d: &Dims, w: &Weights<'_, impl Sized>, tokens: &ReplicaSets) {
    check_hidden(d, w.w_hh, w.b_hh);
    let (wi, _, b, ..) = d.per_replica();
    assert_eq!(w.w_ih.len(), d.replicas * wi, "w_ih size");
    assert_eq!(w.b_ih.len(), d.replicas * b, "b_ih size");
    tokens.check("tokens", d.replicas, d.batch * d.steps, d.vocab);
}

/// The forward pass of every replica from `start`.
pub fn forward<T: Real>(d: &Dims, w: &Weights<'_, T>, tokens: &ReplicaSets, start: State<T>) -> Trace<T> {
    check(d, w, tokens);
    let (wi, _, b, ..) = d.per_replica();
    let g = d.gates();
    // One-hot input: the input side is row `token` of `W_ih`, plus `b_ih`.
    forward_all(d, w.w_hh, w.b_hh, start, |r| {
        let (w_ih, b_ih, tokens) = (&w.w_ih[r * wi..(r + 1) * wi], &w.b_ih[r * b..(r + 1) * b], tokens.of(r));
        move |pos: usize, j: usize| w_ih[tokens[pos] as usize * g + j] + b_ih[j]
    })
}

/// The forward pass of every replica from `start` when the input side of every position's
/// pre-activations is given: `xp [R, batch, steps, G*H]` holds `x W_ih + b_ih` (computed by
/// burn, for an embedded input or a layer above the first). `d.vocab` is not used.
pub fn forward_projected<T: Real>(d: &Dims, w_hh: &[T], b_hh: &[T], xp: &[T], start: State<T>) -> Trace<T> {
    check_hidden(d, w_hh, b_hh);
    let (.., a, _) = d.per_replica();
    assert_eq!(xp.len(), d.replicas * a, "projected input size");
    let g = d.gates();
    forward_all(d, w_hh, b_hh, start, |r| {
        let xp = &xp[r * a..(r + 1) * a];
        move |pos: usize, j: usize| xp[pos * g + j]
    })
}

/// Every replica's forward pass; `input_of(r)` is replica r's input side `x W_ih + b_ih` at
/// (position, gate entry).
///
/// Runs the loops compiled with the FMA instruction set where the CPU has it: the dot products
/// are fused multiply-adds (`Real::mul_add`), exact either way, but without the target feature
/// each one is a call into libm's software `fmaf`.
fn forward_all<T: Real, I: Fn(usize, usize) -> T>(
    d: &Dims,
    w_hh: &[T],
    b_hh: &[T],
    start: State<T>,
    input_of: impl Fn(usize) -> I,
) -> Trace<T> {
    start.check(d);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        #[target_feature(enable = "fma")]
        fn with_fma<T: Real, I: Fn(usize, usize) -> T>(
            d: &Dims,
            w_hh: &[T],
            b_hh: &[T],
            start: State<T>,
            input_of: impl Fn(usize) -> I,
        ) -> Trace<T> {
            forward_replicas(d, w_hh, b_hh, start, input_of)
        }
        // SAFETY: the CPU supports FMA (checked just above).
        return unsafe { with_fma(d, w_hh, b_hh, start, input_of) };
    }
    forward_replicas(d, w_hh, b_hh, start, input_of)
}

#[inline(always)]
fn forward_replicas<T: Real, I: Fn(usize, usize) -> T>(
    d: &Dims,
    w_hh: &[T],
    b_hh: &[T],
    start: State<T>,
    input_of: impl Fn(usize) -> I,
) -> Trace<T> {
    let (_, wh, b, s, a, e) = d.per_replica();
    // RNN keeps no extra; one unused element per replica keeps the chunking uniform.
    let e_len = e.max(1);
    let mut trace = Trace {
        states: vec![T::ZERO; d.replicas * s],
        acts: vec![T::ZERO; d.replicas * a],
        extra: vec![T::ZERO; d.replicas * e_len],
        start,
    };
    let zero = vec![T::ZERO; d.batch * d.hidden];
    let blocks = trace
        .states
        .chunks_mut(s)
        .zip(trace.acts.chunks_mut(a))
        .zip(trace.extra.chunks_mut(e_len));
    for (r, ((states, acts), extra)) in blocks.enumerate() {
        let (w_hh, b_hh) = (&w_hh[r * wh..(r + 1) * wh], &b_hh[r * b..(r + 1) * b]);
        let start = trace.start.of(d, r, &zero);
        forward_replica(d, w_hh, b_hh, input_of(r), start, states, acts, &mut extra[..e]);
    }
    trace
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_replica<T: Real>(
    d: &Dims,
    w_hh: &[T],
    b_hh: &[T],
    // `x W_ih + b_ih` at (position, gate entry).
    input: impl Fn(usize, usize) -> T,
    // The state `(h, c)` before the first step, `[batch, H]` each.
    (h0, c0): (&[T], &[T]),
    states: &mut [T],
    acts: &mut [T],
    extra: &mut [T],
) {
    let h_n = d.hidden;
    let g = d.gates();
    let mut gh = vec![T::ZERO; g];
    for b in 0..d.batch {
        let (h0, c0) = (&h0[b * h_n..(b + 1) * h_n], &c0[b * h_n..(b + 1) * h_n]);
        for t in 0..d.steps {
            let pos = b * d.steps + t;
            let (before, rest) = states.split_at_mut(pos * h_n);
            let h_prev: &[T] = if t == 0 { h0 } else { &before[(pos - 1) * h_n..] };
            let h = &mut rest[..h_n];
            // gh = h_prev W_hh + b_hh
            gh.iter_mut().for_each(|x| *x = T::ZERO);
            for (k, &hk) in h_prev.iter().enumerate() {
                let row = &w_hh[k * g..(k + 1) * g];
                for (acc, &wkj) in gh.iter_mut().zip(row) {
                    *acc = hk.mul_add(wkj, *acc);
                }
            }
            for (acc, &bj) in gh.iter_mut().zip(b_hh) {
                *acc += bj;
            }
            let gi = |j: usize| input(pos, j);
            let act = &mut acts[pos * g..(pos + 1) * g];
            match d.cell {
                CellKind::Rnn => {
                    for j in 0..h_n {
                        h[j] = (gi(j) + gh[j]).tanh();
                        act[j] = h[j];
                    }
                }
                CellKind::Lstm => {
                    let (c_before, c_rest) = extra.split_at_mut(pos * h_n);
                    let c_prev: &[T] = if t == 0 { c0 } else { &c_before[(pos - 1) * h_n..] };
                    let c = &mut c_rest[..h_n];
                    for k in 0..h_n {
                        let i = sigmoid(gi(k) + gh[k]);
                        let f = sigmoid(gi(h_n + k) + gh[h_n + k]);
                        let gg = (gi(2 * h_n + k) + gh[2 * h_n + k]).tanh();
                        let o = sigmoid(gi(3 * h_n + k) + gh[3 * h_n + k]);
                        c[k] = f * c_prev[k] + i * gg;
                        h[k] = o * c[k].tanh();
                        act[k] = i;
                        act[h_n + k] = f;
                        act[2 * h_n + k] = gg;
                        act[3 * h_n + k] = o;
                    }
                }
                CellKind::Gru => {
                    let ghn = &mut extra[pos * h_n..(pos + 1) * h_n];
                    for k in 0..h_n {
                        let r = sigmoid(gi(k) + gh[k]);
                        let z = sigmoid(gi(h_n + k) + gh[h_n + k]);
                        let n = (gi(2 * h_n + k) + r * gh[2 * h_n + k]).tanh();
                        h[k] = n * (T::ONE - z) + z * h_prev[k];
                        ghn[k] = gh[2 * h_n + k];
                        act[k] = r;
                        act[h_n + k] = z;
                        act[2 * h_n + k] = n;
                    }
                }
                CellKind::Memoryless => unreachable!("checked in `check`"),
            }
        }
    }
}

/// Gradients of `sum(states * d_states)` with respect to every replica's parameters.
pub fn backward<T: Real>(
    d: &Dims,
    w: &Weights<'_, T>,
    tokens: &ReplicaSets,
    trace: &Trace<T>,
    d_states: &[T],
) -> Grads<T> {
    check(d, w, tokens);
    let (wi, _, b, ..) = d.per_replica();
    let gates = d.gates();
    let mut w_ih = vec![T::ZERO; d.replicas * wi];
    let mut b_ih = vec![T::ZERO; d.replicas * b];
    // One-hot input: the input side's gradient goes to row `token` of `W_ih` and to `b_ih`.
    let (w_hh, b_hh) = backward_all(d, w.w_hh, trace, d_states, |r, pos, dgi| {
        let row = r * wi + tokens.of(r)[pos] as usize * gates;
        let x_grad = &mut w_ih[row..row + gates];
        let b_grad = &mut b_ih[r * b..(r + 1) * b];
        for j in 0..gates {
            x_grad[j] += dgi[j];
            b_grad[j] += dgi[j];
        }
    });
    Grads { w_ih, w_hh, b_ih, b_hh }
}

/// Gradients of a projected call ([`forward_projected`]): of the given input side `xp`
/// (`[R, batch, steps, G*H]`, for burn to take back to `x`, `W_ih` and `b_ih`), of `w_hh` and
/// of `b_hh`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedGrads<T> {
    pub xp: Vec<T>,
    pub w_hh: Vec<T>,
    pub b_hh: Vec<T>,
}

/// Gradients of `sum(states * d_states)` of a projected call.
pub fn backward_projected<T: Real>(
    d: &Dims,
    w_hh: &[T],
    b_hh: &[T],
    trace: &Trace<T>,
    d_states: &[T],
) -> ProjectedGrads<T> {
    check_hidden(d, w_hh, b_hh);
    let (.., a, _) = d.per_replica();
    let gates = d.gates();
    let mut xp = vec![T::ZERO; d.replicas * a];
    let (w_hh, b_hh) = backward_all(d, w_hh, trace, d_states, |r, pos, dgi| {
        let at = r * a + pos * gates;
        xp[at..at + gates].copy_from_slice(dgi);
    });
    ProjectedGrads { xp, w_hh, b_hh }
}

/// Every replica's backward pass; `input_grad(r, pos, dgi)` takes the gradient of replica r's
/// input side at a position. Returns the gradients of `w_hh` and `b_hh`.
fn backward_all<T: Real>(
    d: &Dims,
    w_hh: &[T],
    trace: &Trace<T>,
    d_states: &[T],
    mut input_grad: impl FnMut(usize, usize, &[T]),
) -> (Vec<T>, Vec<T>) {
    let (_, wh, b, s, a, e) = d.per_replica();
    assert_eq!(d_states.len(), d.replicas * s, "d_states size");
    let mut g_w_hh = vec![T::ZERO; d.replicas * wh];
    let mut g_b_hh = vec![T::ZERO; d.replicas * b];
    let e_len = e.max(1);
    let zero = vec![T::ZERO; d.batch * d.hidden];
    for (r, (w_hh_g, b_hh_g)) in g_w_hh.chunks_mut(wh).zip(g_b_hh.chunks_mut(b)).enumerate() {
        backward_replica(
            d,
            &w_hh[r * wh..(r + 1) * wh],
            trace.start.of(d, r, &zero),
            &trace.states[r * s..(r + 1) * s],
            &trace.acts[r * a..(r + 1) * a],
            &trace.extra[r * e_len..r * e_len + e],
            &d_states[r * s..(r + 1) * s],
            ReplicaGrads {
                w_hh: w_hh_g,
                b_hh: b_hh_g,
            },
            |pos, dgi| input_grad(r, pos, dgi),
        );
    }
    (g_w_hh, g_b_hh)
}

struct ReplicaGrads<'a, T> {
    w_hh: &'a mut [T],
    b_hh: &'a mut [T],
}

#[allow(clippy::too_many_arguments)]
fn backward_replica<T: Real>(
    d: &Dims,
    w_hh: &[T],
    // The state before the first step (it receives no gradient).
    (h0, c0): (&[T], &[T]),
    states: &[T],
    acts: &[T],
    extra: &[T],
    d_states: &[T],
    out: ReplicaGrads<'_, T>,
    // Takes the gradient of the input side `x W_ih + b_ih` of a position.
    mut input_grad: impl FnMut(usize, &[T]),
) {
    let h_n = d.hidden;
    let g = d.gates();
    // Gradient flowing into h_{t-1} (and c_{t-1}) from step t.
    let mut dh_next = vec![T::ZERO; h_n];
    let mut dc_next = vec![T::ZERO; h_n];
    let mut dh = vec![T::ZERO; h_n];
    // Gradients of the pre-activations on the input side and on the hidden side (they differ
    // only for GRU's candidate, where the reset gate multiplies the hidden side).
    let mut dgi = vec![T::ZERO; g];
    let mut dgh = vec![T::ZERO; g];
    for b in 0..d.batch {
        let (h0, c0) = (&h0[b * h_n..(b + 1) * h_n], &c0[b * h_n..(b + 1) * h_n]);
        dh_next.iter_mut().for_each(|x| *x = T::ZERO);
        dc_next.iter_mut().for_each(|x| *x = T::ZERO);
        for t in (0..d.steps).rev() {
            let pos = b * d.steps + t;
            let h_prev: &[T] = if t == 0 {
                h0
            } else {
                &states[(pos - 1) * h_n..pos * h_n]
            };
            for k in 0..h_n {
                dh[k] = d_states[pos * h_n + k] + dh_next[k];
            }
            let act = &acts[pos * g..(pos + 1) * g];
            // `dh_next` is rebuilt below; here it first takes the direct path (GRU's z * h).
            match d.cell {
                CellKind::Rnn => {
                    for k in 0..h_n {
                        let h = act[k];
                        dgi[k] = dh[k] * (T::ONE - h * h);
                        dgh[k] = dgi[k];
                        dh_next[k] = T::ZERO;
                    }
                }
                CellKind::Lstm => {
                    let c = &extra[pos * h_n..(pos + 1) * h_n];
                    let c_prev: &[T] = if t == 0 { c0 } else { &extra[(pos - 1) * h_n..pos * h_n] };
                    for k in 0..h_n {
                        let (i, f, gg, o) = (act[k], act[h_n + k], act[2 * h_n + k], act[3 * h_n + k]);
                        let tc = c[k].tanh();
                        let d_o = dh[k] * tc;
                        let dc = dc_next[k] + dh[k] * o * (T::ONE - tc * tc);
                        let (di, dg, df) = (dc * gg, dc * i, dc * c_prev[k]);
                        dc_next[k] = dc * f;
                        dgi[k] = di * i * (T::ONE - i);
                        dgi[h_n + k] = df * f * (T::ONE - f);
                        dgi[2 * h_n + k] = dg * (T::ONE - gg * gg);
                        dgi[3 * h_n + k] = d_o * o * (T::ONE - o);
                        dh_next[k] = T::ZERO;
                    }
                    dgh.copy_from_slice(&dgi);
                }
                CellKind::Gru => {
                    let ghn = &extra[pos * h_n..(pos + 1) * h_n];
                    for k in 0..h_n {
                        let (r, z, n) = (act[k], act[h_n + k], act[2 * h_n + k]);
                        let dn = dh[k] * (T::ONE - z);
                        let dz = dh[k] * (h_prev[k] - n);
                        let dan = dn * (T::ONE - n * n);
                        let dar = dan * ghn[k] * r * (T::ONE - r);
                        let daz = dz * z * (T::ONE - z);
                        dgi[k] = dar;
                        dgi[h_n + k] = daz;
                        dgi[2 * h_n + k] = dan;
                        dgh[k] = dar;
                        dgh[h_n + k] = daz;
                        dgh[2 * h_n + k] = dan * r;
                        dh_next[k] = dh[k] * z;
                    }
                }
                CellKind::Memoryless => unreachable!("checked in `check`"),
            }
            input_grad(pos, &dgi);
            for (acc, &dj) in out.b_hh.iter_mut().zip(dgh.iter()) {
                *acc += dj;
            }
            for k in 0..h_n {
                let hk = h_prev[k];
                let row = &mut out.w_hh[k * g..(k + 1) * g];
                for (acc, &dj) in row.iter_mut().zip(dgh.iter()) {
                    *acc += hk * dj;
                }
                let w_row = &w_hh[k * g..(k + 1) * g];
                let mut sum = T::ZERO;
                for (&wkj, &dj) in w_row.iter().zip(dgh.iter()) {
                    sum += wkj * dj;
                }
                dh_next[k] += sum;
            }
        }
    }
}
