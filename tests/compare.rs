//! `sweeplab compare` and the report's "Devices compared" section, through the real binary.
//! `cpu` (burn flex) and `ndarray` (burn-ndarray) are two CPU backends whose float results
//! differ slightly, so `device: [cpu, ndarray]` is a real stand-in for cpu vs cuda. (With a
//! linear head both use the same fused host kernel and agree to ~1e-8; `head: none` keeps the
//! loss on burn ops, where they differ by ~1e-6.) Every number compare prints is recomputed here
//! from the runs.csv and states.csv it read.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

mod common;
use common::{sweeplab, write};

/// A small experiment: 2 cells x the seeds on the given devices (12 runs for 3 seeds, 2 devices),
/// without a head (where flex and ndarray differ most).
fn experiment(name: &str, devices: &str, seeds: &str) -> String {
    experiment_with_head(name, devices, seeds, "none")
}

fn experiment_with_head(name: &str, devices: &str, seeds: &str, head: &str) -> String {
    format!(
        "name: {name}
datasets:
  - {{name: AbAcAd, cyclic: AbAcAd, repeat: 10, vocab: [A, b, c, d]}}
grid:
  cell: [rnn, lstm]
  hidden: 4
  head: {head}
  seed: {seeds}
  lr: 0.1
  epochs: 60
  device: {devices}
"
    )
}

/// Sweeps `yaml` into `dir/out_name` and returns the folder; `code` is the expected exit status.
fn sweep(dir: &Path, out_name: &str, yaml: &str, code: i32) -> PathBuf {
    let exp = write(dir, &format!("{out_name}.yaml"), yaml);
    let out = dir.join(out_name);
    common::sweep(&exp, &out).assert().code(code);
    out
}

type Rows = Vec<HashMap<String, String>>;

fn read_csv(path: &Path) -> Rows {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header.iter().cloned().zip(rec.iter().map(String::from)).collect()
        })
        .collect()
}

/// Run `compare` with the given arguments; returns (exit code, stdout, stderr).
fn compare(args: &[&Path]) -> (i32, String, String) {
    let out = sweeplab().arg("compare").args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The probabilities of one run in states.csv: (position, index) -> value.
fn probs(states: &Rows, run_id: &str) -> BTreeMap<(u32, u32), f32> {
    states
        .iter()
        .filter(|s| s["run_id"] == run_id && s["kind"] == "prob")
        .map(|s| {
            (
                (s["position"].parse().unwrap(), s["index"].parse().unwrap()),
                s["value"].parse().unwrap(),
            )
        })
        .collect()
}

/// compare's table format for a difference.
fn fmt_diff(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else {
        format!("{x:.2e}")
    }
}

/// The whitespace-separated cells of the stdout line that starts with `prefix`.
fn line_cells<'a>(stdout: &'a str, prefix: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with '{prefix}' in:\n{stdout}"));
    line[prefix.len()..].split_whitespace().collect()
}

#[test]
fn compare_pairs_runs_across_devices_and_its_numbers_match_the_csvs() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(dir.path(), "both", &experiment("pairs", "[cpu, ndarray]", "0..3"), 0);
    let csv_path = dir.path().join("compare.csv");
    let assert = sweeplab()
        .arg("compare")
        .arg(&out)
        .arg("--csv")
        .arg(&csv_path)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(assert.get_output().stderr.is_empty());

    let runs = read_csv(&out.join("runs.csv"));
    let states = read_csv(&out.join("states.csv"));
    let by_id: HashMap<&str, &HashMap<String, String>> = runs.iter().map(|r| (r["run_id"].as_str(), r)).collect();
    let pairs = read_csv(&csv_path);
    assert_eq!(pairs.len(), 6, "12 runs on two devices make 6 pairs");

    let (mut max_loss, mut max_prob) = (0.0f64, 0.0f64);
    for p in &pairs {
        let (a, b) = (by_id[p["run_id_a"].as_str()], by_id[p["run_id_b"].as_str()]);
        assert_eq!((a["device"].as_str(), b["device"].as_str()), ("cpu", "ndarray"));
        for key in ["dataset", "cell", "hidden", "lr", "epochs", "head", "init", "seed"] {
            assert_eq!(a[key], b[key], "a pair differs in {key}");
            assert_eq!(p[key], a[key]);
        }
        // Final loss: the difference of the two stored values.
        let (la, lb): (f32, f32) = (a["final_loss"].parse().unwrap(), b["final_loss"].parse().unwrap());
        let loss_diff = (la as f64 - lb as f64).abs();
        assert_eq!(p["final_loss_diff"].parse::<f64>().unwrap(), loss_diff, "{p:?}");
        // Probabilities: the largest difference over every stored (position, symbol).
        let (pa, pb) = (probs(&states, &a["run_id"]), probs(&states, &b["run_id"]));
        assert_eq!(pa.len(), 15 * 4);
        assert_eq!(pa.keys().collect::<Vec<_>>(), pb.keys().collect::<Vec<_>>());
        let prob_diff = pa
            .iter()
            .map(|(k, &x)| (x as f64 - pb[k] as f64).abs())
            .fold(0.0, f64::max);
        assert_eq!(p["max_prob_diff"].parse::<f64>().unwrap(), prob_diff, "{p:?}");
        assert_eq!(p["prob_values"], "60");
        assert_eq!(p["success_a"], a["success"]);
        assert_eq!(p["success_b"], b["success"]);
        assert_eq!(p["success_changed"], (a["success"] != b["success"]).to_string());
        assert_eq!(
            (p["status_a"].as_str(), p["status_b"].as_str(), p["pair"].as_str()),
            ("ok", "ok", "ok")
        );
        max_loss = max_loss.max(loss_diff);
        max_prob = max_prob.max(prob_diff);
    }
    // Two backends, two results: the comparison measures something.
    assert!(max_prob > 0.0, "flex and ndarray gave identical numbers");
    assert!(max_prob < 0.5, "{max_prob}");

    assert!(stdout.starts_with("compare pairs ("), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "largest final-loss difference {}, largest probability difference {}",
            fmt_diff(max_loss),
            fmt_diff(max_prob)
        )),
        "{stdout}"
    );
    assert!(stdout.contains("6 pairs of runs that differ only in the device: 6 with both runs trained"));

    // One line per group: pairs, successes on each device, whether the count changed.
    for cell in ["rnn", "lstm"] {
        let group = format!("AbAcAd {cell}(4) head=none lr=0.1 epochs=60");
        let successes = |device: &str| {
            runs.iter()
                .filter(|r| r["cell"] == cell && r["device"] == device && r["success"] == "true")
                .count()
        };
        let (sa, sb) = (successes("cpu"), successes("ndarray"));
        let cells = line_cells(&stdout, &format!("{group} "));
        assert_eq!(cells[0], "3", "{stdout}");
        assert_eq!(cells[1], format!("{sa}/3"), "{stdout}");
        assert_eq!(cells[2], format!("{sb}/3"), "{stdout}");
        assert_eq!(cells[3], if sa == sb { "no" } else { "yes" }, "{stdout}");
        let group_pairs: Vec<_> = pairs.iter().filter(|p| p["cell"] == cell).collect();
        let max = |col: &str| {
            group_pairs
                .iter()
                .map(|p| p[col].parse::<f64>().unwrap())
                .fold(0.0, f64::max)
        };
        let tail = &cells[cells.len() - 2..];
        assert_eq!(tail, [fmt_diff(max("final_loss_diff")), fmt_diff(max("max_prob_diff"))]);
    }

    // The per-run list starts with the pair of the largest probability difference.
    let top = pairs
        .iter()
        .max_by(|p, q| {
            let v = |r: &HashMap<String, String>| r["max_prob_diff"].parse::<f64>().unwrap();
            v(p).total_cmp(&v(q))
        })
        .unwrap();
    let listing = &stdout[stdout.find("largest differences per run (6 of 6 pairs").expect(&stdout)..];
    let first = listing.lines().nth(2).unwrap();
    assert!(
        first.contains(&top["run_id_a"]) && first.contains(&top["run_id_b"]),
        "{listing}"
    );
}

#[test]
fn two_folders_pair_by_configuration_and_agree_with_one_folder() {
    let dir = tempfile::tempdir().unwrap();
    // A linear head: the runs whose numbers must repeat exactly from one sweep to the next.
    let exp = |devices: &str, seeds: &str| experiment_with_head("pairs", devices, seeds, "linear");
    let both = sweep(dir.path(), "both", &exp("[cpu, ndarray]", "0..3"), 0);
    let a = sweep(dir.path(), "on_cpu", &exp("cpu", "0..3"), 0);
    let b = sweep(dir.path(), "on_ndarray", &exp("ndarray", "0..3"), 0);
    let one_csv = dir.path().join("one.csv");
    let two_csv = dir.path().join("two.csv");
    sweeplab()
        .args([
            "compare".as_ref(),
            both.as_os_str(),
            "--csv".as_ref(),
            one_csv.as_os_str(),
        ])
        .assert()
        .success();
    let assert = sweeplab()
        .args([
            "compare".as_ref(),
            a.as_os_str(),
            b.as_os_str(),
            "--csv".as_ref(),
            two_csv.as_os_str(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("differ only in the results folder"), "{stdout}");
    assert!(
        stdout.contains("successes cpu") && stdout.contains("successes ndarray"),
        "{stdout}"
    );
    // Same runs (same ids: the id is the configuration), trained the same way: the same pairs
    // and numbers as within one folder holding both devices.
    assert_eq!(
        std::fs::read_to_string(&one_csv).unwrap(),
        std::fs::read_to_string(&two_csv).unwrap()
    );

    // A second folder with fewer seeds: the pairs it lacks are listed as missing.
    let fewer = sweep(dir.path(), "fewer", &exp("ndarray", "0..2"), 0);
    let missing_csv = dir.path().join("missing.csv");
    let assert = sweeplab()
        .args([
            "compare".as_ref(),
            a.as_os_str(),
            fewer.as_os_str(),
            "--csv".as_ref(),
            missing_csv.as_os_str(),
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.contains("2 missing on one side"), "{stdout}");
    assert!(
        stdout.contains("ndarray: 2 runs of cpu have no counterpart"),
        "{stdout}"
    );
    let rows = read_csv(&missing_csv);
    let missing: Vec<_> = rows.iter().filter(|r| r["pair"] == "missing_b").collect();
    assert_eq!(missing.len(), 2);
    assert!(missing
        .iter()
        .all(|r| r["seed"] == "2" && r["final_loss_diff"].is_empty()));
}

#[test]
fn failed_device_runs_are_listed_as_failed_pairs() {
    let dir = tempfile::tempdir().unwrap();
    // No machine has a 100th GPU: these runs fail with one line (sweep exit 1), the cpu runs train.
    let out = sweep(
        dir.path(),
        "failing",
        &experiment("failing", "[cpu, \"cuda:99\"]", "0..2"),
        1,
    );
    let csv_path = dir.path().join("c.csv");
    let assert = sweeplab()
        .arg("compare")
        .arg(&out)
        .arg("--csv")
        .arg(&csv_path)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout
            .contains("4 pairs of runs that differ only in the device: 0 with both runs trained, 4 with a failed run"),
        "{stdout}"
    );
    assert!(
        stdout.contains("no pair has both runs trained: nothing to measure"),
        "{stdout}"
    );
    assert!(stdout.contains("cuda:99: 4 runs failed (cuda:99"), "{stdout}");
    let cells = line_cells(&stdout, "AbAcAd lstm(4) head=none lr=0.1 epochs=60 ");
    assert_eq!(&cells[3..7], ["-", "0", "-", "-"], "{stdout}");
    assert!(stdout.contains("2 failed on cuda:99"), "{stdout}");
    let rows = read_csv(&csv_path);
    assert_eq!(rows.len(), 4);
    for r in &rows {
        assert_eq!(
            (r["status_a"].as_str(), r["status_b"].as_str(), r["pair"].as_str()),
            ("ok", "failed", "failed")
        );
        assert!(r["final_loss_diff"].is_empty() && r["max_prob_diff"].is_empty());
        assert!(r["error"].contains("cuda:99"), "{r:?}");
    }
    // The report says the same, and does not fail either.
    sweeplab().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("### cpu vs cuda:99") && md.contains("2 failed on cuda:99"),
        "{md}"
    );
}

#[test]
fn compare_errors_are_one_line_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let cpu = sweep(dir.path(), "on_cpu", &experiment("pairs", "cpu", "0..2"), 0);
    let other = sweep(dir.path(), "other", &experiment("other", "ndarray", "0..2"), 0);
    let one_line = |args: &[&Path], expect: &str| {
        let (code, stdout, stderr) = compare(args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expect), "{stderr}");
    };
    one_line(&[&cpu], "every run is on one device (cpu)");
    one_line(&[&cpu, &other], "hold different experiments ('pairs' and 'other')");
    one_line(&[&dir.path().join("nowhere")], "no such directory");
    one_line(&[&cpu, &dir.path().join("nowhere")], "no such directory");
    one_line(&[&cpu, &cpu], "the same results folder twice");
    // Three folders is a usage error (clap's message).
    let (code, _, _) = compare(&[&cpu, &cpu, &other]);
    assert_eq!(code, 2);
    // An unwritable --csv target is one line too, before anything is printed.
    let both = sweep(dir.path(), "both", &experiment("pairs", "[cpu, ndarray]", "0..2"), 0);
    let out = sweeplab()
        .arg("compare")
        .arg(&both)
        .arg("--csv")
        .arg(dir.path().join("no/such/dir/c.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn report_compares_devices_only_when_there_are_two() {
    let dir = tempfile::tempdir().unwrap();
    let both = sweep(dir.path(), "both", &experiment("pairs", "[cpu, ndarray]", "0..3"), 0);
    let single = sweep(dir.path(), "single", &experiment("pairs", "cpu", "0..3"), 0);
    for out in [&both, &single] {
        sweeplab().arg("report").arg(out).assert().success();
    }
    let md = std::fs::read_to_string(both.join("report.md")).unwrap();
    let html = std::fs::read_to_string(both.join("report.html")).unwrap();
    assert!(
        md.contains("## Devices compared") && md.contains("### cpu vs ndarray"),
        "{md}"
    );
    assert!(
        md.contains("| group | pairs | successes cpu | successes ndarray | changed |"),
        "{md}"
    );
    assert!(html.contains("<h2>Devices compared</h2>") && html.contains("<h3>cpu vs ndarray</h3>"));
    // The section holds the numbers compare prints.
    let (_, stdout, _) = compare(&[&both]);
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("largest final-loss difference"))
        .unwrap();
    assert!(md.contains(&format!("- {summary}")), "{md}\n{stdout}");
    assert!(html.contains(&format!("<li>{summary}</li>")));
    // The section comes right after the results per group.
    assert!(md.find("## Devices compared").unwrap() < md.find("## Training details").unwrap());

    let md = std::fs::read_to_string(single.join("report.md")).unwrap();
    let html = std::fs::read_to_string(single.join("report.html")).unwrap();
    assert!(!md.contains("Devices compared") && !html.contains("Devices compared"));
}
