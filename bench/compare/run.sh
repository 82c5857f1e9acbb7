#!/usr/bin/env bash
# compare.py with the given options; `run.sh --all` runs report.py (every tool, prints RESULTS.md).
exec /usr/bin/python3 "$(dirname "$0")/$([ "${1:-}" = --all ] && echo report.py || echo compare.py)" "$@"
