//! Cluster pieces: shards partition the plan, `run-task` takes its index from the environment,
//! the sbatch scripts respect the cluster's limits, and `merge` is idempotent and reports
//! missing runs. (The real Slurm round trip is tests/slurm/run.sh.)

use std::path::Path;
use sweeplab::cluster::slurm;
use sweeplab::plan;
use sweeplab::schedule::{LocalWorkers, Shard};
use sweeplab::spec::ExperimentFile;

mod common;
use common::{sweep, sweep_ok, sweeplab, write};

const EXP: &str = "name: c
datasets:
  - {name: a, cyclic: AbAcAd, repeat: 6}
  - {name: b, cyclic: abcabC, repeat: 20}
grid: {cell: [rnn, lstm, gru], hidden: [2, 3, 5], seed: 0..3, lr: 0.1, epochs: 8}
exclude: [{cell: gru, hidden: 5}]
";

#[test]
fn shards_cover_every_run_exactly_once_in_blocks_of_one_group() {
    let file = ExperimentFile::from_source(Path::new("c.yaml"), EXP.into()).unwrap();
    let plan = plan::build(&file).unwrap();
    assert_eq!(plan.groups.len(), 16);
    for n in 1..=20 {
        let mut seen = vec![0usize; plan.runs.len()];
        for i in 0..n {
            for block in (Shard { index: i, count: n }).blocks(&plan) {
                assert!(!block.runs.is_empty(), "N={n}: empty block");
                for &r in &block.runs {
                    assert!(
                        plan.groups[block.group].runs.contains(&r),
                        "N={n}: run {r} outside its group"
                    );
                    seen[r] += 1;
                }
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "N={n}: {seen:?}");
    }
    // One shard trains every group whole.
    let whole = (Shard { index: 0, count: 1 }).blocks(&plan);
    assert_eq!(whole.len(), plan.groups.len());
    // Balanced: with 4 shards every shard gets work.
    assert!((0..4).all(|i| !(Shard { index: i, count: 4 }).blocks(&plan).is_empty()));
    // A plan of one big group is cut into blocks so that two shards both work.
    let one = ExperimentFile::from_source(
        Path::new("one.yaml"),
        "name: one\ndatasets: [{name: a, cyclic: AbAcAd, repeat: 6}]\ngrid: {cell: lstm, hidden: 4, seed: 0..25, lr: 0.1, epochs: 2}\n".into(),
    )
    .unwrap();
    let plan = plan::build(&one).unwrap();
    let sizes: Vec<usize> = (0..2)
        .map(|i| {
            (Shard { index: i, count: 2 })
                .blocks(&plan)
                .iter()
                .map(|b| b.runs.len())
                .sum()
        })
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 25);
    assert!(sizes.iter().all(|&s| (12..=13).contains(&s)), "{sizes:?}");
    assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err() && Shard::parse("0/0").is_err());
    assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
}

/// GPU groups are never cut. On a cluster (every task has its own GPU) they are dealt out like
/// the rest. Among `--jobs N` workers on one machine, N workers share the CPU work and one more
/// trains every group of `cuda:0`. Groups off the fused path (memoryless, `head: none`) stay
/// whole: their cost is per operation.
#[test]
fn gpu_groups_stay_whole_and_get_a_local_worker_of_their_own() {
    let file = ExperimentFile::from_source(
        Path::new("g.yaml"),
        "name: g\ndatasets: [{name: a, cyclic: AbAcAd, repeat: 6}]\ngrid: {cell: [rnn, memoryless], hidden: [2, 3, 4, 5], seed: 0..25, lr: 0.1, epochs: 2, device: [cuda, cpu]}\nexclude: [{cell: memoryless, device: cuda}]\n".into(),
    )
    .unwrap();
    let plan = plan::build(&file).unwrap();
    let on_cuda = |g: usize| plan.groups[g].device != sweeplab::spec::DeviceSpec::Cpu;
    let uncut = |g: usize| on_cuda(g) || plan.groups[g].cell == sweeplab::spec::CellKind::Memoryless;
    for jobs in [1, 2, 3] {
        let workers = LocalWorkers::new(&plan, jobs);
        assert_eq!(
            workers,
            LocalWorkers {
                cpu: jobs,
                gpus: vec![0]
            }
        );
        let shards = workers.count();
        let of = |i: usize| Shard {
            index: i,
            count: shards,
        };
        let cluster: Vec<Vec<_>> = (0..shards).map(|i| of(i).blocks(&plan)).collect();
        let local: Vec<Vec<_>> = (0..shards).map(|i| of(i).local_blocks(&plan)).collect();
        for blocks in [&cluster, &local] {
            for b in blocks.iter().flatten().filter(|b| uncut(b.group)) {
                assert_eq!(b.runs, plan.groups[b.group].runs, "a whole group");
            }
            let mut runs: Vec<usize> = blocks.iter().flatten().flat_map(|b| b.runs.clone()).collect();
            runs.sort();
            assert_eq!(runs, (0..plan.runs.len()).collect::<Vec<_>>(), "every run once");
        }
        if shards > 2 {
            let gpu_shards = (0..shards)
                .filter(|&i| cluster[i].iter().any(|b| on_cuda(b.group)))
                .count();
            assert!(gpu_shards > 1, "cluster tasks share the GPU groups");
        }
        let (cpu, gpu) = local.split_at(jobs);
        assert!(
            gpu[0].iter().all(|b| on_cuda(b.group)),
            "the GPU worker trains GPU groups only"
        );
        assert_eq!(gpu[0].len(), 4, "all four GPU groups");
        for blocks in cpu {
            assert!(!blocks.is_empty(), "every CPU worker has CPU work");
            assert!(blocks.iter().all(|b| !on_cuda(b.group)), "and only CPU work");
        }
    }
}

/// Two GPUs get a worker each, in device order after the CPU workers; a plan with GPU work
/// only has no CPU worker.
#[test]
fn each_gpu_gets_one_local_worker() {
    let plan_of = |devices: &str| {
        let text = format!("name: g\ndatasets: [{{name: a, cyclic: AbAcAd, repeat: 6}}]\ngrid: {{cell: rnn, hidden: [2, 3], seed: 0..5, lr: 0.1, epochs: 2, device: {devices}}}\n");
        plan::build(&ExperimentFile::from_source(Path::new("g.yaml"), text).unwrap()).unwrap()
    };
    let plan = plan_of("[\"cuda:1\", cpu, \"cuda:0\"]");
    let workers = LocalWorkers::new(&plan, 2);
    assert_eq!(
        workers,
        LocalWorkers {
            cpu: 2,
            gpus: vec![0, 1]
        }
    );
    let count = workers.count();
    let devices = |i: usize| -> Vec<String> {
        let blocks = Shard { index: i, count }.local_blocks(&plan);
        let mut d: Vec<String> = blocks.iter().map(|b| plan.groups[b.group].device.to_string()).collect();
        d.dedup();
        d
    };
    assert_eq!(devices(0), ["cpu"]);
    assert_eq!(devices(1), ["cpu"]);
    assert_eq!(devices(2), ["cuda:0"]);
    assert_eq!(devices(3), ["cuda:1"]);

    let gpu_only = plan_of("\"cuda:0\"");
    assert_eq!(LocalWorkers::new(&gpu_only, 4), LocalWorkers { cpu: 0, gpus: vec![0] });
    assert_eq!(sweeplab::sweep::worker_count(&gpu_only, 4), 1, "trains in-process");
}

/// One group cut into blocks over two workers still reads as one group: one start line, one
/// summary line (from the records of all its runs), between the sweep's start and end lines.
#[test]
fn a_group_cut_over_workers_reports_once() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "one.yaml",
        "name: one\ndatasets: [{name: d, cyclic: AbAcAd, repeat: 5}]\ngrid: {cell: rnn, hidden: 3, seed: 0..12, lr: 0.1, epochs: 30}\n",
    );
    let stderr = sweep_ok(&exp, &dir.path().join("out"), 2);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(lines[0].starts_with("sweep one: 12 runs in 1 groups"), "{stderr}");
    assert!(
        lines[1].contains(": [1/1] training d rnn(3) head=linear lr=0.1 epochs=30 on cpu (12 runs)"),
        "{stderr}"
    );
    assert!(
        lines[2].contains(": [1/1] done in ") && lines[2].contains("/12 succeeded"),
        "{stderr}"
    );
    // Two workers shared the group (it was cut into blocks).
    assert!(lines[1].starts_with("worker ") && lines[1].contains("/2: "), "{stderr}");
    assert!(lines[3].starts_with("finished: 12 runs (12 trained now"), "{stderr}");
}

fn strip_time(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<String> = text
        .lines()
        .map(|l| l.split(',').take(14).collect::<Vec<_>>().join(","))
        .collect();
    rows.sort();
    rows
}

#[test]
fn run_task_shards_merge_into_the_local_sweep_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "c.yaml", EXP);
    let (local, shared) = (dir.path().join("local"), dir.path().join("shared"));
    sweep(&exp, &local).assert().success();
    let plan_file = dir.path().join("plan.jsonl");
    sweeplab()
        .arg("plan")
        .arg(&exp)
        .arg("--write")
        .arg(&plan_file)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&plan_file).unwrap().lines().count(), 48);

    // Three of five tasks, index from the Slurm and the Kubernetes variables.
    for (var, index) in [
        ("SLURM_ARRAY_TASK_ID", "0"),
        ("JOB_COMPLETION_INDEX", "2"),
        ("SLURM_ARRAY_TASK_ID", "3"),
    ] {
        sweeplab()
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(var, index)
            .arg("run-task")
            .arg(&exp)
            .args(["--tasks", "5", "--plan"])
            .arg(&plan_file)
            .arg("--out")
            .arg(&shared)
            .assert()
            .success();
    }
    // Incomplete: merge names the missing runs and exits 3.
    let output = sweeplab().arg("merge").arg(&shared).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("missing: run "), "{stderr}");
    // The rest, the second with an offset (chunked arrays); then a finished task returns at once.
    sweeplab()
        .env("SLURM_ARRAY_TASK_ID", "1")
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "5", "--out"])
        .arg(&shared)
        .assert()
        .success();
    sweeplab()
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "5", "--index", "0", "--offset", "4", "--out"])
        .arg(&shared)
        .assert()
        .success();
    let again = sweeplab()
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "5", "--index", "4", "--out"])
        .arg(&shared)
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("(0 trained now"));

    sweeplab().arg("merge").arg(&shared).assert().success();
    assert_eq!(
        strip_time(&shared.join("runs.csv")),
        strip_time(&local.join("runs.csv"))
    );
    for f in ["curves.csv", "states.csv"] {
        assert_eq!(
            std::fs::read(shared.join(f)).unwrap(),
            std::fs::read(local.join(f)).unwrap(),
            "{f}"
        );
    }
    // Idempotent: merging again changes nothing, and merging into a new folder gives the same.
    let before: Vec<Vec<u8>> = ["runs.csv", "curves.csv", "states.csv"]
        .iter()
        .map(|f| std::fs::read(shared.join(f)).unwrap())
        .collect();
    sweeplab().arg("merge").arg(&shared).assert().success();
    let merged = dir.path().join("merged");
    sweeplab()
        .arg("merge")
        .arg(&shared)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for (i, f) in ["runs.csv", "curves.csv", "states.csv"].iter().enumerate() {
        assert_eq!(std::fs::read(shared.join(f)).unwrap(), before[i], "{f}");
        assert_eq!(std::fs::read(merged.join(f)).unwrap(), before[i], "{f}");
    }

    // A plan file that no longer matches the experiment: configuration error, no training.
    write(
        dir.path(),
        "c.yaml",
        &EXP.replace("hidden: [2, 3, 5]", "hidden: [2, 3]"),
    );
    let output = sweeplab()
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "5", "--index", "0", "--plan"])
        .arg(&plan_file)
        .arg("--out")
        .arg(&shared)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not match the experiment"));
    // No index anywhere: configuration error.
    let output = sweeplab()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .arg("run-task")
        .arg(&exp)
        .args(["--tasks", "5"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn sbatch_scripts_respect_max_array_size_and_throttle() {
    assert_eq!(slurm::chunks(2500, 1001), vec![(0, 1001), (1001, 1001), (2002, 498)]);
    assert_eq!(slurm::chunks(3, 1001), vec![(0, 3)]);
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "c.yaml", EXP);
    let out = dir.path().join("res");
    let listing = sweeplab()
        .arg("slurm")
        .arg(&exp)
        .args([
            "--tasks",
            "7",
            "--max-parallel",
            "2",
            "--max-array-size",
            "3",
            "--partition",
            "short",
            "--time",
            "00:05:00",
            "--cpus-per-task",
            "2",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(listing.status.success());
    let s = out.join("slurm");
    let arrays: Vec<String> = (0..3)
        .map(|c| std::fs::read_to_string(s.join(format!("array-{c}.sbatch"))).unwrap())
        .collect();
    assert!(!s.join("array-3.sbatch").exists());
    for (c, (script, (offset, last))) in arrays.iter().zip([(0, 2), (3, 2), (6, 0)]).enumerate() {
        assert!(
            script.contains(&format!("#SBATCH --array=0-{last}%2\n")),
            "array {c}: {script}"
        );
        assert!(
            script.contains(&format!("--tasks 7 --offset {offset} ")),
            "array {c}: {script}"
        );
        for line in [
            "#SBATCH --partition=short\n",
            "#SBATCH --time=00:05:00\n",
            "#SBATCH --cpus-per-task=2\n",
        ] {
            assert!(script.contains(line), "{script}");
        }
        let last_index: usize = script
            .split("--array=0-")
            .nth(1)
            .unwrap()
            .split('%')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(last_index < 3, "array indices must stay below MaxArraySize");
    }
    let submit = std::fs::read_to_string(s.join("submit.sh")).unwrap();
    let mkdir = submit.find("mkdir -p").unwrap();
    assert!(
        mkdir < submit.find("sbatch").unwrap(),
        "the log folder must exist before submission"
    );
    assert!(submit.contains("--dependency=afterany:"), "{submit}");
    assert_eq!(submit.matches("sbatch --parsable").count(), 4);
    let merge = std::fs::read_to_string(s.join("merge.sbatch")).unwrap();
    assert!(merge.contains(" merge "), "{merge}");
}

#[test]
fn jobs_train_in_worker_processes_with_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "c.yaml", EXP);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    sweep(&exp, &one).assert().success();
    let output = sweep(&exp, &two).args(["--jobs", "3"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // Three workers took the groups and the sweep relayed their progress under one start and
    // one end line; the final pass found everything done and counts it as trained now.
    assert_eq!(stderr.matches("-> ").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("finished: ").count(), 1, "{stderr}");
    for worker in 1..=3 {
        assert!(stderr.contains(&format!("worker {worker}/3: [")), "{stderr}");
    }
    assert!(!stderr.contains("already finished"), "{stderr}");
    assert!(
        stderr.trim_end().lines().last().unwrap().contains("(48 trained now"),
        "{stderr}"
    );
    assert_eq!(strip_time(&two.join("runs.csv")), strip_time(&one.join("runs.csv")));
    for f in ["curves.csv", "states.csv"] {
        assert_eq!(
            std::fs::read(two.join(f)).unwrap(),
            std::fs::read(one.join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(
        sweeplab()
            .arg("sweep")
            .arg(&exp)
            .args(["--jobs", "0"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}
