//! `just bench`: how fast sweeplab trains its sweeps on this machine, against a lower bound.
//!
//! Measures and prints, in one run:
//! - W1 = `experiments/hidden_nodes.yaml` (75 runs) end to end through the real binary: wall
//!   time and peak memory (the sweep's own `peak_rss_mb` in manifest.json);
//! - the same training work with a minimal hand-written BPTT in plain Rust, single-threaded
//!   (the lower bound), and the ratio W1 / lower bound;
//! - the fused recurrence against the op-by-op reference (same library training function);
//! - scaling: 25, 100 and 1000 replicas of one group, the LSTM grid `rnn_vs_lstm.yaml`
//!   (abcabC, 500 epochs) end to end, and the same grid with 1 and 2 layers (`depth.yaml`);
//! - packing: four groups on the op-by-op path (CUDA's) as four launches and as one;
//! - char-rnn: LSTM 128 x 2 on a 200 KB text, bptt 50, batch 16, one epoch (chars/s, peak
//!   memory; half the text and all of it). `BENCH_ONLY=char_rnn` runs this line alone.
//!
//! Every figure is the best of a few repetitions (the minimum is the least disturbed by other
//! work on the machine). Nothing here asserts a time: this prints measurements.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use sweeplab::data::Dataset;
use sweeplab::model::Kernel;
use sweeplab::spec::CellKind;

// The integration tests' helpers (datasets, one-group training).
#[path = "char_rnn/mod.rs"]
mod char_rnn;
#[path = "../tests/common/mod.rs"]
mod common;
use common::cyclic;

const W1_HIDDEN: [usize; 3] = [2, 3, 4];
const W1_SEEDS: u64 = 25;
const W1_EPOCHS: usize = 200;
const LR: f32 = 0.1;
const PACK_EPOCHS: usize = 50;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_sweeplab"));
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    println!("sweeplab speed benchmark ({} logical CPUs, best of {reps})", cpus());
    println!();
    let out = std::env::temp_dir().join(format!("sweeplab-bench-{}", std::process::id()));
    if std::env::var("BENCH_ONLY").as_deref() != Ok("char_rnn") {
        grids(&root, &bin, &out, reps);
    }
    char_rnn_line(&root, &bin, &out);
    let _ = std::fs::remove_dir_all(&out);
}

/// The char-rnn line: chars/s and peak memory on half the text and on all of it (one
/// repetition each: a run takes tens of seconds).
fn char_rnn_line(root: &Path, bin: &Path, out: &Path) {
    println!();
    println!(
        "char-rnn: {} (LSTM 128 x 2 layers, one-hot, bptt 50, batch 16, 1 epoch, --jobs 1)",
        char_rnn::TEXT
    );
    let mut peaks = Vec::new();
    for fraction in [0.5, 1.0] {
        let m = char_rnn::measure(bin, root, &out.join("char_rnn"), fraction);
        println!(
            "  {:>7} characters  {:>8.2} s  {:>8.0} chars/s  peak {:.0} MB  final loss {:.4}",
            m.positions + 1,
            m.train_seconds,
            m.chars_per_second(),
            m.peak_mb,
            m.final_loss
        );
        peaks.push(m.peak_mb);
    }
    println!(
        "  peak memory, whole text / half text  {:.2}  (bounded by the window: about 1)",
        peaks[1] / peaks[0]
    );
}

/// Everything but the char-rnn line: W1, the lower bound, scaling, packing, optimisers, grids.
fn grids(root: &Path, bin: &Path, out: &Path, reps: usize) {
    let data = cyclic("AbAcAd", 50);

    // Lower bound: the W1 training work, hand-written, one core.
    let lower = best(reps, || {
        for h in W1_HIDDEN {
            let losses = lower_bound::train(&data, h, W1_SEEDS as usize, W1_EPOCHS);
            std::hint::black_box(losses);
        }
    });
    println!("lower bound   W1 training work, hand-written BPTT, 1 thread   {lower:>8.3} s");

    // Fused vs op-by-op: W1's three groups through the library's training function.
    let fused = best(reps, || w1_in_library(&data, Kernel::Fused));
    let op_by_op = best(1, || w1_in_library(&data, Kernel::OpByOp));
    println!("library       W1 training, fused recurrence                  {fused:>8.3} s");
    println!("library       W1 training, op-by-op reference                {op_by_op:>8.3} s");

    // End to end through the binary.
    let hidden_nodes = root.join("experiments/hidden_nodes.yaml");
    let w1_one = end_to_end(bin, &hidden_nodes, &out.join("w1"), reps, Some(1));
    println!(
        "end to end    W1 = hidden_nodes.yaml, 75 runs, --jobs 1      {:>8.3} s   peak {:.0} MB",
        w1_one.0, w1_one.1
    );
    let w1 = end_to_end(bin, &hidden_nodes, &out.join("w1"), reps, None);
    println!(
        "end to end    W1 = hidden_nodes.yaml, 75 runs, --jobs {}      {:>8.3} s   peak {:.0} MB per process",
        cpus(),
        w1.0,
        w1.1
    );
    // What is not training: a sweep of a finished folder skips every run and only assembles
    // (reads 75 records, writes runs.csv, curves.csv, states.csv, figures, manifest); `plot`
    // draws the figures alone.
    let assemble = best(reps, || {
        run_ok(bin, &["sweep", path(&hidden_nodes), "--out", path(&out.join("w1"))])
    });
    let plot = best(reps, || run_ok(bin, &["plot", path(&out.join("w1"))]));
    println!("not training  W1 assembly (records -> CSVs, figures, manifest) {assemble:>8.3} s   of which figures {plot:.3} s");
    println!();
    println!(
        "W1 / lower bound            {:>6.2}   (target <= 2; --jobs 1: {:.2})",
        w1.0 / lower,
        w1_one.0 / lower
    );
    println!("W1 training / lower bound   {:>6.2}", fused / lower);
    println!("op-by-op / fused            {:>6.1}x", op_by_op / fused);
    println!(
        "W1 end to end               {:>6.3} s (target <= 1 s), peak memory {:.0} MB (target < 200 MB)",
        w1.0, w1.1
    );
    println!();

    // Scaling with the number of replicas (one group, RNN(4), 200 epochs).
    println!("scaling: RNN(4) on AbAcAd x50, 200 epochs, fused");
    for r in [25usize, 100, 1000] {
        let t = best(reps.min(2), || {
            std::hint::black_box(train_group(&data, CellKind::Rnn, 4, r, W1_EPOCHS, Kernel::Fused));
        });
        println!(
            "  {r:>5} replicas  {t:>7.3} s   {:>8.0} runs/s   {:>6.2} ms per run",
            r as f64 / t,
            t * 1e3 / r as f64
        );
    }
    // Scaling with the sequence length (RNN(4), 25 replicas).
    println!("scaling: RNN(4), 25 replicas, 200 epochs, sequence length");
    for repeat in [25usize, 50, 100, 200] {
        let d = cyclic("AbAcAd", repeat);
        let t = best(reps.min(2), || {
            std::hint::black_box(train_group(&d, CellKind::Rnn, 4, 25, W1_EPOCHS, Kernel::Fused));
        });
        println!(
            "  {:>5} steps  {t:>7.3} s   {:>6.2} us per step",
            d.steps(),
            t * 1e6 / d.steps() as f64 / W1_EPOCHS as f64
        );
    }
    // Packing (issue #8): groups of equal shapes on the op-by-op path (CUDA's, run here on
    // flex) trained as one launch instead of one launch each.
    let rates = [0.3, 0.1, 0.03, 0.01];
    let seeds: Vec<u64> = (0..25).collect();
    let groups: Vec<(&Dataset, f64, &[u64])> = rates.iter().map(|&lr| (&data, lr, &seeds[..])).collect();
    let shape =
        sweeplab::model::ModelShape::single(CellKind::Rnn, data.vocab.len(), 4, sweeplab::spec::HeadKind::Linear);
    let launch = |groups: &[(&Dataset, f64, &[u64])]| {
        common::train_launch(shape, groups, PACK_EPOCHS, Kernel::OpByOp, Default::default())
    };
    let separate = best(reps.min(2), || {
        for g in &groups {
            std::hint::black_box(launch(std::slice::from_ref(g)));
        }
    });
    let packed = best(reps.min(2), || {
        std::hint::black_box(launch(&groups));
    });
    println!(
        "packing: RNN(4) op by op, 4 groups (lr 0.3/0.1/0.03/0.01) x 25 seeds, {PACK_EPOCHS} epochs: one launch each {separate:.3} s, one launch for all {packed:.3} s ({:.1}x)",
        separate / packed
    );
    // Optimisers (issue #15): W1's training work (3 groups x 25 seeds, 200 epochs) with each,
    // fused, each at the learning rate experiments/optimizers.yaml gives it.
    use sweeplab::spec::{OptimizerName, OptimizerSpec};
    let shape_of = |hidden| {
        sweeplab::model::ModelShape::single(
            CellKind::Rnn,
            data.vocab.len(),
            hidden,
            sweeplab::spec::HeadKind::Linear,
        )
    };
    let mut adam_time = f64::NAN;
    for (name, optimizer, lr, momentum) in [
        ("adam (burn's formula)", OptimizerName::Adam, 0.1, 0.0),
        ("adamw", OptimizerName::AdamW, 0.1, 0.0),
        ("sgd, momentum 0.9", OptimizerName::Sgd, 0.3, 0.9),
        ("rmsprop", OptimizerName::RmsProp, 0.01, 0.0),
        ("adagrad", OptimizerName::Adagrad, 0.3, 0.0),
    ] {
        let options = OptimizerSpec {
            optimizer,
            momentum,
            ..OptimizerSpec::default()
        };
        let t = best(reps, || {
            for h in W1_HIDDEN {
                let seeds: Vec<u64> = (0..W1_SEEDS).collect();
                let groups = [(&data, lr, &seeds[..])];
                std::hint::black_box(common::train_launch_with(
                    shape_of(h),
                    &groups,
                    W1_EPOCHS,
                    Kernel::Fused,
                    Default::default(),
                    options,
                ));
            }
        });
        if optimizer == OptimizerName::Adam {
            adam_time = t;
        }
        println!(
            "optimizer     W1 training, {name:<30} {t:>8.3} s   {:.2}x adam",
            t / adam_time
        );
    }
    let lstm = end_to_end(
        bin,
        &root.join("experiments/rnn_vs_lstm.yaml"),
        &out.join("lstm"),
        1,
        None,
    );
    println!(
        "LSTM grid: rnn_vs_lstm.yaml (abcabC x50, RNN(4) and LSTM(4) x 25 seeds, 500 epochs) end to end  {:.3} s, peak {:.0} MB",
        lstm.0, lstm.1
    );
    let depth = end_to_end(bin, &root.join("experiments/depth.yaml"), &out.join("depth"), 1, None);
    println!(
        "layers: depth.yaml (abcabC x50, RNN(4) and LSTM(4), 1 and 2 layers, x 25 seeds, 500 epochs) end to end  {:.3} s, peak {:.0} MB, {:.2}x the 1-layer grid",
        depth.0,
        depth.1,
        depth.0 / lstm.0
    );
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The smallest wall time of `reps` runs of `f`, in seconds.
fn best(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Trains `replicas` seeds of one group; the sum of their final losses keeps the work observable.
fn train_group(data: &Dataset, cell: CellKind, hidden: usize, replicas: usize, epochs: usize, kernel: Kernel) -> f32 {
    let seeds: Vec<u64> = (0..replicas as u64).collect();
    let result = common::train_group(cell, data, hidden, &seeds, epochs, LR as f64, kernel);
    result.replicas.iter().map(|r| r.final_loss).sum()
}

fn w1_in_library(data: &Dataset, kernel: Kernel) {
    for h in W1_HIDDEN {
        std::hint::black_box(train_group(
            data,
            CellKind::Rnn,
            h,
            W1_SEEDS as usize,
            W1_EPOCHS,
            kernel,
        ));
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn run_ok(bin: &Path, args: &[&str]) {
    let status = Command::new(bin)
        .args(args)
        .env("SWEEPLAB_PLAIN_PROGRESS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run sweeplab");
    assert!(status.success(), "sweeplab {args:?} failed");
}

/// Wall time (best of `reps`) and peak memory of `sweeplab sweep FILE --force [--jobs N]`.
/// The peak is the assembling process's (worker processes are of the same size or smaller).
fn end_to_end(bin: &Path, experiment: &Path, out: &Path, reps: usize, jobs: Option<usize>) -> (f64, f64) {
    let mut peak: f64 = 0.0;
    let wall = best(reps, || {
        let mut cmd = Command::new(bin);
        cmd.arg("sweep").arg(experiment).arg("--out").arg(out).arg("--force");
        if let Some(n) = jobs {
            cmd.arg(format!("--jobs={n}"));
        }
        let status = cmd
            .env("SWEEPLAB_PLAIN_PROGRESS", "1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run sweeplab");
        assert!(status.success(), "sweep of {} failed", experiment.display());
        let manifest = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
        let json: serde_json::Value = serde_json::from_str(&manifest).expect("manifest JSON");
        peak = peak.max(json["peak_rss_mb"].as_f64().unwrap_or(f64::NAN));
    });
    (wall, peak)
}

/// The lower bound: Elman RNN + linear head + softmax cross-entropy + Adam, forward and BPTT
/// written out by hand over flat f32 arrays, one replica after another on one thread. No
/// framework, no allocation inside the epoch loop.
mod lower_bound {
    use super::{Dataset, LR};

    struct Adam {
        m: Vec<f32>,
        v: Vec<f32>,
        t: i32,
    }

    impl Adam {
        fn new(n: usize) -> Self {
            Self {
                m: vec![0.0; n],
                v: vec![0.0; n],
                t: 0,
            }
        }
        fn step(&mut self, p: &mut [f32], g: &[f32]) {
            self.t += 1;
            let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
            let c1 = 1.0 - b1.powi(self.t);
            let c2 = 1.0 - b2.powi(self.t);
            for i in 0..p.len() {
                self.m[i] = b1 * self.m[i] + (1.0 - b1) * g[i];
                self.v[i] = b2 * self.v[i] + (1.0 - b2) * g[i] * g[i];
                p[i] -= LR * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
            }
        }
    }

    /// Trains `replicas` RNN(hidden) models for `epochs`; returns their final losses.
    pub fn train(data: &Dataset, hidden: usize, replicas: usize, epochs: usize) -> Vec<f32> {
        let x = &data.inputs[0];
        let y = data.flat_targets();
        let (v, h, n) = (data.vocab.len(), hidden, x.len());
        // Parameter layout in one buffer: w_ih [v,h], w_hh [h,h], b [h], w_o [h,v], b_o [v].
        let (o_wih, o_whh, o_b, o_wo, o_bo) = (0, v * h, v * h + h * h, v * h + h * h + h, v * h + h * h + h + h * v);
        let np = o_bo + v;
        let mut losses = Vec::with_capacity(replicas);
        let mut hs = vec![0f32; (n + 1) * h];
        let mut dh_next = vec![0f32; h];
        let mut da = vec![0f32; h];
        let mut probs = vec![0f32; v];
        for r in 0..replicas {
            let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (r as u64 + 1);
            let bound = 1.0 / (h as f32).sqrt();
            let mut p: Vec<f32> = (0..np)
                .map(|_| {
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((rng >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * bound
                })
                .collect();
            let mut g = vec![0f32; np];
            let mut adam = Adam::new(np);
            let mut loss = 0.0;
            for _ in 0..epochs {
                // Forward.
                loss = 0.0;
                for t in 0..n {
                    let (prev, cur) = hs.split_at_mut((t + 1) * h);
                    let prev = &prev[t * h..];
                    for j in 0..h {
                        let mut a = p[o_wih + x[t] * h + j] + p[o_b + j];
                        for k in 0..h {
                            a += prev[k] * p[o_whh + k * h + j];
                        }
                        cur[j] = a.tanh();
                    }
                }
                g.iter_mut().for_each(|x| *x = 0.0);
                dh_next.iter_mut().for_each(|x| *x = 0.0);
                // Backward (head and loss per step, then BPTT).
                for t in (0..n).rev() {
                    let ht = &hs[(t + 1) * h..(t + 2) * h];
                    let mut max = f32::NEG_INFINITY;
                    for c in 0..v {
                        let mut z = p[o_bo + c];
                        for j in 0..h {
                            z += ht[j] * p[o_wo + j * v + c];
                        }
                        probs[c] = z;
                        max = max.max(z);
                    }
                    let mut sum = 0.0;
                    for pc in probs.iter_mut() {
                        *pc = (*pc - max).exp();
                        sum += *pc;
                    }
                    loss -= (probs[y[t]] / sum).ln() / n as f32;
                    for c in 0..v {
                        let dz = (probs[c] / sum - if c == y[t] { 1.0 } else { 0.0 }) / n as f32;
                        g[o_bo + c] += dz;
                        for j in 0..h {
                            g[o_wo + j * v + c] += ht[j] * dz;
                        }
                    }
                    for j in 0..h {
                        let mut dh = dh_next[j];
                        for c in 0..v {
                            let dz = (probs[c] / sum - if c == y[t] { 1.0 } else { 0.0 }) / n as f32;
                            dh += p[o_wo + j * v + c] * dz;
                        }
                        da[j] = dh * (1.0 - ht[j] * ht[j]);
                    }
                    let prev = &hs[t * h..(t + 1) * h];
                    for j in 0..h {
                        g[o_wih + x[t] * h + j] += da[j];
                        g[o_b + j] += da[j];
                        for k in 0..h {
                            g[o_whh + k * h + j] += prev[k] * da[j];
                        }
                    }
                    for k in 0..h {
                        let mut s = 0.0;
                        for j in 0..h {
                            s += p[o_whh + k * h + j] * da[j];
                        }
                        dh_next[k] = s;
                    }
                }
                adam.step(&mut p, &g);
            }
            losses.push(loss);
        }
        losses
    }
}
