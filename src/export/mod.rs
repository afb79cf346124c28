//! `sweeplab export`: a results folder in the formats other tools read. One file per format;
//! today TensorBoard's event files (`tensorboard`).

mod tensorboard;

pub use tensorboard::write_tensorboard;
