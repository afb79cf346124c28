//! The experiment schema: expansion (product, zip, exclude, ranges), every dataset kind, and
//! the errors validation gives (with file, line and field).

use std::path::Path;
use sweeplab::data::Targets;
use sweeplab::plan::{self, Plan};
use sweeplab::spec::{CellKind, DeviceSpec, ExperimentFile, HeadKind};

fn plan_of(yaml: &str) -> Plan {
    let file = ExperimentFile::from_source(Path::new("exp.yaml"), yaml.to_string()).expect("parses");
    plan::build(&file).unwrap_or_else(|e| panic!("plan fails: {e}"))
}

fn plan_err(yaml: &str) -> String {
    match ExperimentFile::from_source(Path::new("exp.yaml"), yaml.to_string()) {
        Err(e) => e.to_string(),
        Ok(file) => match plan::build(&file) {
            Err(e) => e.to_string(),
            Ok(p) => panic!("expected an error, got {} runs", p.runs.len()),
        },
    }
}

const DATA: &str = "datasets:\n  - name: ab\n    cyclic: AbAcAd\n    repeat: 2\n  - name: xy\n    text: xyzxy\n";

#[test]
fn grid_is_the_cartesian_product_with_seeds_innermost() {
    let p = plan_of(&format!(
        "name: t\n{DATA}grid:\n  dataset: [ab, xy]\n  cell: [rnn, lstm]\n  hidden: [2, 3, 4]\n  seed: 0..3\n  lr: 0.1\n  epochs: 5\n"
    ));
    assert_eq!(p.runs.len(), 2 * 2 * 3 * 3);
    assert_eq!(p.groups.len(), 12);
    // A group is the seeds of one point, contiguous and in order.
    for g in &p.groups {
        let seeds: Vec<u64> = g.runs.iter().map(|&i| p.runs[i].seed).collect();
        assert_eq!(seeds, vec![0, 1, 2]);
        for &i in &g.runs {
            let r = &p.runs[i];
            assert_eq!((r.cell, r.hidden, &r.dataset), (g.cell, g.hidden, &g.dataset));
        }
    }
    // Every combination exactly once.
    let mut combos: Vec<_> = p
        .runs
        .iter()
        .map(|r| (r.dataset.clone(), r.cell, r.hidden, r.seed))
        .collect();
    combos.sort();
    combos.dedup();
    assert_eq!(combos.len(), 36);
    // Defaults.
    assert!(p
        .runs
        .iter()
        .all(|r| r.device == DeviceSpec::Cpu && r.head == HeadKind::Linear));
    // Run ids are content hashes: distinct, and stable across expansions.
    let ids: std::collections::HashSet<_> = p.runs.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 36);
}

#[test]
fn run_identity_does_not_depend_on_grid_position() {
    let a = plan_of(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: [2, 4]\n  seed: [7]\n  lr: 0.1\n  epochs: 5\n"
    ));
    let b = plan_of(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: [4]\n  seed: [7]\n  lr: 0.1\n  epochs: 5\n"
    ));
    let h4_a = a.runs.iter().find(|r| r.hidden == 4).unwrap();
    assert_eq!(h4_a.id, b.runs[0].id);
    assert_ne!(a.runs[0].id, b.runs[0].id);
}

#[test]
fn zip_varies_lists_together_and_crosses_with_the_grid() {
    let p = plan_of(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  seed: [1, 2]\n  lr: 0.1\n  epochs: 5\nzip:\n  - cell: [rnn, lstm, gru]\n    hidden: [8, 4, 3]\n"
    ));
    let pairs: Vec<(CellKind, usize)> = p.groups.iter().map(|g| (g.cell, g.hidden)).collect();
    assert_eq!(pairs, vec![(CellKind::Rnn, 8), (CellKind::Lstm, 4), (CellKind::Gru, 3)]);
    assert_eq!(p.runs.len(), 6);
    // A zip list may repeat values; unequal lengths are an error naming the field.
    let p = plan_of(&format!(
        "name: t\n{DATA}grid:\n  cell: memoryless\n  seed: 1\n  lr: 0.1\n  epochs: 5\nzip:\n  - dataset: [ab, ab, xy]\n    hidden: [1, 2, 2]\n"
    ));
    assert_eq!(p.runs.len(), 3);
    let e = plan_err(&format!(
        "name: t\n{DATA}grid:\n  seed: 1\n  lr: 0.1\n  epochs: 5\nzip:\n  - cell: [rnn, lstm]\n    hidden: [8, 4, 2]\n"
    ));
    assert!(e.contains("equal lengths"), "{e}");
    assert!(e.starts_with("exp.yaml:1"), "{e}");
}

#[test]
fn exclude_drops_matching_combinations() {
    let p = plan_of(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  cell: [rnn, lstm]\n  hidden: [2, 4]\n  seed: 0..2\n  lr: 0.1\n  epochs: 5\nexclude:\n  - {{cell: lstm, hidden: 2}}\n  - {{cell: rnn, seed: 1}}\n"
    ));
    let got: Vec<(CellKind, usize, u64)> = p.runs.iter().map(|r| (r.cell, r.hidden, r.seed)).collect();
    assert_eq!(
        got,
        vec![
            (CellKind::Rnn, 2, 0),
            (CellKind::Rnn, 4, 0),
            (CellKind::Lstm, 4, 0),
            (CellKind::Lstm, 4, 1)
        ]
    );
    let e = plan_err(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 5\nexclude:\n  - {{cell: rnn, size: 2}}\n"
    ));
    assert!(
        e.contains("unknown parameter 'size'") && e.contains("exclude[0].size"),
        "{e}"
    );
}

#[test]
fn seeds_accept_ranges_lists_and_single_values() {
    for (seed, want) in [
        ("0..25", (0..25).collect::<Vec<u64>>()),
        ("[3, 1, 2]", vec![3, 1, 2]),
        ("42", vec![42]),
        ("[\"0..2\", 10]", vec![0, 1, 10]),
    ] {
        let p = plan_of(&format!(
            "name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: 2\n  seed: {seed}\n  lr: 0.1\n  epochs: 5\n"
        ));
        assert_eq!(p.runs.iter().map(|r| r.seed).collect::<Vec<_>>(), want, "seed: {seed}");
    }
    let e = plan_err(&format!(
        "name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: 2\n  seed: 5..2\n  lr: 0.1\n  epochs: 5\n"
    ));
    assert!(e.contains("exp.yaml:12: grid.seed: seed range '5..2' is empty"), "{e}");
}

#[test]
fn datasets_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("corpus.txt"), "hello world\n").unwrap();
    let yaml = "name: t\ndatasets:\n  - {name: cyc, cyclic: AbAcAd, repeat: 50, vocab: [A, b, c, d]}\n  - {name: lit, text: \" I think therefore I am.\"}\n  - {name: file, file: corpus.txt}\n  - {name: words, text: \"the cat saw the dog\", tokens: word}\n  - name: sent\n    sentences: [i like dog, you love milk]\ngrid:\n  cell: rnn\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 5\n";
    let path = dir.path().join("exp.yaml");
    std::fs::write(&path, yaml).unwrap();
    let file = ExperimentFile::load(&path).unwrap();
    let p = plan::build(&file).unwrap();
    assert_eq!(p.runs.len(), 5);

    let cyc = &p.datasets["cyc"];
    assert_eq!(cyc.vocab, ["A", "b", "c", "d"]);
    assert_eq!(cyc.steps(), 299);
    assert_eq!(&cyc.inputs[0][..6], &[0, 1, 0, 2, 0, 3]);
    let Targets::EveryStep(t) = &cyc.targets else { panic!() };
    assert_eq!(&t[0][..6], &[1, 0, 2, 0, 3, 0]);

    // Default vocabulary: sorted, never hash order.
    let lit = &p.datasets["lit"];
    assert_eq!(lit.vocab.concat(), " .Iaefhikmnort");
    assert_eq!(lit.vocab.len(), 14);
    assert_eq!(lit.positions(), 23);

    let f = &p.datasets["file"];
    assert_eq!(f.vocab.concat(), "\n dehlorw");
    assert_eq!(f.steps(), 11);

    let w = &p.datasets["words"];
    assert_eq!(w.vocab, ["cat", "dog", "saw", "the"]);
    assert_eq!(w.inputs[0], vec![3, 0, 2, 3]);

    let s = &p.datasets["sent"];
    assert_eq!(s.vocab, ["dog", "i", "like", "love", "milk", "you"]);
    assert_eq!(s.inputs, vec![vec![1, 2], vec![5, 3]]);
    assert_eq!(s.targets, Targets::LastStep(vec![0, 4]));
    let labels = s.position_labels(5);
    assert_eq!(
        (labels[1].input.as_str(), labels[1].target.as_str()),
        ("you love", "milk")
    );
}

#[test]
fn validation_errors_name_file_line_and_field() {
    let cases: Vec<(String, &str)> = vec![
        (format!("name: t\n{DATA}grid:\n  dataset: ab\n  cell: [rnn, lsmt]\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 5\n"), "exp.yaml:10: grid.cell[1]: unknown cell type 'lsmt'"),
        (format!("name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: [2, 0]\n  seed: 0\n  lr: 0.1\n  epochs: 5\n"), "exp.yaml:11: grid.hidden[1]: hidden size must be at least 1"),
        (format!("name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 5\n  momentum: 0.9\n"), "exp.yaml:15: grid.momentum: momentum does not apply to optimizer adam (only to sgd, rmsprop)"),
        (format!("name: t\n{DATA}grid:\n  dataset: zz\n  cell: rnn\n  hidden: 2\n  seed: 0\n  lr: 0.1\n  epochs: 5\n"), "unknown dataset 'zz'"),
        (format!("name: t\n{DATA}grid:\n  dataset: ab\n  cell: rnn\n  hidden: 2\n  seed: 0\n  epochs: 5\n"), "missing parameter 'lr'"),
        (format!("name: t\n{DATA}grid:\n  dataset: ab\n  cell: lstm\n  hidden: 3\n  head: none\n  seed: 0\n  lr: 0.1\n  epochs: 5\n"), "exp.yaml:12: grid.head: head: none uses the hidden state as logits, so hidden must equal the vocabulary size of 'ab' (4), got hidden 3"),
        ("name: t\ndatasets:\n  - name: e\n    text: \"\"\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\n".into(), "exp.yaml:4: datasets[0].text: text has 0 token(s)"),
        ("name: t\ndatasets:\n  - name: e\n    cyclic: aaaa\n    repeat: 3\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\n".into(), "exp.yaml:4: datasets[0].cyclic: text has a single distinct symbol ('a')"),
        ("name: t\ndatasets:\n  - name: e\n    cyclic: abc\n    repeat: 3\n    vocab: [a, b]\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\n".into(), "exp.yaml:6: datasets[0].vocab: vocabulary misses symbol(s) of the text: 'c'"),
        ("name: t\ndatasets:\n  - name: e\n    file: does-not-exist.txt\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\n".into(), "exp.yaml:4: datasets[0].file: cannot read text file"),
        ("name: t\ndatasets:\n  - name: e\n    text: ab\n    cyclic: ab\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\n".into(), "must set exactly one of cyclic, text, file, sentences"),
        ("name: t\ndatasets: [{name: e, text: ab}]\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5}\ncolour: red\n".into(), "exp.yaml:4: unknown field `colour`"),
        ("name: t\ndatasets: [{name: e, text: ab}]\ngrid: {cell: rnn, hidden: 2, seed: 0, lr: 0.1, epochs: 5, device: tpu}\n".into(), "unknown device 'tpu'"),
        ("name: t\ndatasets: [{name: e, text: ab}]\ngrid: {cell: rnn, seed: 0, lr: 0.1, epochs: 5}\nzip:\n  - hidden: [2, 3]\n    layer: [1, 2]\n".into(), "exp.yaml:6: zip[0].layer: unknown parameter 'layer' (expected one of"),
        ("name: t\ndatasets: [{name: e, text: ab}]\ngrid: 5\n".into(), "invalid type: integer `5`"),
        ("name: t\ndatasets: [{name: e, text: ab\n".into(), "exp.yaml:"),
    ];
    for (yaml, want) in cases {
        let e = plan_err(&yaml);
        assert!(e.contains(want), "\nwant: {want}\ngot:  {e}\nyaml:\n{yaml}");
    }
}

/// Every experiment shipped in experiments/ loads and plans (a schema change cannot leave one
/// behind), and char_rnn.yaml reads its 200 KB text as the streams it declares.
#[test]
fn every_shipped_experiment_plans() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut planned = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let file = ExperimentFile::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let p = plan::build(&file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!p.runs.is_empty(), "{} plans no run", path.display());
            planned.push((path.file_stem().unwrap().to_string_lossy().into_owned(), p));
        }
    }
    assert!(planned.len() >= 15, "only {} experiments found", planned.len());
    let (_, char_rnn) = planned.iter().find(|(n, _)| n == "char_rnn").expect("char_rnn.yaml");
    assert_eq!(char_rnn.runs.len(), 2);
    let data = &char_rnn.datasets["eighty_days"];
    assert_eq!(data.steps(), 201_785, "the text's next-character positions");
    assert_eq!(data.vocab.len(), 77);
}
