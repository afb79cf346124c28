//! The fused recurrence over a given input side: `xp = x W_ih + b_ih` is computed by burn (for
//! an embedded input, or a layer above the first: one matmul over every position), and the op
//! runs the recurrence `xp + (h W_hh + b_hh)` of the whole sequence ([`kernels::forward_projected`]).
//! Its backward hands burn the gradient of `xp`, which burn takes back to `x`, `W_ih` and
//! `b_ih` (and through `x` to the embedding or the layer below).

use super::kernels::{self, Dims, Trace};
use super::{from_host, register_grads, report_end, to_host, FusedBackend};
use crate::model::carry::Carry;
use crate::spec::CellKind;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::Autodiff;
use burn::prelude::*;
use burn::tensor::ops::FloatTensor;
use burn::tensor::TensorPrimitive;
use std::sync::Arc;

/// `[xp, w_hh, b_hh]` on the host, with the sizes of the call.
#[derive(Debug, Clone)]
struct ProjectedCall {
    dims: Dims,
    xp: Vec<f32>,
    w_hh: Vec<f32>,
    b_hh: Vec<f32>,
}

impl ProjectedCall {
    /// `xp` is `[R, batch * steps, G*H]`, sequence-major.
    fn read<B: Backend>(cell: CellKind, params: [FloatTensor<B>; 3], batch: usize) -> Self {
        let [xp, w_hh, b_hh] = params.map(to_host::<B, 3>);
        let [replicas, positions, gates] = xp.1;
        assert!(batch > 0 && positions % batch == 0, "positions are whole sequences");
        let dims = Dims {
            cell,
            replicas,
            vocab: 0,
            hidden: gates / cell.gates(),
            batch,
            steps: positions / batch,
        };
        Self {
            dims,
            xp: xp.0,
            w_hh: w_hh.0,
            b_hh: b_hh.0,
        }
    }

    /// The forward pass from `carry`'s start (or zero), reporting its end to `carry`.
    fn forward(&self, carry: Option<&Carry>) -> Trace<f32> {
        let start = carry.map(Carry::start).unwrap_or_default();
        let trace = kernels::forward_projected(&self.dims, &self.w_hh, &self.b_hh, &self.xp, start);
        report_end(carry, &self.dims, &trace);
        trace
    }

    fn states_shape(&self) -> [usize; 4] {
        let d = &self.dims;
        [d.replicas, d.batch, d.steps, d.hidden]
    }
}

/// The forward op of a backend without autodiff.
pub(super) fn plain_forward<B: Backend>(
    cell: CellKind,
    params: [FloatTensor<B>; 3],
    batch: usize,
    carry: Option<Arc<Carry>>,
) -> FloatTensor<B> {
    let device = B::float_device(&params[0]);
    let call = ProjectedCall::read::<B>(cell, params, batch);
    let shape = call.states_shape();
    from_host::<B, 4>(call.forward(carry.as_deref()).states, shape, &device)
}

#[derive(Debug)]
struct ProjectedBackward;

#[derive(Debug, Clone)]
struct SavedProjected {
    call: Arc<ProjectedCall>,
    trace: Arc<Trace<f32>>,
}

impl<B: Backend> Backward<B, 3> for ProjectedBackward {
    type State = SavedProjected;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let d_states = grads.consume::<B>(&ops.node);
        let device = B::float_device(&d_states);
        let call = &ops.state.call;
        let (d_states, _) = to_host::<B, 4>(d_states);
        let g = kernels::backward_projected(&call.dims, &call.w_hh, &call.b_hh, &ops.state.trace, &d_states);
        let d = &call.dims;
        let gates = d.cell.gates() * d.hidden;
        let values = [
            (g.xp, [d.replicas, d.batch * d.steps, gates]),
            (g.w_hh, [d.replicas, d.hidden, gates]),
            (g.b_hh, [d.replicas, 1, gates]),
        ];
        register_grads::<B, 3>(grads, ops.parents.map(|p| p.map(|n| n.id)), values, &device);
    }
}

/// The op in the autodiff graph.
pub(super) fn autodiff<B: FusedBackend, C: CheckpointStrategy>(
    cell: CellKind,
    params: [FloatTensor<Autodiff<B, C>>; 3],
    batch: usize,
    carry: Option<Arc<Carry>>,
) -> FloatTensor<Autodiff<B, C>> {
    let nodes = params.each_ref().map(|p| p.node.clone());
    match ProjectedBackward.prepare::<C>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let device = B::float_device(&params[0].primitive);
            let call = ProjectedCall::read::<B>(cell, params.map(|p| p.primitive), batch);
            let trace = call.forward(carry.as_deref());
            let output = from_host::<B, 4>(trace.states.clone(), call.states_shape(), &device);
            let state = SavedProjected {
                call: Arc::new(call),
                trace: Arc::new(trace),
            };
            prep.finish(state, output)
        }
        OpsKind::UnTracked(prep) => prep.finish(B::fused_projected_recurrence(
            cell,
            params.map(|p| p.primitive),
            batch,
            carry,
        )),
    }
}

/// The projected op on burn tensors: `[xp [R, batch * steps, G*H], w_hh, b_hh]` -> states
/// `[R, batch, steps, H]`, from `carry`'s start (or zero: [`FusedBackend::fused_recurrence`]).
pub fn projected<B: FusedBackend>(
    cell: CellKind,
    params: [Tensor<B, 3>; 3],
    batch: usize,
    carry: Option<Arc<Carry>>,
) -> Tensor<B, 4> {
    let prims = params.map(|p| p.into_primitive().tensor());
    Tensor::from_primitive(TensorPrimitive::Float(B::fused_projected_recurrence(
        cell, prims, batch, carry,
    )))
}
