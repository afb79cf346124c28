//! What this machine can run. burn-cuda loads the CUDA driver at run time and panics deep
//! inside cudarc when it is missing, so we look for the driver library first and turn any
//! remaining panic into an error message.

use std::cell::Cell;

thread_local! {
    /// Set while a panic is being caught on purpose, so the panic hook stays quiet.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// The CUDA driver library names cudarc tries.
const CUDA_DRIVER_LIBS: [&str; 2] = ["libcuda.so.1", "libcuda.so"];

/// Ok if the CUDA driver library can be loaded (a GPU may still be absent; see `catch_panic`).
pub fn check_cuda(index: usize) -> Result<(), String> {
    for name in CUDA_DRIVER_LIBS {
        // SAFETY: loading the NVIDIA driver library runs its initialisers, which is what burn-cuda
        // would do a moment later anyway; we only test that it loads and drop it again.
        if unsafe { libloading::Library::new(name) }.is_ok() {
            return Ok(());
        }
    }
    Err(format!(
        "cuda:{index} is not available: the CUDA driver library ({}) is not installed on this machine",
        CUDA_DRIVER_LIBS[0]
    ))
}

/// Runs `f`, turning a panic into its message.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    CATCHING.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// Installs a panic hook that prints one line (no backtrace) and nothing for caught panics.
pub fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into());
        // Output piped into a reader that has gone (`sweeplab ... 2>&1 | head`): stop quietly,
        // as a Unix tool killed by SIGPIPE would (Rust ignores the signal, so `eprintln!`
        // panics instead). Every finished run is already stored.
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(crate::error::EXIT_BROKEN_PIPE);
        }
        if CATCHING.with(|c| c.get()) {
            return;
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("sweeplab: internal error{place}: {msg}");
    }));
}

/// One line per device kind: whether this machine can run it.
pub fn describe() -> Vec<(String, Result<(), String>)> {
    vec![
        ("cpu (burn flex)".into(), Ok(())),
        ("ndarray (burn ndarray)".into(), Ok(())),
        ("cuda (burn cuda)".into(), check_cuda(0)),
    ]
}
