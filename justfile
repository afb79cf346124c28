# sweeplab tasks. Everything builds with the release profile (burn is unusably slow
# unoptimised), and always through `cargo test --no-run`, so the binary and the tests share one
# build: a plain `cargo build` resolves dependency features without the dev-dependencies and
# would compile burn a second time.

bin := "target/release/sweeplab"

# Build the binary and the test executables (one build for both).
build:
    cargo test --release --no-run --quiet

# Train every run of experiments/<file> and write results/<name>/.
sweep file="hidden_nodes.yaml" *args="": build
    {{bin}} sweep experiments/{{file}} {{args}}

# Print the expanded runs of experiments/<file> without training.
plan file="hidden_nodes.yaml": build
    {{bin}} plan experiments/{{file}}

# CI's regression gate: train experiments/ci_smoke.yaml and check its thresholds.
smoke: build
    {{bin}} sweep experiments/ci_smoke.yaml --out target/ci_smoke --force
    {{bin}} check target/ci_smoke

# The test suite (the same command CI runs).
test:
    cargo test --release

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --check
    cargo clippy --release --all-targets -- -D warnings

# A real one-node Slurm cluster (as root): array job + merge, compared bit for bit with a local sweep.
slurm-test: build
    tests/slurm/run.sh {{bin}}

# The speed benchmark: W1 (hidden_nodes.yaml) end to end, the hand-written lower bound, fused vs
# op-by-op, scaling. Prints measurements; asserts nothing. Built with the test build's profile.
bench: build
    cargo test --release --bench speed --quiet
