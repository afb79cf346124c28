#!/usr/bin/env bash
# Are two sweeplab binaries' results the same? Sweeps every shipped experiment with each binary
# (`--force`, into WORKDIR/a and WORKDIR/b) and compares, per experiment: the `plan` listing,
# runs.csv (every column but train_seconds), curves.csv, states.csv, the list of figures and
# every PNG byte for byte. Prints one line per difference and exits 1 if there is any.
#
#   [NEW_COLUMNS=a,b] bench/same_outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]
#
# Used to show that a refactoring changed no result (keep a copy of the old binary first:
# `cp target/release/sweeplab /tmp/sweeplab-old`). Run from the repository root.
set -euo pipefail
old=${1:?usage: bench/same_outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]}
new=${2:?usage: bench/same_outputs.sh OLD_BINARY NEW_BINARY [WORKDIR]}
work=${3:-$(mktemp -d)}
mkdir -p "$work/a" "$work/b"
differences=0
differ() {
    echo "DIFFERS $*"
    differences=$((differences + 1))
}

# runs.csv (or the plan listing, its `#` title line kept) without its train_seconds column
# (wall time differs between any two runs), and without the columns named in $NEW_COLUMNS
# (comma separated): those of parameters the new binary added, which the old one cannot have.
strip_seconds() {
    python3 - "$1" <<'EOF'
import csv, os, sys
lines = open(sys.argv[1], newline="").read().splitlines(keepends=True)
while lines and lines[0].startswith("#"):
    sys.stdout.write(lines.pop(0))
rows = list(csv.reader(lines))
if not rows:
    sys.exit(0)
names = ["train_seconds"] + [c for c in os.environ.get("NEW_COLUMNS", "").split(",") if c]
drop = {rows[0].index(n) for n in names if n in rows[0]}
w = csv.writer(sys.stdout, lineterminator="\n")
for row in rows:
    w.writerow([c for i, c in enumerate(row) if i not in drop])
EOF
}

for exp in experiments/*.yaml; do
    name=$(basename "$exp" .yaml)
    for side in a b; do
        bin=$old
        [ "$side" = b ] && bin=$new
        "$bin" plan "$exp" >"$work/$side/$name.plan" 2>/dev/null || true
        # Exit 1 (some runs failed: cuda without a GPU) is a result like any other.
        "$bin" sweep "$exp" --out "$work/$side/$name" --force >/dev/null 2>"$work/$side/$name.log" || true
    done
    cmp -s <(strip_seconds "$work/a/$name.plan") <(strip_seconds "$work/b/$name.plan") || differ "$name: plan"
    for table in curves.csv states.csv; do
        cmp -s "$work/a/$name/$table" "$work/b/$name/$table" || differ "$name: $table"
    done
    if ! cmp -s <(strip_seconds "$work/a/$name/runs.csv") <(strip_seconds "$work/b/$name/runs.csv"); then
        differ "$name: runs.csv"
    fi
    figures_a=$(cd "$work/a/$name/figures" && ls)
    figures_b=$(cd "$work/b/$name/figures" && ls)
    [ "$figures_a" = "$figures_b" ] || differ "$name: the list of figures"
    for png in $figures_a; do
        [ -f "$work/b/$name/figures/$png" ] || continue
        cmp -s "$work/a/$name/figures/$png" "$work/b/$name/figures/$png" || differ "$name: figures/$png"
    done
    echo "compared $name ($(wc -l <"$work/a/$name/runs.csv") lines of runs.csv, $(echo "$figures_a" | wc -w) figures)"
done
echo "$differences differences (results in $work)"
[ "$differences" = 0 ]
