//! The `--jobs` worker protocol: a worker process sends its progress to the parent sweep as one
//! JSON object per line on stdout ([`WireEvent`], written by [`WireReporter`]); the parent's
//! [`Relay`] turns them back into the sweep's own [`Event`]s. The events carry the outcomes of
//! the runs that finished, so the parent computes every group's statistics without reading a
//! record from disk.

use super::progress::{Event, Reporter};
use crate::plan::Plan;
use crate::stats::{GroupStats, Outcome};
use std::time::Instant;

/// What a worker process sends its parent. Epochs are not sent (the parent shows runs done);
/// the worker's start and end lines are the parent's own.
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
    /// Runs of the group are stored: their outcomes, in the block's order.
    RunsFinished {
        group: usize,
        outcomes: Vec<Outcome>,
    },
}

/// The reporter of a `--jobs` worker process: wire events on stdout.
pub struct WireReporter;

impl Reporter for WireReporter {
    fn event(&mut self, event: &Event<'_>) {
        let wire = match event {
            Event::Packed { groups, runs } => WireEvent::Packed {
                groups: *groups,
                runs: *runs,
            },
            Event::GroupStarted { group, .. } => WireEvent::GroupStarted { group: group.index },
            Event::RunsFinished { group, outcomes } => WireEvent::RunsFinished {
                group: group.index,
                outcomes: outcomes.to_vec(),
            },
            _ => return,
        };
        let text = serde_json::to_string(&wire).expect("wire events encode");
        println!("{text}");
    }
}

/// The parent's side of `--jobs`: renders the workers' lines as the sweep's own progress. A
/// group cut into blocks over several workers is announced once, when its first block starts,
/// and summed up once, when its last block is done (from the outcomes its blocks sent); in
/// between, each finished block only advances the count of runs.
pub struct Relay<'p> {
    plan: &'p Plan,
    workers: usize,
    /// Per group: how many of its runs the workers train, the outcomes received so far, and
    /// when its first block started (its wall time runs from there).
    expected: Vec<usize>,
    outcomes: Vec<Vec<Outcome>>,
    started: Vec<Option<Instant>>,
}

impl<'p> Relay<'p> {
    /// `unfinished`: the runs the workers will train (indices into `plan.runs`).
    pub fn new(plan: &'p Plan, workers: usize, unfinished: &[usize]) -> Self {
        let mut expected = vec![0; plan.groups.len()];
        for &i in unfinished {
            expected[plan.runs[i].group] += 1;
        }
        Self {
            plan,
            workers,
            expected,
            outcomes: vec![Vec::new(); plan.groups.len()],
            started: vec![None; plan.groups.len()],
        }
    }

    /// One line written by worker `worker` (from 1).
    pub fn line(&mut self, worker: usize, text: &str, reporter: &mut dyn Reporter) {
        let groups = self.plan.groups.len();
        let workers = self.workers;
        let from_worker = |event: &Event<'_>, reporter: &mut dyn Reporter| {
            reporter.event(&Event::FromWorker { worker, workers, event })
        };
        match serde_json::from_str::<WireEvent>(text) {
            Ok(WireEvent::Packed { groups, runs }) => from_worker(&Event::Packed { groups, runs }, reporter),
            Ok(WireEvent::GroupStarted { group: g }) if g < groups => {
                if self.started[g].is_none() {
                    self.started[g] = Some(Instant::now());
                    let event = Event::GroupStarted {
                        group: &self.plan.groups[g],
                        runs: self.expected[g],
                        groups,
                    };
                    from_worker(&event, reporter);
                }
            }
            Ok(WireEvent::RunsFinished { group: g, outcomes }) if g < groups => {
                let group = &self.plan.groups[g];
                reporter.event(&Event::RunsFinished {
                    group,
                    outcomes: &outcomes,
                });
                let before = self.outcomes[g].len();
                self.outcomes[g].extend(outcomes);
                // Every run of the group is done: its line.
                if before < self.expected[g] && self.outcomes[g].len() >= self.expected[g] {
                    let event = Event::GroupFinished {
                        group,
                        groups,
                        stats: &GroupStats::of(&self.outcomes[g]),
                        seconds: self.started[g].map_or(0.0, |t| t.elapsed().as_secs_f64()),
                    };
                    from_worker(&event, reporter);
                }
            }
            _ => eprintln!("worker {worker}/{workers}: {text}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::progress::tests::{outcome, two_groups};
    use super::super::progress::LineReporter;
    use super::*;
    use crate::record::RunStatus;

    fn send(event: &WireEvent) -> String {
        serde_json::to_string(event).unwrap()
    }

    /// A group cut over two workers: announced once, summed up once from the outcomes both
    /// workers sent (no record is read: there is no results folder at all).
    #[test]
    fn relay_sums_up_a_group_cut_over_two_workers_from_the_wire() {
        let plan = two_groups();
        let mut relay = Relay::new(&plan, 2, &[0, 1, 2]);
        let mut reporter = LineReporter::new(Vec::new());
        let first = vec![outcome(RunStatus::Ok, 0.002, true)];
        let second = vec![outcome(RunStatus::Ok, 0.5, false), outcome(RunStatus::Ok, 0.004, true)];
        for (worker, event) in [
            (1, WireEvent::GroupStarted { group: 0 }),
            (2, WireEvent::GroupStarted { group: 0 }),
            (
                1,
                WireEvent::RunsFinished {
                    group: 0,
                    outcomes: first,
                },
            ),
            (
                2,
                WireEvent::RunsFinished {
                    group: 0,
                    outcomes: second,
                },
            ),
        ] {
            relay.line(worker, &send(&event), &mut reporter);
        }
        let text = String::from_utf8(reporter.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(
            lines[0],
            "worker 1/2: [1/2] training AbAcAd rnn(2) head=linear lr=0.1 epochs=5 on cpu (3 runs)"
        );
        // (The seconds are the relay's own wall time.)
        assert!(
            lines[1].starts_with("worker 2/2: [1/2] done in ")
                && lines[1].ends_with(" s: 2/3 succeeded, median final loss 0.00400"),
            "{text}"
        );
    }

    #[test]
    fn wire_events_round_trip_and_unknown_lines_are_not_events() {
        let event = WireEvent::RunsFinished {
            group: 1,
            outcomes: vec![outcome(RunStatus::Failed, f32::NAN, false)],
        };
        let text = send(&event);
        assert!(text.contains("\"status\":\"failed\""), "{text}");
        let back: WireEvent = serde_json::from_str(&text).unwrap();
        // NaN travels as the string "NaN" (JSON has no NaN) and comes back as NaN.
        match back {
            WireEvent::RunsFinished { group: 1, outcomes } => {
                assert!(outcomes[0].final_loss.is_nan() && outcomes[0].error == "cuda:0: no GPU")
            }
            other => panic!("{other:?}"),
        }
        assert!(serde_json::from_str::<WireEvent>("thread panicked").is_err());
    }
}
