//! Reads a results folder's `runs.csv`, `curves.csv` and `states.csv` back into the shapes the
//! figures need. Columns are found by header name, so an added column does not break figures;
//! a missing file, column or unparsable value is an [`Error`] naming the file (and line).

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// One row of `runs.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub run_id: String,
    pub group: usize,
    pub dataset: String,
    pub cell: String,
    pub hidden: usize,
    pub seed: u64,
    pub device: String,
    pub epochs: u64,
    /// As written in the CSV, so titles show the value the user typed.
    pub lr: String,
    pub head: String,
    pub final_loss: f64,
    pub accuracy: f64,
    pub success: bool,
    /// `ok`, `diverged` or `failed`.
    pub status: String,
}

/// What one run's model computed at one position (one row of the state-grid heat map).
#[derive(Debug, Clone, PartialEq)]
pub struct PositionStates {
    pub input: String,
    pub target: String,
    pub h: Vec<f64>,
    pub logits: Vec<f64>,
    pub probs: Vec<f64>,
}

/// The recorded positions of one run, plus the vocabulary order of its logits/probabilities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunStates {
    pub positions: Vec<PositionStates>,
    pub vocab: Vec<String>,
}

/// Everything the figures read from one results folder. Maps are ordered (BTreeMap) so that
/// nothing drawn depends on hashing order.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The experiment name (from runs.csv).
    pub experiment: String,
    pub runs: Vec<Run>,
    /// Loss per epoch (epoch 1 first), by run id.
    pub curves: BTreeMap<String, Vec<f64>>,
    pub states: BTreeMap<String, RunStates>,
}

/// The runs that differ only in their seed (one `group` value of runs.csv), sorted by seed.
#[derive(Debug, Clone)]
pub struct Group<'a> {
    pub index: usize,
    pub runs: Vec<&'a Run>,
}

impl Group<'_> {
    pub fn first(&self) -> &Run {
        self.runs[0]
    }
    pub fn cell(&self) -> &str {
        &self.first().cell
    }
    pub fn successes(&self) -> usize {
        self.runs.iter().filter(|r| r.success).count()
    }
    /// Median final loss over the runs that have a finite one (`NaN` if none has).
    pub fn median_loss(&self) -> f64 {
        let mut losses: Vec<f64> = self
            .runs
            .iter()
            .map(|r| r.final_loss)
            .filter(|l| l.is_finite())
            .collect();
        losses.sort_by(f64::total_cmp);
        crate::results::median_of_sorted(&losses)
    }
    /// A file-name stem for this group's figures: `00_AbAcAd_rnn2`.
    pub fn file_stem(&self) -> String {
        let r = self.first();
        let dataset: String = r
            .dataset
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        format!("{:02}_{}_{}{}", self.index, dataset, r.cell, r.hidden)
    }
}

impl Results {
    pub fn load(dir: &Path) -> Result<Self> {
        let (experiment, runs) = read_runs(&dir.join("runs.csv"))?;
        let curves = read_curves(&dir.join("curves.csv"))?;
        let states = read_states(&dir.join("states.csv"))?;
        Ok(Self {
            experiment,
            runs,
            curves,
            states,
        })
    }

    /// The seed groups in group order, each with its runs sorted by seed.
    pub fn groups(&self) -> Vec<Group<'_>> {
        let mut by_index: BTreeMap<usize, Vec<&Run>> = BTreeMap::new();
        for run in &self.runs {
            by_index.entry(run.group).or_default().push(run);
        }
        by_index
            .into_iter()
            .map(|(index, mut runs)| {
                runs.sort_by(|a, b| a.seed.cmp(&b.seed).then(a.run_id.cmp(&b.run_id)));
                Group { index, runs }
            })
            .collect()
    }
}

/// A CSV opened with its header resolved, yielding records with their line numbers.
struct Table {
    path: std::path::PathBuf,
    reader: csv::Reader<std::fs::File>,
    header: csv::StringRecord,
}

impl Table {
    fn open(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, "read", e))?;
        let mut reader = csv::Reader::from_reader(file);
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            header,
        })
    }

    /// Indices of `names` in the header, or an error naming the first missing column.
    fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self
                .header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| Error::config(&self.path, Some(1), None, format!("missing column `{name}`")))?;
        }
        Ok(out)
    }

    /// Calls `row` for every record with a cell getter that parses and reports bad values.
    fn for_each(&mut self, mut row: impl FnMut(&Cells) -> Result<()>) -> Result<()> {
        for record in self.reader.records() {
            let record = record.map_err(|e| csv_error(&self.path, e))?;
            let line = record.position().map(|p| p.line() as usize);
            row(&Cells {
                path: &self.path,
                header: &self.header,
                record: &record,
                line,
            })?;
        }
        Ok(())
    }
}

struct Cells<'a> {
    path: &'a Path,
    header: &'a csv::StringRecord,
    record: &'a csv::StringRecord,
    line: Option<usize>,
}

impl Cells<'_> {
    fn text(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("")
    }

    fn parse<T: std::str::FromStr>(&self, column: usize) -> Result<T> {
        let text = self.text(column);
        text.trim().parse().map_err(|_| {
            let name = self.header.get(column).unwrap_or("?");
            Error::config(
                self.path,
                self.line,
                Some(name),
                format!("cannot read `{text}` as a {}", std::any::type_name::<T>()),
            )
        })
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, "read", io),
        kind => Error::config(path, line, None, format!("not a valid CSV file: {kind:?}")),
    }
}

fn read_runs(path: &Path) -> Result<(String, Vec<Run>)> {
    let mut table = Table::open(path)?;
    let [id, experiment, group, dataset, cell, hidden, seed, device, epochs, lr, head, loss, acc, success, status] =
        table.columns([
            "run_id",
            "experiment",
            "group",
            "dataset",
            "cell",
            "hidden",
            "seed",
            "device",
            "epochs",
            "lr",
            "head",
            "final_loss",
            "accuracy",
            "success",
            "status",
        ])?;
    let mut name = String::new();
    let mut runs = Vec::new();
    table.for_each(|c| {
        name = c.text(experiment).to_string();
        runs.push(Run {
            run_id: c.text(id).to_string(),
            group: c.parse(group)?,
            dataset: c.text(dataset).to_string(),
            cell: c.text(cell).to_string(),
            hidden: c.parse(hidden)?,
            seed: c.parse(seed)?,
            device: c.text(device).to_string(),
            epochs: c.parse(epochs)?,
            lr: c.text(lr).to_string(),
            head: c.text(head).to_string(),
            final_loss: c.parse(loss)?,
            accuracy: c.parse(acc)?,
            success: c.parse(success)?,
            status: c.text(status).to_string(),
        });
        Ok(())
    })?;
    Ok((name, runs))
}

fn read_curves(path: &Path) -> Result<BTreeMap<String, Vec<f64>>> {
    let mut table = Table::open(path)?;
    let [id, epoch, loss] = table.columns(["run_id", "epoch", "loss"])?;
    let mut curves: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    table.for_each(|c| {
        let e: usize = c.parse(epoch)?;
        let value: f64 = c.parse(loss)?;
        if e == 0 {
            return Err(Error::config(c.path, c.line, Some("epoch"), "epochs count from 1"));
        }
        let curve = curves.entry(c.text(id).to_string()).or_default();
        if curve.len() < e {
            curve.resize(e, f64::NAN);
        }
        curve[e - 1] = value;
        Ok(())
    })?;
    Ok(curves)
}

fn read_states(path: &Path) -> Result<BTreeMap<String, RunStates>> {
    let mut table = Table::open(path)?;
    let [id, position, input, target, kind, index, label, value] = table.columns([
        "run_id", "position", "input", "target", "kind", "index", "label", "value",
    ])?;
    let mut states: BTreeMap<String, RunStates> = BTreeMap::new();
    table.for_each(|c| {
        let p: usize = c.parse(position)?;
        let i: usize = c.parse(index)?;
        let v: f64 = c.parse(value)?;
        let run = states.entry(c.text(id).to_string()).or_default();
        while run.positions.len() <= p {
            run.positions.push(PositionStates {
                input: String::new(),
                target: String::new(),
                h: Vec::new(),
                logits: Vec::new(),
                probs: Vec::new(),
            });
        }
        let pos = &mut run.positions[p];
        pos.input = c.text(input).to_string();
        pos.target = c.text(target).to_string();
        let column = match c.text(kind) {
            "h" => &mut pos.h,
            "logit" => &mut pos.logits,
            "prob" => {
                if run.vocab.len() <= i {
                    run.vocab.resize(i + 1, String::new());
                }
                run.vocab[i] = c.text(label).to_string();
                &mut pos.probs
            }
            other => {
                return Err(Error::config(
                    c.path,
                    c.line,
                    Some("kind"),
                    format!("unknown kind `{other}` (expected h, logit or prob)"),
                ))
            }
        };
        if column.len() <= i {
            column.resize(i + 1, f64::NAN);
        }
        column[i] = v;
        Ok(())
    })?;
    Ok(states)
}
