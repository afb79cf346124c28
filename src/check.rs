//! `sweeplab check`: the experiment's `checks:` evaluated on a results folder's `runs.csv`,
//! optionally against a baseline folder. Exit 0 when everything passes, 1 when anything fails.

use crate::error::Result;
use crate::folder::{group_stats, ResultsFolder, RunRow};
use crate::spec::{ExperimentFile, Filter, Param, ParamValue, Seg};
use crate::stats::{fmt_loss, GroupStats};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    SuccessRate,
    Successes,
    MedianFinalLoss,
    MeanFinalLoss,
    MaxFinalLoss,
    MinFinalLoss,
    MeanAccuracy,
    MinAccuracy,
    MedianEpochsToSuccess,
    MedianValLoss,
    MeanValLoss,
    MaxValLoss,
    MinValLoss,
    MeanValAccuracy,
    MinValAccuracy,
}

impl Metric {
    const ALL: [Metric; 15] = [
        Metric::SuccessRate,
        Metric::Successes,
        Metric::MedianFinalLoss,
        Metric::MeanFinalLoss,
        Metric::MaxFinalLoss,
        Metric::MinFinalLoss,
        Metric::MeanAccuracy,
        Metric::MinAccuracy,
        Metric::MedianEpochsToSuccess,
        Metric::MedianValLoss,
        Metric::MeanValLoss,
        Metric::MaxValLoss,
        Metric::MinValLoss,
        Metric::MeanValAccuracy,
        Metric::MinValAccuracy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::SuccessRate => "success_rate",
            Metric::Successes => "successes",
            Metric::MedianFinalLoss => "median_final_loss",
            Metric::MeanFinalLoss => "mean_final_loss",
            Metric::MaxFinalLoss => "max_final_loss",
            Metric::MinFinalLoss => "min_final_loss",
            Metric::MeanAccuracy => "mean_accuracy",
            Metric::MinAccuracy => "min_accuracy",
            Metric::MedianEpochsToSuccess => "median_epochs_to_success",
            Metric::MedianValLoss => "median_val_loss",
            Metric::MeanValLoss => "mean_val_loss",
            Metric::MaxValLoss => "max_val_loss",
            Metric::MinValLoss => "min_val_loss",
            Metric::MeanValAccuracy => "mean_val_accuracy",
            Metric::MinValAccuracy => "min_val_accuracy",
        }
    }

    /// The metric of a group; `None` for a held-out metric of a group without `val`.
    pub fn value(self, s: &GroupStats) -> Option<f64> {
        let val = s.val.as_ref();
        Some(match self {
            Metric::MedianValLoss => val?.median_loss,
            Metric::MeanValLoss => val?.mean_loss,
            Metric::MaxValLoss => val?.max_loss,
            Metric::MinValLoss => val?.min_loss,
            Metric::MeanValAccuracy => val?.mean_accuracy,
            Metric::MinValAccuracy => val?.min_accuracy,
            other => other.of(s),
        })
    }

    /// A metric every group has (the held-out ones: NaN without `val`).
    pub fn of(self, s: &GroupStats) -> f64 {
        match self {
            Metric::SuccessRate => s.success_rate(),
            Metric::Successes => s.successes as f64,
            Metric::MedianFinalLoss => s.median_loss,
            Metric::MeanFinalLoss => s.mean_loss,
            Metric::MaxFinalLoss => s.max_loss,
            Metric::MinFinalLoss => s.min_loss,
            Metric::MeanAccuracy => s.mean_accuracy,
            Metric::MinAccuracy => s.min_accuracy,
            Metric::MedianEpochsToSuccess => s.median_epochs_to_success,
            held_out => held_out.value(s).unwrap_or(f64::NAN),
        }
    }

    /// Losses get worse upwards, success and accuracy downwards.
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Metric::MedianFinalLoss
                | Metric::MeanFinalLoss
                | Metric::MaxFinalLoss
                | Metric::MinFinalLoss
                | Metric::MedianValLoss
                | Metric::MeanValLoss
                | Metric::MaxValLoss
                | Metric::MinValLoss
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub label: String,
    /// The groups it applies to: `where:`, a filter of `=` conditions.
    pub selector: Filter,
    pub metric: Metric,
    pub op: Op,
    pub threshold: f64,
}

/// Parses the `checks:` section; errors name the file, line and field.
pub fn parse(file: &ExperimentFile) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    for (i, spec) in file.experiment.checks.iter().enumerate() {
        let at = |key: &'static str| [Seg::Key("checks"), Seg::Index(i), Seg::Key(key)];
        let parts: Vec<&str> = spec.require.split_whitespace().collect();
        let usage = "write `require: <metric> <op> <number>`, e.g. `median_final_loss <= 0.01`";
        let [metric, op, value] = parts[..] else {
            return Err(file.error_at(&at("require"), format!("cannot read '{}': {usage}", spec.require)));
        };
        let metric = Metric::ALL.into_iter().find(|m| m.name() == metric).ok_or_else(|| {
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
            file.error_at(
                &at("require"),
                format!("unknown metric '{metric}' (expected one of {})", names.join(", ")),
            )
        })?;
        let op = match op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => return Err(file.error_at(&at("require"), format!("unknown comparison '{op}' (use <, <=, >, >=)"))),
        };
        let threshold: f64 = value
            .parse()
            .map_err(|_| file.error_at(&at("require"), format!("'{value}' is not a number")))?;
        let mut selector = Vec::new();
        for (key, v) in &spec.selector {
            let path = [
                Seg::Key("checks"),
                Seg::Index(i),
                Seg::Key("where"),
                Seg::Key(key.as_str()),
            ];
            let param = Param::parse(key).ok_or_else(|| file.error_at(&path, format!("unknown parameter '{key}'")))?;
            let value = ParamValue::from_yaml(param, v).map_err(|m| file.error_at(&path, m))?;
            selector.push((param, value.canonical()));
        }
        let scope: Vec<String> = selector.iter().map(|(p, v)| format!("{}={v}", p.name())).collect();
        let selector = Filter::equal_to(selector.iter().map(|(p, v): &(Param, String)| (p.name(), v.clone())));
        let label = spec.name.clone().unwrap_or_else(|| {
            if scope.is_empty() {
                spec.require.clone()
            } else {
                format!("[{}] {}", scope.join(" "), spec.require)
            }
        });
        out.push(Check {
            label,
            selector,
            metric,
            op,
            threshold,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub check: String,
    pub group: String,
    pub value: Option<f64>,
    pub pass: bool,
    pub note: String,
}

fn matches(row: &RunRow, selector: &Filter) -> bool {
    selector.matches(&|key| row.column(key))
}

/// Evaluates `checks` on `current`, and with a baseline, every group's success rate and median
/// final loss against the baseline's same group (worse by more than `tolerance` fails).
pub fn evaluate(checks: &[Check], current: &ResultsFolder, baseline: Option<(&ResultsFolder, f64)>) -> Vec<Outcome> {
    let grouped = current.groups();
    let mut out = Vec::new();
    for check in checks {
        let mut any = false;
        for rows in grouped.iter().filter(|g| matches(g[0], &check.selector)) {
            any = true;
            let stats = group_stats(rows);
            let value = check.metric.value(&stats);
            out.push(Outcome {
                check: check.label.clone(),
                group: rows[0].group_key(),
                value,
                pass: value.is_some_and(|v| check.op.holds(v, check.threshold)),
                note: match value {
                    Some(_) => String::new(),
                    None => "the group holds out no validation split (`val`)".into(),
                },
            });
        }
        if !any {
            out.push(Outcome {
                check: check.label.clone(),
                group: "-".into(),
                value: None,
                pass: false,
                note: "no group matches `where`".into(),
            });
        }
    }
    if let Some((base, tolerance)) = baseline {
        let base_groups = base.groups();
        for rows in &grouped {
            let stats = group_stats(rows);
            let key = rows[0].group_key();
            let Some(base_rows) = base_groups.iter().find(|g| g[0].group_key() == key) else {
                continue;
            };
            let base_stats = group_stats(base_rows);
            for metric in [Metric::SuccessRate, Metric::MedianFinalLoss] {
                let (now, before) = (metric.of(&stats), metric.of(&base_stats));
                let worse_by = if metric.higher_is_better() {
                    before - now
                } else {
                    now - before
                };
                let pass = worse_by.is_nan() && now == before || worse_by <= tolerance;
                out.push(Outcome {
                    check: format!("{} vs baseline (tolerance {tolerance})", metric.name()),
                    group: key.clone(),
                    value: Some(now),
                    pass,
                    note: format!("baseline {}", fmt_loss(before)),
                });
            }
        }
    }
    out
}

/// The table `check` prints.
pub fn render(outcomes: &[Outcome]) -> String {
    let w_check = outcomes.iter().map(|o| o.check.len()).max().unwrap_or(5).max(5);
    let w_group = outcomes.iter().map(|o| o.group.len()).max().unwrap_or(5).max(5);
    let mut s = format!(
        "{:<w_check$}  {:<w_group$}  {:>10}  result\n",
        "check", "group", "value"
    );
    for o in outcomes {
        let value = o.value.map(fmt_loss).unwrap_or_else(|| "-".into());
        let mut line = format!(
            "{:<w_check$}  {:<w_group$}  {:>10}  {}",
            o.check,
            o.group,
            value,
            if o.pass { "PASS" } else { "FAIL" }
        );
        if !o.note.is_empty() {
            line.push_str(&format!("  ({})", o.note));
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    let failed = outcomes.iter().filter(|o| !o.pass).count();
    s.push_str(&format!(
        "{} checks, {} passed, {failed} failed\n",
        outcomes.len(),
        outcomes.len() - failed
    ));
    s
}
