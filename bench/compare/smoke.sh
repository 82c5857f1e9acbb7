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
# Every figure measured (CPU ratios may be n/a: 10 ms ticks vs tiny runs).
$PY - "$tmp/results.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
bad = []
for w in r["compare"]["workloads"]:
    for k in ("vireo_rps", "redis_rps", "ratio_rps", "vireo_p99_ms", "redis_p99_ms"):
        if not isinstance(w.get(k), (int, float)) or (k.endswith("rps") and w[k] <= 0):
            bad.append(f"compare {w['id']} {k}={w.get(k)}")
for d in r["memory"]["datasets"]:
    for side in ("vireo", "redis"):
        if not d[side]["used_per_key"] > 0:
            bad.append(f"memory {d['dataset']} {side} used_per_key={d[side]['used_per_key']}")
for side in ("vireo", "redis"):
    if not r["memory"]["idle"][side]["used_per_conn_connected"] > 0:
        bad.append(f"memory idle {side}")
ins = r["instructions"]["callgrind"]
for p in r["instructions"]["phases"]:
    for side in ("vireo", "redis"):
        ph = ins[side]["phases"].get(p)
        if not ph or not ph["per_request"] > 0:
            bad.append(f"instructions {p} {side}: {ph}")
if bad:
    sys.exit("smoke: unmeasured figures:\n  " + "\n  ".join(bad))
PYEOF
# The command-line entry points themselves (one tiny workload each).
timeout 60 $PY bench/compare/compare.py --quick --rounds 1 --only ping_mbulk-p16 --vireo "$VIREO" >/dev/null
timeout 60 $PY bench/compare/report.py --from-json "$tmp/results.json" >/dev/null

for b in resp_parser_bench reply_bench hashtable_bench numbers_bench; do
  if [ -x "$BUILD_DIR/$b" ]; then
    "$BUILD_DIR/$b" --benchmark_list_tests >/dev/null
  fi
done
echo "bench smoke: ok ($(( $(date +%s) - start )) s)"
