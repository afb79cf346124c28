//! Hostile and careless input through the real binary: names that would inject into generated
//! scripts, files that never end (FIFOs, devices), deep YAML, absurd sizes, edited tables.
//! Every case must end quickly with exit 2 and one `error:` line, never a panic or a hang.

use std::path::Path;
use std::time::Duration;

mod common;
use common::{sweep, sweeplab, write};

const TINY: &str = "name: tiny
datasets:
  - {name: d, cyclic: AbAcAd, repeat: 3}
grid:
  cell: rnn
  hidden: 2
  lr: 0.1
  epochs: 3
  seed: 0..2
";

/// Runs `cmd` (bounded in time: a hang fails the test) and returns its exit code and stderr.
fn run(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let output = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Exit 2 with exactly one line, an `error:` line containing `needle`.
fn assert_one_error(result: (Option<i32>, String), needle: &str) {
    let (code, stderr) = result;
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: ") && stderr.contains(needle), "{stderr}");
}

#[test]
fn names_that_a_shell_or_a_file_system_treats_specially_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, why) in [
        ("\"x\\n#!/bin/sh\\ntouch pwned\"", "contains '\\n'"),
        ("\"$(touch pwned)\"", "contains '$'"),
        ("\"a b\"", "contains ' '"),
        ("\"../up\"", "contains '/'"),
        ("\".hidden\"", "must start with a letter or a digit"),
        ("\"-rf\"", "must start with a letter or a digit"),
    ] {
        let exp = write(
            dir.path(),
            "e.yaml",
            &TINY.replace("name: tiny", &format!("name: {name}")),
        );
        assert_one_error(run(sweeplab().arg("plan").arg(&exp)), why);
        assert_one_error(run(sweeplab().arg("plan").arg(&exp)), "e.yaml:1: name: name");
    }
    let exp = write(
        dir.path(),
        "e.yaml",
        &TINY.replace("{name: d,", "{name: \"d\\nrm -rf /\","),
    );
    assert_one_error(run(sweeplab().arg("plan").arg(&exp)), "control character");
    assert!(!dir.path().join("pwned").exists());
}

/// The generated scripts run for real (a fake `sbatch` runs each job script with bash) from an
/// experiment whose path holds quotes, `$(...)` and spaces: nothing but sweeplab runs.
#[test]
fn generated_slurm_scripts_run_exactly_what_they_say() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = dir.path();
    let tricky = sandbox.join("it's $(touch pwned) `touch pwned2`; x");
    std::fs::create_dir(&tricky).unwrap();
    let exp = write(&tricky, "e.yaml", TINY);
    let out = sandbox.join("out");
    let bin = sandbox.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = write(
        &bin,
        "sbatch",
        "#!/bin/bash\n# The last argument is the job script: run it as its one task.\n\
         script=\"${@: -1}\"\nSLURM_ARRAY_TASK_ID=0 bash \"$script\" >/dev/null 2>&1 || exit 1\necho 1\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, stderr) = run(sweeplab()
        .current_dir(sandbox)
        .arg("slurm")
        .arg(&exp)
        .args(["--tasks", "1", "--out"])
        .arg(&out));
    assert_eq!(code, Some(0), "{stderr}");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let status = std::process::Command::new("bash")
        .arg(out.join("slurm/submit.sh"))
        .current_dir(sandbox)
        .env("PATH", path)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(!sandbox.join("pwned").exists() && !sandbox.join("pwned2").exists());
    assert!(!tricky.join("pwned").exists());
    // The one task trained both runs and the merge job assembled the table.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 3, "{runs}");

    // What cannot be quoted in an #SBATCH line is refused, not written.
    for (flag, value) in [("--partition", "gpu\n#SBATCH --wrap=x"), ("--time", "1:00 --x")] {
        let (code, stderr) = run(sweeplab()
            .arg("slurm")
            .arg(&exp)
            .arg(flag)
            .arg(value)
            .arg("--out")
            .arg(&out));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("#SBATCH"), "{stderr}");
    }
    let spaced = sandbox.join("a b%j");
    let (code, stderr) = run(sweeplab().arg("slurm").arg(&exp).arg("--out").arg(&spaced));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("#SBATCH --output"), "{stderr}");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn fifos_devices_and_folders_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    assert_one_error(run(sweeplab().arg("plan").arg(&fifo)), "not a regular file");
    assert_one_error(run(sweeplab().arg("plan").arg(dir.path())), "it is a folder");
    for (field, target) in [
        ("file: fifo", "not a regular file"),
        ("file: /dev/zero", "not a regular file"),
    ] {
        let text = TINY.replace("cyclic: AbAcAd, repeat: 3", field);
        let exp = write(dir.path(), "e.yaml", &text);
        assert_one_error(run(sweeplab().arg("plan").arg(&exp)), target);
    }
    let exp = write(
        dir.path(),
        "e.yaml",
        &format!("{TINY}  init: {{file: fifo}}\n").replace("seed: 0..2", "seed: 0"),
    );
    assert_one_error(run(sweeplab().arg("plan").arg(&exp)), "not a regular file");

    // A FIFO in place of a record: skipped (its run trains), never read.
    let exp = write(dir.path(), "e.yaml", TINY);
    let out = dir.path().join("out");
    let (code, stderr) = run(sweep(&exp, &out).args(["--jobs", "1"]));
    assert_eq!(code, Some(0), "{stderr}");
    let record = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&record).unwrap();
    mkfifo(&record);
    let (code, stderr) = run(sweep(&exp, &out).args(["--jobs", "1"]));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn deeply_nested_yaml_fails_fast_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("name: x\ngrid:\n  hidden: {}\n", "[".repeat(200_000));
    let exp = write(dir.path(), "deep.yaml", &deep);
    assert_one_error(
        run(sweeplab().arg("plan").arg(&exp)),
        "deep.yaml:3: nested more than 64 levels deep",
    );
    let dashes = format!("name: x\ngrid:\n  hidden:\n    {}1\n", "- ".repeat(100_000));
    let exp = write(dir.path(), "dashes.yaml", &dashes);
    assert_one_error(run(sweeplab().arg("plan").arg(&exp)), "dashes.yaml:4: nested");
}

/// Sizes are counted before anything is allocated: under a 2 GB address-space limit the
/// planner refuses each of these with a located error (before, each aborted or panicked).
#[test]
fn absurd_sizes_are_refused_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let limited = |exp: &Path, extra: &str| {
        let mut cmd = assert_cmd::Command::new("sh");
        cmd.arg("-c")
            .arg(format!("ulimit -v 2000000 && exec \"$0\" plan \"$1\" {extra}"))
            .arg(assert_cmd::cargo::cargo_bin("sweeplab"))
            .arg(exp);
        run(&mut cmd)
    };
    for (from, to, needle) in [
        (
            "seed: 0..2",
            "seed: 0..1000000000000",
            "e.yaml:9: grid.seed: 1000000000000 seeds",
        ),
        (
            "seed: 0..2",
            "seed: [0..600000, 600000..1200000]",
            "grid.seed[1]: 1200000 seeds",
        ),
        ("repeat: 3", "repeat: 4611686018427387904", "repeat"),
        (
            "hidden: 2",
            "hidden: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  lr: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]",
            "more than 1000000 runs (10 hidden x 10 lr x 1000000 seed)",
        ),
        (
            "epochs: 3",
            "epochs: 100000000000",
            "epochs must be an integer from 1 to 10000000",
        ),
    ] {
        let text = TINY.replace(from, to);
        let text = if needle.starts_with("more than") {
            text.replace("  lr: 0.1\n", "")
                .replace("seed: 0..2", "seed: 0..1000000")
        } else {
            text
        };
        let exp = write(dir.path(), "e.yaml", &text);
        assert_one_error(limited(&exp, ""), needle);
    }
    let exp = write(dir.path(), "e.yaml", TINY);
    let out = dir.path().join("out");
    assert_one_error(run(sweep(&exp, &out).args(["--shard", "0/1000000000000"])), "--shard");
    let (code, stderr) = run(sweeplab()
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "1000000000000", "--index", "0"]));
    assert_eq!(code, Some(2), "{stderr}");
    let max = usize::MAX.to_string();
    assert_one_error(
        run(sweeplab()
            .arg("run-task")
            .arg(&exp)
            .args(["--tasks", "4", "--index", "2", "--offset", &max])),
        "is not below --tasks 4",
    );
}

/// One edited line in a table with an absurd epoch or position gives a located error, not a
/// multi-terabyte allocation; a duplicated row is caught; a ragged row is said in words.
#[test]
fn edited_tables_give_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "e.yaml", TINY);
    let out = dir.path().join("out");
    let (code, stderr) = run(&mut sweep(&exp, &out));
    assert_eq!(code, Some(0), "{stderr}");
    let edit = |name: &str, f: &dyn Fn(&str) -> String| {
        let path = out.join(name);
        let original = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, f(&original)).unwrap();
        original
    };
    let second_line = |t: &str| t.lines().nth(1).unwrap().to_string();

    let curves = edit("curves.csv", &|t| {
        let line = second_line(t);
        let mut cells: Vec<&str> = line.split(',').collect();
        let epoch = cells.iter().position(|c| *c == "1").unwrap();
        cells[epoch] = "1000000000000";
        t.replacen(&line, &cells.join(","), 1)
    });
    assert_one_error(
        run(sweeplab().arg("plot").arg(&out)),
        "curves.csv:2: epoch: epoch 1000000000000 is outside",
    );
    std::fs::write(out.join("curves.csv"), curves).unwrap();

    let states = edit("states.csv", &|t| {
        let line = second_line(t);
        let cells: Vec<&str> = line.splitn(3, ',').collect();
        t.replacen(&line, &format!("{},1000000000000,{}", cells[0], cells[2]), 1)
    });
    assert_one_error(
        run(sweeplab().arg("plot").arg(&out)),
        "states.csv:2: position: position 1000000000000",
    );
    std::fs::write(out.join("states.csv"), states).unwrap();

    let runs = edit("runs.csv", &|t| {
        let header: Vec<&str> = t.lines().next().unwrap().split(',').collect();
        let hidden = header.iter().position(|h| *h == "hidden").unwrap();
        let line = second_line(t);
        let mut cells: Vec<&str> = line.split(',').collect();
        cells[hidden] = "1000000000000";
        t.replacen(&line, &cells.join(","), 1)
    });
    assert_one_error(
        run(sweeplab().arg("plot").arg(&out)),
        "runs.csv:2: hidden: 1000000000000 is more than",
    );
    std::fs::write(out.join("runs.csv"), &runs).unwrap();
    edit("runs.csv", &|t| format!("{t}{}\n", second_line(t)));
    assert_one_error(run(sweeplab().arg("report").arg(&out)), "runs.csv:4: run_id: run");
    assert_one_error(run(sweeplab().arg("report").arg(&out)), "is listed twice");
    std::fs::write(out.join("runs.csv"), &runs).unwrap();
    edit("runs.csv", &|t| format!("{t}a,b\n"));
    assert_one_error(
        run(sweeplab().arg("report").arg(&out)),
        "this row has 2 fields, the header has",
    );
    std::fs::write(out.join("runs.csv"), runs).unwrap();
    let (code, stderr) = run(sweeplab().arg("report").arg(&out));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_list_of_lists_is_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "e.yaml",
        &TINY.replace("hidden: 2", "hidden: [[1, 2], [3]]"),
    );
    assert_one_error(
        run(sweeplab().arg("plan").arg(&exp)),
        "e.yaml:6: grid.hidden[0]: hidden size must be an integer from 1 to 4096, got [1,2]",
    );
}
