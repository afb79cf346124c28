//! placeholder
use super::data::{Group, Results};
use super::FiguresSpec;
use crate::error::Result;
use std::path::{Path, PathBuf};
pub fn draw(_results: &Results, _group: &Group, _spec: &FiguresSpec, _out: &Path) -> Result<Vec<PathBuf>> {
    Ok(vec![])
}
