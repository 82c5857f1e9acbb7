#!/usr/bin/env bash
# Smoke run of the comparison tools (CI: scripts/test-all.sh calls this).
# Runs compare.py, memory.py and instructions.py with --quick (through
# report.py, which also renders RESULTS.md into a temp file) against the
# freshly built binary, and checks that the micro benchmarks start.
# Fails on any error; takes well under 60 s on 2 cores.
#   VIREO_BIN=path/to/vireo-server bench/compare/smoke.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
VIREO=${VIREO_BIN:-$PWD/build/vireo-server}
BUILD_DIR=$(dirname "$VIREO")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)

timeout 120 $PY bench/compare/report.py --quick --rounds 1 --vireo "$VIREO" \
  --json "$tmp/results.json" --out "$tmp/RESULTS.md"
for section in "## Targets" "| SET c=50 P=16 |" "| 100-byte string values |" \
    "| just connected" "| GET c=50 P=16 |"; do
  grep -qF -- "$section" "$tmp/RESULTS.md" || { echo "smoke: '$section' missing from the report" >&2; exit 1; }
done
if grep -q "| n/a |" "$tmp/RESULTS.md"; then
  echo "smoke: the report has unmeasured cells:" >&2
  grep "| n/a |" "$tmp/RESULTS.md" >&2
  exit 1
fi
# The command-line entry points themselves (one tiny workload each).
timeout 60 $PY bench/compare/compare.py --quick --rounds 1 --only ping_mbulk-p16 --vireo "$VIREO" >/dev/null
timeout 60 $PY bench/compare/report.py --from-json "$tmp/results.json" >/dev/null

for b in resp_parser_bench reply_bench hashtable_bench numbers_bench; do
  if [ -x "$BUILD_DIR/$b" ]; then
    "$BUILD_DIR/$b" --benchmark_list_tests >/dev/null
  fi
done
echo "bench smoke: ok ($(( $(date +%s) - start )) s)"
