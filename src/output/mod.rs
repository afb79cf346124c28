//! Writers of a results folder. One trait, [`Export`], one small file per output format; the
//! folder itself ([`ResultsDir`]) writes every file atomically (temporary file + rename), so a
//! reader never sees half a CSV and an interrupted sweep leaves the previous complete file.
//! Nothing here knows about burn.

mod curves_csv;
mod record_store;
mod runs_csv;
mod states_csv;

pub use curves_csv::CurvesCsv;
pub use record_store::RecordStore;
pub use runs_csv::{RunsCsv, RUNS_COLUMNS};
pub use states_csv::StatesCsv;

use crate::error::{Error, Result};
use crate::record::RunRecord;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output file computed from the records of a sweep.
pub trait Export {
    fn file_name(&self) -> &'static str;
    fn write(&self, experiment: &str, records: &[RunRecord], out: &mut dyn Write) -> std::io::Result<()>;
}

/// The formats a sweep writes.
pub fn all_exports() -> Vec<Box<dyn Export>> {
    vec![Box::new(RunsCsv), Box::new(CurvesCsv), Box::new(StatesCsv)]
}

/// Formats an f32 for CSV: shortest text that reads back to the same value; `NaN`, `inf`.
pub fn fmt_f32(x: f32) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        format!("{x}")
    }
}

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

    /// Writes `name` atomically.
    pub fn write_file(&self, name: &str, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
        let target = self.path.join(name);
        let tmp = self.path.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            write(&mut file)?;
            let file = file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &target)
        })();
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&target, "write", e)
        })
    }

    pub fn write_exports(&self, experiment: &str, records: &[RunRecord]) -> Result<()> {
        for export in all_exports() {
            self.write_file(export.file_name(), |out| export.write(experiment, records, out))?;
        }
        Ok(())
    }
}
