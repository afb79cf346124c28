//! The sweepable parameters, each declared once ([`PARAMS`]): its name (the YAML key under
//! `grid`/`zip`, the key of `exclude` and `checks: where:`, the runs.csv column), its default,
//! how it enters a run's identity, whether it separates groups, and its label in figures.
//! Expansion, run ids, group keys, labels, tables and selectors read these declarations; the
//! typed value of each is in `values` ([`ParamValue`]), its field of a run in
//! `crate::plan::RunConfig`.

use super::optim::{OptimizerName, ScheduleName, StopRule};
use super::values::{DeviceSpec, HeadKind, InitKind, InitValue, Param, ParamValue};

/// What a run gets when the experiment does not set the parameter.
#[derive(Debug, Clone, Copy)]
pub enum ParamDefault {
    /// Must be set, in `grid` or a `zip` block.
    Required,
    /// Every dataset the experiment declares, one after the other.
    EveryDataset,
    Value(fn() -> ParamValue),
}

/// How a parameter enters the canonical configuration whose hash is a run's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Always, under its name (the parameters sweeplab started with).
    Always,
    /// Only when its value is not the default, so that the ids of runs stored before the
    /// parameter existed still hold (every parameter added later).
    UnlessDefault,
}

/// One sweepable parameter.
#[derive(Debug, Clone, Copy)]
pub struct ParamDecl {
    pub param: Param,
    pub name: &'static str,
    pub default: ParamDefault,
    pub identity: Identity,
    /// Whether runs that differ in it are different groups: every parameter but the seed (a
    /// group is the seeds of one configuration, trained as one replica batch).
    pub separates_groups: bool,
    /// How a figure names the value when the parameter varies between groups (`hidden 2`);
    /// `None`: figures do not name it.
    pub figure_label: Option<fn(&str) -> String>,
}

/// Every parameter, in expansion order: the seed last, so that a group's runs are contiguous.
pub const PARAMS: [ParamDecl; 31] = [
    ParamDecl {
        param: Param::Dataset,
        name: "dataset",
        default: ParamDefault::EveryDataset,
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| v.to_string()),
    },
    ParamDecl {
        param: Param::Cell,
        name: "cell",
        default: ParamDefault::Required,
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(cell_title),
    },
    ParamDecl {
        param: Param::Hidden,
        name: "hidden",
        default: ParamDefault::Required,
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| format!("hidden {v}")),
    },
    ParamDecl {
        param: Param::Device,
        name: "device",
        default: ParamDefault::Value(|| ParamValue::Device(DeviceSpec::Cpu)),
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| v.to_string()),
    },
    ParamDecl {
        param: Param::Lr,
        name: "lr",
        default: ParamDefault::Required,
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| format!("lr {v}")),
    },
    ParamDecl {
        param: Param::Epochs,
        name: "epochs",
        default: ParamDefault::Required,
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| format!("{v} epochs")),
    },
    ParamDecl {
        param: Param::Head,
        name: "head",
        default: ParamDefault::Value(|| ParamValue::Head(HeadKind::Linear)),
        identity: Identity::Always,
        separates_groups: true,
        figure_label: Some(|v| format!("head {v}")),
    },
    ParamDecl {
        param: Param::Init,
        name: "init",
        default: ParamDefault::Value(|| ParamValue::Init(InitValue::Kind(InitKind::Sweeplab))),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        // Not named by the summary figure (as before init existed); its groups' titles say it.
        figure_label: None,
    },
    ParamDecl {
        param: Param::Optimizer,
        name: "optimizer",
        default: ParamDefault::Value(|| ParamValue::Optimizer(OptimizerName::Adam)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| v.to_string()),
    },
    ParamDecl {
        param: Param::Momentum,
        name: "momentum",
        default: ParamDefault::Value(|| ParamValue::Momentum(0.0)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("momentum {v}")),
    },
    ParamDecl {
        param: Param::Nesterov,
        name: "nesterov",
        default: ParamDefault::Value(|| ParamValue::Nesterov(false)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| if v == "true" { "nesterov".into() } else { String::new() }),
    },
    ParamDecl {
        param: Param::Beta1,
        name: "beta1",
        default: ParamDefault::Value(|| ParamValue::Beta1(0.9)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("beta1 {v}")),
    },
    ParamDecl {
        param: Param::Beta2,
        name: "beta2",
        default: ParamDefault::Value(|| ParamValue::Beta2(0.999)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("beta2 {v}")),
    },
    ParamDecl {
        param: Param::Eps,
        name: "eps",
        default: ParamDefault::Value(|| ParamValue::Eps(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("eps {v}")),
    },
    ParamDecl {
        param: Param::Alpha,
        name: "alpha",
        default: ParamDefault::Value(|| ParamValue::Alpha(0.99)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("alpha {v}")),
    },
    ParamDecl {
        param: Param::WeightDecay,
        name: "weight_decay",
        default: ParamDefault::Value(|| ParamValue::WeightDecay(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("weight decay {v}")),
    },
    ParamDecl {
        param: Param::Schedule,
        name: "schedule",
        default: ParamDefault::Value(|| ParamValue::Schedule(ScheduleName::Constant)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("{v} schedule")),
    },
    ParamDecl {
        param: Param::StepEvery,
        name: "step_every",
        default: ParamDefault::Value(|| ParamValue::StepEvery(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("step every {v}")),
    },
    ParamDecl {
        param: Param::Gamma,
        name: "gamma",
        default: ParamDefault::Value(|| ParamValue::Gamma(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("gamma {v}")),
    },
    ParamDecl {
        param: Param::MinLr,
        name: "min_lr",
        default: ParamDefault::Value(|| ParamValue::MinLr(0.0)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("min lr {v}")),
    },
    ParamDecl {
        param: Param::Warmup,
        name: "warmup",
        default: ParamDefault::Value(|| ParamValue::Warmup(0)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("warmup {v}")),
    },
    ParamDecl {
        param: Param::ClipNorm,
        name: "clip_norm",
        default: ParamDefault::Value(|| ParamValue::ClipNorm(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("clip norm {v}")),
    },
    ParamDecl {
        param: Param::ClipValue,
        name: "clip_value",
        default: ParamDefault::Value(|| ParamValue::ClipValue(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("clip value {v}")),
    },
    ParamDecl {
        param: Param::Stop,
        name: "stop",
        default: ParamDefault::Value(|| ParamValue::Stop(StopRule::Never)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("stop: {v}")),
    },
    ParamDecl {
        param: Param::Layers,
        name: "layers",
        default: ParamDefault::Value(|| ParamValue::Layers(1)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("{v} layers")),
    },
    ParamDecl {
        param: Param::Embedding,
        name: "embedding",
        default: ParamDefault::Value(|| ParamValue::Embedding(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| {
            if v == "none" {
                "one-hot".into()
            } else {
                format!("embedding {v}")
            }
        }),
    },
    ParamDecl {
        param: Param::Dropout,
        name: "dropout",
        default: ParamDefault::Value(|| ParamValue::Dropout(0.0)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("dropout {v}")),
    },
    ParamDecl {
        param: Param::Batch,
        name: "batch",
        default: ParamDefault::Value(|| ParamValue::Batch(1)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("batch {v}")),
    },
    ParamDecl {
        param: Param::Bptt,
        name: "bptt",
        default: ParamDefault::Value(|| ParamValue::Bptt(None)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| {
            if v == "none" {
                "whole sequence".into()
            } else {
                format!("bptt {v}")
            }
        }),
    },
    ParamDecl {
        param: Param::Val,
        name: "val",
        default: ParamDefault::Value(|| ParamValue::Val(0.0)),
        identity: Identity::UnlessDefault,
        separates_groups: true,
        figure_label: Some(|v| format!("val {v}")),
    },
    ParamDecl {
        param: Param::Seed,
        name: "seed",
        default: ParamDefault::Required,
        identity: Identity::Always,
        separates_groups: false,
        figure_label: None,
    },
];

impl ParamDecl {
    /// The default value, where there is one.
    pub fn default_value(&self) -> Option<ParamValue> {
        match self.default {
            ParamDefault::Value(f) => Some(f()),
            ParamDefault::Required | ParamDefault::EveryDataset => None,
        }
    }
}

impl Param {
    /// This parameter's declaration.
    pub fn decl(self) -> &'static ParamDecl {
        PARAMS
            .iter()
            .find(|d| d.param == self)
            .expect("every parameter is declared")
    }

    /// The names of all parameters, for error messages: `dataset, cell, ..., seed`.
    pub fn names() -> String {
        PARAMS.iter().map(|d| d.name).collect::<Vec<_>>().join(", ")
    }
}

/// The name a lecture note gives a cell type in titles (`RNN`, `Memoryless`).
pub fn cell_title(cell: &str) -> String {
    match cell {
        "rnn" | "lstm" | "gru" => cell.to_uppercase(),
        "memoryless" => "Memoryless".into(),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Axes;

    #[test]
    fn every_parameter_is_declared_once_and_has_a_yaml_key() {
        let names: Vec<&str> = PARAMS.iter().map(|d| d.name).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(Param::ALL.map(Param::name).to_vec(), names);
        assert_eq!(
            PARAMS.last().map(|d| d.param),
            Some(Param::Seed),
            "the seed varies fastest"
        );
        // Every declared name is a key of `grid:` (and so of `zip:` blocks).
        let yaml: String = names.iter().map(|n| format!("{n}: x\n")).collect();
        let axes: Axes = serde_yaml_ng::from_str(&yaml).unwrap();
        let set: Vec<Param> = axes.entries().into_iter().map(|(p, _)| p).collect();
        assert_eq!(set, Param::ALL.to_vec());
        for decl in &PARAMS {
            assert_eq!(Param::parse(decl.name), Some(decl.param));
            assert_eq!(decl.separates_groups, decl.param != Param::Seed, "{}", decl.name);
            if let Some(v) = decl.default_value() {
                assert_eq!(v.param(), decl.param, "{}: the default is its own value", decl.name);
            }
        }
    }
}
