# sweeplab tasks. Everything builds with the release profile: burn is unusably slow
# unoptimised, and one profile means one ~8 minute build of burn instead of two.

# Train every run of experiments/<file> and write results/<name>/.
sweep file="hidden_nodes.yaml":
    cargo run --release --quiet -- sweep experiments/{{file}}

# Print the expanded runs of experiments/<file> without training.
plan file="hidden_nodes.yaml":
    cargo run --release --quiet -- plan experiments/{{file}}

# CI's regression gate: train experiments/ci_smoke.yaml and check its thresholds.
smoke:
    cargo run --release --quiet -- sweep experiments/ci_smoke.yaml --out target/ci_smoke --force
    cargo run --release --quiet -- check target/ci_smoke

# The test suite (the same command CI runs).
test:
    cargo test --release

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --check
    cargo clippy --release --all-targets -- -D warnings

# A real one-node Slurm cluster (as root): array job + merge, compared bit for bit with a local sweep.
slurm-test:
    cargo build --release --quiet
    tests/slurm/run.sh target/release/sweeplab
