//! Progress: the sweep emits [`Event`]s, a [`Reporter`] renders them - an indicatif bar on a
//! terminal, plain lines otherwise (CI logs, pipes).

use crate::output::RecordStore;
use crate::plan::{GroupSpec, Plan};
use crate::record::{RunRecord, RunStatus};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

pub enum Event<'a> {
    SweepStarted {
        experiment: &'a str,
        runs: usize,
        /// Runs finished by an earlier invocation, skipped now.
        already_done: usize,
        groups: usize,
        out: &'a Path,
    },
    /// `groups` groups (`runs` runs) train together as one replica batch (a launch); a
    /// `GroupStarted` for each follows, and their `Epoch`s name the first.
    Packed {
        groups: usize,
        runs: usize,
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
    /// `runs` more runs are done (progress only: the groups' lines come with `GroupFinished`).
    RunsFinished {
        runs: usize,
    },
    /// `runs` runs of the group finished (the count of runs done advances with
    /// `RunsFinished`); `summary` is their [`group_summary`]; `seconds` the training time.
    GroupFinished {
        group: &'a GroupSpec,
        groups: usize,
        runs: usize,
        summary: &'a str,
        seconds: f64,
    },
    SweepFinished {
        records: &'a [RunRecord],
        trained_now: usize,
        seconds: f64,
    },
    /// An event of `--jobs` worker process `worker` (from 1) of `workers`, relayed by the
    /// sweep that started it ([`Relay`]).
    FromWorker {
        worker: usize,
        workers: usize,
        event: &'a Event<'a>,
    },
}

pub trait Reporter {
    fn event(&mut self, event: &Event<'_>);
}

/// The reporter for this process: in a `--jobs` worker, events on stdout for the parent sweep
/// to relay ([`WireReporter`]); else a bar on a terminal, lines otherwise.
pub fn for_stderr() -> Box<dyn Reporter> {
    if std::env::var_os(crate::workers::WORKER_ENV).is_some() {
        Box::new(WireReporter)
    } else if std::io::stderr().is_terminal() {
        Box::new(BarReporter::default())
    } else {
        Box::new(LineReporter)
    }
}

/// What a worker process sends its parent: one JSON object per line on stdout. Epochs are not
/// sent (the parent shows runs done); the worker's start and end lines are the parent's own.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireEvent {
    Packed {
        groups: usize,
        runs: usize,
    },
    /// A block of the group started (the parent announces the group with all its runs).
    GroupStarted {
        group: usize,
    },
    /// `runs` runs of the group are stored (the parent reads their records for the summary).
    GroupFinished {
        group: usize,
        runs: usize,
    },
}

/// The reporter of a `--jobs` worker process.
pub struct WireReporter;

impl Reporter for WireReporter {
    fn event(&mut self, event: &Event<'_>) {
        let wire = match event {
            Event::Packed { groups, runs } => WireEvent::Packed {
                groups: *groups,
                runs: *runs,
            },
            Event::GroupStarted { group, .. } => WireEvent::GroupStarted { group: group.index },
            Event::GroupFinished { group, runs, .. } => WireEvent::GroupFinished {
                group: group.index,
                runs: *runs,
            },
            _ => return,
        };
        let text = serde_json::to_string(&wire).expect("wire events encode");
        println!("{text}");
    }
}

/// The parent's side of `--jobs`: renders the workers' lines as the sweep's own progress. A
/// group cut into blocks over several workers is announced once, when its first block starts,
/// and summed up once, when its last block is done (from the stored records of all its runs);
/// in between, each finished block only advances the count of runs.
pub struct Relay<'p> {
    plan: &'p Plan,
    workers: usize,
    store: RecordStore,
    /// Per group: the runs the workers train (indices into `plan.runs`), how many are still
    /// to finish, and when its first block started (its wall time runs from there).
    runs: Vec<Vec<usize>>,
    remaining: Vec<usize>,
    started: Vec<Option<Instant>>,
}

impl<'p> Relay<'p> {
    /// `unfinished`: the runs the workers will train.
    pub fn new(plan: &'p Plan, workers: usize, results: &Path, unfinished: &[usize]) -> crate::error::Result<Self> {
        let mut runs = vec![Vec::new(); plan.groups.len()];
        for &i in unfinished {
            runs[plan.runs[i].group].push(i);
        }
        Ok(Self {
            plan,
            workers,
            store: RecordStore::open(results)?,
            remaining: runs.iter().map(Vec::len).collect(),
            started: vec![None; plan.groups.len()],
            runs,
        })
    }

    /// One line written by worker `worker` (from 1).
    pub fn line(&mut self, worker: usize, text: &str, reporter: &mut dyn Reporter) {
        let groups = self.plan.groups.len();
        let from_worker = |event: &Event<'_>, reporter: &mut dyn Reporter| {
            reporter.event(&Event::FromWorker {
                worker,
                workers: self.workers,
                event,
            })
        };
        match serde_json::from_str::<WireEvent>(text) {
            Ok(WireEvent::Packed { groups, runs }) => from_worker(&Event::Packed { groups, runs }, reporter),
            Ok(WireEvent::GroupStarted { group: g }) if g < groups => {
                if self.started[g].is_none() {
                    self.started[g] = Some(Instant::now());
                    let event = Event::GroupStarted {
                        group: &self.plan.groups[g],
                        runs: self.runs[g].len(),
                        groups,
                    };
                    from_worker(&event, reporter);
                }
            }
            Ok(WireEvent::GroupFinished { group: g, runs, .. }) if g < groups => {
                reporter.event(&Event::RunsFinished { runs });
                self.remaining[g] = self.remaining[g].saturating_sub(runs);
                if self.remaining[g] == 0 {
                    // Every run of the group is done: its line, from its records.
                    let records: Vec<RunRecord> = self.runs[g]
                        .iter()
                        .filter_map(|&i| self.store.load(&self.plan.runs[i].id))
                        .collect();
                    let event = Event::GroupFinished {
                        group: &self.plan.groups[g],
                        groups,
                        runs: records.len(),
                        summary: &group_summary(&records),
                        seconds: self.started[g].map_or(0.0, |t| t.elapsed().as_secs_f64()),
                    };
                    from_worker(&event, reporter);
                }
            }
            _ => eprintln!("worker {worker}/{}: {text}", self.workers),
        }
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
fn packed_line(groups: usize, runs: usize) -> String {
    format!("packing {groups} groups ({runs} runs) into one launch")
}

fn sweep_summary(records: &[RunRecord], trained_now: usize, seconds: f64) -> String {
    let ok = records.iter().filter(|r| r.succeeded()).count();
    let failed = records.iter().filter(|r| r.status == RunStatus::Failed).count();
    format!(
        "finished: {} runs ({trained_now} trained now, {seconds:.1} s): {ok} succeeded (100% accuracy), {failed} failed",
        records.len()
    )
}

/// Plain lines on stderr, one per group start and end. Lines relayed from `--jobs` workers
/// start with `worker I/N:`.
pub struct LineReporter;

impl LineReporter {
    /// The line of `event`, if it has one.
    fn text(event: &Event<'_>) -> Option<String> {
        Some(match event {
            Event::SweepStarted {
                experiment,
                runs,
                already_done,
                groups,
                out,
            } => start_line(experiment, *runs, *already_done, *groups, out),
            Event::Packed { groups, runs } => packed_line(*groups, *runs),
            Event::GroupStarted { group, runs, groups } => format!(
                "[{}/{groups}] training {} ({runs} runs)",
                group.index + 1,
                group.label()
            ),
            Event::Epoch { .. } | Event::RunsFinished { .. } => return None,
            Event::GroupFinished {
                group,
                groups,
                summary,
                seconds,
                ..
            } => format!("[{}/{groups}] done in {seconds:.2} s: {summary}", group.index + 1),
            Event::SweepFinished {
                records,
                trained_now,
                seconds,
            } => sweep_summary(records, *trained_now, *seconds),
            Event::FromWorker { worker, workers, event } => {
                format!("worker {worker}/{workers}: {}", Self::text(event)?)
            }
        })
    }
}

impl Reporter for LineReporter {
    fn event(&mut self, event: &Event<'_>) {
        if let Some(text) = Self::text(event) {
            eprintln!("{text}");
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
            Event::Packed { groups, runs } => {
                if let Some(bar) = &self.bar {
                    bar.println(packed_line(*groups, *runs));
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
                summary,
                seconds,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.println(format!(
                        "[{}/{groups}] {}: {summary} ({seconds:.2} s)",
                        group.index + 1,
                        group.label(),
                    ));
                }
            }
            Event::RunsFinished { runs } => {
                if let Some(bar) = &self.bar {
                    bar.inc(*runs as u64);
                }
            }
            // Workers' groups finish on the same bar; their starts are not shown (several run
            // at once).
            Event::FromWorker { event, .. } => match event {
                Event::GroupFinished { .. } | Event::Packed { .. } => self.event(event),
                _ => {}
            },
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
