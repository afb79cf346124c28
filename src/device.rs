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

/// Overrides the memory a sweep may plan its launches for (`512M`, `8G`, plain bytes): for a
/// machine shared with other work, and for tests.
pub const MEMORY_LIMIT_ENV: &str = "SWEEPLAB_MEMORY_LIMIT";

/// The bytes of memory this process may still allocate: `SWEEPLAB_MEMORY_LIMIT` if set, else
/// the kernel's `MemAvailable`, lowered to the headroom of this process's cgroup (a Slurm job's
/// or a container's memory limit). `None` where neither can be read (not Linux).
pub fn available_memory() -> Result<Option<u64>, String> {
    if let Some(limit) = std::env::var_os(MEMORY_LIMIT_ENV) {
        let text = limit.to_string_lossy();
        return parse_bytes(&text)
            .map(Some)
            .ok_or_else(|| format!("{MEMORY_LIMIT_ENV}={text}: expected a size such as 512M or 8G"));
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo.as_deref().and_then(|m| {
        let kb = m.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
        kb.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()?
            .checked_mul(1024)
    });
    Ok(match (available, cgroup_headroom()) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    })
}

/// `memory.max - memory.current` of this process's cgroup (v2), if it has a limit.
fn cgroup_headroom() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?.trim().to_string();
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok()?.trim().parse::<u64>().ok();
    read("memory.max")?.checked_sub(read("memory.current").unwrap_or(0))
}

/// `512M`, `8G`, `1.5G`, `1000000`: bytes (K, M, G, T are powers of 1024).
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&text[..i], text[i..].trim_end_matches(['B', 'b', 'i'])),
        None => (text, ""),
    };
    let scale: f64 = match unit.to_ascii_uppercase().as_str() {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0 && value * scale < 1.8e19).then_some((value * scale) as u64)
}
