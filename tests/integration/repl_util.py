"""Helpers of the replication tests (test_replication.py,
test_failover_cmd.py): start a master and N replicas of the binary under
test on free ports, wait for the link and for equal offsets, compare the
datasets (DEBUG DIGEST + key counts), parse INFO replication / ROLE, and
pause a process with SIGSTOP without ever leaving it stopped.

Owned by the replication test suite (issue 10). Every node is the binary
under test (VIREO_BIN); the interop tests with two binaries have their own
helpers. Servers are started through the `server_factory` fixture, so
teardown kills exactly the PIDs started here.
"""
import contextlib
import os
import pathlib
import re
import signal
import time

import redis

import persistence_util as pu
from integ_util import SLOW, Raw, RespError

HOST = "127.0.0.1"
# why the delay 0: Redis 7.0's defaults are repl-diskless-sync yes with a
# 5 s repl-diskless-sync-delay, which would make every full sync of a test
# wait 5 s for more replicas. DEBUG is needed for DEBUG DIGEST / SLEEP.
BASE_ARGS = pu.DEBUG_ARGS + ["--repl-diskless-sync-delay", "0"]

# Exact error texts of redis-server 7.0.15 (without the leading '-').
READONLY = "READONLY You can't write against a read only replica."
NOREPLICAS = "NOREPLICAS Not enough good replicas to write."
MASTERDOWN = ("MASTERDOWN Link with MASTER is down and replica-serve-stale-data "
              "is set to 'no'.")
WAIT_ON_REPLICA = ("ERR WAIT cannot be used with replica instances. Please also note that "
                   "since Redis 4.0 if a replica is configured to be writable (which is not "
                   "the default) writes to replicas are just local and are not propagated.")
ALREADY_CONNECTED = "OK Already connected to specified master"

# Log lines (replication.c) the tests look for.
LOG_PSYNC_ACCEPTED = "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."
LOG_FULL_RESYNC = "Full resync from master:"
LOG_SYNC_DONE = "MASTER <-> REPLICA sync: Finished with success"


# ---------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------

def client(port, db=0):
    """A decoded single-connection client whose INFO and ROLE replies are
    the raw server text / arrays (redis-py's INFO parser turns
    `slave0:ip=...` into a dict and guesses types)."""
    c = redis.Redis(host=HOST, port=port, db=db, decode_responses=True,
                    socket_timeout=30 * SLOW, single_connection_client=True)
    for name in ("INFO", "ROLE"):
        c.set_response_callback(name, lambda r, **kw: r)
    return c


def start_node(server_factory, tmp_path, name, args=(), conf=None, base=BASE_ARGS):
    """One server under test in tmp_path/name: `base`, then `args` (later
    ones win). The node gets `.r` (see client()) and `.name`."""
    d = tmp_path / name
    d.mkdir(exist_ok=True)
    s = server_factory(args=list(base) + [str(a) for a in args], cwd=str(d), conf=conf)
    s.r = client(s.port)
    s.name = name
    s.extra_args = [str(a) for a in args]
    s.conf = conf
    return s


def replicaof_args(master):
    return ["--replicaof", HOST, str(master.port)]


def start_replica(server_factory, tmp_path, master, name="replica", args=(), wait=True):
    """A node that is then made a replica of `master` with REPLICAOF.
    why not --replicaof: a replica configured at startup first connects in
    replicationCron, up to a second later; REPLICAOF connects at once."""
    s = start_node(server_factory, tmp_path, name, args)
    assert s.r.execute_command("REPLICAOF", HOST, master.port) == "OK"
    if wait:
        wait_link_up(s)
    return s


def start_group(server_factory, tmp_path, n=1, master_args=(), replica_args=()):
    """A master and n replicas, all linked, offsets equal. Returns
    (master, [replicas])."""
    m = start_node(server_factory, tmp_path, "master", master_args)
    reps = [start_replica(server_factory, tmp_path, m, "replica%d" % i, replica_args, wait=False)
            for i in range(n)]
    for s in reps:
        wait_link_up(s)
    wait_online(m, n)
    wait_offsets(m, *reps)
    return m, reps


def restart(server_factory, node, args=None):
    """Start a new process in `node`'s directory (so it finds its dump.rdb)
    with its old arguments or `args`. The old process must be gone."""
    assert not node.alive()
    d = pathlib.Path(node.dir)
    return start_node(server_factory, d.parent, d.name,
                      node.extra_args if args is None else args, conf=node.conf)


# ---------------------------------------------------------------------------
# INFO and ROLE
# ---------------------------------------------------------------------------

def info(node, section="replication"):
    """INFO <section> as {field: str}."""
    return pu.info(node.r, section)


def field(node, name, section="replication"):
    return info(node, section).get(name)


def stat(node, name):
    """An integer field of INFO stats (sync_full, sync_partial_ok, ...)."""
    return int(field(node, name, "stats"))


SLAVE_LINE = re.compile(r"^ip=([^,]*),port=(\d+),state=([a-z_]+),offset=(-?\d+),lag=(\d+)$")


def slaves(node):
    """The master's `slaveN:` lines parsed, in N order: a list of dicts
    ip/port/state/offset/lag. Asserts the exact 7.0 line format."""
    inf = info(node)
    out = []
    n = int(inf["connected_slaves"])
    for i in range(n):
        line = inf.get("slave%d" % i)
        if line is None:  # a replica whose state has no name is skipped
            continue
        m = SLAVE_LINE.match(line)
        assert m, "bad slave line %r" % line
        out.append({"ip": m.group(1), "port": int(m.group(2)), "state": m.group(3),
                    "offset": int(m.group(4)), "lag": int(m.group(5))})
    return out


def role(node):
    return node.r.execute_command("ROLE")


def raw_role(node):
    """ROLE through a raw socket: bytes and ints exactly as sent."""
    with Raw(node.port) as c:
        return c.call("ROLE")


def repl_offset(node):
    return int(field(node, "master_repl_offset"))


# ---------------------------------------------------------------------------
# Waits
# ---------------------------------------------------------------------------

def poll(pred, what, timeout=20.0, step=0.02):
    """Poll `pred` (errors such as -LOADING count as false) until truthy;
    fail with `what` (a str or a callable giving one) otherwise."""
    deadline = time.time() + timeout * SLOW
    last = None
    while True:
        try:
            v = pred()
        except (redis.exceptions.ResponseError, redis.exceptions.BusyLoadingError,
                redis.exceptions.ConnectionError) as e:
            v, last = None, e
        if v:
            return v
        if time.time() >= deadline:
            msg = what() if callable(what) else what
            raise AssertionError("%s (last error: %s)" % (msg, last))
        time.sleep(step)


def wait_link_up(replica, timeout=30.0):
    poll(lambda: field(replica, "master_link_status") == "up",
         lambda: "%s: link not up: %r\n%s" % (replica.name, info(replica),
                                                replica.read_log()[-2000:]), timeout)


def wait_link_down(replica, timeout=20.0):
    poll(lambda: field(replica, "master_link_status") == "down",
         "%s: link still up" % replica.name, timeout)


def wait_online(master, n, timeout=30.0):
    """n replicas in state=online in the master's INFO."""
    poll(lambda: [s["state"] for s in slaves(master)] == ["online"] * n,
         lambda: "master: wanted %d online replicas, INFO says %r" % (n, slaves(master)),
         timeout)


def wait_offsets(master, *replicas, timeout=20.0):
    """Every replica has processed the master's whole stream: equal
    master_repl_offset (the master's may move on with its PINGs, so both
    are read in one poll)."""
    def same():
        want = repl_offset(master)
        return all(repl_offset(r) == want for r in replicas)
    poll(same, lambda: "offsets differ: master %s, replicas %s" % (
        repl_offset(master), [repl_offset(r) for r in replicas]), timeout)


def wait_log(node, text, timeout=20.0, count=1):
    """`text` occurs at least `count` times in the node's log."""
    poll(lambda: node.read_log().count(text) >= count,
         lambda: "%s: %r not logged %d times:\n%s" % (node.name, text, count,
                                                     node.read_log()[-3000:]), timeout)


# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------

def digest(node):
    return node.r.execute_command("DEBUG", "DIGEST")


def keyspace(node):
    """{db index: number of keys} from INFO keyspace."""
    out = {}
    for k, v in info(node, "keyspace").items():
        out[int(k[2:])] = int(v.split(",")[0].split("=")[1])
    return out


def assert_same_data(master, *replicas):
    """Offsets equal, then the same DEBUG DIGEST and key counts per db."""
    wait_offsets(master, *replicas)
    want = (digest(master), keyspace(master))
    assert want[0] != pu.EMPTY_DIGEST or not want[1]
    for r in replicas:
        assert (digest(r), keyspace(r)) == want, r.name


def fill(node, n=100, prefix="k", db=0):
    """n string keys prefix:i = v:i in `db`, in one pipeline."""
    c = client(node.port, db)
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("%s:%d" % (prefix, i), "v:%d" % i)
    p.execute()
    c.close()


def populate_small(node):
    """A little of every type, expiring keys, and keys in dbs 0, 3 and 9:
    what a full sync must carry whole."""
    for db in (0, 3, 9):
        c = client(node.port, db)
        c.set("str", "db%d" % db)
        c.set("int", 100 + db)
        c.rpush("list", *["e%d" % i for i in range(50)])
        c.hset("hash", mapping={"f%d" % i: i for i in range(20)})
        c.sadd("set", *range(30))
        c.sadd("set:str", "a", "b", "c")
        c.zadd("zset", {"m%d" % i: i / 3 for i in range(40)})
        c.set("ttl:str", "x", ex=pu.FAR_TTL)
        c.rpush("ttl:list", "a")
        c.expire("ttl:list", pu.FAR_TTL)
        c.close()


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

@contextlib.contextmanager
def stopped(node):
    """SIGSTOP the node for the block, SIGCONT after (always)."""
    os.kill(node.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(node.pid, signal.SIGCONT)


def call(node, *args, db=None):
    """One command on a fresh raw connection (after SELECT db): the reply
    exactly as sent. Error replies come back as str "-<text>" so that a
    test compares the whole line (redis-py strips some error codes)."""
    with Raw(node.port) as c:
        if db is not None:
            assert c.call("SELECT", db) == b"OK"
        rep = c.call(*args)
    if isinstance(rep, RespError):
        return "-" + rep.decode()
    return rep


# ---------------------------------------------------------------------------
# The replication stream as a replica sees it
# ---------------------------------------------------------------------------

class ReplStream:
    """A fake replica attached with the legacy SYNC: skips the RDB payload,
    then yields the propagated commands (as lists of str), PINGs dropped.
    (Redis's tests do the same with attach_to_replication_stream.) It counts
    as a replica in INFO (connected_slaves, sync_full) but never ACKs."""

    def __init__(self, node, timeout=10.0):
        self.conn = Raw(node.port, timeout=timeout)
        self.conn.cmd("SYNC")
        # why lstrip: while the snapshot is made the master sends bare "\n"
        # keepalives before the "$<length>" header.
        line = b""
        while not line:
            line = self.conn.readline().lstrip(b"\n")
        assert line.startswith(b"$") and not line.startswith(b"$EOF:"), line
        self.conn.recv_exact(int(line[1:]))  # the RDB, no CRLF after it

    def next(self):
        """The next propagated command, PINGs skipped."""
        while True:
            cmd = self.conn.read_reply()
            assert isinstance(cmd, list), cmd
            cmd = [a.decode() for a in cmd]
            if cmd != ["PING"]:
                return cmd

    def take(self, n):
        return [self.next() for _ in range(n)]

    def close(self):
        self.conn.close()


def has_command(node, name):
    """Whether the server knows `name` (COMMAND INFO): features of later
    milestones (scripting) gate the lines that use them."""
    node.r.set_response_callback("COMMAND", lambda r, **kw: r)
    return node.r.execute_command("COMMAND", "INFO", name)[0] is not None
