#!/usr/bin/env bash
# Installs everything Vireo needs to build, test and benchmark on Debian 12.
# Debian packages only. Run as root (or through sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  build-essential cmake ninja-build clang libclang-rt-14-dev
  libspdlog-dev libfmt-dev libxxhash-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-tools python3-redis python3-pytest
  valgrind procps util-linux
)
# Node.js and npm (ioredis interop test): Debian's packages only when the
# machine has none; a Node.js from elsewhere (e.g. nodesource, which bundles
# npm and conflicts with Debian's npm package) is used as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PKGS+=(nodejs npm)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  # Why: the redis-server package must not start a system service on the
  # default port during tests; policy-rc.d 101 forbids service starts.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
