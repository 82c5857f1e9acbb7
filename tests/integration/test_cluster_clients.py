"""Cluster clients and the cluster init script (issue 12): what an
application sees while the cluster changes under it, and the deployment
guide's six-node set-up.

- scripts/cluster-init.sh: six nodes from the one template
  conf/redis-cluster.conf on free ports, `redis-cli --cluster create
  --cluster-replicas 1` and `--cluster check`, then `stop` (only the PIDs of
  its pidfiles), a second start on the same nodes-<port>.conf files (create
  skipped) and stop again;
- redis-py's RedisCluster writing and reading through a `redis-cli
  --cluster reshard` (fast) and through a CLUSTER FAILOVER (slow): no error
  reaches the application, every acknowledged write is readable after;
- an unmodified ioredis 5 `Cluster` (the npm-installed copy of
  test_ioredis.py) doing the same through a reshard and a failover (slow).

Client libraries follow -MOVED / -ASK on their own; what is tested is that
the server's redirections, CLUSTER SLOTS and failover pauses are what they
expect. Helpers: cluster_util.py (Writer, reshard, failover). Validated with
VIREO_BIN=/usr/bin/redis-server.
"""
import os
import signal
import subprocess

import pytest
import redis
from redis.cluster import RedisCluster

import cluster_util as cu
from cluster_util import HOST
from integ_util import ROOT, SLOW, VIREO_BIN, pid_alive, two_free_ports_cluster, wait_for
from test_ioredis import NODE, NPM, NodeProc, node_dir  # noqa: F401  (npm-installed ioredis)

SCRIPT = os.path.join(ROOT, "scripts", "cluster-init.sh")
TEMPLATE = os.path.join(ROOT, "conf", "redis-cluster.conf")
RESHARD_SLOTS = 500

# An ordinary ioredis 5 Cluster application (written next to the installed
# node_modules as subscriber.js, the name test_ioredis.NodeProc runs).
# Usage: node subscriber.js PORT,PORT,... (startup nodes)
# SET io:<n> v<n> in a loop, every 5th step GET of an earlier key; prints
# {"ev":"progress","n":N} every 100 writes; on SIGTERM ends the loop and
# prints {"ev":"done",...} with the counts and the errors the application saw.
IOREDIS_APP = r"""
"use strict";
const Redis = require("ioredis");

const ports = process.argv[2].split(",").map((p) => parseInt(p, 10));
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const cluster = new Redis.Cluster(ports.map((port) => ({ host: "127.0.0.1", port })), {
  maxRedirections: 64,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
});
let nodeErrors = 0;
cluster.on("node error", () => { nodeErrors++; });
let stopping = false;
process.on("SIGTERM", () => { stopping = true; });

async function main() {
  const errors = [];
  let n = 0, acked = 0, reads = 0;
  while (!stopping) {
    const key = `io:${n}`;
    try {
      if ((await cluster.set(key, `v${n}`)) === "OK") acked++;
      else errors.push(`SET ${key}: not OK`);
      if (n % 5 === 0) {
        const j = Math.floor(Math.random() * (n + 1));
        const v = await cluster.get(`io:${j}`);
        reads++;
        if (v !== `v${j}`) errors.push(`GET io:${j}: ${v}`);
      }
    } catch (e) {
      errors.push(`${key}: ${e && e.message}`);
    }
    n++;
    if (n % 100 === 0) out({ ev: "progress", n });
    await new Promise((r) => setTimeout(r, 1));
  }
  out({ ev: "done", n, acked, reads, nerrors: errors.length, errors: errors.slice(0, 20),
        nodeErrors });
  await cluster.quit();
}

main();
"""


# ---------------------------------------------------------------------------
# scripts/cluster-init.sh
# ---------------------------------------------------------------------------

def run_script(*args):
    return subprocess.run(["bash", SCRIPT] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=180 * SLOW, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, TERM="dumb"))


def six_ports():
    """Six free ports P whose bus ports P+10000 are free and distinct from
    the others."""
    ports = []
    while len(ports) < 6:
        p = two_free_ports_cluster()
        taken = set(ports) | {q + 10000 for q in ports}
        if p not in taken and p + 10000 not in taken:
            ports.append(p)
    return ports


def test_cluster_init_script_help():
    r = run_script("--help")
    assert r.returncode == 0
    for word in ("stop", "--host", "--ports", "--bin", "--dir", "conf/redis-cluster.conf"):
        assert word in r.stdout
    r = run_script("--no-such-option")
    assert r.returncode == 1 and "unknown argument" in r.stderr


@pytest.mark.slow
def test_cluster_init_script(tmp_path, procs):
    ports = six_ports()
    data = tmp_path / "data"
    common = ["--ports", ",".join(map(str, ports)), "--dir", data, "--timeout", int(60 * SLOW)]
    node_dirs = [str(data / ("%s-%d" % (HOST, p))) for p in ports]
    pidfiles = [os.path.join(d, "node.pid") for d in node_dirs]

    def pids():
        out = []
        for pf in pidfiles:
            if os.path.exists(pf):
                with open(pf) as f:
                    pid = int(f.read())
                procs.adopt_pid(pid, VIREO_BIN)  # killed at teardown if left
                out.append(pid)
        return out

    # a short node timeout only to keep the test quick; the rest is the template's
    r = run_script("start", *common, "--bin", VIREO_BIN, "--", "--save", "",
                   "--cluster-node-timeout", 3000)
    first = pids()
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert len(first) == 6
    assert ">>> Performing hash slots allocation on 6 nodes..." in r.stdout
    # once at the end of create, once by the script
    assert r.stdout.count("[OK] All nodes agree about slots configuration.") == 2
    assert r.stdout.count("[OK] All 16384 slots covered.") == 2

    nodes = {}
    for port, d, pid in zip(ports, node_dirs, first):
        c = redis.Redis(host=HOST, port=port, decode_responses=True, socket_timeout=10)
        info = cu.parse_info(c.execute_command("CLUSTER", "INFO"))
        assert info["cluster_state"] == "ok" and info["cluster_known_nodes"] == "6"
        server = c.info("server")
        # the template is the config file of every node, each value of its
        # own comes from the command line
        assert server["config_file"] == os.path.realpath(TEMPLATE)
        assert server["process_id"] == pid
        conf = c.config_get("*")
        assert conf["cluster-announce-port"] == str(port)
        assert conf["cluster-announce-bus-port"] == str(port + 10000)
        assert conf["cluster-config-file"] == "nodes-%d.conf" % port
        assert conf["cluster-require-full-coverage"] == "no"  # from the template
        assert conf["cluster-node-timeout"] == "3000"  # from the extra arguments
        assert os.path.realpath(conf["dir"]) == os.path.realpath(d)
        assert conf["daemonize"] == "yes"
        assert os.path.exists(os.path.join(d, "nodes-%d.conf" % port))
        nodes[port] = cu.parse_nodes(c.execute_command("CLUSTER", "NODES"))
        c.close()
    view = nodes[ports[0]]
    roles = sorted("master" if "master" in e["flags"] else "slave" for e in view.values())
    assert roles == ["master"] * 3 + ["slave"] * 3
    rc = RedisCluster(host=HOST, port=ports[0], decode_responses=True)
    for i in range(100):
        assert rc.set("init:%d" % i, i)
    assert rc.mget_nonatomic(["init:%d" % i for i in range(100)]) == [str(i) for i in range(100)]
    rc.close()

    r = run_script("stop", *common)
    assert r.returncode == 0, r.stderr
    assert "stopped 6 node(s)" in r.stdout
    assert wait_for(lambda: not any(pid_alive(p) for p in first), 10)
    assert not any(os.path.exists(pf) for pf in pidfiles)  # removed at shutdown

    # started again: the nodes come back from their nodes-<port>.conf
    r = run_script(*common, "--bin", VIREO_BIN, "--", "--save", "")
    second = pids()
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert "create skipped" in r.stdout and "[OK] All 16384 slots covered." in r.stdout
    assert len(second) == 6 and not set(second) & set(first)
    r = run_script("stop", *common)
    assert r.returncode == 0 and "stopped 6 node(s)" in r.stdout
    assert wait_for(lambda: not any(pid_alive(p) for p in second), 10)
    r = run_script("stop", *common)  # nothing left to stop
    assert r.returncode == 0 and "stopped 0 node(s)" in r.stdout


# ---------------------------------------------------------------------------
# redis-py
# ---------------------------------------------------------------------------

@pytest.mark.slow
def test_redis_py_through_reshard(tmp_path):
    with cu.running(tmp_path, masters=3) as cl:
        a, b, _ = cl.masters()
        writer = cu.Writer(cl, "rp").start()
        try:
            cu.reshard(cl, a, b, RESHARD_SLOTS)
            writer.more()
        finally:
            writer.stop()
        assert writer.errors == [], writer.errors[:10]
        assert cu.unreadable(cl, writer.acked) == []
        assert sum(m.call("DBSIZE") for m in cl.masters()) == len(writer.acked)


@pytest.mark.slow
def test_redis_py_through_manual_failover(tmp_path):
    with cu.running(tmp_path, masters=3, replicas=1) as cl:
        master = cl.masters()[0]
        replica = cl.replicas_of(master)[0]
        cu.wait_link_up(replica)
        writer = cu.Writer(cl, "rpf").start()
        try:
            cu.failover(cl, replica)
            writer.more()
            # and back, the old master taking over from its replica
            cu.failover(cl, master)
            writer.more()
        finally:
            writer.stop()
        assert writer.errors == [], writer.errors[:10]
        assert cu.unreadable(cl, writer.acked) == []


# ---------------------------------------------------------------------------
# ioredis
# ---------------------------------------------------------------------------

def progress_past(js, count):
    while True:
        ev = js.next(timeout=60)
        if ev["ev"] == "progress" and ev["n"] >= count:
            return ev["n"]


@pytest.mark.slow
@pytest.mark.skipif(not NODE or not NPM, reason="node/npm not installed")
def test_ioredis_through_reshard_and_failover(node_dir, tmp_path):  # noqa: F811
    d = tmp_path / "ioredis"
    d.mkdir()
    (d / "subscriber.js").write_text(IOREDIS_APP)
    os.symlink(os.path.join(node_dir, "node_modules"), str(d / "node_modules"))
    with cu.running(tmp_path / "cluster", masters=3, replicas=1) as cl:
        for r in cl.replicas():
            cu.wait_link_up(r)
        a, b, c = cl.masters()
        js = NodeProc(str(d), ",".join(str(n.port) for n in cl.members))
        try:
            n = progress_past(js, 300)
            cu.reshard(cl, a, b, RESHARD_SLOTS)
            n = progress_past(js, n + 300)
            cu.failover(cl, cl.replicas_of(c)[0])
            progress_past(js, n + 300)
            js.p.send_signal(signal.SIGTERM)
            done, _ = js.until("done")
            assert js.p.wait(timeout=10 * SLOW) == 0
        finally:
            js.stop()
        assert done["nerrors"] == 0, done["errors"]
        assert done["acked"] == done["n"] and done["reads"] >= done["n"] // 5
        assert cu.unreadable(cl, ["io:%d" % i for i in range(done["n"])]) == []
