//! One folder, one experiment, one writer. A command that writes into a results folder first
//! claims it: it takes the folder's lock (exclusive to assemble it; shared for cluster tasks
//! that each add their own run records), then checks that the folder holds this experiment's
//! results (or nothing), so that two experiments' files never mix.
//!
//! The lock is an advisory `flock` on `.sweeplab.lock`: the kernel drops it when its holder
//! exits, however it exits, so a killed sweep never leaves a lock that blocks the next one.
//! The file also names the last holder's pid, for the message of a refused command.

use super::{
    CURVES_CSV, EXPERIMENT_YAML, FIGURES_DIR, MANIFEST_JSON, RECORDS_DIR, REPORT_HTML, REPORT_MD, RESOLVED_YAML,
    RUNS_CSV, SHARDS_DIR, STATES_CSV,
};
use crate::error::{Error, Result};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file of a results folder.
pub const LOCK_FILE: &str = ".sweeplab.lock";
/// Where `sweeplab slurm` writes its scripts, inside the results folder.
pub const SLURM_DIR: &str = "slurm";

/// Every entry a results folder may hold; `--replace` removes exactly these.
const OWN_ENTRIES: [&str; 12] = [
    EXPERIMENT_YAML,
    RESOLVED_YAML,
    RUNS_CSV,
    CURVES_CSV,
    STATES_CSV,
    MANIFEST_JSON,
    RECORDS_DIR,
    SHARDS_DIR,
    FIGURES_DIR,
    REPORT_MD,
    REPORT_HTML,
    SLURM_DIR,
];

/// How a command uses a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Assembles or rewrites the folder (sweep, merge, plot, report, slurm): alone.
    Exclusive,
    /// Adds run records beside other writers of the same kind (cluster tasks).
    Shared,
}

/// A held lock on a results folder, released when dropped (or when the process ends).
#[derive(Debug)]
pub struct FolderLock {
    _file: Option<File>,
}

impl FolderLock {
    /// Takes the lock of `dir` (which must exist) without waiting: a folder in use is refused
    /// with one line naming the holder.
    pub fn take(dir: &Path, access: Access, command: &str) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, "open the folder's lock", e))?;
        let taken = match access {
            Access::Exclusive => file.try_lock(),
            Access::Shared => file.try_lock_shared(),
        };
        match taken {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::Other(format!(
                    "{} is in use by {}; wait for it to finish",
                    dir.display(),
                    holder(&path)
                )))
            }
            // A file system without locks (some network mounts): proceed unlocked, as before.
            Err(TryLockError::Error(e)) if lock_unsupported(&e) => return Ok(Self { _file: None }),
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, "lock the results folder", e)),
        }
        write_holder(&file, command);
        Ok(Self { _file: Some(file) })
    }
}

fn lock_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(libc::ENOLCK | libc::EOPNOTSUPP))
}

/// Records this process as the holder: one fixed-size write at offset 0, so concurrent
/// shared holders overwrite each other whole rather than interleave.
fn write_holder(file: &File, command: &str) {
    use std::os::unix::fs::FileExt;
    let line = format!("{:<60}\n", format!("pid {} (sweeplab {command})", std::process::id()));
    let _ = file.set_len(line.len() as u64);
    let _ = file.write_all_at(line.as_bytes(), 0);
}

/// "pid N (sweeplab sweep)" as the lock file names it.
fn holder(lock: &Path) -> String {
    let text = std::fs::read_to_string(lock).unwrap_or_default();
    match text.trim() {
        t if t.starts_with("pid ") && t.len() < 200 => t.to_string(),
        _ => "another process".into(),
    }
}

/// The name of the experiment whose results `dir` holds: `Ok(None)` for an empty folder or
/// one holding only what cluster tasks write before any experiment file.
pub fn experiment_of(dir: &Path) -> Result<Option<String>> {
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    let stored = dir.join(EXPERIMENT_YAML);
    if stored.exists() {
        let text = crate::input::read_text(
            &stored,
            "read the stored experiment",
            crate::input::MAX_EXPERIMENT_BYTES,
        )?;
        let named: Named = serde_yaml_ng::from_str(&text).map_err(|e| crate::spec::yaml_error(&stored, e))?;
        return Ok(Some(named.name));
    }
    let foreign = foreign_entries(dir);
    if let Some(first) = foreign.first() {
        return Err(Error::Other(format!(
            "{} is not empty and holds no sweeplab results (it has {} and no {EXPERIMENT_YAML}); choose another folder",
            dir.display(),
            first.display()
        )));
    }
    Ok(None)
}

/// The entries of `dir` that a results folder never holds (hidden files aside).
fn foreign_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| {
            let n = n.to_string_lossy();
            !n.starts_with('.') && !OWN_ENTRIES.contains(&n.as_ref())
        })
        .map(PathBuf::from)
        .collect();
    out.sort();
    out
}

/// Checks that `dir` holds `experiment`'s results or none; with `replace`, another
/// experiment's results are deleted first (only the entries a results folder holds).
pub fn check_experiment(dir: &Path, experiment: &str, replace: bool) -> Result<()> {
    match experiment_of(dir) {
        Ok(None) => Ok(()),
        Ok(Some(name)) if name == experiment => Ok(()),
        Ok(Some(name)) if !replace => Err(Error::Other(format!(
            "{} holds the results of experiment '{name}', not '{experiment}'; choose another --out, or pass --replace to delete them",
            dir.display()
        ))),
        Err(e) if !replace => Err(e),
        _ => clear(dir),
    }
}

/// Deletes the results-folder entries of `dir`.
fn clear(dir: &Path) -> Result<()> {
    for name in OWN_ENTRIES {
        let path = dir.join(name);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else if path.exists() {
            std::fs::remove_file(&path)
        } else {
            Ok(())
        };
        removed.map_err(|e| Error::io(&path, "remove the previous results", e))?;
    }
    Ok(())
}

/// Deletes the temporary files of killed writes (`.<name>.<pid>.tmp[.ext]`) in `dir`, its
/// figures and its run records. Only under the exclusive lock: then no write is in flight
/// (cluster tasks, under the shared lock, never delete).
pub fn remove_temporaries(dir: &Path) {
    for folder in [dir.to_path_buf(), dir.join(FIGURES_DIR), dir.join(RECORDS_DIR)] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.contains(".tmp") && name != LOCK_FILE {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}
