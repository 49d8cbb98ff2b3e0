#!/usr/bin/env bash
# Strong scaling: one fixed problem rendered at several rank counts; each
# timed run appends one JSON record (volrender_mpi --timing) to the records
# file, which scripts/scaling_report.py turns into a table and a plot.
#
#   scripts/strong_scaling.sh [options] [-- volrender_mpi options]
#
#   -p LIST     rank counts, e.g. "1 2 4 8" (default 1 2 4 ... up to
#               SLURM_NTASKS inside an allocation, and SLURM_NTASKS itself;
#               outside SLURM 1 2 4)
#   -i FILE     the cube (default DIR/cube<S>.h5, made when missing with
#               volrender_mkcube on the largest rank count)
#   -s SIZE     size of that generated cube: N or NXxNYxNZ (default 128)
#   -r N        timed repeats per rank count (default 3)
#   -w N        untimed warm-up runs per rank count (default 1)
#   -o DIR      work directory (default scaling-strong); frames go to
#               DIR/frames (overwritten by each run)
#   -t FILE     records file (default DIR/strong.jsonl; appended to)
#   -R          write the report at the end: DIR/strong.md, DIR/strong.png
#   -B DIR      build directory with volrender_mpi, volrender_mkcube
#               (default: build/ next to this script)
#   after --    options for every render (default: -N 128 -a 4)
#
# Launching: see scripts/launch.sh (VR_LAUNCHER, VR_SRUN_MPI, VR_MPIRUN,
# VR_MPIRUN_FLAGS).  OMP_NUM_THREADS defaults to 1 (pure MPI scaling);
# set it for hybrid runs.  Exit status: 0, or 1 when any run failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${VR_BUILD:-$HERE/../build}
PLIST=""
INPUT=""
SIZE=128
REPEATS=3
WARMUP=1
DIR=scaling-strong
RECORDS=""
REPORT=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while getopts "p:i:s:r:w:o:t:RB:h" opt; do
  case $opt in
    p) PLIST=$OPTARG ;; i) INPUT=$OPTARG ;; s) SIZE=$OPTARG ;;
    r) REPEATS=$OPTARG ;; w) WARMUP=$OPTARG ;; o) DIR=$OPTARG ;;
    t) RECORDS=$OPTARG ;; R) REPORT=1 ;; B) BUILD=$OPTARG ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
RENDER_ARGS=("$@")
((${#RENDER_ARGS[@]})) || RENDER_ARGS=(-N 128 -a 4)

TOOL=${VR_TOOL:-$BUILD/volrender_mpi}
MKCUBE=${VR_MKCUBE:-$BUILD/volrender_mkcube}
PYTHON=${VR_PYTHON:-/usr/bin/python3}
[[ -x $TOOL ]] || { echo "strong_scaling: no $TOOL (build first: scripts/build.sh)" >&2; exit 1; }
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

if [[ -z $PLIST ]]; then
  max=${SLURM_NTASKS:-4}
  PLIST=""
  for ((p = 1; p <= max; p *= 2)); do PLIST+="$p "; done
  if ((max & (max - 1))); then PLIST+="$max"; fi   # e.g. 48: ... 16 32 48
fi
read -r -a PS <<<"$PLIST"
maxp=1
for p in "${PS[@]}"; do
  [[ $p =~ ^[1-9][0-9]*$ ]] || { echo "strong_scaling: bad rank count '$p'" >&2; exit 2; }
  ((p > maxp)) && maxp=$p
done

mkdir -p "$DIR"
RECORDS=${RECORDS:-$DIR/strong.jsonl}
INPUT=${INPUT:-$DIR/cube$SIZE.h5}

# shellcheck source=launch.sh
source "$HERE/launch.sh"
vr_launch_init "$TOOL"

if [[ ! -f $INPUT ]]; then
  echo "strong_scaling: making $INPUT ($SIZE) on $maxp rank(s)"
  vr_launch "$maxp" "$MKCUBE" -o "$INPUT" -s "$SIZE"
fi

echo "strong_scaling: P = ${PS[*]}, $WARMUP warm-up + $REPEATS timed run(s) each," \
     "OMP_NUM_THREADS=$OMP_NUM_THREADS, records -> $RECORDS"
STUDY=strong_scaling
vr_study_begin
for p in "${PS[@]}"; do
  vr_study_runs "$p" "" "$TOOL" -i "$INPUT" -o "$DIR/frames" "${RENDER_ARGS[@]}"
done
vr_study_end strong "$DIR"
