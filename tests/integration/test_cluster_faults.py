"""Cluster faults (issue 12), all slow: what a 3-master / 3-replica cluster
does when nodes crash, hang, lose the majority or all restart, and that no
acknowledged write is lost on the way.

- a master SIGKILLed: its replica is promoted after node-timeout plus the
  election, with every write the replica had confirmed (WAIT 1) before the
  kill; the dead master restarted on its nodes.conf becomes its replica;
- a master SIGSTOPped past node-timeout: promoted replica, and the old
  master once resumed turns itself into a replica of the promoted node;
- the minority side of a partition (two masters and their replicas
  SIGSTOPped, one master and its replica left): -CLUSTERDOWN for writes and
  reads, no failover, then healed;
- every node SIGKILLed and restarted at once: the same ids, slots, roles and
  epochs from the nodes-<port>.conf files;
- CLUSTER FAILOVER (no option) under a continuous write load: every write
  acknowledged by the old master is on the new one.

Expectations are Redis 7.0.15's cluster.c (clusterCron failure detection,
markNodeAsFailingIfNeeded, clusterHandleSlaveFailover, clusterUpdateState,
clusterUpdateSlotsConfigWith, the manual failover of clusterHandleManualFailover).
Helpers: cluster_util.py. Validated with VIREO_BIN=/usr/bin/redis-server.
"""
import contextlib
import threading
import time

import pytest

import cluster_util as cu
from integ_util import Closed, Raw, RespError, encode, wait_for

pytestmark = pytest.mark.slow

# Short enough for seconds-long tests, long enough that a loaded 2-core
# machine does not see spurious PFAILs.
NODE_TIMEOUT = 1500
DOWN = "-CLUSTERDOWN The cluster is down"


@pytest.fixture
def six(tmp_path):
    """3 masters + 3 replicas (one each), replication links up."""
    with cu.running(tmp_path, masters=3, replicas=1, node_timeout=NODE_TIMEOUT,
                    args=["--cluster-require-full-coverage", "yes"]) as cl:
        for r in cl.replicas():
            cu.wait_link_up(r)
        yield cl


class RawLoad:
    """A writer thread on one raw connection: SET <key> <key> for each key
    of `keys`, each followed by `WAIT 1 <ms>` when `wait_ms` is given (both
    in one write). A SET counts as acknowledged when it got +OK (and WAIT
    answered 1). On -MOVED it follows the redirection to the node named;
    it ends at a closed connection, at stop(), or after the last key."""

    def __init__(self, node, keys, wait_ms=None):
        self.port = node.port
        self.keys = keys
        self.wait_ms = wait_ms
        self.acked = []
        self.moved = []  # (index of the first key redirected, port)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn = Raw(self.port, timeout=10)
        try:
            i = 0
            while i < len(self.keys) and not self.stopped.is_set():
                k = self.keys[i]
                req = encode("SET", k, k)
                if self.wait_ms is not None:
                    req += encode("WAIT", 1, self.wait_ms)
                conn.send(req)
                r = conn.read_reply()
                w = conn.read_reply() if self.wait_ms is not None else 1
                if isinstance(r, RespError) and r.startswith(b"MOVED "):
                    port = int(r.split()[2].rsplit(b":", 1)[1])
                    self.moved.append((i, port))
                    conn.close()
                    conn = Raw(port, timeout=10)
                    continue  # the same key again, on the new owner
                if r == b"OK" and w == 1:
                    self.acked.append(k)
                i += 1
        except (OSError, Closed):
            pass  # the node died under us: what was acked so far stands
        finally:
            conn.close()

    def wait_acked(self, count, timeout=20.0):
        assert wait_for(lambda: len(self.acked) >= count, timeout), \
            "only %d writes acknowledged" % len(self.acked)

    def join(self, timeout=20.0):
        self.stopped.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive()


def read_back(node, keys):
    """The keys of `keys` whose value on `node` is not the key itself."""
    c = node.client()
    try:
        bad = []
        for i in range(0, len(keys), 1000):
            pipe = c.pipeline(transaction=False)
            for k in keys[i:i + 1000]:
                pipe.get(k)
            bad += [(k, v) for k, v in zip(keys[i:i + 1000], pipe.execute()) if v != k]
        return bad
    finally:
        c.close()


def wait_owner_everywhere(cl, slots, owner, timeout=30.0):
    """Every live node's CLUSTER SLOTS gives `owner` for each of `slots`
    (one sample of them) and says cluster_state:ok."""
    sample = sorted(slots)[::500] + [max(slots)]

    def agreed():
        try:
            return all(n.state() == "ok" and
                       all(cl.slot_owner(s, via=n) is owner for s in sample)
                       for n in cl.live())
        except (OSError, Closed, StopIteration):
            return False
    if not wait_for(agreed, timeout, step=0.05):
        raise AssertionError("%r does not own its slots everywhere:\n%s" % (owner,
                                                                          cl.describe()))


# ---------------------------------------------------------------------------
# Crashes and hangs
# ---------------------------------------------------------------------------

def test_killed_master_replica_promoted_with_confirmed_writes(six):
    cl = six
    master = cl.masters()[0]
    replica = cl.replicas_of(master)[0]
    slots = master.slots()
    epoch = int(replica.info()["cluster_current_epoch"])
    load = RawLoad(master, cl.keys_on(master, 20000, "ack"), wait_ms=2000)
    load.wait_acked(300)
    master.kill()
    killed_at = time.time()
    load.join()
    acked = list(load.acked)

    # Why "after node-timeout": PFAIL needs node-timeout without a pong,
    # FAIL a majority of masters agreeing, then the replica waits
    # 500 ms + random(500 ms) + rank * 1 s before asking for votes.
    assert wait_for(replica.is_master, 30, step=0.05), cl.describe()
    assert time.time() - killed_at >= NODE_TIMEOUT / 1000.0
    wait_owner_everywhere(cl, slots, replica)
    assert replica.slots() == slots
    info = replica.info()
    assert int(info["cluster_current_epoch"]) > epoch
    assert info["cluster_my_epoch"] == info["cluster_current_epoch"]  # it won the election
    # every write the replica had confirmed is served by it now
    assert read_back(replica, acked) == []

    # back on its nodes-<port>.conf (no data: save ""), the old master sees
    # a higher config epoch for its slots and follows the promoted node
    master.restart()
    cu.wait_replica_of(cl, master, replica)
    cl.wait_ok()
    assert master.slots() == set() and not master.is_master()
    key = acked[-1]
    assert cu.set_confirmed(replica, key, "again") == ("OK", 1)
    with master.conn() as c:
        assert c.call("READONLY") == b"OK"
        assert c.call("GET", key) == b"again"
        assert cu.decode(c.call("GET", acked[0])) == acked[0]  # the full sync carried the rest


def test_stopped_master_rejoins_as_replica_of_promoted(six):
    cl = six
    master = cl.masters()[1]
    replica = cl.replicas_of(master)[0]
    slots = master.slots()
    before, after = cl.keys_on(master, 2, "hang")
    assert cu.set_confirmed(master, before, "1") == ("OK", 1)
    with cu.stopped(master):
        # a hung process keeps its sockets: only the missing pongs tell
        assert wait_for(replica.is_master, 30, step=0.05), cl.describe()
        others = [n for n in cl.live() if n is not master]
        cu.wait_state("ok", others)
        assert replica.call("SET", after, "2") == "OK"
        assert replica.call("GET", before) == "1"
    # Resumed, it still claims its slots with its old config epoch; the
    # others' pings and UPDATE messages carry the promoted node's higher
    # epoch for them, so it gives them up and replicates that node
    # (clusterUpdateSlotsConfigWith), without a restart.
    cu.wait_replica_of(cl, master, replica)
    cl.wait_ok()
    wait_owner_everywhere(cl, slots, replica)
    assert master.slots() == set()
    assert master.call("GET", before) == "-MOVED %d %s:%d" % (cu.key_slot(before), cu.HOST,
                                                              replica.port)
    cu.wait_synced(replica, master)
    with master.conn() as c:
        assert c.call("READONLY") == b"OK"
        assert c.call("GET", after) == b"2" and c.call("GET", before) == b"1"


def test_minority_side_refuses_writes(six):
    """One master and its replica left alone while the two other masters
    and their replicas hang: the alone side is the minority."""
    cl = six
    alone = cl.masters()[0]
    its_replica = cl.replicas_of(alone)[0]
    others = [n for n in cl.members if n not in (alone, its_replica)]
    key = cl.keys_on(alone, 1, "minority")[0]
    assert alone.call("SET", key, "v") == "OK"
    epoch = alone.info()["cluster_current_epoch"]
    with contextlib.ExitStack() as stack:
        for n in others:
            stack.enter_context(cu.stopped(n))
        # Why fail without a single FAIL flag: the other masters are only
        # PFAIL (one master cannot make a majority of failure reports), but
        # clusterUpdateState turns the state to fail when fewer than
        # size/2+1 masters with slots are reachable, on replicas too.
        cu.wait_state("fail", [alone, its_replica], timeout=30)
        info = alone.info()
        assert info["cluster_slots_fail"] == "0"
        assert info["cluster_slots_pfail"] == str(16384 - len(alone.slots()))
        for n in (alone, its_replica):
            assert n.call("SET", key, "w") == DOWN
            assert n.call("GET", key) == DOWN  # cluster-allow-reads-when-down no
            assert n.call("PING") == "PONG"
        # no election on the minority side: nothing to fail over, no epoch
        assert not its_replica.is_master() and alone.is_master()
        assert alone.info()["cluster_current_epoch"] == epoch
    # healed (all resumed within microseconds of each other)
    # why not the same roles asserted: nodes woken from SIGSTOP see their
    # own pings to each other as timed out, and a failure report gossiped
    # by the alone master before the heal can complete a FAIL, which
    # Redis then repairs by a failover; the cluster must still settle ok
    cl.wait_ok(timeout=60)
    owner = cl.key_owner(key)
    assert owner.call("GET", key) == "v"
    assert owner.call("SET", key, "after") == "OK"


def test_all_nodes_restarted_at_once(six):
    cl = six
    before = cl.views()
    ids = {n.port: n.myid() for n in cl.nodes}
    epochs = {n.port: (n.info()["cluster_current_epoch"], n.info()["cluster_my_epoch"])
              for n in cl.nodes}
    for n in cl.nodes:
        n.kill()
    for n in cl.nodes:
        n.start(wait=False)
    for n in cl.nodes:
        n.proc.wait_ready(10)
    # Why the wait: each master holds cluster_state:fail for 2 s after its
    # start (CLUSTER_WRITABLE_DELAY) before serving again.
    cl.wait_ok(timeout=30)
    assert cl.views() == before
    assert {n.port: n.myid() for n in cl.nodes} == ids
    assert {n.port: (n.info()["cluster_current_epoch"], n.info()["cluster_my_epoch"])
            for n in cl.nodes} == epochs
    for r in cl.replicas():
        cu.wait_link_up(r)
    key = cl.keys_on(cl.masters()[2], 1, "restart")[0]
    owner = cl.key_owner(key)
    assert cu.set_confirmed(owner, key, "1") == ("OK", 1)


# ---------------------------------------------------------------------------
# Manual failover under load
# ---------------------------------------------------------------------------

def test_manual_failover_under_load_loses_no_acked_write(six):
    cl = six
    master = cl.masters()[2]
    replica = cl.replicas_of(master)[0]
    # no WAIT: CLUSTER FAILOVER itself must make the replica catch up with
    # the paused master's offset before it takes over
    load = RawLoad(master, cl.keys_on(master, 200000, "mf"))
    try:
        load.wait_acked(1000)
        old = cu.failover(cl, replica)
        assert old is master
        count = len(load.acked)
        load.wait_acked(count + 500)  # writing on through the redirection
    finally:
        load.join()
    # why exactly one redirection: clients paused during the failover are
    # answered -MOVED once the old master turned replica, never an error
    assert [p for _, p in load.moved] == [replica.port]
    first_moved = load.moved[0][0]
    on_old = load.acked[:first_moved]
    assert len(on_old) >= 1000
    assert read_back(replica, load.acked) == []
    assert replica.call("DBSIZE") >= len(load.acked)
    cu.wait_synced(replica, master)
    assert master.call("DBSIZE") == replica.call("DBSIZE")
