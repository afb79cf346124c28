//! Picks the burn backend for a device at run time. One binary carries all three.

use super::{train, GroupResult, TrainJob};
use crate::device;
use crate::model::Kernel;
use crate::spec::{CellKind, DeviceSpec, HeadKind};
use burn::backend::{Autodiff, Cuda, Flex, NdArray};

/// The recurrence kernel for a device: the fused op on the CPU backends; op by op on CUDA, where
/// the fused op (a host kernel) would copy parameters and states to the host every epoch.
pub fn kernel_for(device: DeviceSpec) -> Kernel {
    match device {
        DeviceSpec::Cpu | DeviceSpec::NdArray => Kernel::Fused,
        DeviceSpec::Cuda(_) => Kernel::OpByOp,
    }
}

/// What the cost of training a group grows with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchCost {
    /// The fused CPU kernels: arithmetic per replica, so cost grows with the replica count
    /// (groups are worth cutting into blocks across processes).
    PerReplica,
    /// Op-by-op training (CUDA; memoryless cells anywhere): the cost of each of the many tiny
    /// tensor operations barely depends on how many replicas it covers, so the more groups
    /// share one launch, the better (and cutting a group would multiply its cost). `head: none`
    /// groups count here too: on the CPU their recurrence is fused but their loss runs op by op.
    PerOperation,
}

/// How training a group of `cell`/`head` on `device` costs.
pub fn batch_cost(device: DeviceSpec, cell: CellKind, head: HeadKind) -> BatchCost {
    let fused_cell = matches!(cell, CellKind::Rnn | CellKind::Lstm | CellKind::Gru);
    match kernel_for(device) {
        Kernel::Fused if fused_cell && head == HeadKind::Linear => BatchCost::PerReplica,
        _ => BatchCost::PerOperation,
    }
}

/// Trains `job` on `device`; a device that cannot be used is an error message, never a panic.
pub fn train_on(
    device: DeviceSpec,
    job: &TrainJob<'_>,
    on_epoch: &mut dyn FnMut(usize),
) -> Result<GroupResult, String> {
    match device {
        // A panic inside training (an assertion in a kernel, say) fails this group's runs with
        // its message instead of aborting the sweep.
        DeviceSpec::Cpu => device::catch_panic(|| train::<Autodiff<Flex>>(job, &Default::default(), on_epoch))
            .map_err(|m| format!("training failed: {m}")),
        DeviceSpec::NdArray => {
            // burn-ndarray hands every op to rayon's global pool; for tensors this small the
            // hand-offs cost more than the arithmetic. Inside a one-thread pool they run inline.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .map_err(|e| format!("cannot start a thread pool: {e}"))?;
            // The pool runs the training on its own thread; epochs come back over a channel so
            // that progress is still reported from this thread.
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::scope(|scope| {
                let worker = scope.spawn(move || {
                    pool.install(|| {
                        train::<Autodiff<NdArray>>(job, &Default::default(), &mut |e| {
                            let _ = tx.send(e);
                        })
                    })
                });
                // Ends when the worker drops its sender, also if it panics.
                for epoch in rx.iter() {
                    on_epoch(epoch);
                }
                worker.join().map_err(|_| "training on ndarray panicked".to_string())
            })
        }
        DeviceSpec::Cuda(index) => {
            device::check_cuda(index)?;
            let cuda = burn::backend::cuda::CudaDevice::new(index);
            device::catch_panic(|| train::<Autodiff<Cuda>>(job, &cuda, on_epoch))
                .map_err(|m| format!("CUDA device {index} failed: {m}"))
        }
    }
}
