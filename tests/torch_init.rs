//! `init: torch`: PyTorch's CPU generator, its uniform/normal kernels and module
//! initialisation, bit for bit against values printed by torch 2.15.0 (tests/torch_vectors).

mod torch_vectors;

use sweeplab::model::torch_init::{modules, torch_seeded, TorchGenerator};
use sweeplab::model::ModelShape;
use sweeplab::spec::{CellKind, HeadKind};
use torch_vectors::{RANDN3_THEN_RANDN3, RANDN6, SEEDS};

fn bits(xs: &[f32]) -> Vec<u32> {
    xs.iter().map(|x| x.to_bits()).collect()
}

fn rand(seed: u64, n: usize, from: f64, to: f64) -> Vec<f32> {
    let mut g = TorchGenerator::manual_seed(seed);
    let mut out = vec![0.0; n];
    g.uniform_(&mut out, from, to);
    out
}

fn randn(g: &mut TorchGenerator, n: usize) -> Vec<f32> {
    let mut out = vec![0.0; n];
    g.normal_(&mut out, 0.0, 1.0);
    out
}

#[test]
fn mt19937_first_outputs() {
    // The reference MT19937 stream (seed 5489: 3499211612, seed 0: 2357136044).
    let mut g = TorchGenerator::manual_seed(5489);
    assert_eq!(g.random(), 3_499_211_612);
    let mut g = TorchGenerator::manual_seed(0);
    assert_eq!(
        [g.random(), g.random(), g.random()],
        [2_357_136_044, 2_546_248_239, 3_071_714_933]
    );
    // torch.manual_seed(4); torch.rand(1) = 0.5596386194229126: the low 24 bits of output 1.
    let mut g = TorchGenerator::manual_seed(4);
    assert_eq!((g.random() & 0xff_ffff) as f32 / (1u32 << 24) as f32, 0.559_638_6_f32);
    // Only the low 32 bits of the seed reach the state.
    let mut a = TorchGenerator::manual_seed((1u64 << 40) + 7);
    let mut b = TorchGenerator::manual_seed(7);
    assert_eq!(a.random64(), b.random64());
    // random64 is (a << 32) | b.
    let mut g = TorchGenerator::manual_seed(0);
    assert_eq!(g.random64(), (2_357_136_044u64 << 32) | 2_546_248_239);
}

#[test]
fn uniform_matches_torch_rand_and_uniform() {
    for (seed, v) in SEEDS {
        assert_eq!(bits(&rand(*seed, 10, 0.0, 1.0)), v.rand10, "rand(10), seed {seed}");
        assert_eq!(
            bits(&rand(*seed, 10, -0.5, 0.5)),
            v.uniform10_m05_05,
            "uniform_(-0.5, 0.5), seed {seed}"
        );
    }
}

#[test]
fn normal_matches_torch_randn_both_paths() {
    for (seed, v) in SEEDS {
        let mut g = TorchGenerator::manual_seed(*seed);
        assert_eq!(
            bits(&randn(&mut g, 10)),
            v.randn10,
            "randn(10) (scalar path), seed {seed}"
        );
        let mut g = TorchGenerator::manual_seed(*seed);
        assert_eq!(
            bits(&randn(&mut g, 16)),
            v.randn16,
            "randn(16) (vectorised), seed {seed}"
        );
        let mut g = TorchGenerator::manual_seed(*seed);
        assert_eq!(
            bits(&randn(&mut g, 20)),
            v.randn20,
            "randn(20) (vectorised + tail), seed {seed}"
        );
    }
    // The scalar path's cached second value survives across calls.
    let mut g = TorchGenerator::manual_seed(0);
    let mut two = randn(&mut g, 3);
    two.extend(randn(&mut g, 3));
    assert_eq!(bits(&two), RANDN3_THEN_RANDN3);
    let mut g = TorchGenerator::manual_seed(0);
    assert_eq!(bits(&randn(&mut g, 6)), RANDN6);
}

#[test]
fn modules_in_creation_order_match_torch() {
    for (seed, v) in SEEDS {
        let mut g = TorchGenerator::manual_seed(*seed);
        let mut got = Vec::new();
        for (module, params) in [
            ("Linear(2,4)", modules::linear(&mut g, 2, 4)),
            ("RNNCell(4,2)", modules::recurrent_cell(&mut g, 1, 4, 2)),
            ("LSTMCell(7,4)", modules::recurrent_cell(&mut g, 4, 7, 4)),
            ("Embedding(4,2)", modules::embedding(&mut g, 4, 2)),
        ] {
            for p in params {
                got.push((format!("{module}.{}", p.name), bits(&p.data)));
            }
        }
        assert_eq!(got.len(), v.in_order.len());
        for ((name, data), (want_name, want)) in got.iter().zip(v.in_order) {
            assert_eq!(name, want_name);
            assert_eq!(data, want, "{name}, seed {seed}");
        }
    }
}

#[test]
fn each_module_alone_after_seed_matches_torch() {
    for (seed, v) in SEEDS {
        for &(module, param, want) in v.alone {
            let mut g = TorchGenerator::manual_seed(*seed);
            let params = match module {
                "Linear(2,4)" => modules::linear(&mut g, 2, 4),
                "RNNCell(4,2)" | "RNN(4,2)" => modules::recurrent_cell(&mut g, 1, 4, 2),
                "LSTMCell(7,4)" => modules::recurrent_cell(&mut g, 4, 7, 4),
                "LSTM(4,4)" => modules::recurrent_cell(&mut g, 4, 4, 4),
                "Embedding(4,2)" => modules::embedding(&mut g, 4, 2),
                "Embedding(5,3)" => modules::embedding(&mut g, 5, 3),
                "Embedding(3,1)" => modules::embedding(&mut g, 3, 1),
                "Embedding(6,3)" => modules::embedding(&mut g, 6, 3),
                other => panic!("no test for {other}"),
            };
            let name = param.trim_end_matches("_l0");
            let p = params
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("{module}.{param}"));
            assert_eq!(bits(&p.data), want, "{module}.{param}, seed {seed}");
        }
    }
}

#[test]
fn torch_seeded_is_the_notebook_order_in_sweeplab_layout() {
    // Note 000: torch.manual_seed(4); RNNCell(4, 2); Linear(2, 4).
    let shape = ModelShape::single(CellKind::Rnn, 4, 2, HeadKind::Linear);
    let p = torch_seeded(&shape, &[4, 0]);
    let alone = |seed: u64, param: &str| -> Vec<u32> {
        let (_, v) = SEEDS.iter().find(|(s, _)| *s == seed).unwrap();
        v.alone
            .iter()
            .find(|(m, q, _)| *m == "RNNCell(4,2)" && *q == param)
            .unwrap()
            .2
            .to_vec()
    };
    let w_ih = p.get("w_ih").unwrap();
    assert_eq!(w_ih.shape, [2, 4, 2]);
    for (r, seed) in [(0, 4), (1, 0)] {
        // w_ih[r] is weight_ih transposed: [in, out].
        let want = alone(seed, "weight_ih");
        let got = w_ih.replica(r);
        for i in 0..4 {
            for o in 0..2 {
                assert_eq!(got[i * 2 + o].to_bits(), want[o * 4 + i]);
            }
        }
        assert_eq!(bits(p.get("b_hh").unwrap().replica(r)), alone(seed, "bias_hh"));
    }
    // The head is drawn after the cell, from the same stream.
    let mut g = TorchGenerator::manual_seed(4);
    modules::recurrent_cell(&mut g, 1, 4, 2);
    let head = modules::linear(&mut g, 2, 4);
    let head_w = p.get("head_w").unwrap();
    assert_eq!(head_w.shape, [2, 2, 4]);
    for i in 0..2 {
        for o in 0..4 {
            assert_eq!(head_w.replica(0)[i * 4 + o], head[0].data[o * 2 + i]);
        }
    }
    assert_eq!(p.get("head_b").unwrap().replica(0), &head[1].data[..]);
    assert_eq!(p.get("head_b").unwrap().shape, [2, 1, 4]);
    // Memoryless: Embedding(V, H) is already [V, H].
    let shape = ModelShape::single(CellKind::Memoryless, 4, 2, HeadKind::None);
    let p = torch_seeded(&shape, &[4]);
    assert_eq!(p.get("embedding").unwrap().shape, [1, 4, 2]);
    assert!(p.get("head_w").is_none());
    let (_, v) = SEEDS.iter().find(|(s, _)| *s == 4).unwrap();
    let want = v.alone.iter().find(|(m, _, _)| *m == "Embedding(4,2)").unwrap().2;
    assert_eq!(bits(p.get("embedding").unwrap().replica(0)), want);
    // Same names and shapes as sweeplab's own init, for every cell.
    for cell in CellKind::ALL {
        let shape = ModelShape::single(cell, 7, 5, HeadKind::Linear);
        let ours = sweeplab::model::init::seeded(&shape, &[1, 2]);
        let torch = torch_seeded(&shape, &[1, 2]);
        let names =
            |p: &sweeplab::model::host::HostParams| p.iter().map(|(n, t)| (n.to_string(), t.shape)).collect::<Vec<_>>();
        assert_eq!(names(&ours), names(&torch), "{cell:?}");
    }
}

// ---- `init: torch` in experiments ----------------------------------------------------------

use sweeplab::plan::{self, Plan};
use sweeplab::schedule::train_runs;
use sweeplab::spec::{ExperimentFile, InitKind};

fn plan_from(source: &str) -> Plan {
    let file = ExperimentFile::from_source(std::path::Path::new("inline.yaml"), source.to_string()).unwrap();
    plan::build(&file).unwrap()
}

#[test]
fn init_is_a_swept_parameter_and_part_of_the_identity_only_when_not_default() {
    let base = "name: t\ndatasets:\n  - {name: abc, cyclic: abc, repeat: 3}\ngrid:\n  cell: rnn\n  hidden: 2\n  seed: 0..2\n  lr: 0.1\n  epochs: 3\n";
    let default = plan_from(base);
    let explicit = plan_from(&format!("{base}  init: sweeplab\n"));
    let torch = plan_from(&format!("{base}  init: torch\n"));
    let both = plan_from(&format!("{base}  init: [sweeplab, torch]\n"));
    let ids = |p: &Plan| p.runs.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&default), ids(&explicit));
    assert!(default.runs.iter().all(|r| r.init == InitKind::Sweeplab));
    assert!(torch.runs.iter().all(|r| r.init == InitKind::Torch));
    assert!(ids(&torch).iter().all(|id| !ids(&default).contains(id)));
    assert_eq!(both.runs.len(), 4);
    assert_eq!(both.groups.len(), 2, "different inits are different groups");
    assert_eq!(both.groups[1].init, InitKind::Torch);
    let bad = ExperimentFile::from_source(std::path::Path::new("inline.yaml"), format!("{base}  init: jax\n"))
        .and_then(|f| plan::build(&f));
    assert!(bad.unwrap_err().to_string().contains("expected sweeplab or torch"));
}

/// Trains every group of `experiments/lecture_tables.yaml`; the probabilities per run.
fn lecture_tables() -> Vec<(String, Vec<Vec<f32>>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/lecture_tables.yaml");
    let file = ExperimentFile::load(&path).unwrap();
    let plan = plan::build(&file).unwrap();
    let mut out = Vec::new();
    for group in &plan.groups {
        for record in train_runs(&plan, group, &group.runs, &mut |_| {}) {
            assert_eq!(record.spec.init, InitKind::Torch);
            let label = format!(
                "{} {}({}) seed {}",
                group.dataset,
                group.cell.name(),
                group.hidden,
                record.spec.seed
            );
            out.push((label, record.snapshot.expect("trained").probs));
        }
    }
    out
}

fn max_diff(got: &[f32], want: &[f64]) -> f64 {
    got.iter()
        .zip(want)
        .map(|(&g, &w)| (g as f64 - w).abs())
        .fold(0.0, f64::max)
}

#[test]
fn lecture_tables_reproduce_the_printed_numbers() {
    let runs = lecture_tables();
    // Note 000, torch.manual_seed(4), RNNCell(4,2) + Linear(2,4), 200 epochs.
    let note000 = [2.1032e-03, 7.4842e-01, 2.4849e-01, 9.8890e-04];
    // Note 002 (2), seed 43052, RNNCell(7,8) + Linear(8,7), the forward pass of epoch 100
    // (after 99 updates; lecture_tables.yaml trains 99 epochs): yhat[:10].round(3).
    let note002_2: [[f64; 7]; 10] = [
        [0.0, 0.005, 0.008, 0.972, 0.014, 0.001, 0.0],
        [0.0, 0.997, 0.002, 0.0, 0.0, 0.001, 0.0],
        [0.0, 0.001, 0.999, 0.0, 0.001, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.999, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.001, 0.0, 0.0, 0.0, 0.999, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        [0.999, 0.0, 0.0, 0.0, 0.0, 0.0, 0.001],
        [0.999, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.001, 0.998, 0.0, 0.0, 0.0, 0.0],
    ];
    // Note 002 (5), LSTMCell(7,4) + Linear(4,7), likewise.
    let note002_5: [[f64; 7]; 10] = [
        [0.0, 0.014, 0.084, 0.081, 0.822, 0.0, 0.0],
        [0.002, 0.91, 0.0, 0.083, 0.003, 0.0, 0.001],
        [0.001, 0.0, 0.999, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.001, 0.005, 0.072, 0.917, 0.004, 0.0],
        [0.0, 0.0, 0.004, 0.0, 0.001, 0.995, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.999, 0.001],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.999],
        [0.998, 0.001, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.99, 0.0, 0.006, 0.001, 0.0, 0.003, 0.0],
        [0.007, 0.0, 0.992, 0.0, 0.0, 0.001, 0.0],
    ];
    for (label, probs) in &runs {
        eprintln!("{label}:");
        for row in probs.iter().take(10) {
            eprintln!("  {row:?}");
        }
    }
    let d000 = max_diff(&runs[0].1[0], &note000);
    let d2 = (0..10)
        .map(|p| max_diff(&runs[1].1[p], &note002_2[p]))
        .fold(0.0, f64::max);
    let d5 = (0..10)
        .map(|p| max_diff(&runs[2].1[p], &note002_5[p]))
        .fold(0.0, f64::max);
    eprintln!("note 000 row 0: max |diff| {d000:.3e}; note 002 (2) rows 0-9: {d2:.3e}; (5): {d5:.3e}");
    // Measured: 5.1e-5 (PyTorch 2.15 on this CPU: 4.8e-6; the printed values have 5
    // significant digits; bench/torch_lecture_tables.py).
    assert!(d000 <= 1e-4, "note 000: {d000}");
    // Every value rounds to the printed 3 decimals: measured 4.9e-4 for (2) and 5.0e-4 for (5).
    // PyTorch 2.15 on this CPU also reproduces both prints with no value rounding differently;
    // an earlier claim that (5) needs a GPU came from comparing the model after 100 updates with
    // this print of the model after 99.
    assert!(d2 < 5e-4, "note 002 (2): {d2}");
    assert!(d5 < 5e-4, "note 002 (5): {d5}");
}
