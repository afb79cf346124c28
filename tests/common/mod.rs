//! Helpers shared by the integration tests (each test file is its own crate and uses a part).
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use sweeplab::data::{Dataset, Targets};
use sweeplab::spec::TokenKind;

/// The real binary, built by cargo for the tests.
pub fn sweeplab() -> Command {
    Command::cargo_bin("sweeplab").unwrap()
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `pattern` repeated, as next-token data: inputs `tokens[:-1]`, targets `tokens[1:]`, the
/// vocabulary sorted.
pub fn cyclic(pattern: &str, repeat: usize) -> Dataset {
    let text: Vec<char> = pattern.repeat(repeat).chars().collect();
    let mut vocab = text.clone();
    vocab.sort();
    vocab.dedup();
    let ids: Vec<usize> = text
        .iter()
        .map(|c| vocab.iter().position(|v| v == c).unwrap())
        .collect();
    Dataset {
        name: pattern.into(),
        tokens: TokenKind::Char,
        vocab: vocab.iter().map(|c| c.to_string()).collect(),
        inputs: vec![ids[..ids.len() - 1].to_vec()],
        targets: Targets::EveryStep(vec![ids[1..].to_vec()]),
    }
}
