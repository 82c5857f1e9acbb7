#!/usr/bin/env bash
# Starts a six-node Redis Cluster (3 masters + 3 replicas) from the ONE
# node template conf/redis-cluster.conf, the way the deployment guide's
# cluster-init.sh does (start the nodes, `redis-cli --cluster create ...
# --cluster-replicas 1 --cluster-yes`, `redis-cli --cluster check`), and
# stops exactly the nodes it started. Owned by issue 12; tested by
# tests/integration/test_cluster_clients.py (test_cluster_init_script).
#
# Why one template: the guide keeps one file per node that differs only in
# port, cluster-config-file and announce ports; here every per-node value
# is a command-line override (redis-server and vireo-server apply
# `--name value` after the file), so the template stays the single source.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROG=$(basename "$0")

usage() {
  cat <<EOF
Usage: $PROG [start] [options] [-- extra server args]
       $PROG stop  [options]
       $PROG check [options]

start   start one server per node address, each from the template with
        per-node overrides, then create the cluster (one replica per master)
        and check it. When the nodes already know each other (their
        nodes-<port>.conf from an earlier start), create is skipped: the
        cluster comes back from those files and is only checked.
stop    SIGTERM exactly the servers this script started (their pidfiles under
        the data directory, each PID checked against the recorded binary),
        wait for them to exit.
check   redis-cli --cluster check on the first node.

Options:
  --host HOST       address of every node (bind + cluster-announce-ip);
                    default 127.0.0.1
  --ports LIST      node ports, comma separated or a range A-B;
                    default 7000-7005
  --nodes LIST      explicit HOST:PORT,HOST:PORT,... instead of --host/--ports
                    (each must be an address of this machine)
  --bin PATH        server binary; default $ROOT/build/vireo-server, else
                    vireo-server on PATH
  --cli PATH        redis-cli; default redis-cli on PATH
  --conf PATH       node template; default $ROOT/conf/redis-cluster.conf
  --dir DIR         data directory (one subdirectory per node: nodes-<port>.conf,
                    RDB, log, pidfile); default ./cluster-data
  --replicas N      replicas per master for create; default 1
  --timeout SECS    how long to wait for nodes to answer / agree / exit;
                    default 30
  -h, --help        this text

Everything after -- is passed to every server (e.g. -- --save "").
The cluster bus of a node listens on port+10000 (the template's rule).
EOF
}

cmd=start
case "${1:-}" in
  start|stop|check) cmd=$1; shift ;;
esac

HOST=127.0.0.1
PORTS=7000-7005
NODES=
BIN=
CLI=
CONF=$ROOT/conf/redis-cluster.conf
DATA=./cluster-data
REPLICAS=1
TIMEOUT=30
EXTRA=()

die() { echo "$PROG: $*" >&2; exit 1; }
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }

while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --host) need "$@"; HOST=$2; shift 2 ;;
    --ports) need "$@"; PORTS=$2; shift 2 ;;
    --nodes) need "$@"; NODES=$2; shift 2 ;;
    --bin) need "$@"; BIN=$2; shift 2 ;;
    --cli) need "$@"; CLI=$2; shift 2 ;;
    --conf) need "$@"; CONF=$2; shift 2 ;;
    --dir) need "$@"; DATA=$2; shift 2 ;;
    --replicas) need "$@"; REPLICAS=$2; shift 2 ;;
    --timeout) need "$@"; TIMEOUT=$2; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# -- the node list ------------------------------------------------------------
ADDRS=()
if [ -n "$NODES" ]; then
  IFS=, read -r -a ADDRS <<<"$NODES"
else
  if [[ $PORTS =~ ^([0-9]+)-([0-9]+)$ ]]; then
    for ((p = BASH_REMATCH[1]; p <= BASH_REMATCH[2]; p++)); do ADDRS+=("$HOST:$p"); done
  else
    IFS=, read -r -a plist <<<"$PORTS"
    for p in "${plist[@]}"; do ADDRS+=("$HOST:$p"); done
  fi
fi
[ ${#ADDRS[@]} -gt 0 ] || die "no nodes"
for a in "${ADDRS[@]}"; do
  [[ $a =~ ^[^:]+:[0-9]+$ ]] || die "bad node address '$a' (HOST:PORT)"
  # why: the bus port is port+10000 and must be a valid port too
  [ "${a##*:}" -le 55535 ] || die "port of $a too high (its bus port is port+10000)"
done

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
STATE=$DATA/cluster-init.state  # the binary the nodes run (resolved path)

node_dir() { echo "$DATA/${1%:*}-${1##*:}"; }

if [ -z "$CLI" ]; then
  CLI=$(command -v redis-cli) || die "redis-cli not found (use --cli)"
fi
cli() { TERM=dumb "$CLI" "$@"; }  # why TERM: redis-cli colours --cluster output on xterm*

# -- stop ---------------------------------------------------------------------
# A pidfile's PID is signalled only while /proc/<pid>/exe is still the binary
# recorded at start: a stale pidfile whose PID was recycled is left alone.
stop_nodes() {
  local want="" pids=() a pf pid exe
  [ -f "$STATE" ] && want=$(cat "$STATE")
  for a in "${ADDRS[@]}"; do
    pf=$(node_dir "$a")/node.pid
    [ -f "$pf" ] || continue
    pid=$(cat "$pf")
    exe=$(readlink -f "/proc/$pid/exe" 2>/dev/null || true)
    if [ -n "$exe" ] && [ "$exe" = "$want" ]; then
      kill -TERM "$pid" && pids+=("$pid") && echo "stopping $a (pid $pid)"
    else
      echo "$a: not running (stale pidfile)"; rm -f "$pf"
    fi
  done
  local deadline=$((SECONDS + TIMEOUT))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || die "pid $pid did not exit within ${TIMEOUT}s"
      sleep 0.1
    done
  done
  echo "stopped ${#pids[@]} node(s)"
}

check_cluster() {
  cli --cluster check "${ADDRS[0]}"
}

case "$cmd" in
  stop) stop_nodes; exit 0 ;;
  check) check_cluster; exit $? ;;
esac

# -- start --------------------------------------------------------------------
[ -f "$CONF" ] || die "template not found: $CONF"
if [ -z "$BIN" ]; then
  if [ -x "$ROOT/build/vireo-server" ]; then
    BIN=$ROOT/build/vireo-server
  else
    BIN=$(command -v vireo-server) || die "no build/vireo-server, none on PATH: use --bin"
  fi
fi
[ -x "$BIN" ] || die "not executable: $BIN"
CONF=$(readlink -f "$CONF")
# why only the recorded copy is resolved: Debian's redis-server is a
# symlink to redis-check-rdb and picks its mode from argv[0], so it must be
# run under its own name; /proc/<pid>/exe shows the resolved file
readlink -f "$BIN" >"$STATE"

for a in "${ADDRS[@]}"; do
  host=${a%:*}
  port=${a##*:}
  d=$(node_dir "$a")
  mkdir -p "$d"
  if cli -h "$host" -p "$port" PING >/dev/null 2>&1; then
    die "$a already answers: not started by this script, or still running (try stop)"
  fi
  # Every per-node value of the template, overridden after it:
  # daemonize + pidfile so `stop` finds exactly this process; logfile and
  # dir so that nodes-<port>.conf, the RDB and the log stay in the node's
  # own directory.
  "$BIN" "$CONF" \
    --port "$port" --bind "$host" \
    --cluster-config-file "nodes-$port.conf" \
    --cluster-announce-ip "$host" \
    --cluster-announce-port "$port" \
    --cluster-announce-bus-port $((port + 10000)) \
    --dir "$d" --daemonize yes --pidfile "$d/node.pid" --logfile "$d/node.log" \
    "${EXTRA[@]}" || die "$a failed to start (see $d/node.log)"
done

# Instead of the guide's `sleep 5`: wait (bounded) until each node answers.
deadline=$((SECONDS + TIMEOUT))
for a in "${ADDRS[@]}"; do
  until cli -h "${a%:*}" -p "${a##*:}" PING 2>/dev/null | grep -q PONG; do
    [ $SECONDS -lt $deadline ] || die "$a does not answer (see $(node_dir "$a")/node.log)"
    sleep 0.1
  done
done
echo "started ${#ADDRS[@]} node(s) from $BIN"

known=$(cli -h "${ADDRS[0]%:*}" -p "${ADDRS[0]##*:}" CLUSTER INFO |
  tr -d '\r' | sed -n 's/^cluster_known_nodes://p')
if [ "${known:-1}" -le 1 ]; then
  cli --cluster create "${ADDRS[@]}" --cluster-replicas "$REPLICAS" --cluster-yes
else
  echo "the nodes already form a cluster ($known known): create skipped"
fi

# why wait: create returns once the nodes joined, but a restarted node may
# still report cluster_state:fail for a moment, and a node learns that
# another one turned replica only from that one's next ping
replicas_wanted=$(( ${#ADDRS[@]} - ${#ADDRS[@]} / (REPLICAS + 1) ))
settled() {
  cli -h "${1%:*}" -p "${1##*:}" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok' &&
    [ "$(cli -h "${1%:*}" -p "${1##*:}" CLUSTER NODES 2>/dev/null |
      awk '$3 ~ /slave/' | wc -l)" -eq "$replicas_wanted" ]
}
deadline=$((SECONDS + TIMEOUT))
for a in "${ADDRS[@]}"; do
  until settled "$a"; do
    [ $SECONDS -lt $deadline ] ||
      die "$a: cluster not ok, or not $replicas_wanted replicas, after ${TIMEOUT}s"
    sleep 0.1
  done
done
check_cluster
