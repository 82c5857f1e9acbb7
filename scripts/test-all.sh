#!/usr/bin/env bash
# Runs every test: unit (ctest), integration + differential (pytest against
# the built binary and redis-server 7.0.15), the same suites under ASan+UBSan,
# a bounded libFuzzer run of the parser, and a smoke run of the bench tools.
# Assumes scripts/install-deps.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DECODER_SECONDS=${FUZZ_DECODER_SECONDS:-20}

echo "== release build"
scripts/build.sh release
echo "== unit tests"
ctest --test-dir build --output-on-failure -j2
echo "== integration + differential tests"
VIREO_BIN="$PWD/build/vireo-server" $PY -m pytest -q -p no:cacheprovider tests/integration tests/differential

echo "== ASan + UBSan build"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== unit tests (sanitizers)"
ctest --test-dir build-asan --output-on-failure -j2
echo "== integration + differential tests (sanitizers)"
VIREO_BIN="$PWD/build-asan/vireo-server" VIREO_SANITIZED=1 \
  $PY -m pytest -q -p no:cacheprovider -m "not slow" tests/integration tests/differential

echo "== fuzzing (parser ${FUZZ_SECONDS}s, each decoder ${FUZZ_DECODER_SECONDS}s)"
scripts/build.sh fuzz
mkdir -p build-fuzz/corpus
./build-fuzz/fuzz_parser -max_total_time="$FUZZ_SECONDS" -max_len=4096 -print_final_stats=1 \
  build-fuzz/corpus tests/fuzz/seeds 2>&1 | tail -n 15
# Decoders of untrusted blobs (RESTORE / RDB): fuzz_<name> with seeds in
# tests/fuzz/seeds-<name>.
for t in build-fuzz/fuzz_*; do
  name=${t#build-fuzz/fuzz_}
  [ "$name" = parser ] && continue
  mkdir -p "build-fuzz/corpus-$name"
  seeds="tests/fuzz/seeds-$name"
  [ -d "$seeds" ] || seeds=
  "$t" -max_total_time="$FUZZ_DECODER_SECONDS" -max_len=65536 -print_final_stats=1 \
    "build-fuzz/corpus-$name" $seeds 2>&1 | tail -n 3
done

if [ -x bench/compare/smoke.sh ]; then
  echo "== bench tools smoke run"
  bench/compare/smoke.sh
fi
echo "== all tests passed"
