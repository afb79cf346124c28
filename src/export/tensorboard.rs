//! TensorBoard event files, written by hand: the few protobuf messages TensorBoard reads for
//! scalars (`Event { wall_time, step, file_version | summary }`, `Summary { value { tag,
//! simple_value } }`), framed as TFRecords (length, masked CRC-32C of the length, data, masked
//! CRC-32C of the data). One folder per run (`DIR/<run_id>/events.out.tfevents.<time>.sweeplab`)
//! with its loss and accuracy per epoch (step = epoch) and its final loss and accuracy (and,
//! with a validation split, `val_loss` per epoch, `val_final_loss` and `val_accuracy`), so that
//! `tensorboard --logdir DIR` shows every curve, and its parameters for the HParams plugin
//! (`hparams`). Wall times come from the records: a run's
//! epochs are spread over its training time, ending when its record was written.

use crate::error::{Error, Result};
use crate::folder::{RecordStore, RECORDS_DIR};
use crate::record::RunRecord;
use crate::spec::{Param, PARAMS};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Writes one event file per run of `results_dir` into `out`; how many runs it wrote.
pub fn write_tensorboard(results_dir: &Path, out: &Path) -> Result<usize> {
    let mut records: Vec<RunRecord> = RecordStore::open(results_dir)?.load_all()?.into_values().collect();
    if records.is_empty() {
        return Err(Error::Other(format!(
            "{}: no run records to export",
            results_dir.display()
        )));
    }
    records.sort_by(|a, b| a.spec.id.cmp(&b.spec.id));
    for record in &records {
        let finished = std::fs::metadata(results_dir.join(RECORDS_DIR).join(format!("{}.json", record.spec.id)))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64());
        let dir = out.join(&record.spec.id);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "create the run's event folder", e))?;
        let path = dir.join(format!("events.out.tfevents.{}.sweeplab", finished as u64));
        let bytes = events(record, finished);
        crate::folder::write_file(&path, |w| w.write_all(&bytes))?;
    }
    Ok(records.len())
}

/// The framed events of one run.
fn events(record: &RunRecord, finished: f64) -> Vec<u8> {
    let epochs = record.curve.len().max(1);
    let started = finished - record.train_seconds;
    let at = |epoch: usize| started + record.train_seconds * epoch as f64 / epochs as f64;
    let mut out = Vec::new();
    frame(&mut out, &event(started, 0, Payload::Version("brain.Event:2")));
    frame(
        &mut out,
        &event(started, 0, Payload::HParams(&hparams(record, started))),
    );
    for (e, &loss) in record.curve.iter().enumerate() {
        let mut values = vec![("loss", loss)];
        if let Some(&accuracy) = record.accuracy_curve.get(e) {
            values.push(("accuracy", accuracy));
        }
        if let Some(&val) = record.val.as_ref().and_then(|v| v.curve.get(e)) {
            values.push(("val_loss", val));
        }
        frame(&mut out, &event(at(e + 1), (e + 1) as i64, Payload::Scalars(&values)));
    }
    let mut last = vec![("final_loss", record.final_loss), ("final_accuracy", record.accuracy)];
    if let Some(v) = &record.val {
        last.extend([("val_final_loss", v.final_loss), ("val_accuracy", v.accuracy)]);
    }
    frame(&mut out, &event(finished, epochs as i64, Payload::Scalars(&last)));
    out
}

enum Payload<'a> {
    Version(&'a str),
    Scalars(&'a [(&'a str, f32)]),
    /// The HParams plugin's `HParamsPluginData`, encoded.
    HParams(&'a [u8]),
}

/// `HParamsPluginData { version = 1: 0, session_start_info = 3: { hparams = 1: map<string,
/// google.protobuf.Value>, start_time_secs = 5 } }`: every parameter that applies to the run,
/// a number as `number_value` (2), a bool as `bool_value` (4), anything else as `string_value`
/// (3). TensorBoard builds its hparams table from these and the scalar tags.
fn hparams(record: &RunRecord, started: f64) -> Vec<u8> {
    let mut start = Vec::new();
    for decl in PARAMS.iter().filter(|d| record.spec.applies(d.param)) {
        // Empty: unset (no clipping, ...), or the optimiser's own eps/weight decay, written out.
        let text = match (record.spec.value(decl.param).canonical(), decl.param) {
            (t, Param::Eps) if t.is_empty() => record.spec.optimizer.eps().to_string(),
            (t, Param::WeightDecay) if t.is_empty() => record.spec.optimizer.weight_decay().to_string(),
            (t, _) if t.is_empty() => continue,
            (t, _) => t,
        };
        let mut value = Vec::new();
        match (text.parse::<f64>(), text.as_str()) {
            (_, "true" | "false") => {
                value.push(0x20);
                varint(&mut value, u64::from(text == "true"));
            }
            (Ok(x), _) if x.is_finite() => {
                value.push(0x11);
                value.extend_from_slice(&x.to_le_bytes());
            }
            _ => bytes_field(&mut value, 0x1a, text.as_bytes()),
        }
        let mut entry = Vec::new();
        bytes_field(&mut entry, 0x0a, decl.name.as_bytes());
        bytes_field(&mut entry, 0x12, &value);
        bytes_field(&mut start, 0x0a, &entry);
    }
    start.push(0x29);
    start.extend_from_slice(&started.to_le_bytes());
    let mut data = vec![0x08, 0x00];
    bytes_field(&mut data, 0x1a, &start);
    data
}

/// `tensorflow.Event`: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
/// summary = 5 (`Summary`: value = 1, `Value`: tag = 1 (string), simple_value = 2 (float)).
fn event(wall_time: f64, step: i64, payload: Payload<'_>) -> Vec<u8> {
    let mut e = vec![0x09];
    e.extend_from_slice(&wall_time.to_le_bytes());
    e.push(0x10);
    varint(&mut e, step as u64);
    match payload {
        Payload::Version(v) => bytes_field(&mut e, 0x1a, v.as_bytes()),
        Payload::HParams(content) => {
            // Summary.Value { tag = 1, metadata = 9 { plugin_data = 1 { plugin_name = 1,
            // content = 2 } }, tensor = 8 { dtype = 1: DT_FLOAT } } under the plugin's tag.
            let mut plugin = Vec::new();
            bytes_field(&mut plugin, 0x0a, b"hparams");
            bytes_field(&mut plugin, 0x12, content);
            let mut metadata = Vec::new();
            bytes_field(&mut metadata, 0x0a, &plugin);
            let mut value = Vec::new();
            bytes_field(&mut value, 0x0a, b"_hparams_/session_start_info");
            bytes_field(&mut value, 0x42, &[0x08, 0x01]);
            bytes_field(&mut value, 0x4a, &metadata);
            let mut summary = Vec::new();
            bytes_field(&mut summary, 0x0a, &value);
            bytes_field(&mut e, 0x2a, &summary);
        }
        Payload::Scalars(values) => {
            let mut summary = Vec::new();
            for (tag, x) in values {
                let mut value = Vec::new();
                bytes_field(&mut value, 0x0a, tag.as_bytes());
                value.push(0x15);
                value.extend_from_slice(&x.to_le_bytes());
                bytes_field(&mut summary, 0x0a, &value);
            }
            bytes_field(&mut e, 0x2a, &summary);
        }
    }
    e
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn bytes_field(out: &mut Vec<u8>, tag: u8, data: &[u8]) {
    out.push(tag);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// A TFRecord: length (u64 LE), masked CRC of the length, data, masked CRC of the data.
fn frame(out: &mut Vec<u8>, data: &[u8]) {
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked(crc32c(&len)).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked(crc32c(data)).to_le_bytes());
}

/// TFRecord's CRC mask.
fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit (event files are small).
fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(super::crc32c(b"123456789"), 0xe306_9283);
    }
}
