#!/usr/bin/env bash
# Two sweeplab binaries side by side: the wall time of `sweep EXPERIMENT --force` (default
# experiments/hidden_nodes.yaml, W1), median of 5 runs each, taken alternately so that both see
# the same machine load, and the ratio NEW / OLD.
#
#   bench/wall_ratio.sh OLD_BINARY NEW_BINARY [EXPERIMENT] [RUNS]
#
# Run from the repository root. Prints measurements; asserts nothing.
set -euo pipefail
old=${1:?usage: bench/wall_ratio.sh OLD_BINARY NEW_BINARY [EXPERIMENT] [RUNS]}
new=${2:?usage: bench/wall_ratio.sh OLD_BINARY NEW_BINARY [EXPERIMENT] [RUNS]}
exp=${3:-experiments/hidden_nodes.yaml}
runs=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() {
    local start end
    start=$(date +%s.%N)
    "$1" sweep "$exp" --out "$work/out" --force >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
}

median() {
    sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

: >"$work/old"
: >"$work/new"
for _ in $(seq "$runs"); do
    seconds "$old" >>"$work/old"
    seconds "$new" >>"$work/new"
done
a=$(median <"$work/old")
b=$(median <"$work/new")
printf '%s: old %.3f s, new %.3f s (median of %d), new/old %.3f\n' "$exp" "$a" "$b" "$runs" "$(awk -v a="$a" -v b="$b" 'BEGIN {print b / a}')"
