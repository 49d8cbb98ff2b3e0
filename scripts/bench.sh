#!/usr/bin/env bash
# The performance benchmark: builds Release, makes the cubes it needs with
# volrender_mkcube (in $BENCH_DIR, default /tmp/volrender_bench), runs the
# Python reference and the tool side by side, repeats every run, and prints
# a Markdown table of medians and ratios (scripts/bench.py).
#   scripts/bench.sh                    all sections, 3 repeats
#   scripts/bench.sh --repeats 5 --write docs/PERFORMANCE.md
#   scripts/bench.sh --only kernel,threads
# Single-node only: Open MPI's UCX probe is skipped (OMPI_MCA_pml=ob1) to
# keep launch overhead out of the small runs; never set that on a cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/build.sh
BENCH_DIR=${BENCH_DIR:-/tmp/volrender_bench}
mkdir -p "$BENCH_DIR"
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
exec "$PY" scripts/bench.py --root "$ROOT" --dir "$BENCH_DIR" "$@"
