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
    let (_, peak_mb) = super::end_to_end(bin, &yaml, &results, 1, Some(1));
    let runs = sweeplab::folder::read_runs(&results.join("runs.csv")).expect("runs.csv");
    let [run] = &runs[..] else {
        panic!("one run, got {}", runs.len())
    };
    CharRnn {
        positions: kept.chars().count() - 1,
        train_seconds: run.train_seconds,
        peak_mb,
        final_loss: f64::from(run.final_loss),
    }
}
