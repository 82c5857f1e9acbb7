"""Sentinel failovers (issue 11): 3 sentinels (quorum 2) watching a master
and 2 replicas of the binary under test.

- the master SIGKILLed / SIGSTOPped: a replica promoted, the other one
  following it, every sentinel reporting the new address, the leader's
  events in order (+sdown ... +switch-master), the old master back as a
  replica (+convert-to-slave), the new master in every rewritten config file
  and a restarted sentinel starting from it (00-base.tcl, 02-slaves-reconf);
- SENTINEL FAILOVER and its errors (05-manual.tcl);
- replica selection: priority 0 never promoted, lower priority first
  (04-slave-selection.tcl, 10-replica-priority.tcl);
- no failover without the quorum / the majority (00-base.tcl "ODOWN is not
  possible without N (quorum) Sentinels reports", "Failover is not possible
  without majority agreement"), failover with one sentinel down and that
  sentinel updated when it returns (01-conf-update.tcl);
- SDOWN conditions (07-down-conditions.tcl);
- clients that discover the master through sentinels: redis-py's
  redis.sentinel.Sentinel and ioredis (node/sentinel_ioredis.js).

Long tests carry @pytest.mark.slow. Helpers: sentinel_util.py. Validated with
VIREO_BIN=/usr/bin/redis-server.
"""
import os
import shutil
import time

import pytest
import redis
import redis.sentinel

import repl_util as ru
import sentinel_util as su
from integ_util import SLOW
from sentinel_util import HOST, NAME
from test_ioredis import NODE, NPM, NodeProc, node_dir  # noqa: F401  (npm-installed ioredis)

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node", "sentinel_ioredis.js")


@pytest.fixture
def cluster(server_factory, procs, tmp_path):
    with su.running(server_factory, procs, tmp_path) as cl:
        yield cl


def others(cl, new):
    return [r for r in cl.replicas if r is not new]


def absent_for(ev, channel, seconds):
    """`channel` is not published during the next `seconds` (a negative
    check needs a time span)."""
    deadline = time.time() + seconds * SLOW
    while time.time() < deadline:
        assert not ev.of(channel), ev.all()
        time.sleep(0.05)


def assert_after_failover(cl, old_port, new):
    """The new master is one, the remaining replica follows it, and every
    sentinel's config file has the new master."""
    assert su.role(new) == "master"
    for r in others(cl, new):
        cl.wait_replica_of(r, new)
    cl.wait_failover_end()
    for s in cl.alive_sentinels():
        m = s.master()
        assert (m["port"], m["config-epoch"], m["num-slaves"]) == (
            str(new.port), "1", str(len(cl.replicas)))
        lines = su.sentinel_lines(s.config_file())
        assert "sentinel monitor %s %s %d 2" % (NAME, HOST, new.port) in lines
        assert "sentinel config-epoch %s 1" % NAME in lines
        assert "sentinel current-epoch 1" in lines
        # the old master is now remembered as a replica of the new one
        assert "sentinel known-replica %s %s %d" % (NAME, HOST, old_port) in lines


@pytest.mark.slow
def test_failover_when_master_crashes(cluster):
    old = cluster.master
    old.kill9()
    new = cluster.wait_addr_changed(old.port)
    su.check_failover_events(cluster, old.port, new)
    assert_after_failover(cluster, old.port, new)
    # the old master comes back as a master and is turned into a replica
    old.restart()
    cluster.wait_replica_of(old, new)
    assert any(ev.of("+convert-to-slave") == [su.slave_text(old.port, new.port)]
               for ev in cluster.events.values())
    for s in cluster.sentinels:
        su.poll(lambda: any(r["port"] == str(old.port) and r["flags"] == "slave"
                            for r in s.replicas()), "%s: old master not a replica" % s.name)
    # a sentinel restarted now starts from its rewritten config
    s1 = cluster.sentinels[1]
    s1.restart()
    assert s1.addr() == (HOST, new.port)
    assert s1.master()["config-epoch"] == "1"
    cluster.wait_discovery()


@pytest.mark.slow
def test_failover_when_master_is_stopped(cluster):
    old = cluster.master
    with ru.stopped(old):
        new = cluster.wait_addr_changed(old.port)
        su.check_failover_events(cluster, old.port, new)
        assert_after_failover(cluster, old.port, new)
    # SIGCONT: it still says it is a master; the sentinels correct that
    cluster.wait_replica_of(old, new)
    assert any(su.slave_text(old.port, new.port) in ev.of("+convert-to-slave")
               for ev in cluster.events.values())


@pytest.mark.slow
def test_manual_failover(cluster):
    s0 = cluster.sentinels[0]
    old = cluster.master
    assert s0.call("SENTINEL", "FAILOVER", NAME) == b"OK"
    # why the code comes through: addReplyError keeps a text starting with "-"
    assert s0.call("SENTINEL", "FAILOVER", NAME) == "-INPROG Failover already in progress"
    assert "failover_in_progress" in s0.master()["flags"]
    new = cluster.wait_addr_changed(old.port)
    ev = cluster.events[s0.name]
    # (the address changes at +promoted-slave, before the end of the failover)
    ev.wait("+switch-master")
    assert su.is_subsequence(su.LEADER_SEQUENCE[2:], ev.names()), ev.names()
    assert not ev.of("+sdown") and not ev.of("+odown")
    assert_after_failover(cluster, old.port, new)
    # the old master, alive all along, is turned into a replica
    cluster.wait_replica_of(old, new)
    for other in cluster.sentinels[1:]:
        assert cluster.events[other.name].wait("+switch-master") == \
            "%s %s %d %s %d" % (NAME, HOST, old.port, HOST, new.port)


def wait_priority(cl, node, prio):
    for s in cl.sentinels:
        su.poll(lambda: any(r["port"] == str(node.port) and r["slave-priority"] == str(prio)
                            for r in s.replicas()),
                lambda: "%s: priority of %s: %r" % (s.name, node.name, s.replicas()))


def test_no_good_replica(cluster):
    s0 = cluster.sentinels[0]
    for r in cluster.replicas:
        r.config_set("replica-priority", 0)
        wait_priority(cluster, r, 0)
    assert s0.call("SENTINEL", "FAILOVER", NAME) == "-NOGOODSLAVE No suitable replica to promote"
    assert s0.addr() == (HOST, cluster.master.port)


@pytest.mark.slow
def test_replica_priority_selection(server_factory, procs, tmp_path):
    # priority 0: never; otherwise the lowest priority wins (whatever the
    # order or the run IDs)
    with su.running(server_factory, procs, tmp_path, replicas=3) as cl:
        r0, r1, r2 = cl.replicas
        for node, prio in ((r0, 0), (r1, 100), (r2, 10)):
            node.config_set("replica-priority", prio)
            wait_priority(cl, node, prio)
        old = cl.master
        old.kill9()
        new = cl.wait_addr_changed(old.port)
        assert new is r2
        su.check_failover_events(cl, old.port, new)
        assert_after_failover(cl, old.port, new)
        # r2 gone as well: r1 is the only candidate (r0 has priority 0)
        r2.kill9()
        new2 = cl.wait_addr_changed(r2.port)
        assert new2 is r1
        cl.wait_replica_of(r0, r1)


def test_sdown_conditions(server_factory, procs, tmp_path):
    # 07-down-conditions.tcl; one sentinel with quorum 2: never ODOWN
    with su.running(server_factory, procs, tmp_path, replicas=1, sentinels=1) as cl:
        s = cl.sentinels[0]
        m = cl.master
        flags = lambda: s.master()["flags"]  # noqa: E731

        def down(why):
            su.poll(lambda: "s_down" in flags(), "%s: not s_down: %s" % (why, flags()))
            assert "o_down" not in flags()

        def up(why):
            su.poll(lambda: flags() == "master", "%s: flags %s" % (why, flags()))

        with ru.stopped(m):
            down("SIGSTOP")
            fields = list(s.master())
            assert fields[fields.index("last-ping-reply") + 1] == "s-down-time"
        up("SIGCONT")
        ev = cl.events[s.name]
        assert ev.of("+sdown") == [su.master_text(m.port)]
        assert ev.of("-sdown") == [su.master_text(m.port)]
        # a master that reports itself as a replica
        c = su.node_client(m)
        c.execute_command("REPLICAOF", HOST, su.free_port())
        down("reports role slave")
        c.execute_command("REPLICAOF", "NO", "ONE")
        up("role master again")
        # PING renamed to PONG: the master answers with an error
        assert s.call("SENTINEL", "SET", NAME, "rename-command", "PING", "PONG") == b"OK"
        down("rename-command PING PONG")
        assert s.call("SENTINEL", "SET", NAME, "rename-command", "PING", "PING") == b"OK"
        up("rename-command PING PING")
        c.close()
        assert not ev.of("+odown")


@pytest.mark.slow
def test_no_failover_without_quorum_or_majority(server_factory, procs, tmp_path):
    # 2 of 3 sentinels stopped: the one left sees the master down but with
    # quorum 2 never ODOWN; with quorum 1 ODOWN, but no majority votes for it
    with su.running(server_factory, procs, tmp_path, failover_timeout=3000) as cl:
        s0, s1, s2 = cl.sentinels
        ev = cl.events[s0.name]
        old = cl.master
        with ru.stopped(s1), ru.stopped(s2):
            old.kill9()
            ev.wait("+sdown", su.master_text(old.port))
            absent_for(ev, "+odown", 3)
            assert s0.call("SENTINEL", "SET", NAME, "quorum", 1) == b"OK"
            ev.wait("+odown", su.master_text(old.port) + " #quorum 1/1")
            ev.wait("+try-failover")
            ev.wait("-failover-abort-not-elected", su.master_text(old.port), timeout=30)
            assert not ev.of("+elected-leader") and not ev.of("+switch-master")
            assert s0.addr() == (HOST, old.port)
        for r in cl.replicas:
            assert su.role(r) == "slave"


@pytest.mark.slow
def test_failover_with_a_sentinel_down(cluster):
    # 01-conf-update.tcl: s1 is down during the failover; restarted, it
    # learns the new configuration from the others' hello messages
    s1 = cluster.sentinels[1]
    s1.kill()
    cluster.events.pop(s1.name).close()
    old = cluster.master
    old.kill9()
    new = cluster.wait_addr_changed(old.port)
    su.check_failover_events(cluster, old.port, new)
    s1.start()
    # One monitor line: the old address, or already the new one when a
    # hello reached s1 before we read the file (a race on a loaded machine).
    monitors = [line for line in su.sentinel_lines(s1.config_file())
                if line.startswith("sentinel monitor ")]
    assert len(monitors) == 1 and monitors[0] in (
        "sentinel monitor %s %s %d 2" % (NAME, HOST, old.port),
        "sentinel monitor %s %s %d 2" % (NAME, HOST, new.port)), monitors
    su.poll(lambda: s1.addr() == (HOST, new.port), lambda: "s1: %r" % (s1.addr(),), timeout=30)
    su.poll(lambda: "sentinel monitor %s %s %d 2" % (NAME, HOST, new.port)
            in su.sentinel_lines(s1.config_file()), "s1's config not rewritten")
    assert s1.master()["config-epoch"] == "1"


def write_until_ok(client, key, value, timeout=40.0):
    """SET through a sentinel-managed client until it succeeds (the client
    reconnects to whatever master the sentinels report)."""
    def attempt():
        try:
            return client.set(key, value)
        except (redis.exceptions.ConnectionError, redis.exceptions.ReadOnlyError,
                redis.exceptions.TimeoutError):
            return None
    return su.poll(attempt, "no successful write through the sentinel client", timeout)


@pytest.mark.slow
def test_redis_py_sentinel_client_follows(cluster):
    sentinel = redis.sentinel.Sentinel([(HOST, s.port) for s in cluster.sentinels],
                                       socket_timeout=2, decode_responses=True)
    assert sentinel.discover_master(NAME) == (HOST, cluster.master.port)
    assert {p for _, p in sentinel.discover_slaves(NAME)} == {r.port for r in cluster.replicas}
    master = sentinel.master_for(NAME, socket_timeout=2)
    assert master.set("before", "1")
    assert master.execute_command("INFO", "server")["tcp_port"] == cluster.master.port
    old = cluster.master
    old.kill9()
    new = cluster.wait_addr_changed(old.port)
    write_until_ok(master, "after", "2")
    assert master.execute_command("INFO", "server")["tcp_port"] == new.port
    assert sentinel.discover_master(NAME) == (HOST, new.port)
    c = su.node_client(new)
    assert c.get("after") == "2" and c.get("before") == "1"
    c.close()
    replica = sentinel.slave_for(NAME, socket_timeout=2)
    cluster.wait_replica_of(others(cluster, new)[0], new)
    su.poll(lambda: replica.get("after") == "2", "no replica read of the new write")


@pytest.mark.slow
@pytest.mark.skipif(not NODE or not NPM, reason="node/npm not installed")
def test_ioredis_sentinel_client_follows(cluster, node_dir, tmp_path):  # noqa: F811
    # test_ioredis.NodeProc runs `node subscriber.js ARG` in its directory:
    # a directory with this script under that name and the installed
    # node_modules; ARG is the list of sentinel ports
    d = tmp_path / "ioredis"
    d.mkdir()
    shutil.copyfile(SCRIPT, str(d / "subscriber.js"))
    os.symlink(os.path.join(node_dir, "node_modules"), str(d / "node_modules"))
    js = NodeProc(str(d), ",".join(str(s.port) for s in cluster.sentinels))

    def wait_write(port):
        while True:
            ev = js.next(timeout=40)
            if ev["ev"] == "write" and ev["port"] == port:
                return ev
    try:
        old = cluster.master
        wait_write(old.port)
        old.kill9()
        new = cluster.wait_addr_changed(old.port)
        ev = wait_write(new.port)
        c = su.node_client(new)
        assert int(c.get("ioredis:n")) >= ev["n"]
        c.close()
    finally:
        js.stop()
