#!/usr/bin/env bash
# From nothing to frames: installs the packages, builds, makes the demo cube
# (256^3 synthetic cosmic web, made by volrender_mkcube) and renders the
# reference orbit with `mpirun -np 2`.  Frames go to ./demo/.
#   NP=4 scripts/demo.sh        more ranks
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NP=${NP:-2}
bash scripts/install_deps.sh
bash scripts/build.sh

MPIRUN=(mpirun -np "$NP")
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  MPIRUN+=(--oversubscribe)
  if [[ $(id -u) -eq 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
fi

mkdir -p demo
cd demo
if [[ ! -f datacube.hdf5 ]]; then
  "${MPIRUN[@]}" "$ROOT/build/volrender_mkcube" -o datacube.hdf5
fi
"${MPIRUN[@]}" "$ROOT/build/volrender_mpi" --timing timing.jsonl
echo
echo "demo: frames are in $ROOT/demo/ (volumerender0.png .. volumerender9.png, projection.png)"
