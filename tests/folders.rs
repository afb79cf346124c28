//! One folder, one experiment, one writer, through the real binary: a folder of another
//! experiment is refused (or replaced on request), a folder in use is refused while its
//! holder lives and free once it died, temporaries of killed writes are cleaned, a sweep's
//! summary counts ok / diverged / failed, a failing worker is reported once, and the memory
//! budget splits launches exactly or refuses a run that cannot fit.

use std::path::Path;
use std::time::Duration;

mod common;
use common::{sweep, sweeplab, write};

const EXP: &str = "name: NAME
datasets:
  - {name: d, cyclic: AbAcAd, repeat: 3}
grid:
  cell: rnn
  hidden: 2
  lr: 0.1
  epochs: EPOCHS
  seed: 0..2
";

fn experiment(dir: &Path, name: &str, epochs: usize) -> std::path::PathBuf {
    let text = EXP.replace("NAME", name).replace("EPOCHS", &epochs.to_string());
    write(dir, &format!("{name}.yaml"), &text)
}

fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let output = cmd.timeout(Duration::from_secs(120)).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_folder_of_another_experiment_is_refused_unless_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (experiment(dir.path(), "alpha", 3), experiment(dir.path(), "beta", 4));
    let out = dir.path().join("out");
    assert_eq!(run(&mut sweep(&a, &out)).0, Some(0));
    let before = read(&out.join("runs.csv"));
    let (code, stderr) = run(&mut sweep(&b, &out));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("'alpha'") && stderr.contains("'beta'"), "{stderr}");
    assert_eq!(read(&out.join("runs.csv")), before);
    assert!(read(&out.join("experiment.yaml")).contains("name: alpha"));

    // merge of two experiments, and merge into another experiment's folder.
    let other = dir.path().join("other");
    assert_eq!(run(&mut sweep(&b, &other)).0, Some(0));
    let (code, stderr) = run(sweeplab().arg("merge").arg(&out).arg(&other));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("'alpha'") && stderr.contains("'beta'"), "{stderr}");
    let (code, stderr) = run(sweeplab().arg("merge").arg(&other).arg("--out").arg(&out));
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(read(&out.join("runs.csv")), before);

    // --replace: the other experiment's results go, beta's come.
    let (code, stderr) = run(sweep(&b, &out).arg("--replace"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(read(&out.join("experiment.yaml")).contains("name: beta"));
    assert_eq!(std::fs::read_dir(out.join("runs")).unwrap().count(), 2);
    assert!(read(&out.join("runs.csv"))
        .lines()
        .skip(1)
        .all(|l| l.contains(",beta,")));

    // A folder holding anything else is not a results folder.
    let notes = dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    write(&notes, "thesis.tex", "keep me");
    let (code, stderr) = run(&mut sweep(&a, &notes));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("holds no sweeplab results"), "{stderr}");
    assert_eq!(read(&notes.join("thesis.tex")), "keep me");
}

#[test]
fn a_folder_in_use_is_refused_and_a_dead_holder_blocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A holder that is gone: its pid is still written in the lock file.
    std::fs::create_dir(&out).unwrap();
    write(&out, ".sweeplab.lock", "pid 999999999 (sweeplab sweep)\n");
    write(&out, ".runs.csv.4242.tmp", "half a table");
    write(&out, ".manifest.json.4242.tmp", "half a manifest");
    std::fs::create_dir(out.join("runs")).unwrap();
    write(&out.join("runs"), ".0123456789abcdef.4242.json.tmp", "half a record");
    let quick = experiment(dir.path(), "slow", 3);
    let (code, stderr) = run(&mut sweep(&quick, &out));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!out.join(".runs.csv.4242.tmp").exists() && !out.join(".manifest.json.4242.tmp").exists());
    assert!(!out.join("runs/.0123456789abcdef.4242.json.tmp").exists());

    // A live holder: a long sweep into the same folder.
    let slow = experiment(dir.path(), "slow", 200_000);
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("sweeplab"))
        .arg("sweep")
        .arg(&slow)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "1"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = first.id();
    let lock = out.join(".sweeplab.lock");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&lock)
        .unwrap_or_default()
        .contains(&format!("pid {pid} "))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sweep never took the lock"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for cmd in [sweep(&slow, &out), {
        let mut c = sweeplab();
        c.arg("plot").arg(&out);
        c
    }] {
        let mut cmd = cmd;
        let (code, stderr) = run(&mut cmd);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("is in use by pid {pid} (sweeplab sweep)")),
            "{stderr}"
        );
    }
    // Cluster tasks share a folder with each other, never with a whole sweep.
    let (code, stderr) = run(sweep(&slow, &out).args(["--shard", "0/2"]));
    assert_eq!(code, Some(2), "{stderr}");
    first.kill().unwrap();
    first.wait().unwrap();
    // Killed: the kernel dropped its lock.
    let (code, stderr) = run(sweeplab().arg("plot").arg(&out));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn the_summary_counts_diverged_runs_and_a_worker_error_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "wild.yaml",
        &EXP.replace("NAME", "wild")
            .replace("EPOCHS", "30")
            .replace("lr: 0.1", "lr: 1.0e38"),
    );
    let out = dir.path().join("out");
    let (code, stderr) = run(&mut sweep(&exp, &out));
    assert_eq!(code, Some(0), "{stderr}");
    let last = stderr.lines().last().unwrap();
    assert!(
        last.ends_with("0 ok (0 at 100% accuracy), 2 diverged, 0 failed"),
        "{stderr}"
    );

    // A run whose record cannot be written (a folder sits at its path): every worker's
    // error is one line, said once, and the parent does not retry.
    let exp = experiment(dir.path(), "stuck", 3);
    let out = dir.path().join("stuck");
    let plan = sweeplab().arg("plan").arg(&exp).output().unwrap();
    let listing = String::from_utf8_lossy(&plan.stdout).into_owned();
    let ids: Vec<&str> = listing
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    for id in &ids {
        std::fs::create_dir_all(out.join("runs").join(format!("{id}.json"))).unwrap();
    }
    let exp2 = write(
        dir.path(),
        "stuck.yaml",
        &read(&exp).replace("cell: rnn", "cell: [rnn, lstm]"),
    );
    let (code, stderr) = run(sweep(&exp2, &out).args(["--jobs", "2"]));
    assert_eq!(code, Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("cannot write the run record"), "{stderr}");
    assert!(!stderr.contains("did not finish"), "{stderr}");
}

#[test]
fn the_memory_budget_splits_launches_exactly_and_refuses_what_cannot_fit() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "mem.yaml",
        "name: mem\ndatasets:\n  - {name: d, cyclic: abcabC, repeat: 4}\n\
         grid:\n  cell: lstm\n  hidden: 16\n  lr: 0.05\n  epochs: 20\n  seed: 0..6\n",
    );
    let whole = dir.path().join("whole");
    let split = dir.path().join("split");
    assert_eq!(run(sweep(&exp, &whole).env_remove("SWEEPLAB_MEMORY_LIMIT")).0, Some(0));
    // One LSTM(16) replica on 23 steps is estimated at 70 KiB: 80% of 150K holds one at a time.
    let (code, stderr) = run(sweep(&exp, &split)
        .args(["--jobs", "1"])
        .env("SWEEPLAB_MEMORY_LIMIT", "150K"));
    assert_eq!(code, Some(0), "{stderr}");
    let without_time = |dir: &Path| -> Vec<String> {
        let text = read(&dir.join("runs.csv"));
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let t = header.iter().position(|h| *h == "train_seconds").unwrap();
        text.lines()
            .map(|l| {
                l.split(',')
                    .enumerate()
                    .filter(|(i, _)| *i != t)
                    .map(|(_, c)| c)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert_eq!(without_time(&whole), without_time(&split));
    assert_eq!(read(&whole.join("curves.csv")), read(&split.join("curves.csv")));

    let tiny = dir.path().join("tiny");
    let (code, stderr) = run(sweep(&exp, &tiny)
        .args(["--jobs", "1"])
        .env("SWEEPLAB_MEMORY_LIMIT", "10K"));
    assert_eq!(code, Some(1), "{stderr}");
    let runs = read(&tiny.join("runs.csv"));
    assert!(
        runs.contains("needs about 70 KiB") && runs.contains("more than the 8 KiB"),
        "{runs}"
    );
    assert!(
        stderr.contains("0 ok (0 at 100% accuracy), 0 diverged, 6 failed"),
        "{stderr}"
    );

    let (code, stderr) = run(sweep(&exp, &tiny).env("SWEEPLAB_MEMORY_LIMIT", "lots"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SWEEPLAB_MEMORY_LIMIT=lots"), "{stderr}");
}
