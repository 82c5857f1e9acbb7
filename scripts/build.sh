#!/usr/bin/env bash
# Builds vireo-server, the unit tests and the micro benchmarks into build/.
#   scripts/build.sh            release build (RelWithDebInfo) in build/
#   scripts/build.sh asan       ASan + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
case "${1:-release}" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    ninja -C build -j"$JOBS"
    ;;
  asan)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIREO_SANITIZE=ON \
      -DVIREO_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" >/dev/null
    ninja -C build-asan -j"$JOBS"
    ;;
  fuzz)
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DVIREO_FUZZ=ON -DVIREO_TESTS=ON \
      -DVIREO_BENCH=OFF -DVIREO_JEMALLOC=OFF >/dev/null
    ninja -C build-fuzz -j"$JOBS" $(ninja -C build-fuzz -t targets all | grep -o '^fuzz_[a-z0-9_]*' | sort -u)
    ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
