#!/usr/bin/env bash
# Builds vireo-server as of an earlier commit of this repository, for the
# "before" figures of the comparison tools (--baseline BIN).
#
#   bench/compare/build-baseline.sh COMMIT [OUTDIR]
#
# Exports COMMIT (git archive, no work tree involved) into OUTDIR/src
# (default OUTDIR: /tmp/vireo-baseline-<shortsha>), configures it in
# OUTDIR/build (Ninja, RelWithDebInfo as scripts/build.sh, no tests, no micro
# benchmarks), builds only the vireo-server target and prints the binary's
# path as the last line on stdout (build output goes to stderr). Idempotent:
# when the binary already exists it is just printed.
#
#   B=$(bench/compare/build-baseline.sh e0d1328) && \
#     bench/compare/run.sh --all --baseline "$B" --baseline-label e0d1328 > bench/RESULTS.md
set -euo pipefail

usage() { echo "usage: $0 COMMIT [OUTDIR]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then usage; fi

REPO=$(cd "$(dirname "$0")/../.." && pwd)
JOBS=${JOBS:-$(nproc)}

sha=$(git -C "$REPO" rev-parse --verify --quiet "$1^{commit}") \
  || { echo "build-baseline: not a commit of $REPO: $1" >&2; exit 1; }
short=$(git -C "$REPO" rev-parse --short "$sha")
OUTDIR=${2:-/tmp/vireo-baseline-$short}
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
SRC=$OUTDIR/src
BUILD=$OUTDIR/build
BIN=$BUILD/vireo-server

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

# Older commits include <asio.hpp> (scripts/install-deps.sh no longer lists it).
if [ ! -f /usr/include/asio.hpp ]; then
  echo "build-baseline: installing libasio-dev (needed by older commits)" >&2
  SUDO=()
  [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
  install=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive
           apt-get install -y -qq --no-install-recommends libasio-dev)
  # Retry after apt-get update when the package lists are missing or stale.
  "${install[@]}" >&2 || { "${SUDO[@]}" apt-get update -qq >&2 && "${install[@]}" >&2; }
fi

# Export into a temp dir first, so an interrupted export is never mistaken for
# a complete one.
if [ ! -f "$SRC/CMakeLists.txt" ]; then
  rm -rf "$SRC"
  tmp=$(mktemp -d "$OUTDIR/src.tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  echo "build-baseline: exporting $short into $SRC" >&2
  git -C "$REPO" archive --format=tar "$sha" | tar -x -C "$tmp"
  mv "$tmp" "$SRC"
  trap - EXIT
fi

echo "build-baseline: building vireo-server ($short) in $BUILD" >&2
cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVIREO_TESTS=OFF -DVIREO_BENCH=OFF >&2
ninja -C "$BUILD" -j"$JOBS" vireo-server >&2

[ -x "$BIN" ] || { echo "build-baseline: $BIN was not built" >&2; exit 1; }
echo "$BIN"
