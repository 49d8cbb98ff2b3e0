#!/usr/bin/env bash
# Weak scaling: the problem grows with the rank count P so that each rank
# keeps the same work.  At P ranks the cube is S(P)^3 with
# S(P) = round(S0 * P^(1/3)), made by the parallel generator
# (volrender_mkcube) on P ranks, and the image is N(P) x N(P) with
# N(P) = round(N0 * P^(1/3)) samples per ray, so both the voxels and the
# samples per frame (N^3, the camera box being N units wide) grow as P.
# The image (N^2) grows as P^(2/3), so compositing per rank grows too: that
# is part of what weak scaling measures here.  Each timed run appends one
# JSON record (volrender_mpi --timing); scripts/scaling_report.py --mode
# weak turns them into a table and a plot.
#
#   scripts/weak_scaling.sh [options] [-- volrender_mpi options]
#
#   -p LIST     rank counts (default 1 2 4 ... up to SLURM_NTASKS inside an
#               allocation, and SLURM_NTASKS itself; outside SLURM 1 2 4)
#   -s S0       cube side at P = 1 (default 128; S0 = 128, N0 = 90 reach the
#               reference 256^3, N = 180 at P = 8)
#   -n N0       image size and samples per ray at P = 1 (default 90)
#   -r N        timed repeats per rank count (default 3)
#   -w N        untimed warm-up runs per rank count (default 1)
#   -o DIR      work directory (default scaling-weak): cubes DIR/cube<S>.h5
#               (kept and reused), frames DIR/frames
#   -t FILE     records file (default DIR/weak.jsonl; appended to)
#   -R          write the report at the end: DIR/weak.md, DIR/weak.png
#   -B DIR      build directory (default: build/ next to this script)
#   after --    options for every render (default: -a 4)
#
# Launching: see scripts/launch.sh.  OMP_NUM_THREADS defaults to 1.
# Exit status: 0, or 1 when any run failed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${VR_BUILD:-$HERE/../build}
PLIST=""
S0=128
N0=90
REPEATS=3
WARMUP=1
DIR=scaling-weak
RECORDS=""
REPORT=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while getopts "p:s:n:r:w:o:t:RB:h" opt; do
  case $opt in
    p) PLIST=$OPTARG ;; s) S0=$OPTARG ;; n) N0=$OPTARG ;;
    r) REPEATS=$OPTARG ;; w) WARMUP=$OPTARG ;; o) DIR=$OPTARG ;;
    t) RECORDS=$OPTARG ;; R) REPORT=1 ;; B) BUILD=$OPTARG ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
RENDER_ARGS=("$@")
((${#RENDER_ARGS[@]})) || RENDER_ARGS=(-a 4)

TOOL=${VR_TOOL:-$BUILD/volrender_mpi}
MKCUBE=${VR_MKCUBE:-$BUILD/volrender_mkcube}
PYTHON=${VR_PYTHON:-/usr/bin/python3}
for exe in "$TOOL" "$MKCUBE"; do
  [[ -x $exe ]] || { echo "weak_scaling: no $exe (build first: scripts/build.sh)" >&2; exit 1; }
done
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

if [[ -z $PLIST ]]; then
  max=${SLURM_NTASKS:-4}
  for ((p = 1; p <= max; p *= 2)); do PLIST+="$p "; done
  if ((max & (max - 1))); then PLIST+="$max"; fi   # e.g. 48: ... 16 32 48
fi
read -r -a PS <<<"$PLIST"
for p in "${PS[@]}"; do
  [[ $p =~ ^[1-9][0-9]*$ ]] || { echo "weak_scaling: bad rank count '$p'" >&2; exit 2; }
done

mkdir -p "$DIR"
RECORDS=${RECORDS:-$DIR/weak.jsonl}

# shellcheck source=launch.sh
source "$HERE/launch.sh"
vr_launch_init "$TOOL"

# grown BASE P: round(BASE * P^(1/3))
grown() { awk -v b="$1" -v p="$2" 'BEGIN { printf "%d", b * exp(log(p) / 3) + 0.5 }'; }

echo "weak_scaling: P = ${PS[*]}, S0 = $S0, N0 = $N0, $WARMUP warm-up + $REPEATS" \
     "timed run(s) each, OMP_NUM_THREADS=$OMP_NUM_THREADS, records -> $RECORDS"
STUDY=weak_scaling
vr_study_begin
for p in "${PS[@]}"; do
  side=$(grown "$S0" "$p")
  n=$(grown "$N0" "$p")
  cube=$DIR/cube$side.h5
  if [[ ! -f $cube ]]; then
    echo "weak_scaling: making $cube (${side}^3) on $p rank(s)"
    if ! vr_launch "$p" "$MKCUBE" -o "$cube" -s "$side"; then
      VR_STUDY_FAILED=1
      continue
    fi
  fi
  label=$(printf "%4d^3 N=%-4d " "$side" "$n")
  vr_study_runs "$p" "$label" "$TOOL" -i "$cube" -N "$n" -o "$DIR/frames" "${RENDER_ARGS[@]}"
done
vr_study_end weak "$DIR"
