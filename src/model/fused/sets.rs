//! The integer data the fused kernels read: token ids and targets, per replica set.

/// Integer data the host kernels read per replica (token ids, targets): one set shared by every
/// replica, or, for groups packed into one launch ([`crate::train`]) that train on different
/// datasets, several sets of equal length and the set each replica reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSets {
    /// The sets, each `len` values, one after another.
    pub values: Vec<u32>,
    pub len: usize,
    /// The set of each replica; empty when every replica reads the one set.
    pub set_of: Vec<u32>,
}

impl ReplicaSets {
    /// One set for every replica.
    pub fn shared(values: Vec<u32>) -> Self {
        Self {
            len: values.len(),
            values,
            set_of: Vec::new(),
        }
    }

    /// The values replica `r` reads.
    pub fn of(&self, r: usize) -> &[u32] {
        let set = self.set_of.get(r).map_or(0, |&s| s as usize);
        &self.values[set * self.len..(set + 1) * self.len]
    }

    /// Panics unless every replica of `replicas` has a set of `len` values below `bound`.
    pub fn check(&self, what: &str, replicas: usize, len: usize, bound: usize) {
        assert_eq!(self.len, len, "{what} size");
        let sets = self.values.len().checked_div(self.len).unwrap_or(1);
        assert!(
            self.values.len() == sets * self.len && sets >= 1,
            "{what}: not whole sets"
        );
        assert!(
            self.set_of.is_empty()
                || (self.set_of.len() == replicas && self.set_of.iter().all(|&s| (s as usize) < sets)),
            "{what}: a set for every replica"
        );
        assert!(
            self.values.iter().all(|&t| (t as usize) < bound),
            "{what}: value outside the vocabulary"
        );
    }
}

/// Token ids of a batch of equal-length sequences, `[batch][steps]` per set, on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub ids: ReplicaSets,
    pub batch: usize,
    pub steps: usize,
}
