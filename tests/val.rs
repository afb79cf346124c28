//! The validation split (`val: f`): the last `floor(f * S)` positions of every stream held out
//! of training, their loss measured for the model entering every epoch and for the trained
//! model; errors at the `val` line; the columns of runs.csv and curves.csv and the `checks:`
//! metrics through the binary.

use sweeplab::data::Dataset;
use sweeplab::model::Kernel;
use sweeplab::spec::CellKind;

mod common;
use common::{csv_rows, plan_from, sweep, sweeplab, train_all, train_group, write};

fn bits(xs: &[f32]) -> Vec<u32> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// `text` x3 (71 positions) in 3 streams of 23, `val: 0.2` holding out the last 4 of each:
/// training is bit for bit the training on the first 19 positions of each stream alone, and the
/// held-out loss is the loss of those 3 x 4 positions read from a zero state.
#[test]
fn val_holds_out_the_last_positions_of_every_stream() {
    let text = "I think therefore I am. ".repeat(3);
    let yaml = |lr: &str| {
        format!(
            "name: v\ndatasets:\n  - {{name: d, text: {text:?}}}\ngrid:\n  cell: gru\n  hidden: 5\n  \
             batch: 3\n  val: 0.2\n  lr: {lr}\n  epochs: 6\n  seed: 2\n"
        )
    };
    let plan = plan_from(&yaml("0.05")).unwrap();
    let record = train_all(&plan).remove(0);
    let streams = plan.datasets["d"].streams(3);
    assert_eq!(streams.steps(), 23);
    assert_eq!(streams.held_out_steps(0.2), 4);
    let (fitted, held): (Dataset, Dataset) = streams.split_tail(4);
    assert_eq!((fitted.steps(), held.steps(), held.batch()), (19, 4, 3));
    assert_eq!(held.inputs[0], streams.inputs[0][19..]);

    let alone = train_group(CellKind::Gru, &fitted, 5, &[2], 6, 0.05, Kernel::Fused);
    assert_eq!(bits(&record.curve), bits(&alone.replicas[0].curve));
    let val = record.val.as_ref().expect("a validation split");
    assert_eq!(val.curve.len(), 6);
    assert!(val.curve.iter().all(|l| l.is_finite()));
    // The held-out ends of the streams are text training never reads: their loss rises here.
    assert_ne!(
        val.curve[5].to_bits(),
        val.curve[0].to_bits(),
        "it is measured every epoch"
    );
    // The final evaluation still reads the whole sequence.
    assert_ne!(record.final_loss.to_bits(), val.final_loss.to_bits());

    // With a rate too small to move a float32 weight, every epoch's held-out loss is the
    // untrained model's, which is the loss of the held-out positions as a dataset of their own.
    let frozen = train_all(&plan_from(&yaml("1e-30")).unwrap()).remove(0);
    let val = frozen.val.as_ref().unwrap();
    let of_held = train_group(CellKind::Gru, &held, 5, &[2], 1, 1e-30, Kernel::Fused).replicas[0].final_loss;
    for &l in val.curve.iter().chain([&val.final_loss]) {
        assert!((l - of_held).abs() <= 1e-6, "{l} vs {of_held}");
    }
    let acc = train_group(CellKind::Gru, &held, 5, &[2], 1, 1e-30, Kernel::Fused).replicas[0].accuracy;
    assert_eq!(val.accuracy, acc);
}

/// Under `bptt` the held-out positions are read in chunks with the state carried over, and
/// replicas trained together get their numbers alone, bit for bit.
#[test]
fn val_with_windows_and_replicas_equals_each_run_alone() {
    let source = "name: w\ndatasets:\n  - {name: d, cyclic: abcabC, repeat: 10}\ngrid:\n  cell: lstm\n  hidden: 3\n  \
                  batch: 2\n  bptt: 5\n  val: 0.3\n  lr: 0.05\n  epochs: 4\n  seed: 0..3\n";
    let plan = plan_from(source).unwrap();
    let together = train_all(&plan);
    let group = &plan.groups[0];
    for (i, &run) in group.runs.iter().enumerate() {
        let alone = &sweeplab::schedule::train_runs(&plan, group, &[run], &mut |_| {})[0];
        let (a, b) = (alone.val.as_ref().unwrap(), together[i].val.as_ref().unwrap());
        assert_eq!(bits(&a.curve), bits(&b.curve), "seed {i}");
        assert_eq!(a.final_loss.to_bits(), b.final_loss.to_bits());
        assert_eq!(bits(&alone.curve), bits(&together[i].curve));
    }
}

#[test]
fn val_that_holds_out_nothing_or_does_not_apply_is_refused_at_its_line() {
    for (dataset, val, want) in [
        (
            "{name: d, cyclic: AbAcAd, repeat: 2}",
            "0.05",
            "grid.val: val 0.05 holds out no position of 'd' (11 positions)",
        ),
        (
            "{name: d, sentences: [i like dog, you love milk]}",
            "0.5",
            "grid.val: val holds out the last positions of a sequence, and 'd' is many-to-one sentences data",
        ),
        (
            "{name: d, cyclic: AbAcAd, repeat: 2}",
            "1",
            "grid.val: val must be a number in [0, 1), got 1",
        ),
    ] {
        let source = format!(
            "name: s\ndatasets:\n  - {dataset}\ngrid:\n  cell: rnn\n  hidden: 2\n  val: {val}\n  lr: 0.1\n  epochs: 2\n  seed: 0\n"
        );
        let err = plan_from(&source).unwrap_err();
        assert!(
            err.starts_with("inline.yaml:7:") && err.contains(want),
            "{err}\nwanted: {want}"
        );
    }
    // The streams' length counts: 2 streams of 5 positions, 0.1 of 5 is none.
    let source = "name: s\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 2}\ngrid:\n  cell: rnn\n  hidden: 2\n  \
                  batch: 2\n  val: 0.1\n  lr: 0.1\n  epochs: 2\n  seed: 0\n";
    let err = plan_from(source).unwrap_err();
    assert!(
        err.contains("grid.val: val 0.1 holds out no position of the 2 streams of 'd' (5 positions each)"),
        "{err}"
    );
}

/// Through the binary: runs.csv's `val_final_loss`/`val_accuracy` (empty for a run without a
/// split), curves.csv's `val_loss`, the same tables after a resume from the records, and
/// `checks:` on the held-out metrics (a group without a split fails them, saying why).
#[test]
fn the_binary_writes_the_held_out_columns_and_checks_them() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "val.yaml",
        "name: val\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 12}\ngrid:\n  cell: lstm\n  hidden: 4\n  \
         val: [0, 0.25]\n  lr: 0.1\n  epochs: 40\n  seed: 0..2\n\
         checks:\n  - where: {val: 0.25}\n    require: median_val_loss < 0.9\n  - where: {val: 0.25}\n    require: mean_val_accuracy >= 0.4\n  \
         - where: {val: 0}\n    require: max_val_loss < 9\n",
    );
    let out = dir.path().join("results");
    let run = sweep(&exp, &out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let curves = std::fs::read_to_string(out.join("curves.csv")).unwrap();
    let (header, rows) = csv_rows(&runs);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let values: Vec<(&str, bool)> = rows
        .iter()
        .map(|r| (r[col("val")].as_str(), r[col("val_final_loss")].is_empty()))
        .collect();
    assert_eq!(values, [("0", true), ("0", true), ("0.25", false), ("0.25", false)]);
    let (curve_header, curve_rows) = csv_rows(&curves);
    assert_eq!(curve_header, ["run_id", "epoch", "loss", "accuracy", "val_loss"]);
    let held = rows.iter().find(|r| r[col("val")] == "0.25").unwrap();
    let of_run: Vec<&Vec<String>> = curve_rows.iter().filter(|c| c[0] == held[col("run_id")]).collect();
    assert_eq!(of_run.len(), 40);
    assert!(of_run.iter().all(|c| c[4].parse::<f32>().is_ok()));
    let val_acc: f32 = held[col("val_accuracy")].parse().unwrap();
    assert!((0.0..=1.0).contains(&val_acc));

    // A resumed sweep reads the held-out numbers back from the records.
    let again = sweep(&exp, &out).output().unwrap();
    assert!(again.status.success());
    assert_eq!(std::fs::read_to_string(out.join("runs.csv")).unwrap(), runs);
    assert_eq!(std::fs::read_to_string(out.join("curves.csv")).unwrap(), curves);

    let check = sweeplab().arg("check").arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("median_val_loss < 0.9") && l.ends_with("PASS")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("mean_val_accuracy >= 0.4") && l.ends_with("PASS")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.contains("max_val_loss < 9")
            && l.contains("FAIL")
            && l.contains("the group holds out no validation split")),
        "{stdout}"
    );
}
