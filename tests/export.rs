//! `sweeplab export --tensorboard`: event files read back here the way TensorBoard reads them
//! (TFRecord frames with masked CRC-32C checksums, `Event` and `Summary` protobufs), and their
//! values compared with curves.csv.

use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{sweep, sweeplab, write};

/// CRC-32C, bit by bit (an implementation of the test's own).
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

fn masked(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// The records of a TFRecord file, each checksum verified.
fn frames(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let len_bytes = &bytes[at..at + 8];
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap()) as usize;
        let len_crc = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
        assert_eq!(len_crc, masked(crc32c(len_bytes)), "length checksum");
        let data = &bytes[at + 12..at + 12 + len];
        let data_crc = u32::from_le_bytes(bytes[at + 12 + len..at + 16 + len].try_into().unwrap());
        assert_eq!(data_crc, masked(crc32c(data)), "data checksum");
        out.push(data);
        at += 16 + len;
    }
    out
}

fn varint(b: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = b[*at];
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return n;
        }
        shift += 7;
    }
}

/// The protobuf fields of `b`: (field number, wire type, bytes of a length-delimited field or
/// the raw little-endian bytes of a fixed one, or the varint as 8 bytes).
fn fields(b: &[u8]) -> Vec<(u64, u64, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let key = varint(b, &mut at);
        let (field, wire) = (key >> 3, key & 7);
        let value = match wire {
            0 => varint(b, &mut at).to_le_bytes().to_vec(),
            1 => {
                at += 8;
                b[at - 8..at].to_vec()
            }
            2 => {
                let len = varint(b, &mut at) as usize;
                at += len;
                b[at - len..at].to_vec()
            }
            5 => {
                at += 4;
                b[at - 4..at].to_vec()
            }
            other => panic!("unexpected wire type {other}"),
        };
        out.push((field, wire, value));
    }
    out
}

/// step -> tag -> value of every scalar in an event file; and its file_version.
fn scalars(path: &Path) -> (String, BTreeMap<i64, BTreeMap<String, f32>>) {
    let bytes = std::fs::read(path).unwrap();
    let mut version = String::new();
    let mut out: BTreeMap<i64, BTreeMap<String, f32>> = BTreeMap::new();
    for event in frames(&bytes) {
        let mut step = 0;
        for (field, _, value) in fields(event) {
            match field {
                2 => step = i64::from_le_bytes(value[..8].try_into().unwrap()),
                3 => version = String::from_utf8(value).unwrap(),
                5 => {
                    for (_, _, v) in fields(&value) {
                        let parts = fields(&v);
                        let tag = String::from_utf8(parts[0].2.clone()).unwrap();
                        // A scalar (simple_value = 2); the hparams value is a plugin's.
                        if let Some((_, _, x)) = parts.iter().find(|(f, w, _)| *f == 2 && *w == 5) {
                            out.entry(step)
                                .or_default()
                                .insert(tag, f32::from_le_bytes(x[..4].try_into().unwrap()));
                        } else {
                            out.entry(step).or_default().insert(tag, f32::NAN);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (version, out)
}

/// Sweeps `yaml` into `dir/out` and exports it with `--tensorboard dir/tb`, both through the
/// binary and both successful; returns (out, tb).
fn sweep_and_export(dir: &Path, yaml: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let exp = write(dir, "e.yaml", yaml);
    let out = dir.join("out");
    assert!(sweep(&exp, &out).output().unwrap().status.success());
    let tb = dir.join("tb");
    let output = sweeplab()
        .arg("export")
        .arg(&out)
        .arg("--tensorboard")
        .arg(&tb)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (out, tb)
}

#[test]
fn event_files_hold_every_curve_with_valid_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let (out, tb) = sweep_and_export(
        dir.path(),
        "name: e\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 4}\ngrid:\n  cell: rnn\n  hidden: 3\n  lr: 0.1\n  epochs: 15\n  seed: 0..3\n",
    );
    let mut curves = csv::Reader::from_path(out.join("curves.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = curves.records().map(Result::unwrap).collect();
    let runs: Vec<std::fs::DirEntry> = std::fs::read_dir(&tb).unwrap().map(Result::unwrap).collect();
    assert_eq!(runs.len(), 3);
    for run in runs {
        let id = run.file_name().to_string_lossy().into_owned();
        let files: Vec<_> = std::fs::read_dir(run.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert!(files[0].file_name().unwrap().to_string_lossy().contains("tfevents"));
        let (version, steps) = scalars(&files[0]);
        assert_eq!(version, "brain.Event:2");
        for row in rows.iter().filter(|r| r[0] == *id) {
            let epoch: i64 = row[1].parse().unwrap();
            assert_eq!(
                steps[&epoch]["loss"].to_bits(),
                row[2].parse::<f32>().unwrap().to_bits()
            );
            assert_eq!(steps[&epoch]["accuracy"], row[3].parse::<f32>().unwrap());
        }
        assert!(steps[&15].contains_key("final_loss"));
        assert!(steps[&0].contains_key("_hparams_/session_start_info"));
    }
    // Nothing to export: one line, exit 2.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = sweeplab()
        .arg("export")
        .arg(&empty)
        .arg("--tensorboard")
        .arg(&tb)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// With a validation split the event files carry `val_loss` per epoch and the trained model's
/// held-out loss and accuracy, the same f32s as curves.csv and runs.csv.
#[test]
fn event_files_carry_the_held_out_loss() {
    let dir = tempfile::tempdir().unwrap();
    let (out, tb) = sweep_and_export(
        dir.path(),
        "name: v\ndatasets:\n  - {name: d, cyclic: AbAcAd, repeat: 6}\ngrid: {cell: rnn, hidden: 3, lr: 0.1, epochs: 6, val: 0.25, seed: 0}\n",
    );
    let mut curves = csv::Reader::from_path(out.join("curves.csv")).unwrap();
    let header = curves.headers().unwrap().clone();
    let val_column = header.iter().position(|h| h == "val_loss").expect("val_loss column");
    let rows: Vec<csv::StringRecord> = curves.records().map(Result::unwrap).collect();
    let id = rows[0][0].to_string();
    let file = std::fs::read_dir(tb.join(&id)).unwrap().next().unwrap().unwrap().path();
    let (_, steps) = scalars(&file);
    assert_eq!(rows.len(), 6);
    for row in &rows {
        let epoch: i64 = row[1].parse().unwrap();
        let expected: f32 = row[val_column].parse().unwrap();
        assert_eq!(steps[&epoch]["val_loss"].to_bits(), expected.to_bits(), "epoch {epoch}");
    }
    let mut runs = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let header = runs.headers().unwrap().clone();
    let run = runs.records().next().unwrap().unwrap();
    let cell = |name: &str| -> f32 { run[header.iter().position(|h| h == name).unwrap()].parse().unwrap() };
    assert_eq!(steps[&6]["val_final_loss"].to_bits(), cell("val_final_loss").to_bits());
    assert_eq!(steps[&6]["val_accuracy"], cell("val_accuracy"));
}
