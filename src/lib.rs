//! sweeplab: declarative grids of small sequence-model trainings on burn.
//!
//! Data flows one way, one module per stage:
//! `spec` (YAML experiment) -> `plan` (list of runs, grouped by everything but the seed)
//! -> `train` (replica-batched burn training, knows nothing of files) -> `record` (run records)
//! -> `output` (CSV writers, know nothing of burn) -> `figures` (PNGs drawn from the CSVs). `sweep` drives the stages and emits
//! progress events that a `progress` reporter renders.

pub mod check;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod data;
pub mod device;
pub mod error;
pub mod figures;
pub mod launch;
pub mod manifest;
pub mod model;
pub mod output;
pub mod plan;
pub mod progress;
pub mod record;
pub mod report;
pub mod reproduce;
pub mod results;
pub mod spec;
pub mod sweep;
pub mod train;
pub mod workers;

pub use error::{Error, Result};
