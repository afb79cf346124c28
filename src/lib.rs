//! sweeplab: declarative grids of small sequence-model trainings on burn.
//!
//! Data flows one way. Each stage is one module; a module may use the modules above it in
//! this list and never one below (`tests/layers.rs` reads every `crate::` path in `src/` and
//! fails on an import that runs back up):
//!
//! | stage | module | what it is |
//! |---|---|---|
//! | foundation | `error`, `device`, `input` | one error type and the exit statuses; which devices exist; bounded reads of regular files only |
//! | spec | `spec` | the experiment file: schema (figures and checks sections included), typed values, field -> line |
//! | data | `data` | datasets: tokens, vocabulary, inputs and targets |
//! | model | `model` | the replica-batched burn model, fused kernels, initialisation |
//! | plan | `plan` | spec -> runs and seed groups, run ids |
//! | record | `record`, `stats` | what one run gave; the statistics of a group of runs (one median rule) |
//! | train | `train` | trains one replica batch with burn; knows nothing of files |
//! | schedule | `schedule` | blocks, packing, shards, running one launch into records |
//! | folder | `folder` | the results folder: file names, atomic writes, records, tables (writer and reader), manifest |
//! | figures | `figures` | PNGs drawn from the tables |
//! | assemble | `assemble` | tables + figures + manifest: a complete folder (for `sweep` and `merge`) |
//! | sweep | `sweep` | the driver: roles, `--jobs` workers and their wire protocol, progress events and reporters |
//! | cluster | `cluster` | plan files, Slurm scripts, `merge` |
//! | readers | `check`, `compare`, `show`, `export`, `report`, `reproduce` | what is done with a finished folder |
//! | cli | `cli` | the command line: one function per command |

pub(crate) mod assemble;
pub(crate) mod check;
pub mod cli;
pub mod cluster;
pub(crate) mod compare;
pub mod data;
pub mod device;
pub mod error;
pub(crate) mod export;
pub mod figures;
pub mod folder;
pub mod input;
pub mod model;
pub mod plan;
pub mod record;
pub(crate) mod report;
pub(crate) mod reproduce;
pub mod schedule;
pub(crate) mod show;
pub mod spec;
pub mod stats;
pub mod sweep;
pub mod train;

pub use error::{Error, Result};

/// The stage order of the table above, lowest first: `tests/layers.rs` checks every import
/// against it.
pub const STAGES: &[&[&str]] = &[
    &["error", "device", "input"],
    &["spec"],
    &["data"],
    &["model"],
    &["plan"],
    &["record"],
    &["stats"],
    &["train"],
    &["schedule"],
    &["folder"],
    &["figures"],
    &["assemble"],
    &["sweep"],
    &["cluster"],
    &["check"],
    &["compare"],
    &["show"],
    &["export"],
    &["report"],
    &["reproduce"],
    &["cli"],
];
