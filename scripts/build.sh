#!/usr/bin/env bash
# Configures and builds volrender_mpi in ./build (Release), or in $BUILD_DIR.
# Extra arguments go to cmake, e.g. scripts/build.sh -DVR_SANITIZE=ON
# VR_MPI=mpich builds against Debian's MPICH and its parallel HDF5 instead
# of the default MPI (packages mpich libhdf5-mpich-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
MPI_ARGS=()
if [[ "${VR_MPI:-}" == mpich ]]; then
  MPI_ARGS=(-DMPI_C_COMPILER=/usr/bin/mpicc.mpich -DMPIEXEC_EXECUTABLE=/usr/bin/mpiexec.mpich
            -DHDF5_C_COMPILER_EXECUTABLE=/usr/bin/h5pcc.mpich)
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "${MPI_ARGS[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
