#!/usr/bin/env bash
# An ivsim sweep as a Slurm job array (DESIGN §11 "Sweeps"): one array task per part of the sweep — `ivsim sweep`
# reads its part from SLURM_ARRAY_TASK_ID (relative to SLURM_ARRAY_TASK_MIN) and the number of parts from
# SLURM_ARRAY_TASK_COUNT — then a merge job that starts once every task has succeeded.
#
#   bash docs/deploy/slurm-array.sh SCENARIO [PARTS] [OUTDIR] [SWEEP OPTIONS...]
#   bash docs/deploy/slurm-array.sh examples/nic-rate-sweep.yaml 4 "$HOME/ivsim-parts" --set duration=20ms
#
# Run as above, the script submits itself twice: an array of PARTS tasks (--array=0-<PARTS-1>), each running
# `ivsim sweep SCENARIO --json OUTDIR/part-<task>.json [SWEEP OPTIONS]`, and a job depending on the array
# (afterok) running `ivsim merge OUTDIR/part-*.json --json OUTDIR/sweep.json --csv OUTDIR/sweep.csv`. OUTDIR must be on
# a file system every node sees; `ivsim` must be on the nodes' PATH. Submit the array as a range (a list such as
# --array=1,5 is refused by ivsim: its tasks would not be parts 0..N-1).
#SBATCH --job-name=ivsim-sweep
#SBATCH --cpus-per-task=1
#SBATCH --time=02:00:00
set -euo pipefail

scenario=${1:?usage: slurm-array.sh SCENARIO [PARTS] [OUTDIR] [SWEEP OPTIONS...]}
parts=${2:-4}
out=${3:-ivsim-parts}
shift $(($# < 3 ? $# : 3))

case "${IVSIM_SLURM_STEP:-submit}" in
  submit)
    mkdir -p "$out"
    array=$(sbatch --parsable --array="0-$((parts - 1))" --output="$out/part-%a.log" \
      --export=ALL,IVSIM_SLURM_STEP=part "$0" "$scenario" "$parts" "$out" "$@")
    array=${array%%;*} # --parsable prints "jobid[;cluster]"
    sbatch --parsable --dependency="afterok:$array" --output="$out/merge.log" \
      --export=ALL,IVSIM_SLURM_STEP=merge "$0" "$scenario" "$parts" "$out"
    ;;
  part)
    ivsim sweep "$scenario" --json "$out/part-$SLURM_ARRAY_TASK_ID.json" "$@"
    ;;
  merge)
    # Exit 2 when a part is missing, duplicated or of another sweep (its fingerprint differs).
    ivsim merge "$out"/part-*.json --json "$out/sweep.json" --csv "$out/sweep.csv"
    ;;
  *)
    echo "IVSIM_SLURM_STEP: expected submit, part or merge, got \"$IVSIM_SLURM_STEP\"" >&2
    exit 2
    ;;
esac
