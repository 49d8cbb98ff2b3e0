#!/usr/bin/env bash
# Configures and builds volrender_mpi in ./build (Release), or in $BUILD_DIR.
# Extra arguments go to cmake, e.g. scripts/build.sh -DVR_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
