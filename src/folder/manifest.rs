//! `manifest.json`: exactly how a results folder was produced - program and library versions,
//! the source tree's git state, the machine, the times, the experiment file's hash and every
//! run's configuration hash.

use crate::plan::{canonical_config, Plan};
use crate::record::RunRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The burn version sweeplab is built against (pinned in Cargo.toml).
pub const BURN_VERSION: &str = "0.21.0";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GitState {
    pub commit: String,
    /// Uncommitted changes in the working tree when the sweep ran.
    pub dirty: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestRun {
    pub run_id: String,
    pub config_hash: String,
    pub config: serde_json::Value,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub sweeplab_version: String,
    pub git: Option<GitState>,
    pub burn_version: String,
    /// Devices the runs used, with the burn backend behind each.
    pub backends: Vec<String>,
    pub cpu_model: String,
    pub cpu_cores: usize,
    pub os: String,
    pub started: String,
    pub finished: String,
    pub command: String,
    pub experiment: String,
    /// Absolute path of the experiment file the sweep read (text-file datasets are relative to it).
    pub experiment_path: String,
    pub experiment_sha256: String,
    /// Runs trained by this invocation; the others were finished earlier and resumed from disk.
    pub trained_now: usize,
    pub resumed: usize,
    /// Peak resident memory of the sweep process (Linux; `--jobs` workers not included).
    #[serde(default)]
    pub peak_rss_mb: Option<f64>,
    pub runs: Vec<ManifestRun>,
}

pub fn backend_of(device: &crate::spec::DeviceSpec) -> String {
    use crate::spec::DeviceSpec;
    match device {
        DeviceSpec::Cpu => "cpu: burn-flex (f32)".into(),
        DeviceSpec::NdArray => "ndarray: burn-ndarray (f32)".into(),
        DeviceSpec::Cuda(n) => format!("cuda:{n}: burn-cuda (f32)"),
    }
}

impl Manifest {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        plan: &Plan,
        experiment_path: &Path,
        experiment_source: &str,
        records: &[RunRecord],
        started: SystemTime,
        finished: SystemTime,
        trained_now: usize,
    ) -> Self {
        let mut backends: Vec<String> = plan.runs.iter().map(|r| backend_of(&r.device)).collect();
        backends.sort();
        backends.dedup();
        // One fingerprint per dataset, not per run (it hashes the whole dataset).
        let fingerprints: std::collections::HashMap<&str, String> = plan
            .datasets
            .iter()
            .map(|(name, d)| (name.as_str(), d.fingerprint()))
            .collect();
        let runs = records
            .iter()
            .map(|r| {
                let s = &r.spec;
                let fingerprint = fingerprints.get(s.dataset.as_str()).cloned().unwrap_or_default();
                let config = canonical_config(&fingerprint, &s.config, s.seed);
                ManifestRun {
                    run_id: s.id.clone(),
                    config_hash: s.config_hash.to_string(),
                    config: serde_json::from_str(&config).unwrap_or(serde_json::Value::Null),
                    status: r.status.name().into(),
                }
            })
            .collect();
        Manifest {
            sweeplab_version: env!("CARGO_PKG_VERSION").into(),
            git: git_state(Path::new(".")),
            burn_version: BURN_VERSION.into(),
            backends,
            cpu_model: cpu_model(),
            cpu_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            os: os_description(),
            started: rfc3339(started),
            finished: rfc3339(finished),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            experiment: plan.experiment.clone(),
            experiment_path: std::fs::canonicalize(experiment_path)
                .unwrap_or_else(|_| experiment_path.to_path_buf())
                .display()
                .to_string(),
            experiment_sha256: Sha256::digest(experiment_source.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            trained_now,
            resumed: records.len().saturating_sub(trained_now),
            peak_rss_mb: peak_rss_mb(),
            runs,
        }
    }
}

/// This process's peak resident set size (`VmHWM`), where /proc tells it.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The git commit and dirty flag of the repository containing `dir`, if any.
pub fn git_state(dir: &Path) -> Option<GitState> {
    let run = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = run(&["rev-parse", "HEAD"])?;
    let dirty = run(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(GitState { commit, dirty })
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

fn os_description() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release").ok().and_then(|t| {
        t.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
    });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string());
    match (pretty, kernel) {
        (Some(p), Some(k)) => format!("{p} (Linux {k}, {})", std::env::consts::ARCH),
        (Some(p), None) => p,
        _ => format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

/// UTC time as `YYYY-MM-DDTHH:MM:SSZ` (no dependency for one format).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_times() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_467_474)),
            "2026-11-23T20:57:54Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }
}
