//! Truncated BPTT (`bptt: k`): PyTorch 2.15's numbers for windows of 3 streams (`init: torch`;
//! the case `rnn_streams` of `shared/reference/torch_options/make_cases.py`, the numbers a test
//! needs are below), the fused path equal to the op-by-op cells across windows, a batch equal
//! to each run alone, the windowed final evaluation equal to one pass, and the errors and the
//! runs.csv column through the binary.

use burn::backend::{Autodiff, Flex};
use sweeplab::model::{init, Kernel, ModelShape};
use sweeplab::record::RunRecord;
use sweeplab::schedule::train_runs;
use sweeplab::spec::{CellKind, HeadKind, ModelOptions};
use sweeplab::train::{self, JobPart, OptimizerKind, TrainJob};

mod common;
use common::{csv_rows, cyclic, plan_from, sweep, train_all, write};

/// `softmax(logits)` of PyTorch's first six positions after training.
const TORCH_PROBS: &[&[f64]] = &[
    &[
        0.9095849394798279,
        0.0005159571301192045,
        0.005060615949332714,
        0.0010548637947067618,
        0.014217687770724297,
        0.0020726581569761038,
        0.023664822801947594,
        0.0006536594009958208,
        0.011800750158727169,
        0.01062510721385479,
        0.0001941234222613275,
        0.011344893835484982,
        0.0006443795282393694,
        0.008565576747059822,
    ],
    &[
        0.02130516804754734,
        0.02209896594285965,
        0.054718997329473495,
        0.08821550756692886,
        0.015242285095155239,
        0.0010819095186889172,
        0.07474276423454285,
        0.030006399378180504,
        0.0022022961638867855,
        0.027237704023718834,
        0.0014800422359257936,
        0.011734691448509693,
        0.009464102797210217,
        0.6404691338539124,
    ],
    &[
        0.004815306048840284,
        0.01116845104843378,
        0.002229734556749463,
        0.016030682250857353,
        0.007477103732526302,
        0.0001040683055180125,
        0.6930421590805054,
        0.13258203864097595,
        0.00022484584769699723,
        0.05975775793194771,
        0.002160370582714677,
        0.0052031101658940315,
        0.00083660997916013,
        0.06436772644519806,
    ],
    &[
        0.0004568478907458484,
        0.010004794225096703,
        0.002136813011020422,
        0.009553881362080574,
        0.10244500637054443,
        0.0004268262127880007,
        0.02815096639096737,
        0.774857759475708,
        0.0020828787237405777,
        0.0147226732224226,
        0.0073912907391786575,
        0.001285944483242929,
        0.024356693029403687,
        0.022127578034996986,
    ],
    &[
        0.0009112713159993291,
        0.0011019996600225568,
        0.00016200718528125435,
        0.00031666934955865145,
        0.04343121498823166,
        0.0018386702286079526,
        0.0004504348908085376,
        0.004027531482279301,
        0.0001941060763783753,
        0.0032900322694331408,
        0.9026978611946106,
        0.011492428369820118,
        0.028254548087716103,
        0.001831350033171475,
    ],
    &[
        0.006174502428621054,
        0.004293782636523247,
        0.018178652971982956,
        0.0008541637216694653,
        0.004805876407772303,
        0.04915056377649307,
        0.0002451592590659857,
        0.001417310326360166,
        0.8916146159172058,
        0.000612411240581423,
        0.00047625729348510504,
        0.0001455980964237824,
        0.017662499099969864,
        0.0043685282580554485,
    ],
];

/// "I think therefore I am. " x 10 (239 positions) in 3 streams of 79, windows of 16 (the
/// last of 15): 5 optimiser steps per epoch. PyTorch's epoch losses are the means of its
/// window losses, as curves.csv's are; the final evaluation is one pass from a zero state.
#[test]
fn windows_of_streams_match_pytorch() {
    let source = "name: streams\nrecord: {positions: 6}\ndatasets:\n  - {name: d, cyclic: \"I think therefore I am. \", repeat: 10}\n\
                  grid:\n  cell: rnn\n  hidden: 8\n  bptt: 16\n  batch: 3\n  lr: 0.02\n  epochs: 10\n  seed: 8\n  init: torch\n";
    let plan = plan_from(source).unwrap();
    let record = &train_all(&plan)[0];
    let close = |got: f32, want: f64, tol: f64, what: &str| {
        let d = (f64::from(got) - want).abs();
        eprintln!("{what}: {got} vs {want} ({d:.2e})");
        assert!(d <= tol, "{what}: {got} vs PyTorch's {want}");
    };
    close(record.curve[0], 2.5047624588012694, 1e-5, "epoch 1");
    close(record.curve[9], 0.3139595866203308, 1e-4, "epoch 10");
    close(record.final_loss, 0.258063942193985, 1e-4, "final loss");
    close(record.accuracy, 1.0, 0.0, "accuracy");
    let probs = &record.snapshot.as_ref().expect("trained").probs;
    let d = probs
        .iter()
        .zip(TORCH_PROBS)
        .flat_map(|(got, want)| got.iter().zip(*want).map(|(&g, &w)| (f64::from(g) - w).abs()))
        .fold(0.0, f64::max);
    assert_eq!(probs.len(), 6);
    eprintln!("probabilities: {d:.2e}");
    assert!(d <= 1e-4, "probabilities off by {d}");
}

/// The fused op carries the state from window to window as the op-by-op cells do: a 2-layer
/// LSTM with an embedding and dropout, 2 streams in windows of 5 (the last shorter), trains to
/// the same curve and final loss.
#[test]
fn fused_equals_op_by_op_across_windows() {
    let data = cyclic("abcabC", 6);
    let model = ModelOptions {
        layers: 2,
        embedding: Some(3),
        dropout: 0.2,
        batch: 2,
        bptt: Some(5),
        ..Default::default()
    };
    let shape = ModelShape {
        layers: 2,
        embedding: Some(3),
        ..ModelShape::single(CellKind::Lstm, data.vocab.len(), 4, HeadKind::Linear)
    };
    let seeds = [2u64, 3];
    let init = init::seeded(&shape, &seeds);
    let parts = [JobPart {
        data: &data,
        lr: 0.05,
        replicas: 2,
    }];
    let run = |kernel: Kernel| {
        let job = TrainJob {
            shape,
            parts: &parts,
            epochs: 8,
            init: &init,
            seeds: &seeds,
            model,
            keep_positions: 8,
            all_layers: false,
            optimizer: OptimizerKind::Burn,
            options: Default::default(),
            kernel,
        };
        train::train::<Autodiff<Flex>>(&job, &Default::default(), &mut |_| {})
    };
    let (fused, reference) = (run(Kernel::Fused), run(Kernel::OpByOp));
    for (f, r) in fused.replicas.iter().zip(&reference.replicas) {
        assert_eq!(f.curve.len(), 8);
        let d = f
            .curve
            .iter()
            .zip(&r.curve)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(d <= 1e-5, "curves differ by {d}: {:?} vs {:?}", f.curve, r.curve);
        assert!((f.final_loss - r.final_loss).abs() <= 1e-5);
        assert!(f.curve[7] < f.curve[0] - 0.1, "it trains: {:?}", f.curve);
    }
}

/// Replicas never interact across windows: four seeds trained as one batch give each seed's
/// numbers trained alone, bit for bit.
#[test]
fn a_batch_equals_each_run_alone_with_windows() {
    for cell in ["rnn", "lstm", "gru"] {
        let source = format!(
            "name: b\ndatasets:\n  - {{name: d, cyclic: abcabC, repeat: 5}}\ngrid:\n  cell: {cell}\n  hidden: 3\n  \
             layers: 2\n  dropout: 0.25\n  batch: 2\n  bptt: 4\n  lr: 0.05\n  epochs: 5\n  seed: 0..4\n"
        );
        let plan = plan_from(&source).unwrap();
        let batch = train_all(&plan);
        let group = &plan.groups[0];
        for (i, &run) in group.runs.iter().enumerate() {
            let alone = &train_runs(&plan, group, &[run], &mut |_| {})[0];
            let bits = |r: &RunRecord| r.curve.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(alone), bits(&batch[i]), "{cell} seed {i}");
            assert_eq!(alone.final_loss.to_bits(), batch[i].final_loss.to_bits());
        }
    }
}

/// Under `bptt` the final evaluation of a long sequence runs in chunks of 4096 steps, the state
/// carried over: with a learning rate too small to move a float32 weight, it gives the one-pass
/// evaluation's accuracy and probabilities, past the chunk boundaries too. Its loss (the
/// chunks' float32 means, weighted in f64) is the mean of the recorded `-ln p` to 1e-5; one
/// pass's float32 mean over 8999 positions drifts further (1.9e-5) on a periodic sequence.
#[test]
fn the_windowed_evaluation_equals_one_pass() {
    let source =
        "name: e\nrecord: {positions: 9000}\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 1500}\ngrid:\n  \
                  cell: gru\n  hidden: 3\n  bptt: [none, 3000]\n  lr: 1e-30\n  epochs: 1\n  seed: 4\n";
    let plan = plan_from(source).unwrap();
    let records = train_all(&plan);
    let bptt: Vec<Option<usize>> = plan.runs.iter().map(|r| r.config.model.bptt).collect();
    assert_eq!(bptt, [None, Some(3000)]);
    let (one, chunked) = (&records[0], &records[1]);
    let targets = plan.datasets["d"].flat_targets();
    assert_eq!(targets.len(), 8999);
    assert_eq!(one.accuracy, chunked.accuracy);
    let (p1, p2) = (
        &one.snapshot.as_ref().unwrap().probs,
        &chunked.snapshot.as_ref().unwrap().probs,
    );
    assert_eq!((p1.len(), p2.len()), (8999, 8999));
    let d = p1
        .iter()
        .zip(p2)
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
        .fold(0.0, f32::max);
    assert!(d <= 1e-6, "probabilities differ by {d}");
    let nll = p1
        .iter()
        .zip(&targets)
        .map(|(p, &t)| -f64::from(p[t]).ln())
        .sum::<f64>()
        / targets.len() as f64;
    let off = |loss: f32| (f64::from(loss) - nll).abs() / nll;
    eprintln!(
        "mean -ln p {nll}: chunked {} ({:.1e}), one pass {} ({:.1e})",
        chunked.final_loss,
        off(chunked.final_loss),
        one.final_loss,
        off(one.final_loss)
    );
    assert!(off(chunked.final_loss) <= 1e-5);
    assert!(off(one.final_loss) <= 1e-4);
}

/// Through the binary: runs.csv has a `bptt` column (`none` for the whole sequence), and
/// windows of many-to-one sentences are one located error line and a non-zero exit.
#[test]
fn the_binary_trains_windows_and_refuses_them_for_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "tbptt.yaml",
        "name: tbptt\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 6}\ngrid:\n  cell: lstm\n  hidden: 2\n  \
         batch: 2\n  bptt: [none, 4]\n  lr: 0.1\n  epochs: 3\n  seed: 0\n",
    );
    let out = dir.path().join("results");
    let run = sweep(&exp, &out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (header, rows) = csv_rows(&std::fs::read_to_string(out.join("runs.csv")).unwrap());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let values: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[col("bptt")].as_str(), r[col("status")].as_str()))
        .collect();
    assert_eq!(values, [("none", "ok"), ("4", "ok")]);

    let bad = write(
        dir.path(),
        "bad.yaml",
        "name: bad\ndatasets:\n  - {name: d, sentences: [i like dog, you love milk]}\ngrid:\n  cell: rnn\n  \
         hidden: 2\n  bptt: 2\n  lr: 0.1\n  epochs: 3\n  seed: 0\n",
    );
    let run = sweep(&bad, &dir.path().join("bad")).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(
            "bad.yaml:7: grid.bptt: bptt cuts a sequence into windows, and 'd' is many-to-one sentences data"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
