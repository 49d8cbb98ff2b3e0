#!/usr/bin/env bash
# Installs the packages, builds and runs the whole test suite with CTest.
#   scripts/test.sh                 everything (needs --all packages for the
#                                   SLURM test; it is skipped without them)
#   scripts/test.sh -L unit         CTest arguments pass through
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh --all
bash scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
