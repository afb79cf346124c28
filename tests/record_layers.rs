//! `record: layers: all`: states.csv keeps every layer's hidden state (labels `l1.h1`, ...),
//! the last layer's values being exactly what the default (`last`) records; the state grid
//! labels its columns by layer; a misspelt value is an error at its line.

mod common;
use common::{csv_rows, sweep, sweep_ok, write};
use std::collections::BTreeMap;

const EXPERIMENT: &str =
    "name: deep\ndatasets:\n  - {name: d, cyclic: abcabC, repeat: 4}\ngrid:\n  cell: [rnn, lstm]\n  \
     hidden: 3\n  layers: 2\n  lr: 0.1\n  epochs: 15\n  seed: 0..2\n";

/// `(run_id, position, kind, label) -> value` of a states.csv.
fn states(out: &std::path::Path) -> BTreeMap<(String, String, String, String), String> {
    let text = std::fs::read_to_string(out.join("states.csv")).unwrap();
    let (header, rows) = csv_rows(&text);
    assert_eq!(
        header,
        ["run_id", "position", "input", "target", "kind", "index", "label", "value"]
    );
    rows.into_iter()
        .map(|r| ((r[0].clone(), r[1].clone(), r[4].clone(), r[6].clone()), r[7].clone()))
        .collect()
}

#[test]
fn every_layer_is_recorded_and_the_last_equals_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let last = write(dir.path(), "last.yaml", EXPERIMENT);
    let all = write(
        dir.path(),
        "all.yaml",
        &format!("{EXPERIMENT}record:\n  positions: 6\n  layers: all\n"),
    );
    let (out_last, out_all) = (dir.path().join("last"), dir.path().join("all"));
    sweep_ok(&last, &out_last, 1);
    sweep_ok(&all, &out_all, 1);
    let (by_last, by_all) = (states(&out_last), states(&out_all));
    let labels: std::collections::BTreeSet<&str> = by_all.keys().filter(|k| k.2 == "h").map(|k| k.3.as_str()).collect();
    assert_eq!(
        labels.into_iter().collect::<Vec<_>>(),
        ["l1.h1", "l1.h2", "l1.h3", "l2.h1", "l2.h2", "l2.h3"]
    );
    let mut compared = 0;
    for ((run, position, kind, label), value) in &by_all {
        let default_label = match (kind.as_str(), label.strip_prefix("l2.")) {
            ("h", Some(unit)) => unit.to_string(),
            ("h", None) => continue,
            _ => label.clone(),
        };
        let key = (run.clone(), position.clone(), kind.clone(), default_label);
        assert_eq!(by_last.get(&key), Some(value), "{key:?}");
        compared += 1;
    }
    // 4 runs x 6 positions x (3 units + 4 logits + 4 probabilities).
    assert_eq!(compared, 4 * 6 * 11);
    // The first layer is a state of its own, not a copy of the second.
    let first = |run: &str| by_all[&(run.to_string(), "3".into(), "h".into(), "l1.h1".into())].clone();
    let second = |run: &str| by_all[&(run.to_string(), "3".into(), "h".into(), "l2.h1".into())].clone();
    let run = by_all.keys().next().unwrap().0.clone();
    assert_ne!(first(&run), second(&run));
    // The runs are the same runs: record options are not part of the run id.
    assert_eq!(
        std::fs::read_to_string(out_last.join("runs.csv"))
            .unwrap()
            .lines()
            .count(),
        std::fs::read_to_string(out_all.join("runs.csv"))
            .unwrap()
            .lines()
            .count()
    );
    let ids = |o: &std::path::Path| {
        csv_rows(&std::fs::read_to_string(o.join("runs.csv")).unwrap())
            .1
            .into_iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&out_last), ids(&out_all));
}

#[test]
fn an_unknown_record_layers_value_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(
        dir.path(),
        "bad.yaml",
        &format!("{EXPERIMENT}record:\n  layers: every\n"),
    );
    let out = dir.path().join("results");
    let run = sweep(&exp, &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains("bad.yaml:12") && stderr.contains("every"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());
}
