#!/usr/bin/env bash
# Installs what volrender_mpi needs to build, test and run on Debian 12 /
# Ubuntu (as root, or with sudo).  Packages already present are skipped.
#   scripts/install_deps.sh          build + run + tests
#   scripts/install_deps.sh --all    also SLURM, ffmpeg, clang, valgrind, MPICH
#                                    (cluster tests, movies, fuzzing, sanitizer
#                                    runs, the MPICH build)
set -euo pipefail

PKGS=(build-essential cmake pkg-config git openmpi-bin libopenmpi-dev
      libhdf5-openmpi-dev hdf5-tools libpng-dev libjansson-dev
      python3 python3-numpy python3-scipy python3-h5py python3-matplotlib python3-pil)
if [[ "${1:-}" == "--all" ]]; then
  PKGS+=(slurm-wlm munge ffmpeg clang libclang-rt-14-dev valgrind mpich libhdf5-mpich-dev)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install_deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
echo "install_deps: done"
