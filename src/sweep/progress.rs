//! Progress: the sweep emits [`Event`]s that carry their data (the group, the outcomes of the
//! runs that finished, the group's [`GroupStats`]); a [`Reporter`] renders them - an indicatif
//! bar on a terminal, plain lines otherwise (CI logs, pipes), wire events in a `--jobs` worker
//! (`super::wire`). Renderers compute nothing but text.

use crate::plan::GroupSpec;
use crate::stats::{GroupStats, Outcome};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

#[derive(Debug)]
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
    /// `GroupStarted` for each follows, and their `Epoch`s name the group that trains.
    Packed {
        groups: usize,
        runs: usize,
    },
    /// `runs` of the group's runs train now (the others finished earlier or train elsewhere).
    GroupStarted {
        group: &'a GroupSpec,
        runs: usize,
        groups: usize,
    },
    Epoch {
        group: &'a GroupSpec,
        epoch: usize,
    },
    /// Runs of the group finished (a block of it: the count of runs done advances); the
    /// group's line comes with `GroupFinished`.
    RunsFinished {
        group: &'a GroupSpec,
        outcomes: &'a [Outcome],
    },
    /// Every run of the group that trained now is done; `seconds` is its wall time.
    GroupFinished {
        group: &'a GroupSpec,
        groups: usize,
        stats: &'a GroupStats,
        seconds: f64,
    },
    SweepFinished {
        tally: SweepTally,
        trained_now: usize,
        seconds: f64,
    },
    /// An event of `--jobs` worker process `worker` (from 1) of `workers`, relayed by the
    /// sweep that started it (`super::wire::Relay`).
    FromWorker {
        worker: usize,
        workers: usize,
        event: &'a Event<'a>,
    },
}

/// The runs of a finished sweep, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepTally {
    pub runs: usize,
    /// Trained to a finite loss (`ok`), some of them to 100% accuracy (`succeeded`).
    pub ok: usize,
    pub succeeded: usize,
    pub diverged: usize,
    pub failed: usize,
}

impl SweepTally {
    pub fn of(records: &[crate::record::RunRecord]) -> Self {
        use crate::record::RunStatus;
        let count = |status: RunStatus| records.iter().filter(|r| r.status == status).count();
        Self {
            runs: records.len(),
            ok: count(RunStatus::Ok),
            succeeded: records.iter().filter(|r| r.succeeded()).count(),
            diverged: count(RunStatus::Diverged),
            failed: count(RunStatus::Failed),
        }
    }
}

pub trait Reporter {
    fn event(&mut self, event: &Event<'_>);
}

/// The reporter of a sweep that renders for a person: a bar on a terminal, lines otherwise.
pub fn for_stderr() -> Box<dyn Reporter> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        Box::new(BarReporter::default())
    } else {
        Box::new(LineReporter::new(std::io::stderr()))
    }
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

fn finished_line(tally: &SweepTally, trained_now: usize, seconds: f64) -> String {
    format!(
        "finished: {} runs ({trained_now} trained now, {seconds:.1} s): {} ok ({} at 100% accuracy), {} diverged, {} failed",
        tally.runs, tally.ok, tally.succeeded, tally.diverged, tally.failed
    )
}

/// Plain lines, one per group start and end, written to `W` (stderr, or a buffer in tests).
/// Lines relayed from `--jobs` workers start with `worker I/N:`.
pub struct LineReporter<W: Write> {
    out: W,
}

impl<W: Write> LineReporter<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

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
                stats,
                seconds,
            } => format!(
                "[{}/{groups}] done in {seconds:.2} s: {}",
                group.index + 1,
                stats.summary()
            ),
            Event::SweepFinished {
                tally,
                trained_now,
                seconds,
            } => finished_line(tally, *trained_now, *seconds),
            Event::FromWorker { worker, workers, event } => {
                format!("worker {worker}/{workers}: {}", Self::text(event)?)
            }
        })
    }
}

impl<W: Write> Reporter for LineReporter<W> {
    fn event(&mut self, event: &Event<'_>) {
        if let Some(text) = Self::text(event) {
            // The reader went away (`sweeplab sweep ... 2>&1 | head`): stop quietly, as a tool
            // killed by SIGPIPE would; every finished run is already stored. Other write
            // errors (a full disk under a redirected stderr) must not stop the training.
            if let Err(e) = writeln!(self.out, "{text}") {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    std::process::exit(crate::error::EXIT_BROKEN_PIPE);
                }
            }
        }
    }
}

/// An indicatif bar over runs, with the current group and epoch as its message.
#[derive(Default)]
pub struct BarReporter {
    bar: Option<ProgressBar>,
}

impl BarReporter {
    fn println(&self, line: String) {
        if let Some(bar) = &self.bar {
            bar.println(line);
        }
    }
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
            Event::Packed { groups, runs } => self.println(packed_line(*groups, *runs)),
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
                stats,
                seconds,
            } => self.println(format!(
                "[{}/{groups}] {}: {} ({seconds:.2} s)",
                group.index + 1,
                group.label(),
                stats.summary()
            )),
            Event::RunsFinished { outcomes, .. } => {
                if let Some(bar) = &self.bar {
                    bar.inc(outcomes.len() as u64);
                }
            }
            // Workers' groups finish on the same bar; their starts are not shown (several run
            // at once).
            Event::FromWorker { event, .. } => match event {
                Event::GroupFinished { .. } | Event::Packed { .. } | Event::RunsFinished { .. } => self.event(event),
                _ => {}
            },
            Event::SweepFinished {
                tally,
                trained_now,
                seconds,
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{}", finished_line(tally, *trained_now, *seconds));
            }
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::plan::{self, Plan};
    use crate::record::RunStatus;
    use crate::spec::ExperimentFile;

    /// A plan of two groups (RNN 2 and 3 on AbAcAd, seeds 0..3).
    pub(crate) fn two_groups() -> Plan {
        let yaml = "name: demo\ndatasets:\n  - {name: AbAcAd, cyclic: AbAcAd, repeat: 2}\ngrid: {cell: rnn, hidden: [2, 3], seed: 0..3, lr: 0.1, epochs: 5}\n";
        let file = ExperimentFile::from_source(Path::new("demo.yaml"), yaml.into()).unwrap();
        plan::build(&file).unwrap()
    }

    pub(crate) fn outcome(status: RunStatus, final_loss: f32, success: bool) -> Outcome {
        Outcome {
            status,
            final_loss,
            accuracy: if success { 1.0 } else { 0.5 },
            success,
            train_seconds: 0.1,
            error: if status == RunStatus::Failed {
                "cuda:0: no GPU".into()
            } else {
                String::new()
            },
            epochs_to_success: None,
            val_loss: None,
            val_accuracy: None,
        }
    }

    pub(crate) fn lines(events: &[Event<'_>]) -> String {
        let mut reporter = LineReporter::new(Vec::new());
        for event in events {
            reporter.event(event);
        }
        String::from_utf8(reporter.into_inner()).unwrap()
    }

    #[test]
    fn line_reporter_writes_exactly_these_lines() {
        let plan = two_groups();
        let group = &plan.groups[0];
        let outcomes = [
            outcome(RunStatus::Ok, 0.002, true),
            outcome(RunStatus::Diverged, f32::NAN, false),
            outcome(RunStatus::Failed, f32::NAN, false),
        ];
        let stats = GroupStats::of(&outcomes);
        let finished = Event::GroupFinished {
            group,
            groups: 2,
            stats: &stats,
            seconds: 0.5,
        };
        let text = lines(&[
            Event::SweepStarted {
                experiment: "demo",
                runs: 6,
                already_done: 3,
                groups: 2,
                out: Path::new("results/demo"),
            },
            Event::Packed { groups: 2, runs: 6 },
            Event::GroupStarted {
                group,
                runs: 3,
                groups: 2,
            },
            Event::Epoch { group, epoch: 1 },
            Event::RunsFinished {
                group,
                outcomes: &outcomes,
            },
            Event::GroupFinished {
                group,
                groups: 2,
                stats: &stats,
                seconds: 0.5,
            },
            Event::FromWorker {
                worker: 2,
                workers: 3,
                event: &finished,
            },
            Event::SweepFinished {
                tally: SweepTally {
                    runs: 6,
                    ok: 4,
                    succeeded: 1,
                    diverged: 1,
                    failed: 1,
                },
                trained_now: 3,
                seconds: 1.34,
            },
        ]);
        assert_eq!(
            text,
            "sweep demo: 6 runs in 2 groups -> results/demo (3 already finished, skipped)\n\
             packing 2 groups (6 runs) into one launch\n\
             [1/2] training AbAcAd rnn(2) head=linear lr=0.1 epochs=5 on cpu (3 runs)\n\
             [1/2] done in 0.50 s: 1/3 succeeded, median final loss inf, 1 diverged, 1 FAILED: cuda:0: no GPU\n\
             worker 2/3: [1/2] done in 0.50 s: 1/3 succeeded, median final loss inf, 1 diverged, 1 FAILED: cuda:0: no GPU\n\
             finished: 6 runs (3 trained now, 1.3 s): 4 ok (1 at 100% accuracy), 1 diverged, 1 failed\n"
        );
    }
}
