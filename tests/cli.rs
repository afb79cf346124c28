//! The real binary, as a user runs it: sweeps that write CSVs, plain-line progress, bad input
//! that exits 2 with one clear line and leaves earlier results alone, failed and diverged runs.

use std::path::Path;

mod common;
use common::{sweep, sweeplab, write};

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    common::csv_rows(&std::fs::read_to_string(path).unwrap())
}

const SMALL: &str = "name: small
datasets:
  - name: AbAcAd
    cyclic: AbAcAd
    repeat: 10
    vocab: [A, b, c, d]
grid:
  cell: [rnn, lstm]
  hidden: 2
  seed: 0..3
  lr: 0.1
  epochs: 20
";

#[test]
fn sweep_writes_runs_curves_states_and_the_experiment() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "small.yaml", SMALL);
    let out = dir.path().join("out");
    let assert = sweep(&exp, &out).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    // Not a terminal: plain progress lines.
    assert!(
        stderr.contains("[1/2] training AbAcAd rnn(2)") && stderr.contains("[2/2] done"),
        "{stderr}"
    );

    let (header, rows) = read_csv(&out.join("runs.csv"));
    for col in [
        "run_id",
        "experiment",
        "dataset",
        "cell",
        "hidden",
        "seed",
        "device",
        "epochs",
        "lr",
        "final_loss",
        "accuracy",
        "train_seconds",
        "status",
    ] {
        assert!(header.iter().any(|h| h == col), "runs.csv lacks {col}: {header:?}");
    }
    assert_eq!(rows.len(), 6);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows {
        assert_eq!(row[col("status")], "ok");
        assert_eq!(row[col("experiment")], "small");
        let loss: f32 = row[col("final_loss")].parse().unwrap();
        assert!(loss.is_finite() && loss > 0.0 && loss < 1.5, "{loss}");
        let acc: f32 = row[col("accuracy")].parse().unwrap();
        assert!((0.0..=1.0).contains(&acc));
    }
    let cells: Vec<&str> = rows.iter().map(|r| r[col("cell")].as_str()).collect();
    assert_eq!(cells, ["rnn", "rnn", "rnn", "lstm", "lstm", "lstm"]);

    let (ch, curves) = read_csv(&out.join("curves.csv"));
    assert_eq!(ch, ["run_id", "epoch", "loss", "accuracy"]);
    assert_eq!(curves.len(), 6 * 20);
    // Each run's curve: epochs 1..=20, and the final loss is below the first epoch's.
    let first = &rows[0][col("run_id")];
    let curve: Vec<f32> = curves
        .iter()
        .filter(|c| &c[0] == first)
        .map(|c| c[2].parse().unwrap())
        .collect();
    assert_eq!(curve.len(), 20);
    assert!(rows[0][col("final_loss")].parse::<f32>().unwrap() < curve[0]);

    let (sh, states) = read_csv(&out.join("states.csv"));
    assert_eq!(
        sh,
        ["run_id", "position", "input", "target", "kind", "index", "label", "value"]
    );
    // 15 positions x (2 h + 4 logits + 4 probs) per run.
    assert_eq!(states.len(), 6 * 15 * 10);
    let probs: f32 = states
        .iter()
        .filter(|s| &s[0] == first && s[1] == "0" && s[4] == "prob")
        .map(|s| s[7].parse::<f32>().unwrap())
        .sum();
    assert!((probs - 1.0).abs() < 1e-5, "probabilities sum to {probs}");
    let labels: Vec<&str> = states
        .iter()
        .filter(|s| &s[0] == first && s[1] == "0")
        .map(|s| s[6].as_str())
        .collect();
    assert_eq!(labels, ["h1", "h2", "A", "b", "c", "d", "A", "b", "c", "d"]);
    assert_eq!((states[0][2].as_str(), states[0][3].as_str()), ("A", "b"));

    assert_eq!(std::fs::read_to_string(out.join("experiment.yaml")).unwrap(), SMALL);
    assert!(std::fs::read_to_string(out.join("resolved.yaml"))
        .unwrap()
        .contains("name: small"));
}

#[test]
fn a_rerun_gives_bit_identical_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "small.yaml", SMALL);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    sweep(&exp, &a).assert().success();
    sweep(&exp, &b).assert().success();
    let (header, ra) = read_csv(&a.join("runs.csv"));
    let (_, rb) = read_csv(&b.join("runs.csv"));
    let t = header.iter().position(|h| h == "train_seconds").unwrap();
    let strip = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|mut r| {
                r.remove(t);
                r
            })
            .collect()
    };
    assert_eq!(strip(ra), strip(rb));
    for f in ["curves.csv", "states.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn plan_lists_runs_without_training() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "small.yaml", SMALL);
    let out = sweeplab()
        .arg("plan")
        .arg(&exp)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("# small: 6 runs in 2 groups"), "{text}");
    assert_eq!(text.lines().count(), 1 + 1 + 6);
    assert!(!dir.path().join("results").exists());
}

/// Each bad input: exit 2, one line naming the file (and line/field where known), no panic,
/// and the results already in the output folder untouched.
#[test]
fn bad_input_exits_2_with_a_clear_message_and_keeps_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let earlier = "run_id,final_loss\nabc,0.5\n";
    std::fs::write(out.join("runs.csv"), earlier).unwrap();
    let base = |grid: &str| format!("name: bad\ndatasets:\n  - name: d\n    cyclic: AbAcAd\n    repeat: 3\n{grid}");
    let good_grid = "grid:\n  cell: rnn\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 2\n";
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed.yaml", "name: bad\ndatasets: [\n".into(), "malformed.yaml:"),
        ("unknown_key.yaml", base(&format!("{good_grid}  optimiser: sgd\n")), "unknown_key.yaml:12: grid.optimiser: unknown parameter 'optimiser' (expected one of dataset, cell, hidden"),
        ("unknown_cell.yaml", base("grid:\n  cell: transformer\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 2\n"), "unknown_cell.yaml:7: grid.cell: unknown cell type 'transformer'"),
        ("hidden0.yaml", base("grid:\n  cell: rnn\n  hidden: 0\n  seed: 0\n  lr: 0.1\n  epochs: 2\n"), "hidden0.yaml:8: grid.hidden: hidden size must be at least 1"),
        ("empty.yaml", format!("name: bad\ndatasets:\n  - name: d\n    text: \"\"\n{good_grid}"), "empty.yaml:4: datasets[0].text: text has 0 token(s)"),
        ("one_symbol.yaml", format!("name: bad\ndatasets:\n  - name: d\n    text: zzzz\n{good_grid}"), "one_symbol.yaml:4: datasets[0].text: text has a single distinct symbol"),
        ("vocab.yaml", format!("name: bad\ndatasets:\n  - name: d\n    cyclic: AbAcAd\n    repeat: 3\n    vocab: [A, b, c]\n{good_grid}"), "vocab.yaml:6: datasets[0].vocab: vocabulary misses symbol(s) of the text: 'd'"),
        ("head.yaml", base("grid:\n  cell: lstm\n  hidden: 3\n  head: none\n  seed: 0\n  lr: 0.1\n  epochs: 2\n"), "head.yaml:9: grid.head: head: none uses the hidden state as logits, so hidden must equal the vocabulary size of 'd' (4), got hidden 3"),
        ("missing_file.yaml", format!("name: bad\ndatasets:\n  - name: d\n    file: nowhere.txt\n{good_grid}"), "missing_file.yaml:4: datasets[0].file: cannot read text file"),
    ];
    for (name, yaml, want) in cases {
        let exp = write(dir.path(), name, &yaml);
        let output = sweep(&exp, &out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}:\nwant: {want}\ngot:  {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.trim_end().lines().count() == 1,
            "{name}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("runs.csv")).unwrap(),
            earlier,
            "{name} touched earlier results"
        );
    }

    // A missing experiment file and an output folder that cannot be created.
    let output = sweeplab().args(["sweep", "no/such/experiment.yaml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/experiment.yaml: cannot read experiment file"));
    let exp = write(dir.path(), "good.yaml", &base(good_grid));
    let blocker = write(dir.path(), "a-file", "");
    let output = sweep(&exp, &blocker.join("sub")).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a-file/sub: cannot create the output folder"),
        "{stderr}"
    );
    // Unknown subcommand or flag: usage error, also 2.
    assert_eq!(
        sweeplab().args(["sweep", "--fast"]).output().unwrap().status.code(),
        Some(2)
    );
}

/// lr 1e38 overflows the weights within two Adam steps (1e30 is not enough: the fused loss
/// kernel subtracts the row maximum and stays finite at losses around 1e30).
#[test]
fn a_nan_loss_is_recorded_as_diverged_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "nan.yaml",
        "name: nan\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 3, seed: 0..2, lr: [1.0e38, 0.1], epochs: 5}\n",
    );
    let out = dir.path().join("out");
    let output = sweep(&exp, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let (header, rows) = read_csv(&out.join("runs.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let statuses: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[col("lr")].as_str(), r[col("status")].as_str()))
        .collect();
    assert_eq!(
        statuses,
        [("1e38", "diverged"), ("1e38", "diverged"), ("0.1", "ok"), ("0.1", "ok")]
    );
    // One median rule everywhere: a diverged run counts as an infinite loss, so the terminal
    // line and the report agree that this group's median is infinite.
    assert!(
        stderr.contains("0/2 succeeded, median final loss inf, 2 diverged"),
        "{stderr}"
    );
    sweeplab().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let row = md.lines().find(|l| l.contains("lr=1e38")).unwrap();
    assert!(row.contains("| [0.00, 0.66] | inf |"), "{row}");
}

/// Also the scheduling: with `--jobs 1` the GPU group gets a worker of its own beside the one
/// CPU worker, so CPU and GPU work run at the same time.
#[test]
fn cuda_without_a_gpu_fails_those_runs_only() {
    let devices = sweeplab().arg("devices").output().unwrap();
    let listing = String::from_utf8_lossy(&devices.stdout).to_string();
    assert!(listing.contains("cpu (burn flex): available"), "{listing}");
    if listing.contains("cuda (burn cuda): available") {
        eprintln!("this machine has a CUDA driver; the no-GPU path is not exercised here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "gpu.yaml",
        "name: gpu\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 2, seed: 0..2, lr: 0.1, epochs: 3, device: [cuda, cpu]}\n",
    );
    let out = dir.path().join("out");
    let output = sweeplab()
        .args(["sweep", "--jobs", "1"])
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("worker 2/2: [1/2] training d rnn(2) head=linear lr=0.1 epochs=3 on cuda:0")
            && stderr.contains("worker 1/2: [2/2] training d rnn(2) head=linear lr=0.1 epochs=3 on cpu"),
        "{stderr}"
    );
    let (header, rows) = read_csv(&out.join("runs.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[col("device")].as_str(), r[col("status")].as_str()))
        .collect();
    assert_eq!(
        got,
        [("cuda:0", "failed"), ("cuda:0", "failed"), ("cpu", "ok"), ("cpu", "ok")]
    );
    assert!(rows[0][col("error")].contains("CUDA driver library"), "{:?}", rows[0]);
}

/// `sweeplab sweep ... 2>&1 | head -1`: when the reader of the progress lines goes away, the
/// sweep stops quietly with 141 (as a tool killed by SIGPIPE), not with an internal error, and
/// `plan | head -1` succeeds.
#[test]
fn a_closed_output_pipe_stops_quietly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "pipe.yaml",
        "name: pipe\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 20}]\ngrid: {cell: lstm, hidden: [2, 3, 4], seed: 0..4, lr: 0.1, epochs: 300}\n",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sweeplab"))
        .args(["sweep", "--jobs=1", "--out"])
        .arg(dir.path().join("out"))
        .arg(&exp)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("sweep pipe: 12 runs"), "{first}");
    // The reader is dropped here; the next progress line meets a closed pipe.
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(141));
    let plan = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' plan '{}' | head -1",
            env!("CARGO_BIN_EXE_sweeplab"),
            exp.display()
        ))
        .output()
        .unwrap();
    assert!(plan.status.success());
    assert!(plan.stderr.is_empty(), "{}", String::from_utf8_lossy(&plan.stderr));
}
