//! The model options (`layers`, `embedding`, `dropout`, `batch`): PyTorch 2.15's numbers for a 2-layer
//! LSTM and an embedded GRU (`init: torch`; cases made by
//! `shared/reference/torch_options/make_cases.py`, the numbers a test needs are below), the
//! fused path equal to the op-by-op cells, a batch equal to each run alone, dropout's
//! semantics, and the rule for options that do not apply.

use burn::backend::{Autodiff, Flex};
use burn::optim::GradientsParams;
use burn::prelude::*;
use sweeplab::model::{init, Kernel, LossTargets, ModelShape, ReplicaModel, SequenceInput};
use sweeplab::record::RunRecord;
use sweeplab::schedule::train_runs;
use sweeplab::spec::{CellKind, HeadKind};

mod common;
use common::{csv_rows, cyclic, ids, plan_from, sweep, train_all, write};

type AB = Autodiff<Flex>;

struct Case {
    name: &'static str,
    /// The experiment's dataset and grid lines.
    yaml: &'static str,
    loss_epoch1: f64,
    final_loss: f64,
    /// `softmax(logits)` of the first six positions after training.
    probs: &'static [&'static [f64]],
}

const CASES: &[Case] = &[
    Case {
        name: "lstm2_AbAcAd",
        yaml: "datasets:\n  - {name: d, cyclic: AbAcAd, repeat: 30}\ngrid:\n  cell: lstm\n  hidden: 3\n  layers: 2\n  lr: 0.05\n  epochs: 120\n  seed: 1\n",
        loss_epoch1: 1.333196997642517,
        final_loss: 0.55744469165802,
        probs: &[
            &[0.040686603635549545, 0.378400981426239, 0.2548876404762268, 0.3260248005390167],
            &[0.9904007315635681, 0.004238266963511705, 0.0018843596335500479, 0.0034766632597893476],
            &[0.005533216986805201, 0.33163705468177795, 0.33037492632865906, 0.3324548304080963],
            &[0.9934697151184082, 0.002853257581591606, 0.0012943645706400275, 0.0023826858960092068],
            &[0.005109493155032396, 0.329230934381485, 0.3334518074989319, 0.33220770955085754],
            &[0.9935873746871948, 0.00280031468719244, 0.0012716897763311863, 0.0023405328392982483],
        ],
    },
    Case {
        name: "emb_gru",
        yaml: "datasets:\n  - {name: d, cyclic: abcde, repeat: 30}\ngrid:\n  cell: gru\n  hidden: 3\n  embedding: 2\n  lr: 0.05\n  epochs: 100\n  seed: 7\n",
        loss_epoch1: 1.7304761409759521,
        final_loss: 0.012636203318834305,
        probs: &[
            &[0.004417669493705034, 0.6920214295387268, 0.0058426461182534695, 0.22793807089328766, 0.06978009641170502],
            &[0.0006563843344338238, 1.4283493328548502e-05, 0.9871894717216492, 0.012078329920768738, 6.155567098176107e-05],
            &[2.292858152941335e-05, 0.005791937932372093, 0.01036045327782631, 0.9794115424156189, 0.004413137212395668],
            &[0.0005106005119159818, 0.001102327718399465, 7.010601257206872e-05, 0.007700626738369465, 0.9906163811683655],
            &[0.9957143664360046, 0.0018537689466029406, 0.0005868952139280736, 1.677413933975913e-06, 0.001843359787017107],
            &[0.001087604439817369, 0.9958140254020691, 0.00014856756024528295, 0.002429194748401642, 0.0005205117631703615],
        ],
    },
];

#[test]
fn stacked_layers_and_an_embedding_match_pytorch() {
    for case in CASES {
        let source = format!(
            "name: {}\nrecord: {{positions: 6}}\n{}  init: torch\n",
            case.name, case.yaml
        );
        let plan = plan_from(&source).unwrap();
        let record = &train_all(&plan)[0];
        let e1 = (f64::from(record.curve[0]) - case.loss_epoch1).abs();
        let last = (f64::from(record.final_loss) - case.final_loss).abs();
        let probs = &record.snapshot.as_ref().expect("trained").probs;
        assert_eq!(probs.len(), 6);
        let rows = probs
            .iter()
            .zip(case.probs)
            .flat_map(|(got, want)| got.iter().zip(*want).map(|(&g, &w)| (f64::from(g) - w).abs()))
            .fold(0.0, f64::max);
        eprintln!(
            "{}: epoch 1 {e1:.2e}, final loss {last:.2e}, probabilities {rows:.2e}",
            case.name
        );
        assert!(e1 <= 1e-5, "{}: first epoch's loss off by {e1}", case.name);
        assert!(
            last <= 1e-4,
            "{}: final loss {} vs {}",
            case.name,
            record.final_loss,
            case.final_loss
        );
        assert!(rows <= 1e-4, "{}: probabilities off by {rows}", case.name);
    }
}

/// The shapes the fused path runs differently from one layer of one-hot input: a second and
/// third layer (the projected kernel over the layer below's states) and an embedding (the
/// projected kernel over embedded tokens).
fn option_shapes(cell: CellKind, vocab: usize) -> Vec<ModelShape> {
    let one = ModelShape::single(cell, vocab, 3, HeadKind::Linear);
    vec![
        ModelShape { layers: 2, ..one },
        ModelShape {
            embedding: Some(2),
            ..one
        },
        ModelShape {
            layers: 3,
            embedding: Some(4),
            ..one
        },
    ]
}

fn host<const D: usize>(t: Tensor<impl Backend, D>) -> Vec<f32> {
    t.into_data().convert::<f32>().to_vec::<f32>().unwrap()
}

/// The fused op and the op-by-op cells give the same losses and gradients of every parameter
/// (embedding, each layer, head), with and without dropout masks between the layers: the
/// tolerance of the one-layer comparison in `tests/fused.rs` (losses 2e-6, gradients 1e-5 of
/// their scale).
#[test]
fn fused_equals_op_by_op_for_layers_and_embeddings() {
    let _autodiff = sweeplab::train::autodiff_guard();
    let device = Default::default();
    let data = cyclic("AbAcAd", 8);
    let input = SequenceInput::<AB>::new(&data.inputs, false, &device);
    let targets = LossTargets::<AB>::new(&data.flat_targets(), 2, &device);
    for cell in [CellKind::Rnn, CellKind::Lstm, CellKind::Gru] {
        for s in option_shapes(cell, data.vocab.len()) {
            let model = ReplicaModel::<AB>::from_host(&s, &init::seeded(&s, &[4, 5]), &device);
            let steps = data.steps();
            let masks: Vec<Tensor<AB, 4>> = (0..s.layers - 1)
                .map(|l| {
                    let m: Vec<f32> = [4u64, 5]
                        .iter()
                        .flat_map(|&seed| init::dropout_mask(seed, 0, l, steps * 3, 0.3))
                        .collect();
                    Tensor::from_data(TensorData::new(m, [2, 1, steps, 3]), &device)
                })
                .collect();
            for masks in [&[][..], &masks[..]] {
                let run = |kernel: Kernel| {
                    let losses = model.losses(&input, &targets, kernel, masks, None).losses;
                    let grads = GradientsParams::from_grads(losses.clone().sum().backward(), &model);
                    let ids = burn::module::list_param_ids(&model);
                    let g: Vec<Vec<f32>> = ids
                        .iter()
                        .map(|&id| host(grads.get::<Flex, 3>(id).expect("every parameter has a gradient")))
                        .collect();
                    (host(losses), g)
                };
                let (loss_f, fused) = run(Kernel::Fused);
                let (loss_r, reference) = run(Kernel::OpByOp);
                let what = format!(
                    "{cell:?} layers {} embedding {:?} masks {}",
                    s.layers,
                    s.embedding,
                    masks.len()
                );
                let dl = loss_f
                    .iter()
                    .zip(&loss_r)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f32::max);
                assert!(dl <= 2e-6, "{what}: losses differ by {dl}");
                assert_eq!(fused.len(), reference.len());
                for (i, (gf, gr)) in fused.iter().zip(&reference).enumerate() {
                    let scale = gr.iter().map(|x| x.abs()).fold(0.0, f32::max);
                    let d = gf.iter().zip(gr).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
                    assert!(scale > 1e-5, "{what}: parameter {i}'s gradient is trivially small");
                    assert!(
                        d <= 1e-5 * scale,
                        "{what}: parameter {i}: gradients differ by {d} (scale {scale})"
                    );
                }
            }
        }
    }
}

/// Replicas never interact with layers, an embedding, dropout or streams either: four seeds trained as
/// one batch give each seed's numbers trained alone, bit for bit, on both inits. Dropout masks
/// come from each run's own seed.
#[test]
fn a_batch_equals_each_run_alone_with_layers_an_embedding_and_dropout() {
    for init in ["sweeplab", "torch"] {
        for cell in ["rnn", "lstm", "gru"] {
            let source = format!(
                "name: b\ndatasets:\n  - {{name: d, cyclic: abcabC, repeat: 4}}\ngrid:\n  cell: {cell}\n  hidden: 3\n  \
                 layers: 2\n  embedding: 3\n  dropout: 0.25\n  batch: 2\n  lr: 0.05\n  epochs: 6\n  seed: 0..4\n  init: {init}\n"
            );
            let plan = plan_from(&source).unwrap();
            let batch = train_all(&plan);
            let group = &plan.groups[0];
            for (i, &run) in group.runs.iter().enumerate() {
                let alone = &train_runs(&plan, group, &[run], &mut |_| {})[0];
                let bits = |r: &RunRecord| r.curve.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(alone), bits(&batch[i]), "{cell} {init} seed {i}");
                assert_eq!(alone.final_loss.to_bits(), batch[i].final_loss.to_bits());
            }
        }
    }
}

/// Dropout keeps each unit with probability 1 - p and scales it by 1 / (1 - p), so a unit's
/// expected value is unchanged; the masks are a function of the run's seed, epoch and layer.
#[test]
fn dropout_masks_are_scaled_bernoulli_draws_of_the_run_seed() {
    for p in [0.1, 0.5, 0.8] {
        let n = 200_000;
        let mask = init::dropout_mask(3, 7, 0, n, p);
        let kept = (1.0 / (1.0 - p)) as f32;
        assert!(mask.iter().all(|&m| m == 0.0 || m == kept), "p {p}");
        let dropped = mask.iter().filter(|&&m| m == 0.0).count() as f64 / n as f64;
        let mean = mask.iter().map(|&m| f64::from(m)).sum::<f64>() / n as f64;
        assert!((dropped - p).abs() < 0.005, "p {p}: dropped {dropped}");
        assert!((mean - 1.0).abs() < 0.02, "p {p}: mean {mean}");
        assert_eq!(mask, init::dropout_mask(3, 7, 0, n, p), "deterministic");
    }
    let a = init::dropout_mask(3, 7, 0, 64, 0.5);
    for other in [
        init::dropout_mask(4, 7, 0, 64, 0.5),
        init::dropout_mask(3, 8, 0, 64, 0.5),
        init::dropout_mask(3, 7, 1, 64, 0.5),
    ] {
        assert_ne!(a, other, "seed, epoch and layer each draw their own mask");
    }
}

/// Dropout acts in training only: with a learning rate too small to move a float32 weight,
/// runs with and without dropout have the same final evaluation bit for bit, while their
/// training losses (taken with the masks) differ.
#[test]
fn dropout_changes_training_and_not_the_evaluation() {
    let run = |dropout: &str| {
        let source = format!(
            "name: e\ndatasets:\n  - {{name: d, cyclic: abcabC, repeat: 4}}\ngrid:\n  cell: lstm\n  hidden: 4\n  \
             layers: 3\n  dropout: {dropout}\n  lr: 1e-30\n  epochs: 2\n  seed: 5\n"
        );
        train_all(&plan_from(&source).unwrap()).remove(0)
    };
    let (with, without) = (run("0.5"), run("0"));
    assert_eq!(with.final_loss.to_bits(), without.final_loss.to_bits());
    assert_ne!(with.curve[0].to_bits(), without.curve[0].to_bits());
    // Epoch 2 draws new masks.
    assert_ne!(with.curve[0].to_bits(), with.curve[1].to_bits());
    assert_eq!(without.curve[0].to_bits(), without.curve[1].to_bits());
}

const BASE: &str =
    "name: o\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 3}\ngrid:\n  hidden: 2\n  lr: 0.1\n  epochs: 3\n  seed: 0..2\n";

#[test]
fn options_that_do_not_apply_reset_to_defaults_or_are_refused() {
    let rnn = plan_from(&format!("{BASE}  cell: rnn\n")).unwrap();
    // Defaults written out are the same runs as before the options existed.
    let explicit = plan_from(&format!(
        "{BASE}  cell: rnn\n  layers: 1\n  embedding: none\n  dropout: 0\n"
    ))
    .unwrap();
    assert_eq!(ids(&rnn), ids(&explicit));
    // A grid over layers: the one-layer runs keep their ids; dropout applies to two layers only.
    let grid = plan_from(&format!("{BASE}  cell: rnn\n  layers: [1, 2]\n  dropout: 0.2\n")).unwrap();
    assert_eq!(ids(&grid)[..2], ids(&rnn)[..]);
    assert_eq!(grid.runs.len(), 4);
    assert_eq!(grid.runs[2].config.model.dropout, 0.2);
    assert_eq!(grid.runs[0].config.model.dropout, 0.0);
    let memoryless = plan_from(&format!("{BASE}  cell: [memoryless, rnn]\n  layers: 2\n")).unwrap();
    assert_eq!(memoryless.runs[0].config.model.layers, 1);
    assert_eq!(memoryless.runs[2].config.model.layers, 2);

    for (lines, line, want) in [
        (
            "  cell: rnn\n  dropout: 0.3\n",
            10,
            "grid.dropout: dropout does not apply to layers 1 (only to layers >= 2",
        ),
        (
            "  cell: memoryless\n  layers: 2\n",
            10,
            "grid.layers: layers does not apply to cell memoryless",
        ),
        (
            "  cell: memoryless\n  embedding: 4\n",
            10,
            "grid.embedding: embedding does not apply to cell memoryless",
        ),
        (
            "  cell: rnn\n  layers: 0\n",
            10,
            "layers must be an integer from 1 to 64, got 0",
        ),
        (
            "  cell: rnn\n  embedding: wide\n",
            10,
            "embedding must be an integer from 1 to 4096 or none, got 'wide'",
        ),
        (
            "  cell: rnn\n  layers: 2\n  dropout: 1\n",
            11,
            "dropout must be a number in [0, 1), got 1",
        ),
    ] {
        let err = plan_from(&format!("{BASE}{lines}")).unwrap_err();
        assert!(err.starts_with(&format!("inline.yaml:{line}:")), "{err}");
        assert!(err.contains(want), "{err}\nwanted: {want}");
    }
}

/// Through the binary: runs.csv names the options (empty where one does not apply), and a
/// misuse is one located error line and a non-zero exit.
#[test]
fn the_binary_trains_the_options_and_names_them_in_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "depth.yaml",
        "name: depth\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 3}\ngrid:\n  cell: [memoryless, lstm]\n  \
         hidden: 2\n  layers: 2\n  embedding: 3\n  dropout: 0.1\n  lr: 0.1\n  epochs: 3\n  seed: 0\n",
    );
    let out = dir.path().join("results");
    let run = sweep(&exp, &out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (header, rows) = csv_rows(&std::fs::read_to_string(out.join("runs.csv")).unwrap());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cells: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[col("cell")].clone(),
                r[col("layers")].clone(),
                r[col("embedding")].clone(),
                r[col("dropout")].clone(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str, d: &str| (a.to_string(), b.to_string(), c.to_string(), d.to_string());
    // The memoryless model takes none of them: its run has them reset and left empty.
    assert_eq!(cells, [s("memoryless", "", "", ""), s("lstm", "2", "3", "0.1")]);
    assert!(rows.iter().all(|r| r[col("status")] == "ok"));

    let bad = write(
        dir.path(),
        "bad.yaml",
        "name: bad\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 3}\ngrid:\n  cell: gru\n  hidden: 2\n  \
         dropout: 0.5\n  lr: 0.1\n  epochs: 3\n  seed: 0\n",
    );
    let run = sweep(&bad, &dir.path().join("bad")).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("bad.yaml:7: grid.dropout: dropout does not apply to layers 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `batch: B` trains on B contiguous streams of `floor(N / B)` positions (the remainder
/// dropped), side by side: its curve is bit for bit the curve of a run trained on those
/// streams as the dataset. The final evaluation reads the whole sequence: its accuracy counts
/// all N positions, so it differs from the streams' evaluation.
#[test]
fn batch_trains_on_contiguous_streams_and_evaluates_the_whole_sequence() {
    let text = "I think therefore I am. ".repeat(3);
    let source = format!(
        "name: s\nrecord: {{positions: 100}}\ndatasets:\n  - {{name: d, text: {text:?}}}\ngrid:\n  cell: rnn\n  hidden: 5\n  \
         batch: 4\n  lr: 0.05\n  epochs: 5\n  seed: 3\n"
    );
    let plan = plan_from(&source).unwrap();
    let streamed = train_all(&plan).remove(0);
    let data = &plan.datasets["d"];
    let n = data.positions();
    assert_eq!(n, text.chars().count() - 1);
    let streams = data.streams(4);
    assert_eq!((streams.batch(), streams.steps()), (4, n / 4));
    assert_eq!(
        streams.inputs[1][0],
        data.inputs[0][n / 4],
        "the second stream starts where the first ends"
    );
    let cell = sweeplab::spec::CellKind::Rnn;
    let alone = common::train_group(cell, &streams, 5, &[3], 5, 0.05, Kernel::Fused);
    let bits = |c: &[f32]| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&streamed.curve), bits(&alone.replicas[0].curve));
    // Evaluated over every position of the sequence, from a zero state.
    let snapshot = streamed.snapshot.as_ref().expect("trained");
    assert_eq!(snapshot.probs.len(), n.min(100));
    let correct = (streamed.accuracy * n as f32).round();
    assert!(
        (streamed.accuracy * n as f32 - correct).abs() < 1e-3,
        "accuracy counts N = {n} positions"
    );
    assert_ne!(streamed.final_loss.to_bits(), alone.replicas[0].final_loss.to_bits());

    for (dataset, want) in [
        (
            "{name: d, sentences: [i like dog, you love milk]}",
            "grid.batch: batch cuts a sequence into streams, and 'd' is many-to-one sentences data",
        ),
        (
            "{name: d, text: abc}",
            "grid.batch: batch 4 leaves no position per stream: 'd' has 2 positions",
        ),
    ] {
        let source = format!(
            "name: s\ndatasets:\n  - {dataset}\ngrid:\n  cell: rnn\n  hidden: 2\n  batch: 4\n  lr: 0.1\n  epochs: 2\n  seed: 0\n"
        );
        let err = plan_from(&source).unwrap_err();
        assert!(
            err.starts_with("inline.yaml:7:") && err.contains(want),
            "{err}\nwanted: {want}"
        );
    }
}
