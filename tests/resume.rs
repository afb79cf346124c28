//! Reproducibility and CI through the real binary: resume after `kill -9`, edit-and-resume,
//! retry of failed runs, the manifest, `check` exit codes, `reproduce` and `report`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;
use common::{sweep, sweeplab, write};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sweeplab")
}

/// runs.csv rows without the timing column, sorted by run id.
fn runs_without_time(dir: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let t = header.iter().position(|h| h == "train_seconds").unwrap();
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| {
            let mut row: Vec<String> = x.unwrap().iter().map(String::from).collect();
            row.remove(t);
            row
        })
        .collect();
    rows.sort();
    rows
}

fn record_count(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("runs"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .count()
        })
        .unwrap_or(0)
}

// Eight groups of four runs, each group a fraction of a second.
const LONG: &str = "name: long
datasets: [{name: d, cyclic: AbAcAd, repeat: 20, vocab: [A, b, c, d]}]
grid:
  cell: [rnn, gru]
  hidden: [2, 3, 4, 5]
  seed: 0..4
  lr: 0.1
  epochs: 60
";

#[test]
fn killed_sweeps_resume_to_exactly_the_complete_set_of_runs() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "long.yaml", LONG);
    let reference = dir.path().join("reference");
    sweep(&exp, &reference).assert().success();
    let want = runs_without_time(&reference);
    assert_eq!(want.len(), 32);

    let out = dir.path().join("out");
    // Kill at different moments: right after the first records land, then mid-way.
    for kill_after_records in [1usize, 12] {
        let mut child = std::process::Command::new(bin())
            .arg("sweep")
            .arg(&exp)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while record_count(&out) < kill_after_records && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let n = record_count(&out);
        assert!(n >= kill_after_records && n < 32, "kill landed after {n} records");
    }
    // Worker processes of a killed sweep exit with it (they watch their stdin); wait until no
    // record lands any more.
    let mut done_before = record_count(&out);
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = record_count(&out);
        if now == done_before {
            break;
        }
        done_before = now;
    }
    assert!(done_before < 32, "the killed workers went on training");
    let output = sweep(&exp, &out).arg("--jobs=1").output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("({done_before} already finished, skipped)")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("({} trained now", 32 - done_before)),
        "{stderr}"
    );
    // Exactly the complete set: none lost, none duplicated, same numbers as uninterrupted.
    assert_eq!(runs_without_time(&out), want);
    assert_eq!(record_count(&out), 32);
    let curves = std::fs::read_to_string(out.join("curves.csv")).unwrap();
    assert_eq!(curves.lines().count(), 1 + 32 * 60);
    // No temporary files survive.
    for entry in std::fs::read_dir(out.join("runs")).unwrap().flatten() {
        assert!(!entry.file_name().to_string_lossy().ends_with(".tmp"));
    }
}

/// In one process (`--jobs=1`), so that the counts below are one sweep's.
#[test]
fn editing_the_experiment_trains_only_new_runs_and_force_retrains_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let v1 = "name: e\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: [2], seed: 0..3, lr: 0.1, epochs: 10}\n";
    let exp = write(dir.path(), "e.yaml", v1);
    sweep(&exp, &out).arg("--jobs=1").assert().success();
    let first = runs_without_time(&out);
    write(dir.path(), "e.yaml", &v1.replace("hidden: [2]", "hidden: [2, 3]"));
    let output = sweep(&exp, &out).arg("--jobs=1").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(3 already finished, skipped)") && stderr.contains("(3 trained now"),
        "{stderr}"
    );
    assert!(!stderr.contains("training d rnn(2)"), "{stderr}");
    let second = runs_without_time(&out);
    assert_eq!(second.len(), 6);
    assert!(first.iter().all(|row| second.contains(row)));

    let output = sweep(&exp, &out).arg("--jobs=1").arg("--force").output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(6 trained now") && !stderr.contains("already finished"),
        "{stderr}"
    );
    assert_eq!(runs_without_time(&out), second);

    // The manifest says how the results were produced.
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    for key in [
        "sweeplab_version",
        "burn_version",
        "backends",
        "cpu_model",
        "os",
        "started",
        "finished",
        "experiment_sha256",
    ] {
        assert!(m.get(key).is_some(), "manifest lacks {key}: {m}");
    }
    assert_eq!(m["burn_version"], "0.21.0");
    let ids: Vec<&str> = m["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    for r in m["runs"].as_array().unwrap() {
        assert!(r["config_hash"]
            .as_str()
            .unwrap()
            .starts_with(r["run_id"].as_str().unwrap()));
        assert_eq!(r["config"]["cell"], "rnn");
    }
}

#[test]
fn failed_runs_are_retried() {
    let listing = sweeplab().arg("devices").output().unwrap();
    if String::from_utf8_lossy(&listing.stdout).contains("cuda (burn cuda): available") {
        return; // needs a machine where cuda runs fail
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let exp = write(
        dir.path(),
        "f.yaml",
        "name: f\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 2, seed: 0..2, lr: 0.1, epochs: 3, device: [cpu, cuda]}\n",
    );
    sweep(&exp, &out).assert().code(1);
    let output = sweep(&exp, &out).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("(2 already finished, skipped)"), "{stderr}");
    assert!(
        stderr.contains("training d rnn(2) head=linear lr=0.1 epochs=3 on cuda:0 (2 runs)"),
        "{stderr}"
    );
}

/// A hand-made results folder: two groups of four runs with chosen losses.
fn purpose_built(dir: &Path, name: &str, lstm_losses: [&str; 4], checks: &str) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    write(
        &folder,
        "experiment.yaml",
        &format!("name: made\ndatasets: [{{name: d, cyclic: abcabC, repeat: 5}}]\ngrid: {{cell: [rnn, lstm], hidden: 4, seed: 0..4, lr: 0.1, epochs: 5}}\n{checks}"),
    );
    let mut csv = String::from("run_id,experiment,group,dataset,cell,hidden,seed,device,epochs,lr,head,final_loss,accuracy,success,train_seconds,status,error\n");
    for (g, (cell, losses)) in [("rnn", ["0.5", "0.6", "0.001", "0.7"]), ("lstm", lstm_losses)]
        .iter()
        .enumerate()
    {
        for (seed, loss) in losses.iter().enumerate() {
            let ok = loss.parse::<f32>().unwrap() < 0.01;
            csv.push_str(&format!(
                "{cell}{seed},made,{g},d,{cell},4,{seed},cpu,5,0.1,linear,{loss},{},{ok},0.1,ok,\n",
                if ok { "1" } else { "0.75" }
            ));
        }
    }
    write(&folder, "runs.csv", &csv);
    folder
}

#[test]
fn check_passes_fails_and_rejects_with_the_right_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let checks = "checks:\n  - where: {cell: lstm, hidden: 4}\n    require: median_final_loss <= 0.01\n  - where: {cell: lstm}\n    require: success_rate >= 0.75\n  - where: {cell: rnn}\n    require: max_final_loss < 0.8\n";
    let good = purpose_built(dir.path(), "good", ["0.001", "0.002", "0.003", "0.9"], checks);
    let output = sweeplab().arg("check").arg(&good).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("[cell=lstm hidden=4] median_final_loss <= 0.01") && stdout.contains("0.00250  PASS"),
        "{stdout}"
    );
    assert!(stdout.contains("3 checks, 3 passed, 0 failed"), "{stdout}");

    let bad = purpose_built(dir.path(), "bad", ["0.001", "0.5", "0.6", "0.9"], checks);
    let output = sweeplab().arg("check").arg(&bad).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("0.550  FAIL") && stdout.contains("0.250  FAIL"),
        "{stdout}"
    );
    assert!(stdout.contains("3 checks, 1 passed, 2 failed"), "{stdout}");

    // Against a baseline: bad is worse than good by 0.5 in success rate and 0.5475 in median loss.
    let output = sweeplab()
        .arg("check")
        .arg(&bad)
        .arg("--baseline")
        .arg(&good)
        .arg("--tolerance")
        .arg("0.6")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}"); // its own checks still fail
    assert!(stdout.contains("success_rate vs baseline (tolerance 0.6)"), "{stdout}");
    let plain = purpose_built(dir.path(), "plain_bad", ["0.001", "0.5", "0.6", "0.9"], "");
    let plain_good = purpose_built(dir.path(), "plain_good", ["0.001", "0.002", "0.003", "0.9"], "");
    for (tolerance, code) in [("0.6", 0), ("0.1", 1)] {
        let output = sweeplab()
            .arg("check")
            .arg(&plain)
            .arg("--baseline")
            .arg(&plain_good)
            .arg("--tolerance")
            .arg(tolerance)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "tolerance {tolerance}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }

    // Configuration and usage errors: 2.
    let broken = purpose_built(
        dir.path(),
        "broken",
        ["0.001", "0.002", "0.003", "0.9"],
        "checks:\n  - require: median_loss <= 0.01\n",
    );
    let output = sweeplab().arg("check").arg(&broken).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("checks[0].require: unknown metric 'median_loss'"),
        "{stderr}"
    );
    assert_eq!(
        sweeplab()
            .args(["check", "/no/such/results"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        sweeplab().arg("check").arg(&plain).output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        sweeplab()
            .arg("check")
            .arg(&good)
            .arg("--tolerance")
            .arg("0.1")
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn reproduce_confirms_bit_identical_results_and_catches_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "r.yaml",
        "name: r\ndatasets: [{name: d, cyclic: abcabC, repeat: 8}]\ngrid: {cell: [lstm, memoryless], hidden: 3, seed: 0..3, lr: 0.1, epochs: 25}\n",
    );
    let out = dir.path().join("out");
    sweep(&exp, &out).assert().success();
    let output = sweeplab().arg("reproduce").arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("retrained 6 runs: 6 bit-identical, 0 differ; largest difference 0e0"),
        "{stdout}"
    );
    let output = sweeplab()
        .arg("reproduce")
        .arg(&out)
        .arg("--runs")
        .arg("2")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("retrained 2 runs: 2 bit-identical"));

    // Tamper with one final loss in runs.csv: the last digit of the second row's value.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines: Vec<String> = runs.lines().map(String::from).collect();
    let mut cols: Vec<String> = lines[2].split(',').map(String::from).collect();
    let loss: f32 = cols[11].parse().unwrap();
    cols[11] = format!("{}", f32::from_bits(loss.to_bits() + 1));
    lines[2] = cols.join(",");
    std::fs::write(out.join("runs.csv"), lines.join("\n") + "\n").unwrap();
    let output = sweeplab().arg("reproduce").arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("DIFFERS {}", cols[0])) && stdout.contains("1 differ"),
        "{stdout}"
    );
}

#[test]
fn report_has_the_group_table_environment_figures_and_command() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "rep.yaml",
        "name: rep\ndescription: a small report\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: [2, 4], seed: 0..4, lr: 0.1, epochs: 30}\n",
    );
    let out = dir.path().join("out");
    sweep(&exp, &out).assert().success();
    sweeplab().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| group | n | successes | 95% CI of success rate | median final loss |"),
        "{md}"
    );
    assert!(
        md.contains("| d rnn(2) head=linear lr=0.1 epochs=30 on cpu | 4 |"),
        "{md}"
    );
    assert!(
        md.contains("| d rnn(4) head=linear lr=0.1 epochs=30 on cpu | 4 |"),
        "{md}"
    );
    assert!(
        md.contains("burn 0.21.0") && md.contains("CPU:") && md.contains("epsilon 1e-8"),
        "{md}"
    );
    assert!(md.contains("sweeplab reproduce"), "{md}");
    let figures: Vec<_> = std::fs::read_dir(out.join("figures")).unwrap().flatten().collect();
    assert!(!figures.is_empty(), "the sweep drew no figures");
    assert_eq!(md.matches("![").count(), figures.len(), "{md}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), figures.len());
    assert!(!html.contains("src=\"figures/"), "report.html must be self-contained");
}

/// The report's training details follow each group's `init`: sweeplab's scheme with burn's
/// Adam, PyTorch's initialisation with PyTorch's Adam, a weights file by its digest.
#[test]
fn report_training_details_follow_each_groups_init() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "inits.yaml",
        "name: inits\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 2, seed: 0..2, lr: 0.1, epochs: 5, init: [sweeplab, torch]}\n",
    );
    let out = dir.path().join("out");
    sweep(&exp, &out).assert().success();
    sweeplab().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("burn's update formula (groups with init sweeplab)")
            && md.contains("PyTorch's update formula (`torch.optim.Adam`) (groups with init torch)")
            && md.contains("Initialisation (groups with init torch): PyTorch's, bit for bit")
            && md.contains("Initialisation (groups with init sweeplab): sweeplab's seeded scheme"),
        "{md}"
    );
    assert!(!md.contains("Adam (burn)"), "{md}");

    // One init for every group: stated without a scope.
    let torch_only = write(
        dir.path(),
        "torch.yaml",
        "name: torch\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 2, seed: 0..2, lr: 0.1, epochs: 5, init: torch}\n",
    );
    let out = dir.path().join("torch");
    sweep(&torch_only, &out).assert().success();
    sweeplab().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("PyTorch's update formula (`torch.optim.Adam`); learning rate")
            && md.contains("Initialisation: PyTorch's, bit for bit")
            && !md.contains("burn's update formula")
            && !md.contains("seeded scheme"),
        "{md}"
    );
}
