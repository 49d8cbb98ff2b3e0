#!/usr/bin/env bash
# Fuzzes the option parser for a bounded time:
#   tests/fuzz/run_fuzz.sh [SECONDS]          (default 60)
# Builds tests/fuzz/fuzz_config.c with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer straight from src/config.c and the modules it uses
# (the parser needs neither MPI nor HDF5), then runs it from the seed corpus
# with the option dictionary.  Any crash, sanitizer report or broken
# contract fails the script and leaves the input in $FUZZ_BUILD_DIR
# (default build-fuzz) as crash-* / leak-* / timeout-*: replay it with
#   build-fuzz/fuzz_config build-fuzz/crash-...
# New inputs found go to $FUZZ_BUILD_DIR/corpus; tests/fuzz/corpus (the
# seeds, replayed by CTest's robust_fuzz_corpus) is never written.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "run_fuzz.sh: SECONDS must be a whole number >= 1 (got '$seconds')" >&2
  exit 2
fi
CLANG=${CLANG:-clang}
OUT=${FUZZ_BUILD_DIR:-build-fuzz}
if ! command -v "$CLANG" >/dev/null; then
  echo "run_fuzz.sh: $CLANG not found (scripts/install_deps.sh --all installs clang" \
       "and libclang-rt-14-dev)" >&2
  exit 1
fi
mkdir -p "$OUT/corpus"
# The parser checks option values with the transfer-function and camera
# modules (pure, but they link jansson, and through the output helpers
# libpng and MPI).
SRCS=(src/config.c src/error.c src/camera/camera_options.c src/camera/view.c
      src/camera/view_list.c src/tf/tf.c src/tf/tf_json.c src/tf/colormaps.c
      src/tf/colormap_data.c src/tf/tf_export.c src/transfer.c src/output.c
      src/parallel.c)
MPICC=${MPICC:-mpicc}
read -r -a MPI_CFLAGS <<<"$("$MPICC" -showme:compile 2>/dev/null || "$MPICC" -compile_info | cut -d' ' -f2-)"
read -r -a MPI_LIBS <<<"$("$MPICC" -showme:link 2>/dev/null || "$MPICC" -link_info | cut -d' ' -f2-)"
"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude "${MPI_CFLAGS[@]}" "${SRCS[@]}" tests/fuzz/fuzz_config.c \
  $(pkg-config --cflags --libs jansson libpng) -lm "${MPI_LIBS[@]}" -o "$OUT/fuzz_config"
cp tests/fuzz/corpus/* "$OUT/corpus/"
echo "run_fuzz.sh: fuzzing vr_config_parse for $seconds s"
"$OUT/fuzz_config" "$OUT/corpus" -dict=tests/fuzz/options.dict \
  -max_total_time="$seconds" -max_len=4400 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$OUT/" -print_final_stats=1 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
echo "run_fuzz.sh: exit $status ($(ls "$OUT/corpus" | wc -l) inputs in $OUT/corpus)"
exit "$status"
