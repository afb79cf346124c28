//! The results folder, in one place: the name of every file in it, the one atomic-write routine,
//! the run records (`runs/<id>.json`), the manifest, and per table (`runs.csv`, `curves.csv`,
//! `states.csv`) its columns, its writer and its typed reader side by side. Opening a stored
//! experiment happens here too ([`stored_experiment`]), once for every command that reads a
//! folder back. Nothing here knows about burn.
//!
//! ```text
//! results/<name>/
//!   experiment.yaml   the experiment file as given      resolved.yaml  with every default
//!   runs/<id>.json    one record per finished run       shards/        cluster tasks' manifests
//!   runs.csv  curves.csv  states.csv                    manifest.json  how it was produced
//!   figures/*.png                                       report.md  report.html
//! ```

mod claim;
mod curves_csv;
mod manifest;
mod records;
mod runs_csv;
mod states_csv;
mod table;

pub use claim::{experiment_of, Access, FolderLock, LOCK_FILE, SLURM_DIR};
pub use curves_csv::{read_curves, read_curves_and_val, CurvesCsv};
pub use manifest::{backend_of, git_state, peak_rss_mb, rfc3339, GitState, Manifest, ManifestRun, BURN_VERSION};
pub use records::RecordStore;
pub use runs_csv::{group_stats, later_params, read_runs, RunRow, RunsCsv, RUNS_COLUMNS};
pub use states_csv::{read_states, PositionStates, RunStates, StatesCsv};

use crate::error::{Error, Result};
use crate::record::RunRecord;
use crate::spec::ExperimentFile;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The experiment file as the sweep was given it.
pub const EXPERIMENT_YAML: &str = "experiment.yaml";
/// The experiment with every default filled in.
pub const RESOLVED_YAML: &str = "resolved.yaml";
pub const RUNS_CSV: &str = "runs.csv";
pub const CURVES_CSV: &str = "curves.csv";
pub const STATES_CSV: &str = "states.csv";
pub const MANIFEST_JSON: &str = "manifest.json";
/// The folder of run records.
pub const RECORDS_DIR: &str = "runs";
/// The folder of cluster tasks' manifests (`shard-I-of-N.json`).
pub const SHARDS_DIR: &str = "shards";
pub const FIGURES_DIR: &str = "figures";
pub const REPORT_MD: &str = "report.md";
pub const REPORT_HTML: &str = "report.html";

/// The manifest file name of cluster task `index` of `count`, inside [`SHARDS_DIR`].
pub fn shard_manifest_name(index: usize, count: usize) -> String {
    format!("shard-{index}-of-{count}.json")
}

/// Formats an f32 for CSV: shortest text that reads back to the same value; `NaN`, `inf`.
pub fn fmt_f32(x: f32) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        format!("{x}")
    }
}

/// The one way a file of a results folder is written: into a temporary file beside it (named
/// after the target and this process, keeping the extension, which image encoders read), made
/// durable, then renamed over the target. A reader sees the old file or the complete new one,
/// never half of one; after a crash only a hidden temporary file is left over.
pub fn replace_file(target: &Path, write: impl FnOnce(&Path) -> std::io::Result<()>) -> Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = target
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.{}.tmp{extension}", std::process::id()));
    let result = write(&tmp)
        .and_then(|()| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, target));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(target, "write", e)
    })
}

/// [`replace_file`] with the content written to a buffered writer.
pub fn write_file(target: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    replace_file(target, |tmp| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(tmp)?);
        write(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    })
}

/// One output file computed from the records of a sweep (one small file per format).
pub trait Export {
    fn file_name(&self) -> &'static str;
    fn write(&self, experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()>;
}

/// The tables a sweep writes.
pub fn all_exports() -> Vec<Box<dyn Export>> {
    vec![Box::new(RunsCsv), Box::new(CurvesCsv), Box::new(StatesCsv)]
}

/// A results folder being written.
#[derive(Debug, Clone)]
pub struct ResultsDir {
    pub path: PathBuf,
}

impl ResultsDir {
    /// Creates the folder if needed and proves it is writable, before any training starts.
    pub fn prepare(path: &Path) -> Result<Self> {
        std::fs::create_dir_all(path).map_err(|e| Error::io(path, "create the output folder", e))?;
        // Unique per process: shard workers may share one results folder.
        let probe = path.join(format!(".sweeplab-write-test.{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| Error::io(path, "write to the output folder", e))?;
        let _ = std::fs::remove_file(&probe);
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// Prepares `path` for `experiment` and locks it ([`claim`](self::claim)): refused while
    /// another command holds it in a conflicting way, or when it holds another experiment's
    /// results (deleted first with `replace`). Under the exclusive lock, temporary files of
    /// killed writes are removed.
    pub fn claim(
        path: &Path,
        experiment: &str,
        access: Access,
        replace: bool,
        command: &str,
    ) -> Result<(Self, FolderLock)> {
        let results = Self::prepare(path)?;
        let lock = FolderLock::take(path, access, command)?;
        claim::check_experiment(path, experiment, replace)?;
        if access == Access::Exclusive {
            claim::remove_temporaries(path);
        }
        Ok((results, lock))
    }

    /// Writes the file `name` of the folder atomically ([`write_file`]).
    pub fn write_file(&self, name: &str, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
        write_file(&self.path.join(name), write)
    }

    /// The tables (runs.csv, curves.csv, states.csv) of `records`.
    pub fn write_tables(&self, experiment: &str, records: &[RunRecord]) -> Result<()> {
        for export in all_exports() {
            self.write_file(export.file_name(), |out| export.write(experiment, records, out))?;
        }
        Ok(())
    }

    /// `experiment.yaml` (the text as given) and, when `resolved`, `resolved.yaml`.
    pub fn write_experiment(&self, file: &ExperimentFile, resolved: bool) -> Result<()> {
        self.write_file(EXPERIMENT_YAML, |out| out.write_all(file.source.as_bytes()))?;
        if resolved {
            self.write_file(RESOLVED_YAML, |out| {
                let text = serde_yaml_ng::to_string(&file.experiment).map_err(std::io::Error::other)?;
                out.write_all(text.as_bytes())
            })?;
        }
        Ok(())
    }

    pub fn write_manifest(&self, manifest: &Manifest) -> Result<()> {
        self.write_file(MANIFEST_JSON, |out| {
            serde_json::to_writer_pretty(&mut *out, manifest).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })
    }

    /// A cluster task's manifest, `shards/shard-I-of-N.json`.
    pub fn write_shard_manifest(&self, index: usize, count: usize, manifest: &Manifest) -> Result<()> {
        let shards = ResultsDir::prepare(&self.path.join(SHARDS_DIR))?;
        shards.write_file(&shard_manifest_name(index, count), |out| {
            serde_json::to_writer_pretty(&mut *out, manifest).map_err(std::io::Error::other)
        })
    }
}

/// The manifests of a folder: its own, then its cluster tasks' in name order.
fn manifests(dir: &Path) -> Vec<Manifest> {
    let mut paths: Vec<PathBuf> = vec![dir.join(MANIFEST_JSON)];
    if let Ok(entries) = std::fs::read_dir(dir.join(SHARDS_DIR)) {
        let mut shard_files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        shard_files.sort();
        paths.extend(shard_files);
    }
    paths
        .iter()
        .filter_map(|p| crate::input::read_limited(p, crate::input::MAX_RECORD_BYTES).ok())
        .filter_map(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .collect()
}

/// The experiment stored in a results folder. Its text is the folder's `experiment.yaml`; its
/// path (against which text-file datasets and weights files resolve) is the original
/// experiment file that a manifest records, while that file's folder still exists, else the
/// stored copy.
pub fn stored_experiment(dir: &Path) -> Result<ExperimentFile> {
    let stored = dir.join(EXPERIMENT_YAML);
    let source = crate::input::read_text(
        &stored,
        "read the stored experiment",
        crate::input::MAX_EXPERIMENT_BYTES,
    )?;
    let origin = manifests(dir)
        .into_iter()
        .map(|m| PathBuf::from(m.experiment_path))
        .find(|p| p.parent().is_some_and(Path::is_dir))
        .unwrap_or(stored);
    ExperimentFile::from_source(&origin, source)
}

/// A results folder read back: its stored experiment, runs.csv and manifest.
pub struct ResultsFolder {
    pub dir: PathBuf,
    pub experiment: ExperimentFile,
    pub runs: Vec<RunRow>,
    pub manifest: Option<Manifest>,
}

impl ResultsFolder {
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::Other(format!(
                "{}: not a results folder (no such directory)",
                dir.display()
            )));
        }
        let manifest: Option<Manifest> =
            crate::input::read_limited(&dir.join(MANIFEST_JSON), crate::input::MAX_RECORD_BYTES)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
        let experiment = stored_experiment(dir)?;
        let runs = read_runs(&dir.join(RUNS_CSV))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            experiment,
            runs,
            manifest,
        })
    }

    /// The runs grouped by configuration (everything but the seed), in order of first
    /// appearance.
    pub fn groups(&self) -> Vec<Vec<&RunRow>> {
        let mut out: Vec<Vec<&RunRow>> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for r in &self.runs {
            let i = *index.entry(r.group_key()).or_insert_with(|| {
                out.push(Vec::new());
                out.len() - 1
            });
            out[i].push(r);
        }
        out
    }
}
