//! Progress: the sweep emits [`Event`]s, a [`Reporter`] renders them - an indicatif bar on a
//! terminal, plain lines otherwise (CI logs, pipes).

use crate::launch::Launch;
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
        /// Runs finished by an earlier invocation, skipped now.
        already_done: usize,
        groups: usize,
        out: &'a Path,
    },
    /// The groups of `launch` train together as one replica batch; a `GroupStarted` for each
    /// follows, and their `Epoch`s name the first.
    Packed {
        launch: &'a Launch<'a>,
    },
    /// `runs` of the group's runs train now (the others finished earlier).
    GroupStarted {
        group: &'a GroupSpec,
        runs: usize,
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
        trained_now: usize,
        seconds: f64,
    },
}

pub trait Reporter {
    fn event(&mut self, event: &Event<'_>);
}

/// The reporter that suits stderr: a bar on a terminal, lines otherwise.
pub fn for_stderr() -> Box<dyn Reporter> {
    if std::io::stderr().is_terminal() && std::env::var_os(crate::workers::PLAIN_PROGRESS_ENV).is_none() {
        Box::new(BarReporter::default())
    } else {
        Box::new(LineReporter)
    }
}

/// One line of a finished group: success count and median final loss.
pub fn group_summary(records: &[RunRecord]) -> String {
    let n = records.len();
    let ok = records.iter().filter(|r| r.succeeded()).count();
    let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
    let diverged = records.iter().filter(|r| r.status == RunStatus::Diverged).count();
    let mut losses: Vec<f64> = records
        .iter()
        .map(|r| r.final_loss as f64)
        .filter(|l| l.is_finite())
        .collect();
    losses.sort_by(f64::total_cmp);
    let median = if losses.is_empty() {
        "-".to_string()
    } else {
        format!("{:.4}", crate::results::median_of_sorted(&losses))
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

fn start_line(experiment: &str, runs: usize, already_done: usize, groups: usize, out: &Path) -> String {
    let mut s = format!(
        "sweep {experiment}: {runs} runs in {groups} groups -> {}",
        out.display()
    );
    if already_done > 0 {
        s.push_str(&format!(" ({already_done} already finished, skipped)"));
    }
    s
}

/// The `GroupStarted` lines that follow name the groups.
fn packed_line(launch: &Launch<'_>) -> String {
    format!(
        "packing {} groups ({} runs) into one launch",
        launch.members.len(),
        launch.runs()
    )
}

fn sweep_summary(records: &[RunRecord], trained_now: usize, seconds: f64) -> String {
    let ok = records.iter().filter(|r| r.succeeded()).count();
    let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
    format!(
        "finished: {} runs ({trained_now} trained now, {seconds:.1} s): {ok} succeeded (100% accuracy), {failed} failed",
        records.len()
    )
}

/// Plain lines on stderr, one per group start and end. In a `--jobs` worker process each line
/// starts with `worker I/N:`, since the workers share the terminal.
pub struct LineReporter;

fn line(text: String) {
    match std::env::var(crate::workers::WORKER_ENV) {
        Ok(worker) => eprintln!("worker {worker}: {text}"),
        Err(_) => eprintln!("{text}"),
    }
}

impl Reporter for LineReporter {
    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::SweepStarted {
                experiment,
                runs,
                already_done,
                groups,
                out,
            } => line(start_line(experiment, *runs, *already_done, *groups, out)),
            Event::Packed { launch } => line(packed_line(launch)),
            Event::GroupStarted { group, runs, groups } => line(format!(
                "[{}/{groups}] training {} ({runs} runs)",
                group.index + 1,
                group.label()
            )),
            Event::Epoch { .. } => {}
            Event::GroupFinished {
                group,
                groups,
                records,
                seconds,
            } => line(format!(
                "[{}/{groups}] done in {seconds:.2} s: {}",
                group.index + 1,
                group_summary(records)
            )),
            Event::SweepFinished {
                records,
                trained_now,
                seconds,
            } => line(sweep_summary(records, *trained_now, *seconds)),
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
                already_done,
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
                bar.set_position(*already_done as u64);
                bar.enable_steady_tick(Duration::from_millis(200));
                bar.println(start_line(experiment, *runs, *already_done, *groups, out));
                self.bar = Some(bar);
            }
            Event::Packed { launch } => {
                if let Some(bar) = &self.bar {
                    bar.println(packed_line(launch));
                }
            }
            Event::GroupStarted { group, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(group.label());
                }
            }
            Event::Epoch { group, epoch } => {
                if let Some(bar) = &self.bar {
                    if epoch % 10 == 0 || *epoch == group.epochs {
                        bar.set_message(format!("{}  epoch {epoch}/{}", group.label(), group.epochs));
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
            Event::SweepFinished {
                records,
                trained_now,
                seconds,
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{}", sweep_summary(records, *trained_now, *seconds));
            }
        }
    }
}
