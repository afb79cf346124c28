//! Progress: the sweep emits [`Event`]s, a [`Reporter`] renders them - an indicatif bar on a
//! terminal, plain lines otherwise (CI logs, pipes).

use crate::plan::GroupSpec;
use crate::record::{RunRecord, RunStatus};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

pub enum Event<'a> {
    SweepStarted {
        experiment: &'a str,
        runs: usize,
        groups: usize,
        out: &'a Path,
    },
    GroupStarted {
        group: &'a GroupSpec,
        groups: usize,
    },
    Epoch {
        group: &'a GroupSpec,
        epoch: usize,
    },
    GroupFinished {
        group: &'a GroupSpec,
        groups: usize,
        records: &'a [RunRecord],
        seconds: f64,
    },
    SweepFinished {
        records: &'a [RunRecord],
        seconds: f64,
    },
}

pub trait Reporter {
    fn event(&mut self, event: &Event<'_>);
}

/// The reporter that suits stderr: a bar on a terminal, lines otherwise.
pub fn for_stderr() -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() {
        Box::new(BarReporter::default())
    } else {
        Box::new(LineReporter)
    }
}

/// One line of a finished group: success count and median final loss.
pub fn group_summary(records: &[RunRecord]) -> String {
    let n = records.len();
    let ok = records.iter().filter(|r| r.succeeded()).count();
    let failed = records
        .iter()
        .filter(|r| r.status == RunStatus::Failed)
        .count();
    let diverged = records
        .iter()
        .filter(|r| r.status == RunStatus::Diverged)
        .count();
    let mut losses: Vec<f32> = records
        .iter()
        .map(|r| r.final_loss)
        .filter(|l| l.is_finite())
        .collect();
    losses.sort_by(f32::total_cmp);
    let median = if losses.is_empty() {
        "-".to_string()
    } else {
        format!("{:.4}", losses[losses.len() / 2])
    };
    let mut s = format!("{ok}/{n} succeeded, median final loss {median}");
    if diverged > 0 {
        s.push_str(&format!(", {diverged} diverged"));
    }
    if failed > 0 {
        let why = records
            .iter()
            .find(|r| r.status == RunStatus::Failed)
            .map(|r| r.error.as_str())
            .unwrap_or("");
        s.push_str(&format!(", {failed} FAILED: {why}"));
    }
    s
}

fn sweep_summary(records: &[RunRecord], seconds: f64) -> String {
    let ok = records.iter().filter(|r| r.succeeded()).count();
    let failed = records
        .iter()
        .filter(|r| r.status == RunStatus::Failed)
        .count();
    format!(
        "finished {} runs in {seconds:.1} s: {ok} succeeded (100% accuracy), {failed} failed",
        records.len()
    )
}

/// Plain lines on stderr, one per group start and end.
pub struct LineReporter;

impl Reporter for LineReporter {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::SweepStarted {
                experiment,
                runs,
                groups,
                out,
            } => {
                eprintln!(
                    "sweep {experiment}: {runs} runs in {groups} groups -> {}",
                    out.display()
                )
            }
            Event::GroupStarted { group, groups } => eprintln!(
                "[{}/{groups}] training {} ({} runs)",
                group.index + 1,
                group.label(),
                group.runs.len()
            ),
            Event::Epoch { .. } => {}
            Event::GroupFinished {
                group,
                groups,
                records,
                seconds,
            } => eprintln!(
                "[{}/{groups}] done in {seconds:.2} s: {}",
                group.index + 1,
                group_summary(records)
            ),
            Event::SweepFinished { records, seconds } => {
                eprintln!("{}", sweep_summary(records, *seconds))
            }
        }
    }
}

/// An indicatif bar over runs, with the current group and epoch as its message.
#[derive(Default)]
pub struct BarReporter {
    bar: Option<ProgressBar>,
}

impl Reporter for BarReporter {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::SweepStarted {
                experiment,
                runs,
                groups,
                out,
            } => {
                let bar = ProgressBar::new(*runs as u64);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{bar:30.cyan/blue} {pos}/{len} runs  {elapsed_precise} ETA {eta}  {msg}",
                    )
                    .expect("valid template"),
                );
                bar.enable_steady_tick(Duration::from_millis(200));
                bar.println(format!(
                    "sweep {experiment}: {runs} runs in {groups} groups -> {}",
                    out.display()
                ));
                self.bar = Some(bar);
            }
            Event::GroupStarted { group, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(group.label());
                }
            }
            Event::Epoch { group, epoch } => {
                if let Some(bar) = &self.bar {
                    if epoch % 10 == 0 || *epoch == group.epochs {
                        bar.set_message(format!(
                            "{}  epoch {epoch}/{}",
                            group.label(),
                            group.epochs
                        ));
                    }
                }
            }
            Event::GroupFinished {
                group,
                groups,
                records,
                seconds,
            } => {
                if let Some(bar) = &self.bar {
                    bar.println(format!(
                        "[{}/{groups}] {}: {} ({seconds:.2} s)",
                        group.index + 1,
                        group.label(),
                        group_summary(records)
                    ));
                    bar.inc(records.len() as u64);
                }
            }
            Event::SweepFinished { records, seconds } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{}", sweep_summary(records, *seconds));
            }
        }
    }
}
