//! Drives a sweep: plan -> training of each group -> records -> files, with progress events.
//! Results are written after every group, so a failure or an interruption keeps what finished.

use crate::error::Result;
use crate::model::{init, ModelShape};
use crate::output::ResultsDir;
use crate::plan::Plan;
use crate::progress::{Event, Reporter};
use crate::record::RunRecord;
use crate::spec::ExperimentFile;
use crate::train::{self, TrainJob};
use std::time::Instant;

/// Runs every group of `plan`, writing into `results` as it goes. Returns the records in plan
/// order.
pub fn run(
    file: &ExperimentFile,
    plan: &Plan,
    results: &ResultsDir,
    reporter: &mut dyn Reporter,
) -> Result<Vec<RunRecord>> {
    let started = Instant::now();
    results.write_file("experiment.yaml", |out| {
        out.write_all(file.source.as_bytes())
    })?;
    results.write_file("resolved.yaml", |out| {
        let text = serde_yaml_ng::to_string(&file.experiment).map_err(std::io::Error::other)?;
        out.write_all(text.as_bytes())
    })?;
    reporter.event(&Event::SweepStarted {
        experiment: &plan.experiment,
        runs: plan.runs.len(),
        groups: plan.groups.len(),
        out: &results.path,
    });

    let mut done: Vec<Option<RunRecord>> = vec![None; plan.runs.len()];
    for group in &plan.groups {
        reporter.event(&Event::GroupStarted {
            group,
            groups: plan.groups.len(),
        });
        let data = &plan.datasets[&group.dataset];
        let shape = ModelShape {
            cell: group.cell,
            vocab: data.vocab.len(),
            hidden: group.hidden,
            head: group.head,
        };
        let seeds: Vec<u64> = group.runs.iter().map(|&i| plan.runs[i].seed).collect();
        let params = init::seeded(&shape, &seeds);
        let job = TrainJob {
            shape,
            lr: group.lr,
            epochs: group.epochs,
            data,
            init: &params,
            keep_positions: plan.record.positions,
        };
        let outcome = train::train_on(group.device, &job, &mut |epoch| {
            reporter.event(&Event::Epoch { group, epoch })
        });
        let positions = data.position_labels(plan.record.positions);
        let mut records = Vec::with_capacity(group.runs.len());
        let seconds = match outcome {
            Ok(result) => {
                let share = result.seconds / group.runs.len() as f64;
                for (&ri, replica) in group.runs.iter().zip(result.replicas) {
                    records.push(RunRecord::trained(
                        plan.runs[ri].clone(),
                        replica,
                        share,
                        positions.clone(),
                        data.vocab.clone(),
                    ));
                }
                result.seconds
            }
            Err(message) => {
                for &ri in &group.runs {
                    records.push(RunRecord::failed(plan.runs[ri].clone(), message.clone()));
                }
                0.0
            }
        };
        for (&ri, record) in group.runs.iter().zip(&records) {
            done[ri] = Some(record.clone());
        }
        let finished: Vec<RunRecord> = done.iter().flatten().cloned().collect();
        results.write_exports(&plan.experiment, &finished)?;
        reporter.event(&Event::GroupFinished {
            group,
            groups: plan.groups.len(),
            records: &records,
            seconds,
        });
    }
    let records: Vec<RunRecord> = done.into_iter().flatten().collect();
    crate::figures::draw_all(&results.path, &file.experiment.figures)?;
    reporter.event(&Event::SweepFinished {
        records: &records,
        seconds: started.elapsed().as_secs_f64(),
    });
    Ok(records)
}
