//! The experiment file: its YAML schema (`schema`), typed parameter values (`values`), and
//! `locate`, which finds the line of a field so that validation errors can name it.
//!
//! Parsing happens in two steps. serde checks the structure (unknown keys, wrong shapes) and
//! reports serde_yaml_ng's line numbers; then `load` turns every parameter value into its typed
//! form with our own messages (`unknown cell type 'lsmt'`), located by `locate`.

mod figures;
mod filter;
mod init_value;
mod locate;
mod model_options;
mod optim;
mod params;
mod schedule;
mod schema;
mod values;

pub use figures::FiguresSpec;
pub use filter::{Condition, Filter, Op};
pub use locate::{locate, Seg};
pub use model_options::{ModelOptions, MAX_EMBEDDING, MAX_LAYERS};
pub use optim::{OptimizerName, OptimizerSpec, ScheduleName, StopRule};
pub use params::{cell_title, Identity, ParamDecl, ParamDefault, PARAMS};
pub use schema::{Axes, CheckSpec, DatasetSpec, Experiment, RecordLayers, RecordSpec, TokenKind, MAX_RECORD_POSITIONS};
pub use values::{
    fmt_f64, CellKind, DeviceSpec, HeadKind, InitKind, InitValue, Param, ParamValue, WeightsDigest, MAX_EPOCHS,
    MAX_HIDDEN,
};

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// An experiment file read from disk: its path, its text and the parsed schema.
#[derive(Debug, Clone)]
pub struct ExperimentFile {
    pub path: PathBuf,
    pub source: String,
    pub experiment: Experiment,
}

/// A YAML parse error of `path` as one `file:line: message` error.
pub(crate) fn yaml_error(path: &Path, e: serde_yaml_ng::Error) -> Error {
    let line = e.location().map(|l| l.line());
    // serde_yaml_ng appends " at line X column Y"; we print the line ourselves.
    let mut message = e.to_string();
    if let Some(pos) = message.find(" at line ") {
        message.truncate(pos);
    }
    Error::config(path, line, None, message)
}

/// Refuses YAML nested deeper than [`crate::input::MAX_YAML_DEPTH`] before it is parsed.
pub(crate) fn check_depth(path: &Path, source: &str) -> Result<()> {
    match crate::input::yaml_too_deep(source) {
        Some(line) => Err(Error::config(
            path,
            Some(line),
            None,
            format!("nested more than {} levels deep", crate::input::MAX_YAML_DEPTH),
        )),
        None => Ok(()),
    }
}

impl ExperimentFile {
    /// Reads and structurally parses an experiment file. Semantic checks live in `plan`.
    pub fn load(path: &Path) -> Result<Self> {
        let source = crate::input::read_text(path, "read experiment file", crate::input::MAX_EXPERIMENT_BYTES)?;
        Self::from_source(path, source)
    }

    pub fn from_source(path: &Path, source: String) -> Result<Self> {
        check_depth(path, &source)?;
        let experiment: Experiment = serde_yaml_ng::from_str(&source).map_err(|e| yaml_error(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            source,
            experiment,
        })
    }

    /// The directory relative paths inside the experiment (text files) are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// A configuration error at `path` inside this file, with its line looked up.
    pub fn error_at(&self, path: &[Seg<'_>], message: impl Into<String>) -> Error {
        let line = locate(&self.source, path);
        Error::config(&self.path, line, Some(&Seg::render(path)), message)
    }
}
