//! Whether a configuration's data options (`batch`, `bptt`, `val`) fit its dataset: the checks
//! that need the resolved data.

use crate::data::{Dataset, Targets};
use crate::spec::{ModelOptions, Param};

/// The first option that does not fit dataset `name`, with why.
pub(super) fn data_problem(model: &ModelOptions, ds: &Dataset, name: &str) -> Option<(Param, String)> {
    let many_to_one = matches!(ds.targets, Targets::LastStep(_));
    if model.bptt.is_some() && many_to_one {
        let why = format!("bptt cuts a sequence into windows, and '{name}' is many-to-one sentences data");
        return Some((Param::Bptt, why));
    }
    let batch = model.batch;
    if batch > 1 && many_to_one {
        let why = format!("batch cuts a sequence into streams, and '{name}' is many-to-one sentences data");
        return Some((Param::Batch, why));
    }
    if batch > ds.positions() {
        let why = format!(
            "batch {batch} leaves no position per stream: '{name}' has {} positions",
            ds.positions()
        );
        return Some((Param::Batch, why));
    }
    if model.val == 0.0 {
        return None;
    }
    if many_to_one {
        let why = format!("val holds out the last positions of a sequence, and '{name}' is many-to-one sentences data");
        return Some((Param::Val, why));
    }
    let streams = if batch > 1 { ds.streams(batch) } else { ds.clone() };
    let steps = streams.steps();
    let held = streams.held_out_steps(model.val);
    let what = if batch > 1 {
        format!("the {batch} streams of '{name}' ({steps} positions each)")
    } else {
        format!("'{name}' ({steps} positions)")
    };
    if held == 0 {
        return Some((Param::Val, format!("val {} holds out no position of {what}", model.val)));
    }
    if held == steps {
        return Some((
            Param::Val,
            format!("val {} leaves no position to train on in {what}", model.val),
        ));
    }
    None
}
