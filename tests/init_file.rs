//! `init: {file: PATH}`: initial weights given in PyTorch's names and layout. Training really
//! starts from them (note 001's hand-set `abcd` weights, checked against a hand computation of
//! the first loss and of the first Adam step), the layout conversion is the one `init: torch`
//! uses, the file's content is part of every run's identity, and every mistake is one located
//! line and exit status 2 from the real binary, with nothing trained.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use sweeplab::model::host::HostParams;
use sweeplab::model::init_file::WeightsFile;
use sweeplab::model::torch_init::{torch_modules, torch_seeded};
use sweeplab::model::ModelShape;
use sweeplab::plan;
use sweeplab::spec::{CellKind, ExperimentFile, HeadKind, InitKind};

mod common;
use common::{sweep, sweeplab};

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            header
                .iter()
                .cloned()
                .zip(x.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn shipped(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Note 001's hand-set weights for `abcd` with one hidden unit (PyTorch's layout).
const EMBEDDING: [f64; 4] = [-0.3333, -2.5, 5.0, 0.3333];
const HEAD_W: [f64; 4] = [1.5, -6.0, -2.0, 6.0];
const HEAD_B: [f64; 4] = [0.15, -2.0, 0.15, -2.0];

/// `abcd` x100, memoryless(1), the notes' weights, a given lr and number of epochs.
fn abcd_experiment(dir: &Path, lr: f64, epochs: usize) -> PathBuf {
    let weights = std::fs::read_to_string(shipped("experiments/weights/abcd_1unit.yaml")).unwrap();
    write(&dir.join("weights/abcd_1unit.yaml"), &weights);
    write(
        &dir.join("abcd.yaml"),
        &format!(
            "name: abcd\ndatasets:\n  - {{name: abcd, cyclic: abcd, repeat: 100}}\ngrid:\n  cell: memoryless\n  hidden: 1\n  init: {{file: weights/abcd_1unit.yaml}}\n  seed: 7\n  lr: {lr}\n  epochs: {epochs}\n"
        ),
    )
}

/// The model by hand, in f64 from the float32 parameters: per symbol s, h = tanh(E[s]),
/// logits = h W + b; the mean cross-entropy over x = text[:-1], y = text[1:], and its gradient.
struct Hand {
    e: [f64; 4],
    w: [f64; 4],
    b: [f64; 4],
}

impl Hand {
    fn new(e: [f64; 4], w: [f64; 4], b: [f64; 4]) -> Self {
        let f32ed = |a: [f64; 4]| a.map(|x| x as f32 as f64);
        Hand {
            e: f32ed(e),
            w: f32ed(w),
            b: f32ed(b),
        }
    }

    fn forward(&self, s: usize) -> (f64, [f64; 4], [f64; 4]) {
        let h = self.e[s].tanh();
        let z: [f64; 4] = std::array::from_fn(|k| h * self.w[k] + self.b[k]);
        let m = z.iter().cloned().fold(f64::MIN, f64::max);
        let sum: f64 = z.iter().map(|v| (v - m).exp()).sum();
        let p = z.map(|v| (v - m).exp() / sum);
        (h, z, p)
    }

    /// Loss and gradients (dE, dW, db) over `abcd` x100.
    fn loss_and_grad(&self) -> (f64, [[f64; 4]; 3]) {
        let tokens: Vec<usize> = (0..400).map(|i| i % 4).collect();
        let n = (tokens.len() - 1) as f64;
        let (mut loss, mut g) = (0.0, [[0.0; 4]; 3]);
        for pair in tokens.windows(2) {
            let (s, t) = (pair[0], pair[1]);
            let (h, _, p) = self.forward(s);
            loss -= p[t].ln() / n;
            let mut dh = 0.0;
            for k in 0..4 {
                let dz = (p[k] - if k == t { 1.0 } else { 0.0 }) / n;
                g[1][k] += dz * h;
                g[2][k] += dz;
                dh += dz * self.w[k];
            }
            g[0][s] += dh * (1.0 - h * h);
        }
        (loss, g)
    }

    /// The first Adam step (bias-corrected: lr * g / (|g| + eps)).
    fn adam_step(&self, lr: f64) -> Hand {
        let (_, [ge, gw, gb]) = self.loss_and_grad();
        let step = |p: [f64; 4], g: [f64; 4]| std::array::from_fn(|k| p[k] - lr * g[k] / (g[k].abs() + 1e-8));
        Hand {
            e: step(self.e, ge),
            w: step(self.w, gw),
            b: step(self.b, gb),
        }
    }

    /// `epochs` full-batch Adam steps (betas 0.9/0.999, eps 1e-8, PyTorch's formula) in f64.
    fn adam(&self, lr: f64, epochs: usize) -> Hand {
        let mut p = [self.e, self.w, self.b];
        let (mut m, mut v) = ([[0.0; 4]; 3], [[0.0; 4]; 3]);
        for t in 1..=epochs as i32 {
            let (_, g) = Hand {
                e: p[0],
                w: p[1],
                b: p[2],
            }
            .loss_and_grad();
            for i in 0..3 {
                for k in 0..4 {
                    m[i][k] = 0.9 * m[i][k] + 0.1 * g[i][k];
                    v[i][k] = 0.999 * v[i][k] + 0.001 * g[i][k] * g[i][k];
                    let (mh, vh) = (m[i][k] / (1.0 - 0.9f64.powi(t)), v[i][k] / (1.0 - 0.999f64.powi(t)));
                    p[i][k] -= lr * mh / (vh.sqrt() + 1e-8);
                }
            }
        }
        Hand {
            e: p[0],
            w: p[1],
            b: p[2],
        }
    }
}

#[test]
fn training_starts_from_the_notes_hand_set_abcd_weights() {
    let dir = tempfile::tempdir().unwrap();
    let exp = abcd_experiment(dir.path(), 0.01, 1);
    let out = dir.path().join("out");
    sweep(&exp, &out).assert().success();

    let start = Hand::new(EMBEDDING, HEAD_W, HEAD_B);
    let (loss0, _) = start.loss_and_grad();
    // Epoch 1's loss is the forward pass before the first update: the given weights' loss.
    let curves = read_csv(&out.join("curves.csv"));
    assert_eq!(curves.len(), 1);
    let got: f64 = curves[0]["loss"].parse().unwrap();
    assert!((got - loss0).abs() < 2e-6, "initial loss {got}, by hand {loss0}");
    assert!((loss0 - 1.020_791).abs() < 1e-5, "{loss0}");

    // The stored states are the model after that one Adam step.
    let after = start.adam_step(0.01);
    let states = read_csv(&out.join("states.csv"));
    let symbols = ["a", "b", "c", "d"];
    let mut checked = 0;
    let mut worst: f64 = 0.0;
    for row in &states {
        let position: usize = row["position"].parse().unwrap();
        let input = symbols.iter().position(|s| *s == row["input"]).unwrap();
        assert_eq!(input, position % 4);
        let (h, z, p) = after.forward(input);
        let index: usize = row["index"].parse().unwrap();
        let want = match row["kind"].as_str() {
            "h" => h,
            "logit" => z[index],
            "prob" => p[index],
            other => panic!("kind {other}"),
        };
        let got: f64 = row["value"].parse().unwrap();
        worst = worst.max((got - want).abs());
        checked += 1;
    }
    assert_eq!(checked, 15 * (1 + 4 + 4));
    assert!(
        worst < 1e-5,
        "states after one step differ from the hand computation by {worst}"
    );
    // And not from the start: the step moved every value visibly.
    let (h0, _, _) = start.forward(0);
    let (h1, _, _) = after.forward(0);
    assert!((h0 - h1).abs() > 1e-3);

    // runs.csv names the file by its content.
    let runs = read_csv(&out.join("runs.csv"));
    let sha: String = Sha256::digest(std::fs::read(dir.path().join("weights/abcd_1unit.yaml")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(runs[0]["init"], format!("file:{}", &sha[..12]));
}

#[test]
fn the_shipped_note_001_experiment_starts_from_the_notes_weights_and_fits_abcd() {
    let file = ExperimentFile::load(&shipped("experiments/memoryless_abcd_hand.yaml")).unwrap();
    let plan = plan::build(&file).unwrap();
    assert_eq!(plan.runs.len(), 1);
    let group = &plan.groups[0];
    let given = group.init_file.as_ref().expect("a file init");
    assert_eq!(given.path, "weights/abcd_1unit.yaml");
    let f32s = |a: [f64; 4]| a.iter().map(|&x| x as f32).collect::<Vec<_>>();
    // sweeplab's layout: embedding [vocab, hidden], head_w [hidden, vocab], head_b [1, vocab].
    let p = &given.params;
    assert_eq!(p.get("embedding").unwrap().shape, [1, 4, 1]);
    assert_eq!(p.get("embedding").unwrap().data, f32s(EMBEDDING));
    assert_eq!(p.get("head_w").unwrap().shape, [1, 1, 4]);
    assert_eq!(p.get("head_w").unwrap().data, f32s(HEAD_W));
    assert_eq!(p.get("head_b").unwrap().shape, [1, 1, 4]);
    assert_eq!(p.get("head_b").unwrap().data, f32s(HEAD_B));
    assert_eq!(p.iter().count(), 3);

    // 5000 epochs of Adam at lr 0.001, as in the notes: one unit fits all four transitions,
    // and lands where the same training in f64 lands (final loss 0.166069).
    let records = sweeplab::schedule::train_runs(&plan, group, &group.runs, &mut |_| {});
    let r = &records[0];
    assert!(matches!(r.spec.init, InitKind::File(_)));
    assert_eq!(r.accuracy, 1.0, "final loss {}", r.final_loss);
    let reference = Hand::new(EMBEDDING, HEAD_W, HEAD_B).adam(0.001, 5000);
    let want = reference.loss_and_grad().0;
    assert!(
        (r.final_loss as f64 - want).abs() < 1e-5,
        "final loss {} vs f64 {want}",
        r.final_loss
    );
    assert!((want - 0.166_069).abs() < 1e-6, "{want}");
    let snapshot = r.snapshot.as_ref().unwrap();
    for (position, probs) in snapshot.probs.iter().enumerate() {
        let (h, _, p) = reference.forward(position % 4);
        assert!(
            (snapshot.states[position][0] as f64 - h).abs() < 1e-5,
            "h at {position}"
        );
        for k in 0..4 {
            assert!(
                (probs[k] as f64 - p[k]).abs() < 1e-5,
                "P at {position}: {probs:?} vs {p:?}"
            );
        }
    }
}

/// A PyTorch-layout weights text for `params` (as `torch_modules` lists them): the numbers
/// printed as exact f64 values of the f32s, so the round trip is exact.
fn pytorch_yaml(params: &[(String, sweeplab::model::torch_init::TorchParam)], l0: bool) -> String {
    let mut sections: Vec<(&str, Vec<String>)> = Vec::new();
    for (ours, p) in params {
        let (section, name) = match ours.as_str() {
            "embedding" => ("embedding", "weight".to_string()),
            "input_embedding" => ("input_embedding", "weight".to_string()),
            "head_w" => ("head", "weight".into()),
            "head_b" => ("head", "bias".into()),
            // `w_ih_l1` is layer 1's `weight_ih_l1`.
            _ => match ours.rsplit_once("_l") {
                Some((_, layer)) => ("cell", format!("{}_l{layer}", p.name)),
                None => ("cell", format!("{}{}", p.name, if l0 { "_l0" } else { "" })),
            },
        };
        let num = |x: &f32| format!("{}", *x as f64);
        let value = if p.name.starts_with("bias") {
            format!("[{}]", p.data.iter().map(num).collect::<Vec<_>>().join(", "))
        } else {
            let rows: Vec<String> = p
                .data
                .chunks(p.shape[1])
                .map(|r| format!("[{}]", r.iter().map(num).collect::<Vec<_>>().join(", ")))
                .collect();
            format!("[{}]", rows.join(", "))
        };
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, lines)) => lines.push(format!("  {name}: {value}")),
            None => sections.push((section, vec![format!("  {name}: {value}")])),
        }
    }
    sections
        .into_iter()
        .map(|(s, lines)| format!("{s}:\n{}\n", lines.join("\n")))
        .collect()
}

fn cell_name_check(ours: &str, torch: &str) -> bool {
    // Layer 1's `w_ih_l1` is `weight_ih` of its layer.
    let base = ours.split("_l").next().unwrap_or(ours);
    matches!(
        (base, torch),
        ("w_ih", "weight_ih") | ("w_hh", "weight_hh") | ("b_ih", "bias_ih") | ("b_hh", "bias_hh")
    ) || !ours.starts_with(['w', 'b'])
}

#[test]
fn pytorch_layout_converts_exactly_as_init_torch_does() {
    let mut checked = 0;
    for cell in CellKind::ALL {
        for head in [HeadKind::Linear, HeadKind::None] {
            let one = ModelShape::single(cell, 5, if head == HeadKind::None { 5 } else { 3 }, head);
            // Stacked layers under nn.LSTM's `_l1`, `_l2` names, with an input embedding.
            let stacked = ModelShape {
                layers: 3,
                embedding: Some(2),
                ..one
            };
            let shapes = if cell == CellKind::Memoryless {
                vec![one]
            } else {
                vec![one, stacked]
            };
            for shape in shapes {
                for (seed, l0) in [(4u64, false), (43052, true)] {
                    let modules = torch_modules(&shape, seed);
                    assert!(modules.iter().all(|(o, p)| cell_name_check(o, p.name)));
                    let text = pytorch_yaml(&modules, l0);
                    let file = WeightsFile::from_source(Path::new("w.yaml"), text.clone()).unwrap();
                    let ours: HostParams = file.params(&shape, "d").unwrap();
                    assert_eq!(ours, torch_seeded(&shape, &[seed]), "{cell:?} {head:?}\n{text}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 28);

    // JSON (e.g. json.dump of tensors' .tolist()) is read the same way.
    let json = "{\"cell\": {\"weight_ih_l0\": [[1, 2], [3, 4]], \"weight_hh_l0\": [[5], [6]],\n \"bias_ih_l0\": [0.5, 0.25], \"bias_hh_l0\": [-1, -2]}}\n";
    let shape = ModelShape::single(CellKind::Gru, 2, 1, HeadKind::None);
    // GRU: 3 gates, hidden 1 -> [3, 2]; this file has 2 rows, so it does not fit...
    let file = WeightsFile::from_source(Path::new("w.json"), json.into()).unwrap();
    let err = file.params(&shape, "d").unwrap_err().to_string();
    assert!(
        err.starts_with(
            "w.json:1: cell.weight_ih_l0: shape [2, 2] does not fit gru hidden 1 on 'd' (2 symbols, head: none)"
        ) && err.contains("nn.GRUCell(2, 1).weight_ih is [3, 2] (3 blocks of 1 rows: r, z, n)"),
        "{err}"
    );
    // ... but an RNN cell with 2 hidden units and no head it does: transposed to [in, out].
    let shape = ModelShape::single(CellKind::Rnn, 2, 2, HeadKind::None);
    let json = json.replace("[[5], [6]]", "[[5, 7], [6, 8]]");
    let p = WeightsFile::from_source(Path::new("w.json"), json)
        .unwrap()
        .params(&shape, "d")
        .unwrap();
    assert_eq!(p.get("w_ih").unwrap().data, [1.0, 3.0, 2.0, 4.0]);
    assert_eq!(p.get("w_hh").unwrap().data, [5.0, 6.0, 7.0, 8.0]);
    assert_eq!(p.get("b_ih").unwrap().shape, [1, 1, 2]);
    assert_eq!(p.get("b_hh").unwrap().data, [-1.0, -2.0]);
}

fn plan_ids(exp: &Path) -> Vec<String> {
    let file = ExperimentFile::load(exp).unwrap();
    plan::build(&file).unwrap().runs.iter().map(|r| r.id.clone()).collect()
}

#[test]
fn the_files_content_is_part_of_the_run_id_so_editing_it_retrains() {
    let dir = tempfile::tempdir().unwrap();
    let exp = abcd_experiment(dir.path(), 0.01, 3);
    let weights = dir.path().join("weights/abcd_1unit.yaml");
    let out = dir.path().join("out");
    let sweep_now = || {
        let o = sweep(&exp, &out).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    assert!(sweep_now().contains("(1 trained now"));
    assert!(sweep_now().contains("(0 trained now"), "unchanged weights: resumed");
    let first = plan_ids(&exp);

    // The same experiment with other inits has other ids.
    let source = std::fs::read_to_string(&exp).unwrap();
    for other in ["sweeplab", "torch"] {
        let p = write(
            &dir.path().join(format!("{other}.yaml")),
            &source.replace("{file: weights/abcd_1unit.yaml}", other),
        );
        assert!(plan_ids(&p).iter().all(|id| !first.contains(id)), "{other}");
    }
    // Moving the file (same content) keeps the id.
    std::fs::copy(&weights, dir.path().join("moved.yaml")).unwrap();
    let moved = write(
        &dir.path().join("moved_exp.yaml"),
        &source.replace("weights/abcd_1unit.yaml", "moved.yaml"),
    );
    assert_eq!(plan_ids(&moved), first);

    // Editing a value: a new id, trained again.
    let text = std::fs::read_to_string(&weights).unwrap();
    write(&weights, &text.replace("bias: [0.15, -2.0", "bias: [0.25, -2.0"));
    let edited = plan_ids(&exp);
    assert_ne!(edited, first);
    assert!(sweep_now().contains("(1 trained now"));
    let runs = read_csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["run_id"], edited[0]);

    // The manifest's configuration carries the file's SHA-256 and hashes to the run's config hash.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let run = &manifest["runs"][0];
    let sha: String = Sha256::digest(std::fs::read(&weights).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(run["config"]["init"], "file");
    assert_eq!(run["config"]["init_file_sha256"], sha.as_str());
    let config_sha: String = Sha256::digest(run["config"].to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(run["config_hash"], config_sha.as_str());
    assert!(config_sha.starts_with(run["run_id"].as_str().unwrap()));
}

#[test]
fn a_file_init_mixes_with_other_inits_one_seed_per_file_group() {
    let dir = tempfile::tempdir().unwrap();
    let exp = abcd_experiment(dir.path(), 0.01, 2);
    let source = std::fs::read_to_string(&exp).unwrap();
    let mixed = source.replace("  init: {file: weights/abcd_1unit.yaml}\n  seed: 7\n", "")
        + "zip:\n  - init: [torch, {file: weights/abcd_1unit.yaml}, sweeplab]\n    seed: [4, 0, 4]\n";
    let p = write(&dir.path().join("mixed.yaml"), &mixed);
    let file = ExperimentFile::load(&p).unwrap();
    let plan = plan::build(&file).unwrap();
    assert_eq!(plan.groups.len(), 3);
    assert_eq!(plan.groups[0].init, InitKind::Torch);
    assert!(matches!(plan.groups[1].init, InitKind::File(_)));
    assert!(plan.groups[1].label().ends_with("init=file:weights/abcd_1unit.yaml"));
    assert!(plan.groups[0].init_file.is_none() && plan.groups[2].init_file.is_none());
    let records = sweeplab::schedule::train_runs(&plan, &plan.groups[1], &plan.groups[1].runs, &mut |_| {});
    let start = Hand::new(EMBEDDING, HEAD_W, HEAD_B).loss_and_grad().0;
    assert!((records[0].curve[0] as f64 - start).abs() < 2e-6);
}

/// Each mistake: exit 2, one line `file:line: field: message`, nothing trained or written.
#[test]
fn bad_weights_exit_2_with_one_located_line_and_train_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = "embedding:\n  weight: [[-0.3333], [-2.5], [5.0], [0.3333]]\nhead:\n  weight: [[1.5], [-6.0], [-2.0], [6.0]]\n  bias: [0.15, -2.0, 0.15, -2.0]\n";
    let experiment = |init: &str, seeds: &str, cell: &str| {
        format!(
            "name: bad\ndatasets:\n  - {{name: abcd, cyclic: abcd, repeat: 10}}\ngrid:\n  cell: {cell}\n  hidden: 1\n  init: {init}\n  seed: {seeds}\n  lr: 0.01\n  epochs: 2\n"
        )
    };
    let file_init = "{file: w.yaml}";
    // (case, weights text, experiment text, the expected line's start)
    let cases: Vec<(&str, String, String, String)> = vec![
        (
            "missing file",
            good.into(),
            experiment("{file: weights/nowhere.yaml}", "0", "memoryless"),
            "missing file/exp.yaml:7: grid.init.file: cannot read weights file".into(),
        ),
        (
            "init: file without a path",
            good.into(),
            experiment("file", "0", "memoryless"),
            "init: file without a path/exp.yaml:7: grid.init: init: file needs the weights file: write init: {file: PATH}"
                .into(),
        ),
        (
            "unknown init key",
            good.into(),
            experiment("{path: w.yaml}", "0", "memoryless"),
            "unknown init key/exp.yaml:7: grid.init: unknown init key 'path' (expected sweeplab or torch, or {file: PATH}"
                .into(),
        ),
        (
            "several seeds",
            good.into(),
            experiment("[sweeplab, {file: w.yaml}]", "0..3", "memoryless"),
            "several seeds/exp.yaml:7: grid.init[1].file: weights from a file are the same for every seed, so the 3 seeds (0, 1, 2) of abcd memoryless(1)"
                .into(),
        ),
        (
            "wrong shape",
            good.replace("[[1.5], [-6.0], [-2.0], [6.0]]", "[[1.5, 0], [-6.0, 0], [-2.0, 0], [6.0, 0]]"),
            experiment(file_init, "0", "memoryless"),
            "wrong shape/w.yaml:4: head.weight: shape [4, 2] does not fit memoryless hidden 1 on 'abcd' (4 symbols): nn.Linear(1, 4).weight is [4, 1]"
                .into(),
        ),
        (
            "transposed",
            good.replace("[[-0.3333], [-2.5], [5.0], [0.3333]]", "[[-0.3333, -2.5, 5.0, 0.3333]]"),
            experiment(file_init, "0", "memoryless"),
            "transposed/w.yaml:2: embedding.weight: shape [1, 4] does not fit memoryless hidden 1 on 'abcd' (4 symbols): nn.Embedding(4, 1).weight is [4, 1]"
                .into(),
        ),
        (
            "missing parameter",
            good.replace("  bias: [0.15, -2.0, 0.15, -2.0]\n", ""),
            experiment(file_init, "0", "memoryless"),
            "missing parameter/w.yaml:3: head.bias: missing: memoryless hidden 1 on 'abcd' (4 symbols) needs nn.Linear(1, 4).bias, shape [4] (give zeros for a module built with bias=False)"
                .into(),
        ),
        (
            "missing section",
            good.replace("embedding:\n  weight: [[-0.3333], [-2.5], [5.0], [0.3333]]\n", ""),
            experiment(file_init, "0", "memoryless"),
            "missing section/w.yaml:1: embedding.weight: missing: memoryless hidden 1 on 'abcd' (4 symbols) needs nn.Embedding(4, 1).weight, shape [4, 1]"
                .into(),
        ),
        (
            "unknown parameter",
            good.replace("  bias:", "  biases:"),
            experiment(file_init, "0", "memoryless"),
            "unknown parameter/w.yaml:5: head.biases: unknown parameter (expected weight, bias)".into(),
        ),
        (
            "unknown section",
            format!("{good}linear:\n  weight: [[1]]\n"),
            experiment(file_init, "0", "memoryless"),
            "unknown section/w.yaml:6: linear: unknown section (expected cell, input_embedding, embedding or head)".into(),
        ),
        (
            "flat state_dict",
            "weight_ih: [[1]]\n".into(),
            experiment(file_init, "0", "rnn"),
            "flat state_dict/w.yaml:1: weight_ih: unknown section (expected cell, input_embedding, embedding or head); weight_ih is a parameter: put it under its module, e.g. cell: {weight_ih: ...}"
                .into(),
        ),
        (
            "unused section",
            format!("{good}cell:\n  weight_ih: [[1, 2, 3, 4]]\n"),
            experiment(file_init, "0", "memoryless"),
            "unused section/w.yaml:6: cell: not used by memoryless hidden 1 on 'abcd' (4 symbols): a memoryless cell has no recurrent weights"
                .into(),
        ),
        (
            "lstm gates",
            format!("cell:\n  weight_ih: [[0, 0, 0, 0]]\n  weight_hh: [[0]]\n  bias_ih: [0]\n  bias_hh: [0]\n{}", &good[good.find("head:").unwrap()..]),
            experiment(file_init, "0", "lstm"),
            "lstm gates/w.yaml:2: cell.weight_ih: shape [1, 4] does not fit lstm hidden 1 on 'abcd' (4 symbols): nn.LSTMCell(4, 1).weight_ih is [4, 4] (4 blocks of 1 rows: i, f, g, o)"
                .into(),
        ),
        (
            "given twice",
            "cell:\n  weight_ih: [[1]]\n  weight_ih_l0: [[1]]\n".into(),
            experiment(file_init, "0", "rnn"),
            "given twice/w.yaml:3: cell.weight_ih_l0: given twice (also as weight_ih)".into(),
        ),
        (
            "ragged rows",
            good.replace("[[1.5], [-6.0], [-2.0], [6.0]]", "[[1.5], [-6.0, 1], [-2.0], [6.0]]"),
            experiment(file_init, "0", "memoryless"),
            "ragged rows/w.yaml:4: head.weight: rows have different lengths: row 0 has 1 values, row 1 has 2".into(),
        ),
        (
            "not a number",
            good.replace("0.15, -2.0, 0.15", "0.15, -2.0, abc"),
            experiment(file_init, "0", "memoryless"),
            "not a number/w.yaml:5: head.bias: expected a number, got abc".into(),
        ),
        (
            "not finite",
            good.replace("0.15, -2.0, 0.15", "0.15, -2.0, .nan"),
            experiment(file_init, "0", "memoryless"),
            "not finite/w.yaml:5: head.bias: values must be finite float32 numbers".into(),
        ),
        (
            "malformed",
            good.replace("bias: [0.15", "bias: [0.15 ]]"),
            experiment(file_init, "0", "memoryless"),
            "malformed/w.yaml:5: ".into(),
        ),
        (
            "json",
            "{\n  \"embedding\": {\"weight\": [[1], [2], [3], [4]]},\n  \"head\": {\n    \"weight\": [[1], [2], [3], [4]],\n    \"bias\": [1, 2, 3]\n  }\n}\n".into(),
            experiment("{file: w.json}", "0", "memoryless"),
            "json/w.json:5: head.bias: shape [3] does not fit memoryless hidden 1 on 'abcd' (4 symbols): nn.Linear(1, 4).bias is [4]".into(),
        ),
    ];
    for (name, weights, exp, want) in cases {
        let case = dir.path().join(name);
        write(&case.join(if name == "json" { "w.json" } else { "w.yaml" }), &weights);
        let exp = write(&case.join("exp.yaml"), &exp);
        let out = case.join("out");
        let output = sweep(&exp, &out).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        let want = format!("error: {}", dir.path().join(want).display());
        assert!(stderr.starts_with(&want), "{name}:\nwant: {want}\ngot:  {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(!out.exists(), "{name}: wrote {}", out.display());
        // `plan` refuses the same way.
        let plan = sweeplab().arg("plan").arg(&exp).output().unwrap();
        assert_eq!(plan.status.code(), Some(2), "{name}");
    }
}

/// A layer or an embedding the model does not have is refused at its line, and so is a file
/// that lacks a layer the model has.
#[test]
fn layers_and_embeddings_of_a_weights_file_must_fit_the_model() {
    let two = ModelShape {
        layers: 2,
        embedding: Some(2),
        ..ModelShape::single(CellKind::Rnn, 3, 2, HeadKind::Linear)
    };
    let text = pytorch_yaml(&torch_modules(&two, 1), false);
    let file = WeightsFile::from_source(Path::new("w.yaml"), text.clone()).unwrap();
    let one = ModelShape::single(CellKind::Rnn, 3, 2, HeadKind::Linear);
    let err = file.params(&one, "d").unwrap_err().to_string();
    assert!(
        err.contains("input_embedding") && err.contains("the experiment has no embedding"),
        "{err}"
    );
    let embedded = ModelShape {
        embedding: Some(2),
        ..one
    };
    let err = file.params(&embedded, "d").unwrap_err().to_string();
    let line = text.lines().position(|l| l.contains("weight_ih_l1")).unwrap() + 1;
    assert!(
        err.starts_with(&format!("w.yaml:{line}:"))
            && err.contains("cell.weight_ih_l1")
            && err.contains("it has 1 layer"),
        "{err}"
    );
    let three = ModelShape { layers: 3, ..two };
    let err = file.params(&three, "d").unwrap_err().to_string();
    assert!(
        err.contains("missing") && err.contains("weight_ih_l2") && err.contains("nn.RNN(2, 2, num_layers=3)"),
        "{err}"
    );
}
