//! `sweeplab show`: the table questions about a results folder, answered from its runs.csv (not
//! the records, so it stays fast on 100,000 runs): per-run rows or per-group aggregates over
//! chosen axes, filtered with the one filter grammar (`crate::spec::Filter`), sorted, with
//! only the parameter columns that vary by default, as an aligned table, Markdown, CSV or JSON.

use crate::error::{Error, Result};
use crate::folder::{group_stats, ResultsFolder, RunRow};
use crate::spec::{Filter, PARAMS};
use crate::stats::fmt_loss;
use std::io::Write;

/// How `show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Markdown,
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "table" => Some(Format::Table),
            "md" => Some(Format::Markdown),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// What to show.
#[derive(Debug, Clone)]
pub struct ShowOptions {
    /// Group by these columns (empty: one row per run).
    pub by: Vec<String>,
    pub filter: Filter,
    /// A column, `-column` for descending.
    pub sort: Option<String>,
    /// Exactly these columns, in this order (default: the varying parameters and the results).
    pub columns: Option<Vec<String>>,
    pub format: Format,
}

/// The result columns of a per-run row.
const RUN_RESULTS: [&str; 5] = ["final_loss", "accuracy", "success", "status", "epochs_to_success"];
/// Every other per-run column a filter or `--columns` may name.
const RUN_OTHERS: [&str; 8] = [
    "run_id",
    "group",
    "experiment",
    "train_seconds",
    "error",
    "stopped_epoch",
    "val_final_loss",
    "val_accuracy",
];
/// The aggregate columns of a per-group row.
const GROUP_RESULTS: [&str; 8] = [
    "n",
    "successes",
    "success_rate",
    "wilson_low",
    "wilson_high",
    "median_final_loss",
    "mean_final_loss",
    "median_epochs_to_success",
];

/// A table: its header and its rows of text cells.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// The table `options` asks of the results folder `dir`, ready for [`render`].
pub fn table(dir: &std::path::Path, options: &ShowOptions) -> Result<Table> {
    let folder = ResultsFolder::open(dir)?;
    let run_columns: Vec<&str> = PARAMS
        .iter()
        .map(|d| d.name)
        .chain(RUN_RESULTS)
        .chain(RUN_OTHERS)
        .collect();
    let known = |name: &str, extra: &[&str]| run_columns.contains(&name) || extra.contains(&name);
    let unknown = |name: &str, extra: &[&str]| {
        let mut expected = run_columns.clone();
        expected.extend_from_slice(extra);
        Error::Other(format!(
            "unknown column '{name}' (expected one of {})",
            expected.join(", ")
        ))
    };
    for key in options.filter.keys().chain(options.by.iter().map(String::as_str)) {
        if !known(key, &[]) {
            return Err(unknown(key, &[]));
        }
    }
    let rows: Vec<&RunRow> = folder
        .runs
        .iter()
        .filter(|r| options.filter.matches(&|k| r.column(k)))
        .collect();
    let mut table = if options.by.is_empty() {
        per_run(&rows)
    } else {
        per_group(&rows, &options.by)
    };
    let extra: &[&str] = if options.by.is_empty() { &[] } else { &GROUP_RESULTS };
    if let Some(columns) = &options.columns {
        let cells = |name: &str| table.header.iter().position(|h| h == name);
        let mut picked = Vec::new();
        for name in columns {
            match cells(name) {
                Some(i) => picked.push(i),
                None if known(name, extra) => {
                    return Err(Error::Other(format!(
                        "column '{name}' is not in this view; with --by, a per-run column must be one of the --by axes"
                    )))
                }
                None => return Err(unknown(name, extra)),
            }
        }
        table = Table {
            header: picked.iter().map(|&i| table.header[i].clone()).collect(),
            rows: table
                .rows
                .iter()
                .map(|r| picked.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        };
    }
    if let Some(key) = &options.sort {
        let (name, descending) = key.strip_prefix('-').map_or((key.as_str(), false), |k| (k, true));
        let i = table
            .header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| unknown(name, extra))?;
        table.rows.sort_by(|a, b| {
            let order = compare_cells(&a[i], &b[i]);
            if descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    Ok(table)
}

/// Numbers by value (`inf` and `NaN` last), other text alphabetically.
fn compare_cells(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => {
            let key = |v: f64| (v.is_nan(), v);
            let (kx, ky) = (key(x), key(y));
            kx.0.cmp(&ky.0).then(kx.1.total_cmp(&ky.1))
        }
        _ => a.cmp(b),
    }
}

/// One row per run: its id, the parameters that vary among `rows`, its results.
fn per_run(rows: &[&RunRow]) -> Table {
    let varying: Vec<&str> = PARAMS
        .iter()
        .filter(|d| rows.iter().any(|r| r.value(d.param) != rows[0].value(d.param)))
        .map(|d| d.name)
        .collect();
    let header: Vec<String> = std::iter::once("run_id")
        .chain(varying.iter().copied())
        .chain(RUN_RESULTS)
        .map(String::from)
        .collect();
    let rows = rows
        .iter()
        .map(|r| header.iter().map(|h| r.column(h).unwrap_or_default()).collect())
        .collect();
    Table { header, rows }
}

/// One row per combination of the `by` columns (in order of first appearance) with the
/// statistics of its runs (the one median rule of `crate::stats`).
fn per_group(rows: &[&RunRow], by: &[String]) -> Table {
    let mut groups: Vec<(Vec<String>, Vec<&RunRow>)> = Vec::new();
    let mut index: std::collections::HashMap<Vec<String>, usize> = Default::default();
    for &r in rows {
        let key: Vec<String> = by.iter().map(|c| r.column(c).unwrap_or_default()).collect();
        let i = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(r);
    }
    let header = by
        .iter()
        .cloned()
        .chain(GROUP_RESULTS.iter().map(|s| s.to_string()))
        .collect();
    let rows = groups
        .into_iter()
        .map(|(key, runs)| {
            let s = group_stats(&runs);
            let epochs = crate::stats::fmt_epochs(s.median_epochs_to_success);
            key.into_iter()
                .chain([
                    s.n.to_string(),
                    s.successes.to_string(),
                    format!("{:.3}", s.success_rate()),
                    format!("{:.3}", s.wilson.0),
                    format!("{:.3}", s.wilson.1),
                    fmt_loss(s.median_loss),
                    fmt_loss(s.mean_loss),
                    epochs,
                ])
                .collect()
        })
        .collect();
    Table { header, rows }
}

/// The ANSI colour of a cell on a terminal: green for success, red for failure.
fn paint(column: &str, cell: &str) -> Option<&'static str> {
    match (column, cell) {
        ("status", "ok") | ("success", "true") => Some("32"),
        ("status", _) | ("success", "false") => Some("31"),
        ("success_rate", rate) => rate.parse::<f64>().ok().map(|r| if r >= 0.5 { "32" } else { "31" }),
        _ => None,
    }
}

/// Prints `table` in `format`; `colour`: an aligned table for a terminal (bold header, statuses
/// and success rates coloured), plain otherwise.
pub fn render(table: &Table, format: Format, colour: bool, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&table.header)?;
            for row in &table.rows {
                w.write_record(row)?;
            }
            w.flush()
        }
        Format::Json => {
            let rows: Vec<serde_json::Value> = table
                .rows
                .iter()
                .map(|row| {
                    let fields = table.header.iter().zip(row).map(|(h, v)| (h.clone(), json_cell(v)));
                    serde_json::Value::Object(fields.collect())
                })
                .collect();
            // Serialised first, so that a write error keeps its kind (a closed pipe).
            let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::other)?;
            writeln!(out, "{text}")
        }
        Format::Markdown => {
            writeln!(out, "| {} |", table.header.join(" | "))?;
            writeln!(out, "|{}", "---|".repeat(table.header.len()))?;
            for row in &table.rows {
                writeln!(out, "| {} |", row.join(" | "))?;
            }
            Ok(())
        }
        Format::Table => {
            let widths: Vec<usize> = (0..table.header.len())
                .map(|i| {
                    std::iter::once(&table.header[i])
                        .chain(table.rows.iter().map(|r| &r[i]))
                        .map(|c| c.chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            // Padding is computed on the plain text; colours wrap the padded cell.
            let line = |cells: &[String], header: bool| {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .zip(&table.header)
                    .map(|((c, &w), h)| {
                        let cell = format!("{c:<w$}");
                        match (colour, header, paint(h, c)) {
                            (true, true, _) => format!("\x1b[1m{cell}\x1b[0m"),
                            (true, false, Some(code)) => format!("\x1b[{code}m{cell}\x1b[0m"),
                            _ => cell,
                        }
                    })
                    .collect();
                padded.join("  ").trim_end().to_string()
            };
            writeln!(out, "{}", line(&table.header, true))?;
            for row in &table.rows {
                writeln!(out, "{}", line(row, false))?;
            }
            Ok(())
        }
    }
}

/// A cell as JSON: a finite number as a number, anything else (text, `inf`, empty) as text.
fn json_cell(text: &str) -> serde_json::Value {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => {
            serde_json::Number::from_f64(x).map_or_else(|| text.into(), serde_json::Value::Number)
        }
        _ => text.into(),
    }
}
