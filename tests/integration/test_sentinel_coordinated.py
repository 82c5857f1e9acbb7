"""SENTINEL FAILOVER <master> COORDINATED (beyond Redis 7.0; Valkey 9's
name): the leader asks the master for `FAILOVER TO <replica>`, so writes
pause, the replica catches up and is promoted, and the other replicas move
to it with a partial resync. Under a write load where every write is
confirmed with WAIT, no acknowledged write may be lost and no replica may
need a full resync.

Owned by the sentinel suite (issue 11). Vireo only: redis-sentinel 7.0.15
has no COORDINATED.
"""
import threading
import time

import pytest
import redis

import sentinel_util as su
from integ_util import SLOW

NAME = su.NAME
HOST = su.HOST

pytestmark = pytest.mark.vireo_only


def sync_full_total(cl):
    return sum(int(su.node_info(n, "stats")["sync_full"]) for n in cl.nodes)


class Writer:
    """SET k:<i> then WAIT 1 on whichever node the first sentinel names
    master; a write counts as acknowledged when WAIT says a replica has it.
    On an error (READONLY while the roles change, a dropped connection) the
    same write is retried against the master the sentinel names then."""

    def __init__(self, sentinel):
        self.sentinel = sentinel
        self.acked = []
        self.errors = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        i = 0
        conn, port = None, None
        while not self.stop.is_set():
            try:
                addr = self.sentinel.addr()
                if conn is None or addr[1] != port:
                    if conn:
                        conn.close()
                    port = addr[1]
                    conn = redis.Redis(host=HOST, port=port, socket_timeout=5 * SLOW,
                                       single_connection_client=True)
                conn.set("k:%d" % i, i)
                if conn.execute_command("WAIT", 1, 1000) >= 1:
                    self.acked.append(i)
                i += 1
            except (redis.RedisError, OSError):
                self.errors += 1
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.02)
        if conn:
            conn.close()


@pytest.mark.slow
def test_coordinated_switchovers_lose_no_acknowledged_write(server_factory, procs, tmp_path):
    with su.running(server_factory, procs, tmp_path) as cl:
        full_before = sync_full_total(cl)
        writer = Writer(cl.sentinels[0])
        writer.thread.start()
        try:
            for n in range(3):
                su.poll(lambda: len(writer.acked) > 50 * (n + 1), "writes are not acknowledged")
                s = cl.sentinels[n % 3]
                old_port = s.addr()[1]
                assert s.call("SENTINEL", "FAILOVER", NAME, "COORDINATED") == b"OK"
                new = cl.wait_addr_changed(old_port)
                cl.wait_failover_end()
                # The old master follows the new one (FAILOVER made it so).
                cl.wait_replica_of(cl.node_at(old_port), new)
                cl.wait_replicas_settled(new)
                ev = cl.events[s.name]
                ev.wait("+promoted-slave", ":%d " % new.port)
                ev.wait("+switch-master", "%s %s %d %s %d" % (NAME, HOST, old_port, HOST, new.port))
        finally:
            writer.stop.set()
            writer.thread.join(30)
        final = cl.node_at(cl.sentinels[0].addr()[1])
        c = su.node_client(final)
        try:
            keys = ["k:%d" % i for i in writer.acked]
            values = []
            for j in range(0, len(keys), 500):
                values += c.mget(keys[j:j + 500])
        finally:
            c.close()
        lost = [k for k, v in zip(keys, values) if v is None]
        assert len(writer.acked) > 150
        assert lost == [], "%d acknowledged writes lost" % len(lost)
        # Every replica moved with a partial resync.
        assert sync_full_total(cl) == full_before


def test_coordinated_argument_checks(server_factory, procs, tmp_path):
    with su.running(server_factory, procs, tmp_path, replicas=1, sentinels=1, quorum=1,
                    events=False) as cl:
        s = cl.sentinels[0]
        assert s.call("SENTINEL", "FAILOVER", NAME, "NOW") == "-ERR syntax error"
        assert s.call("SENTINEL", "FAILOVER", NAME, "COORDINATED", "x") == \
            "-ERR wrong number of arguments for 'sentinel|failover' command"
        assert s.call("SENTINEL", "FAILOVER", "nosuch", "COORDINATED") == \
            "-ERR No such master with that name"
