"""Helpers of the Redis Cluster tests (issue 12): test_cluster.py and
test_cluster_cli.py. Owned by those two files.

A Cluster is N nodes on free 127.0.0.1 ports (each port P with P+10000, the
cluster bus port, free too), each in its own directory under the test's tmp
dir, started with `cluster-enabled yes`, `cluster-config-file
nodes-<port>.conf`, a short `cluster-node-timeout` (2000 ms by default, so
failure detection takes seconds) and, from tests/conftest.py's
ServerProcess, `save ""` and `appendonly no`. Each node may be a different
binary (`bins=[vireo, vireo, vireo, redis, redis, redis]`) to build a mixed
cluster; by default all are VIREO_BIN.

The cluster is formed by the stock `redis-cli --cluster create ...
--cluster-replicas N --cluster-yes` (how users create one; it also checks
that the nodes speak the protocol redis-cli expects), then the helpers wait
until every live node reports cluster_state:ok and all of them print the
same topology in CLUSTER NODES.

Processes: every ServerProcess started here is recorded by the Cluster and
killed by its own PID in close() (never by name), also when the test fails;
a SIGSTOPped node is killed the same way. Every wait is a poll with a
deadline scaled by SLOW.
"""
import contextlib
import os
import signal
import subprocess

import redis

from integ_util import (REDIS_CLI, SLOW, VIREO_BIN, Closed, Raw, RespError, ServerProcess,
                        read_file, two_free_ports_cluster, wait_for)

HOST = "127.0.0.1"
SLOTS = 16384
NODE_TIMEOUT = 2000
BUS_PORT_INCR = 10000


# ---------------------------------------------------------------------------
# Hash slots (cluster.c keyHashSlot: CRC16-XMODEM of the key or of its first
# non-empty {hash tag}, modulo 16384)
# ---------------------------------------------------------------------------

def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key):
    if isinstance(key, str):
        key = key.encode()
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        # why: an empty tag "{}" hashes the whole key, like no tag at all
        if e > s + 1:
            key = key[s + 1:e]
    return crc16(key) % SLOTS


def decode(v):
    """A Raw reply made readable: bytes -> str, errors -> '-<text>'."""
    if isinstance(v, RespError):
        return "-" + v.decode(errors="replace")
    if isinstance(v, bytes):
        return v.decode(errors="replace")
    if isinstance(v, list):
        return [decode(i) for i in v]
    if isinstance(v, dict):
        return {decode(k): decode(x) for k, x in v.items()}
    return v


def parse_info(text):
    """CLUSTER INFO / INFO text as an ordered {field: str}."""
    return dict(line.split(":", 1) for line in text.splitlines()
                if line and not line.startswith("#") and ":" in line)


def parse_nodes(text):
    """CLUSTER NODES text as {id: {...}} with every field split out."""
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        f = line.split(" ")
        addr, _, cport = f[1].partition("@")
        out[f[0]] = {"id": f[0], "addr": addr, "cport": cport.split(",")[0],
                     "flags": set(f[2].split(",")), "master": f[3],
                     "ping_sent": int(f[4]), "pong_recv": int(f[5]), "epoch": int(f[6]),
                     "link": f[7], "slots": f[8:], "line": line}
    return out


def slot_set(slot_fields):
    """The owned slots of a CLUSTER NODES slot list ('0-5460', '7', and
    the myself-only '[s->-id]' / '[s-<-id]' entries, which are skipped)."""
    out = set()
    for s in slot_fields:
        if s.startswith("["):
            continue
        a, _, b = s.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

class ClusterNode:
    """One cluster-enabled server; survives its own restarts (same dir,
    port and nodes-<port>.conf)."""

    def __init__(self, cluster, binary, d, port, node_timeout, args=()):
        os.makedirs(str(d), exist_ok=True)
        self.cluster = cluster
        self.binary = binary
        self.dir = str(d)
        self.port = port
        self.cport = port + BUS_PORT_INCR
        self.args = ["--cluster-enabled", "yes",
                     "--cluster-config-file", "nodes-%d.conf" % port,
                     "--cluster-node-timeout", str(node_timeout),
                     "--enable-debug-command", "yes",
                     # why: 7.0 defaults to diskless sync after a 5 s wait for
                     # more replicas; a replica's first sync should not wait
                     "--repl-diskless-sync-delay", "0"] + [str(a) for a in args]
        self.proc = None

    def __repr__(self):
        return "<node %d %s>" % (self.port, os.path.basename(self.binary))

    # -- process ------------------------------------------------------------
    def start(self, wait=True):
        # an (initially empty) config file, so that CONFIG REWRITE works as
        # on a deployed node (redis-cli --cluster set-timeout runs it)
        conf = os.path.join(self.dir, "node.conf")
        if not os.path.exists(conf):
            open(conf, "w").close()
        self.proc = ServerProcess(self.binary, args=self.args, conf=conf, port=self.port,
                                  cwd=self.dir, wait=False)
        self.cluster.started.append(self.proc)
        if wait:
            self.proc.wait_ready(10 * SLOW)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def kill(self):
        """SIGKILL by PID, reaped."""
        self.proc.stop()

    def pause(self):
        """SIGSTOP: the node stops answering (pings included) but keeps its
        sockets, as a hung process does."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def restart(self):
        """Start again on the same port in the same dir (nodes-<port>.conf)."""
        if self.alive():
            self.kill()
        return self.start()

    def log(self):
        return self.proc.read_log() if self.proc else ""

    def config_file(self):
        return read_file(os.path.join(self.dir, "nodes-%d.conf" % self.port))

    # -- commands -----------------------------------------------------------
    def conn(self, timeout=10.0):
        """A raw connection (keeps ASKING / READONLY state across calls)."""
        return Raw(self.port, timeout=timeout)

    def call(self, *args):
        """One command on a fresh connection; errors as '-<text>'."""
        with Raw(self.port, timeout=10.0) as c:
            return decode(c.call(*args))

    def client(self, **kw):
        return redis.Redis(host=HOST, port=self.port, decode_responses=True,
                           socket_timeout=10 * SLOW, single_connection_client=True, **kw)

    def info(self):
        return parse_info(self.call("CLUSTER", "INFO"))

    def state(self):
        try:
            return self.info().get("cluster_state")
        except (OSError, Closed):
            return None

    def nodes(self):
        return parse_nodes(self.call("CLUSTER", "NODES"))

    def myid(self):
        return self.call("CLUSTER", "MYID")

    def myself(self):
        return next(n for n in self.nodes().values() if "myself" in n["flags"])

    def is_master(self):
        return "master" in self.myself()["flags"]

    def slots(self):
        return slot_set(self.myself()["slots"])

    def addr(self):
        return "%s:%d" % (HOST, self.port)


# ---------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------

class Cluster:
    """`count` nodes (started, not joined yet: call create())."""

    def __init__(self, tmp, count, bins=None, node_timeout=NODE_TIMEOUT, args=()):
        bins = list(bins) if bins else [VIREO_BIN] * count
        assert len(bins) == count, "one binary per node"
        self.tmp = str(tmp)
        self.started = []  # every ServerProcess ever started: killed in close()
        self.nodes = []
        self.members = []  # the nodes that joined (create / join): what wait_ok checks
        used = set()
        for i, binary in enumerate(bins):
            port = two_free_ports_cluster()
            while port in used or port + BUS_PORT_INCR in used:
                port = two_free_ports_cluster()
            used.update((port, port + BUS_PORT_INCR))
            node = ClusterNode(self, binary, os.path.join(self.tmp, "node%d-%d" % (i, port)),
                               port, node_timeout, args)
            self.nodes.append(node.start(wait=False))
        for node in self.nodes:
            node.proc.wait_ready(10 * SLOW)

    def close(self):
        for p in self.started:
            p.stop()  # SIGKILL by PID (works on a SIGSTOPped node too)

    # -- formation ----------------------------------------------------------
    def create(self, replicas=0, nodes=None, wait=True):
        """redis-cli --cluster create over `nodes` (default: all); with
        one IP for all, redis-cli makes the first len/(replicas+1) nodes
        masters, in order. Returns redis-cli's output."""
        nodes = nodes or self.nodes
        r = cluster_cli("create", *[n.addr() for n in nodes], "--cluster-replicas", replicas,
                        "--cluster-yes", timeout=120)
        assert r.returncode == 0, "create failed (%d):\n%s\n%s" % (r.returncode, r.stdout,
                                                                  r.stderr)
        self.members = list(nodes)
        self.create_output = r.stdout
        if wait:
            self.wait_ok(nodes)
        return r.stdout

    def join(self, node, master=None):
        """CLUSTER MEET `node` into the cluster (what add-node does), then
        CLUSTER REPLICATE `master` when given; waits until all agree."""
        via = self.members[0]
        assert node.call("CLUSTER", "MEET", HOST, via.port) == "OK"
        self.members.append(node)
        if not wait_for(lambda: len(node.nodes()) == len(self.members) and
                        all(len(n.nodes()) == len(self.members) for n in self.live()),
                        20.0, step=0.05):
            raise AssertionError("%r did not join:\n%s" % (node, self.describe()))
        if master is not None:
            assert node.call("CLUSTER", "REPLICATE", master.myid()) == "OK"
        self.wait_ok()
        if master is not None:
            wait_for(lambda: "master_link_status:up" in node.call("INFO", "replication"),
                     20.0)
        return node

    def live(self, nodes=None):
        return [n for n in (nodes or self.members or self.nodes) if n.alive()]

    def views(self, nodes=None):
        """Each live node's topology, reduced to what must agree: ids,
        addresses, master / replica role, master id, owned slots."""
        out = {}
        for n in self.live(nodes):
            view = {}
            for nid, e in n.nodes().items():
                role = "master" if "master" in e["flags"] else "slave"
                view[nid] = (e["addr"], role, e["master"], tuple(sorted(slot_set(e["slots"]))),
                             bool(e["flags"] & {"fail", "fail?", "handshake", "noaddr"}))
            out[n.port] = view
        return out

    def consistent(self, nodes=None):
        views = list(self.views(nodes).values())
        if not views:
            return False
        first = views[0]
        return all(v == first for v in views) and \
            not any(entry[4] for entry in first.values())

    def wait_ok(self, nodes=None, timeout=30.0):
        """Every live node says cluster_state:ok and all agree."""
        def ok():
            try:
                return all(n.state() == "ok" for n in self.live(nodes)) and \
                    self.consistent(nodes)
            except (OSError, Closed):
                return False
        if not wait_for(ok, timeout, step=0.05):
            raise AssertionError("cluster not ok / not consistent:\n%s" % self.describe(nodes))

    def wait_state(self, state, nodes, timeout=30.0):
        wait_state(state, nodes, timeout)

    def wait_flag(self, target, flag, among, timeout=30.0):
        """Every node of `among` sees `flag` (e.g. 'fail') on `target`."""
        tid = target.myid() if isinstance(target, ClusterNode) else target

        def seen():
            for n in among:
                e = n.nodes().get(tid)
                if e is None or flag not in e["flags"]:
                    return False
            return True
        if not wait_for(seen, timeout, step=0.05):
            raise AssertionError("%s not flagged %s:\n%s" % (tid, flag, self.describe(among)))

    def describe(self, nodes=None):
        parts = []
        for n in self.live(nodes):
            try:
                parts.append("%r: %s\n%s" % (n, n.state(), n.call("CLUSTER", "NODES")))
            except (OSError, Closed) as e:
                parts.append("%r: %s" % (n, e))
        return "\n".join(parts)

    # -- topology -------------------------------------------------------------
    def by_id(self, nid):
        return next(n for n in self.nodes if n.alive() and n.myid() == nid)

    def by_port(self, port):
        return next(n for n in self.nodes if n.port == port)

    def masters(self):
        """The live members that are masters, in the order of cl.nodes."""
        return [n for n in self.live() if n.is_master()]

    def replicas(self):
        return [n for n in self.live() if not n.is_master()]

    def replicas_of(self, master):
        mid = master.myid()
        return [n for n in self.live() if n.myself()["master"] == mid]

    def slot_owner(self, slot, via=None):
        """The master serving `slot`, according to `via`'s CLUSTER SLOTS."""
        via = via or self.live()[0]
        for entry in via.call("CLUSTER", "SLOTS"):
            if entry[0] <= slot <= entry[1]:
                return self.by_port(entry[2][1])
        return None

    def key_owner(self, key, via=None):
        return self.slot_owner(key_slot(key), via)

    def keys_on(self, node, count, prefix="key"):
        """`count` key names whose slots `node` serves."""
        owned = node.slots()
        out, i = [], 0
        while len(out) < count:
            k = "%s:%d" % (prefix, i)
            if key_slot(k) in owned:
                out.append(k)
            i += 1
        return out

    def cli(self, *args, timeout=120):
        return cluster_cli(*args, timeout=timeout)


def wait_state(state, nodes, timeout=30.0):
    """Every node of `nodes` reports cluster_state:<state>."""
    if not wait_for(lambda: all(n.state() == state for n in nodes), timeout, step=0.05):
        raise AssertionError("cluster_state not %s: %s" % (
            state, [(n, n.state(), n.call("CLUSTER", "NODES")) for n in nodes if n.alive()]))


def cluster_cli(*args, timeout=120):
    """`redis-cli --cluster <args>`; CompletedProcess with str output."""
    argv = [REDIS_CLI, "--cluster"] + [str(a) for a in args]
    # why TERM=dumb: redis-cli colours its --cluster output whenever TERM
    # contains "xterm", pipe or not (isColorTerm)
    env = dict(os.environ, TERM="dumb")
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout * SLOW,
                          stdin=subprocess.DEVNULL, env=env)


@contextlib.contextmanager
def running(tmp, masters=3, replicas=0, bins=None, node_timeout=NODE_TIMEOUT, args=(),
            spare=0):
    """A created and settled cluster of masters*(1+replicas) nodes, plus
    `spare` extra started nodes (not joined: for add-node tests, the last
    ones of cl.nodes). Every node is killed by PID at the end."""
    total = masters * (1 + replicas)
    cl = Cluster(tmp, total + spare, bins=bins, node_timeout=node_timeout, args=args)
    try:
        cl.create(replicas=replicas, nodes=cl.nodes[:total])
        yield cl
    finally:
        cl.close()


@contextlib.contextmanager
def nodes_only(tmp, count, bins=None, node_timeout=NODE_TIMEOUT, args=()):
    """`count` fresh cluster-enabled nodes that know nobody."""
    cl = Cluster(tmp, count, bins=bins, node_timeout=node_timeout, args=args)
    try:
        yield cl
    finally:
        cl.close()


@contextlib.contextmanager
def stopped(node):
    """SIGSTOP `node` for the block; SIGCONT always follows."""
    node.pause()
    try:
        yield node
    finally:
        if node.alive():
            node.resume()


# ---------------------------------------------------------------------------
# Failovers and a client under load (test_cluster_faults.py,
# test_cluster_interop.py, test_cluster_clients.py). Appended: the imports
# of this part stay here so that the head of the file is left as it was.
# ---------------------------------------------------------------------------

import random  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from redis.cluster import RedisCluster  # noqa: E402


def wait_link_up(replica, timeout=30.0):
    """INFO replication of `replica` says master_link_status:up."""
    if not wait_for(lambda: "master_link_status:up" in replica.call("INFO", "replication"),
                    timeout, step=0.05):
        raise AssertionError("%r: link to its master not up:\n%s" % (
            replica, replica.call("INFO", "replication")))


def wait_replica_of(cl, node, master, timeout=30.0):
    """Every live member sees `node` as a replica of `master`, and the
    replication link of `node` is up."""
    nid, mid = node.myid(), master.myid()

    def follows():
        try:
            return all(n.nodes()[nid]["master"] == mid for n in cl.live())
        except (OSError, Closed, KeyError):
            return False
    if not wait_for(follows, timeout, step=0.05):
        raise AssertionError("%r is not a replica of %r:\n%s" % (node, master, cl.describe()))
    wait_link_up(node, timeout)


def failover(cl, replica, *options, timeout=30.0):
    """CLUSTER FAILOVER [options] on `replica`; returns its old master once
    that one follows the promoted node and the whole cluster agrees."""
    old = cl.by_id(replica.myself()["master"])
    assert replica.call("CLUSTER", "FAILOVER", *options) == "OK"
    if not wait_for(replica.is_master, timeout, step=0.05):
        raise AssertionError("%r not promoted:\n%s" % (replica, cl.describe()))
    wait_replica_of(cl, old, replica, timeout)
    cl.wait_ok(timeout=timeout)
    return old


class Writer:
    """A background application on redis-py's RedisCluster (which follows
    -MOVED / -ASK and refreshes its slot map itself): SET <prefix>:<n> to
    v<n> in a loop, and every 5th step a GET of an earlier acknowledged key,
    whose value must match. Whatever reaches the application (an exception,
    a wrong value) is recorded in `errors`; `acked` are the SETs answered OK."""

    def __init__(self, cl, prefix="w", pause=0.001):
        self.prefix = prefix
        self.port = cl.live()[0].port
        self.pause = pause
        self.acked = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, count=200):
        """Start, and return once `count` writes were acknowledged."""
        self._thread.start()
        self.wait_acked(count)
        return self

    def _run(self):
        rc = RedisCluster(host=HOST, port=self.port, decode_responses=True,
                          socket_timeout=20 * SLOW)
        rng = random.Random(1)
        n = 0
        try:
            while not self._stop.is_set():
                key = "%s:%d" % (self.prefix, n)
                try:
                    if rc.set(key, "v%d" % n) is True:
                        self.acked.append(key)
                    if n % 5 == 0 and self.acked:
                        k = rng.choice(self.acked)
                        v = rc.get(k)
                        if v != "v" + k.rsplit(":", 1)[1]:
                            self.errors.append("GET %s: %r" % (k, v))
                except Exception as e:  # everything the application would see
                    self.errors.append("%s on %s: %r" % (type(e).__name__, key, e))
                n += 1
                time.sleep(self.pause)
        finally:
            rc.close()

    def wait_acked(self, count, timeout=30.0):
        if not wait_for(lambda: len(self.acked) >= count or not self._thread.is_alive(),
                        timeout, step=0.02) or len(self.acked) < count:
            raise AssertionError("writer stuck at %d acked writes; errors: %s" % (
                len(self.acked), self.errors[:5]))

    def more(self, count=200):
        """Wait for `count` more acknowledged writes."""
        self.wait_acked(len(self.acked) + count)

    def stop(self):
        self._stop.set()
        self._thread.join(30 * SLOW)
        assert not self._thread.is_alive(), "writer thread did not stop"
        return self


def unreadable(cl, keys):
    """The keys of `keys` (written as <prefix>:<n> = v<n>) that a fresh
    RedisCluster does not read back with their value, as (key, value)."""
    rc = RedisCluster(host=HOST, port=cl.live()[0].port, decode_responses=True)
    try:
        bad = []
        for i in range(0, len(keys), 500):
            batch = keys[i:i + 500]
            for k, v in zip(batch, rc.mget_nonatomic(batch)):
                if v != "v" + k.rsplit(":", 1)[1]:
                    bad.append((k, v))
        return bad
    finally:
        rc.close()


def reshard(cl, source, target, count):
    """`redis-cli --cluster reshard` of `count` slots from `source` to
    `target`; returns the set of slots it moved (from its output)."""
    r = cluster_cli("reshard", source.addr(), "--cluster-from", source.myid(), "--cluster-to",
                    target.myid(), "--cluster-slots", count, "--cluster-yes", timeout=300)
    assert r.returncode == 0, "reshard failed:\n%s\n%s" % (r.stdout[-3000:], r.stderr)
    moved = {int(s) for s in re.findall(r"^Moving slot (\d+) from ", r.stdout, re.M)}
    assert len(moved) == count, r.stdout[-3000:]
    cl.wait_ok()
    return moved


def check_ok(addr):
    """`redis-cli --cluster check` finds every slot covered and agreed on."""
    r = cluster_cli("check", addr)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[OK] All 16384 slots covered." in r.stdout, r.stdout
    assert "[OK] All nodes agree about slots configuration." in r.stdout, r.stdout
    return r.stdout


def set_confirmed(node, key, value, replicas=1):
    """SET, then WAIT <replicas> 5000 on the same connection: (reply, acks).
    Why one connection: WAIT counts the acks of the calling client's own
    writes; on a fresh connection it returns at once."""
    with node.conn() as c:
        return decode(c.call("SET", key, value)), c.call("WAIT", replicas, 5000)


def wait_synced(master, replica, timeout=30.0):
    """`replica` has processed all that `master` sent (equal offsets)."""
    def offsets():
        m = parse_info(master.call("INFO", "replication"))["master_repl_offset"]
        return m == parse_info(replica.call("INFO", "replication")).get("slave_repl_offset")
    if not wait_for(offsets, timeout, step=0.02):
        raise AssertionError("%r behind %r" % (replica, master))
