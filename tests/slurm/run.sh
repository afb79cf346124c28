#!/usr/bin/env bash
# A real one-node Slurm cluster (slurmctld + slurmd + munged, select/cons_tres, no accounting),
# started as root on this machine: submits a small sweep as a throttled job array with a merge
# job, waits, and checks the merged results equal a local `sweeplab sweep` bit for bit.
# Every daemon this script starts is stopped by pid on exit. Usage: tests/slurm/run.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-target/release/sweeplab}")
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root (starts slurmctld, slurmd and munged)" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "== installing slurm-wlm and munge"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi

W=$(mktemp -d /tmp/sweeplab-slurm.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    echo "== stopped daemons: ${PIDS[*]:-none}"
}
trap cleanup EXIT

echo "== munge"
mkdir -p "$W/munge/etc" "$W/munge/run" "$W/munge/lib" "$W/munge/log"
dd if=/dev/urandom of="$W/munge/etc/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$W/munge"
chmod 700 "$W/munge/etc" "$W/munge/lib" "$W/munge/log"
chmod 400 "$W/munge/etc/munge.key"
SOCKET="$W/munge/run/munge.socket.2"
runuser -u munge -- munged --key-file="$W/munge/etc/munge.key" --socket="$SOCKET" \
    --pid-file="$W/munge/run/munged.pid" --log-file="$W/munge/log/munged.log" --seed-file="$W/munge/lib/munged.seed"
for _ in $(seq 50); do [ -s "$W/munge/run/munged.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$W/munge/run/munged.pid")")

echo "== slurm.conf"
HOST=$(hostname -s)
NODE=$(slurmd -C | head -1 | sed "s/NodeName=[^ ]*/NodeName=$HOST/")
mkdir -p "$W/state" "$W/spool"
export SLURM_CONF="$W/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=sweeplab
SlurmctldHost=$HOST
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MaxArraySize=1001
$NODE State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
echo "$NODE"

echo "== slurmctld, slurmd"
slurmctld -i
for _ in $(seq 100); do [ -s "$W/slurmctld.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$W/slurmctld.pid")")
slurmd
for _ in $(seq 100); do [ -s "$W/slurmd.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$W/slurmd.pid")")
for _ in $(seq 100); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
sinfo

echo "== the sweep: local reference, then a Slurm array of 4 tasks, at most 2 at once"
cat > "$W/cluster.yaml" <<YAML
name: cluster
datasets: [{name: AbAcAd, cyclic: AbAcAd, repeat: 10, vocab: [A, b, c, d]}]
grid: {cell: [rnn, lstm, gru], hidden: [2, 4], seed: 0..4, lr: 0.1, epochs: 40}
YAML
"$BIN" sweep "$W/cluster.yaml" --out "$W/local" 2>/dev/null
"$BIN" slurm "$W/cluster.yaml" --tasks 4 --max-parallel 2 --time 00:10:00 --out "$W/cluster" --submit
grep -h '^#SBATCH --array' "$W"/cluster/slurm/array-*.sbatch
for _ in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.5
done
[ -z "$(squeue -h)" ] || { echo "jobs did not finish:"; squeue; exit 1; }
echo "== task logs"
tail -n 2 "$W"/cluster/slurm/logs/task-*.out
echo "== merge log"
cat "$W"/cluster/slurm/logs/merge-*.out

echo "== compare with the local sweep"
strip() { cut -d, -f1-14 "$1" | sort; }   # every column up to train_seconds
diff <(strip "$W/local/runs.csv") <(strip "$W/cluster/runs.csv")
cmp "$W/local/curves.csv" "$W/cluster/curves.csv"
cmp "$W/local/states.csv" "$W/cluster/states.csv"
ls "$W/cluster/shards"
echo "PASS: $(($(wc -l < "$W/cluster/runs.csv") - 1)) runs from 4 Slurm array tasks equal the local sweep bit for bit"
