//! Where a parameter is written in the experiment file, for errors about it.

use crate::spec::{Axes, Param, Seg};

pub(super) fn locate_param(zip: &[Axes], param: Param) -> Vec<Seg<'static>> {
    for (i, block) in zip.iter().enumerate() {
        if block.entries().iter().any(|(p, _)| *p == param) {
            return vec![Seg::Key("zip"), Seg::Index(i), Seg::Key(param.name())];
        }
    }
    vec![Seg::Key("grid"), Seg::Key(param.name())]
}
