//! The sizes that fix a model's parameters.

use crate::spec::{CellKind, HeadKind};

/// The sizes that fix a model's parameter shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelShape {
    pub cell: CellKind,
    pub vocab: usize,
    pub hidden: usize,
    pub head: HeadKind,
    /// Stacked cells (1 for the memoryless model).
    pub layers: usize,
    /// The width of the input embedding; `None`: one-hot input.
    pub embedding: Option<usize>,
}

impl ModelShape {
    /// One layer with one-hot input: the notes' models.
    pub fn single(cell: CellKind, vocab: usize, hidden: usize, head: HeadKind) -> Self {
        Self {
            cell,
            vocab,
            hidden,
            head,
            layers: 1,
            embedding: None,
        }
    }

    /// The width of layer `l`'s input: the vocabulary (one-hot), the embedding, or the layer
    /// below's hidden size.
    pub fn input_width(&self, l: usize) -> usize {
        match (l, self.embedding) {
            (0, None) => self.vocab,
            (0, Some(e)) => e,
            _ => self.hidden,
        }
    }
}

impl CellKind {
    /// Number of gate blocks in the input and hidden weight matrices.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Memoryless | CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }
}
