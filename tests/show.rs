//! `sweeplab show` through the real binary: per-run rows with only the varying parameters,
//! aggregates per combination of `--by` columns, filters in the one grammar, sorting, the four
//! formats, and unknown columns refused (exit 2).

use std::path::{Path, PathBuf};

mod common;
use common::{csv_rows, sweep, sweeplab, write};

const EXP: &str = "name: s
datasets:
  - {name: d, cyclic: AbAcAd, repeat: 5}
grid:
  cell: [rnn, lstm]
  hidden: [2, 3]
  lr: 0.1
  epochs: 30
  seed: 0..3
";

fn swept() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let exp = write(dir.path(), "s.yaml", EXP);
    let out = dir.path().join("out");
    let output = sweep(&exp, &out).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (dir, out)
}

fn show(out: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = sweeplab().arg("show").arg(out).args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn per_run_rows_show_only_what_varies() {
    let (_dir, out) = swept();
    let (code, text, err) = show(&out, &["--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    let (header, rows) = csv_rows(&text);
    assert_eq!(
        header,
        [
            "run_id",
            "cell",
            "hidden",
            "seed",
            "final_loss",
            "accuracy",
            "success",
            "status",
            "epochs_to_success"
        ]
    );
    assert_eq!(rows.len(), 12);
    // The aligned table has the same rows, one line each, plus the header.
    let (_, table, _) = show(&out, &[]);
    assert_eq!(table.lines().count(), 13);
    // Piped: plain text, no colours.
    assert!(!table.contains('\x1b'), "{table}");
    assert!(table.lines().next().unwrap().starts_with("run_id"));
}

#[test]
fn groups_filters_sorting_and_formats() {
    let (_dir, out) = swept();
    let (code, text, err) = show(
        &out,
        &["--by", "cell,hidden", "--format", "csv", "--sort", "-median_final_loss"],
    );
    assert_eq!(code, Some(0), "{err}");
    let (header, rows) = csv_rows(&text);
    assert_eq!(header[..3], ["cell", "hidden", "n"]);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r[2] == "3"));
    let medians: Vec<f64> = rows
        .iter()
        .map(|r| {
            r[header.iter().position(|h| h == "median_final_loss").unwrap()]
                .parse()
                .unwrap()
        })
        .collect();
    assert!(medians.windows(2).all(|w| w[0] >= w[1]), "{medians:?}");

    let (_, text, _) = show(
        &out,
        &["--where", "cell=lstm", "--where", "hidden>=3", "--format", "csv"],
    );
    let (header, rows) = csv_rows(&text);
    assert_eq!(rows.len(), 3);
    // Only the seed varies among these rows.
    assert_eq!(header[..2], ["run_id", "seed"]);

    let (_, json, _) = show(&out, &["--by", "cell", "--format", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let groups = parsed.as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["n"], 6.0);
    assert!(groups[0]["cell"].is_string());

    let (_, md, _) = show(
        &out,
        &["--by", "hidden", "--columns", "hidden,successes", "--format", "md"],
    );
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "| hidden | successes |");
    assert_eq!(lines[1], "|---|---|");
    assert_eq!(lines.len(), 4);
}

#[test]
fn unknown_columns_and_bad_expressions_are_refused() {
    let (_dir, out) = swept();
    for (args, needle) in [
        (
            vec!["--by", "layer"],
            "unknown column 'layer' (expected one of dataset, cell",
        ),
        (vec!["--where", "cel=lstm"], "unknown column 'cel'"),
        (vec!["--sort", "loss"], "unknown column 'loss'"),
        (vec!["--where", "hidden>>3"], "--where"),
        (vec!["--format", "xml"], "--format xml: expected table, md, csv or json"),
        (
            vec!["--by", "cell", "--columns", "seed"],
            "column 'seed' is not in this view",
        ),
    ] {
        let (code, _, err) = show(&out, &args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// On a terminal (a pseudo-terminal from util-linux's `script`) the table is coloured: a bold
/// header, success rates green or red; `NO_COLOR` turns colours off.
#[test]
fn a_terminal_gets_colours() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let (_dir, out) = swept();
    let bin = assert_cmd::cargo::cargo_bin("sweeplab");
    let on_tty = |no_color: bool| {
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} show {} --by cell", bin.display(), out.display()),
            "/dev/null",
        ]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_tty(false);
    assert!(coloured.contains("\x1b[1mcell"), "{coloured:?}");
    assert!(
        coloured.contains("\x1b[32m") || coloured.contains("\x1b[31m"),
        "{coloured:?}"
    );
    assert!(!on_tty(true).contains('\x1b'));
}
