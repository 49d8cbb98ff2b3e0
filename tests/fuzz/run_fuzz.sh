#!/usr/bin/env bash
# Fuzzes the option parser for a bounded time:
#   tests/fuzz/run_fuzz.sh [SECONDS]          (default 60)
# Builds tests/fuzz/fuzz_config.c with clang's libFuzzer, AddressSanitizer
# and UndefinedBehaviorSanitizer straight from src/config.c and src/error.c
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
"$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Iinclude src/config.c src/error.c tests/fuzz/fuzz_config.c -o "$OUT/fuzz_config"
cp tests/fuzz/corpus/* "$OUT/corpus/"
echo "run_fuzz.sh: fuzzing vr_config_parse for $seconds s"
"$OUT/fuzz_config" "$OUT/corpus" -dict=tests/fuzz/options.dict \
  -max_total_time="$seconds" -max_len=4400 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$OUT/" -print_final_stats=1 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
echo "run_fuzz.sh: exit $status ($(ls "$OUT/corpus" | wc -l) inputs in $OUT/corpus)"
exit "$status"
