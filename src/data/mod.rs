//! Datasets: token sequences with their vocabulary, resolved from a `DatasetSpec`.
//!
//! Every dataset is a batch of input sequences of equal length plus targets: either the next
//! token at every step (text: `x = text[:-1]`, `y = text[1:]`) or one target per sequence after
//! its last step (many-to-one, note 004). Vocabulary order is explicit or sorted, never the
//! order of a hash set.

use crate::error::Result;
use crate::spec::{DatasetSpec, ExperimentFile, Seg, TokenKind};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// `targets[b][t]` is the token after `inputs[b][t]`.
    EveryStep(Vec<Vec<usize>>),
    /// `targets[b]` follows the whole sequence `inputs[b]`.
    LastStep(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub tokens: TokenKind,
    pub vocab: Vec<String>,
    /// `inputs[b][t]`: vocabulary index of token t of sequence b. All sequences have one length.
    pub inputs: Vec<Vec<usize>>,
    pub targets: Targets,
}

/// A prediction position, for tables and figures: what the model saw and what should follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub input: String,
    pub target: String,
}

impl Dataset {
    pub fn batch(&self) -> usize {
        self.inputs.len()
    }

    pub fn steps(&self) -> usize {
        self.inputs.first().map_or(0, Vec::len)
    }

    /// Number of predictions the loss averages over.
    pub fn positions(&self) -> usize {
        match &self.targets {
            Targets::EveryStep(_) => self.batch() * self.steps(),
            Targets::LastStep(_) => self.batch(),
        }
    }

    /// The positions cut into `b` contiguous streams of `floor(N / b)` positions each (the
    /// remainder dropped), N the positions of the sequences one after another: char-rnn's
    /// layout for `batch: b`. Next-step targets only.
    pub fn streams(&self, b: usize) -> Dataset {
        let Targets::EveryStep(targets) = &self.targets else {
            panic!("streams of many-to-one data")
        };
        let xs: Vec<usize> = self.inputs.iter().flatten().copied().collect();
        let ys: Vec<usize> = targets.iter().flatten().copied().collect();
        let per = xs.len() / b.max(1);
        Dataset {
            inputs: xs.chunks_exact(per).take(b).map(<[usize]>::to_vec).collect(),
            targets: Targets::EveryStep(ys.chunks_exact(per).take(b).map(<[usize]>::to_vec).collect()),
            ..self.clone()
        }
    }

    /// How many last steps of every sequence `val` holds out: `floor(val * steps)` (a hair of
    /// slack so that `0.29 * 100` is 29, as written, not 28.999...).
    pub fn held_out_steps(&self, val: f64) -> usize {
        ((val * self.steps() as f64) + 1e-9).floor() as usize
    }

    /// Every sequence cut after `steps - held` steps: (the first parts, the last `held` steps),
    /// each part a sequence of its own. Next-step targets only.
    pub fn split_tail(&self, held: usize) -> (Dataset, Dataset) {
        let Targets::EveryStep(targets) = &self.targets else {
            panic!("a validation split of many-to-one data")
        };
        let at = self.steps() - held;
        let part = |range: &dyn Fn(&[usize]) -> Vec<usize>| Dataset {
            inputs: self.inputs.iter().map(|s| range(s)).collect(),
            targets: Targets::EveryStep(targets.iter().map(|s| range(s)).collect()),
            ..self.clone()
        };
        (part(&|s| s[..at].to_vec()), part(&|s| s[at..].to_vec()))
    }

    /// Targets flattened in prediction order (sequence-major, then time).
    pub fn flat_targets(&self) -> Vec<usize> {
        match &self.targets {
            Targets::EveryStep(t) => t.iter().flatten().copied().collect(),
            Targets::LastStep(t) => t.clone(),
        }
    }

    /// The first `n` prediction positions, labelled with tokens.
    pub fn position_labels(&self, n: usize) -> Vec<Position> {
        let sep = if self.tokens == TokenKind::Word { " " } else { "" };
        match &self.targets {
            Targets::EveryStep(t) => self
                .inputs
                .iter()
                .zip(t)
                .flat_map(|(xs, ys)| xs.iter().zip(ys))
                .take(n)
                .map(|(&x, &y)| Position {
                    input: self.vocab[x].clone(),
                    target: self.vocab[y].clone(),
                })
                .collect(),
            Targets::LastStep(t) => self
                .inputs
                .iter()
                .zip(t)
                .take(n)
                .map(|(xs, &y)| Position {
                    input: xs.iter().map(|&x| self.vocab[x].as_str()).collect::<Vec<_>>().join(sep),
                    target: self.vocab[y].clone(),
                })
                .collect(),
        }
    }

    /// Content hash: part of every run's identity, so editing a dataset makes new runs.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for v in &self.vocab {
            h.update(v.as_bytes());
            h.update([0]);
        }
        h.update([1]);
        for seq in &self.inputs {
            for &x in seq {
                h.update((x as u32).to_le_bytes());
            }
            h.update([2]);
        }
        match &self.targets {
            Targets::EveryStep(t) => {
                h.update(b"every");
                t.iter().flatten().for_each(|&y| h.update((y as u32).to_le_bytes()));
            }
            Targets::LastStep(t) => {
                h.update(b"last");
                t.iter().for_each(|&y| h.update((y as u32).to_le_bytes()));
            }
        }
        h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

fn tokenize(text: &str, kind: TokenKind) -> Vec<String> {
    match kind {
        TokenKind::Char => text.chars().map(String::from).collect(),
        TokenKind::Word => text.split_whitespace().map(String::from).collect(),
    }
}

/// An error at key `key` of the `index`-th dataset.
type At<'a> = &'a dyn Fn(&'static str, String) -> crate::Error;

/// Resolves the `index`-th dataset of `file`, reading text files relative to the experiment.
pub fn resolve(spec: &DatasetSpec, index: usize, file: &ExperimentFile) -> Result<Dataset> {
    let at =
        |key: &'static str, msg: String| file.error_at(&[Seg::Key("datasets"), Seg::Index(index), Seg::Key(key)], msg);
    check_kind(spec, index, file, &at)?;
    if let Some(sentences) = &spec.sentences {
        return sentences_dataset(spec, sentences, &at);
    }
    let (text, field) = sequence_text(spec, file, &at)?;
    sequence_dataset(spec, &text, field, &at)
}

/// Exactly one of cyclic, text, file, sentences; `repeat` only with `cyclic`.
fn check_kind(spec: &DatasetSpec, index: usize, file: &ExperimentFile, at: At<'_>) -> Result<()> {
    let kinds: Vec<&str> = [
        ("cyclic", spec.cyclic.is_some()),
        ("text", spec.text.is_some()),
        ("file", spec.file.is_some()),
        ("sentences", spec.sentences.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect();
    if kinds.len() != 1 {
        return Err(file.error_at(
            &[Seg::Key("datasets"), Seg::Index(index)],
            format!(
                "dataset '{}' must set exactly one of cyclic, text, file, sentences (found {})",
                spec.name,
                if kinds.is_empty() {
                    "none".to_string()
                } else {
                    kinds.join(", ")
                }
            ),
        ));
    }
    if spec.repeat.is_some() && spec.cyclic.is_none() {
        return Err(at("repeat", "repeat only applies to a cyclic dataset".into()));
    }

    Ok(())
}

/// Many-to-one: each sentence's last word is the target of the words before it.
fn sentences_dataset(spec: &DatasetSpec, sentences: &[String], at: At<'_>) -> Result<Dataset> {
    if spec.tokens == Some(TokenKind::Char) {
        return Err(at("tokens", "sentences are word-level; use tokens: word".into()));
    }
    let words: Vec<Vec<String>> = sentences.iter().map(|s| tokenize(s, TokenKind::Word)).collect();
    if words.is_empty() {
        return Err(at("sentences", "needs at least one sentence".into()));
    }
    let len = words[0].len();
    for (i, w) in words.iter().enumerate() {
        if w.len() < 2 {
            return Err(at(
                "sentences",
                format!("sentence {} ('{}') needs at least two words", i + 1, sentences[i]),
            ));
        }
        if w.len() != len {
            return Err(at(
                "sentences",
                format!(
                    "all sentences must have the same number of words: '{}' has {}, '{}' has {}",
                    sentences[0],
                    len,
                    sentences[i],
                    w.len()
                ),
            ));
        }
    }
    let all: Vec<&String> = words.iter().flatten().collect();
    let vocab = build_vocab(spec, &all, |m| at("vocab", m))?;
    let index_of: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let inputs = words
        .iter()
        .map(|w| w[..len - 1].iter().map(|t| index_of[t.as_str()]).collect())
        .collect();
    let targets = words.iter().map(|w| index_of[w[len - 1].as_str()]).collect();
    Ok(Dataset {
        name: spec.name.clone(),
        tokens: TokenKind::Word,
        vocab,
        inputs,
        targets: Targets::LastStep(targets),
    })
}

/// The text of a sequence dataset and the key it came from.
fn sequence_text(spec: &DatasetSpec, file: &ExperimentFile, at: At<'_>) -> Result<(String, &'static str)> {
    Ok(if let Some(pattern) = &spec.cyclic {
        let repeat = spec.repeat.ok_or_else(|| {
            at(
                "cyclic",
                "a cyclic dataset needs `repeat: N` (how many times the pattern repeats)".into(),
            )
        })?;
        if repeat == 0 {
            return Err(at("repeat", "repeat must be at least 1".into()));
        }
        let fits = pattern
            .len()
            .checked_mul(repeat)
            .is_some_and(|n| n as u64 <= crate::input::MAX_DATA_BYTES);
        if !fits {
            return Err(at(
                "repeat",
                format!(
                    "{repeat} repeats of the pattern exceed the dataset limit of {} characters",
                    crate::input::MAX_DATA_BYTES
                ),
            ));
        }
        (pattern.repeat(repeat), "cyclic")
    } else if let Some(text) = &spec.text {
        (text.clone(), "text")
    } else {
        let rel = spec.file.as_ref().expect("one kind is set");
        let path = file.base_dir().join(rel);
        let text = crate::input::read_limited(&path, crate::input::MAX_DATA_BYTES)
            .and_then(|b| String::from_utf8(b).map_err(|_| std::io::Error::other("it is not UTF-8 text")))
            .map_err(|e| at("file", format!("cannot read text file {}: {e}", path.display())))?;
        (text, "file")
    })
}

/// Next-token prediction over one sequence: inputs `tokens[:-1]`, targets `tokens[1:]`.
fn sequence_dataset(spec: &DatasetSpec, text: &str, field: &'static str, at: At<'_>) -> Result<Dataset> {
    let kind = spec.tokens.unwrap_or(TokenKind::Char);
    let tokens = tokenize(text, kind);
    let distinct: BTreeSet<&String> = tokens.iter().collect();
    if tokens.len() < 2 {
        return Err(at(
            field,
            format!(
                "text has {} token(s); at least two are needed to predict a next token",
                tokens.len()
            ),
        ));
    }
    if distinct.len() < 2 {
        return Err(at(
            field,
            format!(
                "text has a single distinct symbol ('{}'); there is nothing to learn",
                tokens[0]
            ),
        ));
    }
    let all: Vec<&String> = tokens.iter().collect();
    let vocab = build_vocab(spec, &all, |m| at("vocab", m))?;
    let index_of: HashMap<&str, usize> = vocab.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let ids: Vec<usize> = tokens.iter().map(|t| index_of[t.as_str()]).collect();
    Ok(Dataset {
        name: spec.name.clone(),
        tokens: kind,
        vocab,
        inputs: vec![ids[..ids.len() - 1].to_vec()],
        targets: Targets::EveryStep(vec![ids[1..].to_vec()]),
    })
}

fn build_vocab(spec: &DatasetSpec, tokens: &[&String], err: impl Fn(String) -> crate::Error) -> Result<Vec<String>> {
    match &spec.vocab {
        None => Ok(tokens
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect()),
        Some(vocab) => {
            let mut seen = BTreeSet::new();
            for v in vocab {
                if !seen.insert(v) {
                    return Err(err(format!("'{v}' is listed twice")));
                }
            }
            let missing: BTreeSet<&String> = tokens.iter().copied().filter(|t| !seen.contains(t)).collect();
            if !missing.is_empty() {
                let list: Vec<String> = missing.iter().map(|s| format!("'{s}'")).collect();
                return Err(err(format!(
                    "vocabulary misses symbol(s) of the text: {}",
                    list.join(", ")
                )));
            }
            Ok(vocab.clone())
        }
    }
}
