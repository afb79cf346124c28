#!/usr/bin/env bash
# Issue #8's GPU measurements in one go, for a machine with an NVIDIA GPU (the binary needs the
# CUDA driver library at run time only; it is built anywhere with `just build`).
#
#   bench/gpu.sh [SWEEPLAB_BINARY] [OUT_DIR]      (defaults: target/release/sweeplab, results/gpu-bench)
#
# Prints, for each step, the wall time of the whole command (start-up, CUDA initialisation and
# kernel compilation included) and the sweep's own training lines:
#   1. `sweeplab devices`;
#   2. W1 = hidden_nodes.yaml on cpu (all cores) and the same grid on cuda;
#   3. cpu_vs_cuda.yaml (W1 on both devices) and `sweeplab compare` of it: per run the largest
#      final-loss and probability differences, per group the success counts on each device;
#   4. gpu_replicas.yaml: 10,000 replicas of RNN(4,4), 200 epochs, one launch (target < 10 s);
#   5. packing: gpu_lr_sweep.yaml (4 rates x 1,000 seeds, one packed launch) against one of
#      its groups alone (1,000 seeds, one launch).
# On a machine without a GPU every cuda run fails with one line and the script still runs to
# the end. Nothing here asserts a time.
set -u
BIN=${1:-target/release/sweeplab}
OUT=${2:-results/gpu-bench}
EXP=$(dirname "$0")/../experiments
mkdir -p "$OUT"

# timed LABEL COMMAND...: runs COMMAND with its output in OUT/LABEL.log; prints the wall time,
# the exit code and the log's training lines.
timed() {
    local label=$1
    shift
    local start=$EPOCHREALTIME
    "$@" >"$OUT/$label.log" 2>&1
    local rc=$?
    local end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" -v l="$label" -v rc="$rc" \
        'BEGIN { printf "%-28s %8.2f s wall   exit %d\n", l, b - a, rc }'
    grep -E 'training|done in|packing|finished:' "$OUT/$label.log" | sed 's/^/    /' | head -20
}

# variant NAME FROM SED-SCRIPT: a copy of experiment FROM, edited, as OUT/NAME.yaml.
variant() {
    sed -e "$3" "$EXP/$2.yaml" >"$OUT/$1.yaml"
    echo "$OUT/$1.yaml"
}

echo "== 1. devices"
"$BIN" devices

echo "== 2. W1 (hidden_nodes.yaml): cpu, then cuda"
timed w1-cpu "$BIN" sweep "$EXP/hidden_nodes.yaml" --out "$OUT/w1-cpu" --force
timed w1-cuda "$BIN" sweep "$(variant w1_cuda hidden_nodes 's/^  epochs: 200$/  epochs: 200\n  device: cuda/')" \
    --out "$OUT/w1-cuda" --force

echo "== 3. cpu_vs_cuda.yaml and compare"
timed cpu-vs-cuda "$BIN" sweep "$EXP/cpu_vs_cuda.yaml" --out "$OUT/cpu-vs-cuda" --force
"$BIN" compare "$OUT/cpu-vs-cuda" --top 5

echo "== 4. gpu_replicas.yaml: 10,000 replicas of RNN(4,4), 200 epochs (target < 10 s)"
timed gpu-replicas "$BIN" sweep "$EXP/gpu_replicas.yaml" --out "$OUT/gpu-replicas" --force

echo "== 5. packing: 4 groups x 1,000 seeds in one launch, against one group alone"
timed packed "$BIN" sweep "$EXP/gpu_lr_sweep.yaml" --out "$OUT/packed" --force
timed one-group "$BIN" sweep "$(variant one_group gpu_lr_sweep 's/^  lr: \[.*\]$/  lr: 0.1/')" \
    --out "$OUT/one-group" --force
