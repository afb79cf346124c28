//! The fused recurrence as a burn operation: one op for the whole sequence of every replica,
//! forward and backward, instead of a dozen tiny tensor ops per time step (whose per-op
//! overhead, not arithmetic, is what these models cost op by op).
//!
//! It is a backend extension in burn's sense ([`FusedBackend`]): the plain backends run the
//! forward loops of [`kernels`]; `Autodiff<B>` registers the op in the autodiff graph with its
//! own backward (BPTT in one loop). The linear head with the cross-entropy loss is a second
//! fused op ([`loss_kernel`]). Training stays burn training: burn parameters, burn autodiff
//! (which chains the two ops and sums the replica losses), burn's optimiser. The kernels run on
//! the host; on the CPU backends reading a tensor to the host is a memory copy (parameters,
//! states and their gradients: a few floats per replica and position). On CUDA the same ops work
//! but copy those tensors between device and host several times per epoch, so CUDA runs use the
//! op-by-op cells.

pub mod kernels;
pub mod loss_kernel;
mod projected;
mod sets;

pub use projected::projected;
pub use sets::{ReplicaSets, Tokens};

use super::carry::Carry;
use crate::spec::CellKind;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::NodeId;
use burn::backend::{Autodiff, Cuda, Flex, NdArray};
use burn::prelude::*;
use burn::tensor::ops::FloatTensor;
use burn::tensor::TensorPrimitive;
use kernels::{Dims, Trace, Weights};
use loss_kernel::{LossDims, LossTrace};
use std::sync::Arc;

/// A backend that can run the fused recurrence.
pub trait FusedBackend: Backend {
    /// States `[R, batch, steps, hidden]` of `cell`; `params` are `[w_ih, w_hh, b_ih, b_hh]`
    /// in the model's `[R, in, out]` layout. The recurrence starts from `carry`'s start and
    /// reports its end there; without a carry, from a zero state.
    fn fused_recurrence(
        cell: CellKind,
        params: [FloatTensor<Self>; 4],
        tokens: Arc<Tokens>,
        carry: Option<Arc<Carry>>,
    ) -> FloatTensor<Self>;

    /// States `[R, batch, steps, hidden]` of `cell` when the input side is given: `params`
    /// are `[xp, w_hh, b_hh]`, `xp = x W_ih + b_ih` of every position (`[R, batch * steps,
    /// G*H]`) ([`projected`]). `carry`: as [`Self::fused_recurrence`]'s.
    fn fused_projected_recurrence(
        cell: CellKind,
        params: [FloatTensor<Self>; 3],
        batch: usize,
        carry: Option<Arc<Carry>>,
    ) -> FloatTensor<Self>;

    /// Mean softmax cross-entropy of each replica, `[R]`, of the linear head `[weight, bias]`
    /// (`[R, H, V]`, `[R, 1, V]`) over `states [R, P, H]`; `targets` has one entry per position
    /// (per set).
    fn fused_head_loss(params: [FloatTensor<Self>; 3], targets: Arc<ReplicaSets>) -> FloatTensor<Self>;
}

fn to_host<B: Backend, const D: usize>(t: FloatTensor<B>) -> (Vec<f32>, [usize; D]) {
    let t = Tensor::<B, D>::from_primitive(TensorPrimitive::Float(t));
    let dims = t.dims();
    let data = t
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("f32 tensor data");
    (data, dims)
}

fn from_host<B: Backend, const D: usize>(data: Vec<f32>, shape: [usize; D], device: &B::Device) -> FloatTensor<B> {
    Tensor::<B, D>::from_data(TensorData::new(data, shape), device)
        .into_primitive()
        .tensor()
}

/// Hands the kernel's gradients (`[R, rows, cols]` each, in the op's input order) to burn for
/// the inputs that require one.
fn register_grads<B: Backend, const N: usize>(
    grads: &mut Gradients,
    parents: [Option<NodeId>; N],
    values: [(Vec<f32>, [usize; 3]); N],
    device: &B::Device,
) {
    for (parent, (value, shape)) in parents.into_iter().zip(values) {
        if let Some(id) = parent {
            grads.register::<B>(id, from_host::<B, 3>(value, shape, device));
        }
    }
}

/// The four parameters on the host, with the sizes of the call.
#[derive(Debug, Clone)]
struct HostCall {
    dims: Dims,
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    b_ih: Vec<f32>,
    b_hh: Vec<f32>,
    tokens: Arc<Tokens>,
}

impl HostCall {
    fn read<B: Backend>(cell: CellKind, params: [FloatTensor<B>; 4], tokens: Arc<Tokens>) -> Self {
        let [w_ih, w_hh, b_ih, b_hh] = params.map(to_host::<B, 3>);
        let [replicas, vocab, gates] = w_ih.1;
        let dims = Dims {
            cell,
            replicas,
            vocab,
            hidden: gates / cell.gates(),
            batch: tokens.batch,
            steps: tokens.steps,
        };
        Self {
            dims,
            w_ih: w_ih.0,
            w_hh: w_hh.0,
            b_ih: b_ih.0,
            b_hh: b_hh.0,
            tokens,
        }
    }

    fn weights(&self) -> Weights<'_, f32> {
        Weights {
            w_ih: &self.w_ih,
            w_hh: &self.w_hh,
            b_ih: &self.b_ih,
            b_hh: &self.b_hh,
        }
    }

    /// The forward pass from `carry`'s start (or zero), reporting its end to `carry`.
    fn forward(&self, carry: Option<&Carry>) -> Trace<f32> {
        let start = carry.map(Carry::start).unwrap_or_default();
        let trace = kernels::forward(&self.dims, &self.weights(), &self.tokens.ids, start);
        report_end(carry, &self.dims, &trace);
        trace
    }

    fn states_shape(&self) -> [usize; 4] {
        let d = &self.dims;
        [d.replicas, d.batch, d.steps, d.hidden]
    }
}

/// Hands the state after a call's last step to its carry, if it has one.
fn report_end(carry: Option<&Carry>, dims: &Dims, trace: &Trace<f32>) {
    if let Some(carry) = carry {
        carry.finish(trace.end(dims));
    }
}

/// The forward op of a backend without autodiff.
fn plain_forward<B: Backend>(
    cell: CellKind,
    params: [FloatTensor<B>; 4],
    tokens: Arc<Tokens>,
    carry: Option<Arc<Carry>>,
) -> FloatTensor<B> {
    let device = B::float_device(&params[0]);
    let call = HostCall::read::<B>(cell, params, tokens);
    let shape = call.states_shape();
    from_host::<B, 4>(call.forward(carry.as_deref()).states, shape, &device)
}

/// The states, head and targets of a loss call on the host.
#[derive(Debug, Clone)]
struct LossCall {
    dims: LossDims,
    states: Vec<f32>,
    weight: Vec<f32>,
    bias: Vec<f32>,
    targets: Arc<ReplicaSets>,
}

impl LossCall {
    fn read<B: Backend>(params: [FloatTensor<B>; 3], targets: Arc<ReplicaSets>) -> Self {
        let [states, weight, bias] = params.map(to_host::<B, 3>);
        let [replicas, positions, hidden] = states.1;
        let dims = LossDims {
            replicas,
            positions,
            hidden,
            vocab: weight.1[2],
        };
        Self {
            dims,
            states: states.0,
            weight: weight.0,
            bias: bias.0,
            targets,
        }
    }

    fn forward(&self) -> LossTrace<f32> {
        loss_kernel::forward(&self.dims, &self.states, &self.weight, &self.bias, &self.targets)
    }
}

fn plain_head_loss<B: Backend>(params: [FloatTensor<B>; 3], targets: Arc<ReplicaSets>) -> FloatTensor<B> {
    let device = B::float_device(&params[0]);
    let call = LossCall::read::<B>(params, targets);
    from_host::<B, 1>(loss_output(&call.forward()), [2 * call.dims.replicas], &device)
}

/// The op's output, `[2R]`: each replica's loss, then each replica's accuracy (which carries
/// no gradient: the backward step reads the first half of its incoming gradient only).
fn loss_output(trace: &LossTrace<f32>) -> Vec<f32> {
    trace.losses.iter().chain(&trace.accuracy).copied().collect()
}

macro_rules! plain_fused_backend {
    ($($b:ty),*) => {$(
        impl FusedBackend for $b {
            fn fused_recurrence(
                cell: CellKind,
                params: [FloatTensor<Self>; 4],
                tokens: Arc<Tokens>,
                carry: Option<Arc<Carry>>,
            ) -> FloatTensor<Self> {
                plain_forward::<Self>(cell, params, tokens, carry)
            }
            fn fused_projected_recurrence(
                cell: CellKind,
                params: [FloatTensor<Self>; 3],
                batch: usize,
                carry: Option<Arc<Carry>>,
            ) -> FloatTensor<Self> {
                projected::plain_forward::<Self>(cell, params, batch, carry)
            }
            fn fused_head_loss(params: [FloatTensor<Self>; 3], targets: Arc<ReplicaSets>) -> FloatTensor<Self> {
                plain_head_loss::<Self>(params, targets)
            }
        }
    )*};
}
plain_fused_backend!(Flex, NdArray, Cuda);

/// The backward step of the fused op: BPTT over the trace kept by the forward pass.
#[derive(Debug)]
struct FusedBackward;

/// What the backward step needs: the host parameters and the forward trace.
#[derive(Debug, Clone)]
struct SavedForward {
    call: Arc<HostCall>,
    trace: Arc<Trace<f32>>,
}

impl<B: Backend> Backward<B, 4> for FusedBackward {
    type State = SavedForward;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let d_states = grads.consume::<B>(&ops.node);
        let device = B::float_device(&d_states);
        let call = &ops.state.call;
        let (d_states, _) = to_host::<B, 4>(d_states);
        let g = kernels::backward(
            &call.dims,
            &call.weights(),
            &call.tokens.ids,
            &ops.state.trace,
            &d_states,
        );
        let d = &call.dims;
        let gates = d.cell.gates() * d.hidden;
        let values = [
            (g.w_ih, [d.replicas, d.vocab, gates]),
            (g.w_hh, [d.replicas, d.hidden, gates]),
            (g.b_ih, [d.replicas, 1, gates]),
            (g.b_hh, [d.replicas, 1, gates]),
        ];
        register_grads::<B, 4>(grads, ops.parents.map(|p| p.map(|n| n.id)), values, &device);
    }
}

/// The backward step of the fused head and loss.
#[derive(Debug)]
struct HeadLossBackward;

#[derive(Debug, Clone)]
struct SavedLoss {
    call: Arc<LossCall>,
    trace: Arc<LossTrace<f32>>,
}

impl<B: Backend> Backward<B, 3> for HeadLossBackward {
    type State = SavedLoss;

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let d_losses = grads.consume::<B>(&ops.node);
        let device = B::float_device(&d_losses);
        let (mut d_losses, _) = to_host::<B, 1>(d_losses);
        let c = &ops.state.call;
        d_losses.truncate(c.dims.replicas);
        let g = loss_kernel::backward(
            &c.dims,
            &c.states,
            &c.weight,
            &c.bias,
            &c.targets,
            &ops.state.trace,
            &d_losses,
        );
        let d = &c.dims;
        let values = [
            (g.states, [d.replicas, d.positions, d.hidden]),
            (g.weight, [d.replicas, d.hidden, d.vocab]),
            (g.bias, [d.replicas, 1, d.vocab]),
        ];
        register_grads::<B, 3>(grads, ops.parents.map(|p| p.map(|n| n.id)), values, &device);
    }
}

impl<B: FusedBackend, C: CheckpointStrategy> FusedBackend for Autodiff<B, C> {
    fn fused_projected_recurrence(
        cell: CellKind,
        params: [FloatTensor<Self>; 3],
        batch: usize,
        carry: Option<Arc<Carry>>,
    ) -> FloatTensor<Self> {
        projected::autodiff::<B, C>(cell, params, batch, carry)
    }

    fn fused_head_loss(params: [FloatTensor<Self>; 3], targets: Arc<ReplicaSets>) -> FloatTensor<Self> {
        let nodes = params.each_ref().map(|p| p.node.clone());
        match HeadLossBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let device = B::float_device(&params[0].primitive);
                let call = LossCall::read::<B>(params.map(|p| p.primitive), targets);
                let trace = call.forward();
                let output = from_host::<B, 1>(loss_output(&trace), [2 * call.dims.replicas], &device);
                let state = SavedLoss {
                    call: Arc::new(call),
                    trace: Arc::new(trace),
                };
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fused_head_loss(params.map(|p| p.primitive), targets)),
        }
    }

    fn fused_recurrence(
        cell: CellKind,
        params: [FloatTensor<Self>; 4],
        tokens: Arc<Tokens>,
        carry: Option<Arc<Carry>>,
    ) -> FloatTensor<Self> {
        let nodes = params.each_ref().map(|p| p.node.clone());
        match FusedBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let device = B::float_device(&params[0].primitive);
                let call = HostCall::read::<B>(cell, params.map(|p| p.primitive), tokens);
                let trace = call.forward(carry.as_deref());
                let output = from_host::<B, 4>(trace.states.clone(), call.states_shape(), &device);
                let state = SavedForward {
                    call: Arc::new(call),
                    trace: Arc::new(trace),
                };
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => {
                prep.finish(B::fused_recurrence(cell, params.map(|p| p.primitive), tokens, carry))
            }
        }
    }
}

/// The fused op on burn tensors (`carry`: [`FusedBackend::fused_recurrence`]'s).
pub fn recurrence<B: FusedBackend>(
    cell: CellKind,
    params: [Tensor<B, 3>; 4],
    tokens: Arc<Tokens>,
    carry: Option<Arc<Carry>>,
) -> Tensor<B, 4> {
    let prims = params.map(|p| p.into_primitive().tensor());
    Tensor::from_primitive(TensorPrimitive::Float(B::fused_recurrence(cell, prims, tokens, carry)))
}

/// The fused head and loss on burn tensors: `[states [R, P, H], weight, bias]` -> `[2R]`, the
/// losses then the accuracies of the replicas.
pub fn head_loss<B: FusedBackend>(params: [Tensor<B, 3>; 3], targets: Arc<ReplicaSets>) -> Tensor<B, 1> {
    let prims = params.map(|p| p.into_primitive().tensor());
    Tensor::from_primitive(TensorPrimitive::Float(B::fused_head_loss(prims, targets)))
}
