//! Parameters on the host: named `[replicas, rows, cols]` f32 arrays. The bridge between
//! initialisation, tests (which copy weights into burn's own modules) and the burn model.

/// A `[replicas, rows, cols]` array in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct HostTensor {
    pub shape: [usize; 3],
    pub data: Vec<f32>,
}

impl HostTensor {
    pub fn new(shape: [usize; 3], data: Vec<f32>) -> Self {
        assert_eq!(shape.iter().product::<usize>(), data.len(), "shape does not match data");
        Self { shape, data }
    }

    /// The `[rows, cols]` slice of replica `r`.
    pub fn replica(&self, r: usize) -> &[f32] {
        let n = self.shape[1] * self.shape[2];
        &self.data[r * n..(r + 1) * n]
    }
}

/// Named parameters in a fixed order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostParams {
    entries: Vec<(String, HostTensor)>,
}

impl HostParams {
    pub fn insert(&mut self, name: &str, t: HostTensor) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 = t,
            None => self.entries.push((name.to_string(), t)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&HostTensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &HostTensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// The replicas of every set in `parts`, one after another (the sets have the same names
    /// and shapes but for the replica count).
    pub fn concat(parts: &[HostParams]) -> HostParams {
        let Some(first) = parts.first() else {
            return HostParams::default();
        };
        let entries = first
            .entries
            .iter()
            .map(|(name, t)| {
                let mut data = Vec::new();
                let mut replicas = 0;
                for part in parts {
                    let p = part.get(name).unwrap_or_else(|| panic!("missing parameter {name}"));
                    assert_eq!(p.shape[1..], t.shape[1..], "parameter {name}: shapes differ");
                    replicas += p.shape[0];
                    data.extend_from_slice(&p.data);
                }
                (name.clone(), HostTensor::new([replicas, t.shape[1], t.shape[2]], data))
            })
            .collect();
        HostParams { entries }
    }

    /// Replica `r` alone, as a one-replica parameter set.
    pub fn select_replica(&self, r: usize) -> HostParams {
        HostParams {
            entries: self
                .entries
                .iter()
                .map(|(n, t)| {
                    (
                        n.clone(),
                        HostTensor::new([1, t.shape[1], t.shape[2]], t.replica(r).to_vec()),
                    )
                })
                .collect(),
        }
    }
}
