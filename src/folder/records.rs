//! Finished runs on disk: one JSON file per run, `runs/<run_id>.json`, written atomically
//! (temporary file + rename) once the run has trained. A record file exists only for a run
//! that finished, so after a crash or `kill -9` at any moment the folder holds exactly the
//! complete records; `runs.csv` and friends are assembled from them.

use crate::data::Position;
use crate::error::{Error, Result};
use crate::plan::RunSpec;
use crate::record::{json_f32, RunRecord, RunStatus, Snapshot, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Bumped when the stored layout changes.
const FORMAT: u32 = 1;

/// An f32 that survives JSON ([`json_f32`]), for the vectors of a record.
#[derive(Debug, Clone, Copy)]
struct Num(f32);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        json_f32::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        json_f32::deserialize(d).map(Num)
    }
}

fn nums(xs: &[f32]) -> Vec<Num> {
    xs.iter().map(|&x| Num(x)).collect()
}

fn floats(xs: &[Num]) -> Vec<f32> {
    xs.iter().map(|x| x.0).collect()
}

#[derive(Serialize, Deserialize)]
struct StoredSnapshot {
    states: Vec<Vec<Num>>,
    logits: Vec<Vec<Num>>,
    probs: Vec<Vec<Num>>,
}

#[derive(Serialize, Deserialize)]
struct StoredValidation {
    curve: Vec<Num>,
    final_loss: Num,
    accuracy: Num,
}

#[derive(Serialize, Deserialize)]
struct StoredRun {
    format: u32,
    spec: RunSpec,
    status: String,
    error: String,
    final_loss: Num,
    accuracy: Num,
    train_seconds: f64,
    curve: Vec<Num>,
    /// Absent in records written before per-epoch accuracy was measured.
    #[serde(default)]
    accuracy_curve: Vec<Num>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stopped_epoch: Option<usize>,
    snapshot: Option<StoredSnapshot>,
    /// Absent without a validation split (and in records written before `val` existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    val: Option<StoredValidation>,
    positions: Vec<(String, String)>,
    vocab: Vec<String>,
}

impl From<&RunRecord> for StoredRun {
    fn from(r: &RunRecord) -> Self {
        let rows = |m: &Vec<Vec<f32>>| m.iter().map(|v| nums(v)).collect();
        StoredRun {
            format: FORMAT,
            spec: r.spec.clone(),
            status: r.status.name().into(),
            error: r.error.clone(),
            final_loss: Num(r.final_loss),
            accuracy: Num(r.accuracy),
            train_seconds: r.train_seconds,
            curve: nums(&r.curve),
            accuracy_curve: nums(&r.accuracy_curve),
            stopped_epoch: r.stopped_epoch,
            snapshot: r.snapshot.as_ref().map(|s| StoredSnapshot {
                states: rows(&s.states),
                logits: rows(&s.logits),
                probs: rows(&s.probs),
            }),
            val: r.val.as_ref().map(|v| StoredValidation {
                curve: nums(&v.curve),
                final_loss: Num(v.final_loss),
                accuracy: Num(v.accuracy),
            }),
            positions: r
                .positions
                .iter()
                .map(|p| (p.input.clone(), p.target.clone()))
                .collect(),
            vocab: r.vocab.clone(),
        }
    }
}

impl StoredRun {
    fn into_record(self) -> Option<RunRecord> {
        if self.format != FORMAT {
            return None;
        }
        let rows = |m: &Vec<Vec<Num>>| m.iter().map(|v| floats(v)).collect();
        Some(RunRecord {
            spec: self.spec,
            status: RunStatus::parse(&self.status)?,
            error: self.error,
            final_loss: self.final_loss.0,
            accuracy: self.accuracy.0,
            train_seconds: self.train_seconds,
            curve: floats(&self.curve),
            accuracy_curve: floats(&self.accuracy_curve),
            stopped_epoch: self.stopped_epoch,
            snapshot: self.snapshot.map(|s| Snapshot {
                states: rows(&s.states),
                logits: rows(&s.logits),
                probs: rows(&s.probs),
            }),
            val: self.val.map(|v| Validation {
                curve: floats(&v.curve),
                final_loss: v.final_loss.0,
                accuracy: v.accuracy.0,
            }),
            positions: self
                .positions
                .into_iter()
                .map(|(input, target)| Position { input, target })
                .collect(),
            vocab: self.vocab,
        })
    }
}

#[derive(Debug, Clone)]
pub struct RecordStore {
    pub dir: PathBuf,
}

impl RecordStore {
    pub fn open(results_dir: &Path) -> Result<Self> {
        let dir = results_dir.join(super::RECORDS_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create the run records folder", e))?;
        Ok(Self { dir })
    }

    fn path_of(&self, run_id: &str) -> PathBuf {
        self.dir.join(format!("{run_id}.json"))
    }

    /// Writes one run's record atomically; a reader sees the old file or the complete new one.
    pub fn save(&self, record: &RunRecord) -> Result<()> {
        self.save_all([record])
    }

    /// Writes several records (a launch's), each atomically, with one flush to disk for all:
    /// every record goes to a temporary file, the file system is synced once, then each file
    /// is renamed into place. (A `fsync` per record cost 75 us to 1 ms on this machine, seconds
    /// for the 10,000 runs of one GPU launch.) After a crash at any point the folder holds
    /// complete records and temporary files, which the next sweep removes.
    pub fn save_all<'a>(&self, records: impl IntoIterator<Item = &'a RunRecord>) -> Result<()> {
        let mut written: Vec<(PathBuf, PathBuf)> = Vec::new();
        let discard = |written: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in written {
                let _ = std::fs::remove_file(tmp);
            }
        };
        for record in records {
            let target = self.path_of(&record.spec.id);
            let tmp = self
                .dir
                .join(format!(".{}.{}.json.tmp", record.spec.id, std::process::id()));
            let text = serde_json::to_vec(&StoredRun::from(record))
                .map_err(|e| Error::Other(format!("cannot encode a run record: {e}")))?;
            if let Err(e) = std::fs::write(&tmp, &text) {
                let _ = std::fs::remove_file(&tmp);
                discard(&written);
                return Err(Error::io(&target, "write the run record", e));
            }
            written.push((tmp, target));
        }
        if let Err(e) = sync_files(&self.dir, written.iter().map(|(tmp, _)| tmp.as_path())) {
            discard(&written);
            return Err(Error::io(&self.dir, "flush the run records to disk", e));
        }
        for (i, (tmp, target)) in written.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, target) {
                discard(&written[i..]);
                return Err(Error::io(target, "write the run record", e));
            }
        }
        Ok(())
    }

    /// Whether a record file of run `run_id` exists (readable or not).
    pub fn contains(&self, run_id: &str) -> bool {
        self.path_of(run_id).exists()
    }

    /// The record of run `run_id`, if one is stored and readable.
    pub fn load(&self, run_id: &str) -> Option<RunRecord> {
        read_record(&self.path_of(run_id)).filter(|r| r.spec.id == run_id)
    }

    /// Every readable record in the folder, by run id. Unreadable or foreign files (a record
    /// from another format version, a stray file) are skipped: their runs simply train again.
    pub fn load_all(&self) -> Result<HashMap<String, RunRecord>> {
        let mut out = HashMap::new();
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, "read the run records folder", e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            // Temporary files of interrupted (or, with shard workers, concurrent) writes are
            // never counted as done.
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            if let Some(record) = read_record(&path) {
                if format!("{}.json", record.spec.id) == name {
                    out.insert(record.spec.id.clone(), record);
                }
            }
        }
        Ok(out)
    }
}

/// The record in `path`, if it is one this version reads.
fn read_record(path: &Path) -> Option<RunRecord> {
    let bytes = crate::input::read_limited(path, crate::input::MAX_RECORD_BYTES).ok()?;
    serde_json::from_slice::<StoredRun>(&bytes).ok()?.into_record()
}

/// Makes the contents of `files` (in `dir`) durable: one `syncfs` of the file system on Linux,
/// a `fsync` per file elsewhere or if that fails.
fn sync_files<'a>(dir: &Path, files: impl Iterator<Item = &'a Path>) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let handle = std::fs::File::open(dir)?;
        // SAFETY: `syncfs` only reads the descriptor, which `handle` keeps open.
        if unsafe { libc::syncfs(handle.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
    for file in files {
        std::fs::File::open(file)?.sync_all()?;
    }
    Ok(())
}
