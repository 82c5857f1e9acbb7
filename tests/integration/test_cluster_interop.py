"""Mixed clusters (issue 12), all slow: three nodes of the server under test
(A = VIREO_BIN) and three of redis-server 7.0.15 (B = REDIS_BIN) in one
cluster, built by the stock `redis-cli --cluster create --cluster-replicas
1`, so that the bus messages, the replication links, MIGRATE / RESTORE
payloads and the failover handshakes cross binaries in both directions.

Layout: with one IP for all nodes redis-cli makes the first three nodes the
masters and shuffles the replicas among them (its anti-affinity pass swaps
replicas at random while the score does not get worse), so the only way to
have every master replicated by the other kind is three masters of one kind
and three replicas of the other. Each test runs twice: A masters with B
replicas, and B masters with A replicas. A failover then gives a master of
the replicas' kind where a test needs both kinds as masters.

- reshard from a master of one kind to a master of the other and back with
  `redis-cli --cluster reshard` while redis-py's RedisCluster writes and
  reads: no error reaches the application, every key is readable after;
- CLUSTER FAILOVER from a master of one kind to its replica of the other,
  then back (the other direction), under the same load;
- a master SIGKILLed: its replica of the other kind elected by the votes of
  the masters of the first kind, with every WAIT-confirmed write, and the
  dead master restarted as its replica;
- PUBLISH / SPUBLISH carried by the bus between kinds (CLUSTERMSG_TYPE_PUBLISH
  to every node, PUBLISHSHARD to the nodes of the shard).

With VIREO_BIN=/usr/bin/redis-server every node is redis-server: that is how
the expectations are validated. Helpers: cluster_util.py.
"""
import time

import pytest

import cluster_util as cu
from integ_util import REDIS_BIN, VIREO_BIN, wait_for

pytestmark = pytest.mark.slow

RESHARD_SLOTS = 1000


@pytest.fixture(params=["A-masters", "B-masters"])
def mixed(request, tmp_path):
    """3 masters of one kind, each replicated by a node of the other kind;
    yields (cluster, master kind, replica kind). Each node gets a `kind`
    ("A" or "B"): with VIREO_BIN=redis-server the binaries are the same
    file, the layout is still checked by kind."""
    kinds = {"A": VIREO_BIN, "B": REDIS_BIN}
    first, second = ("A", "B") if request.param == "A-masters" else ("B", "A")
    bins = [kinds[first]] * 3 + [kinds[second]] * 3
    with cu.running(tmp_path, masters=3, replicas=1, bins=bins) as cl:
        for i, n in enumerate(cl.nodes):
            n.kind = first if i < 3 else second
        assert cl.masters() == cl.nodes[:3]  # one IP: the first three, in order
        for m in cl.masters():
            reps = cl.replicas_of(m)
            assert [r.kind for r in reps] == [second]
            cu.wait_link_up(reps[0])
        yield cl, first, second


def assert_no_loss(cl, writer):
    assert writer.errors == [], writer.errors[:10]
    assert len(writer.acked) > 500
    assert cu.unreadable(cl, writer.acked) == []
    # each key only on the master serving its slot (nothing left behind by
    # a migration on the other side)
    assert sum(m.call("DBSIZE") for m in cl.masters()) == len(writer.acked)


def test_reshard_between_kinds_under_load(mixed):
    cl, first, second = mixed
    # a master of the second kind: the first master hands over to its replica
    other_kind = cl.replicas_of(cl.masters()[0])[0]
    cu.failover(cl, other_kind)
    assert other_kind.kind == second and other_kind.is_master()
    same_kind = next(m for m in cl.masters() if m.kind == first)
    counts = {m.port: len(m.slots()) for m in cl.masters()}

    writer = cu.Writer(cl, "rs").start()
    try:
        there = cu.reshard(cl, same_kind, other_kind, RESHARD_SLOTS)
        assert there <= other_kind.slots() and not there & same_kind.slots()
        writer.more()
        # back: redis-cli takes the first slots of the source, which are
        # not the ones that just came, so keys cross in both directions
        back = cu.reshard(cl, other_kind, same_kind, RESHARD_SLOTS)
        assert back <= same_kind.slots()
        writer.more()
    finally:
        writer.stop()
    assert {m.port: len(m.slots()) for m in cl.masters()} == counts
    cu.check_ok(cl.members[0].addr())
    assert_no_loss(cl, writer)
    # the replicas of both kinds hold what their masters hold
    for m in cl.masters():
        r = cl.replicas_of(m)[0]
        assert r.kind != m.kind
        cu.wait_synced(m, r)
        assert r.call("DBSIZE") == m.call("DBSIZE")


def test_failover_between_kinds_under_load(mixed):
    cl, first, second = mixed
    master = cl.masters()[1]
    replica = cl.replicas_of(master)[0]
    slots = master.slots()
    writer = cu.Writer(cl, "fo").start()
    try:
        # first kind -> second kind
        old = cu.failover(cl, replica)
        assert old is master and replica.kind == second
        assert replica.slots() == slots and master.slots() == set()
        writer.more()
        # second kind -> first kind: the old master, now a replica, takes over
        old = cu.failover(cl, master)
        assert old is replica and master.kind == first
        assert master.slots() == slots and replica.slots() == set()
        writer.more()
    finally:
        writer.stop()
    cu.check_ok(cl.members[0].addr())
    assert_no_loss(cl, writer)
    cu.wait_synced(master, replica)
    assert replica.call("DBSIZE") == master.call("DBSIZE")
    # the epochs moved on twice and everybody agrees on the owner
    assert cl.slot_owner(min(slots)) is master


def test_killed_master_promotes_replica_of_other_kind(mixed):
    cl, first, second = mixed
    master = cl.masters()[2]
    replica = cl.replicas_of(master)[0]
    slots = master.slots()
    keys = cl.keys_on(master, 200, "kill")
    c = master.client()
    pipe = c.pipeline(transaction=False)
    for k in keys:
        pipe.set(k, "v" + k.rsplit(":", 1)[1])
    pipe.execute_command("WAIT", 1, 5000)  # same connection as the SETs
    assert pipe.execute() == [True] * len(keys) + [1]
    c.close()
    master.kill()
    killed_at = time.time()
    # the two other masters (of the first kind) vote for a node of the second
    assert wait_for(replica.is_master, 30, step=0.05), cl.describe()
    assert time.time() - killed_at >= cu.NODE_TIMEOUT / 1000.0
    assert wait_for(lambda: all(n.state() == "ok" for n in cl.live()), 30, step=0.05)
    assert replica.slots() == slots and replica.kind == second
    assert cu.unreadable(cl, keys) == []
    master.restart()
    cu.wait_replica_of(cl, master, replica)
    cl.wait_ok()
    cu.check_ok(master.addr())


def subscribed(node, cmd, channel):
    c = node.conn()
    assert cu.decode(c.call(cmd, channel)) == [cmd.lower(), channel, 1]
    return c


def test_publish_crosses_kinds(mixed):
    cl, first, second = mixed
    subs = [subscribed(n, "SUBSCRIBE", "news") for n in cl.members]
    try:
        for sender in (cl.nodes[0], cl.nodes[3]):  # one of each kind
            text = "from-%s" % sender.kind
            # why 1: PUBLISH counts the local receivers only; the bus
            # message reaches the other nodes' subscribers
            assert sender.call("PUBLISH", "news", text) == 1
            for c in subs:
                assert cu.decode(c.read_reply()) == ["message", "news", text]
    finally:
        for c in subs:
            c.close()
    # a shard channel: its master and the replica of the other kind
    master = cl.masters()[0]
    replica = cl.replicas_of(master)[0]
    channel = cl.keys_on(master, 1, "shard")[0]
    other = next(m for m in cl.masters() if m is not master)
    subs = [subscribed(n, "SSUBSCRIBE", channel) for n in (master, replica)]
    try:
        for sender in (master, replica):
            assert sender.call("SPUBLISH", channel, "s-" + sender.kind) == 1
            for c in subs:
                assert cu.decode(c.read_reply()) == ["smessage", channel, "s-" + sender.kind]
        assert other.call("SPUBLISH", channel, "x") == "-MOVED %d %s:%d" % (
            cu.key_slot(channel), cu.HOST, master.port)
    finally:
        for c in subs:
            c.close()
