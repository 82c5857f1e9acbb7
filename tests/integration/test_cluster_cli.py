"""redis-cli --cluster against the server under test (issue 12): create
(6 nodes, one replica per master), check, info, call, set-timeout, backup,
reshard, rebalance after add-node of an empty master, add-node
--cluster-slave, del-node, fix of an open slot, import from a standalone
server, and the refusals of create.

redis-cli is the stock 7.0.15 one: it drives the nodes only through
CLUSTER / INFO / CONFIG / MIGRATE / FUNCTION commands, so each test checks
the outcome on the nodes themselves (slot counts in CLUSTER NODES, every key
readable on the node serving its slot, nothing lost), not just the exit
code. Every test is marked slow (release build only in CI). Helpers: cluster_util.py.
Validated with VIREO_BIN=/usr/bin/redis-server.
"""
import json
import os
import re

import pytest
from redis.cluster import RedisCluster

import cluster_util as cu
from cluster_util import HOST
from integ_util import VIREO_BIN, ServerProcess, wait_for

# Why all slow: each test builds its own cluster with redis-cli; CI runs
# them once, in the release build.
pytestmark = pytest.mark.slow

ALL_COVERED = "[OK] All 16384 slots covered."
AGREE = "[OK] All nodes agree about slots configuration."


@pytest.fixture(scope="module")
def six(tmp_path_factory):
    """3 masters + 3 replicas from one `create --cluster-replicas 1`,
    shared by the tests that change no slot (keys flushed after each)."""
    with cu.running(tmp_path_factory.mktemp("six"), masters=3, replicas=1) as cl:
        for r in cl.replicas():
            assert wait_for(lambda: "master_link_status:up" in r.call("INFO", "replication"),
                            20)
        yield cl


@pytest.fixture
def trio(tmp_path):
    with cu.running(tmp_path, masters=3, spare=2) as cl:
        yield cl


def fill(cl, count, prefix="k"):
    """`count` string keys through redis-py's RedisCluster; returns them."""
    rc = RedisCluster(host=HOST, port=cl.members[0].port, decode_responses=True)
    try:
        keys = ["%s:%d" % (prefix, i) for i in range(count)]
        for k in keys:
            rc.set(k, "v-" + k)
        return keys
    finally:
        rc.close()


def assert_keys_placed(cl, keys):
    """Every key is on the master serving its slot (and nowhere else) with
    its value; no master holds any other key."""
    masters = cl.masters()
    owners = {}
    for k in keys:
        owner = cl.key_owner(k)
        assert owner.call("GET", k) == "v-" + k, (k, owner)
        owners.setdefault(owner.port, 0)
        owners[owner.port] += 1
    assert {m.port: m.call("DBSIZE") for m in masters} == \
        {m.port: owners.get(m.port, 0) for m in masters}


def slot_counts(cl):
    return {m.port: len(m.slots()) for m in cl.masters()}


def flush(cl):
    for m in cl.masters():
        m.call("FLUSHALL")


def output(r):
    """redis-cli --cluster prints its [ERR] lines on stdout or stderr
    depending on the code path: both, for matching."""
    return r.stdout + r.stderr


def ok(r):
    assert r.returncode == 0, "exit %d\n%s\n%s" % (r.returncode, r.stdout, r.stderr)
    return r.stdout


# ---------------------------------------------------------------------------
# A 6-node cluster from create --cluster-replicas 1
# ---------------------------------------------------------------------------

def test_create_with_replicas(six):
    out = six.create_output
    assert ">>> Performing hash slots allocation on 6 nodes..." in out
    for line in ("Master[0] -> Slots 0 - 5460", "Master[1] -> Slots 5461 - 10922",
                 "Master[2] -> Slots 10923 - 16383"):
        assert line in out
    assert out.count("Adding replica ") == 3 and ALL_COVERED in out
    # with one IP for all, the first three given become the masters
    masters = six.masters()
    assert masters == six.nodes[:3]
    assert [len(m.slots()) for m in masters] == [5461, 5462, 5461]
    replicas = six.replicas()
    assert sorted(r.port for r in replicas) == sorted(n.port for n in six.nodes[3:])
    assert sorted(r.myself()["master"] for r in replicas) == sorted(m.myid() for m in masters)
    for m in masters:
        assert len(m.call("CLUSTER", "REPLICAS", m.myid())) == 1
    assert {m.info()["cluster_size"] for m in six.nodes} == {"3"}
    assert {m.info()["cluster_known_nodes"] for m in six.nodes} == {"6"}


def test_check_and_info(six):
    keys = fill(six, 100)
    try:
        out = ok(six.cli("check", six.nodes[4].addr()))
        assert AGREE in out and ALL_COVERED in out
        assert ">>> Performing Cluster Check (using node %s)" % six.nodes[4].addr() in out
        for m in six.masters():
            assert "M: %s %s" % (m.myid(), m.addr()) in out
        for r in six.replicas():
            assert "S: %s %s" % (r.myid(), r.addr()) in out
            assert "replicates %s" % r.myself()["master"] in out
        assert out.count("1 additional replica(s)") == 3

        out = ok(six.cli("info", six.nodes[0].addr()))
        for m in six.masters():
            assert "%s (%s...) -> %d keys | %d slots | 1 slaves." % (
                m.addr(), m.myid()[:8], m.call("DBSIZE"), len(m.slots())) in out
        assert "[OK] 100 keys in 3 masters." in out
        assert "0.01 keys per slot on average." in out
        assert_keys_placed(six, keys)
    finally:
        flush(six)


def test_call(six):
    out = ok(six.cli("call", six.nodes[0].addr(), "CONFIG", "SET", "maxmemory-policy",
                     "allkeys-lru"))
    assert out.splitlines()[0] == ">>> Calling CONFIG SET maxmemory-policy allkeys-lru"
    assert sorted(out.splitlines()[1:]) == sorted("%s: OK" % n.addr() for n in six.nodes)
    assert {n.call("CONFIG", "GET", "maxmemory-policy")[1] for n in six.nodes} == \
        {"allkeys-lru"}
    ok(six.cli("call", six.nodes[0].addr(), "CONFIG", "SET", "maxmemory-policy", "noeviction"))
    out = ok(six.cli("call", six.nodes[0].addr(), "ECHO", "hi", "--cluster-only-masters"))
    assert sorted(out.splitlines()[1:]) == sorted("%s: hi" % m.addr() for m in six.masters())
    out = ok(six.cli("call", six.nodes[0].addr(), "ECHO", "r", "--cluster-only-replicas"))
    assert sorted(out.splitlines()[1:]) == sorted("%s: r" % n.addr() for n in six.replicas())


def test_set_timeout(six):
    r = six.cli("set-timeout", six.nodes[0].addr(), 50)
    assert r.returncode == 1
    assert "Setting a node timeout of less than 100 milliseconds is a bad idea." in output(r)
    out = ok(six.cli("set-timeout", six.nodes[0].addr(), 3000))
    assert ">>> New node timeout set. 6 OK, 0 ERR." in out
    for n in six.nodes:
        assert "*** New timeout set for %s" % n.addr() in out
        assert n.call("CONFIG", "GET", "cluster-node-timeout") == ["cluster-node-timeout",
                                                                   "3000"]
        # set-timeout also runs CONFIG REWRITE on every node
        with open(os.path.join(n.dir, "node.conf")) as f:
            assert "cluster-node-timeout 3000\n" in f.read()
    ok(six.cli("set-timeout", six.nodes[0].addr(), cu.NODE_TIMEOUT))


def test_backup(six, tmp_path):
    keys = fill(six, 200, "bk")
    try:
        dest = tmp_path / "backup"
        dest.mkdir()
        out = ok(six.cli("backup", six.nodes[0].addr(), str(dest)))
        assert "[OK] Backup created into: %s" % dest in out
        with open(dest / "nodes.json") as f:
            nodes = json.load(f)
        assert sorted(n["port"] for n in nodes) == sorted(n.port for n in six.nodes)
        for entry in nodes:
            node = six.by_port(entry["port"])
            assert entry["name"] == node.myid() and entry["host"] == HOST
            if node.is_master():
                assert entry["replicate"] is None
                assert entry["slots_count"] == len(node.slots())
                lo, hi = min(node.slots()), max(node.slots())
                assert entry["slots"] == [[lo, hi]]
            else:
                assert entry["replicate"] == node.myself()["master"]
                assert entry["slots_count"] == 0
        # one RDB per master, holding exactly that master's keys
        rdbs = sorted(os.listdir(dest))
        assert rdbs == sorted(["nodes.json"] + ["redis-node-%s-%d-%s.rdb" % (
            HOST, m.port, m.myid()) for m in six.masters()])
        for m in six.masters():
            name = "redis-node-%s-%d-%s.rdb" % (HOST, m.port, m.myid())
            d = tmp_path / ("load-%d" % m.port)
            d.mkdir()
            os.rename(dest / name, d / "dump.rdb")
            s = ServerProcess(VIREO_BIN, cwd=str(d), args=["--dbfilename", "dump.rdb"])
            try:
                c = s.client(decode_responses=True)
                mine = sorted(k for k in keys if cu.key_slot(k) in m.slots())
                assert sorted(c.keys("*")) == mine and mine
                assert all(c.get(k) == "v-" + k for k in mine)
                c.close()
            finally:
                s.stop()
    finally:
        flush(six)


# ---------------------------------------------------------------------------
# Changing the layout (a cluster per test)
# ---------------------------------------------------------------------------

def test_create_refusals(tmp_path, server_factory):
    with cu.nodes_only(tmp_path, 3) as cl:
        plain = server_factory(cwd=str(tmp_path))
        r = cu.cluster_cli("create", *[n.addr() for n in cl.nodes[:2]], "--cluster-yes")
        assert r.returncode == 1
        assert "*** Redis Cluster requires at least 3 master nodes." in output(r)
        r = cu.cluster_cli("create", "%s:%d" % (HOST, plain.port),
                           *[n.addr() for n in cl.nodes[:2]], "--cluster-yes")
        assert r.returncode == 1
        assert "[ERR] Node %s:%d is not configured as a cluster node." % (HOST, plain.port) \
            in output(r)
        a, b, c = cl.nodes
        assert a.call("CLUSTER", "MEET", HOST, b.port) == "OK"
        r = cu.cluster_cli("create", a.addr(), b.addr(), c.addr(), "--cluster-yes")
        assert r.returncode == 1
        assert "[ERR] Node %s is not empty. Either the node already knows other nodes " \
               "(check with CLUSTER NODES) or contains some key in database 0." % a.addr() \
            in output(r)
        assert c.slots() == set()


def test_reshard_keeps_keys(trio):
    a, b, c = trio.members
    keys = fill(trio, 1000)
    before = slot_counts(trio)
    out = ok(trio.cli("reshard", b.addr(), "--cluster-from", a.myid(), "--cluster-to",
                      c.myid(), "--cluster-slots", 500, "--cluster-yes"))
    assert "Ready to move 500 slots." in out
    assert len(re.findall(r"^Moving slot \d+ from %s to %s: " % (a.addr(), c.addr()), out,
                          re.M)) == 500
    trio.wait_ok()
    after = slot_counts(trio)
    assert after == {a.port: before[a.port] - 500, b.port: before[b.port],
                     c.port: before[c.port] + 500}
    moved = set(range(0, 500))  # redis-cli takes the source's first slots
    assert moved <= c.slots() and not moved & a.slots()
    assert sum(1 for k in keys if cu.key_slot(k) in moved) == \
        sum(c.call("CLUSTER", "COUNTKEYSINSLOT", s) for s in moved) > 0
    assert_keys_placed(trio, keys)
    # no slot left open on either side
    for n in (a, c):
        assert not [s for s in n.myself()["slots"] if s.startswith("[")]
    ok(trio.cli("check", a.addr()))


def test_add_node_then_rebalance_with_empty_master(trio):
    a = trio.members[0]
    new = trio.nodes[3]
    keys = fill(trio, 600)
    out = ok(trio.cli("add-node", new.addr(), a.addr()))
    assert "[OK] New node added correctly." in out
    trio.members.append(new)
    trio.wait_ok()
    assert new.is_master() and new.slots() == set()
    # why the flag: rebalance leaves masters without slots alone otherwise
    out = ok(trio.cli("rebalance", a.addr()))
    assert "No rebalancing needed" in out and new.slots() == set()
    out = ok(trio.cli("rebalance", a.addr(), "--cluster-use-empty-masters"))
    assert ">>> Rebalancing across 4 nodes. Total weight = 4.00" in out
    trio.wait_ok()
    counts = slot_counts(trio)
    assert sum(counts.values()) == 16384 and len(counts) == 4
    assert all(abs(n - 4096) <= 2 for n in counts.values()), counts
    assert_keys_placed(trio, keys)
    assert new.call("DBSIZE") > 0
    ok(trio.cli("check", a.addr()))


def test_add_node_as_replica(trio):
    a, b = trio.members[:2]
    new = trio.nodes[3]
    keys = fill(trio, 200)
    out = ok(trio.cli("add-node", new.addr(), a.addr(), "--cluster-slave",
                      "--cluster-master-id", b.myid()))
    assert "[OK] New node added correctly." in out
    trio.members.append(new)
    trio.wait_ok()
    assert new.myself()["flags"] == {"myself", "slave"} and new.myself()["master"] == b.myid()
    assert wait_for(lambda: "master_link_status:up" in new.call("INFO", "replication"), 20)
    mine = [k for k in keys if cu.key_slot(k) in b.slots()]
    assert wait_for(lambda: new.call("DBSIZE") == len(mine), 10)
    conn = new.conn()
    assert cu.decode(conn.call("READONLY")) == "OK"
    assert all(cu.decode(conn.call("GET", k)) == "v-" + k for k in mine)
    conn.close()
    out = ok(trio.cli("check", a.addr()))
    assert "S: %s %s" % (new.myid(), new.addr()) in out and "replicates %s" % b.myid() in out


def test_del_node(trio):
    a = trio.members[0]
    new = trio.nodes[3]
    ok(trio.cli("add-node", new.addr(), a.addr()))
    trio.members.append(new)
    trio.wait_ok()
    nid = new.myid()

    r = trio.cli("del-node", a.addr(), "f" * 40)
    assert r.returncode == 1 and "[ERR] No such node ID %s" % ("f" * 40) in output(r)
    r = trio.cli("del-node", a.addr(), a.myid())
    assert r.returncode == 1
    assert "[ERR] Node %s is not empty! Reshard data away and try again." % a.addr() in output(r)

    out = ok(trio.cli("del-node", a.addr(), nid))
    assert ">>> Sending CLUSTER FORGET messages to the cluster..." in out
    assert ">>> Sending CLUSTER RESET SOFT to the deleted node." in out
    trio.members.remove(new)
    for n in trio.members:
        assert nid not in n.nodes()
        assert n.info()["cluster_known_nodes"] == "3"
    # the removed node was reset: it knows nobody and keeps its name
    assert list(new.nodes()) == [nid]
    trio.wait_ok()
    # why it stays out: FORGET bans the node from gossip for a minute
    assert not wait_for(lambda: any(nid in n.nodes() for n in trio.members), 1.5)


def test_fix_open_slots(trio):
    a, b, c = trio.members
    # slot 1: left MIGRATING on its owner only, keys still there
    # slot 2: half migrated, MIGRATING on the owner and IMPORTING on b,
    # one of its keys already moved
    keys1 = [k for k in ("f1:%d" % i for i in range(200000)) if cu.key_slot(k) == 1][:3]
    keys2 = [k for k in ("f2:%d" % i for i in range(200000)) if cu.key_slot(k) == 2][:3]
    assert trio.slot_owner(1) is a and trio.slot_owner(2) is a
    for k in keys1 + keys2:
        assert a.call("SET", k, "v-" + k) == "OK"
    assert a.call("CLUSTER", "SETSLOT", 1, "MIGRATING", c.myid()) == "OK"
    assert b.call("CLUSTER", "SETSLOT", 2, "IMPORTING", a.myid()) == "OK"
    assert a.call("CLUSTER", "SETSLOT", 2, "MIGRATING", b.myid()) == "OK"
    assert a.call("MIGRATE", HOST, b.port, "", 0, 5000, "KEYS", keys2[0]) == "OK"

    r = trio.cli("check", a.addr())
    assert r.returncode == 1
    assert "[WARNING] Node %s has slots in migrating state 1,2." % a.addr() in r.stdout
    assert "[WARNING] Node %s has slots in importing state 2." % b.addr() in r.stdout
    assert "[WARNING] The following slots are open: " in r.stdout

    out = ok(trio.cli("fix", a.addr()))
    assert ">>> Fixing open slot 1" in out and ">>> Fixing open slot 2" in out
    trio.wait_ok()
    for n in trio.members:
        assert not [s for s in n.myself()["slots"] if s.startswith("[")], n
    ok(trio.cli("check", a.addr()))
    # slot 1 was closed where it was; slot 2 has no single owner (a owns
    # it, b holds one of its keys): why back to a, redis-cli picks the node
    # with most keys in the slot and moves the others' keys there
    assert "*** Found keys about slot 2 in non-owner node %s!" % b.addr() in out
    assert ">>> Case 2: Moving all the 2 slot keys to its owner %s" % a.addr() in out
    assert ">>> Case 4: Closing slot 1 on %s" % a.addr() in out
    assert trio.slot_owner(1) is a and trio.slot_owner(2) is a
    assert a.call("MGET", *keys1) == ["v-" + k for k in keys1]
    assert a.call("MGET", *keys2) == ["v-" + k for k in keys2]
    assert b.call("CLUSTER", "COUNTKEYSINSLOT", 2) == 0 and b.call("DBSIZE") == 0


def test_import_from_standalone(trio, server_factory, tmp_path):
    src = server_factory(cwd=str(tmp_path))
    sc = src.client(decode_responses=True)
    keys = ["imp:%d" % i for i in range(300)]
    for k in keys:
        sc.set(k, "v-" + k)
    sc.rpush("imp:list", "a", "b", "c")
    sc.hset("imp:hash", mapping={"f": "1", "g": "2"})
    sc.zadd("imp:zset", {"m": 1.5})
    sc.expire("imp:0", 1000)
    a = trio.members[0]

    # not from another cluster node
    r = trio.cli("import", a.addr(), "--cluster-from", trio.members[1].addr())
    assert r.returncode == 1
    assert "[ERR] The source node should not be a cluster node." in output(r)

    out = ok(trio.cli("import", a.addr(), "--cluster-from", "%s:%d" % (HOST, src.port),
                      "--cluster-copy"))
    assert "*** Importing 303 keys from DB 0" in out
    assert len(re.findall(r"^Migrating imp:\S+ to 127\.0\.0\.1:\d+: OK$", out, re.M)) == 303
    assert sc.dbsize() == 303  # --cluster-copy leaves the source alone
    for k in keys:
        assert trio.key_owner(k).call("GET", k) == "v-" + k
    owner = trio.key_owner("imp:list")
    assert owner.call("LRANGE", "imp:list", 0, -1) == ["a", "b", "c"]
    assert trio.key_owner("imp:hash").call("HGETALL", "imp:hash") == ["f", "1", "g", "2"]
    assert trio.key_owner("imp:zset").call("ZSCORE", "imp:zset", "m") == "1.5"
    assert 0 < trio.key_owner("imp:0").call("TTL", "imp:0") <= 1000
    assert sum(m.call("DBSIZE") for m in trio.masters()) == 303

    # again without --cluster-copy (and --cluster-replace for the existing
    # keys): MIGRATE moves them, the source ends empty
    sc.set("imp:0", "new")
    out = ok(trio.cli("import", a.addr(), "--cluster-from", "%s:%d" % (HOST, src.port),
                      "--cluster-replace"))
    assert sc.dbsize() == 0
    assert trio.key_owner("imp:0").call("GET", "imp:0") == "new"
    assert sum(m.call("DBSIZE") for m in trio.masters()) == 303
    sc.close()
