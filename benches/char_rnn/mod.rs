//! The char-rnn line of `just bench`: Karpathy's char-rnn layout on a real text through the real
//! binary. LSTM 128 x 2 layers, one-hot input, truncated BPTT over windows of 50 characters, 16
//! streams side by side, one epoch, one run (`--jobs 1`, so the manifest's peak memory is the
//! training process's own).
//!
//! Prints characters per second (the text's positions over the run's `train_seconds`, which
//! includes the final evaluation pass) and peak memory, for the first half of the text and for
//! the whole of it: under `bptt` the training memory is bounded by the window, so the two peaks
//! should be about equal while the time doubles. `bench/torch_reference.py --variant char_rnn`
//! measures the same run in PyTorch.

use std::path::Path;
use std::process::Command;

/// The text, relative to the repository root.
pub const TEXT: &str = "experiments/texts/eighty_days.txt";

/// One measurement: positions trained, training seconds, chars/s, the sweep's peak RSS in MB,
/// and the final loss (to compare with PyTorch's, which starts from other weights).
pub struct CharRnn {
    pub positions: usize,
    pub train_seconds: f64,
    pub peak_mb: f64,
    pub final_loss: f64,
}

impl CharRnn {
    pub fn chars_per_second(&self) -> f64 {
        self.positions as f64 / self.train_seconds
    }
}

/// Trains the char-rnn run on the first `fraction` of the text (cut at a character boundary).
pub fn measure(bin: &Path, root: &Path, out: &Path, fraction: f64) -> CharRnn {
    let text = std::fs::read_to_string(root.join(TEXT)).expect("the bench text");
    let chars: Vec<char> = text.chars().collect();
    let kept: String = chars[..(chars.len() as f64 * fraction) as usize].iter().collect();
    std::fs::create_dir_all(out).expect("bench folder");
    std::fs::write(out.join("text.txt"), &kept).expect("write the bench text");
    let yaml = out.join("char_rnn.yaml");
    std::fs::write(
        &yaml,
        "name: char_rnn_bench\n\
         datasets:\n  - {name: text, file: text.txt}\n\
         grid: {cell: lstm, hidden: 128, layers: 2, bptt: 50, batch: 16, lr: 0.002, seed: 0, epochs: 1}\n",
    )
    .expect("write the bench experiment");
    let results = out.join("results");
    let status = Command::new(bin)
        .arg("sweep")
        .arg(&yaml)
        .arg("--out")
        .arg(&results)
        .args(["--force", "--jobs", "1"])
        .env("SWEEPLAB_PLAIN_PROGRESS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run sweeplab");
    assert!(status.success(), "the char-rnn sweep failed");
    let manifest = std::fs::read_to_string(results.join("manifest.json")).expect("manifest.json");
    let json: serde_json::Value = serde_json::from_str(&manifest).expect("manifest JSON");
    let runs = std::fs::read_to_string(results.join("runs.csv")).expect("runs.csv");
    let mut lines = runs.lines();
    let header: Vec<&str> = lines.next().expect("runs.csv header").split(',').collect();
    let row: Vec<&str> = lines.next().expect("one run").split(',').collect();
    let column = |name: &str| -> f64 {
        let i = header.iter().position(|h| *h == name).expect("runs.csv column");
        row[i].parse().expect("a number")
    };
    CharRnn {
        positions: kept.chars().count() - 1,
        train_seconds: column("train_seconds"),
        peak_mb: json["peak_rss_mb"].as_f64().unwrap_or(f64::NAN),
        final_loss: column("final_loss"),
    }
}
