//! How `torch.nn` modules draw their initial parameters (torch_init.md §4), in PyTorch's own
//! layout (`weight` is `[out, in]`, row-major) and in `named_parameters()` order.

use super::distributions::TorchGenerator;

/// A parameter as PyTorch holds it: `shape` is `[rows, cols]` (`[n, 1]` for vectors).
#[derive(Debug, Clone, PartialEq)]
pub struct TorchParam {
    pub name: &'static str,
    pub shape: [usize; 2],
    pub data: Vec<f32>,
}

fn uniform(gen: &mut TorchGenerator, name: &'static str, shape: [usize; 2], bound: f64) -> TorchParam {
    let mut data = vec![0.0; shape[0] * shape[1]];
    gen.uniform_(&mut data, -bound, bound);
    TorchParam { name, shape, data }
}

/// `nn.Linear(in, out)`: `weight` `[out, in]` by `kaiming_uniform_(a = sqrt(5))`, then `bias`
/// `[out]` from U(-1/sqrt(in), 1/sqrt(in)).
pub fn linear(gen: &mut TorchGenerator, input: usize, output: usize) -> Vec<TorchParam> {
    let fan_in = input as f64;
    let a = 5f64.sqrt();
    let gain = (2.0 / (1.0 + a * a)).sqrt();
    let std = gain / fan_in.sqrt();
    let w_bound = 3f64.sqrt() * std;
    let b_bound = if input > 0 { 1.0 / fan_in.sqrt() } else { 0.0 };
    vec![
        uniform(gen, "weight", [output, input], w_bound),
        uniform(gen, "bias", [output, 1], b_bound),
    ]
}

/// `nn.RNNCell` (gates = 1), `nn.LSTMCell` (4: i, f, g, o), `nn.GRUCell` (3: r, z, n), and the
/// single-layer unidirectional `nn.RNN`/`LSTM`/`GRU`, which draw the same values under `_l0`
/// names: `weight_ih` `[G H, in]`, `weight_hh` `[G H, H]`, `bias_ih`, `bias_hh`, all from
/// U(-1/sqrt(H), 1/sqrt(H)).
pub fn recurrent_cell(gen: &mut TorchGenerator, gates: usize, input: usize, hidden: usize) -> Vec<TorchParam> {
    let stdv = 1.0 / (hidden as f64).sqrt();
    let g = gates * hidden;
    vec![
        uniform(gen, "weight_ih", [g, input], stdv),
        uniform(gen, "weight_hh", [g, hidden], stdv),
        uniform(gen, "bias_ih", [g, 1], stdv),
        uniform(gen, "bias_hh", [g, 1], stdv),
    ]
}

/// `nn.Embedding(n, d)`: `weight` `[n, d]` from `normal_(0, 1)` (scalar cached path below 16
/// elements, the vectorised one from 16).
pub fn embedding(gen: &mut TorchGenerator, n: usize, d: usize) -> Vec<TorchParam> {
    let mut data = vec![0.0; n * d];
    gen.normal_(&mut data, 0.0, 1.0);
    vec![TorchParam {
        name: "weight",
        shape: [n, d],
        data,
    }]
}
