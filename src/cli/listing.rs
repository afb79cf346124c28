//! `sweeplab plan`'s listing on stdout: one header comment, the packed launches, then one CSV
//! row per run.

use crate::plan::Plan;
use crate::spec::Param;

/// The reader of our stdout has gone; the csv writer wraps that io error in its own.
pub(super) fn is_broken_pipe(e: &std::io::Error) -> bool {
    let wrapped = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<csv::Error>())
        .is_some_and(|c| matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe));
    e.kind() == std::io::ErrorKind::BrokenPipe || wrapped
}

pub(super) fn write_plan_listing(plan: &Plan) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# {}: {} runs in {} groups (runs of a group train together as one replica-batched model)",
        plan.experiment,
        plan.runs.len(),
        plan.groups.len()
    )?;
    let blocks = crate::schedule::Block::whole_groups(plan);
    let launches = crate::schedule::pack(plan, blocks.iter().map(|b| (b, b.runs.clone())).collect());
    for launch in launches.iter().filter(|l| l.members.len() > 1) {
        let groups: Vec<String> = launch.members.iter().map(|(g, _)| g.index.to_string()).collect();
        writeln!(
            out,
            "# groups {} (the group column) train as one launch (op by op, same shapes: packed into one replica batch)",
            groups.join(", ")
        )?;
    }
    let mut w = csv::Writer::from_writer(&mut out);
    let mut header = vec!["index", "run_id", "group"];
    header.extend(Param::ALL.iter().map(|p| p.name()));
    w.write_record(&header)?;
    // A group's cells are the same for each of its runs but the seed's: rendered once per
    // stretch of runs of one group.
    let mut cells: (usize, Vec<String>) = (usize::MAX, Vec::new());
    for (i, run) in plan.runs.iter().enumerate() {
        if cells.0 != run.group {
            let g = &plan.groups[run.group];
            cells = (
                run.group,
                Param::ALL
                    .iter()
                    .map(|&p| g.value(p).map(|v| v.canonical()).unwrap_or_default())
                    .collect(),
            );
        }
        w.write_field(i.to_string())?;
        w.write_field(&run.id)?;
        w.write_field(run.group.to_string())?;
        for (&p, cell) in Param::ALL.iter().zip(&cells.1) {
            match p {
                Param::Seed => w.write_field(run.seed.to_string())?,
                _ => w.write_field(cell)?,
            }
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}
