//! The recurrent state carried from one window to the next (truncated BPTT, `bptt`): each
//! window starts from the state the previous one ended in, detached, so that no gradient
//! flows back across windows. The state lives on the host: it is a few floats per replica and
//! stream, and the fused kernels read it there.

use super::cells::StepState;
use super::fused::kernels::State;
use burn::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};

/// One layer's state, `[R, batch, H]` each of `h` and (LSTM) `c`; empty: the zero state.
pub type LayerState = State<f32>;

/// The start of one fused call and, once it ran, its end. The fused op's output is the
/// states tensor, which holds neither LSTM's `c` nor anything a later window may read
/// without keeping the graph; the op hands its end state out through this instead.
#[derive(Debug, Default)]
pub struct Carry {
    start: LayerState,
    end: Mutex<Option<LayerState>>,
}

impl Carry {
    pub fn new(start: LayerState) -> Arc<Self> {
        Arc::new(Self {
            start,
            end: Mutex::new(None),
        })
    }

    pub fn start(&self) -> LayerState {
        self.start.clone()
    }

    /// Called by the op with the state after its last step.
    pub fn finish(&self, end: LayerState) {
        *self.end.lock().unwrap_or_else(PoisonError::into_inner) = Some(end);
    }

    /// The end state; panics if the op has not run.
    pub fn take_end(&self) -> LayerState {
        let end = self.end.lock().unwrap_or_else(PoisonError::into_inner).take();
        end.expect("the fused op ran and reported its end state")
    }
}

/// Every layer's state between windows, bottom up; empty: the zero state (an epoch's first
/// window).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CarriedState {
    pub layers: Vec<LayerState>,
}

impl CarriedState {
    /// Layer `l`'s state (the zero state if none was carried).
    pub fn layer(&self, l: usize) -> LayerState {
        self.layers.get(l).cloned().unwrap_or_default()
    }
}

/// A carried host state as tensors (`None`: the zero state).
pub(super) fn step_state<B: Backend>(state: LayerState, dims: [usize; 3], device: &B::Device) -> Option<StepState<B>> {
    let tensor = |v: Vec<f32>| Tensor::from_data(TensorData::new(v, dims), device);
    if state.h.is_empty() {
        return None;
    }
    let c = (!state.c.is_empty()).then(|| tensor(state.c));
    Some(StepState { h: tensor(state.h), c })
}

/// A step state on the host, detached.
pub(super) fn host_state<B: Backend>(state: StepState<B>) -> LayerState {
    let host = |t: Tensor<B, 3>| host_vec(t.into_data());
    LayerState {
        h: host(state.h),
        c: state.c.map(host).unwrap_or_default(),
    }
}

pub(super) fn host_vec(data: TensorData) -> Vec<f32> {
    data.convert::<f32>().to_vec::<f32>().expect("f32 tensor data")
}
