"""Replication interoperability (issue 10): the server under test (VIREO_BIN)
and the reference redis-server 7.0.15 (REDIS_BIN) replicate from each other.

Owns the two-binary replication checks; the fault tests are in
test_replication_faults.py and single-server replication behaviour in the
files of repl_util.py. Each test runs in both directions ("vireo_master":
the server under test is the master and redis-server the replica;
"redis_master": the other way round). With VIREO_BIN=/usr/bin/redis-server
both sides are Redis, which is how these tests are validated.

- full sync (disk / diskless on the master, disk / swapdb load on the
  replica) of every type and encoding, then the command stream: every type,
  expires, several databases, MULTI/EXEC, FLUSHDB (replication.tcl "Sync
  should have transferred keys", "FLUSHDB / FLUSHALL should replicate",
  replication-2/3 "MASTER and SLAVE dataset should be identical");
- partial resync after CLIENT KILL TYPE master, also under load
  (replication-psync.tcl "ok psync");
- a replica SHUTDOWN and started again on its RDB resyncs partially
  (psync2.tcl "Partial resync after restart using RDB aux fields");
- WAIT counts replicas of both kinds;
- chains A -> B -> C with the same replid at every node, links killed under
  load (psync2-reg.tcl #3899, psync2-pingoff.tcl chained replicas);
- blocking pops replicate (block-repl.tcl);
- redis-cli --rdb and --replica against a master of the server under test.

Every test ends with DEBUG DIGEST and per-db DBSIZE equal on every node.
"""
import os
import re
import shutil
import subprocess
import threading
import time

import pytest
import redis

from integ_util import REDIS_BIN, REDIS_CLI, SLOW, VIREO_BIN, Procs, wait_for
import persistence_util as pu
import repl_mixed_util as rm
from repl_mixed_util import Node

CHECK_RDB = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"

needs_repl = pytest.mark.requires_commands("replicaof", "psync", "wait")
pytestmark = needs_repl

# (master binary, replica binary)
DIRECTIONS = {"vireo_master": (VIREO_BIN, REDIS_BIN), "redis_master": (REDIS_BIN, VIREO_BIN)}


def pair(server_factory, tmp_path, direction, args=(), margs=(), rargs=()):
    mbin, rbin = DIRECTIONS[direction]
    master = Node(server_factory, mbin, tmp_path / "master", list(args) + list(margs))
    replica = Node(server_factory, rbin, tmp_path / "replica", list(args) + list(rargs))
    return master, replica


def attach(master, replica):
    replica.replicaof(master)
    rm.wait_link_up(replica)
    rm.wait_online(master, 1)


def linked_pair(server_factory, tmp_path, direction, **kw):
    """A pair, the master preloaded with every type, the replica attached."""
    master, replica = pair(server_factory, tmp_path, direction, **kw)
    rm.preload(master, replica)
    attach(master, replica)
    return master, replica


# ---------------------------------------------------------------------------
# Full sync and the command stream
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("load", ["disabled", "swapdb"])
@pytest.mark.parametrize("sync", ["diskless", "disk"])
@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_full_sync_then_stream(server_factory, tmp_path, direction, sync, load):
    master, replica = pair(server_factory, tmp_path, direction,
                           rm.pair_args("yes" if sync == "diskless" else "no", load))
    rm.preload(master, replica)
    # The replica had data of its own: a full sync replaces it.
    rc = replica.client(4)
    rc.set("replica-only", "dropped by the full sync")
    rc.close()
    attach(master, replica)
    rm.assert_synced(master, replica)
    assert rm.replid(replica) == rm.replid(master)
    assert master.stat("sync_full") == 1 and master.stat("sync_partial_ok") == 0

    # ROLE and the INFO lines Redis prints for the pair.
    mc = master.client(decode=True)
    role = mc.execute_command("ROLE")
    assert role[0] == "master" and role[2][0][:2] == ["127.0.0.1", str(replica.port)], role
    line = master.field("slave0")
    assert re.fullmatch(r"ip=127\.0\.0\.1,port=%d,state=online,offset=\d+,lag=\d+"
                        % replica.port, line), line
    rrole = replica.client(decode=True).execute_command("ROLE")
    assert rrole[:4] == ["slave", "127.0.0.1", master.port, "connected"], rrole

    rm.write_everything(master, rm.optional_groups(master, replica))
    rm.assert_synced(master, replica)
    # why: Redis refuses writes on a read-only replica with this exact text.
    with pytest.raises(redis.ResponseError, match=r"^You can't write against a read only replica\.$"):
        replica.client().set("x", 1)
    assert master.stat("sync_full") == 1
    mc.close()


@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_flushall_and_big_stream(server_factory, tmp_path, direction):
    """FLUSHALL, then a stream much larger than the socket buffers."""
    master, replica = linked_pair(server_factory, tmp_path, direction)
    master.client().flushall()
    rm.assert_synced(master, replica)
    assert rm.keyspace(replica) == {}
    rm.write_bytes(master, "big", 8 << 20, chunk=64 * 1024)
    rm.write_small(master, "small", 2000, db=2)
    rm.assert_synced(master, replica)


# ---------------------------------------------------------------------------
# Partial resynchronization
# ---------------------------------------------------------------------------

def kill_master_link(replica):
    c = replica.client()
    try:
        return c.execute_command("CLIENT", "KILL", "TYPE", "master")
    finally:
        c.close()


@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_partial_resync_after_client_kill(server_factory, tmp_path, direction):
    master, replica = linked_pair(server_factory, tmp_path, direction)
    rm.write_small(master, "before")
    rm.assert_synced(master, replica)
    full, ok = master.stat("sync_full"), master.stat("sync_partial_ok")

    assert kill_master_link(replica) == 1
    rm.write_small(master, "gap", 500)
    rm._poll(lambda: master.stat("sync_partial_ok") == ok + 1, 20, "sync_partial_ok + 1")
    rm.wait_link_up(replica)
    rm.write_everything(master, rm.optional_groups(master, replica))
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") == full
    assert rm.replid(replica) == rm.replid(master)
    # why: the replica's and the master's log lines of a partial resync, as
    # Redis prints them.
    assert rm.log_lines(replica, "Successful partial resynchronization with master."), \
        replica.log()[-2000:]
    assert rm.log_lines(replica, "MASTER <-> REPLICA sync: Master accepted a Partial "
                                 "Resynchronization."), replica.log()[-2000:]
    assert any(re.search(r"Partial resynchronization request from 127\.0\.0\.1:%d accepted\. "
                         r"Sending \d+ bytes of backlog starting from offset \d+\."
                         % replica.port, ln) for ln in master.log().splitlines()), \
        master.log()[-2000:]


@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_partial_resyncs_under_load(server_factory, tmp_path, direction):
    """replication-psync.tcl "ok psync": the link is killed several times
    while clients write; every reconnection is a partial resync."""
    master, replica = pair(server_factory, tmp_path, direction,
                           margs=["--repl-backlog-size", "64mb"])
    attach(master, replica)
    stop = threading.Event()
    errors = []

    def writer(db):
        c = master.client(db)
        i = 0
        try:
            while not stop.is_set():
                p = c.pipeline(transaction=False)
                for _ in range(50):
                    p.incr("ctr")
                    p.rpush("list", i)
                    p.hset("h", "f%d" % (i % 700), i)
                    p.zadd("z", {"m%d" % (i % 300): i})
                    p.sadd("s", i % 1000)
                    i += 1
                p.execute()
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=(db,)) for db in (9, 11)]
    for t in threads:
        t.start()
    try:
        kills = 0
        for _ in range(3):
            time.sleep(0.5)
            rm.wait_link_up(replica)
            kills += kill_master_link(replica)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert kills == 3
    rm.wait_link_up(replica)
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") == 1
    assert master.stat("sync_partial_ok") == 3


@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_replica_restarted_from_rdb_resyncs_partially(server_factory, tmp_path, direction):
    """psync2.tcl: SHUTDOWN saves the master's replid and offset in the
    replica's RDB (aux repl-id / repl-offset); started again on that file it
    asks for PSYNC <replid> <offset+1> and gets +CONTINUE."""
    master, replica = linked_pair(server_factory, tmp_path, direction,
                                  rargs=["--save", "3600 1"])
    rm.write_small(master, "before")
    rm.assert_synced(master, replica)
    full, ok = master.stat("sync_full"), master.stat("sync_partial_ok")

    replica.shutdown()
    assert os.path.exists(os.path.join(replica.dir, "dump.rdb"))
    rm.write_small(master, "while-down", 300, db=1)
    replica.restart()
    rm._poll(lambda: master.stat("sync_partial_ok") == ok + 1, 20, "sync_partial_ok + 1")
    rm.wait_link_up(replica)
    rm.assert_synced(master, replica)
    assert master.stat("sync_full") == full
    assert rm.replid(replica) == rm.replid(master)


# ---------------------------------------------------------------------------
# WAIT
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("master_bin", ["vireo", "redis"])
def test_wait_counts_both_kinds_of_replicas(server_factory, tmp_path, master_bin):
    mbin = VIREO_BIN if master_bin == "vireo" else REDIS_BIN
    master = Node(server_factory, mbin, tmp_path / "master")
    r1 = Node(server_factory, VIREO_BIN, tmp_path / "r-vireo")
    r2 = Node(server_factory, REDIS_BIN, tmp_path / "r-redis")
    for r in (r1, r2):
        r.replicaof(master)
    for r in (r1, r2):
        rm.wait_link_up(r)
    rm.wait_online(master, 2)
    c = master.client()
    c.set("k", "v")
    assert c.execute_command("WAIT", 2, 5000) == 2
    c.incr("n")
    t0 = time.time()
    # More replicas than exist: the timeout runs out, the count is 2.
    assert c.execute_command("WAIT", 3, 300) == 2
    assert time.time() - t0 >= 0.25
    # Nothing written since: every replica already acknowledged.
    assert c.execute_command("WAIT", 1, 0) == 2
    r2.signal(19)  # SIGSTOP: its ACKs stop
    try:
        c.set("k2", "v2")
        assert c.execute_command("WAIT", 2, 500) == 1
    finally:
        r2.signal(18)  # SIGCONT
    assert c.execute_command("WAIT", 2, 5000) == 2
    c.close()
    rm.assert_synced(master, r1, r2)


# ---------------------------------------------------------------------------
# Chains
# ---------------------------------------------------------------------------

CHAINS = {"vireo_redis_vireo": (VIREO_BIN, REDIS_BIN, VIREO_BIN),
          "redis_vireo_redis": (REDIS_BIN, VIREO_BIN, REDIS_BIN)}


@pytest.mark.parametrize("chain", list(CHAINS))
def test_chained_replication(server_factory, tmp_path, chain):
    a, b, c = [Node(server_factory, binary, tmp_path / n)
               for binary, n in zip(CHAINS[chain], ("a", "b", "c"))]
    rm.preload(a, b, c)
    b.replicaof(a)
    c.replicaof(b)
    rm.wait_link_up(b)
    rm.wait_link_up(c)
    rm.assert_synced(a, b, c)
    # why: a sub-replica gets the proxied stream and the same replid (PSYNC2).
    assert rm.replid(a) == rm.replid(b) == rm.replid(c)
    rm.write_everything(a, rm.optional_groups(a, b, c))
    rm.assert_synced(a, b, c)
    assert a.field("master_repl_offset") == c.field("master_repl_offset")

    # psync2-pingoff.tcl: the middle node's link drops and resyncs
    # partially; its own replica stays connected (no new sync on b).
    b_full, b_ok, a_ok = b.stat("sync_full"), b.stat("sync_partial_ok"), a.stat("sync_partial_ok")
    assert kill_master_link(b) == 1
    rm.write_small(a, "gap")
    rm._poll(lambda: a.stat("sync_partial_ok") == a_ok + 1, 20, "a: sync_partial_ok + 1")
    rm.wait_link_up(b)
    rm.assert_synced(a, b, c)
    assert (b.stat("sync_full"), b.stat("sync_partial_ok")) == (b_full, b_ok)

    # psync2-reg.tcl (#3899): both links killed while a client writes.
    stop = threading.Event()

    def load():
        cl = a.client()
        i = 0
        while not stop.is_set():
            cl.incr("k:%d" % (i % 1000))
            i += 1
        cl.close()

    t = threading.Thread(target=load)
    t.start()
    try:
        for node in (b, c, b, c):
            time.sleep(0.3)
            rm.wait_link_up(node)
            kill_master_link(node)
    finally:
        stop.set()
        t.join()
    rm.wait_link_up(b)
    rm.wait_link_up(c)
    rm.assert_synced(a, b, c)
    assert rm.replid(a) == rm.replid(b) == rm.replid(c)
    assert a.stat("sync_full") == 1 and b.stat("sync_full") == 1


# ---------------------------------------------------------------------------
# Blocking pops (block-repl.tcl)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("direction", list(DIRECTIONS))
def test_blocking_pops_replicate(server_factory, tmp_path, direction):
    """Clients blocked in BLPOP / BRPOPLPUSH / BLMOVE / BZPOPMIN / BZPOPMAX
    are served by pushes; what they consumed is gone on the replica too."""
    master, replica = pair(server_factory, tmp_path, direction)
    attach(master, replica)
    stop = time.time() + 2.0 * SLOW
    errors = []

    def popper(n):
        c = master.client(9, timeout=10)
        try:
            ops = [lambda: c.blpop(["bl1", "bl2"], 0.05),
                   lambda: c.brpoplpush("bl1", "bl3", 0.05),
                   lambda: c.execute_command("BLMOVE", "bl2", "bl1", "RIGHT", "LEFT", 0.05),
                   lambda: c.bzpopmin(["bz1", "bz2"], 0.05),
                   lambda: c.bzpopmax(["bz2"], 0.05)]
            i = n
            while time.time() < stop:
                ops[i % len(ops)]()
                i += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            c.close()

    def pusher():
        c = master.client(9)
        i = 0
        try:
            while time.time() < stop:
                c.rpush("bl%d" % (1 + i % 2), i)
                c.zadd("bz%d" % (1 + i % 2), {"m%d" % i: i})
                i += 1
        finally:
            c.close()

    threads = [threading.Thread(target=popper, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=pusher))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rm.assert_synced(master, replica)


# ---------------------------------------------------------------------------
# redis-cli --rdb / --replica against a master of the server under test
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("sync", ["diskless", "disk"])
def test_redis_cli_rdb(server_factory, tmp_path, sync):
    master = Node(server_factory, VIREO_BIN, tmp_path / "master",
                  rm.pair_args("yes" if sync == "diskless" else "no"))
    rm.preload(master)
    out = str(tmp_path / "fetched.rdb")
    p = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(master.port), "--rdb", out],
                       capture_output=True, timeout=60 * SLOW, stdin=subprocess.DEVNULL)
    err = p.stderr.decode(errors="replace")
    assert p.returncode == 0, err
    assert "error" not in err.lower(), err  # e.g. "REPLCONF rdb-only error: ..."
    # why: diskless transfers end with the $EOF:<mark> framing, which
    # redis-cli reports with the byte count; a disk transfer has a length.
    if sync == "diskless":
        assert re.search(r"Transfer finished with success after \d+ bytes", err), err
    else:
        assert "Transfer finished with success." in err, err
    chk = subprocess.run([CHECK_RDB, out], capture_output=True, timeout=60 * SLOW)
    assert b"RDB looks OK!" in chk.stdout, chk.stdout + chk.stderr
    # The fetched file loads into redis-server as the same dataset.
    d = tmp_path / "loader"
    d.mkdir()
    shutil.copy(out, str(d / "dump.rdb"))
    loader = Node(server_factory, REDIS_BIN, d)
    pu.wait_loaded(loader.client())
    assert rm.digest(loader) == rm.digest(master)
    assert rm.keyspace(loader) == rm.keyspace(master)
    # why: an rdb-only replica is dropped once the RDB is sent.
    assert wait_for(lambda: master.field("connected_slaves") == "0", 10)
    assert master.client().ping()


def test_redis_cli_replica(server_factory, tmp_path):
    master = Node(server_factory, VIREO_BIN, tmp_path / "master",
                  ["--repl-ping-replica-period", "1"])
    rm.write_small(master, "pre", 10)
    procs = Procs()
    p = procs.start([REDIS_CLI, "-h", "127.0.0.1", "-p", master.port, "--replica"],
                    cwd=str(tmp_path), log_name="cli.log")
    try:
        def text():
            with open(p.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        assert wait_for(lambda: "Logging commands from master." in text(), 15), text()
        rm.wait_online(master, 1)
        c = master.client()
        c.set("cli-key", "cli value")
        c.execute_command("SELECT", 3)
        c.rpush("cli-list", "a", "b")
        c.close()
        # Replies are printed as CSV, one command a line, SELECT included.
        want = ['"SET","cli-key","cli value"', '"SELECT","3"', '"RPUSH","cli-list","a","b"']
        assert wait_for(lambda: all(w.lower() in text().lower() for w in want), 10), text()
        # PINGs of the master (repl-ping-replica-period 1) reach it too.
        assert wait_for(lambda: '"PING"' in text().upper(), 5), text()
        # why: redis-cli 7.0.15 sends REPLCONF capa eof and REPLCONF
        # rdb-filter-only "" first and prints "REPLCONF <arg> error: ..." if
        # either is refused.
        assert "error" not in text().split("Logging commands from master.")[0].lower(), text()
        assert p.poll() is None
    finally:
        procs.cleanup()  # kills redis-cli by its PID
    assert wait_for(lambda: master.field("connected_slaves") == "0", 10)
    assert master.client().ping()
