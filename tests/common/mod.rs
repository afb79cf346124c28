//! Helpers shared by the integration tests (each test file is its own crate and uses a part).
#![allow(dead_code)]

use assert_cmd::Command;
use burn::backend::{Autodiff, Flex};
use std::path::{Path, PathBuf};
use sweeplab::data::{Dataset, Targets};
use sweeplab::model::host::HostParams;
use sweeplab::model::{init, torch_init, Kernel, ModelShape};
use sweeplab::spec::{CellKind, HeadKind, OptimizerSpec, TokenKind};
use sweeplab::train::{self, GroupResult, JobPart, OptimizerKind, TrainJob};

/// A CSV text's header and rows, as strings.
pub fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The real binary, built by cargo for the tests.
pub fn sweeplab() -> Command {
    Command::cargo_bin("sweeplab").unwrap()
}

/// `sweeplab sweep EXP --out OUT`, to add arguments to and run.
pub fn sweep(exp: &Path, out: &Path) -> Command {
    let mut cmd = sweeplab();
    cmd.arg("sweep").arg(exp).arg("--out").arg(out);
    cmd
}

/// `sweeplab sweep EXP --out OUT --jobs JOBS`, which must succeed; its stderr.
pub fn sweep_ok(exp: &Path, out: &Path, jobs: usize) -> String {
    let output = sweep(exp, out).args(["--jobs", &jobs.to_string()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `pattern` repeated, as next-token data: inputs `tokens[:-1]`, targets `tokens[1:]`, the
/// vocabulary sorted.
pub fn cyclic(pattern: &str, repeat: usize) -> Dataset {
    let text: Vec<char> = pattern.repeat(repeat).chars().collect();
    let mut vocab = text.clone();
    vocab.sort();
    vocab.dedup();
    let ids: Vec<usize> = text
        .iter()
        .map(|c| vocab.iter().position(|v| v == c).unwrap())
        .collect();
    Dataset {
        name: pattern.into(),
        tokens: TokenKind::Char,
        vocab: vocab.iter().map(|c| c.to_string()).collect(),
        inputs: vec![ids[..ids.len() - 1].to_vec()],
        targets: Targets::EveryStep(vec![ids[1..].to_vec()]),
    }
}

/// Trains `seeds` as one group (sweeplab's init, burn's Adam, linear head) on flex.
pub fn train_group(
    cell: CellKind,
    data: &Dataset,
    hidden: usize,
    seeds: &[u64],
    epochs: usize,
    lr: f64,
    kernel: Kernel,
) -> GroupResult {
    let shape = ModelShape::single(cell, data.vocab.len(), hidden, HeadKind::Linear);
    train_launch(shape, &[(data, lr, seeds)], epochs, kernel, OptimizerKind::Burn)
}

/// Trains several groups `(dataset, learning rate, seeds)` as one launch on flex, each
/// initialised as the optimiser's kind of run is (`torch` runs: PyTorch's initial values).
pub fn train_launch(
    shape: ModelShape,
    groups: &[(&Dataset, f64, &[u64])],
    epochs: usize,
    kernel: Kernel,
    optimizer: OptimizerKind,
) -> GroupResult {
    train_launch_with(shape, groups, epochs, kernel, optimizer, Default::default())
}

/// [`train_launch`] with the training options (optimiser, schedule, clipping, stop).
pub fn train_launch_with(
    shape: ModelShape,
    groups: &[(&Dataset, f64, &[u64])],
    epochs: usize,
    kernel: Kernel,
    optimizer: OptimizerKind,
    options: OptimizerSpec,
) -> GroupResult {
    let inits: Vec<HostParams> = groups
        .iter()
        .map(|&(_, _, seeds)| match optimizer {
            OptimizerKind::Burn => init::seeded(&shape, seeds),
            OptimizerKind::Torch => torch_init::torch_seeded(&shape, seeds),
        })
        .collect();
    let parts: Vec<JobPart<'_>> = groups
        .iter()
        .map(|&(data, lr, seeds)| JobPart {
            data,
            lr,
            replicas: seeds.len(),
        })
        .collect();
    let init = HostParams::concat(&inits);
    let seeds: Vec<u64> = groups.iter().flat_map(|&(_, _, seeds)| seeds.iter().copied()).collect();
    let job = TrainJob {
        shape,
        parts: &parts,
        epochs,
        init: &init,
        seeds: &seeds,
        model: Default::default(),
        keep_positions: 8,
        all_layers: false,
        optimizer,
        options,
        kernel,
    };
    train::train::<Autodiff<Flex>>(&job, &Default::default(), &mut |_| {})
}

/// The plan of an experiment given as text (named `inline.yaml` in messages), or its error.
pub fn plan_from(source: &str) -> Result<sweeplab::plan::Plan, String> {
    let file = sweeplab::spec::ExperimentFile::from_source(Path::new("inline.yaml"), source.to_string())
        .map_err(|e| e.to_string())?;
    sweeplab::plan::build(&file).map_err(|e| e.to_string())
}

/// Trains every group of `plan`, one group at a time; the records in plan order.
pub fn train_all(plan: &sweeplab::plan::Plan) -> Vec<sweeplab::record::RunRecord> {
    plan.groups
        .iter()
        .flat_map(|g| sweeplab::schedule::train_runs(plan, g, &g.runs, &mut |_| {}))
        .collect()
}

/// The run ids of `plan`, in order.
pub fn ids(plan: &sweeplab::plan::Plan) -> Vec<String> {
    plan.runs.iter().map(|r| r.id.clone()).collect()
}
