//! A run's identity, from the parameter declarations: the canonical configuration whose hash
//! is its id, and the label a person reads (a group's key is in `runs`).

use super::RunConfig;
use crate::spec::{Identity, InitKind, InitValue, Param, ParamValue, PARAMS};

/// Bumped when the meaning of a configuration changes (initialisation, loss), so that run ids
/// of old results no longer match.
pub const TRAINING_SEMANTICS: &str = "sweeplab-train-v2";

/// The canonical JSON text of a run's configuration; its hash is the run's identity. Every
/// parameter enters by its declaration: `Always` ones under their name (the dataset by its
/// content's fingerprint), then the seed, then each `UnlessDefault` one that is not at its
/// default.
pub fn canonical_config(dataset_fingerprint: &str, config: &RunConfig, seed: u64) -> String {
    let mut canonical = serde_json::Map::new();
    canonical.insert("semantics".into(), TRAINING_SEMANTICS.into());
    let entries = |identity: Identity| {
        PARAMS
            .iter()
            .filter(move |d| d.identity == identity && d.separates_groups)
            .filter_map(|d| Some((d, config.value(d.param)?)))
    };
    for (decl, value) in entries(Identity::Always) {
        let json = match &value {
            ParamValue::Dataset(_) => dataset_fingerprint.into(),
            other => identity_json(other),
        };
        canonical.insert(decl.name.into(), json);
    }
    canonical.insert("seed".into(), seed.into());
    for (decl, value) in entries(Identity::UnlessDefault) {
        if Some(&value) == decl.default_value().as_ref() {
            continue;
        }
        // The file's content, not its path: editing the weights retrains, moving the file
        // does not.
        if let (Param::Init, InitKind::File(digest)) = (decl.param, config.init) {
            canonical.insert("init".into(), "file".into());
            canonical.insert("init_file_sha256".into(), digest.to_string().into());
            continue;
        }
        canonical.insert(decl.name.into(), identity_json(&value));
    }
    serde_json::Value::Object(canonical).to_string()
}

/// A value in the canonical configuration: numbers as JSON numbers, the rest as their text.
fn identity_json(value: &ParamValue) -> serde_json::Value {
    match value {
        ParamValue::Hidden(n)
        | ParamValue::Epochs(n)
        | ParamValue::Layers(n)
        | ParamValue::Embedding(Some(n))
        | ParamValue::Bptt(Some(n))
        | ParamValue::Batch(n) => (*n).into(),
        ParamValue::Dropout(x) | ParamValue::Val(x) => (*x).into(),
        ParamValue::Lr(x) => (*x).into(),
        ParamValue::Seed(s) => (*s).into(),
        ParamValue::Init(InitValue::Kind(kind)) => kind.name().into_owned().into(),
        other => other.canonical().into(),
    }
}

/// `AbAcAd rnn(2) head=linear lr=0.1 epochs=200 on cpu`, plus ` init=torch` (and every
/// parameter declared later, when not at its default); without ` on DEVICE` unless
/// `with_device`. `value` gives each parameter's text (a run's, or a runs.csv row's).
pub fn group_label(value: &dyn Fn(Param) -> String, with_device: bool) -> String {
    let mut label = format!(
        "{} {}({}) head={} lr={} epochs={}",
        value(Param::Dataset),
        value(Param::Cell),
        value(Param::Hidden),
        value(Param::Head),
        value(Param::Lr),
        value(Param::Epochs)
    );
    if with_device {
        label.push_str(&format!(" on {}", value(Param::Device)));
    }
    for decl in PARAMS.iter().filter(|d| d.identity == Identity::UnlessDefault) {
        let text = value(decl.param);
        // Empty: at the run's default, or not applying to it.
        if !text.is_empty() && Some(&text) != decl.default_value().map(|v| v.canonical()).as_ref() {
            label.push_str(&format!(" {}={text}", decl.name));
        }
    }
    label
}
