"""Helpers of the replication interop and fault tests (issue 10):
test_replication_interop.py and test_replication_faults.py. Owned by those
two files; repl_util.py (the single-binary replication tests) is separate
on purpose, so either can change without breaking the other.

A Node is one server (VIREO_BIN or REDIS_BIN) in its own directory and on
its own port, which can be SIGKILLed / SIGSTOPped and started again in the
same directory on the same port (to load its RDB). Every process is a
ServerProcess from the `server_factory` fixture: killed by PID at teardown.

Comparison: "in sync" means the replica's master_repl_offset reached the
master's (INFO replication), then DEBUG DIGEST and DBSIZE of every database
are equal. Writes: write_everything() sends every type and the commands
that rewrite themselves for propagation (SPOP, EXPIRE, SET EX, INCRBYFLOAT,
...), in several databases, inside and outside MULTI/EXEC, with FLUSHDB.
"""
import os
import signal
import time

import redis

from integ_util import SLOW, wait_exit
import persistence_util as pu

HOST = "127.0.0.1"
# why: redis-server 7.0 defaults to repl-diskless-sync yes with a 5 s
# delay; 0 keeps full syncs fast. repl-timeout is small so that the
# timeout paths (MASTER timeout, timedout replica) run in seconds.
REPL_TIMEOUT = 5
BASE_ARGS = ["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0",
             "--repl-timeout", str(REPL_TIMEOUT), "--loglevel", "notice"]
FAR_MS = int(time.time() * 1000) + 100_000_000_000  # ~3 years: never expires in a test
DATABASES = 16


class Node:
    """One server of a replication test; survives its own restarts."""

    def __init__(self, factory, binary, d, args=(), name=None):
        os.makedirs(str(d), exist_ok=True)
        self.factory = factory
        self.binary = binary
        self.dir = str(d)
        self.args = list(BASE_ARGS) + [str(a) for a in args]
        self.name = name or os.path.basename(self.dir)
        self.replicaof_args = []
        self.proc = None
        self.port = None
        self.start()

    # -- process ------------------------------------------------------------
    def start(self, wait=True):
        self.proc = self.factory(args=self.args + self.replicaof_args, binary=self.binary,
                                 cwd=self.dir, port=self.port, wait=wait)
        self.port = self.proc.port
        return self

    @property
    def pid(self):
        return self.proc.pid

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def kill9(self):
        """SIGKILL, reaped: the port and the directory are free again."""
        self.proc.stop()

    def stop_cont(self, seconds):
        self.signal(signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            self.signal(signal.SIGCONT)

    def shutdown(self):
        """SHUTDOWN (saves when save points are configured); waits for exit 0."""
        try:
            self.client().execute_command("SHUTDOWN")
        except redis.exceptions.ConnectionError:
            pass  # the expected answer: the connection closes
        rc = wait_exit(self.proc.proc, 30)
        assert rc == 0, "%s: exit %r after SHUTDOWN\n%s" % (self.name, rc, self.log()[-3000:])
        self.proc.stop()

    def restart(self):
        """Start again, same dir (its RDB), same port, same replicaof."""
        if self.proc.alive():
            self.kill9()
        return self.start()

    def log(self):
        return self.proc.read_log()

    # -- clients ------------------------------------------------------------
    def client(self, db=0, decode=False, timeout=30):
        return redis.Redis(host=HOST, port=self.port, db=db, decode_responses=decode,
                           socket_timeout=timeout * SLOW, single_connection_client=True)

    def info(self, section="replication"):
        """INFO <section> as {name: raw str value} (redis-py's parser would
        turn the slaveN lines into dicts)."""
        c = self.client(timeout=10)
        try:
            c.set_response_callback("INFO", lambda r, **kw: r)
            raw = c.execute_command("INFO", section).decode()
        finally:
            c.close()
        return dict(line.split(":", 1) for line in raw.splitlines()
                    if line and not line.startswith("#") and ":" in line)

    def field(self, name, section="replication"):
        return self.info(section).get(name)

    def stat(self, name):
        return int(self.info("stats")[name])

    def has(self, command):
        c = self.client()
        try:
            return pu.has_command(c, command)
        finally:
            c.close()

    # -- replication --------------------------------------------------------
    def replicaof(self, master):
        """REPLICAOF master; a later restart() keeps following it."""
        self.replicaof_args = ["--replicaof", HOST, str(master.port)]
        c = self.client()
        try:
            assert c.execute_command("REPLICAOF", HOST, master.port) in (b"OK", True)
        finally:
            c.close()

    def config_set(self, name, value):
        c = self.client()
        try:
            c.config_set(name, value)
        finally:
            c.close()


def pair_args(diskless_sync="yes", diskless_load="disabled"):
    return ["--repl-diskless-sync", diskless_sync, "--repl-diskless-load", diskless_load]


# ---------------------------------------------------------------------------
# Waiting
# ---------------------------------------------------------------------------

def _poll(pred, timeout, what, step=0.05):
    deadline = time.time() + timeout * SLOW
    last = None
    while time.time() < deadline:
        try:
            last = pred()
            if last:
                return last
        except (redis.exceptions.ConnectionError, redis.exceptions.BusyLoadingError,
                redis.exceptions.TimeoutError) as e:
            last = e
        time.sleep(step)
    raise AssertionError("timed out (%ss) waiting for %s; last: %r" % (timeout, what, last))


def wait_link_up(replica, timeout=30):
    """master_link_status:up and no sync in progress on `replica`."""
    def up():
        i = replica.info()
        return i.get("master_link_status") == "up" and i.get("master_sync_in_progress") == "0"
    _poll(up, timeout, "%s: master_link_status up" % replica.name)


def wait_online(master, n, timeout=30):
    """`n` replicas in state=online on the master (its slaveN lines)."""
    def online():
        i = master.info()
        return sum(1 for k, v in i.items()
                   if k.startswith("slave") and k[5:].isdigit() and "state=online" in v) == n
    _poll(online, timeout, "%s: %d online replicas" % (master.name, n))


def wait_offsets(master, *replicas, timeout=30):
    """Every replica processed the master's whole stream: same
    master_repl_offset (the master's can move with its PINGs: re-read)."""
    def same():
        want = int(master.field("master_repl_offset"))
        return all(int(r.field("master_repl_offset")) == want for r in replicas)
    _poll(same, timeout, "offsets of %s equal to %s" % (
        [r.name for r in replicas], master.name))


def keyspace(node):
    """{db: DBSIZE} of the non-empty databases, by DBSIZE in each db."""
    out = {}
    info = node.info("keyspace")
    for db in range(DATABASES):
        c = node.client(db)
        try:
            n = c.dbsize()
        finally:
            c.close()
        if n:
            out[db] = n
    # INFO keyspace must agree with DBSIZE (both servers print it).
    listed = {int(k[2:]): int(v.split(",")[0].split("=")[1])
              for k, v in info.items() if k.startswith("db")}
    assert listed == out, (node.name, listed, out)
    return out


def digest(node):
    c = node.client()
    try:
        return c.execute_command("DEBUG", "DIGEST")
    finally:
        c.close()


def assert_synced(master, *replicas, timeout=30):
    """Offsets caught up, then DEBUG DIGEST and per-db DBSIZE equal.
    Returns the master's digest."""
    wait_offsets(master, *replicas, timeout=timeout)
    want = (digest(master), keyspace(master))
    for r in replicas:
        got = (digest(r), keyspace(r))
        if got != want:
            a, b = pu.dataset_digest(master.client()), pu.dataset_digest(r.client())
            raise AssertionError("%s differs from %s: %r != %r\n%s" % (
                r.name, master.name, got, want, pu.diff_digests(a, b)))
    return want[0]


def replid(node):
    return node.field("master_replid")


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------

def optional_groups(*nodes):
    """Command groups that only some servers have: used when all have them."""
    return {g for g, cmd in (("streams", "xadd"), ("scripts", "eval"), ("hll", "pfadd"),
                             ("bits", "setbit"))
            if all(n.has(cmd) for n in nodes)}


def preload(master, *others):
    """The dataset a full sync carries: persistence_util's every-type
    dataset plus DEBUG POPULATE keys in db 0."""
    c = master.client()
    try:
        pu.populate_all_types(c, streams="streams" in optional_groups(master, *others))
        c.execute_command("DEBUG", "POPULATE", 2000, "pop", 64)
    finally:
        c.close()


def write_everything(master, groups=(), tag="w"):
    """Every type through the replication stream, on one connection that
    SELECTs between databases (the stream must carry the SELECTs)."""
    c = master.client()
    t = tag
    try:
        x = c.execute_command
        for db in (0, 3, 7):
            x("SELECT", db)
            # strings: int, embstr, raw, big (several socket writes), commands
            # that propagate as something else (SET EX -> PXAT, INCRBYFLOAT ->
            # SET KEEPTTL, GETEX -> PEXPIREAT / PERSIST)
            x("SET", t + ":int", 123456789)
            x("SET", t + ":emb", "embstr-value-%d" % db)
            x("SET", t + ":raw", "r" * 100)
            x("SET", t + ":big", os.urandom(512 * 1024))
            x("SET", t + ":huge", b"h" * (3 * 1024 * 1024 + 7))
            x("INCR", t + ":ctr")
            x("INCRBY", t + ":ctr", 41)
            x("INCRBYFLOAT", t + ":flt", "1.5")
            x("INCRBYFLOAT", t + ":flt", "0.1")
            x("APPEND", t + ":emb", "+appended")
            x("SETRANGE", t + ":raw", 50, "range")
            x("GETSET", t + ":gs", "new")
            x("MSET", t + ":m1", "a", t + ":m2", "b")
            x("SETNX", t + ":nx", "first")
            x("SET", t + ":ex", "v", "EX", 100000)
            x("SET", t + ":px", "v", "PX", 100000000)
            x("GETEX", t + ":m1", "PX", 50000000)
            x("GETDEL", t + ":m2")
            # lists: small listpack and quicklist-sized, moved between keys
            x("RPUSH", t + ":l", *range(20))
            x("RPUSH", t + ":ql", *[("item-%05d-" % i) + "q" * 30 for i in range(4000)])
            x("LPUSH", t + ":ql", "head")
            x("LSET", t + ":ql", 10, "set-by-lset")
            x("LINSERT", t + ":l", "BEFORE", 5, "ins")
            x("LREM", t + ":l", 0, 7)
            x("LTRIM", t + ":ql", 0, 3500)
            x("LMOVE", t + ":l", t + ":l2", "LEFT", "RIGHT")
            x("RPOPLPUSH", t + ":l", t + ":l2")
            x("LPOP", t + ":l", 2)
            # hashes: listpack and hashtable
            x("HSET", t + ":h", "a", 1, "b", "two", "c", "")
            x("HSET", t + ":H", *[v for i in range(700) for v in ("f%d" % i, "v" * (i % 70))])
            x("HINCRBY", t + ":h", "a", 10)
            x("HINCRBYFLOAT", t + ":H", "float", "2.5")
            x("HDEL", t + ":H", "f3", "f4")
            x("HSETNX", t + ":h", "d", "dd")
            # sets: intset and hashtable; SPOP / SRANDMEMBER-free effects
            x("SADD", t + ":si", *range(100))
            x("SADD", t + ":st", *["m%d" % i for i in range(600)])
            x("SREM", t + ":si", 5, 6)
            x("SPOP", t + ":st")
            x("SPOP", t + ":si", 3)
            x("SMOVE", t + ":st", t + ":si", "m100")
            x("SINTERSTORE", t + ":sx", t + ":si", t + ":st")
            x("SUNIONSTORE", t + ":su", t + ":si", t + ":sx")
            # sorted sets: listpack and skiplist
            x("ZADD", t + ":z", 1, "a", 2, "b", "-inf", "mi", "+inf", "pi")
            x("ZADD", t + ":Z", *[v for i in range(300) for v in (i * 0.5, "zm%d" % i)])
            x("ZINCRBY", t + ":z", 2.25, "a")
            x("ZREM", t + ":Z", "zm7")
            x("ZPOPMIN", t + ":Z", 2)
            x("ZPOPMAX", t + ":z")
            x("ZUNIONSTORE", t + ":zu", 2, t + ":z", t + ":Z", "WEIGHTS", 2, 1)
            x("ZREMRANGEBYSCORE", t + ":Z", 10, 20)
            # expires: absolute (PEXPIREAT), relative (sent as PEXPIREAT),
            # in the past (the key is deleted: sent as DEL), removed
            x("PEXPIREAT", t + ":h", FAR_MS)
            x("PEXPIREAT", t + ":ql", FAR_MS + db)
            x("EXPIRE", t + ":Z", 50000000)
            x("EXPIREAT", t + ":z", int(FAR_MS / 1000))
            x("SET", t + ":gone", "x")
            x("PEXPIREAT", t + ":gone", 1000)
            x("PEXPIREAT", t + ":si", FAR_MS)
            x("PERSIST", t + ":si")
            # keyspace commands
            x("RENAME", t + ":nx", t + ":renamed")
            x("COPY", t + ":h", t + ":hcopy", "DB", 11)
            x("DEL", t + ":gs")
            x("UNLINK", t + ":m1")
        # MULTI/EXEC across databases (SELECT inside the transaction)
        x("SELECT", 0)
        p = c.pipeline(transaction=True)
        p.execute_command("SET", t + ":tx1", "in-multi")
        p.execute_command("INCR", t + ":ctr")
        p.execute_command("SELECT", 5)
        p.execute_command("RPUSH", t + ":txl", "a", "b")
        p.execute_command("SADD", t + ":txs", 1, 2, "x")
        p.execute_command("SELECT", 0)
        p.execute()
        # FLUSHDB of one database, then writes again into it
        x("SELECT", 12)
        for i in range(50):
            x("SET", "%s:fl%d" % (t, i), i)
        x("FLUSHDB")
        x("SET", t + ":after-flush", "1")
        x("MOVE", t + ":after-flush", 13)
        x("SELECT", 0)
        if "streams" in groups:
            for i in range(30):
                x("XADD", t + ":x", "*", "n", i)
            x("XGROUP", "CREATE", t + ":x", "g", "0")
            x("XREADGROUP", "GROUP", "g", "c1", "COUNT", 5, "STREAMS", t + ":x", ">")
            x("XTRIM", t + ":x", "MAXLEN", 20)
        if "scripts" in groups:
            x("EVAL", "redis.call('set', KEYS[1], ARGV[1]); return redis.call('incr', KEYS[2])",
              2, t + ":lua", t + ":luactr", "from-lua")
        if "hll" in groups:
            x("PFADD", t + ":hll", *["e%d" % i for i in range(300)])
        if "bits" in groups:
            x("SETBIT", t + ":bits", 1000, 1)
            x("BITOP", "OR", t + ":bor", t + ":bits", t + ":int")
    finally:
        c.close()


def write_small(master, tag, n=100, db=0):
    """A quick batch of plain writes (a counter, a list, strings)."""
    c = master.client(db)
    try:
        p = c.pipeline(transaction=False)
        for i in range(n):
            p.execute_command("SET", "%s:%d" % (tag, i), "v%d" % i)
            p.execute_command("INCR", tag + ":n")
            p.execute_command("RPUSH", tag + ":list", i)
        p.execute()
    finally:
        c.close()


def write_bytes(master, tag, total, chunk=4096, db=0):
    """About `total` bytes of replication stream (SETs of `chunk` bytes)."""
    c = master.client(db)
    try:
        p = c.pipeline(transaction=False)
        for i in range(max(1, total // chunk)):
            p.execute_command("SET", "%s:%d" % (tag, i), b"b" * chunk)
        p.execute()
    finally:
        c.close()


def slow_transfer_dataset(master, keys, delay_us):
    """`keys` small keys and rdb-key-save-delay: an RDB that takes about
    keys * delay_us to produce (and so to transfer)."""
    c = master.client()
    try:
        c.execute_command("DEBUG", "POPULATE", keys, "slow", 16)
        c.config_set("rdb-key-save-delay", delay_us)
    finally:
        c.close()


def log_lines(node, pattern):
    """Lines of the node's log that contain `pattern`."""
    return [line for line in node.log().splitlines() if pattern in line]
