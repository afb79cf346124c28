//! Groups packed into one launch (issue #8): several groups with the same model and data shapes
//! train as one replica batch, each with its own dataset and learning rate. Packing must be
//! exact - every run gets, bit for bit, the numbers it gets when its group trains alone - and
//! it must happen where it pays (op-by-op training) and nowhere else.

mod common;

use burn::backend::Flex;
use burn::optim::{AdamConfig, SimpleOptimizer};
use burn::prelude::*;
use common::{cyclic, sweep_ok, sweeplab, train_launch, write};
use std::path::Path;
use sweeplab::data::{Dataset, Targets};
use sweeplab::model::{Kernel, ModelShape};
use sweeplab::plan;
use sweeplab::schedule::{self, Block};
use sweeplab::spec::{CellKind, ExperimentFile, HeadKind, TokenKind};
use sweeplab::train::replica_adam::{ReplicaAdam, ReplicaRates};
use sweeplab::train::OptimizerKind;

type B = Flex;

fn random(shape: [usize; 3], seed: u64) -> Tensor<B, 3> {
    let n: usize = shape.iter().product();
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let values: Vec<f32> = (0..n)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.2
        })
        .collect();
    Tensor::from_data(TensorData::new(values, shape), &Default::default())
}

fn bits(t: &Tensor<B, 3>) -> Vec<u32> {
    t.to_data()
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .map(|x| x.to_bits())
        .collect()
}

/// `ReplicaAdam` is burn's Adam: with one rate for all replicas, bit for bit over 30 steps;
/// with a rate per replica, each replica steps exactly as burn's Adam steps it alone at its rate.
#[test]
fn replica_adam_steps_as_burns_adam() {
    let burn_adam = AdamConfig::new()
        .with_beta_1(0.9)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
        .build();
    let rates = [0.1, 0.013, 0.3];
    let shape = [3, 4, 5];
    let start = random(shape, 1);

    let mut uniform = (start.clone(), None);
    let mut burns = (start.clone(), None);
    let mut per_replica = (start.clone(), None);
    let mut alone: Vec<_> = (0..3).map(|r| (start.clone().narrow(0, r, 1), None)).collect();
    let same = ReplicaAdam::new(ReplicaRates::new(vec![0.1; 3]));
    let mixed = ReplicaAdam::new(ReplicaRates::new(rates.to_vec()));
    for step in 0..30 {
        let grad = random(shape, 100 + step);
        uniform = {
            let (p, s) = same.step(1.0, uniform.0, grad.clone(), uniform.1);
            (p, s)
        };
        burns = {
            let (p, s) = SimpleOptimizer::<B>::step(&burn_adam, 0.1, burns.0, grad.clone(), burns.1);
            (p, s)
        };
        assert_eq!(bits(&uniform.0), bits(&burns.0), "step {step}: one rate");
        per_replica = {
            let (p, s) = mixed.step(1.0, per_replica.0, grad.clone(), per_replica.1);
            (p, s)
        };
        for (r, state) in alone.iter_mut().enumerate() {
            let g = grad.clone().narrow(0, r, 1);
            let (p, s) = SimpleOptimizer::<B>::step(&burn_adam, rates[r], state.0.clone(), g, state.1.take());
            *state = (p, s);
            assert_eq!(
                bits(&per_replica.0.clone().narrow(0, r, 1)),
                bits(&state.0),
                "step {step}: replica {r} at rate {}",
                rates[r]
            );
        }
    }
    assert_ne!(bits(&per_replica.0), bits(&uniform.0), "the rates made no difference");
}

/// Several sequences, each predicting the token after its last step.
fn many_to_one(inputs: Vec<Vec<usize>>, targets: Vec<usize>) -> Dataset {
    Dataset {
        name: "m2o".into(),
        tokens: TokenKind::Char,
        vocab: ["a", "b", "c", "d"].map(String::from).to_vec(),
        inputs,
        targets: Targets::LastStep(targets),
    }
}

/// Every cell, both kernels, both heads, both optimiser formulas, next-token and many-to-one
/// data: three groups (two datasets, three rates) packed into one launch give each run exactly
/// the numbers of its group trained alone.
#[test]
fn a_packed_launch_gives_each_group_its_numbers_alone() {
    let next_token = [cyclic("AbAcAd", 8), cyclic("AdAbAc", 8)];
    let last_step = [
        many_to_one(vec![vec![0, 1, 2], vec![3, 2, 1]], vec![3, 0]),
        many_to_one(vec![vec![2, 2, 0], vec![1, 3, 3]], vec![1, 2]),
    ];
    assert_eq!(next_token[0].vocab, next_token[1].vocab);
    let mut cases = Vec::new();
    for cell in [CellKind::Memoryless, CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        for head in [HeadKind::Linear, HeadKind::None] {
            for kernel in [Kernel::OpByOp, Kernel::Fused] {
                cases.push((cell, head, kernel, OptimizerKind::Burn, &next_token));
            }
        }
    }
    for cell in [CellKind::Rnn, CellKind::Lstm] {
        for kernel in [Kernel::OpByOp, Kernel::Fused] {
            cases.push((cell, HeadKind::Linear, kernel, OptimizerKind::Torch, &next_token));
            cases.push((cell, HeadKind::Linear, kernel, OptimizerKind::Burn, &last_step));
        }
    }
    for (cell, head, kernel, optimizer, data) in cases {
        let shape = ModelShape::single(cell, 4, 4, head);
        // Replicas: 0, 1 (data 0, lr 0.1, seeds 1, 2); 2 (data 1, lr 0.1, seed 1); 3, 4 (data 0,
        // lr 0.02, seeds 1, 2).
        let groups: [(&Dataset, f64, &[u64]); 3] = [
            (&data[0], 0.1, &[1, 2]),
            (&data[1], 0.1, &[1]),
            (&data[0], 0.02, &[1, 2]),
        ];
        let packed = train_launch(shape, &groups, 25, kernel, optimizer).replicas;
        let mut alone = Vec::new();
        for g in &groups {
            alone.extend(train_launch(shape, std::slice::from_ref(g), 25, kernel, optimizer).replicas);
        }
        let what = format!("{cell:?} head {head:?} {kernel:?} {optimizer:?} {}", data[0].name);
        assert_eq!(packed.len(), 5, "{what}");
        for (r, (p, a)) in packed.iter().zip(&alone).enumerate() {
            assert_eq!(p, a, "{what}: replica {r} packed differs from its group alone");
        }
        // The same seed trained differently with another dataset, and with another rate: each
        // replica did read its own group's data and step at its own group's rate.
        assert_ne!(packed[0].curve, packed[2].curve, "{what}: dataset");
        assert_ne!(packed[0].curve, packed[3].curve, "{what}: rate");
        assert!(packed[0].curve[24] < packed[0].curve[0], "{what}: did not train");
    }
}

const PACKABLE: &str = "\
name: packing
datasets:
  - {name: one, cyclic: AbAcAd, repeat: 6, vocab: [A, b, c, d]}
  - {name: two, cyclic: AdAbAc, repeat: 6, vocab: [A, b, c, d]}
  - {name: longer, cyclic: AbAcAd, repeat: 7, vocab: [A, b, c, d]}
grid:
  dataset: [one, two, longer]
  cell: [memoryless, rnn]
  hidden: 2
  lr: [0.1, 0.05]
  seed: 0..3
  epochs: 30
";

/// Which groups share a launch: op-by-op groups (here the memoryless ones on the CPU) of equal
/// shapes do, whatever their dataset or rate; a dataset of another length does not; the fused
/// CPU groups (RNN with a linear head) never do.
#[test]
fn launches_pack_op_by_op_groups_of_equal_shapes_only() {
    let file = ExperimentFile::from_source(Path::new("p.yaml"), PACKABLE.into()).unwrap();
    let plan = plan::build(&file).unwrap();
    let blocks = Block::whole_groups(&plan);
    let launches = schedule::pack(&plan, blocks.iter().map(|b| (b, b.runs.clone())).collect());
    let described: Vec<Vec<(String, CellKind, f64)>> = launches
        .iter()
        .map(|l| {
            l.members
                .iter()
                .map(|(g, _)| (g.dataset.clone(), g.cell, g.lr))
                .collect()
        })
        .collect();
    let memoryless: Vec<_> = described.iter().filter(|l| l[0].1 == CellKind::Memoryless).collect();
    // one and two (equal length) x 2 rates together; longer x 2 rates together.
    assert_eq!(memoryless.len(), 2, "{described:?}");
    assert_eq!(memoryless[0].len(), 4, "{described:?}");
    assert!(memoryless[0].iter().all(|(d, ..)| d != "longer"), "{described:?}");
    assert_eq!(memoryless[1].len(), 2, "{described:?}");
    assert!(memoryless[1].iter().all(|(d, ..)| d == "longer"), "{described:?}");
    let rnn: Vec<_> = described.iter().filter(|l| l[0].1 == CellKind::Rnn).collect();
    assert_eq!(rnn.len(), 6, "every fused group is its own launch: {described:?}");
    assert!(rnn.iter().all(|l| l.len() == 1));
    let runs: usize = launches.iter().map(|l| l.runs()).sum();
    assert_eq!(runs, plan.runs.len());
}

/// Two memoryless groups on the CPU that differ only in `axis`: how many launches they make.
fn launches_of_two_groups(axis: &str, dataset: &str) -> usize {
    let (key, _) = axis.split_once(':').unwrap();
    let defaults = ["lr: 0.1", "epochs: 3", "hidden: 4"]
        .into_iter()
        .filter(|d| !d.starts_with(key));
    let axis = std::iter::once(axis).chain(defaults).collect::<Vec<_>>().join("\n  ");
    let text = format!(
        "name: k\ndatasets:\n  - {{name: one, cyclic: AbAcAd, repeat: 6, vocab: [A, b, c, d]}}\n  - {{name: two, cyclic: AdAbAc, repeat: 6, vocab: [A, b, c, d]}}\n  - {{name: longer, cyclic: AbAcAd, repeat: 7, vocab: [A, b, c, d]}}\ngrid:\n  dataset: {dataset}\n  cell: memoryless\n  seed: 0..3\n  {axis}\n"
    );
    let file = ExperimentFile::from_source(Path::new("k.yaml"), text).unwrap();
    let plan = plan::build(&file).unwrap();
    assert_eq!(plan.groups.len(), 2, "{axis} {dataset}");
    let blocks = Block::whole_groups(&plan);
    schedule::pack(&plan, blocks.iter().map(|b| (b, b.runs.clone())).collect()).len()
}

/// Every part of the pack key keeps groups apart; rate and dataset contents do not.
#[test]
fn groups_pack_only_when_everything_but_rate_data_and_weights_agrees() {
    assert_eq!(launches_of_two_groups("lr: [0.1, 0.05]", "one"), 1);
    assert_eq!(launches_of_two_groups("epochs: 3", "[one, two]"), 1);
    assert_eq!(launches_of_two_groups("epochs: 3", "[one, longer]"), 2);
    assert_eq!(launches_of_two_groups("epochs: [3, 4]", "one"), 2);
    assert_eq!(launches_of_two_groups("hidden: [3, 4]", "one"), 2);
    assert_eq!(launches_of_two_groups("init: [sweeplab, torch]", "one"), 2);
    assert_eq!(launches_of_two_groups("device: [cpu, ndarray]", "one"), 2);
    assert_eq!(launches_of_two_groups("head: [linear, none]", "one"), 2);
    // Big groups are not packed beyond MAX_PACKED_REPLICAS replicas per launch.
    let big = |seeds: usize| {
        let text = format!(
            "name: big\ndatasets: [{{name: d, cyclic: abc, repeat: 2}}]\ngrid: {{cell: memoryless, hidden: 1, seed: 0..{seeds}, lr: [0.1, 0.05], epochs: 3}}\n"
        );
        let file = ExperimentFile::from_source(Path::new("big.yaml"), text).unwrap();
        let plan = plan::build(&file).unwrap();
        let blocks = Block::whole_groups(&plan);
        schedule::pack(&plan, blocks.iter().map(|b| (b, b.runs.clone())).collect()).len()
    };
    assert_eq!(big(schedule::MAX_PACKED_REPLICAS / 2), 1);
    assert_eq!(big(schedule::MAX_PACKED_REPLICAS / 2 + 1), 2);
}

/// The stored record of every run of a results folder (`runs/<id>.json`) without its timing
/// and its group's index in the plan:
/// configuration, status, curve, final loss, accuracy, states, logits and probabilities.
fn results(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let mut records: Vec<(String, serde_json::Value)> = std::fs::read_dir(dir.join("runs"))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let mut record: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let fields = record.as_object_mut().unwrap();
            fields.remove("train_seconds").unwrap();
            // The group's index in its plan (the packed plan has more groups).
            fields["spec"].as_object_mut().unwrap().remove("group").unwrap();
            (path.file_name().unwrap().to_string_lossy().to_string(), record)
        })
        .collect();
    records.sort_by(|a, b| a.0.cmp(&b.0));
    records
}

/// Through the binary: `plan` says which groups share a launch, `sweep` reports the packing,
/// and every run's stored record equals, but for its timing, the record of a sweep of its group
/// alone.
#[test]
fn sweeps_pack_launches_and_store_the_numbers_of_each_group_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "packing.yaml", PACKABLE);
    let plan = sweeplab().arg("plan").arg(&exp).assert().success();
    let plan_out = String::from_utf8_lossy(&plan.get_output().stdout).to_string();
    assert!(
        plan_out.contains("# groups 0, 1, 4, 5 (the group column) train as one launch"),
        "{plan_out}"
    );
    let out = tmp.path().join("packed");
    // Two worker processes: the packable groups are dealt out together, so they still meet.
    let stderr = sweep_ok(&exp, &out, 2);
    assert!(
        stderr.contains("packing 4 groups (12 runs) into one launch")
            && stderr.contains("packing 2 groups (6 runs) into one launch"),
        "{stderr}"
    );
    let packed = results(&out);
    assert_eq!(packed.len(), 36);

    // Each memoryless group alone: one dataset, one rate per experiment.
    let mut alone = Vec::new();
    for dataset in ["one", "two", "longer"] {
        for lr in ["0.1", "0.05"] {
            let text = PACKABLE
                .replace("dataset: [one, two, longer]", &format!("dataset: {dataset}"))
                .replace("cell: [memoryless, rnn]", "cell: memoryless")
                .replace("lr: [0.1, 0.05]", &format!("lr: {lr}"));
            let exp = write(tmp.path(), &format!("{dataset}-{lr}.yaml"), &text);
            let out = tmp.path().join(format!("{dataset}-{lr}"));
            let stderr = sweep_ok(&exp, &out, 1);
            assert!(!stderr.contains("into one launch"), "{stderr}");
            alone.extend(results(&out));
        }
    }
    alone.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(alone.len(), 18);
    for run in &alone {
        assert!(packed.contains(run), "{} differs when packed", run.0);
    }
}
